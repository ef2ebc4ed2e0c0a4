"""A comment handed to a team: the escalation, its notes, and its messages to the team's chat."""

from __future__ import annotations

from dataclasses import dataclass

from cm_inbox.model import DeliveryState, EscalationState


@dataclass(frozen=True, slots=True)
class EscalationNote:
    """A note on an escalation: the community manager's, or the team's answer."""

    id: int
    escalation_id: int
    kind: str  # "note" or "answer"
    text: str
    created_at: int


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One message to a team's chat webhook (the URL itself is never stored)."""

    id: int
    escalation_id: int
    kind: str  # "escalated", or "withdrawn" when an escalation that reached the team is undone
    team: str
    state: DeliveryState
    attempts: int
    created_at: int
    updated_at: int
    next_attempt_at: int | None = None
    last_error: str | None = None
    last_status: int | None = None
    host: str | None = None  # where the last attempt went: the host only
    delivered_at: int | None = None


@dataclass(frozen=True, slots=True)
class Escalation:
    """A comment handed to a team, with everything that happened to it since."""

    id: int
    comment_id: int
    team: str
    state: EscalationState
    created_at: int
    updated_at: int
    severity: str | None = None
    note: str = ""
    answered_at: int | None = None
    closed_at: int | None = None
    notes: tuple[EscalationNote, ...] = ()
    deliveries: tuple[WebhookDelivery, ...] = ()

    @property
    def is_active(self) -> bool:
        """Still the team's or the community manager's to finish."""
        return self.state in (EscalationState.OPEN, EscalationState.ANSWERED)

    def waited(self, now: float) -> int:
        """Seconds since it was escalated, up to its closing."""
        end = self.closed_at if self.closed_at is not None else now
        return max(0, int(end - self.created_at))

    @property
    def latest_delivery(self) -> WebhookDelivery | None:
        return max(self.deliveries, key=lambda d: d.id) if self.deliveries else None
