"""What the triage keys ask of the networks, and what the networks answered.

A key press changes the inbox at once (and ``u`` takes it back); the network
hears of it at a later sync, once the undo window has passed:

- spam: the user's spam mark (``!``; a triage rule's never leaves the app),
  while the comment is still spam;
- hide: the user's ``H``;
- read: the user closed the comment (done, spam, hide, an escalation closed, or
  a reply of ours sent under it) after its account was connected.

Triggers on the events table note each such mark in ``moderation_due``;
``moderation_due`` checks every candidate against the events (a mark undone,
an answer already heard) and forgets those that will never go. Each action is
done once per comment: the network's answer is an event of batch 0
(``network:<action>``), outside the undo stack. ``network:spam-reported``,
written by versions before this one, counts as the spam action's answer.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from cm_inbox.store.base import StoreBase

ACTIONS = ("spam", "hide", "read")
# Outcomes as note_moderated records them: "done", "refused: <the network's words>",
# or "skipped: <why>" when there was nothing to act on.
DONE = "done"

# Live marks (not undone) that ask for each action, as a condition on events ``m``.
_MARKS = {
    "spam": "m.action = 'spam' AND m.batch > 0",
    "hide": "m.action = 'hide' AND m.batch > 0",
    "read": "((m.action IN ('done', 'spam', 'hide', 'escalation_close') AND m.batch > 0)"
    " OR m.action = 'outbox:sent') AND m.at >= :connected",
}
# The events that settle an action: the network's answer, old spellings included.
_ANSWERS = {
    "spam": "('network:spam', 'network:spam-reported')",
    "hide": "('network:hide')",
    "read": "('network:read')",
}


@dataclass(frozen=True, slots=True)
class DueAction:
    """One action the network is owed: the comment, what to do, and what it needs."""

    comment_id: int
    remote_id: str
    extra: dict[str, Any]
    action: str


@dataclass(frozen=True, slots=True)
class NetworkOutcome:
    """What became of one action on the network, for the thread pane.

    ``outcome`` is None while it waits for a sync (the undo window, or the
    network not reached yet).
    """

    action: str
    outcome: str | None
    at: int
    detail: dict[str, Any] = field(default_factory=dict)


class ModerationMixin(StoreBase):
    def moderation_due(
        self, account_id: int, actions: Collection[str], older_than: int, limit: int = 50
    ) -> list[DueAction]:
        """Actions among ``actions`` the account's network is owed, oldest mark first.

        Only marks made before ``older_than`` (now minus the undo window) count,
        so a key taken back with ``u`` in time never reaches the network.
        Candidates that can never go (an action this network lacks, a mark
        undone, an answer already recorded, a comment closed before the account
        was connected) are forgotten here.
        """
        wanted = [action for action in ACTIONS if action in actions]
        with self.db.transaction() as conn:
            connected = self._connected_at(conn, account_id)
            self._forget_settled(conn, account_id, wanted, connected)
            found: list[DueAction] = []
            for action in wanted:
                if len(found) >= limit:
                    break
                rows = conn.execute(
                    "SELECT d.comment_id, c.remote_id, c.extra, d.marked_at"
                    " FROM moderation_due d JOIN comments c ON c.id = d.comment_id"
                    " WHERE d.action = :action AND c.account_id = :account"
                    + (" AND c.status = 'spam'" if action == "spam" else "")
                    + " AND EXISTS (SELECT 1 FROM events m WHERE m.comment_id = d.comment_id"
                    f" AND m.undone_at IS NULL AND m.at <= :before AND {_MARKS[action]})"
                    " ORDER BY d.marked_at, d.comment_id LIMIT :limit",
                    {
                        "action": action,
                        "account": account_id,
                        "before": older_than,
                        "connected": connected,
                        "limit": limit - len(found),
                    },
                ).fetchall()
                found += [DueAction(row[0], row[1], _extra(row[2]), action) for row in rows]
        return found

    def _connected_at(self, conn: sqlite3.Connection, account_id: int) -> int:
        row = conn.execute(
            "SELECT coalesce(connected_at, 0) FROM accounts WHERE id = ?", (account_id,)
        ).fetchone()
        return row[0] if row else 0

    def _forget_settled(
        self, conn: sqlite3.Connection, account_id: int, wanted: list[str], connected: int
    ) -> None:
        """Drop the account's candidates that will never go to its network."""
        others = ",".join(f"'{action}'" for action in wanted) or "''"
        params = {"account": account_id, "connected": connected}
        of_account = (
            "EXISTS (SELECT 1 FROM comments c WHERE c.id = d.comment_id"
            " AND c.account_id = :account)"
        )
        conn.execute(
            f"DELETE FROM moderation_due AS d WHERE {of_account} AND (d.action NOT IN ({others})"
            " OR EXISTS (SELECT 1 FROM comments c WHERE c.id = d.comment_id AND c.is_ours))",
            params,
        )
        for action in wanted:
            conn.execute(
                f"DELETE FROM moderation_due AS d WHERE d.action = '{action}' AND {of_account}"
                " AND (EXISTS (SELECT 1 FROM events o WHERE o.comment_id = d.comment_id"
                f"             AND o.action IN {_ANSWERS[action]})"
                "      OR NOT EXISTS (SELECT 1 FROM events m WHERE m.comment_id = d.comment_id"
                f"             AND m.undone_at IS NULL AND {_MARKS[action]}))",
                params,
            )

    def note_moderated(self, comment_id: int, action: str, outcome: str) -> None:
        """Record the network's answer to ``action`` on the comment, so it is asked once.

        ``outcome``: "done", "refused: <reason>" or "skipped: <reason>". Batch
        0: what the app did on its own, never the user's to undo.
        """
        if action not in ACTIONS:
            raise ValueError(f"unknown moderation action {action!r}")
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO events (at, batch, comment_id, action, detail) VALUES (?, 0, ?, ?, ?)",
                (self.now(), comment_id, f"network:{action}", json.dumps({"outcome": outcome})),
            )
            conn.execute(
                "DELETE FROM moderation_due WHERE comment_id = ? AND action = ?",
                (comment_id, action),
            )

    def network_outcomes(self, comment_id: int) -> list[NetworkOutcome]:
        """Each action asked of the network for this comment and what became of it,
        the still-waiting ones with no outcome, in the order they were asked."""
        answered: dict[str, NetworkOutcome] = {}
        for row in self.db.query(
            "SELECT at, action, detail FROM events WHERE comment_id = ?"
            " AND action IN ('network:spam', 'network:spam-reported', 'network:hide',"
            " 'network:read') ORDER BY id",
            (comment_id,),
        ):
            action = "spam" if row["action"] == "network:spam-reported" else row["action"][8:]
            detail = _extra(row["detail"])
            outcome = str(detail.get("outcome") or DONE)
            if outcome == "reported":  # the old spam report's word for it
                outcome = DONE
            answered.setdefault(action, NetworkOutcome(action, outcome, row["at"], detail))
        waiting: list[NetworkOutcome] = []
        for action in ACTIONS:
            if action in answered:
                continue
            row = self.db.query_one(
                "SELECT d.marked_at FROM moderation_due d JOIN comments c ON c.id = d.comment_id"
                " JOIN accounts a ON a.id = c.account_id"
                " WHERE d.comment_id = :comment AND d.action = :action"
                " AND EXISTS (SELECT 1 FROM events m WHERE m.comment_id = d.comment_id"
                f" AND m.undone_at IS NULL AND {_MARKS[action]})".replace(
                    ":connected", "coalesce(a.connected_at, 0)"
                ),
                {"comment": comment_id, "action": action},
            )
            if row is not None:
                waiting.append(NetworkOutcome(action, None, row[0]))
        return sorted([*answered.values(), *waiting], key=lambda o: o.at)

    def networks_of(self, comment_ids: Iterable[int]) -> dict[int, str]:
        """The network of each comment (by the account it came to)."""
        ids = list(dict.fromkeys(comment_ids))
        found: dict[int, str] = {}
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            for row in self.db.query(
                f"SELECT c.id, a.network FROM comments c JOIN accounts a ON a.id = c.account_id"
                f" WHERE c.id IN ({marks})",
                tuple(chunk),
            ):
                found[row[0]] = row[1]
        return found


def _extra(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
