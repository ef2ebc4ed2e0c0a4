"""The Bluesky connector against the sandbox twin, in-process, on a fake clock:
what the sync engine relies on when it fetches, follows threads and replies."""

from __future__ import annotations

import json

import httpx
import pytest

from cm_inbox.networks.base import (
    AccountInfo,
    MemorySecrets,
    NeedsLogin,
    ParentRef,
    PermanentError,
    RateLimited,
)
from cm_inbox.networks.bluesky import BlueskyConnector, create_session
from cm_inbox.networks.bluesky_facets import tid_for_key
from cm_inbox.networks.bluesky_parse import parse_time
from cm_inbox.networks.bluesky_session import RATE_HEADERS
from cm_inbox.networks.http import Polite
from cm_inbox.sandbox import SandboxState, make_sandbox
from cm_inbox.sandbox.bluesky import BRAND_DID, BRAND_HANDLE, app_password, twin_for

PDS = "http://pds.sandbox.test"


class Recorder(httpx.AsyncBaseTransport):
    """The sandbox's transport, keeping every request and answer for the assertions."""

    def __init__(self, app) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.calls: list[tuple[httpx.Request, httpx.Response]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await response.aread()
        self.calls.append((request, response))
        return response

    def nsids(self) -> list[str]:
        return [request.url.path.rsplit("/", 1)[-1] for request, _ in self.calls]

    def count(self, nsid: str) -> int:
        return self.nsids().count(nsid)

    def bodies(self, nsid: str) -> list[dict]:
        return [
            json.loads(request.content)
            for request, _ in self.calls
            if request.url.path.endswith("/" + nsid)
        ]


class Harness:
    """A sandbox, a client on it, the account's secrets, and sleeps that move the clock."""

    def __init__(self, clock) -> None:
        self.clock = clock
        self.state = SandboxState(seed=7, clock=clock)
        self.twin = twin_for(self.state)
        self.transport = Recorder(make_sandbox(self.state))
        self.client = httpx.AsyncClient(transport=self.transport)
        self.waits: list[float] = []
        self.secrets = MemorySecrets({"app_password": app_password(7)})

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds)

    def connector(self, **settings: str) -> BlueskyConnector:
        account = AccountInfo(
            "bluesky",
            "lumo.app",
            BRAND_HANDLE,
            {"pds": PDS, "did": BRAND_DID, "handle": BRAND_HANDLE, **settings},
        )
        return BlueskyConnector(
            account, self.secrets, self.client, sleep=self.sleep, clock=self.clock
        )

    def notifications(self) -> list:
        """What the sandbox would notify, newest first (its own view, for comparisons)."""
        posts = self.twin.posts()[0].values()
        return sorted((p for p in posts if p.reason), key=lambda p: p.indexed_ms, reverse=True)


@pytest.fixture
async def bsky(clock):
    harness = Harness(clock)
    yield harness
    await harness.client.aclose()


def _parent(comment) -> ParentRef:
    return ParentRef(
        comment.remote_id, comment.root_remote_id, comment.author.handle, comment.extra or {}
    )


# -- fetching ----------------------------------------------------------------------


async def test_first_fetch_takes_the_recent_past_and_marks_it_seen(bsky):
    connector = bsky.connector()
    page = await connector.fetch_new(None)
    expected = bsky.notifications()[: connector.first_sync_limit]
    assert {c.remote_id for c in page.items} == {p.uri for p in expected}
    assert not page.more and not page.set_aside
    assert page.cursor == expected[0].indexed
    # Oldest first, as the store likes them.
    times = [c.created_at for c in page.items]
    assert times == sorted(times)
    reply = next(c for c in page.items if c.parent_remote_id)
    post = bsky.twin.posts()[0][reply.remote_id]
    assert reply.parent_remote_id == post.parent and reply.root_remote_id == post.root
    assert reply.extra == {
        "cid": post.cid,
        "root_uri": post.root,
        "root_cid": post.record["reply"]["root"]["cid"],
        "parent_cid": post.record["reply"]["parent"]["cid"],
    }
    top = next(c for c in page.items if not c.parent_remote_id)
    assert top.root_remote_id is None and top.extra["root_uri"] is None
    assert top.url.startswith("https://bsky.app/profile/") and "/post/" in top.url
    # Follower counts come from getProfiles (notifications carry none).
    assert all(c.author.followers is not None for c in page.items)
    assert bsky.twin.seen_ms == parse_time(page.cursor) * 1000
    # No session was stored: one login, kept for the next runs.
    assert bsky.twin.logins == 1 and bsky.secrets.get("access_jwt")


async def test_a_second_fetch_finds_nothing_new_then_only_what_arrived(bsky):
    connector = bsky.connector()
    first = await connector.fetch_new(None)
    again = await connector.fetch_new(first.cursor)
    assert again.items == [] and again.cursor == first.cursor and not again.more
    bsky.clock.advance(3 * 3600)  # the sandbox "receives" new posts as time passes
    later = await connector.fetch_new(first.cursor)
    arrived = [p for p in bsky.notifications() if p.indexed_ms > parse_time(first.cursor) * 1000]
    assert arrived, "the generated audience should post within three hours"
    assert {c.remote_id for c in later.items} == {p.uri for p in arrived}
    assert later.cursor == arrived[0].indexed
    assert not {c.remote_id for c in later.items} & {c.remote_id for c in first.items}


async def test_paging_back_across_several_pages_returns_everything_new_once(bsky):
    start = bsky.clock.now
    bsky.clock.now = start - 86_400  # a day ago: the last day is still to come
    connector = bsky.connector()
    connector.page_limit = 7
    first = await connector.fetch_new(None)
    assert len(first.items) == connector.first_sync_limit
    calls = bsky.transport.count("app.bsky.notification.listNotifications")
    assert calls == -(-connector.first_sync_limit // 7)
    bsky.clock.now = start
    later = await connector.fetch_new(first.cursor)
    arrived = [p for p in bsky.notifications() if p.indexed_ms > parse_time(first.cursor) * 1000]
    assert len(arrived) > 3 * 7
    ids = [c.remote_id for c in later.items]
    assert len(ids) == len(set(ids)) and set(ids) == {p.uri for p in arrived}
    assert later.cursor == arrived[0].indexed and not later.more


async def test_a_long_walk_continues_in_a_next_page_without_a_gap(bsky):
    start = bsky.clock.now
    bsky.clock.now = start - 86_400
    connector = bsky.connector()
    first = await connector.fetch_new(None)
    bsky.clock.now = start
    connector.page_limit, connector.walk_limit = 5, 10
    cursor, got, pages = first.cursor, [], 0
    while True:
        page = await connector.fetch_new(cursor)
        got += [c.remote_id for c in page.items]
        cursor, pages = page.cursor, pages + 1
        if not page.more:
            break
        assert len(cursor.split("|", 2)) == 3  # newest|stop|where to go on
        assert bsky.twin.seen_ms == parse_time(first.cursor) * 1000  # not marked mid-walk
    arrived = [p for p in bsky.notifications() if p.indexed_ms > parse_time(first.cursor) * 1000]
    assert pages > 1 and sorted(got) == sorted(p.uri for p in arrived)
    assert cursor == arrived[0].indexed


async def test_a_rate_limit_is_waited_out(bsky):
    connector = bsky.connector()
    bsky.state.set_fault("bluesky", "rate_limit", count=1)
    page = await connector.fetch_new(None)
    assert page.items and bsky.waits == [10.0]
    statuses = [r.status_code for _, r in bsky.transport.calls]
    assert statuses.count(429) == 1


async def test_a_rate_limit_too_long_to_wait_is_raised(bsky):
    for _ in range(30):  # the sandbox keeps createSession to 30 per 5 minutes, like bsky.social
        await create_session(bsky.client, PDS, BRAND_HANDLE, app_password(7))
    polite = Polite(bsky.client, RATE_HEADERS, sleep=bsky.sleep, clock=bsky.clock)
    with pytest.raises(RateLimited) as caught:
        await create_session(bsky.client, PDS, BRAND_HANDLE, app_password(7), polite=polite)
    assert 0 < caught.value.retry_after <= 300


async def test_an_expired_token_is_refreshed_once_without_a_new_login(bsky):
    connector = bsky.connector()
    first = await connector.fetch_new(None)
    logins = bsky.twin.logins
    access, refresh = bsky.secrets.get("access_jwt"), bsky.secrets.get("refresh_jwt")
    bsky.state.set_fault("bluesky", "expire_tokens")
    bsky.clock.advance(600)
    page = await connector.fetch_new(first.cursor)
    assert page.cursor
    assert bsky.twin.logins == logins
    assert bsky.transport.count("com.atproto.server.refreshSession") == 1
    # Both tokens written back at once: the old refresh token is spent.
    assert bsky.secrets.get("access_jwt") != access
    assert bsky.secrets.get("refresh_jwt") != refresh
    # A new connector (the next sync) uses them without refreshing or logging in.
    await bsky.connector().fetch_new(page.cursor)
    assert bsky.transport.count("com.atproto.server.refreshSession") == 1
    assert bsky.twin.logins == logins


async def test_a_session_that_outlived_its_refresh_logs_in_once_with_the_app_password(bsky):
    connector = bsky.connector()
    await connector.verify()
    bsky.secrets.set("refresh_jwt", "not-a-token")
    bsky.state.set_fault("bluesky", "expire_tokens")
    assert await bsky.connector().verify() == "@lumo.app"
    assert bsky.twin.logins == 2
    assert bsky.transport.count("com.atproto.server.refreshSession") == 1


async def test_revoked_credentials_need_a_new_login_in_bluesky_words(bsky):
    connector = bsky.connector()
    await connector.fetch_new(None)
    bsky.state.set_fault("bluesky", "revoke")
    before = bsky.transport.count("com.atproto.server.createSession")
    with pytest.raises(NeedsLogin) as caught:
        await bsky.connector().fetch_new(None)
    message = str(caught.value)
    assert "Invalid identifier or password" in message
    assert bsky.transport.count("com.atproto.server.createSession") == before + 1
    for secret in bsky.secrets.values.values():
        assert secret not in message


async def test_an_account_without_any_session_logs_in_once(bsky):
    connector = bsky.connector()
    await connector.verify()
    await connector.fetch_new(None)
    assert bsky.transport.count("com.atproto.server.createSession") == 1
    assert bsky.secrets.get("access_jwt") and bsky.secrets.get("refresh_jwt")


async def test_a_wrong_app_password_is_refused_with_the_network_message(bsky):
    with pytest.raises(NeedsLogin, match="Invalid identifier or password"):
        await create_session(bsky.client, PDS, BRAND_HANDLE, "aaaa-bbbb-cccc-dddd")


async def test_a_malformed_item_is_set_aside_and_the_rest_lands(bsky):
    connector = bsky.connector()
    bsky.state.set_fault("bluesky", "malformed", count=1)
    page = await connector.fetch_new(None)
    assert len(page.set_aside) == 1
    assert len(page.items) == connector.first_sync_limit - 1
    aside = page.set_aside[0]
    assert aside.reason.startswith("Bluesky notification: ")
    broken_uri = json.loads(aside.payload)["uri"]
    assert broken_uri not in {c.remote_id for c in page.items}


async def test_verify_names_the_account(bsky):
    assert await bsky.connector().verify() == "@lumo.app"


# -- threads -----------------------------------------------------------------------


async def test_a_thread_brings_ancestors_the_post_and_replies_with_ours_marked(bsky):
    posts, children = bsky.twin.posts()
    ours = next(p for p in posts.values() if p.did == BRAND_DID and p.parent)
    root = posts[ours.root]
    comments = await bsky.connector().fetch_thread(ours.uri)
    ids = [c.remote_id for c in comments]
    assert ids[0] == root.uri and ours.uri in ids
    assert ids.index(ours.uri) > ids.index(ours.parent)
    mine = next(c for c in comments if c.remote_id == ours.uri)
    assert mine.is_ours and mine.author.handle == BRAND_HANDLE
    assert not next(c for c in comments if c.remote_id == root.uri).is_ours
    for reply in children.get(ours.uri, []):
        assert reply.uri in ids


async def test_missing_and_blocked_posts_in_a_thread_are_skipped(clock):
    def post(uri: str, text: str) -> dict:
        return {
            "uri": uri,
            "cid": "bafyreigb666sdjyyaczcahxmf5tzh7dec6bwr3nhdab7llebn7vhsxzgr4",
            "author": {"did": "did:plc:aaa", "handle": "ann.bsky.social"},
            "record": {
                "$type": "app.bsky.feed.post",
                "text": text,
                "createdAt": "2026-11-19T10:00:00Z",
            },
            "indexedAt": "2026-11-19T10:00:01.000Z",
        }

    thread = {
        "$type": "app.bsky.feed.defs#threadViewPost",
        "post": post("at://did:plc:aaa/app.bsky.feed.post/3kaaaaaaaaaa2", "the post"),
        "parent": {
            "$type": "app.bsky.feed.defs#notFoundPost",
            "uri": "at://did:plc:bbb/app.bsky.feed.post/3kaaaaaaaaab2",
            "notFound": True,
        },
        "replies": [
            {
                "$type": "app.bsky.feed.defs#blockedPost",
                "uri": "at://did:plc:ccc/app.bsky.feed.post/3kaaaaaaaaac2",
                "blocked": True,
                "author": {"did": "did:plc:ccc"},
            },
            {
                "$type": "app.bsky.feed.defs#threadViewPost",
                "post": post("at://did:plc:aaa/app.bsky.feed.post/3kaaaaaaaaad2", "a reply"),
                "replies": [],
            },
            {"$type": "app.bsky.feed.defs#threadViewPost", "post": {"uri": "broken"}},
        ],
    }

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path.endswith("/app.bsky.feed.getPostThread")
        return httpx.Response(200, json={"thread": thread})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        account = AccountInfo("bluesky", "b", "b.test", {"pds": PDS, "did": "did:plc:me"})
        connector = BlueskyConnector(
            account, MemorySecrets({"access_jwt": "x"}), client, clock=clock
        )
        comments = await connector.fetch_thread("at://did:plc:aaa/app.bsky.feed.post/3kaaaaaaaaaa2")
    assert [c.text for c in comments] == ["the post", "a reply"]


# -- replying ------------------------------------------------------------------------


def _stored_record(bsky, uri: str) -> dict:
    return bsky.twin.posts()[0][uri].record


async def test_a_reply_to_a_top_level_post_names_it_as_root_and_parent(bsky):
    connector = bsky.connector()
    page = await connector.fetch_new(None)
    top = next(c for c in page.items if not c.parent_remote_id)
    posted = await connector.post_reply(_parent(top), "Thanks for the kind words!", "key-top")
    assert not posted.already_there
    assert posted.url == f"https://bsky.app/profile/lumo.app/post/{tid_for_key('key-top')}"
    reply = _stored_record(bsky, posted.remote_id)["reply"]
    strong = {"uri": top.remote_id, "cid": top.extra["cid"]}
    assert reply == {"root": strong, "parent": strong}
    accepted = bsky.state.replies_on("bluesky")
    assert [(r.parent_id, r.text, r.remote_id) for r in accepted] == [
        (top.remote_id, "Thanks for the kind words!", posted.remote_id)
    ]


async def test_a_reply_to_a_nested_reply_keeps_the_thread_root(bsky):
    connector = bsky.connector()
    page = await connector.fetch_new(None)
    nested = next(c for c in page.items if c.parent_remote_id)
    posted = await connector.post_reply(_parent(nested), "Good point, thank you.", "key-nested")
    reply = _stored_record(bsky, posted.remote_id)["reply"]
    assert reply["parent"] == {"uri": nested.remote_id, "cid": nested.extra["cid"]}
    assert reply["root"] == {"uri": nested.root_remote_id, "cid": nested.extra["root_cid"]}
    assert reply["root"]["uri"] != reply["parent"]["uri"]
    # The thread now shows our reply under the parent.
    thread = await connector.fetch_thread(nested.remote_id)
    ours = [c for c in thread if c.is_ours and c.remote_id == posted.remote_id]
    assert ours and ours[0].parent_remote_id == nested.remote_id


async def test_a_parent_known_without_its_refs_is_looked_up(bsky):
    connector = bsky.connector()
    page = await connector.fetch_new(None)
    nested = next(c for c in page.items if c.parent_remote_id)
    bare = ParentRef(nested.remote_id, nested.root_remote_id, nested.author.handle, {})
    posted = await connector.post_reply(bare, "Looking into it.", "key-bare")
    reply = _stored_record(bsky, posted.remote_id)["reply"]
    assert reply["root"] == {"uri": nested.root_remote_id, "cid": nested.extra["root_cid"]}
    assert reply["parent"]["cid"] == nested.extra["cid"]
    assert bsky.transport.count("app.bsky.feed.getPosts") == 1


async def test_facets_count_utf8_bytes_past_accents_and_emoji(bsky):
    connector = bsky.connector(langs="fr")
    page = await connector.fetch_new(None)
    parent = next(c for c in page.items if not c.parent_remote_id)
    other = next(c for c in page.items if c.author.handle != parent.author.handle)
    lead = "Café ☕️ 👩🏽‍💻 déjà vu, "
    text = (
        f"{lead}@{parent.author.handle} et @{other.author.handle} : "
        "voir https://lumo.app/aide/export. Merci @nobody-here.bsky.social"
    )
    posted = await connector.post_reply(_parent(parent), text, "key-facets")
    record = _stored_record(bsky, posted.remote_id)
    assert record["langs"] == ["fr"]
    data = text.encode("utf-8")
    spans = [
        (
            data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(),
            f["features"][0],
        )
        for f in record["facets"]
    ]
    assert spans == [
        (f"@{parent.author.handle}", {"$type": "app.bsky.richtext.facet#mention", "did": parent.remote_id.split("/")[2]}),
        (f"@{other.author.handle}", {"$type": "app.bsky.richtext.facet#mention", "did": other.remote_id.split("/")[2]}),
        ("https://lumo.app/aide/export", {"$type": "app.bsky.richtext.facet#link", "uri": "https://lumo.app/aide/export"}),
    ]  # fmt: skip
    assert record["facets"][0]["index"]["byteStart"] == len(lead.encode("utf-8"))
    assert record["facets"][0]["index"]["byteStart"] > len(lead)  # bytes, not characters
    # The answered person's DID comes from the post itself; others are resolved once each.
    resolved = [
        r.url.params["handle"] for r, _ in bsky.transport.calls if "resolveHandle" in r.url.path
    ]
    assert resolved == [other.author.handle, "nobody-here.bsky.social"]


async def test_the_same_idempotency_key_twice_posts_once(bsky):
    connector = bsky.connector()
    page = await connector.fetch_new(None)
    parent = _parent(page.items[-1])
    first = await connector.post_reply(parent, "On it!", "same-key")
    # The answer was lost; the outbox retries later, maybe from another run.
    second = await bsky.connector().post_reply(parent, "On it!", "same-key")
    assert not first.already_there and second.already_there
    assert second.remote_id == first.remote_id
    assert len(bsky.state.replies_on("bluesky")) == 1


async def test_a_pds_that_fails_on_an_existing_key_is_checked_with_get_record(clock):
    """The reference PDS answers 500 for an existing record key (atproto PR #4728)."""
    rkey = tid_for_key("k")
    uri = f"at://did:plc:me/app.bsky.feed.post/{rkey}"

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("createRecord"):
            return httpx.Response(500, json={"error": "InternalServerError", "message": "x"})
        assert request.url.path.endswith("getRecord") and request.url.params["rkey"] == rkey
        return httpx.Response(200, json={"uri": uri, "cid": "bafyreiabc123", "value": {}})

    async def no_wait(seconds: float) -> None:
        return None

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        account = AccountInfo(
            "bluesky", "b", "me.test", {"pds": PDS, "did": "did:plc:me", "handle": "me.test"}
        )
        connector = BlueskyConnector(
            account, MemorySecrets({"access_jwt": "x"}), client, sleep=no_wait, clock=clock
        )
        parent = ParentRef(
            "at://did:plc:you/app.bsky.feed.post/3kaaaaaaaaaa2",
            None,
            "you.test",
            {"cid": "bafyreiparent1"},
        )
        posted = await connector.post_reply(parent, "hello", "k")
    assert posted.already_there and posted.remote_id == uri


async def test_a_reply_over_300_graphemes_is_refused_before_any_call(bsky):
    connector = bsky.connector()
    parent = ParentRef(
        "at://did:plc:you/app.bsky.feed.post/3kaaaaaaaaaa2", None, "you.test", {"cid": "bafyreia1"}
    )
    with pytest.raises(PermanentError, match="301 graphemes"):
        await connector.post_reply(parent, "é" * 301, "too-long")
    # 300 family emoji are 300 graphemes but 7,500 bytes: over the 3000-byte limit.
    with pytest.raises(PermanentError, match="3000 bytes"):
        await connector.post_reply(parent, "👨‍👩‍👧‍👦" * 300, "too-heavy")
    assert bsky.transport.calls == []


async def test_a_reply_of_exactly_300_graphemes_goes_through(bsky):
    connector = bsky.connector()
    page = await connector.fetch_new(None)
    text = "ö" * 299 + "👍🏽"  # 300 graphemes, 600 bytes
    posted = await connector.post_reply(_parent(page.items[0]), text, "just-right")
    assert _stored_record(bsky, posted.remote_id)["text"] == text
