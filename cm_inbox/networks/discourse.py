"""Discourse (the brand's own forum): notifications in, threads, replies, flags.

Facts, from ../shared/NETWORKS.md and tests/conformance/discourse:

- New items come from ``GET /notifications.json``, newest first, 60 a page
  (``offset`` pages back). There is no "since": the cursor is the highest
  notification id seen, and a sync reads pages until it reaches it.
- A notification names its post by topic and number (and ``data.original_post_id``);
  the post itself is ``GET /posts/{id}.json`` (Markdown ``raw`` and HTML ``cooked``).
- A post names its parent by number (``reply_to_post_number``, left out for
  a reply to the topic itself), never by id. Numbers are turned into ids with
  ``GET /posts/by_number/{topic_id}/{n}.json`` (a route of Discourse's own web
  client) and kept for the connector's life.
- Reply: ``POST /posts.json {topic_id, raw, reply_to_post_number}``, Markdown,
  32,000 characters by default. No idempotency key, so ``find_reply`` reads the
  parent's replies (``GET /posts/{id}/replies.json``) before any retry.
- Rate limits: no remaining-count headers; a 429 with ``Retry-After`` and
  ``extras.wait_seconds``. ``Polite`` obeys it.
- Moderation (``moderate``): "read" marks the post's notification read
  (``PUT /notifications/mark-read.json {id}``; the id is kept in the comment's
  ``extra`` at fetch time); "spam" and "hide" flag the post
  (``POST /post_actions.json {id, post_action_type_id, take_action}``), spam (8)
  and inappropriate (4). Hide is "inappropriate", not "off_topic" (3): off-topic
  asks moderators to move a post elsewhere, while an inappropriate flag is the
  one that takes a post out of view. ``take_action`` makes a staff account's
  flag act at once (the post is hidden, the review agreed); Discourse ignores
  it for other accounts, whose flag waits in the moderators' review queue.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import httpx

from cm_inbox.html_text import html_to_text
from cm_inbox.model.incoming import IncomingComment
from cm_inbox.networks.base import (
    Connector,
    FetchPage,
    MalformedAnswer,
    ModerationTarget,
    NeedsLogin,
    NetworkError,
    NotApplicable,
    ParentRef,
    PermanentError,
    Posted,
    SetAside,
)
from cm_inbox.networks.discourse_login import auth_headers, normalize_site
from cm_inbox.networks.discourse_parse import (
    Unreadable,
    Viewer,
    error_text,
    int_field,
    notification_ids,
    numbers_to_ids,
    parent_number,
    parse_notification,
    parse_post,
    site_host,
    topic_posts,
)
from cm_inbox.networks.http import Polite, RateLimitHeaders, budget_for
from cm_inbox.text import clean_text

# Discourse sends no remaining-count headers; Polite reads these if a proxy adds them.
RATE_HEADERS = RateLimitHeaders("x-ratelimit-remaining", "x-ratelimit-reset", reset_is_epoch=True)
# Newest posts of a topic read when looking for our reply to its first post.
RECENT_POSTS = 50
PAGE_SIZE = 60  # what /notifications.json returns per page
# Pages read back per sync before the cursor is reached: a week away from a busy forum.
MAX_PAGES = 10
# Flags (post_action_type_id), from Discourse's PostActionType.
FLAGS = {"inappropriate": 4, "spam": 8, "off_topic": 3}
_KEY_INVALID = re.compile(r"(api username or key is invalid|invalid api key|user api key)", re.I)


class DiscourseConnector(Connector):
    """One brand account on one Discourse forum.

    ``settings["site"]`` is the forum's base URL; ``settings["username"]`` is
    set for an admin key (secret ``api_key``), else the secret is a User API
    key (``user_api_key``) with ``settings["client_id"]``.
    """

    network = "discourse"
    moderation = frozenset({"spam", "hide", "read"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.http = Polite(
            self.client, RATE_HEADERS, sleep=self.sleep, clock=self.clock,
            budget=budget_for(self.budgets, self.network,
                              self.account.settings.get("site", ""), self.account.name),
        )  # fmt: skip
        self._ids: dict[tuple[int, int], str] = {}  # (topic_id, post_number) → post id

    # -- plumbing ------------------------------------------------------------------

    @property
    def site(self) -> str:
        site = self.account.settings.get("site")
        if not site:
            raise NeedsLogin("no forum URL saved for this account; add it again")
        return normalize_site(site)

    @property
    def viewer(self) -> Viewer:
        own = self.account.handle or self.account.settings.get("username")
        return Viewer(self.account.name, self.site, own.lstrip("@").lower() if own else None)

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """One API call through ``Polite``; the JSON body of a 2xx, else a typed error."""
        headers = auth_headers(self.account.settings, self.secrets.get)
        headers["Accept"] = "application/json"
        # A write is sent once: with no idempotency key, a retry after a dropped
        # answer would post twice. The sync engine looks (find_reply) before any retry.
        response = await self.http.request(
            method, self.site + path, headers=headers, repeatable=method != "POST", **kwargs
        )
        return self._read(response, headers)

    def _read(self, response: httpx.Response, headers: Mapping[str, str]) -> Any:
        status = response.status_code
        host = site_host(self.site)
        try:
            body = response.json()
        except ValueError:
            body = None
        if 200 <= status < 300:
            if body is None:
                raise MalformedAnswer(f"{host} answered {status} with something that is not JSON")
            return body
        words = error_text(body) or f"{status} {response.reason_phrase}"
        for secret in (headers.get("Api-Key"), headers.get("User-Api-Key")):
            if secret:
                words = words.replace(secret, "[key]")
        words = " ".join(words.split())[:300]
        if status == 401 or (status == 403 and _KEY_INVALID.search(words)):
            raise NeedsLogin(words)
        if 400 <= status < 500:
            # 403 not allowed, 404 deleted or private, 422 "Body is too short": final.
            raise PermanentError(words)
        raise NetworkError(f"{host} answered {status}: {words}")

    # -- the interface -------------------------------------------------------------

    async def verify(self) -> str:
        """Who the key acts as (GET /session/current.json), as "@username"."""
        body = await self._call("GET", "/session/current.json")
        user = body.get("current_user") if isinstance(body, Mapping) else None
        name = user.get("username") if isinstance(user, Mapping) else None
        if not isinstance(name, str) or not name.strip():
            raise MalformedAnswer(f"{site_host(self.site)} did not say who we are")
        return "@" + clean_text(name).strip()

    async def fetch_new(self, cursor: str | None) -> FetchPage:
        """Posts of the notifications newer than ``cursor`` (the highest id seen).

        Pages are read newest first until one reaches the cursor (at most
        MAX_PAGES); without a cursor, the newest page only. Every post is
        fetched, its parent and its topic's first post resolved to ids. A
        notification whose post is gone (deleted, now private) is skipped; one
        that cannot be read is set aside; our own posts are left out.
        """
        since = _cursor_value(cursor)
        refs: list[Any] = []
        page = FetchPage()
        seen: list[int] = []
        for number in range(MAX_PAGES):
            body = await self._call(
                "GET", "/notifications.json", params={"offset": number * PAGE_SIZE}
            )
            if not isinstance(body, Mapping) or not isinstance(body.get("notifications"), list):
                raise MalformedAnswer(f"{site_host(self.site)} sent no notification list")
            items = body["notifications"]
            ids = notification_ids(body)
            seen.extend(ids)
            reached = since is None or any(i <= since for i in ids)
            for item in items:
                value = item.get("id") if isinstance(item, Mapping) else None
                if since is not None and isinstance(value, int) and value <= since:
                    continue
                try:
                    ref = parse_notification(item)
                except Unreadable as error:
                    page.set_aside.append(SetAside.of(f"discourse notification: {error}", item))
                    continue
                if ref is not None:
                    refs.append(ref)
            if reached or len(items) < PAGE_SIZE:
                break
        viewer = self.viewer
        wanted: dict[str, Any] = {}
        for ref in reversed(refs):  # oldest first, as they happened
            key = str(ref.post_id) if ref.post_id else f"{ref.topic_id}#{ref.post_number}"
            wanted.setdefault(key, ref)
        for ref in wanted.values():
            try:
                raw = await self._post(ref.post_id, ref.topic_id, ref.post_number)
            except PermanentError:
                continue  # deleted or no longer visible to us: nothing left to answer
            try:
                comment = await self._comment(raw, viewer)
            except Unreadable as error:
                page.set_aside.append(SetAside.of(f"discourse post: {error}", raw))
                continue
            if not comment.is_ours:
                # What "read" marks on the forum once the comment is closed here.
                comment.extra = {**(comment.extra or {}), "notification_id": ref.id}
                page.items.append(comment)
        newest = max(seen, default=None)
        if since is not None:
            newest = max(newest or 0, since)
        page.cursor = str(newest) if newest is not None else cursor
        return page

    async def _post(self, post_id: int | None, topic_id: int, number: int) -> Any:
        if post_id is not None:
            return await self._call("GET", f"/posts/{post_id}.json")
        return await self._call("GET", f"/posts/by_number/{topic_id}/{number}.json")

    async def _id_of(self, topic_id: int, number: int) -> str | None:
        """The id of post ``number`` in ``topic_id``; None when it is gone."""
        known = self._ids.get((topic_id, number))
        if known is not None:
            return known
        try:
            body = await self._call("GET", f"/posts/by_number/{topic_id}/{number}.json")
            post_id = int_field(body, "id") if isinstance(body, Mapping) else None
        except (PermanentError, Unreadable):
            return None
        if post_id is None:
            return None
        self._ids[(topic_id, number)] = str(post_id)
        return str(post_id)

    async def _comment(self, raw: Any, viewer: Viewer) -> IncomingComment:
        """A post with its parent and root resolved to post ids."""
        if not isinstance(raw, Mapping):
            raise Unreadable(f"post is {type(raw).__name__}, not an object")
        topic_id = int_field(raw, "topic_id")
        number = int_field(raw, "post_number")
        post_id = int_field(raw, "id")
        assert topic_id is not None and number is not None
        self._ids[(topic_id, number)] = str(post_id)
        above = parent_number(raw)
        parent = await self._id_of(topic_id, above) if above else None
        root = await self._id_of(topic_id, 1) if number > 1 else str(post_id)
        return parse_post(raw, viewer, parent_id=parent, root_id=root)

    async def fetch_thread(self, remote_id: str) -> list[IncomingComment]:
        """The post's topic (GET /t/{topic_id}.json): its first posts, and this one.

        Discourse sends the first 20 posts of a topic; the post asked for is
        fetched on its own when it lies further down.
        """
        post = await self._call("GET", f"/posts/{_path_id(remote_id)}.json")
        topic_id = int_field(post, "topic_id") if isinstance(post, Mapping) else None
        if topic_id is None:
            raise MalformedAnswer(f"{site_host(self.site)} sent a post without its topic")
        topic = await self._call("GET", f"/t/{topic_id}.json")
        try:
            posts = topic_posts(topic)
        except Unreadable as error:
            raise MalformedAnswer(f"{site_host(self.site)}: {error}") from None
        for number, post_id in numbers_to_ids(posts).items():
            self._ids[(topic_id, number)] = post_id
        if not any(isinstance(p, Mapping) and p.get("id") == post.get("id") for p in posts):
            posts = [*posts, post]
        viewer = self.viewer
        comments: list[IncomingComment] = []
        for raw in posts:
            try:
                comments.append(await self._comment(raw, viewer))
            except Unreadable:
                continue  # context only: the notifications themselves keep odd items
        return comments

    async def post_reply(self, parent: ParentRef, text: str, idempotency_key: str) -> Posted:
        """Reply under ``parent`` (POST /posts.json with its topic and number), as Markdown.

        Discourse has no idempotency key; the sync engine asks ``find_reply``
        before retrying an attempt that went unanswered.
        """
        topic_id, number = await self._place(parent)
        body: dict[str, Any] = {"topic_id": topic_id, "raw": text.strip()}
        if number > 1:  # a reply to the first post is a reply to the topic
            body["reply_to_post_number"] = number
        answer = await self._call("POST", "/posts.json", json=body)
        post_id = answer.get("id") if isinstance(answer, Mapping) else None
        if not isinstance(post_id, int) or isinstance(post_id, bool):
            raise MalformedAnswer(f"{site_host(self.site)} accepted the reply but sent no post id")
        url = None
        with_number = answer.get("post_number")
        if isinstance(with_number, int):
            url = f"{self.site}/t/{answer.get('topic_slug') or '-'}/{topic_id}/{with_number}"
        return Posted(remote_id=str(post_id), url=url)

    async def _place(self, parent: ParentRef) -> tuple[int, int]:
        """The parent's topic id and post number: from what the fetch kept, else asked."""
        extra = parent.extra or {}
        topic_id, number = extra.get("topic_id"), extra.get("post_number")
        if isinstance(topic_id, int) and isinstance(number, int):
            return topic_id, number
        post = await self._call("GET", f"/posts/{_path_id(parent.remote_id)}.json")
        try:
            topic_id = int_field(post, "topic_id")
            number = int_field(post, "post_number")
        except Unreadable as error:
            raise MalformedAnswer(f"{site_host(self.site)}: {error}") from None
        assert topic_id is not None and number is not None
        return topic_id, number

    async def find_reply(self, parent: ParentRef, text: str, idempotency_key: str) -> Posted | None:
        """Our post answering ``parent`` with these words, among its replies.

        ``GET /posts/{id}/replies.json`` lists the posts that name the parent's
        number; a reply to a topic's first post names none, so for those the
        topic's posts are read. Words are compared without Markdown: the
        answer carries the rendered HTML.
        """
        viewer = self.viewer
        if viewer.own_username is None:
            own = (await self.verify()).lstrip("@").lower()
            viewer = Viewer(viewer.account, viewer.site, own)
        topic_id, number = await self._place(parent)
        if number > 1:
            candidates = await self._call(
                "GET", f"/posts/{_path_id(parent.remote_id)}/replies.json"
            )
            if not isinstance(candidates, list):
                raise MalformedAnswer(f"{site_host(self.site)} sent replies that are not a list")
        else:
            candidates = await self._latest_posts(topic_id)
        wanted = words(text)
        for raw in candidates:
            if not isinstance(raw, Mapping):
                continue
            username = raw.get("username")
            if not isinstance(username, str) or username.lower() != viewer.own_username:
                continue
            try:
                above = parent_number(raw)
            except Unreadable:
                continue
            if above != number or raw.get("topic_id") not in (topic_id, None):
                continue
            cooked = raw.get("cooked")
            said = html_to_text(cooked) if isinstance(cooked, str) else str(raw.get("raw", ""))
            if words(said) == wanted:
                post_id = raw.get("id")
                if isinstance(post_id, int):
                    url = f"{self.site}/t/-/{topic_id}/{raw.get('post_number')}"
                    return Posted(remote_id=str(post_id), url=url, already_there=True)
        return None

    async def _latest_posts(self, topic_id: int) -> list[Any]:
        """The topic's newest posts: the tail of ``post_stream.stream`` (every id, in
        order), read with ``GET /t/{id}/posts.json?post_ids[]=...``. The topic
        answer itself carries only the first 20, where a recent reply is not."""
        topic = await self._call("GET", f"/t/{topic_id}.json")
        stream = topic.get("post_stream") if isinstance(topic, Mapping) else None
        ids = stream.get("stream") if isinstance(stream, Mapping) else None
        if not isinstance(ids, list):
            raise MalformedAnswer(f"{site_host(self.site)} sent a topic without its post ids")
        tail = [i for i in ids if isinstance(i, int) and not isinstance(i, bool)][-RECENT_POSTS:]
        if not tail:
            return []
        body = await self._call(
            "GET", f"/t/{topic_id}/posts.json", params=[("post_ids[]", i) for i in tail]
        )
        try:
            return topic_posts(body)
        except Unreadable as error:
            raise MalformedAnswer(f"{site_host(self.site)}: {error}") from None

    # -- moderation (the triage keys) ------------------------------------------------

    async def mark_read(self, notification_id: int | None = None) -> None:
        """Mark one notification read (PUT /notifications/mark-read.json), or all without an id."""
        body = {"id": notification_id} if notification_id is not None else {}
        await self._call("PUT", "/notifications/mark-read.json", json=body)

    async def flag(self, remote_id: str, reason: str = "spam", *, act: bool = False) -> None:
        """Flag a post (POST /post_actions.json): "spam", "inappropriate" or "off_topic".

        ``act``: a staff account's flag takes effect at once (the post is hidden);
        for other accounts the forum ignores it and the flag waits for review.
        """
        try:
            kind = FLAGS[reason]
        except KeyError:
            raise PermanentError(f"unknown flag {reason!r}; known: {', '.join(FLAGS)}") from None
        body: dict[str, Any] = {"id": int(_path_id(remote_id)), "post_action_type_id": kind}
        if act:
            body["take_action"] = "true"
        await self._call("POST", "/post_actions.json", json=body)

    async def moderate(self, target: ModerationTarget, action: str) -> None:
        """read: the post's notification marked read; spam and hide: flagged, acted on at once."""
        if action == "read":
            notification = target.extra.get("notification_id")
            if not isinstance(notification, int) or isinstance(notification, bool):
                raise NotApplicable("no forum notification to mark read for this post")
            await self.mark_read(notification)
        elif action in ("spam", "hide"):
            await self.flag(
                target.remote_id, "spam" if action == "spam" else "inappropriate", act=True
            )
        else:
            await super().moderate(target, action)


def words(text: str) -> list[str]:
    """The words of a reply without Markdown or HTML punctuation, lower-cased: what
    survives the forum rendering ``raw`` into ``cooked``."""
    return re.findall(r"\w+", text.lower())


def _cursor_value(cursor: str | None) -> int | None:
    if not cursor:
        return None
    if not cursor.isdigit() or len(cursor) > 18:
        return None  # a cursor from elsewhere: start afresh rather than skip anything
    return int(cursor)


def _path_id(remote_id: str) -> str:
    if not remote_id.isdigit() or len(remote_id) > 18:
        raise PermanentError(f"{remote_id[:40]!r} is not a Discourse post id")
    return remote_id
