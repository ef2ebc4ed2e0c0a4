"""A store with a GitHub account on the sandbox twin, in-process, on a fake clock:
the world the GitHub connector tests drive."""

from __future__ import annotations

import httpx

from cm_inbox.networks.base import AccountInfo, MemorySecrets
from cm_inbox.networks.github import GitHubConnector
from cm_inbox.sandbox import SandboxState, make_sandbox
from cm_inbox.sandbox.github import BRAND, PREFIX, REPOS, brand_token
from cm_inbox.sync import RetryPolicy, sync_accounts

BASE = "http://sandbox.test"
API = BASE + PREFIX
QUICK = RetryPolicy(first_s=1, max_s=4)


class GitHubWorld:
    def __init__(self, store, clock) -> None:
        self.store, self.clock = store, clock
        self.state = SandboxState(seed=3, clock=clock, count=3000)
        self.app = make_sandbox(self.state)
        self.secrets = MemorySecrets({"access_token": brand_token(3)})
        self.waits: list[float] = []
        self.budgets: dict = {}
        store.connect_account("github", "lumo-gh", BRAND, {"api": API, "repos": ",".join(REPOS)})

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds)

    async def sync(self, **kwargs):
        report = await sync_accounts(
            self.store, lambda account: self.secrets,
            transport=httpx.ASGITransport(app=self.app),
            sleep=self.sleep, clock=self.clock, budgets=self.budgets, **kwargs,
        )  # fmt: skip
        return report.accounts[0]

    def connector(self, client, budgets: dict | None = None) -> GitHubConnector:
        info = AccountInfo("github", "lumo-gh", BRAND, {"api": API, "repos": ",".join(REPOS)})
        return GitHubConnector(
            info, self.secrets, client, sleep=self.sleep, clock=self.clock, budgets=budgets
        )

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app))
