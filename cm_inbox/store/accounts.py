"""Brand accounts connected to their networks, their sync cursors, and what a
sync set aside. Secrets are not here: see ``cm_inbox.secrets``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from cm_inbox.store.base import StoreBase

if TYPE_CHECKING:
    from cm_inbox.model.incoming import IncomingComment, IngestResult
    from cm_inbox.store.results import ConnectedAccount, SetAsideItem


_ACCOUNT_COLUMNS = (
    "id, network, name, handle, settings, connected, login_problem, last_sync_at, last_error"
)


def _account(row: Any, count: int = 0) -> ConnectedAccount:
    from cm_inbox.store.results import ConnectedAccount

    try:
        settings = json.loads(row["settings"] or "{}")
    except ValueError:
        settings = {}
    return ConnectedAccount(
        id=row["id"],
        network=row["network"],
        name=row["name"],
        handle=row["handle"],
        settings={str(k): str(v) for k, v in settings.items()},
        connected=bool(row["connected"]),
        login_problem=row["login_problem"],
        last_sync_at=row["last_sync_at"],
        last_error=row["last_error"],
        comment_count=count,
    )


class AccountsMixin(StoreBase):
    def connect_account(
        self, network: str, name: str, handle: str | None, settings: Mapping[str, str]
    ) -> ConnectedAccount:
        """Mark ``name`` on ``network`` as connected (created when new), clearing any login problem."""
        account_id = self.ensure_account(network, name)  # type: ignore[attr-defined]
        with self.db.transaction() as conn:
            # connected_at moves only when the account (re)joins, not at each new login:
            # comments closed while it was connected are still marked read there.
            conn.execute(
                "UPDATE accounts SET handle = ?, settings = ?, login_problem = NULL,"
                " last_error = NULL, connected_at = CASE WHEN connected = 1"
                " AND connected_at IS NOT NULL THEN connected_at ELSE ? END, connected = 1"
                " WHERE id = ?",
                (handle, json.dumps(dict(settings), sort_keys=True), self.now(), account_id),
            )
        account = self.account(network, name)
        assert account is not None
        return account

    def disconnect_account(self, account_id: int) -> None:
        """Stop syncing an account; its comments and replies stay in the inbox."""
        with self.db.transaction() as conn:
            conn.execute("UPDATE accounts SET connected = 0 WHERE id = ?", (account_id,))
            conn.execute("DELETE FROM sync_cursors WHERE account_id = ?", (account_id,))
            # Reads owed from before would be from before the next connection: never sent.
            conn.execute(
                "DELETE FROM moderation_due WHERE account_id = ? AND action = 'read'",
                (account_id,),
            )

    def account(self, network: str, name: str) -> ConnectedAccount | None:
        row = self.db.query_one(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE network = ? AND name = ?",
            (network, name),
        )
        return _account(row) if row else None

    def account_by_id(self, account_id: int) -> ConnectedAccount | None:
        row = self.db.query_one(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE id = ?", (account_id,)
        )
        return _account(row) if row else None

    def accounts_named(self, name: str) -> list[ConnectedAccount]:
        rows = self.db.query(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE name = ? ORDER BY network", (name,)
        )
        return [_account(row) for row in rows]

    def connected_accounts(self, *, with_counts: bool = False) -> list[ConnectedAccount]:
        """Accounts added with `accounts add`, by network then name."""
        rows = self.db.query(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE connected = 1 ORDER BY network, name"
        )
        result = []
        for row in rows:
            count = 0
            if with_counts:
                count = self.db.query_one(
                    "SELECT count(*) FROM comments WHERE account_id = ?", (row["id"],)
                )[0]
            result.append(_account(row, count))
        return result

    def set_login_problem(self, account_id: int, message: str | None) -> None:
        """Record (or clear, with None) that the account needs a new login, in the network's words."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE accounts SET login_problem = ? WHERE id = ?", (message, account_id)
            )

    def record_sync(self, account_id: int, error: str | None) -> None:
        """When the account last synced, and the error that stopped it (None when it went well)."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE accounts SET last_sync_at = ?, last_error = ? WHERE id = ?",
                (self.now(), error, account_id),
            )

    def update_account_settings(self, account_id: int, settings: Mapping[str, str]) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE accounts SET settings = ? WHERE id = ?",
                (json.dumps(dict(settings), sort_keys=True), account_id),
            )

    # -- sync ---------------------------------------------------------------

    def sync_cursor(self, account_id: int) -> str | None:
        row = self.db.query_one(
            "SELECT cursor FROM sync_cursors WHERE account_id = ?", (account_id,)
        )
        return row[0] if row else None

    def save_sync_page(
        self,
        account_id: int,
        items: Iterable[IncomingComment],
        set_aside: Iterable[tuple[str, str]],
        cursor: str | None,
    ) -> IngestResult:
        """Store one page of a sync and its cursor in one transaction.

        A crash before the commit leaves both the items and the cursor as they
        were, so the next sync fetches the same page again (upserts make that
        harmless); after the commit, both are there.
        """
        now = self.now()
        with self.db.transaction() as conn:
            result = self.upsert_comments(items)  # type: ignore[attr-defined]
            conn.executemany(
                "INSERT INTO set_aside (account_id, received_at, reason, payload)"
                " VALUES (?, ?, ?, ?)",
                [(account_id, now, reason, payload) for reason, payload in set_aside],
            )
            if cursor is not None:
                conn.execute(
                    "INSERT INTO sync_cursors (account_id, cursor, updated_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (account_id) DO UPDATE SET cursor = excluded.cursor,"
                    " updated_at = excluded.updated_at",
                    (account_id, cursor, now),
                )
        return result

    def set_aside_items(self, limit: int = 100) -> list[SetAsideItem]:
        """What syncs could not read, newest first."""
        from cm_inbox.store.results import SetAsideItem

        rows = self.db.query(
            "SELECT s.id, acc.network, acc.name, s.received_at, s.reason, s.payload"
            " FROM set_aside s JOIN accounts acc ON acc.id = s.account_id"
            " ORDER BY s.id DESC LIMIT ?",
            (limit,),
        )
        return [SetAsideItem(*row) for row in rows]

    def comment_extra(self, comment_id: int) -> dict[str, Any]:
        """The network facts kept with a comment (visibility, cids): what a reply needs."""
        row = self.db.query_one("SELECT extra FROM comments WHERE id = ?", (comment_id,))
        if row is None or not row[0]:
            return {}
        try:
            value = json.loads(row[0])
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def newest_comment_time(self) -> int | None:
        """When the newest stored comment was written (an index lookup)."""
        row = self.db.query_one("SELECT max(created_at) FROM comments")
        return row[0] if row else None

    def missing_parents(self, account_id: int, parent_ids: Iterable[str]) -> list[str]:
        """Which of these parent remote ids the store does not hold: threads worth fetching."""
        wanted = list(dict.fromkeys(parent_ids))
        missing = []
        for remote_id in wanted:
            row = self.db.query_one(
                "SELECT 1 FROM comments WHERE account_id = ? AND remote_id = ?",
                (account_id, remote_id),
            )
            if row is None:
                missing.append(remote_id)
        return missing
