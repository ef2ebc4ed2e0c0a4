"""The sandbox AppView's ``app.bsky.feed.searchPosts``: what keyword watches read.

As the lexicon (tests/conformance/bluesky/lexicons/app/bsky/feed/searchPosts.json)
says: ``q`` required (a blank one is ``BadQueryString``), ``sort`` "latest"
(default) or "top", ``since`` inclusive and ``until`` exclusive on the posts'
sortAt (the earlier of createdAt and indexedAt, as the AppView sorts), a
datetime or a bare date; ``limit`` 1..100 (25 by default); ``cursor``
opaque. The answer is ``{posts: [postView], cursor?, hitsTotal}``. Text is
matched as a search engine would (``search_text``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request

from cm_inbox.sandbox import search_text
from cm_inbox.sandbox.bluesky_auth import ACCESS
from cm_inbox.sandbox.bluesky_records import Post, epoch_ms
from cm_inbox.sandbox.bluesky_twin import BlueskyTwin
from cm_inbox.sandbox.bluesky_views import post_view
from cm_inbox.sandbox.bluesky_xrpc import Body, XrpcError, int_param, param


def _moment(request: Request, name: str) -> int | None:
    """A datetime or YYYY-MM-DD parameter as epoch milliseconds."""
    value = request.query_params.get(name)
    if not value:
        return None
    ms = epoch_ms(value)
    if ms is None:
        try:
            ms = int(datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC).timestamp() * 1000)
        except ValueError:
            raise XrpcError(400, "InvalidRequest", f"{name} must be a datetime or a date") from None
    return ms


def _sort_at(post: Post) -> int:
    created = post.record.get("createdAt")
    created_ms = epoch_ms(created) if isinstance(created, str) else None
    return min(created_ms, post.indexed_ms) if created_ms is not None else post.indexed_ms


def search_posts(twin: BlueskyTwin, request: Request, body: Body) -> Any:
    twin.verify(request, ACCESS, optional=True)
    clauses = search_text.parse_query(param(request, "q"))
    if not clauses:
        raise XrpcError(400, "BadQueryString", "the query has nothing to search for")
    limit = int_param(request, "limit", 25, 1, 100)
    since, until = _moment(request, "since"), _moment(request, "until")
    cursor = request.query_params.get("cursor") or "0"
    if not cursor.isdigit():
        raise XrpcError(400, "InvalidRequest", "Malformed cursor")
    by_uri, children = twin.posts()
    found = []
    for post in by_uri.values():
        text = post.record.get("text")
        if not isinstance(text, str) or not search_text.matches(clauses, text):
            continue
        at = _sort_at(post)
        if (since is not None and at < since) or (until is not None and at >= until):
            continue
        found.append((at, post.uri, post))
    found.sort(reverse=True)  # latest first; "top" has no likes to rank by here
    start = int(cursor)
    page = found[start : start + limit]
    out: dict[str, Any] = {
        "posts": [post_view(twin, post, children) for _, _, post in page],
        "hitsTotal": len(found),
    }
    if start + limit < len(found):
        out["cursor"] = str(start + limit)
    return out
