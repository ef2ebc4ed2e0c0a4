"""Turning database rows into model objects: one place that knows the columns."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from cm_inbox.model import Author, Comment, ReplyState, Status

if TYPE_CHECKING:
    from cm_inbox.model.replies import Reply


# The SELECT list every comment query uses, so `comment_from_row` can read it.
COMMENT_COLUMNS = """
    c.id, c.account_id, c.remote_id, c.parent_remote_id, c.root_remote_id, c.text, c.markup,
    c.url, c.created_at, c.fetched_at, c.language, c.sentiment, c.sentiment_score,
    c.intents, c.priority, c.status, c.snoozed_until, c.is_ours, c.likes, c.reposts, c.replies,
    acc.network AS network, acc.name AS account_name,
    a.id AS author_id, a.handle AS author_handle, a.display_name AS author_name,
    a.followers AS author_followers, a.first_seen AS author_first_seen,
    a.last_seen AS author_last_seen,
    (SELECT group_concat(label, char(31)) FROM comment_labels l WHERE l.comment_id = c.id)
        AS labels
"""
COMMENT_JOINS = """
    JOIN accounts acc ON acc.id = c.account_id
    JOIN authors a ON a.id = c.author_id
"""

REPLY_COLUMNS = """
    r.id AS reply_id, r.comment_id AS reply_comment_id, r.account_id AS reply_account_id,
    r.text AS reply_text, r.state AS reply_state, r.created_at AS reply_created_at,
    r.updated_at AS reply_updated_at, r.error AS reply_error, r.remote_id AS reply_remote_id,
    r.sent_at AS reply_sent_at, r.attempts AS reply_attempts, r.queued_at AS reply_queued_at,
    r.next_attempt_at AS reply_next_attempt_at, r.maybe_sent AS reply_maybe_sent
"""


def split_labels(value: str | None) -> tuple[str, ...]:
    return tuple(sorted(value.split("\x1f"))) if value else ()


def comment_from_row(row: sqlite3.Row) -> Comment:
    author = Author(
        id=row["author_id"],
        network=row["network"],
        handle=row["author_handle"],
        display_name=row["author_name"],
        followers=row["author_followers"],
        first_seen=row["author_first_seen"],
        last_seen=row["author_last_seen"],
    )
    return Comment(
        id=row["id"],
        network=row["network"],
        account=row["account_name"],
        account_id=row["account_id"],
        remote_id=row["remote_id"],
        parent_remote_id=row["parent_remote_id"],
        root_remote_id=row["root_remote_id"],
        author=author,
        text=row["text"],
        created_at=row["created_at"],
        fetched_at=row["fetched_at"],
        status=Status(row["status"]),
        url=row["url"],
        markup=row["markup"],
        language=row["language"],
        sentiment=row["sentiment"],
        sentiment_score=row["sentiment_score"],
        intents=tuple(row["intents"].split(",")) if row["intents"] else (),
        priority=row["priority"],
        labels=split_labels(row["labels"]),
        snoozed_until=row["snoozed_until"],
        is_ours=bool(row["is_ours"]),
        likes=row["likes"],
        reposts=row["reposts"],
        replies=row["replies"],
    )


def reply_from_row(row: sqlite3.Row) -> Reply:
    from cm_inbox.model.replies import Reply

    return Reply(
        id=row["reply_id"],
        comment_id=row["reply_comment_id"],
        account_id=row["reply_account_id"],
        text=row["reply_text"],
        state=ReplyState(row["reply_state"]),
        created_at=row["reply_created_at"],
        updated_at=row["reply_updated_at"],
        error=row["reply_error"],
        remote_id=row["reply_remote_id"],
        sent_at=row["reply_sent_at"],
        attempts=row["reply_attempts"],
        queued_at=row["reply_queued_at"],
        next_attempt_at=row["reply_next_attempt_at"],
        maybe_sent=bool(row["reply_maybe_sent"]),
    )
