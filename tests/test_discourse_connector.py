"""The Discourse connector against its sandbox twin, in-process, on a clock tests move."""

from __future__ import annotations

import httpx
import pytest
from sandbox_world import BASE, World

from cm_inbox.model import QueueQuery, ReplyState, View
from cm_inbox.networks.base import (
    AccountInfo,
    MemorySecrets,
    ModerationTarget,
    NeedsLogin,
    NotApplicable,
    ParentRef,
    PermanentError,
    RateLimited,
)
from cm_inbox.networks.discourse import DiscourseConnector
from cm_inbox.networks.discourse_login import new_request
from cm_inbox.sandbox import FaultPlan
from cm_inbox.sandbox.discourse import BRAND, admin_key, user_api_key
from cm_inbox.sync import RetryPolicy

QUICK = RetryPolicy(first_s=1, max_s=4)


class Sleeper:
    def __init__(self, clock) -> None:
        self.clock = clock
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds)


@pytest.fixture
def forum(store, clock) -> World:
    made = World(store, clock)
    made.connect_discourse()
    return made


@pytest.fixture
def sleeper(clock) -> Sleeper:
    return Sleeper(clock)


@pytest.fixture
async def client(forum):
    async with httpx.AsyncClient(transport=forum.transport()) as opened:
        yield opened


def connector(forum, client, sleeper, clock, **secrets) -> DiscourseConnector:
    settings = {"site": BASE}
    if "api_key" in secrets:
        settings["username"] = BRAND
    return DiscourseConnector(
        AccountInfo("discourse", BRAND, BRAND, settings),
        MemorySecrets(secrets or {"user_api_key": user_api_key(forum.state.seed)}),
        client,
        sleep=sleeper,
        clock=clock,
    )


def ref(comment) -> ParentRef:
    return ParentRef(
        comment.remote_id, comment.root_remote_id, comment.author.handle, comment.extra
    )


async def test_both_kinds_of_key_say_who_we_are(forum, client, sleeper, clock) -> None:
    assert await connector(forum, client, sleeper, clock).verify() == "@lumo_team"
    admin = connector(forum, client, sleeper, clock, api_key=admin_key(forum.state.seed))
    assert await admin.verify() == "@lumo_team"
    wrong = connector(forum, client, sleeper, clock, user_api_key="0" * 32)
    with pytest.raises(NeedsLogin, match="key is invalid"):
        await wrong.verify()


async def test_a_pasted_payload_opens_into_the_key(forum, client) -> None:
    """The terminal flow: the approval page shows the key sealed to our public key."""
    request = new_request(BASE)
    page = await client.get(request.authorize_url)
    pasted = page.text.split("<pre id='payload'>")[1].split("</pre>")[0]
    assert request.read_payload(pasted) == user_api_key(forum.state.seed)
    with pytest.raises(NeedsLogin, match="does not open"):
        new_request(BASE).read_payload(pasted)  # another key pair cannot open it
    with pytest.raises(NeedsLogin, match="not base64"):
        request.read_payload("not a payload!")


async def test_sync_twice_brings_posts_once_with_parents_and_threads(forum) -> None:
    first = forum.by_network(await forum.sync())["discourse"]
    assert first.error is None and first.new > 20
    comments = [
        row.comment for row in forum.store.iter_queue(QueueQuery(view=View.ALL))
        if row.comment.network == "discourse"
    ]  # fmt: skip
    assert all(c.author.handle != BRAND for c in comments if not c.is_ours)
    replies = [c for c in comments if c.parent_remote_id]
    assert replies and all(c.root_remote_id for c in replies)
    # The thread of a reply brought its topic's first post, the parent it names.
    known = {c.remote_id for c in comments}
    assert any(c.parent_remote_id in known for c in replies)
    second = forum.by_network(await forum.sync())["discourse"]
    assert (second.new, second.error) == (0, None)
    forum.clock.advance(3 * 3600)  # the forum keeps talking
    later = forum.by_network(await forum.sync())["discourse"]
    assert later.new > 0


async def test_a_reply_lands_once_under_its_parent_even_with_the_answer_lost(forum) -> None:
    await forum.sync()
    comment = next(
        row.comment for row in forum.store.iter_queue(QueueQuery(view=View.INBOX))
        if row.comment.network == "discourse" and row.comment.parent_remote_id
    )  # fmt: skip
    text = "Thanks for **the** report, a fix ships Monday."
    reply = forum.store.queue_reply(comment.id, text)
    forum.state.write_faults = FaultPlan.parse("lost_answer=1")
    await forum.sync(fetch=False, retry=QUICK)
    assert forum.store.reply(reply.id).maybe_sent
    assert len(forum.state.replies_on("discourse")) == 1  # it did arrive
    forum.state.write_faults = None
    forum.clock.advance(3600)
    await forum.sync(fetch=False, retry=QUICK)
    sent = forum.store.reply(reply.id)
    [landed] = forum.state.replies_on("discourse")
    assert sent.state is ReplyState.SENT and sent.remote_id == landed.remote_id
    assert landed.parent_id == comment.remote_id and landed.text == text


async def test_a_reply_to_a_topic_is_found_among_its_newest_posts(
    forum, client, sleeper, clock
) -> None:
    forum_connector = connector(forum, client, sleeper, clock)
    page = await forum_connector.fetch_new(None)
    opening = next(c for c in page.items if c.parent_remote_id is None)
    parent = ref(opening)
    assert await forum_connector.find_reply(parent, "Welcome aboard, Sam!", "k") is None
    posted = await forum_connector.post_reply(parent, "Welcome aboard, Sam!", "k")
    found = await forum_connector.find_reply(parent, "Welcome aboard, Sam!", "k")
    assert found is not None and found.remote_id == posted.remote_id and found.already_there
    assert await forum_connector.find_reply(parent, "Something else entirely", "k") is None
    [landed] = forum.state.replies_on("discourse")
    assert landed.parent_id == opening.remote_id


async def test_a_429_is_waited_out_for_its_retry_after(forum, client, sleeper, clock) -> None:
    forum.state.set_fault("discourse", "rate_limit")
    assert await connector(forum, client, sleeper, clock).verify() == "@lumo_team"
    assert sleeper.waits == [10.0]


async def test_a_spent_minute_is_waited_out_to_the_next_one(forum, client, sleeper, clock) -> None:
    forum.state.call_limits = {"discourse": 3}
    forum_connector = connector(forum, client, sleeper, clock)
    for _ in range(3):
        await forum_connector.verify()
    clock.now = (int(clock.now) // 60) * 60 + 1  # 59 s left in the minute: waited, then fine
    await forum_connector.verify()
    assert sleeper.waits and 0 < sleeper.waits[-1] <= 60


async def test_long_waits_and_refusals_are_typed_errors(forum, client, sleeper, clock) -> None:
    forum_connector = connector(forum, client, sleeper, clock)
    page = await forum_connector.fetch_new(None)
    parent = ref(page.items[0])
    with pytest.raises(PermanentError, match="limited to 32000"):
        await forum_connector.post_reply(parent, "x" * 32_001, "k")
    with pytest.raises(PermanentError, match="not a Discourse post id"):
        await forum_connector.fetch_thread("../admin")
    forum.state.set_fault("discourse", "revoke")
    with pytest.raises(NeedsLogin):
        await forum_connector.fetch_new(page.cursor)
    assert RateLimited  # (imported for the type the sync engine sees on long waits)


async def test_a_malformed_notification_is_set_aside_not_a_crash(
    forum, client, sleeper, clock
) -> None:
    forum.state.set_fault("discourse", "malformed")
    page = await connector(forum, client, sleeper, clock).fetch_new(None)
    assert len(page.set_aside) == 1 and "topic_id" in page.set_aside[0].reason
    assert len(page.items) > 20


async def test_moderation_marks_read_and_flags_spam(forum, client, sleeper, clock) -> None:
    forum_connector = connector(forum, client, sleeper, clock)
    page = await forum_connector.fetch_new(None)
    spam = page.items[0]
    notification = spam.extra["notification_id"]
    target = ModerationTarget(spam.remote_id, spam.extra)
    await forum_connector.moderate(target, "spam")
    await forum_connector.moderate(target, "read")
    twin = forum.state.discourse
    assert (int(spam.remote_id), 8, BRAND) in twin.flags
    post = twin.world()["posts"][int(spam.remote_id)]
    assert post.hidden  # the brand is staff on its forum: its flag takes action at once
    body = (await client.get(BASE + "/notifications.json",
                             headers={"User-Api-Key": user_api_key(forum.state.seed)})).json()  # fmt: skip
    read = {n["id"]: n["read"] for n in body["notifications"]}
    assert read[notification] is True and sum(read.values()) == 1
    with pytest.raises(PermanentError, match="unknown flag"):
        await forum_connector.flag(spam.remote_id, "rude")
    with pytest.raises(NotApplicable, match="no forum notification"):
        await forum_connector.moderate(ModerationTarget(spam.remote_id, {}), "read")


def queue(forum: World, text: str):
    comment = next(
        row.comment for row in forum.store.iter_queue(QueueQuery(view=View.INBOX))
        if row.comment.network == "discourse"
        and not forum.store.replies_for(row.comment.id)
    )  # fmt: skip
    return comment, forum.store.queue_reply(comment.id, text)


async def flush(forum: World, rounds: int = 60) -> None:
    """Sync until the outbox is empty, moving the clock past each retry time."""
    for _ in range(rounds):
        pending = [
            r for r in forum.store.outbox() if r.state not in (ReplyState.SENT, ReplyState.DRAFT)
        ]
        if not pending:
            return
        due = [r.next_attempt_at for r in pending if r.next_attempt_at]
        if due:
            forum.clock.now = max(forum.clock.now, max(due))
        await forum.sync(fetch=False, retry=QUICK)
    raise AssertionError(f"still pending: {pending}")


@pytest.mark.parametrize("seed", range(3))
async def test_replies_under_mixed_write_faults_each_land_once(forum, seed) -> None:
    await forum.sync()
    forum.state.write_faults = FaultPlan.parse(
        f"lost_answer=0.25,error_5xx=0.1,reset=0.1,rate_limit=0.05,malformed=0.05,seed={seed}"
    )
    sent = {}
    for number in range(8):
        comment, reply = queue(forum, f"reply number {number}, seed {seed}")
        sent[reply.id] = (comment.remote_id, f"reply number {number}, seed {seed}")
    await flush(forum)
    for reply_id, (parent, text) in sent.items():
        assert forum.store.reply(reply_id).state is ReplyState.SENT
        landed = [r for r in forum.state.replies_on("discourse") if r.text == text]
        assert len(landed) == 1 and landed[0].parent_id == parent


async def test_the_spam_key_flags_the_post_on_the_forum_once(forum) -> None:
    from cm_inbox.model import Status

    await forum.sync()
    rows = [
        row.comment for row in forum.store.iter_queue(QueueQuery(view=View.INBOX))
        if row.comment.network == "discourse"
    ]  # fmt: skip
    by_key, by_rule = rows[0], rows[1]
    forum.store.set_status([by_key.id], Status.SPAM, action="spam")
    forum.store.set_status([by_rule.id], Status.SPAM, action="rule")
    forum.clock.advance(11)  # past the undo window
    await forum.sync(undo_s=10)
    await forum.sync(undo_s=10)
    twin = forum.state.discourse
    assert [(post, kind) for post, kind, _ in twin.flags] == [(int(by_key.remote_id), 8)]
    assert twin.world()["posts"][int(by_key.remote_id)].hidden
    # The report stays out of the undo stack: undo still takes back the spam mark itself.
    undone = forum.store.undo_last()
    assert undone is not None and forum.store.comment(by_rule.id).status is Status.NEW
