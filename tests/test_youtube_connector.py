"""The YouTube connector against its sandbox twin, in-process, on a fake clock:
fetching by time, threads, replies that land once, the daily quota, tokens,
moderation, and what faults do to all of it."""

from __future__ import annotations

import httpx
import pytest

from cm_inbox.model import QueueQuery, ReplyState, View
from cm_inbox.networks.base import (
    AccountInfo,
    MemorySecrets,
    ModerationTarget,
    NeedsLogin,
    ParentRef,
    RateLimited,
)
from cm_inbox.networks.youtube import YouTubeConnector
from cm_inbox.sandbox import FaultPlan, SandboxState, account_commands, make_sandbox
from cm_inbox.sandbox.youtube_twin import BRAND_CHANNEL, twin_for
from cm_inbox.sync import RetryPolicy, sync_accounts

BASE = "http://youtube.sandbox.test"
QUICK = RetryPolicy(first_s=1, max_s=4)


class Channel:
    """A store with the sandbox's YouTube channel connected, and sleeps that move the clock."""

    def __init__(self, store, clock, **settings: str) -> None:
        self.store, self.clock = store, clock
        self.state = SandboxState(seed=3, clock=clock, future_s=6 * 3600, count=3000)
        self.app = make_sandbox(self.state)
        command = account_commands(BASE, self.state)["youtube"]
        args = command["args"]
        self.settings = {
            "client_id": args[args.index("--client-id") + 1],
            "api": BASE,
            "token_url": f"{BASE}/google/token",
            "channel_id": BRAND_CHANNEL,
            **settings,
        }
        self.secrets = MemorySecrets({"refresh_token": command["stdin"].strip()})
        self.account = store.connect_account("youtube", "Lumo", "lumo", self.settings)
        self.waits: list[float] = []
        self.budgets: dict = {}

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds)

    async def sync(self, **kwargs):
        report = await sync_accounts(
            self.store, lambda account: self.secrets,
            transport=httpx.ASGITransport(app=self.app), sleep=self.sleep, clock=self.clock,
            budgets=self.budgets, **kwargs,
        )  # fmt: skip
        return report.accounts[0]

    def connector(self, client: httpx.AsyncClient) -> YouTubeConnector:
        info = AccountInfo("youtube", "Lumo", "lumo", self.settings)
        return YouTubeConnector(info, self.secrets, client, sleep=self.sleep, clock=self.clock)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app))

    def open_comment(self, *, reply: bool):
        for row in self.store.iter_queue(QueueQuery(view=View.ALL)):
            comment = row.comment
            ours = comment.network != "youtube" or comment.is_ours
            if not ours and bool(comment.parent_remote_id) == reply:
                return comment
        raise AssertionError("no such comment")

    def landed(self, text: str) -> list:
        return [r for r in self.state.replies_on("youtube") if r.text.endswith(text)]

    async def flush(self, rounds: int = 20) -> None:
        for _ in range(rounds):
            pending = [
                r for r in self.store.outbox() if r.state not in (ReplyState.SENT, ReplyState.DRAFT)
            ]
            if not pending:
                return
            due = [r.next_attempt_at for r in pending if r.next_attempt_at]
            if due:
                self.clock.now = max(self.clock.now, max(due))
            await self.sync(fetch=False, retry=QUICK)
        raise AssertionError(f"still pending: {pending}")


@pytest.fixture
def channel(store, clock) -> Channel:
    return Channel(store, clock)


async def test_a_second_sync_adds_nothing_and_a_later_one_only_the_new(channel):
    first = await channel.sync()
    assert first.error is None and first.new > 100 and first.set_aside == 0
    second = await channel.sync()
    assert (second.error, second.new) == (None, 0)
    # Only the comments of the newest stored second are read again (a same-second
    # comment must not be missed); the overlap page is not "updated" wholesale.
    assert second.updated <= 3
    channel.clock.advance(3 * 3600)  # the audience keeps writing
    later = await channel.sync()
    assert later.error is None and later.new > 0
    ids = [c.comment.remote_id for c in channel.store.iter_queue(QueueQuery(view=View.ALL))]
    assert len(ids) == len(set(ids))


async def test_replies_hang_under_their_top_level_comment_with_author_and_link(channel):
    await channel.sync()
    reply = channel.open_comment(reply=True)
    top = reply.parent_remote_id
    assert reply.root_remote_id == top and reply.remote_id.startswith(top + ".")
    assert reply.author.handle.startswith("@") and reply.text and reply.created_at
    assert reply.url.startswith("https://www.youtube.com/watch?v=") and reply.remote_id in reply.url
    ours = [c for c in channel.store.iter_queue(QueueQuery(view=View.ALL)) if c.comment.is_ours]
    assert ours and all(c.comment.author.handle == "@lumo" for c in ours)


async def test_a_thread_is_its_top_comment_and_every_reply(channel):
    await channel.sync()
    reply = channel.open_comment(reply=True)
    async with channel.client() as client:
        thread = await channel.connector(client).fetch_thread(reply.remote_id)
    top = reply.parent_remote_id
    assert thread[0].remote_id == top and thread[0].parent_remote_id is None
    assert reply.remote_id in {c.remote_id for c in thread}
    _, replies = twin_for(channel.state).comments()
    assert len(thread) == 1 + len(replies[top])
    assert all(c.root_remote_id == top for c in thread[1:])


async def test_a_reply_to_a_reply_lands_once_under_the_thread_with_the_mention(channel):
    await channel.sync()
    comment = channel.open_comment(reply=True)
    channel.store.queue_reply(comment.id, "thanks, fixed in 4.2.1")
    result = await channel.sync(fetch=False)
    assert result.sent == 1 and not result.send_failures
    landed = channel.landed("thanks, fixed in 4.2.1")
    assert len(landed) == 1
    assert landed[0].parent_id == comment.parent_remote_id  # YouTube threads are one level
    assert landed[0].text == f"{comment.author.handle} thanks, fixed in 4.2.1"
    await channel.sync()  # our reply comes back as ours, not as a new comment to answer
    again = [c for c in channel.store.iter_queue(QueueQuery(view=View.INBOX))]
    assert all("fixed in 4.2.1" not in row.comment.text for row in again)


@pytest.mark.parametrize("fault", ["lost_answer", "malformed", "reset"])
async def test_a_reply_whose_answer_is_lost_lands_exactly_once(channel, fault):
    await channel.sync()
    comment = channel.open_comment(reply=False)
    reply = channel.store.queue_reply(comment.id, "we are on it, promise")
    channel.state.write_faults = FaultPlan.parse(f"{fault}=1")
    await channel.sync(fetch=False, retry=QUICK)
    failed = channel.store.reply(reply.id)
    assert failed.state is ReplyState.FAILED
    committed = fault != "reset"
    assert len(channel.landed("we are on it, promise")) == int(committed)
    channel.state.write_faults = None
    await channel.flush()
    sent = channel.store.reply(reply.id)
    landed = channel.landed("we are on it, promise")
    assert sent.state is ReplyState.SENT and len(landed) == 1
    assert landed[0].parent_id == comment.remote_id and sent.remote_id == landed[0].remote_id


async def test_a_rate_limit_is_waited_out_and_a_server_error_retried(channel):
    channel.state.set_fault("youtube", "rate_limit", 1)
    channel.state.set_fault("youtube", "server_error", 1)
    result = await channel.sync()
    assert result.error is None and result.new > 0
    assert 1.0 in channel.waits  # the Retry-After of the 429


async def test_listing_keeps_the_last_tenth_of_the_quota_for_replies(store, clock):
    channel = Channel(store, clock, quota_per_day="1000")
    first = await channel.sync()
    assert first.new > 0
    async with channel.client() as client:
        quota = channel.connector(client).quota
        spent_by_sync = quota.used()
        assert 0 < spent_by_sync < 60  # a first sync: a few pages and some reply lists
        with pytest.raises(RateLimited, match="90 %"):
            for _ in range(1000):  # a busy day of listing
                quota.spend("list", listing=True)
        assert quota.used() == 900
    clock.advance(700)
    result = await channel.sync()
    assert "quota" in result.error and "90 %" in result.error and not result.needs_login
    # The reserve still sends a reply (50 units).
    comment = channel.open_comment(reply=False)
    channel.store.queue_reply(comment.id, "still here for you")
    sent = await channel.sync(fetch=False)
    assert sent.sent == 1 and len(channel.landed("still here for you")) == 1
    async with channel.client() as client:
        assert channel.connector(client).quota.remaining() == 50
    # A new Pacific day starts afresh.
    clock.advance(86_400)
    assert (await channel.sync()).error is None


async def test_youtube_saying_quota_exceeded_stops_the_day(channel):
    channel.state.call_limits["youtube"] = 0
    result = await channel.sync()
    assert "quota exceeded" in result.error and not result.needs_login
    async with channel.client() as client:
        assert channel.connector(client).quota.remaining() == 0


async def test_an_expired_token_is_renewed_and_a_revoked_one_asks_for_a_login(channel):
    await channel.sync()
    old = channel.secrets.get("access_token")
    channel.state.set_fault("youtube", "expire_tokens")
    assert (await channel.sync()).error is None
    assert channel.secrets.get("access_token") not in (None, old)
    channel.state.set_fault("youtube", "revoke")
    result = await channel.sync()
    assert result.needs_login and "expired or revoked" in result.error
    async with channel.client() as client:
        with pytest.raises(NeedsLogin):
            await channel.connector(client).verify()


async def test_a_broken_thread_is_set_aside_and_the_rest_kept(channel):
    channel.state.set_fault("youtube", "malformed", 1)
    result = await channel.sync()
    assert result.error is None and result.set_aside == 1 and result.new > 0


async def test_hidden_and_spam_comments_leave_the_channel(channel):
    await channel.sync()
    held, rejected = channel.open_comment(reply=False), channel.open_comment(reply=True)
    async with channel.client() as client:
        connector = channel.connector(client)
        before = connector.quota.used()
        await connector.moderate(ModerationTarget(held.remote_id), "hide")
        assert connector.quota.used() == before + 50  # setModerationStatus costs 50 units
        await connector.moderate(ModerationTarget(rejected.remote_id), "spam")
        assert connector.quota.used() == before + 100
    twin = twin_for(channel.state)
    assert twin.moderation == {held.remote_id: "heldForReview", rejected.remote_id: "rejected"}
    visible = twin.comments()[0]
    assert held.remote_id not in visible and rejected.remote_id not in visible


async def test_a_reply_too_long_is_refused_before_it_leaves(channel):
    await channel.sync()
    comment = channel.open_comment(reply=False)
    parent = ParentRef(comment.remote_id, None, comment.author.handle, {})
    async with channel.client() as client:
        with pytest.raises(Exception, match="10,000 characters"):
            await channel.connector(client).post_reply(parent, "x" * 10_001, "k")
    assert channel.state.replies_on("youtube") == []


async def test_google_sign_in_comes_back_to_the_loopback_and_gives_a_refresh_token(channel):
    """The installed-app flow: consent page, redirect to 127.0.0.1 with the code, PKCE exchange."""
    import threading

    from cm_inbox.networks import youtube_login as google

    verifier, challenge = google.pkce_pair()
    state = google.new_state()
    receiver = google.LoopbackReceiver(state)
    url = google.authorize_url(
        channel.settings["client_id"], receiver.redirect_uri, challenge, state,
        auth_url=f"{BASE}/google/auth",
    )  # fmt: skip
    codes: list[str] = []
    waiting = threading.Thread(target=lambda: codes.append(receiver.wait(timeout_s=20)))
    waiting.start()
    async with channel.client() as client:
        consent = await client.get(url)
        back_to = consent.headers["location"]
        assert back_to.startswith(receiver.redirect_uri)
        # Another page on this machine without the state is turned away.
        async with httpx.AsyncClient() as browser:
            assert (await browser.get(receiver.redirect_uri + "/?code=evil")).status_code == 400
            assert (await browser.get(back_to)).status_code == 200
        waiting.join(timeout=20)
        tokens = await google.exchange_code(
            google.polite_for(client), client_id=channel.settings["client_id"], client_secret=None,
            code=codes[0], verifier=verifier, redirect_uri=receiver.redirect_uri,
            token_url=channel.settings["token_url"],
        )  # fmt: skip
        assert tokens["refresh_token"] == channel.secrets.get("refresh_token")
        with pytest.raises(NeedsLogin, match="invalid_grant"):  # a code is good once
            await google.exchange_code(
                google.polite_for(client), client_id=channel.settings["client_id"],
                client_secret=None, code=codes[0], verifier=verifier,
                redirect_uri=receiver.redirect_uri, token_url=channel.settings["token_url"],
            )  # fmt: skip
