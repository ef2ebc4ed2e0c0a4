"""The sandbox's Hacker News search: an Algolia HN API twin at /hn/api/v1/search_by_date.

Only comments exist here (the chatter the clock has reached on "hackernews"),
answered in the shape hn.algolia.com gives: ``{hits, nbHits, page, nbPages,
hitsPerPage, exhaustiveNbHits, exhaustive, query, params,
processingTimeMS}``, hits newest first with ``objectID`` (text),
``author``, ``comment_text`` (HTML), ``created_at``, ``created_at_i``,
``story_id``, ``story_title``, ``story_url``, ``parent_id``, ``_tags``.
Parameters: ``query`` (every word must appear), ``tags`` (comma means AND;
"comment", "author_X", "story_N"), ``numericFilters`` (``created_at_i``
with < <= = >= >, comma means AND), ``hitsPerPage`` (20 by default, up to
1000), ``page`` (from 0). A filter it cannot read is a 400 ``{"message",
"status"}``, as Algolia answers.
"""

from __future__ import annotations

import html
import math
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cm_inbox.sandbox import search_text
from cm_inbox.sandbox.chatter import Chatter
from cm_inbox.sandbox.state import SandboxState

NETWORK = "hackernews"
PREFIX = "/hn"
_FILTER = re.compile(r"^\s*(created_at_i|points|num_comments)\s*(<=|>=|<|>|=)\s*(-?\d+)\s*$")
_COMPARE = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "=": lambda a, b: a == b,
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
}


def hit(said: Chatter) -> dict[str, Any]:
    """One comment as Algolia's HN index holds it."""
    object_id = 41_000_000 + said.serial * 7
    story = 40_900_000 + said.serial % 5
    stamp = datetime.fromtimestamp(int(said.at), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "_tags": ["comment", f"author_{said.user}", f"story_{story}"],
        "author": said.user,
        "comment_text": f"<p>{html.escape(said.text)}",
        "created_at": stamp,
        "created_at_i": int(said.at),
        "objectID": str(object_id),
        "parent_id": story,
        "story_id": story,
        "story_title": said.title,
        "story_url": f"https://example.com/story/{story}",
        "updated_at": stamp,
    }


class BadRequest(ValueError):
    pass


def _filters(value: str) -> list[tuple[str, str, int]]:
    found = []
    for part in filter(None, value.split(",")):
        match = _FILTER.match(part)
        if not match:
            raise BadRequest(f"Invalid syntax for numeric condition: {part.strip()}")
        found.append((match.group(1), match.group(2), int(match.group(3))))
    return found


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    value = request.query_params.get(name)
    if value is None:
        return default
    if not value.strip().lstrip("-").isdigit():
        raise BadRequest(f"Invalid value for {name}: {value}")
    return min(high, max(low, int(value)))


def routes(state: SandboxState) -> list[Route]:
    async def search_by_date(request: Request) -> Response:
        if state.take_fault(NETWORK, "server_error"):
            return JSONResponse({"message": "Service Unavailable", "status": 503}, 503)
        if state.take_fault(NETWORK, "rate_limit"):
            return JSONResponse({"message": "Too many requests", "status": 429}, 429,
                                headers={"retry-after": "10"})  # fmt: skip
        query = request.query_params.get("query", "")
        try:
            filters = _filters(request.query_params.get("numericFilters", ""))
            per_page = _int(request, "hitsPerPage", 20, 1, 1000)
            number = _int(request, "page", 0, 0, 1000)
        except BadRequest as error:
            return JSONResponse({"message": str(error), "status": 400}, 400)
        tags = [t.strip() for t in request.query_params.get("tags", "").split(",") if t.strip()]
        clauses = search_text.parse_query(query)
        hits = []
        for said in reversed(state.chatter(NETWORK)):
            item = hit(said)
            if any(tag not in item["_tags"] for tag in tags):
                continue
            if clauses and not search_text.matches(clauses, said.text):
                continue
            numbers = {"created_at_i": item["created_at_i"], "points": 0, "num_comments": 0}
            if all(_COMPARE[op](numbers[name], bound) for name, op, bound in filters):
                hits.append(item)
        page = hits[number * per_page : (number + 1) * per_page]
        params = urlencode(sorted(request.query_params.multi_items()))
        return JSONResponse(
            {
                "exhaustive": {"nbHits": True, "typo": True},
                "exhaustiveNbHits": True,
                "exhaustiveTypo": True,
                "hits": page,
                "hitsPerPage": per_page,
                "nbHits": len(hits),
                "nbPages": math.ceil(len(hits) / per_page),
                "page": number,
                "params": params,
                "processingTimeMS": 1,
                "query": query,
                "serverTimeMS": 2,
            }
        )

    return [Route(PREFIX + "/api/v1/search_by_date", search_by_date, methods=["GET"])]
