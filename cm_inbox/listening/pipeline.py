"""The steps of ``analyze`` in order: tokens, language, one lexicon walk, intents, sentiment."""

from __future__ import annotations

from cm_inbox.listening import Signals
from cm_inbox.listening.intents import acts, settle
from cm_inbox.listening.language import detect, identifiers
from cm_inbox.listening.reading import BOUNDARY, Reading, lexicon_for, vocabulary
from cm_inbox.listening.sentiment import weigh
from cm_inbox.listening.tokens import tokenize


def analyze(text: str, hint: str | None = None) -> Signals:
    """See ``cm_inbox.listening.analyze``."""
    tokens = tokenize(text if isinstance(text, str) else "", vocabulary())
    language = detect(tokens.letters, hint)
    reading = lexicon_for(language).read(tokens)
    if len(tokens.letters) < SHORT_TEXT and not _means_anything(reading):
        # A few letters are a poor guide to the language ("nuuuul" reads as Dutch):
        # when the guessed language's words find nothing, try the inbox's main ones.
        for other in FALLBACKS:
            if other != language:
                tried = lexicon_for(other).read(tokens)
                if _means_anything(tried):
                    reading = tried
                    break
    found = acts(reading, tokens)
    mood = weigh(reading, tokens, found)
    return Signals(language, mood.label, mood.score, settle(found, reading, mood))  # type: ignore[arg-type]


SHORT_TEXT = 25  # letters
FALLBACKS = ("en", "fr")


def _means_anything(reading: Reading) -> bool:
    return bool(reading.cues) or any(roles is not BOUNDARY for _, _, roles in reading.units)


def preload() -> None:
    """Load the language model and every lexicon now."""
    identifiers()
    vocabulary()
