"""Triage actions and their undo, recorded in the events table.

Every action a user takes is one *batch* of events (one per comment touched),
written in the same transaction as the change itself. Each event keeps the
fields it changed, before and after, so undo restores exactly what was there,
and the same rows later give response-time statistics.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from cm_inbox.model import Status
from cm_inbox.store.base import StoreBase
from cm_inbox.store.escalations import STEP_WORDS

if TYPE_CHECKING:
    from cm_inbox.store.results import UndoResult


# System events (a snooze coming due) are history, not user actions to undo.
SYSTEM_ACTIONS = ("wake",)
# Actions whose stored name is not a word to show ("Undid closing on 1 comment").
ACTION_WORDS = STEP_WORDS


class TriageMixin(StoreBase):
    def _new_batch(self, conn: sqlite3.Connection) -> int:
        return conn.execute("SELECT coalesce(max(batch), 0) + 1 FROM events").fetchone()[0]

    def _event(
        self,
        conn: sqlite3.Connection,
        batch: int,
        action: str,
        comment_id: int | None,
        before: dict | None = None,
        after: dict | None = None,
        detail: dict | None = None,
        reply_id: int | None = None,
    ) -> None:
        conn.execute(
            "INSERT INTO events (at, batch, comment_id, reply_id, action, before, after, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.now(),
                batch,
                comment_id,
                reply_id,
                action,
                json.dumps(before) if before is not None else None,
                json.dumps(after) if after is not None else None,
                json.dumps(detail) if detail is not None else None,
            ),
        )

    def _status_rows(self, conn: sqlite3.Connection, ids: Sequence[int]) -> list[sqlite3.Row]:
        # In chunks: SQLite caps the number of parameters of one statement.
        rows: list[sqlite3.Row] = []
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            rows += conn.execute(
                f"SELECT id, status, snoozed_until FROM comments WHERE id IN ({marks})",
                tuple(chunk),
            ).fetchall()
        return rows

    def set_status(
        self,
        ids: Iterable[int],
        status: Status,
        *,
        action: str | None = None,
        snoozed_until: int | None = None,
        detail: dict | None = None,
    ) -> int:
        """Move comments to ``status`` as one undoable action; returns its batch."""
        ids = list(dict.fromkeys(ids))
        if not ids:
            return 0
        until = snoozed_until if status is Status.SNOOZED else None
        with self.db.transaction() as conn:
            batch = self._new_batch(conn)
            for row in self._status_rows(conn, ids):
                before = {"status": row["status"], "snoozed_until": row["snoozed_until"]}
                after = {"status": status.value, "snoozed_until": until}
                conn.execute(
                    "UPDATE comments SET status = ?, snoozed_until = ? WHERE id = ?",
                    (status.value, until, row["id"]),
                )
                self._event(conn, batch, action or status.value, row["id"], before, after, detail)
        return batch

    def snooze(self, ids: Iterable[int], until: int) -> int:
        """Hide comments until ``until`` (Unix seconds); they come back as new."""
        return self.set_status(ids, Status.SNOOZED, action="snooze", snoozed_until=until)

    def wake_due_snoozes(self) -> list[int]:
        """Return snoozed comments whose time has come to the inbox."""
        now = self.now()
        with self.db.transaction() as conn:
            due = [
                row[0]
                for row in conn.execute(
                    "SELECT id FROM comments WHERE status = 'snoozed' AND snoozed_until <= ?",
                    (now,),
                )
            ]
            if not due:
                return []
            batch = self._new_batch(conn)
            for comment_id in due:
                conn.execute(
                    "UPDATE comments SET status = 'new', snoozed_until = NULL WHERE id = ?",
                    (comment_id,),
                )
                self._event(conn, batch, "wake", comment_id, None, {"status": "new"})
        return due

    def escalate(
        self,
        ids: Iterable[int],
        team: str,
        note: str = "",
        severity: str | None = None,
        *,
        notify: bool = False,
    ) -> int:
        """Hand comments to a team, with a note; one undoable action.

        ``notify``: the team has a webhook, so a message to it is queued in the
        same transaction (a crash right after cannot lose it).
        """
        ids = list(dict.fromkeys(ids))
        if not ids:
            return 0
        now = self.now()
        with self.db.transaction() as conn:
            batch = self._new_batch(conn)
            for row in self._status_rows(conn, ids):
                escalation_id = conn.execute(
                    "INSERT INTO escalations (comment_id, team, severity, note, state, created_at,"
                    " updated_at) VALUES (?, ?, ?, ?, 'open', ?, ?) RETURNING id",
                    (row["id"], team, severity, note, now, now),
                ).fetchone()[0]
                if notify:
                    self._queue_delivery(conn, escalation_id, team)  # type: ignore[attr-defined]
                conn.execute(
                    "UPDATE comments SET status = 'escalated', snoozed_until = NULL WHERE id = ?",
                    (row["id"],),
                )
                self._event(
                    conn,
                    batch,
                    "escalate",
                    row["id"],
                    {"status": row["status"], "snoozed_until": row["snoozed_until"]},
                    {"status": "escalated", "snoozed_until": None},
                    {
                        "team": team,
                        "note": note,
                        "severity": severity,
                        "escalation_id": escalation_id,
                    },
                )
        return batch

    def labels_of(self, comment_id: int) -> list[str]:
        rows = self.db.query(
            "SELECT label FROM comment_labels WHERE comment_id = ? ORDER BY label", (comment_id,)
        )
        return [row[0] for row in rows]

    def all_labels(self) -> list[str]:
        """Every label in use, for pickers and filters."""
        return [
            row[0]
            for row in self.db.query("SELECT DISTINCT label FROM comment_labels ORDER BY label")
        ]

    def change_labels(
        self, ids: Iterable[int], add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> int:
        """Add and remove labels on comments, as one undoable action."""
        ids = list(dict.fromkeys(ids))
        add = sorted({label.strip() for label in add if label.strip()})
        remove = sorted({label.strip() for label in remove if label.strip()})
        if not ids or not (add or remove):
            return 0
        with self.db.transaction() as conn:
            batch = self._new_batch(conn)
            for comment_id in ids:
                before = self._labels_in(conn, comment_id)
                after = sorted((set(before) | set(add)) - set(remove))
                if before == after:
                    continue
                self._write_labels(conn, comment_id, after)
                self._event(conn, batch, "label", comment_id, {"labels": before}, {"labels": after})
        return batch

    def _labels_in(self, conn: sqlite3.Connection, comment_id: int) -> list[str]:
        rows = conn.execute(
            "SELECT label FROM comment_labels WHERE comment_id = ? ORDER BY label", (comment_id,)
        )
        return [row[0] for row in rows]

    def _write_labels(self, conn: sqlite3.Connection, comment_id: int, labels: list[str]) -> None:
        conn.execute("DELETE FROM comment_labels WHERE comment_id = ?", (comment_id,))
        conn.executemany(
            "INSERT INTO comment_labels (comment_id, label) VALUES (?, ?)",
            [(comment_id, label) for label in labels],
        )

    def undo_last(self) -> UndoResult | None:
        """Undo the most recent user action not yet undone; None when there is none.

        Undo goes back one batch at a time, so pressing it again undoes the
        action before. A reply that has already left cannot be unsent: its
        batch is skipped with the rest restored.
        """
        from cm_inbox.store.results import UndoResult

        with self.db.transaction() as conn:
            marks = ",".join("?" * len(SYSTEM_ACTIONS))
            row = conn.execute(
                # Batch 0 holds what the outbox did on its own: not the user's to undo.
                f"SELECT max(batch) FROM events WHERE undone_at IS NULL AND batch > 0"
                f" AND action NOT IN ({marks})",
                SYSTEM_ACTIONS,
            ).fetchone()
            if row is None or row[0] is None:
                return None
            batch = row[0]
            events = conn.execute(
                "SELECT * FROM events WHERE batch = ? ORDER BY id DESC", (batch,)
            ).fetchall()
            # A dict keeps first-seen order and finds repeats at once: a batch
            # can hold every comment of a million-row view.
            comment_ids: dict[int, None] = {}
            reply_ids: list[int] = []
            left = self._replies_already_out(conn, events)
            if left:
                conn.execute("UPDATE events SET undone_at = ? WHERE batch = ?", (self.now(), batch))
                return UndoResult(
                    action="reply",
                    comment_ids=(),
                    reply_ids=tuple(left),
                    refused="the reply has already been sent",
                )
            for event in events:
                self._undo_event(conn, event)
                if event["comment_id"] is not None:
                    comment_ids.setdefault(event["comment_id"])
                if event["reply_id"] is not None:
                    reply_ids.append(event["reply_id"])
            conn.execute("UPDATE events SET undone_at = ? WHERE batch = ?", (self.now(), batch))
        action = events[-1]["action"] if events else "action"
        if action.startswith("rule:") and any(e["action"] != action for e in events):
            action = "rules"  # a reapply: several rules in one batch
        return UndoResult(
            action=action, comment_ids=tuple(reversed(comment_ids)), reply_ids=tuple(reply_ids)
        )

    def _replies_already_out(
        self, conn: sqlite3.Connection, events: list[sqlite3.Row]
    ) -> list[int]:
        ids = [
            e["reply_id"] for e in events if e["action"] == "reply" and e["reply_id"] is not None
        ]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = conn.execute(
            f"SELECT id FROM replies WHERE id IN ({marks})"
            " AND (state IN ('sending', 'sent') OR maybe_sent)",
            ids,
        ).fetchall()
        return [row[0] for row in rows]

    def _undo_event(self, conn: sqlite3.Connection, event: sqlite3.Row) -> None:
        before = json.loads(event["before"]) if event["before"] else {}
        detail = json.loads(event["detail"]) if event["detail"] else {}
        if "status" in before:
            conn.execute(
                "UPDATE comments SET status = ?, snoozed_until = ? WHERE id = ?",
                (before["status"], before.get("snoozed_until"), event["comment_id"]),
            )
        if "labels" in before:
            self._write_labels(conn, event["comment_id"], before["labels"])
        if "priority" in before:  # set or raised by a triage rule
            conn.execute(
                "UPDATE comments SET priority = ? WHERE id = ?",
                (before["priority"], event["comment_id"]),
            )
        if "escalation_id" in detail and event["action"] not in STEP_WORDS:  # escalate, rule:*
            self._withdraw_escalation(conn, detail["escalation_id"])  # type: ignore[attr-defined]
        elif event["action"] in STEP_WORDS:
            self._undo_escalation_step(conn, event, before, detail)  # type: ignore[attr-defined]
        if event["action"] == "reply" and event["reply_id"] is not None:
            # Back to a draft the composer reopens; a reply already out stays out.
            # A failed one has not left either: left failed, a sender could retry it.
            conn.execute(
                "DELETE FROM replies WHERE comment_id = ? AND state = 'draft' AND id != ?",
                (event["comment_id"], event["reply_id"]),
            )
            conn.execute(
                "UPDATE replies SET state = 'draft', queued_at = NULL, error = NULL,"
                " next_attempt_at = NULL, updated_at = ?"
                " WHERE id = ? AND state IN ('queued', 'failed') AND NOT maybe_sent",
                (self.now(), event["reply_id"]),
            )

    def history(self, comment_id: int) -> list[sqlite3.Row]:
        """The events of one comment, oldest first."""
        return self.db.query(
            "SELECT at, action, before, after, detail, undone_at FROM events"
            " WHERE comment_id = ? ORDER BY id",
            (comment_id,),
        )
