"""One walk over a comment's tokens with a language's lexicons: the units and the cues.

Sentiment reads *units*: at each token the longest phrase that means something
to sentiment (a word with a valence, a negator, an intensifier, "but"...), so
"not bad" is one unit and never "not" + "bad". Intent detection reads *cues*:
every intent phrase found anywhere, overlapping or not ("still no answer" is a
complaint cue even inside a longer phrase).

A language's lexicons are its own files plus ``universal`` (emoji, emoticons,
the internet slang every language uses); languages without files of their own
read with ``universal`` alone.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

from cm_inbox.listening import inflect, lexicon
from cm_inbox.listening.lexicon import Trie
from cm_inbox.listening.tokens import Tokens, fold

SENTIMENT_SECTIONS = frozenset(
    {
        "words",
        "events",
        "excitement",
        "negators",
        "postnegators",
        "intensifiers",
        "diminishers",
        "contrast",
        "sarcasm",
        "ironic",
        "informative",
    }
)
INTENT_SECTIONS = frozenset(
    {
        "question",
        "question_start",
        "rhetorical",
        "complaint",
        "bug",
        "praise",
        "purchase",
        "purchase_block",
        "spam",
        "crisis",
        "press",
        "press_inquiry",
        "greeting",
        "question_end",
    }
)
# Sections whose single words also match their feminine and plural forms (see inflect).
INFLECTED = frozenset({"words", "events", "excitement", "ironic", "complaint", "bug", "crisis"})
BOUNDARIES = frozenset({".", "!", "?", ";", ",", ":", "..."})
CLAUSE_ENDS = frozenset({".", "!", "?", ";", "..."})


Unit = tuple[int, int, dict[str, float]]
"""A token or phrase as (start, end, roles): section name → value for each sentiment
section it is in (valence, factor; 0.0 for plain markers). Punctuation has the role
"boundary"; words that mean nothing to sentiment have no unit."""
BOUNDARY: dict[str, float] = {"boundary": 0.0}


@dataclass(frozen=True, slots=True)
class Reading:
    """What one walk found: sentiment units in order, intent cues by section."""

    units: tuple[Unit, ...]
    cues: dict[str, list[tuple[int, int, float]]]
    """Intent section → (start, end, weight) of each phrase found."""
    words: tuple[str, ...]
    """The tokens as read, shorthand replaced ("tjrs" → "toujours")."""


class Lexicon:
    """The trie of one language's files plus the universal ones."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.trie = Trie()
        names = ["universal/sentiment.txt", "universal/intents.txt"]
        if language != "universal":
            names += [f"{language}/sentiment.txt", f"{language}/intents.txt"]
        entries = [entry for name in names for entry in lexicon.load(name)]
        listed = {(entry.section, entry.phrase) for entry in entries}
        for entry in entries:
            if entry.section not in SENTIMENT_SECTIONS | INTENT_SECTIONS:
                raise lexicon.LexiconError(
                    f"{entry.source}, line {entry.line}: unknown section [{entry.section}]"
                )
            self.trie.add(entry)
            if entry.section in INFLECTED:
                for phrase in inflect.phrases(fold(entry.phrase), language):
                    if (entry.section, phrase) not in listed:
                        listed.add((entry.section, phrase))
                        self.trie.add(replace(entry, phrase=phrase))
        self.aliases = lexicon.aliases(language)
        for node in self.trie.nodes():
            roles = {
                e.section: 0.0 if e.value is None else e.value
                for e in node.ends
                if e.section in SENTIMENT_SECTIONS
            }
            node.roles = roles or None
            node.cues = tuple(
                (e.section, 1.0 if e.value is None else e.value)
                for e in node.ends
                if e.section in INTENT_SECTIONS
            )
        self.vocabulary = frozenset(self.trie.vocabulary)

    def read(self, tokens: Tokens) -> Reading:
        """Walk ``tokens`` once: sentiment units (longest phrase first) and every intent cue."""
        words = tokens.words
        if self.aliases and not self.aliases.isdisjoint(words):
            # Texting shorthand read as the word it stands for ("tjrs", "u", "pk").
            words = tuple(self.aliases.get(word, word) for word in words)
        units: list[Unit] = []
        cues: dict[str, list[tuple[int, int, float]]] = {}
        covered = 0
        matches = self.trie.matches
        root_next = self.trie.root.next
        root_prefixes = self.trie.root_prefixes
        for start, word in enumerate(words):
            # Most words start no phrase: two dict lookups settle it, and a word that
            # means nothing to sentiment leaves no unit (windows count tokens, not units).
            if word not in root_next and word[:3] not in root_prefixes and not word.isdigit():
                if start >= covered and word in BOUNDARIES:
                    units.append((start, start + 1, BOUNDARY))
                continue
            best_end = -1
            best: dict[str, float] | None = None
            for end, node in matches(words, start):
                for section, weight in node.cues:
                    cues.setdefault(section, []).append((start, end, weight))
                if node.roles is not None and end > best_end:
                    best_end, best = end, node.roles
            if start < covered:
                continue
            if best is not None:
                units.append((start, best_end, best))
                covered = best_end
            elif word in BOUNDARIES:
                units.append((start, start + 1, BOUNDARY))
        return Reading(tuple(units), cues, words)


_LOCK = threading.Lock()
_LEXICONS: dict[str | None, Lexicon] = {}


def lexicon_for(language: str | None) -> Lexicon:
    """The lexicon for ``language`` (its own files when it has some), built once per process."""
    found = _LEXICONS.get(language)
    if found is None:
        with _LOCK:
            found = _LEXICONS.get(language)
            if found is None:
                key = "universal"
                if language and lexicon.exists(f"{language}/sentiment.txt"):
                    key = language
                found = _LEXICONS.get(key) or Lexicon(key)
                _LEXICONS[key] = _LEXICONS[language] = found
    return found


LEXICON_LANGUAGES = ("en", "fr", "es", "de", "it", "pt", "nl")
_VOCABULARY: frozenset[str] | None = None


def vocabulary() -> frozenset[str]:
    """Every word the lexicons know, in any language: what a stretched word may squeeze to."""
    global _VOCABULARY
    if _VOCABULARY is None:
        words: set[str] = set(lexicon_for(None).vocabulary)
        for language in LEXICON_LANGUAGES:
            words |= lexicon_for(language).vocabulary
        _VOCABULARY = frozenset(words)
    return _VOCABULARY
