"""The Bluesky records the sandbox twin keeps and checks: the brand's identity,
posts as the AppView indexes them, CIDs, datetimes, facets, and what the
app.bsky.feed.post lexicon forbids in a record the brand writes.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import regex

from cm_inbox.demo.networks import did_for

NETWORK = "bluesky"
BRAND_HANDLE = "lumo.app"
BRAND_NAME = "Lumo"
BRAND_FOLLOWERS = 41_300
BRAND_DID = did_for(BRAND_HANDLE)
POST = "app.bsky.feed.post"

# What app.bsky.feed.post allows (lexicons/app/bsky/feed/post.json).
MAX_GRAPHEMES = 300
MAX_TEXT_BYTES = 3000
TID = regex.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
DATETIME = regex.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
_GRAPHEME = regex.compile(r"\X")


@dataclass
class Post:
    """A post the twin knows, with why the brand is notified of it (``reason``)."""

    uri: str
    cid: str
    did: str
    handle: str
    name: str | None
    record: dict[str, Any]
    indexed_ms: int
    parent: str | None
    root: str | None
    reason: str | None  # why the brand is notified; None for the brand's own posts
    subject: str | None = None

    @property
    def indexed(self) -> str:
        """indexedAt, as the AppView writes it."""
        return iso_ms(self.indexed_ms)


def iso_ms(ms: int) -> str:
    """Epoch milliseconds as an atproto datetime, the way the AppView writes them."""
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def epoch_ms(iso: str) -> int | None:
    """An ISO datetime as epoch milliseconds, or None when it does not parse."""
    try:
        return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def cid_for(*parts: str) -> str:
    """A CIDv1 (dag-cbor, sha-256) lookalike: 'bafyrei' and 52 base32 characters."""
    digest = hashlib.sha256("\x00".join(parts).encode()).digest()
    return "bafyrei" + base64.b32encode(digest).decode().lower().rstrip("=")[:52]


def richtext_facet(start: int, end: int, kind: str, target: str) -> dict[str, Any]:
    """A richtext facet of one feature (a mention's did, a link's uri, a tag) over a byte range."""
    key = {"mention": "did", "link": "uri", "tag": "tag"}[kind]
    return {
        "index": {"byteStart": start, "byteEnd": end},
        "features": [{"$type": f"app.bsky.richtext.facet#{kind}", key: target}],
    }


def post_problem(record: Any) -> str | None:
    """What app.bsky.feed.post (lexicons/app/bsky/feed/post.json) forbids in ``record``.

    Facet ranges are also checked against the text, which the PDS leaves to
    the AppView: a range past the text is a client bug worth failing on here.
    """
    if not isinstance(record, dict):
        return "Record must be an object"
    if record.get("$type") != POST:
        return f"Record/$type must be {POST}"
    text = record.get("text")
    if not isinstance(text, str):
        return 'Record must have the property "text"'
    if len(_GRAPHEME.findall(text)) > MAX_GRAPHEMES:
        return f"Record/text must not be longer than {MAX_GRAPHEMES} graphemes"
    size = len(text.encode())
    if size > MAX_TEXT_BYTES:
        return f"Record/text must not be longer than {MAX_TEXT_BYTES} characters"
    created = record.get("createdAt")
    if not isinstance(created, str) or not DATETIME.match(created) or epoch_ms(created) is None:
        return "Record/createdAt must be an valid atproto datetime (both RFC-3339 and ISO-8601)"
    langs = record.get("langs", [])
    if not isinstance(langs, list) or len(langs) > 3 or not all(isinstance(x, str) for x in langs):
        return "Record/langs must be an array of at most 3 language codes"
    facets = record.get("facets", [])
    if not isinstance(facets, list):
        return "Record/facets must be an array"
    for n, facet in enumerate(facets):
        problem = _facet_problem(facet, size)
        if problem:
            return f"Record/facets/{n}{problem}"
    reply = record.get("reply")
    if reply is not None:
        if not isinstance(reply, dict):
            return "Record/reply must be an object"
        for part in ("root", "parent"):
            ref = reply.get(part)
            if not (
                isinstance(ref, dict)
                and isinstance(ref.get("uri"), str)
                and ref["uri"].startswith("at://")
                and isinstance(ref.get("cid"), str)
                and ref["cid"]
            ):
                return f"Record/reply/{part} must be a strong ref {{uri, cid}}"
    return None


def _facet_problem(facet: Any, size: int) -> str | None:
    if not isinstance(facet, dict):
        return " must be an object"
    index = facet.get("index")
    if not isinstance(index, dict):
        return ' must have the property "index"'
    start, end = index.get("byteStart"), index.get("byteEnd")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= size):
        return "/index must be a byte range inside the text"
    features = facet.get("features")
    if not isinstance(features, list) or not features:
        return ' must have the property "features"'
    for feature in features:
        kind = feature.get("$type") if isinstance(feature, dict) else None
        key = {"mention": "did", "link": "uri", "tag": "tag"}.get(
            str(kind).removeprefix("app.bsky.richtext.facet#")
        )
        if key is None or not isinstance(feature.get(key), str):
            return "/features must be mentions {did}, links {uri} or tags {tag}"
        if key == "did" and not feature["did"].startswith("did:"):
            return "/features/did must be a DID"
    return None
