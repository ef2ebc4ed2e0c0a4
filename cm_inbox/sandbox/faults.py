"""Random faults on the sandbox's writes: what makes replies get lost or doubled.

A ``FaultPlan`` gives each fault a probability per write (a reply posted:
Mastodon's ``POST /api/v1/statuses``, Bluesky's ``createRecord``, a GraphQL
mutation such as GitHub's ``addDiscussionComment``) and an added
latency on every request. ``FaultInjector`` wraps the sandbox application and
applies it, the way the network itself would fail:

- ``lost_answer``: the reply is committed, then the connection drops before
  the answer is out. The client cannot know; this is the case that makes
  double posts.
- ``reset``: the connection drops before the request is read; nothing written.
- ``timeout``: no answer for ``timeout_s``, then the connection drops. Nothing
  written (the client has given up by then).
- ``error_5xx``: 500, 502 or 503 with the network's error body; nothing written.
- ``rate_limit``: 429 with ``Retry-After`` and the network's own body.
- ``malformed``: the reply is committed and the answer is broken JSON.
- ``expired_token``: Bluesky's ``ExpiredToken`` (the client refreshes its
  session and tries again); never twice in a row, as a token just refreshed
  has not expired. Mastodon tokens do not expire, so not there.

Set from tests (``state.write_faults = FaultPlan.parse(...)``), from
``POST /_sandbox/write-faults`` and from ``cm-inbox sandbox serve --faults SPEC``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field, fields
from typing import Any

import httpx

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# The writes faults apply to: (method, path) -> network.
WRITES = {
    ("POST", "/api/v1/statuses"): "mastodon",
    ("POST", "/xrpc/com.atproto.repo.createRecord"): "bluesky",
    ("POST", "/posts.json"): "discourse",
    ("POST", "/reddit/api/comment"): "reddit",
    ("POST", "/youtube/v3/comments"): "youtube",
}
# Writes whose path carries ids: (method, path pattern, network).
WRITE_PATTERNS = [
    ("POST", re.compile(r"/github/repos/[^/]+/[^/]+/issues/\d+/comments"), "github"),
]
# GraphQL endpoints: one path for reads and writes; a write is a document whose
# operation is a mutation (GitHub's addDiscussionComment, minimizeComment).
GRAPHQL = {"/github/graphql": "github"}
_MUTATION = re.compile(r"^(?:\s|,|#[^\n]*\n)*mutation\b")
# In the order a roll is checked: each takes its share of [0, 1).
KINDS = ("lost_answer", "reset", "timeout", "error_5xx", "rate_limit", "malformed", "expired_token")


class FaultSpecError(ValueError):
    """A --faults value that cannot be read; the message says which part and why."""


class DroppedConnection(httpx.RemoteProtocolError):
    """Raised inside the app to drop the connection mid-answer.

    Over loopback the server closes the socket (the client sees a connection
    closed without a complete answer); in-process, ``httpx.ASGITransport``
    hands this very error to the client, which is what it would have seen.
    """


@dataclass
class FaultPlan:
    lost_answer: float = 0.0
    reset: float = 0.0
    timeout: float = 0.0
    error_5xx: float = 0.0
    rate_limit: float = 0.0
    malformed: float = 0.0
    expired_token: float = 0.0
    latency_ms: float = 0.0
    timeout_s: float = 20.0  # how long a "timeout" keeps the client waiting
    seed: int | None = None
    rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)
    _last: str | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.seed is not None:
            self.rng.seed(self.seed)

    @classmethod
    def parse(cls, spec: str) -> FaultPlan:
        """``"lost_answer=0.3,error_5xx=0.1,latency_ms=50"``: probabilities per write."""
        known = {f.name for f in fields(cls) if f.name != "rng"}
        values: dict[str, Any] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            name, sep, raw = part.partition("=")
            name = name.strip()
            if not sep:
                raise FaultSpecError(f"{part!r}: expected name=value")
            if name not in known:
                raise FaultSpecError(f"{name!r}: unknown fault; known: {', '.join(sorted(known))}")
            try:
                value = int(raw) if name == "seed" else float(raw)
            except ValueError:
                raise FaultSpecError(f"{name}={raw!r}: not a number") from None
            if name in KINDS and not 0 <= value <= 1:
                raise FaultSpecError(f"{name}={raw}: a probability is between 0 and 1")
            if name not in KINDS and value < 0:
                raise FaultSpecError(f"{name}={raw}: must not be negative")
            values[name] = value
        plan = cls(**values)
        if sum(getattr(plan, kind) for kind in KINDS) > 1:
            raise FaultSpecError("the fault probabilities add up to more than 1")
        return plan

    def roll(self, network: str) -> str | None:
        """The fault this write meets, or None."""
        draw = self.rng.random()
        chosen = None
        for kind in KINDS:
            share = getattr(self, kind)
            if draw < share:
                chosen = kind
                break
            draw -= share
        if chosen == "expired_token" and (network != "bluesky" or self._last == chosen):
            chosen = None
        self._last = chosen
        return chosen


class _QuietDrops(logging.Filter):
    """Uvicorn logs an app's exception as an error; a deliberate drop is not one."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, DroppedConnection)


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


class FaultInjector:
    """ASGI middleware applying the sandbox state's ``write_faults`` to every request."""

    def __init__(self, app: ASGIApp, plan_of: Callable[[], FaultPlan | None]) -> None:
        self.app = app
        self.plan_of = plan_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        plan = self.plan_of() if scope["type"] == "http" else None
        if plan is None or scope["path"].startswith("/_sandbox/"):
            await self.app(scope, receive, send)
            return
        if plan.latency_ms:
            await asyncio.sleep(plan.latency_ms / 1000)
        network = WRITES.get((scope["method"], scope["path"])) or _write_by_pattern(scope)
        if network is None and scope["method"] == "POST" and scope["path"] in GRAPHQL:
            network, receive = await _graphql_write(scope, receive)
        fault = plan.roll(network) if network else None
        if fault is None:
            await self.app(scope, receive, send)
        elif fault in ("reset", "timeout"):
            if fault == "timeout":
                await asyncio.sleep(plan.timeout_s)
            await _drop(send)
        elif fault in ("lost_answer", "malformed"):
            answer = await _run_quietly(self.app, scope, receive)
            if fault == "lost_answer":
                await _drop(send)
            else:
                await _answer(send, 200, b'{"id": "', answer.get("headers", []))
        else:
            status, body, headers = _refusal(fault, network, plan.rng)
            await _answer(send, status, json.dumps(body).encode(), headers)


def _write_by_pattern(scope: Scope) -> str | None:
    for method, pattern, network in WRITE_PATTERNS:
        if scope["method"] == method and pattern.fullmatch(scope["path"]):
            return network
    return None


async def _graphql_write(scope: Scope, receive: Receive) -> tuple[str | None, Receive]:
    """The network when the GraphQL request is a mutation, and the request to read again."""
    messages: list[Message] = []
    body = b""
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    replay = iter(messages)

    async def again() -> Message:
        return next(replay, None) or await receive()

    try:
        query = json.loads(body or b"{}").get("query")
    except (ValueError, AttributeError):
        query = None
    write = isinstance(query, str) and _MUTATION.match(query) is not None
    return (GRAPHQL[scope["path"]] if write else None), again


async def _run_quietly(app: ASGIApp, scope: Scope, receive: Receive) -> dict[str, Any]:
    """Run the app to the end (it commits), keeping its answer to ourselves."""
    start: dict[str, Any] = {}

    async def keep(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)

    await app(scope, receive, keep)
    return start


async def _drop(send: Send) -> None:
    # An answer announced and never finished: the connection closes under the client.
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"64")]}
    )
    raise DroppedConnection("the sandbox dropped the connection (a fault it was told to make)")


async def _answer(send: Send, status: int, body: bytes, headers: list) -> None:
    kept = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"content-type")]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                *kept,
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _refusal(
    fault: str, network: str, rng: random.Random
) -> tuple[int, dict[str, Any], list[tuple[bytes, bytes]]]:
    """Status, body and headers of a refusal, in the network's own words."""
    if network == "discourse":
        return _discourse_refusal(fault, rng)
    if network == "youtube":
        return _google_refusal(fault, rng)
    if network == "github":
        return _github_refusal(fault, rng)
    if fault == "rate_limit":
        headers = [(b"retry-after", b"1")]
        if network == "mastodon":
            headers += [(b"x-ratelimit-limit", b"300"), (b"x-ratelimit-remaining", b"0")]
            return 429, {"error": "Too many requests"}, headers
        if network == "reddit":
            headers += [(b"x-ratelimit-remaining", b"0.0"), (b"x-ratelimit-reset", b"1")]
            return 429, {"message": "Too Many Requests", "error": 429}, headers
        headers += [(b"ratelimit-limit", b"5000"), (b"ratelimit-remaining", b"0")]
        return 429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, headers
    if fault == "expired_token":
        return 400, {"error": "ExpiredToken", "message": "Token has expired"}, []
    status = rng.choice((500, 502, 503))
    if network == "reddit":
        return status, {"message": "Internal Server Error", "error": status}, []
    if network == "mastodon":
        return status, {"error": "We're sorry, but something went wrong on our end."}, []
    return status, {"error": "InternalServerError", "message": "Internal Server Error"}, []


def _discourse_refusal(
    fault: str, rng: random.Random
) -> tuple[int, dict[str, Any], list[tuple[bytes, bytes]]]:
    """Discourse's words: ``{"errors": [...], "error_type": ...}``, wait_seconds in extras."""
    if fault == "rate_limit":
        words = "You’ve performed this action too many times. Please wait 1 seconds before trying again."
        extras = {"wait_seconds": 1, "time_left": "1 second"}
        body = {"errors": [words], "error_type": "rate_limit", "extras": extras}
        return 429, body, [(b"retry-after", b"1")]
    return rng.choice((500, 502, 503)), {"errors": ["Internal Server Error"]}, []


def _github_refusal(
    fault: str, rng: random.Random
) -> tuple[int, dict[str, Any], list[tuple[bytes, bytes]]]:
    """GitHub's words: a secondary limit is a 403 with ``retry-after`` (REST and GraphQL)."""
    if fault == "rate_limit":
        words = "You have exceeded a secondary rate limit. Please wait a few minutes and try again."
        return 403, {"message": words}, [(b"retry-after", b"1")]
    return rng.choice((500, 502, 503)), {"message": "Server Error"}, []


def _google_refusal(
    fault: str, rng: random.Random
) -> tuple[int, dict[str, Any], list[tuple[bytes, bytes]]]:
    """Google's error body ({"error": {"code", "message", "errors": [{"reason"}]}})."""
    if fault == "rate_limit":
        status, reason, message = 429, "rateLimitExceeded", "Too many requests."
    else:
        status = rng.choice((500, 503))
        reason, message = "backendError", "The service is currently unavailable."
    error = {"code": status, "message": message,
             "errors": [{"message": message, "domain": "global", "reason": reason}]}  # fmt: skip
    return status, {"error": error}, [(b"retry-after", b"1")] if status == 429 else []
