"""The sandbox Mastodon's search and hashtag timelines: what keyword watches read.

- ``GET /api/v2/search?q=&type=statuses`` answers ``{"accounts", "statuses",
  "hashtags", "collections"}`` as the 4.6.4 server recorded in
  test_search.yaml; only statuses are searched (full-text search as an
  instance with Elasticsearch does: ``search_text``). A token is required,
  as Mastodon requires one for status search. ``limit`` up to 40.
- ``GET /api/v1/timelines/tag/:tag`` answers the public statuses carrying
  the tag, newest first, with a ``Link`` header (test_hashtag_tl.yaml); no
  token needed, as with ``timelines_access`` "public".

Both page like ``paginate_by_id``: ``max_id`` older, ``since_id`` newest
above, ``min_id`` the page just above, newest first within the page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cm_inbox.sandbox import search_text
from cm_inbox.sandbox.mastodon_shapes import Post
from cm_inbox.sandbox.mastodon_twin import MastodonTwin, api, base_url

MAX_LIMIT = 40


def _limit(value: str | None, default: int) -> int:
    try:
        return min(MAX_LIMIT, max(1, int(value or default)))
    except ValueError:
        return default


def _page(posts: list[Post], request: Request, default_limit: int) -> list[Post]:
    """``posts`` (oldest first) bounded by max_id / since_id / min_id, newest first."""
    query = request.query_params
    limit = _limit(query.get("limit"), default_limit)

    def bound(name: str) -> int | None:
        value = query.get(name)
        return int(value) if value and value.isdigit() else None

    found = sorted(posts, key=lambda post: int(post.id))
    upper, since, above = bound("max_id"), bound("since_id"), bound("min_id")
    if upper is not None:
        found = [p for p in found if int(p.id) < upper]
    lower = above if above is not None else since
    if lower is not None:
        found = [p for p in found if int(p.id) > lower]
    page = found[:limit] if above is not None else found[-limit:]
    page.reverse()
    return page


def _public(post: Post) -> bool:
    return post.visibility in ("public", "unlisted") and post.author.host is not None


async def search(twin: MastodonTwin, request: Request, token, headers) -> Response:
    query = request.query_params
    kind = query.get("type")
    statuses: list[dict] = []
    clauses = search_text.parse_query(query.get("q", ""))
    if kind in (None, "", "statuses") and clauses:
        base = base_url(request)
        with twin.state.lock:
            index = twin.index()
            found = [
                post
                for post in index.posts.values()
                if _public(post) and search_text.matches(clauses, post.text)
            ]
            offset = query.get("offset", "0")
            skip = int(offset) if offset.isdigit() else 0
            page = _page(found, request, 20)[skip:]
            statuses = [twin.status(post, base) for post in page]
    body = {"accounts": [], "statuses": statuses, "hashtags": [], "collections": []}
    return JSONResponse(body, headers=headers)


async def tag_timeline(twin: MastodonTwin, request: Request, token, headers) -> Response:
    tag = request.path_params["tag"].lower()
    base = base_url(request)
    with twin.state.lock:
        index = twin.index()
        tagged = [
            post
            for post in index.posts.values()
            if _public(post) and tag in (name.lower() for name in post.tags)
        ]
        page = _page(tagged, request, 20)
        body = [twin.status(post, base) for post in page]
    if page:
        kept = [(k, v) for k, v in request.query_params.multi_items() if k == "limit"]

        def url(name: str, value: str) -> str:
            pairs = sorted([*kept, (name, value)])
            return f"{base}/api/v1/timelines/tag/{tag}?{urlencode(pairs)}"

        newer, older = url("min_id", page[0].id), url("max_id", page[-1].id)
        headers = {**headers, "link": f'<{older}>; rel="next", <{newer}>; rel="prev"'}
    return JSONResponse(body, headers=headers)


def routes(twin: MastodonTwin) -> list[Route]:
    """The search routes, for ``cm_inbox.sandbox.mastodon.routes``."""
    return [
        Route("/api/v2/search", api(twin, search), methods=["GET"]),
        Route("/api/v1/timelines/tag/{tag}", api(twin, tag_timeline, auth=False), methods=["GET"]),
    ]
