"""What the main screens look like, at a fixed size, clock and timezone.

Regenerate after an intended change with `pytest tests/test_snapshots.py
--snapshot-update`, then look at each SVG before committing it.
"""

from __future__ import annotations

import pytest
from tui_fixtures import fill

from cm_inbox.config import load_config
from cm_inbox.tui.app import CmInboxApp

SIZE = (110, 32)


@pytest.fixture
def app(store, clock, tmp_path):
    fill(store, int(clock()))
    config_file = tmp_path / "config.toml"
    config_file.write_text('[time]\ntimezone = "UTC"\n')
    return CmInboxApp(store, load_config(config_file), clock=clock)


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_queue(snap_compare, app):
    async def before(pilot):
        await settle(pilot)
        await pilot.press("j", "j")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_composer(snap_compare, app):
    async def before(pilot):
        await settle(pilot)
        await pilot.press("j", "j", "r", *"Thanks for the patience, a fix ships today")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_help(snap_compare, app):
    async def before(pilot):
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_escalation_form(snap_compare, app):
    async def before(pilot):
        await settle(pilot)
        await pilot.press("e", *"lost two weeks of notes")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)
