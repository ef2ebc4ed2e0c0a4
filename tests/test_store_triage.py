"""Triage actions, their events, and undo."""

from __future__ import annotations

import json
import random

import pytest

from cm_inbox.model import QueueQuery, ReplyState, Sort, Status, View
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.store import Store
from cm_inbox.store.results import UndoResult

T0 = 1_795_000_000


def incoming(remote_id: str, text: str = "hello", **fields) -> IncomingComment:
    return IncomingComment(
        network="mastodon",
        account="acme",
        remote_id=remote_id,
        author=IncomingAuthor(handle="bob"),
        text=text,
        created_at=fields.pop("created_at", T0),
        **fields,
    )


@pytest.fixture
def ids(store: Store) -> list[int]:
    store.upsert_comments([incoming(str(n), f"comment {n}", created_at=T0 + n) for n in range(8)])
    return list(store.queue_keys(QueueQuery(view=View.ALL, sort=Sort.OLDEST)))


def snapshot(store: Store) -> dict:
    """Everything a triage action may change, for exact before/after comparisons."""
    return {
        "comments": [
            tuple(r)
            for r in store.db.query("SELECT id, status, snoozed_until FROM comments ORDER BY id")
        ],
        "labels": [
            tuple(r)
            for r in store.db.query(
                "SELECT comment_id, label FROM comment_labels ORDER BY comment_id, label"
            )
        ],
        "escalations": [
            tuple(r)
            for r in store.db.query(
                "SELECT id, comment_id, team, state FROM escalations WHERE state = 'open' ORDER BY id"
            )
        ],
        "replies": [
            tuple(r)
            for r in store.db.query("SELECT id, comment_id, text, state FROM replies ORDER BY id")
        ],
        "counts": store.view_counts(),
    }


def drafts(state: dict) -> list[tuple]:
    return [r for r in state["replies"] if r[3] == "draft"]


def without_drafts(state: dict) -> dict:
    return {
        **state,
        "replies": [r for r in state["replies"] if r[3] != "draft"],
        "counts": {view: n for view, n in state["counts"].items() if view is not View.OUTBOX},
    }


def events(store: Store) -> list[dict]:
    return [dict(r) for r in store.db.query("SELECT * FROM events ORDER BY id")]


def status(store: Store, comment_id: int) -> Status:
    comment = store.comment(comment_id)
    assert comment is not None
    return comment.status


# --- events ------------------------------------------------------------------------------------------


def test_set_status_records_one_batch_with_an_event_per_comment(store: Store, ids, clock) -> None:
    store.snooze([ids[1]], T0 + 999)
    clock.advance(30)
    batch = store.set_status([ids[0], ids[1], ids[0]], Status.DONE)  # duplicates count once
    written = [e for e in events(store) if e["batch"] == batch]
    assert sorted(e["comment_id"] for e in written) == sorted([ids[0], ids[1]])
    assert {e["action"] for e in written} == {"done"}
    assert {e["at"] for e in written} == {int(clock.now)}
    by_comment = {e["comment_id"]: e for e in written}
    assert json.loads(by_comment[ids[1]]["before"]) == {
        "status": "snoozed",
        "snoozed_until": T0 + 999,
    }
    assert json.loads(by_comment[ids[1]]["after"]) == {"status": "done", "snoozed_until": None}
    assert json.loads(by_comment[ids[0]]["before"]) == {"status": "new", "snoozed_until": None}
    assert store.comment(ids[1]).snoozed_until is None
    assert [r["action"] for r in store.history(ids[1])] == ["snooze", "done"]


def test_each_call_is_its_own_batch(store: Store, ids) -> None:
    batches = [
        store.set_status(ids[:2], Status.DONE),
        store.snooze(ids[2:4], T0 + 10),
        store.escalate(ids[4:6], "legal", "check this"),
        store.change_labels(ids[6:], add=["x"]),
    ]
    assert len(set(batches)) == 4
    assert batches == sorted(batches)
    assert {e["batch"] for e in events(store)} == set(batches)
    assert [e["action"] for e in events(store)].count("escalate") == 2


def test_nothing_to_do_records_nothing(store: Store, ids) -> None:
    assert store.set_status([], Status.DONE) == 0
    assert store.escalate([], "support") == 0
    assert store.change_labels([], add=["x"]) == 0
    assert store.change_labels(ids, add=["  ", ""]) == 0
    assert events(store) == []
    assert store.undo_last() is None


def test_escalate_opens_an_escalation_with_its_note(store: Store, ids) -> None:
    store.escalate([ids[0]], "legal", "threatens to sue", severity="high")
    assert status(store, ids[0]) is Status.ESCALATED
    (escalation,) = store.escalations_for(ids[0])
    assert (
        escalation["team"],
        escalation["note"],
        escalation["severity"],
        escalation["state"],
    ) == ("legal", "threatens to sue", "high", "open")


def test_labels_are_added_and_removed_trimmed_and_deduplicated(store: Store, ids) -> None:
    store.change_labels(ids[:2], add=[" billing ", "vip", "vip"])
    assert store.labels_of(ids[0]) == ["billing", "vip"]
    store.change_labels(ids[:3], add=["bug"], remove=["vip"])
    assert store.labels_of(ids[0]) == ["billing", "bug"]
    assert store.labels_of(ids[2]) == ["bug"]
    assert store.all_labels() == ["billing", "bug"]
    # A comment the change does not alter gets no event.
    batch = store.change_labels(ids[:3], add=["bug"])
    assert [e for e in events(store) if e["batch"] == batch] == []


# --- undo --------------------------------------------------------------------------------------------


def test_undo_restores_exactly_the_previous_state_many_levels_deep(
    store: Store, ids, clock
) -> None:
    rng = random.Random(42)
    store.change_labels(ids[:3], add=["seed"])
    states = [snapshot(store)]
    for step in range(30):
        chosen = rng.sample(ids, rng.randint(1, 4))
        kind = step % 6
        clock.advance(10)
        if kind == 0:
            store.set_status(chosen, rng.choice(list(Status)))
        elif kind == 1:
            store.snooze(chosen, int(clock.now) + rng.randint(100, 1000))
        elif kind == 2:
            store.escalate(chosen, rng.choice(["support", "legal"]))
        elif kind == 3:
            store.change_labels(
                chosen, add=rng.sample(["a", "b", "c"], 2), remove=rng.sample(["a", "b", "seed"], 1)
            )
        elif kind == 4:
            store.queue_reply(chosen[0], f"reply {step}")
        else:
            store.set_status(chosen, Status.SPAM)
        states.append(snapshot(store))
    assert states[-1] != states[0]
    for expected in reversed(states[:-1]):
        result = store.undo_last()
        assert result is not None and result.refused is None
        now = snapshot(store)
        # An undone reply stays behind as a draft for the composer (and in the outbox);
        # everything else is exactly as it was.
        extra_drafts = set(drafts(now)) - set(drafts(expected))
        assert set(drafts(expected)) <= set(drafts(now))
        assert without_drafts(now) == without_drafts(expected)
        assert now["counts"][View.OUTBOX] == expected["counts"][View.OUTBOX] + len(extra_drafts)
    # All user actions are undone; the seed label batch is the last one left.
    last = store.undo_last()
    assert last is not None and last.action == "label"
    assert store.undo_last() is None
    assert store.labels_of(ids[0]) == []


def test_a_bulk_action_is_undone_as_one(store: Store, ids) -> None:
    store.set_status([ids[0]], Status.ESCALATED)
    before = snapshot(store)
    store.set_status(ids, Status.DONE)
    assert store.view_counts()[View.HANDLED] == len(ids)
    result = store.undo_last()
    assert result == UndoResult(action="done", comment_ids=tuple(ids))
    assert result.describe() == f"Undid done on {len(ids)} comments"
    assert snapshot(store) == before
    # the next undo is the action before, on one comment
    result = store.undo_last()
    assert result.comment_ids == (ids[0],)
    assert result.describe() == "Undid escalated on 1 comment"
    assert status(store, ids[0]) is Status.NEW


def test_undo_marks_its_events_and_never_undoes_twice(store: Store, ids, clock) -> None:
    first = store.set_status([ids[0]], Status.DONE)
    store.undo_last()
    clock.advance(5)
    store.set_status([ids[1]], Status.SPAM)
    assert store.undo_last().comment_ids == (ids[1],)
    assert store.undo_last() is None  # the first action was undone already
    assert all(e["undone_at"] is not None for e in events(store))
    assert status(store, ids[0]) is Status.NEW and status(store, ids[1]) is Status.NEW
    assert [e["batch"] for e in events(store)][0] == first


def test_undo_of_a_snooze_restores_the_previous_snooze(store: Store, ids) -> None:
    store.snooze([ids[0]], T0 + 100)
    store.snooze([ids[0]], T0 + 500)
    store.undo_last()
    assert store.comment(ids[0]).snoozed_until == T0 + 100
    assert status(store, ids[0]) is Status.SNOOZED
    store.undo_last()
    assert store.comment(ids[0]).snoozed_until is None
    assert status(store, ids[0]) is Status.NEW


def test_undo_of_an_escalation_withdraws_it(store: Store, ids) -> None:
    store.snooze([ids[0]], T0 + 100)
    store.escalate([ids[0], ids[1]], "support", "angry customer")
    result = store.undo_last()
    assert result.action == "escalate" and set(result.comment_ids) == {ids[0], ids[1]}
    assert (
        status(store, ids[0]) is Status.SNOOZED and store.comment(ids[0]).snoozed_until == T0 + 100
    )
    assert status(store, ids[1]) is Status.NEW
    states = [r[0] for r in store.db.query("SELECT state FROM escalations")]
    assert states == ["withdrawn", "withdrawn"]


def test_undo_of_a_label_change_restores_the_labels(store: Store, ids) -> None:
    store.change_labels([ids[0]], add=["a", "b"])
    store.change_labels([ids[0], ids[1]], add=["c"], remove=["a"])
    store.undo_last()
    assert store.labels_of(ids[0]) == ["a", "b"]
    assert store.labels_of(ids[1]) == []


# --- undo and replies ---------------------------------------------------------------------------------


def idempotency_key(store: Store, reply_id: int) -> str:
    return store.db.query_one("SELECT idempotency_key FROM replies WHERE id = ?", (reply_id,))[0]


def test_undo_of_a_queued_reply_returns_a_draft_and_the_previous_status(
    store: Store, ids, clock
) -> None:
    store.escalate([ids[0]], "support")
    store.save_draft(ids[0], "first words")
    clock.advance(60)
    reply = store.queue_reply(ids[0], "Sorry about that, we are on it")
    key = idempotency_key(store, reply.id)
    assert status(store, ids[0]) is Status.REPLIED

    result = store.undo_last()
    assert result.action == "reply"
    assert result.comment_ids == (ids[0],) and result.reply_ids == (reply.id,)
    assert status(store, ids[0]) is Status.ESCALATED
    draft = store.draft_for(ids[0])
    assert draft is not None and draft.id == reply.id
    assert draft.text == "Sorry about that, we are on it"
    assert draft.state is ReplyState.DRAFT
    assert idempotency_key(store, reply.id) == key
    assert store.replies_in_state(ReplyState.QUEUED) == []
    assert store.queue_keys(QueueQuery(view=View.OUTBOX)).tolist() == [reply.id]
    # Queuing it again sends the same reply, not a second one.
    again = store.queue_reply(ids[0], draft.text)
    assert again.id == reply.id and idempotency_key(store, again.id) == key


def test_undo_of_a_reply_keeps_one_draft_per_comment(store: Store, ids) -> None:
    reply = store.queue_reply(ids[0], "queued text")
    store.save_draft(ids[0], "a follow-up draft")  # the composer reopened meanwhile
    store.undo_last()
    drafts = [r for r in store.replies_for(ids[0]) if r.state is ReplyState.DRAFT]
    assert [(d.id, d.text) for d in drafts] == [(reply.id, "queued text")]


def test_undo_of_a_snoozed_comments_reply_restores_the_snooze(store: Store, ids) -> None:
    store.snooze([ids[0]], T0 + 7200)
    store.queue_reply(ids[0], "hello")
    assert store.comment(ids[0]).snoozed_until is None
    store.undo_last()
    assert status(store, ids[0]) is Status.SNOOZED
    assert store.comment(ids[0]).snoozed_until == T0 + 7200


@pytest.mark.parametrize("state", ["sent", "sending"])
def test_a_reply_that_left_cannot_be_undone_and_undo_moves_on(
    store: Store, ids, state: str
) -> None:
    store.change_labels([ids[0]], add=["urgent"])
    reply = store.queue_reply(ids[0], "Fixed now!")
    with store.db.transaction() as conn:
        conn.execute("UPDATE replies SET state = ?, sent_at = 1 WHERE id = ?", (state, reply.id))

    refused = store.undo_last()
    assert refused is not None and refused.refused
    assert refused.action == "reply" and refused.reply_ids == (reply.id,)
    assert "already been sent" in refused.describe()
    assert refused.describe().startswith("Cannot undo")
    assert status(store, ids[0]) is Status.REPLIED
    assert store.reply(reply.id).state.value == state
    assert store.draft_for(ids[0]) is None

    following = store.undo_last()
    assert following is not None and following.refused is None
    assert following.action == "label"
    assert store.labels_of(ids[0]) == []
    assert status(store, ids[0]) is Status.REPLIED  # the sent reply still stands
    assert store.undo_last() is None


def test_undo_of_a_reply_that_failed_to_send_returns_it_to_a_draft(store: Store, ids) -> None:
    reply = store.queue_reply(ids[0], "will fail")
    with store.db.transaction() as conn:
        conn.execute(
            "UPDATE replies SET state = 'failed', error = 'HTTP 503', attempts = 3 WHERE id = ?",
            (reply.id,),
        )
    result = store.undo_last()
    assert result.refused is None
    assert status(store, ids[0]) is Status.NEW
    draft = store.draft_for(ids[0])
    assert draft is not None and draft.id == reply.id
    # Nothing is left for a sender to retry.
    assert store.replies_in_state(ReplyState.FAILED, ReplyState.QUEUED) == []


# --- snoozes coming due -------------------------------------------------------------------------------


def test_snoozes_wake_when_their_time_comes(store: Store, ids, clock) -> None:
    now = int(clock.now)
    store.snooze([ids[0]], now + 60)
    store.snooze([ids[1]], now + 3600)
    assert store.wake_due_snoozes() == []
    clock.advance(59)
    assert store.wake_due_snoozes() == []
    clock.advance(1)  # exactly due
    assert store.wake_due_snoozes() == [ids[0]]
    assert status(store, ids[0]) is Status.NEW and store.comment(ids[0]).snoozed_until is None
    assert status(store, ids[1]) is Status.SNOOZED
    assert store.wake_due_snoozes() == []
    clock.advance(10**5)
    assert store.wake_due_snoozes() == [ids[1]]
    assert store.view_counts()[View.SNOOZED] == 0
    assert store.view_counts()[View.INBOX] == len(ids)
    wakes = [e for e in events(store) if e["action"] == "wake"]
    assert [e["comment_id"] for e in wakes] == [ids[0], ids[1]]
    assert len({e["batch"] for e in wakes}) == 2


def test_waking_touches_only_snoozed_comments(store: Store, ids, clock) -> None:
    store.snooze([ids[0]], int(clock.now) + 10)
    store.set_status([ids[0]], Status.DONE)  # handled before the snooze ran out
    clock.advance(100)
    assert store.wake_due_snoozes() == []
    assert status(store, ids[0]) is Status.DONE


def test_undo_skips_wake_events(store: Store, ids, clock) -> None:
    store.snooze([ids[0]], int(clock.now) + 60)
    store.set_status([ids[1]], Status.DONE)
    clock.advance(61)
    assert store.wake_due_snoozes() == [ids[0]]

    result = store.undo_last()  # undoes the user's last action, not the wake
    assert result.action == "done" and result.comment_ids == (ids[1],)
    assert status(store, ids[1]) is Status.NEW
    assert status(store, ids[0]) is Status.NEW
    wake = next(e for e in events(store) if e["action"] == "wake")
    assert wake["undone_at"] is None

    result = store.undo_last()  # then the snooze itself
    assert result.action == "snooze" and result.comment_ids == (ids[0],)
    assert status(store, ids[0]) is Status.NEW and store.comment(ids[0]).snoozed_until is None
    assert store.undo_last() is None
    assert next(e for e in events(store) if e["action"] == "wake")["undone_at"] is None
