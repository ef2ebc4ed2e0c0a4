"""Reddit's JSON, read into cm-inbox's nouns.

Shapes come from the recorded traffic in tests/conformance/reddit (praw and
asyncpraw cassettes against oauth.reddit.com, 2016-2025) and the field list in
../shared/NETWORKS.md. Every answer is a ``Listing`` of things
(``{"kind": "t1"|"t3"|"t4", "data": {...}}``), or a pair of them for a thread.
Everything is untrusted: a field missing or of the wrong type raises
``Unreadable`` and the caller sets the item aside with its raw payload.

We always ask with ``raw_json=1``, so ``body_html`` is HTML (without it Reddit
escapes it once more); an escaped one is unescaped first all the same.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from cm_inbox.html_text import html_to_text
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.text import clean_text

NETWORK = "reddit"
WEB = "https://www.reddit.com"
# Fullnames: a type prefix and a base-36 id ("t1_dkk4qjd"); nothing else may reach a URL.
FULLNAME = re.compile(r"t[1-6]_[0-9a-z]{1,13}")
_ARTICLE_IN_PATH = re.compile(r"/comments/([0-9a-z]{1,13})(?:/|$)")
# Relative links in Reddit's rendered Markdown ("/u/name", "/r/sub"): made absolute,
# so the inbox shows where they really lead.
_RELATIVE_HREF = re.compile(r'href="/(?!/)')


class Unreadable(ValueError):
    """A thing is not in the shape Reddit documents; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who reads the things: our account name (as the store knows it) and our username."""

    account: str
    username: str | None = None

    def is_us(self, author: str) -> bool:
        return self.username is not None and author.lower() == self.username.lower()


def listing_children(body: Any, where: str = "answer") -> list[Any]:
    """The ``children`` of a Listing; raises ``Unreadable`` when it is not one."""
    data = body.get("data") if isinstance(body, Mapping) else None
    children = data.get("children") if isinstance(data, Mapping) else None
    if not isinstance(children, list):
        raise Unreadable(f"the {where} is not a Reddit Listing")
    return children


def listing_after(body: Any) -> str | None:
    """``data.after``: the fullname to ask ``after=`` for the next older page."""
    data = body.get("data") if isinstance(body, Mapping) else None
    after = data.get("after") if isinstance(data, Mapping) else None
    return after if isinstance(after, str) and FULLNAME.fullmatch(after) else None


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def _count(value: Any) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    return None


def parse_time(value: Any) -> int:
    """``created_utc``: Unix seconds as a float (1750354112.0)."""
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        raise Unreadable(f"created_utc is {type(value).__name__}, not a time")
    return int(value)


def rendered_text(data: Mapping[str, Any], html_key: str, markdown_key: str) -> str:
    """Plain text of a body: Reddit's own HTML rendering when given, else the Markdown as is."""
    rendered = _text(data, html_key)
    if rendered:
        if rendered.lstrip().startswith("&lt;"):  # fetched without raw_json=1
            rendered = html.unescape(rendered)
        return html_to_text(_RELATIVE_HREF.sub(f'href="{WEB}/', rendered))
    return clean_text(_text(data, markdown_key) or "").strip()


def article_of(data: Mapping[str, Any]) -> str | None:
    """The post (``t3_...``) a comment belongs to: ``link_id``, or the id in its permalink."""
    link = _text(data, "link_id")
    if link and FULLNAME.fullmatch(link) and link.startswith("t3_"):
        return link
    for key in ("permalink", "context"):
        path = _text(data, key)
        match = _ARTICLE_IN_PATH.search(path or "")
        if match:
            return "t3_" + match.group(1)
    return None


def _author(data: Mapping[str, Any]) -> str:
    author = _text(data, "author")
    if author and author.strip():
        return clean_text(author).strip()
    # Modmail carries no author: the subreddit wrote it.
    subreddit = _text(data, "subreddit")
    if subreddit and subreddit.strip():
        return "r/" + clean_text(subreddit).strip()
    if "author" in data:
        return "[deleted]"
    raise Unreadable("the thing has no author")


def _url(data: Mapping[str, Any], kind: str) -> str | None:
    if kind == "t4":
        ident = _text(data, "id")
        return f"{WEB}/message/messages/{ident}" if ident and ident.isalnum() else None
    path = _text(data, "permalink") or _text(data, "context")
    if path and path.startswith("/") and not path.startswith("//"):
        return WEB + path
    return None


def parse_thing(thing: Any, viewer: Viewer) -> IncomingComment:
    """A comment (t1), a post (t3) or a private message (t4) as a comment of ``viewer.account``."""
    if not isinstance(thing, Mapping):
        raise Unreadable(f"thing is {type(thing).__name__}, not an object")
    kind = thing.get("kind")
    data = thing.get("data")
    if kind not in ("t1", "t3", "t4") or not isinstance(data, Mapping):
        raise Unreadable(f"thing of kind {str(kind)[:10]!r} is not a comment, post or message")
    name = _text(data, "name")
    if not name or not FULLNAME.fullmatch(name) or not name.startswith(kind + "_"):
        raise Unreadable(f"name {str(name)[:30]!r} is not a {kind} fullname")
    author = _author(data)
    created_at = parse_time(data.get("created_utc"))
    parent = _text(data, "parent_id")
    parent = parent if parent and FULLNAME.fullmatch(parent) else None
    extra: dict[str, Any] = {"kind": kind}
    subreddit = _text(data, "subreddit")
    if subreddit:
        extra["subreddit"] = subreddit
    if kind == "t3":
        title = " ".join(clean_text(_text(data, "title") or "").split())
        body = rendered_text(data, "selftext_html", "selftext")
        text = "\n\n".join(part for part in (title, body) if part)
        root = name
        markup = _text(data, "selftext")
        replies = _count(data.get("num_comments"))
    elif kind == "t4":
        subject = " ".join(clean_text(_text(data, "subject") or "").split())
        body = rendered_text(data, "body_html", "body")
        # A reply in a conversation repeats "re: subject": the body alone says it.
        text = body if subject.lower().startswith("re:") or not subject else f"{subject}\n\n{body}"
        first = _text(data, "first_message_name")
        root = first if first and FULLNAME.fullmatch(first) else name
        markup = _text(data, "body")
        replies = None
    else:
        text = rendered_text(data, "body_html", "body")
        root = article_of(data)
        markup = _text(data, "body")
        replies = _reply_count(data.get("replies"))
        if root:
            extra["link_id"] = root
        mention_type = _text(data, "type")
        if mention_type and mention_type != "unknown":
            extra["type"] = mention_type  # comment_reply, post_reply, username_mention
        link_title = _text(data, "link_title")
        if link_title:
            extra["link_title"] = " ".join(clean_text(link_title).split())
    return IncomingComment(
        network=NETWORK,
        account=viewer.account,
        remote_id=name,
        author=IncomingAuthor(handle=author),
        text=text,
        created_at=created_at,
        parent_remote_id=parent,
        root_remote_id=root,
        url=_url(data, kind),
        markup=markup,
        is_ours=viewer.is_us(author),
        extra=extra,
        likes=_count(data.get("score")),
        replies=replies,
    )


def _reply_count(replies: Any) -> int | None:
    """Direct replies shown under a comment in a thread ("" when none, as Reddit writes it)."""
    if replies == "":
        return 0
    try:
        return sum(1 for child in listing_children(replies) if _kind(child) == "t1")
    except Unreadable:
        return None


def _kind(thing: Any) -> str | None:
    return thing.get("kind") if isinstance(thing, Mapping) else None


def walk_tree(things: list[Any]) -> Iterator[Any]:
    """Every thing of a comment tree, parents before their replies ("more" stubs left out)."""
    for thing in things:
        if _kind(thing) not in ("t1", "t3", "t4"):
            continue
        yield thing
        data = thing.get("data")
        replies = data.get("replies") if isinstance(data, Mapping) else None
        if isinstance(replies, Mapping):
            try:
                yield from walk_tree(listing_children(replies))
            except Unreadable:
                continue


def thread_things(body: Any) -> list[Any]:
    """The post and every comment of ``GET /comments/{article}``: a pair of Listings."""
    if not isinstance(body, list) or len(body) != 2:
        raise Unreadable("a thread is not a pair of Listings")
    return list(walk_tree(listing_children(body[0], "post") + listing_children(body[1], "tree")))


@dataclass(frozen=True, slots=True)
class CommentAnswer:
    """What ``POST /api/comment`` (api_type=json) said: the things made, or Reddit's errors."""

    things: list[Any]
    errors: list[list[str]]


def parse_comment_answer(body: Any) -> CommentAnswer:
    """``{"json": {"errors": [[code, message, field]...], "data": {"things": [...]}}}``."""
    wrapper = body.get("json") if isinstance(body, Mapping) else None
    if not isinstance(wrapper, Mapping):
        raise Unreadable("the answer has no json object")
    errors = wrapper.get("errors") or []
    if not isinstance(errors, list):
        raise Unreadable("json.errors is not a list")
    readable = [[str(part) for part in error] for error in errors if isinstance(error, list)]
    data = wrapper.get("data")
    things = data.get("things") if isinstance(data, Mapping) else None
    if readable:
        return CommentAnswer([], readable)
    if not isinstance(things, list):
        raise Unreadable("json.data.things is not a list")
    return CommentAnswer(things, [])


_WAIT = re.compile(r"(\d+)\s*(second|minute|hour)s?", re.IGNORECASE)


def ratelimit_seconds(message: str) -> float:
    """Seconds in "Take a break for 9 minutes before trying again." (60 when not said)."""
    match = _WAIT.search(message)
    if not match:
        return 60.0
    unit = {"second": 1, "minute": 60, "hour": 3600}[match.group(2).lower()]
    return float(int(match.group(1)) * unit)
