"""Turning what a user types into a safe FTS5 query."""

from __future__ import annotations

from functools import cache


@cache
def _word():
    # Imported on the first search, not at start-up: `regex` costs the first screen ~15 ms.
    import regex

    # \p{M}: a combining accent (e + U+0301) or an Indic vowel sign belongs to its word.
    return regex.compile(r"[\p{L}\p{M}\p{N}_@#'’.-]+")


def fts_query(text: str, *, prefix: bool = True) -> str | None:
    """An FTS5 MATCH expression for ``text``: every word must appear.

    Each word is quoted so FTS5 operators in user input (``AND``, ``NEAR``,
    ``*``, ``:``) are taken literally; the last word matches as a prefix
    (unless ``prefix`` is False), so results narrow while the user is still
    typing. Returns None when there is nothing to search for.
    """
    words = [w.strip(".'’-") for w in _word().findall(text)]
    words = [w for w in words if w.strip("@#")]
    if not words:
        return None
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    if prefix:
        quoted[-1] += "*"
    return " ".join(quoted)
