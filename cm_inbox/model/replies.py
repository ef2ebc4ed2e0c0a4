"""A reply written in cm-inbox, from draft to sent (the outbox and the thread pane show them)."""

from __future__ import annotations

from dataclasses import dataclass

from cm_inbox.model import ReplyState


@dataclass(frozen=True, slots=True)
class Reply:
    """A reply written in cm-inbox, from draft to sent."""

    id: int
    comment_id: int
    account_id: int
    text: str
    state: ReplyState
    created_at: int
    updated_at: int
    error: str | None = None
    remote_id: str | None = None
    sent_at: int | None = None
    attempts: int = 0
    queued_at: int | None = None
    # Failed with a time: it will be tried again then. Failed without: the
    # network refused it for good, and it waits for the user.
    next_attempt_at: int | None = None
    # An attempt may have reached the network unanswered: looked for before any retry.
    maybe_sent: bool = False

    @property
    def retrying(self) -> bool:
        return self.state is ReplyState.FAILED and self.next_attempt_at is not None

    @property
    def may_be_withdrawn(self) -> bool:
        """True while it has certainly not left: still queued, or refused."""
        return self.state in (ReplyState.QUEUED, ReplyState.FAILED) and not self.maybe_sent
