"""[targets] and [alerts] in config.toml: values read, mistakes named with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from cm_inbox.config import DEFAULT_CONFIG_TEXT, load_config
from cm_inbox.response_config import DEFAULT_TARGETS, parse_duration


def load(tmp_path: Path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path), path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    config = load_config(tmp_path / "absent.toml")
    assert dict(config.targets.seconds) == DEFAULT_TARGETS
    assert config.targets.hours is None
    assert config.alerts.spike_factor == 3.0
    assert config.alerts.spike_minimum == 5
    assert config.alerts.baseline_seconds == 7 * 86400
    assert config.ui.sort == "priority"


def test_the_default_file_loads_without_problems(tmp_path: Path) -> None:
    config, _ = load(tmp_path, DEFAULT_CONFIG_TEXT)
    assert config.problems == []
    # Every line of the sections, uncommented, is valid as written.
    uncommented = "\n".join(
        line[2:] if line.startswith("# ") and "=" in line.split("#")[1] else line
        for line in DEFAULT_CONFIG_TEXT.splitlines()
        if not line.startswith("# reply") and "Binding ids" not in line
    )
    start = uncommented.index("[targets]")
    config, _ = load(tmp_path, uncommented[start:])
    assert config.problems == []
    assert config.targets.hours == (9 * 60, 18 * 60)


def test_targets_and_business_hours_are_read(tmp_path: Path) -> None:
    config, _ = load(
        tmp_path,
        '[targets]\nurgent = "30m"\nhigh = "2h30m"\nnormal = "1d"\nlow = "off"\n'
        'business_hours = "08:30-17:00"\nbusiness_days = ["lundi", "mar", "wed", "thu", "fri", "sat"]\n',
    )
    assert config.problems == []
    assert dict(config.targets.seconds) == {
        "urgent": 1800,
        "high": 9000,
        "normal": 86400,
        "low": None,
    }
    assert config.targets.hours == (8 * 60 + 30, 17 * 60)
    assert config.targets.days == frozenset({0, 1, 2, 3, 4, 5})


def test_day_ranges_wrap_around_the_week(tmp_path: Path) -> None:
    config, _ = load(tmp_path, '[targets]\nbusiness_days = "fri-mon"\n')
    assert config.problems == []
    assert config.targets.days == frozenset({4, 5, 6, 0})
    assert config.targets.hours == (0, 24 * 60)  # whole days on those days


def test_alerts_are_read(tmp_path: Path) -> None:
    config, _ = load(tmp_path, '[alerts]\nspike_factor = 2.5\nspike_minimum = 8\nbaseline = "3d"\n')
    assert config.problems == []
    assert (config.alerts.spike_factor, config.alerts.spike_minimum) == (2.5, 8)
    assert config.alerts.baseline_seconds == 3 * 86400


@pytest.mark.parametrize(
    ("text", "line", "fragments"),
    [
        ('[targets]\nurgent = "soon"\n', 2, ['"urgent" in [targets]', '"soon"', 'using "1h"']),
        ("[targets]\n\nhigh = 4\n", 3, ['"high" in [targets]', "the number 4", 'using "4h"']),
        ('[targets]\nnormal = "0h"\n', 2, ["longer than zero", 'using "1d"']),
        (
            '[targets]\nbusiness_hours = "18:00-09:00"\n',
            2,
            ['"business_hours"', "end after it starts", "around the clock"],
        ),
        ('[targets]\nbusiness_hours = "9h-18h"\n', 2, ['"09:00-18:00"', '"9h-18h"']),
        ('[targets]\nbusiness_days = "mon-frydai"\n', 2, ['"frydai"', "is not a day"]),
        ('[targets]\nurgnet = "1h"\n', 2, ['unknown key "urgnet"', 'did you mean "urgent"']),
        ("[alerts]\nspike_factor = 1\n", 2, ['"spike_factor" in [alerts]', "above 1", "using 3"]),
        ('[alerts]\nspike_minimum = "five"\n', 2, ['"spike_minimum"', '"five"', "using 5"]),
        ('[alerts]\nbaseline = "30m"\n', 2, ['"baseline"', "2h or longer", 'using "7d"']),
        ("targets = 3\n", 1, ['"targets" must be a table']),
    ],
)
def test_mistakes_name_the_file_line_and_key(tmp_path: Path, text, line, fragments) -> None:
    config, path = load(tmp_path, text)
    assert len(config.problems) == 1, config.problems
    problem = config.problems[0]
    assert problem.startswith(f"{path}, line {line}: "), problem
    for fragment in fragments:
        assert fragment in problem


def test_a_mistake_keeps_the_default_for_that_key_only(tmp_path: Path) -> None:
    config, _ = load(
        tmp_path, '[targets]\nurgent = "soon"\nhigh = "2h"\n\n[alerts]\nspike_minimum = 0\n'
    )
    assert len(config.problems) == 2
    assert config.targets.seconds["urgent"] == 3600
    assert config.targets.seconds["high"] == 7200
    assert config.alerts.spike_minimum == 5


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1h", 3600), ("90m", 5400), ("1h30m", 5400), ("2d", 172800), ("1d 12h", 129600)],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds
