"""Labels form: type labels to add, prefix one with - to remove it."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static


@dataclass(frozen=True, slots=True)
class LabelChange:
    add: tuple[str, ...]
    remove: tuple[str, ...]


def parse_label_change(text: str) -> LabelChange:
    """``"billing, vip -spam"`` adds billing and vip and removes spam."""
    add: list[str] = []
    remove: list[str] = []
    for word in text.replace(",", " ").split():
        label = word.lstrip("-#").strip()
        if not label:
            continue
        (remove if word.startswith("-") else add).append(label.lower())
    return LabelChange(tuple(add), tuple(remove))


class LabelsScreen(ModalScreen[LabelChange | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, current: list[str], known: list[str], count: int) -> None:
        super().__init__()
        self.current = current
        self.known = known
        self.count = count

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="labels-dialog"):
            title = "Labels" if self.count == 1 else f"Labels for {self.count:,} comments"
            yield Label(title, classes="dialog-title")
            now = Text("Now: ", style="bold")
            now.append(" ".join("#" + label for label in self.current) or "none")
            yield Static(now)
            if self.known:
                yield Static(Text("Known: " + " ".join(self.known[:30]), style="dim"))
            suggestions = self.known + ["-" + label for label in self.current]
            yield Input(
                placeholder="billing vip   (-vip removes)",
                suggester=SuggestFromList(suggestions, case_sensitive=False),
                id="labels-input",
            )
            yield Label("enter apply · esc cancel", classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        change = parse_label_change(event.value)
        self.dismiss(change if (change.add or change.remove) else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
