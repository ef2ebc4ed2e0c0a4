"""A keyword watch, as validated from config.toml."""

from __future__ import annotations

from dataclasses import dataclass

# The label every match carries in the queue.
UNTAGGED_LABEL = "untagged mention"
# Where feed and Hacker News matches live: a source account per watch, never
# connected, so nothing is ever sent from it (the user answers at the link).
READ_ONLY_NETWORKS = ("rss", "hackernews")
# `mastodon = true` in a watch: the one connected account of that network.
ONLY_ACCOUNT = "*"
HN_API = "https://hn.algolia.com"


@dataclass(frozen=True, slots=True)
class Watch:
    """One ``[[watches]]`` entry.

    ``mastodon`` and ``bluesky`` name the connected account that searches (its
    matches land under it, so the user can reply from it); ``ONLY_ACCOUNT``
    means the one connected account of that network. ``hackernews`` is the base
    URL of an Algolia HN search API (``HN_API``, or the sandbox's).
    """

    name: str
    terms: tuple[str, ...]
    variants: tuple[str, ...] = ()
    misspellings: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    mastodon: str | None = None
    bluesky: str | None = None
    feeds: tuple[str, ...] = ()
    hackernews: str | None = None

    @property
    def phrases(self) -> tuple[str, ...]:
        """Terms, variants and misspellings, each once (whatever its case): what is searched."""
        seen: dict[str, str] = {}
        for phrase in (*self.terms, *self.variants, *self.misspellings):
            seen.setdefault(phrase.casefold(), phrase)
        return tuple(seen.values())

    @property
    def matched_by(self) -> tuple[str, ...]:
        """What makes a text a match: the phrases, and the hashtags as words."""
        seen = {phrase.casefold(): phrase for phrase in self.phrases}
        for tag in self.hashtags:
            seen.setdefault(tag.casefold(), tag)
        return tuple(seen.values())
