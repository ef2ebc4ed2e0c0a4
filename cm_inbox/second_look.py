"""Think before sending (issue rule 9): which comments ask for a second look.

A crisis (legal, safety or press words: the listening lexicons' crisis cues,
found in ``comment.intents``), or a strongly negative comment that many people
will see (a large following, or many likes and replies), is answered only
after the writer has gone through a short checklist and pressed a confirming
key. ``[checks] second_look = "off"`` turns it off; the thresholds are
``second_look_score``, ``second_look_followers`` and ``second_look_traction``.
"""

from __future__ import annotations

from cm_inbox.check_settings import CheckSettings
from cm_inbox.model import Comment

# What the writer goes through before a risky reply is queued.
CHECKLIST: tuple[str, ...] = ("Facts verified?", "Tone calm?", "Escalated if needed?")


def second_look_reasons(comment: Comment, settings: CheckSettings) -> list[str]:
    """Why a reply to ``comment`` needs a second look; empty when it does not.

    Each reason is a short plain-text phrase for the composer to show.
    """
    if not settings.second_look:
        return []
    reasons: list[str] = []
    if "crisis" in comment.intents:
        reasons.append("crisis words (legal, safety or press)")
    score = comment.sentiment_score
    if (
        comment.sentiment == "negative"
        and score is not None
        and score <= settings.second_look_score
    ):
        followers = comment.author.followers or 0
        traction = (comment.likes or 0) + (comment.replies or 0)
        if followers >= settings.second_look_followers:
            reasons.append(
                f"strongly negative ({score:+.1f}) from an author with {followers:,} followers"
            )
        elif traction >= settings.second_look_traction:
            reasons.append(f"strongly negative ({score:+.1f}) with {traction:,} likes and replies")
    return reasons
