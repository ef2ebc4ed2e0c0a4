"""The Reddit connector against its sandbox twin, in-process, on a clock tests move:
syncs, threads, replies that land once whatever the network does, rate limits,
tokens, the loopback sign-in and moderation."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest
from sandbox_world import BASE, World

from cm_inbox.model import QueueQuery, ReplyState, View
from cm_inbox.networks.base import AccountInfo, MemorySecrets, ParentRef, PermanentError
from cm_inbox.networks.reddit import Anchor, RedditConnector
from cm_inbox.networks.reddit_login import exchange_code, new_state, wait_for_code
from cm_inbox.sandbox import FaultPlan, account_commands
from cm_inbox.sandbox.reddit_twin import CLIENT_ID, twin_for
from cm_inbox.sync import RetryPolicy

QUICK = RetryPolicy(first_s=1, max_s=4)
TEXT = "Thanks for flagging this, a fix ships on Monday."


@pytest.fixture
async def world(store, clock) -> World:
    made = World(store, clock)
    made.connect_reddit()
    return made


def connector(world: World, client: httpx.AsyncClient) -> RedditConnector:
    account = world.store.connected_accounts()[0]
    info = AccountInfo("reddit", account.name, account.handle, account.settings)
    return RedditConnector(info, world.secrets_for(account), client, sleep=world.sleep,
                           clock=world.clock, budgets=world.budgets)  # fmt: skip


def inbox_comment(world: World):
    return next(
        row.comment
        for row in world.store.iter_queue(QueueQuery(view=View.INBOX))
        if row.comment.network == "reddit" and not row.comment.is_ours
    )


def landed(world: World, text: str) -> list:
    return [r for r in world.state.replies_on("reddit") if r.text == text]


async def flush(world: World, rounds: int = 20) -> None:
    """Sync until the outbox is empty, moving the clock past each retry time."""
    for _ in range(rounds):
        pending = [r for r in world.store.outbox() if r.state is not ReplyState.SENT]
        if not pending:
            return
        due = [r.next_attempt_at for r in pending if r.next_attempt_at]
        if due:
            world.clock.now = max(world.clock.now, max(due))
        await world.sync(fetch=False, retry=QUICK)
    raise AssertionError(f"still pending: {pending}")


async def test_a_second_sync_adds_nothing_and_new_comments_arrive_later(world):
    first = world.by_network(await world.sync())["reddit"]
    assert first.error is None and first.new > 100 and first.set_aside == 0
    second = world.by_network(await world.sync())["reddit"]
    assert (second.new, second.error) == (0, None)
    world.clock.advance(3 * 3600)  # the audience keeps writing
    later = world.by_network(await world.sync())["reddit"]
    assert later.new > 0
    expected = len(twin_for(world.state).index().inbox)
    stored = [r for r in world.store.iter_queue(QueueQuery(view=View.ALL)) if not r.comment.is_ours]
    # Every inbox item, once; thread context (the brand's posts) comes beside them.
    assert len({r.comment.remote_id for r in stored if r.comment.remote_id.startswith("t1_")}) == (
        expected
    )


async def test_comments_arrive_with_author_text_time_parent_and_their_thread(world):
    await world.sync()
    comment = inbox_comment(world)
    assert comment.author.handle and comment.text and comment.created_at
    assert comment.parent_remote_id.startswith(("t1_", "t3_"))
    assert comment.root_remote_id.startswith("t3_")
    assert comment.url.startswith("https://www.reddit.com/r/lumo/comments/")
    # The brand's own post each thread hangs under was fetched as context.
    everything = world.store.iter_queue(QueueQuery(view=View.ALL))
    post = next(r.comment for r in everything if r.comment.remote_id == comment.root_remote_id)
    assert post.is_ours and post.author.handle == "LumoOfficial"


async def test_a_thread_reads_from_the_post_down_to_the_comment(world):
    await world.sync()
    deep = next(
        r.comment
        for r in world.store.iter_queue(QueueQuery(view=View.ALL))
        if (r.comment.parent_remote_id or "").startswith("t1_")
    )
    async with httpx.AsyncClient(transport=world.transport()) as client:
        thread = await connector(world, client).fetch_thread(deep.remote_id)
    ids = [c.remote_id for c in thread]
    assert ids[0] == deep.root_remote_id and deep.remote_id in ids
    assert deep.parent_remote_id in ids
    assert all(c.root_remote_id == deep.root_remote_id for c in thread)


async def test_a_reply_lands_once_under_its_parent(world):
    await world.sync()
    comment = inbox_comment(world)
    reply = world.store.queue_reply(comment.id, TEXT)
    report = world.by_network(await world.sync(fetch=False, retry=QUICK))["reddit"]
    assert report.sent == 1
    sent = world.store.reply(reply.id)
    found = landed(world, TEXT)
    assert len(found) == 1 and found[0].parent_id == comment.remote_id
    assert sent.state is ReplyState.SENT and sent.remote_id == found[0].remote_id


@pytest.mark.parametrize("fault", ["lost_answer", "malformed"])
async def test_an_answer_lost_after_the_commit_is_found_not_sent_again(world, fault):
    await world.sync()
    comment = inbox_comment(world)
    reply = world.store.queue_reply(comment.id, TEXT)
    world.state.write_faults = FaultPlan.parse(f"{fault}=1")
    await world.sync(fetch=False, retry=QUICK)
    after_fault = world.store.reply(reply.id)
    assert after_fault.state is ReplyState.FAILED and after_fault.maybe_sent
    world.state.write_faults = None
    await flush(world)
    found = landed(world, TEXT)
    assert len(found) == 1 and found[0].parent_id == comment.remote_id
    assert world.store.reply(reply.id).remote_id == found[0].remote_id


@pytest.mark.parametrize("fault", ["error_5xx", "reset", "rate_limit"])
async def test_a_refused_write_is_tried_again_and_lands_once(world, fault):
    await world.sync()
    reply = world.store.queue_reply(inbox_comment(world).id, TEXT)
    world.state.write_faults = FaultPlan.parse(f"{fault}=1")
    await world.sync(fetch=False, retry=QUICK)
    assert landed(world, TEXT) == []
    world.state.write_faults = None
    await flush(world)
    assert world.store.reply(reply.id).state is ReplyState.SENT
    assert len(landed(world, TEXT)) == 1


async def test_reddits_in_body_ratelimit_defers_the_reply_for_the_time_it_names(world):
    await world.sync()
    reply = world.store.queue_reply(inbox_comment(world).id, TEXT)
    world.state.set_fault("reddit", "rate_limit")
    start = world.clock()
    report = world.by_network(await world.sync(fetch=False, retry=QUICK))["reddit"]
    waiting = world.store.reply(reply.id)
    # "Take a break for 1 minute": not a failure, it waits in the queue.
    assert waiting.state is ReplyState.QUEUED and waiting.next_attempt_at >= start + 60
    assert not report.send_failures and landed(world, TEXT) == []
    await flush(world)
    assert len(landed(world, TEXT)) == 1


async def test_a_429_is_waited_out_by_the_reset_header_and_the_sync_goes_on(world):
    world.state.set_fault("reddit", "rate_limit")
    report = world.by_network(await world.sync())["reddit"]
    assert report.error is None and report.new > 0
    assert 10 in world.waits  # x-ratelimit-reset: 10 seconds left


async def test_a_nearly_spent_window_stops_the_sync_before_any_429(world):
    world.state.call_limits["reddit"] = 5
    first = world.by_network(await world.sync())["reddit"]
    # The window resets in 10 minutes: too long to wait inside a sync, so it stops
    # with what it has, and the next sync after the reset goes on.
    assert "rate limit" in first.error and first.new > 0
    world.clock.advance(700)
    later = world.by_network(await world.sync())["reddit"]
    assert later.error is None or "rate limit" in later.error
    assert max(twin_for(world.state).hits.values()) <= 5  # never over: no 429 was needed


async def test_an_expired_token_is_refreshed_and_a_revoked_one_asks_for_a_login(world):
    await world.sync()
    world.state.set_fault("reddit", "expire_tokens")
    again = world.by_network(await world.sync())["reddit"]
    assert again.error is None and not again.needs_login
    world.state.set_fault("reddit", "revoke")
    revoked = world.by_network(await world.sync())["reddit"]
    assert revoked.needs_login
    account = world.store.connected_accounts()[0]
    assert "invalid_grant" in world.store.account("reddit", account.name).login_problem


async def test_an_unreadable_inbox_item_is_set_aside_and_the_rest_kept(world):
    world.state.set_fault("reddit", "malformed")
    report = world.by_network(await world.sync())["reddit"]
    assert report.set_aside == 1 and report.new > 100


async def test_a_cursor_whose_item_is_gone_still_stops_at_its_time(world):
    await world.sync()
    items = twin_for(world.state).index().inbox
    middle = items[10]
    gone = Anchor("t1_zzzzzzzz", int(middle.at)).encode()  # deleted since: not in the listing
    async with httpx.AsyncClient(transport=world.transport()) as client:
        page = await connector(world, client).fetch_new(gone)
    names = {c.remote_id for c in page.items}
    assert names == {t.name for t in items if t.at >= int(middle.at)}
    assert not page.more and page.cursor.startswith(items[0].name)


async def test_a_reply_longer_than_reddit_takes_is_refused_before_sending(world):
    await world.sync()
    comment = inbox_comment(world)
    async with httpx.AsyncClient(transport=world.transport()) as client:
        with pytest.raises(PermanentError, match="10,000"):
            await connector(world, client).post_reply(
                ParentRef(comment.remote_id, None, comment.author.handle), "x" * 10_001, "k"
            )
    assert world.state.replies_on("reddit") == []


async def test_mark_read_and_remove_as_spam_reach_reddit(world):
    await world.sync()
    comment = inbox_comment(world)
    twin = twin_for(world.state)
    assert comment.remote_id not in twin.read  # syncing never marks anything read
    async with httpx.AsyncClient(transport=world.transport()) as client:
        reddit = connector(world, client)
        await reddit.mark_read([comment.remote_id])
        await reddit.remove(comment.remote_id, spam=True)
    assert comment.remote_id in twin.read
    assert twin.removed == {comment.remote_id: True}


async def test_the_loopback_sign_in_brings_a_refresh_token(state_for_login):
    app, state = state_for_login
    port = _free_port()
    login_state = new_state()
    waiting = asyncio.create_task(wait_for_code(login_state, port=port, timeout_s=10))
    await asyncio.sleep(0)  # the listener is up before the "browser" comes back
    command = account_commands(BASE, state)["reddit"]["args"]
    auth = command[command.index("--auth") + 1]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        from cm_inbox.networks.reddit_login import authorize_url

        consent = await client.get(authorize_url(CLIENT_ID, login_state, port=port, auth_base=auth))
        assert consent.status_code == 302
        async with httpx.AsyncClient() as browser:  # loopback only: the redirect's address
            back = await browser.get(consent.headers["location"])
        assert back.status_code == 200
        code = await waiting
        tokens = await exchange_code(client, CLIENT_ID, code, port=port, auth_base=auth)
        assert tokens["refresh_token"] and tokens["access_token"]
        info = AccountInfo("reddit", "brand", None, {"client_id": CLIENT_ID, "api": auth,
                                                      "auth": auth})  # fmt: skip
        secrets = MemorySecrets({"refresh_token": tokens["refresh_token"]})
        assert await RedditConnector(info, secrets, client).verify() == "LumoOfficial"


@pytest.fixture
def state_for_login(clock):
    from cm_inbox.sandbox import SandboxState, make_sandbox

    state = SandboxState(clock=clock, count=200)
    return make_sandbox(state), state


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
