"""The JSON the sandbox Mastodon answers with, key for key as the real one.

Each builder mirrors an object recorded in tests/conformance/mastodon (a 4.6.4
development server and production mastodon.social); tests/test_sandbox_mastodon.py
compares the key sets recursively, so a drift shows. Where nothing was
recorded (the app and token answers) the keys come from Mastodon's serializers
(credential_application_serializer.rb) and Doorkeeper's token response.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

VAPID_KEY = "BCm-inbox-sandbox-vapid-key-not-for-push-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
MAX_CHARACTERS = 500


@dataclass(frozen=True, slots=True)
class Person:
    """An account the sandbox knows: local (the brand's, host None) or remote (an author)."""

    username: str
    host: str | None = None
    display_name: str = ""
    followers: int = 0

    @property
    def acct(self) -> str:
        """As the API writes it: bare for local accounts, "user@domain" for remote ones."""
        return self.username if self.host is None else f"{self.username}@{self.host}"

    @property
    def id(self) -> str:
        return stable_id(self.acct)

    def url(self, base: str) -> str:
        return (
            f"{base}/@{self.username}"
            if self.host is None
            else f"https://{self.host}/@{self.username}"
        )


@dataclass(slots=True)
class Post:
    """A status: a generated record, or a reply posted through the API."""

    id: str
    at: float
    author: Person
    html: str
    text: str
    parent_id: str | None = None
    language: str | None = "en"
    visibility: str = "public"
    spoiler_text: str = ""
    url: str | None = None  # remote statuses carry theirs; local ones are built from the base
    brand: str | None = None  # the local username this status notifies (generated mentions)
    mentions: list[Person] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # hashtags, as written ("LumoApp")

    @property
    def created_at(self) -> str:
        return iso_ms(self.at)


def stable_id(text: str) -> str:
    """An 18-digit id like Mastodon's snowflakes, the same for the same input every run."""
    digest = int(hashlib.sha256(text.encode()).hexdigest()[:15], 16)
    return str(100_000_000_000_000_000 + digest % 900_000_000_000_000_000)


def iso_ms(at: float) -> str:
    """Mastodon's time format: "2026-08-01T13:51:42.823Z"."""
    stamp = datetime.fromtimestamp(at, UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def iso_us(at: float) -> str:
    """X-RateLimit-Reset's format (Ruby's iso8601(6)): "2026-08-01T15:00:00.869078Z"."""
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _joined(person: Person) -> str:
    # A stable sign-up day between 2017 and 2025, at midnight as Mastodon rounds it.
    day = int(person.id) % (8 * 365)
    return iso_ms(1_483_228_800 + day * 86_400)


def account_json(person: Person, base: str) -> dict[str, Any]:
    """An Account. Local ones carry noindex, feature_approval and roles, as the 4.6.4
    server shows its own accounts; remote ones the key set mastodon.social shows for
    a remote author (test_entity_notification)."""
    local = person.host is None
    avatar = f"{base}/avatars/original/missing.png"
    header = f"{base}/headers/original/missing.png"
    account: dict[str, Any] = {
        "id": person.id,
        "username": person.username,
        "acct": person.acct,
        "display_name": person.display_name,
        "locked": False,
        "bot": False,
        "discoverable": True if not local else None,
        "indexable": False,
        "group": False,
        "created_at": _joined(person),
        "note": "",
        "url": person.url(base),
        "uri": f"{base}/ap/users/{person.id}"
        if local
        else f"https://{person.host}/users/{person.username}",
        "avatar": avatar,
        "avatar_static": avatar,
        "avatar_description": "",
        "header": header,
        "header_static": header,
        "header_description": "",
        "followers_count": person.followers,
        "following_count": int(person.id) % 400,
        "statuses_count": 1 + int(person.id) % 3000,
        "last_status_at": None,
        "hide_collections": None if local else False,
        "show_media": True,
        "show_media_replies": True,
        "show_featured": True,
    }
    if local:
        account["noindex"] = False
        account["feature_approval"] = {"automatic": [], "manual": [], "current_user": "denied"}
    account["emojis"] = []
    if local:
        account["roles"] = []
    account["fields"] = []
    return account


def credential_account_json(person: Person, base: str) -> dict[str, Any]:
    """verify_credentials: the Account plus ``source`` and ``role`` (recorded in test_status_reply)."""
    account = account_json(person, base)
    account["source"] = {
        "privacy": "public",
        "sensitive": False,
        "language": None,
        "note": "",
        "fields": [],
        "follow_requests_count": 0,
        "hide_collections": None,
        "discoverable": None,
        "indexable": False,
        "attribution_domains": [],
        "quote_policy": "public",
    }
    account["role"] = {
        "id": "-99",
        "name": "",
        "permissions": "65536",
        "color": "",
        "highlighted": False,
        "collection_limit": 10,
    }
    return account


def mention_json(person: Person, base: str) -> dict[str, Any]:
    return {
        "id": person.id,
        "username": person.username,
        "url": person.url(base),
        "acct": person.acct,
    }


def status_json(
    post: Post, base: str, *, parent: Post | None = None, replies: int = 0
) -> dict[str, Any]:
    """A Status. Statuses of local accounts add ``pinned`` and ``application``, as the
    4.6.4 server shows its own; remote ones have the key set recorded on mastodon.social."""
    author = post.author
    local = author.host is None
    url = post.url or f"{base}/@{author.username}/{post.id}"
    uri = (
        f"{base}/ap/users/{author.id}/statuses/{post.id}"
        if local
        else f"https://{author.host}/users/{author.username}/statuses/{post.id}"
    )
    status: dict[str, Any] = {
        "id": post.id,
        "created_at": post.created_at,
        "in_reply_to_id": post.parent_id,
        "in_reply_to_account_id": parent.author.id if parent is not None else None,
        "sensitive": bool(post.spoiler_text),
        "spoiler_text": post.spoiler_text,
        "visibility": post.visibility,
        "language": post.language,
        "uri": uri,
        "url": url,
        "replies_count": replies,
        "reblogs_count": 0,
        "favourites_count": 0,
        "quotes_count": 0,
        "edited_at": None,
        "favourited": False,
        "reblogged": False,
        "muted": False,
        "bookmarked": False,
    }
    if local:
        status["pinned"] = False
    status["content"] = post.html
    status["filtered"] = []
    status["reblog"] = None
    if local:
        status["application"] = {"name": "cm-inbox", "website": None}
    status.update(
        {
            "account": account_json(author, base),
            "media_attachments": [],
            "mentions": [mention_json(person, base) for person in post.mentions],
            # Tag names lower-cased, as test_hashtag_tl.yaml records {"name", "url"}.
            "tags": [
                {"name": tag.lower(), "url": f"{base}/tags/{tag.lower()}"}
                for tag in dict.fromkeys(post.tags)
            ],
            "emojis": [],
            "tagged_collections": [],
            "quote": None,
            "card": None,
            "poll": None,
            "quote_approval": {
                "automatic": ["public"] if local else [],
                "manual": [],
                "current_user": "automatic" if local else "denied",
            },
        }
    )
    return status


def notification_json(notification_id: str, status: dict[str, Any]) -> dict[str, Any]:
    """A v1 Notification of type mention (recorded in test_notifications_mentions_only)."""
    return {
        "id": notification_id,
        "type": "mention",
        "created_at": status["created_at"],
        "group_key": f"ungrouped-{notification_id}",
        "account": status["account"],
        "status": status,
    }


def app_json(app_id: str, client_id: str, client_secret: str, scopes: str, redirect: str) -> dict:
    """POST /api/v1/apps: a CredentialApplication (Mastodon 4.3+ serializers)."""
    return {
        "id": app_id,
        "name": "cm-inbox",
        "website": None,
        "scopes": scopes.split(),
        "redirect_uris": redirect.split(),
        "vapid_key": VAPID_KEY,
        "redirect_uri": redirect,
        "client_id": client_id,
        "client_secret": client_secret,
        "client_secret_expires_at": 0,
    }


def token_json(token: str, scopes: str, created_at: float) -> dict[str, Any]:
    """POST /oauth/token: Doorkeeper's token response as Mastodon's docs show it."""
    return {
        "access_token": token,
        "token_type": "Bearer",
        "scope": scopes,
        "created_at": int(created_at),
    }


def instance_json(base: str, domain: str) -> dict[str, Any]:
    """GET /api/v2/instance, with the 4.6.4 server's keys (test_hashtag_tl)."""
    return {
        "domain": domain,
        "title": "Mastodon (cm-inbox sandbox)",
        "version": "4.6.4",
        "source_url": "https://github.com/mastodon/mastodon",
        "description": "A fake Mastodon for trying cm-inbox; nothing here is real.",
        "usage": {"users": {"active_month": 2}},
        "thumbnail": {"url": f"{base}/packs/images/preview.png", "description": ""},
        "icon": [
            {"src": f"{base}/packs/icons/android-chrome-{size}.png", "size": size}
            for size in ("36x36", "192x192", "512x512")
        ],
        "languages": ["en", "de", "fr", "es"],
        "configuration": {
            "urls": {
                "streaming": base.replace("http", "ws", 1),
                "status": None,
                "about": f"{base}/about",
                "privacy_policy": f"{base}/privacy-policy",
                "terms_of_service": None,
            },
            "vapid": {"public_key": VAPID_KEY},
            "accounts": {
                "max_display_name_length": 30,
                "max_note_length": 500,
                "max_avatar_description_length": 150,
                "max_header_description_length": 150,
                "max_featured_tags": 10,
                "max_pinned_statuses": 5,
                "max_profile_fields": 4,
                "profile_field_name_limit": 255,
                "profile_field_value_limit": 255,
            },
            "statuses": {
                "max_characters": MAX_CHARACTERS,
                "max_media_attachments": 4,
                "characters_reserved_per_url": 23,
            },
            "media_attachments": {
                "description_limit": 1500,
                "image_matrix_limit": 33_177_600,
                "image_size_limit": 16_777_216,
                "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "video/mp4"],
                "video_frame_rate_limit": 120,
                "video_matrix_limit": 8_294_400,
                "video_size_limit": 103_809_024,
            },
            "polls": {
                "max_options": 4,
                "max_characters_per_option": 50,
                "min_expiration": 300,
                "max_expiration": 2_629_746,
            },
            "translation": {"enabled": False},
            "timelines_access": {
                feed: {"local": "public", "remote": "public"}
                for feed in ("live_feeds", "hashtag_feeds", "trending_link_feeds")
            },
            "limited_federation": False,
        },
        "registrations": {
            "enabled": False,
            "approval_required": False,
            "reason_required": False,
            "message": None,
            "min_age": None,
            "url": None,
        },
        "api_versions": {"mastodon": 11},
        "wrapstodon": None,
        "contact": {"email": "", "account": None},
        "rules": [],
    }
