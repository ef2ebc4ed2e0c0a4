"""`cm-inbox triage`: the config's triage rules, checked, and run again over the inbox.

Without options it lists the rules as loaded and says which were refused and
why. With --reapply it runs them over the stored comments (--dry-run: only
counts), as one action the inbox's undo takes back.
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import nullcontext

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from cm_inbox.cli.common import PROG, CliError, db_path, err_console, open_store, out_console
from cm_inbox.config import Config, load_config
from cm_inbox.model import View
from cm_inbox.store.results import RulesReport
from cm_inbox.triage_rules.matching import Rule


def _score(args: argparse.Namespace, config: Config) -> None:
    """Signals for comments stored without them, and priorities moved on by their wait."""
    from cm_inbox.targets import Targets

    with open_store(db_path(args)) as store:
        store.use_targets(Targets(config.targets, config.tz), config.brand.default_language)
        scored = store.score_unscored()
        moved = store.refresh_priorities()
    if args.json and not args.reapply:
        out_console().print_json(data={"scored": scored, "priorities_moved": moved})
    else:
        err_console().print(f"{scored:,} comments scored, {moved:,} priorities moved by their wait")


def run_triage(args: argparse.Namespace) -> int:
    if (args.dry_run or args.view != View.ALL.value) and not args.reapply:
        raise CliError("--dry-run and --view go with --reapply", code=2)
    config = load_config()
    if not args.json or args.reapply:
        for problem in config.problems:
            err_console().print(Text(f"config: {problem}", style="yellow"))
    if args.score:
        _score(args, config)
        if not args.reapply:
            return 0
    if not args.reapply:
        return _show_rules(config, as_json=args.json)
    if not config.rules:
        where = config.path or "the config"
        raise CliError(f"no triage rule to run: add [[rules]] to {where} (README: Triage rules)")
    with open_store(db_path(args)) as store:
        console = err_console()
        show = console.is_terminal and not args.json
        total = store.view_counts()[View(args.view)] if show else 0
        progress = (
            Progress(
                TextColumn("Running the rules" if not args.dry_run else "Counting"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console,
                transient=True,
            )
            if show
            else nullcontext()
        )
        with progress:
            task = progress.add_task("rules", total=total) if show else None

            def advance(report: RulesReport) -> None:
                if task is not None:
                    progress.update(task, completed=report.scanned)

            report = store.reapply_rules(
                config.rules, view=View(args.view), dry_run=args.dry_run, on_chunk=advance
            )
    if args.json:
        sys.stdout.write(json.dumps(_report_json(report), indent=1, ensure_ascii=False) + "\n")
    else:
        _print_report(report)
    return 0


def _show_rules(config: Config, *, as_json: bool) -> int:
    """The rules as loaded; exit status 1 when the config has a mistake (it is printed)."""
    problems = config.problems
    if as_json:
        body = {
            "config": str(config.path) if config.path else None,
            "rules": [_rule_json(rule) for rule in config.rules],
            "problems": problems,
        }
        sys.stdout.write(json.dumps(body, indent=1, ensure_ascii=False) + "\n")
        return 1 if problems else 0
    console = out_console()
    if not len(config.rules):
        console.print(
            Text(f"No triage rule in {config.path or 'the config'}: see the README's Triage rules.")
        )
        return 1 if problems else 0
    table = Table(box=None, header_style="bold")
    for column in ("rule", "when", "then"):
        table.add_column(column, overflow="fold")
    for rule in config.rules:
        name = Text(rule.name, style="" if rule.enabled else "dim")
        if not rule.enabled:
            name.append(" (off)")
        table.add_row(name, Text(describe_when(rule)), Text(describe_then(rule)))
    console.print(table)
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        console.print(
            Text(f"{len(problems)} {noun} in the config (above); a refused rule is not used.")
        )
    return 1 if problems else 0


def describe_when(rule: Rule) -> str:
    """The rule's conditions in one line, as the config says them."""
    when = rule.when
    parts = [
        f"{key} {', '.join(sorted(values) if isinstance(values, frozenset) else values)}"
        for key, values in (
            ("network", when.networks),
            ("account", when.accounts),
            ("author", when.authors),
            ("words", when.words),
            ("regex", when.regexes),
            ("language", when.languages),
            ("sentiment", when.sentiments),
            ("intent", when.intents),
        )
        if values
    ]
    if when.min_followers is not None:
        parts.append(f"followers ≥ {when.min_followers:,}")
    if when.max_followers is not None:
        parts.append(f"followers ≤ {when.max_followers:,}")
    return "; ".join(parts)


def describe_then(rule: Rule) -> str:
    """The rule's actions in one line."""
    then = rule.then
    parts = []
    if then.labels:
        parts.append("label " + ", ".join(then.labels))
    if then.priority is not None:
        parts.append(f"priority {then.priority:g}")
    if then.raise_priority is not None:
        parts.append(f"priority +{then.raise_priority:g}")
    if then.escalate:
        parts.append(f"escalate to {then.escalate}")
    if then.status:
        parts.append(f"mark {then.status}")
    return "; ".join(parts)


def _rule_json(rule: Rule) -> dict:
    return {
        "name": rule.name,
        "enabled": rule.enabled,
        "when": describe_when(rule),
        "then": describe_then(rule),
    }


def _report_json(report: RulesReport) -> dict:
    return {
        "dry_run": report.dry_run,
        "scanned": report.scanned,
        "changed": report.changed,
        "batch": report.batch or None,
        "rules": [
            {"name": name, "matched": count.matched, "changed": count.changed}
            for name, count in report.rules.items()
        ],
    }


def _print_report(report: RulesReport) -> None:
    console = out_console()
    changed = "would change" if report.dry_run else "changed"
    table = Table(box=None, header_style="bold")
    table.add_column("rule")
    table.add_column("matched", justify="right")
    table.add_column(changed, justify="right")
    for name, count in report.rules.items():
        table.add_row(Text(name), f"{count.matched:,}", f"{count.changed:,}")
    console.print(table)
    summary = f"{report.scanned:,} comments read, {report.changed:,} {changed}"
    if report.dry_run:
        summary += f"; nothing was written (`{PROG} triage --reapply` does it)"
    elif report.changed:
        summary += "; u in the inbox undoes it"
    elif any(count.matched for count in report.rules.values()):
        summary += ": the rules had already done their work"
    else:
        summary += ": no comment matched a rule"
    console.print(Text(summary + "."))
