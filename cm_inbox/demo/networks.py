"""How each network's messages look in the demo: Lumo's accounts, ids, urls, handles, HTML.

Ids follow each network's real shape (Mastodon snowflakes, Bluesky at:// URIs
with TID record keys, Reddit t1_ fullnames, YouTube Ugz… ids, Discourse post
numbers) and grow as the real ones do, so sorting by id sorts by age.
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Any

# remote id, (handle, display name, followers), created_at, depth
Node = tuple[str, tuple[str, str | None, int | None], int, int]


@dataclass(frozen=True, slots=True)
class BrandAccount:
    """One of Lumo's accounts, how Lumo appears as an author there, and who writes to it."""

    network: str
    name: str
    handle: str
    display: str
    followers: int | None
    weight: float
    languages: tuple[tuple[str, float], ...]


ACCOUNTS: tuple[BrandAccount, ...] = (
    BrandAccount(
        "mastodon",
        "lumo@mastodon.social",
        "lumo@mastodon.social",
        "Lumo",
        18_400,
        0.17,
        (("en", 0.55), ("de", 0.25), ("fr", 0.1), ("es", 0.1)),
    ),
    BrandAccount(
        "mastodon",
        "lumo_fr@piaille.fr",
        "lumo_fr@piaille.fr",
        "Lumo 🇫🇷",
        6_900,
        0.12,
        (("fr", 0.95), ("en", 0.05)),
    ),
    BrandAccount(
        "bluesky",
        "lumo.app",
        "lumo.app",
        "Lumo",
        41_300,
        0.2,
        (("en", 0.6), ("fr", 0.3), ("es", 0.05), ("de", 0.05)),
    ),
    BrandAccount(
        "reddit",
        "u/LumoOfficial",
        "LumoOfficial",
        "Lumo (official)",
        3_100,
        0.17,
        (("en", 0.85), ("de", 0.07), ("es", 0.08)),
    ),
    BrandAccount(
        "youtube",
        "Lumo",
        "@lumo",
        "Lumo",
        96_000,
        0.17,
        (("en", 0.35), ("fr", 0.25), ("es", 0.3), ("de", 0.1)),
    ),
    BrandAccount(
        "discourse",
        "forum.lumo.app",
        "lumo_team",
        "Lumo Team",
        None,
        0.17,
        (("en", 0.5), ("fr", 0.3), ("de", 0.2)),
    ),
)
NETWORKS = tuple(dict.fromkeys(account.network for account in ACCOUNTS))

# Comments on Reddit hang under Lumo's posts in r/lumo; on YouTube under its videos.
REDDIT_POSTS = (
    ("1gq2x7k", "lumo_42_is_out_calendar_view_offline_mode_and_more"),
    ("1gs9a0p", "weekly_help_and_questions_thread"),
    ("1gu4k2e", "ama_with_the_lumo_team_ask_us_anything"),
    ("1gw7h1c", "lumo_pro_pricing_changes_what_you_need_to_know"),
    ("1gx0m3d", "sync_issues_megathread"),
)
YOUTUBE_VIDEOS = ("Lm0Qx7vK2aE", "p4Rt9zYw1Ck", "Hn3bV8sQe0M", "aZ7yT2kLq5U")

_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
# Two base32 characters per 10 bits: a 13-character key in seven lookups.
_TID_PAIRS = tuple(a + b for a in _TID_ALPHABET for b in _TID_ALPHABET)
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lowercase ASCII without accents (Léa → léa → lea), as handles and slugs are."""
    return unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()


@lru_cache(maxsize=16_384)
def did_for(handle: str) -> str:
    """A stable did:plc for a Bluesky author (24 base32 characters, like real ones)."""
    digest = hashlib.blake2b(handle.encode(), digest_size=15).digest()
    return "did:plc:" + base64.b32encode(digest).decode().lower()


def tid(value: int) -> str:
    """A Bluesky record key: 13 sortable base32 characters of a 64-bit timestamp id."""
    pairs = _TID_PAIRS
    return (
        _TID_ALPHABET[(value >> 60) & 31]
        + pairs[(value >> 50) & 1023]
        + pairs[(value >> 40) & 1023]
        + pairs[(value >> 30) & 1023]
        + pairs[(value >> 20) & 1023]
        + pairs[(value >> 10) & 1023]
        + pairs[value & 1023]
    )


def base36(value: int) -> str:
    """Reddit's id alphabet."""
    out = ""
    while value:
        value, rest = divmod(value, 36)
        out = _BASE36[rest] + out
    return out or "0"


def slug(text: str) -> str:
    """A Discourse topic slug from the first words of its first post."""
    return "-".join(_NON_ALNUM.sub(" ", fold(text[:80])).split()[:7]) or "topic"


def handle_for(network: str, base: str, instance: str, digits: int) -> str:
    """A person's handle on ``network`` from one base name, so they are recognisable everywhere."""
    if network == "mastodon":
        return f"{base}@{instance}"
    if network == "bluesky":
        return base.replace("_", "-") + ".bsky.social"  # domain names: no underscores
    if network == "youtube":
        return "@" + base
    if network == "reddit" and "_" not in base and not base[-1].isdigit():
        return f"{base}_{digits}"  # Reddit's plain names were all taken long ago
    return base


def html_body(body: str, link: str | None) -> str:
    """The body as network HTML: escaped, with a link as the anchor networks make of it."""
    markup = escape(body, quote=False)
    if link:
        shown = escape(link.split("://", 1)[-1], quote=False)
        anchor = f'<a href="{escape(link)}" rel="nofollow noopener" target="_blank">{shown}</a>'
        markup = markup.replace(escape(link, quote=False), anchor)
    return markup.replace("\n", "<br>")


@lru_cache(maxsize=4096)
def mention_html(handle: str) -> str:
    """A Mastodon mention as Mastodon renders it."""
    user, _, instance = handle.partition("@")
    return (
        f'<span class="h-card" translate="no"><a href="https://{instance}/@{user}" '
        f'class="u-url mention">@<span>{user}</span></a></span>'
    )


class Styler:
    """Gives messages their network's ids, urls, mentions and markup; keeps the id counters."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rnd = rng.random
        # Counters start where real ids of late 2026 would be and only grow, like the networks'.
        self.mastodon_id = 113_503_274_118_400_000
        self.tid_us = 1_763_400_000_000_000
        self.reddit_id = int("lwq3k2a", 36)
        self.discourse_post = 95_012
        self.discourse_topic = 18_234

    def place(self, network: str, body: str) -> list[Any]:
        """Where a new thread lives: a Reddit post, a YouTube video, a new Discourse topic."""
        if network == "reddit":
            return list(REDDIT_POSTS[int(self.rnd() * len(REDDIT_POSTS))])
        if network == "youtube":
            return [YOUTUBE_VIDEOS[int(self.rnd() * len(YOUTUBE_VIDEOS))]]
        if network == "discourse":
            self.discourse_topic += 1 + int(self.rnd() * 3)
            return [self.discourse_topic, slug(body), 1]
        return []

    def emit(
        self,
        account: BrandAccount,
        place: list[Any],
        parent: Node | None,
        addressed: Node | None,
        handle: str,
        body: str,
        link: str | None,
    ) -> tuple[str, str, str, str | None]:
        """Remote id, url, text and HTML (or None) of a message by ``handle`` answering ``addressed``."""
        network = account.network
        to = addressed[1][0] if addressed is not None and addressed[1][0] != handle else None
        if network == "mastodon":
            self.mastodon_id += 20_000_000_000 + int(self.rnd() * 200_000_000_000)
            remote_id = str(self.mastodon_id)
            user, _, instance = handle.partition("@")
            # Mastodon messages open with the mentions of whoever they address, and of the brand.
            mentions = [m for m in dict.fromkeys((to, account.handle)) if m and m != handle]
            text = "".join("@" + m.partition("@")[0] + " " for m in mentions) + body
            html = (
                "<p>"
                + "".join(mention_html(m) + " " for m in mentions)
                + html_body(body, link)
                + "</p>"
            )
            return remote_id, f"https://{instance}/@{user}/{remote_id}", text, html
        if network == "bluesky":
            self.tid_us += 1_000_000 + int(self.rnd() * 3_000_000_000)
            rkey = tid((self.tid_us << 10) | int(self.rnd() * 1024))
            text = "@lumo.app " + body if addressed is None and self.rnd() < 0.4 else body
            return (
                f"at://{did_for(handle)}/app.bsky.feed.post/{rkey}",
                f"https://bsky.app/profile/{handle}/post/{rkey}",
                text,
                None,
            )
        if network == "reddit":
            self.reddit_id += 1 + int(self.rnd() * 4000)
            comment = base36(self.reddit_id)
            url = f"https://www.reddit.com/r/lumo/comments/{place[0]}/{place[1]}/{comment}/"
            return f"t1_{comment}", url, body, None
        if network == "youtube":
            if parent is None:
                tail = base64.urlsafe_b64encode(self.rng.randbytes(15)).decode()
                remote_id = ("Ugz", "Ugx", "Ugw", "Ugy")[int(self.rnd() * 4)] + tail + "4AaABAg"
            else:
                remote_id = (
                    parent[0] + "." + base64.urlsafe_b64encode(self.rng.randbytes(18)).decode()[:22]
                )
            text = f"{to} {body}" if to else body  # YouTube prefills the @handle being answered
            return (
                remote_id,
                f"https://www.youtube.com/watch?v={place[0]}&lc={remote_id}",
                text,
                None,
            )
        # Discourse: numeric post ids, urls by topic and post number, cooked HTML.
        self.discourse_post += 1 + int(self.rnd() * 6)
        number = place[2]
        place[2] += 1
        html = "<p>" + html_body(body, link).replace("<br><br>", "</p><p>") + "</p>"
        url = f"https://forum.lumo.app/t/{place[1]}/{place[0]}/{number}"
        return str(self.discourse_post), url, body, html
