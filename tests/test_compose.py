"""The reply checks the CLI and the composer share."""

from __future__ import annotations

import pytest

from cm_inbox import compose
from cm_inbox.compose import (
    DraftProblem,
    check_draft,
    is_blocked,
    length_status,
    reply_prefill,
)
from cm_inbox.model import Author, Comment, Status

T0 = 1_795_168_800


def comment(network: str = "mastodon", handle: str = "bob@example.org") -> Comment:
    return Comment(
        id=1,
        network=network,
        account="acme",
        account_id=1,
        remote_id="r1",
        parent_remote_id=None,
        root_remote_id="r1",
        author=Author(id=1, network=network, handle=handle),
        text="Is the app down?",
        created_at=T0,
        fetched_at=T0,
        status=Status.NEW,
    )


def codes(problems: list[DraftProblem]) -> list[str]:
    return [problem.code for problem in problems]


def test_prefill_mentions_the_author_only_where_the_network_needs_it() -> None:
    assert reply_prefill(comment("mastodon", "bob@example.org")) == "@bob@example.org "
    assert reply_prefill(comment("mastodon", "@bob@example.org")) == "@bob@example.org "
    assert reply_prefill(comment("bluesky", "carol.bsky.social")) == ""
    assert reply_prefill(comment("youtube", "Carol")) == ""


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_an_empty_reply_is_blocked(text: str) -> None:
    problems = check_draft(comment(), text)
    assert codes(problems) == ["empty"]
    assert is_blocked(problems)


@pytest.mark.parametrize(
    "text", ["@bob@example.org", "@bob@example.org  @alice ", "@carol.bsky.social"]
)
def test_a_reply_of_mentions_only_is_blocked(text: str) -> None:
    problems = check_draft(comment(), text)
    assert codes(problems) == ["mention-only"]
    assert problems[0].blocking


def test_a_good_reply_has_no_problems() -> None:
    assert check_draft(comment(), "@bob@example.org we are on it, sorry!") == []
    assert check_draft(comment("bluesky", "carol.bsky.social"), "Thanks Carol!") == []


def test_over_the_limit_is_blocked_with_the_count_in_the_networks_unit() -> None:
    # Bluesky counts graphemes: a skin-toned emoji is one, however many code points.
    text = "a" * 311 + "👍🏽"
    problems = check_draft(comment("bluesky", "carol.bsky.social"), text)
    assert codes(problems) == ["too-long"]
    assert problems[0].blocking
    assert "312 / 300 graphemes" in problems[0].message
    assert check_draft(comment("bluesky", "carol.bsky.social"), "a" * 299 + "👍🏽") == []


def test_mastodon_counts_a_link_as_23_characters() -> None:
    link = "https://example.org/" + "x" * 200
    text = "@bob@example.org " + "y" * 450 + " " + link
    assert check_draft(comment(), text) == []  # 17 + 450 + 1 + 23 = 491 <= 500
    count, limit, unit = length_status("mastodon", text)
    assert (limit, unit) == (500, "characters")
    assert count == len("@bob ") + 450 + 1 + 23


def test_an_instance_limit_overrides_the_default() -> None:
    problems = check_draft(comment(), "@bob@example.org " + "y" * 100, limit=50)
    assert codes(problems) == ["too-long"]
    assert "/ 50 characters" in problems[0].message
    assert length_status("mastodon", "hi", limit=50) == (2, 50, "characters")


def test_mastodon_warns_when_the_author_is_not_mentioned() -> None:
    problems = check_draft(comment(), "We are on it!")
    assert codes(problems) == ["missing-mention"]
    assert not problems[0].blocking
    assert not is_blocked(problems)
    assert "@bob@example.org" in problems[0].message


@pytest.mark.parametrize(
    ("text", "warned"),
    [
        ("@Bob@Example.org thanks", False),  # handles are case-insensitive
        ("thanks @bob@example.org!", False),
        ("@bob@example.org.uk thanks", True),  # someone else
        ("@bobby@example.org thanks", True),
        ("mail bob@example.org thanks", True),  # not a mention
    ],
)
def test_the_mention_must_be_the_authors_whole_handle(text: str, warned: bool) -> None:
    assert ("missing-mention" in codes(check_draft(comment(), text))) is warned


def test_other_networks_do_not_need_a_mention() -> None:
    assert check_draft(comment("bluesky", "carol.bsky.social"), "On it!") == []
    assert check_draft(comment("reddit", "dan"), "On it!") == []


def test_blocking_problems_come_before_warnings() -> None:
    problems = check_draft(comment(), "y" * 600)
    assert codes(problems) == ["too-long", "missing-mention"]


def test_a_new_check_is_one_function_in_the_list(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_shouting(draft: compose.Draft):
        if draft.body.isupper():
            yield DraftProblem("shouting", "the reply is in capitals", blocking=False)

    monkeypatch.setattr(compose, "CHECKS", [*compose.CHECKS, no_shouting])
    assert codes(check_draft(comment(), "@bob@example.org SORRY")) == ["shouting"]
    assert check_draft(comment(), "@bob@example.org sorry") == []


def test_length_status_for_the_live_counter() -> None:
    assert length_status("bluesky", "hi 👋🏽") == (4, 300, "graphemes")
    assert length_status("youtube", "hello") == (5, 10_000, "characters")
    # Networks the rules do not know (imports) get lenient defaults.
    assert length_status("myspace", "hello") == (5, 10_000, "characters")
