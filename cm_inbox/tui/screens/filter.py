"""Filter form: narrow the queue by network, account, language and label."""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select

from cm_inbox.model import QueueQuery
from cm_inbox.networks import rules_for
from cm_inbox.store import Store

FIELDS = ("network", "account", "language", "label")


class FilterScreen(ModalScreen[QueueQuery | None]):
    """ctrl+s (or the Apply button) applies; escape cancels; "any" means no filter.

    Enter belongs to the dropdowns (it opens and picks), so applying has its own key.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("ctrl+s", "apply", "Apply", show=False, priority=True),
    ]

    def __init__(self, store: Store, query: QueueQuery) -> None:
        super().__init__()
        self.store = store
        self.query_state = query

    def compose(self) -> ComposeResult:
        accounts = self.store.accounts()
        options = {
            "network": [(rules_for(n).label, n) for n in self.store.networks()],
            "account": [(f"{name} ({network})", name) for _, network, name in accounts],
            "language": [(code, code) for code in self.store.languages()],
            "label": [("#" + label, label) for label in self.store.all_labels()],
        }
        with Vertical(classes="dialog", id="filter-dialog"):
            yield Label("Filter the queue", classes="dialog-title")
            for name in FIELDS:
                current = getattr(self.query_state, name)
                values = {value for _, value in options[name]}
                yield Label(name.capitalize())
                yield Select(
                    options[name],
                    value=current if current in values else Select.NULL,
                    prompt="any",
                    id=f"filter-{name}",
                )
            yield Button("Apply (ctrl+s)", variant="primary", id="filter-apply")
            yield Label(
                "tab next · enter choose · ctrl+s apply · esc cancel", classes="dialog-help"
            )

    def on_mount(self) -> None:
        self.query_one("#filter-network", Select).focus()

    def action_apply(self) -> None:
        values = {}
        for name in FIELDS:
            value = self.query_one(f"#filter-{name}", Select).value
            values[name] = None if value is Select.NULL else str(value)
        self.dismiss(replace(self.query_state, **values))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_apply()

    def action_cancel(self) -> None:
        self.dismiss(None)
