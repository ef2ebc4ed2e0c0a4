"""The arguments of `cm-inbox escalate` and `cm-inbox escalations …` (argparse only:
the handlers, and httpx with them, load when a command runs)."""

from __future__ import annotations

import argparse

from cm_inbox.cli.common import PROG, lazy
from cm_inbox.model import SEVERITIES

_HANDLERS = "cm_inbox.cli.escalating"


def _whole(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {value!r}") from None


def register_escalation(commands, common: argparse.ArgumentParser) -> None:
    """Add `escalate` and `escalations` (list, answer, note, close, resend, deliver, webhook)."""
    escalate = commands.add_parser(
        "escalate",
        parents=[common],
        help="hand a comment to a team",
        description="Hand a comment to a team from [escalation] teams, with a severity and a "
        "note. When the team has a webhook, its chat hears of it at once.",
    )
    escalate.add_argument("comment_id", type=_whole, metavar="COMMENT_ID", help="as `list` shows")
    escalate.add_argument("--team", required=True, metavar="T", help="a team from the config")
    escalate.add_argument(
        "--severity", choices=SEVERITIES, default="normal", help="default: normal"
    )
    escalate.add_argument("--note", default="", metavar="TEXT", help='for the team ("-": stdin)')
    escalate.set_defaults(handler=lazy(f"{_HANDLERS}:run_escalate"))

    escalations = commands.add_parser(
        "escalations",
        parents=[common],
        help="list escalations; record a team's answer, add a note, close one",
        description="Every escalation (newest first) with how long it has waited and where its "
        "webhook message stands. Subcommands act on one escalation by its id.",
    )
    escalations.add_argument("--json", action="store_true", help="one JSON array")
    escalations.add_argument(
        "--open", action="store_true", help="only those not closed yet (open or answered)"
    )
    escalations.set_defaults(handler=lazy(f"{_HANDLERS}:run_list"))
    sub = escalations.add_subparsers(title="commands", metavar="COMMAND")
    for name, text, needs_note in (
        ("answer", "record the team's answer (the escalation becomes answered)", True),
        ("note", "add a note to an escalation, closed or not", True),
        ("close", "close an escalation; its comment leaves the Escalated view", False),
    ):
        step = sub.add_parser(name, parents=[common], help=text, description=text)
        step.add_argument("id", type=_whole, metavar="ID", help="as `escalations` shows")
        step.add_argument(
            "--note", required=needs_note, default="", metavar="TEXT", help='"-" reads stdin'
        )
        step.set_defaults(handler=lazy(f"{_HANDLERS}:run_step"), step=name)
    resend = sub.add_parser(
        "resend",
        parents=[common],
        help="send an escalation's failed or unsure webhook message again",
        description="Send again a message its webhook refused, or one that may not have "
        "arrived (look in the team's channel first: webhooks cannot tell a repeat).",
    )
    resend.add_argument("id", type=_whole, metavar="ID")
    resend.set_defaults(handler=lazy(f"{_HANDLERS}:run_resend"))
    deliver = sub.add_parser(
        "deliver",
        parents=[common],
        help="send the webhook messages that are due now",
        description=f"Send waiting webhook messages now (`{PROG} sync` and `send` do it too).",
    )
    deliver.add_argument("--json", action="store_true", help="print the outcome as JSON")
    deliver.set_defaults(handler=lazy(f"{_HANDLERS}:run_deliver"))
    webhook = sub.add_parser(
        "webhook",
        parents=[common],
        help="keep a team's webhook URL in the keyring",
        description="Store a team's webhook URL in cm-inbox's secret store (the OS keyring, "
        "else an owner-only file), for `url_secret = true` under [escalation.webhooks.TEAM].",
    )
    webhook.add_argument("team", metavar="TEAM")
    action = webhook.add_mutually_exclusive_group(required=True)
    action.add_argument("--url-stdin", action="store_true", help="read the URL from stdin")
    action.add_argument("--forget", action="store_true", help="remove the stored URL")
    webhook.set_defaults(handler=lazy(f"{_HANDLERS}:run_webhook"))
