"""Mastodon's JSON, read into cm-inbox's nouns.

Shapes come from the recorded traffic in tests/conformance/mastodon (a
production mastodon.social, 4.6.0-nightly, and a 4.6.4 development server) and
the field list in ../shared/NETWORKS.md. Everything here is untrusted: a
field missing or of the wrong type raises ``Unreadable`` and the caller sets the
item aside with its raw payload, so one odd status never stops a sync.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cm_inbox.html_text import html_to_text
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.text import clean_text

NETWORK = "mastodon"
# The four visibilities the API accepts, widest first (docs: POST /api/v1/statuses).
VISIBILITIES = ("public", "unlisted", "private", "direct")


class Unreadable(ValueError):
    """An item is not in the shape Mastodon documents; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who reads the statuses: our account on our instance.

    ``host`` qualifies local accts: the API writes accounts of the instance
    itself without a domain ("halcy" on mastodon.social, see the recorded
    mentions), remote ones as "user@domain".
    """

    account: str  # AccountInfo.name
    host: str  # the instance's host[:port], e.g. "mastodon.social"
    own_acct: str | None = None  # our own acct, qualified and lower-cased

    @classmethod
    def of(cls, account: str, instance: str, handle: str | None) -> Viewer:
        host = instance_host(instance)
        own = qualify(handle, host).lower() if handle else None
        return cls(account=account, host=host, own_acct=own)


def instance_host(instance: str) -> str:
    """host[:port] of an instance URL: what Mastodon puts after the "@" of its local accounts."""
    parts = urlsplit(instance if "://" in instance else "https://" + instance)
    return (parts.netloc or parts.path).lower()


def qualify(acct: str, host: str) -> str:
    """An acct with its domain: "bob" on mastodon.social is "bob@mastodon.social"."""
    acct = acct.strip().lstrip("@")
    return acct if "@" in acct else f"{acct}@{host}"


def parse_time(value: Any) -> int:
    """Mastodon's ISO-8601 UTC times ("2026-08-01T13:51:42.823Z") as Unix seconds."""
    if not isinstance(value, str) or not value:
        raise Unreadable(f"created_at is {type(value).__name__}, not a time")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Unreadable(f"created_at {value[:40]!r} is not an ISO-8601 time") from None
    if parsed.tzinfo is None:
        raise Unreadable(f"created_at {value[:40]!r} has no time zone")
    return int(parsed.timestamp())


def _text_field(status: Mapping[str, Any], key: str, *, required: bool = True) -> str | None:
    value = status.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise Unreadable(f"{key} is {type(value).__name__}, not text")
    return value


def _id_field(status: Mapping[str, Any], key: str, *, required: bool = True) -> str | None:
    # Ids are strings in the API (they overflow JavaScript numbers); an integer
    # id means a server or proxy that rewrote the JSON: not trustworthy.
    value = _text_field(status, key, required=required)
    if value is not None and not value.strip():
        raise Unreadable(f"{key} is empty")
    return value


def _web_url(value: Any) -> str | None:
    """Only http(s) links: a status URL is opened from the inbox, a javascript: one never."""
    if isinstance(value, str) and value.lower().startswith(("https://", "http://")):
        return value
    return None


def status_text(status: Mapping[str, Any]) -> str:
    """Plain text of a status: the content warning first, then the body, then media descriptions.

    A CW hides the body in Mastodon's own apps; the inbox shows both, the
    warning on its own first line, so the community manager sees what the
    author flagged.
    """
    content = _text_field(status, "content") or ""
    body = html_to_text(content)
    parts: list[str] = []
    spoiler = status.get("spoiler_text")
    if isinstance(spoiler, str) and spoiler.strip():
        parts.append("CW: " + " ".join(clean_text(spoiler).split()))
    if body:
        parts.append(body)
    media = status.get("media_attachments")
    if isinstance(media, list):
        for item in media:
            if not isinstance(item, Mapping):
                continue
            kind = item.get("type") if isinstance(item.get("type"), str) else "media"
            about = item.get("description")
            about = " ".join(clean_text(about).split()) if isinstance(about, str) else ""
            parts.append(f"[{kind}: {about}]" if about else f"[{kind}]")
    return "\n".join(parts)


def mention_accts(status: Mapping[str, Any], host: str) -> list[str]:
    mentions = status.get("mentions")
    if mentions is None:
        return []
    if not isinstance(mentions, list):
        raise Unreadable("mentions is not a list")
    accts = []
    for mention in mentions:
        if isinstance(mention, Mapping) and isinstance(mention.get("acct"), str):
            accts.append(qualify(mention["acct"], host))
    return accts


def parse_status(status: Any, viewer: Viewer) -> IncomingComment:
    """One status as a comment of ``viewer.account``; raises ``Unreadable`` on a bad shape.

    Fields as NETWORKS.md lists them and the recordings show them: ids are
    strings, ``content`` is HTML, ``account.acct`` is relative to the instance.
    """
    if not isinstance(status, Mapping):
        raise Unreadable(f"status is {type(status).__name__}, not an object")
    remote_id = _id_field(status, "id")
    created_at = parse_time(status.get("created_at"))
    account = status.get("account")
    if not isinstance(account, Mapping):
        raise Unreadable("status has no account object")
    acct = _text_field(account, "acct")
    if not acct or not acct.strip().lstrip("@"):
        raise Unreadable("account.acct is empty")
    handle = qualify(clean_text(acct), viewer.host)
    name = account.get("display_name")
    name = " ".join(clean_text(name).split()) if isinstance(name, str) else None
    followers = account.get("followers_count")
    # bool is an int in Python; a True follower count is nonsense, not 1.
    if not isinstance(followers, int) or isinstance(followers, bool) or followers < 0:
        followers = None
    visibility = status.get("visibility")
    if not isinstance(visibility, str):
        raise Unreadable("visibility is missing")
    language = status.get("language")
    return IncomingComment(
        network=NETWORK,
        account=viewer.account,
        remote_id=str(remote_id),
        author=IncomingAuthor(handle=handle, name=name or None, followers=followers),
        text=status_text(status),
        created_at=created_at,
        parent_remote_id=_id_field(status, "in_reply_to_id", required=False),
        root_remote_id=None,
        url=_web_url(status.get("url")) or _web_url(status.get("uri")),
        markup=status.get("content"),
        language=language if isinstance(language, str) and language else None,
        is_ours=viewer.own_acct is not None and handle.lower() == viewer.own_acct,
        extra={"visibility": visibility, "mention_accts": mention_accts(status, viewer.host)},
        likes=_count(status, "favourites_count"),
        reposts=_count(status, "reblogs_count"),
        replies=_count(status, "replies_count"),
    )


def _count(status: dict[str, Any], key: str) -> int | None:
    value = status.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


@dataclass(slots=True)
class NotificationResult:
    """What one notification turned into: a comment, nothing (skipped), or an error."""

    id: str | None
    comment: IncomingComment | None = None
    skipped: str | None = None


def parse_notification(item: Any, viewer: Viewer) -> NotificationResult:
    """A mention notification's status as a comment; raises ``Unreadable`` on a bad shape.

    Skipped without complaint: other notification types (servers before 3.5
    ignore ``types[]``), reblogs, and ``"status": null``: 39 of the 40
    mentions recorded on mastodon.social carry a null status, the post having
    been deleted since. There is nothing left to read or keep in those.
    """
    if not isinstance(item, Mapping):
        raise Unreadable(f"notification is {type(item).__name__}, not an object")
    notification_id = _id_field(item, "id")
    kind = item.get("type")
    if kind != "mention":
        return NotificationResult(notification_id, skipped=f"type {kind!r}")
    if "status" not in item:
        raise Unreadable("mention notification without a status")
    status = item["status"]
    if status is None:
        return NotificationResult(notification_id, skipped="status deleted")
    if isinstance(status, Mapping) and status.get("reblog") is not None:
        return NotificationResult(notification_id, skipped="reblog")
    return NotificationResult(notification_id, comment=parse_status(status, viewer))


def id_key(value: str) -> tuple[int, str]:
    """Orders Mastodon ids (decimal strings of any length) without int() on untrusted input."""
    return (len(value), value)


_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")


def parse_link_header(value: str | None) -> dict[str, str]:
    """rel → URL from a Link header ('<...?max_id=1>; rel="next", <...?min_id=9>; rel="prev"')."""
    links: dict[str, str] = {}
    if not value:
        return links
    for url, params in _LINK.findall(value):
        for param in params.split(";"):
            key, _, rel = param.strip().partition("=")
            if key.strip().lower() == "rel":
                for name in rel.strip().strip('"').split():
                    links.setdefault(name.lower(), url)
    return links


def link_param(url: str | None, name: str) -> str | None:
    """One query parameter of a Link URL (``min_id`` of rel="prev", ``max_id`` of rel="next")."""
    if not url:
        return None
    values = parse_qs(urlsplit(url).query).get(name)
    return values[0] if values else None


# A mention in reply text: "@user" or "@user@domain", not inside an e-mail or a longer name.
def mentions_handle(text: str, handle: str, host: str) -> bool:
    """True when ``text`` already names ``handle`` (qualified) as Mastodon would parse it.

    A local account may be written without its domain ("@bob" for
    bob@our.instance), a remote one only in full.
    """
    user, _, domain = qualify(handle, host).partition("@")
    forms = [re.escape(user) + "@" + re.escape(domain)]
    if domain.lower() == host.lower():
        forms.append(re.escape(user))
    pattern = r"(?<![\w@/.])@(?:" + "|".join(forms) + r")(?![\w@]|[.-]\w)"
    return re.search(pattern, text, re.IGNORECASE) is not None
