"""Escalation form: which team, how severe, and a note for them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select

from cm_inbox.model import SEVERITIES


@dataclass(frozen=True, slots=True)
class EscalationRequest:
    team: str
    severity: str
    note: str


class EscalateScreen(ModalScreen[EscalationRequest | None]):
    """Enter in the note (or ctrl+s) sends; escape cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("ctrl+s", "submit", "Escalate", show=False, priority=True),
    ]

    def __init__(self, teams: list[str], count: int, notified: Collection[str] = ()) -> None:
        super().__init__()
        self.teams = teams or ["support"]
        self.count = count
        # Teams with a webhook: the form says their chat will hear of it.
        self.notified = set(notified)

    def compose(self) -> ComposeResult:
        noun = "comment" if self.count == 1 else f"{self.count:,} comments"
        with Vertical(classes="dialog", id="escalate-dialog"):
            yield Label(
                f"Escalate {'this ' if self.count == 1 else ''}{noun}", classes="dialog-title"
            )
            yield Label("Team")
            yield Select(
                [
                    (f"{team}  (its chat is told)" if team in self.notified else team, team)
                    for team in self.teams
                ],
                value=self.teams[0],
                allow_blank=False,
                id="team",
            )
            yield Label("Severity")
            yield Select(
                [(s, s) for s in SEVERITIES], value="normal", allow_blank=False, id="severity"
            )
            yield Label("Note for the team")
            yield Input(placeholder="What happened, what they need to know", id="note")
            yield Label("enter escalate · esc cancel", classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        team = self.query_one("#team", Select).value
        severity = self.query_one("#severity", Select).value
        note = self.query_one("#note", Input).value.strip()
        self.dismiss(EscalationRequest(team=str(team), severity=str(severity), note=note))

    def action_cancel(self) -> None:
        self.dismiss(None)
