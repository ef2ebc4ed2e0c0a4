"""Replies under faults, in-process: whatever the network does, each reply lands once."""

from __future__ import annotations

import httpx
import pytest
from sandbox_world import World

from cm_inbox.model import QueueQuery, ReplyState, View
from cm_inbox.sandbox import FaultPlan, FaultSpecError
from cm_inbox.sync import RetryPolicy

NETWORKS = ("mastodon", "bluesky")
QUICK = RetryPolicy(first_s=1, max_s=4)


def queue_one(world: World, network: str, text: str):
    comment = next(
        row.comment
        for row in world.store.iter_queue(QueueQuery(view=View.INBOX))
        if row.comment.network == network and not row.comment.is_ours
    )
    return comment, world.store.queue_reply(comment.id, text)


def landed(world: World, network: str, text: str) -> list:
    return [r for r in world.state.replies_on(network) if r.text.endswith(text)]


async def flush(world: World, rounds: int = 30) -> None:
    """Sync until the outbox is empty, moving the clock past each retry time."""
    for _ in range(rounds):
        pending = [
            r for r in world.store.outbox() if r.state not in (ReplyState.SENT, ReplyState.DRAFT)
        ]
        if not pending:
            return
        due = [r.next_attempt_at for r in pending if r.next_attempt_at]
        if due:
            world.clock.now = max(world.clock.now, max(due))
        await world.sync(fetch=False, retry=QUICK)
    raise AssertionError(f"still pending: {pending}")


def test_a_fault_spec_reads_like_the_issue_writes_it():
    plan = FaultPlan.parse(
        "lost_answer=0.3,error_5xx=0.1,timeout=0.05,reset=0.05,rate_limit=0.1,latency_ms=50"
    )
    assert plan.lost_answer == 0.3 and plan.latency_ms == 50
    for bad, why in (
        ("lost=0.3", "unknown fault"),
        ("lost_answer", "expected name=value"),
        ("reset=2", "between 0 and 1"),
        ("reset=abc", "not a number"),
        ("reset=0.6,timeout=0.6", "more than 1"),
    ):
        with pytest.raises(FaultSpecError, match=why):
            FaultPlan.parse(bad)


@pytest.mark.parametrize("network", NETWORKS)
@pytest.mark.parametrize("fault", ["lost_answer", "malformed"])
async def test_an_answer_lost_after_the_commit_never_makes_a_double(world, network, fault):
    """The server has the reply, the client never hears: it finds it rather than post again."""
    comment, reply = queue_one(world, network, "we are on it, promise")
    world.state.write_faults = FaultPlan.parse(f"{fault}=1")
    await world.sync(fetch=False, retry=QUICK)
    after_fault = world.store.reply(reply.id)
    assert after_fault.state is ReplyState.FAILED and after_fault.maybe_sent
    assert len(landed(world, network, "we are on it, promise")) == 1
    world.state.write_faults = None
    await flush(world)
    sent = world.store.reply(reply.id)
    assert sent.state is ReplyState.SENT
    found = landed(world, network, "we are on it, promise")
    assert len(found) == 1 and found[0].parent_id == comment.remote_id
    # It was found, not posted again: the remote id is the one the server made.
    assert sent.remote_id.endswith(found[0].remote_id.rsplit("/", 1)[-1])


@pytest.mark.parametrize("network", NETWORKS)
@pytest.mark.parametrize("fault", ["error_5xx", "reset", "rate_limit"])
async def test_a_refused_write_is_retried_later_and_lands_once(world, network, fault):
    _, reply = queue_one(world, network, "thanks for the patience")
    world.state.write_faults = FaultPlan.parse(f"{fault}=1")
    report = world.by_network(await world.sync(fetch=False, retry=QUICK))
    waiting = world.store.reply(reply.id)
    if fault == "rate_limit":
        # Not a failure: it waits in the queue for the time the network named.
        assert waiting.state is ReplyState.QUEUED and waiting.next_attempt_at
        assert "rate limit" in waiting.error and not report[network].send_failures
    else:
        assert report[network].send_failures
        assert waiting.state is ReplyState.FAILED and waiting.retrying
    assert landed(world, network, "thanks for the patience") == []
    world.state.write_faults = None
    await flush(world)
    assert world.store.reply(reply.id).state is ReplyState.SENT
    assert len(landed(world, network, "thanks for the patience")) == 1


async def test_an_expired_bluesky_token_is_refreshed_and_the_reply_goes(world):
    _, reply = queue_one(world, "bluesky", "refreshed and sent")
    world.state.write_faults = FaultPlan(expired_token=1.0, seed=1)
    report = world.by_network(await world.sync(fetch=False, retry=QUICK))
    assert report["bluesky"].sent == 1
    assert world.store.reply(reply.id).state is ReplyState.SENT
    assert len(landed(world, "bluesky", "refreshed and sent")) == 1
    assert world.store.account("bluesky", "lumo-b").login_problem is None


@pytest.mark.parametrize("seed", range(6))
async def test_many_replies_under_mixed_faults_each_land_once(world, seed):
    world.state.write_faults = FaultPlan.parse(
        f"lost_answer=0.25,error_5xx=0.1,reset=0.1,rate_limit=0.05,malformed=0.05,seed={seed}"
    )
    texts = {}
    for number in range(6):
        for network in NETWORKS:
            text = f"reply {number} on {network}, seed {seed}"
            _, reply = queue_one(world, network, text)
            texts[reply.id] = (network, text)
    await flush(world, rounds=60)
    for reply_id, (network, text) in texts.items():
        assert world.store.reply(reply_id).state is ReplyState.SENT
        assert len(landed(world, network, text)) == 1, text


class Counting(httpx.AsyncBaseTransport):
    """The sandbox's transport, counting every 429 it answers."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.too_many = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        self.too_many += response.status_code == 429
        return response


async def test_a_burst_of_50_replies_is_paced_by_the_headers_never_refused(world):
    """Fifty replies on each network against a limit of 20 calls a window: the senders
    read the remaining count and wait for the reset rather than run into a 429."""
    world.state.call_limits = {"mastodon": 20, "bluesky": 20}
    world.clock.advance(300)  # a fresh window, under the new limit from its first call
    counting = Counting(world.transport())
    world.transport = lambda: counting
    texts = {}
    for number in range(50):
        for network in NETWORKS:
            _, reply = queue_one(world, network, f"burst {number} on {network}")
            texts[reply.id] = (network, f"burst {number} on {network}")
    await flush(world, rounds=60)
    assert counting.too_many == 0
    # It held back before the limit, and went on after the reset.
    deferred = [
        detail["reason"]
        for reply_id in texts
        for _, action, detail in world.store.reply_history(reply_id)
        if action == "outbox:deferred"
    ]
    assert deferred and all("rate limit nearly used up" in reason for reason in deferred)
    for reply_id, (network, text) in texts.items():
        assert world.store.reply(reply_id).state is ReplyState.SENT
        assert len(landed(world, network, text)) == 1


@pytest.mark.parametrize("network", NETWORKS)
async def test_a_reply_found_hours_later_is_not_posted_again(world, network):
    """The answer was lost and the sender died; hours later (Mastodon's idempotency
    key long forgotten) the next sender finds the reply under its parent."""
    _, reply = queue_one(world, network, "found, not doubled")
    world.state.write_faults = FaultPlan.parse("lost_answer=1")
    await world.sync(fetch=False, retry=QUICK)
    world.state.write_faults = None
    assert world.store.reply(reply.id).maybe_sent
    world.clock.advance(3 * 3600)
    await world.sync(fetch=False, retry=QUICK)
    assert world.store.reply(reply.id).state is ReplyState.SENT
    assert len(landed(world, network, "found, not doubled")) == 1
    looked = [a for _, a, _ in world.store.reply_history(reply.id)]
    assert "outbox:not-found" not in looked  # found by looking, not re-posted
