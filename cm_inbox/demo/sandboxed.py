"""The demo's networks: the sandbox, in-process, behind the real network layer.

In the demo, the Mastodon and Bluesky accounts are connected to sandbox twins
served through ``httpx.ASGITransport``: a sync really fetches notifications,
follows threads and posts replies through the same connectors as a real
account, and new comments keep arriving as time passes. Nothing leaves the
machine; the accounts point at ``sandbox.invalid``, a name that never resolves,
so even a misdirected request could not reach a real server.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from cm_inbox.demo.builder import SANDBOXED_NETWORKS
from cm_inbox.networks.base import AccountInfo, MemorySecrets
from cm_inbox.networks.registry import connector_class
from cm_inbox.store import Store
from cm_inbox.store.results import ConnectedAccount
from cm_inbox.sync import Syncer

SANDBOX_URL = "http://sandbox.invalid"
# The demo accounts that get a network behind them (the others stay offline);
# the builder keys its queued reply off the same networks.
CONNECTED = [
    ("mastodon", "lumo@mastodon.social"),
    ("mastodon", "lumo_fr@piaille.fr"),
    ("bluesky", "lumo.app"),
]
assert {network for network, _ in CONNECTED} == SANDBOXED_NETWORKS
# About one new comment a minute across the networks while the demo is open.
FUTURE_S = 3 * 3600
COUNT = 20_000


class DemoNetworks:
    """The sandbox of one demo session, built on first use (in the sync worker)."""

    def __init__(
        self,
        seed: int,
        clock: Callable[[], float],
        since: int | None,
        history: Callable[[], list[dict]] | None = None,
    ) -> None:
        self.seed = seed
        self.clock = clock
        self.since = since
        self.history = history
        self.secrets: dict[str, MemorySecrets] = {}
        self._app = None
        self._lock = threading.Lock()

    def transport(self) -> httpx.AsyncBaseTransport:
        with self._lock:
            if self._app is None:
                from cm_inbox.sandbox import SandboxState, make_sandbox

                state = SandboxState(
                    seed=self.seed,
                    clock=self.clock,
                    future_s=FUTURE_S,
                    count=COUNT,
                    since=self.since,
                    quiet_s=60,
                    history=self.history() if self.history else None,
                )
                self.state = state
                self._app = make_sandbox(state)
        return httpx.ASGITransport(app=self._app)

    def secrets_for(self, account: ConnectedAccount) -> MemorySecrets:
        return self.secrets.setdefault(f"{account.network}:{account.name}", MemorySecrets())


def connect_demo_accounts(store: Store, networks: DemoNetworks) -> None:
    """Log the demo's accounts in to the sandbox, as `accounts add` would."""
    from cm_inbox.sandbox import account_commands

    commands = account_commands(SANDBOX_URL, networks.state)

    async def connect() -> None:
        async with httpx.AsyncClient(transport=networks.transport()) as client:
            for network, name in CONNECTED:
                command = commands[network]
                options = _options(command["args"])
                secret = command["stdin"].strip()
                if network == "mastodon":
                    from cm_inbox.sandbox.mastodon import brand_token

                    # The sandbox instance hosts both brand accounts ("lumo", "lumo_fr").
                    token = brand_token(networks.seed, name.split("@")[0])
                    settings = {"instance": SANDBOX_URL}
                    secrets = MemorySecrets({"access_token": token})
                    hint = None
                else:
                    from cm_inbox.networks import bluesky

                    session = await bluesky.create_session(
                        client, SANDBOX_URL, options["--handle"], secret
                    )
                    hint = str(session["handle"])
                    settings = {"pds": SANDBOX_URL, "did": str(session["did"]), "handle": hint}
                    secrets = MemorySecrets(
                        {
                            "app_password": secret,
                            "access_jwt": str(session["accessJwt"]),
                            "refresh_jwt": str(session["refreshJwt"]),
                        }
                    )
                info = AccountInfo(network, name, hint, settings)
                who = await connector_class(network)(info, secrets, client).verify()
                store.connect_account(network, name, who.lstrip("@"), settings)
                networks.secrets[f"{network}:{name}"] = secrets

    asyncio.run(connect())


def _options(args: list[str]) -> dict[str, str]:
    return {
        flag: value for flag, value in zip(args, args[1:], strict=False) if flag.startswith("--")
    }


class DemoSyncer(Syncer):
    """A Syncer whose first run connects the demo accounts to the sandbox."""

    def __init__(self, store: Store, networks: DemoNetworks, **sending: Any) -> None:
        super().__init__(
            store,
            networks.secrets_for,
            transport_factory=networks.transport,
            clock=networks.clock,
            **sending,
        )
        self.networks = networks
        self._connected = False

    def has_accounts(self) -> bool:
        return True

    def prepare(self) -> None:
        if not self._connected:
            self.networks.transport()
            connect_demo_accounts(self.store, self.networks)
            self._connected = True


def demo_syncer(
    store: Store,
    *,
    seed: int = 7,
    clock: Callable[[], float] = time.time,
    **sending: Any,
) -> DemoSyncer:
    """The demo's Syncer: the sandbox starts from what the demo database holds.

    ``sending``: the Syncer's undo window, retry policy and timeout.
    """
    networks = DemoNetworks(
        seed, clock, store.newest_comment_time(), history=lambda: demo_history(store)
    )
    return DemoSyncer(store, networks, **sending)


def demo_history(store: Store) -> list[dict]:
    """The demo inbox's Mastodon and Bluesky comments as sandbox records (ids kept)."""
    from datetime import UTC, datetime
    from html import escape

    from cm_inbox.model import QueueQuery, View

    records = []
    for network in SANDBOXED_NETWORKS:
        for row in store.iter_queue(QueueQuery(view=View.ALL, network=network), chunk=500):
            comment = row.comment
            if comment.is_ours:
                continue
            root = comment.root_remote_id
            records.append(
                {
                    "network": network,
                    "account": comment.account,
                    "id": comment.remote_id,
                    "parent_id": comment.parent_remote_id,
                    "root_id": None if root == comment.remote_id else root,
                    "author": {
                        "handle": comment.author.handle,
                        "name": comment.author.display_name,
                        "followers": comment.author.followers,
                    },
                    "text": comment.text,
                    "html": comment.markup or f"<p>{escape(comment.text)}</p>",
                    "created_at": datetime.fromtimestamp(comment.created_at, UTC).strftime(
                        "%Y-%m-%dT%H:%M:%SZ"
                    ),
                    "url": comment.url,
                    "language": comment.language,
                }
            )
    return records
