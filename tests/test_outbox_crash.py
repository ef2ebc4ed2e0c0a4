"""The sender killed at random while the sandbox fails at random: no reply lost or doubled."""

from __future__ import annotations

from outbox_crash import crash_runs


def test_twenty_runs_of_random_kills_and_faults_lose_and_double_nothing(tmp_path):
    tally = crash_runs(20, seed=11, root=tmp_path, parallel=4)
    assert tally.runs == 20 and tally.checked == 120
    assert tally.kills > 0  # senders really died mid-way
    assert tally.ok, tally.line()
