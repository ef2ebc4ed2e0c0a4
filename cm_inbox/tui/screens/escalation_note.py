"""A note on an escalation, or the team's answer: a few lines, often pasted from chat."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea


class EscalationNoteScreen(ModalScreen[str | None]):
    """ctrl+s saves, escape cancels; enter is a new line (answers run to paragraphs)."""

    DEFAULT_CSS = """
    EscalationNoteScreen #escalation-note { height: 8; }
    EscalationNoteScreen #escalation-note-problem { height: auto; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("ctrl+s", "submit", "Save", show=False, priority=True),
    ]

    def __init__(self, title: str, context: str, placeholder: str) -> None:
        super().__init__()
        self.title_text = title
        self.context = context
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="escalation-note-dialog"):
            yield Label(Text(self.title_text), classes="dialog-title")
            # The context quotes a note or a team name: plain text, never markup.
            yield Static(Text(self.context, style="dim"), id="escalation-note-context")
            yield TextArea(id="escalation-note", soft_wrap=True, placeholder=self.placeholder)
            yield Static("", id="escalation-note-problem")
            yield Label("ctrl+s save · esc cancel", classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one("#escalation-note", TextArea).focus()

    def action_submit(self) -> None:
        text = self.query_one("#escalation-note", TextArea).text.strip()
        if not text:
            self.query_one("#escalation-note-problem", Static).update(
                Text("Write something first (esc cancels).", style="bold red")
            )
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
