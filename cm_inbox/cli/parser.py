"""The `cm-inbox` command's full argument parser: every command and its options.

Loaded for every command but the inbox itself (``cm_inbox.cli.main.inbox_alone``
reads that one): argparse is about 3 ms of imports the first screen does not wait for.
"""

from __future__ import annotations

import argparse

from cm_inbox import __version__
from cm_inbox.cli.common import PROG, TABLE_LIMIT, add_filter_arguments, lazy
from cm_inbox.cli.launch import run_demo, run_inbox
from cm_inbox.model import View


def _limit(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 (no limit) or more")
    return number


def _comment_id(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a comment id (a number, as `{PROG} list` shows), got {value!r}"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    # --db is accepted before and after the command name. Both copies default
    # to SUPPRESS so the subcommand's parser never overwrites a value given
    # before it with its own default.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="the inbox database (default: $CM_INBOX_DB, else the user data folder)",
    )
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A terminal inbox for community managers. Without a command, opens your inbox.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.set_defaults(handler=run_inbox)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="open a demo inbox full of sample comments",
        description="Open a demo inbox (built on first use, kept apart from your own inbox).",
    )
    demo.add_argument("--reset", action="store_true", help="rebuild the demo database from scratch")
    demo.set_defaults(handler=run_demo)

    views = [view.value for view in View]
    listing = commands.add_parser(
        "list",
        parents=[common],
        help="print the queue",
        description="Print a view of the queue in the order the inbox shows it.",
    )
    add_filter_arguments(listing, views=views, default=View.INBOX)
    listing.add_argument(
        "--limit",
        type=_limit,
        metavar="N",
        help=f"at most N rows; 0 for all (default: {TABLE_LIMIT} in the table, all with --json)",
    )
    listing.add_argument("--json", action="store_true", help="one JSON array instead of a table")
    listing.set_defaults(handler=lazy("cm_inbox.cli.listing:run_list"))

    reply = commands.add_parser(
        "reply",
        parents=[common],
        help="queue a reply to a comment",
        description="Check a reply the way the composer does and put it in the outbox.",
    )
    reply.add_argument(
        "comment_id", type=_comment_id, metavar="COMMENT_ID", help="as `list` shows it"
    )
    reply.add_argument("text", metavar="TEXT", help='the reply ("-" reads it from stdin)')
    reply.set_defaults(handler=lazy("cm_inbox.cli.replying:run_reply"))

    templates = commands.add_parser(
        "templates",
        parents=[common],
        help="list or search the reply templates",
        description="List the reply templates (bundled, and yours in the templates folder "
        "beside config.toml), or search them as the composer's picker does.",
    )
    templates.add_argument("search", nargs="*", metavar="SEARCH", help="words to look for")
    templates.add_argument("--language", metavar="L", help="prefer this language (en, fr, ...)")
    templates.add_argument(
        "--comment",
        type=_comment_id,
        metavar="COMMENT_ID",
        help="rank for this comment (an escalated one gets the admit-the-mistake templates first)",
    )
    templates.add_argument("--json", action="store_true", help="one JSON array, variants included")
    templates.set_defaults(handler=lazy("cm_inbox.cli.templating:run_templates"))

    importing = commands.add_parser(
        "import",
        parents=[common],
        help="add comments from a JSON Lines file",
        description="Add comments from JSON Lines (one comment per line). Importing again is safe.",
    )
    importing.add_argument("file", metavar="FILE", help='the file ("-" for stdin)')
    importing.set_defaults(handler=lazy("cm_inbox.cli.transfer:run_import"))

    export = commands.add_parser(
        "export",
        parents=[common],
        help="write comments as JSON Lines or CSV",
        description="Write a view of the queue as JSON Lines (which `import` reads back) or CSV.",
    )
    add_filter_arguments(export, views=[v for v in views if v != View.OUTBOX], default=View.ALL)
    export.add_argument(
        "--format", choices=("jsonl", "csv"), default="jsonl", help="default: jsonl"
    )
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)")
    export.set_defaults(handler=lazy("cm_inbox.cli.transfer:run_export"))

    # Their modules only build parsers: `cm-inbox` alone (inbox_alone) never loads them.
    from cm_inbox.cli.escalation_commands import register_escalation
    from cm_inbox.cli.network_commands import (
        register_accounts,
        register_outbox,
        register_sandbox,
        register_syncing,
    )
    from cm_inbox.cli.stats_args import register_stats
    from cm_inbox.cli.triage_args import register_triage

    register_escalation(commands, common)
    register_accounts(commands, common)
    register_syncing(commands, common)
    register_outbox(commands, common)
    register_sandbox(commands, common)
    register_triage(commands, common)
    register_stats(commands, common)
    return parser
