"""Mastodon (any instance): log in, pull mentions, read threads, post replies.

Facts, from ../shared/NETWORKS.md and the recorded traffic in
tests/conformance/mastodon (production mastodon.social and a 4.6.4 server):

- Login is OAuth per instance: an app registered with ``POST /api/v1/apps``, the
  out-of-band redirect ``urn:ietf:wg:oauth:2.0:oob`` (the instance shows a code
  to paste in the terminal), the code exchanged at ``POST /oauth/token``.
- What is addressed to the brand is a ``mention`` notification: a reply always
  mentions the account it answers, so replies arrive this way too.
- Pages are linked by the ``Link`` header: rel="next" carries ``max_id`` (older),
  rel="prev" ``min_id`` (newer). ``min_id`` gives the page just after an id.
- Rate limits: ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (ISO-8601) on
  every /api answer, 300 calls per token per 5 minutes. A 429 from Mastodon
  itself carries no Retry-After (config/initializers/rack_attack.rb), so
  ``Polite`` waits for the reset time instead.
- Errors are ``{"error": "..."}``: 401 "The access token is invalid" (or "was
  revoked"), 404 "Record not found", 422 "Validation failed: ...".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from cm_inbox.model.incoming import IncomingComment
from cm_inbox.networks.base import (
    Connector,
    FetchPage,
    MalformedAnswer,
    NeedsLogin,
    NetworkError,
    ParentRef,
    PermanentError,
    Posted,
    SetAside,
)
from cm_inbox.networks.http import Polite, budget_for
from cm_inbox.networks.mastodon_login import (
    CLIENT_NAME,
    RATE_HEADERS,
    REDIRECT_OOB,
    SCOPES,
    authorize_url,
    exchange_code,
    normalize_instance,
    read_answer,
    register_app,
    start_login,
)
from cm_inbox.networks.mastodon_parse import (
    VISIBILITIES,
    Unreadable,
    Viewer,
    id_key,
    instance_host,
    link_param,
    mentions_handle,
    parse_link_header,
    parse_notification,
    parse_status,
    qualify,
)
from cm_inbox.text import clean_text

__all__ = [
    "CLIENT_NAME",
    "REDIRECT_OOB",
    "SCOPES",
    "MastodonConnector",
    "authorize_url",
    "exchange_code",
    "normalize_instance",
    "register_app",
    "start_login",
]

# Notifications per page: 40 is the API's default, 80 its maximum (NETWORKS.md).
PAGE_SIZE = 40
# A first sync takes the newest this many mentions, never the whole history.
FIRST_SYNC_LIMIT = 200
DEFAULT_MAX_CHARACTERS = 500


@dataclass(slots=True)
class _Backfill:
    """A first sync walking back through history, one page per ``fetch_new`` call.

    Kept on the connector, not in the cursor: the cursor stays the newest id,
    so if the walk is cut short (a crash, a new connector) the next sync just
    continues forward from there and only some old history is left out.
    """

    cursor: str  # what we returned; a call with another cursor ends the walk
    max_id: str  # the next older page starts below this
    taken: int


class MastodonConnector(Connector):
    """One brand account on one Mastodon instance.

    ``settings["instance"]`` is the base URL, ``secrets["access_token"]`` the
    Bearer token, ``account.handle`` our own acct ("lumo@mastodon.social").
    """

    network = "mastodon"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.http = Polite(
            self.client,
            RATE_HEADERS,
            sleep=self.sleep,
            clock=self.clock,
            budget=budget_for(self.budgets, self.network,
                              self.account.settings.get("instance", ""), self.account.name),
        )  # fmt: skip
        self._max_length: int | None = None
        self._backfill: _Backfill | None = None

    # -- plumbing ------------------------------------------------------------------

    @property
    def instance(self) -> str:
        instance = self.account.settings.get("instance")
        if not instance:
            raise NeedsLogin("no instance URL saved for this account; add it again")
        return normalize_instance(instance)

    @property
    def viewer(self) -> Viewer:
        return Viewer.of(self.account.name, self.instance, self.account.handle)

    def _token(self) -> str:
        token = self.secrets.get("access_token")
        if not token:
            raise NeedsLogin("no access token saved for this account; log in again")
        return token

    async def _call(
        self, method: str, path: str, *, auth: bool = True, **kwargs: Any
    ) -> tuple[Any, httpx.Response]:
        """One API call through ``Polite``; the JSON body and the response (for its headers)."""
        headers = dict(kwargs.pop("headers", None) or {})
        token = self._token() if auth else None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = await self.http.request(method, self.instance + path, headers=headers, **kwargs)
        return read_answer(response, self.instance, secret=token), response

    # -- the interface -------------------------------------------------------------

    async def verify(self) -> str:
        """Who the token belongs to (GET /api/v1/accounts/verify_credentials), as "@acct@host"."""
        body, _ = await self._call("GET", "/api/v1/accounts/verify_credentials")
        acct = body.get("acct") if isinstance(body, Mapping) else None
        if not isinstance(acct, str) or not acct.strip():
            raise MalformedAnswer(f"{instance_host(self.instance)} did not say who we are")
        return "@" + qualify(clean_text(acct), instance_host(self.instance))

    async def fetch_new(self, cursor: str | None) -> FetchPage:
        """Mentions newer than ``cursor`` (a notification id), one page per call.

        With a cursor: the 40 mentions just after it (``min_id``), so catching
        up after a long pause walks forward page by page, never skipping one;
        ``more`` while pages come back full. Without one (first sync): the
        newest page, then older ones while ``more`` is set, FIRST_SYNC_LIMIT
        notifications in all. The cursor is always the newest id seen, read
        from the rel="prev" link.
        """
        backfill = self._backfill
        self._backfill = None
        # include_filtered (4.3+; older servers ignore it): the notification policy
        # holds back private mentions from strangers by default, and for a brand
        # those are customers writing in private. Triage sorts out the spam.
        params: list[tuple[str, str | int]] = [
            ("types[]", "mention"),
            ("limit", PAGE_SIZE),
            ("include_filtered", "true"),
        ]
        if backfill is not None and cursor == backfill.cursor:
            params.append(("max_id", backfill.max_id))
        elif cursor:
            params.append(("min_id", cursor))
            backfill = None
        else:
            backfill = None
        body, response = await self._call("GET", "/api/v1/notifications", params=params)
        if not isinstance(body, list):
            raise MalformedAnswer(
                f"{instance_host(self.instance)} sent notifications that are not a list"
            )
        page = self._read_notifications(body)
        links = parse_link_header(response.headers.get("link"))
        seen_ids = [i for i in (_item_id(n) for n in body) if i]
        newest = link_param(links.get("prev"), "min_id") or max(seen_ids, key=id_key, default=None)
        oldest = link_param(links.get("next"), "max_id") or min(seen_ids, key=id_key, default=None)
        full = len(body) >= PAGE_SIZE
        if backfill is not None:  # an older page of a first sync: the cursor stays
            page.cursor = backfill.cursor
            taken = backfill.taken + len(body)
            if full and oldest and taken < FIRST_SYNC_LIMIT:
                self._backfill = _Backfill(backfill.cursor, oldest, taken)
                page.more = True
            return page
        if cursor:
            newest = max(filter(None, (newest, cursor)), key=id_key)
        page.cursor = newest or cursor
        if not cursor and full and oldest and newest:
            self._backfill = _Backfill(newest, oldest, len(body))
            page.more = True
        elif cursor:
            page.more = full
        return page

    def _read_notifications(self, body: list[Any]) -> FetchPage:
        page = FetchPage()
        viewer = self.viewer
        for item in body:
            try:
                result = parse_notification(item, viewer)
            except Unreadable as error:
                page.set_aside.append(SetAside.of(f"mastodon notification: {error}", item))
                continue
            if result.comment is not None:
                page.items.append(result.comment)
        return page

    async def fetch_thread(self, remote_id: str) -> list[IncomingComment]:
        """The status, its ancestors and its replies (GET /api/v1/statuses/:id and .../context).

        Every comment gets the thread's root: the first ancestor, or the
        status itself when it starts the thread. Unreadable statuses are left
        out: a thread is context, and the mentions themselves arrive through
        ``fetch_new`` where odd items are kept aside.
        """
        status, _ = await self._call("GET", f"/api/v1/statuses/{_path_id(remote_id)}")
        context, _ = await self._call("GET", f"/api/v1/statuses/{_path_id(remote_id)}/context")
        if not isinstance(context, Mapping):
            raise MalformedAnswer(
                f"{instance_host(self.instance)} sent a context that is no object"
            )
        ancestors = context.get("ancestors") or []
        descendants = context.get("descendants") or []
        if not isinstance(ancestors, list) or not isinstance(descendants, list):
            raise MalformedAnswer(f"{instance_host(self.instance)} sent a context without lists")
        viewer = self.viewer
        comments: list[IncomingComment] = []
        for raw in [*ancestors, status, *descendants]:
            try:
                comments.append(parse_status(raw, viewer))
            except Unreadable:
                continue
        root = _item_id(ancestors[0]) if ancestors else None
        root = root or remote_id
        for comment in comments:
            comment.root_remote_id = root
        return comments

    async def post_reply(self, parent: ParentRef, text: str, idempotency_key: str) -> Posted:
        """Reply under ``parent`` (POST /api/v1/statuses with in_reply_to_id).

        The parent's author is mentioned first unless the text already does
        (Mastodon threads notify by mention; NETWORKS.md). Visibility mirrors
        the parent's, so a followers-only or direct conversation never becomes
        public. ``Idempotency-Key`` makes the server answer a retry with the
        status it already made (kept about an hour).
        """
        host = instance_host(self.instance)
        body = self._reply_body(parent, text)
        visibility = _reply_visibility(parent.extra)
        status, _ = await self._call(
            "POST",
            "/api/v1/statuses",
            data={"status": body, "in_reply_to_id": parent.remote_id, "visibility": visibility},
            headers={"Idempotency-Key": idempotency_key},
        )
        if not isinstance(status, Mapping) or not isinstance(status.get("id"), str):
            raise MalformedAnswer(f"{host} accepted the reply but sent no status id")
        url = status.get("url") or status.get("uri")
        return Posted(remote_id=status["id"], url=url if isinstance(url, str) else None)

    def _reply_body(self, parent: ParentRef, text: str) -> str:
        """What is posted: the text, led by the parent author's @mention unless it has one."""
        host = instance_host(self.instance)
        author = parent.author_handle.strip().lstrip("@")
        body = text.strip()
        # A blank reply stays blank (the server refuses it with a 422): never a bare mention.
        if body and author and not mentions_handle(body, author, host):
            body = f"@{qualify(author, host)} {body}".rstrip()
        return body

    async def find_reply(self, parent: ParentRef, text: str, idempotency_key: str) -> Posted | None:
        """Our status answering ``parent`` with this text, among the parent's replies.

        Within the hour the ``Idempotency-Key`` alone prevents a double post;
        after it (a laptop closed overnight) only looking can. The context lists
        the replies; ours is the one by our account, under this parent, whose
        words are ours (mentions aside, which the server rewrites as links).
        """
        viewer = self.viewer
        if viewer.own_acct is None:
            own = await self.verify()
            viewer = Viewer.of(self.account.name, self.instance, own)
        context, _ = await self._call(
            "GET", f"/api/v1/statuses/{_path_id(parent.remote_id)}/context"
        )
        descendants = context.get("descendants") if isinstance(context, Mapping) else None
        if not isinstance(descendants, list):
            raise MalformedAnswer(f"{instance_host(self.instance)} sent a context without lists")
        wanted = _words(self._reply_body(parent, text))
        for raw in descendants:
            try:
                status = parse_status(raw, viewer)
            except Unreadable:
                continue
            if (
                status.is_ours
                and status.parent_remote_id == parent.remote_id
                and _words(status.text) == wanted
            ):
                return Posted(remote_id=status.remote_id, url=status.url, already_there=True)
        return None

    async def max_length(self) -> int:
        """configuration.statuses.max_characters of GET /api/v2/instance (500 when not said).

        Read once per connector. An instance that cannot be asked right now
        gives the default without caching it, so the next call asks again.
        """
        if self._max_length is not None:
            return self._max_length
        try:
            body, _ = await self._call("GET", "/api/v2/instance", auth=False)
        except (PermanentError, MalformedAnswer):
            body = None  # an older server without v2, or an odd one: the default is right
        except NetworkError:
            return DEFAULT_MAX_CHARACTERS
        limit = _dig(body, "configuration", "statuses", "max_characters")
        ok = isinstance(limit, int) and not isinstance(limit, bool) and limit > 0
        self._max_length = limit if ok else DEFAULT_MAX_CHARACTERS
        return self._max_length


def _words(text: str) -> list[str]:
    """A status's words without its mentions: what survives the server's HTML rendering."""
    return [word for word in text.split() if not word.startswith("@")]


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


# Mastodon ids are decimal strings; Mastodon-compatible servers (Pleroma, Akkoma)
# use base62 ones. Nothing else may reach a URL path or a cursor.
_SAFE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _item_id(item: Any) -> str | None:
    value = item.get("id") if isinstance(item, Mapping) else None
    return value if isinstance(value, str) and _SAFE_ID.fullmatch(value) else None


def _path_id(remote_id: str) -> str:
    if not _SAFE_ID.fullmatch(remote_id):
        raise PermanentError(f"{remote_id[:40]!r} is not a Mastodon status id")
    return remote_id


def _reply_visibility(extra: Mapping[str, Any]) -> str:
    """The parent's visibility; "public" when unknown, "direct" for a value we do not know.

    Mirroring never widens: an unknown value (a fork's "local", "limited") is
    treated as the narrowest, where the mentioned author still reads it.
    """
    visibility = extra.get("visibility") if extra else None
    if visibility is None:
        return "public"
    return visibility if visibility in VISIBILITIES else "direct"
