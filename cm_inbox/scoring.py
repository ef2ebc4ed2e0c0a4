"""What ingest adds to each new comment: its listening signals and its priority.

The signals (language, sentiment, intents) come from ``cm_inbox.listening``;
the priority from ``cm_inbox.listening.priority``, with the wait measured
against the response target of the comment's tier (``cm_inbox.targets``), on
business hours when the config sets them. A store holds one ``Scorer`` and
uses it for every comment it has not seen before.

The wait part of a priority grows as a comment waits, so stored priorities are
moved on from time to time (``Store.refresh_priorities``): only the wait part
changes, by the difference between its value then and now, so what a triage
rule added to a priority is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import TYPE_CHECKING

from cm_inbox.listening import Signals, analyze
from cm_inbox.listening import priority as ranking
from cm_inbox.response_config import TargetSettings
from cm_inbox.targets import Targets, tier_of

if TYPE_CHECKING:
    from cm_inbox.model.incoming import IncomingComment


@dataclass(frozen=True, slots=True)
class Facts:
    """What the priority weighs besides the signals."""

    followers: int | None
    likes: int | None
    replies: int | None
    created_at: int


class Scorer:
    """Signals and priorities with one set of response targets."""

    def __init__(self, targets: Targets | None = None, default_language: str = "en") -> None:
        self.targets = targets or Targets(TargetSettings(), UTC)
        # The brand's main language: what a comment of emoji alone is taken to be.
        self.default_language = default_language

    @classmethod
    def from_settings(cls, settings: TargetSettings, tz: tzinfo) -> Scorer:
        return cls(Targets(settings, tz))

    def signals(self, item: IncomingComment) -> Signals:
        """The item's signals: computed ahead (an import's reader) or now."""
        found = item.signals
        if found is not None:
            return found
        return analyze(item.text, item.language, self.default_language)

    def target_s(self, signals: Signals) -> int:
        """The response target of the tier the signals put a comment in (0: none)."""
        floor = ranking.band_floor(sentiment=signals.sentiment, intents=signals.intents)
        return self.targets.target(tier_of(floor)) or 0

    def waited(self, created_at: int, now: int) -> int:
        return self.targets.elapsed(created_at, now)

    def priority(self, signals: Signals, facts: Facts, now: int) -> float:
        return ranking.priority_score(
            sentiment=signals.sentiment,
            sentiment_score=signals.sentiment_score,
            intents=signals.intents,
            followers=facts.followers,
            likes=facts.likes,
            replies=facts.replies,
            waited_s=self.waited(facts.created_at, now),
            target_s=self.target_s(signals),
        )

    def wait_gain(self, signals: Signals, created_at: int, then: int, now: int) -> float:
        """How much the priority rose from waiting between ``then`` and ``now``.

        The wait is one term of the score's sum, so the difference of two
        scores that differ only in it is that term's growth.
        """
        target = self.target_s(signals)

        def score(at: int) -> float:
            return ranking.priority_score(
                sentiment=signals.sentiment,
                sentiment_score=signals.sentiment_score,
                intents=signals.intents,
                followers=None,
                likes=None,
                replies=None,
                waited_s=self.waited(created_at, at),
                target_s=target,
            )

        return score(now) - score(then)

    def explain(self, signals: Signals, facts: Facts, now: int) -> str:
        """The thread pane's line: "negative · bug report · 12k followers · waiting 3 h of 4 h"."""
        return ranking.explain(
            sentiment=signals.sentiment,
            intents=signals.intents,
            followers=facts.followers,
            likes=facts.likes,
            replies=facts.replies,
            waited_s=self.waited(facts.created_at, now),
            target_s=self.target_s(signals),
        )


def stored_signals(
    language: str | None, sentiment: str | None, score: float | None, intents: str | None
) -> Signals | None:
    """Signals as a store row holds them; None for a comment never scored."""
    if sentiment is None:
        return None
    return Signals(
        language=language,
        sentiment=sentiment,  # type: ignore[arg-type]
        sentiment_score=score or 0.0,
        intents=tuple(intents.split(",")) if intents else (),
    )
