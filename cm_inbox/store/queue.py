"""The queue: which comments a view shows, in which order, a page at a time.

The UI asks for the ordered keys of a view once (a compact integer array, not
rows), then for the rows of whichever keys are on screen. Ordering and
filtering use indexes that match each sort, so neither step reads the table.
Scripts that stream a whole view (export, ``list``) use keyset paging instead.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from dataclasses import replace

from cm_inbox.model import VIEW_STATUSES, QueueQuery, QueueRow, Sort, View
from cm_inbox.store.base import StoreBase
from cm_inbox.store.rows import (
    COMMENT_COLUMNS,
    COMMENT_JOINS,
    REPLY_COLUMNS,
    comment_from_row,
    reply_from_row,
)
from cm_inbox.store.search import fts_query

UNSENT_STATES = ("draft", "queued", "sending", "failed")

# Index hits read for the head of a search (see ``search_head``).
SEARCH_HEAD_HITS = 2000

_ORDER = {
    Sort.NEWEST: ("c.created_at DESC, c.id DESC", ("c.created_at", "c.id"), ("<", "<")),
    Sort.OLDEST: ("c.created_at ASC, c.id ASC", ("c.created_at", "c.id"), (">", ">")),
    Sort.PRIORITY: (
        "c.priority DESC, c.created_at ASC, c.id ASC",
        ("c.priority", "c.created_at", "c.id"),
        ("<", ">", ">"),
    ),
}


# The Unanswered criticism view, worded as its partial index (schema migration 4)
# is, so SQLite reads that index for it.
UNANSWERED_WHERE = (
    "c.sentiment = 'negative' AND c.status IN ('new','snoozed','escalated') AND c.is_ours = 0"
)


def _bucket(view: View) -> str | None:
    statuses = VIEW_STATUSES.get(view)
    if view in (View.ALL, View.UNANSWERED) or statuses is None:
        return None
    return "handled" if view is View.HANDLED else statuses[0].value


def _source(query: QueueQuery) -> str:
    """The comments table as a view reads it.

    Two partial indexes start with created_at (this view's and the negative
    comments'); without statistics SQLite may pick the larger one.
    """
    if query.view is View.UNANSWERED:
        return "comments c INDEXED BY comments_unanswered"
    return "comments c"


def _sort_of(query: QueueQuery) -> Sort:
    """The order rows come in: the query's, except in views with an order of their own."""
    return Sort.OLDEST if query.view is View.UNANSWERED else query.sort


class QueueMixin(StoreBase):
    def _filters(self, query: QueueQuery) -> tuple[list[str], list[object]]:
        """WHERE clauses (on alias ``c``) for a query's view and filters."""
        where: list[str] = []
        params: list[object] = []
        bucket = _bucket(query.view)
        if bucket is not None:
            where.append("c.bucket = ?")
            params.append(bucket)
        elif query.view is View.UNANSWERED:
            where.append(UNANSWERED_WHERE)
        if query.network:
            where.append("c.account_id IN (SELECT id FROM accounts WHERE network = ?)")
            params.append(query.network)
        if query.account:
            where.append("c.account_id IN (SELECT id FROM accounts WHERE name = ?)")
            params.append(query.account)
        if query.language:
            where.append("c.language = ?")
            params.append(query.language)
        if query.label:
            where.append("c.id IN (SELECT comment_id FROM comment_labels WHERE label = ?)")
            params.append(query.label)
        match = fts_query(query.search) if query.search else None
        if match is not None:  # a search of only symbols searches for nothing, so shows all
            where.append("c.id IN (SELECT rowid FROM comments_fts WHERE comments_fts MATCH ?)")
            params.append(match)
        return where, params

    def queue_keys(self, query: QueueQuery, limit: int | None = None) -> array:
        """Every key of the view in display order (or the first ``limit``), as an int64 array.

        Comment ids for comment views, reply ids for the outbox. 8 bytes per
        row: a million-row view costs 8 MB and O(1) access to any position.
        The rows are streamed into the array: SQLite's group_concat handed
        them over a few percent faster, but its string (and the copy Python
        made of it) held twice the array's memory at the peak.
        """
        sql, params = self._keys_sql(query)
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.db.int_column(sql, params)

    def _keys_sql(self, query: QueueQuery) -> tuple[str, list[object]]:
        where, params = self._filters(query)
        if query.view is View.OUTBOX:
            where = [w for w in where if not w.startswith("c.bucket")]
            clause = " AND ".join(["r.state IN ('draft','queued','sending','failed')", *where])
            return (
                f"SELECT r.id AS id FROM replies r JOIN comments c ON c.id = r.comment_id "
                f"WHERE {clause} ORDER BY r.updated_at DESC, r.id DESC",
                params,
            )
        order = _ORDER[_sort_of(query)][0]
        clause = " AND ".join(where) or "1"
        return f"SELECT c.id AS id FROM {_source(query)} WHERE {clause} ORDER BY {order}", params

    def search_head(self, query: QueueQuery, limit: int = 200) -> array:
        """The first ``limit`` rows of a search, fast even for a word half the comments hold.

        The full search must gather every hit before it can sort them (a
        quarter of a second for a word in 400,000 comments). For the first
        screen, the index is read from its newest (or oldest) end, a few
        thousand hits at most, which the view's filters and order then
        narrow. Ids grow as comments arrive, so this is the true head in all
        but out-of-order imports; the front end shows it at once and replaces
        it with the full list a moment later. In priority order it is exact
        when the word has fewer hits than the window; for a common word it
        ranks the newest hits only (the cap on ranking very common terms), and
        the full list that follows puts any older urgent comment first. The
        outbox takes the full query.
        """
        match = fts_query(query.search) if query.search else None
        direction = {Sort.NEWEST: "DESC", Sort.OLDEST: "ASC", Sort.PRIORITY: "DESC"}.get(
            _sort_of(query)
        )
        if match is None or direction is None or query.view is View.OUTBOX:
            return self.queue_keys(query, limit=limit)
        if _sort_of(query) is Sort.PRIORITY:
            # A prefix ("lumo"*) makes FTS5 merge every word it starts, whole,
            # before the first hit: 40 ms for a word in half the comments. The
            # word itself is read from the index's end and stops at the window.
            # Priority order ranks a window of the newest hits anyway, so when
            # the word alone fills the screen, its window is the head; longer
            # words ("lumosync") join with the full list a moment later.
            exact = fts_query(query.search or "", prefix=False)
            head = self._search_window(query, exact or match, direction, limit)
            if head is not None and len(head) >= limit:
                return head
        head = self._search_window(query, match, direction, limit)
        return head if head is not None else self.queue_keys(query, limit=limit)

    def _search_window(
        self, query: QueueQuery, match: str, direction: str, limit: int
    ) -> array | None:
        """The first ``limit`` rows among the ``SEARCH_HEAD_HITS`` hits at the index's
        newest (or oldest) end; None when too few passed the filters and more hits
        lie further in (the caller then takes the full query)."""
        where, params = self._filters(replace(query, search=None))
        clause = " AND ".join(where) or "1"
        hits = f"SELECT rowid AS id FROM comments_fts WHERE comments_fts MATCH ? ORDER BY rowid {direction} LIMIT {SEARCH_HEAD_HITS}"
        # CROSS JOIN makes SQLite start from the hits, not from the view's index.
        sql = (
            f"SELECT c.id FROM ({hits}) hits CROSS JOIN comments c ON c.id = hits.id"
            f" WHERE {clause} ORDER BY {_ORDER[_sort_of(query)][0]} LIMIT {int(limit)}"
        )
        rows = self.db.query(sql, (match, *params))
        head = array("q", (row[0] for row in rows))
        if len(head) < limit:
            # Too few survived the filters: perhaps more lie further in the index.
            found = self.db.query_one(
                f"SELECT count(*) FROM ({hits.replace(' AS id', '')})", (match,)
            )
            if found is not None and found[0] >= SEARCH_HEAD_HITS:
                return None
        return head

    def queue_count(self, query: QueueQuery) -> int:
        """How many rows the query shows (cached counts when unfiltered)."""
        if not query.is_filtered and query.view is not View.OUTBOX:
            return self.view_counts()[query.view]
        where, params = self._filters(query)
        if query.view is View.OUTBOX:
            where = [w for w in where if not w.startswith("c.bucket")]
            clause = " AND ".join(["r.state IN ('draft','queued','sending','failed')", *where])
            sql = f"SELECT count(*) FROM replies r JOIN comments c ON c.id = r.comment_id WHERE {clause}"
        else:
            sql = f"SELECT count(*) FROM {_source(query)} WHERE {' AND '.join(where) or '1'}"
        row = self.db.query_one(sql, tuple(params))
        return int(row[0]) if row else 0

    def view_counts(self) -> dict[View, int]:
        """The number of items in every view, for the header. Never scans comments."""
        rows = dict(self.db.query("SELECT bucket, n FROM bucket_counts"))
        unsent = self.db.query_one(
            "SELECT count(*) FROM replies WHERE state IN ('draft','queued','sending','failed')"
        )
        # Not a status bucket: a subset of the open ones, counted beside them.
        unanswered = rows.pop("unanswered", 0)
        return {
            View.INBOX: rows.get("new", 0),
            View.ESCALATED: rows.get("escalated", 0),
            View.SNOOZED: rows.get("snoozed", 0),
            View.OUTBOX: int(unsent[0]) if unsent else 0,
            View.HANDLED: rows.get("handled", 0),
            View.SPAM: rows.get("spam", 0),
            View.ALL: sum(rows.values()),
            View.UNANSWERED: unanswered,
        }

    def queue_rows(self, view: View, keys: Sequence[int]) -> list[QueueRow]:
        """The rows for ``keys`` (as returned by ``queue_keys``), in that order.

        Keys that vanished since (deleted) are left out.
        """
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        if view is View.OUTBOX:
            rows = self.db.query(
                f"SELECT {COMMENT_COLUMNS}, {REPLY_COLUMNS} FROM replies r "
                f"JOIN comments c ON c.id = r.comment_id {COMMENT_JOINS} WHERE r.id IN ({marks})",
                tuple(keys),
            )
            found = {
                row["reply_id"]: QueueRow(comment_from_row(row), reply_from_row(row))
                for row in rows
            }
        else:
            rows = self.db.query(
                f"SELECT {COMMENT_COLUMNS} FROM comments c {COMMENT_JOINS} WHERE c.id IN ({marks})",
                tuple(keys),
            )
            # The Escalated view shows each row's team, state and wait.
            escalations = (
                self.escalation_summaries([row["id"] for row in rows])  # type: ignore[attr-defined]
                if view is View.ESCALATED
                else {}
            )
            found = {
                row["id"]: QueueRow(comment_from_row(row), escalation=escalations.get(row["id"]))
                for row in rows
            }
        return [found[key] for key in keys if key in found]

    def iter_queue(self, query: QueueQuery, *, chunk: int = 500) -> Iterator[QueueRow]:
        """Every row of the query in display order, fetched by keyset pages.

        Memory stays at one chunk whatever the size of the view.
        """
        if query.view is View.OUTBOX:
            # Outboxes are small (unsent replies); their keys are cheap to hold.
            keys = self.queue_keys(query)
            for start in range(0, len(keys), chunk):
                yield from self.queue_rows(View.OUTBOX, keys[start : start + chunk])
            return
        order, columns, ops = _ORDER[_sort_of(query)]
        where, params = self._filters(query)
        last: tuple | None = None
        while True:
            clauses = list(where)
            page_params = list(params)
            if last is not None:
                seek, seek_params = _seek(columns, ops, last)
                clauses.append(seek)
                page_params.extend(seek_params)
            clause = " AND ".join(clauses) or "1"
            rows = self.db.query(
                f"SELECT {COMMENT_COLUMNS} FROM {_source(query)} {COMMENT_JOINS} "
                f"WHERE {clause} ORDER BY {order} LIMIT ?",
                (*page_params, chunk),
            )
            for row in rows:
                yield QueueRow(comment_from_row(row))
            if len(rows) < chunk:
                return
            final = rows[-1]
            last = tuple(final[col.split(".")[1]] for col in columns)


def _seek(columns: tuple[str, ...], ops: tuple[str, ...], last: tuple) -> tuple[str, list[object]]:
    """A keyset condition: rows strictly after ``last`` in the given order."""
    parts: list[str] = []
    params: list[object] = []
    for depth in range(len(columns)):
        equal = [f"{columns[i]} = ?" for i in range(depth)]
        parts.append("(" + " AND ".join([*equal, f"{columns[depth]} {ops[depth]} ?"]) + ")")
        params.extend(last[: depth + 1])
    return "(" + " OR ".join(parts) + ")", params
