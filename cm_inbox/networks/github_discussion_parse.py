"""GitHub Discussions (GraphQL ``Discussion`` and ``DiscussionComment`` nodes) read
into cm-inbox's nouns.

Shapes from GitHub's "Using the GraphQL API for Discussions" guide and its
GraphQL reference: ``Discussion`` has ``id``, ``number``, ``title``, ``url``,
``body`` (Markdown), ``createdAt``, ``updatedAt``, ``author`` (an ``Actor``,
null once the account is deleted), ``upvoteCount``; ``DiscussionComment`` adds
``databaseId``, ``authorAssociation``, ``isMinimized``/``minimizedReason``,
``replyTo`` (the comment it answers) and ``replies``. Discussions nest one
level only: a reply's ``replyTo`` is always a top-level comment.

Remote ids copy GitHub's own addresses, so a reader recognises them:

- a discussion: ``owner/repo/discussions/12``
- a comment or reply: ``owner/repo/discussions/12#discussioncomment-345``
  (the anchor github.com uses, with the comment's ``databaseId``)

``extra`` keeps what a reply needs later: ``discussion_id`` (the discussion's
node id), ``node_id`` (the comment's) and ``thread_id`` (the node id of the
top-level comment a reply must go under).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.networks.github_parse import (
    NETWORK,
    REPO_NAME,
    Unreadable,
    markdown_to_text,
    parse_time,
)
from cm_inbox.text import clean_text

_KEY = re.compile(
    rf"({REPO_NAME})/discussions/([0-9]{{1,10}})(?:#discussioncomment-([0-9]{{1,20}}))?"
)
# A deleted account: GitHub's pages show such posts as written by "ghost".
GHOST = "ghost"
# What ``extra["kind"]`` says of each.
ROOT, COMMENT, REPLY = "discussion", "discussion_comment", "discussion_reply"


@dataclass(frozen=True, slots=True)
class DiscussionRef:
    """A discussion: ``repo`` is "owner/name", ``number`` the discussion's."""

    repo: str
    number: int

    @property
    def key(self) -> str:
        return f"{self.repo}/discussions/{self.number}"

    @property
    def owner(self) -> str:
        return self.repo.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.repo.split("/", 1)[1]

    def comment_key(self, database_id: int | str) -> str:
        return f"{self.key}#discussioncomment-{database_id}"


def is_discussion_key(remote_id: str) -> bool:
    """Whether a remote id names a discussion or one of its comments."""
    return _KEY.fullmatch(remote_id) is not None


def parse_discussion_key(remote_id: str) -> tuple[DiscussionRef, str | None]:
    """The discussion and, for a comment, its ``databaseId``, from a remote id of this module."""
    match = _KEY.fullmatch(remote_id)
    if not match:
        raise Unreadable(f"{remote_id[:80]!r} is not a GitHub discussion or discussion comment id")
    return DiscussionRef(match.group(1), int(match.group(2))), match.group(3)


def _author(node: Mapping[str, Any]) -> IncomingAuthor:
    author = node.get("author")
    if author is None:
        return IncomingAuthor(handle=GHOST, name=None, followers=None)
    if not isinstance(author, Mapping):
        raise Unreadable(f"author is {type(author).__name__}, not an object")
    login = author.get("login")
    if not isinstance(login, str) or not login.strip():
        raise Unreadable("author.login is empty")
    return IncomingAuthor(handle=clean_text(login).strip(), name=None, followers=None)


def _node_id(node: Mapping[str, Any], field: str = "id") -> str:
    value = node.get(field)
    if not isinstance(value, str) or not value.strip():
        raise Unreadable(f"{field} is not a node id")
    return value


def _database_id(node: Mapping[str, Any]) -> int:
    value = node.get("databaseId")
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise Unreadable("databaseId is not a positive integer")
    return value


def _body(node: Mapping[str, Any]) -> str:
    body = node.get("body")
    if body is None:
        return ""
    if not isinstance(body, str):
        raise Unreadable(f"body is {type(body).__name__}, not text")
    return body


def _count(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _web_url(value: Any) -> str | None:
    if isinstance(value, str) and value.lower().startswith(("https://", "http://")):
        return value
    return None


def _is_ours(author: IncomingAuthor, own_login: str | None) -> bool:
    return own_login is not None and author.handle.lower() == own_login.lower()


def parse_discussion(node: Any, repo: str, account: str, own_login: str | None) -> IncomingComment:
    """A discussion's opening post as the root of its thread; the title leads the text."""
    if not isinstance(node, Mapping):
        raise Unreadable(f"discussion is {type(node).__name__}, not an object")
    number = node.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
        raise Unreadable("number is not a positive integer")
    ref = DiscussionRef(repo, number)
    node_id = _node_id(node)
    title = node.get("title")
    if not isinstance(title, str):
        raise Unreadable("title is missing")
    body = _body(node)
    author = _author(node)
    heading = " ".join(clean_text(title).split())
    rendered = markdown_to_text(body)
    return IncomingComment(
        network=NETWORK,
        account=account,
        remote_id=ref.key,
        author=author,
        text=f"{heading}\n\n{rendered}" if rendered else heading,
        created_at=parse_time(node.get("createdAt"), "createdAt"),
        parent_remote_id=None,
        root_remote_id=ref.key,
        url=_web_url(node.get("url")),
        markup=body,
        is_ours=_is_ours(author, own_login),
        extra={
            "kind": ROOT,
            "created_at": node.get("createdAt"),
            "node_id": node_id,
            "discussion_id": node_id,
        },
        likes=_count(node.get("upvoteCount")),
    )


def parse_discussion_comment(
    node: Any,
    ref: DiscussionRef,
    discussion_id: str,
    account: str,
    own_login: str | None,
    *,
    within: Mapping[str, Any] | None = None,
) -> IncomingComment:
    """A top-level comment, or a reply (``replyTo`` set), of the discussion ``ref``.

    ``within``: the top-level comment whose ``replies`` held this node, which
    stands for ``replyTo`` when the answer leaves it out.
    """
    if not isinstance(node, Mapping):
        raise Unreadable(f"discussion comment is {type(node).__name__}, not an object")
    node_id = _node_id(node)
    database_id = _database_id(node)
    body = _body(node)
    author = _author(node)
    reply_to = node.get("replyTo")
    if reply_to is None and within is not None:
        reply_to = within
    if reply_to is not None:
        if not isinstance(reply_to, Mapping):
            raise Unreadable(f"replyTo is {type(reply_to).__name__}, not an object")
        parent = ref.comment_key(_database_id(reply_to))
        thread_id = _node_id(reply_to)
        kind = REPLY
    else:
        parent, thread_id, kind = ref.key, node_id, COMMENT
    association = node.get("authorAssociation")
    extra: dict[str, Any] = {
        "kind": kind,
        "created_at": node.get("createdAt"),
        "node_id": node_id,
        "discussion_id": discussion_id,
        "thread_id": thread_id,
        "author_association": association if isinstance(association, str) else None,
    }
    if node.get("isMinimized") is True:
        extra["minimized"] = str(node.get("minimizedReason") or "hidden")
    replies = node.get("replies")
    return IncomingComment(
        network=NETWORK,
        account=account,
        remote_id=ref.comment_key(database_id),
        author=author,
        text=markdown_to_text(body),
        created_at=parse_time(node.get("createdAt"), "createdAt"),
        parent_remote_id=parent,
        root_remote_id=ref.key,
        url=_web_url(node.get("url")),
        markup=body,
        is_ours=_is_ours(author, own_login),
        extra=extra,
        likes=_count(node.get("upvoteCount")),
        replies=_count(replies.get("totalCount")) if isinstance(replies, Mapping) else None,
    )


def touched_at(node: Mapping[str, Any]) -> int:
    """When a discussion or comment last changed (``updatedAt``, else ``createdAt``)."""
    value = node.get("updatedAt") or node.get("createdAt")
    return parse_time(value, "updatedAt")
