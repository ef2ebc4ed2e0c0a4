"""Webhook deliveries: a queue in the database, retried with backoff, never lost.

    pending -> sending -> delivered
                  \\-> pending again at next_attempt_at (no connection, 5xx, 429: it did not land)
                  \\-> failed (a 4xx: refused for good; waits for the user to send it again)
                  \\-> unsure (it went out and no answer was heard)
    pending -> cancelled (the escalation was undone before anything reached the team)

A webhook takes no idempotency key, so nothing can tell a second POST from a
new message. The queue is therefore at-least-once only where an attempt is
known not to have landed, and at-most-once where that is unknown: a timeout
waiting for the answer, or a sender that died between its POST and writing the
result, leaves the delivery ``unsure``, shown to the user and resent only when
they say so. A delivery that was answered is recorded in the same breath and
never sent again.

Each transition is one transaction and one event (batch 0: what the app did on
its own, never the user's to undo). A sender claims a delivery with a lease, as
the outbox does, so the app and ``cm-inbox escalations deliver`` never post the
same one; a claim whose sender died (gone from this machine, or its lease run
out) becomes ``unsure``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cm_inbox.store.base import StoreBase
from cm_inbox.store.escalation_rows import EscalationError, delivery_from_row
from cm_inbox.store.sending import LEASE_S

if TYPE_CHECKING:
    from cm_inbox.model.escalations import WebhookDelivery


LOST_WORDS = "cm-inbox stopped while sending"


class DeliveriesMixin(StoreBase):
    def _queue_delivery(
        self, conn: sqlite3.Connection, escalation_id: int, team: str, kind: str = "escalated"
    ) -> int:
        now = self.now()
        delivery_id = conn.execute(
            "INSERT INTO webhook_deliveries (escalation_id, kind, team, state, created_at,"
            " updated_at) VALUES (?, ?, ?, 'pending', ?, ?) RETURNING id",
            (escalation_id, kind, team, now, now),
        ).fetchone()[0]
        self._delivery_event(conn, delivery_id, "queued", {"kind": kind})
        return delivery_id

    def delivery(self, delivery_id: int) -> WebhookDelivery | None:
        row = self.db.query_one("SELECT * FROM webhook_deliveries WHERE id = ?", (delivery_id,))
        return delivery_from_row(row) if row else None

    # -- the sender's side --------------------------------------------------------

    def claim_delivery(
        self, owner: str, teams: Sequence[str], *, lease_s: int = LEASE_S
    ) -> WebhookDelivery | None:
        """Take the oldest delivery due now for one of ``teams`` (those this sender
        has a webhook for), or None. One UPDATE decides, so two senders never
        take the same. A withdrawal notice waits until its escalation's own
        message has settled, so the team never reads them out of order.
        """
        if not teams:
            return None
        now = self.now()
        marks = ",".join("?" * len(teams))
        with self.db.transaction() as conn:
            row = conn.execute(
                f"""
                UPDATE webhook_deliveries SET state = 'sending', lease_owner = ?,
                    lease_until = ?, attempts = attempts + 1, updated_at = ?
                WHERE id = (
                    SELECT d.id FROM webhook_deliveries d
                    WHERE d.state = 'pending'
                      AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ?)
                      AND d.team IN ({marks})
                      AND (d.kind = 'escalated' OR NOT EXISTS (
                          SELECT 1 FROM webhook_deliveries o
                          WHERE o.escalation_id = d.escalation_id AND o.kind = 'escalated'
                            AND o.state IN ('pending', 'sending')))
                    -- The index's order: new messages first, then retries as they fall due.
                    ORDER BY d.next_attempt_at, d.id LIMIT 1)
                RETURNING *
                """,
                (owner, now + lease_s, now, now, *teams),
            ).fetchone()
            if row is None:
                return None
            self._delivery_event(conn, row["id"], "sending", {"owner": owner})
        return delivery_from_row(row)

    def withdrawal_needed(self, escalation_id: int) -> bool:
        """Whether the escalation's own message may have reached the team (so a
        withdrawal notice has something to withdraw)."""
        row = self.db.query_one(
            "SELECT 1 FROM webhook_deliveries WHERE escalation_id = ? AND kind = 'escalated'"
            " AND state IN ('delivered', 'unsure', 'sending')",
            (escalation_id,),
        )
        return row is not None

    def delivery_done(self, delivery_id: int, *, status: int, host: str) -> None:
        """The webhook answered 2xx: delivered, for good."""
        now = self.now()
        self._settle(
            delivery_id,
            "delivered",
            "state = 'delivered', delivered_at = ?, last_status = ?, host = ?, last_error = NULL,"
            " next_attempt_at = NULL",
            (now, status, host),
            {"status": status, "host": host},
            # Even if its claim was declared lost meanwhile: the answer is the better word.
            from_states=("sending", "unsure"),
        )

    def delivery_retry(
        self,
        delivery_id: int,
        error: str,
        *,
        retry_at: int,
        status: int | None = None,
        host: str | None = None,
        attempted: bool = True,
    ) -> None:
        """It did not land (no connection, a 5xx, a 429): try again at ``retry_at``.

        ``attempted=False``: nothing was sent at all (no URL to send to yet);
        it does not count as an attempt.
        """
        self._settle(
            delivery_id,
            "retry" if attempted else "deferred",
            "state = 'pending', next_attempt_at = ?, last_error = ?, last_status = ?,"
            " host = coalesce(?, host), attempts = attempts - ?",
            (retry_at, error, status, host, 0 if attempted else 1),
            {"error": error, "retry_at": retry_at, "status": status},
        )

    def delivery_failed(
        self, delivery_id: int, error: str, *, status: int | None = None, host: str | None = None
    ) -> None:
        """Refused for good (a 4xx, a URL that cannot work): it waits for the user."""
        self._settle(
            delivery_id,
            "failed",
            "state = 'failed', next_attempt_at = NULL, last_error = ?, last_status = ?,"
            " host = coalesce(?, host)",
            (error, status, host),
            {"error": error, "status": status},
        )

    def delivery_unsure(self, delivery_id: int, error: str, *, host: str | None = None) -> None:
        """Sent, and no answer heard: it may have arrived. Never resent on its own."""
        self._settle(
            delivery_id,
            "unsure",
            "state = 'unsure', next_attempt_at = NULL, last_error = ?, host = coalesce(?, host)",
            (error, host),
            {"error": error},
        )

    def delivery_cancelled(self, delivery_id: int, reason: str) -> None:
        """No longer needed (a withdrawal notice with nothing to withdraw)."""
        self._settle(
            delivery_id,
            "cancelled",
            "state = 'cancelled', next_attempt_at = NULL, last_error = ?",
            (reason,),
            {"reason": reason},
        )

    def _settle(
        self,
        delivery_id: int,
        action: str,
        assignments: str,
        params: tuple,
        detail: dict,
        *,
        from_states: tuple[str, ...] = ("sending",),
    ) -> None:
        # Only a claimed delivery is settled: a sender whose claim was declared
        # lost (the delivery "unsure") must not overwrite what was decided since.
        marks = ",".join("?" * len(from_states))
        with self.db.transaction() as conn:
            changed = conn.execute(
                f"UPDATE webhook_deliveries SET {assignments}, lease_owner = NULL,"
                f" lease_until = NULL, updated_at = ? WHERE id = ? AND state IN ({marks})",
                (*params, self.now(), delivery_id, *from_states),
            ).rowcount
            if changed:
                self._delivery_event(conn, delivery_id, action, detail)

    def delivery_senders(self) -> list[str]:
        """Senders holding claims now (to find those whose process has died)."""
        rows = self.db.query(
            "SELECT DISTINCT lease_owner FROM webhook_deliveries"
            " WHERE state = 'sending' AND lease_owner IS NOT NULL"
        )
        return [row[0] for row in rows]

    def settle_lost_deliveries(self, dead_owners: Sequence[str] = ()) -> int:
        """Claims whose sender died mid-request (its process is gone, or its lease
        ran out) become ``unsure``: the POST may have landed, the answer was lost."""
        marks = ",".join("?" * len(dead_owners))
        with self.db.transaction() as conn:
            rows = conn.execute(
                f"""
                UPDATE webhook_deliveries SET state = 'unsure', last_error = ?,
                    next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL, updated_at = ?
                WHERE state = 'sending'
                  AND (coalesce(lease_until, 0) < ? OR lease_owner IN ({marks}))
                RETURNING id
                """,
                (LOST_WORDS, self.now(), self.now(), *dead_owners),
            ).fetchall()
            for row in rows:
                self._delivery_event(conn, row[0], "unsure", {"error": LOST_WORDS})
        return len(rows)

    def next_delivery_due(self, teams: Sequence[str]) -> int | None:
        """When the earliest waiting delivery for one of ``teams`` may go (None: none waits)."""
        if not teams:
            return None
        marks = ",".join("?" * len(teams))
        # Two reads along the (state, next_attempt_at) index, each stopping at its
        # first row: a new message is due now, else the earliest retry.
        new = self.db.query_one(
            "SELECT created_at FROM webhook_deliveries WHERE state = 'pending'"
            f" AND next_attempt_at IS NULL AND team IN ({marks}) LIMIT 1",
            tuple(teams),
        )
        if new is not None:
            return int(new[0])
        row = self.db.query_one(
            "SELECT next_attempt_at FROM webhook_deliveries WHERE state = 'pending'"
            f" AND next_attempt_at IS NOT NULL AND team IN ({marks})"
            " ORDER BY next_attempt_at LIMIT 1",
            tuple(teams),
        )
        return int(row[0]) if row is not None else None

    # -- the user's hand on it --------------------------------------------------------

    def resend_delivery(self, escalation_id: int) -> WebhookDelivery:
        """Send the escalation's failed or unsure message again, now.

        For an unsure one the user has looked in the team's channel and not
        found it: only they can know, which is why it is never resent on its own.
        """
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT id, state FROM webhook_deliveries WHERE escalation_id = ?"
                " ORDER BY id DESC LIMIT 1",
                (escalation_id,),
            ).fetchone()
            if row is None:
                exists = conn.execute(
                    "SELECT team FROM escalations WHERE id = ?", (escalation_id,)
                ).fetchone()
                if exists is None:
                    raise EscalationError(f"no escalation with id {escalation_id}")
                raise EscalationError(
                    f"escalation {escalation_id} sent nothing: {exists[0]} has no webhook"
                )
            if row["state"] not in ("failed", "unsure"):
                raise EscalationError(
                    f"the message of escalation {escalation_id} is {row['state']}:"
                    " only a failed or unsure one is sent again"
                )
            conn.execute(
                "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = NULL,"
                " updated_at = ? WHERE id = ?",
                (self.now(), row["id"]),
            )
            self._delivery_event(conn, row["id"], "resend", {"was": row["state"]})
            delivery_id = row["id"]
        found = self.delivery(delivery_id)
        assert found is not None
        return found

    def _recall_deliveries(self, conn: sqlite3.Connection, escalation_id: int) -> None:
        """The escalation is undone: drop what has not left; if something may have
        reached the team, queue a notice that it was withdrawn (a mistake admitted)."""
        rows = conn.execute(
            "SELECT id, team, state FROM webhook_deliveries WHERE escalation_id = ?"
            " AND kind = 'escalated'",
            (escalation_id,),
        ).fetchall()
        reached = None
        for row in rows:
            if row["state"] == "pending":
                conn.execute(
                    "UPDATE webhook_deliveries SET state = 'cancelled', next_attempt_at = NULL,"
                    " last_error = 'the escalation was undone', updated_at = ? WHERE id = ?",
                    (self.now(), row["id"]),
                )
                self._delivery_event(conn, row["id"], "cancelled", {"reason": "undone"})
            elif row["state"] in ("delivered", "unsure", "sending"):
                reached = row["team"]
        if reached is not None:
            self._queue_delivery(conn, escalation_id, reached, kind="withdrawn")

    def _delivery_event(
        self, conn: sqlite3.Connection, delivery_id: int, state: str, detail: dict
    ) -> None:
        row = conn.execute(
            "SELECT e.comment_id, d.escalation_id FROM webhook_deliveries d"
            " JOIN escalations e ON e.id = d.escalation_id WHERE d.id = ?",
            (delivery_id,),
        ).fetchone()
        conn.execute(
            "INSERT INTO events (at, batch, comment_id, action, detail) VALUES (?, 0, ?, ?, ?)",
            (
                self.now(),
                row["comment_id"] if row else None,
                f"webhook:{state}",
                json.dumps(
                    detail | {"delivery_id": delivery_id, "escalation_id": row[1] if row else None}
                ),
            ),
        )
