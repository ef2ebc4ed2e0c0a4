"""The nouns of the inbox, shared by the store, the CLI and the TUI.

Plain dataclasses with no behaviour beyond formatting helpers, so that any
front end (and later a PostgreSQL-backed store) can use them unchanged.

Here are the ones the queue is painted from. Replies (``cm_inbox.model.replies``),
escalations (``cm_inbox.model.escalations``), comments on their way in
(``cm_inbox.model.incoming``) and what surrounds a comment in the thread pane
and the composer (``cm_inbox.model.context``) are in modules of their own:
Python 3.11 takes about a millisecond to create each dataclass, and the
inbox's first screen needs none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cm_inbox.model.escalations import Escalation
    from cm_inbox.model.replies import Reply


class Status(StrEnum):
    """Triage state of one comment."""

    NEW = "new"
    SNOOZED = "snoozed"
    ESCALATED = "escalated"
    REPLIED = "replied"
    DONE = "done"
    SPAM = "spam"


class View(StrEnum):
    """The queue's views, in the order of their number keys (1…8)."""

    INBOX = "inbox"
    ESCALATED = "escalated"
    SNOOZED = "snoozed"
    OUTBOX = "outbox"
    HANDLED = "handled"
    SPAM = "spam"
    ALL = "all"
    # Negative comments still waiting for an answer, oldest first.
    UNANSWERED = "unanswered"

    @property
    def title(self) -> str:
        return _TITLES.get(self.value, self.value.capitalize())

    @property
    def short_title(self) -> str:
        """For narrow terminals: still a word a person recognises."""
        return _SHORT_TITLES.get(self.value, self.title)


_TITLES = {"unanswered": "Unanswered criticism"}
_SHORT_TITLES = {
    "escalated": "Esc",
    "snoozed": "Snz",
    "outbox": "Out",
    "handled": "Done",
    "unanswered": "Crit",
}


class ReplyState(StrEnum):
    """Where a reply stands in the outbox."""

    DRAFT = "draft"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Sort(StrEnum):
    """Orders the queue offers; each has an index that matches it."""

    NEWEST = "newest"
    OLDEST = "oldest"
    PRIORITY = "priority"


# Statuses still waiting for an answer.
OPEN_STATUSES: tuple[Status, ...] = (Status.NEW, Status.SNOOZED, Status.ESCALATED)

# Statuses each comment view shows. The outbox lists replies, not comments; the
# Unanswered view shows only the negative ones among its statuses.
VIEW_STATUSES: dict[View, tuple[Status, ...]] = {
    View.INBOX: (Status.NEW,),
    View.ESCALATED: (Status.ESCALATED,),
    View.SNOOZED: (Status.SNOOZED,),
    View.HANDLED: (Status.REPLIED, Status.DONE),
    View.SPAM: (Status.SPAM,),
    View.ALL: tuple(Status),
    View.UNANSWERED: OPEN_STATUSES,
}


@dataclass(frozen=True, slots=True)
class Author:
    """Someone who wrote to the brand on one network."""

    id: int
    network: str
    handle: str
    display_name: str | None = None
    followers: int | None = None
    first_seen: int | None = None
    last_seen: int | None = None


@dataclass(frozen=True, slots=True)
class Comment:
    """One comment, reply or mention addressed to a brand account.

    ``text`` is plain text safe to display; ``markup`` keeps the network's
    original (HTML or Markdown) for export and for re-rendering.
    Times are Unix seconds (UTC).
    """

    id: int
    network: str
    account: str
    account_id: int
    remote_id: str
    parent_remote_id: str | None
    root_remote_id: str | None
    author: Author
    text: str
    created_at: int
    fetched_at: int
    status: Status
    url: str | None = None
    markup: str | None = None
    language: str | None = None
    sentiment: str | None = None
    sentiment_score: float | None = None
    intents: tuple[str, ...] = ()
    priority: float = 0.0
    labels: tuple[str, ...] = ()
    snoozed_until: int | None = None
    is_ours: bool = False
    # Traction as the network counted it at the last fetch; None where it does not say.
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None


# How urgent an escalation is, mildest first (the form, the CLI and the webhooks).
SEVERITIES: tuple[str, ...] = ("low", "normal", "high", "critical")


class EscalationState(StrEnum):
    """Where an escalation stands: with the team, answered by it, closed; or undone."""

    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class DeliveryState(StrEnum):
    """Where one webhook message to a team stands."""

    PENDING = "pending"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by a sender
    DELIVERED = "delivered"  # the team's chat answered 2xx
    FAILED = "failed"  # refused for good (a 4xx): waits for the user
    UNSURE = "unsure"  # sent, no answer heard: may have arrived; never resent on its own
    CANCELLED = "cancelled"  # no longer needed (the escalation was undone before it left)


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One line of the queue: a comment, and in the outbox view its reply."""

    comment: Comment
    reply: Reply | None = None
    # In the Escalated view: the comment's current escalation, with its latest delivery.
    escalation: Escalation | None = None

    @property
    def key(self) -> int:
        """The id the row is addressed by in its view (reply id in the outbox)."""
        return self.reply.id if self.reply is not None else self.comment.id


@dataclass(frozen=True, slots=True)
class QueueQuery:
    """What the queue shows: a view, narrowed by search and filters, in an order."""

    view: View = View.INBOX
    search: str | None = None
    network: str | None = None
    account: str | None = None
    language: str | None = None
    label: str | None = None
    sort: Sort = Sort.NEWEST

    @property
    def is_filtered(self) -> bool:
        return any((self.search, self.network, self.account, self.language, self.label))
