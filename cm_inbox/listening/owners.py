"""Which language a word belongs to, for the vote that settles short comments.

A word belongs to a language when that language alone knows it: its lexicons
(minus the universal files every language reads), its texting shorthand, or its
``own.txt`` list of words typed alone ("meh", "ptdr", "bof"). A word two
languages know ("pas" is French and Portuguese) belongs to neither, and an
``own.txt`` word is its language's even where the universal lexicon lists it
("merci" reads as praise in every language, but only the French type it).
"""

from __future__ import annotations

import threading

from cm_inbox.listening import lexicon
from cm_inbox.listening.reading import LEXICON_LANGUAGES, vocabularies
from cm_inbox.listening.tokens import tokenize

_LOCK = threading.Lock()
_OWNERS: dict[str, str] | None = None


def own_words(language: str) -> set[str]:
    """The words of ``data/<language>/own.txt``, as the tokenizer cuts them."""
    resource = lexicon.DATA.joinpath(language, "own.txt")
    if not resource.is_file():
        return set()
    words: set[str] = set()
    for raw in resource.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            words.update(word for word in tokenize(line).words if word[0].isalpha())
    return words


def owners() -> dict[str, str]:
    """Word → the one language it belongs to (see the module's docstring).

    Single letters ("l", "c", "u") belong to none: too many languages elide or
    abbreviate to them.
    """
    global _OWNERS
    if _OWNERS is None:
        with _LOCK:
            if _OWNERS is None:
                lexicons = vocabularies()
                shared = lexicons["universal"]
                known: dict[str, set[str]] = {}
                for language in LEXICON_LANGUAGES:
                    words = set(lexicons[language] - shared)
                    words |= set(lexicon.aliases(language))
                    for word in words:
                        if word[0].isalpha() and len(word) > 1:
                            known.setdefault(word, set()).add(language)
                found = {word: next(iter(ls)) for word, ls in known.items() if len(ls) == 1}
                claimed: dict[str, set[str]] = {}
                for language in LEXICON_LANGUAGES:
                    for word in own_words(language):
                        claimed.setdefault(word, set()).add(language)
                for word, languages in claimed.items():
                    if len(languages) == 1:
                        found[word] = next(iter(languages))
                    else:
                        found.pop(word, None)
                _OWNERS = found
    return _OWNERS
