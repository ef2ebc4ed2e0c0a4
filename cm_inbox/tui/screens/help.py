"""The help screen: every key, generated from the live bindings (keymap included)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from cm_inbox.tui.bindings import COMPOSER_BINDINGS, GROUP_OF, GROUPS, LONG_HELP, keys_of


class HelpScreen(ModalScreen[None]):
    """Lists the keys by group; any of escape, q or ? closes it."""

    CSS = """
    #help-box {
        width: 96;
        max-width: 95%;
        height: 90%;
        background: $surface;
        border: thick $accent;
        padding: 1 2;
    }
    """

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", show=False),
    ]

    def __init__(self, active_bindings) -> None:
        super().__init__()
        self.active = active_bindings

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(Text("cm-inbox keys", style="bold"), id="help-title")
            yield Static(self._table())

    def _table(self) -> Table:
        keys_by_id: dict[str, list[str]] = {}
        described: dict[str, str] = {}
        for key, active in self.active.items():
            binding = active.binding
            binding_id = binding.id or binding.action
            display = binding.key_display or self.app.get_key_display(Binding(key, ""))
            keys_by_id.setdefault(binding_id, [])
            if display not in keys_by_id[binding_id]:
                keys_by_id[binding_id].append(display)
            described[binding_id] = binding.description
        # The composer's keys work only while it is open; the help lists them anyway.
        keymap = getattr(self.app, "keymap", {})
        for binding in COMPOSER_BINDINGS:
            binding_id = binding.id or binding.action
            if binding_id not in keys_by_id:
                keys_by_id[binding_id] = [
                    self.app.get_key_display(Binding(key, "")) for key in keys_of(binding, keymap)
                ]
                described[binding_id] = binding.description
        table = Table.grid(padding=(0, 2))
        table.add_column(justify="right", style="bold")
        table.add_column()
        for group, title in GROUPS.items():
            ids = [
                binding_id for binding_id in keys_by_id if GROUP_OF.get(binding_id, "app") == group
            ]
            if not ids:
                continue
            table.add_row("", Text(title, style="bold underline"))
            for binding_id in ids:
                table.add_row(
                    Text(" ".join(keys_by_id[binding_id])),
                    Text(LONG_HELP.get(binding_id, described[binding_id])),
                )
        table.add_row("", "")
        table.add_row("ctrl+p", "Command palette: every action by name, views, sorts, themes")
        return table
