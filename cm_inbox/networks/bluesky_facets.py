"""Bluesky's text rules: rich-text facets, record keys, and the post size limits.

Facts, from the AT Protocol specs and Bluesky's developer docs:

- Facets (``app.bsky.richtext.facet``) point at the text by UTF-8 *byte*
  offsets, start inclusive, end exclusive; a mention names a DID, a link a
  full URI (https://docs.bsky.app/docs/advanced-guides/post-richtext, and the
  lexicon in tests/conformance/bluesky/lexicons/app/bsky/richtext/facet.json).
- A handle is a domain name: dot-separated labels of letters, digits and
  hyphens, at most 63 characters each, ending in a label that starts with a
  letter (https://atproto.com/specs/handle).
- A TID is a 64-bit integer (top bit 0, 53 bits of microseconds since the
  Unix epoch, 10 bits of clock id) written as 13 characters of
  base32-sortable ``234567abcdefghijklmnopqrstuvwxyz``
  (https://atproto.com/specs/tid); posts use TIDs as record keys
  (``"key": "tid"`` in app/bsky/feed/post.json).
- A post's text is at most 300 graphemes and 3000 UTF-8 bytes
  (``maxGraphemes``/``maxLength`` in app/bsky/feed/post.json).
"""

from __future__ import annotations

import hashlib
from typing import Any

import regex

MAX_GRAPHEMES = 300
MAX_BYTES = 3000

MENTION_TYPE = "app.bsky.richtext.facet#mention"
LINK_TYPE = "app.bsky.richtext.facet#link"

TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_TID = regex.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
# Record keys made from an idempotency key carry a made-up timestamp. It is
# kept inside 2023-2025 so the key reads like an ordinary record key to tools
# that decode TIDs as dates, and never lies about the future.
_TID_EPOCH_US = 1_672_531_200_000_000  # 2023-01-01T00:00:00Z
_TID_SPAN_US = 1 << 46  # about 2.2 years

# A mention: "@" after the start or a character that cannot be part of a word,
# an email address or a handle, then a domain-shaped handle. The lookahead
# keeps "@a.bc" out of "@a.bcd" and leaves a sentence's final dot outside.
_MENTION = regex.compile(
    r"(?<![\w@.\-])@("
    r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?\.)+"
    r"[a-zA-Z](?:[a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?"
    r")(?![\w\-]|\.[a-zA-Z0-9])"
)
# A link: http(s) up to the next space or character URLs never carry unescaped.
_LINK = regex.compile(r"(?<![\w/.@])https?://[^\s<>\"'`]+", regex.IGNORECASE)
_TRAILING = ".,;:!?'\""
_CLOSERS = {")": "(", "]": "["}


def count_bytes(text: str) -> int:
    """UTF-8 bytes, the unit of facet offsets and of the lexicon's ``maxLength``."""
    return len(text.encode("utf-8"))


def _byte_offsets(text: str, start: int, end: int) -> tuple[int, int]:
    byte_start = len(text[:start].encode("utf-8"))
    return byte_start, byte_start + len(text[start:end].encode("utf-8"))


def find_mentions(text: str) -> list[tuple[int, int, str]]:
    """``(byteStart, byteEnd, handle)`` of each @handle; the span includes the "@"."""
    found = []
    for match in _MENTION.finditer(text):
        start, end = _byte_offsets(text, match.start(), match.end())
        found.append((start, end, match.group(1).lower()))
    return found


def _trim_link(url: str) -> str:
    """Drop what ends a sentence rather than the URL: a final dot, an unbalanced ")"."""
    while url:
        last = url[-1]
        unbalanced = last in _CLOSERS and url.count(_CLOSERS[last]) < url.count(last)
        if last not in _TRAILING and not unbalanced:
            break
        url = url[:-1]
    return url


def find_links(text: str) -> list[tuple[int, int, str]]:
    """``(byteStart, byteEnd, uri)`` of each http(s) link with a dotted host."""
    found = []
    for match in _LINK.finditer(text):
        url = _trim_link(match.group(0))
        host = url.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        host = host.rsplit("@", 1)[-1].split(":", 1)[0]
        if "." not in host.strip("."):
            continue
        start, end = _byte_offsets(text, match.start(), match.start() + len(url))
        found.append((start, end, url))
    return found


def mention_facet(byte_start: int, byte_end: int, did: str) -> dict[str, Any]:
    """An ``app.bsky.richtext.facet`` naming ``did`` over the given bytes."""
    return {
        "index": {"byteStart": byte_start, "byteEnd": byte_end},
        "features": [{"$type": MENTION_TYPE, "did": did}],
    }


def link_facet(byte_start: int, byte_end: int, uri: str) -> dict[str, Any]:
    """An ``app.bsky.richtext.facet`` linking to ``uri`` over the given bytes."""
    return {
        "index": {"byteStart": byte_start, "byteEnd": byte_end},
        "features": [{"$type": LINK_TYPE, "uri": uri}],
    }


def encode_tid(value: int) -> str:
    """The 13-character base32-sortable form of a 63-bit integer."""
    if not 0 <= value < 1 << 63:
        raise ValueError("a TID is a 63-bit unsigned integer")
    return "".join(TID_ALPHABET[(value >> shift) & 31] for shift in range(60, -1, -5))


def is_tid(value: str) -> bool:
    """Whether ``value`` has the TID syntax (the spec's reference regex)."""
    return bool(_TID.match(value))


def tid_for_key(key: str) -> str:
    """A record key derived from ``key`` alone, so a retried reply writes the same record.

    Two retries of one reply name the same record, and the PDS refuses the
    second: that refusal is how a retry after a lost answer is recognised.
    """
    digest = hashlib.sha256(b"cm-inbox/bluesky-rkey\x00" + key.encode("utf-8")).digest()
    number = int.from_bytes(digest[:8], "big")
    micros = _TID_EPOCH_US + (number >> 10) % _TID_SPAN_US
    return encode_tid((micros << 10) | (number & 1023))


def linked_text(text: str, facets: Any) -> str:
    """``text`` with the real target after each link whose visible text differs from it.

    Bluesky shows shortened links ("example.com/very-lo...") and a link's text
    can say anything: the inbox shows where a link really goes, as the HTML
    networks' converter does ("visible text <target>").
    """
    if not isinstance(facets, list) or not facets:
        return text
    data = text.encode("utf-8")
    links: list[tuple[int, str]] = []
    for facet in facets:
        if not isinstance(facet, dict):
            continue
        index = facet.get("index")
        features = facet.get("features")
        if not isinstance(index, dict) or not isinstance(features, list):
            continue
        start, end = index.get("byteStart"), index.get("byteEnd")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(data)):
            continue
        try:
            shown = data[start:end].decode("utf-8")
            data[:end].decode("utf-8")  # the insertion point must fall between characters
        except UnicodeDecodeError:
            continue
        for feature in features:
            if not isinstance(feature, dict) or feature.get("$type") != LINK_TYPE:
                continue
            uri = feature.get("uri")
            if isinstance(uri, str) and uri and not _same_link(shown, uri):
                links.append((end, uri))
    if not links:
        return text
    out = bytearray()
    position = 0
    for end, uri in sorted(links):
        if end < position:
            continue
        out += data[position:end] + f" <{uri}>".encode()
        position = end
    out += data[position:]
    return out.decode("utf-8")


def _same_link(shown: str, uri: str) -> bool:
    shown = shown.strip().rstrip("/")
    uri = uri.strip().rstrip("/")
    return shown == uri or shown == uri.split("://", 1)[-1] or shown == uri.split("://www.", 1)[-1]
