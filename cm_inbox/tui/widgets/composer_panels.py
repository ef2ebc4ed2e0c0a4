"""What the composer shows around the draft, as rich ``Text`` built from plain strings.

Everything here comes from the user's files (the brand book) or from networks
(comments, handles, names): it is appended as plain text, never parsed as
markup, so none of it can style the screen or run an action.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from cm_inbox.brand import BrandBook, brand_sections
from cm_inbox.draft import DraftProblem
from cm_inbox.model import Comment
from cm_inbox.model.context import AliasSuggestion
from cm_inbox.networks import at_handle, rules_for
from cm_inbox.reply_accounts import ReplyAccount
from cm_inbox.reply_context import ReplyContext
from cm_inbox.second_look import CHECKLIST
from cm_inbox.text import one_line
from cm_inbox.timefmt import ago

# A comment in the context panel is cut to this many characters.
SHOWN_CHARACTERS = 240


def brand_text(book: BrandBook, comment: Comment) -> Text:
    """The brand book for a reply to ``comment``: its language and its network only."""
    language = comment.language or book.default_language
    text = Text()
    for number, section in enumerate(
        brand_sections(book, language=language, network=comment.network)
    ):
        if number:
            text.append("\n")
        text.append(section.title, style="bold underline")
        for line in section.lines:
            text.append("\n")
            text.append(line)
        text.append("\n")
    return text


def _network(network: str) -> str:
    return rules_for(network).label


def _said(text: Text, who: str, network: str, at: int, words: str, now: float) -> None:
    text.append(f"{who} · {_network(network)} · {ago(at, now)}\n", style="dim")
    text.append(one_line(words, SHOWN_CHARACTERS))
    text.append("\n")


def suggestion_line(suggestion: AliasSuggestion, yes: str, no: str) -> Text:
    """ "Same person as @x on Mastodon (handle 92 % alike)? ctrl+l yes · ctrl+n no" """
    other = suggestion.author
    text = Text("Same person as ", style="bold")
    text.append(at_handle(other.handle), style="bold")
    if other.display_name:
        text.append(f" ({other.display_name})")
    text.append(f" on {_network(other.network)}? ")
    text.append(f"{suggestion.reason} {suggestion.score} % alike · ", style="dim")
    text.append(f"{yes} yes · {no} no", style="italic")
    return text


def context_text(context: ReplyContext, now: float) -> Text:
    """The thread above the comment, the author's history with us, and their other networks."""
    comment = context.comment
    card = context.card
    author = at_handle(comment.author.handle)
    text = Text()
    text.append("Thread above", style="bold underline")
    text.append("\n")
    if not context.parents:
        text.append("The comment starts its thread.\n", style="italic")
    for parent in context.parents:
        who = "Us" if parent.is_ours else at_handle(parent.author.handle)
        _said(text, who, parent.network, parent.created_at, parent.text, now)
    networks = ", ".join(_network(name) for name in card.networks)
    text.append("\n")
    text.append(f"Earlier from {author}", style="bold underline")
    text.append(f" ({card.comment_count:,} comments on {networks})\n", style="dim")
    earlier = [c for c in card.recent if c.id != comment.id]
    if not earlier:
        text.append("Nothing before this one.\n", style="italic")
    for item in earlier:
        _said(text, at_handle(item.author.handle), item.network, item.created_at, item.text, now)
    text.append("\n")
    text.append("Our replies to them", style="bold underline")
    text.append("\n")
    if not card.our_replies:
        text.append("None yet.\n", style="italic")
    for reply in card.our_replies:
        at = reply.sent_at or reply.queued_at or reply.created_at
        text.append(f"{reply.state.value} · {ago(at, now)}\n", style="dim")
        text.append(one_line(reply.text, SHOWN_CHARACTERS))
        text.append("\n")
    if card.aliases:
        text.append("\n")
        text.append("Same person on", style="bold underline")
        for network, handle in card.aliases:
            text.append(f"\n{_network(network)}: {at_handle(handle)}")
        text.append("\n")
    return text


def problem_text(problem: DraftProblem) -> Text:
    """One line of the problems list, and its detail (the closest past reply) under it."""
    text = Text("✗ " if problem.blocking else "! ", style="bold")
    text.append(problem.message)
    if problem.detail:
        text.append("\n  ")
        text.append(one_line(problem.detail, 300), style="italic")
    return text


def second_look_text(reasons: Sequence[str], confirm_key: str, submit_key: str) -> Text:
    """The checklist a risky comment asks for, and the key that queues the reply after it."""
    text = Text("⚠ Second look: ", style="bold")
    text.append("; ".join(reasons))
    text.append("\n")
    text.append("  ".join(f"☐ {item}" for item in CHECKLIST))
    text.append(
        f"\n{confirm_key} when done queues the reply ({submit_key} alone will not)", style="bold"
    )
    return text


def account_text(accounts: Sequence[ReplyAccount], chosen: int, switch_key: str) -> Text:
    """ "Replying as lumo.app · ctrl+r to switch (2 accounts on Bluesky)" """
    account = accounts[chosen]
    text = Text("Replying as ")
    text.append(account.name, style="bold")
    if len(accounts) > 1:
        text.append(
            f" · {switch_key} to switch ({len(accounts)} accounts on {_network(account.network)})",
            style="dim",
        )
    if account.problem:
        text.append(f" · {account.problem}", style="bold")
    return text
