"""The steps of ``analyze`` in order: tokens, language, one lexicon walk, intents, sentiment."""

from __future__ import annotations

from cm_inbox.listening import Signals
from cm_inbox.listening.intents import acts, settle
from cm_inbox.listening.language import detect, identifiers
from cm_inbox.listening.reading import lexicon_for, vocabulary
from cm_inbox.listening.sentiment import weigh
from cm_inbox.listening.tokens import tokenize


def analyze(text: str, hint: str | None = None) -> Signals:
    """See ``cm_inbox.listening.analyze``."""
    tokens = tokenize(text if isinstance(text, str) else "", vocabulary())
    language = detect(tokens.letters, hint)
    reading = lexicon_for(language).read(tokens)
    found = acts(reading, tokens)
    mood = weigh(reading, tokens, found)
    return Signals(language, mood.label, mood.score, settle(found, reading, mood))  # type: ignore[arg-type]


def preload() -> None:
    """Load the language model and every lexicon now."""
    identifiers()
    vocabulary()
