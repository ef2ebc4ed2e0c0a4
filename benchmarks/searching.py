"""search_p50_ms, search_p95_ms: full-text searches through the app's own search path.

The app's path is what the queue runs when the user searches the inbox:
``Store.search_head(query, HEAD_ROWS)``, the first screen it shows at once
(when the store has it), then ``Store.queue_keys(query)``, the full list and
its count, loaded behind it. search_p50/p95_ms time the first, search_full_*
the second, both in-process with ``QueueQuery(view=View.INBOX, search=word)``.
Their floor is the bare FTS5 query for the same MATCH expression, every
rowid fetched, on a plain sqlite3 connection.
"""

from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path

from stats import Figures, percentile
from tui import default_sort

NAMED = ("sync", "lumo", "the", "app")
COMMON = 10
MIDDLE = 10
RARE = 30


def pick_words(db: Path, comments: int, seed: int = 7) -> list[str]:
    """50 words from the corpus's own index: the named common ones, the next most frequent,
    some of middling frequency and many rare ones (in at most 0.01 % of comments)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, 'comments_fts', 'row')")
        terms = [
            (term, docs)
            for term, docs in conn.execute("SELECT term, doc FROM temp.vocab")
            if term.isalpha() and len(term) >= 3
        ]
    finally:
        conn.close()
    terms.sort(key=lambda item: (-item[1], item[0]))
    chosen = list(NAMED)
    for term, _ in terms:
        if len(chosen) >= COMMON:
            break
        if term not in chosen:
            chosen.append(term)
    rnd = random.Random(seed)
    middle = [
        t for t, docs in terms if comments / 1000 <= docs <= comments / 100 and t not in chosen
    ]
    chosen += rnd.sample(sorted(middle), min(MIDDLE, len(middle)))
    rare_limit = max(20, comments // 10_000)
    rare = [t for t, docs in terms if docs <= rare_limit and len(t) >= 4 and t not in chosen]
    chosen += rnd.sample(sorted(rare), min(RARE, len(rare)))
    return chosen


def match_expression(word: str) -> str:
    """The MATCH expression the app builds for ``word`` (its own function when it has one)."""
    try:
        from cm_inbox.store.search import fts_query
    except ImportError:
        return f'"{word}"*'
    return fts_query(word) or f'"{word}"*'


def _head_rows() -> int:
    try:
        from cm_inbox.tui.screens.inbox import HEAD_ROWS
    except ImportError:
        return 200
    return HEAD_ROWS


def measure_search(figures: Figures, db: Path, words: list[str], rounds: int, say) -> dict:
    from cm_inbox.model import QueueQuery, View
    from cm_inbox.store import Store

    raw = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    head_rows = _head_rows()
    slowest: list[tuple[float, str]] = []
    try:
        with Store(db) as store:
            head = getattr(store, "search_head", None)
            for number in range(rounds):
                times: dict[str, list[float]] = {"head": [], "full": [], "floor": []}
                for word in words:
                    query = QueueQuery(view=View.INBOX, search=word, sort=default_sort())
                    started = time.perf_counter()
                    raw.execute(
                        "SELECT rowid FROM comments_fts WHERE comments_fts MATCH ?",
                        (match_expression(word),),
                    ).fetchall()
                    times["floor"].append((time.perf_counter() - started) * 1000)
                    if head is not None:
                        started = time.perf_counter()
                        head(query, head_rows)
                        times["head"].append((time.perf_counter() - started) * 1000)
                    started = time.perf_counter()
                    store.queue_keys(query)
                    elapsed = (time.perf_counter() - started) * 1000
                    times["full"].append(elapsed)
                    slowest.append((elapsed, word))
                first = times["head"] or times["full"]
                for name, values in (
                    ("search_p50_ms", (first, 0.5)),
                    ("search_p95_ms", (first, 0.95)),
                    ("search_full_p50_ms", (times["full"], 0.5)),
                    ("search_full_p95_ms", (times["full"], 0.95)),
                    ("search_floor_p50_ms", (times["floor"], 0.5)),
                    ("search_floor_ms", (times["floor"], 0.95)),
                ):
                    figures.add(name, "ms", percentile(*values))
                say(
                    f"search round {number + 1}/{rounds}: first screen p50 "
                    f"{percentile(first, 0.5):.1f} / p95 {percentile(first, 0.95):.1f} ms; "
                    f"full list p95 {percentile(times['full'], 0.95):.1f} ms; "
                    f"raw FTS p95 {percentile(times['floor'], 0.95):.1f} ms"
                )
    finally:
        raw.close()
    by_word: dict[str, float] = {}
    for ms, word in slowest:
        by_word[word] = max(ms, by_word.get(word, 0.0))
    worst = sorted(((ms, word) for word, ms in by_word.items()), reverse=True)[:5]
    say("slowest full lists: " + ", ".join(f"{word!r} {ms:.0f} ms" for ms, word in worst))
    path = "Store.queue_keys(QueueQuery(view=View.INBOX, search=word, sort=PRIORITY))"
    if head is not None:
        path = f"Store.search_head(QueueQuery(view=View.INBOX, search=word, sort=PRIORITY), {head_rows})"
    return {
        "search_path": f"{path}, in-process (search_full_*: Store.queue_keys, the full list)",
        "search_words": words,
        "search_full_slowest_ms": {word: round(ms, 1) for ms, word in worst},
    }
