"""The sender killed at random while the sandbox fails at random: no reply lost or doubled."""

from __future__ import annotations

from outbox_crash import crash_runs


def test_random_kills_and_faults_lose_and_double_nothing(tmp_path):
    # Ten runs keep the suite quick; `python tests/outbox_crash.py --runs 1000` is the long stress.
    # Two worlds, not four: beside the suite's other worker, four starved the senders.
    tally = crash_runs(10, seed=11, root=tmp_path, parallel=2)
    assert tally.runs == 10 and tally.checked == 60
    assert tally.kills > 0  # senders really died mid-way
    assert tally.ok, tally.line()
