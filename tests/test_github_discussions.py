"""GitHub Discussions through the connector and the sandbox twin's GraphQL, in-process."""

from __future__ import annotations

import json

import pytest
from github_world import GitHubWorld

from cm_inbox.model import QueueQuery, ReplyState, View
from cm_inbox.networks.base import RateLimited
from cm_inbox.sandbox.github_common import DISCUSSION_REPOS, REPOS, issues_only_token
from cm_inbox.sandbox.github_discussions import DiscussionWorld

ON, OFF = DISCUSSION_REPOS[0], REPOS[1]


@pytest.fixture
def gh(store, clock) -> GitHubWorld:
    return GitHubWorld(store, clock)


def stored(gh: GitHubWorld, kind: str | None = None) -> list:
    """The GitHub discussion items in the store (of one ``extra["kind"]`` when given)."""
    found = []
    for row in gh.store.iter_queue(QueueQuery(view=View.ALL)):
        comment = row.comment
        if "/discussions/" not in comment.remote_id:
            continue
        if kind is None or gh.store.comment_extra(comment.id).get("kind") == kind:
            found.append(comment)
    return found


def twin_notes(gh: GitHubWorld) -> dict:
    """The sandbox's own discussions, comments and replies, by their remote ids."""
    world = DiscussionWorld(gh.state, {})
    return {note.key: note for note in DiscussionWorld.nodes(world.threads()).values()}


def a_discussion(gh: GitHubWorld) -> str:
    """A discussion of the sandbox with comments."""
    world = DiscussionWorld(gh.state, {})
    return next(t.key for t in world.threads().values() if t.comments)


async def fetch_all(connector, cursor: str | None) -> tuple[list, str | None]:
    items = []
    while True:
        page = await connector.fetch_new(cursor)
        items += page.items
        cursor = page.cursor
        if not page.more:
            return items, cursor


async def test_first_sync_brings_discussions_comments_and_replies_under_the_right_parents(gh):
    first = await gh.sync()
    assert first.error is None
    roots, comments = stored(gh, "discussion"), stored(gh, "discussion_comment")
    replies = stored(gh, "discussion_reply")
    assert roots and comments and replies
    notes = twin_notes(gh)
    for root in roots:
        assert root.parent_remote_id is None and root.root_remote_id == root.remote_id
        assert root.remote_id.startswith(ON + "/discussions/") and root.text
    for comment in comments:
        assert (
            comment.parent_remote_id
            == comment.root_remote_id
            == notes[comment.remote_id].thread.key
        )
    for reply in replies:
        twin = notes[reply.remote_id]
        assert reply.parent_remote_id == twin.reply_to.key  # its replyTo, a top-level comment
        assert reply.root_remote_id == twin.thread.key
        assert reply.parent_remote_id in {c.remote_id for c in comments}
        assert reply.text == " ".join(twin.body.split()) and reply.author.handle == twin.login
    # Discussions are off in the other repository: passed over, no error, no walk begun.
    assert not any(c.remote_id.startswith(OFF) for c in stored(gh))
    account = gh.store.account("github", "lumo-gh")
    walks = json.loads(gh.store.sync_cursor(account.id) or "{}")["discussions"]
    assert walks[OFF] == {} and walks[ON]["since"]

    second = await gh.sync()
    assert second.error is None and second.new == 0


async def test_an_unchanged_repository_brings_nothing_back(gh):
    async with gh.client() as client:
        connector = gh.connector(client)
        items, cursor = await fetch_all(connector, None)
        again, _ = await fetch_all(connector, cursor)
    assert any("/discussions/" in i.remote_id for i in items)
    assert again == []


async def test_a_cursor_from_before_discussions_keeps_its_place_in_issue_comments(gh):
    async with gh.client() as client:
        connector = gh.connector(client)
        items, cursor = await fetch_all(connector, None)
        old = {repo: entry for repo, entry in json.loads(cursor).items() if repo in REPOS}
        again, upgraded = await fetch_all(connector, json.dumps(old))

    def discussions(found: list) -> set[str]:
        return {i.remote_id for i in found if "/discussions/" in i.remote_id}

    issue_comments = [i for i in again if "/issuecomment-" in i.remote_id]
    # Only what shares the newest second comes back (``since`` is inclusive), not the past.
    assert len(issue_comments) <= 3 < len([i for i in items if "/issuecomment-" in i.remote_id])
    assert discussions(again) == discussions(items)  # discussions start their two weeks
    assert json.loads(upgraded)["discussions"][ON]["since"]


async def test_a_token_without_the_discussions_permission_says_so_and_issues_go_on(gh):
    gh.secrets.values["access_token"] = issues_only_token(3)
    first = await gh.sync()
    assert first.error and ON in first.error
    assert "Discussions" in first.error and "fine-grained" in first.error
    assert first.new > 10 and stored(gh) == []  # every repository's issue comments came

    issue_comment = next(
        row.comment
        for row in gh.store.iter_queue(QueueQuery(view=View.INBOX))
        if "/issuecomment-" in row.comment.remote_id
    )
    gh.store.queue_reply(issue_comment.id, "Thanks, looking into it.")
    second = await gh.sync()
    assert second.error is None and second.sent == 1  # not asked again today: replies leave

    gh.clock.advance(86_400 + 1)
    third = await gh.sync()
    assert third.error and "Discussions" in third.error


async def test_a_reply_to_a_reply_lands_once_under_its_top_level_comment_despite_a_lost_answer(gh):
    await gh.sync()
    reply = stored(gh, "discussion_reply")[0]
    gh.store.queue_reply(reply.id, "Fixed in **2.4**, thanks for the details.")
    assert await gh.send_through_a_lost_answer() == 1  # it did land
    assert [r.state for r in gh.store.outbox()] == [ReplyState.SENT]
    landed = gh.state.replies_on("github")
    assert len(landed) == 1
    assert landed[0].parent_id == reply.parent_remote_id  # the top-level comment
    assert landed[0].text == f"@{reply.author.handle} Fixed in **2.4**, thanks for the details."

    async with gh.client() as client:
        thread = await gh.connector(client).fetch_thread(reply.remote_id)
    ours = [c for c in thread if c.is_ours]
    assert [c.parent_remote_id for c in ours] == [reply.parent_remote_id]
    assert [c.remote_id for c in ours] == [landed[0].remote_id]


async def test_an_answer_to_the_discussion_itself_lands_once_despite_a_lost_answer(gh):
    # The retry looks among the discussion's top-level comments before posting again.
    await gh.sync()
    root = stored(gh, "discussion")[0]
    gh.store.queue_reply(root.id, "We are on it, thanks for raising it.")
    assert await gh.send_through_a_lost_answer() == 1  # it did land
    assert [r.state for r in gh.store.outbox()] == [ReplyState.SENT]
    landed = gh.state.replies_on("github")
    assert [(r.parent_id, r.text) for r in landed] == [
        (root.remote_id, "We are on it, thanks for raising it.")
    ]


async def test_replies_to_a_comment_and_to_the_discussion_itself(gh):
    await gh.sync()
    comment = stored(gh, "discussion_comment")[0]
    root = stored(gh, "discussion")[0]
    gh.store.queue_reply(comment.id, "Good point.")
    gh.store.queue_reply(root.id, "We are on it.")
    result = await gh.sync(fetch=False)
    assert result.sent == 2, result
    landed = {r.parent_id: r.text for r in gh.state.replies_on("github")}
    # Threading shows whom it answers: no mention needed under a comment or the post.
    assert landed == {comment.remote_id: "Good point.", root.remote_id: "We are on it."}
    after = await gh.sync()
    ours = [c for c in stored(gh) if c.is_ours]
    assert after.error is None and {c.parent_remote_id for c in ours} == set(landed)


async def test_graphql_has_its_own_rate_limit_and_a_spent_one_is_waited_for(gh):
    gh.state.call_limits["github"] = 3
    discussion = a_discussion(gh)
    async with gh.client() as client:
        for _ in range(3):  # programs on the same token, each unaware of the others
            await gh.connector(client, budgets={}).fetch_thread(discussion)
        late = gh.connector(client, budgets={})
        with pytest.raises(RateLimited, match="GraphQL rate limit") as raised:
            await late.fetch_thread(discussion)  # GitHub answers 200 with an error
        assert raised.value.retry_after > 60
        with pytest.raises(RateLimited):  # the budget it read says wait: not even asked
            await late.fetch_thread(discussion)
        assert await late.verify() == "@lumo-app"  # REST counts apart


async def test_a_server_error_on_a_read_is_retried(gh):
    gh.state.set_fault("github", "server_error", 1)
    discussion = a_discussion(gh)
    async with gh.client() as client:
        thread = await gh.connector(client).fetch_thread(discussion)
    assert thread[0].remote_id == discussion and len(thread) > 1 and gh.waits
