"""Where a team's message stands, in the words the thread pane and the CLI show."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cm_inbox.model import DeliveryState
from cm_inbox.timefmt import ago, within

if TYPE_CHECKING:
    from cm_inbox.model.escalations import WebhookDelivery


# How each state should look: fine, on its way, or needing the user.
TONE = {
    DeliveryState.DELIVERED: "ok",
    DeliveryState.PENDING: "waiting",
    DeliveryState.SENDING: "waiting",
    DeliveryState.CANCELLED: "muted",
    DeliveryState.FAILED: "trouble",
    DeliveryState.UNSURE: "trouble",
}


def delivery_words(delivery: WebhookDelivery, now: float, *, configured: bool = True) -> str:
    """E.g. "sent to support (hooks.slack.com) 2m ago", "500 Internal Server Error from
    hooks.example.com; retrying in 1m (2 tries)", "failed: 404 Not Found from …".

    ``configured``: whether this process has a webhook for the team (a message
    queued elsewhere waits for one that does).
    """
    what = "withdrawal notice" if delivery.kind == "withdrawn" else "message"
    state = delivery.state
    host = f" ({delivery.host})" if delivery.host else ""
    if state is DeliveryState.DELIVERED:
        when = ago(delivery.delivered_at or delivery.updated_at, now)
        when = "just now" if when == "now" else when
        sent = "withdrawal sent" if delivery.kind == "withdrawn" else "sent"
        return f"{sent} to {delivery.team}{host} {when}"
    if state is DeliveryState.SENDING:
        return f"sending the {what} to {delivery.team}{host}…"
    if state is DeliveryState.PENDING:
        if not configured:
            return f"{what} waiting: no webhook for {delivery.team} in this config.toml"
        if delivery.last_error and delivery.next_attempt_at is not None:
            tries = f" ({delivery.attempts} tries)" if delivery.attempts > 1 else ""
            return f"{delivery.last_error}; retrying {within(delivery.next_attempt_at, now)}{tries}"
        return f"{what} to {delivery.team} waiting to be sent"
    if state is DeliveryState.FAILED:
        return f"failed: {delivery.last_error or 'refused'}"
    if state is DeliveryState.UNSURE:
        return (
            f"may have arrived ({delivery.last_error or 'no answer'}): look in {delivery.team}'s"
            " channel before sending it again"
        )
    return f"{what} not sent: {delivery.last_error or 'no longer needed'}"


def needs_user(delivery: WebhookDelivery | None) -> bool:
    """A failed or unsure message: only the user can decide to send it again."""
    return delivery is not None and delivery.state in (DeliveryState.FAILED, DeliveryState.UNSURE)
