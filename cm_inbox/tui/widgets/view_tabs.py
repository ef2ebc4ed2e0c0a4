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
        compact = self.size.width and self.size.width < 100
        for number, view in enumerate(View, start=1):
            start = len(text)
            count = counts.get(view, 0)
            label = f"{number} {view.title if not compact else view.title[:4]} {count:,}"
            if view is current:
                text.append(f" {label} ", style="bold reverse")
            else:
                style = "bold" if view is View.INBOX and count else ""
                text.append(f" {label} ", style=style)
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
