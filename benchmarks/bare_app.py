"""The first-screen floor: a bare Textual app that paints one line, then waits for ctrl+q."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

LINE = "cm-inbox benchmark floor: one line"


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(LINE)


if __name__ == "__main__":
    BareApp().run()
