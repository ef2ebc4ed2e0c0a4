"""Priority: which comment the community manager answers first, and the line that says why."""

from __future__ import annotations

import pytest

from cm_inbox.listening import analyze
from cm_inbox.listening.priority import TIERS, explain, priority_score, tier_of

HOUR = 3600


def score(text: str, *, followers=0, likes=0, replies=0, waited_s=0.0, target_s=4 * HOUR):
    signals = analyze(text)
    return priority_score(
        sentiment=signals.sentiment,
        sentiment_score=signals.sentiment_score,
        intents=signals.intents,
        followers=followers,
        likes=likes,
        replies=replies,
        waited_s=waited_s,
        target_s=target_s,
    )


CRISES = [
    "If this isn't refunded by Friday my lawyer will be in touch.",
    "Votre chargeur a pris feu sur mon bureau cette nuit.",
    "Hi, I'm a journalist at the Daily Ledger, could your press office contact me?",
]
PRAISE = [
    "Love the new dark mode 😍",
    "Merci beaucoup pour la réponse rapide, problème réglé !",
    "Best customer service ever, thank you Sarah!",
]


@pytest.mark.parametrize("crisis", CRISES)
def test_a_crisis_is_urgent_from_an_account_nobody_follows(crisis):
    assert tier_of(score(crisis, followers=0)) == "urgent"


@pytest.mark.parametrize("crisis", CRISES)
@pytest.mark.parametrize("praise", PRAISE)
def test_a_crisis_ranks_above_any_praise(crisis, praise):
    loudest_praise = score(
        praise, followers=50_000_000, likes=100_000, replies=10_000, waited_s=30 * 86_400
    )
    assert score(crisis, followers=0) > loudest_praise


@pytest.mark.parametrize(
    "grievance",
    [
        "Still no answer to my email from last Monday...",
        "The app keeps crashing every time I open the calendar",
        "pas terrible cette mise à jour",
    ],
)
def test_a_fresh_complaint_from_nobody_beats_celebrity_praise(grievance):
    assert analyze(grievance).sentiment == "negative"
    fresh = score(grievance, followers=3)
    for praise in PRAISE:
        assert fresh > score(praise, followers=20_000_000, likes=50_000, waited_s=10 * 86_400)


def test_reach_and_traction_raise_within_the_band_only():
    text = "Is there a student discount?"
    quiet = score(text, followers=10)
    known = score(text, followers=120_000)
    viral = score(text, followers=120_000, likes=4_000, replies=300)
    assert quiet < known < viral
    assert tier_of(quiet) == tier_of(viral) == "normal"


def test_waiting_raises_and_keeps_raising_past_the_target():
    text = "How do I export my notes to Markdown"
    new = score(text, waited_s=0)
    halfway = score(text, waited_s=2 * HOUR)
    overdue = score(text, waited_s=6 * HOUR)
    much_later = score(text, waited_s=8 * HOUR)
    assert new < halfway < overdue < much_later


def test_spam_sinks_to_the_bottom():
    assert score("🔥 Make $500/day from home!! DM me for details 🔥", followers=10**6) == 0.0


def test_scores_stay_between_0_and_100():
    extreme = score(CRISES[0], followers=10**9, likes=10**9, replies=10**9, waited_s=10**9)
    assert 0.0 <= extreme <= 100.0


def test_tiers_are_what_the_response_target_code_reads():
    assert TIERS == (("urgent", 75.0), ("high", 50.0), ("normal", 25.0), ("low", 0.0))
    assert [tier_of(s) for s in (100, 75, 74.9, 50, 49.9, 25, 24.9, 0)] == [
        "urgent",
        "urgent",
        "high",
        "high",
        "normal",
        "normal",
        "low",
        "low",
    ]


def test_explain_reads_as_one_line():
    line = explain(
        sentiment="negative",
        intents=("bug",),
        followers=12_400,
        waited_s=3 * HOUR + 120,
        target_s=4 * HOUR,
    )
    assert line == "negative · bug report · 12k followers · waiting 3 h of 4 h"


def test_explain_says_how_overdue_and_counts_traction():
    line = explain(
        sentiment="negative",
        intents=("complaint", "question"),
        followers=1,
        likes=3,
        replies=1,
        waited_s=6 * HOUR + 300,
        target_s=4 * HOUR,
    )
    assert (
        line == "negative · complaint · question · 1 follower · 3 likes · 1 reply · overdue by 2 h"
    )


@pytest.mark.parametrize(
    ("followers", "shown"),
    [
        (0, "0 followers"),
        (999, "999 followers"),
        (1_500, "1.5k followers"),
        (1_250_000, "1.2M followers"),
    ],
)
def test_explain_rounds_follower_counts_as_people_say_them(followers, shown):
    assert shown in explain(
        sentiment="neutral", intents=(), followers=followers, waited_s=600, target_s=4 * HOUR
    )


def test_explain_accepts_priority_scores_own_arguments():
    arguments = dict(
        sentiment="positive",
        sentiment_score=0.8,
        intents=("praise",),
        followers=40,
        likes=0,
        replies=0,
        waited_s=45,
        target_s=86_400,
    )
    assert priority_score(**arguments) < 25
    assert explain(**arguments) == "positive · praise · 40 followers · waiting 45 s of 24 h"
