"""YouTube (Data API v3): comments under the brand channel's videos.

Facts, from ../shared/NETWORKS.md and the recorded bodies in tests/conformance/youtube:

- New items: ``commentThreads.list`` with ``allThreadsRelatedToChannelId``,
  ``order=time``, 100 per page, newest first. There is no "since": pages are
  read until one reaches the newest time already stored (the cursor, Unix
  seconds). Each thread carries some of its replies; the rest come from
  ``comments.list?parentId=`` when the thread moved since the cursor.
- Threads are one level deep: a reply's parent is the top-level comment, and
  ``comments.insert`` takes that id as ``snippet.parentId``. Answering a reply
  opens with its author's @handle, as YouTube's own reply box does.
- Quota, not rate headers: ``youtube_quota`` counts units and keeps the last
  10 % of the day from listing. Over quota is 403 ``quotaExceeded``.
- No idempotency key: an insert is sent once (no automatic retry), and before
  any retry ``find_reply`` looks among the thread's replies for ours.
- Moderation (``moderate``): ``comments.setModerationStatus``, which the
  owner of the channel or video may call: "hide" holds the comment for review
  (``heldForReview``: out of public view, waiting in YouTube Studio), "spam"
  rejects it (``rejected``: removed, with its replies). 50 units each, from the
  quota's reserve. ``comments.markAsSpam`` is not used: Google's reference marks
  it "deprecated and no longer supported"
  (developers.google.com/youtube/v3/docs/comments/markAsSpam). YouTube has no
  read state for comments, so nothing is marked read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

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
    TemporaryError,
)
from cm_inbox.networks.http import Polite
from cm_inbox.networks.youtube_login import (
    API_URL,
    NO_RATE_HEADERS,
    TOKEN_URL,
    Tokens,
    host,
)
from cm_inbox.networks.youtube_parse import (
    Unreadable,
    Viewer,
    list_items,
    next_page,
    parse_comment,
    parse_error,
    parse_thread,
)
from cm_inbox.networks.youtube_quota import DAILY_UNITS, Quota
from cm_inbox.text import clean_text

PAGE_SIZE = 100
# A first sync takes the newest this many threads, never the channel's whole history.
FIRST_SYNC_THREADS = 300
# Threads whose hidden replies are fetched per page of threads, and reply pages per thread.
REPLY_FETCHES = 10
REPLY_PAGES = 5
# Replies looked through when reconciling (ten pages): ours is among the newest.
FIND_PAGES = 10
# The triage keys' actions as setModerationStatus values: hide holds for review (the
# channel can still publish it from Studio), spam rejects (markAsSpam is retired).
MODERATION_STATUS = {"hide": "heldForReview", "spam": "rejected"}
# Reasons that are a refusal for good: asking again changes nothing.
REFUSALS = frozenset(
    {"commentsDisabled", "forbidden", "insufficientPermissions", "processingFailure",
     "commentTextTooLong", "invalidCommentMetadata", "operationNotSupported", "badRequest",
     "invalidModerationStatus", "ineligibleAccount", "channelNotFound", "videoNotFound",
     "commentNotFound", "commentThreadNotFound", "parentCommentIsPrivate"}
)  # fmt: skip
SHORT_LIMITS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})


@dataclass(slots=True)
class _Walk:
    """Pages of one sync walking back to the cursor; the stored cursor moves at the end.

    Kept on the connector: if the walk is cut short, the next sync starts again
    from the newest page (upserts make the overlap harmless) and nothing is skipped.
    """

    cursor: str | None
    page_token: str
    newest: int
    taken: int


class YouTubeConnector(Connector):
    """One brand channel. Settings: ``channel_id``, ``client_id``; optional ``api``,
    ``token_url`` (the sandbox's) and ``quota_per_day``. Secrets: see ``Tokens``."""

    network = "youtube"
    moderation = frozenset(MODERATION_STATUS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.http = Polite(self.client, NO_RATE_HEADERS, sleep=self.sleep, clock=self.clock)
        settings = self.account.settings
        self.api = (settings.get("api") or API_URL).rstrip("/")
        self.tokens = Tokens(
            self.http, self.secrets, self.clock,
            client_id=settings.get("client_id", ""),
            token_url=settings.get("token_url") or TOKEN_URL,
        )  # fmt: skip
        self.quota = Quota(
            self.secrets, self.clock, _int(settings.get("quota_per_day"), DAILY_UNITS)
        )
        self._channel_id = settings.get("channel_id") or None
        self._walk: _Walk | None = None

    # -- plumbing ------------------------------------------------------------------

    async def _call(
        self, method: str, path: str, *, kind: str, listing: bool, once: bool = False, **kwargs: Any
    ) -> Any:
        """One API call, counted against the quota; a refused token renewed once.

        ``once``: inserts and moderation are never repeated by the client: a repeat
        after a lost answer would be a second reply. The sync reconciles, then retries.
        """
        self.quota.spend(kind, listing=listing)
        token = await self.tokens.access()
        kwargs["repeatable"] = not once
        response = await self.http.request(method, self.api + path, headers=_auth(token), **kwargs)
        if response.status_code == 401:
            token = await self.tokens.renew(token)
            self.quota.spend(kind, listing=False)  # the refused call cost a unit too
            response = await self.http.request(
                method, self.api + path, headers=_auth(token), **kwargs
            )
            if response.status_code == 401:
                raise NeedsLogin(f"YouTube refused the token: {self._error(response).message}")
        return self._read(response)

    def _read(self, response: httpx.Response) -> Any:
        status = response.status_code
        if 200 <= status < 300:
            if status == 204 or not response.content:
                return {}
            try:
                return response.json()
            except ValueError:
                raise MalformedAnswer(f"{host(self.api)} answered {status} without JSON") from None
        error = self._error(response)
        words = f"YouTube: {error.message}" + (f" ({error.reason})" if error.reason else "")
        if error.reason in ("quotaExceeded", "dailyLimitExceeded"):
            raise self.quota.exhausted()
        if error.reason in SHORT_LIMITS or status == 429:
            raise RateLimited(words, retry_after=60.0)
        if status in (401,):
            raise NeedsLogin(words)
        if 400 <= status < 500:
            raise PermanentError(words)
        raise TemporaryError(words)

    @staticmethod
    def _error(response: httpx.Response) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = None
        return parse_error(body, response.status_code)

    async def channel_id(self) -> str:
        """Our channel's id (saved at `accounts add`; asked for when missing)."""
        if not self._channel_id:
            await self.verify()
        assert self._channel_id
        return self._channel_id

    @property
    def viewer(self) -> Viewer:
        return Viewer(self.account.name, self._channel_id)

    # -- the interface -------------------------------------------------------------

    async def verify(self) -> str:
        """The signed-in channel (``channels.list?mine=true``) as its "@handle"."""
        body = await self._call(
            "GET", "/youtube/v3/channels", kind="list", listing=False,
            params={"part": "id,snippet", "mine": "true"},
        )  # fmt: skip
        try:
            items = list_items(body, "youtube#channelListResponse")
        except Unreadable as error:
            raise MalformedAnswer(f"YouTube sent an odd channel list: {error}") from None
        first = items[0] if items and isinstance(items[0], Mapping) else None
        if first is None or not isinstance(first.get("id"), str):
            raise NeedsLogin("this Google account has no YouTube channel")
        self._channel_id = first["id"]
        snippet = first.get("snippet") if isinstance(first.get("snippet"), Mapping) else {}
        handle = snippet.get("customUrl") or snippet.get("title") or first["id"]
        return "@" + clean_text(str(handle)).strip().lstrip("@")

    async def fetch_new(self, cursor: str | None) -> FetchPage:
        """Threads on the channel newer than ``cursor``, newest first, one page per call.

        The cursor is the newest ``publishedAt`` stored (Unix seconds). Pages
        are followed (``more``) until one reaches it; meanwhile the stored
        cursor stays put (``page.cursor`` None), and moves to the newest time
        seen when the walk ends.
        """
        walk = self._walk if self._walk is not None and self._walk.cursor == cursor else None
        self._walk = None
        since = _int(cursor, None)
        params = {
            "part": "snippet,replies",
            "allThreadsRelatedToChannelId": await self.channel_id(),
            "order": "time",
            "maxResults": str(PAGE_SIZE),
            "textFormat": "html",  # links keep their real target (plainText drops it)
        }
        if walk is not None:
            params["pageToken"] = walk.page_token
        body = await self._call(
            "GET", "/youtube/v3/commentThreads", kind="list", listing=True, params=params
        )
        try:
            items = list_items(body, "youtube#commentThreadListResponse")
        except Unreadable as error:
            raise MalformedAnswer(f"YouTube sent an odd thread list: {error}") from None
        page = FetchPage()
        newest = walk.newest if walk else (since or 0)
        reached = False
        fetches = 0
        viewer = self.viewer
        for item in items:
            try:
                read = parse_thread(item, viewer)
            except Unreadable as error:
                page.set_aside.append(SetAside.of(f"youtube thread: {error}", item))
                continue
            if since is not None and read.top_published < since:
                reached = True
            comments = read.comments
            carried = [c.created_at for c in comments[1:]]
            moved = since is None or (carried and min(carried) >= since)
            if read.missing_replies and moved and fetches < REPLY_FETCHES:
                fetches += 1
                more, aside = await self._replies(comments[0].remote_id, viewer)
                known = {c.remote_id for c in comments}
                comments = comments + [c for c in more if c.remote_id not in known]
                page.set_aside.extend(aside)
            newest = max([newest, *(c.created_at for c in comments)])
            # Only what is new since the cursor: the overlap page is not "updated" every sync.
            page.items.extend(c for c in comments if since is None or c.created_at >= since)
        token = next_page(body)
        taken = (walk.taken if walk else 0) + len(items)
        first_sync_done = since is None and taken >= FIRST_SYNC_THREADS
        if token and not reached and not first_sync_done:
            self._walk = _Walk(cursor, token, newest, taken)
            page.more = True
            page.cursor = None
        else:
            page.cursor = str(newest) if newest else cursor
        return page

    async def _replies(
        self, thread_id: str, viewer: Viewer, pages: int = REPLY_PAGES, *, listing: bool = True
    ) -> tuple[list[IncomingComment], list[SetAside]]:
        """The replies of one thread (``comments.list?parentId=``), newest pages first."""
        comments: list[IncomingComment] = []
        aside: list[SetAside] = []
        token: str | None = None
        for _ in range(pages):
            params = {"part": "snippet", "parentId": thread_id, "maxResults": str(PAGE_SIZE),
                      "textFormat": "html"}  # fmt: skip
            if token:
                params["pageToken"] = token
            body = await self._call(
                "GET", "/youtube/v3/comments", kind="list", listing=listing, params=params
            )
            try:
                items = list_items(body, "youtube#commentListResponse")
            except Unreadable as error:
                raise MalformedAnswer(f"YouTube sent an odd comment list: {error}") from None
            for item in items:
                try:
                    comment = parse_comment(item, viewer)
                except Unreadable as error:
                    aside.append(SetAside.of(f"youtube comment: {error}", item))
                    continue
                comment.parent_remote_id = comment.parent_remote_id or thread_id
                comment.root_remote_id = thread_id
                comments.append(comment)
            token = next_page(body)
            if not token:
                break
        return comments, aside

    async def fetch_thread(self, remote_id: str) -> list[IncomingComment]:
        """The thread's top-level comment and its replies (one level: YouTube has no more)."""
        thread_id = remote_id.split(".", 1)[0]
        await self.channel_id()
        viewer = self.viewer
        body = await self._call(
            "GET", "/youtube/v3/commentThreads", kind="list", listing=True,
            params={"part": "snippet", "id": thread_id, "textFormat": "html"},
        )  # fmt: skip
        try:
            items = list_items(body, "youtube#commentThreadListResponse")
            if not items:
                raise PermanentError(f"YouTube has no comment thread {thread_id} any more")
            top = parse_thread(items[0], viewer).comments[:1]
        except Unreadable as error:
            raise MalformedAnswer(f"YouTube sent an odd thread: {error}") from None
        replies, _aside = await self._replies(thread_id, viewer)
        return top + replies

    def reply_body(self, parent: ParentRef, text: str) -> str:
        """The text, opened by the @handle of the reply it answers, as YouTube's box does."""
        body = text.strip()
        handle = parent.author_handle.strip()
        answering_a_reply = "." in parent.remote_id
        if (
            body
            and answering_a_reply
            and handle.startswith("@")
            and handle.lower() not in (word.lower().rstrip(",:") for word in body.split())
        ):
            body = f"{handle} {body}"
        return body

    async def post_reply(self, parent: ParentRef, text: str, idempotency_key: str) -> Posted:
        """``comments.insert`` under the thread's top-level comment; sent once, never repeated."""
        body = self.reply_body(parent, text)
        if not body:
            raise PermanentError("YouTube takes no empty reply")
        if len(body) > self.rules.max_length:
            raise PermanentError(
                f"YouTube takes {self.rules.max_length:,} characters; this reply has {len(body):,}"
            )
        thread_id = _thread_of(parent)
        await self.channel_id()
        answer = await self._call(
            "POST", "/youtube/v3/comments", kind="insert", listing=False, once=True,
            params={"part": "snippet"},
            json={"snippet": {"parentId": thread_id, "textOriginal": body}},
        )  # fmt: skip
        try:
            posted = parse_comment(answer, self.viewer)
        except Unreadable as error:
            raise MalformedAnswer(f"YouTube took the reply but sent {error}") from None
        return Posted(remote_id=posted.remote_id, url=posted.url)

    async def find_reply(self, parent: ParentRef, text: str, idempotency_key: str) -> Posted | None:
        """Our reply under the parent's thread with these words, if it landed already.

        YouTube has no idempotency key, so this is the only guard against a
        double reply. It may spend the reserved units: a lookup is cheaper than
        a second public reply.
        """
        thread_id = _thread_of(parent)
        await self.channel_id()
        wanted = _words(self.reply_body(parent, text))
        replies, _aside = await self._replies(thread_id, self.viewer, FIND_PAGES, listing=False)
        for reply in replies:
            if reply.is_ours and _words(reply.text) == wanted:
                return Posted(remote_id=reply.remote_id, url=reply.url, already_there=True)
        return None

    # -- moderation ------------------------------------------------------------------

    async def moderate(self, target: ModerationTarget, action: str) -> None:
        """hide: held for review; spam: rejected (``comments.setModerationStatus``).

        Costs 50 units, counted before it leaves and allowed in the reserve;
        YouTube answers 403 ``forbidden`` when the channel does not own the video.
        """
        status = MODERATION_STATUS.get(action)
        if status is None:
            await super().moderate(target, action)
            return
        try:
            # Setting a status twice leaves it set: a retry after a lost answer is harmless.
            await self._call(
                "POST", "/youtube/v3/comments/setModerationStatus", kind="moderate",
                listing=False, params={"id": target.remote_id, "moderationStatus": status},
            )  # fmt: skip
        except PermanentError as error:
            if str(error).endswith("(forbidden)"):
                raise PermanentError(
                    f"only the channel that owns the video may moderate it ({error})"
                ) from None
            raise

    def quota_status(self) -> str:
        """What is left of today's units, for the account status."""
        return self.quota.status()


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _thread_of(parent: ParentRef) -> str:
    thread = parent.extra.get("thread_id") if isinstance(parent.extra, Mapping) else None
    if isinstance(thread, str) and thread:
        return thread
    return parent.root_remote_id or parent.remote_id.split(".", 1)[0]


def _words(text: str) -> list[str]:
    """A comment's words without @mentions, which YouTube may turn into links."""
    return [w for w in text.split() if not w.startswith("@")]


def _int(value: Any, default: Any) -> Any:
    try:
        return int(str(value)) if value not in (None, "") else default
    except ValueError:
        return default
