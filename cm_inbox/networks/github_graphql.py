"""GitHub's GraphQL endpoint: one call, and its answer read in GitHub's own words.

From GitHub's "Rate limits and query limits for the GraphQL API": the GraphQL
API has its own budget (``x-ratelimit-resource: graphql``, 5,000 points an
hour), so it gets its own ``Polite`` budget beside the REST one. A spent
primary limit still answers ``200``, with an error (``type`` ``RATE_LIMITED``;
some answers say ``RATE_LIMIT``) and ``x-ratelimit-remaining: 0``: wait for
``x-ratelimit-reset``. A secondary limit answers ``200`` or ``403`` with
``retry-after``; the 403 is read as a rate limit by ``read_answer``.

Errors come as ``{"errors": [{"type", "message", "path", ...}]}`` beside
whatever ``data`` could be read. ``NOT_FOUND``, ``FORBIDDEN`` and
``INSUFFICIENT_SCOPES`` say the token may not see something: raised as
``Refused`` for the caller to word (which repository, which permission).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from cm_inbox.networks.base import MalformedAnswer, PermanentError, RateLimited
from cm_inbox.networks.github_login import API_VERSION, read_answer, scrub
from cm_inbox.networks.http import Polite

RATE_LIMIT_TYPES = frozenset({"RATE_LIMITED", "RATE_LIMIT"})
ACCESS_TYPES = frozenset({"NOT_FOUND", "FORBIDDEN", "INSUFFICIENT_SCOPES"})


class Refused(PermanentError):
    """GitHub's GraphQL API would not show or change something; ``kind`` is its error
    type, ``path`` the field it was about (``["repository", "discussion"]``)."""

    def __init__(
        self, message: str, kind: str, path: list[str] | None = None, data: Any = None
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.path = path or []
        self.data = data if isinstance(data, Mapping) else {}  # what could be read beside it


def graphql_url(api: str) -> str:
    """api.github.com/graphql; GitHub Enterprise: https://host/api/graphql beside /api/v3."""
    return api[: -len("/v3")] + "/graphql" if api.endswith("/api/v3") else api + "/graphql"


class GraphQL:
    """Sends GraphQL documents for one account, through its own rate-limit budget."""

    def __init__(
        self, http: Polite, url: str, token: Callable[[], str], clock: Callable[[], float]
    ) -> None:
        self.http = http
        self.url = url
        self.token = token
        self.clock = clock

    async def run(
        self, query: str, variables: Mapping[str, Any], *, what: str = "", write: bool = False
    ) -> dict[str, Any]:
        """The ``data`` of the answer; errors raised (``Refused`` for access, rate limits...).

        ``write``: a mutation, sent once (GitHub has no idempotency key), never retried.
        """
        token = self.token()
        response = await self.http.request(
            "POST",
            self.url,
            json={"query": query, "variables": dict(variables)},
            headers={
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "Authorization": f"Bearer {token}",
            },
            repeatable=not write,
        )
        body = read_answer(response, secret=token, what=what)
        if not isinstance(body, Mapping):
            raise MalformedAnswer(f"{what}GitHub's GraphQL answer is not an object")
        errors = body.get("errors")
        if errors:
            self._raise(errors, body.get("data"), response, token, what)
        data = body.get("data")
        if not isinstance(data, Mapping):
            raise MalformedAnswer(f"{what}GitHub's GraphQL answer has no data")
        return dict(data)

    def _raise(
        self, errors: Any, data: Any, response: httpx.Response, token: str, what: str
    ) -> None:
        listed = [
            e for e in (errors if isinstance(errors, list) else [errors]) if isinstance(e, Mapping)
        ]
        kinds = {str(e.get("type")) for e in listed if e.get("type")}
        if any(e.get("code") == "graphql_rate_limit" for e in listed):
            kinds.add("RATE_LIMIT")
        first = listed[0] if listed else {}
        message = scrub(str(first.get("message") or "an error without a message"), token)
        if kinds & RATE_LIMIT_TYPES:
            raise RateLimited(f"{what}GitHub's GraphQL rate limit: {message}", self._wait(response))
        for error in listed:
            if error.get("type") in ACCESS_TYPES:
                path = error.get("path")
                path = [str(p) for p in path] if isinstance(path, list) else []
                words = scrub(str(error.get("message") or error["type"]), token)
                raise Refused(words, str(error["type"]), path, data)
        raise PermanentError(f"{what}GitHub's GraphQL API answered: {message}")

    def _wait(self, response: httpx.Response) -> float:
        """Seconds until the budget is back: retry-after, else the reset, else a minute."""
        for header, since_now in (("retry-after", False), ("x-ratelimit-reset", True)):
            value = response.headers.get(header)
            try:
                seconds = float(value) - (self.clock() if since_now else 0.0) if value else None
            except ValueError:
                seconds = None
            if seconds is not None:
                return max(1.0, seconds)
        return 60.0
