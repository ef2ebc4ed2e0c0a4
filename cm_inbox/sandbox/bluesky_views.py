"""The views the sandbox AppView answers with, in the shapes of app.bsky.actor.defs,
app.bsky.feed.defs and app.bsky.notification.listNotifications.
"""

from __future__ import annotations

from typing import Any

from cm_inbox.sandbox.bluesky_records import Post, cid_for
from cm_inbox.sandbox.bluesky_twin import BlueskyTwin

THREAD_VIEW = "app.bsky.feed.defs#threadViewPost"
NOT_FOUND = "app.bsky.feed.defs#notFoundPost"


def profile(twin: BlueskyTwin, did: str, *, kind: str = "basic") -> dict[str, Any]:
    """actor.defs#profileViewBasic, #profileView ("full") or #profileViewDetailed."""
    handle, name, followers = twin.authors().get(did, ("handle.invalid", None, None))
    view: dict[str, Any] = {"did": did, "handle": handle}
    if name:
        view["displayName"] = name
    view["avatar"] = f"https://cdn.bsky.app/img/avatar/plain/{did}/{cid_for(did)}@jpeg"
    view["viewer"] = {"muted": False, "blockedBy": False}
    view["labels"] = []
    view["createdAt"] = "2023-09-01T12:00:00.000Z"
    if kind != "basic":
        view["indexedAt"] = "2026-01-15T08:00:00.000Z"
    if kind == "detailed":
        view["followersCount"] = followers or 0
        view["followsCount"] = (followers or 0) % 997
        view["postsCount"] = sum(1 for p in twin.posts()[0].values() if p.did == did)
    return view


def post_view(twin: BlueskyTwin, post: Post, children: dict[str, list[Post]]) -> dict[str, Any]:
    """feed.defs#postView."""
    return {
        "uri": post.uri,
        "cid": post.cid,
        "author": profile(twin, post.did),
        "record": post.record,
        "replyCount": len(children.get(post.uri, ())),
        "repostCount": 0,
        "likeCount": int(post.cid[-3:], 36) % 40,
        "quoteCount": 0,
        "indexedAt": post.indexed,
        "viewer": {"threadMuted": False},
        "labels": [],
    }


def thread(twin: BlueskyTwin, post: Post, depth: int, height: int) -> dict[str, Any]:
    """feed.defs#threadViewPost: ``height`` parents up, ``depth`` levels of replies down."""
    by_uri, children = twin.posts()
    node: dict[str, Any] = {"$type": THREAD_VIEW, "post": post_view(twin, post, children)}
    chain, cursor = node, post
    for _ in range(height):  # the parents, each without its other replies
        if not cursor.parent:
            break
        parent = by_uri.get(cursor.parent)
        if parent is None:
            chain["parent"] = {"$type": NOT_FOUND, "uri": cursor.parent, "notFound": True}
            break
        chain["parent"] = {"$type": THREAD_VIEW, "post": post_view(twin, parent, children)}
        chain, cursor = chain["parent"], parent
    node["replies"] = _replies(twin, post, depth, children)
    return node


def _replies(
    twin: BlueskyTwin, post: Post, depth: int, children: dict[str, list[Post]]
) -> list[Any]:
    if depth <= 0:
        return []
    return [
        {
            "$type": THREAD_VIEW,
            "post": post_view(twin, child, children),
            "replies": _replies(twin, child, depth - 1, children),
        }
        for child in children.get(post.uri, ())
    ]


def notification(twin: BlueskyTwin, post: Post) -> dict[str, Any]:
    """notification.listNotifications#notification."""
    item = {
        "uri": post.uri,
        "cid": post.cid,
        "author": profile(twin, post.did, kind="full"),
        "reason": post.reason,
        "record": post.record,
        "isRead": twin.seen_ms is not None and post.indexed_ms <= twin.seen_ms,
        "indexedAt": post.indexed,
        "labels": [],
    }
    if post.subject:
        item["reasonSubject"] = post.subject
    return item
