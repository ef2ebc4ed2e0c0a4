"""What every command shares: errors, consoles, the database, the queue filters."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from cm_inbox.model import QueueQuery, Sort, View
from cm_inbox.paths import default_db_path
from cm_inbox.store import Store, StoreError

if TYPE_CHECKING:
    import argparse

PROG = "cm-inbox"


class CliError(Exception):
    """A user-facing failure: one line on stderr, then exit with ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


# Rows `cm-inbox list` prints as a table unless --limit says otherwise.
TABLE_LIMIT = 50


def lazy(target: str) -> Callable[[argparse.Namespace], int]:
    """A command handler named "module:function", imported only when the command runs."""

    def run(args: argparse.Namespace) -> int:
        module, _, name = target.partition(":")
        return getattr(importlib.import_module(module), name)(args)

    return run


def out_console() -> Console:
    """Rich output on stdout, looked up per call so redirections (and tests) are honoured."""
    return Console(file=sys.stdout, highlight=False)


def err_console() -> Console:
    """Rich output on stderr; soft wrap keeps every message on one line for grep and logs."""
    return Console(file=sys.stderr, highlight=False, soft_wrap=True)


def say_error(console: Console, message: str, *, prefix: str = "error") -> None:
    """Print ``message`` as plain text (never markup: it may quote user data)."""
    console.print(Text.assemble((f"{PROG}: {prefix}: ", "bold red"), message))


def say_warning(console: Console, message: str) -> None:
    console.print(Text.assemble(("warning: ", "bold yellow"), message))


def db_path(args: argparse.Namespace) -> Path:
    """``--db``, else ``CM_INBOX_DB``, else the platform's data folder."""
    explicit = getattr(args, "db", None)
    return Path(explicit).expanduser() if explicit else default_db_path()


@contextmanager
def open_store(path: Path, *, create: bool = False) -> Iterator[Store]:
    """The store at ``path``; commands that only read refuse to create an empty file by mistake."""
    if not create and not path.exists():
        raise CliError(f"no inbox database at {path} (`{PROG} import FILE` creates one)")
    try:
        store = Store(path)
    except StoreError as error:
        raise CliError(str(error)) from None
    try:
        yield store
    finally:
        store.close()


def add_filter_arguments(
    parser: argparse.ArgumentParser, *, views: list[str], default: View
) -> None:
    """The queue's view, filters and order, as ``list`` and ``export`` take them."""
    parser.add_argument(
        "--view",
        choices=views,
        default=default.value,
        help=f"which view (default: {default.value})",
    )
    parser.add_argument("--network", metavar="N", help="only this network (mastodon, bluesky, …)")
    parser.add_argument("--account", metavar="A", help="only this brand account")
    parser.add_argument("--language", metavar="L", help="only this language code")
    parser.add_argument("--label", metavar="L", help="only comments with this label")
    parser.add_argument("--search", metavar="Q", help="full-text search in text and author")
    parser.add_argument(
        "--sort",
        choices=[sort.value for sort in Sort],
        default=Sort.NEWEST.value,
        help="order (default: newest)",
    )


def query_from(args: argparse.Namespace) -> QueueQuery:
    return QueueQuery(
        view=View(args.view),
        search=args.search or None,
        network=args.network.lower() if args.network else None,
        account=args.account or None,
        language=args.language or None,
        label=args.label or None,
        sort=Sort(args.sort),
    )


def stdout_is_utf8() -> bool:
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    return encoding in ("utf8", "utf8sig")
