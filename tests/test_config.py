"""config.toml: defaults, validation messages that point at the line, and the keymap."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cm_inbox import paths
from cm_inbox.config import (
    DEFAULT_CONFIG_TEXT,
    DEFAULT_TEAMS,
    Config,
    load_config,
    toml_key_lines,
    write_default_config,
)


@pytest.fixture
def config_file(tmp_path: Path):
    """Write a config text to a file and load it."""
    path = tmp_path / "config.toml"

    def load(text: str) -> Config:
        path.write_text(text, encoding="utf-8")
        return load_config(path)

    load.path = path  # type: ignore[attr-defined]
    return load


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "absent.toml")
    assert config.problems == []
    assert config.ui.theme == "cm-dark"
    assert config.ui.sort == "priority"  # priority, then the oldest first
    assert config.keymap == {}
    assert config.escalation.teams == DEFAULT_TEAMS == ("support", "product", "legal", "press")
    assert config.snooze.morning == time(9, 0)
    assert config.snooze.evening == time(18, 0)
    assert config.snooze.week_starts == 0
    assert config.tz is not None


def test_default_path_is_the_platform_config_file() -> None:
    config = load_config()
    assert config.path == paths.config_path()
    assert config.problems == []


def test_environment_variable_points_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "elsewhere.toml"
    other.write_text('[ui]\nsort = "oldest"\n', encoding="utf-8")
    monkeypatch.setenv(paths.CONFIG_ENV, str(other))
    config = load_config()
    assert config.path == other
    assert config.ui.sort == "oldest"


def test_a_full_valid_config(config_file) -> None:
    config = config_file(
        """
[ui]
theme = "cm-light"
sort = "priority"

[keys]
reply = "r,R"
done = "d, ctrl+d"

[escalation]
teams = ["support", "trust & safety", "support"]

[snooze]
morning = "08:30"
evening = 19:15:00
week_starts = "dimanche"

[time]
timezone = "America/New_York"
"""
    )
    assert config.problems == []
    assert config.ui.theme == "cm-light"
    assert config.ui.sort == "priority"
    assert config.keymap == {"reply": "r,R", "done": "d,ctrl+d"}
    assert config.escalation.teams == ("support", "trust & safety")
    assert config.snooze.morning == time(8, 30)
    assert config.snooze.evening == time(19, 15)
    assert config.snooze.week_starts == 6
    assert config.timezone == "America/New_York"
    assert config.tz == ZoneInfo("America/New_York")


# Each case: a broken setting in the middle of a file whose other settings are
# valid, the line it is on, the key the message must name, and words it must say.
PROBLEMS = [
    ('[ui]\ncolour = "red"', 2, '"colour"', "unknown key"),
    ('[ui]\nthem = "cm-light"', 2, '"them"', 'did you mean "theme"'),
    ("[ui]\ntheme = 3", 2, '"theme"', "must be a string"),
    ('[ui]\nsort = "random"', 2, '"sort"', '"newest", "oldest", "priority"'),
    ('[keys]\nreply = ""', 2, '"reply"', "keys separated by commas"),
    ('[keys]\nreply = ["r"]', 2, '"reply"', "must be a string of keys"),
    ('[keys]\nreply = "r,,R"', 2, '"reply"', "keys separated by commas"),
    ('[escalation]\nteams = "support"', 2, '"teams"', "must be a list"),
    ("[escalation]\nteams = []", 2, '"teams"', "at least one team"),
    ('[escalation]\nteams = [\n  "support",\n  "",\n]', 2, '"teams"', "non-empty strings"),
    ('[snooze]\nmorning = "9 o\'clock"', 2, '"morning"', 'such as "09:00"'),
    ('[snooze]\nevening = "24:00"', 2, '"evening"', 'such as "09:00"'),
    ('[snooze]\nweek_starts = "someday"', 2, '"week_starts"', "day of the week"),
    ('[time]\ntimezone = "Mars/Olympus"', 2, '"timezone"', "unknown time zone"),
    ("[time]\ntimezone = 1", 2, '"timezone"', "must be a string"),
    ("[colours]\nx = 1", 1, "[colours]", "unknown section"),
    ("[ui.extra]\nx = 1", 1, '"extra"', "unknown key"),
    ('ui = "dark"', 1, '"ui"', "must be a table"),
    ("stray = 1", 1, '"stray"', "outside any section"),
    ('[ui]\n"quoted key" = 1', 2, '"quoted key"', "unknown key"),
    ('ui.colour = "red"', 1, '"colour"', "unknown key"),
    ('[ "ui" ]\n\n  colour   =   "red"', 3, '"colour"', "unknown key"),
]

VALID_AROUND = """\
# settings that must still load
[ui]
sort = "oldest"

[keys]
undo = "z"

"""


@pytest.mark.parametrize(("broken", "line", "key", "words"), PROBLEMS)
def test_each_problem_names_file_line_and_key_and_the_rest_loads(
    config_file, broken: str, line: int, key: str, words: str
) -> None:
    offset = VALID_AROUND.count("\n")
    # Put the broken part in its own section after the valid ones; a broken [ui]
    # or [keys] key repeats that header and a top-level key must come first, so
    # those get a file of their own.
    if broken.startswith(("[ui", '[ "ui"', "ui", "[keys", "stray")):
        text = broken + '\n\n[snooze]\nmorning = "08:00"\n'
        config = config_file(text)
        assert config.snooze.morning == time(8, 0)
        expected_line = line
    else:
        config = config_file(VALID_AROUND + broken + "\n")
        assert config.ui.sort == "oldest"
        assert config.keymap == {"undo": "z"}
        expected_line = line + offset
    assert len(config.problems) == 1, config.problems
    message = config.problems[0]
    assert message.startswith(f"{config_file.path}, line {expected_line}: "), message
    assert key in message
    assert words in message


def test_a_bad_value_keeps_that_default_and_others_apply(config_file) -> None:
    config = config_file('[ui]\ntheme = "cm-light"\nsort = "random"\n')
    assert config.ui.theme == "cm-light"
    assert config.ui.sort == "priority"
    assert 'using "priority"' in config.problems[0]


def test_problems_come_in_file_order(config_file) -> None:
    config = config_file('[time]\ntimezone = "Nowhere/City"\n[ui]\ncolour = 1\n[zzz]\n')
    lines = [int(re.search(r"line (\d+)", m).group(1)) for m in config.problems]
    assert lines == sorted(lines) == [2, 4, 5]


def test_syntax_error_gives_defaults_with_the_line(config_file) -> None:
    config = config_file('[ui]\nsort = "oldest"\n\n[keys]\nreply = \n')
    assert config.ui.sort == "priority"
    assert config.keymap == {}
    assert len(config.problems) == 1
    message = config.problems[0]
    assert message.startswith(f"{config_file.path}, line 5: invalid TOML")
    assert "using the defaults" in message


def test_not_utf8_gives_defaults_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'[ui]\nsort = "oldest"\ntheme = "\xff"\n')
    config = load_config(path)
    assert config.ui.sort == "priority"
    assert config.problems == [f"{path}, line 3: the file is not UTF-8 text; using the defaults"]


def test_unreadable_path_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    folder = tmp_path / "config.toml"
    folder.mkdir()
    config = load_config(folder)
    assert config.ui.theme == "cm-dark"
    assert len(config.problems) == 1
    assert config.problems[0].startswith(f"{folder}: can't read the file")


def test_keymap_is_kept_by_binding_id(config_file) -> None:
    config = config_file(
        '[keys]\nreply = "r,R"\n"view_inbox" = " 1 , i "\nsnooze = "s"\nnot_a_binding = "y"\n'
    )
    assert config.problems == []
    # The TUI, not the config module, knows which binding ids exist.
    assert config.keymap == {
        "reply": "r,R",
        "view_inbox": "1,i",
        "snooze": "s",
        "not_a_binding": "y",
    }


def test_keymap_keeps_good_entries_beside_bad_ones(config_file) -> None:
    config = config_file('[keys]\nreply = "r"\ndone = 4\nundo = "u"\n')
    assert config.keymap == {"reply": "r", "undo": "u"}
    assert len(config.problems) == 1
    assert "line 3" in config.problems[0]
    assert '"done" in [keys]' in config.problems[0]


def test_timezone_defaults_to_the_machine_zone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    assert load_config(tmp_path / "absent.toml").tz == ZoneInfo("Asia/Tokyo")
    assert Config().timezone == "Asia/Tokyo"


def test_timezone_local_means_the_machine_zone(
    monkeypatch: pytest.MonkeyPatch, config_file
) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    config = config_file('[time]\ntimezone = "local"\n')
    assert config.problems == []
    assert config.tz == ZoneInfo("Asia/Tokyo")


def test_unknown_timezone_falls_back_to_local(monkeypatch: pytest.MonkeyPatch, config_file) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    config = config_file('[time]\ntimezone = "Europe/Atlantis"\n')
    assert config.tz == ZoneInfo("Asia/Tokyo")
    assert config.timezone == "Asia/Tokyo"
    assert "Europe/Atlantis" in config.problems[0]
    assert "Asia/Tokyo" in config.problems[0]


def test_timezone_from_the_file_wins(monkeypatch: pytest.MonkeyPatch, config_file) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    config = config_file('[time]\ntimezone = "Europe/Paris"\n')
    assert config.tz == ZoneInfo("Europe/Paris")
    assert config.timezone == "Europe/Paris"


def test_default_config_text_loads_clean_as_written_and_uncommented(config_file) -> None:
    as_written = config_file(DEFAULT_CONFIG_TEXT)
    assert as_written.problems == []
    assert as_written.ui == Config().ui
    # Removing the "#" in front of every setting must give a valid file too.
    uncommented = re.sub(r"(?m)^# (\w+ = )", r"\1", DEFAULT_CONFIG_TEXT)
    assert uncommented != DEFAULT_CONFIG_TEXT
    config = config_file(uncommented)
    assert config.problems == []
    assert config.ui == Config().ui
    assert config.escalation == Config().escalation
    assert config.snooze == Config().snooze
    assert config.timezone == "Europe/Paris"
    assert config.keymap["reply"] == "r"


def test_write_default_config_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "config.toml"
    assert write_default_config(path) is True
    assert path.read_text(encoding="utf-8") == DEFAULT_CONFIG_TEXT
    path.write_text('[ui]\nsort = "oldest"\n', encoding="utf-8")
    assert write_default_config(path) is False
    assert path.read_text(encoding="utf-8") == '[ui]\nsort = "oldest"\n'


def test_write_default_config_defaults_to_the_config_path() -> None:
    assert write_default_config() is True
    assert paths.config_path().read_text(encoding="utf-8") == DEFAULT_CONFIG_TEXT


def test_key_lines_skip_multiline_strings_and_follow_tables() -> None:
    text = "\n".join(
        [
            "[keys]",  # 1
            'help = """',  # 2
            "fake = 1",  # 3
            '"""',  # 4
            "real = 'x'",  # 5
            "[a.'b c'.d]",  # 6
            'e."f.g" = 1',  # 7
            "[[list]]",  # 8
            "item = 1",  # 9
            "arr = [",  # 10
            '  "x = 1",',  # 11
            "]",  # 12
        ]
    )
    lines = toml_key_lines(text)
    assert lines[("keys",)] == 1
    assert lines[("keys", "help")] == 2
    assert ("keys", "fake") not in lines
    assert ("fake",) not in lines
    assert lines[("keys", "real")] == 5
    assert lines[("a", "b c", "d")] == 6
    assert lines[("a",)] == 6
    assert lines[("a", "b c", "d", "e", "f.g")] == 7
    assert lines[("list", "item")] == 9
    assert lines[("list", "arr")] == 10
    assert ("list", "x") not in lines


def test_sync_settings_are_read_and_a_bad_one_keeps_its_default(tmp_path):
    from cm_inbox.config import load_config

    path = tmp_path / "config.toml"
    path.write_text("[sync]\nevery_minutes = 2\nundo_seconds = -3\n", encoding="utf-8")
    config = load_config(path)
    assert config.sync.every_minutes == 2
    assert config.sync.undo_seconds == 10
    assert any("undo_seconds" in problem and "line 3" in problem for problem in config.problems)
