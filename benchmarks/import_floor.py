"""The import floor: the same rows, into the same schema, as fast as plain sqlite3 goes.

Usage: python benchmarks/import_floor.py CORPUS.jsonl APP.sqlite3 NEW.sqlite3

The file is created by ``cm_inbox.store.Store`` (same migrations, triggers and
full-text index as the app), then every line is parsed with ``json`` alone and
written with ``executemany`` in one transaction: no validation, no cleaning,
no per-row round trips. Run as its own process, so its time counts the
interpreter's start like the timed `cm-inbox import` does.

A floor computes nothing, yet its rows must be the app's: the values only the
app's listening gives (language found, sentiment, intents, priority) are read
from APP.sqlite3, the app's import of the same corpus, before the clock starts.
Rows without them would skip most of the work of the indexes and triggers that
sort and count by them (the priority order, the unanswered-criticism view, the
tallies): 15 % of the floor's time on 200,000 lines. The time that reading
takes is printed (``prepared_s``) for the caller to leave out.
"""

from __future__ import annotations

import calendar
import gc
import json
import sqlite3
import sys
import time
from functools import lru_cache

CHUNK = 20_000

COMMENT_SQL = """
INSERT INTO comments (id, account_id, remote_id, parent_remote_id, root_remote_id, author_id,
    text, markup, url, created_at, fetched_at, status, snoozed_until, is_ours, likes, reposts,
    replies, language, sentiment, sentiment_score, intents, priority, scored_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
# What the app's listening gave each comment, in COMMENT_SQL's order from language on.
APP_VALUES_SQL = """
SELECT a.network, a.name, c.remote_id, c.language, c.sentiment, c.sentiment_score, c.intents,
    c.priority
FROM comments c JOIN accounts a ON a.id = c.account_id
"""
AUTHOR_SQL = """
INSERT INTO authors (id, network, handle, handle_key, name_key, display_name, followers,
    first_seen, last_seen)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (network, handle) DO UPDATE SET
    display_name = coalesce(excluded.display_name, display_name),
    followers = coalesce(excluded.followers, followers),
    last_seen = max(last_seen, excluded.last_seen)
"""


@lru_cache(maxsize=4096)
def _day(date: str) -> int:
    return calendar.timegm(time.strptime(date, "%Y-%m-%d"))


def seconds(stamp: str) -> int:
    """Unix seconds of "YYYY-MM-DDTHH:MM:SSZ", the generator's only time format."""
    return _day(stamp[:10]) + int(stamp[11:13]) * 3600 + int(stamp[14:16]) * 60 + int(stamp[17:19])


def app_values(app_db: str) -> dict[tuple[str, str], dict[str, tuple]]:
    """(network, account) → remote id → (language, sentiment, score, intents, priority)."""
    found: dict[tuple[str, str], dict[str, tuple]] = {}
    with sqlite3.connect(f"file:{app_db}?mode=ro", uri=True) as conn:
        for network, account, remote_id, *values in conn.execute(APP_VALUES_SQL):
            found.setdefault((network, account), {})[remote_id] = tuple(values)
    return found


def main(corpus: str, app_db: str, target: str) -> None:
    from cm_inbox.store import Store
    from cm_inbox.store.ingest import handle_key, name_key

    started = time.perf_counter()
    values_of = app_values(app_db)
    # Out of the collector's sight: its passes would otherwise walk them all the
    # while the floor is timed, work the app's import does not have.
    gc.freeze()
    prepared = time.perf_counter() - started
    Store(target).close()
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    now = int(time.time())
    accounts: dict[tuple[str, str], int] = {}
    authors: dict[tuple[str, str], int] = {}
    roots: dict[tuple[int, str], str] = {}
    listened: dict[int, dict[str, tuple]] = {}
    comment_id = 0
    conn.execute("BEGIN IMMEDIATE")
    with open(corpus, "rb") as lines:
        while True:
            chunk = [json.loads(line) for _, line in zip(range(CHUNK), lines, strict=False)]
            if not chunk:
                break
            new_accounts = []
            seen: dict[tuple[str, str], list] = {}
            comments = []
            labels = []
            for record in chunk:
                network = record["network"]
                account_key = (network, record["account"])
                account_id = accounts.get(account_key)
                if account_id is None:
                    account_id = accounts[account_key] = len(accounts) + 1
                    new_accounts.append((account_id, network, record["account"], None, now))
                    listened[account_id] = values_of.get(account_key, {})
                author = record["author"]
                author_key = (network, author["handle"])
                created = seconds(record["created_at"])
                author_id = authors.get(author_key)
                if author_id is None:
                    author_id = authors[author_key] = len(authors) + 1
                row = seen.get(author_key)
                if row is None:
                    name = author.get("name")
                    seen[author_key] = [
                        author_id, network, author["handle"], handle_key(network, author["handle"]),
                        name_key(name), name, author.get("followers"), created, created,
                    ]  # fmt: skip
                else:
                    row[8] = max(row[8], created)
                remote_id = record["id"]
                parent = record.get("parent_id")
                root = record.get("root_id") or (
                    roots.get((account_id, parent), parent) if parent else remote_id
                )
                roots[(account_id, remote_id)] = root
                status = record.get("status") or "new"
                until = record.get("snoozed_until") if status == "snoozed" else None
                comment_id += 1
                comments.append(
                    (
                        comment_id, account_id, remote_id, parent, root, author_id,
                        record.get("text") or record.get("html") or "", record.get("html"),
                        record.get("url"), created, now, status, seconds(until) if until else None,
                        record.get("likes"), record.get("reposts"), record.get("replies"),
                        *listened[account_id].get(remote_id, NOT_LISTENED), now,
                    )
                )  # fmt: skip
                for label in record.get("labels") or ():
                    labels.append((comment_id, label))
            conn.executemany(
                "INSERT INTO accounts (id, network, name, handle, created_at) VALUES (?, ?, ?, ?, ?)",
                new_accounts,
            )
            conn.executemany(AUTHOR_SQL, seen.values())
            conn.executemany(COMMENT_SQL, comments)
            conn.executemany(
                "INSERT OR IGNORE INTO comment_labels (comment_id, label) VALUES (?, ?)", labels
            )
    conn.execute("COMMIT")
    conn.close()
    print(json.dumps({"rows": comment_id, "prepared_s": round(prepared, 3)}))


# A line the app did not store (a bad line): the floor stores it, with no signals.
NOT_LISTENED = (None, None, None, None, 0.0)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
