"""Opening the TUI: on the user's own inbox, or on the demo database.

textual is imported only inside the functions that start it, so the other
commands never pay for it (and keep working where it is missing).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from cm_inbox.cli.common import CliError, db_path
from cm_inbox.paths import default_db_path, demo_db_path
from cm_inbox.store import Store

if TYPE_CHECKING:
    import argparse

_SIDE_FILES = ("-wal", "-shm", "-journal")


def _need_terminal() -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise CliError("the inbox needs a terminal; `cm-inbox list` prints the queue instead")


def _run_tui(path: Path, *, demo: bool) -> int:
    try:
        from cm_inbox.tui import run_tui
    except ImportError as error:  # textual missing or broken: the other commands still work
        raise CliError(f"cannot start the inbox: {error}") from None
    return run_tui(path, demo=demo)


def run_inbox(args: argparse.Namespace) -> int:
    """`cm-inbox` alone: the user's own inbox."""
    _need_terminal()
    return _run_tui(db_path(args), demo=False)


def run_demo(args: argparse.Namespace) -> int:
    """`cm-inbox demo`: a sample inbox, built on first use, never the user's own."""
    explicit = getattr(args, "db", None)
    # CM_INBOX_DB names the user's own inbox, so it is deliberately not read here.
    path = Path(explicit).expanduser() if explicit else demo_db_path()
    if args.reset and _same_file(path, default_db_path()):
        raise CliError(f"{path} is your own inbox; --reset only deletes demo databases")
    _need_terminal()
    prepare_demo_db(path, reset=args.reset, now=int(time.time()))
    return _run_tui(path, demo=True)


def prepare_demo_db(path: Path, *, reset: bool, now: int) -> Path:
    """Create the demo database at ``path`` (or reuse it) and return its path.

    ``reset`` deletes an existing one first. The demo is built in a side file
    and moved into place when complete, so an interrupted build never leaves
    a half-filled demo to be reused next time.
    """
    if reset:
        _remove_database(path)
    if path.exists():
        return path
    # A -wal left without its database would be replayed into the new one.
    _remove_database(path)
    from cm_inbox import startup
    from cm_inbox.demo.builder import build_demo

    startup.resume()  # building twenty thousand comments is work, not start-up

    building = path.with_name(path.name + ".building")
    _remove_database(building)
    try:
        with Store(building, clock=lambda: now) as store:
            build_demo(store, now=now)
        for suffix in ("-wal", "-shm"):
            side = Path(str(building) + suffix)
            if side.exists():
                os.replace(side, Path(str(path) + suffix))
        os.replace(building, path)
    except BaseException:
        _remove_database(building)
        raise
    return path


def _remove_database(path: Path) -> None:
    for candidate in (path, *(Path(str(path) + suffix) for suffix in _SIDE_FILES)):
        try:
            candidate.unlink()
        except FileNotFoundError:
            pass
        except OSError as error:
            raise CliError(f"cannot delete {candidate}: {error.strerror or error}") from None


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve()
    except OSError:
        return False
