"""Sync: bring what is new from every connected account into the store, fetch
the threads it belongs to, and send the replies waiting in the outbox.

All accounts share one ``httpx.AsyncClient`` and run at once, a few at a
time. Each page is stored with its cursor in one transaction, so a sync that
dies half-way resumes where it stopped, never skipping or doubling. One
account failing (offline, refused credentials, a malformed answer) never
stops the others: its error is recorded and shown.

The CLI runs this with ``asyncio.run``; the TUI runs it in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cm_inbox import __version__
from cm_inbox.networks.base import (
    AccountInfo,
    Connector,
    FetchPage,
    NeedsLogin,
    NetworkError,
    ParentRef,
    PermanentError,
    RateLimited,
    Secrets,
    Sleep,
    Unreachable,
)
from cm_inbox.networks.registry import connector_class
from cm_inbox.store import Store
from cm_inbox.store.results import ConnectedAccount

if TYPE_CHECKING:  # httpx loads on the first sync: the inbox opens a tenth of a second sooner
    import httpx

    from cm_inbox.config import SyncSettings
    from cm_inbox.signals_ahead import SignalsAhead
    from cm_inbox.watches import Watch

log = logging.getLogger(__name__)

# A first sync takes the recent past, never years: connectors bound their own
# first page; this bounds how many pages one sync follows.
MAX_PAGES = 50
# Threads fetched per account and sync, for new comments whose parent is unknown.
MAX_THREADS = 10
# Seconds: any read or write, and connecting.
TIMEOUT_S, CONNECT_TIMEOUT_S = 15.0, 10.0


@dataclass(slots=True)
class AccountSync:
    """What one account's sync did."""

    network: str
    account: str
    new: int = 0
    updated: int = 0
    set_aside: int = 0
    threads: int = 0
    sent: int = 0
    send_failures: list[str] = field(default_factory=list)
    # Moderation done on the network (spam, hide, read), and what it refused.
    moderated: int = 0
    moderation_refused: list[str] = field(default_factory=list)
    error: str | None = None
    needs_login: bool = False
    offline: bool = False

    def as_dict(self) -> dict:
        return {
            "network": self.network,
            "account": self.account,
            "new": self.new,
            "updated": self.updated,
            "set_aside": self.set_aside,
            "threads": self.threads,
            "sent": self.sent,
            "send_failures": list(self.send_failures),
            "moderated": self.moderated,
            "moderation_refused": list(self.moderation_refused),
            "error": self.error,
            "needs_login": self.needs_login,
            "offline": self.offline,
        }


@dataclass(slots=True)
class SyncReport:
    accounts: list[AccountSync] = field(default_factory=list)

    @property
    def new(self) -> int:
        return sum(a.new for a in self.accounts)

    @property
    def errors(self) -> list[AccountSync]:
        return [a for a in self.accounts if a.error]


# Called with the account's result so far, as pages land (for progress lines).
Progress = Callable[[AccountSync, str], None]
SecretsFor = Callable[[ConnectedAccount], Secrets]


def make_client(
    transport: httpx.AsyncBaseTransport | None = None, *, timeout_s: float = TIMEOUT_S
) -> httpx.AsyncClient:
    """The one HTTP client a sync shares across accounts."""
    import httpx

    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, CONNECT_TIMEOUT_S)),
        headers={"User-Agent": f"cm-inbox/{__version__} (+https://github.com/cm-inbox)"},
        follow_redirects=False,
    )


def build_connector(
    account: ConnectedAccount,
    secrets: Secrets,
    client: httpx.AsyncClient,
    *,
    sleep: Sleep | None = None,
    clock: Callable[[], float] | None = None,
    budgets: dict | None = None,
) -> Connector:
    info = AccountInfo(
        network=account.network, name=account.name, handle=account.handle, settings=account.settings
    )
    return connector_class(account.network)(
        info, secrets, client, sleep=sleep, clock=clock, budgets=budgets
    )


async def sync_accounts(
    store: Store,
    secrets_for: SecretsFor,
    *,
    accounts: Sequence[ConnectedAccount] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    fetch: bool = True,
    send: bool = True,
    hold_replies_s: float = 0.0,
    undo_s: float = 0.0,
    retry: RetryPolicy | None = None,
    timeout_s: float = TIMEOUT_S,
    budgets: dict | None = None,
    concurrency: int = 16,
    progress: Progress | None = None,
    sleep: Sleep | None = None,
    clock: Callable[[], float] | None = None,
    watches: Sequence[Watch] = (),
    signals_ahead: bool = False,
) -> SyncReport:
    """Sync ``accounts`` (every connected one when None) at once; never raises for one account.

    Accounts wait on their networks, not on the CPU, so up to ``concurrency``
    run side by side (rate limits are per account, each paced by its own
    headers): ten accounts take about as long as the slowest one.

    ``hold_replies_s`` keeps replies queued more recently than that in the
    outbox (the TUI's undo window); the command line sends at once.
    ``undo_s`` is the undo window of the triage keys: a spam, hide or done mark
    younger than that is not yet done on the network (``cm_inbox.moderation``).

    ``watches`` (keyword watches, ``cm_inbox.watches``) run when fetching, each
    source with its own line in the report; with ``accounts`` named, only the
    sources that search as one of them.

    ``signals_ahead`` computes the listening signals of fetched comments in a
    second process when more than one account syncs (``cm_inbox.signals_ahead``).
    """
    targets = list(accounts) if accounts is not None else store.connected_accounts()
    report = SyncReport([AccountSync(a.network, a.name) for a in targets])
    plan = SendPlan(sender_id(), hold_replies_s, retry or RetryPolicy(), undo_s)
    budgets = budgets if budgets is not None else {}
    if send:
        void_dead_claims(store)
    gate = asyncio.Semaphore(max(1, concurrency))
    ahead = None
    if signals_ahead and fetch and len(targets) > 1:
        from cm_inbox.signals_ahead import SignalsAhead

        ahead = SignalsAhead(store.scorer.default_language)
    try:
        async with make_client(transport, timeout_s=timeout_s) as client:
            from cm_inbox.watches.runner import plan_watches

            watch_run = plan_watches(
                store, watches if fetch else (), targets, secrets_for, client,
                limited=accounts is not None, sleep=sleep, clock=clock or time.time,
                budgets=budgets,
            )  # fmt: skip
            report.accounts.extend(watch_run.results)

            async def one(account: ConnectedAccount, result: AccountSync) -> None:
                async with gate:
                    await _sync_one(
                        store,
                        account,
                        result,
                        secrets_for,
                        client,
                        fetch=fetch,
                        send=send,
                        plan=plan,
                        budgets=budgets,
                        ahead=ahead,
                        progress=progress,
                        sleep=sleep,
                        clock=clock or time.time,
                    )
                await watch_run.after_account(account, result, gate, progress)

            await asyncio.gather(
                *(one(a, r) for a, r in zip(targets, report.accounts[: len(targets)], strict=True)),
                watch_run.independent(gate, progress),
            )
    finally:
        if ahead is not None:
            ahead.close()
    return report


async def _sync_one(
    store: Store,
    account: ConnectedAccount,
    result: AccountSync,
    secrets_for: SecretsFor,
    client: httpx.AsyncClient,
    *,
    fetch: bool,
    send: bool,
    plan: SendPlan,
    budgets: dict,
    ahead: SignalsAhead | None,
    progress: Progress | None,
    sleep: Sleep | None,
    clock: Callable[[], float],
) -> None:
    def tell(stage: str) -> None:
        if progress is not None:
            progress(result, stage)

    if account.login_problem:
        result.needs_login = True
        result.error = f"needs a new login ({account.login_problem})"
        tell("skipped")
        return
    tell("starting")
    try:
        connector = build_connector(
            account, secrets_for(account), client, sleep=sleep, clock=clock, budgets=budgets
        )
        if fetch:
            parents = await _fetch_new(store, account, connector, result, tell, ahead)
            await _fetch_threads(store, account, connector, parents, result, tell, ahead)
        if send:
            await _send_replies(store, account, connector, result, plan, clock, tell)
        if fetch:
            from cm_inbox.moderation import apply_moderation

            moderated = await apply_moderation(store, account, connector, plan.undo_s, clock())
            result.moderated += moderated.done
            result.moderation_refused += moderated.refused
    except NeedsLogin as error:
        result.needs_login = True
        result.error = f"needs a new login: {error}"
        store.set_login_problem(account.id, str(error))
    except Unreachable as error:
        result.offline = True
        result.error = str(error)
    except NetworkError as error:
        result.error = str(error)
    except sqlite3.Error as error:  # a full disk, a locked or damaged file: say which
        result.error = f"cannot write to {store.path}: {error}"
    except Exception as error:  # a bug or an answer nobody foresaw: keep the others going
        log.exception("sync of %s:%s failed", account.network, account.name)
        result.error = f"unexpected {type(error).__name__}; details in the log"
    try:
        store.record_sync(account.id, result.error)
    except sqlite3.Error:  # the same full disk: the report still says what happened
        log.warning("could not record the sync of %s:%s", account.network, account.name)
    log.info(
        "sync %s:%s new=%d updated=%d set_aside=%d threads=%d sent=%d error=%s",
        account.network,
        account.name,
        result.new,
        result.updated,
        result.set_aside,
        result.threads,
        result.sent,
        result.error,
    )
    tell("done")


async def _fetch_new(
    store: Store,
    account: ConnectedAccount,
    connector: Connector,
    result: AccountSync,
    tell,
    ahead: SignalsAhead | None,
) -> list[str]:
    """Follow pages until the network has nothing newer; returns the parents the items named.

    With ``ahead``, a page's signals are worked out in the second process while
    the next page is fetched. Pages are stored in order, each with the cursor
    after it, so a page not stored yet (signals pending when the sync is
    cancelled) is simply fetched again next time; a failed fetch still stores
    every page before it.
    """
    cursor = store.sync_cursor(account.id)
    parents: list[str] = []
    waiting: list[tuple[FetchPage, asyncio.Task | None]] = []

    async def store_pages(*, all_of_them: bool) -> None:
        while waiting and (all_of_them or waiting[0][1] is None or waiting[0][1].done()):
            page, signals = waiting.pop(0)
            if signals is not None:
                await signals
            stored = store.save_sync_page(
                account.id,
                page.items,
                [(aside.reason, aside.payload) for aside in page.set_aside],
                page.cursor,
            )
            result.new += stored.inserted
            result.updated += stored.updated
            result.set_aside += len(page.set_aside)
            tell("fetching")

    try:
        for _ in range(MAX_PAGES):
            try:
                page = await connector.fetch_new(cursor)
            except Exception:
                await store_pages(all_of_them=True)  # the pages before it still land
                raise
            for item in page.items:
                item.account = account.name
                if item.parent_remote_id:
                    parents.append(item.parent_remote_id)
            signals = asyncio.create_task(ahead.fill(page.items)) if ahead is not None else None
            waiting.append((page, signals))
            await store_pages(all_of_them=False)
            if page.cursor is not None:
                cursor = page.cursor
            if not page.more:
                break
        await store_pages(all_of_them=True)
    finally:
        for _, signals in waiting:  # cancelled, or storing failed: fetched again next time
            if signals is not None:
                signals.cancel()
    return parents


async def _fetch_threads(
    store: Store,
    account: ConnectedAccount,
    connector: Connector,
    parents: list[str],
    result: AccountSync,
    tell,
    ahead: SignalsAhead | None,
) -> None:
    """Fetch the threads of new replies whose parent we have never seen (rule 5: understand)."""
    for parent_id in store.missing_parents(account.id, parents)[:MAX_THREADS]:
        try:
            items = await connector.fetch_thread(parent_id)
        except PermanentError:
            continue  # deleted or hidden parent: the reply still stands on its own
        for item in items:
            item.account = account.name
        if ahead is not None:
            await ahead.fill(items)
        stored = store.save_sync_page(account.id, items, [], None)
        result.updated += stored.updated
        result.new += stored.inserted
        result.threads += 1
        tell("threads")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When a failed reply is tried again: exponential backoff with jitter, capped."""

    first_s: float = 30.0
    max_s: float = 900.0

    @classmethod
    def of(cls, settings: SyncSettings) -> RetryPolicy:
        return cls(float(settings.retry_seconds), float(settings.retry_max_seconds))

    def next_attempt(self, now: float, attempts: int, error: BaseException) -> int:
        if isinstance(error, RateLimited):
            return int(now + max(1.0, error.retry_after))
        wait = min(self.max_s, self.first_s * 2 ** max(0, attempts - 1))
        # Half to all of it, so replies that failed together do not return together.
        return int(now + wait * random.uniform(0.5, 1.0))


def sender_id() -> str:
    """Who holds a claim: this host and process (a dead process's claims are void)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def void_dead_claims(store: Store) -> int:
    """Replies left in ``sending`` by a process of this machine that has died.

    Their leases would run out on their own; waiting for that after a crash
    is pointless when the process is visibly gone. They are taken again at
    once, looked for on the network first.
    """
    host = socket.gethostname()
    dead = [owner for owner in store.sending_owners() if _dead_here(owner, host)]
    return store.void_claims(dead) if dead else 0


def _dead_here(owner: str, host: str) -> bool:
    """True when ``owner`` names a process of this host that no longer runs."""
    parts = owner.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != host:
        return False
    try:
        pid = int(parts[1])
    except ValueError:
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, someone else's
    return False


async def _send_replies(
    store: Store,
    account: ConnectedAccount,
    connector: Connector,
    result: AccountSync,
    plan: SendPlan,
    clock: Callable[[], float],
    tell,
) -> None:
    """Send the account's due replies, oldest first, each exactly once.

    Stops at the first network trouble (the next sync tries again); a refusal
    of one reply fails that reply alone.
    """
    while True:
        claim = store.claim_next(account.id, plan.owner, hold_s=plan.hold_s)
        if claim is None:
            return
        reply = claim.reply
        comment = store.comment(reply.comment_id)
        if comment is None:
            store.mark_failed(reply.id, "the comment is no longer in the inbox", retry_at=None)
            continue
        parent = ParentRef(
            remote_id=comment.remote_id,
            root_remote_id=comment.root_remote_id,
            author_handle=comment.author.handle,
            extra=store.comment_extra(comment.id),
        )
        try:
            posted = None
            if claim.look_first:
                # An earlier attempt went unanswered: it may be there already.
                posted = await connector.find_reply(parent, reply.text, claim.idempotency_key)
                if posted is None:
                    store.mark_absent(reply.id)
            if posted is None:
                posted = await connector.post_reply(parent, reply.text, claim.idempotency_key)
        except PermanentError as error:
            store.mark_failed(reply.id, str(error), retry_at=None)
            result.send_failures.append(f"reply {reply.id}: {error}")
            continue
        except NetworkError as error:
            retry_at = plan.retry.next_attempt(clock(), reply.attempts, error)
            if isinstance(error, (RateLimited, Unreachable)) and not error.may_have_arrived:
                # Known not to have left: it waits in the queue, no failure to show.
                store.defer(reply.id, retry_at, str(error))
            else:
                store.mark_failed(
                    reply.id, str(error), retry_at=retry_at, maybe_sent=error.may_have_arrived
                )
                result.send_failures.append(f"reply {reply.id}: {error}")
            raise
        except BaseException as error:
            # A bug, or the sync cancelled mid-request: it may have gone out. Backing
            # off as for any failure, so a bug is not retried every second.
            store.mark_failed(
                reply.id,
                "interrupted while sending",
                retry_at=plan.retry.next_attempt(clock(), reply.attempts, error),
                maybe_sent=True,
            )
            raise
        store.mark_sent(reply.id, posted.remote_id)
        result.sent += 1
        tell("sending")


@dataclass(frozen=True, slots=True)
class SendPlan:
    """How one sync sends: who it is, the undo window it honours, when it retries."""

    owner: str
    hold_s: float = 0.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    undo_s: float = 0.0  # the triage keys' undo window, before moderation goes out


class Syncer:
    """Everything a front end needs to sync one store: where secrets come from and
    which transport reaches the networks (the in-process sandbox in the demo).

    ``run`` blocks; the TUI calls it from a worker thread, each call with its
    own event loop.
    """

    def __init__(
        self,
        store: Store,
        secrets_for: SecretsFor,
        *,
        transport_factory: Callable[[], httpx.AsyncBaseTransport] | None = None,
        hold_replies_s: float = 0.0,
        undo_s: float = 0.0,
        retry: RetryPolicy | None = None,
        timeout_s: float = TIMEOUT_S,
        clock: Callable[[], float] | None = None,
        watches: Sequence[Watch] = (),
    ) -> None:
        self.store = store
        self.watches = tuple(watches)
        self.secrets_for = secrets_for
        self.transport_factory = transport_factory
        self.hold_replies_s = hold_replies_s
        self.undo_s = undo_s
        self.retry = retry or RetryPolicy()
        self.timeout_s = timeout_s
        # Rate-limit budgets the networks announced, kept from one sync to the next.
        self.budgets: dict = {}
        self.clock = clock
        # One sync at a time: a timer firing during a slow sync skips its turn.
        self._lock = threading.Lock()

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    def has_accounts(self) -> bool:
        """True when a sync has anything to do: a connected account, or a keyword watch."""
        return bool(self.store.connected_accounts()) or bool(self.watches)

    def prepare(self) -> None:
        """Called before each sync, one at a time: subclasses connect what they need."""

    def run(self, progress: Progress | None = None) -> SyncReport | None:
        """Sync every connected account now; None when a sync is already running."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            self.prepare()
            transport = self.transport_factory() if self.transport_factory else None
            return asyncio.run(
                sync_accounts(
                    self.store,
                    self.secrets_for,
                    transport=transport,
                    hold_replies_s=self.hold_replies_s,
                    undo_s=self.undo_s,
                    retry=self.retry,
                    timeout_s=self.timeout_s,
                    budgets=self.budgets,
                    progress=progress,
                    clock=self.clock,
                    watches=self.watches,
                )
            )
        finally:
            self._lock.release()
