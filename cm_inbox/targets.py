"""Response targets: a comment's priority tier, when its first response is due, and
whether it is on time, at risk (past 75 % of its target) or breached.

With business hours, only the time inside them counts: a comment that arrives
on Friday evening with a 4-hour target is due Monday at 13:00 (09:00-18:00).
Hours are read in the user's time zone (``[time] timezone``), day by day, so a
DST change moves the opening hour with the wall clock, as people expect.

The clock is always passed in. For a whole list (the queue, the stats), ask
``cutoffs(now)`` once: comments created at or before a tier's cutoff are past
their target, so each row is two comparisons, never a calendar walk.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from functools import lru_cache

from cm_inbox.response_config import TargetSettings

# Share of the target after which a comment is "at risk".
AT_RISK_SHARE = 0.75
# How far a walk through business days may go before it gives up (a year of closed days).
_MAX_DAYS = 400


class Tier(StrEnum):
    """Priority tiers, fixed: urgent >= 75, high >= 50, normal >= 25, low below."""

    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


# (tier, lowest priority in it, first priority above it)
TIER_RANGES: tuple[tuple[Tier, float, float], ...] = (
    (Tier.URGENT, 75.0, math.inf),
    (Tier.HIGH, 50.0, 75.0),
    (Tier.NORMAL, 25.0, 50.0),
    (Tier.LOW, -math.inf, 25.0),
)


def tier_of(priority: float | None) -> Tier:
    """The tier of a priority (0..100, higher first); no priority is low."""
    value = priority or 0.0
    if value >= 75:
        return Tier.URGENT
    if value >= 50:
        return Tier.HIGH
    if value >= 25:
        return Tier.NORMAL
    return Tier.LOW


class TargetState(StrEnum):
    OK = "ok"
    AT_RISK = "at risk"
    BREACHED = "breached"


@dataclass(frozen=True, slots=True)
class Cutoffs:
    """For one moment: per tier, the latest creation time that is breached, and at risk.

    A tier without a target is absent.
    """

    breached: Mapping[Tier, int]
    at_risk: Mapping[Tier, int]

    def state(self, created_at: int, priority: float | None) -> TargetState | None:
        """The state of a comment still waiting for its first response (None: no target)."""
        tier = tier_of(priority)
        breached = self.breached.get(tier)
        if breached is None:
            return None
        if created_at <= breached:
            return TargetState.BREACHED
        if created_at <= self.at_risk[tier]:
            return TargetState.AT_RISK
        return TargetState.OK


class BusinessClock:
    """Seconds that count toward a target: inside opening hours on open days, in ``tz``."""

    def __init__(self, hours: tuple[int, int], days: frozenset[int], tz: tzinfo) -> None:
        self.start_minute, self.end_minute = hours
        self.days = days
        self.tz = tz
        self._window = lru_cache(maxsize=4096)(self._compute_window)

    def _compute_window(self, day: date) -> tuple[int, int] | None:
        if day.weekday() not in self.days:
            return None
        midnight = datetime(day.year, day.month, day.day, tzinfo=self.tz)
        opens = midnight + timedelta(minutes=self.start_minute)
        closes = midnight + timedelta(minutes=self.end_minute)
        # Wall-clock arithmetic on an aware datetime keeps the zone; .timestamp()
        # resolves the offset of that wall time (DST included).
        return int(opens.timestamp()), int(closes.timestamp())

    def _day_of(self, instant: int) -> date:
        return datetime.fromtimestamp(instant, self.tz).date()

    def elapsed(self, start: int, end: int) -> int:
        """Business seconds in [start, end)."""
        if end <= start:
            return 0
        total = 0
        day = self._day_of(start)
        last = self._day_of(end)
        while day <= last:
            window = self._window(day)
            if window is not None:
                total += max(0, min(end, window[1]) - max(start, window[0]))
            day += timedelta(days=1)
        return total

    def add(self, start: int, seconds: int) -> int | None:
        """The instant at which ``seconds`` business seconds after ``start`` have passed."""
        day = self._day_of(start)
        left = seconds
        for _ in range(_MAX_DAYS):
            window = self._window(day)
            if window is not None and window[1] > start:
                opens = max(start, window[0])
                if opens + left <= window[1]:
                    return opens + left
                left -= window[1] - opens
            day += timedelta(days=1)
        return None

    def back(self, end: int, seconds: int) -> int | None:
        """The latest instant from which ``seconds`` business seconds have passed by ``end``."""
        day = self._day_of(end)
        left = seconds
        for _ in range(_MAX_DAYS):
            window = self._window(day)
            if window is not None and window[0] < end:
                closes = min(end, window[1])
                if closes - left >= window[0]:
                    return closes - left
                left -= closes - window[0]
            day -= timedelta(days=1)
        return None


class Targets:
    """The configured targets, in the user's zone; ask it about any comment at any moment."""

    def __init__(self, settings: TargetSettings, tz: tzinfo) -> None:
        self.settings = settings
        self.clock = (
            BusinessClock(settings.hours, settings.days, tz) if settings.hours is not None else None
        )
        self._cutoffs: tuple[int, Cutoffs] | None = None

    def target(self, tier: Tier) -> int | None:
        """Seconds to a first response for ``tier``; None when it has no target."""
        return self.settings.seconds.get(tier.value)

    def due(self, created_at: int, priority: float | None) -> int | None:
        """When the first response is due (None: no target, or no open hour within a year)."""
        seconds = self.target(tier_of(priority))
        if seconds is None:
            return None
        if self.clock is None:
            return created_at + seconds
        return self.clock.add(created_at, seconds)

    def elapsed(self, created_at: int, now: int) -> int:
        """Seconds of the target's clock used up between ``created_at`` and ``now``."""
        if self.clock is None:
            return max(0, now - created_at)
        return self.clock.elapsed(created_at, now)

    def state(self, created_at: int, priority: float | None, now: int) -> TargetState | None:
        """On time, at risk or breached at ``now``, for a comment with no response yet."""
        seconds = self.target(tier_of(priority))
        if seconds is None:
            return None
        used = self.elapsed(created_at, now)
        if used >= seconds:
            return TargetState.BREACHED
        if used >= _at_risk_seconds(seconds):
            return TargetState.AT_RISK
        return TargetState.OK

    def late(self, created_at: int, priority: float | None, answered_at: int) -> bool:
        """True when a response at ``answered_at`` came after the target."""
        seconds = self.target(tier_of(priority))
        return seconds is not None and self.elapsed(created_at, answered_at) > seconds

    def cutoffs(self, now: int) -> Cutoffs:
        """Per tier, the latest creation times that are breached and at risk at ``now``.

        The last answer is kept: a list painted many times a second asks for
        the same moment again and again.
        """
        if self._cutoffs is not None and self._cutoffs[0] == now:
            return self._cutoffs[1]
        breached: dict[Tier, int] = {}
        at_risk: dict[Tier, int] = {}
        for tier in Tier:
            seconds = self.target(tier)
            if seconds is None:
                continue
            breached[tier] = self._back(now, seconds)
            at_risk[tier] = self._back(now, _at_risk_seconds(seconds))
        made = Cutoffs(breached, at_risk)
        self._cutoffs = (now, made)
        return made

    def _back(self, now: int, seconds: int) -> int:
        if self.clock is None:
            return now - seconds
        found = self.clock.back(now, seconds)
        # No open hour in a year: nothing can be breached.
        return found if found is not None else -(2**62)


def _at_risk_seconds(seconds: int) -> int:
    return math.ceil(seconds * AT_RISK_SHARE)
