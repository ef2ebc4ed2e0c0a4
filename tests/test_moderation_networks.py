"""The triage keys reach each network through the real sync and its sandbox twin,
in-process: once each, never inside the undo window, a refusal recorded once,
a network that cannot be reached tried again at the next sync."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from cm_inbox.model import QueueQuery, Status, View
from cm_inbox.networks.base import MemorySecrets
from cm_inbox.sandbox import SandboxState, account_commands, make_sandbox
from cm_inbox.sandbox.github import PREFIX, REPOS, brand_token
from cm_inbox.sandbox.youtube_twin import BRAND_CHANNEL
from cm_inbox.sync import sync_accounts

BASE = "http://sandbox.test"
UNDO_S = 10

# What each key becomes on each network, as the twin records it: (call, detail).
SPAM = {
    "reddit": ("remove", "spam=true"),
    "youtube": ("setModerationStatus", "rejected"),
    "discourse": ("post_actions", "8"),
    "github": ("minimizeComment", "SPAM"),
}
HIDE = {
    "reddit": ("remove", "spam=false"),
    "youtube": ("setModerationStatus", "heldForReview"),
    "discourse": ("post_actions", "4"),
    "github": ("minimizeComment", "OFF_TOPIC"),
}
READ = {"reddit": "read_message", "discourse": "mark-read"}  # YouTube, GitHub: no read state
# The paths of moderation calls, which the cable below can cut alone.
WRITES = {
    "reddit": ("/api/remove", "/api/read_message"),
    "youtube": ("/setModerationStatus",),
    "discourse": ("/post_actions.json", "/mark-read.json"),
    "github": ("/graphql",),
}
NETWORKS = list(SPAM)


class Cable(httpx.AsyncBaseTransport):
    """The sandbox behind a cable that can be cut for some requests only."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.cut: Callable[[httpx.Request], bool] = lambda request: False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.cut(request):
            raise httpx.ConnectError("[Errno 101] Network is unreachable", request=request)
        return await self.inner.handle_async_request(request)


class Net:
    """One network's sandbox with the brand account connected, on the test's clock."""

    def __init__(self, store, clock, network: str) -> None:
        self.store, self.clock, self.network = store, clock, network
        self.state = SandboxState(seed=3, clock=clock, future_s=3600, count=900)
        self.cable = Cable(httpx.ASGITransport(app=make_sandbox(self.state)))
        command = account_commands(BASE, self.state)[network]
        args, stdin = command["args"], command["stdin"].strip()
        option = dict(zip(args, args[1:], strict=False))
        name = option.get("--name", "lumo")
        if network == "reddit":
            settings = {"client_id": option["--client-id"], "api": option["--api"],
                        "auth": option["--auth"]}  # fmt: skip
            secrets = {"refresh_token": stdin}
        elif network == "youtube":
            settings = {"client_id": option["--client-id"], "api": BASE,
                        "token_url": f"{BASE}/google/token", "channel_id": BRAND_CHANNEL}  # fmt: skip
            secrets = {"refresh_token": stdin}
        elif network == "discourse":
            settings, secrets = {"site": BASE}, {"user_api_key": stdin}
        else:
            settings = {"api": BASE + PREFIX, "repos": ",".join(REPOS)}
            secrets = {"access_token": brand_token(self.state.seed)}
        self.account = store.connect_account(network, name, name, settings)
        self.secrets = MemorySecrets(secrets)

    async def sleep(self, seconds: float) -> None:
        self.clock.advance(seconds)

    async def sync(self):
        report = await sync_accounts(
            self.store, lambda account: self.secrets, transport=self.cable,
            undo_s=UNDO_S, sleep=self.sleep, clock=self.clock,
        )  # fmt: skip
        return report.accounts[0]

    def open_comments(self, count: int) -> list:
        """Comments of others waiting in the Inbox, each with what its network's calls need."""
        found = []
        for row in self.store.iter_queue(QueueQuery(view=View.INBOX)):
            comment = row.comment
            extra = self.store.comment_extra(comment.id)
            if comment.network != self.network or comment.is_ours:
                continue
            if self.network == "github" and extra.get("kind") != "comment":
                continue  # an issue's opening post cannot be hidden
            if self.network == "discourse" and "notification_id" not in extra:
                continue
            found.append(comment)
            if len(found) == count:
                return found
        raise AssertionError(f"fewer than {count} open {self.network} comments")

    def target(self, comment) -> str:
        """How the twin names the comment: GitHub by its node id, the others by remote id."""
        if self.network == "github":
            return self.store.comment_extra(comment.id)["node_id"]
        return comment.remote_id

    def calls(self, call: str | None = None, target: str | None = None) -> list:
        return [
            c for c in self.state.moderation_on(self.network)
            if (call is None or c.call == call) and (target is None or c.target == target)
        ]  # fmt: skip

    def outcome(self, comment, action: str) -> str | None:
        found = [o for o in self.store.network_outcomes(comment.id) if o.action == action]
        return found[0].outcome if found else None


@pytest.fixture(params=NETWORKS)
async def net(request, store, clock) -> Net:
    made = Net(store, clock, request.param)
    first = await made.sync()
    assert first.error is None and first.new > 0, first
    return made


async def test_each_key_reaches_the_network_once(net: Net) -> None:
    spam, hide, done = net.open_comments(3)
    net.store.set_status([spam.id], Status.SPAM, action="spam")
    net.store.set_status([hide.id], Status.DONE, action="hide")
    net.store.set_status([done.id], Status.DONE)
    net.clock.advance(UNDO_S + 1)

    result = await net.sync()

    assert result.error is None and not result.moderation_refused
    call, detail = SPAM[net.network]
    assert [(c.call, c.detail) for c in net.calls(target=net.target(spam)) if c.call == call] == [
        (call, detail)
    ]
    call, detail = HIDE[net.network]
    assert [(c.call, c.detail) for c in net.calls(target=net.target(hide)) if c.call == call] == [
        (call, detail)
    ]
    assert net.outcome(spam, "spam") == "done" and net.outcome(hide, "hide") == "done"
    if net.network in READ:
        # Every comment closed here is marked read there, each once.
        read = READ[net.network]
        assert len(net.calls(read)) == 3
        if net.network == "reddit":
            assert {c.target for c in net.calls(read)} == {spam.remote_id, hide.remote_id,
                                                          done.remote_id}  # fmt: skip
        else:
            kept = {
                str(net.store.comment_extra(c.id)["notification_id"]) for c in (spam, hide, done)
            }
            assert {c.target for c in net.calls(read)} == kept
    else:
        assert len(net.state.moderation_on(net.network)) == 2  # nothing to mark read there

    before = len(net.state.moderation_on(net.network))
    again = await net.sync()
    assert again.error is None and again.moderated == 0
    assert len(net.state.moderation_on(net.network)) == before


async def test_undo_inside_the_window_never_reaches_the_network(net: Net) -> None:
    (comment,) = net.open_comments(1)
    net.store.set_status([comment.id], Status.DONE, action="hide")
    net.clock.advance(UNDO_S - 2)
    early = await net.sync()  # the key is still the user's to take back: nothing goes
    assert early.error is None and net.calls() == []
    assert net.store.undo_last() is not None
    net.clock.advance(120)
    await net.sync()
    assert net.calls() == []
    assert net.outcome(comment, "hide") is None
    assert net.store.comment(comment.id).status is Status.NEW


async def test_a_network_out_of_reach_hears_of_it_at_the_next_sync(net: Net) -> None:
    (comment,) = net.open_comments(1)
    net.store.set_status([comment.id], Status.SPAM, action="spam")
    net.clock.advance(UNDO_S + 1)
    net.cable.cut = lambda request: request.url.path.endswith(WRITES[net.network])
    cut = await net.sync()
    assert cut.offline and cut.moderated == 0
    assert net.calls() == [] and net.outcome(comment, "spam") is None

    net.cable.cut = lambda request: False
    back = await net.sync()
    assert back.error is None and back.moderated >= 1
    call, detail = SPAM[net.network]
    assert [(c.call, c.detail) for c in net.calls(call)] == [(call, detail)]
    assert net.outcome(comment, "spam") == "done"


REFUSALS = {
    "reddit": "needs moderator rights in the subreddit",
    "youtube": "only the channel that owns the video may moderate it",
    "github": "needs triage rights on the repository",
}


@pytest.mark.parametrize("net", list(REFUSALS), indirect=True)
async def test_a_refusal_is_recorded_once_and_never_asked_again(net: Net) -> None:
    net.state.not_moderator.add(net.network)
    (comment,) = net.open_comments(1)
    net.store.set_status([comment.id], Status.DONE, action="hide")
    net.clock.advance(UNDO_S + 1)

    result = await net.sync()

    assert result.error is None  # a refusal is an answer, not a failed sync
    call, _ = HIDE[net.network]
    assert [c.accepted for c in net.calls(call)] == [False]
    outcome = net.outcome(comment, "hide")
    assert outcome is not None and outcome.startswith("refused: " + REFUSALS[net.network])
    assert result.moderation_refused and REFUSALS[net.network] in result.moderation_refused[0]
    net.clock.advance(600)
    await net.sync()
    assert len(net.calls(call)) == 1
    # Still done here: the network's refusal does not undo the user's triage.
    assert net.store.comment(comment.id).status is Status.DONE


@pytest.mark.parametrize("net", ["discourse"], indirect=True)
async def test_on_a_forum_where_the_brand_is_not_staff_the_flag_waits_for_review(net: Net) -> None:
    net.state.not_moderator.add("discourse")
    (comment,) = net.open_comments(1)
    net.store.set_status([comment.id], Status.DONE, action="hide")
    net.clock.advance(UNDO_S + 1)
    await net.sync()
    assert [(c.detail, c.accepted) for c in net.calls("post_actions")] == [("4", True)]
    post = net.state.discourse.world()["posts"][int(comment.remote_id)]
    assert not post.hidden  # flagged for the forum's moderators, not hidden by ours
    assert net.outcome(comment, "hide") == "done"


@pytest.mark.parametrize("net", ["youtube"], indirect=True)
async def test_youtube_moderation_is_paid_from_the_day_s_quota(net: Net) -> None:
    from cm_inbox.networks.youtube_quota import Quota

    quota = Quota(net.secrets, net.clock)
    before = quota.used()
    await net.sync()  # nothing to moderate: what a sync's listing costs
    listing = quota.used() - before
    held, rejected = net.open_comments(2)
    net.store.set_status([held.id], Status.DONE, action="hide")
    net.store.set_status([rejected.id], Status.SPAM, action="spam")
    net.clock.advance(UNDO_S + 1)
    before = quota.used()
    result = await net.sync()
    assert result.moderated == 2
    assert quota.used() - before - listing == 2 * 50
