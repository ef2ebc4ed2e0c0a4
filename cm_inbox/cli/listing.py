"""`cm-inbox list`: the queue as the TUI shows it, as a table or as JSON."""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from rich.table import Table
from rich.text import Text

from cm_inbox.cli.common import (
    TABLE_LIMIT,
    db_path,
    open_store,
    out_console,
    query_from,
    stdout_is_utf8,
)
from cm_inbox.model import Comment, QueueQuery, QueueRow, View
from cm_inbox.networks.rules import rules_for
from cm_inbox.records import format_time
from cm_inbox.text import clean_text
from cm_inbox.timefmt import age

# The clock ages are measured against; tests set it.
clock: Callable[[], float] = time.time
# From this width on, the table has room for the account column.
WIDE = 110
_TEXT_PREVIEW = 300


def comment_json(comment: Comment) -> dict[str, Any]:
    """A comment as `list --json` prints it; ``id`` is the local id other commands take."""
    return {
        "id": comment.id,
        "network": comment.network,
        "account": comment.account,
        "remote_id": comment.remote_id,
        "parent_id": comment.parent_remote_id,
        "root_id": comment.root_remote_id,
        "author": {
            "handle": comment.author.handle,
            "name": comment.author.display_name,
            "followers": comment.author.followers,
        },
        "text": comment.text,
        "created_at": format_time(comment.created_at),
        "status": comment.status.value,
        "labels": list(comment.labels),
        "url": comment.url,
        "language": comment.language,
        "snoozed_until": format_time(comment.snoozed_until),
        "priority": comment.priority,
    }


def reply_json(row: QueueRow) -> dict[str, Any]:
    """An outbox row as `list --json` prints it: the reply, and who it answers."""
    reply, comment = row.reply, row.comment
    assert reply is not None
    return {
        "id": reply.id,
        "comment_id": reply.comment_id,
        "network": comment.network,
        "account": comment.account,
        "text": reply.text,
        "state": reply.state.value,
        "error": reply.error,
        "attempts": reply.attempts,
        "created_at": format_time(reply.created_at),
        "updated_at": format_time(reply.updated_at),
        "author": {"handle": comment.author.handle, "name": comment.author.display_name},
    }


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:_TEXT_PREVIEW]
    return ""


def run_list(args: argparse.Namespace) -> int:
    query = query_from(args)
    limit = args.limit if args.limit is not None else (None if args.json else TABLE_LIMIT)
    limit = limit or None  # --limit 0: everything
    with open_store(db_path(args)) as store:
        rows = store.iter_queue(query, chunk=min(limit or 500, 500))
        if limit is not None:
            rows = itertools.islice(rows, limit)
        if args.json:
            _print_json(rows, outbox=query.view is View.OUTBOX)
        else:
            shown = list(rows)
            total = (
                store.queue_count(query)
                if limit is not None and len(shown) == limit
                else len(shown)
            )
            _print_table(query, shown, total)
    return 0


def _print_json(rows: Any, *, outbox: bool) -> None:
    """One JSON array, written row by row so a huge view streams in constant memory."""
    ascii_only = not stdout_is_utf8()
    write = sys.stdout.write
    separator = "[\n"
    for row in rows:
        item = reply_json(row) if outbox else comment_json(row.comment)
        write(separator + json.dumps(item, ensure_ascii=ascii_only))
        separator = ",\n"
    write("[]\n" if separator == "[\n" else "\n]\n")


def _print_table(query: QueueQuery, rows: list[QueueRow], total: int) -> None:
    console = out_console()
    title = query.view.title
    if not rows:
        what = "Nothing matches" if query.is_filtered else f"{title} is empty"
        console.print(Text(f"{what}."))
        return
    now = clock()
    outbox = query.view is View.OUTBOX
    # (header, column options, cell). Everything from a network or an import is
    # untrusted, so every cell is a Text, never a markup string. On a narrow
    # terminal Rich narrows only columns that may wrap (labels/error and text),
    # and their cells are cut with an ellipsis instead of wrapping.
    columns: list[tuple[str, dict[str, Any], Callable[[QueueRow], str]]] = [
        ("reply" if outbox else "id", {"justify": "right", "style": "bold"}, lambda r: str(r.key)),
    ]
    if outbox:
        columns.append(("comment", {"justify": "right"}, lambda r: str(r.comment.id)))
    columns.append(("net", {}, lambda r: rules_for(r.comment.network).badge))
    if console.width >= WIDE:
        columns.append(("account", {"max_width": 20}, lambda r: r.comment.account))
    columns += [
        ("author", {"max_width": 20}, lambda r: r.comment.author.handle),
        ("age", {"justify": "right"}, lambda r: age(now - _time_of(r))),
    ]
    if outbox:
        columns += [
            ("state", {}, lambda r: r.reply.state.value if r.reply else ""),
            (
                "error",
                {"no_wrap": False, "max_width": 30},
                lambda r: (r.reply and r.reply.error) or "",
            ),
            ("text", {"no_wrap": False}, lambda r: first_line(r.reply.text if r.reply else "")),
        ]
    else:
        columns += [
            ("status", {}, lambda r: r.comment.status.value),
            ("labels", {"no_wrap": False, "max_width": 24}, lambda r: ", ".join(r.comment.labels)),
            ("text", {"no_wrap": False}, lambda r: first_line(r.comment.text)),
        ]
    table = Table(box=None, padding=(0, 1), pad_edge=False, header_style="bold underline")
    for header, options, _ in columns:
        table.add_column(header, **{"no_wrap": True, **options})
    for row in rows:
        table.add_row(*(_cell(cell(row)) for _, _, cell in columns))
    console.print(table)
    if total > len(rows):
        console.print(
            Text(f"{len(rows):,} of {total:,} in {title}; --limit N shows more", style="dim")
        )


def _time_of(row: QueueRow) -> int:
    return row.reply.updated_at if row.reply is not None else row.comment.created_at


def _cell(value: str) -> Text:
    """A table cell that is one line, cut with an ellipsis, and never parsed as markup.

    Cleaned again here because not every field is cleaned on the way in (labels
    and account names from an import arrive as written), and Rich passes
    escape sequences through to the terminal.
    """
    return Text(" ".join(clean_text(value).split()), no_wrap=True, overflow="ellipsis")
