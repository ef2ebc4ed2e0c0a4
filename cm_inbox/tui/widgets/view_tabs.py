"""The header: one tab per view with its count, clickable, keyed 1…7."""

from __future__ import annotations

from rich.text import Text
from textual.events import Click
from textual.message import Message
from textual.widgets import Static

from cm_inbox.model import View


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

    def show(self, current: View, counts: dict[View, int]) -> None:
        self.current = current
        self.counts = counts
        text = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        labels = [
            (view, f"{number} {{}} {counts.get(view, 0):,}")
            for number, view in enumerate(View, start=1)
        ]
        # Full titles when they fit; else a short form, so no count is cut off.
        full_width = sum(len(label.format(view.title)) + 3 for view, label in labels)
        compact = bool(self.size.width) and full_width > self.size.width - 2
        for view, label in labels:
            start = len(text)
            shown = label.format(view.short_title if compact else view.title)
            if view is current:
                text.append(f" {shown} ", style="bold reverse")
            else:
                style = "bold" if view is View.INBOX and counts.get(view, 0) else ""
                text.append(f" {shown} ", style=style)
            self._spans.append((start, len(text), view))
            text.append(" ")
        self.update(text)

    def on_resize(self) -> None:
        if self.counts:
            self.show(self.current, self.counts)

    def on_click(self, event: Click) -> None:
        x = event.x - 1  # left padding
        for start, end, view in self._spans:
            if start <= x < end:
                self.post_message(self.Chosen(view))
                return
