"""What is shown around a comment before replying: the author's card, who on
another network may be the same person, and the replies that went out before
(which a draft must not repeat)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cm_inbox.model import Author, Comment
    from cm_inbox.model.replies import Reply


@dataclass(slots=True)
class AuthorCard:
    """What the thread pane says about the person speaking."""

    author: Author
    comment_count: int
    networks: list[str] = field(default_factory=list)
    first_seen: int | None = None
    our_replies: list[Reply] = field(default_factory=list)
    recent: list[Comment] = field(default_factory=list)
    # The same person elsewhere, as (network, handle), matched by handle.
    aliases: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AliasSuggestion:
    """Someone on another network who may be the same person (for the user to confirm)."""

    author: Author
    # How close, 0-100, and what was close: "handle" or "display name".
    score: int
    reason: str


@dataclass(frozen=True, slots=True)
class PastReply:
    """A reply that went out (or is on its way), as the sameness check compares drafts to."""

    id: int
    comment_id: int
    network: str
    text: str
    # When it was sent, else when it was queued: Unix seconds.
    at: int
    # Who it answered: their names are left out of the comparison.
    author_handle: str
    author_name: str | None = None
