"""Escalations driven from the keyboard: `e` tells the team's chat (a loopback
server here), and in the Escalated view a, n, c and w carry each one to its end."""

from __future__ import annotations

import pytest
from tui_fixtures import default_config, fill
from webhook_server import Answer, hook_server

from cm_inbox.model import DeliveryState, EscalationState, Status, View
from cm_inbox.tui.app import CmInboxApp
from cm_inbox.tui.screens.escalation_note import EscalationNoteScreen
from cm_inbox.tui.screens.inbox import InboxScreen

SIZE = (130, 36)
NOTE = "customer lost two weeks of notes"


# Newest first: the tests act on the comment filled last (id 12), the first row.
NEWEST_FIRST = '[ui]\nsort = "newest"\n'


def make_app(store, clock, tmp_path, text: str | None = None) -> CmInboxApp:
    fill(store, int(clock()))
    config = default_config(tmp_path, NEWEST_FIRST + (text or ""))
    return CmInboxApp(store, config, clock=clock, thread_settle_s=0.01)


def webhook(url: str, shape: str = "slack") -> str:
    return f'[escalation.webhooks.support]\nurl = "{url}"\nformat = "{shape}"\n'


async def settle(pilot) -> None:
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = pilot.app.screen
        if isinstance(screen, InboxScreen) and screen.thread_pending:
            await pilot.pause(pilot.app.thread_settle_s * 3)


def screen_of(app) -> InboxScreen:
    assert isinstance(app.screen, InboxScreen)
    return app.screen


def thread_text(app) -> str:
    from rich.console import Console

    console = Console(width=200, record=True, file=open("/dev/null", "w"), color_system=None)  # noqa: SIM115
    console.print(screen_of(app).thread.body.content)
    return console.export_text()


def cursor_line(app) -> str:
    """The queue line under the cursor, its columns' padding folded to one space."""
    queue = screen_of(app).queue
    return " ".join(queue.render_line(queue.cursor - int(queue.scroll_y)).text.split())


@pytest.mark.parametrize("shape", ["slack", "discord"])
async def test_e_fills_the_form_and_the_teams_webhook_receives_the_note(
    store, clock, tmp_path, shape
):
    with hook_server() as server:
        app = make_app(store, clock, tmp_path, webhook(server.url, shape))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("e")
            await settle(pilot)
            await pilot.press(*NOTE)
            await pilot.press("enter")
            await settle(pilot)
            assert len(server.requests) == 1
            assert NOTE in server.requests[0].raw.decode("utf-8")
            assert store.comment(12).status is Status.ESCALATED

            # The Escalated view and the thread pane say where the message stands.
            await pilot.press("2")
            await settle(pilot)
            assert list(screen_of(app).queue.keys) == [12]
            assert "1h support open now Any news" in cursor_line(app)
            shown = thread_text(app)
            assert "chat: sent to support (127.0.0.1) just now" in shown
            assert NOTE in shown


async def test_a_refused_message_is_shown_and_w_sends_it_again(store, clock, tmp_path):
    with hook_server([Answer(404, b"no_service")]) as server:
        app = make_app(store, clock, tmp_path, webhook(server.url))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("e", *NOTE, "enter")
            await settle(pilot)
            assert any("404 Not Found" in str(n.message) for n in app._notifications)
            await pilot.press("2")
            await settle(pilot)
            assert "✗chat" in cursor_line(app)
            assert "failed: 404 Not Found (no_service) from 127.0.0.1  (w sends it again)" in (
                thread_text(app)
            )
            await pilot.press("w")
            await settle(pilot)
            assert len(server.requests) == 2
            assert "✗chat" not in cursor_line(app)
            assert "chat: sent to support" in thread_text(app)


async def test_a_500_waits_for_its_retry_time_then_goes(store, clock, tmp_path):
    with hook_server([Answer(500, b"")]) as server:
        app = make_app(store, clock, tmp_path, webhook(server.url))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("e", *NOTE, "enter")
            await settle(pilot)
            delivery = store.escalation_records(12)[0].latest_delivery
            assert delivery.state is DeliveryState.PENDING
            assert "500 Internal Server Error from 127.0.0.1; next try in" in str(
                screen_of(app).status_bar.content
            )
            screen_of(app).kick_courier()  # the timer firing before its time sends nothing
            await settle(pilot)
            assert len(server.requests) == 1
            clock.advance(30)
            screen_of(app).kick_courier()  # what the timer does once the time has come
            await settle(pilot)
            assert len(server.requests) == 2
            assert store.escalation_records(12)[0].latest_delivery.state is DeliveryState.DELIVERED


async def test_answer_note_close_and_undo_in_the_escalated_view(store, clock, tmp_path):
    app = make_app(store, clock, tmp_path)
    store.escalate([11], "legal", "Threatens to sue", "high")
    clock.advance(2 * 3600)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = screen_of(app)
        assert "legal open 2h" in cursor_line(app)
        assert "Team answered" in {b.binding.description for b in screen.active_bindings.values()}

        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, EscalationNoteScreen)
        await pilot.press("ctrl+s")  # empty: refused, the form stays
        await pilot.pause()
        assert isinstance(app.screen, EscalationNoteScreen)
        await pilot.press(*"Not actionable [@click=app.quit]x[/]", "enter", *"Offer a refund")
        await pilot.press("ctrl+s")
        await settle(pilot)
        escalation = store.escalation_records(11)[0]
        assert escalation.state is EscalationState.ANSWERED
        assert escalation.notes[0].text == "Not actionable [@click=app.quit]x[/]\nOffer a refund"
        assert "legal answered 2h" in cursor_line(app)
        assert "legal answered: Not actionable [@click=app.quit]x[/]" in thread_text(app)

        await pilot.press("n", *"Refund sent", "ctrl+s")
        await settle(pilot)
        assert store.escalation_records(11)[0].notes[-1].text == "Refund sent"
        assert "note: Refund sent" in thread_text(app)

        await pilot.press("c")
        await settle(pilot)
        assert store.escalation_records(11)[0].state is EscalationState.CLOSED
        assert store.comment(11).status is Status.DONE
        assert list(screen.queue.keys) == []

        await pilot.press("u")
        await settle(pilot)
        assert store.escalation_records(11)[0].state is EscalationState.ANSWERED
        assert list(screen.queue.keys) == [11]
        assert app.is_running


async def test_escalation_keys_belong_to_the_escalated_view(store, clock, tmp_path):
    app = make_app(store, clock, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        for action in ("answer_escalation", "note_escalation", "close_escalation"):
            assert screen.check_action(action, ()) is False
        await pilot.press("a", "n", "c", "w")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert screen.query_state.view is View.INBOX
        screen.action_view("escalated")
        assert screen.check_action("close_escalation", ()) is True
        # On an empty view the keys say there is nothing to act on.
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert app.is_running


async def test_messages_left_waiting_by_an_earlier_session_go_at_start(store, clock, tmp_path):
    with hook_server() as server:
        fill(store, int(clock()))
        store.escalate([12], "support", NOTE, notify=True)  # the app closed before it left
        app = CmInboxApp(
            store,
            default_config(tmp_path, NEWEST_FIRST + webhook(server.url)),
            clock=clock,
            thread_settle_s=0.01,
        )
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await settle(pilot)
            assert len(server.requests) == 1
            assert NOTE in server.requests[0].raw.decode("utf-8")
