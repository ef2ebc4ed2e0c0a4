"""A Bluesky session: XRPC calls with an access token, refreshed when refused.

Facts (lexicons com/atproto/server/createSession.json and refreshSession.json,
and ../shared/NETWORKS.md):

- ``com.atproto.server.createSession {identifier, password}`` logs in with an
  app password and returns ``{did, handle, accessJwt, refreshJwt}``. It is
  limited to 30 calls per 5 minutes (and 300 a day), so a session is kept in
  the account's secrets and refreshed, never re-created per sync.
- ``com.atproto.server.refreshSession`` takes the *refresh* token as bearer
  and returns a new pair; the old refresh token is spent, so the new pair is
  written back at once.
- An expired access token is HTTP 400 ``{"error": "ExpiredToken", "message":
  "Token has expired"}``; other refusals are 400 ``InvalidToken`` or 401
  ``AuthenticationRequired``. Errors are ``{"error": Name, "message": text}``.
- Rate-limit headers: ``RateLimit-Remaining``, ``RateLimit-Reset`` (Unix
  seconds); 429 ``RateLimitExceeded`` (handled by ``Polite``).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, NoReturn

import httpx

from cm_inbox.networks.base import (
    MalformedAnswer,
    NeedsLogin,
    PermanentError,
    Secrets,
    TemporaryError,
)
from cm_inbox.networks.http import Polite, RateLimitHeaders, error_message

DEFAULT_PDS = "https://bsky.social"
RATE_HEADERS = RateLimitHeaders("ratelimit-remaining", "ratelimit-reset", reset_is_epoch=True)
# Refusals a new session may cure.
TOKEN_ERRORS = frozenset({"ExpiredToken", "InvalidToken"})


async def create_session(
    client: httpx.AsyncClient,
    pds: str,
    identifier: str,
    password: str,
    *,
    polite: Polite | None = None,
) -> dict[str, Any]:
    """Log in with an app password (``com.atproto.server.createSession``).

    Returns the session: ``did``, ``handle``, ``accessJwt``, ``refreshJwt``.
    Raises NeedsLogin when the PDS refuses the identifier or password (in its
    own words, never with the password), RateLimited past 30 logins in 5 minutes.
    """
    polite = polite or Polite(client, RATE_HEADERS, sleep=asyncio.sleep, clock=time.time)
    url = f"{pds.rstrip('/')}/xrpc/com.atproto.server.createSession"
    response = await polite.request(
        "POST", url, json={"identifier": identifier, "password": password}
    )
    if response.status_code != 200:
        if 400 <= response.status_code < 500:
            raise NeedsLogin(f"{host(pds)} refused the login: {error_message(response)}")
        raise TemporaryError(f"{host(pds)}: {error_message(response)}")
    session = json_object(response, "createSession")
    for key in ("did", "handle", "accessJwt", "refreshJwt"):
        if not isinstance(session.get(key), str) or not session[key]:
            raise MalformedAnswer(f"{host(pds)}: the login answer has no {key}")
    return session


class Session:
    """XRPC calls for one account, with its tokens kept in ``secrets``.

    Secrets: ``access_jwt``, ``refresh_jwt``, ``app_password``. A refused
    token is refreshed once; when the refresh token is refused too, the app
    password logs in again, once per session object; after that the account
    needs a new login (NeedsLogin, with the PDS's own message).
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        secrets: Secrets,
        polite: Polite,
        *,
        pds: str,
        did: str | None,
        handle: str | None,
    ) -> None:
        self.client = client
        self.secrets = secrets
        self.polite = polite
        self.pds = pds.rstrip("/")
        self.did = did
        self.handle = handle
        self._lock = asyncio.Lock()
        self._logged_in_again = False

    @property
    def host(self) -> str:
        """The PDS's host name, as errors show it."""
        return host(self.pds)

    async def get(self, nsid: str, params: dict[str, Any], what: str) -> dict[str, Any]:
        """A query that must succeed; ``what`` words the error ("could not list ...")."""
        response = await self.call("GET", nsid, params=params)
        if response.status_code != 200:
            self.fail(response, what)
        return json_object(response, nsid)

    async def call(self, method: str, nsid: str, **kwargs: Any) -> httpx.Response:
        """One XRPC call; refused tokens are renewed once and the call retried once.

        Returns any other answer (404, 400 InvalidRequest...) for the caller to read.
        """
        token = await self._access_token()
        response = await self._send(method, nsid, token, **kwargs)
        if not token_refused(response):
            return response
        await self._renew(token, response)
        response = await self._send(method, nsid, self.secrets.get("access_jwt"), **kwargs)
        if token_refused(response):
            raise NeedsLogin(self._refusal(response))
        return response

    def fail(self, response: httpx.Response, what: str) -> NoReturn:
        """Raise the error an unsuccessful answer means, in Bluesky's own words."""
        message = f"{self.host} {what}: {error_message(response)}"
        if response.status_code in (400, 403, 404, 409, 413, 422):
            raise PermanentError(message)
        raise TemporaryError(message)

    def remember(self, session: dict[str, Any]) -> None:
        """Note who the session belongs to (createSession, refreshSession, getSession)."""
        did, handle = session.get("did"), session.get("handle")
        if isinstance(did, str) and did.startswith("did:"):
            self.did = did
        if isinstance(handle, str) and handle:
            self.handle = handle

    async def _send(
        self, method: str, nsid: str, token: str | None, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.polite.request(
            method, f"{self.pds}/xrpc/{nsid}", headers=headers, **kwargs
        )

    async def _access_token(self) -> str:
        token = self.secrets.get("access_jwt")
        if token:
            return token
        async with self._lock:
            # Only an account that never had a session logs in here.
            if not self.secrets.get("access_jwt"):
                await self._login()
        return self.secrets.get("access_jwt") or ""

    async def _renew(self, stale: str, refused: httpx.Response) -> None:
        """refreshSession with the refresh token; failing that, one login with the app password."""
        async with self._lock:
            current = self.secrets.get("access_jwt")
            if current and current != stale:
                return  # another call renewed the session while this one waited
            refresh = self.secrets.get("refresh_jwt")
            if refresh:
                response = await self.polite.request(
                    "POST",
                    f"{self.pds}/xrpc/com.atproto.server.refreshSession",
                    headers={"Authorization": f"Bearer {refresh}"},
                )
                if response.status_code == 200:
                    self._keep(json_object(response, "refreshSession"))
                    return
                if not token_refused(response):
                    raise NeedsLogin(self._refusal(response))  # e.g. AccountTakedown
                refused = response
            if self._logged_in_again:
                raise NeedsLogin(self._refusal(refused))
            await self._login()

    async def _login(self) -> None:
        """createSession with the stored app password, at most once per session object."""
        password = self.secrets.get("app_password")
        identifier = self.handle or self.did
        if not password or not identifier:
            raise NeedsLogin("no Bluesky app password is stored for this account; add it again")
        self._logged_in_again = True
        self._keep(
            await create_session(self.client, self.pds, identifier, password, polite=self.polite)
        )

    def _keep(self, session: dict[str, Any]) -> None:
        """Write a new session back at once, so no later run has to log in again."""
        access, refresh = session.get("accessJwt"), session.get("refreshJwt")
        if not isinstance(access, str) or not access or not isinstance(refresh, str):
            raise MalformedAnswer(f"{self.host}: the session answer has no tokens")
        self.secrets.set("access_jwt", access)
        self.secrets.set("refresh_jwt", refresh)
        self.remember(session)

    def _refusal(self, response: httpx.Response) -> str:
        return f"{self.host} asks for a new login: {error_message(response)}"


def token_refused(response: httpx.Response) -> bool:
    """401, or 400 ExpiredToken/InvalidToken: what a new session may cure."""
    if response.status_code == 401:
        return True
    return response.status_code == 400 and error_name(response) in TOKEN_ERRORS


def error_name(response: httpx.Response) -> str | None:
    """The XRPC error name (``{"error": Name}``) of an answer, if it has one."""
    try:
        body = response.json()
    except ValueError:
        return None
    name = body.get("error") if isinstance(body, dict) else None
    return name if isinstance(name, str) else None


def json_object(response: httpx.Response, nsid: str) -> dict[str, Any]:
    """The answer's JSON object, or MalformedAnswer."""
    try:
        body = response.json()
    except ValueError:
        raise MalformedAnswer(f"{host(str(response.url))}: {nsid} did not answer JSON") from None
    if not isinstance(body, dict):
        raise MalformedAnswer(f"{host(str(response.url))}: {nsid} did not answer an object")
    return body


def host(url: str) -> str:
    """The host of ``url``, for messages (never a path, a query or a token)."""
    try:
        return httpx.URL(url).host or url
    except Exception:  # shown as configured when it does not parse
        return url
