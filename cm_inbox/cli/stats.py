"""`cm-inbox stats`: the stats report as a table, or as JSON."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import datetime

from rich.console import Console
from rich.text import Text

from cm_inbox.cli.common import (
    CliError,
    db_path,
    err_console,
    open_store,
    out_console,
    say_warning,
    stdout_is_utf8,
)
from cm_inbox.config import Config, load_config
from cm_inbox.stats import SinceError, StatsReport, parse_since, report_for, report_json
from cm_inbox.stats_table import report_table

# The clock the period and the targets are measured against; tests set it.
clock: Callable[[], float] = time.time


def run_stats(args: argparse.Namespace) -> int:
    config = load_config()
    for problem in config.problems:
        say_warning(err_console(), problem)
    now = int(clock())
    since = None
    if args.since:
        try:
            since = parse_since(args.since, now, config.tz)
        except SinceError as error:
            raise CliError(f"--since: {error}", code=2) from None
    with open_store(db_path(args)) as store:
        report = report_for(store, config, now=now, since=since)
    if args.json:
        ascii_only = not stdout_is_utf8()
        sys.stdout.write(json.dumps(report_json(report), ensure_ascii=ascii_only, indent=2) + "\n")
    else:
        print_report(out_console(), report, config, args.since)
    return 0


def period_text(report: StatsReport, asked: str | None, config: Config) -> str:
    if report.since is None:
        return "all comments"
    start = datetime.fromtimestamp(report.since, config.tz).strftime("%a %d %b %Y %H:%M")
    return f"comments created since {start}" + (f" ({asked})" if asked else "")


def print_report(console: Console, report: StatsReport, config: Config, asked: str | None) -> None:
    console.print(
        Text.assemble(
            ("Stats", "bold"), f" · {period_text(report, asked, config)} · {report.timezone}"
        )
    )
    console.print(report_table(report))
