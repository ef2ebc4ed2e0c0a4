"""Bluesky against its real shapes: bodies recorded from bsky.social (the
MarshalX/atproto SDK's fixtures) and the official lexicons, both in
tests/conformance/bluesky (provenance in tests/conformance/PROVENANCE.md).

The parser reads the recorded bodies; the sandbox's answers and the records
the connector writes are checked against the lexicons, so the twin cannot
drift into a shape the real network never sends."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from lexicon import FORMATS, LEXICONS, assert_valid, assert_valid_input, assert_valid_output

from cm_inbox.networks.base import AccountInfo, MemorySecrets, ParentRef
from cm_inbox.networks.bluesky import BlueskyConnector
from cm_inbox.networks.bluesky_parse import comment_from_post
from cm_inbox.sandbox import SandboxState, make_sandbox
from cm_inbox.sandbox.bluesky import BRAND_DID, BRAND_HANDLE, app_password

RECORDED = Path(__file__).parent / "conformance" / "bluesky" / "recorded" / "MarshalX-atproto"
PDS = "http://pds.sandbox.test"


def recorded(name: str):
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def epoch(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).replace(tzinfo=UTC).timestamp())


# -- the recorded bodies -----------------------------------------------------------


async def test_the_recorded_thread_reads_field_by_field(clock):
    body = recorded("thread_view_post_with_embed_media.json")

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/xrpc/app.bsky.feed.getPostThread"
        return httpx.Response(200, json=body)

    account = AccountInfo(
        "bluesky",
        "sdk",
        "test.marshal.dev",
        {"pds": PDS, "did": "did:plc:kvwvcn5iqfooopmyzvb4qzba"},
    )
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        connector = BlueskyConnector(
            account, MemorySecrets({"access_jwt": "t"}), client, clock=clock
        )
        [comment] = await connector.fetch_thread(body["thread"]["post"]["uri"])
    assert comment.network == "bluesky" and comment.account == "sdk"
    assert (
        comment.remote_id
        == "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kaheyt6vpc22"
    )
    assert comment.author.handle == "test.marshal.dev"
    assert comment.author.name == "Python SDK"
    assert comment.author.followers is None  # a profileViewBasic has no count
    assert comment.text == ""  # an image-and-quote post: the lexicon allows empty text
    assert comment.created_at == epoch("2023-09-28T12:49:36.735Z")
    assert comment.parent_remote_id is None and comment.root_remote_id is None
    assert comment.url == "https://bsky.app/profile/test.marshal.dev/post/3kaheyt6vpc22"
    assert comment.language == "en"
    assert comment.is_ours  # the recording account's own post
    assert comment.extra == {
        "cid": "bafyreigb666sdjyyaczcahxmf5tzh7dec6bwr3nhdab7llebn7vhsxzgr4",
        "root_uri": None,
        "root_cid": None,
        "parent_cid": None,
    }


def test_the_recorded_bodies_fit_their_lexicons():
    """The validator itself, on what bsky.social really sent."""
    assert_valid_output(
        "app.bsky.feed.getPostThread", recorded("thread_view_post_with_embed_media.json")
    )
    thread = recorded("thread_view_post_with_embed_media.json")["thread"]
    assert_valid(thread["post"]["record"], "app.bsky.feed.post")
    assert_valid_output("com.atproto.identity.resolveHandle", recorded("resolve_handle.json"))
    for profile in recorded("get_follows.json")["follows"]:
        assert_valid(profile, "app.bsky.actor.defs#profileView")


def test_recorded_post_records_fit_the_post_lexicon_unknown_fields_and_all():
    assert_valid(recorded("post_record.json")["value"], "app.bsky.feed.post")
    extended = recorded("extended_post_record.json")["value"]
    assert extended["lol"] == "kek"  # an unknown field: lexicon objects are open
    # This old record's createdAt has no timezone: valid only to a lenient reader.
    assert_valid(extended, "app.bsky.feed.post", strict=False)
    assert LEXICONS.errors(extended, "app.bsky.feed.post") == [
        "$.createdAt: '2023-07-21T01:33:51.481951' is not an atproto datetime"
    ]


@pytest.mark.parametrize(
    ("name", "created"),
    [
        ("post_record.json", "2024-02-22T19:58:13.903293+00:00"),
        ("extended_post_record.json", "2023-07-21T01:33:51.481951+00:00"),
    ],
)
def test_recorded_records_parse_into_comments(name, created):
    body = recorded(name)
    comment, did = comment_from_post(
        account="sdk",
        our_did=None,
        uri=body["uri"],
        cid=body["cid"],
        author={"did": "did:plc:kvwvcn5iqfooopmyzvb4qzba", "handle": "test.marshal.dev"},
        record=body["value"],
        indexed_at=None,
    )
    assert did == "did:plc:kvwvcn5iqfooopmyzvb4qzba"
    assert comment.text == body["value"]["text"]
    assert comment.created_at == epoch(created)
    assert comment.extra["cid"] == body["cid"]


def test_the_validator_is_not_a_rubber_stamp():
    problems = LEXICONS.output_errors(
        "app.bsky.notification.listNotifications",
        {
            "notifications": [
                {
                    "uri": "https://not-at-uri",
                    "cid": "bafyrei2222",
                    "author": {"did": "did:plc:x"},
                    "reason": "reply",
                    "record": "text",
                    "isRead": "no",
                    "indexedAt": "2026-11-20T10:00:00",
                }
            ]
        },
    )
    assert problems == [
        "$.notifications[0].uri: 'https://not-at-uri' is not a valid at-uri",
        "$.notifications[0].author.handle: required",
        "$.notifications[0].record: 'unknown' data must be an object",
        "$.notifications[0].isRead: expected a boolean, got str",
        "$.notifications[0].indexedAt: '2026-11-20T10:00:00' is not an atproto datetime",
    ]


# -- the sandbox and the connector against the lexicons --------------------------------


@pytest.fixture
def sandbox(clock):
    return make_sandbox(SandboxState(seed=5, clock=clock, count=2000))


@pytest.fixture
async def client(sandbox):
    transport = httpx.ASGITransport(app=sandbox)
    async with httpx.AsyncClient(transport=transport, base_url=f"{PDS}/xrpc/") as made:
        yield made


async def _login(client) -> tuple[dict, dict[str, str]]:
    body = {"identifier": BRAND_HANDLE, "password": app_password(5)}
    assert_valid_input("com.atproto.server.createSession", body)
    session = (await client.post("com.atproto.server.createSession", json=body)).json()
    return session, {"Authorization": f"Bearer {session['accessJwt']}"}


async def test_sandbox_sessions_fit_the_lexicons(client):
    session, auth = await _login(client)
    assert_valid_output("com.atproto.server.createSession", session)
    refresh = {"Authorization": f"Bearer {session['refreshJwt']}"}
    refreshed = await client.post("com.atproto.server.refreshSession", headers=refresh)
    assert_valid_output("com.atproto.server.refreshSession", refreshed.json())


async def test_sandbox_notifications_fit_the_lexicon(client):
    _session, auth = await _login(client)
    cursor, pages = None, 0
    while pages < 4:
        params = {"limit": 50, **({"cursor": cursor} if cursor else {})}
        page = (
            await client.get("app.bsky.notification.listNotifications", params=params, headers=auth)
        ).json()
        assert_valid_output("app.bsky.notification.listNotifications", page)
        for item in page["notifications"]:
            assert_valid(item["record"], "app.bsky.feed.post")
            assert item["reason"] in ("mention", "reply", "quote")
        cursor, pages = page.get("cursor"), pages + 1
        if not cursor:
            break
    seen = {"seenAt": page["notifications"][0]["indexedAt"]}
    assert_valid_input("app.bsky.notification.updateSeen", seen)
    assert (
        await client.post("app.bsky.notification.updateSeen", json=seen, headers=auth)
    ).is_success


async def test_sandbox_threads_posts_and_handles_fit_the_lexicons(client):
    _session, auth = await _login(client)
    page = (
        await client.get(
            "app.bsky.notification.listNotifications", params={"limit": 100}, headers=auth
        )
    ).json()
    replies = [n for n in page["notifications"] if n["reason"] == "reply"]
    for item in replies[:5]:
        body = (
            await client.get(
                "app.bsky.feed.getPostThread", params={"uri": item["uri"]}, headers=auth
            )
        ).json()
        assert_valid_output("app.bsky.feed.getPostThread", body)
        node = body["thread"]
        while node.get("parent"):
            assert_valid(node["post"]["record"], "app.bsky.feed.post")
            node = node["parent"]
    uris = [n["uri"] for n in page["notifications"][:10]]
    posts = (await client.get("app.bsky.feed.getPosts", params={"uris": uris}, headers=auth)).json()
    assert_valid_output("app.bsky.feed.getPosts", posts)
    assert [p["uri"] for p in posts["posts"]] == uris
    handle = page["notifications"][0]["author"]["handle"]
    resolved = (
        await client.get("com.atproto.identity.resolveHandle", params={"handle": handle})
    ).json()
    assert_valid_output("com.atproto.identity.resolveHandle", resolved)
    dids = [n["author"]["did"] for n in page["notifications"][:5]]
    profiles = (
        await client.get("app.bsky.actor.getProfiles", params={"actors": dids}, headers=auth)
    ).json()
    for profile in profiles["profiles"]:
        assert_valid(profile, "app.bsky.actor.defs#profileViewDetailed")


async def test_records_the_connector_writes_fit_the_post_lexicon(sandbox, clock):
    """Captured on the wire: createRecord's input, its record, facets and strong refs."""
    sent: list[dict] = []
    answers: list[dict] = []

    class Capture(httpx.AsyncBaseTransport):
        inner = httpx.ASGITransport(app=sandbox)

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await self.inner.handle_async_request(request)
            await response.aread()
            if request.url.path.endswith("/com.atproto.repo.createRecord"):
                sent.append(json.loads(request.content))
                answers.append(json.loads(response.content))
            return response

    async with httpx.AsyncClient(transport=Capture()) as wire:
        account = AccountInfo(
            "bluesky", "lumo.app", BRAND_HANDLE,
            {"pds": PDS, "did": BRAND_DID, "handle": BRAND_HANDLE, "langs": "fr,en"},
        )  # fmt: skip
        connector = BlueskyConnector(
            account, MemorySecrets({"app_password": app_password(5)}), wire, clock=clock
        )
        page = await connector.fetch_new(None)
        top = next(c for c in page.items if not c.parent_remote_id)
        nested = next(c for c in page.items if c.parent_remote_id)
        for n, parent in enumerate((top, nested)):
            ref = ParentRef(
                parent.remote_id, parent.root_remote_id, parent.author.handle, parent.extra or {}
            )
            text = (
                f"Merci @{parent.author.handle} 🙏 — l'aide est là : https://lumo.app/aide?q=export"
            )
            await connector.post_reply(ref, text, f"conformance-{n}")
    assert len(sent) == 2
    for body, answer in zip(sent, answers, strict=True):
        assert_valid_input("com.atproto.repo.createRecord", body)
        assert_valid(body["record"], "app.bsky.feed.post")
        assert body["validate"] is True and body["record"]["langs"] == ["fr", "en"]
        kinds = [f["features"][0]["$type"] for f in body["record"]["facets"]]
        assert kinds == ["app.bsky.richtext.facet#mention", "app.bsky.richtext.facet#link"]
        for facet in body["record"]["facets"]:
            assert_valid(facet, "app.bsky.richtext.facet")
        for part in ("root", "parent"):
            assert_valid(body["record"]["reply"][part], "com.atproto.repo.strongRef")
        assert_valid_output("com.atproto.repo.createRecord", answer)
        # app.bsky.feed.post records are keyed by TIDs ("key": "tid" in post.json).
        assert LEXICONS.docs["app.bsky.feed.post"]["defs"]["main"]["key"] == "tid"
        assert FORMATS["tid"].match(body["rkey"])
