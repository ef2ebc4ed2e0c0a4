"""Replies: the composer's drafts and the outbox of replies waiting to be sent."""

from __future__ import annotations

import pytest

from cm_inbox.model import QueueQuery, ReplyState, Sort, Status, View
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.store import ReplyError, Store

T0 = 1_795_000_000


def incoming(remote_id: str, account: str = "acme", **fields) -> IncomingComment:
    return IncomingComment(
        network="mastodon",
        account=account,
        remote_id=remote_id,
        author=IncomingAuthor(handle="bob"),
        text=f"comment {remote_id}",
        created_at=fields.pop("created_at", T0),
        **fields,
    )


@pytest.fixture
def ids(store: Store) -> list[int]:
    store.upsert_comments(
        [incoming(str(n), created_at=T0 + n) for n in range(4)]
        + [incoming("x", account="acme-support", created_at=T0 + 9)]
    )
    return list(store.queue_keys(QueueQuery(view=View.ALL, sort=Sort.OLDEST)))


def key_of(store: Store, reply_id: int) -> str:
    return store.db.query_one("SELECT idempotency_key FROM replies WHERE id = ?", (reply_id,))[0]


def reply_rows(store: Store) -> int:
    return store.db.query_one("SELECT count(*) FROM replies")[0]


# --- drafts -----------------------------------------------------------------------------------------


def test_a_draft_is_kept_one_per_comment(store: Store, ids, clock) -> None:
    assert store.draft_for(ids[0]) is None
    first = store.save_draft(ids[0], "Hi, thanks for")
    assert first is not None
    assert (first.comment_id, first.text, first.state) == (
        ids[0],
        "Hi, thanks for",
        ReplyState.DRAFT,
    )
    assert first.created_at == first.updated_at == int(clock.now)
    key = key_of(store, first.id)
    clock.advance(30)
    second = store.save_draft(ids[0], "Hi, thanks for writing!")
    assert second.id == first.id
    assert second.text == "Hi, thanks for writing!"
    assert second.created_at == first.created_at and second.updated_at == int(clock.now)
    assert key_of(store, second.id) == key
    assert reply_rows(store) == 1
    assert store.draft_for(ids[0]) == second


def test_drafts_of_different_comments_are_separate(store: Store, ids) -> None:
    a = store.save_draft(ids[0], "for zero")
    b = store.save_draft(ids[1], "for one")
    assert a.id != b.id and key_of(store, a.id) != key_of(store, b.id)
    assert store.draft_for(ids[0]).text == "for zero"
    assert store.draft_for(ids[1]).text == "for one"


@pytest.mark.parametrize("empty", ["", "   ", "\n\t\n"])
def test_an_empty_draft_deletes_the_draft(store: Store, ids, empty: str) -> None:
    store.save_draft(ids[0], "something")
    store.save_draft(ids[1], "keep me")
    assert store.save_draft(ids[0], empty) is None
    assert store.draft_for(ids[0]) is None
    assert store.draft_for(ids[1]).text == "keep me"
    assert store.save_draft(ids[2], empty) is None  # nothing to delete is fine too
    assert reply_rows(store) == 1


def test_saving_a_draft_is_not_a_triage_action(store: Store, ids) -> None:
    store.save_draft(ids[0], "draft")
    assert store.db.query_one("SELECT count(*) FROM events")[0] == 0
    assert store.comment(ids[0]).status is Status.NEW
    assert store.undo_last() is None


def test_a_draft_for_an_unknown_comment_is_refused(store: Store) -> None:
    with pytest.raises(ReplyError, match="no comment"):
        store.save_draft(12345, "hello")


def test_a_reply_is_written_from_the_comments_account(store: Store, ids) -> None:
    support_comment = ids[-1]
    draft = store.save_draft(support_comment, "draft")
    reply = store.queue_reply(ids[0], "queued")
    account_of = dict(store.db.query("SELECT id, account_id FROM comments"))
    assert draft.account_id == account_of[support_comment]
    assert reply.account_id == account_of[ids[0]]
    assert draft.account_id != reply.account_id


# --- queuing ----------------------------------------------------------------------------------------


def test_queue_reply_turns_the_draft_into_the_queued_reply(store: Store, ids, clock) -> None:
    draft = store.save_draft(ids[0], "first try")
    key = key_of(store, draft.id)
    clock.advance(120)
    reply = store.queue_reply(ids[0], "Thanks, we fixed it.")
    assert reply.id == draft.id
    assert reply.state is ReplyState.QUEUED
    assert reply.text == "Thanks, we fixed it."
    assert reply.updated_at == int(clock.now)
    assert key_of(store, reply.id) == key  # one reply, however often it was edited
    assert store.db.query_one("SELECT queued_at FROM replies WHERE id = ?", (reply.id,))[0] == int(
        clock.now
    )
    assert store.draft_for(ids[0]) is None
    assert store.comment(ids[0]).status is Status.REPLIED
    assert store.replies_for(ids[0]) == [reply]
    assert reply_rows(store) == 1


def test_queue_reply_without_a_draft_creates_a_reply(store: Store, ids) -> None:
    store.snooze([ids[0]], T0 + 10**6)
    reply = store.queue_reply(ids[0], "On it!")
    assert reply.state is ReplyState.QUEUED and reply.comment_id == ids[0]
    assert key_of(store, reply.id)
    comment = store.comment(ids[0])
    assert comment.status is Status.REPLIED and comment.snoozed_until is None
    assert store.view_counts()[View.HANDLED] == 1
    assert store.view_counts()[View.SNOOZED] == 0
    (event,) = [e for e in store.history(ids[0]) if e["action"] == "reply"]
    assert event["undone_at"] is None


def test_every_reply_gets_its_own_idempotency_key(store: Store, ids) -> None:
    replies = [
        store.queue_reply(ids[0], "one"),
        store.queue_reply(ids[0], "two"),
        store.queue_reply(ids[1], "three"),
    ]
    keys = {key_of(store, r.id) for r in replies}
    assert len(keys) == 3
    assert [r.text for r in store.replies_for(ids[0])] == ["one", "two"]


def test_a_new_draft_can_follow_a_queued_reply(store: Store, ids) -> None:
    queued = store.queue_reply(ids[0], "sent soon")
    draft = store.save_draft(ids[0], "and a follow-up")
    assert draft.id != queued.id
    assert store.reply(queued.id).state is ReplyState.QUEUED
    assert store.reply(queued.id).text == "sent soon"


@pytest.mark.parametrize("empty", ["", "  ", "\n"])
def test_an_empty_reply_is_refused_and_changes_nothing(store: Store, ids, empty: str) -> None:
    store.save_draft(ids[0], "my draft")
    with pytest.raises(ReplyError, match="empty"):
        store.queue_reply(ids[0], empty)
    assert store.draft_for(ids[0]).text == "my draft"
    assert store.comment(ids[0]).status is Status.NEW
    assert store.replies_in_state(ReplyState.QUEUED) == []
    assert store.db.query_one("SELECT count(*) FROM events")[0] == 0


def test_a_reply_to_an_unknown_comment_is_refused(store: Store) -> None:
    with pytest.raises(ReplyError):
        store.queue_reply(424242, "hello")
    assert reply_rows(store) == 0


# --- reading the outbox ------------------------------------------------------------------------------


def test_replies_in_state_oldest_first(store: Store, ids, clock) -> None:
    made = []
    for n, cid in enumerate(ids[:4]):
        made.append(store.queue_reply(cid, f"reply {n}"))
        if n % 2:
            clock.advance(10)  # pairs share an updated_at: then by id
    draft = store.save_draft(ids[4], "not queued")
    with store.db.transaction() as conn:
        conn.execute("UPDATE replies SET state = 'failed' WHERE id = ?", (made[1].id,))
        conn.execute("UPDATE replies SET state = 'sent' WHERE id = ?", (made[2].id,))

    assert [r.id for r in store.replies_in_state(ReplyState.QUEUED)] == [made[0].id, made[3].id]
    assert [r.id for r in store.replies_in_state(ReplyState.QUEUED, ReplyState.FAILED)] == [
        made[0].id,
        made[1].id,
        made[3].id,
    ]
    assert [r.id for r in store.replies_in_state(ReplyState.SENT)] == [made[2].id]
    assert [r.id for r in store.replies_in_state(ReplyState.DRAFT)] == [draft.id]
    assert [r.id for r in store.replies_in_state(*ReplyState, limit=2)] == [made[0].id, made[1].id]
    assert store.replies_in_state(ReplyState.SENDING) == []
    assert {r.state for r in store.replies_in_state(*ReplyState)} == {
        ReplyState.QUEUED,
        ReplyState.FAILED,
        ReplyState.SENT,
        ReplyState.DRAFT,
    }


def test_the_outbox_view_follows_drafts_and_replies(store: Store, ids, clock) -> None:
    outbox = QueueQuery(view=View.OUTBOX)
    assert store.queue_count(outbox) == 0
    draft = store.save_draft(ids[0], "draft")
    clock.advance(1)
    queued = store.queue_reply(ids[1], "queued")
    assert store.queue_keys(outbox).tolist() == [queued.id, draft.id]
    assert store.view_counts()[View.OUTBOX] == 2
    store.save_draft(ids[0], "")
    assert store.queue_keys(outbox).tolist() == [queued.id]
    with store.db.transaction() as conn:
        conn.execute("UPDATE replies SET state = 'sent' WHERE id = ?", (queued.id,))
    assert store.queue_keys(outbox).tolist() == []
    assert store.view_counts()[View.OUTBOX] == 0 == store.queue_count(outbox)
