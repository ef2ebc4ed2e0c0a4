"""Which connector speaks for which network. Adding a network adds a line here.

Modules are imported on first use, so a command that never syncs never pays
for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the registry itself stays light: `cm-inbox --help` never loads httpx
    from cm_inbox.networks.base import Connector

_CONNECTORS = {
    "mastodon": "cm_inbox.networks.mastodon:MastodonConnector",
    "bluesky": "cm_inbox.networks.bluesky:BlueskyConnector",
    "github": "cm_inbox.networks.github:GitHubConnector",
    "discourse": "cm_inbox.networks.discourse:DiscourseConnector",
    "reddit": "cm_inbox.networks.reddit:RedditConnector",
    "youtube": "cm_inbox.networks.youtube:YouTubeConnector",
}

# What each connector's ``moderation`` declares, kept here too so the TUI can tell
# at a key press whether a network can hide, without importing its module (and
# httpx) at start-up. tests/test_moderation.py holds the two equal.
# Mastodon and Bluesky are left out on purpose: Mastodon has no way to hide
# someone else's reply, and Bluesky hides a reply only through the root post's
# threadgate (a record of ours to rewrite), only under our own posts.
_MODERATION: dict[str, frozenset[str]] = {
    "reddit": frozenset({"spam", "hide", "read"}),
    "youtube": frozenset({"spam", "hide"}),
    "discourse": frozenset({"spam", "hide", "read"}),
    "github": frozenset({"spam", "hide"}),
}


def connectable_networks() -> list[str]:
    """Networks an account can be connected to (synced and replied on)."""
    return list(_CONNECTORS)


def moderation_actions(network: str) -> frozenset[str]:
    """The moderation actions cm-inbox can take on ``network`` ("spam", "hide", "read");
    empty for a network it cannot moderate (or does not connect to)."""
    return _MODERATION.get(network, frozenset())


def connector_class(network: str) -> type[Connector]:
    """The connector class for ``network``; KeyError names the networks that exist."""
    try:
        target = _CONNECTORS[network]
    except KeyError:
        known = ", ".join(_CONNECTORS)
        raise KeyError(f"cm-inbox cannot connect to {network!r} yet (it can: {known})") from None
    module_name, _, class_name = target.partition(":")
    return getattr(importlib.import_module(module_name), class_name)
