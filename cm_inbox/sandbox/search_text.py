"""Full-text search as the sandbox twins answer it: a small search engine's habits.

Like Elasticsearch's standard analyzer (Mastodon), Bluesky's search and
Algolia (Hacker News), text is cut into lower-case, accent-free tokens; a
query matches when every word is there, a quoted phrase when its words come in
a row, and "#tag" only as a hashtag. Deliberately not cm-inbox's own matcher:
the twins answer the way a search engine does (a hashtag is also a word, a
possessive is a token), and the watch's matcher must sort that out itself.
"""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"#?\w+")
_QUERY = re.compile(r'"([^"]*)"|(\S+)')


def tokens(text: str) -> list[str]:
    """Lower-case, accent-free tokens; a hashtag is kept both as "#tag" and "tag"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    found: list[str] = []
    for token in _TOKEN.findall(plain):
        if token.startswith("#"):
            found.append(token)
            token = token[1:]
        found.append(token)
    return found


def parse_query(query: str) -> list[list[str]]:
    """The query's clauses: each a run of tokens that must appear in a row."""
    clauses = []
    for phrase, word in _QUERY.findall(query):
        words = tokens(phrase or word)
        if word.startswith("#") and len(words) == 2:
            words = words[:1]  # "#tag": the hashtag only, not the bare word
        if words:
            clauses.append(words)
    return clauses


def matches(clauses: list[list[str]], text: str) -> bool:
    """True when every clause appears in ``text``."""
    if not clauses:
        return False
    found = tokens(text)
    return all(_contains(found, clause) for clause in clauses)


def _contains(found: list[str], clause: list[str]) -> bool:
    # Hashtags sit twice in ``found`` ("#tag", "tag"); a phrase skips the "#tag" copies.
    words = [token for token in found if not token.startswith("#")] if len(clause) > 1 else found
    size = len(clause)
    return any(words[i : i + size] == clause for i in range(len(words) - size + 1))
