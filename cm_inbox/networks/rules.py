"""Each network's writing rules: length counting, mentions, badges.

Facts from each network's documentation (see ../shared/NETWORKS.md):
Mastodon counts characters with every URL as 23 and reads its limit from the
instance (500 by default); Bluesky counts 300 grapheme clusters; YouTube 10,000
characters; Reddit 10,000 characters of Markdown; Discourse 32,000 by default;
GitHub 65,536.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
# Mastodon counts a remote mention "@user@domain" as "@user" only.
_REMOTE_MENTION = re.compile(r"(?<![\w@])@(\w+)@[\w.-]+\w")


@cache
def _grapheme():
    # `regex` knows Unicode's extended grapheme clusters (\X); `re` does not. Imported
    # when the first count is needed, not at start-up (it costs the first screen ~10 ms).
    import regex

    return regex.compile(r"\X")


def at_handle(handle: str) -> str:
    """A handle as people write it: one "@", even where the network's own
    handles already start with one (YouTube's "@name")."""
    return "@" + handle.lstrip("@")


def count_characters(text: str) -> int:
    """Unicode code points."""
    return len(text)


def count_graphemes(text: str) -> int:
    """User-perceived characters (extended grapheme clusters), as Bluesky counts."""
    return len(_grapheme().findall(text))


def count_mastodon(text: str, url_length: int = 23) -> int:
    """Mastodon's count: characters, every URL as 23, remote mentions by user part."""
    text = _REMOTE_MENTION.sub(lambda m: "@" + m.group(1), text)
    return len(_URL.sub("x" * url_length, text))


@dataclass(frozen=True, slots=True)
class NetworkRules:
    """How one network wants a reply written."""

    name: str
    label: str
    badge: str
    max_length: int
    count: Callable[[str], int]
    unit: str = "characters"
    needs_mention: bool = False

    def mention(self, handle: str) -> str:
        """The mention that opens a reply to ``handle``, or "" where threads say who."""
        if not self.needs_mention or not handle:
            return ""
        return at_handle(handle) + " "

    def remaining(self, text: str, limit: int | None = None) -> int:
        return (limit or self.max_length) - self.count(text)


NETWORKS: dict[str, NetworkRules] = {
    rules.name: rules
    for rules in (
        NetworkRules("mastodon", "Mastodon", "MAS", 500, count_mastodon, needs_mention=True),
        NetworkRules("bluesky", "Bluesky", "BSK", 300, count_graphemes, unit="graphemes"),
        NetworkRules("reddit", "Reddit", "RED", 10_000, count_characters),
        NetworkRules("youtube", "YouTube", "YT", 10_000, count_characters),
        NetworkRules("discourse", "Discourse", "DIS", 32_000, count_characters),
        NetworkRules("github", "GitHub", "GH", 65_536, count_characters),
        # Read-only keyword-watch sources (cm_inbox.watches): nothing is posted there.
        NetworkRules("rss", "Feed", "RSS", 10_000, count_characters),
        NetworkRules("hackernews", "Hacker News", "HN", 10_000, count_characters),
    )
}


def rules_for(network: str) -> NetworkRules:
    """The rules of a network; unknown networks (imports) get lenient defaults."""
    known = NETWORKS.get(network)
    if known is not None:
        return known
    return NetworkRules(
        network, network.capitalize(), network[:3].upper(), 10_000, count_characters
    )
