"""`make eval`'s runner: figures on labelled comments, and an exit status CI can read."""

from __future__ import annotations

import json
from pathlib import Path

from cm_inbox.listening.evaluate import main


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    return path


GOOD = [
    {
        "text": "Still no answer to my email, this is unacceptable",
        "language": "en",
        "sentiment": "negative",
        "intents": ["complaint"],
    },
    {
        "text": "J'adore le nouveau mode sombre, merci !",
        "language": "fr",
        "sentiment": "positive",
        "intents": ["praise"],
    },
    {
        "text": "Comment exporter mes notes en PDF ?",
        "language": "fr",
        "sentiment": "neutral",
        "intents": ["question"],
    },
    {
        "text": "😍😍",
        "language": "en",
        "hint": "en",
        "sentiment": "positive",
        "intents": ["praise"],
    },
]


def test_all_targets_met_exits_0(tmp_path, capsys):
    assert main([str(write(tmp_path / "set.jsonl", GOOD))]) == 0
    out = capsys.readouterr().out
    assert "all targets hold" in out
    assert "macro-F1" in out
    assert "µs per comment" in out


def test_a_missed_target_exits_1_and_says_which(tmp_path, capsys):
    wrong = [dict(row, sentiment="neutral") for row in GOOD]
    assert main([str(write(tmp_path / "set.jsonl", wrong))]) == 1
    assert "MISSED: en sentiment" in capsys.readouterr().out


def test_dev_and_test_files_are_reported_as_splits(tmp_path, capsys):
    dev = write(tmp_path / "en-dev.jsonl", GOOD[:2])
    test = write(tmp_path / "en-test.jsonl", GOOD[2:])
    assert main([str(dev), str(test)]) == 0
    out = capsys.readouterr().out
    assert "\ndev " in out and "\ntest " in out


def test_a_broken_line_is_named_with_its_file_and_line(tmp_path, capsys):
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps(GOOD[0]) + "\n{not json\n")
    assert main([str(path)]) == 2
    assert f"{path}, line 2: not JSON" in capsys.readouterr().err


def test_an_unknown_label_is_refused(tmp_path, capsys):
    path = write(tmp_path / "bad.jsonl", [dict(GOOD[0], intents=["rant"])])
    assert main([str(path)]) == 2
    assert "'intents' must be a list drawn from" in capsys.readouterr().err


def test_the_projects_own_set_meets_its_targets(capsys):
    assert main([]) == 0, capsys.readouterr().out
