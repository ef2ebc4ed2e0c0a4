"""Snooze presets, typed snooze times and their short descriptions, in Paris time."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from cm_inbox.config import Config, SnoozeSettings
from cm_inbox.snooze import SnoozeParseError, describe_until, parse_snooze, snooze_presets

PARIS = ZoneInfo("Europe/Paris")
CONFIG = Config(timezone="Europe/Paris", tz=PARIS)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


# The conftest's fixed clock: Friday 2026-11-20 10:00 UTC, 11:00 in Paris.
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def test_now_is_the_fixed_clock_on_a_friday_morning_in_paris(clock) -> None:
    assert datetime.fromtimestamp(clock(), UTC) == NOW
    assert NOW.astimezone(PARIS) == paris(2026, 11, 20, 11, 0)
    assert NOW.astimezone(PARIS).strftime("%A") == "Friday"


def presets(
    now: datetime, config: Config | SnoozeSettings = CONFIG
) -> list[tuple[str, str, datetime]]:
    return [(p.key, p.label, p.until) for p in snooze_presets(now, config)]


def test_presets_on_a_weekday_morning() -> None:
    assert presets(paris(2026, 11, 20, 8, 0)) == [
        ("1", "1 hour", paris(2026, 11, 20, 9, 0)),
        ("2", "This evening (18:00)", paris(2026, 11, 20, 18, 0)),
        ("3", "Tomorrow 9:00", paris(2026, 11, 21, 9, 0)),
        ("4", "Next week (Mon 9:00)", paris(2026, 11, 23, 9, 0)),
    ]


def test_presets_use_the_config_zone_whatever_zone_now_is_in() -> None:
    # 10:00 UTC is 11:00 in Paris: the evening is 18:00 Paris, not 18:00 UTC.
    result = presets(NOW)
    assert result[0][2] == paris(2026, 11, 20, 12, 0)
    assert result[1][2] == paris(2026, 11, 20, 18, 0)
    assert all(until.tzinfo == PARIS for _, _, until in result)


def test_presets_after_the_evening_offer_tomorrow_evening() -> None:
    assert presets(paris(2026, 11, 20, 20, 30)) == [
        ("1", "1 hour", paris(2026, 11, 20, 21, 30)),
        ("2", "Tomorrow evening (18:00)", paris(2026, 11, 21, 18, 0)),
        ("3", "Tomorrow 9:00", paris(2026, 11, 21, 9, 0)),
        ("4", "Next week (Mon 9:00)", paris(2026, 11, 23, 9, 0)),
    ]


def test_presets_exactly_at_the_evening_move_to_tomorrow() -> None:
    assert presets(paris(2026, 11, 20, 18, 0))[1][1] == "Tomorrow evening (18:00)"


def test_presets_on_sunday_night() -> None:
    assert presets(paris(2026, 11, 22, 23, 30)) == [
        ("1", "1 hour", paris(2026, 11, 23, 0, 30)),
        ("2", "Tomorrow evening (18:00)", paris(2026, 11, 23, 18, 0)),
        ("3", "Tomorrow 9:00", paris(2026, 11, 23, 9, 0)),
        ("4", "Next week (Mon 9:00)", paris(2026, 11, 23, 9, 0)),
    ]


def test_next_week_on_a_monday_is_the_monday_after() -> None:
    assert presets(paris(2026, 11, 23, 8, 0))[3][2] == paris(2026, 11, 30, 9, 0)


def test_presets_follow_the_snooze_settings() -> None:
    settings = SnoozeSettings(morning=time(8, 30), evening=time(19, 45), week_starts=6)
    config = Config(timezone="Europe/Paris", tz=PARIS, snooze=settings)
    assert presets(paris(2026, 11, 20, 8, 0), config) == [
        ("1", "1 hour", paris(2026, 11, 20, 9, 0)),
        ("2", "This evening (19:45)", paris(2026, 11, 20, 19, 45)),
        ("3", "Tomorrow 8:30", paris(2026, 11, 21, 8, 30)),
        ("4", "Next week (Sun 8:30)", paris(2026, 11, 22, 8, 30)),
    ]


def test_presets_with_bare_settings_use_the_zone_of_now() -> None:
    new_york = ZoneInfo("America/New_York")
    now = datetime(2026, 11, 20, 8, 0, tzinfo=new_york)
    result = snooze_presets(now, SnoozeSettings())
    assert result[1].until == datetime(2026, 11, 20, 18, 0, tzinfo=new_york)
    assert snooze_presets(now, SnoozeSettings(), tz=PARIS)[1].until == paris(2026, 11, 20, 18, 0)


def test_one_hour_is_a_real_hour_across_the_spring_dst_change() -> None:
    # Paris jumps from 02:00 CET to 03:00 CEST on 2027-03-28.
    now = paris(2027, 3, 28, 1, 30)
    until = snooze_presets(now, CONFIG)[0].until
    assert until.timestamp() - now.timestamp() == 3600
    assert until.astimezone(PARIS).hour == 3 and until.minute == 30


def test_tomorrow_keeps_nine_oclock_across_the_autumn_dst_change() -> None:
    # Paris goes back from CEST to CET on 2026-10-25.
    until = snooze_presets(paris(2026, 10, 24, 12, 0), CONFIG)[2].until
    assert (until.hour, until.minute) == (9, 0)
    assert until.utcoffset() == timedelta(hours=1)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        snooze_presets(datetime(2026, 11, 20, 8, 0), CONFIG)
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_snooze("+1h", datetime(2026, 11, 20, 8, 0), CONFIG)


# Friday 2026-11-20 11:00 in Paris.
ACCEPTED = [
    ("2026-12-01", paris(2026, 12, 1, 9, 0)),
    ("2026-12-01 14:00", paris(2026, 12, 1, 14, 0)),
    ("2026-12-01T14:00", paris(2026, 12, 1, 14, 0)),
    ("2026-12-01 at 8:05", paris(2026, 12, 1, 8, 5)),
    ("2026-11-20 15:00", paris(2026, 11, 20, 15, 0)),
    ("12-01", paris(2026, 12, 1, 9, 0)),
    ("12-01 17:30", paris(2026, 12, 1, 17, 30)),
    ("11-19", paris(2027, 11, 19, 9, 0)),  # past this year: next year
    ("11-20", paris(2027, 11, 20, 9, 0)),  # today 9:00 has passed
    ("11-20 15:00", paris(2026, 11, 20, 15, 0)),  # today, still ahead
    ("02-29", paris(2028, 2, 29, 9, 0)),  # the next year that has the day
    ("14:00", paris(2026, 11, 20, 14, 0)),
    ("10:00", paris(2026, 11, 21, 10, 0)),  # past today: tomorrow
    ("11:00", paris(2026, 11, 21, 11, 0)),  # exactly now: tomorrow
    ("9:05", paris(2026, 11, 21, 9, 5)),
    ("14h", paris(2026, 11, 20, 14, 0)),
    ("14h30", paris(2026, 11, 20, 14, 30)),
    ("2pm", paris(2026, 11, 20, 14, 0)),
    ("2:30 PM", paris(2026, 11, 20, 14, 30)),
    ("9am", paris(2026, 11, 21, 9, 0)),
    ("12am", paris(2026, 11, 21, 0, 0)),
    ("+3h", paris(2026, 11, 20, 14, 0)),
    ("+30m", paris(2026, 11, 20, 11, 30)),
    ("+2d", paris(2026, 11, 22, 11, 0)),
    ("+1w", paris(2026, 11, 27, 11, 0)),
    ("+ 90 min", paris(2026, 11, 20, 12, 30)),
    ("in 3 hours", paris(2026, 11, 20, 14, 0)),
    ("dans 2j", paris(2026, 11, 22, 11, 0)),
    ("monday", paris(2026, 11, 23, 9, 0)),
    ("Monday 14:00", paris(2026, 11, 23, 14, 0)),
    ("lundi", paris(2026, 11, 23, 9, 0)),
    ("lundi 14h", paris(2026, 11, 23, 14, 0)),
    ("lundi prochain à 8h15", paris(2026, 11, 23, 8, 15)),
    ("next tue 08:15", paris(2026, 11, 24, 8, 15)),
    ("wed", paris(2026, 11, 25, 9, 0)),
    ("jeudi", paris(2026, 11, 26, 9, 0)),
    ("friday", paris(2026, 11, 27, 9, 0)),  # said on a Friday: the next one
    ("vendredi 10:00", paris(2026, 11, 27, 10, 0)),
    ("samedi", paris(2026, 11, 21, 9, 0)),
    ("sunday 20:00", paris(2026, 11, 22, 20, 0)),
    ("dimanche", paris(2026, 11, 22, 9, 0)),
    ("tomorrow", paris(2026, 11, 21, 9, 0)),
    ("Tomorrow 18:30", paris(2026, 11, 21, 18, 30)),
    ("tomorrow at 2pm", paris(2026, 11, 21, 14, 0)),
    ("demain", paris(2026, 11, 21, 9, 0)),
    ("  DEMAIN   7h ", paris(2026, 11, 21, 7, 0)),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_parse_snooze_accepts(text: str, expected: datetime) -> None:
    until = parse_snooze(text, NOW, CONFIG)
    assert until == expected
    assert until.tzinfo == PARIS


def test_a_date_without_time_means_the_configured_morning() -> None:
    config = Config(timezone="Europe/Paris", tz=PARIS, snooze=SnoozeSettings(morning=time(7, 45)))
    assert parse_snooze("tomorrow", NOW, config) == paris(2026, 11, 21, 7, 45)
    assert parse_snooze("2026-12-01", NOW, config) == paris(2026, 12, 1, 7, 45)
    assert parse_snooze("lundi", NOW, config) == paris(2026, 11, 23, 7, 45)


def test_plus_hours_are_real_hours_and_plus_days_keep_the_time_across_dst() -> None:
    now = paris(2027, 3, 27, 12, 0)  # the day before Paris moves its clocks forward
    assert parse_snooze("+24h", now, CONFIG) == paris(2027, 3, 28, 13, 0)
    assert parse_snooze("+1d", now, CONFIG) == paris(2027, 3, 28, 12, 0)


def test_a_time_skipped_by_dst_lands_on_a_real_instant() -> None:
    until = parse_snooze("02:30", paris(2027, 3, 28, 1, 0), CONFIG)
    assert until.timestamp() > paris(2027, 3, 28, 1, 0).timestamp()
    assert until == until.astimezone(UTC).astimezone(PARIS)
    assert (until.hour, until.minute) == (3, 30)


REJECTED = [
    ("", "Type when"),
    ("   ", "Type when"),
    ("garbage", "not a time cm-inbox understands"),
    ("soon", "not a time cm-inbox understands"),
    ("14", "not a time cm-inbox understands"),
    ("monday morning", "not a time cm-inbox understands"),
    ("tomorrow 9 14:00", "not a time cm-inbox understands"),
    ("3h ago", "not a time cm-inbox understands"),
    ("+3x", "not a unit"),
    ("+0h", "more than zero"),
    ("+9999999w", "too far"),
    ("25:00", "not a time of day"),
    ("13pm", "not a time of day"),
    ("lundi 9:75", "not a time of day"),
    ("2026-02-30", "not a date in the calendar"),
    ("13-01", "not a date in the calendar"),
    ("02-30", "not a date in the calendar"),
    ("2026-11-19", "in the past"),
    ("2026-11-20", "in the past"),  # 9:00 today has gone
    ("2026-11-20 10:59", "in the past"),
    ("2026-11-20 11:00", "in the past"),
    ("2020-01-01 12:00", "in the past"),
    ("[@click=app.quit]", "not a time cm-inbox understands"),
]


@pytest.mark.parametrize(("text", "words"), REJECTED)
def test_parse_snooze_rejects(text: str, words: str) -> None:
    with pytest.raises(SnoozeParseError, match=words) as caught:
        parse_snooze(text, NOW, CONFIG)
    assert isinstance(caught.value, ValueError)


def test_rejection_messages_show_examples() -> None:
    with pytest.raises(SnoozeParseError) as caught:
        parse_snooze("whenever", NOW, CONFIG)
    assert '"whenever"' in str(caught.value)
    assert "+3h" in str(caught.value) and "tomorrow 9:00" in str(caught.value)


DESCRIBED = [
    (NOW + timedelta(seconds=20), "in 1 min"),
    (NOW + timedelta(minutes=25), "in 25 min"),
    (NOW + timedelta(minutes=59, seconds=50), "in 1 h"),
    (NOW + timedelta(hours=2), "in 2 h"),
    (NOW + timedelta(hours=1, minutes=30), "in 1 h 30"),
    (paris(2026, 11, 20, 18, 0), "today 18:00"),
    (paris(2026, 11, 21, 9, 0), "tomorrow 09:00"),
    (paris(2026, 11, 23, 9, 0), "Mon 09:00"),
    (paris(2026, 11, 26, 23, 59), "Thu 23:59"),
    (paris(2026, 11, 27, 9, 0), "Fri 27 Nov 09:00"),
    (paris(2026, 12, 1, 9, 0), "Tue 1 Dec 09:00"),
    (paris(2027, 1, 4, 9, 0), "Mon 4 Jan 2027 09:00"),
    (NOW, "now"),
    (NOW - timedelta(hours=3), "now"),
]


@pytest.mark.parametrize(("until", "expected"), DESCRIBED)
def test_describe_until(until: datetime, expected: str) -> None:
    assert describe_until(until, NOW.astimezone(PARIS)) == expected


def test_describe_until_in_a_given_zone() -> None:
    # 23:30 UTC on Friday is already Saturday 00:30 in Paris.
    until = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    assert describe_until(until, NOW) == "today 23:30"
    assert describe_until(until, NOW, tz=PARIS) == "tomorrow 00:30"


def test_core_modules_import_without_textual() -> None:
    code = (
        "import sys; sys.modules['textual'] = None\n"
        "import cm_inbox.config, cm_inbox.snooze\n"
        "assert not any(m.startswith('textual') and sys.modules[m] for m in sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
