"""Reading one comment in context: its thread and who wrote it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cm_inbox.model import Comment
from cm_inbox.store.base import StoreBase
from cm_inbox.store.rows import (
    COMMENT_COLUMNS,
    COMMENT_JOINS,
    REPLY_COLUMNS,
    comment_from_row,
    reply_from_row,
)

if TYPE_CHECKING:
    from cm_inbox.model.context import AuthorCard


THREAD_LIMIT = 200


class PeopleMixin(StoreBase):
    def comment(self, comment_id: int) -> Comment | None:
        """One comment by its local id."""
        row = self.db.query_one(
            f"SELECT {COMMENT_COLUMNS} FROM comments c {COMMENT_JOINS} WHERE c.id = ?",
            (comment_id,),
        )
        return comment_from_row(row) if row else None

    def thread(self, comment: Comment, limit: int = THREAD_LIMIT) -> list[Comment]:
        """The comments of ``comment``'s thread that the store holds, oldest first.

        Capped at ``limit`` around the busiest threads; the comment itself and
        its ancestors are always included.
        """
        rows = self.db.query(
            f"SELECT {COMMENT_COLUMNS} FROM comments c {COMMENT_JOINS}"
            " WHERE c.account_id = ? AND c.root_remote_id = ? ORDER BY c.created_at, c.id LIMIT ?",
            (comment.account_id, comment.root_remote_id, limit),
        )
        thread = [comment_from_row(row) for row in rows]
        known = {c.remote_id for c in thread}
        for ancestor in self.ancestors(comment):
            if ancestor.remote_id not in known:
                thread.append(ancestor)
        if comment.remote_id not in known:
            thread.append(comment)
        thread.sort(key=lambda c: (c.created_at, c.id))
        return thread

    def ancestors(self, comment: Comment, limit: int = 50) -> list[Comment]:
        """The parent chain of ``comment``, root first, as far as the store knows it."""
        chain: list[Comment] = []
        parent_id = comment.parent_remote_id
        seen = {comment.remote_id}
        while parent_id and parent_id not in seen and len(chain) < limit:
            seen.add(parent_id)
            row = self.db.query_one(
                f"SELECT {COMMENT_COLUMNS} FROM comments c {COMMENT_JOINS}"
                " WHERE c.account_id = ? AND c.remote_id = ?",
                (comment.account_id, parent_id),
            )
            if row is None:
                break
            parent = comment_from_row(row)
            chain.append(parent)
            parent_id = parent.parent_remote_id
        chain.reverse()
        return chain

    def author_card(self, comment: Comment, recent: int = 5) -> AuthorCard:
        """Who is speaking: their history with the brand, on every network.

        The same person on other networks is found by the name part of their
        handle and the same display name (an indexed lookup), or because the
        user confirmed the link (store/aliases.py): a shared handle alone would
        merge namesakes. The card lists each alias, so the community manager
        sees what was linked.
        """
        from cm_inbox.model.context import AuthorCard

        author = comment.author
        linked = self.linked_author_ids(author.id)[:20]  # type: ignore[attr-defined]
        marks = ",".join("?" * len(linked))
        related = self.db.query(
            f"SELECT id, network, handle FROM authors WHERE id IN ({marks})"
            " ORDER BY id = ? DESC, last_seen DESC",
            (*linked, author.id),
        )
        author_ids = [row["id"] for row in related] or [author.id]
        aliases = [(row["network"], row["handle"]) for row in related if row["id"] != author.id]
        marks = ",".join("?" * len(author_ids))
        stats = self.db.query_one(
            f"SELECT count(*), min(created_at) FROM comments WHERE author_id IN ({marks})",
            tuple(author_ids),
        )
        networks = sorted({row["network"] for row in related} | {comment.network})
        recent_rows = self.db.query(
            f"SELECT {COMMENT_COLUMNS} FROM comments c {COMMENT_JOINS}"
            f" WHERE c.author_id IN ({marks}) AND c.id != ? ORDER BY c.created_at DESC LIMIT ?",
            (*author_ids, comment.id, recent),
        )
        reply_rows = self.db.query(
            f"SELECT {REPLY_COLUMNS} FROM replies r JOIN comments c ON c.id = r.comment_id"
            f" WHERE c.author_id IN ({marks}) AND r.state != 'draft' ORDER BY r.id DESC LIMIT 5",
            tuple(author_ids),
        )
        return AuthorCard(
            author=author,
            comment_count=int(stats[0]) if stats else 0,
            networks=networks,
            first_seen=stats[1] if stats else None,
            our_replies=[reply_from_row(row) for row in reply_rows],
            recent=[comment_from_row(row) for row in recent_rows],
            aliases=aliases,
        )

    def accounts(self) -> list[tuple[int, str, str]]:
        """The brand's accounts as (id, network, name)."""
        return [
            tuple(row)
            for row in self.db.query(
                "SELECT id, network, name FROM accounts ORDER BY network, name"
            )
        ]  # type: ignore[misc]

    def networks(self) -> list[str]:
        return [
            row[0]
            for row in self.db.query("SELECT DISTINCT network FROM accounts ORDER BY network")
        ]

    def languages(self) -> list[str]:
        """Languages seen, for the filter picker (reads the language index's distinct keys)."""
        rows = self.db.query(
            "SELECT DISTINCT language FROM comments WHERE language IS NOT NULL ORDER BY language"
        )
        return [row[0] for row in rows]

    def escalations_for(self, comment_id: int) -> list[dict]:
        """The escalations of one comment, newest first, as plain dicts."""
        rows = self.db.query(
            "SELECT id, team, severity, note, state, created_at, updated_at FROM escalations"
            " WHERE comment_id = ? ORDER BY id DESC",
            (comment_id,),
        )
        return [dict(row) for row in rows]
