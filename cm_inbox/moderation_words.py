"""What became of a triage key on the network, in words for the thread pane.

Each network does the same key its own way (Reddit removes, YouTube holds for
review, Discourse flags, GitHub minimizes), and a community manager wants to
know which: "held for review on YouTube", "Reddit refused to remove it: needs
moderator rights in the subreddit".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cm_inbox.networks.rules import rules_for

if TYPE_CHECKING:
    from cm_inbox.store.results import NetworkOutcome

_DONE = {
    ("reddit", "hide"): "removed from Reddit",
    ("reddit", "spam"): "removed from Reddit as spam",
    ("youtube", "hide"): "held for review on YouTube",
    ("youtube", "spam"): "rejected on YouTube",
    ("discourse", "hide"): "flagged inappropriate on the forum",
    ("discourse", "spam"): "flagged as spam on the forum",
    ("github", "hide"): "hidden on GitHub as off-topic",
    ("github", "spam"): "hidden on GitHub as spam",
}
_DONE_ANY = {
    "hide": "hidden on {network}",
    "spam": "reported as spam on {network}",
    "read": "marked read on {network}",
}
# What the network was asked, for "… refused to …" and "… waits to …".
_ASK = {
    ("reddit", "hide"): "remove it",
    ("reddit", "spam"): "remove it as spam",
    ("youtube", "hide"): "hold it for review",
    ("youtube", "spam"): "reject it",
    ("discourse", "hide"): "flag it inappropriate",
    ("discourse", "spam"): "flag it as spam",
}
_ASK_ANY = {"hide": "hide it", "spam": "report it as spam", "read": "mark it read"}


def outcome_words(network: str, outcome: NetworkOutcome, *, connected: bool = True) -> str:
    """One line on what ``outcome`` says happened (or will) on ``network``."""
    label = rules_for(network).label
    ask = _ASK.get((network, outcome.action)) or _ASK_ANY.get(outcome.action, outcome.action)
    if outcome.outcome is None:
        if not connected:  # marks made meanwhile stay here, even once it is connected
            return f"not asked of {label}: its account is not connected"
        return f"will {ask} on {label} at the next sync"
    kind, _, reason = outcome.outcome.partition(": ")
    if kind == "refused":
        return f"{label} refused to {ask}: {reason}"
    if kind == "skipped":
        return f"nothing to {ask} on {label}: {reason}"
    done = _DONE.get((network, outcome.action))
    return done or _DONE_ANY.get(outcome.action, outcome.action).format(network=label)


def outcome_tone(outcome: NetworkOutcome) -> str:
    """ "ok", "waiting", "refused" or "skipped": how the pane colours the line."""
    if outcome.outcome is None:
        return "waiting"
    kind = outcome.outcome.partition(":")[0]
    return kind if kind in ("refused", "skipped") else "ok"
