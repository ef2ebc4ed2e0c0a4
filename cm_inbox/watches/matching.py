"""Does a text talk about the brand? Case- and accent-insensitive, word-bounded.

"Lumo" matches "lumo", "LUMO's", "Lúmo" and "#Lumo", never "Lumosity" or
"illumo". A phrase of several words matches them separated by spaces, hyphens
or underscores ("Lumo app", "lumo-app"), and as one hashtag ("#LumoApp").
An exclusion anywhere in the text rules the text out: "Lumo lamp" keeps the
lamp shop's posts out of the queue.

Search engines match loosely (stemming, typo tolerance, other fields), so
every item a source returns is checked here before it may enter the queue.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from cm_inbox.text import clean_text

# Between the words of a phrase.
_SEPARATOR = r"[\s\-_]+"


def fold(text: str) -> str:
    """``text`` without case or accents: compatibility forms, marks dropped, casefolded.

    "Lúmo", "LUMO" and the full-width "Ｌｕｍｏ" all fold to "lumo".
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def phrase_pattern(phrase: str) -> re.Pattern[str] | None:
    """The pattern that finds ``phrase`` in folded text; None when it has nothing to find."""
    words = [word for word in re.split(_SEPARATOR, fold(phrase).strip()) if word]
    if not words:
        return None
    body = _SEPARATOR.join(re.escape(word) for word in words)
    # Word boundaries only where the phrase itself begins or ends with a letter or
    # digit: "C++" or ".app" must still be found after a letter or a dot.
    start = r"(?<!\w)" if re.match(r"\w", words[0]) else ""
    end = r"(?!\w)" if re.search(r"\w$", words[-1]) else ""
    options = [start + body + end]
    compact = "".join(words)
    if len(words) > 1 and re.fullmatch(r"\w+", compact):
        options.append("#" + re.escape(compact) + r"(?!\w)")  # "#LumoApp" for "Lumo app"
    return re.compile("|".join(f"(?:{option})" for option in options))


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the matcher made of a text: the phrase found, or the exclusion that ruled it out."""

    matched: str | None = None
    excluded_by: str | None = None

    @property
    def counts(self) -> bool:
        return self.matched is not None and self.excluded_by is None


class Matcher:
    """The phrases of one watch, compiled once."""

    def __init__(self, include: Iterable[str], exclude: Iterable[str] = ()) -> None:
        self.include = [(p, pattern) for p in include if (pattern := phrase_pattern(p))]
        self.exclude = [(p, pattern) for p in exclude if (pattern := phrase_pattern(p))]

    def check(self, text: str) -> Verdict:
        """The first phrase found in ``text`` and the first exclusion found, if any.

        Escape codes and invisible controls are removed first, as the store
        removes them: the words matched are the words the user will read.
        """
        folded = fold(clean_text(text))
        matched = next((p for p, pattern in self.include if pattern.search(folded)), None)
        if matched is None:
            return Verdict()
        excluded = next((p for p, pattern in self.exclude if pattern.search(folded)), None)
        return Verdict(matched=matched, excluded_by=excluded)
