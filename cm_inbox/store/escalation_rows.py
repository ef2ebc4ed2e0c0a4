"""Escalation and webhook-delivery rows as model objects, and the error their steps raise."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cm_inbox.model import DeliveryState, EscalationState

if TYPE_CHECKING:
    from cm_inbox.model.escalations import Escalation, EscalationNote, WebhookDelivery


ESCALATION_COLUMNS = (
    "e.id, e.comment_id, e.team, e.severity, e.note, e.state, e.created_at, e.updated_at,"
    " e.answered_at, e.closed_at"
)


class EscalationError(Exception):
    """An escalation step that cannot be taken, worded for the user."""


def escalation_from_row(
    row: sqlite3.Row,
    notes: Sequence[EscalationNote] = (),
    deliveries: Sequence[WebhookDelivery] = (),
) -> Escalation:
    from cm_inbox.model.escalations import Escalation

    return Escalation(
        id=row["id"],
        comment_id=row["comment_id"],
        team=row["team"],
        state=EscalationState(row["state"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        severity=row["severity"],
        note=row["note"] or "",
        answered_at=row["answered_at"],
        closed_at=row["closed_at"],
        notes=tuple(notes),
        deliveries=tuple(deliveries),
    )


def delivery_from_row(row: sqlite3.Row) -> WebhookDelivery:
    from cm_inbox.model.escalations import WebhookDelivery

    return WebhookDelivery(
        id=row["id"],
        escalation_id=row["escalation_id"],
        kind=row["kind"],
        team=row["team"],
        state=DeliveryState(row["state"]),
        attempts=row["attempts"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        next_attempt_at=row["next_attempt_at"],
        last_error=row["last_error"],
        last_status=row["last_status"],
        host=row["host"],
        delivered_at=row["delivered_at"],
    )
