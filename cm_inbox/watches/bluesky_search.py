"""Bluesky watch source: ``app.bsky.feed.searchPosts``, read as the brand account.

Facts (../shared/NETWORKS.md and the lexicon in
tests/conformance/bluesky/lexicons/app/bsky/feed/searchPosts.json):

- Parameters ``q`` (Lucene syntax recommended: quotes keep a phrase together),
  ``sort`` ("latest"), ``since`` (inclusive, on the posts' sortAt, which may
  differ from createdAt), ``limit`` (1..100) and ``cursor``; the answer is
  ``{posts: [postView], cursor?, hitsTotal?}``. The AppView may require
  authentication for it, so it goes through the account's session.
- A postView's record may mention (a facet by DID), answer (``reply``) or
  quote (``embed``) the brand: those reach the brand as notifications
  already, so they are no untagged mention.

The cursor keeps, per query, the newest ``indexedAt`` seen. ``since`` is asked
a little before it (``MARGIN_S``): sortAt can be earlier than indexedAt, and
what is seen twice is deduplicated in the store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from cm_inbox.networks.base import MalformedAnswer, Secrets, SetAside
from cm_inbox.networks.bluesky_parse import (
    Unreadable,
    comment_from_view,
    did_of,
    iso_time,
    parse_time,
)
from cm_inbox.networks.bluesky_session import DEFAULT_PDS, RATE_HEADERS, Session
from cm_inbox.networks.http import Polite, budget_for
from cm_inbox.store.results import ConnectedAccount
from cm_inbox.watches.source import (
    FIRST_SYNC_S,
    Found,
    WatchPage,
    WatchSource,
    read_cursor,
    write_cursor,
)

LIMIT = 100  # the lexicon's maximum
MAX_PAGES = 5  # per query and sync
MARGIN_S = 15 * 60
MENTION = "app.bsky.richtext.facet#mention"


class BlueskySearch(WatchSource):
    """searchPosts for each phrase and hashtag of the watch."""

    network = "bluesky"
    kind = "search"

    def __init__(
        self,
        watch,
        account: ConnectedAccount,
        secrets: Secrets,
        client,
        *,
        brand_dids: frozenset[str],
        **kwargs: Any,
    ) -> None:
        """``brand_dids``: the DIDs of every connected Bluesky account."""
        super().__init__(watch, **kwargs)
        self.account = account
        self.brand_dids = brand_dids
        settings = account.settings
        pds = settings.get("pds") or DEFAULT_PDS
        polite = Polite(
            client,
            RATE_HEADERS,
            sleep=self.sleep,
            clock=self.clock,
            budget=budget_for(self.budgets, self.network, pds, account.name),
        )
        self.session = Session(
            client,
            secrets,
            polite,
            pds=pds,
            did=settings.get("did") or None,
            handle=settings.get("handle") or account.handle,
        )

    @property
    def key(self) -> str:
        return f"{self.watch.name}|bluesky-search|{self.account.name}"

    @property
    def label(self) -> str:
        return f"{self.watch.name}: search as {self.account.name}"

    def queries(self) -> list[str]:
        phrases = [f'"{p}"' if " " in p else p for p in self.watch.phrases]
        return phrases + ["#" + tag for tag in self.watch.hashtags]

    async def pages(self, cursor: str | None) -> AsyncIterator[WatchPage]:
        """Per query, the posts since the newest seen, newest first, a page at a time.

        The query's cursor moves only with its last page: the pages come
        newest first, so a walk cut short must start over from the same
        point rather than skip what lay below.
        """
        state = read_cursor(cursor)
        for query in self.queries():
            kept = parse_time(state.get(query))
            since = (kept - MARGIN_S) if kept is not None else self.clock() - FIRST_SYNC_S
            newest = kept
            page_cursor: str | None = None
            for number in range(1, MAX_PAGES + 1):
                params: dict[str, Any] = {
                    "q": query,
                    "sort": "latest",
                    "since": iso_time(since),
                    "limit": LIMIT,
                }
                if page_cursor:
                    params["cursor"] = page_cursor
                body = await self.session.get(
                    "app.bsky.feed.searchPosts", params, "could not search posts"
                )
                posts = body.get("posts")
                if not isinstance(posts, list):
                    raise MalformedAnswer(f"{self.session.host}: searchPosts answered no posts")
                page = self._read(posts)
                for view in posts:
                    at = parse_time(view.get("indexedAt")) if isinstance(view, dict) else None
                    if at is not None and (newest is None or at > newest):
                        newest = at
                next_cursor = body.get("cursor")
                last = (
                    not posts
                    or not isinstance(next_cursor, str)
                    or not next_cursor
                    or number == MAX_PAGES
                )
                if last:
                    if newest is not None:
                        state[query] = iso_time(newest)
                    page.cursor = write_cursor(state)
                yield page
                if last:
                    break
                page_cursor = next_cursor

    def _read(self, posts: list[Any]) -> WatchPage:
        page = WatchPage()
        for view in posts:
            try:
                comment, author_did = comment_from_view(
                    view, account=self.account.name, our_did=self.session.did
                )
            except Unreadable as error:
                page.set_aside.append(SetAside.of(f"Bluesky search result: {error}", view))
                continue
            addressed = author_did in self.brand_dids or _addresses(view, self.brand_dids)
            page.found.append(Found(comment, addressed=addressed))
        return page


def _addresses(view: dict[str, Any], brand_dids: frozenset[str]) -> bool:
    """True when the post mentions, answers or quotes one of ``brand_dids``."""
    record = view.get("record")
    if not isinstance(record, dict):
        return False
    for facet in record.get("facets") or []:
        features = facet.get("features") if isinstance(facet, dict) else None
        for feature in features if isinstance(features, list) else []:
            if (
                isinstance(feature, dict)
                and feature.get("$type") == MENTION
                and feature.get("did") in brand_dids
            ):
                return True
    reply = record.get("reply")
    if isinstance(reply, dict):
        for part in ("parent", "root"):
            ref = reply.get(part)
            uri = ref.get("uri") if isinstance(ref, dict) else None
            if isinstance(uri, str) and did_of(uri) in brand_dids:
                return True
    embed = record.get("embed")
    if isinstance(embed, dict):
        # app.bsky.embed.record {record: strongRef}; recordWithMedia {record: {record: strongRef}}
        inner = embed.get("record")
        if isinstance(inner, dict) and isinstance(inner.get("record"), dict):
            inner = inner["record"]
        uri = inner.get("uri") if isinstance(inner, dict) else None
        if isinstance(uri, str) and did_of(uri) in brand_dids:
            return True
    return False
