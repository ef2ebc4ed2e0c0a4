"""The arguments of `cm-inbox stats`; its handler (cm_inbox.cli.stats) loads when it runs."""

from __future__ import annotations

import argparse

from cm_inbox.cli.common import lazy


def register_stats(commands, common: argparse.ArgumentParser) -> None:
    """Add `stats` to the main parser."""
    stats = commands.add_parser(
        "stats",
        parents=[common],
        help="counts, response times, targets and alerts",
        description="Counts by status, network, language, sentiment and intent; first-response"
        " times; response targets missed or at risk; unanswered criticism; the spike alert."
        " Over the comments created since --since (default: all of them).",
    )
    stats.add_argument(
        "--since",
        metavar="D",
        help='a period back from now ("7d", "24h", "2w") or a date ("2026-11-01", local time)',
    )
    stats.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    stats.set_defaults(handler=lazy("cm_inbox.cli.stats:run_stats"))
