"""The steps of ``analyze`` in order: tokens, language, one lexicon walk, intents,
sentiment, then the learned model over all of it."""

from __future__ import annotations

import logging

from cm_inbox.listening import Signals
from cm_inbox.listening.features import parts
from cm_inbox.listening.intents import acts, settle
from cm_inbox.listening.language import detect, scorer_for
from cm_inbox.listening.learned import Model, ModelError, load_model
from cm_inbox.listening.owners import owners
from cm_inbox.listening.reading import (
    BOUNDARY,
    LEXICON_LANGUAGES,
    Reading,
    lexicon_for,
    vocabulary,
)
from cm_inbox.listening.sentiment import Mood, weigh
from cm_inbox.listening.tokens import Tokens, tokenize

log = logging.getLogger(__name__)

SHORT_TEXT = 25  # letters
FALLBACKS = ("en", "fr")


def analyze(text: str, hint: str | None = None, default: str | None = None) -> Signals:
    """See ``cm_inbox.listening.analyze``."""
    tokens, language, reading, mood, intents = lexical(text, hint, default)
    model = _model()
    if model is None:
        return Signals(language, mood.label, mood.score, intents)  # type: ignore[arg-type]
    label, score, learned = model.predict(*parts(tokens, reading, mood, intents, language))
    if "crisis" in intents and "crisis" not in learned:
        # A missed crisis costs far more than a false alarm: one the lexicons name
        # (a regulator, a lawyer, a leak) stands. On writer c this cost no F1.
        learned = tuple(sorted((*learned, "crisis")))
    return Signals(language, label, score, learned)  # type: ignore[arg-type]


def lexical(
    text: str, hint: str | None = None, default: str | None = None
) -> tuple[Tokens, str | None, Reading, Mood, tuple[str, ...]]:
    """The lexicons' reading of ``text``: tokens, language, walk, mood and intents."""
    tokens = tokenize(text if isinstance(text, str) else "", vocabulary())
    language = detect(tokens.letters, hint, default, tokens.words, owners())
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
    return tokens, language, reading, mood, settle(found, reading, mood)


def _means_anything(reading: Reading) -> bool:
    return bool(reading.cues) or any(roles is not BOUNDARY for _, _, roles in reading.units)


_MODEL: Model | None = None
_MODEL_TRIED = False


def _model() -> Model | None:
    global _MODEL, _MODEL_TRIED
    if not _MODEL_TRIED:
        try:
            _MODEL = load_model()
        except ModelError as error:
            # The lexicons alone still give every signal, only less accurately.
            log.warning("listening model not used: %s", error)
        _MODEL_TRIED = True
    return _MODEL


def preload() -> None:
    """Load the language model, every lexicon and the learned model now.

    py3langid's full model, needed only for text in another script than Latin,
    is left until such a text comes: it takes most of a second to read.
    """
    scorer_for(latin=True)
    vocabulary()
    owners()
    for language in (None, *LEXICON_LANGUAGES):
        lexicon_for(language)
    _model()
