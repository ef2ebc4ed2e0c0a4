"""What the stats, the response targets and the spike alert read from the database.

Counts come from ``comment_tallies`` (comments per hour of creation, account,
status, language, sentiment and intents, kept by triggers), so a report over a
million comments sums a few thousand rows; only the first, partial hour of a
period is counted from the comments themselves. Response times come from the
events table: the ``outbox:sent`` event of the first reply of ours that left
(the same moment as ``replies.sent_at``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from cm_inbox.store.base import StoreBase

HOUR = 3600


@dataclass(frozen=True, slots=True)
class Tally:
    """How many comments created in one hour share these facts."""

    hour: int  # Unix hour: created_at // 3600
    network: str
    account: str
    status: str
    language: str | None
    sentiment: str | None
    intents: tuple[str, ...]
    count: int


@dataclass(frozen=True, slots=True)
class FirstResponse:
    """A comment, and when the first reply of ours to it left."""

    comment_id: int
    created_at: int
    priority: float
    sent_at: int

    @property
    def seconds(self) -> int:
        return self.sent_at - self.created_at


@dataclass(frozen=True, slots=True)
class PriorityBand:
    """Open comments with ``low <= priority < high`` created in [since, until]."""

    low: float
    high: float
    until: int


class StatsMixin(StoreBase):
    def tallies(self, since: int | None = None) -> list[Tally]:
        """Comment counts by hour and facts, for comments created at or after ``since``.

        The brand's own posts are left out: they are what it says, not what it
        receives.
        """
        start_hour = 0 if since is None else math.ceil(since / HOUR)
        rows = self.db.query(
            "SELECT t.hour, acc.network, acc.name, t.status, t.language, t.sentiment, t.intents,"
            " sum(t.n) FROM comment_tallies t JOIN accounts acc ON acc.id = t.account_id"
            " WHERE t.hour >= ? AND t.n > 0 GROUP BY t.hour, t.account_id, t.status, t.language,"
            " t.sentiment, t.intents",
            (start_hour,),
        )
        found = [_tally(row) for row in rows]
        if since is not None and since < start_hour * HOUR:
            # The period starts inside an hour: that part, counted exactly.
            rows = self.db.query(
                "SELECT c.created_at / 3600, acc.network, acc.name, c.status,"
                " coalesce(c.language, ''), coalesce(c.sentiment, ''), coalesce(c.intents, ''),"
                " count(*) FROM comments c JOIN accounts acc ON acc.id = c.account_id"
                " WHERE c.created_at >= ? AND c.created_at < ? AND c.is_ours = 0"
                " GROUP BY 1, c.account_id, 4, 5, 6, 7",
                (since, start_hour * HOUR),
            )
            found.extend(_tally(row) for row in rows)
        return found

    def first_responses(self, since: int | None = None) -> list[FirstResponse]:
        """Comments created at or after ``since`` that have had a reply of ours sent.

        One per comment, with its first ``outbox:sent`` event; as many as
        replies ever sent, which a community manager counts in thousands.
        """
        rows = self.db.query(
            "SELECT c.id, c.created_at, c.priority, min(e.at) FROM events e"
            " JOIN comments c ON c.id = e.comment_id"
            " WHERE e.action = 'outbox:sent' AND c.created_at >= ? AND c.is_ours = 0"
            " GROUP BY c.id ORDER BY c.created_at, c.id",
            (since if since is not None else -(2**62),),
        )
        return [FirstResponse(row[0], row[1], row[2] or 0.0, row[3]) for row in rows]

    def open_counts(self, bands: Sequence[PriorityBand], since: int | None = None) -> list[int]:
        """For each band, the open (new, snoozed, escalated) comments in it.

        Read from the (bucket, priority, created_at) index, never the table.
        """
        counts: list[int] = []
        low_time = since if since is not None else -(2**62)
        for band in bands:
            where = ["bucket IN ('new', 'snoozed', 'escalated')", "created_at BETWEEN ? AND ?"]
            params: list[object] = [low_time, band.until]
            if math.isfinite(band.low):
                where.append("priority >= ?")
                params.append(band.low)
            if math.isfinite(band.high):
                where.append("priority < ?")
                params.append(band.high)
            row = self.db.query_one(
                f"SELECT count(*) FROM comments WHERE {' AND '.join(where)}", params
            )
            counts.append(int(row[0]) if row else 0)
        return counts

    def oldest_unanswered(self) -> int | None:
        """When the oldest comment of the Unanswered criticism view was written."""
        row = self.db.query_one(
            "SELECT min(created_at) FROM comments WHERE sentiment = 'negative'"
            " AND status IN ('new','snoozed','escalated') AND is_ours = 0"
        )
        return int(row[0]) if row and row[0] is not None else None

    def negatives_between(self, start: int, end: int) -> int:
        """Negative comments created in [start, end), counted exactly."""
        row = self.db.query_one(
            "SELECT count(*) FROM comments WHERE sentiment = 'negative' AND is_ours = 0"
            " AND created_at >= ? AND created_at < ?",
            (start, end),
        )
        return int(row[0]) if row else 0

    def negatives_in_hours(self, first_hour: int, end_hour: int) -> int:
        """Negative comments created in the whole hours [first_hour, end_hour)."""
        row = self.db.query_one(
            "SELECT coalesce(sum(n), 0) FROM comment_tallies"
            " WHERE hour >= ? AND hour < ? AND sentiment = 'negative'",
            (first_hour, end_hour),
        )
        return int(row[0]) if row else 0

    def negative_texts(self, start: int, end: int, limit: int) -> list[str]:
        """The texts of the newest ``limit`` negative comments created in [start, end)."""
        rows = self.db.query(
            "SELECT text FROM comments WHERE sentiment = 'negative' AND is_ours = 0"
            " AND created_at >= ? AND created_at < ? ORDER BY created_at DESC, id DESC LIMIT ?",
            (start, end, limit),
        )
        return [row[0] for row in rows]

    def first_comment_at(self) -> int | None:
        """When the oldest comment in the inbox was written."""
        row = self.db.query_one("SELECT min(created_at) FROM comments")
        return int(row[0]) if row and row[0] is not None else None


def _tally(row) -> Tally:
    return Tally(
        hour=row[0],
        network=row[1],
        account=row[2],
        status=row[3],
        language=row[4] or None,
        sentiment=row[5] or None,
        intents=tuple(part.strip() for part in row[6].split(",") if part.strip()),
        count=row[7],
    )
