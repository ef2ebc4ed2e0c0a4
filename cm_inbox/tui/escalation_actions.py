"""The inbox screen's escalation keys, and the courier that tells teams' chats.

``e`` hands comments to a team; in the Escalated view ``a`` records the team's
answer, ``n`` adds a note, ``c`` closes, ``w`` sends a failed or unsure chat
message again. Every step is the store's, undoable with ``u``.

Webhook messages go out in a worker thread (``Courier``), at once after an
escalation and then whenever the next retry is due, so a 500 or a dropped
connection never holds up the keys. The screen's rows and thread pane follow
each delivery; a refusal, or a message that may not have arrived, is notified.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from textual import work

from cm_inbox.model import Status
from cm_inbox.store import EscalationError, StoreError
from cm_inbox.webhooks.wording import needs_user

if TYPE_CHECKING:
    from cm_inbox.model.escalations import Escalation
    from cm_inbox.webhooks.delivery import Courier, DeliveryReport


class EscalationActions:
    """Mixed into ``InboxScreen``: it provides the store, the queue, ``_targets``,
    ``_after_change``, ``_force_highlight``, ``say`` and the thread pane."""

    _courier_timer = None

    # -- e: escalate ------------------------------------------------------------

    def action_escalate(self) -> None:
        from cm_inbox.tui.screens.escalate import EscalateScreen, EscalationRequest

        ids, from_selection = self._targets()
        if not ids:
            self.app.bell()
            return
        webhooks = self.app.config.escalation.webhooks

        def chosen(request: EscalationRequest | None) -> None:
            if request is None:
                return
            notify = request.team in webhooks
            try:
                self.store.escalate(
                    ids, request.team, request.note, request.severity, notify=notify
                )
            except StoreError as error:
                self.notify(str(error), severity="error")
                return
            self._after_change(ids, Status.ESCALATED, from_selection)
            told = " · its chat is being told" if notify else ""
            self.say(_done(f"Escalated to {request.team}", len(ids)) + told)
            if notify:
                self.kick_courier()

        teams = list(self.app.config.escalation.teams)
        self.app.push_screen(EscalateScreen(teams, len(ids), notified=webhooks), chosen)

    # -- a, n, c, w: the rest of an escalation's life -------------------------------

    def _active_targets(self) -> dict[int, Escalation] | None:
        """The open or answered escalation of each comment acted on, or None (told why)."""
        ids, _ = self._targets()
        if not ids:
            self.app.bell()
            return None
        active = self.store.active_escalations(ids)
        if not active:
            self.app.bell()
            self.say("No team has it (escalated before, or closed): e hands it to one")
            return None
        return active

    def action_answer_escalation(self) -> None:
        from cm_inbox.tui.screens.escalation_note import EscalationNoteScreen

        active = self._active_targets()
        if active is None:
            return
        teams = sorted({e.team for e in active.values()})
        first = next(iter(active.values()))
        context = f"Escalated to {', '.join(teams)}" + (
            f" with the note: {first.note}" if len(active) == 1 and first.note else ""
        )

        def chosen(text: str | None) -> None:
            if text is not None:
                self._step(active, "answer_escalations", text, "Team's answer recorded")

        self.app.push_screen(
            EscalationNoteScreen(
                f"What {' / '.join(teams)} answered", context, "Paste or sum up their answer"
            ),
            chosen,
        )

    def action_note_escalation(self) -> None:
        from cm_inbox.tui.screens.escalation_note import EscalationNoteScreen

        active = self._active_targets()
        if active is None:
            return
        count = len(active)
        title = "Note on this escalation" if count == 1 else f"Note on {count:,} escalations"

        def chosen(text: str | None) -> None:
            if text is not None:
                self._step(active, "note_escalations", text, "Note added")

        teams = ", ".join(sorted({e.team for e in active.values()}))
        self.app.push_screen(
            EscalationNoteScreen(title, f"Escalated to {teams}", "What happened since"), chosen
        )

    def action_close_escalation(self) -> None:
        """Done with these escalated comments: every escalation of theirs closed, and
        they move to Handled (those escalated with no record too, as imports bring)."""
        ids, from_selection = self._targets()
        if not ids:
            self.app.bell()
            return
        try:
            self.store.close_escalated_comments(ids)
        except StoreError as error:
            self.notify(str(error), title="Escalation", severity="error")
            return
        gone = [i for i in ids if (c := self.store.comment(i)) and c.status is Status.DONE]
        if gone:
            self._after_change(gone, Status.DONE, from_selection)
        self.say(_done("Closed", len(gone)))

    def _step(self, active: dict[int, Escalation], method: str, text: str, label: str) -> bool:
        try:
            getattr(self.store, method)([e.id for e in active.values()], text)
        except (EscalationError, StoreError) as error:
            self.app.bell()
            self.notify(str(error), title="Escalation", severity="error")
            return False
        comment_ids = list(active)
        self.queue.forget(comment_ids)
        self.queue.selected.clear()
        self._force_highlight()
        self.say(_done(label, len(comment_ids)))
        return True

    def action_resend_webhook(self) -> None:
        row = self.queue.current
        if row is None:
            self.app.bell()
            return
        stuck = [e for e in self.store.escalation_records(row.comment.id)
                 if needs_user(e.latest_delivery)]  # fmt: skip
        if not stuck:
            self.app.bell()
            self.say("No chat message to send again: none failed or went unanswered")
            return
        try:
            delivery = self.store.resend_delivery(stuck[0].id)
        except EscalationError as error:
            self.notify(str(error), title="Escalation", severity="error")
            return
        if delivery.team not in self.app.config.escalation.webhooks:
            self.say(f"Queued again; {delivery.team} has no webhook in config.toml yet")
            return
        self.say(f"Sending to {delivery.team}'s chat again")
        self.queue.forget([row.comment.id])
        self._force_highlight()
        self.kick_courier()

    # -- the courier -----------------------------------------------------------------

    def courier(self) -> Courier | None:
        """The app's courier, made on first need; None when no team has a webhook."""
        courier = getattr(self.app, "courier", None)
        webhooks = self.app.config.escalation.webhooks
        if courier is None and webhooks:
            from cm_inbox.sync import RetryPolicy
            from cm_inbox.webhooks.delivery import Courier

            sync = self.app.config.sync
            courier = Courier(
                self.store,
                webhooks,
                retry=RetryPolicy.of(sync),
                timeout_s=sync.timeout_seconds,
            )
            self.app.courier = courier
        return courier

    def start_courier(self) -> None:
        """At start: messages left waiting (or mid-send) by an earlier session go on.

        Only when there are some: the HTTP client is not worth loading beside the
        first screen for nothing.
        """
        teams = list(self.app.config.escalation.webhooks)
        if teams and (self.store.next_delivery_due(teams) or self.store.delivery_senders()):
            self.call_after_refresh(self.kick_courier)

    def kick_courier(self) -> None:
        """Send what is due now, in the background."""
        courier = self.courier()
        if courier is None:
            return
        if self._courier_timer is not None:
            self._courier_timer.stop()
            self._courier_timer = None
        self._deliver(courier)

    @work(thread=True, group="webhooks", exclusive=False)
    def _deliver(self, courier: Courier) -> None:
        report = courier.run()
        with contextlib.suppress(RuntimeError):  # the app is closing
            self.app.call_from_thread(self._delivered, courier, report)

    def _delivered(self, courier: Courier, report: DeliveryReport | None) -> None:
        if report is not None:
            self._show_delivery(report)
        if self._courier_timer is not None:
            self._courier_timer.stop()
            self._courier_timer = None
        due = courier.next_due()
        if due is not None:
            wait = max(0.5, due - self.app.clock())
            self._courier_timer = self.set_timer(wait, self.kick_courier)

    def _show_delivery(self, report: DeliveryReport) -> None:
        if report.comment_ids:
            self.queue.forget(report.comment_ids)
            current = self.queue.current
            if current is not None and current.comment.id in report.comment_ids:
                self._load_thread(current.comment.id)
        if report.troubles:
            self.notify(
                "\n".join(report.troubles)
                + "\nw in the Escalated view sends it again (look in the channel first).",
                title="Team chat",
                severity="error",
                timeout=15,
            )
        elif report.retrying or report.waiting:
            self.say("Team chat: " + "; ".join([*report.retrying, *report.waiting]))
        elif report.delivered:
            self.say("Sent to the chat of " + ", ".join(report.delivered))


def _done(label: str, count: int) -> str:
    noun = "comment" if count == 1 else "comments"
    return f"{label}: {count:,} {noun} · u to undo"
