"""RSS and Atom feeds as a watch source: one feed, polled with conditional GET.

The cursor keeps the feed's ``ETag`` and ``Last-Modified`` and sends them back
as ``If-None-Match`` / ``If-Modified-Since``: a feed that has not changed
answers 304 with no body, which costs the publisher nothing. It also keeps a
floor (when the source first ran, less ``FIRST_SYNC_S``): a feed lists its
last N posts whatever their age, and a new watch must not bring years of them
into the queue, nor bring them in later either.

Entries cannot be answered from cm-inbox: they land under the watch's
read-only "rss" source account, with their link.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.networks.base import MalformedAnswer, PermanentError, SetAside
from cm_inbox.networks.http import Polite, RateLimitHeaders, budget_for
from cm_inbox.watches.feed_parse import FeedError, parse_feed
from cm_inbox.watches.source import (
    FIRST_SYNC_S,
    Found,
    WatchPage,
    WatchSource,
    read_cursor,
    write_cursor,
)

NETWORK = "rss"
MAX_BYTES = 5_000_000
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
# Feeds announce no rate limits; these IETF draft names are read when a server sends them.
_HEADERS = RateLimitHeaders("ratelimit-remaining", "ratelimit-reset", reset_is_epoch=True)


class FeedSource(WatchSource):
    """One feed URL of a watch."""

    network = NETWORK
    kind = "feed"

    def __init__(self, watch, url: str, client, **kwargs: Any) -> None:
        super().__init__(watch, **kwargs)
        self.url = url
        self.http = Polite(
            client,
            _HEADERS,
            sleep=self.sleep,
            clock=self.clock,
            budget=budget_for(self.budgets, NETWORK, urlsplit(url).netloc),
        )

    @property
    def key(self) -> str:
        return f"{self.watch.name}|feed|{self.url}"

    @property
    def label(self) -> str:
        parts = urlsplit(self.url)
        return f"{self.watch.name}: {parts.netloc}{parts.path}"

    async def pages(self, cursor: str | None) -> AsyncIterator[WatchPage]:
        state = read_cursor(cursor)
        floor = state.get("floor")
        if not isinstance(floor, int) or isinstance(floor, bool):
            floor = int(self.clock()) - FIRST_SYNC_S
        headers = {"Accept": ACCEPT}
        if isinstance(state.get("etag"), str):
            headers["If-None-Match"] = state["etag"]
        if isinstance(state.get("modified"), str):
            headers["If-Modified-Since"] = state["modified"]
        response = await self.http.request("GET", self.url, headers=headers, follow_redirects=True)
        if response.status_code == 304:
            yield WatchPage(note="not modified since the last sync")
            return
        if response.status_code >= 400:
            raise PermanentError(
                f"{self.url} answered {response.status_code} {response.reason_phrase}"
            )
        if response.status_code != 200:
            raise MalformedAnswer(f"{self.url} answered {response.status_code}, not a feed")
        if len(response.content) > MAX_BYTES:
            raise MalformedAnswer(f"{self.url} is larger than {MAX_BYTES // 1_000_000} MB")
        try:
            feed = parse_feed(
                response.content, str(response.url), response.headers.get("content-type")
            )
        except FeedError as error:
            raise MalformedAnswer(f"{self.url}: {error}") from None
        page = WatchPage(note=feed.problem)
        page.set_aside = [
            SetAside.of(f"feed {self.url}: an entry with no title, text or link", raw)
            for raw in feed.unreadable
        ]
        now = int(self.clock())
        source = feed.title or urlsplit(self.url).netloc
        for entry in feed.entries:
            published = entry.published if entry.published is not None else now
            if published < floor:
                continue
            comment = IncomingComment(
                network=NETWORK,
                account=self.watch.name,
                remote_id=entry.remote_id,
                author=IncomingAuthor(handle=entry.author or source, name=source),
                text=entry.text,
                created_at=min(published, now),  # a post dated tomorrow is not on top for a day
                url=entry.url,
                markup=entry.markup,
                extra={"feed": self.url},
            )
            page.found.append(Found(comment))
        new_state: dict[str, Any] = {"floor": floor}
        for name, header in (("etag", "etag"), ("modified", "last-modified")):
            if response.headers.get(header):
                new_state[name] = response.headers[header]
        page.cursor = write_cursor(new_state)
        yield page
