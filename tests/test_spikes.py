"""The spike alert: the last hour's negative comments against the hourly baseline, and its words."""

from __future__ import annotations

from stats_fixtures import add

from cm_inbox.response_config import AlertSettings
from cm_inbox.spikes import driving_words, read_spike, words_of

NOW = 1_795_168_800
HOUR = 3600
USUAL = [
    "the app is slow today",
    "pricing is too high for me",
    "support never answered my email",
    "dark mode hurts my eyes",
    "notifications arrive late",
    "the widget looks ugly",
]


def baseline(store, days: int = 3, per_hour: int = 1) -> None:
    """A steady ``per_hour`` negatives every hour for ``days`` before the last hour."""
    n = 0
    for hour in range(2, days * 24 + 2):
        for k in range(per_hour):
            add(
                store,
                f"base-{hour}-{k}",
                NOW - hour * HOUR + k * 60,
                USUAL[n % len(USUAL)],
                sentiment="negative",
            )
            n += 1
        add(store, f"calm-{hour}", NOW - hour * HOUR + 30, "nice update", sentiment="positive")


def burst(store, texts: list[str], minutes_ago_start: int = 50) -> None:
    for n, text in enumerate(texts):
        add(
            store,
            f"burst-{n}",
            NOW - (minutes_ago_start - n) * 60,
            text,
            sentiment="negative",
        )


OUTAGE = [
    "Login is broken again, cannot sign in",
    "Impossible de me connecter, login cassé",
    "login fails with error 500 https://status.example.com",
    "@lumo login broken since the update",
    "cannot login on android, broken",
    "is login down for everyone?",
    "login error 500 again",
    "sign in broken, login loops",
]


def test_a_burst_of_negatives_is_a_spike_with_its_words(store) -> None:
    baseline(store)
    burst(store, OUTAGE)
    reading = read_spike(store, AlertSettings(spike_factor=3, spike_minimum=5), NOW)
    assert reading.count == 8
    assert reading.baseline_per_hour == 1.0
    assert reading.baseline_hours == 3 * 24  # from the first comment, not the whole 7 days
    assert reading.spike
    assert reading.words[0] == "login"
    assert "broken" in reading.words
    # Links, handles and stop words never drive an alert.
    assert not {"https", "status", "lumo", "the", "is", "de", "me"} & set(reading.words)
    assert "8 negative comments in the last hour" in reading.describe()
    assert "8.0× the usual 1.0 an hour" in reading.describe()
    assert "login" in reading.describe()


def test_an_ordinary_hour_is_no_spike(store) -> None:
    baseline(store, per_hour=2)
    burst(store, USUAL[:5])
    reading = read_spike(store, AlertSettings(spike_factor=3, spike_minimum=5), NOW)
    assert reading.count == 5
    assert reading.baseline_per_hour == 2.0
    assert not reading.spike
    assert reading.words == ()


def test_too_few_negatives_are_no_spike_however_quiet_the_baseline(store) -> None:
    baseline(store, per_hour=0)
    burst(store, OUTAGE[:4])
    assert not read_spike(store, AlertSettings(spike_minimum=5), NOW).spike
    assert read_spike(store, AlertSettings(spike_minimum=4), NOW).spike


def test_the_factor_and_the_baseline_window_come_from_the_settings(store) -> None:
    baseline(store, per_hour=2)
    burst(store, OUTAGE)  # 8 against 2 an hour: 4×
    assert read_spike(store, AlertSettings(spike_factor=3), NOW).spike
    assert not read_spike(store, AlertSettings(spike_factor=4), NOW).spike
    # A two-hour baseline holds one whole hour before the last: 2 negatives.
    short = read_spike(store, AlertSettings(baseline_seconds=2 * HOUR), NOW)
    assert short.baseline_hours <= 2
    assert short.baseline_per_hour == 2.0


def test_a_brand_new_inbox_has_no_baseline_and_no_alert(store) -> None:
    burst(store, OUTAGE)
    reading = read_spike(store, AlertSettings(), NOW)
    assert reading.count == 8
    assert reading.baseline_hours == 0
    assert not reading.spike


def test_words_of_skips_stop_words_links_and_handles_in_english_and_french() -> None:
    assert words_of("L'application plante depuis la mise à jour https://x.io @bob #pub") == {
        "application",
        "plante",
        "mise",
        "jour",
    }
    assert words_of("The sync is broken, it's BROKEN!") == {"sync", "broken"}


def test_driving_words_are_those_over_represented() -> None:
    usual = ["sync is slow"] * 20 + ["billing is confusing"] * 20
    recent = ["sync crash on start", "crash after sync", "app crash", "billing crash"]
    words = driving_words(recent, usual)
    assert words[0] == "crash"
    assert "sync" not in words  # as common before as now
