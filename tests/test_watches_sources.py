"""The watch sources against the recorded shapes and the sandbox twins' answers:
search results and timelines read with the networks' own parsers, the twins
answering in the recorded and lexicon shapes, odd items set aside."""

from __future__ import annotations

import httpx
from lexicon import assert_valid_output
from sandbox_world import BASE
from test_sandbox_mastodon import recorded, remote_status, same_shape

from cm_inbox.compose import check_draft, is_blocked
from cm_inbox.model import Author, Comment, Status
from cm_inbox.networks.base import MemorySecrets
from cm_inbox.sandbox.mastodon import brand_token
from cm_inbox.store.results import ConnectedAccount
from cm_inbox.watches import Watch
from cm_inbox.watches.bluesky_search import _addresses
from cm_inbox.watches.hackernews import HackerNewsSource
from cm_inbox.watches.mastodon_search import MastodonHashtags

WATCH = Watch(name="lumo", terms=("Lumo",), hashtags=("hoot",), hackernews=f"{BASE}/hn")
ACCOUNT = ConnectedAccount(
    1, "mastodon", "lumo-m", "lumo", {"instance": "http://localhost:3000"}, True, None, None, None
)


async def no_sleep(seconds: float) -> None:
    return None


def hashtags_source(identities=frozenset()) -> MastodonHashtags:
    client = httpx.AsyncClient()
    return MastodonHashtags(
        WATCH, ACCOUNT, MemorySecrets({"access_token": "t"}), client,
        identities=identities, sleep=no_sleep, clock=lambda: 0.0, budgets={},
    )  # fmt: skip


def test_the_recorded_tag_timeline_reads_as_statuses():
    _, body = recorded("dev-server/test_hashtag_tl.yaml", 2)
    page = hashtags_source()._read(body, "tag timeline")
    assert page.set_aside == []
    (found,) = page.found
    assert found.comment.text == "#hoot (hashtag toot)"
    assert found.comment.author.handle == "mastodonpy_test_2@localhost:3000"
    assert not found.addressed


def test_a_status_by_or_to_a_brand_account_is_addressed():
    _, body = recorded("dev-server/test_hashtag_tl.yaml", 2)
    by_brand = hashtags_source(frozenset({"mastodonpy_test_2@localhost:3000"}))._read(body, "t")
    assert by_brand.found[0].addressed
    status = dict(body[0], mentions=[{"acct": "lumo", "id": "1", "username": "lumo", "url": "u"}])
    to_brand = hashtags_source(frozenset({"lumo@localhost:3000"}))._read([status], "t")
    assert to_brand.found[0].addressed


def test_an_unreadable_status_is_set_aside():
    _, body = recorded("dev-server/test_hashtag_tl.yaml", 2)
    broken = dict(body[0], account=None)
    page = hashtags_source()._read([broken, body[0]], "tag timeline")
    assert len(page.found) == 1
    assert page.set_aside[0].reason == "mastodon tag timeline: status has no account object"


async def test_the_sandbox_search_and_tag_timeline_answer_in_the_recorded_shapes(world):
    world.state.add_chatter("mastodon", "Dark mode in #QuokkaNotes? Lumo please")
    world.clock.advance(5)
    token = brand_token(world.state.seed, "lumo")
    async with httpx.AsyncClient(transport=world.transport(), base_url=BASE) as client:
        headers = {"Authorization": f"Bearer {token}"}
        search = await client.get("/api/v2/search", params={"q": "#QuokkaNotes", "type": "statuses"}, headers=headers)  # fmt: skip
        tagged = await client.get("/api/v1/timelines/tag/quokkanotes")
        anonymous = await client.get("/api/v2/search", params={"q": "Lumo"})
    _, recorded_search = recorded("dev-server/test_search.yaml", 2)
    assert set(search.json()) == set(recorded_search)
    (status,) = search.json()["statuses"]
    same_shape(status, remote_status())
    assert status["tags"] == [{"name": "quokkanotes", "url": f"{BASE}/tags/quokkanotes"}]
    _, recorded_tagged = recorded("dev-server/test_hashtag_tl.yaml", 2)
    same_shape(status["tags"], recorded_tagged[0]["tags"])
    assert [s["id"] for s in tagged.json()] == [status["id"]]
    assert 'rel="prev"' in tagged.headers["link"]
    assert anonymous.status_code == 401


async def test_the_sandbox_search_posts_answers_in_the_lexicon_shape(world):
    world.state.add_chatter("bluesky", "Lumo on my #QuokkaNotes widget")
    world.clock.advance(5)
    session = world.secrets["bluesky:lumo-b"].get("access_jwt")
    async with httpx.AsyncClient(transport=world.transport(), base_url=BASE) as client:
        answer = await client.get(
            "/xrpc/app.bsky.feed.searchPosts",
            params={"q": "#QuokkaNotes", "sort": "latest", "limit": 5},
            headers={"Authorization": f"Bearer {session}"},
        )
        blank = await client.get("/xrpc/app.bsky.feed.searchPosts", params={"q": " "})
    assert answer.status_code == 200
    assert_valid_output("app.bsky.feed.searchPosts", answer.json())
    (post,) = answer.json()["posts"]
    assert post["record"]["facets"][0]["features"] == [
        {"$type": "app.bsky.richtext.facet#tag", "tag": "QuokkaNotes"}
    ]
    assert blank.status_code == 400 and blank.json()["error"] == "BadQueryString"


def test_a_bluesky_post_that_mentions_answers_or_quotes_the_brand_is_addressed():
    brand = "did:plc:brand"
    post = f"at://{brand}/app.bsky.feed.post/3kabc"
    other = "at://did:plc:someone/app.bsky.feed.post/3kxyz"
    mention = {"features": [{"$type": "app.bsky.richtext.facet#mention", "did": brand}]}
    ref = {"uri": post, "cid": "bafy"}
    brands = frozenset({brand})
    assert _addresses({"record": {"text": "hi", "facets": [mention]}}, brands)
    assert _addresses({"record": {"reply": {"root": ref, "parent": ref}}}, brands)
    assert _addresses(
        {"record": {"embed": {"$type": "app.bsky.embed.record", "record": ref}}}, brands
    )
    with_media = {"$type": "app.bsky.embed.recordWithMedia", "record": {"record": ref}}
    assert _addresses({"record": {"embed": with_media}}, brands)
    elsewhere = {"uri": other, "cid": "bafy"}
    assert not _addresses({"record": {"text": "Lumo", "reply": {"root": elsewhere, "parent": elsewhere}}}, brands)  # fmt: skip


def test_a_hacker_news_hit_in_an_odd_shape_is_set_aside():
    source = HackerNewsSource(
        WATCH, httpx.AsyncClient(), sleep=no_sleep, clock=lambda: 2e9, budgets={}
    )
    good = {
        "objectID": "41000007", "author": "ana", "comment_text": "<p>Lumo &amp; co",
        "created_at_i": 1_795_000_000, "story_id": 40900001, "parent_id": 40900001,
        "story_title": "Notes apps",
    }  # fmt: skip
    page = source._read([good, dict(good, objectID=41), dict(good, created_at_i="yesterday")])
    assert [f.comment.text for f in page.found] == ["Lumo & co\n\n— on “Notes apps”"]
    assert page.found[0].match_text == "Lumo & co"
    assert page.found[0].comment.root_remote_id == "40900001"
    assert [a.reason for a in page.set_aside] == [
        "Hacker News comment: objectID: expected the item's number as text",
        "Hacker News comment: created_at_i: expected Unix seconds",
    ]


def test_a_feed_or_hacker_news_item_cannot_be_answered_from_here():
    author = Author(1, "hackernews", "ana")
    comment = Comment(
        id=1, network="hackernews", account="lumo", account_id=1, remote_id="4", parent_remote_id=None,
        root_remote_id=None, author=author, text="Lumo", created_at=0, fetched_at=0,
        status=Status.NEW, url="https://news.ycombinator.com/item?id=4",
    )  # fmt: skip
    problems = check_draft(comment, "Thanks!")
    assert is_blocked(problems)
    assert problems[0].message == (
        "cm-inbox cannot post on Hacker News: answer at https://news.ycombinator.com/item?id=4"
    )


async def test_a_search_catching_up_after_a_pause_walks_every_page(world):
    watch = Watch(name="lumo", terms=("Quokka",), mastodon="lumo-m")
    world.state.add_chatter("mastodon", "Quokka one")
    world.clock.advance(5)
    await world.sync(watches=[watch])
    for number in range(45):
        world.state.add_chatter("mastodon", f"Quokka number {number}", at=world.clock() + number)
    world.clock.advance(60)
    report = await world.sync(watches=[watch])
    line = next(r for r in report.accounts if getattr(r, "watch", None))
    assert line.new == 45
