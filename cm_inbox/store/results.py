"""What the store's functions hand back beyond comments and replies: accounts as
the sync reads them, outbox claims, moderation owed to networks, statistics,
undo and rule reports.

They are apart from the functions that make them because creating a dataclass
costs Python about a millisecond, and none of these is needed to paint the
queue: each mixin imports this module when it first builds one, so the TUI's
start-up does not wait for it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cm_inbox.store.triage import ACTION_WORDS

if TYPE_CHECKING:
    from cm_inbox.model.replies import Reply
    from cm_inbox.triage_rules.matching import Outcome


@dataclass(frozen=True, slots=True)
class ConnectedAccount:
    """An account as `accounts list` shows it and the sync engine reads it."""

    id: int
    network: str
    name: str
    handle: str | None
    settings: Mapping[str, str]
    connected: bool
    login_problem: str | None
    last_sync_at: int | None
    last_error: str | None
    comment_count: int = 0


@dataclass(frozen=True, slots=True)
class SetAsideItem:
    id: int
    network: str
    account: str
    received_at: int
    reason: str
    payload: str


@dataclass(frozen=True, slots=True)
class Claim:
    """A reply taken for sending, with what the sender must know."""

    reply: Reply
    idempotency_key: str
    # An earlier attempt may have reached the network: look for it before posting.
    look_first: bool


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A reply with the account it goes out from and the comment it answers."""

    reply: Reply
    network: str
    account: str
    parent_remote_id: str


@dataclass(frozen=True, slots=True)
class DueAction:
    """One action the network is owed: the comment, what to do, and what it needs."""

    comment_id: int
    remote_id: str
    extra: dict[str, Any]
    action: str


@dataclass(frozen=True, slots=True)
class NetworkOutcome:
    """What became of one action on the network, for the thread pane.

    ``outcome`` is None while no answer came: it waits for a sync (the undo
    window, the network out of reach), or for good when the account is not
    connected.
    """

    action: str
    outcome: str | None
    at: int
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reach:
    """A comment's network, and whether its account is connected to it."""

    network: str
    connected: bool


@dataclass(slots=True)
class TallySummary:
    """Comment counts over a period, by each fact on its own and by hour and sentiment.

    Names are as stored: no language or sentiment is "", intents are the
    analyzer's comma-separated combination.
    """

    total: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_network: Counter[str] = field(default_factory=Counter)
    by_language: Counter[str] = field(default_factory=Counter)
    by_sentiment: Counter[str] = field(default_factory=Counter)
    by_intents: Counter[str] = field(default_factory=Counter)
    # (Unix hour, sentiment) -> comments
    by_hour: Counter[tuple[int, str]] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class FirstResponse:
    """A comment, and when the first reply of ours to it left."""

    comment_id: int
    created_at: int
    priority: float
    sent_at: int

    @property
    def seconds(self) -> int:
        return self.sent_at - self.created_at


@dataclass(frozen=True, slots=True)
class PriorityBand:
    """Open comments with ``low <= priority < high``, counted whole and created by each cutoff."""

    low: float
    high: float
    cutoffs: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class UndoResult:
    """What an undo restored."""

    action: str
    comment_ids: tuple[int, ...]
    reply_ids: tuple[int, ...] = ()
    refused: str | None = None

    def describe(self) -> str:
        action = ACTION_WORDS.get(self.action, self.action)
        if self.refused:
            return f"Cannot undo {action}: {self.refused}"
        count = len(self.comment_ids)
        noun = "comment" if count == 1 else "comments"
        return f"Undid {action} on {count} {noun}"


@dataclass(frozen=True, slots=True)
class WatchOutcome:
    """How a watch source's last sync went, for `cm-inbox doctor`."""

    key: str
    last_sync_at: int | None
    last_error: str | None


@dataclass(slots=True)
class RuleCount:
    """How many comments one rule matched, and how many of them it changed."""

    matched: int = 0
    changed: int = 0


@dataclass(slots=True)
class RulesReport:
    """What a run of the rules did (or, dry, would do)."""

    scanned: int = 0
    changed: int = 0  # comments changed by at least one rule
    rules: dict[str, RuleCount] = field(default_factory=dict)
    batch: int = 0  # the undo batch; 0 when nothing changed or a dry run
    dry_run: bool = False

    def add(self, outcome: Outcome) -> None:
        self.scanned += 1
        for name in outcome.matched:
            self.rules[name].matched += 1
        for name in outcome.fired:
            self.rules[name].changed += 1
        if outcome.steps:
            self.changed += 1
