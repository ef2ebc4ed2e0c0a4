"""The command palette: every action of the inbox by name (ctrl+p)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from cm_inbox.model import Sort, View
from cm_inbox.tui.bindings import LONG_HELP, QUEUE_BINDINGS, SCREEN_BINDINGS


class InboxCommands(Provider):
    """Offers each key binding's action, each view and each sort."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        from cm_inbox.tui.screens.inbox import InboxScreen

        screen = self.screen
        if not isinstance(screen, InboxScreen):
            return []
        commands: list[tuple[str, str, Callable[[], object]]] = []
        for binding in SCREEN_BINDINGS:
            if binding.action.startswith("view(") or binding.id in ("quit", "clear"):
                continue
            help_text = LONG_HELP.get(binding.id or "", binding.description)
            commands.append(
                (binding.description, help_text, partial(screen.run_action, binding.action))
            )
        for binding in QUEUE_BINDINGS:
            commands.append(
                (
                    binding.description,
                    "Move in the queue",
                    partial(screen.queue.run_action, binding.action),
                )
            )
        for number, view in enumerate(View, start=1):
            commands.append(
                (
                    f"View: {view.title}",
                    f"Switch to the {view.title} view (key {number})",
                    partial(screen.action_view, view.value),
                )
            )
        for sort in Sort:
            commands.append(
                (f"Sort: {sort.value}", "Order the queue", partial(screen.set_sort, sort))
            )
        commands.append(("Clear search and filters", LONG_HELP["clear"], screen.action_clear))
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
