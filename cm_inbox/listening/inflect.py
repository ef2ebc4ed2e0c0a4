"""The other forms of a lexicon word in languages that inflect adjectives and nouns.

Lexicon files list one form ("déçu", "accueillant", "raciste", "smooth"); comments use
all of them ("déçues", "accueillants", "racistes", "smoothest"). Rather than list every
form by hand, a single-word entry also matches its feminine and plural forms (French,
Spanish, Italian, Portuguese) or its -er, -est and -s forms (English), made by the
regular rules below. Irregular forms the
rules miss are listed in the files themselves. Words are already folded (no
accents), as the tokenizer gives them.
"""

from __future__ import annotations

from collections.abc import Callable


def _french(word: str) -> list[str]:
    if word.endswith("eux"):
        return [word[:-1] + "se", word[:-1] + "ses"]
    if word.endswith("if"):
        return [word + "s", word[:-1] + "ve", word[:-1] + "ves"]
    if word.endswith("al"):
        return [word + "e", word + "es", word[:-2] + "aux"]
    if word.endswith(("el", "en", "on")):
        return [word + "s", word + word[-1] + "e", word + word[-1] + "es"]
    if word.endswith("e"):
        return [word + "s"]
    if word.endswith(("s", "x", "z")):
        return [word + "e", word + "es"]
    return [word + "e", word + "s", word + "es"]


def _spanish_portuguese(word: str) -> list[str]:
    if word.endswith("o"):
        return [word[:-1] + "a", word + "s", word[:-1] + "as"]
    if word.endswith(("a", "e")):
        return [word + "s"]
    return []


def _italian(word: str) -> list[str]:
    if word.endswith("o"):
        return [word[:-1] + "a", word[:-1] + "i", word[:-1] + "e"]
    if word.endswith("e"):
        return [word[:-1] + "i"]
    if word.endswith("a"):
        return [word[:-1] + "e"]
    return []


def _english(word: str) -> list[str]:
    # Comparatives, superlatives and the -s forms: "smoothest", "slower", "scratches".
    if word.endswith("e"):
        return [word + "r", word + "st", word + "s"]
    if word.endswith("y") and len(word) > 3:
        return [word[:-1] + "ier", word[:-1] + "iest", word[:-1] + "ies"]
    if word.endswith(("s", "sh", "ch", "x")):
        return [word + "es"]
    return [word + "er", word + "est", word + "s"]


RULES: dict[str, Callable[[str], list[str]]] = {
    "en": _english,
    "fr": _french,
    "es": _spanish_portuguese,
    "pt": _spanish_portuguese,
    "it": _italian,
}


def forms(word: str, language: str) -> list[str]:
    """Other forms of ``word`` in ``language`` (none for languages without rules, or short words)."""
    rule = RULES.get(language)
    if rule is None or len(word) < 3 or not word.isalpha():
        return []
    return [form for form in rule(word) if form != word]


def phrases(phrase: str, language: str) -> list[str]:
    """Other forms of a lexicon phrase: its single word inflected, or in French, Spanish,
    Italian and Portuguese its last word ("jamais arrivé" → "jamais arrivées")."""
    parts = phrase.split()
    if len(parts) == 1:
        return forms(parts[0], language)
    if language == "en" or any(mark in phrase for mark in ("*", "~", "#")):
        return []
    head = " ".join(parts[:-1])
    return [f"{head} {form}" for form in forms(parts[-1], language)]
