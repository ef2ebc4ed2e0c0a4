"""The sandbox YouTube's memory for one ``SandboxState``: the brand channel, its
comment threads as the clock reveals them, the replies it accepted, the
moderation it was asked for, tokens, and the day's quota.

Shapes are the recorded ones (tests/conformance/youtube): ``youtube#comment``
with ``authorDisplayName`` ("@handle" since 2024), ``authorChannelId.value``,
``textDisplay`` (HTML: escaped, ``<br>`` for line breaks, links as anchors),
``textOriginal``, ``parentId`` on replies, ``likeCount``, ``publishedAt``.
The routes that read and write this are in ``cm_inbox.sandbox.youtube``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cm_inbox.sandbox.state import SandboxState

NETWORK = "youtube"
BRAND = "Lumo"
BRAND_HANDLE = "@lumo"
CLIENT_ID = "cm-inbox-sandbox.apps.googleusercontent.com"
TOKEN_LIFETIME_S = 3600
DAILY_UNITS = 10_000
# Replies a thread carries in commentThreads.list; the rest come from comments.list.
CARRIED = 5
_URL = re.compile(r"https?://[^\s<>\"']+")


def channel_of(handle: str) -> str:
    """A 24-character channel id ("UC" + 22), fixed by the handle."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(handle.lower().encode()).digest()).decode()
    return "UC" + digest[:22]


BRAND_CHANNEL = channel_of(BRAND_HANDLE)


def refresh_token(seed: int) -> str:
    """The brand's refresh token, fixed by the seed (Google's start with "1//")."""
    digest = hashlib.sha256(f"cm-inbox sandbox youtube {seed}".encode()).digest()
    return "1//0" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(int(seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def text_display(text: str) -> str:
    """What YouTube's textFormat=html makes of a comment: escaped, links as anchors."""
    escaped = html.escape(text, quote=False)
    linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
    return linked.replace("\n", "<br>")


@dataclass(slots=True)
class Comment:
    id: str
    handle: str
    text: str
    at: int
    video: str
    parent: str | None = None
    likes: int = 0

    def resource(self, *, html_text: bool = True) -> dict[str, Any]:
        channel = channel_of(self.handle)
        snippet: dict[str, Any] = {
            "channelId": BRAND_CHANNEL,
            "videoId": self.video,
            "textDisplay": text_display(self.text) if html_text else self.text,
            "textOriginal": self.text,
            "authorDisplayName": self.handle,
            "authorProfileImageUrl": f"https://yt3.ggpht.com/ytc/{channel}=s48-c-k-c0x00ffffff-no-rj",
            "authorChannelUrl": f"http://www.youtube.com/channel/{channel}",
            "authorChannelId": {"value": channel},
            "canRate": True,
            "viewerRating": "none",
            "likeCount": self.likes,
            "publishedAt": iso(self.at),
            "updatedAt": iso(self.at),
        }
        if self.parent:
            snippet["parentId"] = self.parent
        etag = base64.urlsafe_b64encode(hashlib.sha1(self.id.encode()).digest()).decode()[:27]
        return {"kind": "youtube#comment", "etag": etag, "id": self.id, "snippet": snippet}


@dataclass
class YouTubeTwin:
    """One state's YouTube: comments by id, replies by thread, tokens, quota, moderation."""

    state: SandboxState
    created: list[Comment] = field(default_factory=list)
    moderation: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, tuple[float, int]] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)  # authorization code -> PKCE challenge
    spent: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    issued: int = 0

    # -- comments -----------------------------------------------------------------

    def comments(self) -> tuple[dict[str, Comment], dict[str, list[Comment]]]:
        """Every visible comment by id, and each thread's replies oldest first."""
        by_id: dict[str, Comment] = {}
        for record in self.state.records(NETWORK):
            video = _video_of(record.get("url") or "")
            parent = record.get("parent_id")
            by_id[record["id"]] = Comment(
                record["id"], record["author"]["handle"], record["text"], record["_at"],
                video, parent.split(".", 1)[0] if parent else None, int(record.get("likes") or 0),
            )  # fmt: skip
        for comment in self.created:
            by_id[comment.id] = comment
        for hidden, status in self.moderation.items():
            if status != "published":
                by_id.pop(hidden, None)
        replies: dict[str, list[Comment]] = defaultdict(list)
        for comment in by_id.values():
            if comment.parent:
                replies[comment.parent].append(comment)
        for thread in replies.values():
            thread.sort(key=lambda c: (c.at, c.id))
        return by_id, replies

    def thread(self, top: Comment, replies: list[Comment], part: set[str]) -> dict[str, Any]:
        snippet = {
            "channelId": BRAND_CHANNEL,
            "videoId": top.video,
            "topLevelComment": top.resource(),
            "canReply": True,
            "totalReplyCount": len(replies),
            "isPublic": True,
        }
        etag = base64.urlsafe_b64encode(hashlib.sha1(b"t" + top.id.encode()).digest()).decode()
        resource: dict[str, Any] = {
            "kind": "youtube#commentThread", "etag": etag[:27], "id": top.id, "snippet": snippet,
        }  # fmt: skip
        if "replies" in part and replies:
            resource["replies"] = {"comments": [r.resource() for r in replies[-CARRIED:]]}
        return resource

    def add_reply(self, parent: str, text: str) -> Comment:
        now = self.state.now()
        digest = hashlib.sha256(f"{parent} {text} {now} {len(self.created)}".encode()).digest()
        tail = base64.urlsafe_b64encode(digest).decode()[:22]
        by_id, _ = self.comments()
        comment = Comment(
            f"{parent}.{tail}", BRAND_HANDLE, text, int(now), by_id[parent].video, parent
        )
        self.created.append(comment)
        return comment

    # -- tokens and quota ------------------------------------------------------------

    def issue(self) -> str:
        self.issued += 1
        token = f"ya29.sandbox-{self.state.seed}-{self.issued}"
        self.tokens[token] = (self.state.now(), self.state.token_generation[NETWORK])
        return token

    def token_ok(self, token: str | None) -> bool:
        if not token or NETWORK in self.state.revoked:
            return False
        issued = self.tokens.get(token)
        if issued is None:
            return False
        at, generation = issued
        fresh = self.state.now() - at < TOKEN_LIFETIME_S
        return fresh and generation == self.state.token_generation[NETWORK]

    def quota_day(self) -> str:
        # The sandbox keeps its day in UTC: the client's Pacific day only has to be no later.
        return iso(self.state.now())[:10]

    def charge(self, units: int) -> bool:
        """Spend units of today's quota; False when the day's units are gone."""
        limit = self.state.call_limits.get(NETWORK, DAILY_UNITS)
        day = self.quota_day()
        if self.spent[day] + units > limit:
            self.spent[day] = limit
            return False
        self.spent[day] += units
        return True


def _video_of(url: str) -> str:
    found = re.search(r"[?&]v=([\w-]+)", url)
    return found.group(1) if found else "Lm0Qx7vK2aE"


_TWINS: weakref.WeakKeyDictionary[SandboxState, YouTubeTwin] = weakref.WeakKeyDictionary()


def twin_for(state: SandboxState) -> YouTubeTwin:
    """The YouTube side of ``state`` (one per state, shared by every app built on it)."""
    with state.lock:
        twin = _TWINS.get(state)
        if twin is None:
            twin = _TWINS[state] = YouTubeTwin(state)
        return twin
