"""The YouTube parser against real recorded answers (tests/conformance/youtube).

Every comment and thread in every recorded body must read into a comment with
an author, text, a time and, for replies, the parent; the error bodies must
read into Google's reason and message. The bodies are python-youtube's
captures of the real Data API; the discovery document is Google's own schema.
See tests/conformance/PROVENANCE.md.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cm_inbox.networks.youtube_parse import (
    Viewer,
    list_items,
    next_page,
    parse_comment,
    parse_error,
    parse_thread,
)

ROOT = Path(__file__).parent / "conformance" / "youtube"
RECORDED = ROOT / "sns-sdks-python-youtube"
FILES = sorted(RECORDED.rglob("*.json"))
VIEWER = Viewer("brand", channel_id="UCa-vrCLQHviTOVnEKDOdetQ")


def load(name: str) -> Any:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def epoch(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC).timestamp())


def comments_in(body: Any) -> list:
    """Whatever comments a recorded body holds, read the way the connector reads it."""
    kind = body.get("kind")
    if kind == "youtube#commentThreadListResponse":
        return [c for t in list_items(body, kind) for c in parse_thread(t, VIEWER).comments]
    if kind == "youtube#commentListResponse":
        return [parse_comment(c, VIEWER) for c in list_items(body, kind)]
    if kind == "youtube#commentThread":
        return parse_thread(body, VIEWER).comments
    if kind == "youtube#comment":
        return [parse_comment(body, VIEWER)]
    return []


def test_every_recorded_file_is_covered():
    assert len(FILES) == 15
    assert (ROOT.parent / "LICENSES" / "sns-sdks-python-youtube.LICENSE").exists()


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(RECORDED)))
def test_every_recorded_body_reads(path: Path):
    body = json.loads(path.read_text(encoding="utf-8"))
    if "error" in body:
        error = parse_error(body, body["error"]["code"])
        assert error.code in (400, 403) and error.reason and error.message
        return
    comments = comments_in(body)
    assert comments, path
    for comment in comments:
        assert comment.author.handle and comment.text and comment.created_at > 1_500_000_000
        assert comment.network == "youtube" and comment.account == "brand"
        if "." in comment.remote_id:  # a reply: its thread's id, a dot, its own part
            assert comment.parent_remote_id == comment.remote_id.split(".")[0]
            assert comment.root_remote_id == comment.parent_remote_id
        else:
            assert comment.parent_remote_id is None
        assert comment.extra["thread_id"] == (comment.parent_remote_id or comment.remote_id)


def test_a_thread_page_read_field_by_field():
    body = load("comment_threads/comment_threads_all_to_me.json")
    threads = [parse_thread(t, VIEWER) for t in list_items(body, body["kind"])]
    top = threads[0].comments[0]
    assert top.remote_id == "UgyWeTdgc4sc1xgmbld4AaABAg"
    assert top.author.handle == "UCNvMBmCASzTNNX8lW3JRMbw" and top.author.name == "kun liu"
    assert top.text == "Hope to go next time. yah!"
    assert top.created_at == epoch("2019-12-01T03:36:55.000Z")
    assert top.url == "https://www.youtube.com/watch?v=JE8xdDp5B8Q&lc=UgyWeTdgc4sc1xgmbld4AaABAg"
    assert top.extra["video_id"] == "JE8xdDp5B8Q"
    assert next_page(body) is None


def test_html_text_keeps_the_real_link_target_and_line_breaks():
    body = load("comment_threads/comment_threads_by_video_paged_1.json")
    first = parse_thread(list_items(body, body["kind"])[0], VIEWER).comments[0]
    assert first.text == "Google.com"  # the link shows its own target: nothing hidden
    assert "<a" in (first.markup or "")
    single = load("comment_threads/comment_thread_single.json")
    text = parse_thread(single["items"][0], VIEWER).comments[0].text
    assert text.startswith("Super video !!!\nWith full power") and "<br" not in text
    assert next_page(body)


def test_a_link_whose_text_lies_shows_where_it_goes():
    item = load("comments/comments_single.json")["items"][0]
    item["snippet"]["textDisplay"] = '<a href="https://evil.example/x">https://lumo.app</a>'
    assert "https://evil.example/x" in parse_comment(item, VIEWER).text


def test_replies_name_their_parent_and_our_own_comments_are_ours():
    body = load("comments/comments_by_parent_paged_1.json")
    replies = [parse_comment(c, VIEWER) for c in list_items(body, body["kind"])]
    assert {r.parent_remote_id for r in replies} == {"Ugw5zYU6n9pmIgAZWvN4AaABAg"}
    assert next_page(body)
    ours = parse_comment(load("comments/insert_response.json"), VIEWER)
    assert ours.is_ours and ours.parent_remote_id == "Ugy_CAftKrIUCyPr9GR4AaABAg"
    assert ours.text == "wow"


def test_errors_read_in_googles_words():
    error = parse_error(load("error_response.json"), 400)
    assert (error.code, error.reason, error.message) == (400, "keyInvalid", "Bad Request")
    denied = parse_error(load("error_permission_resp.json"), 403)
    assert denied.code == 403 and denied.message == "The caller does not have permission"
    assert parse_error({"oops": 1}, 502).message == "HTTP 502"


def test_the_fields_read_are_the_schemas_own():
    schemas = json.loads((ROOT / "youtube.v3.json").read_text(encoding="utf-8"))["schemas"]
    snippet = schemas["CommentSnippet"]["properties"]
    for field in ("authorDisplayName", "authorChannelId", "textDisplay", "textOriginal",
                  "parentId", "publishedAt", "likeCount", "videoId"):  # fmt: skip
        assert field in snippet, field
    thread = schemas["CommentThreadSnippet"]["properties"]
    assert {"topLevelComment", "totalReplyCount", "videoId"} <= set(thread)
    assert "comments" in schemas["CommentThreadReplies"]["properties"]
