"""The Reddit parser against real recorded traffic (tests/conformance/reddit).

Every comment, post and message in every praw and asyncpraw cassette must read
into a comment with an author, text, a time and its parent; a few known ones
are checked field by field. See tests/conformance/PROVENANCE.md for where the
cassettes come from.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cm_inbox.networks.base import AccountInfo, MemorySecrets, PermanentError
from cm_inbox.networks.reddit import RedditConnector
from cm_inbox.networks.reddit_http import RATE_HEADERS, RedditPolite
from cm_inbox.networks.reddit_login import read_answer
from cm_inbox.networks.reddit_parse import (
    Viewer,
    listing_children,
    parse_comment_answer,
    parse_thing,
    thread_things,
    walk_tree,
)

CASSETTES = Path(__file__).parent / "conformance" / "reddit"
VIEWER = Viewer("brand", "<USERNAME>")


@functools.cache
def cassette(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text())["interactions"]


def answers() -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(cassette name, interaction, JSON body) of every JSON answer recorded."""
    for path in sorted(CASSETTES.glob("*/*.json")):
        for interaction in cassette(path):
            body = interaction["response"]["body"].get("string", "")
            yield f"{path.parent.name}/{path.name}", interaction, json.loads(body)


def things_of(body: Any) -> list[Any]:
    """Every comment, post and message an answer carries, however it is wrapped."""
    if isinstance(body, list):
        return thread_things(body)
    if isinstance(body, dict) and body.get("kind") == "Listing":
        return list(walk_tree(listing_children(body)))
    if isinstance(body, dict) and "json" in body:
        return parse_comment_answer(body).things
    return []


def test_there_are_cassettes_from_both_libraries():
    names = {name.split("/")[0] for name, _, _ in answers()}
    assert names == {"praw", "asyncpraw"}


def test_every_recorded_thing_reads_with_author_text_time_and_parent():
    read = 0
    for name, interaction, body in answers():
        if interaction["response"]["status"]["code"] != 200:
            continue
        for thing in things_of(body):
            comment = parse_thing(thing, VIEWER)
            where = f"{name} {comment.remote_id}"
            assert comment.author.handle.strip(), where
            assert comment.created_at > 1_100_000_000, where  # after Reddit began (2005)
            assert comment.text or thing["kind"] == "t3", where  # a link post may have no body
            assert "<div" not in comment.text and "&lt;" not in comment.text, where
            kind = thing["kind"]
            if kind == "t1":
                assert comment.parent_remote_id and comment.parent_remote_id[:3] in ("t1_", "t3_")
                assert comment.root_remote_id and comment.root_remote_id.startswith("t3_"), where
            if kind == "t4" and thing["data"].get("parent_id"):
                assert comment.parent_remote_id == thing["data"]["parent_id"], where
            assert comment.url is None or comment.url.startswith("https://www.reddit.com/")
            read += 1
    assert read >= 374  # every one recorded (inbox pages, threads, replies)


def test_a_username_mention_reads_as_plain_text_with_real_link_targets():
    body = _body("praw/TestInbox.test_mentions.json", "/message/mentions")
    comment = parse_thing(body["data"]["children"][0], VIEWER)
    assert comment.remote_id == "t1_ekftbox"
    assert comment.author.handle == "2Botter2Loop"
    assert comment.created_at == 1554774308
    assert comment.parent_remote_id == "t3_bb24k7"
    assert comment.root_remote_id == "t3_bb24k7"
    assert comment.extra["type"] == "username_mention"
    # Markdown links keep their real target; Reddit's relative ones become absolute.
    assert "submission <https://redd.it/bb1sep>" in comment.text
    assert "/r/BetterEverLoop <https://www.reddit.com/r/BetterEverLoop>" in comment.text
    assert comment.url == (
        "https://www.reddit.com/r/RemovedByBotter/comments/bb24k7/"
        "just_a_normal_girl_going_for_her_10th_class_exam/ekftbox/?context=3"
    )
    assert comment.markup.startswith("Hello /u/<USERNAME>")


def test_modmail_without_an_author_is_the_subreddit_speaking():
    body = _body("praw/TestInbox.test_mark_all_read.json", "/message/inbox")
    reply, first = (parse_thing(child, VIEWER) for child in body["data"]["children"])
    assert first.author.handle == "r/<USERNAME>"
    assert first.text == "Modmail message\n\nThis is a modmail message"
    assert first.parent_remote_id is None and first.root_remote_id == "t4_30ryob3"
    assert reply.author.handle == "Lil_SpazJoekp"
    assert reply.text == "this is unhidden"  # "re: ..." subjects are not repeated
    assert (reply.parent_remote_id, reply.root_remote_id) == ("t4_30ryob3", "t4_30ryob3")


def test_a_thread_reads_parent_by_parent_down_the_chain():
    body = _body("praw/TestComment.test_parent__chain.json", "/comments/6otocc/_/dkk4qjd")
    comments = [parse_thing(thing, VIEWER) for thing in thread_things(body)]
    assert comments[0].remote_id == "t3_6otocc"  # the post comes first
    by_id = {c.remote_id: c for c in comments}
    assert by_id["t1_dkk4qjd"].parent_remote_id == "t1_dkk4qin"
    assert by_id["t1_dkk4qjd"].text == "32"
    assert by_id["t1_dkk4qjd"].is_ours  # written by the recording account
    assert {c.root_remote_id for c in comments} == {"t3_6otocc"}


def test_the_recorded_reply_answers():
    made = parse_comment_answer(_body("asyncpraw/TestComment.test_reply.json", "/api/comment"))
    reply = parse_thing(made.things[0], VIEWER)
    assert (reply.remote_id, reply.parent_remote_id, reply.text) == (
        "t1_fx1ie8s",
        "t1_fx1ec2p",
        "Comment reply",
    )
    assert reply.is_ours
    empty = parse_comment_answer(
        _body("asyncpraw/TestComment.test_reply__none.json", "/api/comment")
    )
    assert empty.things == [] and empty.errors == []


async def test_the_connector_reports_a_reply_answer_without_a_comment_as_maybe_arrived():
    recorded = _body("asyncpraw/TestComment.test_reply__none.json", "/api/comment")
    connector = _replaying({"/api/comment": recorded})
    from cm_inbox.networks.base import MalformedAnswer, ParentRef

    with pytest.raises(MalformedAnswer) as caught:
        await connector.post_reply(ParentRef("t1_fx1ec2p", None, "someone"), "hello", "k")
    assert caught.value.may_have_arrived


async def test_the_connector_reads_a_recorded_inbox_page():
    recorded = _body("praw/TestInbox.test_unread.json", "/message/unread")
    connector = _replaying({"/message/inbox": recorded})
    page = await connector.fetch_new(None)
    assert len(page.items) + len(page.set_aside) == len(recorded["data"]["children"])
    assert not page.set_aside
    assert page.more  # the recorded page is full and names an older one


def test_a_refusal_reads_in_reddits_words():
    interaction = _interaction(
        "praw/TestInbox.test_message__unauthorized.json", "/message/messages"
    )
    response = httpx.Response(
        interaction["response"]["status"]["code"],
        content=interaction["response"]["body"]["string"].encode(),
    )
    with pytest.raises(PermanentError, match="Forbidden"):
        read_answer(response, secret=None)


def test_recorded_rate_limit_headers_set_the_budget():
    interaction = _interaction("praw/TestInbox.test_mentions.json", "/message/mentions")
    headers = {k: v[0] for k, v in interaction["response"]["headers"].items()}
    polite = RedditPolite(
        httpx.AsyncClient(), RATE_HEADERS, sleep=_no_sleep, clock=lambda: 1_000_000.0
    )
    polite._note_budget(httpx.Response(200, headers=headers))
    assert polite.budget.remaining == 9324
    assert polite.budget.reset_at == 1_000_000.0 + 53  # "53": seconds left, not a time


async def _no_sleep(seconds: float) -> None:
    raise AssertionError("nothing here waits")


def _interaction(name: str, path: str) -> dict[str, Any]:
    for interaction in cassette(CASSETTES / name):
        if path in interaction["request"]["uri"]:
            return interaction
    raise LookupError(f"{path} not in {name}")


def _body(name: str, path: str) -> Any:
    return json.loads(_interaction(name, path)["response"]["body"]["string"])


def _replaying(answers: dict[str, Any]) -> RedditConnector:
    """A connector whose transport answers each path with a recorded body."""

    def answer(request: httpx.Request) -> httpx.Response:
        for path, body in answers.items():
            if request.url.path.rstrip("/") == path:
                return httpx.Response(200, json=body)
        return httpx.Response(404, json={"message": "Not Found", "error": 404})

    client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    account = AccountInfo("reddit", "brand", "<USERNAME>", {"client_id": "app"})
    secrets = MemorySecrets({"access_token": "token", "access_expires": str(2**40)})
    return RedditConnector(account, secrets, client)
