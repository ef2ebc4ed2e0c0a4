"""The GitHub connector against its sandbox twin, in-process, through the real sync."""

from __future__ import annotations

import httpx
import pytest
from github_world import GitHubWorld

from cm_inbox.model import QueueQuery, ReplyState, View
from cm_inbox.networks.base import NeedsLogin


@pytest.fixture
def gh(store, clock) -> GitHubWorld:
    return GitHubWorld(store, clock)


def first_comment(gh: GitHubWorld):
    return next(
        row.comment
        for row in gh.store.iter_queue(QueueQuery(view=View.INBOX))
        if row.comment.network == "github" and "issuecomment" in row.comment.remote_id
    )


async def test_sync_brings_comments_and_a_second_sync_adds_none(gh):
    first = await gh.sync()
    assert first.error is None and first.new > 10 and first.threads > 0
    comment = first_comment(gh)
    assert comment.author.handle and comment.text and comment.created_at
    assert comment.parent_remote_id == comment.root_remote_id
    # Threads' opening posts (the issues) came in as context, titles first.
    issues = [
        row.comment
        for row in gh.store.iter_queue(QueueQuery(view=View.ALL))
        if "/issuecomment-" not in row.comment.remote_id
        and "/discussions/" not in row.comment.remote_id
    ]
    assert len(issues) == first.threads and all(i.parent_remote_id is None for i in issues)
    second = await gh.sync()
    assert second.error is None and second.new == 0


async def test_if_modified_since_answers_304_and_costs_nothing(gh):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gh.app)) as client:
        connector = gh.connector(client)
        cursor = None
        while True:
            page = await connector.fetch_new(cursor)
            cursor = page.cursor
            if not page.more:
                break
        again = []
        while True:  # one call per repository: each answers 304
            page = await connector.fetch_new(cursor)
            again += page.items
            if not page.more:
                break
    assert again == []


async def test_a_reply_lands_once_under_its_issue_with_a_mention(gh):
    await gh.sync()
    comment = first_comment(gh)
    gh.store.queue_reply(comment.id, "Thanks, **fixed** in 2.4.")
    result = await gh.sync(fetch=False)
    assert result.sent == 1, result
    landed = gh.state.replies_on("github")
    assert len(landed) == 1
    assert landed[0].parent_id == comment.parent_remote_id
    assert landed[0].text == f"@{comment.author.handle} Thanks, **fixed** in 2.4."


async def test_a_reply_whose_answer_was_lost_is_found_not_sent_twice(gh):
    await gh.sync()
    comment = first_comment(gh)
    gh.store.queue_reply(comment.id, "We are on it.")
    assert await gh.send_through_a_lost_answer() == 1  # it did land
    assert [r.state for r in gh.store.outbox()] == [ReplyState.SENT]
    assert len(gh.state.replies_on("github")) == 1


async def test_a_secondary_rate_limit_is_waited_for_not_failed(gh):
    gh.state.set_fault("github", "rate_limit", 1)
    result = await gh.sync()
    assert "rate limit" in (result.error or "")
    gh.clock.advance(60)
    again = await gh.sync()
    assert again.error is None and again.new > 0


async def test_a_revoked_token_asks_for_a_new_login(gh):
    gh.state.set_fault("github", "revoke")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gh.app)) as client:
        with pytest.raises(NeedsLogin, match="Bad credentials"):
            await gh.connector(client).verify()


async def test_hiding_a_comment_as_spam_minimizes_it(gh):
    await gh.sync()
    comment = first_comment(gh)
    node = gh.store.comment_extra(comment.id)["node_id"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gh.app)) as client:
        connector = gh.connector(client)
        await connector.hide(comment.remote_id, node)
        thread = await connector.fetch_thread(comment.parent_remote_id)
    hidden = [c for c in thread if c.remote_id == comment.remote_id]
    assert hidden and hidden[0].extra["minimized"] == "SPAM"
