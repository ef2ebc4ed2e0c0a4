"""The arguments of `cm-inbox triage`; its handler (cm_inbox.cli.triage) loads when it runs."""

from __future__ import annotations

import argparse

from cm_inbox.cli.common import lazy
from cm_inbox.model import View

VIEWS = [view.value for view in View if view is not View.OUTBOX]


def register_triage(commands, common: argparse.ArgumentParser) -> None:
    """Add `triage` to the main parser."""
    triage = commands.add_parser(
        "triage",
        parents=[common],
        help="check the triage rules of the config, or run them again (--reapply)",
        description="List the [[rules]] of the config and any refused; with --reapply, run "
        "them over the comments already stored. New comments get them as they arrive.",
    )
    triage.add_argument(
        "--reapply", action="store_true", help="run the rules over the stored comments"
    )
    triage.add_argument(
        "--dry-run",
        action="store_true",
        help="with --reapply: count what would change, change nothing",
    )
    triage.add_argument(
        "--view",
        choices=VIEWS,
        default=View.ALL.value,
        help="with --reapply: only this view (default: all)",
    )
    triage.add_argument(
        "--score",
        action="store_true",
        help="give language, sentiment, intents and a priority to comments stored without "
        "them (an inbox from before cm-inbox listened), then refresh waiting priorities",
    )
    triage.add_argument("--json", action="store_true", help="print JSON instead of a table")
    triage.set_defaults(handler=lazy("cm_inbox.cli.triage:run_triage"))
