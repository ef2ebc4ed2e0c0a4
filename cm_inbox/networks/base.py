"""The one small interface every network implements, and the errors it raises.

A connector is built for one brand account with an ``httpx.AsyncClient`` (so
tests and the demo hand it a client whose transport is the in-process
sandbox), the account's non-secret settings and its secrets. It never touches
the store: the sync engine (``cm_inbox.sync``) saves what it returns, with the
cursor, in one transaction.

Everything a network sends is untrusted. Connectors turn it into
``IncomingComment`` objects (plain text, real link targets) and hand back any
item they could not read as a ``SetAside`` with its raw payload, so one bad
item never stops a sync.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from cm_inbox.model.incoming import IncomingComment
from cm_inbox.networks.rules import NetworkRules, rules_for

if TYPE_CHECKING:  # only connectors, which import it themselves, need httpx at run time
    import httpx


class NetworkError(Exception):
    """A network said no, or could not be reached; ``str()`` is shown to the user.

    Messages never contain a token, a password or an Authorization header.
    """

    # Whether a write may have reached the network anyway: unknown, so yes,
    # unless the error proves it did not (no connection made, a refusal).
    # A reply whose attempt ended so is looked for on the network before a retry.
    may_have_arrived: bool = True


class NeedsLogin(NetworkError):
    """The credentials are refused (after one refresh where the network has one).

    The account is marked as needing a new login, with the network's own message.
    """

    may_have_arrived = False


class Unreachable(NetworkError):
    """Connection refused, DNS failure, timeouts after the retries: try again later."""


class RateLimited(NetworkError):
    """The network asks us to wait ``retry_after`` seconds before the next call."""

    may_have_arrived = False

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TemporaryError(NetworkError):
    """A 5xx or another failure worth retrying later."""


class PermanentError(NetworkError):
    """The network refused this request for good (a 422, a deleted parent): do not retry."""

    may_have_arrived = False


class MalformedAnswer(NetworkError):
    """The answer is not in the shape the network documents."""


class NotApplicable(PermanentError):
    """The action has nothing to act on for this comment (a forum post reached through
    its thread has no notification to mark read): noted as skipped, never retried,
    and not shown as the network's refusal."""


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """A brand account as the connector needs it: nothing secret in here.

    ``settings`` holds what the network needs to find the account: Mastodon's
    ``instance`` URL and app ``client_id``; Bluesky's ``pds`` URL, ``did`` and
    ``handle``.
    """

    network: str
    name: str
    handle: str | None = None
    settings: Mapping[str, str] = field(default_factory=dict)


class Secrets(ABC):
    """The account's secrets (tokens, app password), read and updated by the connector.

    A refreshed session is written back at once, so the next run never logs in
    again (Bluesky allows 30 logins per 5 minutes).
    """

    @abstractmethod
    def get(self, key: str) -> str | None: ...

    @abstractmethod
    def set(self, key: str, value: str) -> None: ...


class MemorySecrets(Secrets):
    """Secrets held in memory: the demo's sandbox accounts, and tests."""

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self.values = dict(values or {})

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def set(self, key: str, value: str) -> None:
        self.values[key] = value


@dataclass(slots=True)
class SetAside:
    """An item the connector could not read: kept with its raw payload for `cm-inbox doctor`."""

    reason: str
    payload: str

    @classmethod
    def of(cls, reason: str, item: Any) -> SetAside:
        try:
            payload = json.dumps(item, ensure_ascii=False, sort_keys=True)
        except (TypeError, ValueError):
            payload = repr(item)
        return cls(reason=reason, payload=payload[:100_000])


@dataclass(slots=True)
class FetchPage:
    """One page of new items.

    ``cursor`` is what to pass to the next ``fetch_new`` call to get only what
    came after this page; the sync engine stores it with the items, in the
    same transaction. ``more`` says another page is waiting now.
    """

    items: list[IncomingComment] = field(default_factory=list)
    set_aside: list[SetAside] = field(default_factory=list)
    cursor: str | None = None
    more: bool = False


@dataclass(frozen=True, slots=True)
class ParentRef:
    """What a connector needs to reply under a comment (from the store's comment)."""

    remote_id: str
    root_remote_id: str | None
    author_handle: str
    # Network-specific facts kept at fetch time (Mastodon's visibility,
    # Bluesky's cid and root cid), as the store's ``extra`` JSON.
    extra: Mapping[str, Any] = field(default_factory=dict)


# The moderation actions a triage key can ask of a network (``Connector.moderation``):
# "spam" (the ! key), "hide" (H: hidden or held for review, out of public view) and
# "read" (the comment was closed here: done, spam, hide, or answered).
MODERATION_ACTIONS = ("spam", "hide", "read")


@dataclass(frozen=True, slots=True)
class ModerationTarget:
    """The comment a moderation action is for: its remote id and the network facts
    kept at fetch time (GitHub's node id, Discourse's notification id)."""

    remote_id: str
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Posted:
    """A reply the network accepted."""

    remote_id: str
    url: str | None = None
    # True when the network said it already had this reply (a retry after a lost answer).
    already_there: bool = False


@dataclass(frozen=True, slots=True)
class LoginStart:
    """The first step of an interactive login: a URL to open and what to keep for step two."""

    authorize_url: str
    settings: Mapping[str, str]
    secrets: Mapping[str, str]


Sleep = Callable[[float], Awaitable[None]]


class Connector(ABC):
    """One network, for one brand account. Subclasses set ``network``."""

    network: ClassVar[str]
    # What ``moderate`` can do here, among MODERATION_ACTIONS; empty where the
    # network offers nothing for comments the brand receives. The registry keeps the
    # same sets in a light table for the TUI (a test holds them equal).
    moderation: ClassVar[frozenset[str]] = frozenset()

    def __init__(
        self,
        account: AccountInfo,
        secrets: Secrets,
        client: httpx.AsyncClient,
        *,
        sleep: Sleep | None = None,
        clock: Callable[[], float] | None = None,
        budgets: MutableMapping[tuple[str, ...], Any] | None = None,
    ) -> None:
        """``budgets``: what earlier answers said of each account's rate limit, kept by
        the caller across syncs (one sync that spent a window tells the next)."""
        import asyncio
        import time

        self.account = account
        self.secrets = secrets
        self.client = client
        self.budgets = budgets if budgets is not None else {}
        self.sleep: Sleep = sleep or asyncio.sleep
        self.clock = clock or time.time

    @property
    def rules(self) -> NetworkRules:
        return rules_for(self.network)

    @abstractmethod
    async def verify(self) -> str:
        """Check the credentials; returns who we are logged in as ("@lumo@mastodon.social")."""

    @abstractmethod
    async def fetch_new(self, cursor: str | None) -> FetchPage:
        """Items addressed to the account since ``cursor`` (everything recent when None)."""

    @abstractmethod
    async def fetch_thread(self, remote_id: str) -> list[IncomingComment]:
        """The comment's ancestors and replies, as comments of this account."""

    @abstractmethod
    async def post_reply(self, parent: ParentRef, text: str, idempotency_key: str) -> Posted:
        """Post ``text`` under ``parent``; ``idempotency_key`` makes a retry safe."""

    @abstractmethod
    async def find_reply(self, parent: ParentRef, text: str, idempotency_key: str) -> Posted | None:
        """Our reply to ``parent``, if it is on the network already.

        Asked before any retry of an attempt that went unanswered (a timeout,
        a lost answer, a sender killed mid-send), so a reply is never posted twice.
        """

    async def max_length(self) -> int:
        """The reply length limit on this account's server (the network default here)."""
        return self.rules.max_length

    async def moderate(self, target: ModerationTarget, action: str) -> None:
        """Do ``action`` ("spam", "hide" or "read") to ``target`` on the network.

        Raises ``PermanentError`` when the network refuses for good (no
        moderator rights, a deleted comment), ``NotApplicable`` when there is
        nothing to act on, and other ``NetworkError``s for passing trouble.
        Only actions in ``moderation`` are ever asked.
        """
        raise PermanentError(f"{self.rules.label} offers no {action!r} action to cm-inbox")
