"""The sync engine against the sandbox networks, in-process: what a user relies on
when they press R or run `cm-inbox sync`."""

from __future__ import annotations

import httpx
import pytest
from sandbox_world import BASE, World

from cm_inbox.model import ReplyState
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.networks.base import MemorySecrets
from cm_inbox.sync import sync_accounts


@pytest.fixture
async def world(store, clock):
    made = World(store, clock)
    await made.connect()
    return made


async def test_a_sync_brings_both_networks_and_a_second_brings_nothing(world):
    first = world.by_network(await world.sync())
    assert first["mastodon"].new > 0 and first["bluesky"].new > 0
    assert not first["mastodon"].error and not first["bluesky"].error
    assert {c.network for c in _inbox(world.store)} >= {"mastodon", "bluesky"}
    second = world.by_network(await world.sync())
    assert second["mastodon"].new == 0 and second["bluesky"].new == 0


async def test_comments_arriving_later_come_in_on_the_next_sync(world):
    await world.sync()
    world.clock.advance(3 * 3600)  # the sandbox's audience keeps writing
    later = world.by_network(await world.sync())
    assert later["mastodon"].new + later["bluesky"].new > 0
    again = world.by_network(await world.sync())
    assert again["mastodon"].new == 0 and again["bluesky"].new == 0


async def test_a_queued_reply_goes_out_once_under_its_parent(world):
    await world.sync()
    store = world.store
    for network in ("mastodon", "bluesky"):
        comment = next(c for c in _inbox(store) if c.network == network and not c.is_ours)
        reply = store.queue_reply(comment.id, f"Thanks for telling us, we are on it ({network})")
        report = world.by_network(await world.sync())
        assert report[network].sent == 1, report[network]
        sent = store.reply(reply.id)
        assert sent.state is ReplyState.SENT and sent.remote_id
        accepted = [r for r in world.state.replies_on(network) if "we are on it" in r.text]
        assert len(accepted) == 1
        assert accepted[0].parent_id == comment.remote_id
        # A later sync does not send it again.
        await world.sync()
        assert len([r for r in world.state.replies_on(network) if "we are on it" in r.text]) == 1


async def test_a_reply_waits_for_its_undo_window(world):
    await world.sync()
    comment = next(c for c in _inbox(world.store) if c.network == "mastodon")
    reply = world.store.queue_reply(comment.id, "We hear you, fix coming today")
    held = world.by_network(await world.sync(hold_replies_s=10))
    assert held["mastodon"].sent == 0
    assert world.store.reply(reply.id).state is ReplyState.QUEUED
    world.clock.advance(11)
    gone = world.by_network(await world.sync(hold_replies_s=10))
    assert gone["mastodon"].sent == 1


async def test_refused_credentials_mark_the_account_and_the_other_goes_on(world):
    world.state.set_fault("mastodon", "revoke")
    report = world.by_network(await world.sync())
    assert report["mastodon"].needs_login
    assert "access token" in report["mastodon"].error.lower()  # the network's own words
    assert report["bluesky"].error is None and report["bluesky"].new > 0
    account = world.store.account("mastodon", "lumo-m")
    assert account.login_problem
    # Until a new login, the account is skipped rather than hammered.
    skipped = world.by_network(await world.sync())
    assert skipped["mastodon"].needs_login and skipped["mastodon"].new == 0


async def test_an_expired_bluesky_session_is_refreshed_without_a_new_login(world):
    await world.sync()
    old_access = world.secrets["bluesky:lumo-b"].get("access_jwt")
    world.state.set_fault("bluesky", "expire_tokens")
    world.clock.advance(3 * 3600)
    report = world.by_network(await world.sync())
    assert report["bluesky"].error is None
    assert world.secrets["bluesky:lumo-b"].get("access_jwt") != old_access


async def test_a_rate_limit_is_waited_out(world):
    world.state.set_fault("mastodon", "rate_limit", count=1)
    report = world.by_network(await world.sync())
    assert report["mastodon"].error is None and report["mastodon"].new > 0
    assert world.waits and world.waits[0] > 0


async def test_a_malformed_item_is_set_aside_and_the_rest_lands(world):
    world.state.set_fault("mastodon", "malformed", count=1)
    report = world.by_network(await world.sync())
    assert report["mastodon"].set_aside == 1
    assert report["mastodon"].new > 0
    kept = world.store.set_aside_items()
    assert len(kept) == 1 and kept[0].network == "mastodon" and kept[0].payload


async def test_an_unreachable_network_is_reported_as_offline(store, clock):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    store.connect_account("mastodon", "lumo-m", "lumo", {"instance": "http://127.0.0.1:9"})
    report = await sync_accounts(
        store,
        lambda account: MemorySecrets({"access_token": "t"}),
        transport=httpx.MockTransport(refuse),
        clock=clock,
    )
    assert report.accounts[0].offline
    assert "127.0.0.1" in report.accounts[0].error
    assert store.account("mastodon", "lumo-m").last_error


def test_a_page_and_its_cursor_are_stored_together_or_not_at_all(store, clock):
    account = store.connect_account("mastodon", "lumo-m", "lumo", {"instance": BASE})
    good = IncomingComment(
        network="mastodon",
        account="lumo-m",
        remote_id="1",
        author=IncomingAuthor("ann@example.org"),
        text="hello",
        created_at=int(clock()),
    )
    broken = IncomingComment(
        network="mastodon",
        account="lumo-m",
        remote_id="2",
        author=None,  # type: ignore[arg-type]  # what a connector bug would pass
        text="boom",
        created_at=int(clock()),
    )
    with pytest.raises(AttributeError):
        store.save_sync_page(account.id, [good, broken], [], "cursor-2")
    assert store.sync_cursor(account.id) is None
    assert store.queue_count(_query()) == 0
    store.save_sync_page(account.id, [good], [], "cursor-1")
    assert store.sync_cursor(account.id) == "cursor-1"
    assert store.queue_count(_query()) == 1


def _query():
    from cm_inbox.model import QueueQuery, View

    return QueueQuery(view=View.ALL)


def _inbox(store):
    from cm_inbox.model import QueueQuery, View

    keys = store.queue_keys(QueueQuery(view=View.INBOX))
    return [row.comment for row in store.queue_rows(View.INBOX, list(keys)[:200])]


async def test_a_full_disk_is_reported_for_the_account_and_the_sync_goes_on(world, monkeypatch):
    import sqlite3

    real = world.store.save_sync_page

    def full_for_mastodon(account_id, *args, **kwargs):
        if world.store.account_by_id(account_id).network == "mastodon":
            raise sqlite3.OperationalError("database or disk is full")
        return real(account_id, *args, **kwargs)

    monkeypatch.setattr(world.store, "save_sync_page", full_for_mastodon)
    report = world.by_network(await world.sync())
    assert "disk is full" in report["mastodon"].error
    assert str(world.store.path) in report["mastodon"].error
    assert report["bluesky"].error is None and report["bluesky"].new > 0


def _signals_by_remote_id(store) -> dict:
    from cm_inbox.model import QueueQuery, View

    keys = list(store.queue_keys(QueueQuery(view=View.ALL)))
    rows = store.queue_rows(View.ALL, keys)
    return {
        (c.network, c.remote_id): (
            c.language,
            c.sentiment,
            c.sentiment_score,
            c.intents,
            c.priority,
        )
        for c in (row.comment for row in rows)
    }


async def test_signals_worked_out_in_a_second_process_are_the_ones_ingest_gives(
    world, tmp_path, monkeypatch
):
    """`cm-inbox sync` of several accounts has a second process work out each
    page's signals; the comments land with the same language, sentiment,
    intents and priority as when the sync works them out itself."""
    import cm_inbox.scoring
    from cm_inbox.store import Store

    alone = World(Store(tmp_path / "alone.db", clock=world.clock), world.clock)
    await alone.connect()
    await alone.sync()

    def not_here(*args, **kwargs):
        raise AssertionError("analysed in the syncing process")

    monkeypatch.setattr(cm_inbox.scoring, "analyze", not_here)
    report = await world.sync(signals_ahead=True)
    assert not report.errors, [r.error for r in report.errors]
    ahead = _signals_by_remote_id(world.store)
    assert len(ahead) > 100
    assert ahead == _signals_by_remote_id(alone.store)


async def test_a_dead_signals_process_leaves_the_signals_to_ingest(store, caplog):
    import multiprocessing

    from cm_inbox.signals_ahead import SignalsAhead

    items = [
        IncomingComment(
            network="mastodon",
            account="lumo-m",
            remote_id=str(n),
            author=IncomingAuthor("ann@example.org"),
            text=text,
            created_at=1_795_168_800,
        )
        for n, text in enumerate(["franchement c'est nul, l'appli plante", "Love the new view!"])
    ]
    ahead = SignalsAhead("en")
    try:
        for child in multiprocessing.active_children():
            child.kill()
            child.join()
        await ahead.fill(items)
        assert [item.signals for item in items] == [None, None]
        assert "signals process failed" in caplog.text
        await ahead.fill(items)  # closed: nothing tried again
    finally:
        ahead.close()
    store.upsert_comments(items)
    stored = _signals_by_remote_id(store)
    assert stored[("mastodon", "0")][:2] == ("fr", "negative")
    assert stored[("mastodon", "1")][:2] == ("en", "positive")


async def test_a_failed_fetch_still_stores_the_pages_before_it(store, clock):
    """With signals worked out ahead, pages wait for them before they are stored:
    a fetch failing after them must not take them down with it."""
    from cm_inbox.networks.base import FetchPage, NetworkError
    from cm_inbox.signals_ahead import SignalsAhead
    from cm_inbox.sync import AccountSync, _fetch_new

    account = store.connect_account("mastodon", "lumo-m", "lumo", {"instance": BASE})

    def page(n: int) -> FetchPage:
        item = IncomingComment(
            network="mastodon",
            account="lumo-m",
            remote_id=str(n),
            author=IncomingAuthor("ann@example.org"),
            text=f"comment {n}",
            created_at=int(clock()),
        )
        return FetchPage(items=[item], cursor=f"after-{n}", more=True)

    class FailsOnTheThird:
        calls = 0

        async def fetch_new(self, cursor):
            self.calls += 1
            if self.calls == 3:
                raise NetworkError("the network went away")
            return page(self.calls)

    ahead = SignalsAhead("en")
    result = AccountSync("mastodon", "lumo-m")
    try:
        with pytest.raises(NetworkError):
            await _fetch_new(store, account, FailsOnTheThird(), result, lambda stage: None, ahead)
    finally:
        ahead.close()
    assert result.new == 2
    assert store.sync_cursor(account.id) == "after-2"
    assert set(_signals_by_remote_id(store)) == {("mastodon", "1"), ("mastodon", "2")}
