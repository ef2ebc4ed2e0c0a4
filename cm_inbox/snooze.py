"""When a snoozed comment comes back: the menu's presets and what the user types.

The current time is always passed in, never read here, so the tests (and the
sandbox) decide what "now" is. Everything is computed in the config's time zone:
"tomorrow 9:00" is nine in the morning where the user lives, whatever the machine's
clock says. Wall-clock arithmetic (days, weeks, a time of day) keeps the time of
day across a DST change; "+3h" is three real hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from cm_inbox.config import WEEKDAY_NAMES, Config, SnoozeSettings

DAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

HINT = (
    'Try "+3h", "+2d", "14:00", "tomorrow 9:00", "monday", "lundi 14h", '
    '"12-01" or "2026-12-01 14:00".'
)


class SnoozeParseError(ValueError):
    """The text is not a snooze time this module understands, or it is in the past."""


@dataclass(frozen=True)
class SnoozePreset:
    """One line of the snooze menu: press ``key`` to snooze until ``until``."""

    key: str
    label: str
    until: datetime


def _rules(
    config: Config | SnoozeSettings, now: datetime, tz: tzinfo | None
) -> tuple[SnoozeSettings, tzinfo]:
    """The snooze settings and the zone to compute in: ``tz``, the config's, or now's."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    if isinstance(config, Config):
        return config.snooze, tz if tz is not None else config.tz
    return config, tz if tz is not None else now.tzinfo


def _at(day: date, clock: time, zone: tzinfo) -> datetime:
    """``clock`` on ``day`` in ``zone``; a time skipped by DST moves to the real instant."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC).astimezone(zone)


def _clock_label(clock: time) -> str:
    return f"{clock.hour}:{clock.minute:02d}"


def snooze_presets(
    now: datetime, config: Config | SnoozeSettings, tz: tzinfo | None = None
) -> list[SnoozePreset]:
    """The four menu presets at ``now``: 1 hour, this evening, tomorrow morning, next week.

    ``now`` must be aware. With a ``Config`` the times are in ``config.tz``; with
    bare ``SnoozeSettings`` in ``tz`` or else ``now``'s own zone. Once the evening
    time has passed, "This evening" becomes "Tomorrow evening". "Next week" is the
    next ``week_starts`` day strictly after today, at the morning time.
    """
    rules, zone = _rules(config, now, tz)
    local = now.astimezone(zone)
    today = local.date()

    in_an_hour = (now.astimezone(UTC) + timedelta(hours=1)).astimezone(zone)

    evening = _at(today, rules.evening, zone)
    evening_label = f"This evening ({_clock_label(rules.evening)})"
    if evening <= local:
        evening = _at(today + timedelta(days=1), rules.evening, zone)
        evening_label = f"Tomorrow evening ({_clock_label(rules.evening)})"

    tomorrow = _at(today + timedelta(days=1), rules.morning, zone)

    days_ahead = (rules.week_starts - today.weekday()) % 7 or 7
    next_week = _at(today + timedelta(days=days_ahead), rules.morning, zone)
    week_label = f"Next week ({DAY_ABBR[rules.week_starts]} {_clock_label(rules.morning)})"

    return [
        SnoozePreset("1", "1 hour", in_an_hour),
        SnoozePreset("2", evening_label, evening),
        SnoozePreset("3", f"Tomorrow {_clock_label(rules.morning)}", tomorrow),
        SnoozePreset("4", week_label, next_week),
    ]


# --- parsing what the user types ---------------------------------------------

_UNITS: dict[str, str] = {}
for _unit, _words in (
    ("minutes", ("m", "min", "mins", "minute", "minutes")),
    ("hours", ("h", "hr", "hrs", "hour", "hours", "heure", "heures")),
    ("days", ("d", "day", "days", "j", "jour", "jours")),
    ("weeks", ("w", "wk", "week", "weeks", "sem", "semaine", "semaines")),
):
    _UNITS.update(dict.fromkeys(_words, _unit))

# "+3h" or "in 3 hours"/"dans 3h"; a bare "14h" is a time of day in French.
_RELATIVE_RE = re.compile(r"^(?:\+|in\s+|dans\s+)\s*(\d{1,7})\s*([a-z]+)$")
_CLOCK_RE = re.compile(r"^(\d{1,2})(?:[:h](\d{2})?)?(am|pm)?$")
_FULL_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MONTH_DAY_RE = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_TOMORROW = ("tomorrow", "demain")
_FILLER = {"at", "à", "a", "on", "le"}


def _clock(token: str) -> time | None:
    """A time of day ("14:00", "9:30", "14h", "14h30", "9am", "2:30pm"), else None."""
    match = _CLOCK_RE.match(token)
    if not match:
        return None
    hours, minutes, meridiem = match.groups()
    if minutes is None and meridiem is None and not token.endswith("h"):
        return None  # a bare number is not a time: "14" could mean anything
    hour, minute = int(hours), int(minutes or 0)
    if meridiem:
        if not 1 <= hour <= 12:
            raise SnoozeParseError(f'"{token}" is not a time of day: use 1 to 12 with am/pm.')
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        raise SnoozeParseError(f'"{token}" is not a time of day: use 00:00 to 23:59.')
    return time(hour, minute)


def _date(year: int, month: int, day: int, shown: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise SnoozeParseError(f'"{shown}" is not a date in the calendar.') from None


def _relative(text: str, now: datetime, zone: tzinfo) -> datetime | None:
    match = _RELATIVE_RE.match(text)
    if not match:
        return None
    amount, word = int(match.group(1)), match.group(2)
    unit = _UNITS.get(word)
    if unit is None:
        raise SnoozeParseError(
            f'"{word}" is not a unit: use m (minutes), h (hours), d (days) or w (weeks).'
        )
    if amount == 0:
        raise SnoozeParseError("Snooze for more than zero: for example +1h.")
    try:
        if unit in ("minutes", "hours"):
            return (now.astimezone(UTC) + timedelta(**{unit: amount})).astimezone(zone)
        # Days and weeks keep the time of day, even across a DST change.
        return _at(
            now.astimezone(zone).date() + timedelta(**{unit: amount}),
            now.astimezone(zone).time(),
            zone,
        )
    except OverflowError:
        raise SnoozeParseError(f'"{text}" is too far in the future.') from None


def _absolute(text: str, local: datetime, rules: SnoozeSettings, zone: tzinfo) -> datetime | None:
    tokens = [token for token in text.split() if token not in _FILLER]
    if len(tokens) >= 2 and tokens[-1] in ("am", "pm"):
        tokens[-2:] = [tokens[-2] + tokens[-1]]
    if not tokens:
        return None
    today = local.date()

    if len(tokens) == 1 and (only := _clock(tokens[0])) is not None:
        until = _at(today, only, zone)
        return until if until > local else _at(today + timedelta(days=1), only, zone)

    head, rest = tokens[0], tokens[1:]
    if head == "next" and rest:
        head, rest = rest[0], rest[1:]
    if rest and rest[0] in ("prochain", "prochaine"):
        rest = rest[1:]
    if len(rest) > 1:
        return None
    clock = rules.morning
    if rest:
        given = _clock(rest[0])
        if given is None:
            return None
        clock = given

    if head in _TOMORROW:
        return _at(today + timedelta(days=1), clock, zone)
    if head in WEEKDAY_NAMES:
        # "monday" said on a Monday means next Monday; "14:00" alone is for today.
        days_ahead = (WEEKDAY_NAMES[head] - today.weekday()) % 7 or 7
        return _at(today + timedelta(days=days_ahead), clock, zone)
    if match := _FULL_DATE_RE.match(head):
        year, month, day = (int(part) for part in match.groups())
        return _at(_date(year, month, day, head), clock, zone)
    if match := _MONTH_DAY_RE.match(head):
        month, day = (int(part) for part in match.groups())
        _date(2000, month, day, head)  # a leap year: rejects only days no year has
        # This year if still ahead, else the next year that has the day (29 Feb).
        for year in range(today.year, today.year + 9):
            try:
                until = _at(date(year, month, day), clock, zone)
            except ValueError:
                continue
            if until > local:
                return until
    return None


def parse_snooze(
    text: str, now: datetime, config: Config | SnoozeSettings, tz: tzinfo | None = None
) -> datetime:
    """Read a snooze time typed by the user; returns an aware datetime after ``now``.

    Accepts "+30m", "+3h", "+2d", "+1w" (also "in 3 hours", "dans 2j"); a time of
    day "14:00", "14h30", "2pm" (today, or tomorrow once past); "tomorrow"/"demain"
    and weekday names in English or French ("monday", "lundi", "next fri"),
    optionally followed by a time; "2026-12-01" and "12-01" (this year, or next once
    past), optionally followed by a time. A day without a time means the morning
    time from the config. Raises ``SnoozeParseError`` with a message fit to show
    the user for anything else and for a time that is not in the future.
    """
    rules, zone = _rules(config, now, tz)
    cleaned = " ".join(text.strip().lower().replace("’", "'").split())
    if not cleaned:
        raise SnoozeParseError(f"Type when to bring it back. {HINT}")
    cleaned = re.sub(r"^(\d{4}-\d{1,2}-\d{1,2})t(?=\d)", r"\1 ", cleaned)
    until = _relative(cleaned, now, zone) or _absolute(cleaned, now.astimezone(zone), rules, zone)
    if until is None:
        raise SnoozeParseError(f'"{text.strip()}" is not a time cm-inbox understands. {HINT}')
    if until <= now:
        raise SnoozeParseError(
            f"{until:%Y-%m-%d %H:%M} is in the past: pick a time after {now.astimezone(zone):%H:%M}."
        )
    return until


def describe_until(until: datetime, now: datetime, tz: tzinfo | None = None) -> str:
    """A short text for when a snooze ends, seen from ``now``.

    "in 25 min" and "in 2 h" (or "in 1 h 30") under four hours, then "today 18:00",
    "tomorrow 09:00", "Mon 09:00" within the week, "Mon 1 Dec 09:00" further off,
    with the year when it differs. "now" once it has passed. Shown in ``tz``, or
    ``now``'s zone.
    """
    zone = tz or now.tzinfo
    local_now = now.astimezone(zone)
    local = until.astimezone(zone)
    seconds = (until - now).total_seconds()
    if seconds <= 0:
        return "now"
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return f"in {minutes} min"
    if minutes < 4 * 60:
        hours, rest = divmod(minutes, 60)
        return f"in {hours} h" if rest == 0 else f"in {hours} h {rest:02d}"
    clock = f"{local:%H:%M}"
    days = (local.date() - local_now.date()).days
    day_name = DAY_ABBR[local.weekday()]
    if days == 0:
        return f"today {clock}"
    if days == 1:
        return f"tomorrow {clock}"
    if days < 7:
        return f"{day_name} {clock}"
    month = MONTH_ABBR[local.month - 1]
    year = "" if local.year == local_now.year else f" {local.year}"
    return f"{day_name} {local.day} {month}{year} {clock}"
