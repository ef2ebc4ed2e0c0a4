"""Sending replies exactly once: the outbox's state machine.

    draft -> queued -> (undo window) -> sending -> sent
                                           \\-> failed, retried at next_attempt_at
                                           \\-> failed for good (no next attempt)

Every transition is one transaction, and each is written to the events table
(batch 0: not a user action, never undone). A sender *claims* a reply with a
lease: two senders on one file (the TUI and `cm-inbox send`) never hold the
same reply, and a reply whose sender died is taken again once the lease runs
out. An attempt whose outcome nobody heard (a timeout, a lost answer, a kill)
leaves ``maybe_sent`` set, and the next sender looks for the reply on the
network before posting it again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cm_inbox.model import ReplyState, Status
from cm_inbox.store.base import StoreBase
from cm_inbox.store.outbox import ReplyError
from cm_inbox.store.rows import REPLY_COLUMNS, reply_from_row

if TYPE_CHECKING:
    from cm_inbox.model.replies import Reply
    from cm_inbox.store.results import Claim, OutboxEntry


# How long a claim holds. Longer than one attempt can take (a 15 s timeout,
# retries paced by the server within a minute), so a live sender never loses
# its reply to another; short enough that a crash delays a reply by minutes.
LEASE_S = 300


class SendingMixin(StoreBase):
    def claim_next(
        self, account_id: int, owner: str, *, hold_s: float = 0, lease_s: int = LEASE_S
    ) -> Claim | None:
        """Take the account's oldest reply that may go now, or None.

        That is a queued reply past its undo window (``hold_s``), a failed one
        whose retry time has come, or one left in ``sending`` by a sender whose
        lease ran out. One UPDATE decides, so two senders never take the same.
        """
        from cm_inbox.store.results import Claim

        now = self.now()
        with self.db.transaction() as conn:
            row = conn.execute(
                """
                UPDATE replies SET
                    maybe_sent = CASE WHEN state = 'sending' THEN 1 ELSE maybe_sent END,
                    state = 'sending', lease_owner = ?, lease_until = ?,
                    attempts = attempts + 1, updated_at = ?
                WHERE id = (
                    SELECT id FROM replies
                    WHERE account_id = ? AND (
                        (state = 'queued' AND coalesce(queued_at, created_at) <= ?
                            AND coalesce(next_attempt_at, 0) <= ?)
                        OR (state = 'failed' AND next_attempt_at <= ?)
                        OR (state = 'sending' AND coalesce(lease_until, 0) < ?))
                    ORDER BY coalesce(queued_at, created_at), id LIMIT 1)
                RETURNING id, idempotency_key, maybe_sent
                """,
                (owner, now + lease_s, now, account_id, now - hold_s, now, now, now),
            ).fetchone()
            if row is None:
                return None
            self._outbox_event(conn, row["id"], "sending", {"owner": owner})
        reply = self.reply(row["id"])  # type: ignore[attr-defined]
        assert reply is not None
        return Claim(reply, row["idempotency_key"], look_first=bool(row["maybe_sent"]))

    def mark_sent(self, reply_id: int, remote_id: str) -> None:
        """The network has it (answered, or found there): sent, for good."""
        now = self.now()
        with self.db.transaction() as conn:
            changed = conn.execute(
                "UPDATE replies SET state = 'sent', remote_id = ?, error = NULL, sent_at = ?,"
                " updated_at = ?, next_attempt_at = NULL, lease_owner = NULL,"
                " lease_until = NULL, maybe_sent = 0 WHERE id = ? AND state != 'sent'",
                (remote_id, now, now, reply_id),
            ).rowcount
            if changed:
                self._outbox_event(conn, reply_id, "sent", {"remote_id": remote_id})

    def mark_failed(
        self, reply_id: int, error: str, *, retry_at: int | None, maybe_sent: bool = False
    ) -> None:
        """An attempt that did not end in "sent".

        ``retry_at``: when to try again (None: the network refused it for good,
        and it waits for the user). ``maybe_sent``: the request may have
        arrived; once set it stays until the reply is found or known absent.
        """
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE replies SET state = 'failed', error = ?, next_attempt_at = ?,"
                " maybe_sent = max(maybe_sent, ?), lease_owner = NULL, lease_until = NULL,"
                " updated_at = ? WHERE id = ? AND state = 'sending'",
                (error, retry_at, int(maybe_sent), self.now(), reply_id),
            )
            self._outbox_event(
                conn,
                reply_id,
                "retry" if retry_at is not None else "failed",
                {"error": error, "retry_at": retry_at, "maybe_sent": maybe_sent},
            )

    def defer(self, reply_id: int, until: int, reason: str) -> None:
        """Not sent and known not to be (a rate limit to wait out, no connection):
        back in the queue until ``until``, not counted as an attempt."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE replies SET state = 'queued', next_attempt_at = ?, error = ?,"
                " attempts = max(attempts - 1, 0), lease_owner = NULL, lease_until = NULL,"
                " updated_at = ? WHERE id = ? AND state = 'sending'",
                (until, reason, self.now(), reply_id),
            )
            self._outbox_event(conn, reply_id, "deferred", {"until": until, "reason": reason})

    def mark_absent(self, reply_id: int) -> None:
        """Looked for on the network and not there: it never left, post it again."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE replies SET maybe_sent = 0, updated_at = ? WHERE id = ?",
                (self.now(), reply_id),
            )
            self._outbox_event(conn, reply_id, "not-found", {})

    def next_send_due(self, hold_s: float = 0, *, skip: Sequence[int] = ()) -> int | None:
        """When the earliest reply waiting in the outbox may go (None: none waits).

        Only accounts that can send count (connected, no login problem), less
        those in ``skip`` (offline ones, which back off on their own).
        """
        marks = ",".join("?" * len(skip))
        row = self.db.query_one(
            f"""
            SELECT min(CASE
                WHEN r.state = 'queued' THEN max(coalesce(r.queued_at, r.created_at) + ?,
                                                 coalesce(r.next_attempt_at, 0))
                WHEN r.state = 'failed' THEN r.next_attempt_at
                ELSE r.lease_until END)
            FROM replies r JOIN accounts acc ON acc.id = r.account_id
            WHERE (r.state IN ('queued', 'sending')
                   OR (r.state = 'failed' AND r.next_attempt_at IS NOT NULL))
              AND acc.connected AND acc.login_problem IS NULL
              AND acc.id NOT IN ({marks})
            """,
            (int(hold_s), *skip),
        )
        return int(row[0]) if row and row[0] is not None else None

    def sending_owners(self) -> list[str]:
        """Senders holding claims now (to find those whose process has died)."""
        rows = self.db.query(
            "SELECT DISTINCT lease_owner FROM replies"
            " WHERE state = 'sending' AND lease_owner IS NOT NULL"
        )
        return [row[0] for row in rows]

    def void_claims(self, owners: list[str]) -> int:
        """End the leases of dead senders now; their replies are looked for, then sent."""
        marks = ",".join("?" * len(owners))
        with self.db.transaction() as conn:
            return conn.execute(
                f"UPDATE replies SET lease_until = 0, maybe_sent = 1 WHERE state = 'sending'"
                f" AND lease_owner IN ({marks})",
                owners,
            ).rowcount

    # -- the user's hand on the outbox ----------------------------------------

    def outbox(self, *, limit: int | None = None) -> list[Reply]:
        """Every reply that is not a draft, newest first."""
        return [entry.reply for entry in self.outbox_entries(limit=limit)]

    def outbox_entries(self, *, limit: int | None = None) -> list[OutboxEntry]:
        """Every reply that is not a draft, newest first, with where it goes (`cm-inbox outbox`)."""
        from cm_inbox.store.results import OutboxEntry

        rows = self.db.query(
            f"SELECT {REPLY_COLUMNS}, acc.network AS network, acc.name AS account,"
            " c.remote_id AS parent_remote_id FROM replies r"
            " JOIN accounts acc ON acc.id = r.account_id"
            " JOIN comments c ON c.id = r.comment_id"
            " WHERE r.state != 'draft' ORDER BY r.updated_at DESC, r.id DESC"
            + (f" LIMIT {int(limit)}" if limit else "")
        )
        return [
            OutboxEntry(
                reply_from_row(row), row["network"], row["account"], row["parent_remote_id"]
            )
            for row in rows
        ]

    def cancel_reply(self, reply_id: int) -> Reply:
        """Bring a reply that has not left back to a draft (undo send).

        Refused once it is being sent, sent, or may have reached the network.
        """
        with self.db.transaction() as conn:
            reply = self._withdrawable(conn, reply_id, "cancel")
            event = conn.execute(
                "SELECT * FROM events WHERE reply_id = ? AND action = 'reply' AND undone_at IS NULL"
                " ORDER BY id DESC LIMIT 1",
                (reply_id,),
            ).fetchone()
            if event is not None:
                # The same as `u` on the queueing: status restored, reply a draft again.
                self._undo_event(conn, event)  # type: ignore[attr-defined]
                conn.execute("UPDATE events SET undone_at = ? WHERE id = ?", (self.now(), event[0]))
            conn.execute(
                "DELETE FROM replies WHERE comment_id = ? AND state = 'draft' AND id != ?",
                (reply.comment_id, reply_id),
            )
            conn.execute(
                "UPDATE replies SET state = 'draft', queued_at = NULL, error = NULL,"
                " next_attempt_at = NULL, updated_at = ? WHERE id = ?",
                (self.now(), reply_id),
            )
            self._outbox_event(conn, reply_id, "draft", {"by": "cancel"})
        return self._reply_or_fail(reply_id)

    def requeue_reply(self, reply_id: int, text: str | None = None) -> Reply:
        """Send a failed reply again, as it is or with new text."""
        with self.db.transaction() as conn:
            reply = self._reply_in(conn, reply_id)
            if reply.state is not ReplyState.FAILED:
                raise ReplyError(f"reply {reply_id} is {reply.state.value}, not failed")
            if text is not None and text != reply.text:
                if reply.maybe_sent:
                    raise ReplyError(
                        f"reply {reply_id} may already be on the network as it was written;"
                        " it can be sent again unchanged, or discarded"
                    )
                if not text.strip():
                    raise ReplyError("the reply is empty")
            now = self.now()
            conn.execute(
                "UPDATE replies SET state = 'queued', text = ?, error = NULL,"
                " next_attempt_at = NULL, queued_at = ?, updated_at = ? WHERE id = ?",
                (text if text is not None else reply.text, now, now, reply_id),
            )
            self._outbox_event(conn, reply_id, "queued", {"by": "requeue"})
        return self._reply_or_fail(reply_id)

    def discard_reply(self, reply_id: int) -> None:
        """Give up on a failed or waiting reply; its comment goes back to the inbox."""
        with self.db.transaction() as conn:
            reply = self._reply_in(conn, reply_id)
            if reply.state in (ReplyState.SENDING, ReplyState.SENT):
                raise ReplyError(f"reply {reply_id} is {reply.state.value}: it cannot be discarded")
            self._outbox_event(conn, reply_id, "discarded", {"text": reply.text})
            conn.execute("DELETE FROM replies WHERE id = ?", (reply_id,))
            others = conn.execute(
                "SELECT 1 FROM replies WHERE comment_id = ? AND state != 'draft'",
                (reply.comment_id,),
            ).fetchone()
            if others is None:
                conn.execute(
                    "UPDATE comments SET status = ? WHERE id = ? AND status = 'replied'",
                    (Status.NEW.value, reply.comment_id),
                )

    def reply_history(self, reply_id: int) -> list[tuple[int, str, dict]]:
        """(time, transition, detail) of one reply, oldest first."""
        rows = self.db.query(
            "SELECT at, action, detail FROM events WHERE reply_id = ? ORDER BY id", (reply_id,)
        )
        return [(row[0], row[1], json.loads(row[2]) if row[2] else {}) for row in rows]

    # -- helpers --------------------------------------------------------------

    def _outbox_event(
        self, conn: sqlite3.Connection, reply_id: int, state: str, detail: dict
    ) -> None:
        comment = conn.execute(
            "SELECT comment_id FROM replies WHERE id = ?", (reply_id,)
        ).fetchone()
        conn.execute(
            "INSERT INTO events (at, batch, comment_id, reply_id, action, detail)"
            " VALUES (?, 0, ?, ?, ?, ?)",
            (
                self.now(),
                comment[0] if comment else None,
                reply_id if comment else None,
                f"outbox:{state}",
                json.dumps(detail),
            ),
        )

    def _reply_in(self, conn: sqlite3.Connection, reply_id: int) -> Reply:
        row = conn.execute(
            f"SELECT {REPLY_COLUMNS} FROM replies r WHERE r.id = ?", (reply_id,)
        ).fetchone()
        if row is None:
            raise ReplyError(f"no reply with id {reply_id}")
        return reply_from_row(row)

    def _withdrawable(self, conn: sqlite3.Connection, reply_id: int, verb: str) -> Reply:
        reply = self._reply_in(conn, reply_id)
        if reply.state is ReplyState.DRAFT:
            raise ReplyError(f"reply {reply_id} is already a draft")
        if reply.state in (ReplyState.SENDING, ReplyState.SENT):
            raise ReplyError(f"reply {reply_id} is {reply.state.value}: too late to {verb} it")
        if reply.maybe_sent:
            raise ReplyError(
                f"reply {reply_id} may already be on the network (an attempt went"
                " unanswered); the next send looks for it there first"
            )
        return reply

    def _reply_or_fail(self, reply_id: int) -> Reply:
        reply = self.reply(reply_id)  # type: ignore[attr-defined]
        if reply is None:
            raise ReplyError(f"no reply with id {reply_id}")
        return reply
