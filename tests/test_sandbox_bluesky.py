"""The Bluesky sandbox twin answers like a PDS: sessions, limits, errors, faults, and
posts that appear as the clock moves. Driven over HTTP, as any client would."""

from __future__ import annotations

import httpx
import pytest

from cm_inbox.sandbox import SandboxState, account_commands, make_sandbox
from cm_inbox.sandbox.bluesky import (
    BRAND_DID,
    BRAND_HANDLE,
    account_command,
    app_password,
    twin_for,
)

BASE = "http://sandbox.test"
X = f"{BASE}/xrpc/"
POST = "app.bsky.feed.post"


class Pds:
    """An HTTP client on the sandbox, logged in as the brand when asked."""

    def __init__(self, clock) -> None:
        self.clock = clock
        self.state = SandboxState(seed=11, clock=clock, count=2500)
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=make_sandbox(self.state)), base_url=X
        )
        self.access = self.refresh = ""

    async def login(self) -> dict:
        response = await self.client.post(
            "com.atproto.server.createSession",
            json={"identifier": BRAND_HANDLE, "password": app_password(11)},
        )
        assert response.status_code == 200, response.text
        session = response.json()
        self.access, self.refresh = session["accessJwt"], session["refreshJwt"]
        return session

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.access}"}

    async def get(self, nsid: str, params=None, token: str | None = None) -> httpx.Response:
        return await self.client.get(nsid, params=params, headers=self.auth(token))

    async def post(self, nsid: str, body: dict, token: str | None = None) -> httpx.Response:
        return await self.client.post(nsid, json=body, headers=self.auth(token))

    async def notifications(self, **params) -> list[dict]:
        found, cursor = [], None
        while True:
            query = dict(params, **({"cursor": cursor} if cursor else {}))
            page = (await self.get("app.bsky.notification.listNotifications", query)).json()
            found += page["notifications"]
            cursor = page.get("cursor")
            if not cursor:
                return found


@pytest.fixture
async def pds(clock):
    made = Pds(clock)
    yield made
    await made.client.aclose()


def _error(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["error"], body["message"]


def test_the_account_command_is_the_same_for_the_same_seed(clock):
    state = SandboxState(seed=11, clock=clock, count=50)
    command = account_command("http://127.0.0.1:8123", state)
    assert command == account_commands("http://127.0.0.1:8123", state)["bluesky"]
    args = command["args"]
    assert args[:3] == ["accounts", "add", "bluesky"]
    assert args[args.index("--pds") + 1] == "http://127.0.0.1:8123"
    assert args[args.index("--handle") + 1] == BRAND_HANDLE and "--app-password-stdin" in args
    assert command["stdin"] == app_password(11) != app_password(12)
    assert len(command["stdin"]) == 19 and command["stdin"].count("-") == 3


async def test_a_login_gives_a_session_and_a_wrong_password_does_not(pds):
    session = await pds.login()
    assert session["did"] == BRAND_DID and session["handle"] == BRAND_HANDLE
    me = (await pds.get("com.atproto.server.getSession")).json()
    assert me["did"] == BRAND_DID
    wrong = await pds.client.post(
        "com.atproto.server.createSession", json={"identifier": BRAND_HANDLE, "password": "no"}
    )
    assert _error(wrong) == (401, "AuthenticationRequired", "Invalid identifier or password")
    assert twin_for(pds.state).logins == 1


async def test_logins_are_limited_to_30_per_5_minutes(pds):
    for _ in range(30):
        await pds.login()
    refused = await pds.client.post(
        "com.atproto.server.createSession",
        json={"identifier": BRAND_HANDLE, "password": app_password(11)},
    )
    assert _error(refused)[:2] == (429, "RateLimitExceeded")
    assert refused.headers["RateLimit-Policy"] == "30;w=300"
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert int(refused.headers["RateLimit-Reset"]) == int(pds.clock.now) + 300
    pds.clock.advance(301)
    await pds.login()


async def test_every_answer_carries_the_rate_limit_headers(pds):
    await pds.login()
    response = await pds.get("app.bsky.notification.listNotifications")
    assert response.headers["RateLimit-Limit"] == "3000"
    assert response.headers["RateLimit-Policy"] == "3000;w=300"
    assert int(response.headers["RateLimit-Remaining"]) < 3000
    assert int(response.headers["RateLimit-Reset"]) > pds.clock.now
    missing = await pds.client.get("app.bsky.notification.listNotifications")
    assert _error(missing)[:2] == (401, "AuthenticationRequired")
    assert "RateLimit-Reset" in missing.headers


async def test_access_tokens_expire_and_refresh_tokens_are_spent_on_use(pds):
    await pds.login()
    pds.clock.advance(2 * 3600 + 1)
    expired = await pds.get("com.atproto.server.getSession")
    assert _error(expired) == (400, "ExpiredToken", "Token has expired")
    # The access token cannot refresh, the refresh token cannot read.
    wrong_scope = await pds.client.post("com.atproto.server.refreshSession", headers=pds.auth())
    assert _error(wrong_scope)[:2] == (400, "InvalidToken")
    refreshed = await pds.client.post(
        "com.atproto.server.refreshSession", headers=pds.auth(pds.refresh)
    )
    assert refreshed.status_code == 200
    spent = await pds.client.post(
        "com.atproto.server.refreshSession", headers=pds.auth(pds.refresh)
    )
    assert _error(spent) == (400, "ExpiredToken", "Token has been revoked")
    assert (
        await pds.get("com.atproto.server.getSession", token=refreshed.json()["accessJwt"])
    ).is_success
    forged = await pds.get("com.atproto.server.getSession", token=pds.access[:-4] + "AAAA")
    assert _error(forged) == (400, "InvalidToken", "Token could not be verified")


async def test_the_expire_tokens_fault_keeps_refresh_working(pds):
    await pds.login()
    pds.state.set_fault("bluesky", "expire_tokens")
    assert _error(await pds.get("com.atproto.server.getSession"))[1] == "ExpiredToken"
    refreshed = await pds.client.post(
        "com.atproto.server.refreshSession", headers=pds.auth(pds.refresh)
    )
    assert (
        await pds.get("com.atproto.server.getSession", token=refreshed.json()["accessJwt"])
    ).is_success


async def test_the_revoke_fault_refuses_sessions_and_logins_until_cleared(pds):
    await pds.login()
    old_access, old_refresh = pds.access, pds.refresh
    pds.state.set_fault("bluesky", "revoke")
    assert _error(await pds.get("com.atproto.server.getSession"))[0] == 401
    refresh = await pds.client.post(
        "com.atproto.server.refreshSession", headers=pds.auth(old_refresh)
    )
    assert _error(refresh) == (400, "ExpiredToken", "Token has been revoked")
    login = await pds.client.post(
        "com.atproto.server.createSession",
        json={"identifier": BRAND_HANDLE, "password": app_password(11)},
    )
    assert _error(login) == (401, "AuthenticationRequired", "Invalid identifier or password")
    pds.state.clear_faults()
    await pds.login()  # a new login works again; the old session stays dead
    assert _error(await pds.get("com.atproto.server.getSession", token=old_access))[0] == 401


async def test_rate_limit_and_server_error_faults(pds):
    await pds.login()
    pds.state.set_fault("bluesky", "rate_limit", count=1)
    pds.state.set_fault("bluesky", "server_error", count=1)
    limited = await pds.get("com.atproto.server.getSession")
    assert limited.status_code == 429
    assert int(limited.headers["RateLimit-Reset"]) == int(pds.clock.now) + 10
    assert (await pds.get("com.atproto.server.getSession")).status_code == 503
    assert (await pds.get("com.atproto.server.getSession")).status_code == 200


async def test_notifications_page_backwards_without_gaps_or_repeats(pds):
    await pds.login()
    everything = await pds.notifications(limit=100)
    small_pages = await pds.notifications(limit=7)
    assert [n["uri"] for n in small_pages] == [n["uri"] for n in everything]
    assert len({n["uri"] for n in everything}) == len(everything) > 100
    times = [n["indexedAt"] for n in everything]
    assert times == sorted(times, reverse=True)
    assert {n["reason"] for n in everything} == {"mention", "reply", "quote"}
    assert all(n["author"]["did"] != BRAND_DID for n in everything)  # never our own posts
    replies = await pds.notifications(limit=100, reasons=["reply"])
    assert replies and all(n["reason"] == "reply" for n in replies)
    assert all(n["reasonSubject"] == n["record"]["reply"]["parent"]["uri"] for n in replies)
    bad = await pds.get("app.bsky.notification.listNotifications", {"limit": 101})
    assert _error(bad)[:2] == (400, "InvalidRequest")


async def test_new_posts_arrive_as_the_clock_moves(pds):
    await pds.login()
    before = {n["uri"] for n in await pds.notifications(limit=100)}
    pds.clock.advance(4 * 3600)
    await pds.login()  # two hours is an access token's life
    after = await pds.notifications(limit=100)
    fresh = [n for n in after if n["uri"] not in before]
    assert fresh and all(
        n["indexedAt"] > max(x["indexedAt"] for x in after if x["uri"] in before) for n in fresh
    )


async def test_update_seen_marks_notifications_read(pds):
    await pds.login()
    items = (await pds.get("app.bsky.notification.listNotifications", {"limit": 5})).json()
    assert not any(n["isRead"] for n in items["notifications"])
    middle = items["notifications"][2]["indexedAt"]
    assert (
        await pds.post("app.bsky.notification.updateSeen", {"seenAt": middle})
    ).status_code == 200
    after = (await pds.get("app.bsky.notification.listNotifications", {"limit": 5})).json()
    assert [n["isRead"] for n in after["notifications"]] == [False, False, True, True, True]
    assert after["seenAt"] == middle
    bad = await pds.post("app.bsky.notification.updateSeen", {"seenAt": "yesterday"})
    assert _error(bad)[:2] == (400, "InvalidRequest")


async def test_the_malformed_fault_breaks_one_notification(pds):
    await pds.login()
    pds.state.set_fault("bluesky", "malformed")
    page = (await pds.get("app.bsky.notification.listNotifications", {"limit": 10})).json()
    broken = [n for n in page["notifications"] if "handle" not in n["author"]]
    assert len(broken) == 1 and not isinstance(broken[0]["record"]["text"], str)
    again = (await pds.get("app.bsky.notification.listNotifications", {"limit": 10})).json()
    assert all("handle" in n["author"] for n in again["notifications"])


async def test_threads_show_parents_and_replies(pds):
    await pds.login()
    replies = await pds.notifications(limit=100, reasons=["reply"])
    deep = next(
        n
        for n in replies
        if n["record"]["reply"]["root"]["uri"] != n["record"]["reply"]["parent"]["uri"]
    )
    thread = (await pds.get("app.bsky.feed.getPostThread", {"uri": deep["uri"]})).json()["thread"]
    assert thread["post"]["uri"] == deep["uri"]
    assert thread["parent"]["post"]["uri"] == deep["record"]["reply"]["parent"]["uri"]
    top = thread["parent"]
    while "parent" in top:
        top = top["parent"]
    assert top["post"]["uri"] == deep["record"]["reply"]["root"]["uri"]
    whole = (await pds.get("app.bsky.feed.getPostThread", {"uri": top["post"]["uri"]})).json()
    stack, below = list(whole["thread"]["replies"]), set()
    while stack:
        node = stack.pop()
        below.add(node["post"]["uri"])
        assert "parent" not in node  # replies come without their parents, as the AppView sends
        stack += node["replies"]
    assert {deep["uri"], thread["parent"]["post"]["uri"]} <= below
    shallow = await pds.get("app.bsky.feed.getPostThread", {"uri": top["post"]["uri"], "depth": 0})
    assert shallow.json()["thread"]["replies"] == []
    missing = await pds.get(
        "app.bsky.feed.getPostThread", {"uri": f"at://{BRAND_DID}/{POST}/3kaaaaaaaaaa2"}
    )
    assert _error(missing)[:2] == (400, "NotFound")


def _reply_body(parent: dict, text: str, rkey: str | None = "3kzzzzzzzzzz2", **record) -> dict:
    ref = {"uri": parent["uri"], "cid": parent["cid"]}
    body = {
        "repo": BRAND_DID,
        "collection": POST,
        "record": {
            "$type": POST,
            "text": text,
            "createdAt": "2026-11-20T10:00:00.000Z",
            "reply": {"root": ref, "parent": ref},
            **record,
        },
    }
    if rkey:
        body["rkey"] = rkey
    return body


async def test_create_record_stores_the_reply_where_threads_and_get_record_see_it(pds):
    await pds.login()
    parent = (await pds.notifications(limit=100, reasons=["mention"]))[0]
    created = await pds.post("com.atproto.repo.createRecord", _reply_body(parent, "Merci !"))
    assert created.status_code == 200, created.text
    uri = created.json()["uri"]
    assert uri == f"at://{BRAND_DID}/{POST}/3kzzzzzzzzzz2"
    thread = (await pds.get("app.bsky.feed.getPostThread", {"uri": parent["uri"]})).json()
    assert uri in [r["post"]["uri"] for r in thread["thread"]["replies"]]
    record = await pds.get(
        "com.atproto.repo.getRecord",
        {"repo": BRAND_HANDLE, "collection": POST, "rkey": "3kzzzzzzzzzz2"},
    )
    assert record.json()["value"]["text"] == "Merci !" and record.json()["uri"] == uri
    [accepted] = pds.state.replies_on("bluesky")
    assert (accepted.parent_id, accepted.text, accepted.remote_id) == (
        parent["uri"],
        "Merci !",
        uri,
    )
    again = await pds.post("com.atproto.repo.createRecord", _reply_body(parent, "Merci !"))
    assert _error(again)[:2] == (400, "InvalidRequest") and "already exists" in _error(again)[2]
    assert len(pds.state.replies_on("bluesky")) == 1
    # Without an rkey, the PDS picks a TID from its clock.
    free = await pds.post("com.atproto.repo.createRecord", _reply_body(parent, "Again", rkey=None))
    assert free.status_code == 200 and free.json()["uri"] != uri


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"text": "é" * 301}, "300 graphemes"),
        ({"createdAt": "2026-11-20 10:00"}, "createdAt"),
        ({"facets": [{"index": {"byteStart": 0, "byteEnd": 999}, "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://x.y"}]}]}, "byte range"),
        ({"facets": [{"index": {"byteStart": 0, "byteEnd": 2}, "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "bob"}]}]}, "DID"),
        ({"reply": {"root": {"uri": "at://x/y/z"}, "parent": {"uri": "at://x/y/z", "cid": "b"}}}, "strong ref"),
        ({"$type": "app.bsky.feed.like"}, "$type"),
    ],
)  # fmt: skip
async def test_create_record_refuses_what_the_lexicon_forbids(pds, change, words):
    await pds.login()
    parent = (await pds.notifications(limit=100))[0]
    body = _reply_body(parent, "ok")
    body["record"].update(change)
    refused = await pds.post("com.atproto.repo.createRecord", body)
    status, error, message = _error(refused)
    assert (status, error) == (400, "InvalidRequest") and words in message
    assert message.startswith(f"Invalid {POST} record: ")
    assert pds.state.replies_on("bluesky") == []


async def test_create_record_refuses_other_repos_collections_and_keys(pds):
    await pds.login()
    parent = (await pds.notifications(limit=100))[0]
    for key, value in (
        ("repo", "did:plc:someoneelse"),
        ("collection", "app.bsky.feed.like"),
        ("rkey", "not a tid"),
    ):
        body = _reply_body(parent, "ok")
        body[key] = value
        assert _error(await pds.post("com.atproto.repo.createRecord", body))[:2] == (
            400,
            "InvalidRequest",
        )
    unauthenticated = await pds.client.post(
        "com.atproto.repo.createRecord", json=_reply_body(parent, "ok")
    )
    assert unauthenticated.status_code == 401


async def test_handles_resolve_to_the_dids_in_post_uris(pds):
    await pds.login()
    item = (await pds.notifications(limit=100))[0]
    resolved = await pds.get(
        "com.atproto.identity.resolveHandle", {"handle": item["author"]["handle"]}
    )
    assert resolved.json() == {"did": item["uri"].split("/")[2]}
    unknown = await pds.get("com.atproto.identity.resolveHandle", {"handle": "nobody.example"})
    assert _error(unknown)[:2] == (400, "HandleNotFound")


async def test_profiles_carry_follower_counts(pds):
    await pds.login()
    item = (await pds.notifications(limit=100))[0]
    profiles = await pds.get(
        "app.bsky.actor.getProfiles", {"actors": [item["author"]["did"], BRAND_HANDLE]}
    )
    counts = {p["did"]: p["followersCount"] for p in profiles.json()["profiles"]}
    assert counts[BRAND_DID] == 41_300 and item["author"]["did"] in counts
