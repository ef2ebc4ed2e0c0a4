"""Hacker News comments as a watch source, through the Algolia HN search API.

Facts (../shared/NETWORKS.md, hn.algolia.com/api): ``GET
/api/v1/search_by_date?query=&tags=comment&numericFilters=created_at_i>=N``
answers ``{hits, nbHits, page, nbPages, hitsPerPage, ...}``, newest first,
``page`` counting from 0. A comment hit carries ``objectID`` (text),
``author``, ``comment_text`` (HTML), ``created_at_i`` (Unix seconds),
``story_id``, ``story_title``, ``story_url`` and ``parent_id``. All words of
the query must appear (Algolia's default), with some typo tolerance: the
watch's own matcher decides. No key, and no rate-limit headers; the API
allows 10,000 requests an hour per address.

The cursor keeps, per phrase, the newest ``created_at_i`` seen; the next sync
asks from that second on (``>=``, so a comment posted in the same second is
not lost; the store drops the one seen twice). Comments land under the
watch's read-only "hackernews" source account, grouped by story.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from cm_inbox.html_text import html_to_text
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.networks.base import MalformedAnswer, PermanentError, SetAside
from cm_inbox.networks.http import Polite, RateLimitHeaders, budget_for, error_message
from cm_inbox.text import clean_text
from cm_inbox.watches.source import (
    FIRST_SYNC_S,
    Found,
    WatchPage,
    WatchSource,
    read_cursor,
    write_cursor,
)

NETWORK = "hackernews"
ITEM_URL = "https://news.ycombinator.com/item?id={id}"
HITS_PER_PAGE = 100
MAX_PAGES = 5  # per phrase and sync
_HEADERS = RateLimitHeaders("x-ratelimit-remaining", "x-ratelimit-reset", reset_is_epoch=True)


class HackerNewsSource(WatchSource):
    """Comments that use the watch's phrases."""

    network = NETWORK
    kind = "comments"

    def __init__(self, watch, client, **kwargs: Any) -> None:
        super().__init__(watch, **kwargs)
        self.base = (watch.hackernews or "").rstrip("/")
        self.http = Polite(
            client,
            _HEADERS,
            sleep=self.sleep,
            clock=self.clock,
            budget=budget_for(self.budgets, NETWORK, self.base),
        )

    @property
    def key(self) -> str:
        return f"{self.watch.name}|hackernews|{self.base}"

    @property
    def label(self) -> str:
        return f"{self.watch.name}: comments"

    async def pages(self, cursor: str | None) -> AsyncIterator[WatchPage]:
        """Per phrase, the comments since the newest seen, a page at a time, newest first.

        The phrase's cursor moves with its last page only: a walk cut short
        starts over from the same second next time.
        """
        state = read_cursor(cursor)
        for phrase in self.watch.phrases:
            kept = state.get(phrase)
            kept = kept if isinstance(kept, int) and not isinstance(kept, bool) else None
            since = kept if kept is not None else int(self.clock()) - FIRST_SYNC_S
            newest = kept
            for number in range(MAX_PAGES):
                body = await self._search(phrase, since, number)
                hits = body.get("hits")
                if not isinstance(hits, list):
                    raise MalformedAnswer(f"{self.host}: search_by_date answered no hits")
                page = self._read(hits)
                for hit in hits:
                    at = hit.get("created_at_i") if isinstance(hit, Mapping) else None
                    if _whole(at) and (newest is None or at > newest):
                        newest = at
                pages = body.get("nbPages")
                last = not hits or not _whole(pages) or number + 1 >= pages
                last = last or number + 1 == MAX_PAGES
                if last:
                    if newest is not None:
                        state[phrase] = newest
                    page.cursor = write_cursor(state)
                yield page
                if last:
                    break

    @property
    def host(self) -> str:
        from urllib.parse import urlsplit

        return urlsplit(self.base).netloc or self.base

    async def _search(self, phrase: str, since: int, number: int) -> Mapping[str, Any]:
        response = await self.http.request(
            "GET",
            self.base + "/api/v1/search_by_date",
            params={
                "query": phrase,
                "tags": "comment",
                "numericFilters": f"created_at_i>={since}",
                "hitsPerPage": HITS_PER_PAGE,
                "page": number,
            },
        )
        if response.status_code >= 400:
            raise PermanentError(f"{self.host} refused the search: {error_message(response)}")
        try:
            body = response.json()
        except ValueError:
            raise MalformedAnswer(f"{self.host} answered something that is not JSON") from None
        if not isinstance(body, Mapping):
            raise MalformedAnswer(f"{self.host} answered JSON that is not an object")
        return body

    def _read(self, hits: list[Any]) -> WatchPage:
        page = WatchPage()
        for hit in hits:
            try:
                page.found.append(self._comment(hit))
            except ValueError as error:
                page.set_aside.append(SetAside.of(f"Hacker News comment: {error}", hit))
        return page

    def _comment(self, hit: Any) -> Found:
        """One hit as a comment; ValueError names the field that is not as documented."""
        if not isinstance(hit, Mapping):
            raise ValueError("hit: expected an object")
        object_id = hit.get("objectID")
        if not isinstance(object_id, str) or not object_id.isdigit():
            raise ValueError("objectID: expected the item's number as text")
        author = hit.get("author")
        if not isinstance(author, str) or not author.strip():
            raise ValueError("author: expected a user name")
        html = hit.get("comment_text")
        if not isinstance(html, str):
            raise ValueError("comment_text: expected the comment's HTML")
        created = hit.get("created_at_i")
        if not _whole(created) or created < 0:
            raise ValueError("created_at_i: expected Unix seconds")
        words = html_to_text(html)
        title = hit.get("story_title")
        title = " ".join(clean_text(title).split()) if isinstance(title, str) else ""
        story, parent = hit.get("story_id"), hit.get("parent_id")
        comment = IncomingComment(
            network=NETWORK,
            account=self.watch.name,
            remote_id=object_id,
            author=IncomingAuthor(handle=author.strip()),
            # The story says what the comment is about; only the comment's own words match.
            text=f"{words}\n\n— on “{title}”" if title else words,
            created_at=min(created, int(self.clock())),
            parent_remote_id=str(parent) if _whole(parent) else None,
            root_remote_id=str(story) if _whole(story) else None,
            url=ITEM_URL.format(id=object_id),
            markup=html,
            extra={"story_url": hit["story_url"]}
            if isinstance(hit.get("story_url"), str)
            else None,
        )
        return Found(comment, match_text=words)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
