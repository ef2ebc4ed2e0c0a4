"""YouTube's daily quota: units counted by us, because YouTube sends no rate headers.

Facts (../shared/NETWORKS.md, Google's quota calculator): 10,000 units a day
per Google Cloud project, reset at midnight Pacific time; a list costs 1, an
insert, an update and a moderation call 50. Over quota, every call is 403
``quotaExceeded`` until the reset.

The ledger (day and units spent) is kept with the account's OAuth client in
its secrets, so it survives from one `cm-inbox sync` to the next and leaves
with the account; it holds no secret. Listing never spends the last 10 %: a
reply to an angry customer must still go out at the end of a busy day.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone, tzinfo

from cm_inbox.networks.base import RateLimited, Secrets

DAILY_UNITS = 10_000
RESERVE = 0.10  # share of the day's units listing leaves for replies and moderation
LEDGER_KEY = "quota_ledger"
COSTS = {"list": 1, "insert": 50, "moderate": 50}


def pacific() -> tzinfo:
    """Google's quota day; a fixed UTC-8 where the time-zone database is missing (Windows)."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("America/Los_Angeles")
    except Exception:  # ZoneInfoNotFoundError, or no tzdata at all
        return timezone(timedelta(hours=-8))


class Quota:
    """Units spent today by one account, read from and written to its secrets."""

    def __init__(
        self, secrets: Secrets, clock: Callable[[], float], limit: int = DAILY_UNITS
    ) -> None:
        self.secrets = secrets
        self.clock = clock
        self.limit = max(1, limit)

    def today(self) -> date:
        return datetime.fromtimestamp(self.clock(), pacific()).date()

    def used(self) -> int:
        raw = self.secrets.get(LEDGER_KEY)
        try:
            ledger = json.loads(raw) if raw else {}
            if ledger.get("day") == self.today().isoformat():
                return max(0, int(ledger.get("used", 0)))
        except (ValueError, TypeError, AttributeError):
            pass  # a damaged ledger counts as a fresh day: YouTube's 403 still guards
        return 0

    def remaining(self) -> int:
        return max(0, self.limit - self.used())

    def seconds_to_reset(self) -> float:
        now = datetime.fromtimestamp(self.clock(), pacific())
        midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo)
        return max(1.0, midnight.timestamp() - self.clock())

    def spend(self, kind: str, *, listing: bool) -> None:
        """Count a call before it goes out; RateLimited when it may not.

        ``listing``: a fetch, which stops at 90 % of the day's units. Replies,
        moderation and the look for a reply that may have landed use the rest.
        """
        cost = COSTS[kind]
        used = self.used()
        ceiling = int(self.limit * (1 - RESERVE)) if listing else self.limit
        if used + cost > ceiling:
            what = "listing pauses at 90 % to keep room for replies" if listing else "used up"
            raise RateLimited(
                f"YouTube quota: {used:,} of {self.limit:,} units spent today; {what}"
                f" (resets at midnight Pacific time, in {_hours(self.seconds_to_reset())})",
                retry_after=self.seconds_to_reset(),
            )
        self._write(used + cost)

    def exhausted(self) -> RateLimited:
        """YouTube said quotaExceeded: nothing more today, whatever our count said."""
        self._write(self.limit)
        wait = self.seconds_to_reset()
        return RateLimited(
            f"YouTube quota exceeded for today (resets at midnight Pacific time, in {_hours(wait)})",
            retry_after=wait,
        )

    def status(self) -> str:
        """One line for the account status: what is left today."""
        left = self.remaining()
        return f"quota {left:,} of {self.limit:,} units left today ({left * 100 // self.limit} %)"

    def _write(self, used: int) -> None:
        self.secrets.set(LEDGER_KEY, json.dumps({"day": self.today().isoformat(), "used": used}))


def _hours(seconds: float) -> str:
    hours, minutes = divmod(int(seconds) // 60, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
