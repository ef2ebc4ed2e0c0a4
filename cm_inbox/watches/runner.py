"""Which watch sources a sync runs, running them, and storing what they find.

``plan_watches`` turns the config's watches into sources for this sync, each
with its outcome line (a ``WatchSync``, shown beside the accounts' lines).
A source that searches as a brand account runs right after that account's
own sync (``after_account``): its notifications are in the store by then, so
a status that tagged the brand is never taken for an untagged mention, and
the account's session is not refreshed by two callers at once. Feeds and
Hacker News depend on no account and run beside the accounts
(``independent``).

Every page a source yields is matched (``matching``), then stored with its
cursor in one transaction by ``Store.save_watch_page``, which drops what the
store already holds. One source failing is its own outcome line; the others
and the accounts go on.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cm_inbox.model.incoming import IncomingComment
from cm_inbox.networks.base import NeedsLogin, NetworkError
from cm_inbox.networks.rules import rules_for
from cm_inbox.store import Store
from cm_inbox.store.results import ConnectedAccount
from cm_inbox.sync import AccountSync
from cm_inbox.watches.matching import Matcher
from cm_inbox.watches.model import ONLY_ACCOUNT, UNTAGGED_LABEL, Watch
from cm_inbox.watches.source import WatchPage, WatchSource

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

Progress = Callable[[AccountSync, str], None]


@dataclass(slots=True)
class WatchSync(AccountSync):
    """One watch source's outcome line: an ``AccountSync`` (so every front end that
    shows accounts shows it), plus which watch and source, what was excluded,
    and a note ("not modified since the last sync")."""

    watch: str = ""
    source: str = ""
    excluded: int = 0
    note: str | None = None

    def as_dict(self) -> dict:
        # AccountSync.as_dict by name: zero-argument super() fails in slotted dataclasses.
        out = AccountSync.as_dict(self)
        out.update(watch=self.watch, source=self.source, excluded=self.excluded, note=self.note)
        return out


@dataclass(slots=True)
class _Planned:
    result: WatchSync
    source: WatchSource | None  # None: it cannot run (the error is on the result)
    matcher: Matcher
    home: tuple[str, str]  # (network, account) its matches and set-aside items go under
    after: int | None = None  # the id of the account whose sync it follows


@dataclass(slots=True)
class WatchRun:
    """The watch sources of one sync."""

    store: Store
    planned: list[_Planned] = field(default_factory=list)

    @property
    def results(self) -> list[WatchSync]:
        return [p.result for p in self.planned]

    async def after_account(
        self,
        account: ConnectedAccount,
        account_result: AccountSync,
        gate: asyncio.Semaphore,
        progress: Progress | None,
    ) -> None:
        """Run the sources that search as ``account``, once its own sync is done."""
        for planned in self.planned:
            if planned.after != account.id:
                continue
            if account_result.needs_login:
                planned.result.needs_login = True
                planned.result.error = f"{account.name} needs a new login"
                _tell(progress, planned.result, "skipped")
                continue
            async with gate:
                await self._run(planned, progress)

    async def independent(self, gate: asyncio.Semaphore, progress: Progress | None) -> None:
        """Run the sources that depend on no account (feeds, Hacker News), side by side."""

        async def one(planned: _Planned) -> None:
            async with gate:
                await self._run(planned, progress)

        await asyncio.gather(*(one(p) for p in self.planned if p.after is None))

    async def _run(self, planned: _Planned, progress: Progress | None) -> None:
        result, source, store = planned.result, planned.source, self.store
        if source is None:
            _tell(progress, result, "skipped")
            return
        _tell(progress, result, "starting")
        try:
            account_id = store.ensure_account(*planned.home)
            async for page in source.pages(store.watch_cursor(source.key)):
                items = _matches(planned, page)
                stored = store.save_watch_page(
                    source.key,
                    account_id,
                    items,
                    [(aside.reason, aside.payload) for aside in page.set_aside],
                    page.cursor,
                )
                result.new += stored.inserted
                result.set_aside += len(page.set_aside)
                result.note = page.note or result.note
                _tell(progress, result, "searching")
        except NeedsLogin as error:
            result.needs_login = True
            result.error = f"needs a new login: {error}"
        except NetworkError as error:
            # Not marked offline even when unreachable: the app's quick offline retries are for
            # the accounts (the outbox waits on them), not for a blog that is down today.
            result.error = str(error)
        except sqlite3.Error as error:
            result.error = f"cannot write to {store.path}: {error}"
        except Exception as error:  # a bug or an answer nobody foresaw: the others go on
            log.exception("watch source %s failed", source.key)
            result.error = f"unexpected {type(error).__name__}; details in the log"
        try:
            store.record_watch_sync(source.key, result.error)
        except sqlite3.Error:
            log.warning("could not record the outcome of watch source %s", source.key)
        log.info(
            "watch %s new=%d excluded=%d set_aside=%d error=%s",
            source.key,
            result.new,
            result.excluded,
            result.set_aside,
            result.error,
        )
        _tell(progress, result, "done")


def _tell(progress: Progress | None, result: AccountSync, stage: str) -> None:
    if progress is not None:
        progress(result, stage)


def _matches(planned: _Planned, page: WatchPage) -> list[IncomingComment]:
    """The items of ``page`` that are untagged mentions, labelled as such."""
    items = []
    for found in page.found:
        if found.addressed:
            continue  # the brand's own, or it reaches the brand as a notification
        comment = found.comment
        text = found.match_text if found.match_text is not None else comment.text
        verdict = planned.matcher.check(text)
        if verdict.matched is None:
            continue  # the search engine matched loosely; the watch's phrases are not there
        if verdict.excluded_by is not None:
            planned.result.excluded += 1
            continue
        comment.labels = (UNTAGGED_LABEL,)
        comment.status = None
        comment.extra = {
            **(comment.extra or {}),
            "watch": planned.result.watch,
            "matched": verdict.matched,
        }
        items.append(comment)
    return items


SecretsFor = Callable[[ConnectedAccount], Any]


def plan_watches(
    store: Store,
    watches: Sequence[Watch],
    targets: Sequence[ConnectedAccount],
    secrets_for: SecretsFor,
    client: httpx.AsyncClient,
    *,
    limited: bool,
    sleep: Callable[[float], Awaitable[None]] | None,
    clock: Callable[[], float],
    budgets: dict,
) -> WatchRun:
    """The sources of ``watches`` this sync runs, with their outcome lines.

    ``limited`` (a sync of named accounts only): just the sources that search
    as one of ``targets``. A watch naming an account that is not connected
    gets an outcome line saying so, and its other sources still run.
    """
    from cm_inbox.watches.bluesky_search import BlueskySearch
    from cm_inbox.watches.feeds import FeedSource
    from cm_inbox.watches.hackernews import HackerNewsSource
    from cm_inbox.watches.mastodon_search import MastodonHashtags, MastodonSearch

    run = WatchRun(store)
    connected = store.connected_accounts()
    by_network: dict[str, list[ConnectedAccount]] = defaultdict(list)
    for account in connected:
        by_network[account.network].append(account)
    target_ids = {account.id for account in targets}
    common = {"sleep": sleep or asyncio.sleep, "clock": clock, "budgets": budgets}
    identities = _mastodon_identities(by_network["mastodon"])
    dids = frozenset(a.settings["did"] for a in by_network["bluesky"] if a.settings.get("did"))

    def add(watch: Watch, network: str, kind: str, label: str, build, account=None) -> None:
        result = WatchSync(network, label, watch=watch.name, source=kind)
        matcher = Matcher(watch.matched_by, watch.exclude)
        home = (network, account.name if account is not None else watch.name)
        planned = _Planned(result, None, matcher, home, account.id if account else None)
        if account is not None and account.login_problem:
            result.needs_login = True
            result.error = f"{account.name} needs a new login ({account.login_problem})"
        else:
            try:
                planned.source = build()
            except Exception as error:  # secrets unreadable (a locked keyring): say so, go on
                result.error = f"cannot prepare {label}: {error}"
        if planned.source is not None:
            result.account = planned.source.label
        run.planned.append(planned)

    for watch in watches:
        for network, wanted in (("mastodon", watch.mastodon), ("bluesky", watch.bluesky)):
            if wanted is None:
                continue
            account, problem = _pick(by_network[network], network, wanted)
            if account is None:
                if not limited:
                    result = WatchSync(network, f"{watch.name}: search", watch=watch.name)
                    result.source, result.error = "search", problem
                    run.planned.append(_Planned(result, None, Matcher(()), (network, watch.name)))
                continue
            if limited and account.id not in target_ids:
                continue
            kinds: list[tuple[str, Any, dict]] = []
            if network == "bluesky":
                kinds.append(("search", BlueskySearch, {"brand_dids": dids}))
            else:
                if watch.phrases:
                    kinds.append(("search", MastodonSearch, {"identities": identities}))
                if watch.hashtags:
                    kinds.append(("hashtags", MastodonHashtags, {"identities": identities}))
            for kind, source_class, extra in kinds:

                def build(cls=source_class, a=account, more=extra, w=watch) -> WatchSource:
                    # Secrets are read here, so a locked keyring fails this source alone.
                    return cls(w, a, secrets_for(a), client, **more, **common)

                add(watch, network, kind, f"{watch.name}: {kind}", build, account)
        if limited:
            continue
        for url in watch.feeds:

            def feed(u: str = url, w: Watch = watch) -> WatchSource:
                return FeedSource(w, u, client, **common)

            add(watch, "rss", "feed", f"{watch.name}: {url}", feed)
        if watch.hackernews:

            def hacker_news(w: Watch = watch) -> WatchSource:
                return HackerNewsSource(w, client, **common)

            add(watch, "hackernews", "comments", f"{watch.name}: comments", hacker_news)
    return run


def _pick(
    accounts: list[ConnectedAccount], network: str, wanted: str
) -> tuple[ConnectedAccount | None, str | None]:
    """The connected account a watch names (or the only one), or why there is none."""
    label = rules_for(network).label
    if wanted == ONLY_ACCOUNT:
        if len(accounts) == 1:
            return accounts[0], None
        if not accounts:
            return None, f"no {label} account is connected (`cm-inbox accounts add {network} ...`)"
        names = ", ".join(f'"{a.name}"' for a in accounts)
        return (
            None,
            f'several {label} accounts are connected ({names}): name one, e.g. {network} = "{accounts[0].name}"',
        )
    for account in accounts:
        if account.name == wanted:
            return account, None
    return None, f'no connected {label} account named "{wanted}" (`cm-inbox accounts list`)'


def _mastodon_identities(accounts: list[ConnectedAccount]) -> frozenset[str]:
    """Every connected Mastodon account as a qualified, lower-cased acct."""
    from cm_inbox.networks.mastodon_parse import instance_host, qualify

    found = set()
    for account in accounts:
        instance = account.settings.get("instance")
        if account.handle and instance:
            found.add(qualify(account.handle, instance_host(instance)).lower())
    return frozenset(found)
