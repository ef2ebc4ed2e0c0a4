"""``[targets]`` and ``[alerts]`` in config.toml: response targets and the spike alert.

Parsed here, apart from config.py, which only hands over the raw tables and a
function to report a problem against a key (it then names the file and the
line). A wrong value is reported and keeps its default; the rest still applies.

    [targets]
    urgent = "1h"                  # priority 75 and up
    high = "4h"                    # 50 and up
    normal = "24h"                 # 25 and up
    low = "72h"                    # below 25; "off" for no target
    business_hours = "09:00-18:00" # optional: the clock runs only then...
    business_days = "mon-fri"      # ...on these days (in the [time] zone)

    [alerts]
    spike_factor = 3.0             # negatives in the last hour vs the hourly baseline
    spike_minimum = 5              # never an alert for fewer negatives than this
    baseline = "7d"                # the window the baseline is averaged over
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Report = Callable[[tuple[str, ...], str], None]

TIERS = ("urgent", "high", "normal", "low")
DEFAULT_TARGETS: dict[str, int | None] = {
    "urgent": 3600,
    "high": 4 * 3600,
    "normal": 24 * 3600,
    "low": 72 * 3600,
}
WORK_WEEK: frozenset[int] = frozenset(range(5))  # Monday to Friday
ALL_WEEK: frozenset[int] = frozenset(range(7))


@dataclass(frozen=True)
class TargetSettings:
    """``[targets]``: the time to a first response each priority tier aims for.

    ``seconds`` maps a tier name to its target (None: no target). When
    ``hours`` is set, as (start, end) minutes after midnight, the clock runs
    only inside those hours on ``days`` (Monday = 0); else around the clock.
    """

    seconds: Mapping[str, int | None] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    hours: tuple[int, int] | None = None
    days: frozenset[int] = WORK_WEEK

    @property
    def business_time(self) -> bool:
        return self.hours is not None


@dataclass(frozen=True)
class AlertSettings:
    """``[alerts]``: when negative comments in the last hour make a spike."""

    spike_factor: float = 3.0
    spike_minimum: int = 5
    baseline_seconds: int = 7 * 86400


_DURATION_RE = re.compile(r"^(?:\s*\d+\s*(?:d|h|m|min)\s*)+$")
_PART_RE = re.compile(r"(\d+)\s*(d|h|min|m)")
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "min": 60}
_OFF = ("off", "none", "no")


def parse_duration(text: str) -> int:
    """Seconds in "90m", "1h", "1h30m", "2d", "1d 12h"; ValueError (worded for a user) else."""
    cleaned = text.strip().lower()
    if not cleaned or not _DURATION_RE.match(cleaned):
        raise ValueError(f'must be a duration such as "1h", "90m" or "2d", not "{text}"')
    seconds = sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _PART_RE.findall(cleaned))
    if seconds <= 0:
        raise ValueError(f'must be longer than zero, not "{text}"')
    return seconds


def format_duration(seconds: int | None) -> str:
    """The config's own way of writing a duration: "1h", "90m" stays "1h30m", "2d"."""
    if seconds is None:
        return "off"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts) or "0m"


def _target(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f'must be a duration string such as "4h" (or "off"), not {_kind(value)}')
    if value.strip().lower() in _OFF:
        return None
    return parse_duration(value)


_HOURS_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def _hours(value: Any) -> tuple[int, int]:
    match = _HOURS_RE.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f'must be opening hours such as "09:00-18:00", not {_shown(value)}')
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if h1 > 23 or m1 > 59 or m2 > 59 or end > 24 * 60:
        raise ValueError(f'must use times from 00:00 to 24:00, not "{value}"')
    if end <= start:
        raise ValueError(f'must end after it starts (same day), not "{value}"')
    return start, end


def _day(name: str, names: Mapping[str, int], whole: Any) -> int:
    day = names.get(name.strip().lower())
    if day is None:
        raise ValueError(
            f'must name days such as "mon-fri" or ["mon", "wed"]; "{name.strip()}" in'
            f" {_shown(whole)} is not a day"
        )
    return day


def _days(value: Any) -> frozenset[int]:
    from cm_inbox.config import WEEKDAY_NAMES  # config.py imports this module

    if isinstance(value, str):
        parts = [part for part in value.split(",") if part.strip()]
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        parts = list(value)
    else:
        raise ValueError(f'must be days such as "mon-fri" or ["mon", "wed"], not {_kind(value)}')
    days: set[int] = set()
    for part in parts:
        if "-" in part:
            first, _, last = part.partition("-")
            start, stop = _day(first, WEEKDAY_NAMES, value), _day(last, WEEKDAY_NAMES, value)
            span = (stop - start) % 7
            days.update((start + step) % 7 for step in range(span + 1))
        else:
            days.add(_day(part, WEEKDAY_NAMES, value))
    if not days:
        raise ValueError("must name at least one day")
    return frozenset(days)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f'"{value}"' if isinstance(value, str) else f"a {type(value).__name__}"


def _shown(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else _kind(value)


def _table(raw: Any, name: str, known: tuple[str, ...], report: Report) -> dict[str, Any]:
    """The section's keys that exist; reports a non-table and unknown keys."""
    import difflib

    if not isinstance(raw, dict):
        report((name,), f'"{name}" must be a table ([{name}]), not {_kind(raw)}')
        return {}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            report((name, key), f'unknown key "{key}" in [{name}]{hint}')
            continue
        values[key] = value
    return values


def read_targets(raw: Any, report: Report) -> TargetSettings:
    """``[targets]`` checked: each wrong key is reported and keeps its default."""
    known = (*TIERS, "business_hours", "business_days")
    values = _table(raw, "targets", known, report)
    seconds = dict(DEFAULT_TARGETS)
    for tier in TIERS:
        if tier in values:
            try:
                seconds[tier] = _target(values[tier])
            except ValueError as error:
                default = format_duration(DEFAULT_TARGETS[tier])
                report(("targets", tier), f'"{tier}" in [targets] {error}; using "{default}"')
    hours: tuple[int, int] | None = None
    if "business_hours" in values:
        try:
            hours = _hours(values["business_hours"])
        except ValueError as error:
            report(
                ("targets", "business_hours"),
                f'"business_hours" in [targets] {error}; targets run around the clock',
            )
    days = WORK_WEEK
    if "business_days" in values:
        try:
            days = _days(values["business_days"])
        except ValueError as error:
            report(
                ("targets", "business_days"),
                f'"business_days" in [targets] {error}; using "mon-fri"',
            )
        if hours is None and "business_hours" not in values:
            # Days without hours: whole days count, the others do not.
            hours = (0, 24 * 60)
    return TargetSettings(seconds=seconds, hours=hours, days=days)


def read_alerts(raw: Any, report: Report) -> AlertSettings:
    """``[alerts]`` checked: each wrong key is reported and keeps its default."""
    defaults = AlertSettings()
    values = _table(raw, "alerts", ("spike_factor", "spike_minimum", "baseline"), report)
    factor, minimum, baseline = (
        defaults.spike_factor,
        defaults.spike_minimum,
        defaults.baseline_seconds,
    )
    if "spike_factor" in values:
        value = values["spike_factor"]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 1 < value <= 100:
            report(
                ("alerts", "spike_factor"),
                f'"spike_factor" in [alerts] must be a number above 1 (such as 3), not'
                f" {_shown(value)}; using {defaults.spike_factor:g}",
            )
        else:
            factor = float(value)
    if "spike_minimum" in values:
        value = values["spike_minimum"]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100_000:
            report(
                ("alerts", "spike_minimum"),
                f'"spike_minimum" in [alerts] must be a whole number of comments from 1,'
                f" not {_shown(value)}; using {defaults.spike_minimum}",
            )
        else:
            minimum = value
    if "baseline" in values:
        value = values["baseline"]
        try:
            if not isinstance(value, str):
                raise ValueError(f'must be a duration such as "7d", not {_kind(value)}')
            baseline = parse_duration(value)
            if baseline < 2 * 3600:
                raise ValueError(f'must be 2h or longer to make an hourly average, not "{value}"')
        except ValueError as error:
            report(
                ("alerts", "baseline"),
                f'"baseline" in [alerts] {error}; using'
                f' "{format_duration(defaults.baseline_seconds)}"',
            )
            baseline = defaults.baseline_seconds
    return AlertSettings(spike_factor=factor, spike_minimum=minimum, baseline_seconds=baseline)
