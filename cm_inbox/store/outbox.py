"""Replies: drafts the composer keeps, and the outbox of replies to send."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from cm_inbox.model import ReplyState, Status
from cm_inbox.store.base import StoreBase
from cm_inbox.store.rows import REPLY_COLUMNS, reply_from_row

if TYPE_CHECKING:
    from cm_inbox.model.replies import Reply


class ReplyError(Exception):
    """A reply that cannot be queued, worded for the user."""


class OutboxMixin(StoreBase):
    def _account_of(self, comment_id: int) -> int:
        row = self.db.query_one("SELECT account_id FROM comments WHERE id = ?", (comment_id,))
        if row is None:
            raise ReplyError(f"no comment with id {comment_id}")
        return row[0]

    def _reply_account(self, comment_id: int, account_id: int | None) -> int:
        """The account a reply goes out from: the comment's, or another on its network."""
        own = self._account_of(comment_id)
        if account_id is None or account_id == own:
            return own
        row = self.db.query_one(
            "SELECT other.network = mine.network FROM accounts other, accounts mine"
            " WHERE other.id = ? AND mine.id = ?",
            (account_id, own),
        )
        if row is None:
            raise ReplyError(f"no account with id {account_id}")
        if not row[0]:
            raise ReplyError("a reply goes out from an account on the comment's own network")
        return account_id

    def draft_for(self, comment_id: int) -> Reply | None:
        """The draft the composer left for this comment, if any."""
        row = self.db.query_one(
            f"SELECT {REPLY_COLUMNS} FROM replies r WHERE r.comment_id = ? AND r.state = 'draft'",
            (comment_id,),
        )
        return reply_from_row(row) if row else None

    def save_draft(
        self, comment_id: int, text: str, *, account_id: int | None = None
    ) -> Reply | None:
        """Keep (or clear, when empty) the composer's draft for a comment.

        ``account_id`` is the brand account it is to go out from (the comment's
        own by default; another of the brand's accounts on the same network).
        """
        account_id = self._reply_account(comment_id, account_id)
        now = self.now()
        with self.db.transaction() as conn:
            if not text.strip():
                conn.execute(
                    "DELETE FROM replies WHERE comment_id = ? AND state = 'draft'", (comment_id,)
                )
                return None
            conn.execute(
                """
                INSERT INTO replies (comment_id, account_id, text, state, idempotency_key,
                    created_at, updated_at)
                VALUES (?, ?, ?, 'draft', ?, ?, ?)
                ON CONFLICT (comment_id) WHERE state = 'draft'
                DO UPDATE SET text = excluded.text, account_id = excluded.account_id,
                    updated_at = excluded.updated_at
                """,
                (comment_id, account_id, text, uuid.uuid4().hex, now, now),
            )
        return self.draft_for(comment_id)

    def queue_reply(self, comment_id: int, text: str, *, account_id: int | None = None) -> Reply:
        """Queue a reply for sending and mark the comment replied, as one undoable action.

        The comment's draft, if any, becomes the queued reply (it keeps its
        idempotency key, so a reply is one reply however often it is edited).
        ``account_id`` is the brand account it goes out from: the comment's own
        by default, or another of the brand's accounts on the same network
        (``cm_inbox.reply_accounts`` says which can answer).
        """
        if not text.strip():
            raise ReplyError("the reply is empty")
        account_id = self._reply_account(comment_id, account_id)
        now = self.now()
        with self.db.transaction() as conn:
            draft = conn.execute(
                "SELECT id FROM replies WHERE comment_id = ? AND state = 'draft'", (comment_id,)
            ).fetchone()
            if draft is not None:
                reply_id = draft[0]
                conn.execute(
                    "UPDATE replies SET text = ?, account_id = ?, state = 'queued', queued_at = ?,"
                    " updated_at = ? WHERE id = ?",
                    (text, account_id, now, now, reply_id),
                )
            else:
                reply_id = conn.execute(
                    "INSERT INTO replies (comment_id, account_id, text, state, idempotency_key,"
                    " created_at, updated_at, queued_at) VALUES (?, ?, ?, 'queued', ?, ?, ?, ?)"
                    " RETURNING id",
                    (comment_id, account_id, text, uuid.uuid4().hex, now, now, now),
                ).fetchone()[0]
            current = conn.execute(
                "SELECT status, snoozed_until FROM comments WHERE id = ?", (comment_id,)
            ).fetchone()
            batch = conn.execute("SELECT coalesce(max(batch), 0) + 1 FROM events").fetchone()[0]
            conn.execute(
                "UPDATE comments SET status = 'replied', snoozed_until = NULL WHERE id = ?",
                (comment_id,),
            )
            self._event(  # type: ignore[attr-defined]
                conn,
                batch,
                "reply",
                comment_id,
                {"status": current["status"], "snoozed_until": current["snoozed_until"]},
                {"status": Status.REPLIED.value, "snoozed_until": None},
                None,
                reply_id,
            )
        reply = self.reply(reply_id)
        assert reply is not None
        return reply

    def reply(self, reply_id: int) -> Reply | None:
        row = self.db.query_one(
            f"SELECT {REPLY_COLUMNS} FROM replies r WHERE r.id = ?", (reply_id,)
        )
        return reply_from_row(row) if row else None

    def replies_for(self, comment_id: int) -> list[Reply]:
        """Every reply written to a comment, oldest first."""
        rows = self.db.query(
            f"SELECT {REPLY_COLUMNS} FROM replies r WHERE r.comment_id = ? ORDER BY r.id",
            (comment_id,),
        )
        return [reply_from_row(row) for row in rows]

    def replies_in_state(self, *states: ReplyState, limit: int = 1000) -> list[Reply]:
        """Replies in the given states, oldest first (senders take them in order)."""
        marks = ",".join("?" * len(states))
        rows = self.db.query(
            f"SELECT {REPLY_COLUMNS} FROM replies r WHERE r.state IN ({marks})"
            " ORDER BY r.updated_at, r.id LIMIT ?",
            (*[s.value for s in states], limit),
        )
        return [reply_from_row(row) for row in rows]
