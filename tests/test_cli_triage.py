"""`cm-inbox triage` (the rules checked, and run again), and the rules at import and sync."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cm_inbox.model import Status
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.store import Store

T0 = 1_795_168_800
RULES = """
[[rules]]
name = "billing"
words = ["refund"]
labels = ["billing"]
raise_priority = 25

[[rules]]
name = "spam"
words = ["crypto"]
status = "spam"
"""


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write the user's config (CM_INBOX_CONFIG points at it)."""
    path = tmp_path / "config.toml"
    monkeypatch.setenv("CM_INBOX_CONFIG", str(path))

    def write(text: str) -> Path:
        path.write_text(text, encoding="utf-8")
        return path

    return write


def incoming(remote_id: str, text: str, **fields) -> IncomingComment:
    return IncomingComment(
        network="mastodon",
        account="acme",
        remote_id=remote_id,
        author=IncomingAuthor(handle="bob@example.org"),
        text=text,
        created_at=T0,
        **fields,
    )


@pytest.fixture
def db(tmp_path: Path, clock) -> Path:
    path = tmp_path / "inbox.sqlite3"
    with Store(path, clock=clock) as store:
        store.upsert_comments(
            [
                incoming("1", "refund me"),
                incoming("2", "crypto giveaway"),
                incoming("3", "crypto refund", status=Status.DONE),
                incoming("4", "hello"),
            ]
        )
    return path


def stored(path: Path) -> dict[str, tuple]:
    with Store(path) as store:
        rows = store.db.query(
            "SELECT c.remote_id, c.status, c.priority,"
            " (SELECT group_concat(label) FROM comment_labels l WHERE l.comment_id = c.id)"
            " FROM comments c ORDER BY c.remote_id"
        )
        return {row[0]: tuple(row[1:]) for row in rows}


def test_triage_lists_the_rules(cli, config) -> None:
    config(RULES)
    done = cli("triage")
    assert done.code == 0
    assert done.err == ""
    lines = done.out.splitlines()
    assert lines[1].split() == [
        "billing",
        "words",
        "refund",
        "label",
        "billing;",
        "priority",
        "+25",
    ]
    assert lines[2].split() == ["spam", "words", "crypto", "mark", "spam"]


def test_triage_says_which_rules_were_refused_and_why(cli, config) -> None:
    path = config(RULES + '\n[[rules]]\nname = "broken"\nwords = ["x"]\nstatus = "gone"\n')
    done = cli("triage")
    assert done.code == 1
    assert f'config: {path}, line 16: rule "broken": "status" must be' in done.err
    assert "billing" in done.out and "broken" not in done.out
    body = json.loads(cli("triage", "--json").out)
    assert [rule["name"] for rule in body["rules"]] == ["billing", "spam"]
    assert len(body["problems"]) == 1 and "line 16" in body["problems"][0]


def test_reapply_runs_the_rules_and_reports_per_rule(cli, config, db: Path) -> None:
    config(RULES)
    base = {key: row[1] for key, row in stored(db).items()}  # the priorities given on arrival
    done = cli("triage", "--reapply", "--db", db)
    assert done.code == 0, done.err
    assert [line.split() for line in done.out.splitlines()[:3]] == [
        ["rule", "matched", "changed"],
        ["billing", "2", "2"],
        ["spam", "2", "1"],  # the comment already done keeps its status
    ]
    assert "4 comments read, 3 changed; u in the inbox undoes it." in done.out
    assert stored(db) == {
        "1": ("new", base["1"] + 25, "billing"),
        "2": ("spam", base["2"], None),
        "3": ("done", base["3"] + 25, "billing"),
        "4": ("new", base["4"], None),
    }
    again = cli("triage", "--reapply", "--db", db)
    assert "4 comments read, 0 changed: the rules had already done their work." in again.out


def test_dry_run_changes_nothing(cli, config, db: Path) -> None:
    config(RULES)
    before = stored(db)
    done = cli("triage", "--reapply", "--dry-run", "--json", "--db", db)
    assert done.code == 0
    assert json.loads(done.out) == {
        "dry_run": True,
        "scanned": 4,
        "changed": 3,
        "batch": None,
        "rules": [
            {"name": "billing", "matched": 2, "changed": 2},
            {"name": "spam", "matched": 2, "changed": 1},
        ],
    }
    assert stored(db) == before


def test_reapply_of_one_view(cli, config, db: Path) -> None:
    config(RULES)
    before = stored(db)
    done = cli("triage", "--reapply", "--view", "inbox", "--json", "--db", db)
    assert json.loads(done.out)["scanned"] == 3
    assert stored(db)["3"] == before["3"] == ("done", before["3"][1], None)


def test_reapply_without_rules_says_where_to_write_them(cli, config, db: Path) -> None:
    path = config("[ui]\n")
    done = cli("triage", "--reapply", "--db", db)
    assert done.code == 1
    assert f"no triage rule to run: add [[rules]] to {path}" in done.err


def test_dry_run_alone_is_bad_usage(cli, config) -> None:
    config(RULES)
    done = cli("triage", "--dry-run")
    assert done.code == 2
    assert "--dry-run and --view go with --reapply" in done.err


def test_import_runs_the_rules_on_new_comments(cli, config, tmp_path: Path) -> None:
    config(RULES)
    source = tmp_path / "in.jsonl"
    records = [
        {"network": "mastodon", "account": "acme", "id": n, "text": text,
         "author": {"handle": "eve"}, "created_at": "2026-11-20T09:14:00Z"}
        for n, text in (("1", "refund"), ("2", "crypto"))
    ]  # fmt: skip
    source.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    config("[ui]\n")
    plain = tmp_path / "plain.sqlite3"
    assert cli("import", source, "--db", plain).code == 0
    base = {key: row[1] for key, row in stored(plain).items()}  # the priorities without rules
    config(RULES)
    db = tmp_path / "imported.sqlite3"
    assert cli("import", source, "--db", db).code == 0
    assert stored(db) == {"1": ("new", base["1"] + 25, "billing"), "2": ("spam", base["2"], None)}


async def test_a_sync_runs_the_rules_on_what_it_brings(store: Store, clock, tmp_path: Path) -> None:
    from sandbox_world import World

    from cm_inbox.config import load_config

    path = tmp_path / "rules.toml"
    path.write_text('[[rules]]\nname = "all mastodon"\nnetwork = "mastodon"\nlabels = ["m"]\n')
    store.use_rules(load_config(path).rules)
    world = World(store, clock)
    await world.connect()
    await world.sync()
    counts = dict(
        store.db.query(
            "SELECT acc.network, count(l.label) FROM comments c"
            " JOIN accounts acc ON acc.id = c.account_id"
            " LEFT JOIN comment_labels l ON l.comment_id = c.id AND l.label = 'm'"
            " WHERE NOT c.is_ours GROUP BY acc.network"
        )
    )
    total = dict(
        store.db.query(
            "SELECT acc.network, count(*) FROM comments c JOIN accounts acc"
            " ON acc.id = c.account_id WHERE NOT c.is_ours GROUP BY acc.network"
        )
    )
    assert counts["mastodon"] == total["mastodon"] > 0
    assert counts["bluesky"] == 0


def test_reapply_says_when_no_comment_matched(cli, config, db: Path) -> None:
    config('[[rules]]\nname = "r"\nwords = ["nowhere"]\nlabels = ["x"]\n')
    done = cli("triage", "--reapply", "--db", db)
    assert "4 comments read, 0 changed: no comment matched a rule." in done.out
