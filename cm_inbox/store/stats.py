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
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cm_inbox.store.base import StoreBase

if TYPE_CHECKING:
    from cm_inbox.store.results import FirstResponse, PriorityBand, TallySummary


HOUR = 3600


class StatsMixin(StoreBase):
    def tally_summary(self, since: int | None = None) -> TallySummary:
        """Comment counts for comments created at or after ``since``.

        Summed from the tallies, one aggregate per fact (each reads the hours
        of the period from the table's primary key); the first, partial hour
        of a period is counted from the comments. The brand's own posts are
        left out: they are what it says, not what it receives.
        """
        from cm_inbox.store.results import TallySummary

        start_hour = 0 if since is None else math.ceil(since / HOUR)
        summary = TallySummary()
        where = "FROM comment_tallies t WHERE t.hour >= ?"
        for column, counter in (
            ("t.status", summary.by_status),
            ("t.language", summary.by_language),
            ("t.sentiment", summary.by_sentiment),
            ("t.intents", summary.by_intents),
        ):
            for row in self.db.query(
                f"SELECT {column}, sum(t.n) {where} GROUP BY {column}", (start_hour,)
            ):
                counter[row[0]] += row[1]
        accounts = dict(self.db.query("SELECT id, network FROM accounts"))
        for row in self.db.query(
            f"SELECT t.account_id, sum(t.n) {where} GROUP BY t.account_id", (start_hour,)
        ):
            summary.by_network[accounts.get(row[0], "?")] += row[1]
        for row in self.db.query(
            f"SELECT t.hour, t.sentiment, sum(t.n) {where} GROUP BY t.hour, t.sentiment",
            (start_hour,),
        ):
            summary.by_hour[(row[0], row[1])] += row[2]
        if since is not None and since < start_hour * HOUR:
            # The period starts inside an hour: that part, counted exactly.
            rows = self.db.query(
                "SELECT c.created_at / 3600, c.account_id, c.status, coalesce(c.language, ''),"
                " coalesce(c.sentiment, ''), coalesce(c.intents, ''), count(*) FROM comments c"
                " WHERE c.created_at >= ? AND c.created_at < ? AND c.is_ours = 0"
                " GROUP BY 1, 2, 3, 4, 5, 6",
                (since, start_hour * HOUR),
            )
            for hour, account_id, status, language, sentiment, intents, count in rows:
                summary.by_status[status] += count
                summary.by_network[accounts.get(account_id, "?")] += count
                summary.by_language[language] += count
                summary.by_sentiment[sentiment] += count
                summary.by_intents[intents] += count
                summary.by_hour[(hour, sentiment)] += count
        summary.by_status = Counter({k: v for k, v in summary.by_status.items() if v})
        summary.total = sum(summary.by_status.values())
        return summary

    def first_responses(self, since: int | None = None) -> list[FirstResponse]:
        """Comments created at or after ``since`` that have had a reply of ours sent.

        One per comment, with its first ``outbox:sent`` event; as many as
        replies ever sent, which a community manager counts in thousands.
        """
        from cm_inbox.store.results import FirstResponse

        rows = self.db.query(
            "SELECT c.id, c.created_at, c.priority, min(e.at) FROM events e"
            " JOIN comments c ON c.id = e.comment_id"
            " WHERE e.action = 'outbox:sent' AND c.created_at >= ? AND c.is_ours = 0"
            " GROUP BY c.id ORDER BY c.created_at, c.id",
            (since if since is not None else -(2**62),),
        )
        return [FirstResponse(row[0], row[1], row[2] or 0.0, row[3]) for row in rows]

    def open_counts(
        self, bands: Sequence[PriorityBand], since: int | None = None
    ) -> list[tuple[int, ...]]:
        """Per band: its open (new, snoozed, escalated) comments, then those created by each cutoff.

        Each band of each open bucket is one range of the (bucket, priority,
        created_at) index, which holds every column asked: the table itself
        is never read.
        """
        found: list[tuple[int, ...]] = []
        for band in bands:
            terms = ["bucket = ?", "created_at >= ?"]
            params: list[object] = [since if since is not None else -(2**62)]
            if math.isfinite(band.low):
                terms.append("priority >= ?")
                params.append(band.low)
            if math.isfinite(band.high):
                terms.append("priority < ?")
                params.append(band.high)
            sums = "".join(", coalesce(sum(created_at <= ?), 0)" for _ in band.cutoffs)
            totals = [0] * (1 + len(band.cutoffs))
            for bucket in ("new", "snoozed", "escalated"):
                row = self.db.query_one(
                    f"SELECT count(*){sums} FROM comments INDEXED BY comments_bucket_priority"
                    f" WHERE {' AND '.join(terms)}",
                    (*band.cutoffs, bucket, *params),
                )
                if row is not None:
                    totals = [total + int(value) for total, value in zip(totals, row, strict=True)]
            found.append(tuple(totals))
        return found

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
