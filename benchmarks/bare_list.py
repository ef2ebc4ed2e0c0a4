"""The key floor: the least a Textual app can do to scroll a list by one line.

A Line-API list of a million lines, as wide as the benchmark's queue, each line
one ready-made strip; ``j`` moves a cursor and scrolls it into view, and
nothing else happens. What a key costs in cm-inbox beyond this is the app's.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

LINES = 1_000_000
READY = "bare list ready"


class BareList(ScrollView, can_focus=True):
    DEFAULT_CSS = "BareList { width: 55%; scrollbar-size-vertical: 0; overflow-x: hidden; }"
    BINDINGS = [Binding("j", "down")]
    cursor: reactive[int] = reactive(0)

    def on_mount(self) -> None:
        self.virtual_size = Size(self.size.width, LINES)
        self.plain = Style(color="#c0c0c0", bgcolor="#101010")
        self.lit = Style(color="#000000", bgcolor="#8fbcff", bold=True)

    def action_down(self) -> None:
        self.cursor += 1
        height = self.scrollable_content_region.height
        if self.cursor >= self.scroll_y + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        text = (
            READY
            if index == 0
            else f" ● MAS  brand   @someone{index % 97:<10}  3h  comment {index}"
        )
        style = self.lit if index == self.cursor else self.plain
        return Strip([Segment(text, style)]).adjust_cell_length(self.size.width, style)


class BareListApp(App[None]):
    def compose(self) -> ComposeResult:
        yield BareList()


if __name__ == "__main__":
    BareListApp().run()
