"""The language of a comment, by py3langid, with the network's own tag as a fallback.

py3langid was chosen over lingua on the project's evaluation set
(``python -m cm_inbox.listening.evaluate --compare-language``): restricted to
the seven languages the inbox expects, it was the more accurate on short
comments and four to five times faster than lingua's high-accuracy mode
(lingua's low-accuracy mode, as fast, lost five points). Its model ships in the
wheel, so nothing is fetched at run time.

Short comments say little: below ``SHORT`` letters, or when py3langid is
unsure, the network's tag (``hint``) wins when there is one. A comment of emoji
alone has no language but the hint's. Text mostly in another script (Cyrillic,
Arabic, CJK...) is read with py3langid's full model, since the seven-language
one could only guess among Latin-script languages.
"""

from __future__ import annotations

import copy
import re
import threading
from typing import Any

LANGUAGES = ("fr", "en", "es", "de", "it", "pt", "nl")
SHORT = 12  # letters; below this a network's tag is trusted over the text
CONFIDENT = 0.9  # py3langid's probability above which the text beats the tag
LONGEST = 200  # characters read: past this, more text costs time and changes nothing

_NON_LATIN = re.compile(r"[^\W\d_\u0000-\u024f\u1e00-\u1eff]")
_LOCK = threading.Lock()
_IDENTIFIERS: tuple[Any, Any, Any] | None = None


def identifiers() -> tuple[Any, Any, Any]:
    """py3langid restricted to ``LANGUAGES`` (raw scores, then probabilities), and unrestricted.

    Loaded once per process (about a second). The raw scores skip the softmax, which
    only matters when a network's tag disagrees with the text.
    """
    global _IDENTIFIERS
    if _IDENTIFIERS is None:
        with _LOCK:
            if _IDENTIFIERS is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                full = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                probable = copy.copy(full)
                probable.set_languages(list(LANGUAGES))
                # The same model arrays without the softmax: classify's argmax is the same.
                raw = LanguageIdentifier(
                    full.nb_ptc,
                    full.nb_pc,
                    full.nb_classes,
                    full.tk_nextmove,
                    full.tk_output,
                    norm_probs=False,
                    tk_row=full.tk_row,
                )
                raw.set_languages(list(LANGUAGES))
                _IDENTIFIERS = (raw, probable, full)
    return _IDENTIFIERS


def normalize_hint(hint: str | None) -> str | None:
    """A network's language tag as ISO 639-1 ("fr-FR", "FR", "fr_CA" → "fr"), or None."""
    if not hint or not isinstance(hint, str):
        return None
    code = hint.strip().replace("_", "-").split("-", 1)[0].lower()
    return code if len(code) == 2 and code.isascii() and code.isalpha() else None


def detect(letters: str, hint: str | None = None) -> str | None:
    """The ISO 639-1 code of the text in ``letters`` (words only), or ``hint`` when it says more."""
    hint = normalize_hint(hint) if hint else None
    if not letters.strip("'’- "):
        return hint
    raw, probable, full = identifiers()
    letters = letters[:LONGEST]
    size = len(letters) - letters.count(" ")
    if letters.isascii() or len(_NON_LATIN.findall(letters)) * 2 < size:
        language = raw.classify(letters)[0]
        if hint and hint != language:
            if size < SHORT:
                return hint
            language, confidence = probable.classify(letters)
            return language if confidence >= CONFIDENT else hint
        return language
    language, confidence = full.classify(letters)
    if hint and hint != language and (size < SHORT or confidence < CONFIDENT):
        return hint
    return language
