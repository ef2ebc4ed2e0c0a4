"""Triage rules written to the store: at ingest for new comments, and `reapply` over the rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cm_inbox.config import load_config
from cm_inbox.listening import Signals
from cm_inbox.model import Status, View
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.store import Store
from cm_inbox.triage_rules.ruleset import RuleSet

T0 = 1_795_000_000

RULES = """
[[rules]]
name = "billing"
words = ["refund", "rembours*"]
labels = ["billing"]
raise_priority = 30

[[rules]]
name = "angry"
sentiment = "negative"
escalate = "support"

[[rules]]
name = "spam"
words = ["crypto"]
labels = ["junk"]
status = "spam"

[[rules]]
name = "refund intent"
intent = "refund"
labels = ["refund-intent"]
"""


@pytest.fixture
def rules(tmp_path: Path) -> RuleSet:
    path = tmp_path / "rules.toml"
    path.write_text(RULES, encoding="utf-8")
    config = load_config(path)
    assert config.problems == []
    return config.rules


def incoming(remote_id: str, text: str, **fields) -> IncomingComment:
    return IncomingComment(
        network="mastodon",
        account="acme",
        remote_id=remote_id,
        author=IncomingAuthor(handle=fields.pop("handle", "bob")),
        text=text,
        created_at=T0 + len(remote_id),
        **fields,
    )


def comment(store: Store, remote_id: str):
    row = store.db.query_one("SELECT id FROM comments WHERE remote_id = ?", (remote_id,))
    assert row is not None
    found = store.comment(row[0])
    assert found is not None
    return found


def events(store: Store) -> list[dict]:
    return [dict(row) for row in store.db.query("SELECT * FROM events ORDER BY id")]


def state(store: Store) -> dict:
    """Everything rules may change, for exact before/after comparisons."""
    return {
        "comments": [
            tuple(row)
            for row in store.db.query(
                "SELECT id, status, snoozed_until, priority FROM comments ORDER BY id"
            )
        ],
        "labels": [
            tuple(row)
            for row in store.db.query(
                "SELECT comment_id, label FROM comment_labels ORDER BY comment_id, label"
            )
        ],
        "open escalations": [
            tuple(row)
            for row in store.db.query(
                "SELECT comment_id, team FROM escalations WHERE state = 'open' ORDER BY id"
            )
        ],
        "counts": store.view_counts(),
    }


def analyzed(
    store: Store, remote_id: str, *, sentiment="neutral", intents=None, priority=0.0
) -> None:
    """Signals and a priority set for a comment, so the rules meet known values
    whatever the listening analyzer makes of the words."""
    with store.db.transaction() as conn:
        conn.execute(
            "UPDATE comments SET sentiment = ?, intents = ?, priority = ? WHERE remote_id = ?",
            (sentiment, intents, priority, remote_id),
        )


# Signals given ahead (as an import's reader computes them): a neutral comment.
NEUTRAL = Signals(language="en", sentiment="neutral", sentiment_score=0.0, intents=())


# --- at ingest ---------------------------------------------------------------------


def test_ingest_runs_the_rules_on_new_comments(store: Store, rules: RuleSet) -> None:
    store.use_rules(rules)
    store.upsert_comments(
        [
            incoming("1", "I want a refund", signals=NEUTRAL),
            incoming("2", "free crypto here", signals=NEUTRAL),
        ]
    )
    refund, spam = comment(store, "1"), comment(store, "2")
    assert (refund.labels, refund.status) == (("billing",), Status.NEW)
    assert (spam.labels, spam.status) == (("junk",), Status.SPAM)
    assert store.view_counts()[View.SPAM] == 1
    (billing, junk) = events(store)
    assert (billing["action"], billing["batch"]) == ("rule:billing", 0)
    before, after = json.loads(billing["before"]), json.loads(billing["after"])
    # Raised by 30 from the priority the comment was given on arrival.
    assert before["labels"] == [] and before["priority"] > 0
    assert after == {"labels": ["billing"], "priority": before["priority"] + 30}
    assert refund.priority == after["priority"]
    assert json.loads(junk["after"]) == {
        "labels": ["junk"],
        "status": "spam",
        "snoozed_until": None,
    }


def test_a_resync_never_runs_the_rules_again_on_known_comments(
    store: Store, rules: RuleSet
) -> None:
    store.upsert_comments([incoming("old", "refund me")])  # stored before the rules existed
    store.use_rules(rules)
    store.upsert_comments([incoming("1", "refund me")])
    before = state(store)
    result = store.upsert_comments(
        [incoming("old", "refund me, crypto"), incoming("1", "refund refund crypto")]
    )
    assert (result.inserted, result.updated) == (0, 2)
    assert state(store) == before
    assert comment(store, "old").labels == ()
    assert len(events(store)) == 1


def test_imported_triage_is_kept_and_the_brands_own_posts_are_left_alone(
    store: Store, rules: RuleSet
) -> None:
    store.use_rules(rules)
    store.upsert_comments(
        [
            incoming("done", "crypto refund", status=Status.DONE),
            incoming("ours", "refunds are on their way, no crypto", is_ours=True),
        ]
    )
    done = comment(store, "done")
    assert done.status is Status.DONE  # no spam rule overrides the imported triage
    assert done.labels == ("billing", "junk")  # labels still add up
    ours = comment(store, "ours")
    assert (ours.labels, ours.priority, ours.status) == ((), 0, Status.DONE)


def test_rules_at_ingest_are_not_on_the_undo_stack(store: Store, rules: RuleSet) -> None:
    store.upsert_comments([incoming("mine", "hello")])
    store.set_status([comment(store, "mine").id], Status.DONE)
    store.use_rules(rules)
    store.upsert_comments([incoming("synced", "crypto")])  # a background sync meanwhile
    undone = store.undo_last()
    assert undone is not None and undone.action == "done"  # the user's own last action
    assert comment(store, "mine").status is Status.NEW
    assert comment(store, "synced").status is Status.SPAM
    assert store.undo_last() is None


def test_a_rule_escalation_opens_an_escalation_for_the_team(store: Store, rules: RuleSet) -> None:
    store.upsert_comments([incoming("1", "this is broken")])
    analyzed(store, "1", sentiment="negative")
    store.reapply_rules(rules)
    found = comment(store, "1")
    assert found.status is Status.ESCALATED
    (escalation,) = store.escalations_for(found.id)
    assert (escalation["team"], escalation["note"], escalation["state"]) == (
        "support",
        "rule: angry",
        "open",
    )


def test_ingest_in_many_chunks_runs_the_rules_on_each(store: Store, rules: RuleSet) -> None:
    store.use_rules(rules)
    store.upsert_comments(incoming(str(n), "refund" if n % 2 else "hi") for n in range(1200))
    labelled = store.db.query_one("SELECT count(*) FROM comment_labels WHERE label = 'billing'")
    assert labelled[0] == 600


class Progress:
    """Records how far a reapply had read after each chunk."""

    def __init__(self) -> None:
        self.seen: list[int] = []

    def __call__(self, report) -> None:
        self.seen.append(report.scanned)


# --- reapply -----------------------------------------------------------------------


@pytest.fixture
def stored(store: Store) -> Store:
    """Comments stored before any rule, then analyzed."""
    store.upsert_comments(
        [
            incoming("refund", "Refund please"),
            incoming("angry", "worst app ever"),
            incoming("crypto", "free crypto"),
            incoming("intent", "can I get my money back"),
            incoming("plain", "hello"),
        ]
    )
    for remote_id in ("refund", "crypto", "plain"):
        analyzed(store, remote_id)
    analyzed(store, "angry", sentiment="negative")
    analyzed(store, "intent", intents="question,refund")
    return store


def test_reapply_acts_on_stored_comments_and_reports_per_rule(
    stored: Store, rules: RuleSet
) -> None:
    report = stored.reapply_rules(rules)
    assert (report.scanned, report.changed, report.dry_run) == (5, 4, False)
    assert {name: (c.matched, c.changed) for name, c in report.rules.items()} == {
        "billing": (1, 1),
        "angry": (1, 1),
        "spam": (1, 1),
        "refund intent": (1, 1),
    }
    assert comment(stored, "angry").status is Status.ESCALATED
    assert comment(stored, "crypto").status is Status.SPAM
    assert comment(stored, "intent").labels == ("refund-intent",)
    assert comment(stored, "refund").priority == 30
    assert report.batch > 0
    assert {e["batch"] for e in events(stored)} == {report.batch}


def test_reapply_twice_changes_nothing_more(stored: Store, rules: RuleSet) -> None:
    stored.reapply_rules(rules)
    after_first = state(stored)
    again = stored.reapply_rules(rules)
    assert (again.changed, again.batch) == (0, 0)
    assert again.rules["billing"].matched == 1
    assert state(stored) == after_first  # the priority was raised once, not twice


def test_dry_run_counts_what_would_change_and_writes_nothing(stored: Store, rules: RuleSet) -> None:
    before, written = state(stored), len(events(stored))
    dry = stored.reapply_rules(rules, dry_run=True)
    assert state(stored) == before
    assert len(events(stored)) == written
    assert dry.batch == 0 and dry.dry_run
    real = stored.reapply_rules(rules)
    assert (dry.scanned, dry.changed) == (real.scanned, real.changed)
    assert {n: (c.matched, c.changed) for n, c in dry.rules.items()} == {
        n: (c.matched, c.changed) for n, c in real.rules.items()
    }


def test_the_users_triage_wins(stored: Store, rules: RuleSet, clock) -> None:
    crypto, angry = comment(stored, "crypto").id, comment(stored, "angry").id
    stored.set_status([crypto], Status.DONE)  # handled by the user
    stored.snooze([angry], T0 + 60)  # snoozed, then back in the inbox
    clock.now = T0 + 61
    stored.wake_due_snoozes()
    assert comment(stored, "angry").status is Status.NEW
    stored.reapply_rules(rules)
    assert comment(stored, "crypto").status is Status.DONE
    assert comment(stored, "crypto").labels == ("junk",)  # labels may still be added
    assert comment(stored, "angry").status is Status.NEW
    assert stored.escalations_for(angry) == []


def test_what_the_user_takes_back_from_a_rule_stays_taken_back(
    stored: Store, rules: RuleSet
) -> None:
    stored.reapply_rules(rules)
    refund, crypto = comment(stored, "refund").id, comment(stored, "crypto").id
    stored.change_labels([refund], remove=["billing"])
    stored.set_status([crypto], Status.NEW)  # "not spam"
    stored.reapply_rules(rules)
    assert comment(stored, "refund").labels == ()
    assert comment(stored, "refund").priority == 30
    assert comment(stored, "crypto").status is Status.NEW


def test_undo_of_a_reapply_restores_exactly_what_was_there(stored: Store, rules: RuleSet) -> None:
    stored.change_labels([comment(stored, "refund").id], add=["vip"])
    before = state(stored)
    report = stored.reapply_rules(rules)
    assert state(stored) != before
    undone = stored.undo_last()
    assert undone is not None
    assert undone.action == "rules"
    assert len(undone.comment_ids) == report.changed
    assert state(stored) == before
    assert stored.escalations_for(comment(stored, "angry").id)[0]["state"] == "withdrawn"
    # Undone, the rules have not acted: running them again acts again.
    assert stored.reapply_rules(rules).changed == report.changed


def test_reapply_of_one_view_leaves_the_others(stored: Store, rules: RuleSet) -> None:
    stored.set_status([comment(stored, "refund").id], Status.DONE)
    report = stored.reapply_rules(rules, view=View.INBOX)
    assert report.scanned == 4
    assert comment(stored, "refund").labels == ()


def test_reapply_reads_in_chunks_and_gets_the_same_result(
    tmp_path: Path, clock, rules: RuleSet
) -> None:
    results = []
    for chunk in (2, 500):
        with Store(tmp_path / f"chunk{chunk}.sqlite3", clock=clock) as store:
            store.upsert_comments(
                incoming(str(n), ("refund", "crypto", "hi")[n % 3]) for n in range(11)
            )
            progress = Progress()
            report = store.reapply_rules(rules, chunk=chunk, on_chunk=progress)
            seen = progress.seen
            results.append((report.scanned, report.changed, state(store)))
            if chunk == 2:
                assert seen == [2, 4, 6, 8, 10, 11]
    assert results[0] == results[1]


def test_without_rules_reapply_does_nothing(stored: Store) -> None:
    before = state(stored)
    report = stored.reapply_rules()
    assert (report.scanned, report.changed, report.rules) == (0, 0, {})
    assert state(stored) == before
