"""Logging in to Reddit as an "installed app", and reading its answers in its own words.

From ../shared/NETWORKS.md and the recorded token calls: the user allows the
app at ``www.reddit.com/api/v1/authorize`` (``duration=permanent``, so a
refresh token comes back), Reddit redirects the browser to a loopback address
where cm-inbox waits for the code, and the code is exchanged at
``/api/v1/access_token`` with HTTP Basic ``client_id:`` and an empty secret
(installed apps have none). Access tokens last an hour or a day; the refresh
token is kept and traded for a new one when needed.

The redirect URI must be exactly the one registered with the app on
https://www.reddit.com/prefs/apps, hence a fixed default port (PRAW's 65010).
"""

from __future__ import annotations

import asyncio
import secrets as random_tokens
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from cm_inbox.networks.base import (
    MalformedAnswer,
    NeedsLogin,
    NetworkError,
    PermanentError,
)
from cm_inbox.networks.http import Polite, error_message
from cm_inbox.networks.reddit_http import RATE_HEADERS, RedditPolite
from cm_inbox.text import clean_text

AUTH_BASE = "https://www.reddit.com"
API_BASE = "https://oauth.reddit.com"
# identity: who we are; read: threads; privatemessages: the inbox and mark read;
# submit: replies; history: our own comments, where a reply is looked for before a
# retry; modposts: remove and mark spam, in subreddits the account moderates.
SCOPES = "identity read privatemessages submit history modposts"
REDIRECT_PORT = 65010
REDIRECT_PATH = "/authorize_callback"


def redirect_uri(port: int = REDIRECT_PORT) -> str:
    return f"http://localhost:{port}{REDIRECT_PATH}"


def authorize_url(client_id: str, state: str, *, port: int = REDIRECT_PORT,
                  auth_base: str = AUTH_BASE) -> str:  # fmt: skip
    """The page where the brand's owner signs in and allows cm-inbox."""
    query = urlencode(
        {
            "client_id": client_id,
            "response_type": "code",
            "state": state,
            "redirect_uri": redirect_uri(port),
            "duration": "permanent",
            "scope": SCOPES,
        }
    )
    return f"{auth_base.rstrip('/')}/api/v1/authorize?{query}"


def new_state() -> str:
    """The value Reddit hands back with the code, so a stray request cannot inject one."""
    return random_tokens.token_urlsafe(24)


async def wait_for_code(state: str, *, port: int = REDIRECT_PORT, timeout_s: float = 300) -> str:
    """Listen on 127.0.0.1:``port`` for the browser's redirect; the code it carries.

    Raises ``NeedsLogin`` when the user declined (``error=access_denied``),
    the state does not match, or nobody came within ``timeout_s``.
    """
    outcome: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = (await reader.readline()).decode("latin-1")
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass  # headers: nothing in them matters
            parts = request_line.split()
            target = urlsplit(parts[1]) if len(parts) >= 2 else None
            if target is None or target.path != REDIRECT_PATH:
                await _respond(writer, 404, "Not the page cm-inbox waits on.")
                return
            query = {k: v[0] for k, v in parse_qs(target.query).items()}
            if query.get("state") != state:
                await _respond(writer, 400, "This answer is not for this sign-in; try again.")
                return
            if "error" in query:
                await _respond(writer, 200, "cm-inbox was not allowed; you can close this tab.")
                if not outcome.done():
                    outcome.set_exception(NeedsLogin(f"Reddit said: {clean_text(query['error'])}"))
                return
            await _respond(writer, 200, "cm-inbox is allowed. You can close this tab.")
            if not outcome.done() and query.get("code"):
                outcome.set_result(query["code"])
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    try:
        return await asyncio.wait_for(outcome, timeout_s)
    except TimeoutError:
        raise NeedsLogin(f"no answer from the browser within {timeout_s:.0f} s") from None
    finally:
        server.close()
        await server.wait_closed()


async def _respond(writer: asyncio.StreamWriter, status: int, text: str) -> None:
    body = text.encode()
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}[status]
    writer.write(
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    await writer.drain()


async def token_call(
    client: httpx.AsyncClient, auth_base: str, client_id: str, form: Mapping[str, str],
    *, http: Polite | None = None,
) -> dict[str, Any]:  # fmt: skip
    """POST /api/v1/access_token; the token answer, or Reddit's refusal as a typed error.

    ``http``: the connector's ``Polite``, so a refresh mid-sync obeys the same pacing.
    """
    http = http or RedditPolite(client, RATE_HEADERS, sleep=asyncio.sleep, clock=time.time)
    response = await http.request(
        "POST",
        f"{auth_base.rstrip('/')}/api/v1/access_token",
        data=dict(form),
        auth=(client_id, ""),
    )
    secret = form.get("refresh_token") or form.get("code")
    body = read_answer(response, secret=secret)
    if isinstance(body, Mapping) and body.get("error"):
        # invalid_grant (revoked or used code), unsupported_grant_type, ... with a 200 or a 400.
        raise NeedsLogin(f"Reddit refused the login: {scrub(str(body['error']), secret)}")
    token = body.get("access_token") if isinstance(body, Mapping) else None
    if not isinstance(token, str) or not token:
        raise MalformedAnswer("Reddit gave no access token")
    return dict(body)


async def exchange_code(
    client: httpx.AsyncClient, client_id: str, code: str, *, port: int = REDIRECT_PORT,
    auth_base: str = AUTH_BASE,
) -> dict[str, Any]:  # fmt: skip
    """Tokens for the code the browser brought back (refresh_token included: duration=permanent)."""
    return await token_call(
        client,
        auth_base,
        client_id,
        {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri(port)},
    )


async def refresh(
    client: httpx.AsyncClient, client_id: str, refresh_token: str, *, auth_base: str = AUTH_BASE,
    http: Polite | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A new access token for the kept refresh token."""
    return await token_call(
        client,
        auth_base,
        client_id,
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
        http=http,
    )


def scrub(message: str, secret: str | None) -> str:
    """Reddit's words, shown in a terminal: no control codes, no echoed token, not a novel."""
    message = clean_text(message)
    if secret:
        message = message.replace(secret, "[token]")
    return " ".join(message.split())[:300]


def read_answer(response: httpx.Response, *, secret: str | None) -> Any:
    """The JSON of a 2xx answer; anything else raised in Reddit's own words.

    Reddit's errors are ``{"message": "Forbidden", "error": 403}`` (recorded in
    TestInbox.test_message__unauthorized) or ``{"error": "invalid_grant"}``.
    """
    status = response.status_code
    if 200 <= status < 300:
        try:
            return response.json()
        except ValueError:
            raise MalformedAnswer(
                f"Reddit answered {status} with something that is not JSON"
            ) from None
    message = scrub(error_message(response), secret)
    if status == 401 or (status == 400 and "invalid_grant" in message):
        raise NeedsLogin(message or "Unauthorized")
    if 400 <= status < 500:
        # 403 (not allowed here), 404 (gone), 400 (a bad request): asking again changes nothing.
        raise PermanentError(message)
    raise NetworkError(f"Reddit answered {status}: {message}")
