"""The inbox driven as a user drives it: keys in, then the store and the screen checked."""

from __future__ import annotations

import pytest
from textual.geometry import Region
from tui_fixtures import HOSTILE, default_config, fill, incoming

from cm_inbox.model import QueueQuery, ReplyState, Status, View
from cm_inbox.networks import at_handle
from cm_inbox.timefmt import age
from cm_inbox.tui.app import CmInboxApp
from cm_inbox.tui.screens.inbox import InboxScreen

SIZE = (120, 36)


@pytest.fixture
def app(store, clock, tmp_path):
    fill(store, int(clock()))
    # The fixture's comments have no priority (the analyzer sets it), so the
    # default order would be the oldest first; these tests walk it newest first.
    config = default_config(tmp_path, '[ui]\nsort = "newest"\n')
    # Keys in a test come faster than any hand: a short settle keeps the suite quick.
    return CmInboxApp(store, config, clock=clock, thread_settle_s=0.01)


async def settle(pilot) -> None:
    """Let workers (key loading, thread loading) finish and the screen repaint.

    After quick keys the thread pane waits for the cursor to rest: wait that out
    (a timer due before the pause ends fires first on the same event loop).
    """
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


def current_id(app) -> int:
    row = inbox(app).queue.current
    assert row is not None
    return row.comment.id


def _plain(app) -> str:
    """The thread pane's content as plain text, as the terminal would show it."""
    from rich.console import Console

    console = Console(width=200, record=True, file=open("/dev/null", "w"), color_system=None)  # noqa: SIM115
    console.print(inbox(app).thread.body.content)
    return console.export_text()


async def test_moves_through_the_queue_newest_first(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_id(app) == 12
        await pilot.press("j", "j")
        assert current_id(app) == 10
        await pilot.press("k")
        assert current_id(app) == 11
        await pilot.press("G")
        assert current_id(app) == 1
        await pilot.press("g")
        assert current_id(app) == 12
        await pilot.press("down", "down", "up")
        assert current_id(app) == 11


async def test_the_composer_and_footer_are_built_after_the_first_frame(app):
    """The queue is what the user waits for at start-up: the composer and the
    footer (two dozen widgets) are mounted once the first frame is out, which
    Textual announces with Ready; then they are there and the collector is on."""
    import gc

    from textual import events
    from textual.widgets import Footer

    from cm_inbox.tui.widgets.composer import Composer

    order: list[str] = []

    def hook(message) -> None:
        if isinstance(message, events.Ready):
            order.append("ready")
        elif isinstance(message, events.Mount) and isinstance(message._sender, (Composer, Footer)):
            order.append(type(message._sender).__name__)

    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await settle(pilot)
        assert order[0] == "ready", order
        assert {"Composer", "Footer"} <= set(order)
        assert inbox(app).composer is not None and not inbox(app).composer.display
        assert app.screen.query(Footer)
        assert gc.isenabled()


async def test_the_inbox_is_the_first_screen_not_one_pushed_over_a_blank_one(app):
    """Start-up paints the inbox in its first frame: no blank screen is built,
    styled and painted under it first."""
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen_stack == [inbox(app)]


@pytest.mark.parametrize(("wanted", "opened"), [("cm-light", "cm-light"), ("nope", "cm-dark")])
async def test_the_inbox_opens_in_the_configured_theme(store, clock, tmp_path, wanted, opened):
    """The theme in the config colours the very first frame; one that is not
    installed falls back to cm-dark, and the user is told."""
    from textual.color import Color

    fill(store, int(clock()))
    config = default_config(tmp_path, f'[ui]\ntheme = "{wanted}"\n')
    app = CmInboxApp(store, config, clock=clock, thread_settle_s=0.01)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        theme = app.current_theme
        assert theme.name == opened
        assert inbox(app).styles.background == Color.parse(theme.background)
        assert app.has_class(f"-theme-{opened}")
        assert app.has_class("-light-mode") == (not theme.dark)
        assert app.has_class("-dark-mode") == theme.dark
        told = any("is not installed" in problem for problem in app.startup_problems)
        assert told == (wanted != opened)
        # A theme chosen later (the command palette) restyles as Textual's own would.
        other = "cm-dark" if opened == "cm-light" else "cm-light"
        app.theme = other
        await settle(pilot)
        assert inbox(app).styles.background == Color.parse(app.current_theme.background)
        assert app.has_class(f"-theme-{other}") and not app.has_class(f"-theme-{opened}")


async def test_the_other_themes_are_read_after_the_first_frame_and_told_once(
    store, clock, tmp_path
):
    """Only the configured theme is read before the queue shows; the others (and a
    theme file of the user's own) join the theme picker once it does, and a broken
    file is told once, not once for each reading."""
    from cm_inbox.tui.themes import bundled_themes_dir

    user_themes = tmp_path / "themes"
    user_themes.mkdir()
    (user_themes / "mine.toml").write_text('name = "mine"\nprimary = "#336699"\n')
    (user_themes / "broken.toml").write_text('name = "broken"\nprimary = "not a colour"\n')
    (user_themes / "garbled.toml").write_text("name = \n")
    fill(store, int(clock()))
    config = default_config(tmp_path, '[ui]\ntheme = "cm-light"\n')
    app = CmInboxApp(
        store,
        config,
        clock=clock,
        theme_folders=(bundled_themes_dir(), user_themes),
        thread_settle_s=0.01,
    )
    assert "cm-light" in app.available_themes
    assert not {"cm-dark", "cm-high-contrast", "mine"} & set(app.available_themes)
    told: list[str] = []
    notify = app.notify

    def recording(message, *args, **kwargs):
        told.append(message)
        return notify(message, *args, **kwargs)

    app.notify = recording
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_theme.name == "cm-light"
        assert {"cm-dark", "cm-high-contrast", "mine"} <= set(app.available_themes)
        assert "broken" not in app.available_themes
    assert len([m for m in told if "broken.toml" in m]) == 1
    assert len([m for m in told if "garbled.toml" in m]) == 1  # not TOML: read at both times


def test_a_missing_theme_falls_back_telling_an_unreadable_file_once(store, tmp_path):
    """The configured theme is not installed: the fallback is looked for in the same
    folders, and a file neither reading could parse is one problem, not two."""
    from cm_inbox.tui.themes import bundled_themes_dir

    user_themes = tmp_path / "themes"
    user_themes.mkdir()
    (user_themes / "garbled.toml").write_text("name = \n")
    config = default_config(tmp_path, '[ui]\ntheme = "nope"\n')
    app = CmInboxApp(store, config, theme_folders=(bundled_themes_dir(), user_themes))
    assert app.theme == "cm-dark"
    assert len([p for p in app.startup_problems if "garbled.toml" in p]) == 1
    assert any('"nope" is not installed' in p for p in app.startup_problems)


async def test_end_pressed_while_the_view_loads_goes_on_to_its_real_end(app):
    """A big inbox paints its first screenful before the whole list has loaded (a
    million ids take a second or two): G pressed then goes as far as is loaded,
    and on to the real end once the rest is in, unless the cursor moved since."""
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        queue = inbox(app).queue
        everything = queue.keys
        for moved_since in (False, True):
            # The head of the view, with its true size, as the screen shows it first.
            queue.set_keys(View.INBOX, everything[:5], total=len(everything))
            await pilot.press("g", "G")
            assert current_id(app) == 8  # the fifth, newest first
            if moved_since:
                await pilot.press("k")
            queue.set_keys(View.INBOX, everything)  # the rest has loaded
            await settle(pilot)
            assert current_id(app) == (9 if moved_since else 1)


async def test_held_keys_show_the_thread_once_the_cursor_rests(store, clock, tmp_path):
    """A burst of keys moves the cursor at once; the thread pane follows when it stops."""
    fill(store, int(clock()))
    config = default_config(tmp_path, '[ui]\nsort = "newest"\n')
    app = CmInboxApp(store, config, clock=clock, thread_settle_s=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = inbox(app)
        assert screen.thread.context.comment.id == 12
        await pilot.press("j", "j", "j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert current_id(app) == 9
        # Mid-burst the pane still shows where the burst started, and waits.
        assert screen.thread_pending
        assert screen.thread.context.comment.id in (12, 11)
        await pilot.pause(1.0)  # past the settle time: the timer fires first
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.thread_pending
        assert screen.thread.context.comment.id == 9
        # Focusing the thread reads it now, without waiting.
        await pilot.press("j", "j")
        assert screen.thread_pending
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.thread.context.comment.id == 7
        assert app.focused is screen.thread


async def test_done_is_saved_moves_on_and_undo_restores(app, store):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert store.comment(12).status is Status.DONE
        assert current_id(app) == 11, "the cursor rests on the next item"
        assert 12 not in inbox(app).queue.keys
        assert store.view_counts()[View.HANDLED] == 1
        await pilot.press("u")
        await settle(pilot)
        assert store.comment(12).status is Status.NEW
        assert current_id(app) == 12, "undo brings the cursor back to the restored comment"


async def test_reply_queues_into_the_outbox_and_undo_returns_a_draft(app, store):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")  # m5, a Mastodon reply from camille
        assert current_id(app) == 10
        await pilot.press("r")
        await settle(pilot)
        composer = inbox(app).composer
        assert composer.display
        assert composer.editor.text == "@camille@piaille.fr ", (
            "Mastodon replies open with the mention"
        )
        await pilot.press(*"Thanks, a fix ships today")
        await pilot.press("ctrl+s")
        await settle(pilot)
        queued = store.replies_in_state(ReplyState.QUEUED)
        assert [(r.comment_id, r.text) for r in queued] == [
            (10, "@camille@piaille.fr Thanks, a fix ships today")
        ]
        assert store.comment(10).status is Status.REPLIED
        assert not composer.display
        assert current_id(app) == 9
        await pilot.press("u")
        await settle(pilot)
        assert store.replies_in_state(ReplyState.QUEUED) == []
        assert store.draft_for(10).text == "@camille@piaille.fr Thanks, a fix ships today"
        assert store.comment(10).status is Status.NEW


async def test_escape_keeps_the_draft_and_r_reopens_it(app, store):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")  # b4 on Bluesky: no mention needed
        await pilot.press(*"half a thought")
        await pilot.press("escape")
        await settle(pilot)
        assert store.draft_for(12).text == "half a thought"
        assert not inbox(app).composer.display
        assert store.comment(12).status is Status.NEW
        await pilot.press("r")
        assert inbox(app).composer.editor.text == "half a thought"


async def test_keys_typed_right_after_r_go_to_the_draft_not_the_queue(app, store):
    """`r` then "de rien" arriving together (typed ahead, pasted): the `d` must not
    reach the queue, where it marks the comment done; the words go to the draft."""
    from textual import events

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = current_id(app)
        for key, character in [("r", "r"), ("d", "d"), ("e", "e"), ("space", " "), ("x", "x")]:
            app.post_message(events.Key(key, character))
        await settle(pilot)
        assert store.comment(first).status is Status.NEW
        composer = inbox(app).composer
        assert composer is not None and composer.display
        assert composer.editor.text.endswith("de x")


async def test_a_search_typed_right_after_the_slash_lands_in_the_box(app, store):
    from textual import events

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ["slash", "r", "e", "d"]:
            app.post_message(events.Key(key, "/" if key == "slash" else key))
        await settle(pilot)
        assert inbox(app).search_input is not None
        assert inbox(app).search_input.value == "red"
        assert inbox(app).composer is None or not inbox(app).composer.display


async def test_a_reply_over_the_network_limit_is_not_queued(app, store):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")  # Bluesky: 300 graphemes
        inbox(app).composer.editor.load_text("👍🏽" * 301)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert store.replies_in_state(ReplyState.QUEUED) == []
        assert inbox(app).composer.display, "the composer stays open to fix the draft"


async def test_escalate_with_team_and_note(app, store):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press(*"customer lost data")
        await pilot.press("enter")
        await settle(pilot)
        assert store.comment(12).status is Status.ESCALATED
        escalation = store.escalations_for(12)[0]
        assert escalation["team"] == app.config.escalation.teams[0]
        assert escalation["note"] == "customer lost data"
        assert current_id(app) == 11


async def test_snooze_one_hour_then_it_comes_back(app, store, clock):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        comment = store.comment(12)
        assert comment.status is Status.SNOOZED
        assert comment.snoozed_until == int(clock()) + 3600
        clock.advance(3601)
        assert store.wake_due_snoozes() == [12]
        assert store.comment(12).status is Status.NEW


async def test_labels_add_and_remove(app, store):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press(*"billing vip", "enter")
        await settle(pilot)
        assert store.labels_of(12) == ["billing", "vip"]
        await pilot.press("l")
        await settle(pilot)
        await pilot.press(*"-vip", "enter")
        await settle(pilot)
        assert store.labels_of(12) == ["billing"]


async def test_spam_key(app, store):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("exclamation_mark")
        await settle(pilot)
        assert store.comment(12).status is Status.SPAM


async def test_hide_key_hides_where_the_network_can_and_says_where_it_cannot(app, store):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_id(app) == 12  # Bluesky: no way to hide someone's reply there
        await pilot.press("H")
        await settle(pilot)
        assert store.comment(12).status is Status.NEW
        assert "Bluesky cannot hide comments: nothing changed" in inbox(app).message
        assert current_id(app) == 12

        await pilot.press("j")
        await settle(pilot)
        assert current_id(app) == 11  # Reddit
        await pilot.press("H")
        await settle(pilot)
        assert store.comment(11).status is Status.DONE
        assert 11 not in inbox(app).queue.keys
        assert "To hide on the network: 1 comment · u to undo" in inbox(app).message
        assert "Reddit not told: no connected account" in inbox(app).message
        assert [(o.action, o.outcome) for o in store.network_outcomes(11)] == [("hide", None)]

        await pilot.press("5")  # Handled: the thread says what Reddit was told
        await settle(pilot)
        assert current_id(app) == 11
        assert "not asked of Reddit: its account is not connected" in _plain(app)

        await pilot.press("u")
        await settle(pilot)
        assert store.comment(11).status is Status.NEW
        assert store.network_outcomes(11) == []


async def test_bulk_acts_on_the_selection_and_undoes_as_one(app, store):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x", "j", "x")  # select 12 and 10
        assert inbox(app).queue.selected == {12, 10}
        await pilot.press("d")
        await settle(pilot)
        assert store.comment(12).status is Status.DONE
        assert store.comment(10).status is Status.DONE
        assert store.comment(11).status is Status.NEW
        assert inbox(app).queue.selected == set()
        await pilot.press("u")
        await settle(pilot)
        assert store.comment(12).status is Status.NEW
        assert store.comment(10).status is Status.NEW


async def test_select_all_then_spam(app, store):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("asterisk")
        assert len(inbox(app).queue.selected) == 12
        await pilot.press("exclamation_mark")
        await settle(pilot)
        assert store.view_counts()[View.SPAM] == 12
        assert store.view_counts()[View.INBOX] == 0
        # The pane no longer shows a comment that left the view.
        assert "Inbox zero" in _plain(app)


async def test_search_narrows_and_escape_clears(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.press(*"sync")
        await pilot.press("enter")
        await settle(pilot)
        screen = inbox(app)
        assert sorted(screen.queue.keys) == [1, 9, 12]
        await pilot.press("escape")
        await settle(pilot)
        assert len(screen.queue.keys) == 12
        assert screen.query_state.search is None


async def test_the_list_keys_type_into_the_search_box(app):
    """The list's keys run before any other handler, but only while it has focus."""
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = inbox(app)
        await pilot.press("j", "j")
        assert screen.queue.cursor == 2
        await pilot.press("slash")
        await pilot.press(*"jkgG", "end", "home")
        assert screen.search_input is not None
        assert screen.search_input.value == "jkgG"
        assert screen.search_input.has_focus
        await pilot.press("escape")
        await settle(pilot)
        assert screen.queue.has_focus
        await pilot.press("j")
        assert screen.queue.cursor == 1


async def test_filter_by_network(app):
    from cm_inbox.tui.screens.filter import FilterScreen

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FilterScreen)
        app.screen.query_one("#filter-network").value = "reddit"
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = inbox(app)
        assert screen.query_state.network == "reddit"
        assert sorted(screen.queue.keys) == [5, 6, 11]


async def test_views_switch_with_number_keys(app, store):
    store.set_status([12], Status.DONE)
    store.escalate([11], "support", "")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = inbox(app)
        await pilot.press("5")
        await settle(pilot)
        assert screen.query_state.view is View.HANDLED
        assert list(screen.queue.keys) == [12]
        await pilot.press("2")
        await settle(pilot)
        assert list(screen.queue.keys) == [11]
        await pilot.press("7")
        await settle(pilot)
        assert len(screen.queue.keys) == 12
        await pilot.press("1")
        await settle(pilot)
        assert len(screen.queue.keys) == 10


async def test_outbox_view_lists_unsent_replies(app, store):
    store.queue_reply(3, "Settings → Export")
    store.save_draft(8, "Yes if")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        screen = inbox(app)
        rows = [screen.queue.row_at(i) for i in range(len(screen.queue.keys))]
        assert {(row.comment.id, row.reply.state.value) for row in rows} == {
            (3, "queued"),
            (8, "draft"),
        }


async def test_in_the_outbox_a_failed_reply_is_rewritten_or_discarded(app, store):
    refused = store.queue_reply(3, "x" * 600)
    claim = store.claim_next(store.reply(refused.id).account_id, "test")
    assert claim.reply.id == refused.id
    store.mark_failed(refused.id, "Validation failed: Text is too long", retry_at=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # D is offered (footer) as soon as the Outbox is asked for, before its rows load.
        inbox(app).action_view("outbox")
        assert inbox(app).check_action("discard", ()) is True
        await settle(pilot)
        screen = inbox(app)
        screen.queue.cursor = screen.queue.index_of(refused.id)
        await pilot.press("r")
        await pilot.pause()
        assert screen.composer.failed_reply == refused.id
        assert "Rewrite the failed reply" in str(screen.composer.title.render())
        screen.composer.editor.load_text("Shorter, and kind.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        again = store.reply(refused.id)
        assert again.state is ReplyState.QUEUED and again.text == "Shorter, and kind."

        # D gives up on a reply; its comment is back in the Inbox.
        screen.queue.cursor = screen.queue.index_of(refused.id)
        await pilot.press("D")
        await settle(pilot)
        assert store.reply(refused.id) is None
        assert store.comment(3).status is Status.NEW


async def test_d_means_discard_only_in_the_outbox(app, store):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = current_id(app)
        await pilot.press("D")
        await settle(pilot)
        assert current_id(app) == first
        assert store.comment(first).status is Status.NEW


async def test_hostile_text_is_shown_literally_and_runs_nothing(app, store):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("G", "k", "k", "k")  # b2: "[@click=app.quit]boom[/]"
        await settle(pilot)
        assert current_id(app) == 4
        assert HOSTILE[0] in _plain(app)
        await pilot.click("#thread-body", offset=(2, 6))
        await pilot.click("#queue", offset=(40, 8))
        await settle(pilot)
        assert app.is_running
        await pilot.press("k")
        await settle(pilot)
        assert HOSTILE[1] in _plain(app)
        await pilot.press("k")
        await settle(pilot)
        shown = _plain(app)
        assert "\x1b" not in shown and "\u202e" not in shown
        assert "screen  clear and evil bidi" in shown
        assert app.is_running
        queue_line = (
            inbox(app)
            .queue.render_line(inbox(app).queue.cursor - int(inbox(app).queue.scroll_y))
            .text
        )
        assert "screen clear and evil bidi" in queue_line, "the queue folds whitespace to one line"


async def test_q_quits(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.return_code is None
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0, "q is in the footer: it must close the inbox"


async def test_help_lists_every_action(app):
    from cm_inbox.tui.screens.help import HelpScreen

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)


async def test_empty_inbox_says_how_to_start(store, clock, tmp_path):
    app = CmInboxApp(store, default_config(tmp_path), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert inbox(app).empty.display
        assert "cm-inbox demo" in str(inbox(app).empty.content)


async def test_user_keymap_rebinds_a_key(store, clock, tmp_path):
    fill(store, int(clock()))
    config_file = tmp_path / "config.toml"
    config_file.write_text('[keys]\ndone = "D"\n')
    from cm_inbox.config import load_config

    app = CmInboxApp(store, load_config(config_file), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = current_id(app)
        await pilot.press("d")
        await settle(pilot)
        assert store.comment(first).status is Status.NEW
        await pilot.press("D")
        await settle(pilot)
        assert store.comment(first).status is Status.DONE


def test_queue_count_matches_what_the_tui_shows(store, clock):
    fill(store, int(clock()))
    assert store.queue_count(QueueQuery()) == 12


async def test_a_narrow_terminal_still_shows_every_view_and_its_count(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        header = str(inbox(app).query_one("ViewTabs").render())
        for number, title in enumerate(
            ["Inbox 12", "Esc 0", "Snz 0", "Out 0", "Done 0", "Spam 0", "All 12"], 1
        ):
            assert f"{number} {title}" in header


async def test_the_first_frame_already_shows_the_tabs_that_fit(app, monkeypatch):
    """The header is given its text before its first layout, when it has no width
    yet: it must fit the terminal then too, not show cut-off tabs for a frame."""
    from cm_inbox.tui.widgets.view_tabs import ViewTabs

    shown: list[str] = []
    real_update = ViewTabs.update

    def update(self, content="", **kwargs):
        shown.append(str(content))
        return real_update(self, content, **kwargs)

    monkeypatch.setattr(ViewTabs, "update", update)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
    assert shown and all("2 Esc 0" in text and "Escalated" not in text for text in shown)


async def test_scrolling_line_by_line_shows_each_row_where_it_belongs(app):
    """Held keys scroll the list a line at a time, and painted lines are kept
    between frames: every line must still show its own row, and only the
    cursor's line the cursor, down the list and back up."""
    async with app.run_test(size=(120, 12)) as pilot:
        await settle(pilot)
        queue = inbox(app).queue
        cursor_style = queue.get_component_rich_style("queue--cursor")

        def check_screen() -> None:
            width, height = queue.outer_size
            lines = queue.render_lines(Region(0, 0, width, height))
            top = int(queue.scroll_y)
            assert top <= queue.cursor < top + height
            for y, line in enumerate(lines):
                row = queue.row_at(top + y)
                assert row is not None
                assert at_handle(row.comment.author.handle)[:8] in line.text
                lit = any(seg.style and seg.style.bgcolor == cursor_style.bgcolor for seg in line)
                assert lit == (top + y == queue.cursor), (y, line.text)

        for key in ["j"] * 11 + ["k"] * 11 + ["G", "g"]:
            await pilot.press(key)
            await pilot.pause()
            check_screen()
        assert queue.cursor == 0 and int(queue.scroll_y) == 0


def _four_hundred_newest_first(store, clock, tmp_path) -> CmInboxApp:
    """Enough rows for a dozen pages, @user000 first, @user399 last."""
    now = int(clock())
    store.upsert_comments(
        incoming("mastodon", "lumo@mastodon.social", f"r{i}", f"user{i:03d}", f"n°{i}", now - i)
        for i in range(400)
    )
    config = default_config(tmp_path, '[ui]\nsort = "newest"\n')
    return CmInboxApp(store, config, clock=clock, thread_settle_s=0.01)


async def test_the_position_counts_the_whole_view_while_its_keys_load(store, clock, tmp_path):
    """The list shows a view's head at once and loads the rest behind it: the
    position already counts the view (not the head) and marks the wait with "…"."""
    now = int(clock())
    store.upsert_comments(
        incoming(
            "mastodon", "lumo@mastodon.social", f"r{i}", f"user{i:03d}", f"export {i}", now - i
        )
        for i in range(400)
    )
    config = default_config(tmp_path, '[ui]\nsort = "newest"\n')
    app = CmInboxApp(store, config, clock=clock, thread_settle_s=0.01)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = inbox(app)
        assert screen.position.text == " 1 of 400"
        screen.reload(keep=None)  # the head now; the rest after the frame, from a worker
        assert len(screen.queue.keys) < 400
        assert screen.position.text == " 1 of 400…"
        await settle(pilot)
        assert screen.position.text == " 1 of 400"
        # A search's head comes before its count: at least the head, then the count.
        screen._apply_search("export")
        assert screen.position.text == f" 1 of {len(screen.queue.keys)}+…"
        await settle(pilot)
        assert screen.position.text == " 1 of 400"


def assert_each_line_shows_its_user(lines, top: int) -> None:
    """Line y of a list scrolled to ``top`` shows @user{top + y} (rows made above)."""
    assert [f"@user{top + y:03d}" in line.text for y, line in enumerate(lines)] == [True] * len(
        lines
    )


async def test_page_keys_paint_rows_read_while_the_user_was_reading(
    store, clock, tmp_path, monkeypatch
):
    """A moment after a screen is shown, the rows of the screens above and below
    it are read, before the next key: page down and page up paint without waiting for
    the database, and each line still shows its own row."""
    app = _four_hundred_newest_first(store, clock, tmp_path)
    reads: list[int] = []
    read = store.queue_rows
    monkeypatch.setattr(store, "queue_rows", lambda view, keys: reads.append(1) or read(view, keys))
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        queue = inbox(app).queue
        for action in [queue.action_page_down] * 12 + [queue.action_page_up] * 4:
            reads.clear()
            action()  # the key's own work, then its frame, with nothing in between
            width, height = queue.outer_size
            lines = queue.render_lines(Region(0, 0, width, height))
            assert reads == [], f"page key at cursor {queue.cursor} read the store"
            top = int(queue.scroll_y)
            assert_each_line_shows_its_user(lines, top)
            while queue.reading_ahead:
                await pilot.pause(0.01)


async def test_page_keys_show_a_screen_painted_while_the_user_was_reading(
    store, clock, tmp_path, monkeypatch
):
    """Once the keys rest, the screens page down and page up would show are
    painted: the key's frame paints no line, and what it shows is what a fresh
    paint shows, each line its own row and only the cursor's line lit."""
    app = _four_hundred_newest_first(store, clock, tmp_path)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        queue = inbox(app).queue
        cursor_style = queue.get_component_rich_style("queue--cursor")
        painted: list[int] = []
        paint = queue._segments
        monkeypatch.setattr(queue, "_segments", lambda *args: painted.append(1) or paint(*args))
        for action in [queue.action_page_down] * 6 + [queue.action_page_up] * 3:
            while queue.painting_ahead or queue.reading_ahead:
                await pilot.pause(0.01)
            painted.clear()
            action()
            width, height = queue.outer_size
            lines = queue.render_lines(Region(0, 0, width, height))
            assert painted == [], f"page key to cursor {queue.cursor} painted lines"
            top = int(queue.scroll_y)
            assert_each_line_shows_its_user(lines, top)
            lit = [
                any(s.style and s.style.bgcolor == cursor_style.bgcolor for s in line)
                for line in lines
            ]
            assert lit == [top + y == queue.cursor for y in range(height)]
            queue.repaint()
            assert queue.render_lines(Region(0, 0, width, height)) == lines


async def test_ages_shown_after_time_passes_are_the_new_ones(app, clock):
    """Lines kept from earlier frames must not carry an age from before the clock moved."""
    async with app.run_test(size=(120, 12)) as pilot:
        await settle(pilot)
        queue = inbox(app).queue
        clock.advance(2 * 3600)
        await pilot.press("j")  # the cursor moves on screen: two lines repaint
        await pilot.pause()
        while int(queue.scroll_y) == 0:  # then the list scrolls: every line repaints
            await pilot.press("j")
            await pilot.pause()
        width, height = queue.outer_size
        top = int(queue.scroll_y)
        for y, line in enumerate(queue.render_lines(Region(0, 0, width, height))):
            row = queue.row_at(top + y)
            assert row is not None
            assert f" {age(clock() - row.comment.created_at)} " in line.text, line.text
