"""Triage rules written to stored comments: at ingest, and again on demand.

Each rule that changes a comment leaves one event, action ``rule:<name>``,
with the fields it changed before and after, so undo restores exactly what
was there. The events are also the rules' memory: a rule never acts twice
on a comment (a raised priority would rise again) nor redoes what the user
took back by hand, and a comment the user has acted on keeps its status.

At ingest the events go to batch 0 (what cm-inbox did on its own, kept as
history but not on the undo stack, or the user's ``u`` after a background
sync would take back the sync's rules instead of their own last action).
``reapply_rules`` is the user's own action: one batch that ``u`` undoes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from cm_inbox.model import VIEW_STATUSES, View
from cm_inbox.store.rows import split_labels
from cm_inbox.store.triage import TriageMixin
from cm_inbox.triage_rules.ruleset import RuleSet

if TYPE_CHECKING:
    from cm_inbox.store.results import RulesReport
    from cm_inbox.triage_rules.matching import Outcome, Subject


CHUNK = 500
RULE_ACTION = "rule:"

_SUBJECT_SQL = """
    SELECT c.id, acc.network, acc.name AS account, a.handle, a.followers, c.text,
        c.language, c.sentiment, c.intents, c.priority, c.status,
        (SELECT group_concat(label, char(31)) FROM comment_labels l WHERE l.comment_id = c.id)
            AS labels
    FROM comments c
    JOIN accounts acc ON acc.id = c.account_id
    JOIN authors a ON a.id = c.author_id
    WHERE c.id > ? AND NOT c.is_ours {where}
    ORDER BY c.id
    LIMIT ?
"""


def _subjects(rows: Sequence[sqlite3.Row], history: dict[int, list[str]]) -> Iterator[Subject]:
    """Each row as the rules see it."""
    # Loaded with the first comment judged: a config without rules never needs it.
    from cm_inbox.triage_rules.matching import Subject

    for row in rows:
        actions = history.get(row["id"], ())
        yield Subject(
            network=row["network"],
            account=row["account"],
            author=row["handle"],
            text=row["text"],
            language=row["language"].lower() if row["language"] else None,
            sentiment=row["sentiment"],
            intents=frozenset(i.strip() for i in row["intents"].lower().split(","))
            if row["intents"]
            else frozenset(),
            followers=row["followers"],
            labels=split_labels(row["labels"]),
            priority=row["priority"],
            status=row["status"],
            touched=any(not action.startswith(RULE_ACTION) for action in actions),
            fired=frozenset(a[len(RULE_ACTION) :] for a in actions if a.startswith(RULE_ACTION)),
        )


class RulesMixin(TriageMixin):
    _rules: RuleSet

    def use_rules(self, rules: RuleSet) -> None:
        """The rules every ingest runs on the comments it adds (``Config.rules``)."""
        self._rules = rules

    @property
    def rules(self) -> RuleSet:
        return self._rules

    def reapply_rules(
        self,
        rules: RuleSet | None = None,
        *,
        view: View = View.ALL,
        dry_run: bool = False,
        chunk: int = CHUNK,
        on_chunk: Callable[[RulesReport], None] | None = None,
    ) -> RulesReport:
        """Run ``rules`` (default: the store's) over the stored comments of ``view``.

        Comments are read in keyset chunks by id, each chunk read and written
        in its own transaction, so memory stays at one chunk and the app can
        write between chunks. All changes form one undo batch. Running it
        again changes nothing more (see the module docstring). ``dry_run``
        reads only and reports what would change.
        """
        from cm_inbox.store.results import RuleCount, RulesReport

        rules = self._rules if rules is None else rules
        report = RulesReport(
            rules={rule.name: RuleCount() for rule in rules if rule.enabled}, dry_run=dry_run
        )
        if not rules:
            return report
        statuses = VIEW_STATUSES.get(view, ()) if view is not View.ALL else ()
        where = f"AND c.status IN ({','.join('?' * len(statuses))})" if statuses else ""
        params = [status.value for status in statuses]
        last = 0
        sql = _SUBJECT_SQL.format(where=where)
        while True:
            if dry_run:
                rows = self.db.query(sql, (last, *params, chunk))
                self._judge(rules, rows, self._history(None, rows), report)
            else:
                with self.db.transaction() as conn:
                    rows = conn.execute(sql, (last, *params, chunk)).fetchall()
                    changed = self._judge(rules, rows, self._history(conn, rows), report)
                    if changed:
                        report.batch = report.batch or self._new_batch(conn)
                        self._write(conn, changed, report.batch)
            if on_chunk is not None:
                on_chunk(report)
            if len(rows) < chunk:
                return report
            last = rows[-1]["id"]

    def _rules_on_new(self, conn: sqlite3.Connection, after_id: int) -> None:
        """Run the store's rules on the comments just inserted (ids above ``after_id``).

        Called by the ingest inside its transaction, once the new rows and
        whatever signals (language, sentiment, intents) they carry are written.
        New comments have no history: no events to read.
        """
        sql = _SUBJECT_SQL.format(where="")
        while True:
            rows = conn.execute(sql, (after_id, CHUNK)).fetchall()
            self._write(conn, self._judge(self._rules, rows, {}, None), 0)
            if len(rows) < CHUNK:
                return
            after_id = rows[-1]["id"]

    def _history(
        self, conn: sqlite3.Connection | None, rows: Sequence[sqlite3.Row]
    ) -> dict[int, list[str]]:
        """The live (not undone) event actions of each comment of ``rows``."""
        if not rows:
            return {}
        ids = [row["id"] for row in rows]
        sql = (
            f"SELECT comment_id, action FROM events WHERE comment_id IN ({','.join('?' * len(ids))})"
            " AND undone_at IS NULL"
        )
        found = conn.execute(sql, ids).fetchall() if conn is not None else self.db.query(sql, ids)
        history: dict[int, list[str]] = {}
        for comment_id, action in found:
            history.setdefault(comment_id, []).append(action)
        return history

    def _judge(
        self,
        rules: RuleSet,
        rows: Sequence[sqlite3.Row],
        history: dict[int, list[str]],
        report: RulesReport | None,
    ) -> list[tuple[int, str, Outcome]]:
        """What ``rules`` change on ``rows``: (comment id, its status, outcome) for each."""
        changed: list[tuple[int, str, Outcome]] = []
        for row, subject in zip(rows, _subjects(rows, history), strict=True):
            outcome = rules.apply(subject)
            if report is not None:
                report.add(outcome)
            if outcome.steps:
                changed.append((row["id"], row["status"], outcome))
        return changed

    def _write(
        self, conn: sqlite3.Connection, changed: list[tuple[int, str, Outcome]], batch: int
    ) -> None:
        """Write the outcomes: labels, priority and status, escalations, one event per step."""
        if not changed:
            return
        now = self.now()
        labels: list[tuple[int, str]] = []
        priorities: list[tuple[float, int]] = []
        statuses: list[tuple[str, int]] = []
        events: list[tuple] = []
        for comment_id, status, outcome in changed:
            labels += [(comment_id, label) for label in outcome.labels]
            if outcome.priority is not None:
                priorities.append((outcome.priority, comment_id))
            for step in outcome.steps:
                before: dict = {}
                after: dict = {}
                detail: dict = {"rule": step.rule}
                if step.labels_changed:
                    before["labels"], after["labels"] = (
                        list(step.labels_before),
                        list(step.labels_after),
                    )
                if step.priority_changed:
                    before["priority"], after["priority"] = (
                        step.priority_before,
                        step.priority_after,
                    )
                if step.status:
                    before.update(status=status, snoozed_until=None)
                    after.update(status=step.status, snoozed_until=None)
                    statuses.append((step.status, comment_id))
                if step.team:
                    detail["team"] = step.team
                    detail["escalation_id"] = conn.execute(
                        "INSERT INTO escalations (comment_id, team, note, state, created_at,"
                        " updated_at) VALUES (?, ?, ?, 'open', ?, ?) RETURNING id",
                        (comment_id, step.team, f"rule: {step.rule}", now, now),
                    ).fetchone()[0]
                events.append(
                    (
                        now,
                        batch,
                        comment_id,
                        RULE_ACTION + step.rule,
                        json.dumps(before),
                        json.dumps(after),
                        json.dumps(detail),
                    )
                )
        conn.executemany(
            "INSERT OR IGNORE INTO comment_labels (comment_id, label) VALUES (?, ?)", labels
        )
        conn.executemany("UPDATE comments SET priority = ? WHERE id = ?", priorities)
        conn.executemany(
            "UPDATE comments SET status = ?, snoozed_until = NULL WHERE id = ?", statuses
        )
        conn.executemany(
            "INSERT INTO events (at, batch, comment_id, action, before, after, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            events,
        )
