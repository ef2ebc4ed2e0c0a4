"""The import floor: the same rows, into the same schema, as fast as plain sqlite3 goes.

Usage: python benchmarks/import_floor.py CORPUS.jsonl NEW.sqlite3

The file is created by ``cm_inbox.store.Store`` (same migrations, triggers and
full-text index as the app), then every line is parsed with ``json`` alone and
written with ``executemany`` in one transaction: no validation, no cleaning,
no per-row round trips. Run as its own process, so its time counts the
interpreter's start like the timed `cm-inbox import` does.
"""

from __future__ import annotations

import calendar
import json
import sqlite3
import sys
import time
from functools import lru_cache

CHUNK = 20_000

COMMENT_SQL = """
INSERT INTO comments (id, account_id, remote_id, parent_remote_id, root_remote_id, author_id,
    text, markup, url, created_at, fetched_at, language, status, snoozed_until, is_ours)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
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


def main(corpus: str, target: str) -> None:
    from cm_inbox.store import Store
    from cm_inbox.store.ingest import handle_key, name_key

    Store(target).close()
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    now = int(time.time())
    accounts: dict[tuple[str, str], int] = {}
    authors: dict[tuple[str, str], int] = {}
    roots: dict[tuple[int, str], str] = {}
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
                        record.get("url"), created, now, record.get("language"), status,
                        seconds(until) if until else None,
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
    print(comment_id)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
