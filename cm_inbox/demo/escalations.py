"""The demo's escalations: the comments its generator marked escalated, each handed
to a team the way a community manager would have, some already answered, so the
Escalated view shows teams, waits and answers from the first launch."""

from __future__ import annotations

import random

from cm_inbox.model import QueueQuery, Sort, View
from cm_inbox.store import Store

# Which team a kind of comment goes to, and how urgent it is.
ROUTE = {"crisis": ("press", "critical"), "bug": ("product", "high")}
NOTES = {
    "press": (
        "Going viral: 40 reposts in an hour. Need a holding statement before we answer.",
        "A journalist is in the replies. Please confirm what we can say publicly.",
    ),
    "product": (
        "Reproducible on the latest version; the customer can share logs.",
        "Third report of this today: can someone confirm it is known?",
    ),
    "support": ("Paying customer, asks for a call back.",),
}
ANSWERS = {
    "press": "Statement approved: acknowledge, apologise, point to the status page.",
    "product": "Known issue, fix ships in 4.2.1 on Thursday. OK to say so.",
    "support": "Called back, refund issued.",
}


def escalate_demo(store: Store, kinds: dict[tuple[str, str], str], *, seed: int, now: int) -> int:
    """Give each escalated comment its team, severity and note (``kinds``: the
    generator's kind by (account, remote id)); a third are answered. Returns how many."""
    rng = random.Random(seed)
    done = 0
    for row in store.iter_queue(QueueQuery(view=View.ESCALATED, sort=Sort.OLDEST)):
        comment = row.comment
        team, severity = ROUTE.get(kinds.get((comment.account, comment.remote_id), ""),
                                   ("support", "normal"))  # fmt: skip
        escalated_at = min(now - 60, comment.created_at + rng.randint(5, 90) * 60)
        answered = rng.random() < 0.35
        store.record_past_escalation(
            comment.id,
            team,
            severity=severity,
            note=rng.choice(NOTES[team]),
            created_at=escalated_at,
            answer=ANSWERS[team] if answered else None,
            answered_at=min(now, escalated_at + rng.randint(20, 240) * 60) if answered else None,
        )
        done += 1
    return done
