"""What the main screens look like, at a fixed size, clock and timezone.

Regenerate after an intended change with `pytest tests/test_snapshots.py
--snapshot-update`, then look at each SVG before committing it.
"""

from __future__ import annotations

import pytest
from textual.widgets import TextArea
from tui_fixtures import fill, incoming

from cm_inbox.config import load_config
from cm_inbox.tui.app import CmInboxApp

SIZE = (110, 32)


@pytest.fixture
def app(store, clock, tmp_path):
    fill(store, int(clock()))
    config_file = tmp_path / "config.toml"
    config_file.write_text('[time]\ntimezone = "UTC"\n')
    return CmInboxApp(store, load_config(config_file), clock=clock, composer_check_delay_s=0)


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    # The draft's cursor blinks every half second: hold it visible so the
    # picture does not depend on how long the steps before took.
    for area in pilot.app.screen.query(TextArea):
        area.cursor_blink = False
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


def test_composer_with_panels(snap_compare, store, clock, tmp_path):
    """A risky comment: the second look, the brand book and the context beside the draft."""
    fill(store, int(clock()))
    store.upsert_comments(
        [
            incoming(
                "mastodon",
                "lumo@mastodon.social",
                "m9",
                "camille@piaille.fr",
                "You lost my notes again. I am taking legal action.",
                int(clock()) - 60,
                parent_remote_id="m5",
            )
        ]
    )
    store.queue_reply(1, "@camille@piaille.fr Sorry! A fix for sync ships today.")
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        '[time]\ntimezone = "UTC"\n\n[brand]\nname = "Lumo"\n'
        'voice = "Warm, direct; never corporate."\n'
        '[brand.languages.en]\ngreetings = ["Hi", "Hello"]\nrequire_greeting = true\n'
        '[brand.avoid]\nASAP = "as soon as we can"\n',
        encoding="utf-8",
    )
    app = CmInboxApp(store, load_config(config_file), clock=clock, composer_check_delay_s=0)

    async def before(pilot):
        await settle(pilot)
        await pilot.press("r", *"We will fix it ASAP", "ctrl+o", "ctrl+f")
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


def test_escalated_view(snap_compare, store, clock, tmp_path):
    """Each row's team, state and wait; the thread pane's escalation history."""
    fill(store, int(clock()))
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        '[time]\ntimezone = "UTC"\n\n[escalation.webhooks.support]\n'
        'url = "https://hooks.slack.com/services/T0/B0/x"\n',
        encoding="utf-8",
    )
    config_file.chmod(0o600)
    store.escalate([11], "legal", "Threatens to sue over the export bug", "critical")
    store.escalate([12], "support", "Lost two weeks of notes after 4.2", "high", notify=True)
    claim = store.claim_delivery("test", ["support"])
    store.delivery_failed(claim.id, "404 Not Found (no_service) from hooks.slack.com", status=404,
                          host="hooks.slack.com")  # fmt: skip
    clock.advance(1800)
    (support,) = store.escalation_records(12)
    store.note_escalations([support.id], "Asked the customer for their sync log")
    clock.advance(3600)
    store.answer_escalations([support.id], "A migration bug: restored from last night's backup")
    clock.advance(1200)
    app = CmInboxApp(store, load_config(config_file), clock=clock)

    async def before(pilot):
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)
