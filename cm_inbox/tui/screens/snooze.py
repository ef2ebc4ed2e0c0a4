"""Snooze menu: one key for each usual delay, or a date typed in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from cm_inbox.config import Config
from cm_inbox.snooze import SnoozeParseError, describe_until, parse_snooze, snooze_presets


class SnoozeScreen(ModalScreen[int | None]):
    """Returns the Unix time to snooze until, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, config: Config, clock: Callable[[], float]) -> None:
        super().__init__()
        self.config = config
        self.now = datetime.fromtimestamp(clock(), config.tz)
        self.presets = snooze_presets(self.now, config)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="snooze-dialog"):
            yield Label("Snooze until", classes="dialog-title")
            yield OptionList(
                *(
                    Option(
                        Text(f"{p.key}  {p.label}  ({describe_until(p.until, self.now)})"),
                        id=str(i),
                    )
                    for i, p in enumerate(self.presets)
                ),
                id="snooze-options",
            )
            yield Input(
                placeholder="or a date: 2026-12-01 14:00, +3h, monday, demain 9:00",
                id="snooze-date",
            )
            yield Static("", id="snooze-error")
            yield Label(
                "1-4 or enter pick · type a date and enter · esc cancel", classes="dialog-help"
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_key(self, event) -> None:
        if self.focused is self.query_one(Input):
            return
        for preset in self.presets:
            if event.key == preset.key:
                event.stop()
                self.dismiss(int(preset.until.timestamp()))
                return

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        preset = self.presets[int(event.option.id or 0)]
        self.dismiss(int(preset.until.timestamp()))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            until = parse_snooze(event.value, self.now, self.config)
        except SnoozeParseError as error:
            self.query_one("#snooze-error", Static).update(Text(str(error), style="red"))
            return
        self.dismiss(int(until.timestamp()))

    def action_cancel(self) -> None:
        self.dismiss(None)
