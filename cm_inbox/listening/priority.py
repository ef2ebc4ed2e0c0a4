"""Which comment to answer first: one score from 0 to 100, and the line that explains it.

The score is a *band* set by what the comment is, then a place inside the band
set by how much it matters now:

    band                                                      score
    crisis (legal threat, safety, boycott, data leak, press)  75-100  urgent
    bug report or complaint (negative first)                  50-75   high
    question, purchase intent, anything else neutral           25-50   normal
    praise, other positive comments, spam                      0-25    low

Inside a band, the author's reach (followers), the comment's traction (likes,
replies), how long it has waited against the response target, and how strongly
it is felt move it up; none of them can move a comment out of its band, so a
crisis from an account with no followers still comes before a complaint from a
celebrity, and no amount of reach lifts praise above a complaint. Waiting past
the target keeps raising the score until twice the target.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

TIERS = (("urgent", 75.0), ("high", 50.0), ("normal", 25.0), ("low", 0.0))
"""Tier names and the lowest score of each, highest first; the response-target code reads these."""

_WIDTH = 25.0
_TOP = 24.99  # a comment never reaches the band above
_PLACE = {"reach": 0.3, "traction": 0.2, "wait": 0.35, "feeling": 0.15}
_INTENT_NAMES = {
    "crisis": "crisis",
    "bug": "bug report",
    "complaint": "complaint",
    "question": "question",
    "purchase": "purchase intent",
    "praise": "praise",
    "spam": "spam",
}
_INTENT_ORDER = ("crisis", "bug", "complaint", "question", "purchase", "praise", "spam")


def band_floor(*, sentiment: str, intents: Iterable[str]) -> float:
    """The lowest score of the band the comment falls in (see the module's table)."""
    found = set(intents)
    if "spam" in found:
        return 0.0
    if "crisis" in found:
        return 75.0
    if found & {"bug", "complaint"}:
        return 50.0
    if sentiment == "negative":
        return 50.0 if found - {"praise"} else 25.0
    if sentiment == "positive" and not found & {"question", "purchase"}:
        return 0.0
    return 25.0


def priority_score(
    *,
    sentiment: str,
    sentiment_score: float,
    intents: Iterable[str],
    followers: int | None,
    likes: int | None,
    replies: int | None,
    waited_s: float,
    target_s: float,
) -> float:
    """The comment's priority in 0..100, higher first (see the module's docstring for how)."""
    found = tuple(intents)
    floor = band_floor(sentiment=sentiment, intents=found)
    if floor == 0.0 and "spam" in found:
        return 0.0
    reach = min(1.0, math.log10(1 + max(followers or 0, 0)) / 6)  # a million followers: 1
    traction = min(1.0, math.log10(1 + max(likes or 0, 0) + 3 * max(replies or 0, 0)) / 3)
    wait = _wait_share(waited_s, target_s)
    # Anger raises a comment within its band; delight does not (praise can wait).
    feeling = abs(sentiment_score) if sentiment == "negative" else 0.0
    place = (
        _PLACE["reach"] * reach
        + _PLACE["traction"] * traction
        + _PLACE["wait"] * wait
        + _PLACE["feeling"] * min(max(feeling, 0.0), 1.0)
    )
    return round(floor + _TOP * place, 2)


def tier_of(score: float) -> str:
    """The tier a score falls in: "urgent", "high", "normal" or "low"."""
    for name, lowest in TIERS:
        if score >= lowest:
            return name
    return TIERS[-1][0]


def explain(
    *,
    sentiment: str,
    intents: Iterable[str],
    followers: int | None,
    likes: int | None = 0,
    replies: int | None = 0,
    waited_s: float,
    target_s: float,
    sentiment_score: float | None = None,
) -> str:
    """One line for the thread pane: "negative · bug report · 12k followers · waiting 3 h of 4 h"."""
    del sentiment_score  # accepted so callers can pass priority_score's arguments as they are
    found = set(intents)
    pieces = [sentiment]
    pieces += [_INTENT_NAMES[name] for name in _INTENT_ORDER if name in found]
    count = max(followers or 0, 0)
    pieces.append(f"{_amount(count)} follower{'s' if count != 1 else ''}")
    if likes:
        pieces.append(f"{_amount(likes)} like{'s' if likes != 1 else ''}")
    if replies:
        pieces.append(f"{_amount(replies)} repl{'ies' if replies != 1 else 'y'}")
    if target_s > 0 and waited_s > target_s:
        pieces.append(f"overdue by {_duration(waited_s - target_s)}")
    elif target_s > 0:
        pieces.append(f"waiting {_duration(waited_s)} of {_duration(target_s)}")
    else:
        pieces.append(f"waiting {_duration(waited_s)}")
    return " · ".join(pieces)


def _wait_share(waited_s: float, target_s: float) -> float:
    """0 when new, 0.5 at the target, 1 at twice the target and after."""
    if target_s <= 0:
        return 1.0 if waited_s > 0 else 0.0
    ratio = max(waited_s, 0.0) / target_s
    return min(ratio, 2.0) / 2.0


def _amount(count: int) -> str:
    """12 → "12", 12_400 → "12k", 1_250_000 → "1.2M" (as people say follower counts)."""
    if count < 1000:
        return str(count)
    if count < 10_000:
        return f"{count / 1000:.1f}".rstrip("0").rstrip(".") + "k"
    if count < 1_000_000:
        return f"{count // 1000}k"
    return f"{count / 1_000_000:.1f}".rstrip("0").rstrip(".") + "M"


def _duration(seconds: float) -> str:
    """45 → "45 s", 600 → "10 min", 10_800 → "3 h", 2 days → "2 d" (rounded down)."""
    seconds = max(int(seconds), 0)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86_400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86_400} d"
