"""Signals and priorities given at ingest, moved on by the wait, and the queue's order they make."""

from __future__ import annotations

from datetime import UTC

from cm_inbox.model import QueueQuery, Sort, View
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.response_config import TargetSettings
from cm_inbox.store import Store
from cm_inbox.targets import Targets

HOUR = 3600

CRISIS = "My lawyer will be in touch: your app leaked my personal data"
PRAISE = (
    "Absolutely love the new calendar view, best update ever!",
    "Lumo is amazing, thank you so much for the dark mode 😍",
    "Best notes app I've ever used, bravo to the whole team 👏",
)


def incoming(remote_id: str, text: str, *, at: int, followers: int = 0, **fields):
    return IncomingComment(
        network="mastodon",
        account="lumo",
        remote_id=remote_id,
        author=IncomingAuthor(handle=f"{remote_id}@example.org", followers=followers),
        text=text,
        created_at=at,
        **fields,
    )


def by_remote(store: Store, remote_id: str):
    row = store.db.query_one("SELECT id FROM comments WHERE remote_id = ?", (remote_id,))
    return store.comment(row[0])


def test_every_new_comment_gets_its_signals_and_a_priority(store: Store, clock) -> None:
    now = int(clock())
    store.upsert_comments(
        [
            incoming("c", CRISIS, at=now),
            incoming("q", "Comment est-ce que j'exporte mes notes en PDF ?", at=now),
        ]
    )
    crisis, question = by_remote(store, "c"), by_remote(store, "q")
    assert (crisis.language, crisis.sentiment) == ("en", "negative")
    assert "crisis" in crisis.intents and crisis.sentiment_score < 0
    assert (question.language, question.intents) == ("fr", ("question",))
    assert crisis.priority >= 75 > question.priority > 0


def test_a_crisis_ranks_above_every_praise_in_the_inbox(store: Store, clock) -> None:
    now = int(clock())
    praise = [
        incoming(f"p{n}", text, at=now - 30 * 86_400, followers=2_000_000, likes=5000, replies=900)
        for n, text in enumerate(PRAISE)
    ]  # famous, viral and waiting for a month
    store.upsert_comments([*praise, incoming("c", CRISIS, at=now)])
    order = store.queue_keys(QueueQuery(view=View.INBOX, sort=Sort.PRIORITY))
    assert store.comment(order[0]).remote_id == "c"


def test_waiting_raises_the_priority_and_keeps_what_a_rule_added(store: Store, clock) -> None:
    store.use_targets(Targets(TargetSettings(), UTC))
    now = int(clock())
    store.upsert_comments([incoming("b", "The app crashes every time I open a note", at=now)])
    fresh = by_remote(store, "b").priority
    with store.db.transaction() as conn:  # as a rule's raise_priority would
        conn.execute("UPDATE comments SET priority = priority + 10 WHERE remote_id = 'b'")
    clock.now = now + 3 * HOUR
    assert store.refresh_priorities() == 1
    later = by_remote(store, "b").priority
    assert later > fresh + 10
    assert store.refresh_priorities() == 0  # nothing waited since
    clock.now = now + 30 * 86_400
    store.refresh_priorities()
    # The wait stops counting at twice the target; the band's ceiling still holds.
    assert by_remote(store, "b").priority < 75 + 10


def test_an_inbox_from_before_listening_is_scored_once(store: Store, clock) -> None:
    now = int(clock())
    store.upsert_comments([incoming("old", CRISIS, at=now)])
    with store.db.transaction() as conn:  # what an older cm-inbox stored
        conn.execute("UPDATE comments SET sentiment = NULL, intents = NULL, priority = 0")
    assert store.has_unscored()
    assert store.score_unscored() == 1
    assert not store.has_unscored()
    assert by_remote(store, "old").priority >= 75
    assert store.score_unscored() == 0
