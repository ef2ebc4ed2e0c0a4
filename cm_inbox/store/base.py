"""What every part of the store shares: the database and the clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from cm_inbox.store.database import Database

if TYPE_CHECKING:
    from cm_inbox.scoring import Scorer


class StoreBase:
    """State the store's mixins share. Times are integer Unix seconds."""

    db: Database
    _clock: Callable[[], float]
    _account_ids: dict[tuple[str, str], int]
    _author_id_cache: dict[tuple[str, str], int]
    scorer: Scorer

    def now(self) -> int:
        """The store's clock, injectable so tests control time."""
        return int(self._clock())

    @staticmethod
    def _default_clock() -> float:
        return time.time()
