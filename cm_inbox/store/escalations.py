"""Escalations after the hand-off: the team's answer, notes, closing, and their undo.

    open (with the team) -> answered (its answer recorded) -> closed
                 \\-> withdrawn (the escalation itself undone)

Each step is one user action (a batch of events, like every triage key), so
``u`` takes it back. Closing an escalation moves its comment out of the
Escalated view (to Handled) unless another escalation of it is still active.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from cm_inbox.model import Comment
from cm_inbox.store.base import StoreBase
from cm_inbox.store.escalation_rows import (
    ESCALATION_COLUMNS,
    EscalationError,
    delivery_from_row,
    escalation_from_row,
)
from cm_inbox.store.rows import COMMENT_COLUMNS, COMMENT_JOINS, comment_from_row

if TYPE_CHECKING:
    from cm_inbox.model.escalations import Escalation, EscalationNote, WebhookDelivery


ACTIVE = ("open", "answered")
# What ``undo`` says it undid, in words.
STEP_WORDS = {
    "escalation_answer": "the team's answer",
    "escalation_note": "the note",
    "escalation_close": "closing",
}


class EscalationsMixin(StoreBase):
    # -- reading ----------------------------------------------------------------

    def escalation(self, escalation_id: int) -> Escalation | None:
        """One escalation with its notes and deliveries."""
        found = self._escalations_where("e.id = ?", (escalation_id,))
        return found[0] if found else None

    def escalation_records(self, comment_id: int) -> list[Escalation]:
        """Every escalation of a comment, newest first, with notes and deliveries."""
        return self._escalations_where("e.comment_id = ?", (comment_id,))

    def active_escalations(self, comment_ids: Iterable[int]) -> dict[int, Escalation]:
        """The newest open or answered escalation of each comment that has one."""
        ids = list(dict.fromkeys(comment_ids))
        found: dict[int, Escalation] = {}
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            for escalation in self._escalations_where(
                f"e.comment_id IN ({marks}) AND e.state IN ('open', 'answered')", tuple(chunk)
            ):
                found.setdefault(escalation.comment_id, escalation)
        return found

    def escalation_summaries(self, comment_ids: Sequence[int]) -> dict[int, Escalation]:
        """For queue rows: each comment's newest escalation that was not undone,
        with only its latest delivery (one query whatever the page size)."""
        if not comment_ids:
            return {}
        marks = ",".join("?" * len(comment_ids))
        rows = self.db.query(
            f"""
            SELECT {ESCALATION_COLUMNS}, d.id AS d_id FROM escalations e
            LEFT JOIN webhook_deliveries d ON d.id = (
                SELECT max(id) FROM webhook_deliveries WHERE escalation_id = e.id)
            WHERE e.id IN (
                SELECT max(id) FROM escalations
                WHERE comment_id IN ({marks}) AND state != 'withdrawn' GROUP BY comment_id)
            """,
            tuple(comment_ids),
        )
        deliveries = self._deliveries_by_id([row["d_id"] for row in rows if row["d_id"]])
        return {
            row["comment_id"]: escalation_from_row(
                row, deliveries=[deliveries[row["d_id"]]] if row["d_id"] in deliveries else []
            )
            for row in rows
        }

    def list_escalations(
        self, *, unclosed: bool = False, limit: int | None = None
    ) -> list[tuple[Escalation, Comment]]:
        """Escalations that were not undone, newest first, each with its comment
        (``unclosed``: only those still open or answered)."""
        states = ACTIVE if unclosed else (*ACTIVE, "closed")
        marks = ",".join("?" * len(states))
        escalations = self._escalations_where(f"e.state IN ({marks})", states, limit=limit)
        comments = self._comments_by_id([e.comment_id for e in escalations])
        return [(e, comments[e.comment_id]) for e in escalations if e.comment_id in comments]

    def _escalations_where(
        self, clause: str, params: tuple, *, limit: int | None = None
    ) -> list[Escalation]:
        from cm_inbox.model.escalations import EscalationNote

        rows = self.db.query(
            f"SELECT {ESCALATION_COLUMNS} FROM escalations e WHERE {clause}"
            " ORDER BY e.id DESC" + (f" LIMIT {int(limit)}" if limit else ""),
            params,
        )
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        notes: dict[int, list[EscalationNote]] = {}
        deliveries: dict[int, list[WebhookDelivery]] = {}
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            for row in self.db.query(
                "SELECT id, escalation_id, kind, text, created_at FROM escalation_notes"
                f" WHERE escalation_id IN ({marks}) ORDER BY id",
                tuple(chunk),
            ):
                notes.setdefault(row["escalation_id"], []).append(EscalationNote(*row))
            for row in self.db.query(
                f"SELECT * FROM webhook_deliveries WHERE escalation_id IN ({marks}) ORDER BY id",
                tuple(chunk),
            ):
                deliveries.setdefault(row["escalation_id"], []).append(delivery_from_row(row))
        return [
            escalation_from_row(row, notes.get(row["id"], ()), deliveries.get(row["id"], ()))
            for row in rows
        ]

    def _deliveries_by_id(self, ids: Sequence[int]) -> dict[int, WebhookDelivery]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.query(f"SELECT * FROM webhook_deliveries WHERE id IN ({marks})", tuple(ids))
        return {row["id"]: delivery_from_row(row) for row in rows}

    def _comments_by_id(self, ids: Sequence[int]) -> dict[int, Comment]:
        found: dict[int, Comment] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), 900):
            chunk = unique[start : start + 900]
            marks = ",".join("?" * len(chunk))
            for row in self.db.query(
                f"SELECT {COMMENT_COLUMNS} FROM comments c {COMMENT_JOINS} WHERE c.id IN ({marks})",
                tuple(chunk),
            ):
                found[row["id"]] = comment_from_row(row)
        return found

    def record_past_escalation(
        self,
        comment_id: int,
        team: str,
        *,
        severity: str | None,
        note: str,
        created_at: int,
        answer: str | None = None,
        answered_at: int | None = None,
    ) -> int:
        """An escalation that happened before this inbox knew of it (the demo's
        history): written as it was, with no event, so ``undo`` never takes it
        back and no team's chat is told again."""
        state = "answered" if answer else "open"
        with self.db.transaction() as conn:
            escalation_id = conn.execute(
                "INSERT INTO escalations (comment_id, team, severity, note, state, created_at,"
                " updated_at, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (comment_id, team, severity, note, state, created_at,
                 answered_at or created_at, answered_at if answer else None),
            ).fetchone()[0]  # fmt: skip
            if answer:
                conn.execute(
                    "INSERT INTO escalation_notes (escalation_id, kind, text, created_at)"
                    " VALUES (?, 'answer', ?, ?)",
                    (escalation_id, answer, answered_at or created_at),
                )
        return escalation_id

    # -- the steps ------------------------------------------------------------------

    def answer_escalations(self, escalation_ids: Iterable[int], answer: str) -> int:
        """Record the team's answer: the escalation becomes ``answered``. One undoable action."""
        return self._step(escalation_ids, "escalation_answer", answer)

    def note_escalations(self, escalation_ids: Iterable[int], note: str) -> int:
        """Add a note (any time, closed or not); the state does not change. One undoable action."""
        return self._step(escalation_ids, "escalation_note", note)

    def close_escalations(self, escalation_ids: Iterable[int], note: str = "") -> int:
        """Close escalations (with an optional last note); their comments leave the
        Escalated view for Handled unless another escalation of theirs is still active."""
        return self._step(escalation_ids, "escalation_close", note)

    def close_escalated_comments(self, comment_ids: Iterable[int]) -> int:
        """Finish with comments: close every open or answered escalation of each,
        and move them to Handled, those escalated without a record too (an import
        or the demo can set the status alone). One undoable action."""
        ids = list(dict.fromkeys(comment_ids))
        if not ids:
            return 0
        now = self.now()
        with self.db.transaction() as conn:
            batch = self._new_batch(conn)  # type: ignore[attr-defined]
            for comment_id in ids:
                rows = conn.execute(
                    "SELECT id, comment_id, team, state, answered_at, closed_at FROM escalations"
                    " WHERE comment_id = ? AND state IN ('open', 'answered') ORDER BY id",
                    (comment_id,),
                ).fetchall()
                for row in rows:
                    self._apply_step(conn, batch, row, "escalation_close", "", now)
                if not rows:
                    self._close_bare(conn, batch, comment_id)
        return batch

    def _close_bare(self, conn: sqlite3.Connection, batch: int, comment_id: int) -> None:
        current = conn.execute(
            "SELECT status, snoozed_until FROM comments WHERE id = ?", (comment_id,)
        ).fetchone()
        if current is None or current["status"] != "escalated":
            return
        conn.execute("UPDATE comments SET status = 'done' WHERE id = ?", (comment_id,))
        self._event(  # type: ignore[attr-defined]
            conn,
            batch,
            "escalation_close",
            comment_id,
            {"status": current["status"], "snoozed_until": current["snoozed_until"]},
            {"status": "done", "snoozed_until": None},
            {"escalation_id": None},
        )

    def _step(self, escalation_ids: Iterable[int], action: str, text: str) -> int:
        ids = list(dict.fromkeys(escalation_ids))
        text = text.strip()
        if not ids:
            return 0
        if action != "escalation_close" and not text:
            raise EscalationError(
                "the note is empty" if action == "escalation_note" else "the answer is empty"
            )
        now = self.now()
        with self.db.transaction() as conn:
            rows = [self._escalation_row(conn, escalation_id) for escalation_id in ids]
            for row in rows:
                _check_step(row, action)
            batch = self._new_batch(conn)  # type: ignore[attr-defined]
            for row in rows:
                self._apply_step(conn, batch, row, action, text, now)
        return batch

    def _apply_step(
        self,
        conn: sqlite3.Connection,
        batch: int,
        row: sqlite3.Row,
        action: str,
        text: str,
        now: int,
    ) -> None:
        before: dict = {
            "escalation_state": row["state"],
            "answered_at": row["answered_at"],
            "closed_at": row["closed_at"],
        }
        state, answered_at, closed_at = row["state"], row["answered_at"], row["closed_at"]
        if action == "escalation_answer":
            state, answered_at = "answered", answered_at or now
        elif action == "escalation_close":
            state, closed_at = "closed", now
        after: dict = {
            "escalation_state": state,
            "answered_at": answered_at,
            "closed_at": closed_at,
        }
        note_id = None
        if text:
            kind = "answer" if action == "escalation_answer" else "note"
            note_id = conn.execute(
                "INSERT INTO escalation_notes (escalation_id, kind, text, created_at)"
                " VALUES (?, ?, ?, ?) RETURNING id",
                (row["id"], kind, text, now),
            ).fetchone()[0]
        conn.execute(
            "UPDATE escalations SET state = ?, answered_at = ?, closed_at = ?, updated_at = ?"
            " WHERE id = ?",
            (state, answered_at, closed_at, now, row["id"]),
        )
        if action == "escalation_close":
            comment = conn.execute(
                "SELECT status, snoozed_until FROM comments WHERE id = ?", (row["comment_id"],)
            ).fetchone()
            others = conn.execute(
                "SELECT 1 FROM escalations WHERE comment_id = ? AND id != ?"
                " AND state IN ('open', 'answered')",
                (row["comment_id"], row["id"]),
            ).fetchone()
            if comment is not None and comment["status"] == "escalated" and others is None:
                conn.execute(
                    "UPDATE comments SET status = 'done', snoozed_until = NULL WHERE id = ?",
                    (row["comment_id"],),
                )
                before |= {"status": comment["status"], "snoozed_until": comment["snoozed_until"]}
                after |= {"status": "done", "snoozed_until": None}
        self._event(  # type: ignore[attr-defined]
            conn,
            batch,
            action,
            row["comment_id"],
            before,
            after,
            {"escalation_id": row["id"], "team": row["team"], "note_id": note_id, "text": text},
        )

    def _escalation_row(self, conn: sqlite3.Connection, escalation_id: int) -> sqlite3.Row:
        row = conn.execute(
            "SELECT id, comment_id, team, state, answered_at, closed_at FROM escalations"
            " WHERE id = ?",
            (escalation_id,),
        ).fetchone()
        if row is None:
            raise EscalationError(f"no escalation with id {escalation_id}")
        return row

    # -- undo ---------------------------------------------------------------------------

    def _withdraw_escalation(self, conn: sqlite3.Connection, escalation_id: int) -> None:
        """Undo of the escalation itself: withdrawn, and its team told if it had been."""
        conn.execute(
            "UPDATE escalations SET state = 'withdrawn', updated_at = ? WHERE id = ?",
            (self.now(), escalation_id),
        )
        self._recall_deliveries(conn, escalation_id)  # type: ignore[attr-defined]

    def _undo_escalation_step(
        self, conn: sqlite3.Connection, event: sqlite3.Row, before: dict, detail: dict
    ) -> None:
        """Put an escalation back as it was before an answer, a note or a closing.

        The comment's status, when the step changed it, is restored by the
        generic undo from the same event.
        """
        if detail.get("note_id") is not None:
            conn.execute("DELETE FROM escalation_notes WHERE id = ?", (detail["note_id"],))
        if "escalation_state" in before and detail.get("escalation_id") is not None:
            conn.execute(
                "UPDATE escalations SET state = ?, answered_at = ?, closed_at = ?, updated_at = ?"
                " WHERE id = ?",
                (
                    before["escalation_state"],
                    before.get("answered_at"),
                    before.get("closed_at"),
                    self.now(),
                    detail["escalation_id"],
                ),
            )


def _check_step(row: sqlite3.Row, action: str) -> None:
    state = row["state"]
    words = {"escalation_answer": "answered", "escalation_close": "closed"}
    if state == "withdrawn":
        raise EscalationError(f"escalation {row['id']} was withdrawn (undone)")
    if action in words and state == "closed":
        raise EscalationError(
            f"escalation {row['id']} is already closed; it cannot be {words[action]}"
        )
