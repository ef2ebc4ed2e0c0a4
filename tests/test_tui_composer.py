"""The composer driven as a user drives it: keys in, then the store and the screen checked."""

from __future__ import annotations

import pytest
from test_tui import SIZE, inbox, settle
from tui_fixtures import default_config, fill, incoming

from cm_inbox.model import ReplyState
from cm_inbox.second_look import CHECKLIST
from cm_inbox.tui.app import CmInboxApp
from cm_inbox.tui.screens.template_picker import TemplatePicker

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # one grapheme: four people and three joiners


def make_app(store, clock, tmp_path, config: str = "") -> CmInboxApp:
    # Checks at once after each key (no debounce timer), so no test waits on real time.
    return CmInboxApp(
        store,
        default_config(tmp_path, '[ui]\nsort = "newest"\n' + config),
        clock=clock,
        thread_settle_s=0.01,
        composer_check_delay_s=0,
    )


@pytest.fixture
def app(store, clock, tmp_path):
    fill(store, int(clock()))
    return make_app(store, clock, tmp_path)


def shown(widget) -> str:
    """What a Static shows, as plain text."""
    return str(widget.render())


def problems(app) -> list[tuple[str, str]]:
    """The composer's problem lines: (their text, "-blocking" or "-warning")."""
    return [
        (shown(line), "-blocking" if line.has_class("-blocking") else "-warning")
        for line in inbox(app).composer.problem_list.children
    ]


async def open_reply(pilot, *moves: str) -> None:
    await settle(pilot)
    if moves:
        await pilot.press(*moves)
    await pilot.press("r")
    await settle(pilot)
    assert inbox(pilot.app).composer.ready


async def test_bluesky_counts_graphemes_and_blocks_301(app, store):
    async with app.run_test(size=SIZE) as pilot:
        await open_reply(pilot)  # b4, Bluesky
        composer = inbox(app).composer
        composer.editor.load_text("Hi Camille " + FAMILY * 290)
        await pilot.pause()
        assert shown(composer.count) == "301 / 300 graphemes", "a family emoji is one grapheme"
        assert composer.count.has_class("-over")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert store.replies_in_state(ReplyState.QUEUED) == []
        assert composer.display, "the composer stays open to fix the draft"
        assert "too long for Bluesky: 301 / 300 graphemes" in shown(composer.message_line)
        assert ("✗ too long for Bluesky: 301 / 300 graphemes", "-blocking") in problems(app)
        composer.editor.load_text("Hi Camille " + FAMILY * 289)
        await pilot.pause()
        assert shown(composer.count) == "300 / 300 graphemes"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [r.comment_id for r in store.replies_in_state(ReplyState.QUEUED)] == [12]


async def test_typed_emoji_joiners_are_kept(app):
    async with app.run_test(size=SIZE) as pilot:
        await open_reply(pilot)
        composer = inbox(app).composer
        await pilot.press(*FAMILY)
        assert composer.editor.text == FAMILY
        assert shown(composer.count) == "1 / 300 graphemes"


async def test_a_template_inserted_twice_gives_two_variants(app, store):
    async with app.run_test(size=SIZE) as pilot:
        await open_reply(pilot)
        composer = inbox(app).composer
        await pilot.press("ctrl+t")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, TemplatePicker)
        first_choice = picker.matches[0].template
        await pilot.press("enter")
        await settle(pilot)
        first = composer.editor.text
        assert "Camille" in first and "{author.first_name}" not in first, "filled for this comment"
        composer.editor.load_text("")
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert app.screen.matches[0].template == first_choice
        await pilot.press("enter")
        await settle(pilot)
        second = composer.editor.text
        variants = first_choice.texts["en"].variants
        assert len(variants) > 1
        assert first != second, "the same template does not give the same words twice in a row"


async def test_the_picker_finds_by_fuzzy_search_and_inserts_at_the_cursor(app):
    async with app.run_test(size=SIZE) as pilot:
        await open_reply(pilot)
        composer = inbox(app).composer
        await pilot.press(*"Hello! ")
        await pilot.press("ctrl+t")
        await settle(pilot)
        await pilot.press(*"outage")
        await settle(pilot)
        assert app.screen.matches[0].template.id == "outage"
        await pilot.press("enter")
        await settle(pilot)
        assert composer.editor.text.startswith("Hello! ")
        assert "status.lumo.app" in composer.editor.text or "{link.status}" in composer.editor.text


async def test_an_unfilled_variable_blocks_and_says_why(app, store):
    async with app.run_test(size=SIZE) as pilot:
        await open_reply(pilot)
        composer = inbox(app).composer
        composer.editor.load_text("Hi Camille, see {link.pricing} for the plans")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert store.replies_in_state(ReplyState.QUEUED) == []
        lines = problems(app)
        assert lines[0][1] == "-blocking"
        assert lines[0][0].startswith("✗ {link.pricing} is not filled in")


async def test_a_reply_like_recent_ones_is_flagged_with_the_count_and_the_closest(app, store):
    for comment_id, name in ((1, "Camille"), (2, "Bob"), (3, "Dana")):
        store.queue_reply(
            comment_id,
            f"Hi {name}, sorry about the sync trouble: a fix ships today, we will follow up",
        )
    async with app.run_test(size=SIZE) as pilot:
        await open_reply(pilot, "j")  # ivan on Bluesky: b3 (ids 1-3 are replied now)
        await pilot.press(
            *"Hi Ivan, sorry about the sync trouble: a fix ships today, we'll follow up"
        )
        lines = problems(app)
        (same,) = [(text, kind) for text, kind in lines if "like 3 replies sent" in text]
        assert same[1] == "-warning"
        assert "closest, to @" in same[0], "the detail line shows the closest past reply"
        assert "a fix ships today" in same[0].split("closest", 1)[1]


async def test_a_risky_comment_is_not_queued_without_the_confirming_key(store, clock, tmp_path):
    fill(store, int(clock()))
    store.upsert_comments(
        [
            incoming(
                "bluesky",
                "lumo.app",
                "b9",
                "zoe.bsky.social",
                "You lost my data. My lawyer will hear about this, I am taking legal action.",
                int(clock()) - 60,
            )
        ]
    )
    app = make_app(store, clock, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_reply(pilot)
        screen = inbox(app)
        assert screen.queue.current.comment.author.handle == "zoe.bsky.social"
        composer = screen.composer
        assert composer.second_look.display
        checklist = shown(composer.second_look)
        assert "crisis words" in checklist
        assert all(item in checklist for item in CHECKLIST)
        await pilot.press(*"Hi Zoe, we are so sorry. Could you DM us so we can look into it?")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert store.replies_in_state(ReplyState.QUEUED) == []
        assert "^g queues the reply" in shown(composer.message_line)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert store.replies_in_state(ReplyState.QUEUED) == [], (
            "pressing ctrl+s again is not enough"
        )
        await pilot.press("ctrl+g")
        await settle(pilot)
        (queued,) = store.replies_in_state(ReplyState.QUEUED)
        assert queued.text.startswith("Hi Zoe")
        assert "u to undo" in screen.message, "the undo-send window still applies"


async def test_second_look_can_be_turned_off(store, clock, tmp_path):
    store.upsert_comments(
        [
            incoming(
                "bluesky",
                "lumo.app",
                "b9",
                "zoe.bsky.social",
                "I am taking legal action over this.",
                int(clock()) - 60,
            )
        ]
    )
    app = make_app(store, clock, tmp_path, '[checks]\nsecond_look = "off"\n')
    async with app.run_test(size=SIZE) as pilot:
        await open_reply(pilot)
        assert not inbox(app).composer.second_look.display
        await pilot.press(*"Hi Zoe, sorry to read this. Could you DM us the details?")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert len(store.replies_in_state(ReplyState.QUEUED)) == 1


async def test_the_reply_goes_out_from_the_account_chosen(app, store):
    main = store.connect_account("bluesky", "lumo.app", "lumo.app", {})
    help_desk = store.connect_account("bluesky", "help.lumo.app", "help.lumo.app", {})
    # Mastodon ids belong to one instance: an account elsewhere is not offered.
    store.connect_account("mastodon", "lumo_fr@piaille.fr", "lumo_fr@piaille.fr", {})
    async with app.run_test(size=SIZE) as pilot:
        await open_reply(pilot)  # b4 on Bluesky
        composer = inbox(app).composer
        line = shown(composer.account_line)
        assert line.startswith("Replying as lumo.app · ^r to switch (2 accounts on Bluesky)")
        await pilot.press("ctrl+r")
        assert shown(composer.account_line).startswith("Replying as help.lumo.app")
        await pilot.press(*"Hi Camille, the fix is out today")
        await pilot.press("escape")  # kept as a draft: the account is kept with it
        await settle(pilot)
        assert store.draft_for(12).account_id == help_desk.id
        await pilot.press("r")
        await settle(pilot)
        assert shown(composer.account_line).startswith("Replying as help.lumo.app")
        await pilot.press("ctrl+s")
        await settle(pilot)
        (queued,) = store.replies_in_state(ReplyState.QUEUED)
        assert queued.account_id == help_desk.id != main.id
        await pilot.press("j", "j", "r")  # m5 on Mastodon, fetched by lumo@mastodon.social
        await settle(pilot)
        assert shown(composer.account_line) == "Replying as lumo@mastodon.social"
        assert not composer.check_action("switch_account", ())


async def test_the_context_panel_shows_the_thread_the_author_and_our_replies(app, store):
    store.queue_reply(1, "@camille@piaille.fr We are on it, thanks for the report")
    async with app.run_test(size=SIZE) as pilot:
        await open_reply(pilot, "j", "j")  # m5: camille answering judy, who answered m1
        composer = inbox(app).composer
        assert not composer.context_panel.display
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert composer.context_panel.display
        assert inbox(app).query_one("#body").has_class("composing")
        text = shown(composer.context_panel)
        thread = text.split("Earlier from")[0]
        assert thread.index("Sync is broken since the update") < thread.index(
            "Replying to the sync thread"
        ), "the parent chain, root first"
        earlier = text.split("Earlier from")[1].split("Our replies to them")[0]
        assert "Any news on the sync bug?" in earlier, "the same person on Bluesky"
        assert "We are on it, thanks for the report" in text.split("Our replies to them")[1]
        await pilot.press("ctrl+f")
        assert not composer.side.display
        assert not inbox(app).query_one("#body").has_class("composing")


async def test_the_brand_book_panel_toggles(store, clock, tmp_path):
    fill(store, int(clock()))
    app = make_app(
        store,
        clock,
        tmp_path,
        '[brand]\nname = "Lumo"\nvoice = "[bold]Warm[/], never corporate"\n'
        '[brand.avoid]\nASAP = "as soon as we can"\n',
    )
    async with app.run_test(size=SIZE) as pilot:
        await open_reply(pilot)
        composer = inbox(app).composer
        await pilot.press("ctrl+o")
        assert composer.brand_panel.display
        text = shown(composer.brand_panel)
        assert "[bold]Warm[/], never corporate" in text, "the brand book is plain text"
        assert '"ASAP" → "as soon as we can"' in text
        await pilot.press("ctrl+o")
        assert not composer.side.display


async def test_a_suggested_alias_is_confirmed_with_a_key_and_remembered(store, clock, tmp_path):
    now = int(clock())
    store.upsert_comments(
        [
            incoming("reddit", "u/LumoOfficial", "t1_x", "cmartin", "Export is slow", now - 7200,
                     name="Camille Martin"),
            incoming("bluesky", "lumo.app", "b9", "camille-m.bsky.social", "Still slow?", now - 60,
                     name="Camille Martin"),
        ]
    )  # fmt: skip
    app = make_app(store, clock, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_reply(pilot)
        composer = inbox(app).composer
        assert composer.alias.display
        assert shown(composer.alias).startswith(
            "Same person as @cmartin (Camille Martin) on Reddit?"
        )
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert not composer.alias.display
        await pilot.press("ctrl+f")
        assert "Export is slow" in shown(composer.context_panel)
        me = inbox(app).queue.current.comment.author.id
        assert len(store.linked_author_ids(me)) == 2
        assert store.alias_suggestions(me) == []


async def test_help_lists_the_composer_keys(app):
    from cm_inbox.tui.screens.help import HelpScreen

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        table = _rendered(app.screen.query_one("#help-box"))
        for words in ("Writing a reply", "^t", "Pick a template", "checklist is done"):
            assert words in table


def _rendered(widget) -> str:
    """A widget's content as the terminal would show it, wide enough not to wrap."""
    from rich.console import Console

    console = Console(width=300, record=True, file=open("/dev/null", "w"), color_system=None)  # noqa: SIM115
    for static in widget.query("Static"):
        console.print(static.content)
    return console.export_text()
