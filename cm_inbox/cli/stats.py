"""`cm-inbox stats`: the stats report as a table, or as JSON."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Mapping
from datetime import datetime

from rich.console import Console
from rich.table import Table
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
from cm_inbox.stats import SinceError, StatsReport, build_report, parse_since, report_json
from cm_inbox.text import clean_text
from cm_inbox.timefmt import age

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
        report = make_report(store, config, now, since)
    if args.json:
        ascii_only = not stdout_is_utf8()
        sys.stdout.write(json.dumps(report_json(report), ensure_ascii=ascii_only, indent=2) + "\n")
    else:
        print_report(out_console(), report, config, args.since)
    return 0


def make_report(store, config: Config, now: int, since: int | None) -> StatsReport:
    """The report with the user's targets, alerts and time zone."""
    return build_report(
        store,
        now=now,
        since=since,
        tz=config.tz,
        timezone=config.timezone,
        targets=config.targets,
        alerts=config.alerts,
    )


def duration(seconds: float | None) -> str:
    """A response time as people say it: "40s", "42m", "3h 10m", "2d 4h"."""
    if seconds is None:
        return "–"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, _ = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes:02d}m" if minutes else f"{hours}h"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h" if hours else f"{days}d"


def counts_text(counts: Mapping[str, int]) -> Text:
    """ "new 800 · replied 200": names may come from a network, so plain text only."""
    text = Text()
    for index, (name, count) in enumerate(counts.items()):
        if index:
            text.append(" · ", style="dim")
        text.append(" ".join(clean_text(name).split()) or "?")
        text.append(f" {count:,}", style="bold")
    return text if counts else Text("–", style="dim")


def period_text(report: StatsReport, asked: str | None, config: Config) -> str:
    if report.since is None:
        return "all comments"
    start = datetime.fromtimestamp(report.since, config.tz).strftime("%a %d %b %Y %H:%M")
    return f"comments created since {start}" + (f" ({asked})" if asked else "")


def print_report(console: Console, report: StatsReport, config: Config, asked: str | None) -> None:
    now = report.generated_at
    console.print(
        Text.assemble(
            ("Stats", "bold"), f" · {period_text(report, asked, config)} · {report.timezone}"
        )
    )
    table = Table(box=None, padding=(0, 1), pad_edge=False, show_header=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    table.add_row("Comments", Text(f"{report.comments:,}", style="bold"))
    table.add_row("By status", counts_text(report.by_status))
    table.add_row("By network", counts_text(report.by_network))
    table.add_row("By language", counts_text(report.by_language))
    table.add_row("By sentiment", counts_text(report.by_sentiment))
    table.add_row("By intent", counts_text(report.by_intent))
    if report.answered:
        response = Text.assemble(
            "median ",
            (duration(report.median_response_s), "bold"),
            " · 90th percentile ",
            (duration(report.p90_response_s), "bold"),
            f" · {report.answered:,} answered",
        )
    else:
        response = Text("no reply of ours sent to these comments yet", style="dim")
    table.add_row("First response", response)
    hours = report.business_hours or "around the clock"
    for figures in report.tiers:
        label = f"{figures.tier.value.capitalize()} target"
        if figures.target_seconds is None:
            table.add_row(label, Text(f"none · {figures.open:,} open", style="dim"))
            continue
        line = Text(f"{duration(figures.target_seconds)}: ")
        line.append(f"{figures.breached:,} breached", style="bold red" if figures.breached else "")
        line.append(" · ")
        line.append(f"{figures.at_risk:,} at risk", style="yellow" if figures.at_risk else "")
        line.append(f" · {figures.open:,} open")
        if figures.answered:
            line.append(f" · {figures.answered_late:,} of {figures.answered:,} answered late")
        table.add_row(label, line)
    table.add_row("Targets count", Text(hours, style="dim"))
    unanswered = Text(f"{report.unanswered_negatives:,}", style="bold")
    if report.oldest_unanswered_at is not None:
        unanswered.append(f" (the oldest written {age(now - report.oldest_unanswered_at)} ago)")
    table.add_row("Unanswered criticism", unanswered)
    spike = report.spike
    if spike.spike:
        table.add_row("Spike alert", Text(spike.describe(), style="bold red"))
    else:
        usual = (
            f", usually {spike.baseline_per_hour:.1f} an hour"
            if spike.baseline_hours
            else " (no history to compare with yet)"
        )
        noun = "comment" if spike.count == 1 else "comments"
        table.add_row(
            "Spike alert",
            Text(f"none: {spike.count} negative {noun} in the last hour{usual}", style="dim"),
        )
    console.print(table)
