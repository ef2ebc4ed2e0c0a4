"""Bluesky answers turned into ``IncomingComment`` objects.

Shapes from the official lexicons (tests/conformance/bluesky/lexicons):
``app.bsky.notification.listNotifications#notification`` is ``{uri, cid,
author: profileView, reason, reasonSubject?, record, isRead, indexedAt,
labels?}``; ``app.bsky.feed.defs#postView`` is ``{uri, cid, author:
profileViewBasic, record, indexedAt, ...}``; the record is an
``app.bsky.feed.post`` ``{text, createdAt, langs?, facets?, reply?: {root,
parent}}`` with strong refs ``{uri, cid}``. Real bodies recorded from
bsky.social are in tests/conformance/bluesky/recorded.

Records are written by any client, so every field is checked: a record
that does not hold up raises ``Unreadable`` and is set aside by the caller.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.networks.bluesky_facets import linked_text

NETWORK = "bluesky"
POST_TYPE = "app.bsky.feed.post"
THREAD_VIEW = "app.bsky.feed.defs#threadViewPost"
NOT_FOUND = "app.bsky.feed.defs#notFoundPost"
BLOCKED = "app.bsky.feed.defs#blockedPost"
WEB = "https://bsky.app"

# Python's fromisoformat takes at most six fractional digits; the AppView
# writes three, other clients up to nine.
_FRACTION = re.compile(r"(\.\d{1,6})\d*")
# Beyond these, a date is a client's bug, not a time (the store refuses them too).
_EARLIEST = 0
_LATEST = 32_503_680_000  # year 3000


class Unreadable(ValueError):
    """An item not in the documented shape; ``str()`` says which field."""


def parse_time(value: Any) -> float | None:
    """Unix seconds from an atproto datetime, or None when it is not one.

    The lexicon asks for RFC 3339 with a timezone; older records (the SDK's
    recorded ``extended_post_record.json``) carry none, and are read as UTC.
    """
    if not isinstance(value, str) or not 10 <= len(value) <= 64:
        return None
    text = value.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    text = _FRACTION.sub(r"\1", text, count=1)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = moment.timestamp()
    return seconds if _EARLIEST <= seconds < _LATEST else None


def iso_time(seconds: float) -> str:
    """An atproto datetime as the AppView writes it: milliseconds and a Z."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def rkey_of(uri: str) -> str:
    """The record key, last segment of an at:// URI."""
    return uri.rstrip("/").rsplit("/", 1)[-1]


def did_of(uri: str) -> str | None:
    """The repository DID of an at:// URI, when it names one by DID."""
    if not uri.startswith("at://"):
        return None
    authority = uri[5:].split("/", 1)[0]
    return authority if authority.startswith("did:") else None


def post_url(handle: str | None, did: str | None, uri: str) -> str:
    """The bsky.app page of a post; by DID when the handle is unknown or invalid."""
    who = handle if handle and handle != "handle.invalid" else (did or did_of(uri) or "")
    return f"{WEB}/profile/{who}/post/{rkey_of(uri)}"


def _string(value: Any, field: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value):
        raise Unreadable(f"{field}: expected a string, got {type(value).__name__}")
    return value


def _at_uri(value: Any, field: str) -> str:
    text = _string(value, field)
    if not text.startswith("at://") or len(text) > 8192:
        raise Unreadable(f"{field}: not an at:// URI")
    return text


def _strong_ref(value: Any, field: str) -> tuple[str, str]:
    if not isinstance(value, dict):
        raise Unreadable(f"{field}: expected a strong ref {{uri, cid}}")
    return _at_uri(value.get("uri"), f"{field}.uri"), _string(value.get("cid"), f"{field}.cid")


def comment_from_post(
    *,
    account: str,
    our_did: str | None,
    uri: Any,
    cid: Any,
    author: Any,
    record: Any,
    indexed_at: Any,
) -> tuple[IncomingComment, str]:
    """One post (from a notification or a thread) as a comment, with its author's DID.

    Raises ``Unreadable`` naming the first field that is not as documented.
    """
    uri = _at_uri(uri, "uri")
    cid = _string(cid, "cid")
    if not isinstance(author, dict):
        raise Unreadable("author: expected a profile object")
    did = _string(author.get("did"), "author.did")
    handle = _string(author.get("handle"), "author.handle")
    if not isinstance(record, dict):
        raise Unreadable("record: expected an object")
    kind = record.get("$type", POST_TYPE)
    if kind != POST_TYPE:
        raise Unreadable(f"record.$type: {kind!r} is not a post")
    text = _string(record.get("text"), "record.text", empty=True)

    # createdAt is the author's claim; indexedAt the AppView's. Like the
    # AppView's own sort, take the earlier, so a post dated in the future
    # never sits on top of the queue for good.
    created = parse_time(record.get("createdAt"))
    indexed = parse_time(indexed_at)
    if created is None and indexed is None:
        raise Unreadable("record.createdAt: not a date, and no indexedAt to fall back on")
    if created is not None and indexed is not None:
        when = min(created, indexed)
    else:
        when = created if created is not None else indexed

    parent_uri = parent_cid = root_uri = root_cid = None
    reply = record.get("reply")
    if reply is not None:
        if not isinstance(reply, dict):
            raise Unreadable("record.reply: expected {root, parent}")
        parent_uri, parent_cid = _strong_ref(reply.get("parent"), "record.reply.parent")
        root_uri, root_cid = _strong_ref(reply.get("root"), "record.reply.root")

    langs = record.get("langs")
    language = None
    if isinstance(langs, list) and langs and isinstance(langs[0], str) and 0 < len(langs[0]) < 36:
        language = langs[0]
    name = author.get("displayName")
    followers = author.get("followersCount")
    comment = IncomingComment(
        network=NETWORK,
        account=account,
        remote_id=uri,
        author=IncomingAuthor(
            handle=handle,
            name=(name.strip() or None) if isinstance(name, str) else None,
            followers=followers
            if isinstance(followers, int) and not isinstance(followers, bool) and followers >= 0
            else None,
        ),
        text=linked_text(text, record.get("facets")),
        created_at=int(when or 0),
        parent_remote_id=parent_uri,
        root_remote_id=root_uri,
        url=post_url(handle, did, uri),
        language=language,
        is_ours=bool(our_did) and did == our_did,
        extra={"cid": cid, "root_uri": root_uri, "root_cid": root_cid, "parent_cid": parent_cid},
    )
    return comment, did


def comment_from_notification(
    item: Any, *, account: str, our_did: str | None
) -> tuple[IncomingComment, str]:
    """A listNotifications item (mention, reply or quote) as a comment, with its author's DID."""
    if not isinstance(item, dict):
        raise Unreadable("notification: expected an object")
    return comment_from_post(
        account=account,
        our_did=our_did,
        uri=item.get("uri"),
        cid=item.get("cid"),
        author=item.get("author"),
        record=item.get("record"),
        indexed_at=item.get("indexedAt"),
    )


def comment_from_view(
    view: Any, *, account: str, our_did: str | None
) -> tuple[IncomingComment, str]:
    """An ``app.bsky.feed.defs#postView`` as a comment, with its author's DID."""
    if not isinstance(view, dict):
        raise Unreadable("post: expected an object")
    return comment_from_post(
        account=account,
        our_did=our_did,
        uri=view.get("uri"),
        cid=view.get("cid"),
        author=view.get("author"),
        record=view.get("record"),
        indexed_at=view.get("indexedAt"),
    )


def _kind(node: Any) -> str | None:
    """Which member of getPostThread's union a node is; older AppViews omit ``$type``."""
    if not isinstance(node, dict):
        return None
    kind = node.get("$type")
    if isinstance(kind, str):
        return kind
    if node.get("notFound") is True:
        return NOT_FOUND
    if node.get("blocked") is True:
        return BLOCKED
    return THREAD_VIEW if "post" in node else None


def thread_posts(thread: Any, *, max_posts: int = 2000) -> list[dict[str, Any]]:
    """The postViews of a getPostThread ``thread``: ancestors oldest first, the post,
    then its replies depth first. Not-found and blocked posts (and what hangs
    under them) are skipped."""
    if _kind(thread) != THREAD_VIEW:
        return []
    ancestors: list[dict[str, Any]] = []
    node = thread.get("parent")
    while _kind(node) == THREAD_VIEW and len(ancestors) < max_posts:
        ancestors.append(node["post"])
        node = node.get("parent")
    ancestors.reverse()
    posts = [*ancestors, thread["post"]]
    # An explicit stack: a hostile answer could nest replies deeper than Python recurses.
    stack = list(reversed(thread.get("replies") or []))
    while stack and len(posts) < max_posts:
        node = stack.pop()
        if _kind(node) != THREAD_VIEW:
            continue
        posts.append(node["post"])
        replies = node.get("replies")
        if isinstance(replies, list):
            stack.extend(reversed(replies))
    return posts
