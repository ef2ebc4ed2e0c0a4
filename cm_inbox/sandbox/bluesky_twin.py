"""The sandbox PDS's memory for one ``SandboxState``: its sessions (``bluesky_auth``),
the posts the clock has revealed and the ones the brand wrote, and seenAt.

The XRPC routes that read and write it are in ``cm_inbox.sandbox.bluesky``.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections import defaultdict
from typing import Any

import regex

from cm_inbox.demo.networks import did_for, tid
from cm_inbox.sandbox.bluesky_auth import Sessions
from cm_inbox.sandbox.bluesky_records import (
    BRAND_DID,
    BRAND_FOLLOWERS,
    BRAND_HANDLE,
    BRAND_NAME,
    NETWORK,
    POST,
    Post,
    cid_for,
    iso_ms,
    richtext_facet,
)
from cm_inbox.sandbox.chatter import HASHTAG, Chatter
from cm_inbox.sandbox.state import SandboxState

_MENTION = "@" + BRAND_HANDLE


class BlueskyTwin(Sessions):
    """The PDS's memory for one SandboxState: sessions, logins, posts written, seenAt."""

    def __init__(self, state: SandboxState) -> None:
        super().__init__(state)
        self.seen_ms: int | None = None
        self.created: dict[str, Post] = {}
        started = state.started - 15 * 86_400
        text = (
            "Lumo 4.2 is out: calendar view, offline mode and a faster sync. "
            "Tell us what you think! https://lumo.app/blog/4-2"
        )
        link = text.index("https://")
        self.announcement = self.own_post(
            tid(started * 1_000_000 << 10),
            {
                "$type": POST,
                "text": text,
                "createdAt": iso_ms(started * 1000),
                "langs": ["en"],
                "facets": [
                    richtext_facet(link, len(text), "link", text[link:])
                ],  # ASCII: bytes = chars
            },
            started * 1000,
        )
        self._key: tuple[int, ...] | None = None
        self._by_uri: dict[str, Post] = {}
        self._children: dict[str, list[Post]] = {}
        self._authors: dict[str, tuple[str, str | None, int | None]] = {}

    # -- posts ------------------------------------------------------------------

    def own_post(self, rkey: str, record: dict[str, Any], ms: int) -> Post:
        """A post of the brand's, as written (createRecord) and indexed at ``ms``."""
        uri = f"at://{BRAND_DID}/{POST}/{rkey}"
        reply = record.get("reply") or {}
        return Post(
            uri, cid_for(uri, json.dumps(record, sort_keys=True)), BRAND_DID, BRAND_HANDLE,
            BRAND_NAME, record, ms, reply.get("parent", {}).get("uri"),
            reply.get("root", {}).get("uri"), None,
        )  # fmt: skip

    def _post_of(self, item: dict[str, Any]) -> Post:
        """A demo record as the post it stands for."""
        uri, text = item["id"], item["text"]
        author = item["author"]
        handle = author["handle"]
        record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": item["created_at"]}
        if item.get("language"):
            record["langs"] = [item["language"]]
        facets = []
        for found in regex.finditer(regex.escape(_MENTION) + r"(?![\w.-])", text):
            start = len(text[: found.start()].encode())
            facets.append(
                richtext_facet(start, start + len(_MENTION.encode()), "mention", BRAND_DID)
            )
        if facets:
            record["facets"] = facets
        parent, root = item.get("parent_id"), item.get("root_id")
        ours = handle == BRAND_HANDLE
        reason = subject = None
        if parent:
            record["reply"] = {
                "root": {"uri": root or parent, "cid": cid_for(root or parent)},
                "parent": {"uri": parent, "cid": cid_for(parent)},
            }
            reason, subject = "reply", parent
        elif facets:
            reason = "mention"
        else:
            # Not addressed by name: a quote of Lumo's announcement.
            record["embed"] = {
                "$type": "app.bsky.embed.record",
                "record": {"uri": self.announcement.uri, "cid": self.announcement.cid},
            }
            reason, subject = "quote", self.announcement.uri
        # Indexed a few hundred milliseconds after the post, the same for every run.
        delay = int.from_bytes(hashlib.sha256(uri.encode()).digest()[:2], "big") % 1000
        return Post(
            uri, cid_for(uri), did_for(handle), handle, author.get("name"), record,
            int(item["_at"]) * 1000 + delay, parent, root or parent,
            None if ours else reason, None if ours else subject,
        )  # fmt: skip

    def _post_of_chatter(self, said: Chatter) -> Post:
        """A public post about the brand that notifies nobody, its hashtags as tag facets."""
        handle = said.handle(NETWORK)
        did = did_for(handle)
        ms = int(said.at * 1000)
        uri = f"at://{did}/{POST}/{tid((int(said.at * 1_000_000) << 10) | (said.serial & 1023))}"
        record: dict[str, Any] = {
            "$type": POST,
            "text": said.text,
            "createdAt": iso_ms(ms),
            "langs": ["en"],
        }
        facets = []
        for found in HASHTAG.finditer(said.text):
            start = len(said.text[: found.start()].encode())
            end = start + len(found.group(0).encode())
            facets.append(richtext_facet(start, end, "tag", found.group(1)))
        if facets:
            record["facets"] = facets
        delay = int.from_bytes(hashlib.sha256(uri.encode()).digest()[:2], "big") % 1000
        return Post(uri, cid_for(uri), did, handle, said.name, record, ms + delay, None, None, None)

    def posts(self) -> tuple[dict[str, Post], dict[str, list[Post]]]:
        """Every post the clock has reached, by uri, and the replies under each."""
        self._index()
        return self._by_uri, self._children

    def authors(self) -> dict[str, tuple[str, str | None, int | None]]:
        """did -> (handle, display name, followers) of everyone the sandbox knows."""
        self._index()
        return self._authors

    def _index(self) -> None:
        """Rebuild the indexes when the clock has revealed posts or the brand wrote one."""
        records = self.state.records(NETWORK)
        chatter = self.state.chatter(NETWORK)
        key = (len(records), len(self.created), len(chatter))
        if key == self._key:
            return
        by_uri = {self.announcement.uri: self.announcement}
        authors = {BRAND_DID: (BRAND_HANDLE, BRAND_NAME, BRAND_FOLLOWERS)}
        for item in records:
            post = by_uri[item["id"]] = self._post_of(item)
            author = item["author"]
            authors.setdefault(post.did, (post.handle, post.name, author.get("followers")))
        for said in chatter:
            post = self._post_of_chatter(said)
            by_uri[post.uri] = post
            authors.setdefault(post.did, (post.handle, post.name, said.followers))
        by_uri.update(self.created)
        children: dict[str, list[Post]] = defaultdict(list)
        for post in by_uri.values():
            if post.parent:
                children[post.parent].append(post)
        for replies in children.values():
            replies.sort(key=lambda p: (p.indexed_ms, p.uri))
        self._key, self._by_uri, self._children, self._authors = key, by_uri, children, authors


_TWINS: weakref.WeakKeyDictionary[SandboxState, BlueskyTwin] = weakref.WeakKeyDictionary()


def twin_for(state: SandboxState) -> BlueskyTwin:
    """The Bluesky side of ``state`` (one per state, shared by every app built on it)."""
    with state.lock:
        twin = _TWINS.get(state)
        if twin is None:
            twin = _TWINS[state] = BlueskyTwin(state)
        return twin
