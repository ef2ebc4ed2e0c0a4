"""The header: one tab per view with its count, clickable, keyed 1…8."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.events import Click
from textual.message import Message
from textual.widgets import Static

from cm_inbox.model import View

# Views whose count asks for attention whenever it is not zero.
_LOUD = (View.INBOX, View.UNANSWERED)
# How the tabs are written, from the roomiest to the tightest: (title, padding,
# separator). The last fits eight tabs with three-digit counts in 80 columns.
_LEVELS: tuple[tuple[Callable[[View], str], str, str], ...] = (
    (lambda view: view.title, " ", " "),
    (lambda view: "Unanswered" if view is View.UNANSWERED else view.title, " ", " "),
    (lambda view: view.short_title, " ", " "),
    (lambda view: view.short_title, "", "│"),
)


class ViewTabs(Static):
    """Shows every view with how many items it holds; the current one stands out."""

    DEFAULT_CSS = """
    ViewTabs { height: 1; background: $panel; padding: 0 1; }
    """

    class Chosen(Message):
        def __init__(self, view: View) -> None:
            self.view = view
            super().__init__()

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.current = View.INBOX
        self.counts: dict[View, int] = {}
        self._spans: list[tuple[int, int, View]] = []
        self._level = -1

    def show(self, current: View, counts: dict[View, int]) -> None:
        self.current = current
        self.counts = counts
        text = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        labels = self._labels(counts)
        self._level = self._level_for(labels)
        title_of, pad, separator = _LEVELS[self._level]
        for view, label in labels:
            start = len(text)
            shown = pad + label.format(title_of(view)) + pad
            if view is current:
                text.append(shown, style="bold reverse")
            else:
                style = "bold" if view in _LOUD and counts.get(view, 0) else ""
                text.append(shown, style=style)
            self._spans.append((start, len(text), view))
            text.append(separator, style="dim" if separator != " " else "")
        self.update(text)

    @staticmethod
    def _labels(counts: dict[View, int]) -> list[tuple[View, str]]:
        return [
            (view, f"{number} {{}} {counts.get(view, 0):,}")
            for number, view in enumerate(View, start=1)
        ]

    def _level_for(self, labels: list[tuple[View, str]]) -> int:
        """Full titles when they fit; else shorter ones, then without the padding
        around each tab, so no count is cut off at 80 columns."""
        # Before its first layout the header has no width yet: it spans the
        # terminal, and guessing that width spares the first frame tabs cut off
        # (then redrawn shorter a moment later).
        width = self.size.width or self.app.size.width
        room = width - 2  # the padding
        for level, (title_of, pad, separator) in enumerate(_LEVELS):
            needed = sum(
                len(label.format(title_of(view))) + 2 * len(pad) + len(separator)
                for view, label in labels
            )
            if needed <= room:
                return level
        return len(_LEVELS) - 1

    def on_resize(self) -> None:
        # Redrawn only when the width calls for other titles: a new text makes
        # the whole screen lay out again.
        if self.counts and self._level_for(self._labels(self.counts)) != self._level:
            self.show(self.current, self.counts)

    def on_click(self, event: Click) -> None:
        x = event.x - 1  # left padding
        for start, end, view in self._spans:
            if start <= x < end:
                self.post_message(self.Chosen(view))
                return
