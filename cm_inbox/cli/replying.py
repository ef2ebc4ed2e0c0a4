"""`cm-inbox reply`: queue a reply from the shell, after the composer's own checks."""

from __future__ import annotations

import argparse
import sys

from rich.text import Text

from cm_inbox.cli.common import CliError, db_path, err_console, open_store, out_console, say_warning
from cm_inbox.compose import check_draft, reply_prefill, with_mention
from cm_inbox.store import ReplyError

# A blocking check (empty, too long) refused the reply: distinct from errors (1)
# so scripts can tell "fix your text" from "something is broken".
EXIT_BLOCKED = 3


def run_reply(args: argparse.Namespace) -> int:
    text = args.text
    if text == "-":
        text = sys.stdin.read().strip()
    database = db_path(args)
    with open_store(database) as store:
        comment = store.comment(args.comment_id)
        if comment is None:
            raise CliError(f"no comment with id {args.comment_id} in {database}")
        errors = err_console()
        mentioned = with_mention(comment, text)
        if mentioned != text and text.strip():
            # What is queued is what will be posted: the mention is added here, visibly.
            errors.print(
                Text(
                    f"note: added {reply_prefill(comment).strip()} at the start, so "
                    f"{comment.network.capitalize()} notifies them"
                )
            )
            text = mentioned
        problems = check_draft(comment, text)
        blocking = [problem for problem in problems if problem.blocking]
        for problem in problems:
            if not problem.blocking:
                say_warning(errors, problem.message)
        if blocking:
            for problem in blocking:
                errors.print(
                    Text.assemble(("cannot queue the reply: ", "bold red"), problem.message)
                )
            return EXIT_BLOCKED
        try:
            reply = store.queue_reply(comment.id, text)
        except ReplyError as error:
            raise CliError(f"cannot queue the reply to comment {comment.id}: {error}") from None
    out_console().print(
        Text(
            f"Queued reply {reply.id} to {comment.author.handle} on {comment.network}"
            f" (comment {comment.id}); it is in the outbox until sent."
        )
    )
    return 0
