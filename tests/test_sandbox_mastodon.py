"""The sandbox Mastodon answers in the recorded shapes, with Mastodon's paging, limits and faults.

Every JSON object the twin serves is compared key by key (recursively) with
the same kind of object in tests/conformance/mastodon, so the twin cannot drift
from the real API unnoticed.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from cm_inbox.sandbox import SandboxState, account_commands, make_sandbox
from cm_inbox.sandbox.mastodon import brand_token

CASSETTES = Path(__file__).parent / "conformance" / "mastodon"
BASE = "http://127.0.0.1:8765"
RESET = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


@functools.cache
def recorded(name: str, index: int) -> tuple[dict[str, str], Any]:
    """(lower-cased headers, JSON body) of one recorded answer."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    interaction = yaml.load((CASSETTES / name).read_text(), Loader=loader)["interactions"][index]
    response = interaction["response"]
    headers = {key.lower(): values[0] for key, values in response["headers"].items()}
    return headers, json.loads(response["body"]["string"])


def remote_status() -> dict:
    """A status by a remote author, as mastodon.social shows it."""
    _, page = recorded("mastodon.social/test_entity_notification.yaml", 0)
    return next(n["status"] for n in page if n["status"])


def local_status() -> dict:
    """A status by a local account (with mentions), as the 4.6.4 server shows its own."""
    return recorded("dev-server/test_status_reply.yaml", 2)[1]


def same_shape(served: Any, reference: Any, where: str = "$") -> None:
    """Keys equal at every level; lists compared by the union of their items' shapes.

    ``None`` on either side matches anything (nullable fields such as card, poll).
    """
    if served is None or reference is None:
        return
    if isinstance(reference, dict):
        assert isinstance(served, dict), f"{where}: {type(served).__name__}, recorded an object"
        assert set(served) == set(reference), (
            f"{where}: extra {sorted(set(served) - set(reference))}, "
            f"missing {sorted(set(reference) - set(served))}"
        )
        for key in reference:
            same_shape(served[key], reference[key], f"{where}.{key}")
    elif isinstance(reference, list):
        assert isinstance(served, list), f"{where}: {type(served).__name__}, recorded a list"
        if served and reference and isinstance(reference[0], dict):
            same_shape(merged(served), merged(reference), f"{where}[]")
    else:
        assert not isinstance(served, dict | list), f"{where}: a container, recorded a value"


def merged(items: list) -> dict:
    out: dict = {}
    for item in items:
        for key, value in item.items():
            out[key] = value if out.get(key) is None else out[key]
    return out


@pytest.fixture
def state(clock) -> SandboxState:
    return SandboxState(clock=clock, count=2000)


@pytest.fixture
async def client(state):
    transport = httpx.ASGITransport(app=make_sandbox(state))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as opened:
        yield opened


@pytest.fixture
def auth(state) -> dict[str, str]:
    return {"Authorization": f"Bearer {brand_token(state.seed, 'lumo')}"}


def assert_rate_headers(response: httpx.Response) -> None:
    assert response.headers["x-ratelimit-limit"] == "300"
    assert response.headers["x-ratelimit-remaining"].isdigit()
    assert RESET.fullmatch(response.headers["x-ratelimit-reset"])


async def notifications(client, auth, **params) -> httpx.Response:
    params.setdefault("types[]", "mention")
    return await client.get("/api/v1/notifications", params=params, headers=auth)


async def test_notifications_have_the_recorded_shape_and_link(client, auth) -> None:
    response = await notifications(client, auth, limit=5)
    assert response.status_code == 200
    assert_rate_headers(response)
    page = response.json()
    _, recorded_page = recorded("mastodon.social/test_entity_notification.yaml", 0)
    reference = next(n for n in recorded_page if n["status"])
    for notification in page:
        same_shape(notification, reference)
        same_shape(notification["status"], remote_status())
    # As recorded: <...?max_id=21&types%5B%5D=mention>; rel="next", <...?min_id=21&...>; rel="prev"
    newest, oldest = page[0]["id"], page[-1]["id"]
    assert response.headers["link"] == (
        f'<{BASE}/api/v1/notifications?limit=5&max_id={oldest}&types%5B%5D=mention>; rel="next", '
        f'<{BASE}/api/v1/notifications?limit=5&min_id={newest}&types%5B%5D=mention>; rel="prev"'
    )
    headers, _ = recorded("dev-server/test_notifications_mentions_only.yaml", 1)

    def pattern(link: str, base: str) -> str:
        return re.sub(r"\d+", "N", link.replace(base, "BASE"))

    served = response.headers["link"].replace("limit=5&", "")
    assert pattern(served, BASE) == pattern(headers["link"], "http://localhost:3000")


async def test_paging_follows_mastodon(client, auth) -> None:
    newest = (await notifications(client, auth, limit=80)).json()
    ids = [int(n["id"]) for n in newest]
    assert len(ids) == 80 and ids == sorted(ids, reverse=True)
    assert len((await notifications(client, auth, limit=500)).json()) == 80  # capped at 80
    assert len((await notifications(client, auth)).json()) == 40  # the default
    older = (await notifications(client, auth, max_id=ids[9], limit=3)).json()
    assert [int(n["id"]) for n in older] == ids[10:13]
    above = (await notifications(client, auth, min_id=ids[20], limit=3)).json()
    assert [int(n["id"]) for n in above] == ids[17:20]  # the page just above, newest first
    since = (await notifications(client, auth, since_id=ids[20], limit=3)).json()
    assert [int(n["id"]) for n in since] == ids[:3]  # the newest page above
    empty = await notifications(client, auth, min_id=ids[0])
    assert empty.json() == [] and "link" not in empty.headers
    assert (await notifications(client, auth, **{"types[]": "follow"})).json() == []
    assert (await notifications(client, auth, **{"exclude_types[]": "mention"})).json() == []


async def test_statuses_and_context_have_the_recorded_shapes(client, auth) -> None:
    page = (await notifications(client, auth, limit=80)).json()
    replies = [n["status"] for n in page if n["status"]["in_reply_to_id"]]
    single = await client.get(f"/api/v1/statuses/{replies[0]['id']}", headers=auth)
    assert single.json() == replies[0]
    assert_rate_headers(single)
    _, reference = recorded("mastodon.social/test_entity_context.yaml", 0)
    kinds = set()
    for reply in replies:
        context = (await client.get(f"/api/v1/statuses/{reply['id']}/context", headers=auth)).json()
        assert set(context) == set(reference)
        assert context["ancestors"][-1]["id"] == reply["in_reply_to_id"]
        for status in context["ancestors"] + context["descendants"]:
            local = "@" not in status["account"]["acct"]  # the brand's own replies
            same_shape(status, local_status() if local else remote_status())
            kinds.add(local)
    assert kinds == {True, False}


async def test_account_instance_and_errors_have_the_recorded_shapes(client, auth) -> None:
    me = await client.get("/api/v1/accounts/verify_credentials", headers=auth)
    same_shape(me.json(), recorded("dev-server/test_status_reply.yaml", 1)[1])
    assert me.json()["acct"] == "lumo"
    instance = await client.get("/api/v2/instance")
    same_shape(instance.json(), recorded("dev-server/test_hashtag_tl.yaml", 1)[1])
    assert instance.json()["configuration"]["statuses"]["max_characters"] == 500
    assert_rate_headers(instance)
    refused = await client.get("/api/v1/notifications")
    assert refused.status_code == 401
    assert refused.json() == recorded("dev-server/test_home_tl_anonymous_throws.yaml", 0)[1]
    assert "invalid_token" in refused.headers["www-authenticate"]
    assert_rate_headers(refused)
    missing = await client.get("/api/v1/statuses/1", headers=auth)
    assert (missing.status_code, missing.json()) == (404, {"error": "Record not found"})
    blank = await client.post("/api/v1/statuses", data={"status": " "}, headers=auth)
    assert blank.status_code == 422
    assert blank.json() == {"error": "Validation failed: Text can't be blank"}
    same_shape(blank.json(), recorded("dev-server/test_lang_for_errors.yaml", 0)[1])
    long = await client.post("/api/v1/statuses", data={"status": "x" * 501}, headers=auth)
    assert long.json() == {"error": "Validation failed: Text character limit of 500 exceeded"}


async def test_a_posted_reply_is_formatted_kept_and_threaded(client, auth, state) -> None:
    parent = (await notifications(client, auth)).json()[0]["status"]
    author = parent["account"]["acct"]
    text = f"@{author} Thanks! See https://lumo.app/help <b>now</b>"
    sent = await client.post(
        "/api/v1/statuses",
        json={"status": text, "in_reply_to_id": parent["id"], "visibility": "unlisted"},
        headers={**auth, "Idempotency-Key": "k1"},
    )
    status = sent.json()
    same_shape(status, local_status())
    assert status["in_reply_to_id"] == parent["id"]
    assert status["in_reply_to_account_id"] == parent["account"]["id"]
    assert status["visibility"] == "unlisted"
    assert status["mentions"] == [
        {"id": parent["account"]["id"], "username": parent["account"]["username"],
         "url": parent["account"]["url"], "acct": author}
    ]  # fmt: skip
    assert 'class="u-url mention">@<span>' in status["content"]
    assert '<a href="https://lumo.app/help"' in status["content"]
    assert "&lt;b&gt;now&lt;/b&gt;" in status["content"]
    again = await client.post(
        "/api/v1/statuses",
        data={"status": text, "in_reply_to_id": parent["id"]},
        headers={**auth, "Idempotency-Key": "k1"},
    )
    assert again.json()["id"] == status["id"]
    (accepted,) = state.replies_on("mastodon")
    assert (accepted.parent_id, accepted.text, accepted.remote_id, accepted.account) == (
        parent["id"],
        text,
        status["id"],
        "lumo",
    )
    context = (await client.get(f"/api/v1/statuses/{parent['id']}/context", headers=auth)).json()
    assert status["id"] in [s["id"] for s in context["descendants"]]
    gone = await client.post(
        "/api/v1/statuses", data={"status": "hi", "in_reply_to_id": "1"}, headers=auth
    )
    assert gone.status_code == 404


async def test_the_oauth_flow_gives_a_working_token(client) -> None:
    app = await client.post(
        "/api/v1/apps",
        data={
            "client_name": "cm-inbox",
            "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
            "scopes": "read:statuses",
        },
    )
    body = app.json()
    assert set(body) == {
        "id", "name", "website", "scopes", "redirect_uris", "vapid_key", "redirect_uri",
        "client_id", "client_secret", "client_secret_expires_at",
    }  # fmt: skip
    query = {
        "response_type": "code",
        "client_id": body["client_id"],
        "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
        "scope": "read:statuses",
    }
    page = await client.get("/oauth/authorize", params=query)
    code = re.search(r'value="([^"]+)"', page.text).group(1)
    grant = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": body["client_id"],
        "client_secret": body["client_secret"],
        "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
    }
    token = (await client.post("/oauth/token", data=grant)).json()
    assert set(token) == {"access_token", "token_type", "scope", "created_at"}
    me = await client.get(
        "/api/v1/accounts/verify_credentials",
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    assert me.json()["acct"] == "lumo"
    reused = await client.post("/oauth/token", data=grant)
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    wrong = await client.get("/oauth/authorize", params={**query, "client_id": "nope"})
    assert wrong.status_code == 400


async def test_the_real_rate_limit_and_its_429(client, auth, clock) -> None:
    for number in range(1, 301):
        response = await client.get("/api/v1/accounts/verify_credentials", headers=auth)
        assert response.headers["x-ratelimit-remaining"] == str(300 - number)
    refused = await client.get("/api/v1/accounts/verify_credentials", headers=auth)
    assert refused.status_code == 429
    assert refused.json() == {"error": "Too many requests"}
    assert refused.headers["retry-after"] == "300"
    assert_rate_headers(refused)
    clock.advance(300)
    allowed = await client.get("/api/v1/accounts/verify_credentials", headers=auth)
    assert allowed.status_code == 200 and allowed.headers["x-ratelimit-remaining"] == "299"


async def test_faults(client, auth, state) -> None:
    state.set_fault("mastodon", "rate_limit")
    limited = await notifications(client, auth)
    assert limited.status_code == 429 and limited.headers["x-ratelimit-remaining"] == "0"
    assert limited.headers["retry-after"] == "10"  # a short throttle, unlike a spent quota
    assert_rate_headers(limited)
    state.set_fault("mastodon", "server_error")
    assert (await notifications(client, auth)).status_code == 503
    state.set_fault("mastodon", "malformed")
    page = (await notifications(client, auth, limit=5)).json()
    broken = [n for n in page if "account" not in n["status"]]
    assert len(broken) == 1 and isinstance(broken[0]["status"]["created_at"], int)
    assert all("account" in n["status"] for n in (await notifications(client, auth)).json())
    state.set_fault("mastodon", "revoke")
    revoked = await notifications(client, auth)
    assert (revoked.status_code, revoked.json()) == (401, {"error": "The access token was revoked"})
    state.clear_faults()
    assert (await notifications(client, auth)).status_code == 200
    state.set_fault("mastodon", "expire_tokens")
    expired = await notifications(client, auth)
    assert (expired.status_code, expired.json()) == (401, {"error": "The access token is invalid"})


def test_account_command_connects_the_brand(state) -> None:
    command = account_commands(BASE, state)["mastodon"]
    assert command["args"] == [
        "accounts", "add", "mastodon", "--name", "lumo", "--instance", BASE, "--token-stdin",
    ]  # fmt: skip
    assert command["stdin"] == brand_token(state.seed, "lumo")
    assert re.fullmatch(r"[\w-]{43}", command["stdin"])
    assert brand_token(8, "lumo") != command["stdin"]
