"""The outbox's state machine: claims, leases, retries, cancels, each transition recorded."""

from __future__ import annotations

import threading

import pytest

from cm_inbox.model import QueueQuery, ReplyState, Sort, Status, View
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.store import LEASE_S, ReplyError, Store

T0 = 1_795_000_000


def incoming(remote_id: str) -> IncomingComment:
    return IncomingComment(
        network="mastodon",
        account="acme",
        remote_id=remote_id,
        author=IncomingAuthor(handle="bob"),
        text=f"comment {remote_id}",
        created_at=T0,
    )


@pytest.fixture
def comments(store: Store) -> list[int]:
    store.upsert_comments([incoming(str(n)) for n in range(3)])
    return list(store.queue_keys(QueueQuery(view=View.ALL, sort=Sort.OLDEST)))


@pytest.fixture
def account(store: Store, comments: list[int]) -> int:
    return store.comment(comments[0]).account_id


def states(store: Store, reply_id: int) -> list[str]:
    return [action for _, action, _ in store.reply_history(reply_id) if action != "reply"]


def test_a_queued_reply_waits_out_its_undo_window(store, comments, account, clock):
    reply = store.queue_reply(comments[0], "Thanks!")
    assert store.claim_next(account, "me", hold_s=10) is None
    clock.advance(10)
    claim = store.claim_next(account, "me", hold_s=10)
    assert claim is not None and claim.reply.id == reply.id
    assert claim.reply.state is ReplyState.SENDING and claim.reply.attempts == 1
    assert not claim.look_first
    assert claim.idempotency_key == reply_key(store, reply.id)


def reply_key(store: Store, reply_id: int) -> str:
    return store.db.query_one("SELECT idempotency_key FROM replies WHERE id = ?", (reply_id,))[0]


def test_sent_is_final_and_every_transition_is_timed(store, comments, account, clock):
    reply = store.queue_reply(comments[0], "Thanks!")
    claim = store.claim_next(account, "me")
    clock.advance(3)
    store.mark_sent(reply.id, "remote-1")
    sent = store.reply(reply.id)
    assert sent.state is ReplyState.SENT and sent.remote_id == "remote-1"
    assert store.claim_next(account, "me") is None
    history = store.reply_history(reply.id)
    assert [action for _, action, _ in history] == ["reply", "outbox:sending", "outbox:sent"]
    assert history[-1][0] - history[1][0] == 3
    assert claim is not None


def test_one_claim_per_reply_even_when_senders_race(tmp_path, clock):
    path = tmp_path / "race.sqlite3"
    with Store(path, clock=clock) as first:
        first.upsert_comments([incoming(str(n)) for n in range(40)])
        keys = first.queue_keys(QueueQuery(view=View.ALL, sort=Sort.OLDEST))
        account = first.comment(keys[0]).account_id
        for key in keys:
            first.queue_reply(key, f"reply to {key}")
    taken: dict[str, list[int]] = {"a": [], "b": []}

    def sender(name: str) -> None:
        with Store(path, clock=clock) as own:  # its own connection, as another process has
            while (claim := own.claim_next(account, name)) is not None:
                taken[name].append(claim.reply.id)
                own.mark_sent(claim.reply.id, f"r{claim.reply.id}")

    threads = [threading.Thread(target=sender, args=(name,)) for name in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = taken["a"] + taken["b"]
    assert sorted(everything) == sorted(set(everything))
    assert len(everything) == 40


def test_a_dead_senders_claim_is_taken_again_after_its_lease(store, comments, account, clock):
    reply = store.queue_reply(comments[0], "Thanks!")
    assert store.claim_next(account, "dead") is not None
    clock.advance(LEASE_S - 1)
    assert store.claim_next(account, "alive") is None
    clock.advance(2)
    claim = store.claim_next(account, "alive")
    assert claim is not None and claim.reply.id == reply.id
    # It may have reached the network: the new sender looks before posting.
    assert claim.look_first


def test_void_claims_frees_a_dead_senders_replies_at_once(store, comments, account):
    store.queue_reply(comments[0], "Thanks!")
    store.claim_next(account, "host:1:dead")
    assert store.sending_owners() == ["host:1:dead"]
    assert store.void_claims(["host:1:dead"]) == 1
    claim = store.claim_next(account, "me")
    assert claim is not None and claim.look_first


def test_a_retryable_failure_waits_for_its_time(store, comments, account, clock):
    reply = store.queue_reply(comments[0], "Thanks!")
    store.claim_next(account, "me")
    store.mark_failed(reply.id, "503 Service Unavailable", retry_at=int(clock()) + 60)
    failed = store.reply(reply.id)
    assert failed.state is ReplyState.FAILED and failed.retrying
    assert failed.error == "503 Service Unavailable"
    assert store.claim_next(account, "me") is None
    clock.advance(60)
    again = store.claim_next(account, "me")
    assert again is not None and again.reply.attempts == 2
    assert not again.look_first  # a 503 said it did not arrive


def test_an_unanswered_attempt_is_looked_for_until_found_absent(store, comments, account, clock):
    reply = store.queue_reply(comments[0], "Thanks!")
    store.claim_next(account, "me")
    store.mark_failed(reply.id, "timed out", retry_at=int(clock()), maybe_sent=True)
    # Neither undo nor cancel can take back what may be out there.
    with pytest.raises(ReplyError, match="may already be on the network"):
        store.cancel_reply(reply.id)
    undone = store.undo_last()
    assert undone is not None and undone.refused
    claim = store.claim_next(account, "me")
    assert claim.look_first
    store.mark_absent(reply.id)
    store.mark_failed(reply.id, "503", retry_at=int(clock()))
    assert not store.claim_next(account, "me").look_first


def test_a_refused_reply_waits_for_the_user(store, comments, account, clock):
    reply = store.queue_reply(comments[0], "Thanks!")
    store.claim_next(account, "me")
    store.mark_failed(reply.id, "Validation failed: Text is too long", retry_at=None)
    failed = store.reply(reply.id)
    assert failed.state is ReplyState.FAILED and not failed.retrying
    clock.advance(86400)
    assert store.claim_next(account, "me") is None
    requeued = store.requeue_reply(reply.id, "Thanks, shorter.")
    assert requeued.state is ReplyState.QUEUED and requeued.text == "Thanks, shorter."
    assert store.claim_next(account, "me").reply.text == "Thanks, shorter."


def test_cancel_brings_a_queued_reply_back_to_a_draft(store, comments, account):
    reply = store.queue_reply(comments[0], "Thanks!")
    assert store.comment(comments[0]).status is Status.REPLIED
    back = store.cancel_reply(reply.id)
    assert back.state is ReplyState.DRAFT
    assert store.draft_for(comments[0]).text == "Thanks!"
    assert store.comment(comments[0]).status is Status.NEW
    assert store.claim_next(account, "me") is None


def test_cancel_is_refused_once_the_reply_is_being_sent(store, comments, account):
    reply = store.queue_reply(comments[0], "Thanks!")
    store.claim_next(account, "me")
    with pytest.raises(ReplyError, match="sending: too late"):
        store.cancel_reply(reply.id)
    store.mark_sent(reply.id, "r1")
    with pytest.raises(ReplyError, match="sent: too late"):
        store.cancel_reply(reply.id)


def test_discard_gives_up_and_the_comment_returns_to_the_inbox(store, comments, account):
    reply = store.queue_reply(comments[0], "Thanks!")
    store.claim_next(account, "me")
    store.mark_failed(reply.id, "the parent was deleted", retry_at=None)
    store.discard_reply(reply.id)
    assert store.reply(reply.id) is None
    assert store.comment(comments[0]).status is Status.NEW
    assert [row["action"] for row in store.history(comments[0])][-1] == "outbox:discarded"


def test_outbox_events_are_not_undone_by_u(store, comments, account):
    store.queue_reply(comments[0], "Thanks!")
    store.set_status([comments[1]], Status.DONE)
    claim = store.claim_next(account, "me")
    store.mark_sent(claim.reply.id, "r1")
    undone = store.undo_last()
    assert undone.action == "done" and undone.comment_ids == (comments[1],)
    # The reply has left: undoing it is refused, the comment stays replied.
    undone = store.undo_last()
    assert undone.refused
    assert store.reply(claim.reply.id).state is ReplyState.SENT
