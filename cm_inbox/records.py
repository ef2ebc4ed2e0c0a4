"""The JSON Lines record format of `cm-inbox import` and `export`.

One comment per line::

    {"network": "mastodon", "account": "acme@mastodon.social", "id": "1099",
     "parent_id": "1090", "author": {"handle": "bob@example.org", "name": "Bob",
     "followers": 120}, "text": "Is the app down?", "created_at": "2026-11-20T09:14:00Z",
     "url": "https://mastodon.social/@bob/1099"}

Optional on import: ``root_id``, ``html`` (the original markup: the plain text
is derived from it when ``text`` is absent), ``language``, and the triage fields
an export writes (``status``, ``labels``, ``snoozed_until``), which are applied
only to comments new to the store.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cm_inbox.html_text import html_to_text
from cm_inbox.model import Comment, Status
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.text import clean_text

REQUIRED = ("network", "account", "id", "author", "created_at")
# 10000-01-01T00:00:00Z: later times are typos, and do not fit SQLite's integers either way.
_LATEST = 253_402_300_800
_MAX_FOLLOWERS = 2**53


class RecordError(ValueError):
    """A record that cannot be imported; the message names the field."""


def parse_time(value: Any, field: str = "created_at") -> int:
    """Unix seconds from an ISO-8601 string (a zone-less time is taken as UTC) or a number."""
    if isinstance(value, bool):
        raise RecordError(f"{field}: expected an ISO-8601 time, got {value!r}")
    if isinstance(value, int | float):
        if not (0 <= value < _LATEST):  # also refuses NaN and infinities
            raise RecordError(f"{field}: {value!r} is not a time between 1970 and 9999")
        return int(value)
    if not isinstance(value, str) or not value.strip():
        raise RecordError(f"{field}: expected an ISO-8601 time, got {value!r}")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RecordError(f"{field}: {value!r} is not an ISO-8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = int(moment.timestamp())
    if not 0 <= seconds < _LATEST:
        raise RecordError(f"{field}: {value!r} is not a time between 1970 and 9999")
    return seconds


def format_time(seconds: int | None) -> str | None:
    """ISO-8601 in UTC with a Z, as records carry times."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# How far a comment travelled, as the network counted it when we last saw it.
TRACTION_FIELDS = ("likes", "reposts", "replies")


def _count(record: dict, key: str, where: str, what: str) -> int | None:
    value = record.get(key)
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < _MAX_FOLLOWERS
    ):
        raise RecordError(f"{where}: expected a whole number of {what}, got {value!r}")
    return value


def _string(record: dict, field: str, *, required: bool = False) -> str | None:
    value = record.get(field)
    if value is None or value == "":
        if required:
            raise RecordError(f"{field}: missing")
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise RecordError(f"{field}: expected a string, got {type(value).__name__}")
    return _encodable(value, field)


def _encodable(value: str, field: str) -> str:
    """Refuse lone surrogates (from JSON escapes like \\ud800), which SQLite cannot store."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise RecordError(f"{field}: contains an invalid character (a lone surrogate)") from None
    return value


def record_to_incoming(record: Any) -> IncomingComment:
    """Validate one import record and turn it into an IncomingComment."""
    if not isinstance(record, dict):
        raise RecordError(f"expected a JSON object, got {type(record).__name__}")
    missing = [field for field in REQUIRED if record.get(field) in (None, "")]
    if missing:
        raise RecordError(f"missing field{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
    author = record["author"]
    if isinstance(author, str):
        author = {"handle": author}
    if not isinstance(author, dict) or not author.get("handle"):
        raise RecordError("author: expected an object with a handle")
    followers = _count(author, "followers", "author.followers", "followers")
    traction = {name: _count(record, name, name, name) for name in TRACTION_FIELDS}
    html = _string(record, "html")
    text = _string(record, "text")
    if text is None and html is None:
        raise RecordError("missing field: text")
    plain = clean_text(text) if text is not None else html_to_text(html or "")
    status_value = record.get("status")
    status = None
    if status_value is not None:
        try:
            status = Status(status_value)
        except ValueError:
            allowed = ", ".join(s.value for s in Status)
            raise RecordError(f"status: {status_value!r} is not one of {allowed}") from None
    labels = record.get("labels") or []
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise RecordError("labels: expected a list of strings")
    snoozed = record.get("snoozed_until")
    return IncomingComment(
        network=str(_string(record, "network", required=True)).lower(),
        account=str(_string(record, "account", required=True)),
        remote_id=str(_string(record, "id", required=True)),
        author=IncomingAuthor(
            handle=clean_text(_encodable(str(author["handle"]), "author.handle")),
            name=clean_text(_encodable(str(author["name"]), "author.name"))
            if author.get("name")
            else None,
            followers=followers,
        ),
        text=plain,
        created_at=parse_time(record["created_at"]),
        parent_remote_id=_string(record, "parent_id"),
        root_remote_id=_string(record, "root_id"),
        url=_string(record, "url"),
        markup=html,
        language=_string(record, "language"),
        status=status,
        labels=tuple(_encodable(label, "labels") for label in labels),
        snoozed_until=parse_time(snoozed, "snoozed_until") if snoozed is not None else None,
        **traction,
    )


def comment_to_record(comment: Comment) -> dict[str, Any]:
    """The export form of a comment: the import schema plus the triage fields."""
    record: dict[str, Any] = {
        "id": comment.remote_id,
        "network": comment.network,
        "account": comment.account,
        "parent_id": comment.parent_remote_id,
        "root_id": comment.root_remote_id,
        "author": {
            "handle": comment.author.handle,
            "name": comment.author.display_name,
            "followers": comment.author.followers,
        },
        "text": comment.text,
        "created_at": format_time(comment.created_at),
        "url": comment.url,
        "status": comment.status.value,
        "labels": list(comment.labels),
        "snoozed_until": format_time(comment.snoozed_until),
        "language": comment.language,
        "sentiment": comment.sentiment,
        "sentiment_score": comment.sentiment_score,
        "intents": list(comment.intents),
        "priority": comment.priority,
        "likes": comment.likes,
        "reposts": comment.reposts,
        "replies": comment.replies,
    }
    if comment.markup:
        record["html"] = comment.markup
    return record
