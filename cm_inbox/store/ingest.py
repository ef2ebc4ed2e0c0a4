"""Putting comments into the store: idempotent upserts keyed on the remote id."""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections.abc import Iterable

from cm_inbox.model import IncomingComment, IngestResult, Status
from cm_inbox.store.base import StoreBase
from cm_inbox.text import clean_text, one_line


class IngestMixin(StoreBase):
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
        url and author refreshed; its triage state is never touched.
        """
        inserted = updated = 0
        now = self.now()
        try:
            with self.db.transaction() as conn:
                for item in items:
                    if self._upsert_one(conn, item, now):
                        inserted += 1
                    else:
                        updated += 1
        except BaseException:
            # Accounts created in the rolled-back transaction are gone: forget their ids.
            self._account_ids.clear()
            raise
        return IngestResult(inserted=inserted, updated=updated)

    def _author_id(self, conn: sqlite3.Connection, item: IncomingComment, now: int) -> int:
        author = item.author
        seen = item.created_at
        row = conn.execute(
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
            RETURNING id
            """,
            (
                item.network,
                author.handle,
                handle_key(item.network, author.handle),
                name_key(author.name),
                author.name,
                author.followers,
                seen,
                seen,
            ),
        ).fetchone()
        return row[0]

    def _upsert_one(self, conn: sqlite3.Connection, item: IncomingComment, now: int) -> bool:
        """Store one comment; True when it was new."""
        _make_safe(item)
        account_id = self.ensure_account(item.network, item.account)
        author_id = self._author_id(conn, item, now)
        existing = conn.execute(
            "SELECT id FROM comments WHERE account_id = ? AND remote_id = ?",
            (account_id, item.remote_id),
        ).fetchone()
        if existing is not None:
            conn.execute(
                """
                UPDATE comments SET text = ?, markup = coalesce(?, markup), url = coalesce(?, url),
                    author_id = ?, fetched_at = ?, language = coalesce(language, ?),
                    extra = coalesce(?, extra)
                WHERE id = ?
                """,
                (
                    item.text,
                    item.markup,
                    item.url,
                    author_id,
                    now,
                    item.language,
                    _extra_json(item),
                    existing[0],
                ),
            )
            return False

        root = item.root_remote_id
        if root is None and item.parent_remote_id is not None:
            parent = conn.execute(
                "SELECT root_remote_id FROM comments WHERE account_id = ? AND remote_id = ?",
                (account_id, item.parent_remote_id),
            ).fetchone()
            root = parent[0] if parent is not None else item.parent_remote_id
        root = root or item.remote_id
        # The brand's own posts (seen in threads) wait for no answer.
        status = item.status or (Status.DONE if item.is_ours else Status.NEW)
        if status is Status.SNOOZED and item.snoozed_until is None:
            status = Status.NEW  # a snooze with no end would never come back
        comment_id = conn.execute(
            """
            INSERT INTO comments (account_id, remote_id, parent_remote_id, root_remote_id, author_id,
                text, markup, url, created_at, fetched_at, language, status, snoozed_until, is_ours,
                extra)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            RETURNING id
            """,
            (
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
                item.language,
                str(status),
                item.snoozed_until if status == Status.SNOOZED else None,
                int(item.is_ours),
                _extra_json(item),
            ),
        ).fetchone()[0]
        if item.labels:
            conn.executemany(
                "INSERT OR IGNORE INTO comment_labels (comment_id, label) VALUES (?, ?)",
                [(comment_id, label) for label in item.labels],
            )
        if root != item.remote_id:
            # Replies that arrived before this comment took it as their root;
            # now that its own root is known, the whole thread moves under it.
            conn.execute(
                "UPDATE comments SET root_remote_id = ? WHERE account_id = ? AND root_remote_id = ?",
                (root, account_id, item.remote_id),
            )
        return True


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


def _make_safe(item: IncomingComment) -> None:
    """Clean what a network wrote before it is stored: every path in passes here."""
    item.text = clean_text(item.text)
    item.author.handle = one_line(clean_text(item.author.handle)) or "unknown"
    if item.author.name is not None:
        item.author.name = one_line(clean_text(item.author.name))
    item.account = one_line(clean_text(item.account)) or "unknown"
    item.labels = tuple(label for label in (one_line(clean_text(x)) for x in item.labels) if label)
    for name in ("url", "language", "remote_id", "parent_remote_id", "root_remote_id"):
        value = getattr(item, name)
        if value is not None:
            setattr(item, name, one_line(clean_text(value), 2048))
