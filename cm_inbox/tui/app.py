"""The Textual application and the one factory the CLI and the tests build it with."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.app import App
from textual.binding import Binding

from cm_inbox import startup
from cm_inbox.config import Config, load_config
from cm_inbox.paths import user_themes_dir
from cm_inbox.store import Store
from cm_inbox.targets import Targets
from cm_inbox.tui.bindings import (
    COMPOSER_BINDINGS,
    QUEUE_BINDINGS,
    SCREEN_BINDINGS,
    all_binding_ids,
    keys_of,
)
from cm_inbox.tui.commands import InboxCommands
from cm_inbox.tui.screens.inbox import THREAD_SETTLE_S, InboxScreen
from cm_inbox.tui.themes import bundled_themes_dir, load_themes

if TYPE_CHECKING:
    from cm_inbox.networks.base import Secrets
    from cm_inbox.store.results import ConnectedAccount
    from cm_inbox.sync import Syncer

FALLBACK_THEME = "cm-dark"


class CmInboxApp(App[int]):
    """The inbox. It owns the store and the config; screens do the rest."""

    CSS_PATH = "app.tcss"
    TITLE = "cm-inbox"
    COMMANDS = App.COMMANDS | {InboxCommands}

    def __init__(
        self,
        store: Store,
        config: Config,
        *,
        clock: Callable[[], float] = time.time,
        demo: bool = False,
        theme_folders: tuple[Path, ...] | None = None,
        syncer: Syncer | None = None,
        make_syncer: Callable[[], Syncer] | None = None,
        thread_settle_s: float | None = None,
        composer_check_delay_s: float | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        # New comments (a sync) are ranked against the targets the queue marks;
        # the brand book's language joins them after the first frame.
        store.use_targets(Targets(config.targets, config.tz))
        # Neither: no network access at all (tests of the queue alone, an
        # import-only inbox). ``make_syncer`` builds it on first use, after the
        # first frame: the sync and the networks' modules are a tenth of the
        # imports the queue would otherwise wait for.
        self._syncer = syncer
        self._make_syncer = make_syncer
        self.config = config
        self.clock = clock
        self.thread_settle_s = THREAD_SETTLE_S if thread_settle_s is None else thread_settle_s
        # How long the composer waits after a key before checking the draft (0: at
        # once; None: the composer's own pause).
        self.composer_check_delay_s = composer_check_delay_s
        # The user's [keys], as applied: hints on screen name the keys the user chose.
        self.keymap: dict[str, str] = {}
        self.demo = demo
        self.sub_title = f"demo · {store.path}" if demo else str(store.path)
        self._theme_folders = (
            theme_folders
            if theme_folders is not None
            else (bundled_themes_dir(), user_themes_dir())
        )
        self.startup_problems: list[str] = list(config.problems)
        self._install_themes()

    @property
    def syncer(self) -> Syncer | None:
        """What syncs the accounts and sends replies; None for an inbox without networks."""
        if self._syncer is None and self._make_syncer is not None:
            self._syncer = self._make_syncer()
            self._make_syncer = None
        return self._syncer

    def get_default_screen(self) -> InboxScreen:
        # The inbox is the bottom of the stack, not pushed over Textual's blank
        # default screen: that one was composed, styled and painted first, a
        # frame the user waited through for nothing.
        self.inbox = InboxScreen()
        return self.inbox

    async def on_event(self, event: events.Event) -> None:
        """Keys typed ahead follow the focus they were typed after.

        Textual hands each key to the focused widget as it arrives, and looks up
        the screen's bindings only when the key comes back up from there. So `r`
        and "de rien" arriving together (typed fast, pasted) were all handed to
        the queue before `r` opened the composer, and `d` then came back to the
        screen's bindings and marked the comment done. A key that comes back
        after the focus moved goes to the widget that has the focus now, as if
        typed after the move.
        """
        if isinstance(event, events.Key):
            if not event.is_forwarded:
                event._cm_typed_for = self.focused  # type: ignore[attr-defined]
            else:
                typed_for = getattr(event, "_cm_typed_for", None)
                focused = self.focused
                if typed_for is not None and focused is not None and focused is not typed_for:
                    again = events.Key(event.key, event.character)
                    again._cm_typed_for = focused  # type: ignore[attr-defined]
                    focused._forward_event(again)
                    return
        await super().on_event(event)

    def on_mount(self) -> None:
        self._install_keymap()
        for problem in self.startup_problems:
            self.notify(problem, title="Config", severity="warning", timeout=12)

    def on_ready(self) -> None:
        # Textual mounts the app inside one batch of updates, and a callback
        # scheduled "after refresh" during it ran at once, before the first
        # frame: the composer, the footer and a collection took about a tenth
        # of a second of the wait for the queue. Ready comes after the batch, so from here "after
        # refresh" means after the frame that shows the queue.
        self.call_after_refresh(self._after_first_frame)

    async def _after_first_frame(self) -> None:
        # Everything built so far (Textual, the widgets, the styles) lives as
        # long as the app: set it aside from the garbage collector, whose full
        # passes over it paused a key press for 50 ms now and then. The console
        # script held the collector off until here (cm_inbox.startup).
        startup.settled()
        self._read_composer_settings()
        self._install_other_themes()
        await self.inbox.after_first_frame()

    def _read_composer_settings(self) -> None:
        """The brand book and the draft checks, read once the queue is on screen
        (``make_app`` read the config without them). Their problems are told now,
        as the rest of the file's were at start; the sync, which scores new
        comments in the brand's language, starts after this."""
        if self.config.composer is not None:
            return  # the app was given a config read whole
        from cm_inbox.composer_config import with_composer_settings

        config = with_composer_settings(self.config)
        for problem in config.problems[len(self.config.problems) :]:
            self.startup_problems.append(problem)
            self.notify(problem, title="Config", severity="warning", timeout=12)
        self.config = config
        # The same targets as before the first frame, now with the brand's language.
        self.store.use_targets(self.store.scorer.targets, config.brand.default_language)

    def _install_themes(self) -> None:
        """The configured theme, read and checked before the first frame; the other
        theme files wait for it (``_install_other_themes``)."""
        wanted = self.config.ui.theme
        themes, problems = load_themes(*self._theme_folders, only=wanted)
        if not themes and wanted not in self.available_themes:
            self.startup_problems.append(
                f'theme "{wanted}" is not installed; using {FALLBACK_THEME}'
            )
            wanted = FALLBACK_THEME
            themes, more = load_themes(*self._theme_folders, only=wanted)
            # An unreadable file is a problem of either reading: tell it once.
            problems += [problem for problem in more if problem not in problems]
            if not themes:
                wanted = "textual-dark"
        self.startup_problems.extend(problems)
        for theme in themes:
            self.register_theme(theme)
        self._start_in_theme(wanted)

    def _install_other_themes(self) -> None:
        """Every theme file, for the command palette's theme picker; problems not told
        at start are told now."""
        themes, problems = load_themes(*self._theme_folders)
        for theme in themes:
            self.register_theme(theme)
        for problem in problems:
            if problem not in self.startup_problems:
                self.notify(problem, title="Config", severity="warning", timeout=12)

    def _start_in_theme(self, name: str) -> None:
        """Open in theme ``name`` without the restyling a theme change costs.

        Setting ``App.theme`` parses every stylesheet again (Textual's
        ``refresh_css``), 8-13 ms before the first frame. Nothing is parsed before
        the app runs, so here the theme's colours go straight into the stylesheet,
        and the classes Textual's own theme watcher sets are set alike.
        """
        self.set_reactive(App.theme, name)
        self.stylesheet.set_variables(self.get_css_variables())
        dark = self.current_theme.dark
        self.set_class(dark, "-dark-mode", update=False)
        self.set_class(not dark, "-light-mode", update=False)
        self.set_class(True, f"-theme-{name}", update=False)
        # Named ANSI colours (the widgets' Rich styles) become true colours through
        # the theme's terminal palette, light or dark. A Textual internal, as the
        # watcher does it; pyproject.toml pins Textual to 8.2.
        self._refresh_truecolor_filter(self.ansi_theme)

    def _install_keymap(self) -> None:
        known = all_binding_ids()
        keymap = {}
        for binding_id, keys in self.config.keymap.items():
            if binding_id in known:
                keymap[binding_id] = keys
            else:
                self.startup_problems.append(
                    f'[keys] "{binding_id}" is not a key binding; known: {", ".join(sorted(known))}'
                )
        if keymap:
            self.set_keymap(keymap)
        self.keymap = keymap

    def key_for(self, binding_id: str) -> str:
        """The key of an action as the footer shows it, the user's keymap applied."""
        for binding in (*QUEUE_BINDINGS, *SCREEN_BINDINGS, *COMPOSER_BINDINGS):
            if binding.id == binding_id:
                if binding.key_display and binding_id not in self.keymap:
                    return binding.key_display
                return self.get_key_display(Binding(keys_of(binding, self.keymap)[0], ""))
        return binding_id

    def on_unmount(self) -> None:
        self.store.close()


def make_app(
    db_path: Path,
    *,
    demo: bool = False,
    config_path: Path | None = None,
    clock: Callable[[], float] = time.time,
) -> CmInboxApp:
    """Build the app on a database file and a config file (the default ones when None)."""
    config = load_config(config_path, composer=False)  # the composer's part: after the first frame
    store = Store(db_path, clock=clock, rules=config.rules)

    def make_syncer() -> Syncer:
        from cm_inbox.sync import RetryPolicy, Syncer

        sending = {
            "hold_replies_s": config.sync.undo_seconds,
            "undo_s": config.sync.undo_seconds,
            "retry": RetryPolicy.of(config.sync),
            "timeout_s": config.sync.timeout_seconds,
        }
        if demo:
            from cm_inbox.demo.sandboxed import demo_syncer

            return demo_syncer(store, clock=clock, **sending)
        return Syncer(store, _lazy_secrets(), clock=clock, watches=config.watches, **sending)

    return CmInboxApp(store, config, clock=clock, demo=demo, make_syncer=make_syncer)


def _lazy_secrets() -> Callable[[ConnectedAccount], Secrets]:
    """Secrets looked up on the first sync (in its worker), not at start-up:
    finding the OS keyring can take a fifth of a second."""
    from cm_inbox.secrets import SecretStore

    found: list[SecretStore] = []

    def secrets_for(account: ConnectedAccount) -> Secrets:
        if not found:
            found.append(SecretStore())
        return found[0].account(account.network, account.name)

    return secrets_for
