"""The stats report `cm-inbox stats` prints and the Stats screen draws.

Over the comments created in a period (``--since``): counts by status,
network, language, sentiment and intent; how fast the first reply of ours
went out (median and 90th percentile); response targets missed or about to
be; the Unanswered criticism backlog; and the spike alert.

First response time, as the events table records it: from a comment's
creation to the ``outbox:sent`` event of the first reply of ours that left
(equal to that reply's ``sent_at``). A reply still queued, waiting offline or
refused is not a response yet: the customer has not seen it. Percentiles
interpolate between the two nearest values (numpy's default), so the median
of 10, 20, 30 and 40 minutes is 25 minutes.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from cm_inbox.config import Config
from cm_inbox.model import View
from cm_inbox.records import format_time
from cm_inbox.response_config import AlertSettings, TargetSettings, parse_duration
from cm_inbox.snooze import DAY_ABBR
from cm_inbox.spikes import SpikeReading, read_spike
from cm_inbox.store import Store
from cm_inbox.store.results import FirstResponse, PriorityBand, TallySummary
from cm_inbox.targets import TIER_RANGES, Targets, Tier, tier_of

SENTIMENTS = ("negative", "neutral", "positive")
UNKNOWN = "unknown"
# Response-time histogram: (upper bound in seconds, label).
RESPONSE_BINS: tuple[tuple[float, str], ...] = (
    (15 * 60, "<15m"),
    (3600, "15m-1h"),
    (4 * 3600, "1-4h"),
    (24 * 3600, "4-24h"),
    (3 * 86400, "1-3d"),
    (math.inf, ">3d"),
)


class SinceError(ValueError):
    """A --since value that is neither a duration nor a date."""


_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2}))?$")


def parse_since(text: str, now: int, tz: tzinfo) -> int:
    """The start of a period: "7d", "24h", "90m", "2w" back from ``now``, or a local date/time.

    "2026-11-01" is that day's midnight in ``tz``; "2026-11-01 14:00" that time.
    """
    cleaned = text.strip().lower()
    weeks = re.fullmatch(r"(\d+)\s*w", cleaned)
    if weeks:
        return now - int(weeks.group(1)) * 7 * 86400
    match = _DATE_RE.match(cleaned)
    if match:
        year, month, day, hour, minute = match.groups()
        try:
            start = datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0), tzinfo=tz
            )
        except ValueError:
            raise SinceError(f'"{text}" is not a date in the calendar') from None
        return int(start.timestamp())
    try:
        return now - parse_duration(cleaned)
    except ValueError:
        raise SinceError(
            f'"{text}" is not a period: use a duration such as "7d", "24h" or "2w",'
            ' or a date such as "2026-11-01"'
        ) from None


def percentile(values: Sequence[float], share: float) -> float | None:
    """The ``share`` (0..1) percentile of sorted ``values``, interpolated; None when empty."""
    if not values:
        return None
    position = (len(values) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return values[low] + (values[high] - values[low]) * (position - low)


@dataclass(frozen=True, slots=True)
class TierFigures:
    """One priority tier against its target."""

    tier: Tier
    target_seconds: int | None
    open: int = 0
    at_risk: int = 0
    breached: int = 0
    answered: int = 0
    answered_late: int = 0


@dataclass(frozen=True, slots=True)
class Bucket:
    """One bar of a chart: a day (or hour, or week) and what happened in it."""

    start: int
    sentiments: dict[str, int]
    answered: int = 0
    median_response_s: float | None = None

    @property
    def total(self) -> int:
        return sum(self.sentiments.values())


@dataclass(slots=True)
class StatsReport:
    """Every figure of one report; ``report_json`` gives its JSON form."""

    generated_at: int
    since: int | None
    timezone: str
    business_hours: str | None
    comments: int
    by_status: dict[str, int]
    by_network: dict[str, int]
    by_language: dict[str, int]
    by_sentiment: dict[str, int]
    by_intent: dict[str, int]
    answered: int
    median_response_s: float | None
    p90_response_s: float | None
    tiers: list[TierFigures]
    unanswered_negatives: int
    oldest_unanswered_at: int | None
    spike: SpikeReading
    unit: str  # "hour", "day" or "week": the width of each bucket
    buckets: list[Bucket] = field(default_factory=list)
    response_bins: list[tuple[str, int]] = field(default_factory=list)

    @property
    def breached(self) -> int:
        return sum(t.breached for t in self.tiers)

    @property
    def at_risk(self) -> int:
        return sum(t.at_risk for t in self.tiers)

    @property
    def answered_late(self) -> int:
        return sum(t.answered_late for t in self.tiers)


def build_report(
    store: Store,
    *,
    now: int,
    since: int | None,
    tz: tzinfo,
    timezone: str,
    targets: TargetSettings,
    alerts: AlertSettings,
) -> StatsReport:
    """Read the store and compute every figure for comments created since ``since``."""
    tallies = store.tally_summary(since)
    responses = store.first_responses(since)
    rules = Targets(targets, tz)
    counts = _counts(tallies)
    seconds = sorted(response.seconds for response in responses)
    start = since if since is not None else _first_hour(tallies, now)
    unit = _unit(now - start)
    return StatsReport(
        generated_at=now,
        since=since,
        timezone=timezone,
        business_hours=_hours_label(targets),
        comments=tallies.total,
        by_status=counts["status"],
        by_network=counts["network"],
        by_language=counts["language"],
        by_sentiment=counts["sentiment"],
        by_intent=counts["intent"],
        answered=len(responses),
        median_response_s=percentile(seconds, 0.5),
        p90_response_s=percentile(seconds, 0.9),
        tiers=_tiers(store, rules, responses, now, since),
        unanswered_negatives=store.view_counts()[View.UNANSWERED],
        oldest_unanswered_at=store.oldest_unanswered(),
        spike=read_spike(store, alerts, now),
        unit=unit,
        buckets=_buckets(tallies, responses, start, now, unit, tz),
        response_bins=_bins(seconds),
    )


def report_for(store: Store, config: Config, *, now: int, since: int | None) -> StatsReport:
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


def _counts(tallies: TallySummary) -> dict[str, dict[str, int]]:
    intents: Counter[str] = Counter()
    for combination, count in tallies.by_intents.items():
        for intent in combination.split(","):
            if intent.strip():
                intents[intent.strip()] += count
    found = {
        "status": tallies.by_status,
        "network": tallies.by_network,
        "language": _named(tallies.by_language),
        "sentiment": _named(tallies.by_sentiment),
        "intent": intents,
    }
    # Largest first, then by name, so reports read the same way every time.
    return {
        name: dict(sorted(((k, v) for k, v in counter.items() if v), key=lambda i: (-i[1], i[0])))
        for name, counter in found.items()
    }


def _named(counter: Counter[str]) -> Counter[str]:
    """Stored "" (not analysed, no language) shown as "unknown"."""
    named: Counter[str] = Counter()
    for name, count in counter.items():
        named[name or UNKNOWN] += count
    return named


def _tiers(
    store: Store, rules: Targets, responses: Sequence[FirstResponse], now: int, since: int | None
) -> list[TierFigures]:
    cutoffs = rules.cutoffs(now)
    bands = [
        PriorityBand(
            low,
            high,
            (cutoffs.breached[tier], cutoffs.at_risk[tier]) if tier in cutoffs.breached else (),
        )
        for tier, low, high in TIER_RANGES
    ]
    counts = store.open_counts(bands, since)
    answered: Counter[Tier] = Counter()
    late: Counter[Tier] = Counter()
    for response in responses:
        tier = tier_of(response.priority)
        answered[tier] += 1
        if rules.late(response.created_at, response.priority, response.sent_at):
            late[tier] += 1
    figures: list[TierFigures] = []
    for (tier, _, _), found in zip(TIER_RANGES, counts, strict=True):
        open_now, breached, at_risk = (*found, 0, 0)[:3]
        at_risk -= breached
        figures.append(
            TierFigures(
                tier=tier,
                target_seconds=rules.target(tier),
                open=open_now,
                at_risk=at_risk,
                breached=breached,
                answered=answered[tier],
                answered_late=late[tier],
            )
        )
    return figures


def _first_hour(tallies: TallySummary, now: int) -> int:
    hours = [hour for (hour, _), count in tallies.by_hour.items() if count]
    return min(hours) * 3600 if hours else now - 86400


def _unit(span: int) -> str:
    if span <= 2 * 86400:
        return "hour"
    if span <= 120 * 86400:
        return "day"
    return "week"


def _bucket_start(instant: int, unit: str, tz: tzinfo) -> int:
    local = datetime.fromtimestamp(instant, tz)
    if unit == "hour":
        return instant - instant % 3600
    day: date = local.date()
    if unit == "week":
        day -= timedelta(days=day.weekday())
    return int(datetime(day.year, day.month, day.day, tzinfo=tz).timestamp())


def _buckets(
    tallies: TallySummary,
    responses: Sequence[FirstResponse],
    start: int,
    now: int,
    unit: str,
    tz: tzinfo,
) -> list[Bucket]:
    starts: list[int] = []
    cursor = _bucket_start(start, unit, tz)
    step = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}
    while cursor <= now:
        starts.append(cursor)
        if unit == "hour":
            cursor += 3600
        else:
            local = datetime.fromtimestamp(cursor, tz).replace(tzinfo=None) + step[unit]
            cursor = int(local.replace(tzinfo=tz).timestamp())
    sentiments: dict[int, Counter[str]] = {s: Counter() for s in starts}
    hour_starts: dict[int, int] = {}
    for (hour, sentiment), count in tallies.by_hour.items():
        if hour not in hour_starts:
            hour_starts[hour] = _bucket_start(hour * 3600, unit, tz)
        sentiments.setdefault(hour_starts[hour], Counter())[sentiment or UNKNOWN] += count
    waits: dict[int, list[int]] = defaultdict(list)
    for response in responses:
        waits[_bucket_start(response.created_at, unit, tz)].append(response.seconds)
    buckets = []
    for key in sorted(sentiments):
        times = sorted(waits.get(key, ()))
        counted = {name: sentiments[key][name] for name in (*SENTIMENTS, UNKNOWN)}
        buckets.append(Bucket(key, counted, len(times), percentile(times, 0.5)))
    return buckets


def _bins(seconds: Sequence[int]) -> list[tuple[str, int]]:
    counts = [0] * len(RESPONSE_BINS)
    for value in seconds:
        for index, (upper, _) in enumerate(RESPONSE_BINS):
            if value < upper:
                counts[index] += 1
                break
    return [(label, counts[i]) for i, (_, label) in enumerate(RESPONSE_BINS)]


def _hours_label(targets: TargetSettings) -> str | None:
    if targets.hours is None:
        return None
    start, end = targets.hours
    days = ",".join(DAY_ABBR[d] for d in sorted(targets.days))
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d} {days}"


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def report_json(report: StatsReport) -> dict[str, Any]:
    """The report as `cm-inbox stats --json` prints it; times in seconds and ISO-8601 UTC."""
    return {
        "generated_at": format_time(report.generated_at),
        "since": format_time(report.since),
        "timezone": report.timezone,
        "comments": report.comments,
        "by_status": report.by_status,
        "by_network": report.by_network,
        "by_language": report.by_language,
        "by_sentiment": report.by_sentiment,
        "by_intent": report.by_intent,
        "first_response": {
            "basis": "creation to the first reply of ours sent (events: outbox:sent)",
            "answered": report.answered,
            "median_seconds": _seconds(report.median_response_s),
            "p90_seconds": _seconds(report.p90_response_s),
        },
        "targets": {
            "business_hours": report.business_hours,
            "tiers": {
                figures.tier.value: {
                    "target_seconds": figures.target_seconds,
                    "open": figures.open,
                    "at_risk": figures.at_risk,
                    "breached": figures.breached,
                    "answered": figures.answered,
                    "answered_late": figures.answered_late,
                }
                for figures in report.tiers
            },
        },
        "breaches": {
            "open_breached": report.breached,
            "open_at_risk": report.at_risk,
            "answered_late": report.answered_late,
        },
        "unanswered_negatives": {
            "count": report.unanswered_negatives,
            "oldest_at": format_time(report.oldest_unanswered_at),
        },
        "spike": {
            "alert": report.spike.spike,
            "last_hour": report.spike.count,
            "baseline_per_hour": round(report.spike.baseline_per_hour, 2),
            "baseline_hours": report.spike.baseline_hours,
            "words": list(report.spike.words),
        },
        "volume": {
            "unit": report.unit,
            "buckets": [
                {
                    "start": format_time(bucket.start),
                    **bucket.sentiments,
                    "answered": bucket.answered,
                    "median_response_seconds": _seconds(bucket.median_response_s),
                }
                for bucket in report.buckets
            ],
        },
        "response_histogram": dict(report.response_bins),
    }


def local_label(instant: int, unit: str, tz: tzinfo) -> str:
    """A bucket's start as a chart's axis shows it: "Nov 20", "14:00", "w Nov 16"."""
    local = datetime.fromtimestamp(instant, UTC).astimezone(tz)
    if unit == "hour":
        return local.strftime("%H:%M")
    if unit == "week":
        return local.strftime("w %b %d")
    return local.strftime("%b %d")
