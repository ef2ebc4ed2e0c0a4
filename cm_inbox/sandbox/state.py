"""What the sandbox networks share: the clock, the generated audience, the
replies they accepted, and the fault switches tests and users can flip.

The audience comes from the demo generator, so the sandbox talks about the
same brand as the demo. Records are generated with times reaching a little
into the future and shown only once the clock has passed them: the sandbox
"receives" new comments as time goes by, and a second sync soon after the
first finds nothing new.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cm_inbox.demo.generator import iter_records
from cm_inbox.sandbox.chatter import Chatter, generate
from cm_inbox.sandbox.faults import FaultPlan

# How far into the future the generated comments reach, and how many there are
# over the whole span (14 days back + this): about one new comment every few
# minutes on each network.
FUTURE_S = 6 * 3600
RECORD_COUNT = 4000

# New comments show up in batches, at most this often (see ``records``).
QUIET_S = 600.0

FAULT_KINDS = (
    "rate_limit",  # the next N calls answer 429 with the network's headers and Retry-After
    "server_error",  # the next N calls answer 503
    "expire_tokens",  # every access token issued so far stops working (Bluesky: ExpiredToken)
    "revoke",  # every token and session is refused (401): a new login is needed
    "malformed",  # the next N notification pages carry one item in a broken shape
)


@dataclass
class AcceptedReply:
    """A reply the sandbox accepted, as `GET /_sandbox/replies` lists it."""

    network: str
    parent_id: str
    text: str
    created_at: str
    remote_id: str
    account: str
    extra: dict[str, Any] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        return {
            "network": self.network,
            "parent_id": self.parent_id,
            "text": self.text,
            "created_at": self.created_at,
            "id": self.remote_id,
            "account": self.account,
        }


@dataclass(frozen=True)
class ModerationCall:
    """A moderation call a twin answered, in the network's own terms, for tests to check.

    ``call`` is the endpoint ("remove", "setModerationStatus", "minimizeComment",
    "post_actions", "mark-read", "read_message"), ``detail`` its argument that
    matters ("spam=true", "heldForReview", "OFF_TOPIC", "8"), ``accepted`` False
    when the twin refused it (no moderator rights).
    """

    network: str
    call: str
    target: str
    detail: str = ""
    accepted: bool = True

    def public(self) -> dict[str, Any]:
        return {
            "network": self.network,
            "call": self.call,
            "target": self.target,
            "detail": self.detail,
            "accepted": self.accepted,
        }


class SandboxState:
    """Shared by the network twins of one sandbox; thread-safe for uvicorn's workers."""

    def __init__(
        self,
        *,
        seed: int = 7,
        clock: Callable[[], float] = time.time,
        future_s: int = FUTURE_S,
        count: int = RECORD_COUNT,
        since: int | None = None,
        quiet_s: float = QUIET_S,
        history: list[dict[str, Any]] | None = None,
    ) -> None:
        """``since`` drops generated comments before it, and ``history`` (records in the
        demo generator's format) stands for that past instead: the demo inbox's own
        comments, so a reply to any of them lands under a post the sandbox knows."""
        self.seed = seed
        self.clock = clock
        self.lock = threading.RLock()
        self.started = int(clock())
        self._records: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for record in iter_records(seed=seed, now=self.started + future_s, count=count):
            record["_at"] = _epoch(record["created_at"])
            if since is not None and record["_at"] <= since:
                continue
            self._records[record["network"]].append(record)
        self.quiet_s = quiet_s
        self._horizon: dict[str, float] = {}
        for record in history or ():
            record["_at"] = _epoch(record["created_at"])
            self._records[record["network"]].append(record)
        for records in self._records.values():
            records.sort(key=lambda r: r["_at"])
        # Their times, in the same order: what the clock has reached is a prefix,
        # found by bisection (every answer asks; ten accounts syncing at once
        # queued behind a scan of every record).
        self._times = {
            network: [record["_at"] for record in records]
            for network, records in self._records.items()
        }
        self.replies: list[AcceptedReply] = []
        self.moderation: list[ModerationCall] = []
        # Networks where the brand's account has no moderator rights: Reddit and
        # YouTube refuse with 403, GitHub with FORBIDDEN, a Discourse flag waits
        # for the forum's moderators instead of hiding the post.
        self.not_moderator: set[str] = set()
        self._faults: dict[tuple[str, str], int] = {}
        # Bumped by "expire_tokens" and "revoke": tokens carry the generation they were issued in.
        self.token_generation: dict[str, int] = defaultdict(int)
        self.revoked: set[str] = set()
        # Random faults on every write (see cm_inbox.sandbox.faults); None: none.
        self.write_faults: FaultPlan | None = None
        # Calls allowed per rate-limit window, by network, where a test wants fewer
        # than the real ones (Mastodon 300 per 5 minutes, Bluesky 3000).
        self.call_limits: dict[str, int] = {}
        # Public talk about the brand that tags no account: what keyword watches find.
        self._chatter = generate(seed, self.started - 14 * 86_400, self.started + future_s)

    def now(self) -> float:
        return self.clock()

    def records(self, network: str) -> list[dict[str, Any]]:
        """The generated comments on ``network`` visible now, oldest first.

        What is visible moves forward with the clock, but at most once per
        ``quiet_s``: two syncs a few seconds apart see the same comments, so
        "a second sync adds none" holds, while a sync after a pause finds
        what the audience wrote meanwhile.
        """
        now = self.now()
        with self.lock:
            horizon = self._horizon.get(network)
            if horizon is None or now - horizon >= self.quiet_s:
                horizon = self._horizon[network] = now
        records = self._records.get(network, [])
        return records[: bisect_right(self._times.get(network, []), horizon)]

    def chatter(self, network: str) -> list[Chatter]:
        """The public posts about the brand on ``network`` the clock has reached, oldest first."""
        now = self.now()
        with self.lock:
            return [c for c in self._chatter if c.network == network and c.at <= now]

    def add_chatter(
        self, network: str, text: str, *, user: str = "sam", name: str = "Sam",
        title: str | None = None, at: float | None = None,
    ) -> Chatter:  # fmt: skip
        """Someone posts ``text`` on ``network`` (now, unless ``at`` says when): tests and demos."""
        with self.lock:
            serial = max((c.serial for c in self._chatter), default=0) + 1
            chatter = Chatter(
                serial, network, self.now() if at is None else at, user, name, text, title
            )
            self._chatter.append(chatter)
            self._chatter.sort(key=lambda c: (c.at, c.serial))
        return chatter

    # -- faults --------------------------------------------------------------

    def set_fault(self, network: str, kind: str, count: int = 1) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULT_KINDS)}")
        with self.lock:
            if kind == "expire_tokens":
                self.token_generation[network] += 1
            elif kind == "revoke":
                self.revoked.add(network)
            else:
                self._faults[(network, kind)] = self._faults.get((network, kind), 0) + count

    def clear_faults(self) -> None:
        with self.lock:
            self._faults.clear()
            self.revoked.clear()

    def take_fault(self, network: str, kind: str) -> bool:
        """True (and one fewer left) when a fault of ``kind`` is pending on ``network``."""
        with self.lock:
            left = self._faults.get((network, kind), 0)
            if left <= 0:
                return False
            self._faults[(network, kind)] = left - 1
            return True

    # -- replies ------------------------------------------------------------------

    def accept_reply(self, reply: AcceptedReply) -> None:
        with self.lock:
            self.replies.append(reply)

    def replies_on(self, network: str) -> list[AcceptedReply]:
        with self.lock:
            return [r for r in self.replies if r.network == network]

    # -- moderation ---------------------------------------------------------------

    def record_moderation(self, call: ModerationCall) -> None:
        with self.lock:
            self.moderation.append(call)

    def moderation_on(self, network: str) -> list[ModerationCall]:
        with self.lock:
            return [c for c in self.moderation if c.network == network]

    def is_moderator(self, network: str) -> bool:
        with self.lock:
            return network not in self.not_moderator


def _epoch(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())
