"""Comments with the analyzer's fields set, and replies sent at known times, for the stats tests.

The analyzer that fills language, sentiment, intents and priority at ingest is
not what these tests are about: they set the columns directly.
"""

from __future__ import annotations

from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.store import Store


def comment(
    remote_id: str,
    created_at: int,
    text: str = "hello",
    *,
    network: str = "mastodon",
    account: str = "lumo",
    handle: str = "someone",
    **fields,
) -> IncomingComment:
    return IncomingComment(
        network=network,
        account=account,
        remote_id=remote_id,
        author=IncomingAuthor(handle),
        text=text,
        created_at=created_at,
        **fields,
    )


def analyse(
    store: Store,
    comment_id: int,
    *,
    sentiment: str = "neutral",
    priority: float = 0.0,
    intents: str | None = None,
    language: str | None = None,
) -> None:
    """What the analyzer would have written for one comment, held still: with no
    scored_at, the app's minute-by-minute wait refresh leaves its priority alone."""
    with store.db.transaction() as conn:
        conn.execute(
            "UPDATE comments SET sentiment = ?, priority = ?, intents = ?, scored_at = NULL,"
            " language = coalesce(?, language) WHERE id = ?",
            (sentiment, priority, intents, language, comment_id),
        )


def add(store: Store, remote_id: str, created_at: int, text: str = "hello", **analysis) -> int:
    """Insert one comment, analysed; returns its id."""
    network = analysis.pop("network", "mastodon")
    account = analysis.pop("account", "lumo")
    store.upsert_comments([comment(remote_id, created_at, text, network=network, account=account)])
    row = store.db.query_one("SELECT id FROM comments WHERE remote_id = ?", (remote_id,))
    assert row is not None
    analyse(store, row[0], **analysis)
    return row[0]


def reply_sent(store: Store, clock, comment_id: int, *, queued_at: int, sent_at: int) -> int:
    """Queue a reply at ``queued_at`` and have a sender send it at ``sent_at``; its id."""
    clock.now = queued_at
    reply = store.queue_reply(comment_id, "Thanks, we are on it")
    clock.now = sent_at
    claim = store.claim_next(reply.account_id, "test-sender")
    assert claim is not None and claim.reply.id == reply.id
    store.mark_sent(reply.id, f"remote-{reply.id}")
    return reply.id
