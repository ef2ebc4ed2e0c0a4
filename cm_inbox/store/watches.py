"""Keyword watches in the store: their cursors, their outcomes, and pages of
matches stored without doubling what the accounts already received."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING

from cm_inbox.store.base import StoreBase

if TYPE_CHECKING:
    from cm_inbox.model.incoming import IncomingComment, IngestResult
    from cm_inbox.store.results import WatchOutcome


# Remote ids per IN (...) lookup, as in ingest.
LOOKUP = 400


class WatchesMixin(StoreBase):
    def watch_cursor(self, key: str) -> str | None:
        """Where the watch source ``key`` starts next time (None: it never ran)."""
        row = self.db.query_one("SELECT cursor FROM watch_sources WHERE key = ?", (key,))
        return row[0] if row else None

    def save_watch_page(
        self,
        key: str,
        account_id: int,
        items: Iterable[IncomingComment],
        set_aside: Iterable[tuple[str, str]],
        cursor: str | None,
    ) -> IngestResult:
        """Store the matches of one page of a watch source and its cursor, in one transaction.

        An item already in the store is left exactly as it is (not refreshed,
        not relabelled): on its network under any account with the same remote
        id, or by the same author at the same link (a Mastodon status seen from
        another instance has another id there, never another URL). Only new
        items count as inserted. ``set_aside`` rows go under ``account_id``.
        """
        from cm_inbox.model.incoming import IngestResult

        now = self.now()
        with self.db.transaction() as conn:
            fresh = self._unseen(conn, list(items))
            result = self.upsert_comments(fresh)  # type: ignore[attr-defined]
            conn.executemany(
                "INSERT INTO set_aside (account_id, received_at, reason, payload)"
                " VALUES (?, ?, ?, ?)",
                [(account_id, now, reason, payload) for reason, payload in set_aside],
            )
            if cursor is not None:
                conn.execute(
                    "INSERT INTO watch_sources (key, cursor, updated_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (key) DO UPDATE SET cursor = excluded.cursor,"
                    " updated_at = excluded.updated_at",
                    (key, cursor, now),
                )
        return IngestResult(inserted=result.inserted, updated=0)

    def record_watch_sync(self, key: str, error: str | None) -> None:
        """When the watch source last ran, and the error that stopped it (None: it went well)."""
        now = self.now()
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO watch_sources (key, updated_at, last_sync_at, last_error)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET"
                " last_sync_at = excluded.last_sync_at, last_error = excluded.last_error",
                (key, now, now, error),
            )

    def watch_outcomes(self) -> list[WatchOutcome]:
        """Every watch source that ever ran, by key."""
        from cm_inbox.store.results import WatchOutcome

        rows = self.db.query("SELECT key, last_sync_at, last_error FROM watch_sources ORDER BY key")
        return [WatchOutcome(*row) for row in rows]

    def _unseen(
        self, conn: sqlite3.Connection, items: list[IncomingComment]
    ) -> list[IncomingComment]:
        """``items`` the store does not hold yet, each once."""
        by_network: dict[str, list[IncomingComment]] = {}
        for item in items:
            by_network.setdefault(item.network, []).append(item)
        fresh: list[IncomingComment] = []
        for network, group in by_network.items():
            known = self._known_remote_ids(conn, network, [item.remote_id for item in group])
            for item in group:
                if item.remote_id in known:
                    continue
                known.add(item.remote_id)  # the same item twice in a page goes in once
                if item.url and self._known_link(conn, network, item.author.handle, item.url):
                    continue
                fresh.append(item)
        return fresh

    @staticmethod
    def _known_remote_ids(
        conn: sqlite3.Connection, network: str, remote_ids: list[str]
    ) -> set[str]:
        accounts = [
            row[0] for row in conn.execute("SELECT id FROM accounts WHERE network = ?", (network,))
        ]
        if not accounts:
            return set()
        account_marks = ",".join("?" * len(accounts))
        wanted = list(dict.fromkeys(remote_ids))
        found: set[str] = set()
        for start in range(0, len(wanted), LOOKUP):
            part = wanted[start : start + LOOKUP]
            marks = ",".join("?" * len(part))
            # Both IN lists are on the (account_id, remote_id) unique index.
            found.update(
                row[0]
                for row in conn.execute(
                    f"SELECT remote_id FROM comments WHERE account_id IN ({account_marks})"
                    f" AND remote_id IN ({marks})",
                    (*accounts, *part),
                )
            )
        return found

    @staticmethod
    def _known_link(conn: sqlite3.Connection, network: str, handle: str, url: str) -> bool:
        # Through the author (one index lookup, then their comments), never a scan of comments.
        row = conn.execute(
            "SELECT 1 FROM authors a JOIN comments c ON c.author_id = a.id"
            " WHERE a.network = ? AND a.handle = ? AND c.url = ? LIMIT 1",
            (network, handle.strip(), url),
        ).fetchone()
        return row is not None
