"""Comments, stores and config files the composer tests share."""

from __future__ import annotations

from pathlib import Path

from cm_inbox.model import Author, Comment, QueueQuery, Status, View
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.store import Store

T0 = 1_795_168_800  # 2026-11-20 10:00:00 UTC, conftest's FIXED_NOW
DAY = 86_400


def comment(
    network: str = "bluesky",
    handle: str = "emma.bsky.social",
    name: str | None = "Emma Martin",
    *,
    text: str = "Is Lumo down? Nothing loads",
    language: str | None = "en",
    status: Status = Status.NEW,
    labels: tuple[str, ...] = (),
    comment_id: int = 1,
) -> Comment:
    """A comment as the store would give it, without a store."""
    return Comment(
        id=comment_id,
        network=network,
        account="lumo",
        account_id=1,
        remote_id=f"r{comment_id}",
        parent_remote_id=None,
        root_remote_id=f"r{comment_id}",
        author=Author(id=comment_id, network=network, handle=handle, display_name=name),
        text=text,
        created_at=T0,
        fetched_at=T0,
        status=status,
        language=language,
        labels=labels,
    )


def incoming(
    remote_id: str,
    *,
    network: str = "bluesky",
    handle: str = "emma.bsky.social",
    name: str = "Emma Martin",
    text: str = "Is Lumo down? Nothing loads",
    language: str = "en",
    status: Status | None = None,
) -> IncomingComment:
    return IncomingComment(
        network=network,
        account="lumo.app" if network == "bluesky" else "lumo@mastodon.social",
        remote_id=remote_id,
        author=IncomingAuthor(handle=handle, name=name),
        text=text,
        created_at=T0 - 3600,
        language=language,
        status=status,
    )


def add_comments(store: Store, *items: IncomingComment) -> list[int]:
    """Put ``items`` in the store; their ids, in the order given."""
    store.upsert_comments(items)
    by_remote = {
        row.comment.remote_id: row.comment.id for row in store.iter_queue(QueueQuery(view=View.ALL))
    }
    return [by_remote[item.remote_id] for item in items]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
