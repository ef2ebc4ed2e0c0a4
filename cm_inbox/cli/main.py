"""The `cm-inbox` command: the dispatch to each command (the parser is ``cli.parser``).

Exit statuses: 0 success, 1 an error (one line on stderr saying what and
where), 2 bad usage (argparse's own), 3 a reply refused by its checks,
130 interrupted.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from collections.abc import Sequence
from types import SimpleNamespace

from cm_inbox import startup
from cm_inbox.cli.common import CliError, err_console, say_error
from cm_inbox.cli.launch import run_demo, run_inbox
from cm_inbox.logs import start_logging
from cm_inbox.store import StoreError


def inbox_alone(argv: Sequence[str]) -> SimpleNamespace | None:
    """``cm-inbox`` or ``cm-inbox --db PATH`` parsed as ``build_parser`` would, without
    building the parsers of thirty commands (about 20 ms of the wait for the inbox),
    nor importing argparse. None for anything else, which goes to the full parser,
    errors included."""
    match list(argv):
        case []:
            return SimpleNamespace(handler=run_inbox)
        case ["--db", path] if not path.startswith("-"):
            return SimpleNamespace(db=path, handler=run_inbox)
        case [option] if option.startswith("--db=") and option != "--db=":
            return SimpleNamespace(db=option.removeprefix("--db="), handler=run_inbox)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status (the console script exits with it)."""
    args = inbox_alone(sys.argv[1:] if argv is None else argv)
    if args is None:
        from cm_inbox.cli.parser import build_parser

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
