"""Labels form: type labels to add, prefix one with - to remove it."""

from __future__ import annotations

import re
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


# A quoted label (one with a space, such as keyword watches' "untagged mention"), or a word.
_TOKEN = re.compile(r'(-?)#?"([^"]*)"?|(\S+)')


def typed(label: str) -> str:
    """A label as it is typed in this form: in quotes when it holds a space."""
    return f'"{label}"' if any(ch.isspace() for ch in label) else label


def parse_label_change(text: str) -> LabelChange:
    """``"billing, vip -spam"`` adds billing and vip and removes spam;
    ``-"untagged mention"`` removes a label that has a space."""
    add: list[str] = []
    remove: list[str] = []
    for minus, quoted, word in _TOKEN.findall(text.replace(",", " ")):
        if word:
            removing, label = word.startswith("-"), word.lstrip("-#").strip()
        else:
            removing, label = bool(minus), " ".join(quoted.split())
        if label:
            (remove if removing else add).append(label.lower())
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
            now.append(" ".join("#" + typed(label) for label in self.current) or "none")
            yield Static(now)
            if self.known:
                known = " ".join(typed(label) for label in self.known[:30])
                yield Static(Text("Known: " + known, style="dim"))
            suggestions = [typed(label) for label in self.known]
            suggestions += ["-" + typed(label) for label in self.current]
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
