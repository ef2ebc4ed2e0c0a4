"""The Mastodon connector against the sandbox twin, in-process, on a clock tests move."""

from __future__ import annotations

import json
import re

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
from cm_inbox.networks.mastodon import (
    FIRST_SYNC_LIMIT,
    MastodonConnector,
    authorize_url,
    exchange_code,
    register_app,
)
from cm_inbox.networks.mastodon_parse import mentions_handle
from cm_inbox.sandbox import SandboxState, make_sandbox
from cm_inbox.sandbox.mastodon import brand_token

BASE = "http://127.0.0.1:8765"
HOST = "127.0.0.1:8765"


class Sleeper:
    """Records every wait and moves the fake clock by it, so nothing really waits."""

    def __init__(self, clock) -> None:
        self.clock = clock
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds)


@pytest.fixture
def state(clock) -> SandboxState:
    # 2,000 records over the whole demo span: about 300 mentions of @lumo.
    return SandboxState(clock=clock, count=2000)


@pytest.fixture
def sleeper(clock) -> Sleeper:
    return Sleeper(clock)


@pytest.fixture
async def client(state):
    transport = httpx.ASGITransport(app=make_sandbox(state))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as opened:
        yield opened


def connect(client, sleeper, clock, token: str) -> MastodonConnector:
    return MastodonConnector(
        AccountInfo("mastodon", "lumo", f"lumo@{HOST}", {"instance": BASE}),
        MemorySecrets({"access_token": token}),
        client,
        sleep=sleeper,
        clock=clock,
    )


@pytest.fixture
def auth_headers(state) -> dict[str, str]:
    return {"Authorization": f"Bearer {brand_token(state.seed, 'lumo')}"}


@pytest.fixture
def mastodon(state, client, sleeper, clock) -> MastodonConnector:
    return connect(client, sleeper, clock, brand_token(state.seed, "lumo"))


async def sync_all(connector: MastodonConnector, cursor: str | None = None):
    """What the sync engine does: pages until ``more`` is off; returns (items, cursor, pages)."""
    items, pages = [], 0
    while True:
        page = await connector.fetch_new(cursor)
        pages += 1
        items += page.items
        cursor = page.cursor if page.cursor is not None else cursor
        if not page.more:
            return items, cursor, pages


async def test_verify_names_the_account(mastodon) -> None:
    assert await mastodon.verify() == f"@lumo@{HOST}"


async def test_first_sync_takes_the_newest_pages_up_to_the_cap(mastodon) -> None:
    items, cursor, pages = await sync_all(mastodon)
    assert pages == FIRST_SYNC_LIMIT // 40
    assert len(items) == FIRST_SYNC_LIMIT
    assert len({c.remote_id for c in items}) == len(items)
    newest = max(items, key=lambda c: c.created_at)
    comment = items[0]
    assert comment.created_at == newest.created_at  # the newest page comes first
    assert comment.network == "mastodon" and comment.account == "lumo"
    assert re.fullmatch(r"[\w.]+@[\w.-]+", comment.author.handle)
    assert comment.text.startswith("@lumo") or comment.parent_remote_id
    assert comment.extra["visibility"] == "public"
    assert f"lumo@{HOST}" in comment.extra["mention_accts"]
    assert not any(c.is_ours for c in items)
    assert cursor.isdigit()


async def test_a_second_sync_finds_nothing_then_what_time_brings(mastodon, clock) -> None:
    first, cursor, _ = await sync_all(mastodon)
    again = await mastodon.fetch_new(cursor)
    assert (again.items, again.cursor, again.more) == ([], cursor, False)
    clock.advance(3 * 3600)  # the generated audience keeps writing
    later, newer_cursor, _ = await sync_all(mastodon, cursor)
    assert later
    assert int(newer_cursor) > int(cursor)
    assert min(c.created_at for c in later) >= max(c.created_at for c in first)
    assert not {c.remote_id for c in later} & {c.remote_id for c in first}


async def test_catching_up_walks_forward_page_by_page_without_gaps(mastodon) -> None:
    everything, newest, _ = await sync_all(mastodon)
    # From an old cursor: every mention after it, 40 at a time, oldest pages first.
    items, cursor, pages = await sync_all(mastodon, "1")
    assert cursor == newest
    assert pages == len(items) // 40 + 1
    assert len({c.remote_id for c in items}) == len(items) > FIRST_SYNC_LIMIT
    assert {c.remote_id for c in everything} <= {c.remote_id for c in items}


async def test_a_429_is_waited_out_for_exactly_retry_after(mastodon, state, sleeper) -> None:
    state.set_fault("mastodon", "rate_limit")
    page = await mastodon.fetch_new(None)
    assert page.items
    assert sleeper.waits == [10]  # the sandbox fault's Retry-After


async def test_a_spent_quota_is_raised_not_slept(mastodon, client, auth_headers, sleeper) -> None:
    for _ in range(300):  # someone else spent this token's 300 calls of the window
        await client.get("/api/v1/accounts/verify_credentials", headers=auth_headers)
    with pytest.raises(RateLimited) as raised:
        await mastodon.fetch_new(None)
    assert raised.value.retry_after == 300  # to the 5-minute window's reset
    assert sleeper.waits == []


async def test_a_503_is_retried_after_a_short_backoff(mastodon, state, sleeper) -> None:
    state.set_fault("mastodon", "server_error")
    page = await mastodon.fetch_new(None)
    assert page.items
    # Backoff with jitter, not the 300 s to the rate-limit reset Mastodon also sends.
    assert len(sleeper.waits) == 1 and sleeper.waits[0] <= 1


async def test_the_budget_is_kept_before_the_429_comes(mastodon, sleeper, clock) -> None:
    for _ in range(298):
        await mastodon.verify()
    assert mastodon.http.budget.remaining == 2
    # The last two are kept in reserve: a long wait is raised for the next sync...
    with pytest.raises(RateLimited):
        await mastodon.verify()
    clock.advance(250)
    await mastodon.verify()  # ...a short one waited out, with no 429 ever asked for
    assert sleeper.waits == [50]


async def test_a_revoked_token_needs_a_new_login(mastodon, state) -> None:
    state.set_fault("mastodon", "revoke")
    with pytest.raises(NeedsLogin, match="^The access token was revoked$"):
        await mastodon.fetch_new(None)


async def test_expired_tokens_need_a_new_login_which_then_works(
    mastodon, state, client, sleeper, clock
) -> None:
    state.set_fault("mastodon", "expire_tokens")
    with pytest.raises(NeedsLogin, match="^The access token is invalid$") as raised:
        await mastodon.verify()
    assert brand_token(state.seed, "lumo") not in str(raised.value)
    app = await register_app(client, BASE)
    page = await client.get(authorize_url(BASE, app["client_id"]))
    code = re.search(r'class="oauth-code"[^>]*value="([^"]+)"', page.text).group(1)
    token = await exchange_code(client, BASE, app["client_id"], app["client_secret"], code)
    assert await connect(client, sleeper, clock, token).verify() == f"@lumo@{HOST}"
    with pytest.raises(PermanentError, match="invalid_grant"):
        await exchange_code(client, BASE, app["client_id"], app["client_secret"], code)


async def test_a_malformed_item_is_set_aside_and_the_rest_lands(mastodon, state) -> None:
    state.set_fault("mastodon", "malformed")
    page = await mastodon.fetch_new(None)
    assert len(page.items) == 39
    (aside,) = page.set_aside
    assert "created_at" in aside.reason
    raw = json.loads(aside.payload)
    assert raw["type"] == "mention" and "account" not in raw["status"]
    assert page.cursor == max((raw["id"], page.cursor), key=int)


async def test_a_reply_goes_under_its_parent_with_mention_and_visibility(mastodon, state) -> None:
    page = await mastodon.fetch_new(None)
    parent = page.items[0]
    ref = ParentRef(parent.remote_id, None, parent.author.handle, {"visibility": "private"})
    posted = await mastodon.post_reply(ref, "Thanks, we are on it!", "key-1")
    (accepted,) = state.replies_on("mastodon")
    assert accepted.parent_id == parent.remote_id
    assert accepted.text == f"@{parent.author.handle} Thanks, we are on it!"
    assert accepted.extra["visibility"] == "private"
    assert posted.url == f"{BASE}/@lumo/{posted.remote_id}"
    thread = await mastodon.fetch_thread(parent.remote_id)
    ours = next(c for c in thread if c.remote_id == posted.remote_id)
    assert ours.is_ours and ours.parent_remote_id == parent.remote_id
    assert ours.extra == {"visibility": "private", "mention_accts": [parent.author.handle]}
    assert {c.root_remote_id for c in thread} == {parent.root_remote_id or parent.remote_id}


async def test_a_text_that_names_the_author_gets_no_second_mention(mastodon, state) -> None:
    parent = (await mastodon.fetch_new(None)).items[0]
    ref = ParentRef(parent.remote_id, None, parent.author.handle, {})
    await mastodon.post_reply(ref, f"Hi @{parent.author.handle}, fixed!", "key-2")
    (accepted,) = state.replies_on("mastodon")
    assert accepted.text == f"Hi @{parent.author.handle}, fixed!"
    assert accepted.extra["visibility"] == "public"


async def test_the_same_idempotency_key_twice_makes_one_status(mastodon, state) -> None:
    parent = (await mastodon.fetch_new(None)).items[0]
    ref = ParentRef(parent.remote_id, None, parent.author.handle, {"visibility": "public"})
    first = await mastodon.post_reply(ref, "On it", "same-key")
    second = await mastodon.post_reply(ref, "On it", "same-key")
    assert first.remote_id == second.remote_id
    assert len(state.replies_on("mastodon")) == 1


async def test_an_empty_reply_is_refused_for_good(mastodon) -> None:
    parent = (await mastodon.fetch_new(None)).items[0]
    ref = ParentRef(parent.remote_id, None, parent.author.handle, {})
    with pytest.raises(PermanentError, match="^Validation failed: Text can't be blank$"):
        await mastodon.post_reply(ref, "   ", "key-3")


async def test_a_thread_comes_with_its_root(mastodon, state) -> None:
    items, _, _ = await sync_all(mastodon)
    reply = next(c for c in items if c.parent_remote_id)
    thread = await mastodon.fetch_thread(reply.remote_id)
    ids = [c.remote_id for c in thread]
    assert reply.remote_id in ids and reply.parent_remote_id in ids
    root = thread[0]
    assert root.parent_remote_id is None
    assert {c.root_remote_id for c in thread} == {root.remote_id}
    assert any(c.is_ours for c in thread) or len(thread) >= 2


async def test_a_missing_status_is_a_permanent_error(mastodon) -> None:
    with pytest.raises(PermanentError, match="^Record not found$"):
        await mastodon.fetch_thread("1")
    with pytest.raises(PermanentError):
        await mastodon.fetch_thread("../../oauth/token")


async def test_max_length_is_read_once_from_the_instance(state, sleeper, clock) -> None:
    seen: list[str] = []

    async def note(request: httpx.Request) -> None:
        seen.append(request.url.path)

    transport = httpx.ASGITransport(app=make_sandbox(state))
    async with httpx.AsyncClient(transport=transport, event_hooks={"request": [note]}) as client:
        mastodon = connect(client, sleeper, clock, brand_token(state.seed, "lumo"))
        assert await mastodon.max_length() == 500
        assert await mastodon.max_length() == 500
    assert seen == ["/api/v2/instance"]


def mock(status: dict | None = None, instance: dict | None = None, error: tuple | None = None):
    """A one-page Mastodon for shapes the sandbox never makes."""

    def answer(request: httpx.Request) -> httpx.Response:
        if error is not None:
            return httpx.Response(error[0], json=error[1])
        if request.url.path == "/api/v2/instance":
            return httpx.Response(200, json=instance)
        return httpx.Response(200, json=[{"id": "7", "type": "mention", "status": status}])

    return httpx.MockTransport(answer)


def a_status(content: str) -> dict:
    return {
        "id": "110",
        "created_at": "2026-11-20T09:00:00.000Z",
        "in_reply_to_id": None,
        "visibility": "public",
        "content": content,
        "url": "javascript:alert(1)",
        "uri": "https://example.social/users/mallory/statuses/110",
        "account": {"acct": "mallory@example.social", "display_name": "", "followers_count": True},
        "mentions": [{"acct": "lumo"}],
        "language": None,
    }


async def test_a_link_shows_its_real_target(sleeper, clock) -> None:
    html = '<p>Help: <a href="https://evil.example/login">https://lumo.app/support</a></p>'
    async with httpx.AsyncClient(transport=mock(a_status(html))) as client:
        mastodon = connect(client, sleeper, clock, "t0ken")
        (comment,) = (await mastodon.fetch_new("6")).items
    assert comment.text == "Help: https://lumo.app/support <https://evil.example/login>"
    assert comment.url == "https://example.social/users/mallory/statuses/110"  # never javascript:
    assert comment.author.followers is None and comment.author.name is None
    assert comment.extra["mention_accts"] == [f"lumo@{HOST}"]


async def test_an_instance_with_a_longer_limit(sleeper, clock) -> None:
    instance = {"configuration": {"statuses": {"max_characters": 11_000}}}
    async with httpx.AsyncClient(transport=mock(instance=instance)) as client:
        mastodon = connect(client, sleeper, clock, "t0ken")
        assert await mastodon.max_length() == 11_000


async def test_error_messages_never_carry_the_token(sleeper, clock) -> None:
    echo = (401, {"error": "The access token t0ken-s3cret is invalid\x1b[2J"})
    async with httpx.AsyncClient(transport=mock(error=echo)) as client:
        mastodon = connect(client, sleeper, clock, "t0ken-s3cret")
        with pytest.raises(NeedsLogin) as raised:
            await mastodon.fetch_new(None)
    assert str(raised.value) == "The access token [token] is invalid"


@pytest.mark.parametrize(
    ("text", "handle", "named"),
    [
        ("@bob@mastodon.social thanks", "bob@mastodon.social", True),
        ("thanks @Bob@Mastodon.Social.", "bob@mastodon.social", True),
        ("@bob thanks", f"bob@{HOST}", True),  # a local account may go without its domain
        ("@bob thanks", "bob@mastodon.social", False),  # a remote one may not
        ("@bobby@mastodon.social hi", "bob@mastodon.social", False),
        ("@bob@mastodon.social.evil hi", "bob@mastodon.social", False),
        ("mail bob@mastodon.social", "bob@mastodon.social", False),
    ],
)
def test_when_a_text_already_names_the_author(text: str, handle: str, named: bool) -> None:
    assert mentions_handle(text, handle, HOST) is named
