"""`cm-inbox outbox`: every reply on its way, and the user's hand on it.

`outbox` lists; `outbox cancel ID` brings a reply that has not left back to a
draft; `outbox retry ID` sends a failed reply again (with new text if given);
`outbox discard ID` gives up on one. What may already be on the network can
be neither cancelled nor rewritten: the next send looks for it there first.
"""

from __future__ import annotations

import argparse
import json
import sys

from rich.table import Table
from rich.text import Text

from cm_inbox.cli.common import PROG, CliError, db_path, open_store, out_console
from cm_inbox.model import ReplyState
from cm_inbox.model.replies import Reply
from cm_inbox.networks import rules_for
from cm_inbox.records import format_time
from cm_inbox.store import ReplyError
from cm_inbox.store.results import OutboxEntry
from cm_inbox.text import one_line
from cm_inbox.timefmt import ago, within


def run_outbox(args: argparse.Namespace) -> int:
    with open_store(db_path(args)) as store:
        entries = store.outbox_entries(limit=None if args.all or args.json else 200)
    if not args.all:
        entries = [e for e in entries if e.reply.state is not ReplyState.SENT or args.json]
    if args.json:
        sys.stdout.write(
            json.dumps([as_dict(entry) for entry in entries], indent=1, ensure_ascii=False) + "\n"
        )
        return 0
    console = out_console()
    if not entries:
        console.print(Text("The outbox is empty: every reply has gone out.", style="dim"))
        return 0
    table = Table(box=None, header_style="bold")
    for column in ("id", "to", "state", "tries", "reply", "last error"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        reply = entry.reply
        table.add_row(
            str(reply.id),
            Text(f"{rules_for(entry.network).label} {entry.account}"),
            Text(state_label(reply), style=_STATE_STYLE.get(reply.state, "")),
            str(reply.attempts),
            Text(one_line(reply.text, 60)),
            Text(one_line(reply.error or "", 80), style="yellow"),
        )
    console.print(table)
    return 0


def as_dict(entry: OutboxEntry) -> dict:
    reply = entry.reply
    return {
        "id": reply.id,
        "comment_id": reply.comment_id,
        "parent_remote_id": entry.parent_remote_id,
        "network": entry.network,
        "account": entry.account,
        "state": reply.state.value,
        "retrying": reply.retrying,
        "next_attempt_at": format_time(reply.next_attempt_at) if reply.next_attempt_at else None,
        "maybe_sent": reply.maybe_sent,
        "attempts": reply.attempts,
        "last_error": reply.error,
        "remote_id": reply.remote_id,
        "text": reply.text,
        "queued_at": format_time(reply.queued_at) if reply.queued_at else None,
        "sent_at": format_time(reply.sent_at) if reply.sent_at else None,
    }


def state_label(reply: Reply) -> str:
    """How a reply stands, in words: "failed, retry in 2m", "queued"."""
    if reply.state is ReplyState.FAILED:
        if reply.retrying and reply.next_attempt_at is not None:
            return f"failed, retry {within(reply.next_attempt_at)}"
        return "failed: needs you"
    if reply.state is ReplyState.QUEUED and reply.next_attempt_at:
        return f"queued, next try {within(reply.next_attempt_at)}"
    if reply.state is ReplyState.SENT and reply.sent_at:
        return f"sent {ago(reply.sent_at)}"
    return reply.state.value


_STATE_STYLE = {
    ReplyState.FAILED: "red",
    ReplyState.SENT: "green",
    ReplyState.SENDING: "cyan",
    ReplyState.QUEUED: "",
}


def run_cancel(args: argparse.Namespace) -> int:
    with open_store(db_path(args)) as store:
        reply = _act(lambda: store.cancel_reply(args.id))
    out_console().print(
        Text(f"Reply {reply.id} is a draft again; the composer reopens it (r on its comment).")
    )
    return 0


def run_retry(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.text_stdin else args.text
    with open_store(db_path(args)) as store:
        reply = _act(lambda: store.requeue_reply(args.id, text))
    out_console().print(Text(f"Reply {reply.id} is queued again; `{PROG} send` sends it now."))
    return 0


def run_discard(args: argparse.Namespace) -> int:
    with open_store(db_path(args)) as store:
        _act(lambda: store.discard_reply(args.id))
    out_console().print(Text(f"Reply {args.id} discarded; its comment is back in the inbox."))
    return 0


def _act(action):
    try:
        return action()
    except ReplyError as error:
        raise CliError(str(error)) from None
