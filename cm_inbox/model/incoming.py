"""Comments and authors on their way into the store, as a network or an import
file describes them, and what storing them did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cm_inbox.pickled import pickled_as_call

if TYPE_CHECKING:
    from cm_inbox.model import Status


@pickled_as_call  # an import's reader process sends them to the writer
@dataclass(slots=True)
class IncomingAuthor:
    """An author as a network or an import file describes them."""

    handle: str
    name: str | None = None
    followers: int | None = None


@pickled_as_call  # an import's reader process sends them to the writer
@dataclass(slots=True)
class IncomingComment:
    """A comment on its way into the store, from a sync or an import.

    The triage fields (``status``, ``labels``, ``snoozed_until``) are applied
    only when the comment is new to the store: a re-sync or re-import never
    undoes the community manager's triage.
    """

    network: str
    account: str
    remote_id: str
    author: IncomingAuthor
    text: str
    created_at: int
    parent_remote_id: str | None = None
    root_remote_id: str | None = None
    url: str | None = None
    markup: str | None = None
    language: str | None = None
    is_ours: bool = False
    status: Status | None = None
    labels: tuple[str, ...] = ()
    snoozed_until: int | None = None
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    # Listening signals computed ahead (an import's reader does it beside the writer);
    # None: the store computes them when the comment is new to it.
    signals: Any = None
    # Network facts a reply needs later (Mastodon's visibility, Bluesky's cid
    # and root cid); stored as JSON, never shown.
    extra: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What an upsert did."""

    inserted: int = 0
    updated: int = 0
