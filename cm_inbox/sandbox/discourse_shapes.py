"""The JSON the sandbox Discourse answers with, in the recorded shapes.

Field sets follow tests/conformance/discourse (posts/get_post_response.json,
topics/topic_response.json, notifications/get.json) so the connector reads the
twin exactly as it reads a real forum.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(slots=True)
class Post:
    id: int
    topic_id: int
    number: int
    slug: str
    username: str
    name: str
    cooked: str
    raw: str
    at: float
    reply_to: int | None  # reply_to_post_number: None for a reply to the topic itself
    likes: int = 0
    user_id: int = 0
    hidden: bool = False


def iso_ms(at: float) -> str:
    moment = datetime.fromtimestamp(at, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def post_json(post: Post, *, viewer: str, replies: int, with_raw: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": post.id,
        "name": post.name,
        "username": post.username,
        "avatar_template": f"/letter_avatar_proxy/v4/letter/{post.username[:1]}/a9a28c/{{size}}.png",
        "created_at": iso_ms(post.at),
        "cooked": post.cooked,
        "post_number": post.number,
        "post_type": 1,
        "updated_at": iso_ms(post.at),
        "reply_count": replies,
        "reply_to_post_number": post.reply_to,
        "quote_count": 0,
        "incoming_link_count": 0,
        "reads": 1 + replies,
        "score": float(post.likes),
        "yours": post.username.lower() == viewer.lower(),
        "topic_id": post.topic_id,
        "topic_slug": post.slug,
        "display_username": post.name,
        "primary_group_name": None,
        "version": 1,
        "can_edit": False,
        "can_delete": False,
        "can_recover": False,
        "can_wiki": False,
        "user_title": None,
        "actions_summary": [{"id": 2, "count": post.likes, "can_act": True}] if post.likes else [],
        "moderator": False,
        "admin": False,
        "staff": False,
        "user_id": post.user_id,
        "hidden": post.hidden,
        "hidden_reason_id": None,
        "trust_level": 1,
        "deleted_at": None,
        "user_deleted": False,
        "edit_reason": None,
        "can_view_edit_history": True,
        "wiki": False,
    }
    if with_raw:
        body["raw"] = post.raw
    return body


def notification_json(number: int, kind: int, post: Post, title: str, brand_id: int,
                      read: bool) -> dict[str, Any]:  # fmt: skip
    return {
        "id": number,
        "user_id": brand_id,
        "notification_type": kind,
        "read": read,
        "created_at": iso_ms(post.at),
        "post_number": post.number,
        "topic_id": post.topic_id,
        "fancy_title": title,
        "slug": post.slug,
        "data": {
            "topic_title": title,
            "original_post_id": post.id,
            "original_post_type": 1,
            "original_username": post.username,
            "revision_number": None,
            "display_username": post.username,
        },
    }


def topic_json(topic_id: int, posts: list[Post], *, viewer: str,
               replies_of: dict[int, int]) -> dict[str, Any]:  # fmt: skip
    first = posts[0]
    title = first.raw.split("\n", 1)[0][:80] or first.slug
    return {
        "post_stream": {
            "posts": [
                post_json(p, viewer=viewer, replies=replies_of.get(p.id, 0), with_raw=False)
                for p in posts[:20]
            ],
            "stream": [p.id for p in posts],
        },
        "id": topic_id,
        "title": title,
        "fancy_title": title,
        "posts_count": len(posts),
        "created_at": iso_ms(first.at),
        "views": len(posts) * 3,
        "reply_count": len(posts) - 1,
        "participant_count": len({p.username for p in posts}),
        "like_count": sum(p.likes for p in posts),
        "last_posted_at": iso_ms(posts[-1].at),
        "visible": True,
        "closed": False,
        "archived": False,
        "archetype": "regular",
        "slug": first.slug,
        "category_id": 1,
        "highest_post_number": max(p.number for p in posts),
        "chunk_size": 20,
    }


def errors(words: str, error_type: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"errors": [words]}
    if error_type:
        body["error_type"] = error_type
    body.update(extra)
    return body
