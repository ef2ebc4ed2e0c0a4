"""Keyword watches: people who talk about the brand without tagging it.

A watch (``[[watches]]`` in config.toml) names the brand's terms, their
variants and common misspellings, words that rule a match out, and where to
look: the networks' own search (Mastodon search and hashtag timelines, Bluesky
``searchPosts``), RSS and Atom feeds, and Hacker News comments. What matches
enters the queue labelled "untagged mention".

- ``model``: the ``Watch`` a config entry becomes.
- ``config``: reading ``[[watches]]`` entries, with file and line for every problem.
- ``matching``: case- and accent-insensitive, word-bounded matching with exclusions.
- ``source``: what every source module implements; ``mastodon_search``,
  ``bluesky_search``, ``feeds`` (with ``feed_parse``) and ``hackernews`` are the sources.
- ``runner``: which sources a sync runs, and storing what they find.

Everything here reads; nothing posts. This package's top level stays light
(no httpx): the config imports it on every start.
"""

from __future__ import annotations

from cm_inbox.watches.model import READ_ONLY_NETWORKS, UNTAGGED_LABEL, Watch

__all__ = ["READ_ONLY_NETWORKS", "UNTAGGED_LABEL", "Watch"]
