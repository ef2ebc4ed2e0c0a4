"""What the composer remembers: template variants used, and recent replies to compare with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cm_inbox.store.base import StoreBase

if TYPE_CHECKING:
    from cm_inbox.model.context import PastReply


# Replies that went out or will: queued, sending, sent, and failed ones due for
# a retry. A reply the network refused for good never went out.
_WENT_OUT = """
    r.state IN ('queued', 'sending', 'sent', 'failed')
    AND NOT (r.state = 'failed' AND r.next_attempt_at IS NULL)
"""


class ComposingMixin(StoreBase):
    def template_variant_uses(self, template_id: str, language: str) -> dict[str, int]:
        """``{variant key: order of last use}`` for one template in one language.

        A higher order was used more recently; variants never used are absent.
        """
        rows = self.db.query(
            "SELECT variant, seq FROM template_uses WHERE template_id = ? AND language = ?",
            (template_id, language),
        )
        return {row["variant"]: row["seq"] for row in rows}

    def record_template_use(self, template_id: str, language: str, variant: str) -> None:
        """Remember that ``variant`` of a template was just inserted in a reply."""
        with self.db.transaction() as conn:
            conn.execute(
                """
                INSERT INTO template_uses (template_id, language, variant, seq, used_at)
                VALUES (?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM template_uses), ?)
                ON CONFLICT (template_id, language, variant)
                DO UPDATE SET seq = excluded.seq, used_at = excluded.used_at
                """,
                (template_id, language, variant, self.now()),
            )

    def recent_replies(
        self, *, since: int, limit: int = 10_000, exclude_comment: int | None = None
    ) -> list[PastReply]:
        """Replies that went out (or are queued to) since ``since``, newest first.

        At most ``limit``, so a busy brand's history cannot slow the composer.
        ``exclude_comment`` leaves out the replies to the comment being answered
        (a failed reply rewritten is not "the same as" itself).
        """
        from cm_inbox.model.context import PastReply

        rows = self.db.query(
            f"""
            SELECT r.id, r.comment_id, r.text, acc.network,
                coalesce(r.sent_at, r.queued_at, r.created_at) AS went_out,
                a.handle, a.display_name
            FROM replies r
            JOIN comments c ON c.id = r.comment_id
            JOIN accounts acc ON acc.id = r.account_id
            JOIN authors a ON a.id = c.author_id
            WHERE {_WENT_OUT}
                AND coalesce(r.sent_at, r.queued_at, r.created_at) >= ?
                AND r.comment_id IS NOT ?
            ORDER BY coalesce(r.sent_at, r.queued_at, r.created_at) DESC, r.id DESC
            LIMIT ?
            """,
            (since, exclude_comment, limit),
        )
        return [
            PastReply(
                id=row["id"],
                comment_id=row["comment_id"],
                network=row["network"],
                text=row["text"],
                at=row["went_out"],
                author_handle=row["handle"],
                author_name=row["display_name"],
            )
            for row in rows
        ]
