"""Logging in to GitHub from a terminal, and reading GitHub's answers in its own words.

Two ways, from ../shared/NETWORKS.md: a personal access token pasted on stdin,
or the OAuth device flow (``POST {web}/login/device/code``, the user types the
short code at the page shown, we poll ``{web}/login/oauth/access_token``). The
device flow answers 200 with an ``error`` field while it waits
("authorization_pending", "slow_down" adds 5 s to the interval, then
"expired_token" or "access_denied").
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from cm_inbox.networks.base import (
    MalformedAnswer,
    NeedsLogin,
    NetworkError,
    PermanentError,
    RateLimited,
    Sleep,
)
from cm_inbox.networks.http import Polite, RateLimitHeaders, error_message
from cm_inbox.text import clean_text

RATE_HEADERS = RateLimitHeaders("x-ratelimit-remaining", "x-ratelimit-reset", reset_is_epoch=True)
DEFAULT_API = "https://api.github.com"
DEFAULT_WEB = "https://github.com"
# Read and write issue comments (public and private repositories), hide them.
SCOPES = "repo"
API_VERSION = "2022-11-28"


@dataclass(frozen=True, slots=True)
class DeviceCode:
    """What the device flow's first step answers: the code the user types, and where."""

    device_code: str
    user_code: str
    verification_uri: str
    expires_in: int
    interval: int


def scrub(message: str, secret: str | None) -> str:
    """The server's words, fit for a terminal: no control codes, no echoed token."""
    message = clean_text(message)
    if secret:
        message = message.replace(secret, "[token]")
    return " ".join(message.split())[:300]


def _host(url: str) -> str:
    return httpx.URL(url).host or url


def read_answer(response: httpx.Response, *, secret: str | None, what: str = "") -> Any:
    """The JSON of a 2xx answer; anything else raised in GitHub's words.

    A 403 with ``x-ratelimit-remaining: 0`` or a ``retry-after`` is a rate limit
    (primary or secondary, GitHub's docs), not a refusal.
    """
    status = response.status_code
    host = _host(str(response.request.url))
    if 200 <= status < 300:
        if status == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise MalformedAnswer(
                f"{host} answered {status} with something that is not JSON"
            ) from None
    message = scrub(error_message(response), secret)
    if status in (403, 429) and (
        response.headers.get("retry-after") or response.headers.get("x-ratelimit-remaining") == "0"
    ):
        raise RateLimited(f"{host}: {message or 'rate limit'}", retry_after=_wait(response))
    if status == 401:
        raise NeedsLogin(message or "Bad credentials")
    if 400 <= status < 500:
        # 403 (no access), 404 (no such repository or issue, or no right to see it),
        # 410 (issues disabled), 422 (validation): asking again changes nothing.
        raise PermanentError(f"{what}{message}" if what else message)
    raise NetworkError(f"{host} answered {status}: {message}")


def _wait(response: httpx.Response) -> float:
    value = response.headers.get("retry-after")
    if value:
        try:
            return max(1.0, float(value))
        except ValueError:
            pass
    reset = response.headers.get("x-ratelimit-reset")
    try:
        return max(1.0, float(reset) - time.time()) if reset else 60.0
    except ValueError:
        return 60.0


def normalize(url: str) -> str:
    url = url.strip().rstrip("/")
    return url if url.startswith(("https://", "http://")) else "https://" + url


def _polite(client: httpx.AsyncClient, sleep: Sleep | None, clock: Callable[[], float] | None):
    return Polite(client, RATE_HEADERS, sleep=sleep or asyncio.sleep, clock=clock or time.time)


async def request_device_code(
    client: httpx.AsyncClient,
    web: str,
    client_id: str,
    *,
    sleep: Sleep | None = None,
    clock: Callable[[], float] | None = None,
) -> DeviceCode:
    """Step one of the device flow: the code to show and the page to type it at."""
    response = await _polite(client, sleep, clock).request(
        "POST",
        normalize(web) + "/login/device/code",
        data={"client_id": client_id, "scope": SCOPES},
        headers={"Accept": "application/json"},
    )
    body = read_answer(response, secret=None)
    if not isinstance(body, Mapping) or body.get("error"):
        message = body.get("error_description") or body.get("error") if body else None
        raise PermanentError(scrub(str(message or "no device code"), None))
    try:
        return DeviceCode(
            device_code=str(body["device_code"]),
            user_code=str(body["user_code"]),
            verification_uri=str(body["verification_uri"]),
            expires_in=int(body.get("expires_in", 900)),
            interval=max(1, int(body.get("interval", 5))),
        )
    except (KeyError, TypeError, ValueError):
        raise MalformedAnswer(f"{_host(web)} sent a device code without its fields") from None


async def poll_for_token(
    client: httpx.AsyncClient,
    web: str,
    client_id: str,
    code: DeviceCode,
    *,
    sleep: Sleep | None = None,
    clock: Callable[[], float] | None = None,
) -> str:
    """Wait until the user allowed cm-inbox at the page; returns the access token."""
    sleep = sleep or asyncio.sleep
    clock = clock or time.time
    interval = code.interval
    deadline = clock() + code.expires_in
    http = _polite(client, sleep, clock)
    while clock() < deadline:
        await sleep(interval)
        response = await http.request(
            "POST",
            normalize(web) + "/login/oauth/access_token",
            data={
                "client_id": client_id,
                "device_code": code.device_code,
                "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
            },
            headers={"Accept": "application/json"},
        )
        body = read_answer(response, secret=None)
        if not isinstance(body, Mapping):
            raise MalformedAnswer(f"{_host(web)} answered the token poll with no object")
        token = body.get("access_token")
        if isinstance(token, str) and token:
            return token
        error = body.get("error")
        if error == "authorization_pending":
            continue
        if error == "slow_down":
            interval = int(body.get("interval") or interval + 5)
            continue
        if error == "expired_token":
            raise NeedsLogin("the code expired before it was entered; start again")
        if error == "access_denied":
            raise NeedsLogin("the sign-in was cancelled at GitHub")
        raise PermanentError(scrub(str(body.get("error_description") or error), None))
    raise NeedsLogin("the code expired before it was entered; start again")
