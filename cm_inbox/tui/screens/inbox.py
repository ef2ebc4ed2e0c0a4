"""The inbox screen: the queue, the thread, the composer, and every triage key.

Every action is one key and acts on the selection when there is one, else on
the row under the cursor; afterwards the cursor rests on the next item, so a
morning's triage is a rhythm of single keys. All writes go through the store
and are undoable with ``u``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from cm_inbox.model import VIEW_STATUSES, Comment, QueueQuery, ReplyState, Sort, Status, View
from cm_inbox.store import ReplyError, StoreError
from cm_inbox.targets import Targets
from cm_inbox.tui.bindings import ESCALATION_ACTIONS, SCREEN_BINDINGS
from cm_inbox.tui.escalation_actions import EscalationActions
from cm_inbox.tui.moderation_actions import ModerationActions
from cm_inbox.tui.widgets.position import Position
from cm_inbox.tui.widgets.queue_list import QueueList
from cm_inbox.tui.widgets.sync_status import SyncStatus
from cm_inbox.tui.widgets.thread_pane import ThreadContext, ThreadPane
from cm_inbox.tui.widgets.view_tabs import ViewTabs

if TYPE_CHECKING:
    from cm_inbox.model.replies import Reply
    from cm_inbox.spikes import SpikeReading
    from cm_inbox.tui.widgets.composer import Composer

# Bulk actions above this size run in a worker so the screen stays live.
BULK_IN_WORKER = 500
# Rows painted before the full key array of a view has loaded.
HEAD_ROWS = 200
# While keys repeat (a held j sends 25 a second), the thread pane waits until
# the cursor has rested this long: loading and laying out a thread for every
# row that flies past would make each key wait for a pane nobody can read.
THREAD_SETTLE_S = 0.1
# After a single move the thread pane loads this much later: loading it at once
# (in a worker thread) competed for the interpreter with the frame moving the
# cursor, and with Textual's thread writing it out. Too short for an eye to see.
THREAD_AFTER_FRAME_S = 0.02
SORTS = list(Sort)
EMPTY_HELP = (
    "No accounts yet.\n\n"
    "Bring comments in with `cm-inbox import FILE` (JSON Lines, see the README),\n"
    "or try the demo inbox: `cm-inbox demo`.\n\n"
    "Press q to quit, ? for the keys."
)


class InboxScreen(EscalationActions, ModerationActions, Screen):
    """The one screen a community manager lives in."""

    BINDINGS = SCREEN_BINDINGS
    # The queue has the focus from the first frame (not the search box, which
    # would take it, then hide, restyling itself twice before anything shows).
    AUTO_FOCUS = "#queue"

    def __init__(self) -> None:
        super().__init__()
        self.query_state = QueueQuery(sort=Sort(self.app.config.ui.sort))
        self.message = ""
        self._search_timer: Timer | None = None
        self._keep_key: int | None = None
        # The view's head is shown while the rest of its keys load.
        self._rest_loading = False
        self._thread_timer: Timer | None = None
        self._thread_wanted: int | None = None
        self._last_move = float("-inf")
        self._status_shown: Text | None = None
        # The spike the user dismissed: hidden until readings say it is over.
        self._spike_dismissed = False
        self.spike: SpikeReading | None = None

    @property
    def store(self):
        return self.app.store

    def compose(self) -> ComposeResult:
        self.tabs = ViewTabs(id="tabs")
        self.queue = QueueList(
            self.store,
            self.app.clock,
            Targets(self.app.config.targets, self.app.config.tz),
            id="queue",
        )
        self.thread = ThreadPane(
            self.app.clock, self.app.config.tz, scorer=self.store.scorer, id="thread"
        )
        # The composer and its checks (a tenth of the start-up imports) and the
        # search box arrive after the first frame; see _mount_the_rest.
        self.composer: Composer | None = None
        self.search_input: Input | None = None
        self.position = Position(id="position")
        self.status_bar = Static("", id="status-bar")
        self.sync_status = SyncStatus(
            lambda: self.app.syncer,
            self.app.clock,
            self.app.config.sync.every_minutes,
            id="sync-status",
        )
        self.empty = Static(Text(EMPTY_HELP), id="empty")
        self.banner = Static("", id="spike-banner")
        self.banner.display = False
        yield self.tabs
        yield self.banner
        with Horizontal(id="body"):
            yield self.queue
            with Vertical(id="detail"):
                yield self.thread
        yield self.empty
        with Horizontal(id="status-row"):
            yield self.position
            yield self.status_bar
            yield self.sync_status

    def on_mount(self) -> None:
        self._show_body()
        self.store.wake_due_snoozes()
        self.reload(keep=None)
        self.queue.focus()
        self.set_interval(60, self._tick)
        self.start_courier()
        # "12 of 857,123" follows the cursor in the same frame: a watcher runs as
        # the cursor moves, where a message would arrive after the list was
        # painted and cost a second frame.
        self.watch(self.queue, "cursor", lambda _: self._update_position(), init=False)

    async def after_first_frame(self) -> None:
        """The rest of the start-up, once the queue is on screen (the app calls it).

        The footer, the composer and the sync join now: the queue is what the
        user waits for, and their two dozen widgets took a third of the time to it.
        """
        await self._mount_the_rest()
        self.sync_status.start()
        self.check_spike()
        self._refresh_priorities()

    async def _mount_the_rest(self) -> None:
        from textual.widgets import Footer  # its module too (2.6 ms) waits for the first frame

        await self.mount(Footer())
        await self._the_search_box()
        await self._the_composer()
        self.refresh_bindings()  # a footer mounted late has missed the first announcement

    async def _the_search_box(self) -> Input:
        """The search box, mounted (hidden) under the tabs on first need: after the
        first frame, or by ``/`` pressed before that."""
        if self.search_input is None:
            search = Input(
                placeholder="Search text and authors…  (enter: back to the queue, esc: clear)",
                id="search",
            )
            search.display = False
            self.search_input = search
            await self.mount(search, after=self.banner)
        return self.search_input

    async def _the_composer(self) -> Composer:
        """The composer, mounted (hidden) on first need: after the first frame, or
        by ``r`` pressed before that."""
        if self.composer is None:
            from cm_inbox.tui.widgets.composer import Composer

            delay = self.app.composer_check_delay_s
            composer = Composer(
                id="composer", **({} if delay is None else {"check_delay_s": delay})
            )
            composer.display = False
            self.composer = composer
            await self.query_one("#detail").mount(composer)
        return self.composer

    def _show_body(self) -> None:
        """The queue once there is an account; until then, how to get one."""
        has_accounts = bool(self.store.accounts())
        self.empty.display = not has_accounts
        self.query_one("#body").display = has_accounts

    async def action_quit(self) -> None:
        # The screen's bindings run their actions on the screen: "quit" needs a
        # target here, or q is shown in the footer and does nothing.
        await self.app.action_quit()

    def action_sync(self) -> None:
        self.say(self.sync_status.sync_now())

    @on(SyncStatus.Synced)
    def _after_sync(self, event: SyncStatus.Synced) -> None:
        """New comments land around the cursor, which stays on the comment it was on."""
        if event.report.new or any(r.sent or r.send_failures for r in event.report.accounts):
            self._show_body()
            self.reload(keep=self._current_key())
            self.check_spike()
        else:
            self.refresh_counts()
            row = self.queue.current
            if row is not None and any(
                r.moderated or r.moderation_refused for r in event.report.accounts
            ):
                self._load_thread(row.comment.id)  # the network's answer, in the thread pane

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While the user types (composer, search), the triage keys are text, not actions.

        Returning False also hides them from the footer, which then shows only
        the keys that work where the focus is.
        """
        focused = self.focused
        if focused is None:
            return True
        if self.composer is not None and self.composer in focused.ancestors_with_self:
            return False
        if focused is self.search_input:
            return action == "clear"
        if action == "discard":
            # The view asked for: the list may still be loading the old one's rows.
            return self.query_state.view is View.OUTBOX
        if action == "dismiss_alert":
            return self.banner.display
        if action in ESCALATION_ACTIONS:
            return self.query_state.view is View.ESCALATED
        return True

    def on_resize(self) -> None:
        self.query_one("#body").set_class(self.size.width < 110, "narrow")

    def _tick(self) -> None:
        """Once a minute: snoozes that came due return, ages and target markers move on,
        and priorities count the minute waited."""
        if self.store.wake_due_snoozes():
            self.reload(keep=self._current_key())
        else:
            self.queue.refresh()  # a line's age and target state are part of its cache key
        self.check_spike()
        self._refresh_priorities()

    @work(thread=True, exclusive=True, group="priorities")
    def _refresh_priorities(self) -> None:
        # An inbox from before cm-inbox listened is scored once, in the background.
        scored = self.store.score_unscored() if self.store.has_unscored() else 0
        moved = self.store.refresh_priorities(int(self.app.clock()))
        if (scored or moved) and not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._priorities_moved, bool(scored))

    def _priorities_moved(self, scored: bool) -> None:
        # New signals also change the views' counts (Unanswered) and the thread pane.
        if scored or self.query_state.sort is Sort.PRIORITY:
            # Still on the first row: stay on the first row of the new order.
            self.reload(keep=self._current_key() if self.queue.cursor else None)

    # -- the spike alert ------------------------------------------------------

    def check_spike(self) -> None:
        """Measure the last hour's negative comments in a worker; the banner follows."""
        self._read_spike(int(self.app.clock()))

    @work(thread=True, exclusive=True, group="spike")
    def _read_spike(self, now: int) -> None:
        from cm_inbox.spikes import read_spike

        reading = read_spike(self.store, self.app.config.alerts, now)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_spike, reading)

    def _show_spike(self, reading: SpikeReading) -> None:
        self.spike = reading
        if not reading.spike:
            self._spike_dismissed = False  # over: the next one is a new spike
            shown = False
        else:
            shown = not self._spike_dismissed
            if shown:
                text = Text("▲ Spike: ", style="bold")
                text.append(reading.describe())  # words from comments: plain text
                text.append(
                    f"   {self._key_for('view_unanswered')}: see them"
                    f" · {self._key_for('dismiss_alert')}: dismiss",
                    style="italic",
                )
                self.banner.update(text)
        if self.banner.display != shown:
            self.banner.display = shown
            self.refresh_bindings()

    def _key_for(self, binding_id: str) -> str:
        """The key the user's keymap gives an action, as the footer shows it."""
        for active in self._bindings.key_to_bindings.values():
            for binding in active:
                if binding.id == binding_id:
                    return binding.key_display or self.app.get_key_display(binding)
        return binding_id

    def action_dismiss_alert(self) -> None:
        if not self.banner.display:
            self.say("No spike alert to dismiss")
            return
        self._spike_dismissed = True
        self.banner.display = False
        self.refresh_bindings()
        self.say("Spike alert dismissed; a new spike brings it back")

    def action_stats(self) -> None:
        from cm_inbox.tui.screens.stats import StatsScreen

        self.app.push_screen(StatsScreen())

    # -- loading ------------------------------------------------------------

    def reload(self, keep: int | None) -> None:
        """Reload the view's keys in a worker; the cursor stays on ``keep``.

        An unfiltered view paints its first screenful at once from the index
        (well under a millisecond), a search from the end of the full-text
        index (a few milliseconds), while the full key array loads behind it.
        """
        self._keep_key = keep
        query = self.query_state
        head_shown = False
        if keep is None and not query.is_filtered and query.view is not View.OUTBOX:
            head = self.store.queue_keys(query, limit=HEAD_ROWS)
            total = self.store.queue_count(query)
            self.queue.set_keys(query.view, head, total=total)
            head_shown = True
            self._rest_loading = len(head) < total
        elif keep is None and query.search and query.view is not View.OUTBOX:
            # A search shows its first screen from the index's end at once; the
            # full list (and its count) follows from the worker.
            self.queue.set_keys(query.view, self.store.search_head(query, HEAD_ROWS))
            head_shown = True
            self._rest_loading = True
        if head_shown:
            self._update_position()
            # Parsing a million ids holds the interpreter in slices: start after
            # the head is on screen, not against its paint.
            self.call_after_refresh(self._load_keys, query)
        else:
            self._load_keys(query)
        self.refresh_counts()

    @work(thread=True, exclusive=True, group="keys")
    def _load_keys(self, query: QueueQuery) -> None:
        keys = self.store.queue_keys(query)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_keys, query, keys)

    def _show_keys(self, query: QueueQuery, keys) -> None:
        if query != self.query_state:
            return
        self.queue.set_keys(query.view, keys, keep=self._keep_key)
        self._rest_loading = False
        if not keys:
            self.thread.show_empty(self._empty_view_text())
        self._update_status()

    def _empty_view_text(self) -> str:
        if self.query_state.is_filtered:
            return "Nothing matches. Press escape to clear the search and filters."
        if self.query_state.view is View.INBOX:
            return "Inbox zero. Everything has an answer."
        return f"Nothing in {self.query_state.view.title}."

    def refresh_counts(self) -> None:
        self.tabs.show(self.query_state.view, self.store.view_counts())

    @on(QueueList.Highlighted)
    def _on_highlighted(self, event: QueueList.Highlighted) -> None:
        if event.row is None:
            self._stop_thread_timer()
            self._thread_wanted = None
            self.thread.show_empty(self._empty_view_text())
        else:
            self._want_thread(event.row.comment.id)
        self._update_status()

    def _want_thread(self, comment_id: int) -> None:
        """Load the thread just after the frame of a single move; after the last of a burst."""
        now = time.monotonic()
        settle = self.app.thread_settle_s
        resting = now - self._last_move >= settle
        self._last_move = now
        self._thread_wanted = comment_id
        self._stop_thread_timer()
        self._thread_timer = self.set_timer(
            min(settle, THREAD_AFTER_FRAME_S) if resting else settle, self._load_wanted_thread
        )

    def _load_wanted_thread(self) -> None:
        self._thread_timer = None
        if self._thread_wanted is not None:
            self._load_thread(self._thread_wanted)

    def _stop_thread_timer(self) -> None:
        if self._thread_timer is not None:
            self._thread_timer.stop()
            self._thread_timer = None

    @property
    def thread_pending(self) -> bool:
        """True while the thread pane waits for the cursor to rest."""
        return self._thread_timer is not None

    @work(thread=True, exclusive=True, group="thread")
    def _load_thread(self, comment_id: int) -> None:
        comment = self.store.comment(comment_id)
        if comment is None:
            return
        context = ThreadContext(
            comment=comment,
            thread=self.store.thread(comment),
            card=self.store.author_card(comment),
            replies=self.store.replies_for(comment_id),
            escalations=self.store.escalation_records(comment_id),
            network=self.store.network_outcomes(comment_id),
            connected=self._connected(comment),
        )
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_thread, context)

    def _connected(self, comment: Comment) -> bool:
        account = self.store.account(comment.network, comment.account)
        return account is not None and account.connected

    def _show_thread(self, context: ThreadContext) -> None:
        current = self.queue.current
        if current is not None and current.comment.id == context.comment.id:
            self.thread.show(context)

    def _update_status(self) -> None:
        """What the user is looking at: view, order, search, filters, selection, message."""
        self._update_position()
        query = self.query_state
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" · ")
        text.append(query.view.title, style="bold")
        # The Unanswered view has an order of its own: the longest waiting first.
        sort = Sort.OLDEST if query.view is View.UNANSWERED else query.sort
        text.append(f" · {sort.value}")
        for name in ("search", "network", "account", "language", "label"):
            value = getattr(query, name)
            if value:
                text.append(f" · {name}: ")
                text.append(str(value), style="bold")
        if self.queue.selected:
            text.append(f" · {len(self.queue.selected):,} selected", style="bold")
        if self.message:
            text.append("   " + self.message, style="italic")
        if text != self._status_shown:
            # One fixed line: its size never changes, so no relayout of the screen.
            self._status_shown = text
            self.status_bar.update(text, layout=False)

    def _update_position(self) -> None:
        """Where the cursor is: "12 of 857,123", the one part that changes on every key.

        It sits at the left, under the queue, so a key's frame repaints the
        queue's columns only, never the thread pane beside it.
        """
        count = len(self.queue.keys)
        if not count:
            self.position.show(" 0")
        elif self._rest_loading:
            # Only the head of the view is loaded: its count is the view's when
            # known ("1 of 857,123…"), else at least the head's ("1 of 200+…").
            total = self.queue.total
            more = "+" if total <= count else ""
            self.position.show(f" {self.queue.cursor + 1:,} of {total:,}{more}…")
        else:
            self.position.show(f" {self.queue.cursor + 1:,} of {count:,}")

    def say(self, message: str) -> None:
        self.message = message
        self._update_status()

    # -- targets --------------------------------------------------------------

    def _current_key(self) -> int | None:
        row = self.queue.current
        return row.key if row else None

    def _targets(self) -> tuple[list[int], bool]:
        """Comment ids to act on, and whether they came from a selection."""
        if self.queue.selected:
            if self.queue.view is View.OUTBOX:
                rows = self.store.queue_rows(View.OUTBOX, list(self.queue.selected))
                return [row.comment.id for row in rows], True
            return [key for key in self.queue.keys if key in self.queue.selected], True
        row = self.queue.current
        return ([row.comment.id], False) if row else ([], False)

    def _after_change(
        self, comment_ids: Iterable[int], new_status: Status, from_selection: bool
    ) -> None:
        """Reflect a status change in place: rows leave views they no longer belong to."""
        ids = list(comment_ids)
        view = self.queue.view
        if view is View.OUTBOX:
            self.reload(keep=None)
            return
        belongs = new_status in VIEW_STATUSES[view]
        if belongs:
            self.queue.forget(ids)
            if not from_selection:
                self.queue.cursor += 1
        else:
            self.queue.remove_keys(ids)
        self.queue.selected.clear()
        self.refresh_counts()
        self._force_highlight()

    def _force_highlight(self) -> None:
        self.queue._last_highlighted = None
        self.queue.cursor = self.queue.cursor

    # -- actions ----------------------------------------------------------------

    def _set_status(self, status: Status, label: str, **kwargs) -> None:
        ids, from_selection = self._targets()
        if not ids:
            self.app.bell()
            return
        self._change_status(ids, from_selection, status, label, **kwargs)

    def _change_status(
        self, ids: list[int], from_selection: bool, status: Status, label: str, **kwargs
    ) -> bool:
        """Change the comments' status; True when a worker does it (it says when done)."""
        if len(ids) > BULK_IN_WORKER:
            self._bulk_status(ids, status, label, kwargs)
            return True
        try:
            self.store.set_status(ids, status, **kwargs)
        except StoreError as error:
            self.notify(str(error), severity="error")
            return False
        self._after_change(ids, status, from_selection)
        self.say(_done_message(label, len(ids)))
        return False

    @work(thread=True, exclusive=True, group="bulk")
    def _bulk_status(self, ids: list[int], status: Status, label: str, kwargs: dict) -> None:
        self.app.call_from_thread(self.say, f"{label}: {len(ids):,} comments…")
        self.store.set_status(ids, status, **kwargs)
        self.app.call_from_thread(self._bulk_done, ids, status, label)

    def _bulk_done(self, ids: list[int], status: Status, label: str) -> None:
        self._after_change(ids, status, True)
        self.say(_done_message(label, len(ids)))

    def action_done(self) -> None:
        self._set_status(Status.DONE, "Done")

    def action_spam(self) -> None:
        ids, _ = self._targets()
        self._set_status(Status.SPAM, "Marked spam", action="spam")
        self.network_soon(ids, "spam")

    def action_snooze(self) -> None:
        from cm_inbox.tui.screens.snooze import SnoozeScreen

        ids, from_selection = self._targets()
        if not ids:
            self.app.bell()
            return

        def chosen(until: int | None) -> None:
            if until is None:
                return
            self.store.snooze(ids, until)
            self._after_change(ids, Status.SNOOZED, from_selection)
            self.say(_done_message("Snoozed", len(ids)))

        self.app.push_screen(SnoozeScreen(self.app.config, self.app.clock), chosen)

    def action_labels(self) -> None:
        from cm_inbox.tui.screens.labels import LabelChange, LabelsScreen

        ids, _ = self._targets()
        if not ids:
            self.app.bell()
            return
        current = self.store.labels_of(ids[0]) if len(ids) == 1 else []

        def chosen(change: LabelChange | None) -> None:
            if change is None:
                return
            self.store.change_labels(ids, add=change.add, remove=change.remove)
            self.queue.forget(ids)
            self.queue.selected.clear()
            self._force_highlight()
            self.say(_done_message("Labels changed", len(ids)))

        self.app.push_screen(LabelsScreen(current, self.store.all_labels(), len(ids)), chosen)

    def action_toggle_select(self) -> None:
        row = self.queue.current
        if row is None:
            return
        self.queue.selected.symmetric_difference_update({row.key})
        self.queue.cursor += 1
        self.queue.refresh()
        self._update_status()

    def action_select_all(self) -> None:
        if self.queue.selected and len(self.queue.selected) == len(self.queue.keys):
            self.queue.selected.clear()
        else:
            self.queue.selected = set(self.queue.keys)
        self.queue.refresh()
        self._update_status()

    def action_undo(self) -> None:
        result = self.store.undo_last()
        if result is None:
            self.say("Nothing to undo")
            return
        self.say(result.describe())
        self.kick_courier()  # an undone escalation that reached its team: tell it so
        keep = result.comment_ids[0] if result.comment_ids else self._current_key()
        if self.queue.view is View.OUTBOX:
            keep = result.reply_ids[0] if result.reply_ids else None
        self.reload(keep=keep)

    # -- reply ----------------------------------------------------------------

    async def action_reply(self) -> None:
        from cm_inbox.compose import reply_prefill

        composer = await self._the_composer()
        row = self.queue.current
        if row is None:
            self.app.bell()
            return
        comment = row.comment
        reworked = self.queue.view is View.OUTBOX and row.reply is not None
        if reworked and not self._rework(composer, row.reply, comment):
            return
        draft = self.store.draft_for(comment.id)
        if draft is None:
            composer.open(comment, reply_prefill(comment))
        else:
            composer.open(comment, draft.text, account_id=draft.account_id)

    def _rework(self, composer: Composer, reply: Reply, comment: Comment) -> bool:
        """``r`` on a reply in the Outbox: True when the composer should open on its draft."""
        if reply.state is ReplyState.FAILED and not reply.maybe_sent:
            composer.open(comment, reply.text, failed_reply=reply.id, account_id=reply.account_id)
            return False
        if reply.state is ReplyState.FAILED:
            # It may be out there as written: only as written may it go again.
            self.store.requeue_reply(reply.id)
            self.say("Queued again, unchanged: it may already be out, and is looked for first")
            self.reload(keep=reply.id)
            self.sync_status.later(1)
            return False
        if reply.state is ReplyState.QUEUED and reply.may_be_withdrawn:
            self.store.cancel_reply(reply.id)  # back to a draft, opened below
            self.refresh_counts()
            return True
        if reply.state is ReplyState.DRAFT:
            return True
        self.app.bell()
        self.say("Already on its way: too late to change it")
        return False

    def action_discard(self) -> None:
        """Give up on the reply under the cursor (Outbox view): its comment returns to the inbox."""
        row = self.queue.current
        if self.queue.view is not View.OUTBOX or row is None or row.reply is None:
            self.app.bell()
            return
        try:
            self.store.discard_reply(row.reply.id)
        except ReplyError as error:
            self.app.bell()
            self.say(str(error))
            return
        self.say("Reply discarded; its comment is back in the Inbox")
        self.reload(keep=None)

    # Handlers by name, not @on(Composer.…): the composer's module is not
    # imported until after the first frame.
    def on_composer_submitted(self, event: Composer.Submitted) -> None:
        from cm_inbox.compose import check_draft

        blocking = [p for p in check_draft(event.comment, event.text) if p.blocking]
        if blocking:
            self.notify(
                "\n".join(p.message for p in blocking), title="Not queued", severity="error"
            )
            return
        try:
            if event.reply_id is not None:
                self.store.requeue_reply(event.reply_id, event.text)
            else:
                self.store.queue_reply(event.comment.id, event.text, account_id=event.account_id)
        except (ReplyError, StoreError) as error:
            self.notify(str(error), title="Not queued", severity="error")
            return
        self._close_composer()
        if event.reply_id is not None:
            self.reload(keep=event.reply_id)
            self.say("Queued again")
            self.sync_status.later(1)
            return
        if self.queue.current and self.queue.current.comment.id == event.comment.id:
            self._after_change([event.comment.id], Status.REPLIED, False)
        else:
            self.refresh_counts()
        undo_seconds = self.app.config.sync.undo_seconds
        self.say(f"Reply queued · u to undo (it leaves in {undo_seconds} s)")
        # Send it as soon as its undo window closes, not at the next timed sync.
        self.sync_status.later(undo_seconds + 1)

    def on_composer_closed(self, event: Composer.Closed) -> None:
        from cm_inbox.compose import reply_prefill

        if event.reply_id is not None:  # a failed reply stays as it was
            self._close_composer()
            self.say("The failed reply is left as it was")
            return
        text = event.text
        if text.strip() == reply_prefill(event.comment).strip():
            text = ""
        self.store.save_draft(event.comment.id, text, account_id=event.account_id)
        self._close_composer()
        self.refresh_counts()
        self.say("Draft kept" if text else "")

    def _close_composer(self) -> None:
        if self.composer is not None:
            self.composer.close()
        self.query_one("#body").remove_class("composing")
        self.queue.focus()

    def on_composer_panels_toggled(self, event: Composer.PanelsToggled) -> None:
        """The brand book or the context beside the draft: the queue gives them room."""
        self.query_one("#body").set_class(event.shown, "composing")

    # -- finding --------------------------------------------------------------

    def action_view(self, name: str) -> None:
        view = View(name)
        self.query_state = replace(self.query_state, view=view)
        self.queue.selected.clear()
        self.queue.cursor = 0
        self.reload(keep=None)
        self.refresh_bindings()  # the footer shows the keys of this view (D in the Outbox)

    @on(ViewTabs.Chosen)
    def _on_tab(self, event: ViewTabs.Chosen) -> None:
        self.action_view(event.view.value)

    def action_cycle_sort(self) -> None:
        self.set_sort(SORTS[(SORTS.index(self.query_state.sort) + 1) % len(SORTS)])

    def set_sort(self, sort: Sort) -> None:
        self.query_state = replace(self.query_state, sort=sort)
        self.reload(keep=self._current_key())
        self.say(f"Sorted by {sort.value}")

    async def action_search(self) -> None:
        search = await self._the_search_box()
        search.display = True
        # Focused now: Widget.focus waits behind the keys already typed, which
        # must reach the box (CmInboxApp.on_event): "/reply" searches, not replies.
        self.set_focus(search)

    @on(Input.Changed, "#search")
    def _on_search_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(0.15, lambda: self._apply_search(event.value))

    def _apply_search(self, value: str) -> None:
        search = value.strip() or None
        if search != self.query_state.search:
            self.query_state = replace(self.query_state, search=search)
            self.queue.cursor = 0
            self.reload(keep=None)

    @on(Input.Submitted, "#search")
    def _on_search_submitted(self, event: Input.Submitted) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._apply_search(event.value)
        self.queue.focus()

    def action_filter(self) -> None:
        from cm_inbox.tui.screens.filter import FilterScreen

        def chosen(query: QueueQuery | None) -> None:
            if query is not None and query != self.query_state:
                self.query_state = query
                self.queue.cursor = 0
                self.reload(keep=None)

        self.app.push_screen(FilterScreen(self.store, self.query_state), chosen)

    def action_clear(self) -> None:
        """Escape: back from the thread to the queue, else drop search, filters and selection."""
        if self.focused is self.thread:
            self.queue.focus()
            return
        self.queue.selected.clear()
        if self.search_input is not None:
            self.search_input.value = ""
            self.search_input.display = False
        if self.query_state.is_filtered:
            self.query_state = QueueQuery(view=self.query_state.view, sort=self.query_state.sort)
            self.reload(keep=self._current_key())
        self.queue.refresh()
        self.queue.focus()
        self._update_status()

    def action_focus_thread(self) -> None:
        if self.thread_pending:  # reading it now: no reason to wait for the cursor to rest
            self._stop_thread_timer()
            self._load_wanted_thread()
        self.thread.focus()

    def action_help(self) -> None:
        from cm_inbox.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.active_bindings))


def _done_message(label: str, count: int) -> str:
    noun = "comment" if count == 1 else "comments"
    return f"{label}: {count:,} {noun} · u to undo"
