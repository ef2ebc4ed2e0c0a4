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
call: same features, same scores, a third of the time. Those arrays are kept in
the user's cache folder (see ``cache``): reading py3langid's full model takes
most of a second, the restricted arrays a few hundredths. The hint still wins when
py3langid is unsure. Text mostly in another script (Cyrillic, Arabic, CJK...) is
read with py3langid's full model, since the seven-language one could only
guess among Latin-script languages; it is loaded only when such a text comes.
"""

from __future__ import annotations

import copy
import importlib.util
import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from cm_inbox.listening import cache

LANGUAGES = ("fr", "en", "es", "de", "it", "pt", "nl")
SHORT = 12  # letters; below this a network's tag is trusted over the text
SHORT_TEXT = 25  # letters; below this the lexicons' vote comes before py3langid
CONFIDENT = 0.9  # py3langid's probability above which the text beats the tag
LONGEST = 200  # characters read: past this, more text costs time and changes nothing

log = logging.getLogger(__name__)
_NON_LATIN = re.compile(r"[^\W\d_\u0000-\u024f\u1e00-\u1eff]")
_LOCK = threading.Lock()
_IDENTIFIERS: tuple[Any, Any, Any] | None = None
_FAST: Any = None


def identifiers() -> tuple[Any, Any, Any]:
    """py3langid restricted to ``LANGUAGES`` (raw scores, then probabilities), and unrestricted.

    Loaded once per process (about a second), and only when needed: for text in
    another script than Latin, to build the restricted arrays when the cache has
    none, and for ``evaluate --compare-language``. The raw scores skip the
    softmax, which only matters when a network's tag disagrees with the text.
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

    def __init__(
        self,
        classes: list[str],
        table: np.ndarray,
        prior: np.ndarray,
        nextmove: Sequence[int],
        rowbase: Sequence[int],
        output: Sequence[int],
    ) -> None:
        self.classes = classes
        self.table = table
        self.prior = prior
        self.nextmove = nextmove
        self.rowbase = rowbase
        self.output = output

    @classmethod
    def of(cls, raw: Any) -> _Restricted:
        """The arrays of py3langid's identifier ``raw``, restricted to ``LANGUAGES``."""
        return cls(
            list(raw.nb_classes),
            np.ascontiguousarray(raw.nb_ptc, dtype=np.float32),
            np.asarray(raw.nb_pc, dtype=np.float32),
            raw.tk_nextmove,
            [row << 8 for row in raw.tk_row],
            raw.tk_output,
        )

    def arrays(self) -> dict[str, np.ndarray]:
        """Everything ``classify`` reads, as numpy arrays (see ``from_arrays``)."""
        return {
            "classes": np.array(self.classes),
            "table": self.table,
            "prior": self.prior,
            "nextmove": np.frombuffer(self.nextmove, dtype=f"u{self.nextmove.itemsize}"),
            "rowbase": np.array(self.rowbase, dtype=np.int64),
            "output": np.array(self.output, dtype=np.int64),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> _Restricted:
        """The scorer ``arrays`` describe; ValueError or KeyError when they describe none."""
        classes, table, prior = arrays["classes"], arrays["table"], arrays["prior"]
        nextmove, rowbase, output = arrays["nextmove"], arrays["rowbase"], arrays["output"]
        # Checked here so that a cache file of the wrong shape fails now, and is
        # rebuilt, rather than as an IndexError in the middle of a sync.
        if not (
            table.ndim == 2
            and table.shape[1] == len(classes) == len(prior) == len(LANGUAGES)
            and nextmove.ndim == rowbase.ndim == output.ndim == 1
            and all(a.dtype.kind in "iu" and a.dtype.isnative for a in (nextmove, rowbase, output))
            and len(rowbase) == len(output) > 0
            and int(output.max()) < table.shape[0]
            and 0 <= int(nextmove.min()) <= int(nextmove.max()) < len(output)
            and int(rowbase.min()) >= 0
            and int(rowbase.max()) + 256 <= len(nextmove)
        ):
            raise ValueError("arrays of the wrong shapes for a language model")
        # The walk indexes these once per byte of text: a memoryview hands back plain
        # ints, as fast as py3langid's stdlib arrays and lists, without copying 40 MB.
        return cls(
            classes.tolist(),
            np.ascontiguousarray(table, dtype=np.float32),
            np.asarray(prior, dtype=np.float32),
            memoryview(np.ascontiguousarray(nextmove)),
            memoryview(np.ascontiguousarray(rowbase)),
            memoryview(np.ascontiguousarray(output)),
        )

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


_FAST_LOCK = threading.Lock()
CACHE_NAME = "py3langid-restricted"
# py3langid's files the restricted arrays come from (its version is in __init__).
_PY3LANGID_FILES = ("__init__.py", "langid.py", "modelio.py", "data/model.npz.xz")


def restricted() -> _Restricted:
    """py3langid's seven-language scorer, from the cache or built from its full model."""
    global _FAST
    if _FAST is None:
        with _FAST_LOCK:
            if _FAST is None:
                _FAST = _stored()
    return _FAST


def _stored() -> _Restricted:
    # Reading py3langid's full model (lzma, 97 languages) takes most of a second;
    # the seven languages' arrays, once restricted, read back in a few hundredths.
    key = _model_key()
    arrays = cache.read_arrays(CACHE_NAME, key) if key else None
    if arrays is not None:
        try:
            return _Restricted.from_arrays(arrays)
        except (KeyError, ValueError) as error:
            cache.warn(cache.folder() / f"{CACHE_NAME}.npz", str(error))
    built = _Restricted.of(identifiers()[0])
    if key:
        cache.write_arrays(CACHE_NAME, key, built.arrays())
    return built


def _model_key() -> str | None:
    # py3langid's files by size and time rather than by content (45 MB) or by its
    # package metadata (slow to import): an upgrade rewrites them.
    try:
        spec = importlib.util.find_spec("py3langid")
        if spec is None or spec.origin is None:
            return None
        folder = Path(spec.origin).parent
        parts = [" ".join(LANGUAGES)]
        for name in _PY3LANGID_FILES:
            stat = (folder / name).stat()
            parts.append(f"{name} {stat.st_size} {stat.st_mtime_ns}")
        return cache.fingerprint(chain(parts, cache.sources("cache", "language")))
    except OSError as error:
        log.warning("language model cache not used: cannot read what it is built from (%s)", error)
        return None


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
    scorer = scorer_for(latin)
    if scorer is None:
        # py3langid could not be read: the network's tag, the words' vote, the default.
        voted = vote(words, owners) if owners and words else None
        return hint or voted or default
    language, confidence = scorer.classify(letters)
    if hint and hint != language and (size < SHORT or confidence < CONFIDENT):
        return hint
    return language


_UNREADABLE: list[str] = []  # why py3langid could not be read, once per process


def scorer_for(latin: bool = True) -> Any:
    """py3langid's scorer for Latin text (seven languages) or any script; None when its
    model cannot be read (it unpacks into a temporary file: a full disk stops it).

    The failure is said once and remembered for the process, so a full disk does not
    cost a second of unpacking on every comment.
    """
    if _UNREADABLE:
        return None
    try:
        return restricted() if latin else identifiers()[2]
    except OSError as error:
        with _LOCK:
            if not _UNREADABLE:
                _UNREADABLE.append(str(error))
                log.warning(
                    "py3langid's language model cannot be read (%s); languages come from "
                    "the words, the network's tag and the brand's default until cm-inbox "
                    "restarts",
                    error,
                )
        return None
