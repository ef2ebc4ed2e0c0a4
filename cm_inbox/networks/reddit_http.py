"""Reddit's rate limits, read the way Reddit writes them.

Every oauth.reddit.com answer carries ``x-ratelimit-used``,
``x-ratelimit-remaining`` (a float as text, "9324.0") and
``x-ratelimit-reset``: the seconds left in the window ("53"), not a time
(recorded in every praw and asyncpraw cassette). ``Polite`` reads resets as
times, so this subclass turns the seconds into one with the injected clock.
"""

from __future__ import annotations

import httpx

from cm_inbox.networks.http import Polite, RateLimitHeaders

RATE_HEADERS = RateLimitHeaders("x-ratelimit-remaining", "x-ratelimit-reset", reset_is_epoch=True)


class RedditPolite(Polite):
    """``Polite`` with Reddit's reset header read as seconds from now."""

    def _note_budget(self, response: httpx.Response) -> None:
        remaining = response.headers.get(self.headers.remaining)
        if remaining is None:
            return
        try:
            self.budget.remaining = int(float(remaining))
        except ValueError:
            return
        self.budget.reset_at = self._reset_at(response)

    def _retry_after(
        self, response: httpx.Response, default: float = 1.0, *, use_reset: bool = True
    ) -> float:
        if response.headers.get("retry-after"):
            return super()._retry_after(response, default, use_reset=False)
        reset = self._reset_at(response)
        if use_reset and reset is not None:
            return max(0.0, reset - self.clock())
        return default

    def _reset_at(self, response: httpx.Response) -> float | None:
        value = response.headers.get(self.headers.reset)
        try:
            seconds = float(value) if value else None
        except ValueError:
            return None
        return None if seconds is None or seconds < 0 else self.clock() + seconds
