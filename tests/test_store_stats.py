"""The Unanswered criticism view, the counts the stats sum, and first responses from the events."""

from __future__ import annotations

import random
from collections import Counter

from stats_fixtures import add, analyse, reply_sent

from cm_inbox.model import QueueQuery, Sort, Status, View
from cm_inbox.store import Store
from cm_inbox.store.results import PriorityBand

T0 = 1_795_168_800 - 30 * 86400
UNANSWERED = QueueQuery(view=View.UNANSWERED)


def unanswered_slowly(store: Store) -> list[int]:
    rows = store.db.query(
        "SELECT id FROM comments WHERE sentiment = 'negative' AND is_ours = 0"
        " AND status IN ('new', 'snoozed', 'escalated') ORDER BY created_at, id"
    )
    return [row[0] for row in rows]


def test_unanswered_lists_open_negative_comments_oldest_first(store: Store, clock) -> None:
    late = add(store, "late", T0 + 500, "still broken", sentiment="negative")
    early = add(store, "early", T0 + 100, "app crashes", sentiment="negative")
    add(store, "happy", T0 + 50, "love it", sentiment="positive")
    add(store, "plain", T0 + 60, "a question")
    snoozed = add(store, "snoozed", T0 + 300, "awful update", sentiment="negative")
    escalated = add(store, "escalated", T0 + 400, "refund now", sentiment="negative")
    done = add(store, "done", T0 + 200, "meh, broken", sentiment="negative")
    store.snooze([snoozed], int(clock()) + 3600)
    store.escalate([escalated], "support")
    store.set_status([done], Status.DONE)

    expected = [early, snoozed, escalated, late]
    assert list(store.queue_keys(UNANSWERED)) == expected
    assert store.view_counts()[View.UNANSWERED] == 4
    assert store.queue_count(UNANSWERED) == 4
    # The view keeps its own order whatever the sort asked for.
    assert list(store.queue_keys(QueueQuery(view=View.UNANSWERED, sort=Sort.NEWEST))) == expected
    assert [r.comment.id for r in store.iter_queue(UNANSWERED, chunk=2)] == expected
    assert store.oldest_unanswered() == T0 + 100


def test_a_reply_takes_a_comment_out_and_undo_or_discard_brings_it_back(store: Store) -> None:
    first = add(store, "a", T0, "broken again", sentiment="negative")
    second = add(store, "b", T0 + 10, "worst support", sentiment="negative")
    store.queue_reply(first, "Sorry about that, fixing it")
    assert list(store.queue_keys(UNANSWERED)) == [second]
    assert store.view_counts()[View.UNANSWERED] == 1
    store.undo_last()
    assert list(store.queue_keys(UNANSWERED)) == [first, second]
    reply = store.queue_reply(second, "We hear you")
    assert store.view_counts()[View.UNANSWERED] == 1
    store.claim_next(reply.account_id, "me")
    store.mark_failed(reply.id, "refused", retry_at=None)
    store.discard_reply(reply.id)
    assert list(store.queue_keys(UNANSWERED)) == [first, second]
    assert store.view_counts()[View.UNANSWERED] == 2


def test_the_count_follows_the_analyzer_and_triage(store: Store, clock) -> None:
    """The header's count is kept by triggers: it must match a slow count after anything."""
    rng = random.Random(3)
    ids = [add(store, f"c{n}", T0 + n * 60, f"text {n}") for n in range(40)]
    for step in range(150):
        target = rng.choice(ids)
        move = step % 6
        if move == 0:
            analyse(store, target, sentiment=rng.choice(["negative", "positive", None]))
        elif move == 1:
            store.set_status([target], rng.choice(list(Status)))
        elif move == 2:
            store.snooze([target], int(clock()) + 60)
        elif move == 3:
            store.queue_reply(target, "ok")
        elif move == 4:
            store.undo_last()
        else:
            clock.advance(120)
            store.wake_due_snoozes()
        assert store.view_counts()[View.UNANSWERED] == len(unanswered_slowly(store)), step
        assert list(store.queue_keys(UNANSWERED)) == unanswered_slowly(store), step
    # Every other view's count is untouched by the new bucket.
    assert store.view_counts()[View.ALL] == len(ids)


def test_the_view_reads_its_partial_index(store: Store) -> None:
    sql, params = store._keys_sql(UNANSWERED)
    plan = " ".join(row[3] for row in store.db.query(f"EXPLAIN QUERY PLAN {sql}", params))
    assert "comments_unanswered" in plan
    assert "TEMP B-TREE" not in plan


def test_tallies_count_what_the_comments_hold(store: Store) -> None:
    rng = random.Random(5)
    for n in range(120):
        add(
            store,
            f"t{n}",
            T0 + rng.randint(0, 5 * 86400),
            network=rng.choice(["mastodon", "bluesky"]),
            account=rng.choice(["lumo", "lumo-help"]),
            sentiment=rng.choice(["negative", "neutral", "positive", None]),
            intents=rng.choice(["question", "bug,complaint", None]),
            language=rng.choice(["en", "fr", None]),
        )
    ids = [row[0] for row in store.db.query("SELECT id FROM comments")]
    store.set_status(rng.sample(ids, 30), Status.DONE)
    store.escalate(rng.sample(ids, 10), "legal")
    for since in (None, T0 + 86400 + 1234, T0 + 3 * 86400):
        summary = store.tally_summary(since)
        clause = "" if since is None else f"WHERE c.created_at >= {since}"
        rows = store.db.query(
            "SELECT c.status, a.network, coalesce(c.sentiment, ''), coalesce(c.language, ''),"
            " coalesce(c.intents, ''), c.created_at / 3600"
            f" FROM comments c JOIN accounts a ON a.id = c.account_id {clause}"
        )
        assert summary.total == len(rows)
        assert summary.by_status == Counter(row[0] for row in rows)
        assert summary.by_network == Counter(row[1] for row in rows)
        assert +summary.by_sentiment == Counter(row[2] for row in rows)
        assert +summary.by_language == Counter(row[3] for row in rows)
        assert +summary.by_intents == Counter(row[4] for row in rows)
        assert +summary.by_hour == Counter((row[5], row[2]) for row in rows)


def test_first_responses_are_the_sent_events(store: Store, clock) -> None:
    a = add(store, "a", T0, "where is my order")
    b = add(store, "b", T0 + 600, "app down?")
    c = add(store, "c", T0 + 1200, "refund please")
    reply_sent(store, clock, a, queued_at=T0 + 900, sent_at=T0 + 910)
    reply_sent(store, clock, b, queued_at=T0 + 1000, sent_at=T0 + 4200)
    # A second reply to a does not change its first response.
    store.set_status([a], Status.NEW)
    reply_sent(store, clock, a, queued_at=T0 + 9000, sent_at=T0 + 9010)
    # c's reply is queued, not sent: no response yet.
    clock.now = T0 + 1300
    store.queue_reply(c, "looking")

    found = {r.comment_id: r for r in store.first_responses()}
    assert set(found) == {a, b}
    assert found[a].seconds == 910
    assert found[b].seconds == 3600
    sent = dict(store.db.query("SELECT comment_id, min(sent_at) FROM replies GROUP BY comment_id"))
    assert {cid: r.sent_at for cid, r in found.items()} == {a: sent[a], b: sent[b]}
    assert [r.comment_id for r in store.first_responses(since=T0 + 1)] == [b]


def test_open_counts_by_priority_band(store: Store) -> None:
    add(store, "u1", T0, priority=90)
    add(store, "u2", T0 + 100, priority=80)
    add(store, "h1", T0 + 50, priority=60)
    add(store, "low", T0 + 10, priority=5)
    done = add(store, "u3", T0 + 20, priority=99)
    store.set_status([done], Status.DONE)
    counts = store.open_counts(
        [
            PriorityBand(75, float("inf"), (T0 + 1000, T0 + 50, T0 - 1)),
            PriorityBand(50, 75),
            PriorityBand(float("-inf"), 25, (T0 + 10,)),
        ]
    )
    # Urgent: u1 and u2 open (u3 is done); by T0 + 50 only u1; none before T0.
    assert counts == [(2, 2, 1, 0), (1,), (1, 1)]
    assert store.open_counts([PriorityBand(75, float("inf"))], since=T0 + 1) == [(1,)]
