"""The lexicon files shipped in ``listening/data`` and the matcher built from them.

A file is a list of sections, each a list of entries, one a line::

    # comments start with a hash and a space
    [words]
    not bad = 1.5
    disappoint* = -2

An entry is a phrase, optionally `` = number``. In a phrase, ``word*`` matches
any word starting so ("disappoint*": disappointed, disappointing), ``~`` skips
up to three words ("still ~ no answer"), and ``#`` stands for a number
("# weeks"). Phrases are cut by the same tokenizer as comments, so accents,
case and elisions need no care in the files.

Every entry of every file for one language goes into one token trie, so a
comment is walked once for sentiment words, modifiers and intent cues alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from cm_inbox.listening.tokens import tokenize

DATA: Traversable = resources.files("cm_inbox.listening").joinpath("data")
"""The folder of lexicon files; what the signals (and their cache keys) are built from."""
GAP = 3  # how many words "~" may skip
# What "#" matches besides digits: people write small numbers out ("four times", "trois
# semaines"). Words that are also something else ("a", "un", "une") are left out.
NUMBER_WORDS = frozenset(
    "two three four five six seven eight nine ten eleven twelve fifteen twenty thirty"
    " deux trois quatre cinq six sept huit neuf dix onze douze quinze vingt trente"
    " dos tres cuatro cinco seis siete ocho nueve diez"
    " zwei drei vier fünf sechs sieben acht neun zehn"
    " due tre quattro cinque sei sette otto nove dieci"
    " dois duas três quatro cinco seis sete oito nove dez"
    " twee drie vier vijf zes zeven acht negen tien".replace("ü", "u")
    .replace("ê", "e")
    .split()
)


def is_number(word: str) -> bool:
    """Whether ``word`` is what "#" stands for: digits, or a small number written out."""
    return word.isdigit() or word in NUMBER_WORDS


class LexiconError(ValueError):
    """A lexicon file that cannot be read, with the file and line in the message."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a lexicon file: where it came from and what it says."""

    section: str
    phrase: str
    value: float | None
    source: str
    line: int


def parse(text: str, source: str) -> list[Entry]:
    """The entries of one lexicon file; ``source`` names it in error messages."""
    entries: list[Entry] = []
    section = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("# ") or line == "#":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        if not section:
            raise LexiconError(f"{source}, line {number}: an entry before any [section]")
        phrase, sep, value = line.rpartition(" = ")
        score: float | None = None
        if sep:
            try:
                score = float(value)
            except ValueError:
                raise LexiconError(
                    f"{source}, line {number}: {value!r} after ' = ' is not a number"
                ) from None
        else:
            phrase = line
        entries.append(Entry(section, phrase.strip(), score, source, number))
    return entries


def load(name: str) -> list[Entry]:
    """The entries of ``data/<name>`` (e.g. "en/sentiment.txt"), shipped inside the package."""
    resource = DATA.joinpath(*name.split("/"))
    try:
        text = resource.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return parse(text, f"cm_inbox/listening/data/{name}")


class Aliases(dict[str, str]):
    """Shorthand → the word it stands for; ``isdisjoint`` tells fast whether any applies."""

    def isdisjoint(self, words: tuple[str, ...]) -> bool:  # type: ignore[override]
        return self.keys().isdisjoint(words)


def aliases(language: str) -> Aliases:
    """The one-word shorthand of ``data/<language>/aliases.txt`` ("tjrs toujours" a line)."""
    found = Aliases()
    name = f"{language}/aliases.txt"
    resource = DATA.joinpath(*name.split("/"))
    if not resource.is_file():
        return found
    for number, raw in enumerate(resource.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2:
            raise LexiconError(
                f"cm_inbox/listening/data/{name}, line {number}: expected 'shorthand word'"
            )
        short, word = (tokenize(part).words for part in parts)
        if len(short) != 1 or len(word) != 1:
            raise LexiconError(
                f"cm_inbox/listening/data/{name}, line {number}: each side must be one word"
            )
        found[short[0]] = word[0]
    return found


def exists(name: str) -> bool:
    """Whether ``data/<name>`` ships with the package."""
    return DATA.joinpath(*name.split("/")).is_file()


@cache
def _words(part: str) -> tuple[str, ...]:
    # Every language's lexicon repeats the universal files and most words recur
    # across phrases: the tokenizer runs once per distinct part.
    return tokenize(part).words


class Node:
    """A place in the trie: the words that may follow, and what ends here."""

    __slots__ = ("next", "prefixes", "gap", "number", "ends", "roles", "cues")

    def __init__(self) -> None:
        self.next: dict[str, Node] = {}
        self.prefixes: list[tuple[str, Node]] = []
        self.gap: Node | None = None
        self.number: Node | None = None
        self.ends: list[Entry] = []
        # Filled by whoever reads the trie, once it is built (see reading.Lexicon).
        self.roles: Any = None
        self.cues: tuple[tuple[str, float], ...] = ()


class Trie:
    """Phrases as token paths, walked from each token of a comment."""

    def __init__(self) -> None:
        self.root = Node()
        # Prefix words at the root are many ("crash*", "hack*"); indexing them by their
        # first three letters keeps a lookup per token instead of a scan.
        self.root_prefixes: dict[str, list[tuple[str, Node]]] = {}
        self.vocabulary: set[str] = set()

    def add(self, entry: Entry) -> None:
        """Add ``entry``'s phrase, whose end carries the entry itself."""
        node = self.root
        parts = entry.phrase.split()
        if not parts:
            raise LexiconError(f"{entry.source}, line {entry.line}: an empty phrase")
        for index, part in enumerate(parts):
            if part == "~":
                if index == 0 or index == len(parts) - 1:
                    raise LexiconError(
                        f"{entry.source}, line {entry.line}: '~' must stand between words"
                    )
                node.gap = node.gap or Node()
                node = node.gap
                continue
            if part == "#":
                node.number = node.number or Node()
                node = node.number
                continue
            prefix = part.endswith("*") and len(part) > 1
            words = _words(part[:-1] if prefix else part)
            if not words:
                raise LexiconError(
                    f"{entry.source}, line {entry.line}: {part!r} has no word to match"
                )
            for position, word in enumerate(words):
                if prefix and position == len(words) - 1:
                    node = self._prefix(node, word, entry)
                else:
                    self.vocabulary.add(word)
                    node = node.next.setdefault(word, Node())
        node.ends.append(entry)

    def _prefix(self, node: Node, word: str, entry: Entry) -> Node:
        if node is self.root and len(word) < 3:
            raise LexiconError(
                f"{entry.source}, line {entry.line}: a phrase may not start with a "
                f"prefix shorter than three letters ({word!r}*)"
            )
        holder = self.root_prefixes.setdefault(word[:3], []) if node is self.root else None
        pool = holder if holder is not None else node.prefixes
        for known, child in pool:
            if known == word:
                return child
        child = Node()
        pool.append((word, child))
        return child

    def nodes(self) -> list[Node]:
        """Every node of the trie."""
        found: list[Node] = []
        stack = [self.root] + [child for pool in self.root_prefixes.values() for _, child in pool]
        while stack:
            node = stack.pop()
            found.append(node)
            stack.extend(node.next.values())
            stack.extend(child for _, child in node.prefixes)
            stack.extend(child for child in (node.gap, node.number) if child is not None)
        return found

    def starts(self, word: str) -> list[Node]:
        """The nodes one step from the root along ``word`` (usually none)."""
        found: list[Node] = []
        child = self.root.next.get(word)
        if child is not None:
            found.append(child)
        pool = self.root_prefixes.get(word[:3])
        if pool:
            found.extend(child for prefix, child in pool if word.startswith(prefix))
        if self.root.number is not None and is_number(word):
            found.append(self.root.number)
        return found

    def matches(self, words: tuple[str, ...], start: int) -> list[tuple[int, Node]]:
        """Every phrase that starts at ``words[start]``, as (end index, its node)."""
        found: list[tuple[int, Node]] = []
        count = len(words)
        stack = [(node, start + 1) for node in self.starts(words[start])]
        while stack:
            node, at = stack.pop()
            if node.ends:
                found.append((at, node))
            if node.gap is not None:
                gap = node.gap
                for skip in range(GAP + 1):
                    if at + skip >= count or words[at + skip] in ".!?":
                        break
                    stack.append((gap, at + skip))
            if at >= count:
                continue
            word = words[at]
            child = node.next.get(word)
            if child is not None:
                stack.append((child, at + 1))
            for prefix, child in node.prefixes:
                if word.startswith(prefix):
                    stack.append((child, at + 1))
            if node.number is not None and is_number(word):
                stack.append((node.number, at + 1))
        return found
