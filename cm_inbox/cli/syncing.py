"""`cm-inbox sync`, `send` and `doctor`: the network side from the command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table
from rich.text import Text

from cm_inbox.cli.common import PROG, CliError, db_path, err_console, open_store, out_console
from cm_inbox.cli.escalating import deliver, print_report
from cm_inbox.networks import rules_for
from cm_inbox.secrets import SecretsError, SecretStore
from cm_inbox.store import Store
from cm_inbox.sync import AccountSync, RetryPolicy, SyncReport, sync_accounts
from cm_inbox.targets import Targets
from cm_inbox.timefmt import ago


def _targets(store: Store, name: str | None, *, watching: bool = False):
    accounts = store.connected_accounts()
    if name is not None:
        accounts = [a for a in accounts if a.name == name]
        if not accounts:
            raise CliError(f"no connected account named {name!r} (`{PROG} accounts list`)")
    if not accounts and not watching:  # keyword watches on feeds need no account
        raise CliError(f"no account connected yet (`{PROG} accounts add mastodon|bluesky ...`)")
    return accounts


def run_sync(args: argparse.Namespace) -> int:
    from cm_inbox.config import load_config

    config = load_config()
    for problem in config.problems:
        err_console().print(Text(f"config: {problem}", style="yellow"))
    secrets = SecretStore()
    with open_store(db_path(args), create=True) as store:
        store.use_rules(config.rules)
        store.use_targets(Targets(config.targets, config.tz), config.brand.default_language)
        accounts = _targets(store, args.account, watching=bool(config.watches and args.fetch))
        console = err_console()
        show_progress = console.is_terminal and not args.json
        try:
            report = _run(
                store,
                accounts,
                secrets,
                fetch=args.fetch,
                console=console if show_progress else None,
                retry=RetryPolicy.of(config.sync),
                timeout_s=config.sync.timeout_seconds,
                undo_s=config.sync.undo_seconds,
                watches=config.watches,
                named=args.account is not None,
            )
        except SecretsError as error:
            raise CliError(str(error)) from None
        # Escalations' webhook messages waiting for a retry go out with the replies.
        hooks = deliver(store, config) if config.escalation.webhooks else None
    if args.json:
        sys.stdout.write(
            json.dumps(
                {
                    "accounts": [a.as_dict() for a in report.accounts],
                    "new": report.new,
                    "webhooks": hooks.as_dict() if hooks else None,
                },
                indent=1,
            )
            + "\n"
        )
    else:
        _print_summary(out_console(), report, fetch=args.fetch)
        if hooks:
            print_report(hooks, quiet_when_empty=True)
    return 1 if report.errors else 0


def _run(
    store,
    accounts,
    secrets: SecretStore,
    *,
    fetch: bool,
    console: Console | None,
    retry: RetryPolicy,
    timeout_s: float,
    undo_s: float = 0.0,
    watches=(),
    named: bool = False,
) -> SyncReport:
    def secrets_for(account):
        return secrets.account(account.network, account.name)

    # Without --account, every account and every watch source runs (see sync_accounts).
    options = {
        "accounts": accounts if named else None,
        "fetch": fetch,
        "retry": retry,
        "timeout_s": timeout_s,
        # A mark made in the app a moment ago may still be taken back there.
        "undo_s": undo_s,
        "watches": watches,
        # Many accounts at once: their comments' signals on the other core.
        "signals_ahead": True,
    }
    if console is None:
        return asyncio.run(sync_accounts(store, secrets_for, **options))
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=console, transient=True
    ) as bar:
        tasks = {
            (a.network, a.name): bar.add_task(_line(AccountSync(a.network, a.name), "waiting"))
            for a in accounts
        }

        def progress(result: AccountSync, stage: str) -> None:
            key = (result.network, result.account)
            if key not in tasks:  # a keyword watch's source: a line of its own
                tasks[key] = bar.add_task(_line(result, stage))
            bar.update(tasks[key], description=_line(result, stage))

        return asyncio.run(sync_accounts(store, secrets_for, progress=progress, **options))


def _line(result: AccountSync, stage: str) -> str:
    label = rules_for(result.network).label
    return f"{label} {result.account}: {stage}, {result.new} new, {result.sent} sent"


def _print_summary(console: Console, report: SyncReport, *, fetch: bool) -> None:
    table = Table(box=None, header_style="bold")
    for column in (
        "account",
        "network",
        *(("new", "updated", "threads", "set aside") if fetch else ()),
        "sent",
        "result",
    ):
        table.add_column(column)
    # Long messages go under the table, one per line: in a table column they
    # wrapped to a word per line.
    details: list[Text] = []
    for result in report.accounts:
        label = rules_for(result.network).label
        problems = [*result.send_failures, *result.moderation_refused]
        if result.error:
            outcome = Text("failed", style="red" if result.needs_login else "yellow")
            problems.insert(0, result.error)
        elif problems:
            outcome = Text("ok, with problems", style="yellow")
        else:
            outcome = Text("ok", style="green")
        note = getattr(result, "note", None)  # a keyword watch's ("not modified since ...")
        if note and not result.error:
            outcome.append(f" ({note})", style="dim")
        for problem in dict.fromkeys(problems):  # the account's error may repeat a reply's
            line = Text(f"{result.account} ({label}): ", style="bold")
            line.append(problem, style="red" if result.needs_login else "yellow")
            details.append(line)
        counts = (
            (f"{result.new:,}", f"{result.updated:,}", str(result.threads), str(result.set_aside))
            if fetch
            else ()
        )
        table.add_row(Text(result.account), label, *counts, str(result.sent), outcome)
    console.print(table)
    for line in details:
        console.print(line)
    if any(r.set_aside for r in report.accounts):
        console.print(
            Text(f"Some items could not be read; `{PROG} doctor` shows them.", style="dim")
        )


def run_doctor(args: argparse.Namespace) -> int:
    path = db_path(args)
    with open_store(path) as store:
        problems = store.check_integrity()
        accounts = store.connected_accounts(with_counts=True)
        aside = store.set_aside_items()
        watched = store.watch_outcomes()
    try:
        where = SecretStore().where
    except SecretsError as error:
        where = f"unavailable: {error}"
    report = {
        "database": str(path),
        "integrity": problems or ["ok"],
        "secrets": where,
        "accounts": [
            {
                "name": a.name,
                "network": a.network,
                "needs_login": a.login_problem,
                "last_sync_at": a.last_sync_at,
                "last_error": a.last_error,
            }
            for a in accounts
        ],
        "watch_sources": [
            {"source": w.key, "last_sync_at": w.last_sync_at, "last_error": w.last_error}
            for w in watched
        ],
        "set_aside": [
            {
                "id": item.id,
                "network": item.network,
                "account": item.account,
                "received_at": item.received_at,
                "reason": item.reason,
                "payload": item.payload,
            }
            for item in aside
        ],
    }
    if args.json:
        sys.stdout.write(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
        return 1 if problems else 0
    console = out_console()
    console.print(
        Text.assemble(
            ("database  ", "bold"),
            str(path),
            "  ",
            ("ok" if not problems else "; ".join(problems), "green" if not problems else "red"),
        )
    )
    console.print(Text.assemble(("secrets   ", "bold"), where))
    for account in accounts:
        state = account.login_problem and f"needs a new login: {account.login_problem}"
        state = state or account.last_error or "ok"
        synced = ago(account.last_sync_at) if account.last_sync_at else "never synced"
        console.print(Text(f"account   {account.network}:{account.name}  {synced}  {state}"))
    for source in watched:  # keyword watches: "watch|kind|where"
        synced = ago(source.last_sync_at) if source.last_sync_at else "never synced"
        console.print(Text(f"watch     {source.key}  {synced}  {source.last_error or 'ok'}"))
    if aside:
        console.print(Text(f"\n{len(aside)} item(s) set aside (newest first):", style="bold"))
        for item in aside:
            console.print(
                Text(
                    f"#{item.id} {item.network}:{item.account} {ago(item.received_at)}: {item.reason}"
                )
            )
            console.print(
                Text(
                    "  " + item.payload[:300] + ("…" if len(item.payload) > 300 else ""),
                    style="dim",
                )
            )
    else:
        console.print(Text("Nothing set aside: every item synced was readable.", style="dim"))
    return 1 if problems else 0
