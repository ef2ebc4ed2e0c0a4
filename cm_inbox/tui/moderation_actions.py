"""The inbox screen's key for the networks' own moderation: ``H`` hides a comment there.

Locally it closes the comment like ``d`` (undoable with ``u``) and records the
"hide" mark; the sync does the rest once the undo window has passed
(``cm_inbox.moderation``). Whether a network can hide is read from the
registry's table, so no connector module loads with the screen.
"""

from __future__ import annotations

from cm_inbox.model import Status
from cm_inbox.networks import rules_for
from cm_inbox.networks.registry import moderation_actions

# Comments looked at to know whether a key reaches any network: a few rows say it.
LOOK = 200


class ModerationActions:
    """Mixed into ``InboxScreen``: it provides the store, ``_targets``,
    ``_change_status``, ``say``, the sync status and the app's config."""

    def action_hide(self) -> None:
        """Hide on the network (and done here); left alone where the network cannot hide."""
        ids, from_selection = self._targets()
        if not ids:
            self.app.bell()
            return
        reach = self.store.reach_of(ids)
        able = [i for i in ids if i in reach and "hide" in moderation_actions(reach[i].network)]
        cannot = sorted(
            {rules_for(r.network).label for r in reach.values()
             if "hide" not in moderation_actions(r.network)}
        )  # fmt: skip
        if not able:
            names = " and ".join(cannot) or "This network"
            self.say(f"{names} cannot hide comments: nothing changed")
            return
        in_worker = self._change_status(
            able, from_selection, Status.DONE, "To hide on the network", action="hide"
        )
        self.network_soon(able, "hide")
        if in_worker:
            return  # the worker says so when it is done
        notes = []
        if cannot:
            left = len(ids) - len(able)
            notes.append(f"{left:,} left alone ({' and '.join(cannot)} cannot hide)")
        unreached = sorted(
            {rules_for(reach[i].network).label for i in able if not reach[i].connected}
        )
        if unreached:
            notes.append(f"{' and '.join(unreached)} not told: no connected account")
        if notes:
            noun = "comment" if len(able) == 1 else "comments"
            self.say(
                f"To hide on the network: {len(able):,} {noun} · u to undo · " + " · ".join(notes)
            )

    def network_soon(self, ids: list[int], action: str) -> None:
        """Sync once the undo window has passed, so the network hears of the key soon."""
        reach = self.store.reach_of(ids[:LOOK])
        if any(r.connected and action in moderation_actions(r.network) for r in reach.values()):
            self.sync_status.later(self.app.config.sync.undo_seconds + 1)
