"""A store with both sandbox accounts connected, in-process, on a fake clock:
the world the sync and outbox tests drive."""

from __future__ import annotations

import httpx

from cm_inbox.networks.base import MemorySecrets
from cm_inbox.sandbox import SandboxState, account_commands, make_sandbox
from cm_inbox.sync import sync_accounts

BASE = "http://sandbox.test"


class World:
    """A store with both sandbox accounts connected, and a fake clock driving both sides."""

    def __init__(self, store, clock) -> None:
        self.store = store
        self.clock = clock
        self.state = SandboxState(seed=3, clock=clock, future_s=6 * 3600, count=3000)
        self.app = make_sandbox(self.state)
        self.secrets: dict[str, MemorySecrets] = {}
        self.waits: list[float] = []
        self.budgets: dict = {}

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds)

    def transport(self) -> httpx.ASGITransport:
        return httpx.ASGITransport(app=self.app)

    def secrets_for(self, account) -> MemorySecrets:
        return self.secrets[f"{account.network}:{account.name}"]

    async def connect(self) -> None:
        from cm_inbox.networks import bluesky

        commands = account_commands(BASE, self.state)
        async with httpx.AsyncClient(transport=self.transport()) as client:
            token = commands["mastodon"]["stdin"].strip()
            self.store.connect_account("mastodon", "lumo-m", "lumo", {"instance": BASE})
            self.secrets["mastodon:lumo-m"] = MemorySecrets({"access_token": token})
            args = commands["bluesky"]["args"]
            handle = args[args.index("--handle") + 1]
            password = commands["bluesky"]["stdin"].strip()
            session = await bluesky.create_session(client, BASE, handle, password)
            settings = {"pds": BASE, "did": session["did"], "handle": session["handle"]}
            self.store.connect_account("bluesky", "lumo-b", session["handle"], settings)
            self.secrets["bluesky:lumo-b"] = MemorySecrets(
                {
                    "app_password": password,
                    "access_jwt": session["accessJwt"],
                    "refresh_jwt": session["refreshJwt"],
                }
            )

    def connect_discourse(self) -> None:
        """The forum account too, as `accounts add discourse --token-stdin` would keep it."""
        command = account_commands(BASE, self.state)["discourse"]
        args = command["args"]
        name = args[args.index("--name") + 1]
        self.store.connect_account("discourse", name, name, {"site": BASE})
        self.secrets[f"discourse:{name}"] = MemorySecrets({"user_api_key": command["stdin"]})

    async def sync(self, **kwargs):
        return await sync_accounts(
            self.store,
            self.secrets_for,
            transport=self.transport(),
            sleep=self.sleep,
            clock=self.clock,
            budgets=self.budgets,  # kept from sync to sync, as the app's Syncer does
            **kwargs,
        )

    def by_network(self, report):
        return {result.network: result for result in report.accounts}
