"""Short human times for a queue where every cell counts."""

from __future__ import annotations

from datetime import datetime, tzinfo


def ago(timestamp: int | float, now: float | None = None) -> str:
    """A past moment as people say it: "now", "5m ago", "3h ago"."""
    import time

    shown = age((time.time() if now is None else now) - timestamp)
    return shown if shown == "now" else f"{shown} ago"


def within(timestamp: int | float, now: float | None = None) -> str:
    """A coming moment as people say it: "now", "in 5m", "in 3h"."""
    import time

    seconds = int(timestamp - (time.time() if now is None else now))
    if seconds <= 0:
        return "now"
    return f"in {seconds}s" if seconds < 45 else f"in {age(seconds)}"


def age(seconds: int | float) -> str:
    """How long ago, in at most four characters: "now", "42s", "5m", "3h", "6d", "8w", "2y"."""
    seconds = max(0, int(seconds))
    if seconds < 45:
        return "now"
    for unit, size in (("y", 365 * 86400), ("w", 7 * 86400), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def stamp(seconds: int, zone: tzinfo | None = None) -> str:
    """A full local time for detail panes: "Fri 20 Nov 2026 10:00"."""
    return datetime.fromtimestamp(seconds, zone).astimezone(zone).strftime("%a %d %b %Y %H:%M")
