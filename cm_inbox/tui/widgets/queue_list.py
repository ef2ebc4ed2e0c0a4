"""The queue: a virtual list over SQLite, one line per comment.

It holds the view's ordered keys (an int array, 4 bytes a row) and asks the
store only for the rows on screen, caching them by key. Painting a line never
touches more than one small page of rows, so a million-row view scrolls as
fast as a hundred-row one (the Line API, as toolong does for huge logs).

Finished lines (painted, then styled by Textual) are kept by what they show:
holding ``j`` scrolls the list one line per key, and all but one of the lines
it then shows were finished a key ago. Once the keys rest, the screens page
down and page up would show are finished too, so a page key finds its lines
ready.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from cm_inbox.model import OPEN_STATUSES, DeliveryState, EscalationState, QueueRow, Status, View
from cm_inbox.networks import at_handle, rules_for
from cm_inbox.store import Store
from cm_inbox.targets import Cutoffs, Targets, TargetState
from cm_inbox.text import one_line
from cm_inbox.timefmt import age
from cm_inbox.tui.bindings import QUEUE_BINDINGS
from cm_inbox.webhooks.wording import needs_user

if TYPE_CHECKING:
    from cm_inbox.model.escalations import Escalation


PAGE = 64
CACHE_ROWS = 2048
# After a move that scrolls, the rows around the new screen are read this much later.
READ_AROUND_AFTER_S = 0.03
# After the last move, the screens page down and page up would show are painted
# this much later: a held key (25 presses a second) never waits behind it.
PAINT_AHEAD_AFTER_S = 0.1
# Painted lines kept: a few screens' worth, so scrolling back and forth repaints nothing.
CACHE_STRIPS = 512

STATUS_MARK = {
    Status.NEW: "●",
    Status.SNOOZED: "◷",
    Status.ESCALATED: "▲",
    Status.REPLIED: "↩",
    Status.DONE: "✓",
    Status.SPAM: "⊘",
}
# Each network's own brand colour, so the eye finds "the Reddit ones" at a glance.
NETWORK_COLOURS = {
    "mastodon": Style(color="#8c8dff", bold=True),
    "bluesky": Style(color="#3d9bff", bold=True),
    "reddit": Style(color="#ff6a2b", bold=True),
    "youtube": Style(color="#ff4040", bold=True),
    "discourse": Style(color="#e6b422", bold=True),
    "github": Style(color="#a0a8b4", bold=True),
}
REPLY_MARK = {"draft": "✎", "queued": "⇢", "sending": "⇢", "failed": "✗", "sent": "✓"}
# Against the response target of the comment's priority tier: past 75 %, past 100 %.
TARGET_MARK = {
    TargetState.AT_RISK: ("◔", "queue--at-risk"),
    TargetState.BREACHED: ("!", "queue--breached"),
}
# Target states are worked out for a moment rounded to this many seconds: a
# marker may turn a few seconds late, and the calendar is walked twice a minute
# at most, never on every key.
TARGET_TICK_S = 30


# Never a real (cursor, key): the next announcement goes out whatever it says.
_ANNOUNCE_AGAIN = (-1, -1)


class QueueList(ScrollView, can_focus=True):
    """A virtual list of the current view's rows."""

    BINDINGS = QUEUE_BINDINGS

    COMPONENT_CLASSES = {
        "queue--cursor",
        "queue--selected",
        "queue--badge",
        "queue--account",
        "queue--author",
        "queue--age",
        "queue--label",
        "queue--new",
        "queue--escalated",
        "queue--muted",
        "queue--failed",
        "queue--at-risk",
        "queue--breached",
    }

    DEFAULT_CSS = """
    QueueList {
        overflow-x: hidden;
        /* No scrollbar: at a million rows its thumb is one cell for 30,000 of
           them, yet it repainted on every key; the status bar says "12 of
           857,123" instead. The wheel still scrolls. */
        scrollbar-size-vertical: 0;
    }
    QueueList > .queue--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    QueueList:blur > .queue--cursor { background: $block-cursor-blurred-background; }
    QueueList > .queue--selected { background: $accent 30%; }
    QueueList > .queue--badge { color: $secondary; text-style: bold; }
    QueueList > .queue--account { color: $text-muted; }
    QueueList > .queue--author { color: $primary; text-style: bold; }
    QueueList > .queue--age { color: $text-muted; }
    QueueList > .queue--label { color: $warning; }
    QueueList > .queue--new { color: $accent; }
    QueueList > .queue--escalated { color: $error; }
    QueueList > .queue--muted { color: $text-muted; }
    QueueList > .queue--failed { color: $error; text-style: bold; }
    QueueList > .queue--at-risk { color: $warning; text-style: bold; }
    QueueList > .queue--breached { color: $error; text-style: bold; }
    """

    cursor: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        """The row under the cursor changed (None when the view is empty)."""

        def __init__(self, row: QueueRow | None) -> None:
            self.row = row
            super().__init__()

    def __init__(
        self,
        store: Store,
        clock: Callable[[], float],
        targets: Targets | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.store = store
        self.clock = clock
        # None: no markers (a queue shown without response targets).
        self.targets = targets
        self._cutoffs: tuple[int, Cutoffs] | None = None
        self.view = View.INBOX
        self.keys: array = array("q")
        self.total = 0
        self.selected: set[int] = set()
        self._rows: OrderedDict[int, QueueRow] = OrderedDict()
        self._finished: LRUCache[tuple, Strip] = LRUCache(CACHE_STRIPS)
        self._finished_for: tuple | None = None
        self._frame: tuple[Style, int] | None = None
        self._frame_shown: dict[int, tuple] = {}
        self._styles: dict[tuple[str, Style], Style] = {}
        self._last_highlighted: tuple[int, int] | None = _ANNOUNCE_AGAIN
        self._read_timer: Timer | None = None
        self._paint_timer: Timer | None = None
        # The scroll offset lines are painted for: the screen's, or one painted ahead.
        self._paint_top: int | None = None
        # Where G left the cursor while only the head of the view was loaded: the
        # end it asked for, once the rest arrives (unless the cursor moved since).
        self._end_pending: int | None = None

    # -- data ---------------------------------------------------------------

    def set_keys(
        self, view: View, keys: array, *, keep: int | None = None, total: int | None = None
    ) -> None:
        """Show a new key array; the cursor stays on ``keep`` when it is still there.

        ``total`` is given when ``keys`` is only the head of the view (painted at
        once while the full array loads): the scrollbar already has its true size.
        """
        # The rest of the list whose head is shown: G pressed meanwhile goes on to the end.
        to_end = (
            self._end_pending == self.cursor
            and total is None
            and len(keys) > len(self.keys)
            and keys[: len(self.keys)] == self.keys
        )
        self._end_pending = None
        self.view = view
        self.keys = keys
        self.total = max(total or 0, len(keys))
        self._rows.clear()
        self._forget_painted()
        self.selected &= set(self._key_lookup(self.selected))
        self.virtual_size = Size(self.size.width, self.total)
        if to_end:
            target: int | None = len(keys) - 1
        else:
            target = self.index_of(keep) if keep is not None else None
        self.cursor = target if target is not None else min(self.cursor, max(0, len(keys) - 1))
        self.refresh()
        self._read_around_soon()
        self._announce_current()

    def _key_lookup(self, wanted: Iterable[int]) -> Iterable[int]:
        wanted = set(wanted)
        if not wanted:
            return ()
        return (key for key in self.keys if key in wanted)

    def index_of(self, key: int) -> int | None:
        """Position of ``key`` in the view (a scan of the int array: fast even at 1M)."""
        try:
            return self.keys.index(key)
        except ValueError:
            return None

    def row_at(self, index: int) -> QueueRow | None:
        """The row at ``index``, fetching its page from the store when not cached."""
        if not 0 <= index < len(self.keys):
            return None
        key = self.keys[index]
        row = self._rows.get(key)
        if row is None:
            start = (index // PAGE) * PAGE
            page_keys = [k for k in self.keys[start : start + PAGE] if k not in self._rows]
            for fetched in self.store.queue_rows(self.view, page_keys):
                self._rows[fetched.key] = fetched
            while len(self._rows) > CACHE_ROWS:
                self._rows.popitem(last=False)
            row = self._rows.get(key)
        else:
            self._rows.move_to_end(key)
        return row

    @property
    def current(self) -> QueueRow | None:
        return self.row_at(self.cursor)

    def forget(self, keys: Iterable[int]) -> None:
        """Drop cached rows so their next paint reads the store again."""
        for key in keys:
            self._rows.pop(key, None)
        self._forget_painted()
        self._last_highlighted = _ANNOUNCE_AGAIN
        self.refresh()

    def repaint(self) -> None:
        """Paint every line afresh (ages moved on, a row changed in place)."""
        self._forget_painted()
        self.refresh()

    def _forget_painted(self) -> None:
        self._finished.clear()

    def notify_style_update(self) -> None:
        # A new theme or focus changes every colour: cached lines are stale.
        self._forget_painted()
        self._styles.clear()
        super().notify_style_update()

    def remove_keys(self, keys: Iterable[int]) -> None:
        """Take rows out of the view in place; the cursor lands on what followed them."""
        doomed = set(keys)
        if not doomed:
            return
        if len(doomed) <= PAGE:
            # A few rows (the usual single action): delete in place, no rebuild.
            positions = sorted(
                (i for i in map(self.index_of, doomed) if i is not None), reverse=True
            )
            before_cursor = sum(1 for i in positions if i < self.cursor)
            for position in positions:
                del self.keys[position]
        else:
            before_cursor = sum(1 for key in self.keys[: self.cursor] if key in doomed)
            self.keys = array(self.keys.typecode, (key for key in self.keys if key not in doomed))
        for key in doomed:
            self._rows.pop(key, None)
        self._forget_painted()
        self.selected -= doomed
        self.total = len(self.keys)
        self.virtual_size = Size(self.size.width, self.total)
        self._last_highlighted = _ANNOUNCE_AGAIN
        self.cursor = max(0, min(self.cursor - before_cursor, len(self.keys) - 1))
        self.refresh()
        self._announce_current()

    # -- cursor ---------------------------------------------------------------

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        # The scrollbar is no cells wide (see DEFAULT_CSS), yet Textual moved its
        # thumb on every scroll, and refreshing a widget it cannot see made it
        # rebuild its map of every widget on the screen before the next frame.
        if self.show_vertical_scrollbar and self.styles.scrollbar_size_vertical:
            self.vertical_scrollbar.position = new_value
        if round(old_value) != round(new_value):
            self.refresh(self.size.region)

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.keys) - 1)) if self.keys else 0

    def watch_cursor(self, old: int, new: int) -> None:
        top = int(self.scroll_y)
        self._scroll_cursor_into_view()
        if int(self.scroll_y) == top:
            # Only two lines changed: repaint those, not the whole list (a key
            # press then costs two rendered lines instead of a screenful).
            self.refresh_line(old)
            self.refresh_line(new)
        else:
            self.refresh()
            self._read_around_soon()
        self._paint_ahead_soon()
        self._announce_current()

    def _read_around_soon(self) -> None:
        """Read the screens on either side a moment after this one is shown, so
        the next page down or up paints from the cache (a page of rows costs
        about 5 ms, paid while the user reads rather than in the key).

        A moment, not "after refresh": Textual writes the frame from another
        thread, and work queued right behind it held the interpreter and delayed
        the frame by as much (measured: page down 15 -> 20 ms)."""
        if self._read_timer is not None:
            self._read_timer.stop()
        self._read_timer = self.set_timer(READ_AROUND_AFTER_S, self._read_around)

    @property
    def reading_ahead(self) -> bool:
        """True until the rows around the screen have been read after a move."""
        return self._read_timer is not None

    def _read_around(self) -> None:
        """The rows of the screens just above and below this one, into the cache."""
        self._read_timer = None
        height = max(1, self.scrollable_content_region.height)
        top = int(self.scroll_y)
        first = max(0, top - height)
        last = min(len(self.keys), top + 2 * height) - 1
        # One index per page is enough: row_at reads a missing page whole.
        for start in range((first // PAGE) * PAGE, last + 1, PAGE):
            self.row_at(max(first, start))

    def _paint_ahead_soon(self) -> None:
        """Paint the screens page down and page up would show, once the keys rest.

        A page shows about thirty lines never painted, and painting and styling
        them is most of a page key's frame (5-6 ms of its 15 at a million rows):
        done while the user reads, the key's frame takes them from the kept lines."""
        if self._paint_timer is not None:
            self._paint_timer.stop()
        self._paint_timer = self.set_timer(PAINT_AHEAD_AFTER_S, self._paint_ahead)

    @property
    def painting_ahead(self) -> bool:
        """True until the screens of the next page keys have been painted after a move."""
        return self._paint_timer is not None

    def _paint_ahead(self) -> None:
        self._paint_timer = None
        if not self.keys or self._gutter_taken:
            return
        for cursor in {self.cursor + self._page_step, self.cursor - self._page_step}:
            cursor = self.validate_cursor(cursor)
            self._finish(self._top_showing(cursor), self._content_lines, cursor)
        # Textual kept the lines painted ahead as the ones on screen: forget them there.
        self._styles_cache.set_dirty(self.outer_size.region)

    def _announce_current(self) -> None:
        """Tell the screen when the highlighted comment changed, or none is left.

        Called after the keys change too: the cursor index can stay the same
        (0 when the view empties) while the row under it is another, or gone.
        """
        row = self.current
        marker = (self.cursor, row.key) if row else None
        if marker != self._last_highlighted:
            self._last_highlighted = marker
            self.post_message(self.Highlighted(row))

    def _top_showing(self, cursor: int) -> int:
        """The first line shown once the cursor is at ``cursor``: the list scrolls
        only as far as it must to show it."""
        height = max(1, self.scrollable_content_region.height)
        top = int(self.scroll_y)
        if cursor < top:
            return cursor
        if cursor >= top + height:
            return cursor - height + 1
        return top

    def _scroll_cursor_into_view(self) -> None:
        top = self._top_showing(self.cursor)
        if top != int(self.scroll_y):
            self.scroll_to(y=top, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_top(self) -> None:
        self.cursor = 0

    def action_cursor_bottom(self) -> None:
        self.cursor = len(self.keys) - 1
        if len(self.keys) < self.total:
            # Only the head is loaded (a million ids take a second or two): as far
            # as is known now, and the rest of the way when the view has loaded.
            self._end_pending = self.cursor

    @property
    def _page_step(self) -> int:
        """How far page down and page up move the cursor: a screen, less the line kept."""
        return max(1, self.scrollable_content_region.height - 1)

    def action_page_down(self) -> None:
        self.cursor += self._page_step

    def action_page_up(self) -> None:
        self.cursor -= self._page_step

    def on_click(self, event: Click) -> None:
        index = int(self.scroll_y) + event.y
        if 0 <= index < len(self.keys):
            self.cursor = index

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.total)

    # -- painting -------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        """The widget's lines, as finished strips kept by what they show.

        Textual styles every line it paints (background, filters) afresh after a
        scroll, though a one-line scroll shows all but one line as before: the
        finished strips are kept by what each line shows, and only the lines
        never painted go through the styles.
        """
        if self._gutter_taken:
            return super().render_lines(crop)
        lines = self._finish(int(self.scroll_y), crop.line_range, self.cursor)
        if crop.column_span != (0, self.outer_size.width):
            x1, x2 = crop.column_span
            lines = [line.crop(x1, x2) for line in lines]
        return lines

    @property
    def _gutter_taken(self) -> bool:
        """A scrollbar takes a gutter (none is shown, but a style may add one):
        Textual paints the lines then, none kept."""
        return self.scrollable_content_region.width != self.content_region.width

    @property
    def _content_lines(self) -> range:
        """The widget's lines that show rows (not its border or padding)."""
        gutter = self.styles.gutter
        return range(gutter.top, self.outer_size.height - gutter.bottom)

    def _finish(self, scroll_y: int, line_range: range, cursor: int) -> list[Strip]:
        """The finished lines ``line_range`` with the list scrolled to ``scroll_y``
        and the cursor at ``cursor``: kept ones, the others painted and kept."""
        plain, width = self.rich_style, self.scrollable_content_region.width
        outer, gutter = self.outer_size, self.styles.gutter
        frame = (plain, outer, gutter, tuple(map(id, self.app.get_line_filters())))
        if frame != self._finished_for:
            self._finished.clear()
            self._finished_for = frame
        top = scroll_y - gutter.top
        content = self._content_lines
        shown = [
            self._shown(top + y, plain, width, cursor) if y in content else ("border", y)
            for y in line_range
        ]
        lines = [self._finished.get(key) for key in shown]
        missing = [i for i, line in enumerate(lines) if line is None]
        if not missing:
            return lines  # type: ignore[return-value]
        # What each content line shows, worked out once: render_line reads it.
        self._frame_shown = {
            y - gutter.top: key for y, key in zip(line_range, shown, strict=True) if y in content
        }
        self._frame = (plain, width)
        self._paint_top = scroll_y
        try:
            # Textual keeps styled lines by position: a line that shows
            # something new must be styled afresh, not taken from there.
            self._styles_cache.set_dirty(
                *(Region(0, line_range[i], outer.width, 1) for i in missing)
            )
            first, last = missing[0], missing[-1]
            painted = super().render_lines(
                Region(0, line_range[first], outer.width, last - first + 1)
            )
        finally:
            self._frame, self._frame_shown, self._paint_top = None, {}, None
        for i, strip in enumerate(painted, first):
            if lines[i] is None:
                lines[i] = self._finished[shown[i]] = strip
        return lines  # type: ignore[return-value]

    def _shown(self, index: int, plain: Style, width: int, cursor: int) -> tuple:
        """Everything line ``index`` shows: the key its painted strips are kept by."""
        if index >= len(self.keys):
            return ("loading" if index < self.total else "blank",)
        row = self.row_at(index)
        if row is None:
            return ("blank",)
        now = self.clock()
        # Its row (the caches are cleared when rows change), its highlight,
        # focus, the width, its target state and the ages it displays.
        return (
            row.key, index == cursor, row.key in self.selected, self.has_focus, width,
            self.target_state(row, now), age(now - row.comment.created_at),
            age(row.escalation.waited(now)) if row.escalation else "",
        )  # fmt: skip

    def render_line(self, y: int) -> Strip:
        index = (int(self.scroll_y) if self._paint_top is None else self._paint_top) + y
        plain, width = self._frame or (self.rich_style, self.scrollable_content_region.width)
        shown = self._frame_shown.get(y) or self._shown(index, plain, width, self.cursor)
        if shown[0] == "loading":  # the rest of the view is still loading
            return Strip([Segment("  …", self._style("queue--muted", plain))]).adjust_cell_length(
                width, plain
            )
        if shown[0] == "blank":
            return Strip.blank(width, plain)
        row = self.row_at(index)
        assert row is not None
        _, is_cursor, selected = shown[:3]
        base = plain
        if is_cursor:
            base = base + self.get_component_rich_style("queue--cursor")
        elif selected:
            base = base + self.get_component_rich_style("queue--selected")
        segments = self._segments(row, width, selected, base, *shown[-3:])
        return Strip(segments).adjust_cell_length(width, base).simplify()

    def target_state(self, row: QueueRow, now: float) -> TargetState | None:
        """The row's comment against its response target; None once answered or without one."""
        comment = row.comment
        if (
            self.targets is None
            or row.reply is not None
            or comment.is_ours
            or comment.status not in OPEN_STATUSES
        ):
            return None
        moment = int(now) - int(now) % TARGET_TICK_S
        if self._cutoffs is None or self._cutoffs[0] != moment:
            self._cutoffs = (moment, self.targets.cutoffs(moment))
        return self._cutoffs[1].state(comment.created_at, comment.priority)

    def _style(self, name: str, base: Style) -> Style:
        # Component styles walk the CSS of every ancestor: remember each one
        # (and its sum with a line's base) until the styles change.
        key = (name, base)
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = base + self.get_component_rich_style(name, partial=True)
        return style

    def _segments(
        self,
        row: QueueRow,
        width: int,
        selected: bool,
        base: Style,
        target: TargetState | None,
        shown_age: str,
        waited: str,
    ) -> list[Segment]:
        comment = row.comment
        parts: list[Segment] = [Segment("▌" if selected else " ", self._style("queue--new", base))]
        if row.reply is not None:
            state = row.reply.state.value
            mark_style = "queue--failed" if state == "failed" else "queue--muted"
            parts.append(Segment(REPLY_MARK.get(state, "?"), self._style(mark_style, base)))
        else:
            mark_style = {
                Status.NEW: "queue--new",
                Status.ESCALATED: "queue--escalated",
            }.get(comment.status, "queue--muted")
            parts.append(Segment(STATUS_MARK[comment.status], self._style(mark_style, base)))
        mark, mark_class = TARGET_MARK.get(target, (" ", "queue--muted"))  # type: ignore[arg-type]
        parts.append(Segment(mark, self._style(mark_class, base)))
        badge = rules_for(comment.network).badge
        badge_style = self._style("queue--badge", base)
        if comment.network in NETWORK_COLOURS:
            badge_style = badge_style + NETWORK_COLOURS[comment.network]
        parts.append(Segment(f" {badge:<3} ", badge_style))
        account_width = 12 if width >= 100 else 0
        if account_width:
            parts.append(
                Segment(
                    _fit(comment.account, account_width) + " ", self._style("queue--account", base)
                )
            )
        author_width = 18 if width >= 90 else 14
        parts.append(
            Segment(
                _fit(at_handle(comment.author.handle), author_width) + " ",
                self._style("queue--author", base),
            )
        )
        parts.append(Segment(f"{shown_age:>4} ", self._style("queue--age", base)))
        if comment.labels:
            labels = " ".join(f"#{label}" for label in comment.labels[:3])
            parts.append(Segment(labels + " ", self._style("queue--label", base)))
        if row.reply is not None:
            state = row.reply.state.value
            if row.reply.error:
                parts.append(
                    Segment(
                        f"[{state}: {one_line(row.reply.error, 60)}] ",
                        self._style("queue--failed", base),
                    )
                )
            else:
                parts.append(Segment(f"[{state}] ", self._style("queue--muted", base)))
            text = "→ " + one_line(row.reply.text)
        else:
            text = one_line(comment.text)
        if row.escalation is not None:
            parts.extend(self._escalation_segments(row.escalation, base, waited))
        elif self.view is View.ESCALATED and comment.status is Status.ESCALATED:
            # Escalated by an import, with no team: e hands it to one.
            parts.append(Segment(_fit("(no team)", 10) + " ", self._style("queue--muted", base)))
        used = sum(cell_len(segment.text) for segment in parts)
        if width - used > 0:
            parts.append(Segment(_fit(text, width - used), base))
        return parts

    def _escalation_segments(self, escalation: Escalation, base: Style, waited: str) -> list:
        """Team, state and how long it has waited ("support open 3h"), and a chat
        message that needs the user ("✗chat")."""
        state = escalation.state
        style = {
            EscalationState.OPEN: "queue--escalated",
            EscalationState.ANSWERED: "queue--new",
        }.get(state, "queue--muted")
        parts = [
            Segment(_fit(escalation.team, 10) + " ", self._style("queue--author", base)),
            Segment(f"{state.value} ", self._style(style, base)),
            Segment(f"{waited:>3} ", self._style("queue--age", base)),
        ]
        delivery = escalation.latest_delivery
        if needs_user(delivery):
            parts.append(Segment("✗chat ", self._style("queue--failed", base)))
        elif delivery is not None and delivery.state is DeliveryState.PENDING:
            parts.append(Segment("⇢chat ", self._style("queue--muted", base)))
        return parts


def _fit(text: str, width: int) -> str:
    """``text`` cut or padded to exactly ``width`` cells, with an ellipsis when cut."""
    if width <= 0:
        return ""
    if text.isascii() and text.isprintable():
        # One cell a character: most lines, without measuring each character.
        return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"
