"""The sameness check: is this draft the same words the brand has been sending all week?

A draft is compared with the brand's replies of the last days (30 by default),
as text reduced to its words: no case, no @mentions, no links, and without the
names of the people answered, so "Hi Emma, sorry about that" and "Hi Noah,
sorry about that" are the same reply. rapidfuzz's ratio (an edit-distance
similarity in C) with a score cutoff compares one draft with 10,000 past
replies in a few milliseconds, so the composer can run it as the user types
(see benchmarks/sameness.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cm_inbox.model import Comment
from cm_inbox.model.context import PastReply
from cm_inbox.timefmt import ago

DAY = 86_400
# Shorter drafts ("Thanks!") are alike by nature; comparing them says nothing.
MIN_CHARACTERS = 20
DEFAULT_LIMIT = 10_000

_URL = re.compile(r"https?://\S+|\bwww\.\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@[\w.-]+(?:@[\w.-]+)?")
_WORD = re.compile(r"\w+")


def name_words(handle: str, display_name: str | None) -> frozenset[str]:
    """The words that name a person: their display name's words and their handle's parts."""
    words = set(_WORD.findall((display_name or "").casefold()))
    user = handle.lstrip("@").split("@")[0]
    words.update(_WORD.findall(user.casefold()))
    return frozenset(word for word in words if len(word) > 1)


def normalise(text: str, names: Iterable[str] = ()) -> str:
    """The words of ``text`` that say something: lowercase, no mentions, links or names."""
    # The patterns only run where they can match: 10,000 replies are reduced
    # when the composer opens, and most have neither a link nor a mention.
    if "://" in text or "www." in text.casefold():
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _MENTION.sub(" ", text)
    found = _WORD.findall(text.casefold())
    drop = frozenset(names)
    return " ".join(word for word in found if word not in drop) if drop else " ".join(found)


@dataclass(frozen=True)
class SamenessReport:
    """How many recent replies a draft is like, and the closest one."""

    best: int  # percent, the closest reply's similarity
    count: int  # replies at least as similar as the threshold
    period: str  # "in the last 24 hours", "this week", "in the last 30 days"
    closest: PastReply
    # The similar replies, closest first (for a UI that lists them).
    similar: tuple[tuple[PastReply, int], ...]

    @property
    def message(self) -> str:
        """ "91 % like 14 replies sent this week" """
        replies = "reply" if self.count == 1 else "replies"
        return f"{self.best} % like {self.count} {replies} sent {self.period}"

    def closest_line(self, now: int) -> str:
        """Where the closest reply went and when, and its words on one line."""
        words = " ".join(self.closest.text.split())
        return f'closest, to @{self.closest.author_handle.lstrip("@")} {ago(self.closest.at, now)}: "{words}"'


class SamenessIndex:
    """The recent replies, reduced once, ready to compare drafts with as they are typed."""

    def __init__(self, replies: Sequence[PastReply], *, now: int, days: int = 30) -> None:
        self.now = now
        self.days = days
        since = now - days * DAY
        self.replies = [reply for reply in replies if reply.at >= since]
        self.texts = [
            normalise(reply.text, name_words(reply.author_handle, reply.author_name))
            for reply in self.replies
        ]

    def __len__(self) -> int:
        return len(self.replies)

    def compare(
        self,
        text: str,
        *,
        names: Iterable[str] = (),
        threshold: int = 85,
        exclude_comment: int | None = None,
    ) -> SamenessReport | None:
        """The replies ``text`` is at least ``threshold`` % like, or None when there are none.

        ``names`` are the words naming the person being answered (see
        :func:`name_words`), left out as they are from the past replies.
        ``exclude_comment`` leaves out the replies to that comment (a reply
        being rewritten is not "the same as" itself), so one index serves
        every comment.
        """
        wanted = normalise(text, names)
        if len(wanted) < MIN_CHARACTERS or not self.texts:
            return None
        from rapidfuzz import fuzz, process

        found = process.extract(
            wanted,
            self.texts,
            scorer=fuzz.ratio,
            processor=None,
            limit=None,
            score_cutoff=threshold,
        )
        # Closest first; among equals, the most recent.
        found.sort(key=lambda match: (-match[1], -self.replies[match[2]].at, match[2]))
        similar = tuple(
            (self.replies[index], int(score))
            for _, score, index in found
            if exclude_comment is None or self.replies[index].comment_id != exclude_comment
        )
        if not similar:
            return None
        oldest = min(reply.at for reply, _ in similar)
        return SamenessReport(
            best=similar[0][1],
            count=len(similar),
            period=self._period(self.now - oldest),
            closest=similar[0][0],
            similar=similar,
        )

    def _period(self, span: int) -> str:
        if span <= DAY:
            return "in the last 24 hours"
        if span <= 7 * DAY:
            return "this week"
        return f"in the last {self.days} days"


def compare_draft(
    index: SamenessIndex, comment: Comment, text: str, *, threshold: int = 85
) -> SamenessReport | None:
    """:meth:`SamenessIndex.compare` for a reply to ``comment``: its author's names and
    earlier replies to it left out."""
    names = name_words(comment.author.handle, comment.author.display_name)
    return index.compare(text, names=names, threshold=threshold, exclude_comment=comment.id)


def load_index(
    store,
    *,
    now: int | None = None,
    days: int = 30,
    limit: int = DEFAULT_LIMIT,
    exclude_comment: int | None = None,
) -> SamenessIndex:
    """The brand's replies of the last ``days`` from ``store`` (at most ``limit``, newest first).

    ``store`` is a ``cm_inbox.store.Store``; ``now`` defaults to its clock.
    ``exclude_comment`` leaves out replies to the comment being answered.
    """
    now = store.now() if now is None else now
    replies = store.recent_replies(
        since=now - days * DAY, limit=limit, exclude_comment=exclude_comment
    )
    return SamenessIndex(replies, now=now, days=days)
