"""`cm-inbox reply`: queue a reply from the shell, after the composer's own checks."""

from __future__ import annotations

import argparse
import sys

from rich.console import Console
from rich.text import Text

from cm_inbox.check_settings import setting_name
from cm_inbox.cli.common import CliError, db_path, err_console, open_store, out_console
from cm_inbox.compose import DraftProblem, check_draft, reply_prefill, with_mention
from cm_inbox.config import load_config
from cm_inbox.drafting import draft_context, find_language_detector, is_demo_database
from cm_inbox.store import ReplyError

# A blocking check (empty, too long, a foreign link...) refused the reply:
# distinct from errors (1) so scripts can tell "fix your text" from "something is broken".
EXIT_BLOCKED = 3


def say_problem(console: Console, problem: DraftProblem) -> None:
    """One line per problem, naming the check (its key in [checks]); the detail indented below."""
    lead, style = (
        ("cannot queue the reply", "bold red") if problem.blocking else ("warning", "bold yellow")
    )
    console.print(
        Text.assemble((f"{lead} ({setting_name(problem.code)}): ", style), problem.message)
    )
    if problem.detail:
        console.print(Text("  " + problem.detail))


def run_reply(args: argparse.Namespace) -> int:
    text = args.text
    if text == "-":
        text = sys.stdin.read().strip()
    database = db_path(args)
    config = load_config()
    errors = err_console()
    for problem in config.problems:
        errors.print(Text(f"config: {problem}", style="yellow"))
    with open_store(database) as store:
        comment = store.comment(args.comment_id)
        if comment is None:
            raise CliError(f"no comment with id {args.comment_id} in {database}")
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
        context = draft_context(
            store,
            config,
            comment,
            demo=is_demo_database(database),
            detect_language=find_language_detector(),
        )
        problems = check_draft(comment, text, context=context)
        # Warnings first and blocking problems last, so the reason for exit 3 ends the output.
        for problem in sorted(problems, key=lambda problem: problem.blocking):
            say_problem(errors, problem)
        if any(problem.blocking for problem in problems):
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
