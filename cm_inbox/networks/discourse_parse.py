"""Discourse's JSON, read into cm-inbox's nouns.

Shapes come from the example responses shipped with Discourse's API docs and
its OpenAPI description (tests/conformance/discourse), and the field list in
../shared/NETWORKS.md. A post carries ``id``, ``username``, ``name``,
``cooked`` (HTML), sometimes ``raw`` (Markdown), ``created_at``,
``topic_id``, ``post_number`` and ``reply_to_post_number``: the parent is
named by its number in the topic, not by its id, so the connector resolves it.
Everything here is untrusted: a bad field raises ``Unreadable`` and the caller
sets the item aside with its raw payload.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from cm_inbox.html_text import html_to_text
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.text import clean_text

NETWORK = "discourse"

# Notification types that bring a post addressed to the brand (NETWORKS.md):
# mentioned, replied, quoted, private message, posted (a watched topic), group mentioned.
COMMENT_TYPES = frozenset({1, 2, 3, 6, 9, 15})
PRIVATE_MESSAGE = 6


class Unreadable(ValueError):
    """An item is not in the shape Discourse documents; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who reads the posts: our account on our forum."""

    account: str  # AccountInfo.name
    site: str  # the forum's base URL, e.g. "https://forum.lumo.app"
    own_username: str | None = None  # lower-cased


def site_host(site: str) -> str:
    parts = urlsplit(site if "://" in site else "https://" + site)
    return (parts.netloc or parts.path).lower()


def parse_time(value: Any, key: str = "created_at") -> int:
    """Discourse's ISO-8601 UTC times ("2016-10-03T13:37:16.594Z") as Unix seconds."""
    if not isinstance(value, str) or not value:
        raise Unreadable(f"{key} is {type(value).__name__}, not a time")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Unreadable(f"{key} {value[:40]!r} is not an ISO-8601 time") from None
    if parsed.tzinfo is None:
        raise Unreadable(f"{key} {value[:40]!r} has no time zone")
    return int(parsed.timestamp())


def int_field(item: Mapping[str, Any], key: str, *, required: bool = True) -> int | None:
    """A positive integer. The OpenAPI types ``reply_to_post_number`` as a string in
    some answers, so a decimal string is read too; booleans never are."""
    value = item.get(key)
    if value is None and not required:
        return None
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Unreadable(f"{key} is {type(value).__name__}, not a number")
    return value


def _count(item: Mapping[str, Any], key: str) -> int | None:
    value = item.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def post_text(post: Mapping[str, Any]) -> str:
    """Plain text of a post: from ``cooked`` (links keep their real target), else ``raw``.

    ``cooked`` is what readers see (quotes, oneboxes, mentions already
    resolved); ``raw`` Markdown is only a fallback for answers that lack it.
    """
    cooked = post.get("cooked")
    if isinstance(cooked, str) and cooked.strip():
        return html_to_text(cooked)
    raw = post.get("raw")
    if isinstance(raw, str):
        return clean_text(raw).strip()
    raise Unreadable("post has neither cooked nor raw text")


def post_url(site: str, post: Mapping[str, Any], topic_id: int, number: int) -> str:
    slug = post.get("topic_slug")
    slug = quote(slug, safe="-_") if isinstance(slug, str) and slug else "-"
    return f"{site.rstrip('/')}/t/{slug}/{topic_id}/{number}"


def parse_post(post: Any, viewer: Viewer, *, parent_id: str | None = None,
               root_id: str | None = None) -> IncomingComment:  # fmt: skip
    """One post as a comment of ``viewer.account``; raises ``Unreadable`` on a bad shape.

    ``parent_id`` and ``root_id`` are the post ids the connector resolved from
    ``reply_to_post_number`` and the topic's first post; ``extra`` keeps the
    numbers a reply needs (``topic_id``, ``post_number``).
    """
    if not isinstance(post, Mapping):
        raise Unreadable(f"post is {type(post).__name__}, not an object")
    post_id = int_field(post, "id")
    topic_id = int_field(post, "topic_id")
    number = int_field(post, "post_number")
    assert post_id is not None and topic_id is not None and number is not None
    username = post.get("username")
    if not isinstance(username, str) or not username.strip():
        raise Unreadable("username is missing")
    handle = clean_text(username).strip()
    name = post.get("name")
    name = " ".join(clean_text(name).split()) if isinstance(name, str) else ""
    reply_to = int_field(post, "reply_to_post_number", required=False)
    raw = post.get("raw")
    own = viewer.own_username
    return IncomingComment(
        network=NETWORK,
        account=viewer.account,
        remote_id=str(post_id),
        author=IncomingAuthor(handle=handle, name=name or None),
        text=post_text(post),
        created_at=parse_time(post.get("created_at")),
        parent_remote_id=parent_id,
        root_remote_id=root_id,
        url=post_url(viewer.site, post, topic_id, number),
        markup=raw if isinstance(raw, str) else _str(post.get("cooked")),
        is_ours=own is not None and handle.lower() == own,
        extra={
            "topic_id": topic_id,
            "post_number": number,
            "reply_to_post_number": reply_to,
            "username": handle,
        },
        likes=_like_count(post),
        replies=_count(post, "reply_count"),
    )


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _like_count(post: Mapping[str, Any]) -> int | None:
    """``like_count`` where given (search results), else the like action's count (id 2)."""
    direct = _count(post, "like_count")
    if direct is not None:
        return direct
    actions = post.get("actions_summary")
    if isinstance(actions, list):
        for action in actions:
            if isinstance(action, Mapping) and action.get("id") == 2:
                return _count(action, "count")
    return None


@dataclass(frozen=True, slots=True)
class NotificationRef:
    """What a comment notification points at: its post, by id or by number."""

    id: int
    kind: int
    topic_id: int
    post_number: int
    post_id: int | None  # data.original_post_id, where the notification says it
    username: str | None  # data.original_username / display_username


def parse_notification(item: Any) -> NotificationRef | None:
    """A notification that brings a post, or None for the others (badges, likes...).

    Raises ``Unreadable`` when a comment notification lacks what finds its post.
    """
    if not isinstance(item, Mapping):
        raise Unreadable(f"notification is {type(item).__name__}, not an object")
    notification_id = int_field(item, "id")
    kind = int_field(item, "notification_type")
    assert notification_id is not None and kind is not None
    if kind not in COMMENT_TYPES:
        return None
    topic_id = int_field(item, "topic_id")
    number = int_field(item, "post_number")
    assert topic_id is not None and number is not None
    data = item.get("data")
    data = data if isinstance(data, Mapping) else {}
    post_id = None
    try:
        post_id = int_field(data, "original_post_id", required=False)
    except Unreadable:
        post_id = None  # the number still finds the post
    username = data.get("original_username") or data.get("display_username")
    return NotificationRef(
        id=notification_id,
        kind=kind,
        topic_id=topic_id,
        post_number=number,
        post_id=post_id,
        username=clean_text(username) if isinstance(username, str) else None,
    )


def notification_ids(body: Any) -> list[int]:
    """Ids of every notification in a page, readable or not (the cursor moves past all)."""
    items = body.get("notifications") if isinstance(body, Mapping) else None
    ids = []
    for item in items if isinstance(items, list) else ():
        value = item.get("id") if isinstance(item, Mapping) else None
        if isinstance(value, int) and not isinstance(value, bool):
            ids.append(value)
    return ids


def topic_posts(body: Any) -> list[Any]:
    """The posts of a topic answer (``post_stream.posts``), or of a search (``posts``)."""
    if not isinstance(body, Mapping):
        raise Unreadable(f"topic is {type(body).__name__}, not an object")
    stream = body.get("post_stream")
    posts = stream.get("posts") if isinstance(stream, Mapping) else body.get("posts")
    if not isinstance(posts, list):
        raise Unreadable("no post list in the answer")
    return posts


def numbers_to_ids(posts: list[Any]) -> dict[int, str]:
    """post_number → post id, for every post in the list that says both."""
    found: dict[int, str] = {}
    for post in posts:
        if not isinstance(post, Mapping):
            continue
        try:
            number = int_field(post, "post_number")
            post_id = int_field(post, "id")
        except Unreadable:
            continue
        assert number is not None
        found[number] = str(post_id)
    return found


def parent_number(post: Mapping[str, Any]) -> int | None:
    """The number of the post this one answers: ``reply_to_post_number``, or the
    topic's first post for a reply to the topic (Discourse leaves the number out
    then); None for a topic's first post."""
    number = int_field(post, "post_number")
    reply_to = int_field(post, "reply_to_post_number", required=False)
    if reply_to:
        return reply_to
    return 1 if number and number > 1 else None


def error_text(body: Any) -> str | None:
    """Discourse's own words: ``{"errors": [...], "error_type": ...}`` (and rate-limit extras)."""
    if not isinstance(body, Mapping):
        return None
    errors = body.get("errors")
    if isinstance(errors, list):
        words = [clean_text(e) for e in errors if isinstance(e, str)]
        if words:
            return "; ".join(words)
    for key in ("error", "message", "error_type"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return clean_text(value)
    return None
