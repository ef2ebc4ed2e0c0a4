"""YouTube Data API v3 answers read into comments, and its errors into ours.

Shapes from the discovery document and the recorded bodies in
tests/conformance/youtube (python-youtube's captures of the real API):

- ``commentThreads.list`` answers ``{items: [CommentThread], nextPageToken?}``;
  a thread is ``{id, snippet: {videoId?, channelId?, topLevelComment: Comment,
  totalReplyCount, canReply, isPublic}, replies?: {comments: [Comment]}}``.
- ``comments.list`` and ``comments.insert`` answer Comments: ``{id, snippet:
  {authorDisplayName, authorChannelId: {value}, authorChannelUrl, textDisplay,
  textOriginal, parentId?, likeCount, publishedAt, updatedAt, videoId?}}``.
  A reply's id is its thread's id, a dot, and its own part.
- ``textDisplay`` is HTML with ``textFormat=html`` (the default: links are
  ``<a href>``, line breaks ``<br />``) and plain with ``textFormat=plainText``;
  both occur in the recordings. ``textOriginal`` is only promised to the author.
- Errors are ``{"error": {"code", "message", "errors": [{"domain", "reason",
  "message"}], "status"?}}``; the reason says what happened (``quotaExceeded``,
  ``commentsDisabled``, ``keyInvalid``, ``forbidden``...).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cm_inbox.html_text import html_to_text
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.text import clean_text

NETWORK = "youtube"
WATCH_URL = "https://www.youtube.com/watch"


class Unreadable(ValueError):
    """An item not in the documented shape; it is set aside with its payload."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who reads: the account name comments are filed under, and our own channel id."""

    account: str
    channel_id: str | None = None


def parse_time(value: Any) -> int:
    """RFC 3339 times, with or without fractions ("2019-06-23T02:49:00.000Z"), as Unix seconds."""
    if not isinstance(value, str) or not value:
        raise Unreadable(f"publishedAt is {type(value).__name__}, not a time")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Unreadable(f"publishedAt {value[:40]!r} is not an RFC 3339 time") from None
    if parsed.tzinfo is None:
        raise Unreadable(f"publishedAt {value[:40]!r} has no time zone")
    return int(parsed.timestamp())


def comment_text(snippet: Mapping[str, Any]) -> str:
    """Plain text of a comment: ``textDisplay`` read as HTML when it is, links to their target."""
    display = snippet.get("textDisplay")
    original = snippet.get("textOriginal")
    if isinstance(display, str) and display:
        if "<" in display or "&" in display:
            return html_to_text(display.replace("\n", "<br>"))
        return clean_text(display).strip()
    if isinstance(original, str):
        return clean_text(original).strip()
    raise Unreadable("comment has neither textDisplay nor textOriginal")


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _web_url(value: Any) -> str | None:
    if isinstance(value, str) and value.lower().startswith(("https://", "http://")):
        return value
    return None


def author_of(snippet: Mapping[str, Any]) -> tuple[IncomingAuthor, str | None]:
    """The author and their channel id.

    Since 2024 ``authorDisplayName`` is the channel's "@handle"; older answers
    (the recordings) carry a free display name, so the channel id, which never
    changes, stands as the handle and the name is kept beside it.
    """
    name = snippet.get("authorDisplayName")
    name = " ".join(clean_text(name).split()) if isinstance(name, str) else ""
    channel = snippet.get("authorChannelId")
    channel_id = channel.get("value") if isinstance(channel, Mapping) else None
    channel_id = clean_text(channel_id).strip() if isinstance(channel_id, str) else None
    if name.startswith("@") and " " not in name:
        return IncomingAuthor(handle=name), channel_id or None
    if channel_id:
        return IncomingAuthor(handle=channel_id, name=name or None), channel_id
    if name:
        return IncomingAuthor(handle=name), None
    raise Unreadable("comment has no author name or channel")


def parse_comment(
    item: Any,
    viewer: Viewer,
    *,
    video_id: str | None = None,
    replies: int | None = None,
) -> IncomingComment:
    """One ``youtube#comment`` as a comment of ``viewer.account``; ``Unreadable`` on a bad shape.

    A reply's parent is the thread's top-level comment (``snippet.parentId``;
    YouTube threads are one level deep), which is also its root.
    """
    if not isinstance(item, Mapping):
        raise Unreadable(f"comment is {type(item).__name__}, not an object")
    remote_id = item.get("id")
    if not isinstance(remote_id, str) or not remote_id.strip():
        raise Unreadable("comment has no id")
    snippet = item.get("snippet")
    if not isinstance(snippet, Mapping):
        raise Unreadable("comment has no snippet")
    created_at = parse_time(snippet.get("publishedAt"))
    author, channel_id = author_of(snippet)
    parent = snippet.get("parentId")
    if parent is not None and (not isinstance(parent, str) or not parent.strip()):
        raise Unreadable("parentId is not an id")
    if parent is None and "." in remote_id:
        parent = remote_id.split(".", 1)[0]  # a reply's id starts with its thread's
    video = snippet.get("videoId") if isinstance(snippet.get("videoId"), str) else video_id
    url = f"{WATCH_URL}?v={video}&lc={remote_id}" if video else None
    if url is None:
        url = _web_url(snippet.get("authorChannelUrl"))
    extra: dict[str, Any] = {"thread_id": parent or remote_id}
    if video:
        extra["video_id"] = video
    if channel_id:
        extra["author_channel_id"] = channel_id
    is_ours = bool(viewer.channel_id) and channel_id == viewer.channel_id
    display = snippet.get("textDisplay")
    return IncomingComment(
        network=NETWORK,
        account=viewer.account,
        remote_id=remote_id,
        author=author,
        text=comment_text(snippet),
        created_at=created_at,
        parent_remote_id=parent,
        root_remote_id=parent or None,
        url=url,
        markup=display if isinstance(display, str) and "<" in display else None,
        is_ours=is_ours,
        likes=_count(snippet.get("likeCount")),
        replies=replies,
        extra=extra,
    )


@dataclass(slots=True)
class ThreadRead:
    """What one comment thread turned into."""

    comments: list[IncomingComment]
    top_published: int
    # Replies YouTube holds beyond those the thread carried (fetch with comments.list).
    missing_replies: int


def parse_thread(item: Any, viewer: Viewer) -> ThreadRead:
    """A ``youtube#commentThread``: its top-level comment and the replies it carries."""
    if not isinstance(item, Mapping):
        raise Unreadable(f"thread is {type(item).__name__}, not an object")
    snippet = item.get("snippet")
    if not isinstance(snippet, Mapping):
        raise Unreadable("thread has no snippet")
    video = snippet.get("videoId") if isinstance(snippet.get("videoId"), str) else None
    total = _count(snippet.get("totalReplyCount"))
    top = parse_comment(snippet.get("topLevelComment"), viewer, video_id=video, replies=total)
    comments = [top]
    replies = item.get("replies")
    if replies is not None and not isinstance(replies, Mapping):
        raise Unreadable("replies is not an object")
    carried = replies.get("comments") if replies else None
    if carried is not None and not isinstance(carried, list):
        raise Unreadable("replies.comments is not a list")
    for reply in carried or ():
        comment = parse_comment(reply, viewer, video_id=video)
        comment.parent_remote_id = comment.parent_remote_id or top.remote_id
        comment.root_remote_id = top.remote_id
        comments.append(comment)
    missing = max(0, (total or 0) - (len(comments) - 1))
    return ThreadRead(comments, top.created_at, missing)


def list_items(body: Any, kind: str) -> list[Any]:
    """The ``items`` of a list answer of ``kind`` ("youtube#commentThreadListResponse")."""
    if not isinstance(body, Mapping):
        raise Unreadable(f"{kind} is not an object")
    found = body.get("kind")
    if found is not None and found != kind:
        raise Unreadable(f"expected {kind}, got {str(found)[:60]!r}")
    items = body.get("items", [])
    if not isinstance(items, list):
        raise Unreadable("items is not a list")
    return items


def next_page(body: Any) -> str | None:
    token = body.get("nextPageToken") if isinstance(body, Mapping) else None
    return token if isinstance(token, str) and token else None


@dataclass(frozen=True, slots=True)
class ApiError:
    """An error answer: HTTP code, the first reason and the message, in Google's words."""

    code: int
    reason: str
    message: str


def parse_error(body: Any, status: int) -> ApiError:
    """``{"error": {...}}`` read; anything else becomes the bare status."""
    error = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        return ApiError(status, "", f"HTTP {status}")
    reasons = error.get("errors")
    first = reasons[0] if isinstance(reasons, list) and reasons else {}
    reason = first.get("reason") if isinstance(first, Mapping) else None
    message = error.get("message")
    if not isinstance(message, str) or not message:
        message = first.get("message") if isinstance(first, Mapping) else None
    text = " ".join(clean_text(str(message or f"HTTP {status}")).split())[:300]
    code = error.get("code")
    return ApiError(
        code if isinstance(code, int) and not isinstance(code, bool) else status,
        clean_text(reason) if isinstance(reason, str) else "",
        text,
    )
