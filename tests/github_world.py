"""A store with a GitHub account on the sandbox twin, in-process, on a fake clock:
the world the GitHub connector tests drive."""

from __future__ import annotations

import httpx

from cm_inbox.model import ReplyState
from cm_inbox.networks.base import AccountInfo, MemorySecrets
from cm_inbox.networks.github import GitHubConnector
from cm_inbox.sandbox import FaultPlan, SandboxState, make_sandbox
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

    async def send_through_a_lost_answer(self) -> int:
        """Send what is queued with every answer lost, then retry (clock moved to each
        retry time) until the outbox settles: the sync must find the reply, not resend it.

        Returns how many replies the twin held after the first, answerless send.
        """
        self.state.write_faults = FaultPlan(lost_answer=1.0)
        await self.sync(fetch=False, retry=QUICK)
        self.state.write_faults = None
        landed_first = len(self.state.replies_on("github"))
        for _ in range(5):
            pending = [r for r in self.store.outbox() if r.state is not ReplyState.SENT]
            if not pending:
                break
            self.clock.now = max([self.clock.now] + [r.next_attempt_at or 0 for r in pending])
            await self.sync(fetch=False, retry=QUICK)
        return landed_first

    def connector(self, client, budgets: dict | None = None) -> GitHubConnector:
        info = AccountInfo("github", "lumo-gh", BRAND, {"api": API, "repos": ",".join(REPOS)})
        return GitHubConnector(
            info, self.secrets, client, sleep=self.sleep, clock=self.clock, budgets=budgets
        )

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app))
