"""Putting comments into the store: idempotent upserts keyed on the remote id."""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from cm_inbox.model import Status
from cm_inbox.scoring import Facts
from cm_inbox.store.rules import RulesMixin
from cm_inbox.text import clean_text, one_line

if TYPE_CHECKING:
    from cm_inbox.model.incoming import IncomingComment, IngestResult


# Comments per set-based round; ids per IN (...) lookup (SQLite allows 32766
# parameters since 3.32, but small lists keep each statement's plan cheap).
CHUNK = 500
LOOKUP = 400
# Author ids remembered across chunks (about 100 bytes each).
AUTHOR_CACHE = 200_000


class IngestMixin(RulesMixin):
    def ensure_account(self, network: str, name: str, handle: str | None = None) -> int:
        """The id of the brand account ``name`` on ``network``, created if new."""
        key = (network, name)
        cached = self._account_ids.get(key)
        if cached is not None:
            return cached
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT id FROM accounts WHERE network = ? AND name = ?", key
            ).fetchone()
            if row is None:
                row = conn.execute(
                    "INSERT INTO accounts (network, name, handle, created_at) VALUES (?, ?, ?, ?)"
                    " RETURNING id",
                    (network, name, handle, self.now()),
                ).fetchone()
        self._account_ids[key] = row[0]
        return row[0]

    def upsert_comments(self, items: Iterable[IncomingComment]) -> IngestResult:
        """Insert new comments and refresh known ones, in one transaction.

        A comment already stored (same account and remote id) gets its text,
        url and author refreshed; its triage state is never touched. The
        store's triage rules (``use_rules``) run on the new comments only, in
        the same transaction, after each chunk is written. Items go
        in by chunks of set-based statements (one lookup, one executemany per
        chunk) rather than a round of queries per comment: that is most of
        what makes a million-line import take minutes instead of an hour.
        """
        from cm_inbox.model.incoming import IngestResult

        inserted = updated = 0
        now = self.now()
        try:
            with self.db.transaction() as conn:
                chunk: list[IncomingComment] = []
                for item in items:
                    chunk.append(item)
                    if len(chunk) >= CHUNK:
                        new, known = self._upsert_chunk(conn, chunk, now)
                        inserted, updated = inserted + new, updated + known
                        chunk = []
                if chunk:
                    new, known = self._upsert_chunk(conn, chunk, now)
                    inserted, updated = inserted + new, updated + known
        except BaseException:
            # Accounts and authors created in the rolled-back transaction are gone:
            # forget their ids.
            self._account_ids.clear()
            self._author_id_cache.clear()
            raise
        return IngestResult(inserted=inserted, updated=updated)

    def _author_ids(
        self, conn: sqlite3.Connection, items: list[tuple[int, IncomingComment]]
    ) -> dict[tuple[str, str], int]:
        """Upsert every author of the chunk at once; their ids by (network, handle).

        Within the chunk, as if one by one: first and last seen widen, the last
        name and follower count given win.
        """
        merged: dict[tuple[str, str], list] = {}
        for _, item in items:
            author = item.author
            key = (item.network, author.handle)
            row = merged.get(key)
            if row is None:
                merged[key] = [author.name, author.followers, item.created_at, item.created_at]
                continue
            if author.name is not None:
                row[0] = author.name
            if author.followers is not None:
                row[1] = author.followers
            row[2] = min(row[2], item.created_at)
            row[3] = max(row[3], item.created_at)
        ids = self._author_id_cache
        if len(ids) > AUTHOR_CACHE:
            ids.clear()
        known = [(key, row) for key, row in merged.items() if key in ids]
        new = [(key, row) for key, row in merged.items() if key not in ids]
        # Authors seen before are updated by id (no keys to compute, no conflict
        # to resolve); new ones are upserted (another process may have added them).
        conn.executemany(
            """
            UPDATE authors SET
                display_name = coalesce(?1, display_name),
                name_key = CASE WHEN ?1 IS NULL THEN name_key ELSE ?2 END,
                followers = coalesce(?3, followers),
                first_seen = min(first_seen, ?4),
                last_seen = max(last_seen, ?5)
            WHERE id = ?6
            """,
            [
                (
                    name,
                    name_key(name) if name is not None else None,
                    followers,
                    first,
                    last,
                    ids[key],
                )
                for key, (name, followers, first, last) in known
            ],
        )
        conn.executemany(
            """
            INSERT INTO authors (network, handle, handle_key, name_key, display_name, followers,
                first_seen, last_seen)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (network, handle) DO UPDATE SET
                display_name = coalesce(excluded.display_name, display_name),
                name_key = CASE WHEN excluded.display_name IS NULL THEN name_key
                    ELSE excluded.name_key END,
                followers = coalesce(excluded.followers, followers),
                first_seen = min(first_seen, excluded.first_seen),
                last_seen = max(last_seen, excluded.last_seen)
            """,
            [
                (
                    network,
                    handle,
                    handle_key(network, handle),
                    name_key(name),
                    name,
                    followers,
                    first,
                    last,
                )
                for (network, handle), (name, followers, first, last) in new
            ],
        )
        # Ids never change once given: keep them, and look up only the new ones,
        # per network so the (network, handle) index answers each IN list.
        missing: dict[str, list[str]] = {}
        for (network, handle), _ in new:
            missing.setdefault(network, []).append(handle)
        for network, handles in missing.items():
            for start in range(0, len(handles), LOOKUP):
                part = handles[start : start + LOOKUP]
                marks = ",".join("?" * len(part))
                for handle, author_id in conn.execute(
                    f"SELECT handle, id FROM authors WHERE network = ? AND handle IN ({marks})",
                    (network, *part),
                ):
                    ids[(network, handle)] = author_id
        return ids

    def _stored(
        self, conn: sqlite3.Connection, sql: str, wanted: dict[int, set[str]]
    ) -> dict[tuple[int, str], str]:
        """Run ``sql`` (selecting remote_id and one value) per account over ``wanted`` ids."""
        found: dict[tuple[int, str], str] = {}
        for account_id, remote_ids in wanted.items():
            listed = list(remote_ids)
            for start in range(0, len(listed), LOOKUP):
                part = listed[start : start + LOOKUP]
                marks = ",".join("?" * len(part))
                for remote_id, value in conn.execute(sql.format(marks=marks), (account_id, *part)):
                    found[(account_id, remote_id)] = value
        return found

    def _upsert_chunk(
        self, conn: sqlite3.Connection, chunk: list[IncomingComment], now: int
    ) -> tuple[int, int]:
        items: list[tuple[int, IncomingComment]] = []
        for item in chunk:
            make_safe(item)
            items.append((self.ensure_account(item.network, item.account), item))
        author_ids = self._author_ids(conn, items)

        by_account: dict[int, set[str]] = {}
        parents: dict[int, set[str]] = {}
        for account_id, item in items:
            by_account.setdefault(account_id, set()).add(item.remote_id)
            if item.root_remote_id is None and item.parent_remote_id is not None:
                parents.setdefault(account_id, set()).add(item.parent_remote_id)
        existing = self._stored(
            conn,
            "SELECT remote_id, id FROM comments WHERE account_id = ? AND remote_id IN ({marks})",
            by_account,
        )
        parent_roots = self._stored(
            conn,
            "SELECT remote_id, root_remote_id FROM comments"
            " WHERE account_id = ? AND remote_id IN ({marks})",
            parents,
        )

        new_rows: list[list] = []
        updates: list[tuple] = []
        labelled: list[tuple[int, str, tuple[str, ...]]] = []
        roots_in_chunk: dict[tuple[int, str], str] = {}
        # A new comment X whose root is R moves every comment rooted at X under R
        # (replies that arrived before X). Kept as aliases and applied at the end,
        # exactly as if the comments had been stored one by one.
        moved: dict[tuple[int, str], str] = {}

        def resolve(account_id: int, root: str) -> str:
            seen = set()
            while (account_id, root) in moved and root not in seen:  # cycles: bad data
                seen.add(root)
                root = moved[(account_id, root)]
            return root

        for account_id, item in items:
            key = (account_id, item.remote_id)
            author_id = author_ids[(item.network, item.author.handle)]
            if key in existing or key in roots_in_chunk:
                updates.append(
                    {
                        "text": item.text,
                        "markup": item.markup,
                        "url": item.url,
                        "author": author_id,
                        "now": now,
                        "language": item.language,
                        "extra": _extra_json(item),
                        "likes": item.likes,
                        "reposts": item.reposts,
                        "replies": item.replies,
                        "account": account_id,
                        "remote": item.remote_id,
                    }
                )
                continue
            root = item.root_remote_id
            if root is None and item.parent_remote_id is not None:
                parent_key = (account_id, item.parent_remote_id)
                root = (
                    roots_in_chunk.get(parent_key)
                    or parent_roots.get(parent_key)
                    or item.parent_remote_id
                )
            root = resolve(account_id, root or item.remote_id)
            roots_in_chunk[key] = root
            if root != item.remote_id:
                moved[key] = root
            # The brand's own posts (seen in threads) wait for no answer.
            status = item.status or (Status.DONE if item.is_ours else Status.NEW)
            if status is Status.SNOOZED and item.snoozed_until is None:
                status = Status.NEW  # a snooze with no end would never come back
            signals = self.scorer.signals(item)
            facts = Facts(item.author.followers, item.likes, item.replies, item.created_at)
            # The brand's own posts wait for no answer: no place in the queue's order.
            priority = 0.0 if item.is_ours else self.scorer.priority(signals, facts, now)
            new_rows.append(
                [
                    account_id,
                    item.remote_id,
                    item.parent_remote_id,
                    root,
                    author_id,
                    item.text,
                    item.markup,
                    item.url,
                    item.created_at,
                    now,
                    signals.language or item.language,
                    signals.sentiment,
                    signals.sentiment_score,
                    ",".join(signals.intents) or None,
                    priority,
                    now,
                    str(status),
                    item.snoozed_until if status == Status.SNOOZED else None,
                    int(item.is_ours),
                    _extra_json(item),
                    item.likes,
                    item.reposts,
                    item.replies,
                ]
            )
            if item.labels:
                labelled.append((account_id, item.remote_id, item.labels))

        for row in new_rows:
            row[3] = resolve(row[0], row[3])
        self._move_early_replies(conn, moved, resolve)
        # Rowids of new rows follow the largest one (no AUTOINCREMENT), and the
        # write lock is ours: every id above this one is a comment of this chunk.
        before_new = self._last_comment_id(conn) if self._rules and new_rows else None
        conn.executemany(
            """
            INSERT INTO comments (account_id, remote_id, parent_remote_id, root_remote_id, author_id,
                text, markup, url, created_at, fetched_at, language, sentiment, sentiment_score,
                intents, priority, scored_at, status, snoozed_until, is_ours, extra, likes, reposts,
                replies)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            new_rows,
        )
        # Only what differs is written, and counted as updated: networks without
        # "since" (YouTube) send the newest stored comment again on every sync.
        changed = conn.executemany(
            f"""
            UPDATE comments SET text = :text, markup = coalesce(:markup, markup),
                url = coalesce(:url, url), author_id = :author, fetched_at = :now,
                language = coalesce(language, :language), extra = {_KEEP_NOTIFICATION},
                likes = coalesce(:likes, likes), reposts = coalesce(:reposts, reposts),
                replies = coalesce(:replies, replies)
            WHERE account_id = :account AND remote_id = :remote AND (
                text IS NOT :text OR markup IS NOT coalesce(:markup, markup)
                OR url IS NOT coalesce(:url, url) OR author_id IS NOT :author
                OR language IS NOT coalesce(language, :language)
                OR extra IS NOT {_KEEP_NOTIFICATION}
                OR likes IS NOT coalesce(:likes, likes)
                OR reposts IS NOT coalesce(:reposts, reposts)
                OR replies IS NOT coalesce(:replies, replies))
            """,
            updates,
        ).rowcount
        for account_id, remote_id, labels in labelled:
            conn.execute(
                "INSERT OR IGNORE INTO comment_labels (comment_id, label)"
                " SELECT c.id, labels.value FROM comments c, json_each(?) labels"
                " WHERE c.account_id = ? AND c.remote_id = ?",
                (json.dumps(list(labels)), account_id, remote_id),
            )
        if before_new is not None:
            self._rules_on_new(conn, before_new)
        return len(new_rows), max(changed, 0)

    def _last_comment_id(self, conn: sqlite3.Connection) -> int:
        return conn.execute("SELECT coalesce(max(id), 0) FROM comments").fetchone()[0]

    def _move_early_replies(
        self,
        conn: sqlite3.Connection,
        moved: dict[tuple[int, str], str],
        resolve: Callable[[int, str], str],
    ) -> None:
        """Stored replies that arrived before a comment took it as their root; now
        that its own root is known, the whole thread moves under it."""
        if not moved:
            return
        wanted: dict[int, set[str]] = {}
        for account_id, remote_id in moved:
            wanted.setdefault(account_id, set()).add(remote_id)
        used = self._stored(
            conn,
            "SELECT DISTINCT root_remote_id, 1 FROM comments"
            " WHERE account_id = ? AND root_remote_id IN ({marks})",
            wanted,
        )
        conn.executemany(
            "UPDATE comments SET root_remote_id = ? WHERE account_id = ? AND root_remote_id = ?",
            [
                (resolve(account_id, remote_id), account_id, remote_id)
                for account_id, remote_id in used
            ],
        )


# A comment's new facts replace the old, but the notification that brought it
# stays: the same post fetched again as thread context comes without one, and
# marking it read on the forum needs it (see cm_inbox.moderation).
_KEEP_NOTIFICATION = """CASE
    WHEN :extra IS NULL THEN extra
    WHEN NOT json_valid(coalesce(extra, '')) THEN :extra
    WHEN json_extract(extra, '$.notification_id') IS NULL THEN :extra
    WHEN json_extract(:extra, '$.notification_id') IS NOT NULL THEN :extra
    ELSE json_set(:extra, '$.notification_id', json_extract(extra, '$.notification_id'))
    END"""


def _extra_json(item: IncomingComment) -> str | None:
    return json.dumps(item.extra, sort_keys=True, default=str) if item.extra else None


def handle_key(network: str, handle: str) -> str:
    """The name part of a handle, lower case, letters and digits only.

    Mastodon handles carry their instance after an @, Bluesky handles are
    domains: "@camille_dev@mastodon.social" and "camille-dev.bsky.social" both
    give "camilledev".
    """
    local = handle.strip().lstrip("@").split("@")[0]
    if network == "bluesky":
        local = local.split(".")[0]
    return "".join(ch for ch in local.lower() if ch.isalnum())


def name_key(name: str | None) -> str:
    """A display name folded for comparison: no case, accents, spaces or punctuation."""
    if not name:
        return ""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


def _line(value: str, limit: int = 400) -> str:
    """``one_line(clean_text(value))``, with a fast path for the usual clean value."""
    if value.isprintable() and "  " not in value and len(value) <= limit:
        return value.strip()
    return one_line(clean_text(value), limit)


def make_safe(item: IncomingComment) -> None:
    """Clean what a network wrote before it is stored: every path in passes here."""
    item.text = clean_text(item.text)
    item.author.handle = _line(item.author.handle) or "unknown"
    if item.author.name is not None:
        item.author.name = _line(item.author.name)
    item.account = _line(item.account) or "unknown"
    if item.labels:
        item.labels = tuple(label for label in map(_line, item.labels) if label)
    for name in ("url", "language", "remote_id", "parent_remote_id", "root_remote_id"):
        value = getattr(item, name)
        if value is not None:
            setattr(item, name, _line(value, 2048))
