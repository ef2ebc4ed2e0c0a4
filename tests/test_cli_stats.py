"""`cm-inbox stats`: the figures a community manager reports, matching what the events record."""

from __future__ import annotations

import json
from statistics import median

import pytest
from stats_fixtures import add, reply_sent

from cm_inbox.model import Status

NOW = 1_795_168_800  # Friday 2026-11-20 10:00 UTC
HOUR = 3600


@pytest.fixture
def at_now(monkeypatch: pytest.MonkeyPatch):
    import cm_inbox.cli.stats

    monkeypatch.setattr(cm_inbox.cli.stats, "clock", lambda: NOW)
    # Reports speak the user's zone; the tests' is UTC whatever the machine's.
    monkeypatch.setenv("TZ", "UTC")


def write_config(text: str) -> None:
    from cm_inbox import paths

    path = paths.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def inbox(store, clock, at_now):
    """Comments over three days, with replies sent at known times."""
    made = {}
    made["a"] = add(store, "a", NOW - 50 * HOUR, "Where is my refund?", priority=80)
    made["b"] = add(store, "b", NOW - 30 * HOUR, "App crashes on start", priority=60)
    made["c"] = add(store, "c", NOW - 20 * HOUR, "Love the update", sentiment="positive")
    made["d"] = add(store, "d", NOW - 10 * HOUR, "Billing is a joke", sentiment="negative")
    made["e"] = add(store, "e", NOW - 5 * HOUR, "How do I export?", priority=30, intents="question")
    made["f"] = add(
        store,
        "f",
        NOW - 3 * HOUR,
        "Still broken, awful",
        sentiment="negative",
        priority=90,
        network="bluesky",
        account="lumo.app",
        language="fr",
        intents="bug,complaint",
    )
    # First responses: a in 30 min, b in 2 h (sent 10 s after queueing), e in 4 h.
    reply_sent(store, clock, made["a"], queued_at=NOW - 50 * HOUR + 1790, sent_at=NOW - 49.5 * HOUR)
    reply_sent(store, clock, made["b"], queued_at=NOW - 28 * HOUR - 10, sent_at=NOW - 28 * HOUR)
    reply_sent(store, clock, made["e"], queued_at=NOW - HOUR - 10, sent_at=NOW - HOUR)
    # A second reply to a, later, is not its first response.
    store.set_status([made["a"]], Status.NEW)
    reply_sent(store, clock, made["a"], queued_at=NOW - 2 * HOUR, sent_at=NOW - 2 * HOUR + 10)
    store.set_status([made["c"]], Status.DONE)
    clock.now = NOW
    return made


def events_first_responses(store) -> dict[int, int]:
    """First responses computed straight from the events table, the slow way."""
    rows = store.db.query(
        "SELECT e.comment_id, e.at, c.created_at FROM events e JOIN comments c"
        " ON c.id = e.comment_id WHERE e.action = 'outbox:sent' ORDER BY e.at"
    )
    first: dict[int, int] = {}
    for comment_id, at, created in rows:
        first.setdefault(comment_id, at - created)
    return first


def test_json_response_times_match_the_events(cli, store, inbox) -> None:
    result = cli("stats", "--db", store.path, "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    from_events = sorted(events_first_responses(store).values())
    assert from_events == [1800, 7200, 14400]
    first = report["first_response"]
    assert first["answered"] == 3
    assert first["median_seconds"] == median(from_events) == 7200
    # 90th percentile, interpolated: 7200 + 0.8 × (14400 − 7200).
    assert first["p90_seconds"] == 12960
    assert report["response_histogram"]["15m-1h"] == 1
    assert report["response_histogram"]["1-4h"] == 1
    assert report["response_histogram"]["4-24h"] == 1


def test_json_counts_breaches_and_unanswered(cli, store, inbox) -> None:
    report = json.loads(cli("stats", "--db", store.path, "--json").out)
    assert report["comments"] == 6
    assert report["by_status"] == {"replied": 3, "new": 2, "done": 1}
    assert report["by_network"] == {"mastodon": 5, "bluesky": 1}
    assert report["by_sentiment"] == {"neutral": 3, "negative": 2, "positive": 1}
    assert report["by_intent"] == {"bug": 1, "complaint": 1, "question": 1}
    assert report["by_language"]["fr"] == 1
    tiers = report["targets"]["tiers"]
    # f: urgent (1 h), open for 3 h: breached. d: low (72 h), open 10 h: fine.
    assert tiers["urgent"] == {
        "target_seconds": 3600,
        "open": 1,
        "at_risk": 0,
        "breached": 1,
        "answered": 1,
        "answered_late": 0,
    }
    # b: high (4 h), answered in 2 h; e: normal (24 h), answered in 4 h.
    assert tiers["high"]["answered_late"] == 0
    assert report["breaches"] == {"open_breached": 1, "open_at_risk": 0, "answered_late": 0}
    assert report["unanswered_negatives"]["count"] == 2
    assert report["unanswered_negatives"]["oldest_at"] == "2026-11-20T00:00:00Z"
    assert report["spike"]["alert"] is False


def test_since_narrows_to_recent_comments(cli, store, inbox) -> None:
    report = json.loads(cli("stats", "--db", store.path, "--json", "--since", "24h").out)
    assert report["since"] == "2026-11-19T10:00:00Z"
    assert report["comments"] == 4  # c, d, e, f
    assert report["first_response"]["answered"] == 1
    assert report["first_response"]["median_seconds"] == 14400
    dated = json.loads(cli("stats", "--db", store.path, "--json", "--since", "2026-11-19").out)
    assert dated["since"] == "2026-11-19T00:00:00Z"
    assert dated["comments"] == 5  # b too: 30 hours ago is after midnight yesterday


def test_business_hours_make_a_weekend_answer_on_time(cli, store, clock, at_now) -> None:
    write_config(
        '[targets]\nurgent = "1h"\nbusiness_hours = "09:00-18:00"\n[time]\ntimezone = "UTC"\n'
    )
    friday = NOW + 7 * HOUR + 30 * 60  # Friday 17:30
    late = add(store, "w", friday, "site down", priority=95)
    reply_sent(store, clock, late, queued_at=friday + 20 * HOUR, sent_at=friday + 20 * HOUR + 5)
    import cm_inbox.cli.stats

    cm_inbox.cli.stats.clock = lambda: friday + 21 * HOUR  # Saturday 14:30
    report = json.loads(cli("stats", "--db", store.path, "--json").out)
    assert report["targets"]["business_hours"] == "09:00-18:00 Mon,Tue,Wed,Thu,Fri"
    assert report["targets"]["tiers"]["urgent"]["answered_late"] == 0
    write_config('[targets]\nurgent = "1h"\n')
    report = json.loads(cli("stats", "--db", store.path, "--json").out)
    assert report["targets"]["tiers"]["urgent"]["answered_late"] == 1


def test_the_table_says_it_in_words(cli, store, inbox) -> None:
    result = cli("stats", "--db", store.path)
    assert result.code == 0, result.err
    out = result.out
    assert "median 2h · 90th percentile 3h 36m · 3 answered" in out
    assert "Urgent target" in out and "1 breached" in out
    assert "Unanswered criticism  2" in " ".join(out.split("\n"))
    assert "none: 0 negative comments in the last hour" in out


def test_a_spike_shows_in_the_report(cli, store, at_now) -> None:
    for hour in range(2, 50):
        add(store, f"b{hour}", NOW - hour * HOUR, "meh", sentiment="negative")
    for n in range(7):
        add(
            store,
            f"s{n}",
            NOW - (40 - n) * 60,
            "checkout broken, payment refused",
            sentiment="negative",
        )
    result = cli("stats", "--db", store.path)
    assert "Spike alert" in result.out
    assert "7 negative comments in the last hour" in result.out
    assert "checkout" in result.out
    report = json.loads(cli("stats", "--db", store.path, "--json").out)
    assert report["spike"]["alert"] is True
    assert report["spike"]["last_hour"] == 7
    assert set(report["spike"]["words"]) >= {"checkout", "payment"}


def test_a_bad_since_is_a_usage_error(cli, store, at_now) -> None:
    result = cli("stats", "--db", store.path, "--since", "last tuesday")
    assert result.code == 2
    assert '--since: "last tuesday" is not a period' in result.err


def test_a_config_mistake_is_a_warning_and_the_report_still_comes(cli, store, at_now) -> None:
    write_config('[targets]\nurgent = "soon"\n')
    result = cli("stats", "--db", store.path, "--json")
    assert result.code == 0
    assert 'line 2: "urgent" in [targets]' in " ".join(result.err.split())
    assert json.loads(result.out)["targets"]["tiers"]["urgent"]["target_seconds"] == 3600
