"""Keeping priorities true as comments wait, and scoring comments stored before scoring existed."""

from __future__ import annotations

from collections.abc import Callable

from cm_inbox.listening import analyze
from cm_inbox.scoring import Facts, Scorer, stored_signals
from cm_inbox.store.base import StoreBase
from cm_inbox.targets import Targets

# Views still waiting for the brand (a status each): their priority keeps counting the wait.
_OPEN = ("new", "snoozed", "escalated")
_WEEK = 7 * 86_400


class ScoringMixin(StoreBase):
    def use_targets(self, targets: Targets, default_language: str = "en") -> None:
        """Score new comments against these response targets (the config's), taking
        comments that show no language (emoji alone) as ``default_language``."""
        self.scorer = Scorer(targets, default_language)

    def refresh_priorities(self, now: int | None = None) -> int:
        """Raise open comments' priorities by what they waited since last scored; how many moved.

        Only comments young enough for their wait to still count are read
        (the wait part stops growing at twice the target), from where the last
        refresh reached, through the (status, time) index: a few thousand rows
        at most, whatever the size of the inbox.
        """
        now = self.now() if now is None else now
        scorer = self.scorer
        targets = [t for t in scorer.targets.settings.seconds.values() if t]
        if not targets:
            return 0
        horizon = 2 * max(targets)
        if scorer.targets.clock is not None:
            # Business hours stretch a target over more calendar time: at least one
            # open hour a week, so a week per hour of target bounds it.
            horizon = horizon * _WEEK // 3600 + _WEEK
        found = self.db.query_one("SELECT refreshed_at FROM scoring WHERE id = 1")
        since = min(found[0], now) if found is not None else now
        marks = ",".join("?" * len(_OPEN))
        rows = self.db.query(
            "SELECT id, priority, created_at, scored_at, language, sentiment, sentiment_score,"
            f" intents FROM comments WHERE bucket IN ({marks}) AND created_at > ?"
            " AND scored_at IS NOT NULL AND scored_at < ?",
            (*_OPEN, since - horizon, now),
        )
        moves = []
        for row in rows:
            signals = stored_signals(row[4], row[5], row[6], row[7])
            if signals is None:
                continue
            gain = scorer.wait_gain(signals, row[2], row[3], now)
            if gain >= 0.01:
                moves.append((min(100.0, round(row[1] + gain, 2)), now, row[0]))
        with self.db.transaction() as conn:
            conn.executemany("UPDATE comments SET priority = ?, scored_at = ? WHERE id = ?", moves)
            conn.execute(
                "INSERT INTO scoring (id, refreshed_at) VALUES (1, ?)"
                " ON CONFLICT (id) DO UPDATE SET refreshed_at = excluded.refreshed_at",
                (now,),
            )
        return len(moves)

    def has_unscored(self) -> bool:
        """True while some comment has no signals yet (an inbox from before listening)."""
        return (
            self.db.query_one("SELECT 1 FROM comments WHERE sentiment IS NULL LIMIT 1") is not None
        )

    def score_unscored(
        self, *, chunk: int = 1000, on_chunk: Callable[[int], None] | None = None
    ) -> int:
        """Signals and priority for every comment stored without them (an inbox from
        before listening existed); chunk by chunk, each in its own transaction."""
        now = self.now()
        scorer = self.scorer
        done = 0
        last = 0
        while True:
            rows = self.db.query(
                "SELECT c.id, c.text, c.language, c.created_at, c.likes, c.replies, c.is_ours,"
                " a.followers FROM comments c JOIN authors a ON a.id = c.author_id"
                " WHERE c.id > ? AND c.sentiment IS NULL ORDER BY c.id LIMIT ?",
                (last, chunk),
            )
            if not rows:
                return done
            updates = []
            for row in rows:
                signals = analyze(row[1], row[2], scorer.default_language)
                facts = Facts(row[7], row[4], row[5], row[3])
                priority = 0.0 if row[6] else scorer.priority(signals, facts, now)
                updates.append(
                    (
                        signals.language or row[2],
                        signals.sentiment,
                        signals.sentiment_score,
                        ",".join(signals.intents) or None,
                        priority,
                        now,
                        row[0],
                    )
                )
            with self.db.transaction() as conn:
                conn.executemany(
                    "UPDATE comments SET language = ?, sentiment = ?, sentiment_score = ?,"
                    " intents = ?, priority = ?, scored_at = ? WHERE id = ?",
                    updates,
                )
            done += len(updates)
            last = rows[-1][0]
            if on_chunk is not None:
                on_chunk(done)
