"""What the composer shows beside a draft, read from the store in one go (issue item 4).

The thread above the comment, the author's earlier comments and the brand's
replies to them on every network (linked aliases included), the people on
other networks who may be the same person, the accounts the reply can go out
from, whether the comment was escalated, and why it needs a second look.
Reading it takes a few queries: the TUI calls :func:`reply_context` in a worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cm_inbox.check_settings import CheckSettings
from cm_inbox.model import Comment, Status
from cm_inbox.model.context import AliasSuggestion, AuthorCard
from cm_inbox.reply_accounts import ReplyAccount, reply_accounts
from cm_inbox.second_look import second_look_reasons

# Earlier comments of the author shown beside the draft.
EARLIER_COMMENTS = 8


@dataclass(frozen=True)
class ReplyContext:
    """Everything around the comment being answered."""

    comment: Comment
    parents: list[Comment]
    card: AuthorCard
    suggestions: list[AliasSuggestion] = field(default_factory=list)
    accounts: list[ReplyAccount] = field(default_factory=list)
    # Escalated now or at some point: the admit-the-mistake templates come first.
    escalated: bool = False
    second_look: list[str] = field(default_factory=list)


def reply_context(store, comment: Comment, checks: CheckSettings) -> ReplyContext:
    """Read the context of a reply to ``comment`` from ``store`` (a ``cm_inbox.store.Store``)."""
    escalated = comment.status is Status.ESCALATED or bool(store.escalations_for(comment.id))
    return ReplyContext(
        comment=comment,
        parents=store.ancestors(comment),
        card=store.author_card(comment, recent=EARLIER_COMMENTS),
        suggestions=store.alias_suggestions(comment.author.id),
        accounts=reply_accounts(comment, store.connected_accounts()),
        escalated=escalated,
        second_look=second_look_reasons(comment, checks),
    )
