"""GitHub's REST JSON (issue comments and issues) read into cm-inbox's nouns.

Shapes from GitHub's OpenAPI description (tests/conformance/github: the
``issue-comment`` schema and its documented examples) and ../shared/NETWORKS.md.
Everything is untrusted: a missing or mistyped field raises ``Unreadable`` and
the caller sets the item aside with its raw payload.

Ids: GitHub comments are flat under an issue (or pull request), so a comment's
parent and root is its issue. Remote ids say where they live, because every
later call (thread, reply, reconciliation) needs the repository and number:

- an issue: ``owner/repo#12``
- a comment: ``owner/repo#12/issuecomment-345`` (GitHub's own anchor name)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from cm_inbox.html_text import html_to_text
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.text import clean_text

NETWORK = "github"

# GitHub's own rules: owner 1-39 of [A-Za-z0-9-], repository names of [A-Za-z0-9._-].
_OWNER = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})"
_REPO = r"[A-Za-z0-9._-]{1,100}"
REPO = re.compile(rf"({_OWNER})/({_REPO})")
REPO_NAME = rf"{_OWNER}/{_REPO}"  # "owner/repo" as a pattern other ids embed
_ISSUE_KEY = re.compile(rf"({_OWNER}/{_REPO})#([0-9]{{1,10}})")
_COMMENT_KEY = re.compile(rf"({_OWNER}/{_REPO})#([0-9]{{1,10}})/issuecomment-([0-9]{{1,20}})")
_ISSUE_URL = re.compile(rf"/repos/({_OWNER}/{_REPO})/issues/([0-9]{{1,10}})$")


class Unreadable(ValueError):
    """An item is not in the shape GitHub documents; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class IssueRef:
    """Where a comment lives: ``repo`` is "owner/name", ``number`` the issue's."""

    repo: str
    number: int

    @property
    def key(self) -> str:
        return f"{self.repo}#{self.number}"

    def comment_key(self, comment_id: int | str) -> str:
        return f"{self.key}/issuecomment-{comment_id}"


def parse_key(remote_id: str) -> tuple[IssueRef, str | None]:
    """The issue and, for a comment, its numeric id, from a remote id of this module."""
    match = _COMMENT_KEY.fullmatch(remote_id)
    if match:
        return IssueRef(match.group(1), int(match.group(2))), match.group(3)
    match = _ISSUE_KEY.fullmatch(remote_id)
    if match:
        return IssueRef(match.group(1), int(match.group(2))), None
    raise Unreadable(f"{remote_id[:80]!r} is not a GitHub issue or comment id")


def issue_from_url(issue_url: Any) -> IssueRef:
    """The issue of an ``issue_url`` ("https://api.github.com/repos/o/r/issues/1347")."""
    if not isinstance(issue_url, str):
        raise Unreadable("issue_url is missing")
    match = _ISSUE_URL.search(issue_url.split("?", 1)[0])
    if not match:
        raise Unreadable(f"issue_url {issue_url[:80]!r} names no issue")
    return IssueRef(match.group(1), int(match.group(2)))


def body_words(text: str) -> list[str]:
    """The words of a body without mentions: what a retry's search must match."""
    return [word for word in text.split() if not word.startswith("@")]


def parse_time(value: Any, field: str = "created_at") -> int:
    """GitHub's ISO-8601 UTC times ("2011-04-14T16:00:49Z") as Unix seconds."""
    if not isinstance(value, str) or not value:
        raise Unreadable(f"{field} is {type(value).__name__}, not a time")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Unreadable(f"{field} {value[:40]!r} is not an ISO-8601 time") from None
    if parsed.tzinfo is None:
        raise Unreadable(f"{field} {value[:40]!r} has no time zone")
    return int(parsed.timestamp())


@cache
def _markdown():
    # markdown-it-py (CommonMark, with GitHub's tables and strikethrough) renders the
    # body; html_to_text then reads it as it reads any network HTML, so a link shows
    # its real target and raw HTML in a comment is text, never markup.
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def markdown_to_text(body: str) -> str:
    """Plain text of a GitHub Markdown body: links keep their real target."""
    if not body.strip():
        return ""
    return html_to_text(_markdown().render(body))


def _user(item: Mapping[str, Any], field: str = "user") -> IncomingAuthor:
    user = item.get(field)
    if not isinstance(user, Mapping):
        raise Unreadable(f"{field} is missing (a deleted account is shown as 'ghost')")
    login = user.get("login")
    if not isinstance(login, str) or not login.strip():
        raise Unreadable(f"{field}.login is empty")
    name = user.get("name")
    name = " ".join(clean_text(name).split()) if isinstance(name, str) else None
    return IncomingAuthor(handle=clean_text(login).strip(), name=name or None, followers=None)


def _web_url(value: Any) -> str | None:
    if isinstance(value, str) and value.lower().startswith(("https://", "http://")):
        return value
    return None


def _reactions(item: Mapping[str, Any]) -> int | None:
    """Every reaction but the thumbs-down counts as a like, as people read them."""
    rollup = item.get("reactions")
    if not isinstance(rollup, Mapping):
        return None
    total = rollup.get("total_count")
    down = rollup.get("-1")
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        return None
    if isinstance(down, int) and not isinstance(down, bool) and 0 <= down <= total:
        return total - down
    return total


def parse_comment(item: Any, account: str, own_login: str | None) -> IncomingComment:
    """One issue comment (schema ``issue-comment``) as a comment of ``account``."""
    if not isinstance(item, Mapping):
        raise Unreadable(f"comment is {type(item).__name__}, not an object")
    comment_id = item.get("id")
    if not isinstance(comment_id, int) or isinstance(comment_id, bool) or comment_id <= 0:
        raise Unreadable("id is not a positive integer")
    issue = issue_from_url(item.get("issue_url"))
    author = _user(item)
    body = item.get("body")
    if body is None:
        body = ""
    if not isinstance(body, str):
        raise Unreadable(f"body is {type(body).__name__}, not text")
    association = item.get("author_association")
    minimized = item.get("minimized")
    extra: dict[str, Any] = {
        "kind": "comment",
        "created_at": item.get("created_at"),
        "node_id": item.get("node_id") if isinstance(item.get("node_id"), str) else None,
        "author_association": association if isinstance(association, str) else None,
    }
    if isinstance(minimized, Mapping) and minimized.get("is_minimized"):
        extra["minimized"] = str(minimized.get("minimized_reason") or "hidden")
    return IncomingComment(
        network=NETWORK,
        account=account,
        remote_id=issue.comment_key(comment_id),
        author=author,
        text=markdown_to_text(body),
        created_at=parse_time(item.get("created_at")),
        parent_remote_id=issue.key,
        root_remote_id=issue.key,
        url=_web_url(item.get("html_url")),
        markup=body,
        is_ours=own_login is not None and author.handle.lower() == own_login.lower(),
        extra=extra,
        likes=_reactions(item),
    )


def parse_issue(item: Any, repo: str, account: str, own_login: str | None) -> IncomingComment:
    """An issue or pull request (its opening post) as the root comment of its thread.

    The title leads the text on its own line: it is what the thread is about.
    """
    if not isinstance(item, Mapping):
        raise Unreadable(f"issue is {type(item).__name__}, not an object")
    number = item.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
        raise Unreadable("number is not a positive integer")
    issue = IssueRef(repo, number)
    title = item.get("title")
    if not isinstance(title, str):
        raise Unreadable("title is missing")
    body = item.get("body")
    if body is not None and not isinstance(body, str):
        raise Unreadable(f"body is {type(body).__name__}, not text")
    text = " ".join(clean_text(title).split())
    rendered = markdown_to_text(body or "")
    author = _user(item)
    comments = item.get("comments")
    return IncomingComment(
        network=NETWORK,
        account=account,
        remote_id=issue.key,
        author=author,
        text=f"{text}\n\n{rendered}" if rendered else text,
        created_at=parse_time(item.get("created_at")),
        parent_remote_id=None,
        root_remote_id=issue.key,
        url=_web_url(item.get("html_url")),
        markup=body,
        is_ours=own_login is not None and author.handle.lower() == own_login.lower(),
        extra={
            "kind": "pull_request" if item.get("pull_request") else "issue",
            "created_at": item.get("created_at"),
            "node_id": item.get("node_id") if isinstance(item.get("node_id"), str) else None,
        },
        likes=_reactions(item),
        replies=comments if isinstance(comments, int) and not isinstance(comments, bool) else None,
    )
