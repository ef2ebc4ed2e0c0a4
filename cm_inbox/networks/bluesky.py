"""Bluesky (AT Protocol): the brand account's mentions, replies and quotes, their
threads, and replies posted back.

Facts this module relies on (see ../shared/NETWORKS.md and the lexicons in
tests/conformance/bluesky/lexicons); the session (login, refresh, rate
limits) is in ``bluesky_session``, the shapes in ``bluesky_parse``, facets
and record keys in ``bluesky_facets``.

- ``app.bsky.notification.listNotifications`` pages backwards in time
  (newest first, ``cursor`` to the older page); ``updateSeen`` marks them read.
- Replies carry strong refs ``{uri, cid}`` to the thread's root and to the
  parent; the record key may be chosen by the client (a TID), which is what
  makes a retried reply detectable.
- The reference PDS answers 500 when a chosen record key already exists
  (bluesky-social/atproto PR #4728 proposes a named error); other PDSes answer
  400 or 409. Either way the record is then looked up with
  ``com.atproto.repo.getRecord``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

import httpx

from cm_inbox.model.incoming import IncomingComment
from cm_inbox.networks.base import (
    AccountInfo,
    Connector,
    FetchPage,
    MalformedAnswer,
    NeedsLogin,
    NetworkError,
    ParentRef,
    PermanentError,
    Posted,
    Secrets,
    SetAside,
    Sleep,
    TemporaryError,
)
from cm_inbox.networks.bluesky_facets import (
    MAX_BYTES,
    MAX_GRAPHEMES,
    count_bytes,
    find_links,
    find_mentions,
    link_facet,
    mention_facet,
    tid_for_key,
)
from cm_inbox.networks.bluesky_parse import (
    POST_TYPE,
    Unreadable,
    comment_from_notification,
    comment_from_view,
    did_of,
    iso_time,
    parse_time,
    post_url,
    rkey_of,
    thread_posts,
)
from cm_inbox.networks.bluesky_session import (
    DEFAULT_PDS,
    RATE_HEADERS,
    Session,
    create_session,
    json_object,
)
from cm_inbox.networks.http import Polite, budget_for
from cm_inbox.networks.rules import count_graphemes

REASONS = ("mention", "reply", "quote")
PROFILES_PER_CALL = 25  # app.bsky.actor.getProfiles takes at most 25 actors

__all__ = ["DEFAULT_PDS", "BlueskyConnector", "create_session"]


class BlueskyConnector(Connector):
    """One Bluesky account, on its PDS.

    Settings: ``pds`` (bsky.social by default), ``did``, ``handle``, and
    optionally ``langs`` (comma-separated language codes written on replies:
    the network cannot guess the language a community manager answers in).
    Secrets: ``app_password``, ``access_jwt``, ``refresh_jwt``.
    """

    network = "bluesky"
    # Items per listNotifications call (the lexicon allows 1..100).
    page_limit = 100
    # A first sync takes the recent past only.
    first_sync_limit = 200
    # An incremental sync longer than this many items continues in a next page.
    walk_limit = 2000

    def __init__(
        self,
        account: AccountInfo,
        secrets: Secrets,
        client: httpx.AsyncClient,
        *,
        sleep: Sleep | None = None,
        clock: Callable[[], float] | None = None,
        budgets: MutableMapping[tuple[str, ...], Any] | None = None,
    ) -> None:
        super().__init__(account, secrets, client, sleep=sleep, clock=clock, budgets=budgets)
        settings = account.settings
        self.polite = Polite(
            client,
            RATE_HEADERS,
            sleep=self.sleep,
            clock=self.clock,
            budget=budget_for(
                self.budgets, self.network, settings.get("pds") or DEFAULT_PDS, account.name
            ),
        )
        self.session = Session(
            client,
            secrets,
            self.polite,
            pds=settings.get("pds") or DEFAULT_PDS,
            did=settings.get("did") or None,
            handle=settings.get("handle") or account.handle,
        )
        self._dids: dict[str, str | None] = {}

    # -- the interface -------------------------------------------------------------

    async def verify(self) -> str:
        """``com.atproto.server.getSession``: who the stored session belongs to."""
        session = await self.session.get(
            "com.atproto.server.getSession", {}, "could not check the login"
        )
        self.session.remember(session)
        return "@" + str(self.session.handle or self.session.did)

    async def fetch_new(self, cursor: str | None) -> FetchPage:
        """Mentions, replies and quotes newer than ``cursor``.

        The cursor we keep is the newest ``indexedAt`` seen. Bluesky pages from
        the newest backwards, so this walks back until it meets an item at or
        before that time (or ``first_sync_limit`` items on a first sync). A
        walk longer than ``walk_limit`` stops with ``more`` and a cursor
        "newest|stop|page" that resumes it, so a crash never skips the middle.
        AppView times have milliseconds: only two notifications indexed in the
        same millisecond as the newest one seen could hide behind the cursor.
        """
        newest, stop, page_cursor = _read_cursor(cursor)
        resuming = page_cursor is not None
        stop_at = parse_time(stop) if stop else None
        budget = self.first_sync_limit if stop is None else self.walk_limit
        seen: list[Any] = []
        walk_newest = newest if resuming else None
        walk_newest_at = parse_time(walk_newest)
        complete = False
        while True:
            params: dict[str, Any] = {"limit": self.page_limit, "reasons": list(REASONS)}
            if page_cursor:
                params["cursor"] = page_cursor
            body = await self.session.get(
                "app.bsky.notification.listNotifications", params, "could not list notifications"
            )
            notifications = body.get("notifications")
            if not isinstance(notifications, list):
                raise MalformedAnswer(
                    f"{self.session.host}: listNotifications has no notifications"
                )
            for item in notifications:
                indexed = item.get("indexedAt") if isinstance(item, dict) else None
                at = parse_time(indexed)
                if at is not None and stop_at is not None and at <= stop_at:
                    complete = True
                    break
                if at is not None and (walk_newest_at is None or at > walk_newest_at):
                    walk_newest, walk_newest_at = indexed, at
                seen.append(item)
            next_cursor = body.get("cursor")
            if complete or not notifications or not isinstance(next_cursor, str) or not next_cursor:
                complete = True
                break
            page_cursor = next_cursor
            if len(seen) >= budget:
                break

        if stop is None:
            seen = seen[:budget]  # a first sync's share of the past, exactly
        page, unknown_reach = self._page(seen)
        await self._fill_followers(unknown_reach)
        high_water = walk_newest or newest
        if complete or stop is None:
            # Done (or a first sync that took its bounded share of the past).
            page.cursor = high_water
        else:
            page.cursor = f"{high_water}|{stop}|{page_cursor}"
            page.more = True
        if seen and high_water and not page.more:
            await self._mark_seen(high_water)
        return page

    async def fetch_thread(self, remote_id: str) -> list[IncomingComment]:
        """``app.bsky.feed.getPostThread``: the ancestors, the post, and its replies."""
        body = await self.session.get(
            "app.bsky.feed.getPostThread",
            {"uri": remote_id, "depth": 6, "parentHeight": 20},
            "could not fetch the thread",
        )
        comments = []
        for view in thread_posts(body.get("thread")):
            try:
                comment, _did = comment_from_view(
                    view, account=self.account.name, our_did=self.session.did
                )
            except Unreadable:
                continue  # a broken post in someone's thread: the rest still reads
            comments.append(comment)
        return comments

    async def post_reply(self, parent: ParentRef, text: str, idempotency_key: str) -> Posted:
        """``com.atproto.repo.createRecord`` of an app.bsky.feed.post replying to ``parent``.

        The record key is derived from ``idempotency_key``: a retry names the
        same record, the PDS refuses it, and the existing record is returned
        with ``already_there``.
        """
        if not text.strip():
            raise PermanentError("the reply is empty")
        graphemes = count_graphemes(text)
        if graphemes > MAX_GRAPHEMES:
            raise PermanentError(
                f"the reply is {graphemes} graphemes long; Bluesky allows {MAX_GRAPHEMES}"
            )
        if count_bytes(text) > MAX_BYTES:
            raise PermanentError(f"the reply is over Bluesky's {MAX_BYTES} bytes")
        did = await self._our_did()
        root, reply_parent = await self._reply_refs(parent)
        record: dict[str, Any] = {
            "$type": POST_TYPE,
            "text": text,
            "createdAt": iso_time(self.clock()),
        }
        langs = [code.strip() for code in self.account.settings.get("langs", "").split(",")]
        if any(langs):
            record["langs"] = [code for code in langs if code][:3]
        facets = await self._facets(text, parent)
        if facets:
            record["facets"] = facets
        record["reply"] = {"root": root, "parent": reply_parent}
        rkey = tid_for_key(idempotency_key)
        request = {
            "repo": did,
            "collection": POST_TYPE,
            "rkey": rkey,
            "validate": True,
            "record": record,
        }
        try:
            response = await self.session.call(
                "POST", "com.atproto.repo.createRecord", json=request
            )
        except TemporaryError:
            # The reference PDS answers 500 for an existing key: maybe our first try landed.
            existing = await self._existing(did, rkey)
            if existing is None:
                raise
            return Posted(
                existing, post_url(self.session.handle, did, existing), already_there=True
            )
        if response.status_code == 200:
            created = json_object(response, "createRecord")
            uri = created.get("uri")
            if not isinstance(uri, str) or not uri.startswith("at://"):
                raise MalformedAnswer(f"{self.session.host}: createRecord answered without a uri")
            return Posted(uri, post_url(self.session.handle, did, uri))
        existing = await self._existing(did, rkey)
        if existing is not None:
            return Posted(
                existing, post_url(self.session.handle, did, existing), already_there=True
            )
        self.session.fail(response, "refused the reply")

    # -- fetching helpers ----------------------------------------------------------

    def _page(self, notifications: list[Any]) -> tuple[FetchPage, dict[str, list[IncomingComment]]]:
        """Notifications to comments, oldest first, the unreadable ones set aside;
        with the comments whose author's follower count is unknown, by DID."""
        page = FetchPage()
        authors: dict[str, list[IncomingComment]] = {}
        known: set[str] = set()
        for item in reversed(notifications):
            reason = item.get("reason") if isinstance(item, dict) else None
            if isinstance(reason, str) and reason not in REASONS:
                continue  # likes, follows...: an AppView that ignored the reasons filter
            try:
                comment, author_did = comment_from_notification(
                    item, account=self.account.name, our_did=self.session.did
                )
            except Unreadable as error:
                page.set_aside.append(SetAside.of(f"Bluesky notification: {error}", item))
                continue
            if comment.remote_id in known:
                continue
            known.add(comment.remote_id)
            page.items.append(comment)
            if comment.author.followers is None:
                authors.setdefault(author_did, []).append(comment)
        return page, authors

    async def _mark_seen(self, seen_at: str) -> None:
        """``app.bsky.notification.updateSeen``; the brand's app stops showing them as new.

        Cosmetic on Bluesky's side (our cursor is what counts), so a failure
        here never fails the sync, except a refused login.
        """
        try:
            await self.session.call(
                "POST", "app.bsky.notification.updateSeen", json={"seenAt": seen_at}
            )
        except NeedsLogin:
            raise
        except NetworkError:
            return

    async def _fill_followers(self, authors: dict[str, list[IncomingComment]]) -> None:
        """Follower counts from ``app.bsky.actor.getProfiles`` (profileViewDetailed).

        Notifications carry a profileView, which has no follower count; a
        community manager weighs a comment by its author's reach. Best effort.
        """
        dids = list(authors)
        for start in range(0, len(dids), PROFILES_PER_CALL):
            chunk = dids[start : start + PROFILES_PER_CALL]
            try:
                body = await self.session.get(
                    "app.bsky.actor.getProfiles", {"actors": chunk}, "could not read profiles"
                )
            except NeedsLogin:
                raise
            except NetworkError:
                return
            profiles = body.get("profiles")
            for profile in profiles if isinstance(profiles, list) else []:
                if not isinstance(profile, dict):
                    continue
                count = profile.get("followersCount")
                if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                    continue
                for comment in authors.get(str(profile.get("did")), []):
                    comment.author.followers = count

    # -- replying helpers ----------------------------------------------------------

    async def _reply_refs(self, parent: ParentRef) -> tuple[dict[str, str], dict[str, str]]:
        """Strong refs to the thread's root and to the parent.

        The root is the parent's own root when the parent is a reply, else the
        parent itself. Facts kept at fetch time (``extra``) are used; when they
        are missing (an imported comment) the parent is read with getPosts.
        """
        extra: Mapping[str, Any] = parent.extra or {}
        parent_cid = extra.get("cid")
        root_uri = extra.get("root_uri") or parent.root_remote_id
        root_cid = extra.get("root_cid")
        if not parent_cid or (root_uri and root_uri != parent.remote_id and not root_cid):
            parent_cid, root_uri, root_cid = await self._lookup(parent.remote_id)
        reply_parent = {"uri": parent.remote_id, "cid": str(parent_cid)}
        if not root_uri or root_uri == parent.remote_id:
            return dict(reply_parent), reply_parent
        return {"uri": str(root_uri), "cid": str(root_cid)}, reply_parent

    async def _lookup(self, uri: str) -> tuple[str, str | None, str | None]:
        """The cid and root strong ref of a post, from ``app.bsky.feed.getPosts``."""
        body = await self.session.get(
            "app.bsky.feed.getPosts", {"uris": [uri]}, "could not read the post"
        )
        posts = body.get("posts")
        if not isinstance(posts, list) or not posts or not isinstance(posts[0], dict):
            raise PermanentError("the post being answered is gone from Bluesky")
        view = posts[0]
        cid = view.get("cid")
        record = view.get("record") if isinstance(view.get("record"), dict) else {}
        reply = record.get("reply") if isinstance(record.get("reply"), dict) else {}
        root = reply.get("root") if isinstance(reply.get("root"), dict) else {}
        if not isinstance(cid, str) or not cid:
            raise MalformedAnswer(f"{self.session.host}: getPosts answered a post without a cid")
        root_uri, root_cid = root.get("uri"), root.get("cid")
        if isinstance(root_uri, str) and isinstance(root_cid, str):
            return cid, root_uri, root_cid
        return cid, None, None

    async def _facets(self, text: str, parent: ParentRef) -> list[dict[str, Any]]:
        """Mention facets for handles that resolve to a DID, and link facets, by byte offsets."""
        facets = []
        for start, end, handle in find_mentions(text):
            did = await self._resolve(handle, parent)
            if did:
                facets.append(mention_facet(start, end, did))
        facets.extend(link_facet(start, end, uri) for start, end, uri in find_links(text))
        facets.sort(key=lambda facet: facet["index"]["byteStart"])
        return facets

    async def _resolve(self, handle: str, parent: ParentRef) -> str | None:
        """``com.atproto.identity.resolveHandle``, once per handle; None when it does not resolve."""
        if handle in self._dids:
            return self._dids[handle]
        did: str | None = None
        parent_did = did_of(parent.remote_id)
        if parent_did and parent.author_handle.lstrip("@").lower() == handle:
            did = parent_did  # the person answered: their DID is in the post's URI
        elif self.session.did and (self.session.handle or "").lower() == handle:
            did = self.session.did
        else:
            response = await self.session.call(
                "GET", "com.atproto.identity.resolveHandle", params={"handle": handle}
            )
            if response.status_code == 200:
                found = json_object(response, "resolveHandle").get("did")
                did = found if isinstance(found, str) and found.startswith("did:") else None
            elif response.status_code >= 500:
                self.session.fail(response, "could not resolve a handle")
        self._dids[handle] = did
        return did

    async def find_reply(self, parent: ParentRef, text: str, idempotency_key: str) -> Posted | None:
        """Our post under the record key this reply always uses (``getRecord``)."""
        did = await self._our_did()
        existing = await self._existing(did, tid_for_key(idempotency_key))
        if existing is None:
            return None
        return Posted(existing, post_url(self.session.handle, did, existing), already_there=True)

    async def _existing(self, did: str, rkey: str) -> str | None:
        """``com.atproto.repo.getRecord``: the uri of our post under ``rkey``, if it exists."""
        response = await self.session.call(
            "GET",
            "com.atproto.repo.getRecord",
            params={"repo": did, "collection": POST_TYPE, "rkey": rkey},
        )
        if response.status_code == 200:
            uri = json_object(response, "getRecord").get("uri")
            return uri if isinstance(uri, str) and rkey_of(uri) == rkey else None
        if response.status_code in (400, 404):
            return None  # RecordNotFound, in the reference PDS's words
        self.session.fail(response, "could not check for the reply")

    async def _our_did(self) -> str:
        """Our DID: from the settings, the session, or getSession."""
        if not self.session.did:
            await self.verify()
        if not self.session.did:
            raise MalformedAnswer(f"{self.session.host}: the session names no DID")
        return self.session.did


def _read_cursor(cursor: str | None) -> tuple[str | None, str | None, str | None]:
    """(newest seen, where this walk stops, page to resume from) of a stored cursor."""
    if not cursor:
        return None, None, None
    # The server's own cursor comes last and may hold anything, "|" included.
    parts = cursor.split("|", 2)
    if len(parts) == 3:
        return parts[0] or None, parts[1] or None, parts[2] or None
    return cursor, cursor, None
