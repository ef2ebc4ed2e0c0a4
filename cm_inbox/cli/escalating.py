"""`cm-inbox escalate` and `cm-inbox escalations …`: escalations from the command line,
the same store steps and webhook deliveries as the app's keys."""

from __future__ import annotations

import argparse
import asyncio
import difflib
import json
import sys
import time
from collections.abc import Callable

from rich.table import Table
from rich.text import Text

from cm_inbox.cli.common import (
    PROG,
    CliError,
    db_path,
    err_console,
    open_store,
    out_console,
    say_warning,
)
from cm_inbox.config import Config, load_config
from cm_inbox.model import Comment
from cm_inbox.model.escalations import Escalation
from cm_inbox.networks.rules import at_handle, rules_for
from cm_inbox.records import format_time
from cm_inbox.store import EscalationError, Store
from cm_inbox.sync import RetryPolicy
from cm_inbox.text import one_line
from cm_inbox.timefmt import age
from cm_inbox.webhooks.settings import SECRET_NETWORK, check_url, host_of, toml_key
from cm_inbox.webhooks.wording import TONE, delivery_words

# The clock waits are measured against; tests set it.
clock: Callable[[], float] = time.time
TABLE_LIMIT = 200
_TONE_STYLE = {"ok": "green", "waiting": "", "muted": "dim", "trouble": "red"}
_STATE_STYLE = {"open": "yellow", "answered": "cyan", "closed": "green"}


def _config() -> Config:
    config = load_config()
    for problem in config.problems:
        say_warning(err_console(), f"config: {problem}")
    return config


def _text_arg(value: str) -> str:
    return sys.stdin.read() if value == "-" else value


def _team(config: Config, team: str) -> str:
    teams = config.escalation.teams
    if team in teams:
        return team
    close = difflib.get_close_matches(team, list(teams), n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    listed = ", ".join(teams)
    raise CliError(f'no team "{team}"{hint}; the teams in [escalation] are: {listed}', code=2)


def deliver(store: Store, config: Config):
    """Send the webhook messages due now with this config's webhooks; the report."""
    from cm_inbox.webhooks.delivery import deliver_due, secret_store_lookup

    return asyncio.run(
        deliver_due(
            store,
            config.escalation.webhooks,
            retry=RetryPolicy.of(config.sync),
            timeout_s=config.sync.timeout_seconds,
            secret=secret_store_lookup(),
        )
    )


def run_escalate(args: argparse.Namespace) -> int:
    config = _config()
    team = _team(config, args.team)
    note = _text_arg(args.note).strip()
    hook = config.escalation.webhooks.get(team)
    with open_store(db_path(args)) as store:
        if store.comment(args.comment_id) is None:
            raise CliError(f"no comment with id {args.comment_id} (`{PROG} list` shows the ids)")
        store.escalate([args.comment_id], team, note, args.severity, notify=hook is not None)
        escalation = store.escalation_records(args.comment_id)[0]
        console = out_console()
        console.print(
            Text(
                f"Escalated comment {args.comment_id} to {team} ({args.severity}):"
                f" escalation {escalation.id}."
            )
        )
        if hook is None:
            console.print(Text(f"{team} has no webhook: tell them yourself.", style="dim"))
            return 0
        deliver(store, config)
        escalation = store.escalation(escalation.id) or escalation
    return _say_delivery(escalation)


def _say_delivery(escalation: Escalation) -> int:
    delivery = escalation.latest_delivery
    if delivery is None:
        return 0
    tone = TONE[delivery.state]
    words = delivery_words(delivery, clock())
    if tone == "trouble":
        err_console().print(
            Text(f"Webhook: {words}. `{PROG} escalations resend {escalation.id}` sends it again.")
        )
        return 1
    out_console().print(Text(f"Webhook: {words}.", style=_TONE_STYLE[tone]))
    return 0


def run_list(args: argparse.Namespace) -> int:
    config = load_config()
    with open_store(db_path(args)) as store:
        found = store.list_escalations(unclosed=args.open, limit=None if args.json else TABLE_LIMIT)
    now = clock()
    configured = set(config.escalation.webhooks)
    if args.json:
        rows = [as_dict(e, c, now, e.team in configured) for e, c in found]
        sys.stdout.write(json.dumps(rows, indent=1, ensure_ascii=False) + "\n")
        return 0
    console = out_console()
    if not found:
        console.print(Text("No escalations.", style="dim"))
        return 0
    table = Table(box=None, header_style="bold")
    for column in ("id", "comment", "team", "severity", "state", "waited", "webhook", "latest"):
        table.add_column(column, overflow="fold")
    for escalation, comment in found:
        delivery = escalation.latest_delivery
        webhook = (
            Text(
                delivery_words(delivery, now, configured=escalation.team in configured),
                style=_TONE_STYLE[TONE[delivery.state]],
            )
            if delivery
            else Text("—", style="dim")
        )
        table.add_row(
            str(escalation.id),
            Text(
                f"{comment.id} {rules_for(comment.network).badge} {at_handle(comment.author.handle)}"
            ),
            Text(escalation.team),
            escalation.severity or "",
            Text(escalation.state.value, style=_STATE_STYLE.get(escalation.state.value, "")),
            age(escalation.waited(now)),
            webhook,
            Text(one_line(_latest_words(escalation, comment), 80)),
        )
    console.print(table)
    return 0


def _latest_words(escalation: Escalation, comment: Comment) -> str:
    if escalation.notes:
        last = escalation.notes[-1]
        return ("answer: " if last.kind == "answer" else "note: ") + last.text
    return escalation.note or comment.text


def as_dict(escalation: Escalation, comment: Comment, now: float, configured: bool) -> dict:
    """An escalation as `escalations --json` prints it."""
    delivery = escalation.latest_delivery
    return {
        "id": escalation.id,
        "comment_id": escalation.comment_id,
        "team": escalation.team,
        "severity": escalation.severity,
        "state": escalation.state.value,
        "note": escalation.note,
        "created_at": format_time(escalation.created_at),
        "answered_at": format_time(escalation.answered_at),
        "closed_at": format_time(escalation.closed_at),
        "waited_s": escalation.waited(now),
        "notes": [
            {"kind": n.kind, "text": n.text, "created_at": format_time(n.created_at)}
            for n in escalation.notes
        ],
        "webhook": None
        if delivery is None
        else {
            "kind": delivery.kind,
            "state": delivery.state.value,
            "attempts": delivery.attempts,
            "host": delivery.host,
            "last_status": delivery.last_status,
            "last_error": delivery.last_error,
            "delivered_at": format_time(delivery.delivered_at),
            "next_attempt_at": format_time(delivery.next_attempt_at),
            "words": delivery_words(delivery, now, configured=configured),
        },
        "comment": {
            "network": comment.network,
            "account": comment.account,
            "author": comment.author.handle,
            "url": comment.url,
            "text": comment.text,
            "status": comment.status.value,
        },
    }


_STEP_DONE = {
    "answer": "the team's answer is recorded; it is answered",
    "note": "note added",
    "close": "closed",
}


def run_step(args: argparse.Namespace) -> int:
    note = _text_arg(args.note)
    with open_store(db_path(args)) as store:
        step = {
            "answer": store.answer_escalations,
            "note": store.note_escalations,
            "close": store.close_escalations,
        }[args.step]
        try:
            step([args.id], note)
        except EscalationError as error:
            raise CliError(str(error)) from None
    out_console().print(Text(f"Escalation {args.id}: {_STEP_DONE[args.step]}."))
    return 0


def run_resend(args: argparse.Namespace) -> int:
    config = _config()
    with open_store(db_path(args)) as store:
        try:
            delivery = store.resend_delivery(args.id)
        except EscalationError as error:
            raise CliError(str(error)) from None
        if delivery.team not in config.escalation.webhooks:
            raise CliError(
                f"queued again, but {delivery.team} has no webhook in {config.path}:"
                " it goes once one is configured"
            )
        deliver(store, config)
        escalation = store.escalation(args.id)
    assert escalation is not None
    return _say_delivery(escalation)


def run_deliver(args: argparse.Namespace) -> int:
    config = _config()
    with open_store(db_path(args)) as store:
        report = deliver(store, config)
    if args.json:
        sys.stdout.write(json.dumps(report.as_dict(), indent=1, ensure_ascii=False) + "\n")
        return 1 if report.troubles else 0
    print_report(report)
    return 1 if report.troubles else 0


def print_report(report, *, quiet_when_empty: bool = False) -> None:
    """One line per message sent, retried, refused or unsure."""
    console = out_console()
    lines = [
        *((f"sent to {item}", "green") for item in report.delivered),
        *((item, "yellow") for item in report.retrying),
        *((f"waiting, {item}", "yellow") for item in report.waiting),
        *((f"failed, {item}", "red") for item in report.failed),
        *((f"may have arrived, {item} (look in the channel, then `{PROG} escalations resend ID`)",
           "red") for item in report.unsure),
    ]  # fmt: skip
    if not lines and not quiet_when_empty:
        console.print(Text("No webhook message was due.", style="dim"))
    for words, style in lines:
        console.print(Text("webhook: " + words, style=style))


def run_webhook(args: argparse.Namespace) -> int:
    from cm_inbox.secrets import SecretsError, SecretStore

    config = _config()
    team = _team(config, args.team)
    try:
        secrets = SecretStore()
        entry = secrets.account(SECRET_NETWORK, team)
        if args.forget:
            secrets.remove(SECRET_NETWORK, team)
            out_console().print(Text(f"Forgot the webhook URL of {team}."))
            return 0
        try:
            url = check_url(sys.stdin.readline())
        except ValueError as error:
            raise CliError(f"the URL read from stdin {error}") from None
        entry.set("url", url)
        where = secrets.where
    except SecretsError as error:
        raise CliError(str(error)) from None
    out_console().print(Text(f"Stored the webhook URL of {team} ({host_of(url)}) in {where}."))
    hook = config.escalation.webhooks.get(team)
    if hook is None or not hook.url_secret:
        out_console().print(
            Text(
                f"To use it, put this in {config.path}:\n"
                f'[escalation.webhooks.{toml_key(team)}]\nurl_secret = true\nformat = "slack"'
                "   # or mattermost, discord",
                style="dim",
            )
        )
    return 0
