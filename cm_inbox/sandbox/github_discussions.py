"""The sandbox's GitHub Discussions: which generated forum threads are discussions,
and the comments and replies they hold, generated and posted.

One forum thread in ``DISCUSSION_SHARE`` is a discussion in the app's repository:
its opening post the discussion, an answer to it a top-level comment, and an
answer further down a reply under the top-level comment it descends from
(GitHub nests one level only). A discussion's ``updatedAt`` moves with its
newest comment or reply, as the "Latest activity" order of github.com shows
it; that is what a walk by ``UPDATED_AT`` relies on.
"""

from __future__ import annotations

import itertools
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

from cm_inbox.sandbox.github_common import (
    DISCUSSION_REPOS,
    SOURCE,
    is_discussion_thread,
    login_of,
    number,
)
from cm_inbox.sandbox.state import SandboxState


@dataclass
class Thread:
    """A discussion."""

    repo: str
    number: int
    database_id: int
    title: str
    body: str
    login: str
    at: float
    comments: list[Note] = field(default_factory=list)

    @property
    def node_id(self) -> str:
        return f"D_{self.database_id}"

    @property
    def key(self) -> str:
        return f"{self.repo}/discussions/{self.number}"

    @property
    def updated(self) -> float:
        times = [self.at]
        for comment in self.comments:
            times.append(comment.updated)
            times.extend(reply.updated for reply in comment.replies)
        return max(times)


@dataclass
class Note:
    """A discussion comment: top-level (``reply_to`` None) or a reply under one."""

    database_id: int
    thread: Thread
    login: str
    body: str
    at: float
    reply_to: Note | None = None
    replies: list[Note] = field(default_factory=list)

    @property
    def node_id(self) -> str:
        return f"DC_{self.database_id}"

    @property
    def updated(self) -> float:
        return self.at

    @property
    def key(self) -> str:
        return f"{self.thread.key}#discussioncomment-{self.database_id}"


class DiscussionWorld:
    """The discussions the clock has reached, rebuilt per request from the shared state."""

    def __init__(self, state: SandboxState, hidden: MutableMapping[str, str]) -> None:
        self.state = state
        self.hidden = hidden  # node id -> minimized reason, shared with the REST twin
        self.posted: list[dict[str, Any]] = []
        # GraphQL's Int is 32-bit: database ids stay below 2**31.
        self.ids = itertools.count(2_000_000_000)

    def threads(self) -> dict[tuple[str, int], Thread]:
        """Every visible discussion by (repository, number), comments oldest first."""
        threads: dict[str, Thread] = {}
        top_of: dict[str, Note] = {}  # generated record id -> its top-level comment
        for record in self.state.records(SOURCE):
            parent = record.get("parent_id")
            root = record.get("root_id") or parent
            login = login_of(record["author"]["handle"])
            if not parent and is_discussion_thread(record["id"]):
                text = record["text"]
                threads[record["id"]] = Thread(
                    DISCUSSION_REPOS[0], number(record["id"], 100, 90_000),
                    number(record["id"], 10**6, 10**8), " ".join(text.split()[:8]), text,
                    login, float(record["_at"]),
                )  # fmt: skip
                continue
            thread = threads.get(root or "")
            if thread is None:
                continue
            note = Note(number(record["id"], 10**8, 10**9), thread, login, record["text"],
                        float(record["_at"]))  # fmt: skip
            top = top_of.get(parent or "")
            if top is None:
                thread.comments.append(note)
                top_of[record["id"]] = note
            else:
                note.reply_to = top
                top.replies.append(note)
                top_of[record["id"]] = top
        found = {(t.repo, t.number): t for t in threads.values()}
        for posted in self.posted:
            thread = found.get(posted["discussion"])
            if thread is None:
                continue
            note = Note(posted["id"], thread, posted["login"], posted["body"], posted["at"])
            top = next((c for c in thread.comments if c.database_id == posted["reply_to"]), None)
            if top is None:
                thread.comments.append(note)
            else:
                note.reply_to = top
                top.replies.append(note)
        for thread in found.values():
            thread.comments.sort(key=lambda c: (c.at, c.database_id))
            for comment in thread.comments:
                comment.replies.sort(key=lambda c: (c.at, c.database_id))
        return found

    @staticmethod
    def nodes(threads: dict[tuple[str, int], Thread]) -> dict[str, Thread | Note]:
        """Every discussion, comment and reply by node id."""
        found: dict[str, Thread | Note] = {}
        for thread in threads.values():
            found[thread.node_id] = thread
            for comment in thread.comments:
                found[comment.node_id] = comment
                found.update((reply.node_id, reply) for reply in comment.replies)
        return found

    def post(self, thread: Thread, reply_to: Note | None, login: str, body: str) -> Note:
        """Commit a comment (under ``reply_to``, a top-level comment, when given)."""
        with self.state.lock:
            note = Note(next(self.ids), thread, login, body, self.state.now(), reply_to)
            self.posted.append({
                "id": note.database_id, "discussion": (thread.repo, thread.number),
                "reply_to": reply_to.database_id if reply_to else None,
                "login": login, "body": body, "at": note.at,
            })  # fmt: skip
        return note
