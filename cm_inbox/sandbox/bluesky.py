"""The sandbox twin of Bluesky: being written (routes(state), account_command())."""

from __future__ import annotations

NETWORK = "bluesky"


def routes(state):  # replaced by the full twin
    return []


def account_command(base_url, state):
    raise NotImplementedError
