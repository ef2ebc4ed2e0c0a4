"""The sandbox's feeds: an RSS 2.0 blog and an Atom news feed that talk about Lumo.

``GET /feeds/lumo.rss`` and ``GET /feeds/lumo.atom`` list the chatter the
clock has reached (``SandboxState.chatter("rss")`` and ``("atom")``), newest
first, the last 20, as publishers do. ``/feeds/broken.xml`` is a truncated
download, to see how a broken feed is reported. Tests publish feeds of their
own with ``feeds_twin(state).publish``.

Conditional GET as RFC 9110 has it: every answer carries an ``ETag`` (of
the body) and ``Last-Modified`` (the newest entry); ``If-None-Match`` that
names the current ETag, or, without it, ``If-Modified-Since`` at or after
Last-Modified, gets a 304 with no body. ``hits`` counts full answers and
304s, so a test can see the feed was not downloaded again.
"""

from __future__ import annotations

import hashlib
import html
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cm_inbox.sandbox.chatter import Chatter
from cm_inbox.sandbox.state import SandboxState

NETWORK = "rss"  # fault switches: state.set_fault("rss", "server_error")
KEEP = 20
RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
BLOG = "https://blog.lumo-fans.example"
NEWS = "https://news.productivity.example"
BROKEN = b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Half a feed'


@dataclass
class FeedsTwin:
    """The feeds of one ``SandboxState``: the two generated ones and any a test published."""

    state: SandboxState
    published: dict[str, tuple[str, bytes, float]] = field(default_factory=dict)
    hits: dict[str, list[int]] = field(default_factory=dict)  # name -> status of each answer

    def publish(self, name: str, body: bytes | str, content_type: str = RSS_TYPE) -> None:
        """Serve ``body`` at /feeds/``name`` from now on (its Last-Modified: now)."""
        data = body.encode() if isinstance(body, str) else body
        with self.state.lock:
            self.published[name] = (content_type, data, self.state.now())

    def document(self, name: str) -> tuple[str, bytes, float] | None:
        """(content type, body, last modified) of a feed, or None when there is no such feed."""
        if name in self.published:
            return self.published[name]
        if name == "lumo.rss":
            entries = self.state.chatter("rss")[-KEEP:]
            return RSS_TYPE, rss(entries), _newest(entries, self.state.started)
        if name == "lumo.atom":
            entries = self.state.chatter("atom")[-KEEP:]
            return ATOM_TYPE, atom(entries), _newest(entries, self.state.started)
        if name == "broken.xml":
            return RSS_TYPE, BROKEN, self.state.started
        return None


def _newest(entries: list[Chatter], default: float) -> float:
    return max((entry.at for entry in entries), default=default)


def _http_date(at: float) -> str:
    return format_datetime(datetime.fromtimestamp(int(at), UTC), usegmt=True)


def _body_html(entry: Chatter) -> str:
    return f"<p>{html.escape(entry.text)}</p>"


def rss(entries: list[Chatter]) -> bytes:
    """An RSS 2.0 channel, newest item first; descriptions are entity-encoded HTML."""
    items = []
    for entry in reversed(entries):
        link = f"{BLOG}/posts/{entry.serial}"
        items.append(
            "<item>"
            f"<title>{escape(entry.title or entry.text[:60])}</title>"
            f"<link>{link}</link>"
            f'<guid isPermaLink="true">{link}</guid>'
            f"<pubDate>{_http_date(entry.at)}</pubDate>"
            f"<dc:creator>{escape(entry.name)}</dc:creator>"
            f"<description>{escape(_body_html(entry))}</description>"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>Lumo Fans</title><link>{BLOG}/</link>"
        "<description>Tips and stories from people who plan their days with Lumo</description>"
        + "".join(items)
        + "</channel></rss>\n"
    ).encode()


def atom(entries: list[Chatter]) -> bytes:
    """An Atom 1.0 feed, newest entry first, content as escaped HTML."""
    updated = _iso(_newest(entries, 0.0))
    parts = []
    for entry in reversed(entries):
        parts.append(
            "<entry>"
            f"<id>tag:news.productivity.example,2026:{entry.serial}</id>"
            f"<title>{escape(entry.title or entry.text[:60])}</title>"
            f'<link rel="alternate" href="{NEWS}/{entry.serial}"/>'
            f"<published>{_iso(entry.at)}</published><updated>{_iso(entry.at)}</updated>"
            f"<author><name>{escape(entry.name)}</name></author>"
            f'<content type="html">{escape(_body_html(entry))}</content>'
            "</entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Productivity News</title>"
        f"<id>{NEWS}/</id><updated>{updated}</updated>"
        f'<link rel="self" href="{NEWS}/feed.atom"/>' + "".join(parts) + "</feed>\n"
    ).encode()


def _iso(at: float) -> str:
    return datetime.fromtimestamp(int(at), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _not_modified(request: Request, etag: str, modified: float) -> bool:
    """RFC 9110 §13.1.1 and §13.1.3: If-None-Match wins; If-Modified-Since otherwise."""
    wanted = request.headers.get("if-none-match")
    if wanted is not None:
        tags = [tag.strip().removeprefix("W/") for tag in wanted.split(",")]
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return int(modified) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError):
            return False
    return False


_TWINS: weakref.WeakKeyDictionary[SandboxState, FeedsTwin] = weakref.WeakKeyDictionary()


def feeds_twin(state: SandboxState) -> FeedsTwin:
    """The feeds side of ``state`` (one per state)."""
    with state.lock:
        twin = _TWINS.get(state)
        if twin is None:
            twin = _TWINS[state] = FeedsTwin(state)
        return twin


def routes(state: SandboxState) -> list[Route]:
    twin = feeds_twin(state)

    async def serve(request: Request) -> Response:
        name = request.path_params["name"]
        if state.take_fault(NETWORK, "server_error"):
            return Response("Service Unavailable", 503, media_type="text/plain")
        found = twin.document(name)
        if found is None:
            return Response("Not Found", 404, media_type="text/plain")
        content_type, body, modified = found
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        headers = {"etag": etag, "last-modified": _http_date(modified)}
        if _not_modified(request, etag, modified):
            twin.hits.setdefault(name, []).append(304)
            return Response(status_code=304, headers=headers)
        twin.hits.setdefault(name, []).append(200)
        return Response(body, 200, headers={**headers, "content-type": content_type})

    return [Route("/feeds/{name}", serve, methods=["GET"])]
