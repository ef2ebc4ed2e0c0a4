"""GitHub Discussions' GraphQL shapes read into comments, and the sandbox's GraphQL
answering in GitHub's shapes (errors included).

The nodes below carry the fields GitHub's "Using the GraphQL API for
Discussions" guide documents for ``Discussion`` and ``DiscussionComment``,
with the values GitHub sends (node ids, ISO-8601 UTC times, the
``#discussioncomment-`` anchor of ``url``).
"""

from __future__ import annotations

import pytest
from github_world import API, GitHubWorld

from cm_inbox.networks.base import FetchPage, PermanentError
from cm_inbox.networks.github_discussion_parse import (
    DiscussionRef,
    is_discussion_key,
    parse_discussion,
    parse_discussion_comment,
    parse_discussion_key,
)
from cm_inbox.networks.github_parse import Unreadable
from cm_inbox.sandbox import FaultPlan
from cm_inbox.sandbox.github_common import brand_token
from cm_inbox.sandbox.github_discussions import DiscussionWorld

REF = DiscussionRef("octo-org/octo-repo", 42)
DISCUSSION = {
    "id": "D_kwDOABcD1M4AaBbC",
    "number": 42,
    "title": "Sync  stops\u202e after an hour",
    "url": "https://github.com/octo-org/octo-repo/discussions/42",
    "body": "Since **2.3** sync stops. See [the log](https://gist.github.com/x/1).",
    "createdAt": "2024-05-01T09:00:00Z",
    "updatedAt": "2024-05-02T10:00:00Z",
    "upvoteCount": 7,
    "author": {"login": "mona"},
}
COMMENT = {
    "id": "DC_kwDOABcD1M4AaBbE",
    "databaseId": 9001,
    "url": "https://github.com/octo-org/octo-repo/discussions/42#discussioncomment-9001",
    "body": "Same here [@click=app.quit]x[/] <script>alert(1)</script>",
    "createdAt": "2024-05-01T10:00:00Z",
    "updatedAt": "2024-05-01T10:00:00Z",
    "upvoteCount": 2,
    "isMinimized": False,
    "minimizedReason": None,
    "authorAssociation": "NONE",
    "author": {"login": "hubot"},
    "replyTo": None,
    "replies": {"totalCount": 1, "nodes": [], "pageInfo": {"hasNextPage": False}},
}
REPLY = {
    **COMMENT,
    "id": "DC_kwDOABcD1M4AaBbF",
    "databaseId": 9002,
    "url": "https://github.com/octo-org/octo-repo/discussions/42#discussioncomment-9002",
    "body": "@hubot which version?",
    "authorAssociation": "MEMBER",
    "author": {"login": "octocat"},
    "replyTo": {"id": "DC_kwDOABcD1M4AaBbE", "databaseId": 9001},
}


def test_a_discussion_is_the_root_of_its_thread_title_first():
    root = parse_discussion(DISCUSSION, REF.repo, "acct", "octocat")
    assert root.remote_id == "octo-org/octo-repo/discussions/42"
    assert root.parent_remote_id is None and root.root_remote_id == root.remote_id
    assert root.text.splitlines()[0] == "Sync stops after an hour"  # no bidi override
    assert "https://gist.github.com/x/1" in root.text and "**" not in root.text
    assert root.author.handle == "mona" and not root.is_ours and root.likes == 7
    assert root.extra["discussion_id"] == DISCUSSION["id"] and root.extra["kind"] == "discussion"


def test_a_top_level_comment_hangs_under_the_discussion():
    comment = parse_discussion_comment(COMMENT, REF, DISCUSSION["id"], "acct", "octocat")
    assert comment.remote_id == "octo-org/octo-repo/discussions/42#discussioncomment-9001"
    assert comment.parent_remote_id == comment.root_remote_id == REF.key
    assert comment.url == COMMENT["url"] and comment.replies == 1 and comment.likes == 2
    # Markup-like text stays text; raw HTML is read as the issue path reads it.
    assert comment.text == "Same here [@click=app.quit]x[/]"
    assert comment.markup == COMMENT["body"]
    assert comment.extra["thread_id"] == COMMENT["id"]  # a reply to it goes under it
    assert comment.extra["discussion_id"] == DISCUSSION["id"]


def test_a_reply_hangs_under_its_top_level_comment():
    reply = parse_discussion_comment(REPLY, REF, DISCUSSION["id"], "acct", "octocat")
    assert reply.parent_remote_id == REF.comment_key(9001) and reply.root_remote_id == REF.key
    assert reply.is_ours and reply.extra["kind"] == "discussion_reply"
    assert reply.extra["thread_id"] == COMMENT["id"] and reply.extra["node_id"] == REPLY["id"]
    assert reply.extra["author_association"] == "MEMBER"
    # Without replyTo in the answer, the comment whose replies held it stands in.
    nested = parse_discussion_comment(
        {**REPLY, "replyTo": None}, REF, DISCUSSION["id"], "acct", None, within=COMMENT
    )
    assert nested.parent_remote_id == REF.comment_key(9001)


def test_deleted_authors_and_hidden_comments_read_as_github_shows_them():
    gone = parse_discussion_comment(
        {**COMMENT, "author": None, "isMinimized": True, "minimizedReason": "spam"},
        REF, DISCUSSION["id"], "acct", None,
    )  # fmt: skip
    assert gone.author.handle == "ghost" and gone.extra["minimized"] == "spam"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"databaseId": None}, "databaseId"),
        ({"id": 5}, "id"),
        ({"body": ["x"]}, "body"),
        ({"createdAt": "yesterday"}, "createdAt"),
        ({"replyTo": "DC_1"}, "replyTo"),
        ({"author": {"login": ""}}, "author.login"),
    ],
)
def test_a_node_out_of_shape_is_unreadable_and_says_which_field(change, words):
    with pytest.raises(Unreadable, match=words):
        parse_discussion_comment({**COMMENT, **change}, REF, "D_1", "acct", None)


def test_remote_ids_name_discussions_apart_from_issues():
    assert parse_discussion_key(REF.comment_key(9001)) == (REF, "9001")
    assert parse_discussion_key(REF.key) == (REF, None)
    assert not is_discussion_key("octo-org/octo-repo#42/issuecomment-1")
    with pytest.raises(Unreadable):
        parse_discussion_key("octo-org/octo-repo/discussions/x")


# -- the sandbox's GraphQL -------------------------------------------------------------


@pytest.fixture
def gh(store, clock) -> GitHubWorld:
    return GitHubWorld(store, clock)


async def ask(gh: GitHubWorld, query: str, variables: dict | None = None) -> dict:
    async with gh.client() as client:
        response = await client.post(
            API + "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {brand_token(3)}"},
        )
    assert response.status_code == 200
    assert response.headers["x-ratelimit-resource"] == "graphql"
    return response.json()


async def test_the_twin_answers_only_the_fields_asked_and_errors_as_github_does(gh):
    answer = await ask(gh, '{ repository(owner: "lumo-app", name: "lumo") { hasDiscussionsEnabled'
                           " discussions(first: 1) { nodes { number } } } }")  # fmt: skip
    repository = answer["data"]["repository"]
    assert set(repository) == {"hasDiscussionsEnabled", "discussions"}
    assert set(repository["discussions"]["nodes"][0]) == {"number"}

    unbounded = await ask(gh, '{ repository(owner: "lumo-app", name: "lumo") { discussions {'
                              " nodes { number } } } }")  # fmt: skip
    assert unbounded["data"]["repository"]["discussions"] is None
    assert unbounded["errors"][0]["type"] == "MISSING_PAGINATION_BOUNDARIES"
    assert unbounded["errors"][0]["path"] == ["repository", "discussions"]

    missing = await ask(gh, '{ repository(owner: "lumo-app", name: "nope") { id } }')
    assert missing["data"] == {"repository": None}
    assert missing["errors"][0]["type"] == "NOT_FOUND"
    assert "lumo-app/nope" in missing["errors"][0]["message"]

    unknown = await ask(gh, '{ repository(owner: "lumo-app", name: "lumo") { stars } }')
    assert "data" not in unknown
    assert unknown["errors"][0]["extensions"]["code"] == "undefinedField"

    broken = await ask(gh, "{ repository(owner: ) { id } }")
    assert broken["errors"][0]["locations"] == [{"line": 1, "column": 21}]


async def test_the_twin_refuses_a_reply_under_a_reply_and_keeps_nothing(gh):
    world = DiscussionWorld(gh.state, {})
    reply = next(
        r for t in world.threads().values() for c in t.comments for r in c.replies
    )  # fmt: skip
    answer = await ask(
        gh,
        "mutation($d: ID!, $r: ID) { addDiscussionComment(input: {discussionId: $d,"
        ' body: "hi", replyToId: $r}) { comment { id } } }',
        {"d": reply.thread.node_id, "r": reply.node_id},
    )
    assert answer["data"] == {"addDiscussionComment": None}
    assert answer["errors"][0]["type"] == "UNPROCESSABLE"
    assert gh.state.replies_on("github") == []


async def test_write_faults_spare_graphql_reads(gh):
    gh.state.write_faults = FaultPlan(lost_answer=1.0)
    world = DiscussionWorld(gh.state, {})
    key = next(t.key for t in world.threads().values() if t.comments)
    async with gh.client() as client:
        thread = await gh.connector(client).fetch_thread(key)
    assert thread[0].remote_id == key and len(thread) > 1


async def test_a_repository_graphql_cannot_find_is_named_in_the_error(gh):
    async with gh.client() as client:
        connector = gh.connector(client)
        with pytest.raises(PermanentError, match="lumo-app/nope: .*no such repository"):
            await connector.discussions.fetch(
                "lumo-app/nope", {}, "2024-01-01T00:00:00Z", FetchPage()
            )
