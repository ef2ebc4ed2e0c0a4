"""Comments and their signals cross between processes (an import's reader sends
them to the writer; a sync's listening process sends signals) as the call that
builds them: what arrives must be what was sent."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field

import pytest

from cm_inbox.listening import Signals, analyze
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.pickled import pickled_as_call


def _roundtrip(value):
    return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def test_a_comment_arrives_with_its_author_and_signals_as_it_was_sent() -> None:
    text = "L'appli plante à chaque ouverture, remboursez-moi"
    sent = IncomingComment(
        network="mastodon",
        account="lumo@mastodon.social",
        remote_id="109",
        author=IncomingAuthor("nadia", "Nadia", 1200),
        text=text,
        created_at=1_750_000_000,
        parent_remote_id="100",
        labels=("vip",),
        likes=3,
        signals=analyze(text, None, "fr"),
        extra={"visibility": "public"},
    )
    (arrived,) = _roundtrip([sent])
    assert arrived == sent
    assert type(arrived.author) is IncomingAuthor and type(arrived.signals) is Signals
    assert arrived.signals.language == "fr" and "bug" in arrived.signals.intents


def test_signals_arrive_as_they_were_sent() -> None:
    sent = [analyze("Love the new dark mode!", "en", "en"), Signals(None, "neutral", 0.0, ())]
    assert _roundtrip(sent) == sent


def test_a_dataclass_whose_fields_cannot_be_given_by_position_is_refused() -> None:
    with pytest.raises(TypeError, match="later cannot be passed by position"):

        @pickled_as_call
        @dataclass
        class Computed:
            given: int
            later: list[int] = field(init=False, default_factory=list)

    with pytest.raises(TypeError, match="first cannot be passed by position"):

        @pickled_as_call
        @dataclass(kw_only=True)
        class Named:
            first: int


@pickled_as_call
@dataclass(frozen=True)
class _One:
    value: str


def test_a_dataclass_of_one_field_arrives_whole() -> None:
    assert _roundtrip(_One("x")) == _One("x")
