"""HTTP with manners: rate limits read before the 429, Retry-After obeyed,
backoff with jitter on 5xx and timeouts, and errors worded without secrets.

Each connector describes its own rate-limit headers with a ``RateLimitHeaders``
(Mastodon sends ``X-RateLimit-Reset`` as an ISO-8601 time, Bluesky as Unix
seconds) and calls ``Polite.request``. Waiting goes through an injected
``sleep`` so tests drive time without waiting for it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

import httpx

from cm_inbox.networks.base import (
    NetworkError,
    RateLimited,
    Sleep,
    TemporaryError,
    Unreachable,
)

RETRY_STATUSES = frozenset({500, 502, 503, 504})
# Never wait longer than this inside one call: a longer Retry-After is raised
# as RateLimited so the sync moves on and the account is tried next time.
MAX_WAIT_S = 60.0


@dataclass(frozen=True, slots=True)
class RateLimitHeaders:
    """Names of a network's rate-limit headers and how its reset time is written."""

    remaining: str
    reset: str
    reset_is_epoch: bool  # True: Unix seconds; False: an ISO-8601 time


@dataclass(slots=True)
class Budget:
    """What the last answer said about the rate limit."""

    remaining: int | None = None
    reset_at: float | None = None  # Unix time


def budget_for(budgets: MutableMapping[tuple[str, ...], Budget], *key: str) -> Budget:
    """The rate-limit budget of one account on one server in ``budgets`` (kept by
    the caller across syncs): a sync that starts right after one that spent the
    window waits for its reset instead of learning about it from a 429."""
    return budgets.setdefault(key, Budget())


class Polite:
    """Sends requests for one account, pacing them by what the server said."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        headers: RateLimitHeaders,
        *,
        sleep: Sleep,
        clock: Callable[[], float],
        attempts: int = 4,
        rng: random.Random | None = None,
        # Keep this many requests in reserve: stop and wait for the reset instead of using them.
        reserve: int = 2,
        # What an earlier answer said about this account's limit (see ``budget_for``).
        budget: Budget | None = None,
    ) -> None:
        self.client = client
        self.headers = headers
        self.sleep = sleep
        self.clock = clock
        self.attempts = attempts
        self.rng = rng or random.Random()
        self.reserve = reserve
        self.budget = budget if budget is not None else Budget()

    async def request(
        self, method: str, url: str, *, repeatable: bool = True, **kwargs
    ) -> httpx.Response:
        """Send one request, retrying what is worth retrying; returns any final answer.

        A 429 or 5xx still there after the retries is raised; other statuses
        (401, 404, 422...) are returned for the connector to read in its
        network's own words. ``repeatable=False`` is for a write the network
        would carry out twice (no idempotency key): it is sent once, and a lost
        answer is left to the sync, which looks for it on the network first.
        """
        await self._wait_for_budget()
        attempts = self.attempts if repeatable else 1
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            try:
                response = await self.client.request(method, url, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                # Nobody answered: offline or DNS. Retrying at once rarely helps.
                unreachable = Unreachable(f"cannot reach {_host(url)}: {_reason(error)}")
                unreachable.may_have_arrived = attempt > 1  # an earlier try may have
                raise unreachable from None
            except httpx.TimeoutException:
                if last:
                    raise Unreachable(f"{_host(url)} did not answer in time") from None
                await self.sleep(self._backoff(attempt))
                continue
            except httpx.TransportError as error:
                if last:
                    # Connected, then lost: the request may have arrived.
                    raise Unreachable(
                        f"the connection to {_host(url)} broke: {_reason(error)}"
                    ) from None
                await self.sleep(self._backoff(attempt))
                continue
            self._note_budget(response)
            if response.status_code == 429:
                wait = self._retry_after(response)
                if last or wait > MAX_WAIT_S:
                    raise RateLimited(
                        f"{_host(url)} asks to wait {wait:.0f} s (rate limit)", retry_after=wait
                    )
                await self.sleep(wait)
                continue
            if response.status_code in RETRY_STATUSES:
                # Only Retry-After paces a 5xx: the rate-limit reset (which Mastodon
                # sends on every answer) says nothing about when the server is back.
                wait = self._retry_after(response, default=self._backoff(attempt), use_reset=False)
                if last or wait > MAX_WAIT_S:
                    raise TemporaryError(
                        f"{_host(url)} answered {response.status_code} {response.reason_phrase}"
                    )
                await self.sleep(wait)
                continue
            return response
        raise NetworkError(f"{_host(url)}: no answer after {attempts} attempts")

    async def _wait_for_budget(self) -> None:
        """Pause until the reset when the server said we are about to run out."""
        budget = self.budget
        if budget.remaining is None or budget.remaining > self.reserve or budget.reset_at is None:
            return
        wait = budget.reset_at - self.clock()
        if wait <= 0:
            return
        if wait > MAX_WAIT_S:
            raise RateLimited(f"rate limit nearly used up; resets in {wait:.0f} s", wait)
        await self.sleep(wait)
        self.budget.remaining = None
        self.budget.reset_at = None

    def _note_budget(self, response: httpx.Response) -> None:
        remaining = response.headers.get(self.headers.remaining)
        reset = response.headers.get(self.headers.reset)
        if remaining is None:
            return
        try:
            self.budget.remaining = int(float(remaining))
        except ValueError:
            return
        self.budget.reset_at = _parse_reset(reset, self.headers.reset_is_epoch)

    def _retry_after(
        self, response: httpx.Response, default: float = 1.0, *, use_reset: bool = True
    ) -> float:
        """Seconds to wait: Retry-After (seconds or an HTTP date), else the rate-limit reset."""
        value = response.headers.get("retry-after")
        if value:
            try:
                return max(0.0, float(value))
            except ValueError:
                try:
                    return max(0.0, parsedate_to_datetime(value).timestamp() - self.clock())
                except (TypeError, ValueError):
                    pass
        reset = _parse_reset(response.headers.get(self.headers.reset), self.headers.reset_is_epoch)
        if use_reset and reset is not None:
            return max(0.0, reset - self.clock())
        return default

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter: 0..1 s, 0..2 s, 0..4 s..."""
        return self.rng.uniform(0, min(30.0, 2.0 ** (attempt - 1)))


def _parse_reset(value: str | None, is_epoch: bool) -> float | None:
    if not value:
        return None
    try:
        if is_epoch:
            return float(value)
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host or url
    except Exception:  # an unparsable URL is shown as the user typed it
        return url


def _reason(error: Exception) -> str:
    # httpx messages name the host and the OS error, never headers or bodies.
    return str(error) or type(error).__name__


def error_message(response: httpx.Response) -> str:
    """The network's own error text from a JSON body ({"error": ..., "message": ...})."""
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} {response.reason_phrase}"
    if isinstance(body, dict):
        parts = [
            str(body[key]) for key in ("error", "message", "error_description") if body.get(key)
        ]
        if parts:
            return ": ".join(dict.fromkeys(parts))
    return f"{response.status_code} {response.reason_phrase}"
