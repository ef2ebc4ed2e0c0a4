"""Keyword watches through a real sync: the sandbox's search, feeds and Hacker News twins,
in-process, on the fake clock. What people say about the brand without tagging it
lands in the queue labelled "untagged mention", once."""

from __future__ import annotations

import pytest
from sandbox_world import BASE

from cm_inbox.model import QueueQuery, Status, View
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.sandbox.feeds import feeds_twin
from cm_inbox.watches import UNTAGGED_LABEL, Watch

# A brand word no generated sandbox post uses, so every match is one a test wrote.
TERM = "Brewly"


def brewly(**changes) -> Watch:
    fields = {
        "name": "brewly",
        "terms": (TERM,),
        "misspellings": ("Brewlee",),
        "exclude": ("Brewly lamp",),
        "hashtags": ("BrewlyApp",),
        "mastodon": "lumo-m",
        "bluesky": "lumo-b",
        "feeds": (f"{BASE}/feeds/lumo.rss", f"{BASE}/feeds/lumo.atom"),
        "hackernews": f"{BASE}/hn",
    }
    fields.update(changes)
    return Watch(**fields)


def untagged(store) -> list:
    """Every comment labelled "untagged mention", oldest first."""
    keys = store.queue_keys(QueueQuery(view=View.ALL, label=UNTAGGED_LABEL, sort="oldest"))
    return [row.comment for row in store.queue_rows(View.ALL, keys)]


def outcomes(report) -> dict[str, object]:
    return {r.account: r for r in report.accounts if getattr(r, "watch", None)}


async def test_a_term_said_anywhere_lands_once_as_an_untagged_mention(world, clock):
    state = world.state
    world.clock.advance(60)
    said = {
        "mastodon": state.add_chatter("mastodon", "Morning coffee from my Brewly, bliss."),
        "bluesky": state.add_chatter("bluesky", "brewly's grinder is loud but the coffee!"),
        "rss": state.add_chatter(
            "rss", "We tested the Brewly against two rivals.", title="Kettles"
        ),
        "atom": state.add_chatter("atom", "BREWLY raises a seed round.", title="Funding news"),
        "hackernews": state.add_chatter("hackernews", "I ported my Brewly's firmware to Rust."),
    }
    world.clock.advance(60)

    report = await world.sync(watches=[brewly()])

    found = untagged(world.store)
    by_network: dict[str, list] = {}
    for comment in found:
        by_network.setdefault(comment.network, []).append(comment)
    assert sorted(by_network) == ["bluesky", "hackernews", "mastodon", "rss"]
    assert [c.text for c in by_network["mastodon"]] == [said["mastodon"].text]
    assert [c.text for c in by_network["bluesky"]] == [said["bluesky"].text]
    # The brand account that searched owns the match: a reply can go from it.
    assert by_network["mastodon"][0].account == "lumo-m"
    assert by_network["bluesky"][0].account == "lumo-b"
    # Feeds (RSS and Atom alike) and Hacker News land under the watch's read-only account, with their link.
    feed_items = sorted(by_network["rss"], key=lambda c: c.text)
    assert [c.text.split("\n\n") for c in feed_items] == [
        ["Funding news", said["atom"].text],
        ["Kettles", said["rss"].text],
    ]
    assert {c.account for c in feed_items} == {"brewly"}
    assert feed_items[1].url == f"https://blog.lumo-fans.example/posts/{said['rss'].serial}"
    hn = by_network["hackernews"][0]
    assert hn.account == "brewly" and hn.author.handle == "sam"
    assert hn.url.startswith("https://news.ycombinator.com/item?id=")
    assert hn.text.startswith(said["hackernews"].text)
    assert all(c.status is Status.NEW and c.labels == (UNTAGGED_LABEL,) for c in found)
    assert not [r for r in report.accounts if r.error], [r.error for r in report.accounts]
    # Read-only sources are no connected accounts: nothing is ever sent from them.
    assert {(a.network, a.name) for a in world.store.connected_accounts()} == {
        ("mastodon", "lumo-m"),
        ("bluesky", "lumo-b"),
    }

    world.clock.advance(30)
    again = await world.sync(watches=[brewly()])
    assert [r.new for r in again.accounts if getattr(r, "watch", None)] == [0] * 6
    assert len(untagged(world.store)) == len(found)


async def test_every_source_has_its_own_outcome_line(world):
    report = await world.sync(watches=[brewly()])
    lines = outcomes(report)
    assert sorted((r.network, r.source) for r in lines.values()) == [
        ("bluesky", "search"),
        ("hackernews", "comments"),
        ("mastodon", "hashtags"),
        ("mastodon", "search"),
        ("rss", "feed"),
        ("rss", "feed"),
    ]
    assert {r.as_dict()["watch"] for r in lines.values()} == {"brewly"}


async def test_misspellings_accents_and_hashtags_match_exclusions_and_lookalikes_do_not(world):
    state = world.state
    state.add_chatter("mastodon", "Brewlee? Brewly? The app is great either way.")
    state.add_chatter("mastodon", "Bréwly coffee, accents and all.")
    state.add_chatter("mastodon", "Dark mode in #BrewlyApp please")
    state.add_chatter("mastodon", "My Brewly lamp flickers.")  # excluded
    state.add_chatter("mastodon", "Brewlytics dashboards are down again")  # another word
    world.clock.advance(5)

    report = await world.sync(watches=[brewly(bluesky=None, feeds=(), hackernews=None)])

    texts = sorted(c.text for c in untagged(world.store))
    assert texts == [
        "Brewlee? Brewly? The app is great either way.",
        "Bréwly coffee, accents and all.",
        "Dark mode in #BrewlyApp please",
    ]
    search = outcomes(report)["brewly: search as lumo-m"]
    assert search.excluded == 1


async def test_a_status_that_tags_the_brand_stays_a_notification(world):
    """The sandbox's audience writes to @lumo; those statuses come through notifications.

    A watch on a word they use finds them by search too: they are neither
    stored twice nor labelled.
    """
    store = world.store
    before = store.queue_keys(QueueQuery(view=View.ALL))
    rows = store.queue_rows(View.ALL, before)
    received = next(
        row.comment
        for row in rows
        if row.comment.network == "mastodon" and "Lumo" in row.comment.text
    )
    report = await world.sync(watches=[brewly(terms=("Lumo",), feeds=(), hackernews=None)])

    assert not [r.error for r in report.accounts if r.error]
    same = [c for c in untagged(store) if c.remote_id == received.remote_id]
    assert same == []
    after = store.queue_rows(View.ALL, store.queue_keys(QueueQuery(view=View.ALL)))
    assert sum(1 for row in after if row.comment.remote_id == received.remote_id) == 1
    # What the watch did add tags no connected account (a status to @lumo_fr, whom this
    # inbox does not receive, is fair game: nobody here would see it otherwise).
    added = [c for c in untagged(store) if c.network == "mastodon"]
    assert added
    for comment in added:
        assert "lumo@sandbox.test" not in store.comment_extra(comment.id)["mention_accts"]


async def test_an_item_already_in_the_inbox_is_neither_added_nor_relabelled(world):
    store = world.store
    said = world.state.add_chatter("bluesky", "Brewly makes my mornings.")
    world.clock.advance(5)
    first = await world.sync(watches=[brewly(mastodon=None, feeds=(), hackernews=None)])
    assert outcomes(first)["brewly: search as lumo-b"].new == 1
    (comment,) = untagged(store)
    assert comment.text == said.text
    # The community manager handles it and relabels it; a later sync must keep that.
    store.set_status([comment.id], Status.DONE)
    store.change_labels([comment.id], add=["coffee"], remove=[UNTAGGED_LABEL])

    world.clock.advance(700)
    again = await world.sync(watches=[brewly(mastodon=None, feeds=(), hackernews=None)])
    assert outcomes(again)["brewly: search as lumo-b"].new == 0
    kept = store.comment(comment.id)
    assert kept.status is Status.DONE and kept.labels == ("coffee",)


async def test_a_status_received_from_another_instance_is_not_taken_again(world):
    """Same author and link, another id: the status as another instance numbers it."""
    store = world.store
    said = world.state.add_chatter("mastodon", "Brewly v2 is out!", user="rosa")
    world.clock.advance(5)
    from cm_inbox.sandbox.mastodon_twin import chatter_post

    post = chatter_post(said)
    handle = f"{post.author.username}@{post.author.host}"
    store.upsert_comments(
        [
            IncomingComment(
                network="mastodon",
                account="lumo-fr",
                remote_id="999",  # its id on the other instance
                author=IncomingAuthor(handle=handle),
                text=said.text,
                created_at=int(said.at),
                url=post.url,
            )
        ]
    )
    report = await world.sync(watches=[brewly(bluesky=None, feeds=(), hackernews=None)])
    assert outcomes(report)["brewly: search as lumo-m"].new == 0
    assert untagged(store) == []


async def test_an_unchanged_feed_is_not_downloaded_again(world):
    twin = feeds_twin(world.state)
    watch = brewly(mastodon=None, bluesky=None, hackernews=None, feeds=(f"{BASE}/feeds/lumo.rss",))
    world.state.add_chatter("rss", "Brewly review, part one.", title="Review")
    world.clock.advance(5)
    first = await world.sync(watches=[watch])
    assert twin.hits["lumo.rss"] == [200]
    assert outcomes(first)[f"brewly: {BASE.split('://')[1]}/feeds/lumo.rss"].new == 1

    second = await world.sync(watches=[watch])
    assert twin.hits["lumo.rss"] == [200, 304]
    line = next(iter(outcomes(second).values()))
    assert line.new == 0 and line.error is None
    assert line.note == "not modified since the last sync"

    world.state.add_chatter("rss", "Brewly review, part two.", title="Review 2")
    world.clock.advance(5)
    third = await world.sync(watches=[watch])
    assert twin.hits["lumo.rss"] == [200, 304, 200]
    assert next(iter(outcomes(third).values())).new == 1
    assert len(untagged(world.store)) == 2


async def test_a_malformed_feed_is_an_outcome_and_the_rest_goes_on(world):
    world.state.add_chatter("rss", "Brewly at the coffee fair.", title="Fair")
    world.state.add_chatter("mastodon", "Brewly at the coffee fair!")
    world.clock.advance(5)
    broken = f"{BASE}/feeds/broken.xml"
    watch = brewly(bluesky=None, hackernews=None, feeds=(broken, f"{BASE}/feeds/lumo.rss"))

    report = await world.sync(watches=[watch])

    lines = outcomes(report)
    failed = [r for r in lines.values() if r.error]
    assert len(failed) == 1
    assert failed[0].error.startswith(f"{broken}: the feed is not well-formed XML")
    assert failed[0].network == "rss" and failed[0].new == 0
    assert sorted(c.network for c in untagged(world.store)) == ["mastodon", "rss"]
    accounts = [r for r in report.accounts if not getattr(r, "watch", None)]
    assert accounts and all(r.error is None for r in accounts)
    assert world.store.watch_outcomes()[0].last_error == failed[0].error


async def test_a_source_that_is_down_fails_alone(world):
    world.state.add_chatter("atom", "Brewly everywhere.", title="Everywhere")
    world.clock.advance(5)
    world.state.set_fault("hackernews", "server_error", count=10)
    report = await world.sync(watches=[brewly(mastodon=None, bluesky=None)])
    lines = outcomes(report)
    assert lines["brewly: comments"].error == "sandbox.test answered 503 Service Unavailable"
    assert [c.text.split("\n\n")[0] for c in untagged(world.store)] == ["Everywhere"]


async def test_a_watch_naming_an_account_that_is_not_connected_says_so(world):
    report = await world.sync(watches=[brewly(mastodon="nobody", feeds=(), hackernews=None)])
    lines = outcomes(report)
    assert lines["brewly: search"].error == (
        'no connected Mastodon account named "nobody" (`cm-inbox accounts list`)'
    )
    assert lines["brewly: search as lumo-b"].error is None


async def test_syncing_one_account_runs_only_its_watch_sources(world):
    world.state.add_chatter("rss", "Brewly!", title="Brewly")
    world.clock.advance(5)
    mastodon = world.store.account("mastodon", "lumo-m")
    report = await world.sync(watches=[brewly()], accounts=[mastodon])
    assert sorted(r.account for r in outcomes(report).values()) == [
        "brewly: #BrewlyApp as lumo-m",
        "brewly: search as lumo-m",
    ]


@pytest.mark.parametrize("fetch", [False])
async def test_sending_only_runs_no_watch(world, fetch):
    report = await world.sync(watches=[brewly()], fetch=fetch)
    assert outcomes(report) == {}


def test_the_apps_background_syncer_runs_watches_even_without_accounts(store, clock):
    """The TUI's Syncer: a watch on feeds alone is reason enough to sync."""
    import httpx

    from cm_inbox.sandbox import SandboxState, make_sandbox
    from cm_inbox.sync import Syncer

    state = SandboxState(seed=3, clock=clock, count=10)
    state.add_chatter("atom", "Brewly in the news.", title="News")
    clock.advance(5)
    app = make_sandbox(state)
    watch = brewly(mastodon=None, bluesky=None, hackernews=None, feeds=(f"{BASE}/feeds/lumo.atom",))
    syncer = Syncer(
        store,
        lambda account: None,
        transport_factory=lambda: httpx.ASGITransport(app=app),
        clock=clock,
        watches=[watch],
    )
    assert syncer.has_accounts()
    report = syncer.run()
    (line,) = report.accounts
    assert (line.network, line.new, line.error) == ("rss", 1, None)
    assert [c.text for c in untagged(store)] == ["News\n\nBrewly in the news."]
    assert not Syncer(store, lambda account: None).has_accounts()


async def test_a_hostile_feed_entry_arrives_as_plain_text(world):
    twin = feeds_twin(world.state)
    twin.publish(
        "hostile.rss",
        """<?xml version="1.0"?><rss version="2.0"><channel><title>[bold]Evil[/]</title>
<item><title>[@click=app.quit]Brewly[/] wins</title><guid>https://evil.example/1</guid>
<link>javascript:alert(1)</link>
<description>&lt;p&gt;Brewly &lt;a href="https://evil.example/"&gt;https://brewly.example&lt;/a&gt;
\u202eevil bidi &lt;script&gt;document.cookie&lt;/script&gt;&lt;/p&gt;</description></item>
</channel></rss>""",
    )
    watch = brewly(
        mastodon=None, bluesky=None, hackernews=None, feeds=(f"{BASE}/feeds/hostile.rss",)
    )
    report = await world.sync(watches=[watch])
    assert [r.error for r in report.accounts if getattr(r, "watch", None)] == [None]
    (item,) = untagged(world.store)
    assert item.text == (
        "[@click=app.quit]Brewly[/] wins\n\n"
        "Brewly https://brewly.example <https://evil.example/>\nevil bidi"
    )
    assert item.url is None  # a javascript: link is never kept
    # Without an author the feed names it; its markup-looking title is only text.
    assert item.author.handle == item.author.display_name == "[bold]Evil[/]"
