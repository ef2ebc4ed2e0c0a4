"""Targets, the Unanswered criticism view, the spike banner and the Stats screen, driven by keys."""

from __future__ import annotations

import pytest
from stats_fixtures import add, reply_sent
from textual.widgets import Static
from tui_fixtures import default_config

from cm_inbox.model import View
from cm_inbox.tui.app import CmInboxApp
from cm_inbox.tui.screens.inbox import InboxScreen

SIZE = (120, 36)
HOUR = 3600
MINUTE = 60


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    if isinstance(screen, InboxScreen) and screen.thread_pending:
        await pilot.pause(pilot.app.thread_settle_s * 3)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def inbox(app) -> InboxScreen:
    screen = app.screen
    assert isinstance(screen, InboxScreen)
    return screen


def line(app, y: int) -> str:
    """Row ``y`` of the queue as the terminal shows it."""
    return inbox(app).queue.render_line(y).text


def make_app(store, clock, tmp_path, text: str = '[time]\ntimezone = "UTC"\n') -> CmInboxApp:
    return CmInboxApp(store, default_config(tmp_path, text), clock=clock, thread_settle_s=0.01)


@pytest.fixture
def triaged(store, clock):
    """Comments of every tier at known ages, some of them negative."""
    now = int(clock())
    ids = {
        "urgent_late": add(
            store, "u1", now - 2 * HOUR, "Payments fail for everyone", priority=90,
            sentiment="negative",
        ),
        "urgent_risk": add(store, "u2", now - 50 * MINUTE, "Is the site down?", priority=80),
        "urgent_fresh": add(store, "u3", now - 10 * MINUTE, "Cannot log in", priority=76),
        "normal_old": add(
            store, "n1", now - 5 * HOUR, "The export is slow", priority=30, sentiment="negative",
        ),
        "low": add(store, "l1", now - 30 * HOUR, "Nice colours", priority=5, sentiment="positive"),
        "neg_low": add(
            store, "l2", now - 3 * HOUR, "Meh, the new icon is ugly", priority=10,
            sentiment="negative",
        ),
    }  # fmt: skip
    return ids


async def test_the_inbox_orders_by_priority_then_age_by_default(store, clock, tmp_path, triaged):
    app = make_app(store, clock, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert list(inbox(app).queue.keys) == [
            triaged[name]
            for name in (
                "urgent_late",
                "urgent_risk",
                "urgent_fresh",
                "normal_old",
                "neg_low",
                "low",
            )
        ]


async def test_rows_carry_at_risk_and_breached_markers(store, clock, tmp_path, triaged):
    app = make_app(store, clock, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Urgent is 1 h: 2 h old is breached, 50 min at risk, 10 min on time.
        assert line(app, 0)[1:3] == "●!"
        assert line(app, 1)[1:3] == "●◔"
        assert line(app, 2)[1:3] == "● "
        # Normal is 24 h, low 72 h: 5 h and 30 h old are on time.
        assert line(app, 3)[1:3] == "● "
        assert line(app, 5)[1:3] == "● "
        # Time moves on: at 1 h 10 min the 10-minute-old one is breached too.
        clock.advance(HOUR)
        inbox(app).queue.repaint()
        await settle(pilot)
        assert line(app, 2)[1:3] == "●!"


async def test_markers_follow_business_hours(store, clock, tmp_path):
    # The fixed clock is Friday 10:00 UTC: a Friday 19:00 comment waits for Monday.
    friday_evening = int(clock()) + 9 * HOUR
    add(store, "w", friday_evening, "Down again", priority=95)
    clock.now = friday_evening + 40 * HOUR  # Sunday 11:00
    config = '[time]\ntimezone = "UTC"\n[targets]\nbusiness_hours = "09:00-18:00"\n'
    app = make_app(store, clock, tmp_path, config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert line(app, 0)[1:3] == "● "
    clock.now = friday_evening + 62 * HOUR + 50 * MINUTE  # Monday 09:50
    from cm_inbox.store import Store

    app = make_app(Store(store.path, clock=clock), clock, tmp_path, config)  # the app closed it
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert line(app, 0)[1:3] == "●◔"


async def test_unanswered_view_lists_criticism_oldest_first_with_its_count(
    store, clock, tmp_path, triaged
):
    app = make_app(store, clock, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = inbox(app)
        assert "8 Unanswered 3" in str(screen.tabs.render())
        await pilot.press("8")
        await settle(pilot)
        assert screen.queue.view is View.UNANSWERED
        assert list(screen.queue.keys) == [
            triaged["normal_old"],
            triaged["neg_low"],
            triaged["urgent_late"],
        ]
        assert "Unanswered criticism · oldest" in str(screen.status_bar.render())
        # Answering the oldest takes it out, and the count follows.
        await pilot.press("r", *"Sorry, a fix ships today", "ctrl+s")
        await settle(pilot)
        assert list(screen.queue.keys) == [triaged["neg_low"], triaged["urgent_late"]]
        assert "8 Unanswered 2" in str(screen.tabs.render())
        await pilot.press("u")
        await settle(pilot)
        assert "8 Unanswered 3" in str(screen.tabs.render())


async def test_a_spike_shows_a_banner_that_dismisses_and_comes_back(store, clock, tmp_path):
    now = int(clock())
    for hour in range(2, 30):
        add(store, f"b{hour}", now - hour * HOUR, "a bit slow", sentiment="negative")
    for n in range(6):
        add(
            store,
            f"s{n}",
            now - (50 - n) * MINUTE,
            "Checkout broken, card refused",
            sentiment="negative",
        )
    app = make_app(store, clock, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = inbox(app)
        assert screen.banner.display
        shown = str(screen.banner.render())
        assert "6 negative comments in the last hour" in shown
        assert "checkout" in shown and "card" in shown
        await pilot.press("A")
        await settle(pilot)
        assert not screen.banner.display
        # Still the same spike a minute later: it stays dismissed.
        clock.advance(MINUTE)
        screen.check_spike()
        await settle(pilot)
        assert not screen.banner.display
        # Calm returns, then a new burst: the banner is back.
        clock.advance(2 * HOUR)
        screen.check_spike()
        await settle(pilot)
        assert not screen.banner.display
        later = int(clock())
        for n in range(7):
            add(
                store,
                f"t{n}",
                later - (20 - n) * MINUTE,
                "Login loops forever",
                sentiment="negative",
            )
        screen.check_spike()
        await settle(pilot)
        assert screen.banner.display
        assert "login" in str(screen.banner.render())


async def test_the_stats_screen_shows_the_figures_and_charts(store, clock, tmp_path, triaged):
    now = int(clock())
    reply_sent(store, clock, triaged["low"], queued_at=now - 28 * HOUR, sent_at=now - 28 * HOUR + 5)
    clock.now = now
    app = make_app(store, clock, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        from cm_inbox.tui.screens.stats import StatsScreen

        screen = app.screen
        assert isinstance(screen, StatsScreen)
        assert screen.report is not None
        figures = _text(screen.query_one("#stats-table", Static).content)
        assert "Comments" in figures and "6" in figures
        assert "First response" in figures and "median 2h ·" in figures
        assert "Unanswered criticism" in figures
        assert "Urgent target" in figures and "1 breached" in figures
        volume = screen.query_one("#volume-chart")
        assert "Comments per day, by sentiment" in _text(volume.render())
        responses = _text(screen.query_one("#response-chart").render())
        assert "median 2h," in responses and "1 answered" in responses
        # Another period: the last 24 hours, by hour.
        await pilot.press("1")
        await settle(pilot)
        assert screen.report.unit == "hour"
        assert "Comments per hour" in _text(screen.query_one("#volume-chart").render())
        assert "no reply of ours" in _text(screen.query_one("#response-chart").render())
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)


def _text(renderable) -> str:
    from rich.console import Console

    console = Console(width=200, record=True, file=open("/dev/null", "w"), color_system=None)  # noqa: SIM115
    console.print(renderable)
    return console.export_text()


async def test_at_80_columns_every_tab_keeps_its_count(store, clock, tmp_path, triaged):
    app = make_app(store, clock, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        header = str(inbox(app).tabs.render())
        assert "1 Inbox 6" in header
        assert header.rstrip().endswith("8 Crit 3│")
