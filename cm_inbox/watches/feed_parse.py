"""RSS and Atom documents read into plain-text entries, safely.

Parsing is feedparser's: it reads RSS 0.9x, 1.0 and 2.0 and Atom 0.3 and
1.0, the date formats feeds really use (RFC 822 with odd zones, RFC 3339),
declared and undeclared encodings, relative links, and the slightly broken
XML many feeds serve (an unescaped "&"). Rewriting all that by hand on top of
ElementTree would mean relearning each of those lessons one bug report at a
time. For safety it never fetches anything itself (the bytes are handed to it
in a BytesIO, as its documentation asks for untrusted data), turns off
external entities, and drops entity declarations that reference other
entities; expat (2.4+) caps entity amplification on top. This module adds
one more wall: a document that declares entities at all is refused before
any parser sees it, since no honest feed needs them and a "billion laughs"
document is built from them.

Entry HTML is turned into plain text by the project's ``html_to_text`` (links
keep their real target); nothing from a feed is ever rendered as markup.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cm_inbox.html_text import html_to_text
from cm_inbox.text import clean_text

MAX_TEXT = 10_000  # characters of an entry kept as text: a whole article is not a comment
_ROOT = re.compile(rb"<[A-Za-z_]")
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_HTML = ("text/html", "application/xhtml+xml")


class FeedError(ValueError):
    """The document is no feed cm-inbox can read; ``str()`` says why."""


@dataclass(slots=True)
class FeedEntry:
    """One entry of a feed, as plain text."""

    remote_id: str
    title: str
    body: str
    markup: str | None
    url: str | None
    author: str | None
    published: int | None

    @property
    def text(self) -> str:
        """What the queue shows: the title, then the entry's own text."""
        return "\n\n".join(part for part in (self.title, self.body) if part)[:MAX_TEXT]


@dataclass(slots=True)
class ParsedFeed:
    """A feed's title and readable entries; ``problem`` says what was read leniently."""

    title: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    unreadable: list[dict[str, Any]] = field(default_factory=list)
    problem: str | None = None


def parse_feed(data: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    """Entries of the RSS or Atom document ``data`` fetched from ``url``.

    Raises ``FeedError`` when it is not a feed (an HTML page, JSON, a
    truncated download with nothing readable) or declares XML entities. A
    feed that is not well-formed but still yields entries is read, with
    ``problem`` saying so.
    """
    import feedparser

    root = _ROOT.search(data)
    prolog = data[: root.start()] if root else data
    if _ENTITY.search(prolog):
        raise FeedError(
            "the document declares XML entities (<!ENTITY ...>), which cm-inbox never "
            "expands; refused"
        )
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    result = feedparser.parse(io.BytesIO(data), response_headers=headers)
    problem = _xml_problem(result)
    version = result.get("version") or ""
    feed = result.get("feed") or {}
    title = _plain(feed.get("title"), feed.get("title_detail"))
    parsed = ParsedFeed(title=title or None)
    for entry in result.get("entries") or []:
        readable = _entry(entry, url)
        if readable is None:
            parsed.unreadable.append(dict(entry))
        else:
            parsed.entries.append(readable)
    if not version:
        raise FeedError("this is not an RSS or Atom feed" + (f" ({problem})" if problem else ""))
    if problem and not parsed.entries:
        raise FeedError(f"the feed is not well-formed XML: {problem}")
    if problem:
        parsed.problem = f"not well-formed XML ({problem}); read leniently"
    return parsed


def _xml_problem(result: Any) -> str | None:
    """What made the strict parse fail, if anything worth telling.

    feedparser also flags an encoding it had to guess or a feed served as
    text/html; those documents still parse as XML, so they are no problem.
    """
    import feedparser

    if not result.get("bozo"):
        return None
    error = result.get("bozo_exception")
    benign = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
    if isinstance(error, benign):
        return None
    message = getattr(error, "getMessage", None)
    text = message() if callable(message) else str(error)
    line = getattr(error, "getLineNumber", None)
    where = f" at line {line()}" if callable(line) and line() else ""
    return f"{text}{where}"


def _plain(value: Any, detail: Any) -> str:
    """A feed string as plain text: HTML converted, escapes and controls removed."""
    if not isinstance(value, str):
        return ""
    kind = detail.get("type") if isinstance(detail, dict) else None
    text = html_to_text(value) if kind in _HTML else clean_text(value)
    return " ".join(text.split()) if "\n" not in text else text.strip()


def _web(value: Any) -> str | None:
    if isinstance(value, str) and urlsplit(value).scheme in ("http", "https"):
        return value
    return None


def _entry(entry: Any, feed_url: str) -> FeedEntry | None:
    """One entry, or None when it has nothing to show or nothing to know it by."""
    link = _web(entry.get("link"))
    guid = entry.get("id") if isinstance(entry.get("id"), str) else None
    title = _plain(entry.get("title"), entry.get("title_detail"))
    markup, kind = None, None
    contents = entry.get("content")
    if isinstance(contents, list) and contents and isinstance(contents[0], dict):
        markup, kind = contents[0].get("value"), contents[0].get("type")
    if not isinstance(markup, str) or not markup.strip():
        markup = entry.get("summary")
        detail = entry.get("summary_detail")
        kind = detail.get("type") if isinstance(detail, dict) else "text/html"
    body = ""
    if isinstance(markup, str):
        body = html_to_text(markup) if kind in _HTML else clean_text(markup).strip()
    else:
        markup = None
    if not (title or body):
        return None
    remote_id = _remote_id(guid, link, feed_url, title, body)
    if remote_id is None:
        return None
    when = entry.get("published_parsed") or entry.get("updated_parsed")
    # author_detail.name is "Ana" where RSS wrote "ana@example.org (Ana)".
    detail = entry.get("author_detail")
    author = detail.get("name") if isinstance(detail, dict) else None
    if not isinstance(author, str):
        author = entry.get("author")
    author = " ".join(clean_text(author).split()) if isinstance(author, str) else ""
    return FeedEntry(
        remote_id=remote_id,
        title=title,
        body=body,
        markup=markup,
        url=link,
        author=author or None,
        published=calendar.timegm(when) if when else None,
    )


def _remote_id(
    guid: str | None, link: str | None, feed_url: str, title: str, body: str
) -> str | None:
    """What identifies an entry across fetches (and across feeds, when it can).

    A guid that is a URI ("https://...", "tag:...", "urn:...") names the entry
    everywhere; a bare one ("42") only within its feed, so it is qualified by
    the feed's address. Without either, the link; without a link, the text.
    """
    guid = (guid or "").strip()
    if guid and re.match(r"^[a-z][a-z0-9+.-]*:", guid, re.IGNORECASE):
        return guid[:2048]
    if guid:
        return f"{feed_url}#{guid}"[:2048]
    if link:
        return link[:2048]
    if title or body:
        digest = hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()[:32]
        return f"{feed_url}#sha256:{digest}"
    return None
