"""The `cm-inbox` command: the argument parser and the dispatch to each command.

Exit statuses: 0 success, 1 an error (one line on stderr saying what and
where), 2 bad usage (argparse's own), 3 a reply refused by its checks,
130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import sys
from collections.abc import Sequence

from cm_inbox import __version__, startup
from cm_inbox.cli.common import (
    PROG,
    TABLE_LIMIT,
    CliError,
    add_filter_arguments,
    err_console,
    lazy,
    say_error,
)
from cm_inbox.cli.launch import run_demo, run_inbox
from cm_inbox.logs import start_logging
from cm_inbox.model import View
from cm_inbox.store import StoreError


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


def inbox_alone(argv: Sequence[str]) -> argparse.Namespace | None:
    """``cm-inbox`` or ``cm-inbox --db PATH`` parsed as ``build_parser`` would, without
    building the parsers of thirty commands (about 20 ms of the wait for the inbox).
    None for anything else, which goes to the full parser, errors included."""
    match list(argv):
        case []:
            return argparse.Namespace(handler=run_inbox)
        case ["--db", path] if not path.startswith("-"):
            return argparse.Namespace(db=path, handler=run_inbox)
        case [option] if option.startswith("--db=") and option != "--db=":
            return argparse.Namespace(db=option.removeprefix("--db="), handler=run_inbox)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status (the console script exits with it)."""
    args = inbox_alone(sys.argv[1:] if argv is None else argv)
    if args is None:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as done:  # --help, --version, bad usage
            return done.code if isinstance(done.code, int) else (0 if done.code is None else 2)
    start_logging()
    if args.handler not in (run_inbox, run_demo):
        # The TUI resumes the collector after its first frame; everything else, now.
        startup.resume()
    try:
        return args.handler(args) or 0
    except CliError as error:
        say_error(err_console(), str(error))
        return error.code
    except StoreError as error:
        say_error(err_console(), str(error))
        return 1
    except sqlite3.Error as error:
        say_error(err_console(), f"database error: {error}")
        return 1
    except KeyboardInterrupt:
        say_error(err_console(), "interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (`cm-inbox list --json | head`): stop quietly, and
        # point stdout at devnull so the interpreter's final flush does not complain.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as error:  # writing the output failed (disk full, closed terminal)
        where = f" ({error.filename})" if error.filename else ""
        say_error(err_console(), f"{error.strerror or error}{where}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
