"""The sandbox twin of Mastodon: being written (routes(state), account_command())."""

from __future__ import annotations

NETWORK = "mastodon"


def routes(state):  # replaced by the full twin
    return []


def account_command(base_url, state):
    raise NotImplementedError
