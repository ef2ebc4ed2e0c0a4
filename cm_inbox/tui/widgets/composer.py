"""The reply composer: the draft, its live checks, and what to know before sending it.

Under the draft: the problems the checks find (blocking ones in the error
colour, warnings in the warning colour, each with its detail), the length by
the network's own count and the account the reply goes out from. Beside it, on
a key: the brand book, and the context (the thread above, the author's earlier
comments and our replies to them on every network). Above it, for a risky
comment: the second-look checklist, and the key that queues after it.

The composer only edits; the checks, templates and context are the core's
(``compose``, ``templates``, ``drafting``, ``reply_context``) and queueing is
the inbox screen's, through the store, so the CLI's ``reply`` behaves the same.
"""

from __future__ import annotations

from rich.text import Text
from textual import events, work
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.keys import key_to_character
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static, TextArea
from textual.worker import get_current_worker

from cm_inbox.compose import check_draft, length_status, reply_prefill
from cm_inbox.draft import DraftContext, DraftProblem
from cm_inbox.drafting import composer_brand, composer_templates, draft_context
from cm_inbox.model import Comment
from cm_inbox.networks import at_handle, rules_for
from cm_inbox.reply_accounts import ReplyAccount
from cm_inbox.reply_context import ReplyContext, reply_context
from cm_inbox.templates import TemplateLibrary, insert_template
from cm_inbox.tui.bindings import COMPOSER_BINDINGS
from cm_inbox.tui.widgets.composer_panels import (
    account_text,
    brand_text,
    context_text,
    problem_text,
    second_look_text,
    suggestion_line,
)

# Format characters a text area drops as "not printable" that are part of what
# people type: the joiner of emoji sequences (👨‍👩‍👧 is three emoji and two
# joiners, one grapheme), the non-joiner of Persian and Indic scripts, and the
# tags of subdivision flags (🏴󠁧󠁢󠁳󠁣󠁴󠁿). Dropping them would count a family emoji as three.
_TYPED_FORMAT_CHARACTERS = frozenset({"\u200d", "\u200c", *map(chr, range(0xE0020, 0xE0080))})

# Checks run once typing pauses this long (they take a few ms on 10,000 past
# replies; running them on every key of a fast typist is waste).
CHECK_DELAY_S = 0.15


class DraftArea(TextArea):
    """The draft's text area: it keeps the joiners of emoji sequences as they are typed."""

    async def _on_key(self, event: events.Key) -> None:
        # A terminal sends the character; some key sources name it only ("zero_width_joiner").
        character = event.character or key_to_character(event.key)
        if character in _TYPED_FORMAT_CHARACTERS and not self.read_only:
            event.stop()
            event.prevent_default()
            start, end = self.selection
            self.replace(character, start, end, maintain_selection_offset=False)
        # Anything else: TextArea's own handler runs next (Textual walks the classes).


class Composer(Vertical):
    """Writes one reply to one comment."""

    BINDINGS = COMPOSER_BINDINGS

    DEFAULT_CSS = """
    Composer { height: auto; max-height: 70%; border-top: solid $accent; padding: 0 1; }
    Composer.-panels { height: 85%; max-height: 85%; }
    Composer #composer-title, Composer #composer-account { height: auto; color: $text-muted; }
    Composer #composer-alias { height: auto; color: $text-accent; }
    Composer #composer-second-look {
        height: auto; color: $text-warning; border-left: thick $warning; padding: 0 1;
    }
    Composer #composer-main { height: auto; }
    Composer.-panels #composer-main { height: 1fr; }
    Composer #composer-write { height: auto; width: 1fr; }
    Composer TextArea, Composer TextArea:focus {
        height: auto; min-height: 3; max-height: 10; border: none; background: $boost;
    }
    Composer #composer-count { height: 1; }
    Composer #composer-count.-over { color: $text-error; text-style: bold; }
    Composer #composer-problems { height: auto; }
    Composer .problem { height: auto; }
    Composer .problem.-blocking { color: $text-error; }
    Composer .problem.-warning { color: $text-warning; }
    Composer #composer-message { height: auto; color: $text-error; text-style: bold; }
    Composer #composer-side {
        width: 45%; height: 1fr; border-left: vkey $panel-lighten-2; padding: 0 0 0 1;
    }
    Composer #composer-brand, Composer #composer-context { height: auto; }
    """

    class Submitted(Message):
        """The user asked to queue the reply (``reply_id``: a failed one, rewritten)."""

        def __init__(
            self,
            comment: Comment,
            text: str,
            reply_id: int | None = None,
            account_id: int | None = None,
        ) -> None:
            self.comment = comment
            self.text = text
            self.reply_id = reply_id
            # The brand account it goes out from (None: the comment's own).
            self.account_id = account_id
            super().__init__()

    class Closed(Message):
        """The composer closed; ``text`` is the draft to keep (none for a failed reply)."""

        def __init__(
            self,
            comment: Comment,
            text: str,
            reply_id: int | None = None,
            account_id: int | None = None,
        ) -> None:
            self.comment = comment
            self.text = text
            self.reply_id = reply_id
            self.account_id = account_id
            super().__init__()

    class PanelsToggled(Message):
        """A side panel opened or the last one closed: the screen gives the composer room."""

        def __init__(self, shown: bool) -> None:
            self.shown = shown
            super().__init__()

    def __init__(self, *, check_delay_s: float = CHECK_DELAY_S, **kwargs) -> None:
        super().__init__(**kwargs)
        self.comment: Comment | None = None
        # Set while rewriting a reply the network refused: ctrl+s queues it again.
        self.failed_reply: int | None = None
        self.check_delay_s = check_delay_s
        # Built in a worker when the composer opens; None until then.
        self.draft_context: DraftContext | None = None
        self.reply_context: ReplyContext | None = None
        self.accounts: list[ReplyAccount] = []
        self.account_index = 0
        # The account a kept draft was to go out from, chosen once the accounts are read.
        self._wanted_account: int | None = None
        self.problems: list[DraftProblem] = []
        self._library: TemplateLibrary | None = None
        self._detector_looked_up = False
        self._detector = None
        self._check_timer: Timer | None = None
        # ctrl+s (False) or the confirming key (True) pressed before the checks were ready.
        self._pending_submit: bool | None = None
        self._shown_problems: tuple[DraftProblem, ...] | None = None
        self._opening = 0
        self.title = Static("", id="composer-title")
        self.alias = Static("", id="composer-alias")
        self.second_look = Static("", id="composer-second-look")
        self.editor = DraftArea(id="composer-text", soft_wrap=True, show_line_numbers=False)
        self.count = Static("", id="composer-count")
        self.account_line = Static("", id="composer-account")
        self.problem_list = Vertical(id="composer-problems")
        self.message_line = Static("", id="composer-message")
        self.brand_panel = Static("", id="composer-brand")
        self.context_panel = Static("", id="composer-context")
        self.side = VerticalScroll(self.brand_panel, self.context_panel, id="composer-side")

    def compose(self):
        yield self.title
        yield self.alias
        yield self.second_look
        with Horizontal(id="composer-main"):
            with Vertical(id="composer-write"):
                yield self.editor
                yield self.count
                yield self.account_line
                yield self.problem_list
                yield self.message_line
            yield self.side

    def on_mount(self) -> None:
        for widget in (self.alias, self.second_look, self.message_line, self.side):
            widget.display = False
        self.brand_panel.display = False
        self.context_panel.display = False

    # -- opening --------------------------------------------------------------

    def open(
        self,
        comment: Comment,
        text: str,
        *,
        failed_reply: int | None = None,
        account_id: int | None = None,
    ) -> None:
        """Start (or resume) the reply to ``comment`` with ``text`` in the editor.

        ``account_id`` is the account a kept draft was to go out from.
        """
        self.comment = comment
        self.failed_reply = failed_reply
        self.draft_context = None
        self.reply_context = None
        self.accounts = [ReplyAccount(comment.account_id, comment.network, comment.account)]
        self.account_index = 0
        self._wanted_account = account_id
        self._pending_submit = None
        self._shown_problems = None
        self._opening += 1
        self._show_title()
        self.alias.display = False
        self.second_look.display = False
        self._say("")
        self._show_account()
        self.brand_panel.update(brand_text(self._brand(), comment))
        self.context_panel.update(Text("Reading the context…", style="italic"))
        self.editor.load_text(text)
        self.editor.move_cursor(self.editor.document.end)
        self.display = True
        # Focused now: Widget.focus waits behind the keys already typed, which
        # must reach the draft (CmInboxApp.on_event), not the queue.
        self.screen.set_focus(self.editor)
        self._show_count()
        self._run_checks()
        self._load(comment, self._opening)
        if self.side.display:  # the panels stay as the user left them
            self.post_message(self.PanelsToggled(True))
        self.refresh_bindings()

    def _brand(self):
        return composer_brand(self.app.config, demo=self.app.demo)

    @work(thread=True, exclusive=True, group="composer")
    def _load(self, comment: Comment, opening: int) -> None:
        """The check context (its sameness index reads up to 10,000 replies) and the reply's
        context, off the UI thread."""
        app = self.app
        store = app.store
        if self._library is None:
            self._library = composer_templates(app.config, demo=app.demo)
        if not self._detector_looked_up:
            from cm_inbox.drafting import find_language_detector

            self._detector = find_language_detector()
            self._detector_looked_up = True
        checks = draft_context(
            store,
            app.config,
            comment,
            demo=app.demo,
            detect_language=self._detector,
            templates=self._library,
            now=int(app.clock()),
        )
        around = reply_context(store, comment, app.config.checks)
        if not get_current_worker().is_cancelled:
            app.call_from_thread(self._loaded, opening, checks, around)

    def _loaded(self, opening: int, checks: DraftContext, around: ReplyContext) -> None:
        if opening != self._opening or self.comment is None:
            return  # the composer moved on to another comment
        self.draft_context = checks
        self.reply_context = around
        self.accounts = around.accounts
        wanted = self._wanted_account
        self.account_index = next(
            (i for i, account in enumerate(self.accounts) if account.id == wanted), 0
        )
        self._show_title()
        self._show_account()
        self._show_alias()
        if around.second_look:
            self.second_look.update(
                second_look_text(
                    around.second_look, self.key("composer_confirm"), self.key("composer_submit")
                )
            )
        self.second_look.display = bool(around.second_look)
        self.context_panel.update(context_text(around, self.app.clock()))
        self._run_checks()
        self.refresh_bindings()
        pending, self._pending_submit = self._pending_submit, None
        if pending is not None:
            self._submit(confirmed=pending)

    @property
    def ready(self) -> bool:
        """True once the checks have everything (brand book, templates, recent replies)."""
        return self.draft_context is not None

    # -- what is shown ---------------------------------------------------------

    def key(self, binding_id: str) -> str:
        """The key of a composer action, as the user's keymap has it."""
        return self.app.key_for(binding_id)

    def _show_title(self) -> None:
        comment = self.comment
        if comment is None:
            return
        rules = rules_for(comment.network)
        verb = "Rewrite the failed reply" if self.failed_reply is not None else "Reply"
        title = Text(f"{verb} to {at_handle(comment.author.handle)} on {rules.label}")
        if self.reply_context is not None and self.reply_context.escalated:
            title.append(
                f" · escalated: {self.key('composer_templates')} offers the"
                " admit-the-mistake templates first",
                style="bold",
            )
        self.title.update(title)

    def _show_account(self) -> None:
        self.account_line.update(
            account_text(self.accounts, self.account_index, self.key("composer_account"))
        )

    def _show_alias(self) -> None:
        suggestion = self._suggestion()
        if suggestion is not None:
            self.alias.update(
                suggestion_line(suggestion, self.key("composer_link"), self.key("composer_unlink"))
            )
        self.alias.display = suggestion is not None

    def _suggestion(self):
        if self.reply_context is None or not self.reply_context.suggestions:
            return None
        return self.reply_context.suggestions[0]

    def _show_count(self) -> None:
        if self.comment is None:
            return
        count, limit, unit = length_status(self.comment.network, self.editor.text)
        self.count.update(Text(f"{count:,} / {limit:,} {unit}"))
        self.count.set_class(count > limit, "-over")

    def _say(self, message: str) -> None:
        self.message_line.update(Text(message))
        self.message_line.display = bool(message)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._show_count()
        self._say("")
        if self.check_delay_s <= 0:
            self._run_checks()
            return
        if self._check_timer is not None:
            self._check_timer.stop()
        self._check_timer = self.set_timer(self.check_delay_s, self._run_checks)

    def _run_checks(self) -> list[DraftProblem]:
        """Check the draft now and show what is wrong; returns the problems."""
        self._check_timer = None
        if self.comment is None:
            return []
        text = self.editor.text
        untouched = text.strip() == reply_prefill(self.comment).strip()
        self.problems = [
            problem
            for problem in check_draft(self.comment, text, context=self.draft_context)
            # A draft not begun yet is not a problem to shout about.
            if not (untouched and problem.code in ("empty", "mention-only"))
        ]
        self._show_problems()
        return self.problems

    def _show_problems(self) -> None:
        shown = tuple(self.problems)
        if shown == self._shown_problems:
            return
        self._shown_problems = shown
        self.problem_list.remove_children()
        self.problem_list.mount_all(
            Static(
                problem_text(problem),
                classes="problem " + ("-blocking" if problem.blocking else "-warning"),
            )
            for problem in self.problems
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that mean nothing for this comment are off, and out of the footer."""
        if action == "confirm":
            return self.reply_context is not None and bool(self.reply_context.second_look)
        if action == "switch_account":
            return len(self.accounts) > 1
        if action in ("link_alias", "unlink_alias"):
            return self._suggestion() is not None
        return True

    # -- actions -----------------------------------------------------------------

    def action_submit(self) -> None:
        self._submit(confirmed=False)

    def action_confirm(self) -> None:
        self._submit(confirmed=True)

    def _submit(self, *, confirmed: bool) -> None:
        if self.comment is None:
            return
        if not self.ready:
            # The sameness index is still loading: queue once every check can run.
            self._pending_submit = confirmed
            self._say("Checking the draft…")
            return
        blocking = [problem for problem in self._run_checks() if problem.blocking]
        if blocking:
            self.app.bell()
            self._say("Not queued: " + "; ".join(problem.message for problem in blocking))
            self.notify(
                "\n".join(problem.message for problem in blocking),
                title="Not queued",
                severity="error",
            )
            return
        assert self.reply_context is not None
        if self.reply_context.second_look and not confirmed:
            self.app.bell()
            self._say(
                "Not queued: this comment asks for a second look. Go through the list above,"
                f" then {self.key('composer_confirm')} queues the reply."
            )
            return
        account = self.accounts[self.account_index]
        self.post_message(
            self.Submitted(self.comment, self.editor.text, self.failed_reply, account.id)
        )

    def action_close(self) -> None:
        if self.comment is not None:
            account = self.accounts[self.account_index]
            self.post_message(
                self.Closed(self.comment, self.editor.text, self.failed_reply, account.id)
            )

    def action_switch_account(self) -> None:
        if len(self.accounts) < 2:
            return
        self.account_index = (self.account_index + 1) % len(self.accounts)
        self._show_account()

    def action_toggle_brand(self) -> None:
        self._toggle(self.brand_panel)

    def action_toggle_context(self) -> None:
        self._toggle(self.context_panel)

    def _toggle(self, panel: Static) -> None:
        panel.display = not panel.display
        shown = self.brand_panel.display or self.context_panel.display
        if shown != self.side.display:
            self.side.display = shown
            self.set_class(shown, "-panels")
            self.post_message(self.PanelsToggled(shown))
        if panel.display:
            self.side.scroll_to_widget(panel, animate=False, top=True)

    def action_link_alias(self) -> None:
        self._decide_alias(same=True)

    def action_unlink_alias(self) -> None:
        self._decide_alias(same=False)

    def _decide_alias(self, *, same: bool) -> None:
        suggestion = self._suggestion()
        if suggestion is None or self.comment is None:
            return
        self.app.store.decide_alias(self.comment.author.id, suggestion.author.id, same=same)
        other = at_handle(suggestion.author.handle)
        self.notify(
            f"{other} is the same person: their comments and our replies now show together"
            if same
            else f"{other} is someone else: not suggested again"
        )
        # Read again: a confirmed alias brings their comments and our replies in.
        self._load(self.comment, self._opening)

    def action_templates(self) -> None:
        from cm_inbox.tui.screens.template_picker import TemplatePicker

        comment = self.comment
        if comment is None:
            return
        if self._library is None:
            self._library = composer_templates(self.app.config, demo=self.app.demo)
        escalated = self.reply_context.escalated if self.reply_context is not None else None
        brand = self._brand()
        picker = TemplatePicker(
            self._library, comment, escalated=escalated, default_language=brand.default_language
        )
        self.app.push_screen(picker, self._insert_template)

    def _insert_template(self, match) -> None:
        comment = self.comment
        if match is None or comment is None:
            self.editor.focus()
            return
        rendered = insert_template(
            self.app.store, match.template, comment, self._brand(), language=match.language
        )
        text = self.editor.text
        prefill = reply_prefill(comment)
        if not text.strip() or text.strip() == prefill.strip():
            self.editor.load_text(prefill + rendered.text)
            self.editor.move_cursor(self.editor.document.end)
        else:
            row, column = self.editor.cursor_location
            line = self.editor.document.get_line(row)
            before = line[:column]
            words = rendered.text
            if before and not before[-1].isspace():
                words = " " + words
            self.editor.insert(words)
        if rendered.unfilled:
            self.notify(
                "\n".join(f"{{{item.name}}}: {item.reason}" for item in rendered.unfilled),
                title="Fill in before sending",
                severity="warning",
            )
        self.editor.focus()

    def close(self) -> None:
        self.comment = None
        self.failed_reply = None
        self.draft_context = None
        self.reply_context = None
        self._pending_submit = None
        if self._check_timer is not None:
            self._check_timer.stop()
            self._check_timer = None
        self.display = False
