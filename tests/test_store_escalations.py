"""An escalation's life in the store: answered, noted, closed, each step an event
that ``undo`` takes back, and the Escalated view following along."""

from __future__ import annotations

import json

import pytest

from cm_inbox.model import DeliveryState, EscalationState, QueueQuery, Sort, Status, View
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.store import EscalationError, Store

T0 = 1_795_000_000


@pytest.fixture
def ids(store: Store) -> list[int]:
    store.upsert_comments(
        [
            IncomingComment(
                network="mastodon",
                account="acme",
                remote_id=str(n),
                author=IncomingAuthor(handle=f"user{n}"),
                text=f"comment {n}",
                created_at=T0 + n,
            )
            for n in range(4)
        ]
    )
    return list(store.queue_keys(QueueQuery(view=View.ALL, sort=Sort.OLDEST)))


def escalated(store: Store, comment_id: int, team: str = "support", **kwargs):
    store.escalate([comment_id], team, "customer lost data", "high", **kwargs)
    return store.escalation_records(comment_id)[0]


def last_events(store: Store, n: int = 1) -> list[dict]:
    rows = store.db.query(
        "SELECT action, before, after, detail, batch FROM events ORDER BY id DESC LIMIT ?", (n,)
    )
    return [
        {
            "action": row["action"],
            "before": json.loads(row["before"]) if row["before"] else None,
            "after": json.loads(row["after"]) if row["after"] else None,
            "detail": json.loads(row["detail"]) if row["detail"] else None,
            "batch": row["batch"],
        }
        for row in rows
    ]


def test_open_then_answered_then_closed_with_times_and_notes(store, ids, clock):
    escalation = escalated(store, ids[0])
    assert escalation.state is EscalationState.OPEN
    assert escalation.waited(clock() + 3600) == 3600

    clock.advance(600)
    store.note_escalations([escalation.id], "called the customer back")
    clock.advance(3000)
    store.answer_escalations([escalation.id], "  fixed in 4.2.1, rolling out now  ")
    answered = store.escalation(escalation.id)
    assert answered.state is EscalationState.ANSWERED
    assert answered.answered_at == int(clock())
    assert [(n.kind, n.text) for n in answered.notes] == [
        ("note", "called the customer back"),
        ("answer", "fixed in 4.2.1, rolling out now"),
    ]
    # Still in the Escalated view: the customer has not been told yet.
    assert store.comment(ids[0]).status is Status.ESCALATED

    clock.advance(400)
    store.close_escalations([escalation.id])
    closed = store.escalation(escalation.id)
    assert closed.state is EscalationState.CLOSED
    assert closed.waited(clock() + 99_999) == 4000  # the wait stops at the closing
    assert store.comment(ids[0]).status is Status.DONE
    assert store.view_counts()[View.ESCALATED] == 0


def test_each_step_is_an_event_of_its_own_batch(store, ids):
    escalation = escalated(store, ids[0])
    store.answer_escalations([escalation.id], "on it")
    (event,) = last_events(store)
    assert event["action"] == "escalation_answer" and event["batch"] > 0
    assert event["before"]["escalation_state"] == "open"
    assert event["after"]["escalation_state"] == "answered"
    assert event["detail"]["escalation_id"] == escalation.id
    assert event["detail"]["text"] == "on it"


def test_undo_takes_back_each_step_in_turn(store, ids):
    escalation = escalated(store, ids[0])
    store.note_escalations([escalation.id], "a note")
    store.answer_escalations([escalation.id], "the answer")
    store.close_escalations([escalation.id], "told the customer")

    result = store.undo_last()
    assert result.describe() == "Undid closing on 1 comment"
    after_undo = store.escalation(escalation.id)
    assert after_undo.state is EscalationState.ANSWERED and after_undo.closed_at is None
    assert [n.text for n in after_undo.notes] == ["a note", "the answer"]
    assert store.comment(ids[0]).status is Status.ESCALATED

    assert store.undo_last().describe() == "Undid the team's answer on 1 comment"
    back = store.escalation(escalation.id)
    assert back.state is EscalationState.OPEN and back.answered_at is None
    assert [n.text for n in back.notes] == ["a note"]

    assert store.undo_last().describe() == "Undid the note on 1 comment"
    assert store.escalation(escalation.id).notes == ()

    store.undo_last()  # the escalation itself
    assert store.escalation(escalation.id).state is EscalationState.WITHDRAWN
    assert store.comment(ids[0]).status is Status.NEW


def test_closing_keeps_a_comment_escalated_while_another_team_still_has_it(store, ids):
    first = escalated(store, ids[0], "support")
    escalated(store, ids[0], "legal")
    store.close_escalations([first.id])
    assert store.comment(ids[0]).status is Status.ESCALATED
    assert store.active_escalations([ids[0]])[ids[0]].team == "legal"


def test_steps_that_cannot_be_taken_say_why_and_change_nothing(store, ids):
    escalation = escalated(store, ids[0])
    with pytest.raises(EscalationError, match="empty"):
        store.answer_escalations([escalation.id], "   ")
    with pytest.raises(EscalationError, match="no escalation with id 99"):
        store.note_escalations([99], "x")
    store.close_escalations([escalation.id])
    with pytest.raises(EscalationError, match="already closed"):
        store.close_escalations([escalation.id])
    with pytest.raises(EscalationError, match="already closed"):
        store.answer_escalations([escalation.id], "late answer")
    # A note is welcome at any time, closed or not.
    store.note_escalations([escalation.id], "customer thanked us")
    assert store.escalation(escalation.id).notes[-1].text == "customer thanked us"
    store.undo_last()
    store.undo_last()
    store.undo_last()  # the escalation: withdrawn
    with pytest.raises(EscalationError, match="withdrawn"):
        store.note_escalations([escalation.id], "too late")


def test_a_bulk_close_is_one_undoable_action(store, ids):
    for comment_id in ids[:3]:
        escalated(store, comment_id)
    active = store.active_escalations(ids)
    assert set(active) == set(ids[:3])
    store.close_escalations([e.id for e in active.values()])
    assert store.view_counts()[View.ESCALATED] == 0
    result = store.undo_last()
    assert set(result.comment_ids) == set(ids[:3])
    assert store.view_counts()[View.ESCALATED] == 3


def test_the_escalated_view_rows_carry_team_state_and_latest_delivery(store, ids):
    escalated(store, ids[1], "press", notify=True)
    rows = store.queue_rows(View.ESCALATED, [ids[1]])
    escalation = rows[0].escalation
    assert escalation.team == "press" and escalation.state is EscalationState.OPEN
    assert escalation.latest_delivery.state is DeliveryState.PENDING
    # Other views do not pay for it.
    assert store.queue_rows(View.ALL, [ids[1]])[0].escalation is None


def test_listing_shows_unclosed_escalations_with_their_comments(store, ids):
    a = escalated(store, ids[0])
    b = escalated(store, ids[1])
    store.close_escalations([a.id])
    everything = [e.id for e, _ in store.list_escalations()]
    unclosed = [(e.id, c.id) for e, c in store.list_escalations(unclosed=True)]
    assert everything == [b.id, a.id]
    assert unclosed == [(b.id, ids[1])]


def test_escalating_with_notify_queues_one_message_in_the_same_transaction(store, ids):
    escalated(store, ids[0], notify=True)
    escalated(store, ids[1])  # no webhook: nothing to send
    rows = store.db.query("SELECT escalation_id, team, state, kind FROM webhook_deliveries")
    assert [tuple(r)[1:] for r in rows] == [("support", "pending", "escalated")]


def test_closing_by_comment_closes_each_of_its_escalations_and_bare_ones_too(store, ids):
    escalated(store, ids[0], "support")
    escalated(store, ids[0], "legal")
    store.set_status([ids[1]], Status.ESCALATED)  # as an import brings it: no team, no record
    store.close_escalated_comments([ids[0], ids[1], ids[2]])
    assert [e.state for e in store.escalation_records(ids[0])] == [EscalationState.CLOSED] * 2
    assert store.comment(ids[0]).status is Status.DONE
    assert store.comment(ids[1]).status is Status.DONE
    assert store.comment(ids[2]).status is Status.NEW  # not escalated: left alone
    result = store.undo_last()
    assert set(result.comment_ids) == {ids[0], ids[1]}
    assert store.comment(ids[1]).status is Status.ESCALATED
    assert [e.state for e in store.escalation_records(ids[0])] == [EscalationState.OPEN] * 2


def test_a_past_escalation_is_history_not_an_action_to_undo(store, ids):
    store.set_status([ids[0]], Status.ESCALATED)
    batch_before = store.db.query_one("SELECT max(batch) FROM events")[0]
    store.record_past_escalation(
        ids[0],
        "press",
        severity="critical",
        note="viral",
        created_at=T0,
        answer="statement ok",
        answered_at=T0 + 600,
    )
    assert store.db.query_one("SELECT max(batch) FROM events")[0] == batch_before
    (escalation,) = store.escalation_records(ids[0])
    assert escalation.state is EscalationState.ANSWERED and escalation.answered_at == T0 + 600
    assert [(n.kind, n.text) for n in escalation.notes] == [("answer", "statement ok")]
