"""The right end of the status bar: syncing in the background, and how it went.

It owns the sync timer and runs each sync in a worker thread, so the queue
never freezes while networks answer. When a sync stored or sent anything, it
posts ``SyncStatus.Synced`` and the screen reloads the queue in place.

While an account is offline, or replies wait for a retry, it syncs again on
its own (backing off, with jitter), so the outbox flushes as soon as the
network answers, even with background sync turned off.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from cm_inbox.networks import rules_for
from cm_inbox.timefmt import ago

if TYPE_CHECKING:
    from cm_inbox.sync import AccountSync, Syncer, SyncReport


class SyncStatus(Static):
    DEFAULT_CSS = """
    SyncStatus { width: auto; max-width: 60%; height: 1; padding: 0 1; }
    SyncStatus.-trouble { color: $warning; }
    """

    class Synced(Message):
        def __init__(self, report: SyncReport) -> None:
            self.report = report
            super().__init__()

    def __init__(
        self,
        syncer: Callable[[], Syncer | None],
        clock: Callable[[], float],
        every_minutes: int,
        **kwargs,
    ) -> None:
        super().__init__("", **kwargs)
        # Asked for on first use: the app builds its syncer after the first frame.
        self._syncer = syncer
        self.clock = clock
        self.every_minutes = every_minutes
        self.last_report: SyncReport | None = None
        self.last_at: float | None = None
        self.stage: str | None = None
        self._retry_timer: Timer | None = None
        self._offline_wait: float | None = None
        self._told: dict[tuple[str, str], str] = {}  # the trouble each account was last told of

    @property
    def syncer(self) -> Syncer | None:
        return self._syncer()

    def start(self) -> None:
        """Sync now and then every few minutes (the screen calls it after the first frame)."""
        if self.syncer is None or not self.syncer.has_accounts():
            self.display = False
            return
        if self.every_minutes:
            self.set_interval(self.every_minutes * 60, self.sync_now)
        self.set_interval(30, self._show)  # "synced 2m ago" moves on
        self.call_after_refresh(self.sync_now)

    def sync_now(self) -> str:
        """Start a sync unless one is running; returns what to tell the user."""
        if self.syncer is None or not self.syncer.has_accounts():
            return "No account connected: `cm-inbox accounts add mastodon|bluesky …`"
        if self.syncer.busy:
            return "Already syncing"
        self.display = True
        self.stage = "syncing…"
        self._show()
        self._run()
        return "Syncing"

    def later(self, seconds: float) -> None:
        """Sync once more after ``seconds`` (a reply's undo window)."""
        if self.syncer is not None:
            self.set_timer(seconds, self.sync_now)

    def _run(self) -> None:
        self.run_worker(self._sync, thread=True, group="sync", exclusive=False)

    def _sync(self) -> None:
        assert self.syncer is not None

        def progress(result: AccountSync, stage: str) -> None:
            label = rules_for(result.network).label
            with contextlib.suppress(RuntimeError):  # the app is closing
                self.app.call_from_thread(self._progress, f"{label}: {stage}, {result.new} new")

        report = self.syncer.run(progress)
        if report is not None:
            with contextlib.suppress(RuntimeError):
                self.app.call_from_thread(self._done, report)

    def _progress(self, line: str) -> None:
        self.stage = line
        self._show()

    def _done(self, report: SyncReport) -> None:
        self.last_report = report
        self.last_at = self.clock()
        self.stage = None
        self._show()
        # Say each account's trouble once when it starts (the status bar keeps
        # showing it), not at every retry: offline on a train means a retry a minute.
        for result in report.accounts:
            key = (result.network, result.account)
            trouble = _kind_of_trouble(result)
            if trouble is not None and self._told.get(key) != trouble:
                self.app.notify(
                    f"{rules_for(result.network).label} {result.account}: {result.error}",
                    title="Sync",
                    severity="error" if result.needs_login else "warning",
                    timeout=10,
                )
            if trouble is None:
                self._told.pop(key, None)
            else:
                self._told[key] = trouble
        self._plan_retry(report)
        self.post_message(self.Synced(report))

    def _plan_retry(self, report: SyncReport) -> None:
        """Sync again on its own while an account is offline or a reply waits to go."""
        assert self.syncer is not None
        if self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None
        policy = self.syncer.retry
        delays = []
        if any(result.offline for result in report.accounts):
            # Offline: try again soon, then less often, up to the retry cap.
            wait = self._offline_wait or policy.first_s
            self._offline_wait = min(policy.max_s, wait * 2)
            delays.append(wait * random.uniform(0.8, 1.2))
        else:
            self._offline_wait = None
        store = self.syncer.store
        offline = [store.account(r.network, r.account) for r in report.accounts if r.offline]
        due = store.next_send_due(
            self.syncer.hold_replies_s, skip=[account.id for account in offline if account]
        )
        if due is not None:
            delays.append(max(1.0, due - self.clock()))
        if delays:
            self._retry_timer = self.set_timer(min(delays), self.sync_now)

    def _show(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        report = self.last_report
        trouble = bool(report and report.errors)
        if self.stage:
            text.append("⟳ " + self.stage)
        elif report is not None and self.last_at is not None:
            reached = len(report.errors) < len(report.accounts)
            verb = "synced" if reached else "tried"  # not "synced" when nothing answered
            text.append(f"{verb} {ago(self.last_at, self.clock())}")
            sent = sum(r.sent for r in report.accounts)
            if report.new:
                text.append(f" · {report.new} new")
            if sent:
                text.append(f" · {sent} sent")
            for result in report.errors:
                label = rules_for(result.network).badge
                problem = _TROUBLE_WORDS[_kind_of_trouble(result) or "error"]
                text.append(f" · {label} {result.account[:16]} {problem}")
        self.set_class(trouble, "-trouble")
        self.update(text)


_TROUBLE_WORDS = {"login": "login needed", "offline": "offline", "error": "error"}


def _kind_of_trouble(result: AccountSync) -> str | None:
    if result.error is None:
        return None
    if result.needs_login:
        return "login"
    return "offline" if result.offline else "error"
