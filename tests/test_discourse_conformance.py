"""The Discourse parser against the recorded answers in tests/conformance/discourse.

The example responses shipped with Discourse's API docs and the OpenAPI
description generated from its request specs (see tests/conformance/PROVENANCE.md).
Every file that carries posts must read into comments with author, text, time
and parent; the others are checked to carry none.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from cm_inbox.networks.base import AccountInfo, MemorySecrets
from cm_inbox.networks.discourse import DiscourseConnector
from cm_inbox.networks.discourse_parse import (
    Unreadable,
    Viewer,
    parent_number,
    parse_notification,
    parse_post,
    topic_posts,
)

RECORDED = Path(__file__).parent / "conformance" / "discourse"
RESPONSES = RECORDED / "responses"
VIEWER = Viewer("forum", "https://forum.example.org", "discourse1")
SITE = "https://forum.example.org"


def load(name: str) -> Any:
    return json.loads((RESPONSES / name).read_text())


def epoch(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC).timestamp())


def posts_in(body: Any) -> list[Any]:
    """Every post a recorded answer carries: a bare post, {"post": ...}, or a post stream."""
    if isinstance(body, dict) and "cooked" in body:
        return [body]
    if isinstance(body, dict) and isinstance(body.get("post"), dict):
        return [body["post"]]
    try:
        return topic_posts(body)
    except Unreadable:
        return []


ALL_FILES = sorted(str(p.relative_to(RESPONSES)) for p in RESPONSES.rglob("*.json"))
WITH_POSTS = {
    "posts/get_post_response.json": 1,
    "posts/update_post_response.json": 1,
    "topics/new_topic_response.json": 1,
    "topics/topic_response.json": 1,
    "search/query_response.json": 1,
}


def test_every_recorded_file_is_covered() -> None:
    assert len(ALL_FILES) == 9
    assert set(WITH_POSTS) <= set(ALL_FILES)


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_post_in_every_file_reads_with_author_text_time_and_parent(name: str) -> None:
    posts = posts_in(load(name))
    assert len(posts) == WITH_POSTS.get(name, 0)
    for raw in posts:
        above = parent_number(raw)
        parent_id = f"post-{above}" if above else None
        comment = parse_post(raw, VIEWER, parent_id=parent_id, root_id="root")
        assert comment.author.handle == raw["username"]
        assert comment.text and "<p>" not in comment.text
        assert comment.created_at == epoch(raw["created_at"])
        assert comment.remote_id == str(raw["id"])
        # A topic's first post has no parent; any later one answers the topic at least.
        assert (comment.parent_remote_id is None) == (raw["post_number"] == 1)
        assert comment.extra["topic_id"] == raw["topic_id"]
        assert comment.url and comment.url.endswith(f"/{raw['topic_id']}/{raw['post_number']}")


def test_a_post_reads_field_by_field() -> None:
    raw = load("posts/get_post_response.json")
    comment = parse_post(raw, VIEWER, parent_id="16", root_id="16")
    assert comment.author.handle == "blake"
    assert comment.author.name is None  # "" in the answer: no name, not an empty one
    assert comment.text == raw["raw"]  # one paragraph, no markup: cooked and raw agree
    assert comment.markup == raw["raw"]
    assert comment.created_at == epoch("2016-10-03T13:37:16.594Z")
    assert comment.url == f"{SITE}/t/welcome-to-discourse/8/4"
    assert parent_number(raw) == 1  # post 4 without reply_to_post_number answers the topic
    assert comment.replies == 0 and not comment.is_ours


def test_a_topics_html_becomes_plain_text_with_its_list() -> None:
    raw = topic_posts(load("topics/topic_response.json"))[0]
    comment = parse_post(raw, VIEWER)
    assert "<strong>" not in comment.text and "Until you edit this description" in comment.text
    assert "• Why should people use this category? What is it for?" in comment.text
    assert comment.is_ours  # written by discourse1, the viewer
    assert comment.parent_remote_id is None and parent_number(raw) is None


def test_search_results_keep_their_like_count_without_a_slug() -> None:
    raw = load("search/query_response.json")["posts"][0]
    comment = parse_post(raw, VIEWER)
    assert comment.likes == 0 and comment.author.name is None
    assert comment.url == f"{SITE}/t/-/13/1"


def test_notifications_keep_what_brings_a_post_and_skip_badges() -> None:
    items = load("notifications/get.json")["notifications"]
    assert parse_notification(items[0]) is None  # 12: a badge granted
    ref = parse_notification(items[1])
    assert ref is not None
    assert (ref.id, ref.kind, ref.topic_id, ref.post_number) == (2, 6, 10, 1)
    assert ref.post_id == 14 and ref.username == "discobot"


def test_a_notification_in_a_broken_shape_is_unreadable_not_a_crash() -> None:
    broken = {**load("notifications/get.json")["notifications"][1], "topic_id": "ten"}
    with pytest.raises(Unreadable, match="topic_id"):
        parse_notification(broken)


def test_the_openapi_answers_declare_every_field_the_parser_reads() -> None:
    spec = json.loads((RECORDED / "openapi.json").read_text())

    def schema(path: str, method: str = "get") -> dict[str, Any]:
        answer = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]
        return answer["schema"]

    post_fields = {"id", "username", "name", "cooked", "created_at", "post_number", "topic_id",
                   "reply_to_post_number", "reply_count"}  # fmt: skip
    single = schema("/posts/{id}.json")["properties"]
    assert post_fields <= set(single) and "raw" in single
    assert post_fields <= set(schema("/posts/{id}/replies.json")["items"]["properties"])
    stream = schema("/t/{id}.json")["properties"]["post_stream"]["properties"]
    assert post_fields <= set(stream["posts"]["items"]["properties"])
    assert "stream" in stream
    notification = schema("/notifications.json")["properties"]["notifications"]["items"]
    assert {"id", "notification_type", "topic_id", "post_number", "data"} <= set(
        notification["properties"]
    )
    assert "/posts.json" in spec["paths"] and "post" in spec["paths"]["/posts.json"]


async def test_the_connector_reads_recorded_answers_into_comments() -> None:
    """A sync over the recorded notification page: the private message (post 14) is
    fetched, its parentless first post read, the badge passed over."""
    post = {**load("topics/new_topic_response.json"), "id": 14, "topic_id": 10}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/notifications.json":
            return httpx.Response(200, json=load("notifications/get.json"))
        if request.url.path == "/posts/14.json":
            return httpx.Response(200, json=post)
        return httpx.Response(404, json={"errors": ["not found"], "error_type": "not_found"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        connector = DiscourseConnector(
            AccountInfo("discourse", "forum", "blake.erickson", {"site": SITE}),
            MemorySecrets({"user_api_key": "k"}),
            client,
        )
        page = await connector.fetch_new(None)
    assert page.cursor == "3" and not page.set_aside
    [comment] = page.items
    assert comment.remote_id == "14" and comment.root_remote_id == "14"
    assert comment.author.handle == "discourse1" and comment.parent_remote_id is None


def test_hostile_posts_become_plain_text_with_real_link_targets() -> None:
    raw = {
        **load("posts/get_post_response.json"),
        "username": "mallory\x1b[2J\u202e",
        "name": "[@click=app.quit]Boss[/]",
        "cooked": '<p>See <a href="https://evil.example/x">https://lumo.app/help</a>'
        "<script>steal()</script> now</p>",
    }
    comment = parse_post(raw, VIEWER)
    assert comment.author.handle == "mallory"
    assert comment.author.name == "[@click=app.quit]Boss[/]"  # kept as text, never markup
    assert comment.text == "See https://lumo.app/help <https://evil.example/x> now"
