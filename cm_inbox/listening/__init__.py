"""Listening signals: what a comment is in (language), how it feels (sentiment), what it
does (intents); ``priority`` turns them, with reach and waiting time, into the queue's order.

``analyze(text, hint)`` is the one call ingest needs. It is thread-safe and
loads its models and lexicons on first use (once per process; ``preload()`` does
it ahead of time), so importing this package costs nothing. Everything runs
locally from files inside the package: nothing is fetched. What takes long to
build (the lexicons' tries, py3langid's arrays for the seven languages) is kept
in the user's cache folder, so a fresh process starts in a few tenths of a second
rather than two (see ``cache``); deleting that folder is safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cm_inbox.pickled import pickled_as_call

Sentiment = Literal["negative", "neutral", "positive"]


@pickled_as_call  # worked out in another process (an import's reader, a sync's)
@dataclass(frozen=True, slots=True)
class Signals:
    """What one comment says about itself, computed at ingest."""

    language: str | None
    """ISO 639-1 code, or None when the text has no words and the network gave no tag."""
    sentiment: Sentiment
    sentiment_score: float
    """In [-1, 1]: P(positive) − P(negative) under the learned model (the lexicons'
    own score, where -0.3 and 0.3 part the labels, when the model is missing)."""
    intents: tuple[str, ...]
    """Sorted; drawn from question, complaint, bug, praise, purchase, spam, crisis."""


_IMPLEMENTATION = None


def analyze(text: str, hint: str | None = None, default: str | None = None) -> Signals:
    """The signals of ``text``; ``hint`` is the network's language tag, if it gave one.

    The hint decides the language when the text is too short or too unsure to
    tell. ``default`` is the brand's main language: what a comment of emoji
    alone, or a word any language could have written ("ok", "?"), is taken to
    be when the network gave no tag.
    """
    implementation = _IMPLEMENTATION or _load()
    return implementation(text, hint, default)


def preload() -> None:
    """Load the language model and every lexicon now rather than at the first comment."""
    from cm_inbox.listening import pipeline

    pipeline.preload()


def _load():  # type: ignore[no-untyped-def]
    # Imported on first use so that importing the package stays cheap for the TUI.
    global _IMPLEMENTATION
    from cm_inbox.listening import pipeline

    _IMPLEMENTATION = pipeline.analyze
    return _IMPLEMENTATION


__all__ = ["Signals", "Sentiment", "analyze", "preload"]
