"""The language of a comment: the lexicons' vote for short texts, py3langid for sentences.

py3langid was chosen over lingua on the project's evaluation set
(``python -m cm_inbox.listening.evaluate --compare-language``): restricted to
the seven languages the inbox expects, it was the more accurate on short
comments and four to five times faster than lingua's high-accuracy mode
(lingua's low-accuracy mode, as fast, lost five points). Its model ships in the
wheel, so nothing is fetched at run time.

A few letters are no sentence: py3langid reads "meh" as German and "ptdr" as
Dutch. Below ``SHORT_TEXT`` letters the words vote first: a word that only one
language's lexicon (or its list of ``own.txt`` words) knows decides. When no
word decides, the network's tag (``hint``) does, then the caller's ``default``
(the brand's main language), and only then py3langid. A comment of emoji alone
has no language but the hint's or the default's.

Longer texts whose words the lexicons own by a landslide (two votes or more,
three times the others') are settled by the vote too; the rest go to py3langid, through its model arrays read once (restricted to
the seven languages, as float32 in row order) rather than through ``classify``,
which re-normalises the text and gathers rows from a float16 table on every
call: same features, same scores, a third of the time. The hint still wins when
py3langid is unsure. Text mostly in another script (Cyrillic, Arabic, CJK...) is
read with py3langid's full model, since the seven-language one could only
guess among Latin-script languages.
"""

from __future__ import annotations

import copy
import math
import re
import threading
from collections import Counter
from typing import Any

import numpy as np

LANGUAGES = ("fr", "en", "es", "de", "it", "pt", "nl")
SHORT = 12  # letters; below this a network's tag is trusted over the text
SHORT_TEXT = 25  # letters; below this the lexicons' vote comes before py3langid
CONFIDENT = 0.9  # py3langid's probability above which the text beats the tag
LONGEST = 200  # characters read: past this, more text costs time and changes nothing

_NON_LATIN = re.compile(r"[^\W\d_\u0000-\u024f\u1e00-\u1eff]")
_LOCK = threading.Lock()
_IDENTIFIERS: tuple[Any, Any, Any] | None = None
_FAST: Any = None


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


class _Restricted:
    """py3langid's seven-language scores, computed straight from its model arrays."""

    def __init__(self, raw: Any) -> None:
        self.classes = list(raw.nb_classes)
        self.table = np.ascontiguousarray(raw.nb_ptc, dtype=np.float32)
        self.prior = np.asarray(raw.nb_pc, dtype=np.float32)
        self.nextmove = raw.tk_nextmove
        self.rowbase = [row << 8 for row in raw.tk_row]
        self.output = raw.tk_output

    def classify(self, text: str) -> tuple[str, float]:
        """(language, probability) as py3langid's restricted ``classify`` with norm_probs."""
        data = text.encode("utf-8", errors="surrogatepass")
        state = 0
        nextmove, rowbase, output = self.nextmove, self.rowbase, self.output
        found = []
        append = found.append
        for byte in data:
            state = nextmove[rowbase[state] + byte]
            feature = output[state]
            if feature >= 0:
                append(feature)
        if not found:
            return self.classes[0], 1.0 / len(self.classes)
        counts = Counter(found)
        rows = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        weights = np.log1p(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))
        scores = weights @ self.table[rows] + self.prior
        best = int(scores.argmax())
        # Softmax at temperature sqrt(bytes), as py3langid calibrates its probabilities.
        scaled = (scores - scores[best]) * (1.0 / math.sqrt(len(data)))
        return self.classes[best], float(1.0 / np.exp(scaled).sum())


def _fast() -> _Restricted:
    global _FAST
    if _FAST is None:
        raw = identifiers()[0]
        with _LOCK:
            if _FAST is None:
                _FAST = _Restricted(raw)
    return _FAST


_HINTS: dict[str, str | None] = {}


def normalize_hint(hint: str | None) -> str | None:
    """A network's language tag as ISO 639-1 ("fr-FR", "FR", "fr_CA" → "fr"), or None."""
    if not hint or not isinstance(hint, str):
        return None
    known = _HINTS.get(hint)
    if known is not None or hint in _HINTS:
        return known
    code = _normalize(hint)
    if len(_HINTS) < 1000:  # networks use a handful of tags; a flood of odd ones is not kept
        _HINTS[hint] = code
    return code


def _normalize(hint: str) -> str | None:
    code = hint.strip().replace("_", "-").split("-", 1)[0].lower()
    return code if len(code) == 2 and code.isascii() and code.isalpha() else None


def vote(words: tuple[str, ...], owners: dict[str, str]) -> str | None:
    """The language most of ``words`` belong to in ``owners``, when it outvotes all others."""
    counts: dict[str, int] = {}
    for language in map(owners.get, words):
        if language is not None:
            counts[language] = counts.get(language, 0) + 1
    if not counts:
        return None
    if len(counts) == 1:
        return next(iter(counts))
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] * 2 > sum(counts.values()) else None


LANDSLIDE = 3  # how many times the others' votes the winner needs (and two at least)


def landslide(words: tuple[str, ...], owners: dict[str, str]) -> str | None:
    """The language of ``words`` when two or more vote for it, ``LANDSLIDE`` times the rest."""
    counts: dict[str, int] = {}
    for language in map(owners.get, words):
        if language is not None:
            counts[language] = counts.get(language, 0) + 1
    if not counts:
        return None
    best = max(counts, key=counts.__getitem__)
    top = counts[best]
    return best if top >= 2 and top >= LANDSLIDE * (sum(counts.values()) - top) else None


def detect(
    letters: str,
    hint: str | None = None,
    default: str | None = None,
    words: tuple[str, ...] = (),
    owners: dict[str, str] | None = None,
) -> str | None:
    """The ISO 639-1 code of a comment.

    ``letters`` is its words alone (see ``tokens``), ``words`` its tokens and
    ``owners`` the word → language map that settles short texts; ``hint`` is the
    network's tag, ``default`` the language to fall back on when nothing tells.
    """
    hint = normalize_hint(hint) if hint else None
    default = normalize_hint(default) if default else None
    if not letters.strip("'’- "):
        return hint or default
    letters = letters[:LONGEST]
    if letters.isupper():
        letters = letters.lower()  # as py3langid reads a text in capitals
    size = len(letters) - letters.count(" ")
    latin = letters.isascii() or len(_NON_LATIN.findall(letters)) * 2 < size
    if latin and size < SHORT_TEXT:
        voted = vote(words, owners) if owners and words else None
        # The network's tag outweighs a vote of a few words ("la app no funciona":
        # "app" is English too), which decides only where the network said nothing.
        if voted and (hint is None or voted == hint):
            return voted
        if size < SHORT and (hint or default):
            return hint or default
    elif latin and owners and words:
        # A sentence whose words the lexicons own by a wide margin, or whose
        # words side with the network's tag, needs no py3langid (the costliest
        # step of analyze): on the project's labelled comments this decided as
        # well as py3langid, in a fifth of the time.
        if hint:
            if vote(words, owners) == hint:
                return hint
        else:
            voted = landslide(words, owners)
            if voted:
                return voted
    if latin:
        language, confidence = _fast().classify(letters)
        if hint and hint != language and (size < SHORT or confidence < CONFIDENT):
            return hint
        return language
    language, confidence = identifiers()[2].classify(letters)
    if hint and hint != language and (size < SHORT or confidence < CONFIDENT):
        return hint
    return language
