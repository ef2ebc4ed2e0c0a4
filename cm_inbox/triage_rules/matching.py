"""Triage rules as compiled matchers, and what they do to one comment.

A rule is checked against a ``Subject`` (a comment as the rules see it) through
a short tuple of precompiled checks, cheapest first, so the usual rule that
does not apply is refused on a set lookup before any regex runs. Ingest runs
every rule over every new comment, so this is the hot path.
"""

from __future__ import annotations

import fnmatch
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported on first use: the config loads before the first frame
    import regex

log = logging.getLogger(__name__)

CLOSING_STATUSES = ("done", "spam")
SENTIMENTS = ("negative", "neutral", "positive")
MAX_PRIORITY = 100.0
# A user's regex runs on every comment at ingest: one that backtracks without
# end must not freeze a sync. Past this it counts as no match.
REGEX_TIMEOUT_S = 0.05


# Accents and other combining marks dropped when folding, so "café" matches "cafe".
# Only the diacritic blocks: marks of Indic scripts carry vowels, not accents.
# A character class for re.sub: five times faster than str.translate with a dict.
# Built on first use: a thousand code points to scan is start-up time otherwise.
@cache
def _marks() -> re.Pattern[str]:
    return re.compile(
        "["
        + "".join(
            re.escape(chr(code))
            for low, high in (
                (0x0300, 0x0370),
                (0x0483, 0x048A),
                (0x0591, 0x05C8),
                (0x0610, 0x061B),
                (0x064B, 0x0660),
                (0x1AB0, 0x1B00),
                (0x1DC0, 0x1E00),
                (0x20D0, 0x2100),
                (0xFE20, 0xFE30),
            )
            for code in range(low, high)
            if unicodedata.combining(chr(code))
        )
        + "]"
    )


def fold(text: str) -> str:
    """``text`` without case or accents, as ``words`` compares it: "Été" gives "ete"."""
    if text.isascii():
        return text.lower()
    return _marks().sub("", unicodedata.normalize("NFKD", text.casefold()))


def _handle_fold(handle: str) -> str:
    """A handle or account name as rules compare it: no leading "@", no case."""
    return handle.strip().lstrip("@").casefold()


@dataclass(slots=True)
class Subject:
    """One comment as the rules see it: what it is, and what was done to it so far.

    ``touched`` says the user acted on it (any event that was not a rule's): a
    rule then never changes its status. ``fired`` names the rules that already
    changed it, so running the rules again never acts twice (a priority would
    be raised again) nor redoes what the user undid by hand.
    """

    network: str
    account: str
    author: str
    text: str
    language: str | None = None
    sentiment: str | None = None
    intents: frozenset[str] = frozenset()
    followers: int | None = None
    labels: tuple[str, ...] = ()
    priority: float = 0.0
    status: str = "new"
    touched: bool = False
    fired: frozenset[str] = frozenset()
    _folded: str | None = field(default=None, init=False, repr=False)

    @property
    def folded(self) -> str:
        """The text folded once, for every rule with ``words``."""
        if self._folded is None:
            self._folded = fold(self.text)
        return self._folded


@dataclass(frozen=True, slots=True)
class Conditions:
    """What a comment must be for a rule to act; every condition given must hold.

    Within one condition a list means any of its items.
    """

    networks: frozenset[str] = frozenset()
    accounts: tuple[str, ...] = ()  # globs on the brand account's name
    authors: tuple[str, ...] = ()  # globs on the author's handle
    words: tuple[str, ...] = ()  # as written; compared folded, "*" for any letters
    regexes: tuple[str, ...] = ()
    languages: frozenset[str] = frozenset()  # "pt" also matches "pt-br"
    sentiments: frozenset[str] = frozenset()
    intents: frozenset[str] = frozenset()
    min_followers: int | None = None
    max_followers: int | None = None


@dataclass(frozen=True, slots=True)
class Actions:
    """What a rule does to a comment it matches."""

    labels: tuple[str, ...] = ()
    priority: float | None = None  # set to this
    raise_priority: float | None = None  # add this, up to MAX_PRIORITY
    escalate: str | None = None  # a team of [escalation]
    status: str | None = None  # one of CLOSING_STATUSES

    @property
    def new_status(self) -> str | None:
        return "escalated" if self.escalate else self.status


Check = Callable[[Subject], bool]


@dataclass(frozen=True)
class Rule:
    """One ``[[rules]]`` table: a name, what it matches, what it does."""

    name: str
    when: Conditions
    then: Actions
    enabled: bool = True

    @cached_property
    def checks(self) -> tuple[Check, ...]:
        """The conditions compiled, on the first comment the rule meets (not at load)."""
        return _compile(self.when)


def word_pattern(words: Iterable[str]) -> regex.Pattern[str]:
    """One regex for folded ``words``: whole words only, "*" for any letters."""
    import regex

    parts = []
    for word in words:
        pieces = (regex.escape(piece).replace(r"\*", r"[\w\p{M}]*") for piece in fold(word).split())
        parts.append(r"\s+".join(pieces))
    return regex.compile(r"(?<![\w\p{M}])(?:" + "|".join(parts) + r")(?![\w\p{M}])")


def word_clues(words: Iterable[str]) -> tuple[str, ...]:
    """For each word, its longest literal piece: a text without any of them cannot match.

    ``piece in text`` costs a fraction of a regex search, and most rules'
    words are absent from most comments, so the regex runs only on a hit.
    """
    return tuple(max(fold(word).replace("*", " ").split(), key=len) for word in words)


def glob_pattern(globs: Iterable[str]) -> regex.Pattern[str]:
    """One regex for handle globs ("*@spam.example", "acme*"), on ``_handle_fold`` values."""
    import regex

    return regex.compile("|".join(fnmatch.translate(_handle_fold(glob)) for glob in globs))


def user_regex(pattern: str) -> regex.Pattern[str]:
    """A rule's ``regex``, compiled as rules run it (case-insensitive); raises regex.error."""
    import regex

    return regex.compile(pattern, regex.IGNORECASE)


def _search(pattern: regex.Pattern[str], text: str) -> bool:
    try:
        return pattern.search(text, timeout=REGEX_TIMEOUT_S) is not None
    except TimeoutError:
        log.warning(
            "rule regex %r gave up after %ss on one comment", pattern.pattern, REGEX_TIMEOUT_S
        )
        return False


def _compile(when: Conditions) -> tuple[Check, ...]:
    """The conditions as checks, cheapest first."""
    checks: list[Check] = []
    if when.networks:
        networks = when.networks
        checks.append(lambda s: s.network in networks)
    if when.sentiments:
        sentiments = when.sentiments
        checks.append(lambda s: s.sentiment in sentiments)
    if when.languages:
        languages = when.languages

        def language(s: Subject) -> bool:
            code = s.language
            return code is not None and (code in languages or code.split("-")[0] in languages)

        checks.append(language)
    if when.intents:
        intents = when.intents
        checks.append(lambda s: not intents.isdisjoint(s.intents))
    if when.min_followers is not None:
        least = when.min_followers
        checks.append(lambda s: s.followers is not None and s.followers >= least)
    if when.max_followers is not None:
        most = when.max_followers
        checks.append(lambda s: s.followers is not None and s.followers <= most)
    if when.accounts:
        accounts = glob_pattern(when.accounts)
        checks.append(lambda s: accounts.match(_handle_fold(s.account)) is not None)
    if when.authors:
        authors = glob_pattern(when.authors)
        checks.append(lambda s: authors.match(_handle_fold(s.author)) is not None)
    if when.words:
        words, clues = word_pattern(when.words), word_clues(when.words)

        def has_words(s: Subject) -> bool:
            text = s.folded
            for clue in clues:
                if clue in text:
                    return words.search(text) is not None
            return False

        checks.append(has_words)
    if when.regexes:
        patterns = tuple(user_regex(p) for p in when.regexes)
        checks.append(lambda s: any(_search(p, s.text) for p in patterns))
    return tuple(checks)


@dataclass(frozen=True, slots=True)
class Step:
    """What one rule changed on one comment: the before and after an undo needs."""

    rule: str
    labels_before: tuple[str, ...]
    labels_after: tuple[str, ...]
    priority_before: float
    priority_after: float
    status: str | None = None  # the new status, None when unchanged
    team: str | None = None

    @property
    def labels_changed(self) -> bool:
        return self.labels_before != self.labels_after

    @property
    def priority_changed(self) -> bool:
        return self.priority_before != self.priority_after


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the rules do to one comment, rule by rule and all told."""

    matched: tuple[str, ...] = ()  # every rule whose conditions hold, in file order
    steps: tuple[Step, ...] = ()  # the ones that change something

    @property
    def fired(self) -> tuple[str, ...]:
        """The rules that change the comment."""
        return tuple(step.rule for step in self.steps)

    @property
    def labels(self) -> tuple[str, ...]:
        """Labels the rules add."""
        if not self.steps:
            return ()
        before = set(self.steps[0].labels_before)
        return tuple(label for label in self.steps[-1].labels_after if label not in before)

    @property
    def priority(self) -> float | None:
        """The priority after the rules; None when they leave it."""
        changed = [step for step in self.steps if step.priority_changed]
        return changed[-1].priority_after if changed else None

    @property
    def status(self) -> str | None:
        return next((step.status for step in self.steps if step.status), None)

    @property
    def team(self) -> str | None:
        return next((step.team for step in self.steps if step.team), None)


# What the rules do to a comment none of them matches.
NOTHING = Outcome()
