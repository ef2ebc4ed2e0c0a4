"""Google OAuth for installed apps, fit for a terminal: a loopback redirect and PKCE.

Facts (../shared/NETWORKS.md; Google's "OAuth 2.0 for iOS & Desktop Apps"):

- The user opens ``https://accounts.google.com/o/oauth2/v2/auth`` with
  ``redirect_uri=http://127.0.0.1:PORT``, ``code_challenge`` (S256) and
  ``access_type=offline``; Google sends the browser back to that port with
  ``code`` and ``state``. A small one-shot server here receives it.
- ``POST https://oauth2.googleapis.com/token`` exchanges the code (with the
  ``code_verifier``) for ``access_token`` (an hour), ``expires_in`` and a
  ``refresh_token``; ``grant_type=refresh_token`` renews the access token.
  A revoked or expired refresh token is 400 ``invalid_grant``.
- Scope ``https://www.googleapis.com/auth/youtube.force-ssl``: read, reply, moderate.

``Tokens`` keeps the access token fresh from the refresh token in the account's secrets.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import http.server
import secrets as random_secrets
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from cm_inbox.networks.base import MalformedAnswer, NeedsLogin, PermanentError, Secrets
from cm_inbox.networks.http import Polite, RateLimitHeaders
from cm_inbox.text import clean_text

AUTH_URL = "https://accounts.google.com/o/oauth2/v2/auth"
TOKEN_URL = "https://oauth2.googleapis.com/token"
API_URL = "https://www.googleapis.com"
SCOPE = "https://www.googleapis.com/auth/youtube.force-ssl"
# Renew this long before the stated expiry, so a call never leaves with a dying token.
EARLY_S = 60.0
# YouTube and Google's token endpoint send no rate-limit headers: Polite paces by
# Retry-After and backoff alone.
NO_RATE_HEADERS = RateLimitHeaders("x-google-none", "x-google-none", reset_is_epoch=True)


def polite_for(client: httpx.AsyncClient) -> Polite:
    """Manners for the sign-in calls, made before any connector exists."""
    return Polite(client, NO_RATE_HEADERS, sleep=asyncio.sleep, clock=time.time)


def new_state() -> str:
    """The ``state`` that ties Google's redirect to the sign-in this terminal started."""
    return random_secrets.token_urlsafe(16)


def pkce_pair() -> tuple[str, str]:
    """A code verifier and its S256 challenge (RFC 7636)."""
    verifier = random_secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_url(
    client_id: str, redirect_uri: str, challenge: str, state: str, *, auth_url: str = AUTH_URL
) -> str:
    """The page where the channel's owner signs in with Google and allows cm-inbox."""
    query = urlencode(
        {
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": SCOPE,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "access_type": "offline",
            "prompt": "consent",  # else Google sends no refresh token on a second sign-in
            "state": state,
        }
    )
    return f"{auth_url}?{query}"


class LoopbackReceiver:
    """A one-shot HTTP server on 127.0.0.1 that waits for Google's redirect.

    Only the request whose ``state`` matches is taken, so another page on
    this machine cannot slip a code of its own in.
    """

    def __init__(self, state: str) -> None:
        self.state = state
        self.result: dict[str, str] = {}
        self._done = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                params = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                if params.get("state") != receiver.state:
                    self.send_response(400)
                    self.end_headers()
                    self.wfile.write(b"This is not the sign-in cm-inbox started.")
                    return
                receiver.result = params
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.end_headers()
                self.wfile.write(b"cm-inbox has the answer; you can close this tab.")
                receiver._done.set()

            def log_message(self, *args: Any) -> None:  # the query holds the code: never log it
                return

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.redirect_uri = f"http://127.0.0.1:{self.server.server_address[1]}"

    def wait(self, timeout_s: float = 300.0) -> str:
        """The code, once the browser comes back; PermanentError on refusal or timeout."""
        self.server.timeout = 1.0
        waited = 0.0
        try:
            while not self._done.is_set() and waited < timeout_s:
                self.server.handle_request()
                waited += 1.0
        finally:
            self.server.server_close()
        if "error" in self.result:
            raise PermanentError(f"Google answered: {clean_text(self.result['error'])[:100]}")
        code = self.result.get("code")
        if not code:
            raise PermanentError("no answer from the browser in time; nothing was saved")
        return code


async def token_call(polite: Polite, token_url: str, form: dict[str, str]) -> dict[str, Any]:
    """One call to Google's token endpoint; refusals raised in Google's words."""
    response = await polite.request("POST", token_url, data=form)
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != 200 or not isinstance(body, dict):
        error = body.get("error") if isinstance(body, dict) else None
        about = body.get("error_description") if isinstance(body, dict) else None
        words = ": ".join(clean_text(str(x)) for x in (error, about) if x) or (
            f"HTTP {response.status_code}"
        )
        if response.status_code in (400, 401):
            raise NeedsLogin(f"Google refused the sign-in: {words[:300]}")
        raise PermanentError(f"Google's token endpoint answered {words[:300]}")
    if not isinstance(body.get("access_token"), str) or not body["access_token"]:
        raise MalformedAnswer("Google's token endpoint gave no access token")
    return body


async def exchange_code(
    polite: Polite,
    *,
    client_id: str,
    client_secret: str | None,
    code: str,
    verifier: str,
    redirect_uri: str,
    token_url: str = TOKEN_URL,
) -> dict[str, Any]:
    """Tokens for the code the browser brought back."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": client_id,
        "code_verifier": verifier,
        "redirect_uri": redirect_uri,
    }
    if client_secret:
        form["client_secret"] = client_secret
    return await token_call(polite, token_url, form)


class Tokens:
    """The access token of one account, renewed from its refresh token when due.

    Secrets: ``refresh_token``, ``client_secret`` (Google gives desktop apps
    one, though it cannot stay secret in an app), ``access_token`` and
    ``access_expires_at``.
    """

    def __init__(
        self,
        polite: Polite,
        secrets: Secrets,
        clock: Callable[[], float],
        *,
        client_id: str,
        token_url: str = TOKEN_URL,
    ) -> None:
        self.polite = polite
        self.secrets = secrets
        self.clock = clock
        self.client_id = client_id
        self.token_url = token_url
        self._lock = asyncio.Lock()

    async def access(self) -> str:
        token = self.secrets.get("access_token")
        try:
            expires = float(self.secrets.get("access_expires_at") or 0)
        except ValueError:
            expires = 0.0
        if token and expires - EARLY_S > self.clock():
            return token
        return await self.renew(token)

    async def renew(self, stale: str | None) -> str:
        """A new access token, once, however many calls found the old one refused."""
        async with self._lock:
            current = self.secrets.get("access_token")
            if current and current != stale:
                return current
            refresh = self.secrets.get("refresh_token")
            if not refresh:
                raise NeedsLogin("no Google refresh token is stored for this account; add it again")
            if not self.client_id:
                raise NeedsLogin("no OAuth client id is saved for this account; add it again")
            form = {
                "grant_type": "refresh_token",
                "refresh_token": refresh,
                "client_id": self.client_id,
            }
            secret = self.secrets.get("client_secret")
            if secret:
                form["client_secret"] = secret
            body = await token_call(self.polite, self.token_url, form)
            expires_in = body.get("expires_in")
            lifetime = float(expires_in) if isinstance(expires_in, int | float) else 3600.0
            self.secrets.set("access_token", body["access_token"])
            self.secrets.set("access_expires_at", str(int(self.clock() + lifetime)))
            if isinstance(body.get("refresh_token"), str) and body["refresh_token"]:
                self.secrets.set("refresh_token", body["refresh_token"])
            return body["access_token"]


def host(url: str) -> str:
    try:
        return httpx.URL(url).host or url
    except Exception:  # shown as configured when it does not parse
        return url
