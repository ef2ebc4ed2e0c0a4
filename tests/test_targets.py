"""Response targets: tiers, due times, at risk and breached, with and without business hours."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cm_inbox.response_config import TargetSettings
from cm_inbox.targets import Targets, TargetState, Tier, tier_of

PARIS = ZoneInfo("Europe/Paris")
HOUR = 3600


def at(text: str) -> int:
    """A Paris wall-clock time as Unix seconds."""
    return int(datetime.fromisoformat(text).replace(tzinfo=PARIS).timestamp())


def round_the_clock() -> Targets:
    return Targets(TargetSettings(), PARIS)


def office(**seconds) -> Targets:
    targets = {"urgent": HOUR, "high": 4 * HOUR, "normal": 24 * HOUR, "low": None, **seconds}
    return Targets(TargetSettings(seconds=targets, hours=(9 * 60, 18 * 60)), PARIS)


@pytest.mark.parametrize(
    ("priority", "tier"),
    [
        (100, Tier.URGENT),
        (75, Tier.URGENT),
        (74.9, Tier.HIGH),
        (50, Tier.HIGH),
        (49.99, Tier.NORMAL),
        (25, Tier.NORMAL),
        (24, Tier.LOW),
        (0, Tier.LOW),
        (None, Tier.LOW),
    ],
)
def test_priority_tiers_are_fixed(priority, tier) -> None:
    assert tier_of(priority) is tier


def test_around_the_clock_an_urgent_comment_is_at_risk_after_45_minutes_and_breached_at_one_hour():
    targets = round_the_clock()
    created = at("2026-11-20 10:00")
    assert targets.due(created, 80) == created + HOUR
    assert targets.state(created, 80, created + 44 * 60) is TargetState.OK
    assert targets.state(created, 80, created + 45 * 60) is TargetState.AT_RISK
    assert targets.state(created, 80, created + HOUR - 1) is TargetState.AT_RISK
    assert targets.state(created, 80, created + HOUR) is TargetState.BREACHED
    # The same moment is fine for a normal comment (24 h).
    assert targets.state(created, 30, created + HOUR) is TargetState.OK


def test_a_tier_turned_off_has_no_state() -> None:
    targets = office()
    assert targets.due(at("2026-11-20 10:00"), 10) is None
    assert targets.state(at("2026-11-20 10:00"), 10, at("2026-12-20 10:00")) is None


def test_business_hours_carry_a_friday_evening_comment_to_monday() -> None:
    targets = office()
    friday_evening = at("2026-11-20 17:00")  # a Friday; one office hour left
    # High (4 h): one hour on Friday, three on Monday from 09:00.
    assert targets.due(friday_evening, 60) == at("2026-11-23 12:00")
    saturday = at("2026-11-21 15:00")
    assert targets.state(friday_evening, 60, saturday) is TargetState.OK
    assert targets.state(friday_evening, 60, at("2026-11-23 11:00")) is TargetState.AT_RISK
    assert targets.state(friday_evening, 60, at("2026-11-23 12:00")) is TargetState.BREACHED


def test_business_hours_start_the_clock_at_opening_for_a_night_comment() -> None:
    targets = office()
    night = at("2026-11-18 02:30")  # Wednesday, office closed
    assert targets.due(night, 90) == at("2026-11-18 10:00")
    assert targets.state(night, 90, at("2026-11-18 09:44")) is TargetState.OK
    assert targets.state(night, 90, at("2026-11-18 09:45")) is TargetState.AT_RISK


def test_business_hours_follow_the_wall_clock_across_dst() -> None:
    # Paris leaves summer time on Sunday 2026-10-25: Monday opens at 09:00 local, 08:00 UTC.
    targets = office()
    friday = at("2026-10-23 17:30")
    assert targets.due(friday, 80) == at("2026-10-26 09:30")


def test_cutoffs_agree_with_the_state_of_every_comment() -> None:
    """The queue asks cutoffs once and compares; it must say what state() says."""
    for targets in (round_the_clock(), office()):
        now = at("2026-11-23 10:20")  # a Monday morning
        cutoffs = targets.cutoffs(now)
        for minutes_ago in range(0, 5 * 24 * 60, 7):
            created = now - minutes_ago * 60
            for priority in (90, 60, 30, 10):
                assert cutoffs.state(created, priority) is targets.state(created, priority, now), (
                    minutes_ago,
                    priority,
                )


def test_late_means_answered_after_the_target() -> None:
    targets = office()
    created = at("2026-11-20 10:00")
    assert not targets.late(created, 80, at("2026-11-20 11:00"))
    assert targets.late(created, 80, at("2026-11-20 11:01"))
    # Answered on Saturday: the office clock stood still since Friday 18:00.
    assert not targets.late(at("2026-11-20 17:30"), 80, at("2026-11-21 12:00"))
