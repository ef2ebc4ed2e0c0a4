"""Posting the queued webhook messages: one claim, one POST, one recorded outcome.

What an attempt's end means decides what happens next (see
``cm_inbox.store.deliveries`` for why):

- an answer in 2xx: delivered;
- no connection made, or the request not fully written (refused, DNS, a connect
  or write timeout): it cannot have landed, retried with backoff;
- 429: retried after its Retry-After; 5xx and 408: retried with backoff;
- another 4xx, a redirect: refused for good, shown, sent again only by the user;
- sent and no answer (a read timeout, the connection dropped, the sender
  stopped): ``unsure``, shown, never resent on its own.

Nothing here sleeps: a retry is a time written in the database, so the app,
``cm-inbox escalations deliver`` and the tests' clock all drive it the same way.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from cm_inbox.model import EscalationState
from cm_inbox.model.escalations import WebhookDelivery
from cm_inbox.store import Store
from cm_inbox.sync import TIMEOUT_S, RetryPolicy, _dead_here, make_client, sender_id
from cm_inbox.text import clean_text, one_line
from cm_inbox.timefmt import within
from cm_inbox.webhooks.messages import build, subject_of
from cm_inbox.webhooks.settings import (
    SECRET_NETWORK,
    SecretLookup,
    Webhook,
    WebhookUnavailable,
    format_for,
    host_of,
    resolve_url,
)

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

# Deliveries one run sends at most; the rest go on the next run, moments later.
MAX_PER_RUN = 100
RETRY_STATUSES = frozenset({408, 425, 429})


@dataclass(slots=True)
class DeliveryReport:
    """What one run did, in words to show (hosts only, never URLs)."""

    delivered: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    unsure: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    comment_ids: set[int] = field(default_factory=set)

    @property
    def troubles(self) -> list[str]:
        """What the user should hear about now."""
        return [*self.failed, *self.unsure]

    def as_dict(self) -> dict:
        return {
            "delivered": list(self.delivered),
            "retrying": list(self.retrying),
            "failed": list(self.failed),
            "unsure": list(self.unsure),
            "waiting": list(self.waiting),
        }


def settle_lost(store: Store) -> int:
    """Claims left by a sender that died mid-request become ``unsure`` (on this
    machine at once, elsewhere when their lease runs out)."""
    host = socket.gethostname()
    dead = [owner for owner in store.delivery_senders() if _dead_here(owner, host)]
    return store.settle_lost_deliveries(dead)


async def deliver_due(
    store: Store,
    webhooks: Mapping[str, Webhook],
    *,
    owner: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout_s: float = TIMEOUT_S,
    retry: RetryPolicy | None = None,
    secret: SecretLookup | None = None,
    env: Mapping[str, str] | None = None,
    limit: int = MAX_PER_RUN,
) -> DeliveryReport:
    """Send every message due now to the teams in ``webhooks``; never raises for one.

    A team that answered "later" (429, 5xx, offline) is not tried again in
    this run; the others go on.
    """
    report = DeliveryReport()
    settle_lost(store)
    if not webhooks:
        return report
    owner = owner or sender_id()
    retry = retry or RetryPolicy()
    paused: set[str] = set()
    async with make_client(transport, timeout_s=timeout_s) as client:
        for _ in range(limit):
            claim = store.claim_delivery(owner, [t for t in webhooks if t not in paused])
            if claim is None:
                break
            attempt = _Attempt(store, client, webhooks[claim.team], claim, retry, report)
            if not await attempt.run(secret, env):
                paused.add(claim.team)
    return report


class _Attempt:
    """One claimed delivery, from the URL to the outcome written down."""

    def __init__(
        self,
        store: Store,
        client: httpx.AsyncClient,
        webhook: Webhook,
        claim: WebhookDelivery,
        retry: RetryPolicy,
        report: DeliveryReport,
    ) -> None:
        self.store = store
        self.client = client
        self.webhook = webhook
        self.claim = claim
        self.retry = retry
        self.report = report

    async def run(self, secret: SecretLookup | None, env: Mapping[str, str] | None) -> bool:
        """Returns False when the team's webhook asked to wait (pause it this run)."""
        store, claim = self.store, self.claim
        escalation = store.escalation(claim.escalation_id)
        comment = store.comment(escalation.comment_id) if escalation else None
        if escalation is None or comment is None:
            store.delivery_cancelled(claim.id, "the comment is no longer in the inbox")
            return True
        self.report.comment_ids.add(comment.id)
        if claim.kind == "escalated" and escalation.state is EscalationState.WITHDRAWN:
            # Undone while this message waited for a retry: it must not go now.
            store.delivery_cancelled(claim.id, "the escalation was undone")
            return True
        if claim.kind == "withdrawn" and not store.withdrawal_needed(escalation.id):
            store.delivery_cancelled(claim.id, "nothing had reached the team")
            return True
        try:
            url = resolve_url(self.webhook, env=env, secret=secret)
        except WebhookUnavailable as error:
            store.delivery_retry(claim.id, str(error), retry_at=self._backoff(), attempted=False)
            self.report.waiting.append(f"{claim.team}: {error}")
            return False
        body = build(format_for(self.webhook, url), subject_of(escalation, comment, claim.kind))
        return await self._post(url, json.dumps(body, ensure_ascii=False).encode("utf-8"))

    async def _post(self, url: str, body: bytes) -> bool:
        import httpx

        store, claim, host = self.store, self.claim, host_of(url)
        try:
            response = await self.client.post(
                url, content=body, headers={"Content-Type": "application/json; charset=utf-8"}
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            return self._later(f"cannot reach {host}: {_reason(error)}", host)
        except (httpx.WriteTimeout, httpx.WriteError) as error:
            # The body never fully left: the chat cannot have posted half a JSON.
            return self._later(f"sending to {host} broke off: {_reason(error)}", host)
        except (httpx.UnsupportedProtocol, httpx.InvalidURL, httpx.LocalProtocolError):
            store.delivery_failed(claim.id, f"the URL for {claim.team} cannot be used", host=host)
            self.report.failed.append(f"{claim.team}: the webhook URL cannot be used")
            return True
        except httpx.TransportError as error:
            # Sent, then silence: it may be in the channel. Never resent on its own.
            words = f"no answer from {host}: {_reason(error)}"
            store.delivery_unsure(claim.id, words, host=host)
            self.report.unsure.append(f"{claim.team}: {words}")
            return True
        except BaseException:
            # Cancelled (the app closing) or a bug, the request perhaps out: unsure, as above.
            store.delivery_unsure(claim.id, "interrupted while sending", host=host)
            raise
        status = response.status_code
        if 200 <= status < 300:
            store.delivery_done(claim.id, status=status, host=host)
            withdrawn = ", that the escalation was withdrawn" if claim.kind == "withdrawn" else ""
            self.report.delivered.append(f"{claim.team} ({host}){withdrawn}")
            log.info("webhook delivery %d to %s (%s): %d", claim.id, claim.team, host, status)
            return True
        words = _answer_words(response, url, host)
        if status in RETRY_STATUSES or status >= 500:
            wait = _retry_after(response)
            return self._later(words, host, status=status, wait=wait)
        if 300 <= status < 400:
            words = f"{status} redirect from {host}: check the webhook URL"
        store.delivery_failed(claim.id, words, status=status, host=host)
        self.report.failed.append(f"{claim.team}: {words}")
        log.warning("webhook delivery %d to %s refused: %s", claim.id, claim.team, words)
        return True

    def _later(self, words: str, host: str, *, status: int | None = None, wait=None) -> bool:
        retry_at = int(self.store.now() + max(1.0, wait)) if wait is not None else self._backoff()
        self.store.delivery_retry(self.claim.id, words, retry_at=retry_at, status=status, host=host)
        when = within(retry_at, self.store.now())
        self.report.retrying.append(f"{self.claim.team}: {words}; next try {when}")
        log.info("webhook delivery %d to %s: %s; retry at %d", self.claim.id, self.claim.team,
                 words, retry_at)  # fmt: skip
        return False

    def _backoff(self) -> int:
        return self.retry.next_attempt(self.store.now(), max(1, self.claim.attempts), Exception())


def _reason(error: Exception) -> str:
    # httpx's transport messages name the OS error, never the request's URL.
    return str(error) or type(error).__name__


def _answer_words(response: httpx.Response, url: str, host: str) -> str:
    """ "404 Not Found (no_service) from hooks.slack.com": the status and the chat's
    own short reason, with anything that looks like part of the secret URL cut out."""
    base = f"{response.status_code} {response.reason_phrase}".strip()
    said = ""
    try:
        data = response.json()
    except ValueError:
        said = response.text[:300]
    else:
        if isinstance(data, dict):
            said = str(data.get("message") or data.get("error") or data.get("text") or "")
    said = one_line(clean_text(said), 80)
    for part in urlsplit(url).path.split("/"):
        if len(part) >= 8:
            said = said.replace(part, "…")
    if said and said.lower() not in base.lower():
        base += f" ({said})"
    return f"{base} from {host}"


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds the chat asks to wait: Retry-After (seconds or a date), or Discord's
    ``retry_after`` in its JSON body."""
    value = response.headers.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
            except (TypeError, ValueError):
                pass
    try:
        data = response.json()
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("retry_after"), int | float):
        return max(0.0, float(data["retry_after"]))
    return None


def secret_store_lookup() -> SecretLookup:
    """URLs kept with `cm-inbox escalations webhook TEAM --url-stdin`, looked up on
    first need (finding the OS keyring takes a moment)."""
    found: list = []

    def lookup(team: str) -> str | None:
        from cm_inbox.secrets import SecretsError, SecretStore

        try:
            if not found:
                found.append(SecretStore())
            return found[0].account(SECRET_NETWORK, team).get("url")
        except SecretsError as error:
            raise WebhookUnavailable(str(error)) from None

    return lookup


class Courier:
    """Sends the store's webhook messages from a front end: one run at a time (a
    timer firing during a slow run skips its turn), each with its own event loop.

    The TUI calls ``run`` from a worker thread; ``next_due`` says when to call again.
    """

    def __init__(
        self,
        store: Store,
        webhooks: Mapping[str, Webhook],
        *,
        retry: RetryPolicy | None = None,
        timeout_s: float = TIMEOUT_S,
        transport_factory: Callable[[], httpx.AsyncBaseTransport] | None = None,
        secret: SecretLookup | None = None,
    ) -> None:
        self.store = store
        self.webhooks = dict(webhooks)
        self.retry = retry or RetryPolicy()
        self.timeout_s = timeout_s
        self.transport_factory = transport_factory
        self.secret = secret or secret_store_lookup()
        self._lock = threading.Lock()

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    def run(self) -> DeliveryReport | None:
        """Send what is due now; None when a run is already going."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            transport = self.transport_factory() if self.transport_factory else None
            return asyncio.run(
                deliver_due(
                    self.store,
                    self.webhooks,
                    transport=transport,
                    timeout_s=self.timeout_s,
                    retry=self.retry,
                    secret=self.secret,
                )
            )
        finally:
            self._lock.release()

    def next_due(self) -> int | None:
        """When the next waiting message may go (None: nothing waits)."""
        return self.store.next_delivery_due(list(self.webhooks))
