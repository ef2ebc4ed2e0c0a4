"""Logging in to a Mastodon instance, and reading its answers in its own words.

OAuth per instance, from ../shared/NETWORKS.md: an app registered with
``POST /api/v1/apps``, the user sent to ``/oauth/authorize`` with the
out-of-band redirect (the instance shows a code to paste in the terminal), the
code exchanged at ``POST /oauth/token``. Every call goes through ``Polite``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

import httpx

from cm_inbox.networks.base import (
    LoginStart,
    MalformedAnswer,
    NeedsLogin,
    NetworkError,
    PermanentError,
    Sleep,
)
from cm_inbox.networks.http import Polite, RateLimitHeaders, error_message
from cm_inbox.networks.mastodon_parse import instance_host
from cm_inbox.text import clean_text

CLIENT_NAME = "cm-inbox"
REDIRECT_OOB = "urn:ietf:wg:oauth:2.0:oob"
SCOPES = "read:notifications read:statuses write:statuses write:notifications"
RATE_HEADERS = RateLimitHeaders("x-ratelimit-remaining", "x-ratelimit-reset", reset_is_epoch=False)


def normalize_instance(instance: str) -> str:
    """The base every path is joined to: "mastodon.social/" becomes "https://mastodon.social"."""
    instance = instance.strip().rstrip("/")
    if not instance.startswith(("https://", "http://")):
        instance = "https://" + instance
    return instance


def polite(
    client: httpx.AsyncClient, sleep: Sleep | None, clock: Callable[[], float] | None
) -> Polite:
    """Manners for the login calls, which run before any connector exists."""
    return Polite(client, RATE_HEADERS, sleep=sleep or asyncio.sleep, clock=clock or time.time)


async def register_app(
    client: httpx.AsyncClient,
    instance: str,
    *,
    sleep: Sleep | None = None,
    clock: Callable[[], float] | None = None,
) -> dict[str, str]:
    """Register cm-inbox on ``instance``; returns at least ``client_id`` and ``client_secret``.

    POST /api/v1/apps answers a CredentialApplication (id, name, scopes,
    redirect_uris, client_id, client_secret, ...; mastodon's
    credential_application_serializer.rb).
    """
    instance = normalize_instance(instance)
    response = await polite(client, sleep, clock).request(
        "POST",
        f"{instance}/api/v1/apps",
        data={"client_name": CLIENT_NAME, "redirect_uris": REDIRECT_OOB, "scopes": SCOPES},
    )
    body = read_answer(response, instance, secret=None)
    if not isinstance(body, Mapping) or not all(
        isinstance(body.get(key), str) and body[key] for key in ("client_id", "client_secret")
    ):
        raise MalformedAnswer(f"{instance_host(instance)} registered no client id and secret")
    return {key: str(value) for key, value in body.items() if isinstance(value, str | int)}


def authorize_url(instance: str, client_id: str) -> str:
    """The page where the brand's owner signs in and allows cm-inbox; it then shows a code."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": REDIRECT_OOB,
            "scope": SCOPES,
        }
    )
    return f"{normalize_instance(instance)}/oauth/authorize?{query}"


async def exchange_code(
    client: httpx.AsyncClient,
    instance: str,
    client_id: str,
    client_secret: str,
    code: str,
    *,
    sleep: Sleep | None = None,
    clock: Callable[[], float] | None = None,
) -> str:
    """The access token for the pasted ``code`` (POST /oauth/token, grant_type=authorization_code).

    Doorkeeper answers {access_token, token_type, scope, created_at}; a wrong
    code is a 400 ``invalid_grant`` (recorded in pre_4_4_0__test_log_in_password_incorrect).
    """
    instance = normalize_instance(instance)
    response = await polite(client, sleep, clock).request(
        "POST",
        f"{instance}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code.strip(),
            "client_id": client_id,
            "client_secret": client_secret,
            "redirect_uri": REDIRECT_OOB,
            "scope": SCOPES,
        },
    )
    body = read_answer(response, instance, secret=client_secret)
    token = body.get("access_token") if isinstance(body, Mapping) else None
    if not isinstance(token, str) or not token:
        raise MalformedAnswer(f"{instance_host(instance)} gave no access token")
    return token


async def start_login(client: httpx.AsyncClient, instance: str) -> LoginStart:
    """Register the app and say where to sign in; settings and secrets to keep for step two."""
    instance = normalize_instance(instance)
    app = await register_app(client, instance)
    return LoginStart(
        authorize_url=authorize_url(instance, app["client_id"]),
        settings={"instance": instance, "client_id": app["client_id"]},
        secrets={"client_secret": app["client_secret"]},
    )


def scrub(message: str, secret: str | None) -> str:
    """The server's words, shown in a terminal: no control codes, no echoed token, not a novel."""
    message = clean_text(message)
    if secret:
        message = message.replace(secret, "[token]")
    return " ".join(message.split())[:300]


def read_answer(response: httpx.Response, instance: str, *, secret: str | None) -> Any:
    """The JSON of a 2xx answer; anything else raised in Mastodon's own words."""
    status = response.status_code
    if 200 <= status < 300:
        try:
            return response.json()
        except ValueError:
            raise MalformedAnswer(
                f"{instance_host(instance)} answered {status} with something that is not JSON"
            ) from None
    message = scrub(error_message(response), secret)
    if status == 401:
        raise NeedsLogin(message)
    if status == 404:
        raise PermanentError(message or "Record not found")
    if 400 <= status < 500:
        # 403 (not allowed), 410 (gone), 422 (validation): asking again changes nothing.
        raise PermanentError(message)
    raise NetworkError(f"{instance_host(instance)} answered {status}: {message}")
