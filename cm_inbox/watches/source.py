"""What every watch source module implements, and what it hands back.

A source reads one place for one watch (a network's search, a feed, Hacker
News) and yields pages of what it found there, each with the cursor that
covers it; the runner matches, deduplicates and stores every page with its
cursor in one transaction. A source never writes to the network and never
touches the store. Its errors are the networks' typed errors
(``cm_inbox.networks.base``), so one failing source is an outcome line,
never a failed sync.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from cm_inbox.model.incoming import IncomingComment
from cm_inbox.networks.base import SetAside, Sleep
from cm_inbox.watches.model import Watch

# A first sync of a source takes this much of the past, never years of it.
FIRST_SYNC_S = 7 * 86_400


@dataclass(slots=True)
class Found:
    """One item a source read, before matching.

    ``addressed``: written by one of the brand's connected accounts, or
    tagging, mentioning, answering or quoting one: it arrives through that
    account's notifications (or is the brand's own), so it is no untagged mention. ``match_text``: what the watch's phrases are
    looked for in, when it is not the comment's text (a Hacker News comment
    is shown with its story's title, but only its own words count).
    """

    comment: IncomingComment
    addressed: bool = False
    match_text: str | None = None


@dataclass(slots=True)
class WatchPage:
    """Items found and the cursor that covers them (None: keep the stored one)."""

    found: list[Found] = field(default_factory=list)
    set_aside: list[SetAside] = field(default_factory=list)
    cursor: str | None = None
    note: str | None = None  # shown on the outcome line ("not modified since the last sync")


class WatchSource(ABC):
    """One place one watch reads. Subclasses set ``network`` and ``kind``."""

    network: str
    kind: str

    def __init__(
        self,
        watch: Watch,
        *,
        sleep: Sleep,
        clock: Callable[[], float],
        budgets: dict,
    ) -> None:
        self.watch = watch
        self.sleep = sleep
        self.clock = clock
        self.budgets = budgets

    @property
    @abstractmethod
    def key(self) -> str:
        """Names the source's cursor in the store: stable across syncs, unique across watches."""

    @property
    @abstractmethod
    def label(self) -> str:
        """The outcome line's name for this source ("lumo: search", "lumo: blog.example/feed")."""

    @abstractmethod
    def pages(self, cursor: str | None) -> AsyncIterator[WatchPage]:
        """What is new since ``cursor``, a page at a time; raises ``NetworkError`` subclasses."""


def read_cursor(cursor: str | None) -> dict[str, Any]:
    """A source's cursor (a JSON object); anything else counts as no cursor.

    A cursor damaged by hand or written by another version costs one first
    sync again, which deduplication makes harmless.
    """
    if not cursor:
        return {}
    try:
        value = json.loads(cursor)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def write_cursor(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
