"""The Stats screen: the figures of `cm-inbox stats`, and charts of them.

Charts are drawn by textual-plotext (Textualize's widget around Plotext): the
comments of each day (or hour) stacked by sentiment, and how long first
responses took. The report is read in a worker; the numbers keys pick the period.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import get_current_worker
from textual_plotext import PlotextPlot

from cm_inbox.stats import SENTIMENTS, UNKNOWN, StatsReport, local_label, report_for
from cm_inbox.stats_table import duration, report_table

# (key, label, seconds back from now; None: every comment)
PERIODS: tuple[tuple[str, str, int | None], ...] = (
    ("1", "24 hours", 86400),
    ("2", "7 days", 7 * 86400),
    ("3", "30 days", 30 * 86400),
    ("4", "all time", None),
)
SENTIMENT_COLOURS = {"negative": "red", "neutral": "gray", "positive": "green", UNKNOWN: "blue"}
# Axis labels a chart has room for: every n-th bucket is named.
MAX_TICKS = 8
BAR_WIDTH = 0.6


class StatsScreen(Screen):
    """Counts, response times, targets and alerts for a period, with charts."""

    # The figures beside the charts; stacked when narrow. Here rather than in
    # app.tcss: a screen's CSS is parsed when it first opens, not before the
    # inbox's first frame.
    CSS = """
    #stats-title {
        height: 1;
        background: $panel;
        padding: 0 1;
    }

    #stats-body {
        height: 1fr;
        layout: horizontal;
    }

    #stats-figures {
        width: 64;
        max-width: 50%;
        height: 1fr;
        padding: 0 1;
        border-right: vkey $panel-lighten-2;
    }

    #stats-charts {
        width: 1fr;
        height: 1fr;
    }

    #stats-charts PlotextPlot {
        height: 1fr;
    }

    #stats-body.narrow {
        layout: vertical;
    }

    #stats-body.narrow #stats-figures {
        width: 1fr;
        max-width: 100%;
        height: 1fr;
        border-right: none;
        border-bottom: hkey $panel-lighten-2;
    }

    #stats-body.narrow #stats-charts {
        layout: horizontal;
    }
    """

    BINDINGS = [
        Binding("escape,S,q", "app.pop_screen", "Back to the inbox"),
        *(
            Binding(key, f"period({index})", label, show=True)
            for index, (key, label, _) in enumerate(PERIODS)
        ),
        Binding("r", "reload", "Refresh"),
    ]

    def __init__(self, period: int = 1) -> None:
        super().__init__()
        self.period = period
        self.report: StatsReport | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="stats-title")
        with Horizontal(id="stats-body"):
            with VerticalScroll(id="stats-figures"):
                yield Static(Text("Counting…", style="italic"), id="stats-table")
            with Vertical(id="stats-charts"):
                yield PlotextPlot(id="volume-chart")
                yield PlotextPlot(id="response-chart")
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    def on_resize(self) -> None:
        self.query_one("#stats-body").set_class(self.size.width < 110, "narrow")

    def action_period(self, index: int) -> None:
        self.period = index
        self._load()

    def action_reload(self) -> None:
        self._load()

    def _title(self) -> Text:
        _, label, _ = PERIODS[self.period]
        title = Text.assemble(("Stats", "bold"), f" · comments of the last {label}")
        if PERIODS[self.period][2] is None:
            title = Text.assemble(("Stats", "bold"), " · all comments")
        title.append(f" · {self.app.config.timezone}", style="dim")
        return title

    def _load(self) -> None:
        self.query_one("#stats-title", Static).update(self._title())
        self._read(self.period)

    @work(thread=True, exclusive=True, group="stats")
    def _read(self, period: int) -> None:
        now = int(self.app.clock())
        back = PERIODS[period][2]
        report = report_for(
            self.app.store,
            self.app.config,
            now=now,
            since=None if back is None else now - back,
        )
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, period, report)

    def _show(self, period: int, report: StatsReport) -> None:
        if period != self.period:
            return
        self.report = report
        self.query_one("#stats-table", Static).update(report_table(report))
        self._draw_volume(report)
        self._draw_responses(report)

    def _draw_volume(self, report: StatsReport) -> None:
        widget = self.query_one("#volume-chart", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        tz = self.app.config.tz
        buckets = report.buckets
        per = {"hour": "hour", "day": "day", "week": "week"}[report.unit]
        plt.title(f"Comments per {per}, by sentiment")
        if not buckets or not any(bucket.total for bucket in buckets):
            plt.title(f"Comments per {per}: none in this period")
            widget.refresh()
            return
        positions = list(range(len(buckets)))
        shown = [
            name for name in (*SENTIMENTS, UNKNOWN) if any(b.sentiments[name] for b in buckets)
        ]
        plt.stacked_bar(
            positions,
            [[bucket.sentiments[name] for bucket in buckets] for name in shown],
            labels=shown,
            color=[SENTIMENT_COLOURS[name] for name in shown],
            # Narrower than plotext's default, so neighbouring bars never touch.
            width=BAR_WIDTH,
        )
        step = max(1, -(-len(buckets) // MAX_TICKS))
        ticks = positions[::step]
        plt.xticks(ticks, [local_label(buckets[i].start, report.unit, tz) for i in ticks])
        widget.refresh()

    def _draw_responses(self, report: StatsReport) -> None:
        widget = self.query_one("#response-chart", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        if not report.answered:
            plt.title("First responses: no reply of ours sent to these comments yet")
            widget.refresh()
            return
        # Short enough for half a screen: plotext leaves out a title wider than the chart.
        plt.title(
            f"First response: median {duration(report.median_response_s)},"
            f" 90% {duration(report.p90_response_s)}, {report.answered:,} answered"
        )
        labels = [label for label, _ in report.response_bins]
        plt.bar(labels, [count for _, count in report.response_bins], color="cyan", width=BAR_WIDTH)
        widget.refresh()
