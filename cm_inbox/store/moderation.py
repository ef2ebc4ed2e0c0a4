"""What the triage keys ask of the networks, and what the networks answered.

A key press changes the inbox at once (and ``u`` takes it back); the network
hears of it at a later sync, once the undo window has passed, and only for
marks made while the comment's account was connected:

- spam: the user's spam mark (``!``; a triage rule's never leaves the app),
  while the comment is still spam;
- hide: the user's ``H``;
- read: the user closed the comment (done, spam, hide, an escalation closed, or
  a reply of ours sent under it).

Triggers on the events table keep ``moderation_due``: a row per comment and
action owed, added by the mark (unless the network already answered that
action), taken back by its undo. Each action is done once per comment: the
network's answer is an event of batch 0 (``network:<action>``), outside the
undo stack. ``network:spam-reported``, written by versions before this one,
counts as the spam action's answer.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

from cm_inbox.store.base import StoreBase

if TYPE_CHECKING:
    from cm_inbox.store.results import DueAction, NetworkOutcome, Reach


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
# The events that record the network's answer to each action, old spellings included.
_ANSWERS = {
    "network:spam": "spam",
    "network:spam-reported": "spam",
    "network:hide": "hide",
    "network:read": "read",
}


class ModerationMixin(StoreBase):
    def moderation_due(
        self, account_id: int, actions: Collection[str], older_than: int, limit: int = 50
    ) -> list[DueAction]:
        """Actions among ``actions`` the account's network is owed: spam first, then
        hide, then read, each by comment.

        Only marks made before ``older_than`` (now minus the undo window) count,
        so a key taken back with ``u`` in time never reaches the network. What
        this network cannot do (``actions`` leaves it out) is forgotten here.
        """
        from cm_inbox.store.results import DueAction

        wanted = [action for action in ACTIONS if action in actions]
        with self.db.transaction() as conn:
            others = ",".join(f"'{action}'" for action in wanted) or "''"
            conn.execute(
                f"DELETE FROM moderation_due WHERE account_id = ? AND action NOT IN ({others})",
                (account_id,),
            )
            row = conn.execute(
                "SELECT coalesce(connected_at, 0) FROM accounts WHERE id = ?", (account_id,)
            ).fetchone()
            connected = row[0] if row else 0
            found: list[DueAction] = []
            for action in wanted:
                if len(found) >= limit:
                    break
                # One range of the primary key: this account's rows for this action.
                rows = conn.execute(
                    "SELECT d.comment_id, c.remote_id, c.extra"
                    " FROM moderation_due d JOIN comments c ON c.id = d.comment_id"
                    " WHERE d.account_id = :account AND d.action = :action"
                    " AND d.marked_at <= :before"
                    + (" AND c.status = 'spam'" if action == "spam" else "")
                    + " AND EXISTS (SELECT 1 FROM events m WHERE m.comment_id = d.comment_id"
                    f" AND m.undone_at IS NULL AND m.at <= :before AND {_MARKS[action]})"
                    " ORDER BY d.comment_id LIMIT :limit",
                    {
                        "account": account_id,
                        "action": action,
                        "before": older_than,
                        "connected": connected,
                        "limit": limit - len(found),
                    },
                ).fetchall()
                found += [DueAction(row[0], row[1], _extra(row[2]), action) for row in rows]
        return found

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
                "DELETE FROM moderation_due WHERE action = ? AND comment_id = ?"
                " AND account_id = (SELECT account_id FROM comments WHERE id = ?)",
                (action, comment_id, comment_id),
            )

    def network_outcomes(self, comment_id: int) -> list[NetworkOutcome]:
        """What the network answered to each action asked for this comment, and the
        spam and hide marks still without an answer (outcome None), oldest first."""
        from cm_inbox.store.results import NetworkOutcome

        outcomes: dict[str, NetworkOutcome] = {}
        marked: dict[str, int] = {}
        for row in self.db.query(
            "SELECT at, action, batch, detail, undone_at FROM events WHERE comment_id = ?"
            " ORDER BY id",
            (comment_id,),
        ):
            answered = _ANSWERS.get(row["action"])
            if answered is not None and answered not in outcomes:
                detail = _extra(row["detail"])
                outcome = str(detail.get("outcome") or DONE)
                if outcome == "reported":  # the old spam report's word for it
                    outcome = DONE
                outcomes[answered] = NetworkOutcome(answered, outcome, row["at"], detail)
            elif row["action"] in ("spam", "hide") and row["batch"] and row["undone_at"] is None:
                marked[row["action"]] = row["at"]
        for action, at in marked.items():
            outcomes.setdefault(action, NetworkOutcome(action, None, at))
        return sorted(outcomes.values(), key=lambda o: o.at)

    def reach_of(self, comment_ids: Iterable[int]) -> dict[int, Reach]:
        """Where each comment came: its network, and whether its account is connected
        (only then does a triage key reach the network)."""
        from cm_inbox.store.results import Reach

        ids = list(dict.fromkeys(comment_ids))
        found: dict[int, Reach] = {}
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            for row in self.db.query(
                "SELECT c.id, a.network, a.connected FROM comments c"
                f" JOIN accounts a ON a.id = c.account_id WHERE c.id IN ({marks})",
                tuple(chunk),
            ):
                found[row[0]] = Reach(row[1], bool(row[2]))
        return found


def _extra(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
