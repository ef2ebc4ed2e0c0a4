"""The local store: one SQLite file behind the functions the app calls.

No SQL lives outside this package, so the same functions can later be served by
a shared PostgreSQL database for teams.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from cm_inbox.scoring import Scorer
from cm_inbox.store.accounts import AccountsMixin
from cm_inbox.store.aliases import AliasesMixin
from cm_inbox.store.base import StoreBase
from cm_inbox.store.composing import ComposingMixin
from cm_inbox.store.database import Database, SchemaTooNewError, StoreError
from cm_inbox.store.deliveries import DeliveriesMixin
from cm_inbox.store.escalation_rows import EscalationError
from cm_inbox.store.escalations import EscalationsMixin
from cm_inbox.store.ingest import IngestMixin
from cm_inbox.store.moderation import ModerationMixin
from cm_inbox.store.outbox import OutboxMixin, ReplyError
from cm_inbox.store.people import PeopleMixin
from cm_inbox.store.queue import QueueMixin
from cm_inbox.store.rules import RulesMixin
from cm_inbox.store.scoring import ScoringMixin
from cm_inbox.store.sending import LEASE_S, SendingMixin
from cm_inbox.store.stats import StatsMixin
from cm_inbox.store.triage import TriageMixin
from cm_inbox.store.watches import WatchesMixin
from cm_inbox.triage_rules.ruleset import RuleSet

__all__ = [
    "LEASE_S",
    "EscalationError",
    "Store",
    "StoreError",
    "SchemaTooNewError",
    "ReplyError",
]


class Store(
    IngestMixin,
    QueueMixin,
    RulesMixin,
    ScoringMixin,
    TriageMixin,
    EscalationsMixin,
    DeliveriesMixin,
    OutboxMixin,
    SendingMixin,
    PeopleMixin,
    AliasesMixin,
    AccountsMixin,
    ModerationMixin,
    WatchesMixin,
    ComposingMixin,
    StatsMixin,
    StoreBase,
):
    """Everything the app reads and writes, over one database file."""

    def __init__(
        self,
        path: Path | str,
        *,
        clock: Callable[[], float] | None = None,
        rules: RuleSet | None = None,
        scorer: Scorer | None = None,
    ) -> None:
        self.db = Database(path)
        self.path = self.db.path
        self._clock = clock or self._default_clock
        self._account_ids = {}
        self._author_id_cache = {}
        self._rules = rules if rules is not None else RuleSet()
        # Signals and priorities of new comments; the config's targets when given.
        self.scorer = scorer or Scorer()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def bulk_writes(self) -> AbstractContextManager[None]:
        """Writes of a bulk load run with a roomier cache (an import of many comments)."""
        return self.db.bulk_writes()

    def check_integrity(self) -> list[str]:
        """SQLite's and the full-text index's own consistency checks; empty when all is well."""
        problems = [row[0] for row in self.db.query("PRAGMA integrity_check") if row[0] != "ok"]
        try:
            with self.db.transaction() as conn:
                # rank = 1 also compares the index with its external content (the
                # comments and authors); without it only the index's own structure is checked.
                conn.execute(
                    "INSERT INTO comments_fts (comments_fts, rank) VALUES ('integrity-check', 1)"
                )
        except Exception as error:  # sqlite reports a corrupt FTS index as an error
            problems.append(f"full-text index: {error}")
        return problems
