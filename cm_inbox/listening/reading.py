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

import logging
import threading
from dataclasses import dataclass
from itertools import chain
from typing import Any

from cm_inbox.listening import cache, inflect, lexicon
from cm_inbox.listening.lexicon import GAP, NUMBER_WORDS, Entry, Node, Trie, is_number
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
        "tech",
    }
)
# Sections whose single words also match their feminine and plural forms (see inflect).
INFLECTED = frozenset({"words", "events", "excitement", "ironic", "complaint", "bug", "crisis"})
BOUNDARIES = frozenset({".", "!", "?", ";", ",", ":", "..."})
CLAUSE_ENDS = frozenset({".", "!", "?", ";", "..."})
GAP_STOPS = frozenset({".", "!", "?"})  # "~" in a phrase never reaches past these


VALENCES = ("words", "events", "excitement")


class Roles:
    """What a phrase means to sentiment, read once from its lexicon sections."""

    __slots__ = (
        "sections",
        "section",
        "value",
        "modifier",
        "negator",
        "postnegator",
        "sarcasm",
        "contrast",
        "ironic",
        "informative",
    )

    def __init__(self, sections: dict[str, float]) -> None:
        self.sections = sections
        """Section name → value (valence, factor; 0.0 for plain markers)."""
        self.section = next((name for name in VALENCES if name in sections), None)
        """The valence section ("words", "events", "excitement"), if the phrase has one."""
        self.value = sections[self.section] if self.section else 0.0
        self.modifier = sections.get("intensifiers") or sections.get("diminishers") or 0.0
        self.negator = "negators" in sections
        self.postnegator = "postnegators" in sections
        self.sarcasm = "sarcasm" in sections
        self.contrast = "contrast" in sections
        self.ironic = "ironic" in sections
        self.informative = "informative" in sections


Unit = tuple[int, int, Roles]
"""A token or phrase as (start, end, roles). Punctuation has the roles BOUNDARY; words
that mean nothing to sentiment have no unit."""
BOUNDARY = Roles({})


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
        known = SENTIMENT_SECTIONS | INTENT_SECTIONS
        for entry in entries:
            if entry.section not in known:
                raise lexicon.LexiconError(
                    f"{entry.source}, line {entry.line}: unknown section [{entry.section}]"
                )
            self.trie.add(entry)
            if entry.section in INFLECTED and not (language == "en" and entry.section != "words"):
                # English inflects only adjectives of evaluation ("smoothest"): an
                # event's "-er" form is another word ("late" → "later").
                for phrase in inflect.phrases(fold(entry.phrase), language):
                    if (entry.section, phrase) not in listed:
                        listed.add((entry.section, phrase))
                        self.trie.add(
                            Entry(entry.section, phrase, entry.value, entry.source, entry.line)
                        )
        self.aliases = lexicon.aliases(language)
        for node in self.trie.nodes():
            if not node.ends:
                continue  # most nodes are the inside of a phrase: nothing ends there
            roles = {
                e.section: 0.0 if e.value is None else e.value
                for e in node.ends
                if e.section in SENTIMENT_SECTIONS
            }
            node.roles = Roles(roles) if roles else None
            node.cues = tuple(
                (e.section, 1.0 if e.value is None else e.value)
                for e in node.ends
                if e.section in INTENT_SECTIONS
            )
            # Reading needs the roles and cues alone; a lexicon read back from the
            # cache has no entries either, so a built one keeps none.
            node.ends = []
        self.vocabulary = frozenset(self.trie.vocabulary)

    def plain(self) -> tuple[Any, ...]:
        """The lexicon as dicts, lists, tuples, strings and floats (see ``restore``)."""
        # Thousands of phrases share a few hundred meanings: each is stored once and
        # nodes name it by its index. repr tells -0.0 from 0.0, which == does not.
        meanings: dict[str, int] = {}
        table: list[tuple[tuple[str, float], ...]] = []

        def meaning(roles: Roles) -> int:
            sections = tuple(roles.sections.items())
            index = meanings.setdefault(repr(sections), len(table))
            if index == len(table):
                table.append(sections)
            return index

        def plain(node: Node) -> tuple[Any, ...]:
            return (
                {word: plain(child) for word, child in node.next.items()},
                [(prefix, plain(child)) for prefix, child in node.prefixes],
                None if node.gap is None else plain(node.gap),
                None if node.number is None else plain(node.number),
                -1 if node.roles is None else meaning(node.roles),
                node.cues,
            )

        prefixes = {
            start: [(prefix, plain(node)) for prefix, node in pool]
            for start, pool in self.trie.root_prefixes.items()
        }
        root = plain(self.trie.root)
        return (
            self.language,
            dict(self.aliases),
            sorted(self.trie.vocabulary),
            table,
            root,
            prefixes,
        )

    @classmethod
    def restore(cls, plain: tuple[Any, ...]) -> Lexicon:
        """The lexicon ``plain`` describes, reading as ``Lexicon(language)`` would."""
        language, aliases, vocabulary, table, root, prefixes = plain
        # Roles are never changed once made, so nodes of one meaning share one.
        meanings = [Roles(dict(sections)) for sections in table]

        def node(plain: tuple[Any, ...]) -> Node:
            following, pool, gap, number, meaning, cues = plain
            made = Node()
            if following:
                made.next = {word: node(child) for word, child in following.items()}
            if pool:
                made.prefixes = [(prefix, node(child)) for prefix, child in pool]
            if gap is not None:
                made.gap = node(gap)
            if number is not None:
                made.number = node(number)
            if meaning >= 0:
                made.roles = meanings[meaning]
            made.cues = tuple(cues)
            return made

        restored = cls.__new__(cls)
        restored.language = language
        restored.trie = Trie()
        restored.trie.root = node(root)
        restored.trie.root_prefixes = {
            start: [(prefix, node(child)) for prefix, child in pool]
            for start, pool in prefixes.items()
        }
        restored.trie.vocabulary = set(vocabulary)
        restored.aliases = lexicon.Aliases(aliases)
        restored.vocabulary = frozenset(vocabulary)
        return restored

    def read(self, tokens: Tokens) -> Reading:
        """Walk ``tokens`` once: sentiment units (longest phrase first) and every intent cue."""
        words = tokens.words
        if self.aliases and not self.aliases.isdisjoint(words):
            # Texting shorthand read as the word it stands for ("tjrs", "u", "pk").
            words = tuple(self.aliases.get(word, word) for word in words)
        count = len(words)
        units: list[Unit] = []
        cues: dict[str, list[tuple[int, int, float]]] = {}
        covered = 0
        root = self.trie.root
        root_next = root.next
        root_prefixes = self.trie.root_prefixes
        root_number = root.number
        # The walk is written out here rather than calling Trie.matches: it runs for
        # most tokens of every comment, and the calls cost more than the walk.
        for start, word in enumerate(words):
            child = root_next.get(word)
            pool = root_prefixes.get(word[:3])
            numeric = root_number is not None and (word.isdigit() or word in NUMBER_WORDS)
            if child is None and pool is None and not numeric:
                if start >= covered and word in BOUNDARIES:
                    units.append((start, start + 1, BOUNDARY))
                continue
            stack: list[tuple[Node, int]] = []
            if child is not None:
                stack.append((child, start + 1))
            if pool:
                for prefix, node in pool:
                    if word.startswith(prefix):
                        stack.append((node, start + 1))
            if numeric:
                stack.append((root_number, start + 1))  # type: ignore[arg-type]
            best_end = -1
            best: Roles | None = None
            while stack:
                node, at = stack.pop()
                if node.roles is not None and at > best_end:
                    best_end, best = at, node.roles
                for section, weight in node.cues:
                    found = cues.get(section)
                    if found is None:
                        cues[section] = [(start, at, weight)]
                    else:
                        found.append((start, at, weight))
                if at < count:
                    following = words[at]
                    if node.next:
                        child = node.next.get(following)
                        if child is not None:
                            stack.append((child, at + 1))
                    if node.prefixes:
                        for prefix, child in node.prefixes:
                            if following.startswith(prefix):
                                stack.append((child, at + 1))
                    if node.number is not None and is_number(following):
                        stack.append((node.number, at + 1))
                if node.gap is not None:
                    for skip in range(GAP + 1):
                        if at + skip >= count or words[at + skip] in GAP_STOPS:
                            break
                        stack.append((node.gap, at + skip))
            if start < covered:
                continue
            if best is not None:
                units.append((start, best_end, best))
                covered = best_end
            elif word in BOUNDARIES:
                units.append((start, start + 1, BOUNDARY))
        if cues and units:
            _void_contradicted(units, cues)
        return Reading(tuple(units), cues, words)


# Cues a phrase of the other polarity swallows: "can't complain" holds no complaint,
# "thanks for nothing" no thanks.
_TROUBLE = ("complaint", "bug", "crisis")
_GOOD = ("praise", "purchase")


def _void_contradicted(units: list[Unit], cues: dict[str, list[tuple[int, int, float]]]) -> None:
    spans = []
    for start, end, roles in units:
        valence = roles.value
        if valence and end - start > 1:
            spans.append((start, end, valence))
    if not spans:
        return
    for names, inside_sign in ((_TROUBLE, 1), (_GOOD, -1)):
        for name in names:
            found = cues.get(name)
            if not found:
                continue
            kept = [
                cue
                for cue in found
                if not any(
                    s <= cue[0] and cue[1] <= e and valence * inside_sign > 0
                    for s, e, valence in spans
                )
            ]
            if kept:
                cues[name] = kept
            else:
                del cues[name]


log = logging.getLogger(__name__)
_LOCK = threading.Lock()
_LEXICONS: dict[str | None, Lexicon] = {}
# What builds a lexicon, its vocabularies and the words' owners: a change to any
# of these modules or to a lexicon file gives the cache a new key.
BUILDERS = ("cache", "inflect", "lexicon", "owners", "reading", "tokens")
_KEYS: dict[object, str | None] = {}


def lexicon_key() -> str | None:
    """The cache key of the lexicons as the files and code stand (None: no cache)."""
    data = lexicon.DATA
    if data not in _KEYS:
        try:
            _KEYS[data] = cache.fingerprint(chain(cache.sources(*BUILDERS), cache.texts(data)))
        except OSError as error:
            log.warning("listening cache not used: cannot read what it is built from (%s)", error)
            _KEYS[data] = None
    return _KEYS[data]


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
                found = _LEXICONS.get(key) or _stored(key)
                _LEXICONS[key] = _LEXICONS[language] = found
    return found


def _stored(language: str) -> Lexicon:
    # The cached trie when an earlier process built it from the same files and
    # code; otherwise built here, and cached for the next process.
    key = lexicon_key()
    if key is None:
        return Lexicon(language)
    name = f"lexicon-{language}"
    plain = cache.read_plain(name, key)
    if plain is not None:
        try:
            return Lexicon.restore(plain)
        except (TypeError, ValueError, KeyError) as error:
            cache.warn(cache.folder() / f"{name}.marshal", f"not a lexicon: {error}")
    built = Lexicon(language)
    cache.write_plain(name, key, built.plain())
    return built


LEXICON_LANGUAGES = ("en", "fr", "es", "de", "it", "pt", "nl")
_WORDS_LOCK = threading.Lock()
_VOCABULARIES: dict[str, frozenset[str]] | None = None
_VOCABULARY: frozenset[str] | None = None


def vocabularies() -> dict[str, frozenset[str]]:
    """The words of each lexicon ("universal" and ``LEXICON_LANGUAGES``), once per process.

    Read from the cache when it can be: knowing the words must not cost building
    the tries of languages the inbox never meets.
    """
    global _VOCABULARIES
    if _VOCABULARIES is None:
        with _WORDS_LOCK:
            if _VOCABULARIES is None:
                _VOCABULARIES = _stored_vocabularies()
    return _VOCABULARIES


def _stored_vocabularies() -> dict[str, frozenset[str]]:
    key = lexicon_key()
    plain = cache.read_plain("vocabularies", key) if key else None
    if isinstance(plain, dict) and set(plain) == {"universal", *LEXICON_LANGUAGES}:
        return {language: frozenset(words) for language, words in plain.items()}
    found = {
        language: lexicon_for(language).vocabulary for language in ("universal", *LEXICON_LANGUAGES)
    }
    if key:
        cache.write_plain("vocabularies", key, {k: sorted(v) for k, v in found.items()})
    return found


def vocabulary() -> frozenset[str]:
    """Every word the lexicons know, in any language: what a stretched word may squeeze to."""
    global _VOCABULARY
    if _VOCABULARY is None:
        _VOCABULARY = frozenset().union(*vocabularies().values())
    return _VOCABULARY
