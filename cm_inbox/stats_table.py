"""The stats report as a Rich table: the same figures in `cm-inbox stats` and the Stats screen.

Names in it (networks, languages, intents, spike words) come from networks and
analyzers, so every cell is a ``Text``, never markup.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.table import Table
from rich.text import Text

from cm_inbox.stats import StatsReport
from cm_inbox.text import clean_text
from cm_inbox.timefmt import age


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


def report_table(report: StatsReport) -> Table:
    """Every figure of the report, one labelled line each."""
    now = report.generated_at
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
    return table
