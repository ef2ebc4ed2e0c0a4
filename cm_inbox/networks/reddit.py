"""Reddit: the brand account's inbox, threads in subreddits, replies, mark read and remove.

Facts, from ../shared/NETWORKS.md and the recorded traffic in
tests/conformance/reddit (praw and asyncpraw cassettes, oauth.reddit.com):

- Login as an installed app (``reddit_login``): a permanent refresh token is
  kept; access tokens (an hour or a day) are refreshed when they run out or a
  401 says so.
- What is addressed to the brand is its inbox, ``GET /message/inbox``: replies
  to its comments and posts, username mentions (kind t1) and private messages
  (t4), newest first, in pages linked by ``after``. ``mark=false`` keeps the
  inbox as it was: reading in cm-inbox never marks anything read on Reddit.
- Threads: ``GET /comments/{article}?comment={id}&context=8``, a pair of
  Listings (the post, then the comment tree).
- Replies: ``POST /api/comment`` (``api_type=json``); refusals come inside
  ``json.errors`` with a 200, the rate limit as ``RATELIMIT`` among them.
- Rate limits: ``x-ratelimit-*`` on every answer (``reddit_http``).
- No idempotency key: before a retry, our own recent comments (or sent
  messages) are looked through for the reply (``find_reply``).
- Moderation (``moderate``): "read" is ``POST /api/read_message``, "hide" is
  ``POST /api/remove`` and "spam" the same with ``spam=true``. Removing needs
  moderator rights in the subreddit (scope ``modposts``); elsewhere Reddit
  answers 403, which is said in those words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cm_inbox.model.incoming import IncomingComment
from cm_inbox.networks.base import (
    Connector,
    FetchPage,
    MalformedAnswer,
    ModerationTarget,
    NeedsLogin,
    ParentRef,
    PermanentError,
    Posted,
    RateLimited,
    SetAside,
)
from cm_inbox.networks.http import budget_for
from cm_inbox.networks.reddit_http import RATE_HEADERS, RedditPolite
from cm_inbox.networks.reddit_login import (
    API_BASE,
    AUTH_BASE,
    SCOPES,
    authorize_url,
    exchange_code,
    new_state,
    read_answer,
    refresh,
    wait_for_code,
)
from cm_inbox.networks.reddit_parse import (
    FULLNAME,
    WEB,
    Unreadable,
    Viewer,
    listing_after,
    listing_children,
    parse_comment_answer,
    parse_thing,
    ratelimit_seconds,
    thread_things,
    walk_tree,
)
from cm_inbox.text import clean_text

__all__ = [
    "SCOPES",
    "Anchor",
    "RedditConnector",
    "authorize_url",
    "exchange_code",
    "new_state",
    "refresh",
    "wait_for_code",
]

# Reddit's listings give at most 100 things a page.
PAGE_SIZE = 100
# A first sync takes the newest this many inbox items; a catch-up walks back at
# most this far (Reddit keeps about 1,000 in a listing anyway).
FIRST_SYNC_LIMIT = 300
CATCH_UP_LIMIT = 1000
# A token this close to its end is refreshed before use, not after a 401.
EXPIRY_MARGIN_S = 60
# How many of our own latest comments are read to find a reply that may have arrived.
OWN_HISTORY = 100


@dataclass(frozen=True, slots=True)
class Anchor:
    """The cursor: the newest inbox item stored, by fullname and time ("t1_abc@1750354112").

    Both are kept because a deleted item vanishes from listings: the walk
    back stops at the name, or failing that at the first older item.
    """

    name: str
    at: int

    def encode(self) -> str:
        return f"{self.name}@{self.at}"

    @classmethod
    def parse(cls, cursor: str | None) -> Anchor | None:
        if not cursor:
            return None
        name, _, at = cursor.partition("@")
        if not FULLNAME.fullmatch(name):
            return None  # a cursor from elsewhere: start over as a first sync
        return cls(name, int(at) if at.isdigit() else 0)


@dataclass(slots=True)
class _Walk:
    """A sync walking back from the newest inbox item to the cursor, a page per call.

    The cursor handed out stays the old one until the walk reaches it: if the
    walk is cut short, the next sync walks again and the store drops repeats,
    so nothing between the two is ever skipped.
    """

    cursor: str | None
    newest: Anchor | None
    after: str
    taken: int


class RedditConnector(Connector):
    """One brand account on Reddit.

    ``settings``: ``client_id`` of the installed app, ``username``, and ``api``
    and ``auth`` base URLs (oauth.reddit.com and www.reddit.com unless a
    sandbox says otherwise). ``secrets``: ``refresh_token``, and the current
    ``access_token`` with its ``access_expires`` (Unix seconds).
    """

    network = "reddit"
    moderation = frozenset({"spam", "hide", "read"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.http = RedditPolite(
            self.client,
            RATE_HEADERS,
            sleep=self.sleep,
            clock=self.clock,
            budget=budget_for(self.budgets, self.network, self.api, self.account.name),
        )
        self._walk: _Walk | None = None
        self._username: str | None = self.account.settings.get("username") or self.account.handle

    # -- plumbing ------------------------------------------------------------------

    @property
    def api(self) -> str:
        return (self.account.settings.get("api") or API_BASE).rstrip("/")

    @property
    def auth(self) -> str:
        return (self.account.settings.get("auth") or AUTH_BASE).rstrip("/")

    @property
    def viewer(self) -> Viewer:
        return Viewer(self.account.name, self._username)

    async def _token(self, *, fresh: bool = False) -> str:
        """The access token, refreshed first when it has run out (or ``fresh`` is asked)."""
        token = self.secrets.get("access_token")
        expires = self.secrets.get("access_expires") or ""
        valid = expires.isdigit() and int(expires) - EXPIRY_MARGIN_S > self.clock()
        if token and valid and not fresh:
            return token
        refresh_token = self.secrets.get("refresh_token")
        client_id = self.account.settings.get("client_id")
        if not refresh_token or not client_id:
            raise NeedsLogin("no Reddit refresh token saved for this account; log in again")
        answer = await refresh(
            self.client, client_id, refresh_token, auth_base=self.auth, http=self.http
        )
        token = str(answer["access_token"])
        lifetime = answer.get("expires_in")
        lifetime = lifetime if isinstance(lifetime, int) and lifetime > 0 else 3600
        self.secrets.set("access_token", token)
        self.secrets.set("access_expires", str(int(self.clock()) + lifetime))
        new_refresh = answer.get("refresh_token")
        if isinstance(new_refresh, str) and new_refresh and new_refresh != refresh_token:
            self.secrets.set("refresh_token", new_refresh)
        return token

    async def _call(self, method: str, path: str, *, once: bool = False, **kwargs: Any) -> Any:
        """One API call with the bearer token; a 401 refreshes the token once and asks again.

        ``once``: a write never repeated on a broken connection or a 5xx: a connection
        broken after sending may have posted it, and with no idempotency key only
        ``find_reply`` can tell. The sync engine looks before it tries again.
        """
        params = dict(kwargs.pop("params", None) or {})
        params["raw_json"] = "1"  # HTML unescaped once, as it should be
        token = await self._token()
        for attempt in (1, 2):
            response = await self.http.request(
                method,
                self.api + path,
                params=params,
                headers={"Authorization": f"bearer {token}"},
                repeatable=not once,
                **kwargs,
            )
            try:
                return read_answer(response, secret=token)
            except NeedsLogin:
                if attempt == 2:
                    raise
                token = await self._token(fresh=True)
        raise AssertionError("unreachable")  # the loop returns or raises

    async def _me(self) -> str:
        if self._username is None:
            await self.verify()
        assert self._username is not None
        return self._username

    # -- the interface -------------------------------------------------------------

    async def verify(self) -> str:
        """Who the token belongs to (GET /api/v1/me): the username."""
        body = await self._call("GET", "/api/v1/me")
        name = body.get("name") if isinstance(body, Mapping) else None
        if not isinstance(name, str) or not name.strip():
            raise MalformedAnswer("Reddit did not say who we are")
        self._username = clean_text(name).strip()
        return self._username

    async def fetch_new(self, cursor: str | None) -> FetchPage:
        """Inbox items newer than ``cursor``, walking back from the newest, a page per call.

        Each call reads one page of ``/message/inbox`` (newest first) and
        stops at the cursor's item, or at the first one older than it should
        that item be gone. ``more`` while the walk has not reached it; the
        cursor becomes the newest item only once it has (see ``_Walk``).
        """
        walk = self._walk if self._walk is not None and self._walk.cursor == cursor else None
        self._walk = None
        anchor = Anchor.parse(cursor)
        params: dict[str, str | int] = {"limit": PAGE_SIZE, "mark": "false"}
        if walk is not None:
            params["after"] = walk.after
        body = await self._call("GET", "/message/inbox", params=params)
        try:
            children = listing_children(body, "inbox")
        except Unreadable as error:
            raise MalformedAnswer(f"Reddit sent an inbox that is unreadable: {error}") from None
        page = FetchPage()
        reached = False
        newest = walk.newest if walk is not None else None
        viewer = self.viewer
        for child in children:
            position = _position(child)
            if (
                anchor is not None
                and position is not None
                and (position.name == anchor.name or position.at < anchor.at)
            ):
                reached = True
                break
            if newest is None and position is not None:
                newest = position
            try:
                page.items.append(parse_thing(child, viewer))
            except Unreadable as error:
                page.set_aside.append(SetAside.of(f"reddit inbox item: {error}", child))
        taken = (walk.taken if walk is not None else 0) + len(children)
        after = listing_after(body)
        limit = CATCH_UP_LIMIT if anchor is not None else FIRST_SYNC_LIMIT
        if not reached and after and taken < limit:
            self._walk = _Walk(cursor, newest, after, taken)
            page.cursor = cursor
            page.more = True
            return page
        if newest is not None and (anchor is None or newest.at >= anchor.at):
            page.cursor = newest.encode()
        else:
            page.cursor = cursor
        return page

    async def fetch_thread(self, remote_id: str) -> list[IncomingComment]:
        """The thread around a comment (its post, ancestors and replies), a post, or a conversation."""
        kind, _, ident = _fullname(remote_id).partition("_")
        if kind == "t4":
            body = await self._call("GET", f"/message/messages/{ident}")
            try:
                things = list(walk_tree(listing_children(body, "conversation")))
            except Unreadable as error:
                raise MalformedAnswer(
                    f"Reddit sent a conversation that is unreadable: {error}"
                ) from None
        else:
            if kind == "t1":
                article = await self._article_of(remote_id)
                params: dict[str, str | int] = {"comment": ident, "context": 8}
            elif kind == "t3":
                article, params = ident, {"limit": 200}
            else:
                raise PermanentError(f"{remote_id[:40]!r} is not a Reddit comment, post or message")
            body = await self._call("GET", f"/comments/{article}", params=params)
            try:
                things = thread_things(body)
            except Unreadable as error:
                raise MalformedAnswer(f"Reddit sent a thread that is unreadable: {error}") from None
        viewer = self.viewer
        comments = []
        for thing in things:
            try:
                comments.append(parse_thing(thing, viewer))
            except Unreadable:
                continue  # context only: odd items of the inbox itself are kept aside
        return comments

    async def _article_of(self, remote_id: str) -> str:
        """The post id of a comment (GET /api/info): a thread is fetched by its post."""
        body = await self._call("GET", "/api/info", params={"id": remote_id})
        try:
            children = listing_children(body, "info")
        except Unreadable as error:
            raise MalformedAnswer(f"Reddit sent unreadable info: {error}") from None
        for child in children:
            data = child.get("data") if isinstance(child, Mapping) else None
            link = data.get("link_id") if isinstance(data, Mapping) else None
            if isinstance(link, str) and FULLNAME.fullmatch(link) and link.startswith("t3_"):
                return link[3:]
        raise PermanentError(f"{remote_id} is gone from Reddit")

    async def post_reply(self, parent: ParentRef, text: str, idempotency_key: str) -> Posted:
        """Reply under ``parent`` (POST /api/comment); ``text`` is Reddit Markdown.

        Reddit keeps no idempotency key: ``find_reply`` is what keeps a retry
        from posting twice.
        """
        thing_id = _fullname(parent.remote_id)
        body = text.strip()
        if not body:
            raise PermanentError("an empty reply: Reddit would refuse it")
        if len(body) > self.rules.max_length:
            raise PermanentError(
                f"the reply has {len(body):,} characters; Reddit takes {self.rules.max_length:,}"
            )
        answer = await self._call(
            "POST",
            "/api/comment",
            once=True,
            data={"api_type": "json", "thing_id": thing_id, "text": body},
        )
        try:
            result = parse_comment_answer(answer)
        except Unreadable as error:
            raise MalformedAnswer(f"Reddit answered the reply oddly: {error}") from None
        for error in result.errors:
            code = error[0] if error else "ERROR"
            message = clean_text(error[1] if len(error) > 1 else code)
            if code == "RATELIMIT":
                raise RateLimited(f"Reddit: {message}", ratelimit_seconds(message))
            raise PermanentError(f"Reddit refused the reply: {code}: {message}")
        for thing in result.things:
            data = thing.get("data") if isinstance(thing, Mapping) else None
            name = data.get("name") if isinstance(data, Mapping) else None
            if isinstance(name, str) and FULLNAME.fullmatch(name):
                link = data.get("permalink")
                url = WEB + link if isinstance(link, str) and link.startswith("/") else None
                return Posted(remote_id=name, url=url)
        # Recorded (TestComment.test_reply__none): accepted, and nothing to show for it.
        raise MalformedAnswer("Reddit accepted the reply but sent no comment back")

    async def find_reply(self, parent: ParentRef, text: str, idempotency_key: str) -> Posted | None:
        """Our reply to ``parent`` with these words, among our latest comments or sent messages."""
        me = await self._me()
        thing_id = _fullname(parent.remote_id)
        if thing_id.startswith("t4_"):
            body = await self._call("GET", "/message/sent", params={"limit": OWN_HISTORY})
        else:
            body = await self._call(
                "GET", f"/user/{me}/comments", params={"sort": "new", "limit": OWN_HISTORY}
            )
        try:
            children = listing_children(body, "history")
        except Unreadable as error:
            raise MalformedAnswer(f"Reddit sent an unreadable history: {error}") from None
        wanted = text.split()
        viewer = Viewer(self.account.name, me)
        for child in children:
            try:
                comment = parse_thing(child, viewer)
            except Unreadable:
                continue
            said = (comment.markup or comment.text).split()
            if comment.is_ours and comment.parent_remote_id == thing_id and said == wanted:
                return Posted(remote_id=comment.remote_id, url=comment.url, already_there=True)
        return None

    # -- moderation ------------------------------------------------------------------

    async def mark_read(self, remote_ids: list[str]) -> None:
        """Mark inbox items read on Reddit (POST /api/read_message), e.g. once handled here."""
        names = [_fullname(remote_id) for remote_id in remote_ids]
        for start in range(0, len(names), PAGE_SIZE):
            await self._call(
                "POST", "/api/read_message", data={"id": ",".join(names[start : start + PAGE_SIZE])}
            )

    async def remove(self, remote_id: str, *, spam: bool = False) -> None:
        """Remove a comment from the subreddit, as spam when ``spam`` (POST /api/remove).

        Only in subreddits the account moderates; elsewhere Reddit answers 403,
        raised as ``PermanentError`` saying that moderator rights are needed.
        """
        try:
            # Sent again after a lost answer: removing twice leaves it removed once.
            await self._call(
                "POST",
                "/api/remove",
                data={"id": _fullname(remote_id), "spam": "true" if spam else "false"},
            )
        except PermanentError as error:
            if str(error).startswith("403"):  # "403: Forbidden", Reddit's words for "not a mod"
                raise PermanentError(
                    f"needs moderator rights in the subreddit (Reddit said {error})"
                ) from None
            raise

    async def moderate(self, target: ModerationTarget, action: str) -> None:
        """read: the inbox item marked read; hide: removed; spam: removed as spam."""
        if action == "read":
            await self.mark_read([target.remote_id])
        elif action in ("hide", "spam"):
            await self.remove(target.remote_id, spam=action == "spam")
        else:
            await super().moderate(target, action)


def _position(thing: Any) -> Anchor | None:
    data = thing.get("data") if isinstance(thing, Mapping) else None
    if not isinstance(data, Mapping):
        return None
    name, at = data.get("name"), data.get("created_utc")
    if not isinstance(name, str) or not FULLNAME.fullmatch(name):
        return None
    if not isinstance(at, int | float) or isinstance(at, bool):
        return None
    return Anchor(name, int(at))


def _fullname(remote_id: str) -> str:
    if not FULLNAME.fullmatch(remote_id):
        raise PermanentError(f"{remote_id[:40]!r} is not a Reddit fullname")
    return remote_id
