"""The template picker: type a few letters, arrows to choose, enter to insert.

A blank query lists the templates suited to the comment first (for an
escalated one, the admit-the-mistake steps in order). Titles and previews
come from template files: shown as plain text.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from cm_inbox.model import Comment
from cm_inbox.template_search import TemplateMatch, search_templates
from cm_inbox.templates import TemplateLibrary
from cm_inbox.text import one_line

# A preview line is cut to this many characters.
PREVIEW = 60
SHOWN = 30


class TemplatePicker(ModalScreen[TemplateMatch | None]):
    """Returns the chosen template (in the language to insert it in), or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
    ]

    def __init__(
        self,
        library: TemplateLibrary,
        comment: Comment,
        *,
        escalated: bool | None = None,
        default_language: str = "en",
    ) -> None:
        super().__init__()
        self.library = library
        self.comment = comment
        self.escalated = escalated
        self.default_language = default_language
        self.matches: list[TemplateMatch] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="template-dialog"):
            yield Label("Insert a template", classes="dialog-title")
            yield Input(
                placeholder="outage, refund, sorry…  (blank: suggestions)", id="template-query"
            )
            yield OptionList(id="template-list")
            problems = "; ".join(self.library.problems)
            if problems:
                yield Label(
                    Text("Template files: " + problems, style="italic"), classes="dialog-help"
                )
            yield Label(
                "↑↓ choose · enter insert (another variant than last time) · esc cancel",
                classes="dialog-help",
            )

    def on_mount(self) -> None:
        self._search("")
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._search(event.value)

    def _search(self, query: str) -> None:
        self.matches = search_templates(
            self.library,
            query,
            comment=self.comment,
            escalated=self.escalated,
            default_language=self.default_language,
            limit=SHOWN,
        )
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(_option(match) for match in self.matches)
        if self.matches:
            options.highlighted = 0

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if not self.matches:
            return
        current = options.highlighted or 0
        options.highlighted = max(0, min(len(self.matches) - 1, current + step))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose(self.query_one(OptionList).highlighted)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option_index)

    def _choose(self, index: int | None) -> None:
        if index is None or not 0 <= index < len(self.matches):
            self.app.bell()
            return
        self.dismiss(self.matches[index])

    def action_cancel(self) -> None:
        self.dismiss(None)


def _option(match: TemplateMatch) -> Option:
    text = Text()
    if match.suited:
        text.append("★ ", style="bold")
    text.append(match.title, style="bold")
    text.append(f"  {match.language}", style="dim")
    text.append("\n  ")
    preview = one_line(match.preview, PREVIEW + 1)
    if len(preview) > PREVIEW:
        preview = preview[: PREVIEW - 1].rstrip() + "…"
    text.append(preview, style="dim")
    return Option(text)
