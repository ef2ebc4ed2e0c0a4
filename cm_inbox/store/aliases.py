"""The same person on several networks: found by name, suggested, confirmed by the user.

Two authors on different networks are linked without asking when both the
name part of their handle and their display name match exactly (see
``ingest.handle_key`` and ``name_key``). When only one of them matches, or
they are merely close ("camille_dev" and "camilledv", "Léa Martin" and "Lea
Martin."), the composer suggests the link and the user confirms or denies it;
the answer is kept in ``author_links`` and the suggestion is not made again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cm_inbox.model import Author
from cm_inbox.store.base import StoreBase

if TYPE_CHECKING:
    from cm_inbox.model.context import AliasSuggestion


# A closeness (rapidfuzz's ratio, 0-100) from which a suggestion is made.
SUGGEST_FROM = 85
# Shorter keys are too common to mean anything ("bob", "alex" are many people).
_MIN_HANDLE_KEY = 4
_MIN_NAME_KEY = 6
# A display name merely close (not equal) counts only from this length: "Mathis"
# and "Mathis D." are 92 % alike and most likely two people.
_MIN_CLOSE_NAME_KEY = 9
# Candidates share this many first letters (an indexed range); at most this many are scored.
_PREFIX = 3
_CANDIDATES = 2_000
_AUTHOR_COLUMNS = "id, network, handle, display_name, followers, first_seen, last_seen"


def _prefix_range(key: str) -> tuple[str, str]:
    """``(low, high)`` with every string starting with ``key[:_PREFIX]`` in ``low <= s < high``."""
    prefix = key[:_PREFIX]
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _author(row) -> Author:
    return Author(
        id=row["id"],
        network=row["network"],
        handle=row["handle"],
        display_name=row["display_name"],
        followers=row["followers"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
    )


class AliasesMixin(StoreBase):
    def _same_keys(self, author_id: int) -> list[int]:
        """The author and those linked to them by an exact handle and display name."""
        rows = self.db.query(
            "SELECT a.id FROM authors a, authors me WHERE me.id = ?"
            " AND (a.id = me.id OR (me.handle_key != '' AND a.handle_key = me.handle_key"
            " AND a.name_key = me.name_key)) ORDER BY a.id = me.id DESC, a.last_seen DESC LIMIT 20",
            (author_id,),
        )
        return [row["id"] for row in rows] or [author_id]

    def _decided(self, author_ids: list[int], same: bool) -> set[int]:
        marks = ",".join("?" * len(author_ids))
        rows = self.db.query(
            f"SELECT author_b AS other FROM author_links WHERE same = ? AND author_a IN ({marks})"
            f" UNION SELECT author_a FROM author_links WHERE same = ? AND author_b IN ({marks})",
            (int(same), *author_ids, int(same), *author_ids),
        )
        return {row[0] for row in rows}

    def linked_author_ids(self, author_id: int) -> list[int]:
        """The author first, then everyone known to be the same person on any network.

        That is those matching handle and display name exactly, those the user
        confirmed, and the exact matches of those confirmed.
        """
        group = self._same_keys(author_id)
        for other in sorted(self._decided(group, True) - set(group)):
            group += [found for found in self._same_keys(other) if found not in group]
        return group

    def alias_suggestions(
        self, author_id: int, *, threshold: int = SUGGEST_FROM, limit: int = 3
    ) -> list[AliasSuggestion]:
        """People on other networks who may be ``author_id``, closest first.

        Leaves out those already linked and those the user said are someone
        else. Candidates share the first letters of the handle's name part or
        of the display name (an indexed lookup), then rapidfuzz scores them.
        """
        from rapidfuzz import fuzz

        from cm_inbox.model.context import AliasSuggestion

        me = self.db.query_one(
            "SELECT network, handle_key, name_key FROM authors WHERE id = ?", (author_id,)
        )
        if me is None:
            return []
        skip = set(self.linked_author_ids(author_id))
        skip |= self._decided([author_id], False) | self._decided([author_id], True)
        found: dict[int, AliasSuggestion] = {}
        for column, key, minimum, reason in (
            ("handle_key", me["handle_key"], _MIN_HANDLE_KEY, "handle"),
            ("name_key", me["name_key"], _MIN_NAME_KEY, "display name"),
        ):
            if len(key) < minimum:
                continue
            low, high = _prefix_range(key)
            rows = self.db.query(
                f"SELECT {_AUTHOR_COLUMNS}, {column} AS key FROM authors"
                f" WHERE {column} >= ? AND {column} < ? AND network != ? LIMIT ?",
                (low, high, me["network"], _CANDIDATES),
            )
            for row in rows:
                if row["id"] in skip or len(row["key"]) < minimum:
                    continue
                score = int(fuzz.ratio(key, row["key"]))
                if score < threshold:
                    continue
                short = min(len(key), len(row["key"]))
                if column == "name_key" and score < 100 and short < _MIN_CLOSE_NAME_KEY:
                    continue
                known = found.get(row["id"])
                if known is None or score > known.score:
                    found[row["id"]] = AliasSuggestion(_author(row), score, reason)
        ranked = sorted(found.values(), key=lambda s: (-s.score, -(s.author.last_seen or 0)))
        return ranked[:limit]

    def decide_alias(self, author_id: int, other_id: int, *, same: bool) -> None:
        """Remember that ``other_id`` is (or is not) the same person as ``author_id``."""
        if author_id == other_id:
            return
        low, high = sorted((author_id, other_id))
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO author_links (author_a, author_b, same, decided_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (author_a, author_b) DO UPDATE SET same = excluded.same,"
                " decided_at = excluded.decided_at",
                (low, high, int(same), self.now()),
            )
