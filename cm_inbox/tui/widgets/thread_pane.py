"""The thread pane: the comment in full, its thread, and who is speaking.

All network text is appended to rich ``Text`` objects as plain strings: it is
never parsed as markup, so a comment cannot style the screen or run actions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from cm_inbox.model import Comment, EscalationState
from cm_inbox.moderation_words import outcome_tone, outcome_words
from cm_inbox.networks import at_handle, rules_for
from cm_inbox.networks.registry import moderation_actions
from cm_inbox.scoring import Facts, Scorer, stored_signals
from cm_inbox.targets import Tier, tier_of
from cm_inbox.text import one_line
from cm_inbox.timefmt import age, stamp
from cm_inbox.webhooks.wording import TONE, delivery_words, needs_user

if TYPE_CHECKING:
    from cm_inbox.model.context import AuthorCard
    from cm_inbox.model.escalations import Escalation
    from cm_inbox.model.replies import Reply
    from cm_inbox.store.results import NetworkOutcome

_STATE_STYLE = {EscalationState.OPEN: "bold red", EscalationState.ANSWERED: "bold cyan"}
_TONE_STYLE = {"ok": "green", "waiting": "", "muted": "dim", "trouble": "bold red"}
_NETWORK_STYLE = {"ok": "green", "waiting": "italic", "refused": "bold red", "skipped": "dim"}

_TIER_STYLES = {
    Tier.URGENT: "bold red",
    Tier.HIGH: "bold yellow",
    Tier.NORMAL: "bold",
    Tier.LOW: "dim",
}


@dataclass(slots=True)
class ThreadContext:
    """Everything the pane shows for one comment, loaded off the UI thread."""

    comment: Comment
    thread: list[Comment]
    card: AuthorCard
    replies: list[Reply] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)
    # What the triage keys asked of the network, and what it answered.
    network: list[NetworkOutcome] = field(default_factory=list)
    connected: bool = True  # the comment's account syncs (else nothing goes out)


class ThreadPane(VerticalScroll, can_focus=True):
    """Scrollable detail of the comment under the cursor."""

    DEFAULT_CSS = """
    ThreadPane > Static { width: 1fr; }
    """

    def __init__(
        self,
        clock: Callable[[], float],
        zone: tzinfo | None = None,
        scorer: Scorer | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.clock = clock
        self.zone = zone
        self.scorer = scorer
        self.body = Static("", id="thread-body")
        self.context: ThreadContext | None = None

    def compose(self):
        yield self.body

    def show_empty(self, message: str) -> None:
        self.context = None
        self.body.update(Text(message, style="italic"))

    def show(self, context: ThreadContext) -> None:
        self.context = context
        self.body.update(Group(*self._blocks(context)))
        self.scroll_home(animate=False)

    def _blocks(self, ctx: ThreadContext) -> list[Text]:
        now = self.clock()
        comment = ctx.comment
        rules = rules_for(comment.network)
        author = comment.author
        head = Text()
        head.append(at_handle(author.handle), style="bold")
        if author.display_name:
            head.append(f"  {author.display_name}")
        if author.followers is not None:
            head.append(f"  · {author.followers:,} followers", style="dim")
        meta = Text(style="dim")
        meta.append(
            f"{rules.label} · to {comment.account} · {stamp(comment.created_at, self.zone)}"
        )
        meta.append(f" ({age(now - comment.created_at)} ago) · {comment.status.value}")
        if comment.snoozed_until:
            meta.append(f" until {stamp(comment.snoozed_until, self.zone)}")
        if comment.language:
            meta.append(f" · {comment.language}")
        blocks: list[Text] = [head, meta, *self._network(ctx)]
        why = self._priority(comment, now)
        if why is not None:
            blocks.append(why)
        if comment.labels:
            blocks.append(Text(" ".join("#" + label for label in comment.labels), style="yellow"))
        if comment.url:
            blocks.append(Text(comment.url, style="dim underline"))
        blocks.append(Text())
        blocks.append(Text(comment.text))
        blocks.extend(self._escalations(ctx, now))
        blocks.extend(self._replies(ctx, now))
        blocks.extend(self._thread(ctx, now))
        blocks.extend(self._card(ctx.card, now))
        return blocks

    def _network(self, ctx: ThreadContext) -> list[Text]:
        """Spam, hide and read as the network heard them: done, refused, or still to go.

        A wait is shown only for what the network can do; reads still to go
        are left out (they follow every done comment and say little)."""
        network = ctx.comment.network
        able = moderation_actions(network)
        lines = []
        for outcome in ctx.network:
            waiting = outcome.outcome is None
            if waiting and (outcome.action not in able or outcome.action == "read"):
                continue
            tone = outcome_tone(outcome)
            words = outcome_words(network, outcome, connected=ctx.connected)
            lines.append(Text(f"{'…' if waiting else '⚑'} {words}", style=_NETWORK_STYLE[tone]))
        return lines

    def _priority(self, comment: Comment, now: float) -> Text | None:
        """Why the comment sits where it does in the queue, in one line."""
        signals = stored_signals(
            comment.language, comment.sentiment, comment.sentiment_score, ",".join(comment.intents)
        )
        if signals is None or self.scorer is None or comment.is_ours:
            return None
        tier = tier_of(comment.priority)
        line = Text()
        line.append(f"{tier.value} {comment.priority:.0f}", style=_TIER_STYLES[tier])
        facts = Facts(comment.author.followers, comment.likes, comment.replies, comment.created_at)
        line.append(" · " + self.scorer.explain(signals, facts, int(now)), style="dim")
        return line

    def _escalations(self, ctx: ThreadContext, now: float) -> list[Text]:
        """Each escalation's life: team, severity, state and wait, the notes and the
        team's answers in order, and where each chat message stands."""
        shown = [e for e in ctx.escalations if e.state is not EscalationState.WITHDRAWN]
        if not shown:
            return []
        config = getattr(self.app, "config", None)
        configured = set(config.escalation.webhooks) if config is not None else set()
        lines = [Text(), Text("Escalated", style="bold red")]
        for item in shown:
            line = Text("  ")
            line.append(item.team, style="bold")
            if item.severity:
                line.append(f" · {item.severity}")
            line.append(f" · {item.state.value}", style=_STATE_STYLE.get(item.state, ""))
            line.append(f" · {_wait_words(item, now)}", style="dim")
            lines.append(line)
            lines.append(Text(f"    escalated {stamp(item.created_at, self.zone)}", style="dim"))
            if item.note:
                lines.append(Text("    " + item.note))
            for note in item.notes:
                head = Text(f"    {stamp(note.created_at, self.zone)} ", style="dim")
                if note.kind == "answer":
                    head.append(f"{item.team} answered: ", style="bold cyan")
                else:
                    head.append("note: ", style="bold")
                head.append(note.text)
                lines.append(head)
            if item.closed_at is not None:
                lines.append(Text(f"    {stamp(item.closed_at, self.zone)} closed", style="dim"))
            for delivery in item.deliveries:
                words = delivery_words(delivery, now, configured=delivery.team in configured)
                tone = TONE[delivery.state]
                line = Text("    chat: ", style="dim")
                line.append(words, style=_TONE_STYLE[tone])
                if needs_user(delivery) and delivery is item.latest_delivery:
                    line.append("  (w sends it again)", style="dim")
                lines.append(line)
        return lines

    def _replies(self, ctx: ThreadContext, now: float) -> list[Text]:
        if not ctx.replies:
            return []
        lines = [Text(), Text("Our replies", style="bold")]
        for reply in ctx.replies:
            line = Text(f"  {reply.state.value:<7} {age(now - reply.updated_at):>4}  ", style="dim")
            line.append(one_line(reply.text, 200))
            if reply.error:
                line.append(f"  ({reply.error})", style="red")
            lines.append(line)
        return lines

    def _thread(self, ctx: ThreadContext, now: float) -> list[Text]:
        if len(ctx.thread) <= 1:
            return []
        depth: dict[str, int] = {}
        lines = [Text(), Text(f"Thread ({len(ctx.thread)})", style="bold")]
        for item in ctx.thread:
            level = depth.get(item.parent_remote_id or "", -1) + 1 if item.parent_remote_id else 0
            depth[item.remote_id] = level
            is_current = item.id == ctx.comment.id
            indent = "  " * min(level, 8)
            line = Text(
                indent + ("▶ " if is_current else "· "), style="bold" if is_current else "dim"
            )
            line.append(at_handle(item.author.handle), style="bold" if is_current else "")
            line.append(f" {age(now - item.created_at)}  ", style="dim")
            line.append(one_line(item.text, 300), style="bold" if is_current else "")
            lines.append(line)
        return lines

    def _card(self, card: AuthorCard, now: float) -> list[Text]:
        lines = [Text(), Text("Who is speaking", style="bold")]
        since = f" since {stamp(card.first_seen, self.zone)}" if card.first_seen else ""
        nets = ", ".join(rules_for(n).label for n in card.networks)
        plural = "s" if card.comment_count != 1 else ""
        lines.append(Text(f"  {card.comment_count} comment{plural}{since} · on {nets}"))
        for network, handle in card.aliases:
            lines.append(
                Text(f"  also {at_handle(handle)} on {rules_for(network).label}", style="dim")
            )
        if card.our_replies:
            last = card.our_replies[0]
            line = Text(
                f"  {len(card.our_replies)} of our replies; last {age(now - last.updated_at)} ago: "
            )
            line.append(one_line(last.text, 120), style="italic")
            lines.append(line)
        else:
            lines.append(Text("  We have never replied to them.", style="dim"))
        for item in card.recent:
            line = Text(
                f"  {rules_for(item.network).badge:<3} {age(now - item.created_at):>4} ",
                style="dim",
            )
            line.append(one_line(item.text, 160))
            lines.append(line)
        return lines


def _wait_words(item: Escalation, now: float) -> str:
    """How long it has waited: for the team while open, and all in all."""
    if item.state is EscalationState.CLOSED:
        return f"closed after {age(item.waited(now))}"
    if item.state is EscalationState.ANSWERED and item.answered_at is not None:
        return (
            f"answered after {age(item.answered_at - item.created_at)},"
            f" {age(item.waited(now))} since escalated"
        )
    return f"waiting {age(item.waited(now))}"
