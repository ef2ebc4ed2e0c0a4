"""The `cm-inbox` command line, run in-process through main(argv) as a user would type it."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cm_inbox.cli import listing, transfer
from cm_inbox.cli.launch import prepare_demo_db
from cm_inbox.model import QueueQuery, ReplyState, Sort, Status, View
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.paths import default_db_path
from cm_inbox.store import Store

T0 = 1_795_168_800  # 2026-11-20 10:00:00 UTC
HOSTILE = "[bold red]boom[/bold red] [link=https://evil.example]click[/link] [@click=app.quit]q[/]"
COMMENT_KEYS = {
    "id", "network", "account", "remote_id", "parent_id", "author", "text", "created_at",
    "status", "labels", "url",
}  # fmt: skip
REPLY_KEYS = {
    "id", "comment_id", "network", "account", "text", "state", "error", "created_at",
    "updated_at", "author",
}  # fmt: skip


def incoming(
    remote_id: str,
    text: str,
    *,
    network: str = "mastodon",
    account: str = "acme@mastodon.social",
    handle: str = "bob@example.org",
    age: int = 3600,
    **fields: object,
) -> IncomingComment:
    return IncomingComment(
        network=network,
        account=account,
        remote_id=remote_id,
        author=IncomingAuthor(handle=handle, name=handle.split("@")[0].title(), followers=120),
        text=text,
        created_at=T0 - age,
        url=f"https://{network}.example/{remote_id}",
        **fields,  # type: ignore[arg-type]
    )


SAMPLE = [
    incoming("m1", "Is the app down?", age=3600, language="en", labels=("outage",)),
    incoming("b1", "love the update", network="bluesky", account="acme.bsky.social",
             handle="carol.bsky.social", age=7200, language="en", labels=("praise", "ux")),
    incoming("r1", "la app no funciona", network="reddit", account="u/acme", handle="dan",
             age=2 * 86400, language="es"),
    incoming("m2", "cheap pills", handle="eve@spam.example", age=600, status=Status.SPAM),
    incoming("b2", "I was charged twice", network="bluesky", account="acme.bsky.social",
             handle="fay.bsky.social", age=1800, status=Status.ESCALATED, labels=("billing",)),
    incoming("m3", "ping me tomorrow", handle="gus@example.org", age=5000,
             status=Status.SNOOZED, snoozed_until=T0 + 86400),
    incoming("m4", "thanks, fixed", handle="hal@example.org", age=9000, status=Status.DONE),
    incoming("m5", "same problem here", parent_remote_id="m1", handle="ivy@example.org",
             age=3000),
]  # fmt: skip


@pytest.fixture
def db(tmp_path: Path, clock) -> Path:
    path = tmp_path / "inbox.sqlite3"
    with Store(path, clock=clock) as store:
        store.upsert_comments(SAMPLE)
        # What the analyzer would say of one of them, so Unanswered criticism has it.
        with store.db.transaction() as conn:
            conn.execute("UPDATE comments SET sentiment = 'negative' WHERE remote_id = 'r1'")
    return path


def ids_of(path: Path, query: QueueQuery) -> list[int]:
    with Store(path) as store:
        return list(store.queue_keys(query))


def remote_ids(items: list[dict]) -> list[str]:
    return [item["remote_id"] for item in items]


# list


@pytest.mark.parametrize("view", [view for view in View if view is not View.OUTBOX])
def test_list_json_is_the_queue_in_the_tuis_order(cli, db: Path, view: View) -> None:
    result = cli("list", "--db", db, "--view", view.value, "--json")
    assert result.code == 0, result.err
    items = json.loads(result.out)
    assert [item["id"] for item in items] == ids_of(db, QueueQuery(view=view))
    assert items, f"the sample should put something in {view}"
    for item in items:
        assert item.keys() >= COMMENT_KEYS
        assert {"handle", "name", "followers"} <= item["author"].keys()
        assert item["created_at"].endswith("Z")


def test_list_json_describes_each_comment(cli, db: Path) -> None:
    items = json.loads(cli("list", "--db", db, "--json", "--view", "all").out)
    reply = next(item for item in items if item["remote_id"] == "m5")
    assert reply["parent_id"] == "m1"
    assert reply["author"] == {"handle": "ivy@example.org", "name": "Ivy", "followers": 120}
    assert reply["created_at"] == "2026-11-20T09:10:00Z"
    assert reply["status"] == "new"
    assert reply["url"] == "https://mastodon.example/m5"
    bluesky = next(item for item in items if item["remote_id"] == "b1")
    assert bluesky["labels"] == ["praise", "ux"]
    assert isinstance(bluesky["id"], int)


@pytest.mark.parametrize("sort", list(Sort))
def test_list_sorts_like_the_queue(cli, db: Path, sort: Sort) -> None:
    items = json.loads(cli("list", "--db", db, "--json", "--sort", sort.value).out)
    assert [item["id"] for item in items] == ids_of(db, QueueQuery(view=View.INBOX, sort=sort))
    if sort is Sort.OLDEST:
        assert remote_ids(items) == ["r1", "b1", "m1", "m5"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--network", "bluesky"], {"b1"}),
        (["--network", "Bluesky"], {"b1"}),
        (["--account", "u/acme"], {"r1"}),
        (["--language", "es"], {"r1"}),
        (["--label", "praise"], {"b1"}),
        (["--search", "app"], {"m1", "r1"}),
        (["--search", "ivy"], {"m5"}),  # the author is searched too
        (["--network", "mastodon", "--label", "outage"], {"m1"}),
        (["--label", "nothing-has-this"], set()),
    ],
)
def test_list_filters(cli, db: Path, options: list[str], expected: set[str]) -> None:
    result = cli("list", "--db", db, "--json", *options)
    assert result.code == 0, result.err
    assert set(remote_ids(json.loads(result.out))) == expected


def test_list_limit(cli, db: Path) -> None:
    items = json.loads(cli("list", "--db", db, "--json", "--view", "all", "--limit", "3").out)
    assert [item["id"] for item in items] == ids_of(db, QueueQuery(view=View.ALL))[:3]
    table = cli("list", "--db", db, "--view", "all", "--limit", "2")
    assert "2 of 8 in All" in table.out


def test_list_table_shows_the_queue(cli, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listing, "clock", lambda: T0)
    result = cli("list", "--db", db)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].split() == ["id", "net", "account", "author", "age", "status", "labels", "text"]
    rows = [line.split() for line in lines[1:]]
    assert [int(row[0]) for row in rows] == ids_of(db, QueueQuery(view=View.INBOX))
    first = lines[1]
    assert "MAS" in first and "ivy@example.org" in first and "50m" in first
    assert "same problem here" in first
    assert any("praise, ux" in line and "2h" in line for line in lines)


def test_list_table_says_when_a_view_is_empty(cli, db: Path, tmp_path: Path) -> None:
    assert "Nothing matches." in cli("list", "--db", db, "--label", "nope").out
    assert "Outbox is empty." in cli("list", "--db", db, "--view", "outbox").out


def test_hostile_text_is_printed_literally(cli, tmp_path: Path) -> None:
    path = tmp_path / "hostile.sqlite3"
    with Store(path) as store:
        store.upsert_comments(
            [incoming("x1", HOSTILE, handle="[red]mallory", labels=("[b]l[/b]",))]
        )
    result = cli("list", "--db", path)
    assert result.code == 0, result.err
    assert HOSTILE in result.out
    assert "[red]mallory" in result.out
    assert "[b]l[/b]" in result.out
    assert "\x1b" not in result.out
    assert json.loads(cli("list", "--db", path, "--json").out)[0]["text"] == HOSTILE


def test_escape_sequences_never_reach_the_terminal(cli, tmp_path: Path) -> None:
    source = tmp_path / "escapes.jsonl"
    clear = "\x1b[2J\x1b]0;pwned\x07"
    source.write_text(
        record("e1", f"hi{clear}there", account=f"acme{clear}", labels=[f"vip{clear}"]) + "\n",
        encoding="utf-8",
    )
    path = tmp_path / "escapes.sqlite3"
    assert cli("import", source, "--db", path).code == 0
    result = cli("list", "--db", path)
    assert "\x1b" not in result.out and "\x07" not in result.out
    assert "vip" in result.out and "hithere" in result.out


def test_the_outbox_lists_replies(cli, db: Path) -> None:
    with Store(db) as store:
        comment_id = ids_of(db, QueueQuery(view=View.INBOX))[0]
        reply = store.queue_reply(comment_id, "@ivy@example.org we are on it")
    result = cli("list", "--db", db, "--view", "outbox", "--json")
    assert result.code == 0, result.err
    (item,) = json.loads(result.out)
    assert item.keys() >= REPLY_KEYS
    assert item["id"] == reply.id
    assert item["comment_id"] == comment_id
    assert item["state"] == "queued"
    assert item["text"] == "@ivy@example.org we are on it"
    assert item["author"]["handle"] == "ivy@example.org"
    assert item["error"] is None
    table = cli("list", "--db", db, "--view", "outbox")
    assert table.out.splitlines()[0].split()[:3] == ["reply", "comment", "net"]
    assert "queued" in table.out and "we are on it" in table.out


# reply


def test_reply_queues_it(cli, db: Path) -> None:
    comment_id = json.loads(cli("list", "--db", db, "--json", "--network", "bluesky").out)[0]["id"]
    result = cli("reply", comment_id, "Thanks Carol!", "--db", db)
    assert result.code == 0, result.err
    assert "Queued reply" in result.out
    assert result.err == ""
    with Store(db) as store:
        (reply,) = store.replies_for(comment_id)
        assert reply.text == "Thanks Carol!"
        assert reply.state is ReplyState.QUEUED
        comment = store.comment(comment_id)
        assert comment is not None and comment.status is Status.REPLIED


def test_reply_adds_the_mention_mastodon_needs_and_says_so(cli, db: Path) -> None:
    comment_id = json.loads(cli("list", "--db", db, "--json", "--label", "outage").out)[0]["id"]
    result = cli("--db", db, "reply", comment_id, "We are on it")
    assert result.code == 0
    assert "added @bob@example.org" in result.err
    with Store(db) as store:
        (reply,) = store.replies_for(comment_id)
        assert reply.text == "@bob@example.org We are on it"


@pytest.mark.parametrize(
    ("network", "text", "message"),
    [
        ("bluesky", "   ", "the reply is empty"),
        ("bluesky", "x" * 312, "312 / 300 graphemes"),
        ("mastodon", "@bob@example.org", "only mentions"),
    ],
)
def test_reply_refused_by_a_blocking_check_exits_3(
    cli, db: Path, network: str, text: str, message: str
) -> None:
    comment_id = json.loads(cli("list", "--db", db, "--json", "--network", network).out)[-1]["id"]
    result = cli("reply", "--db", db, comment_id, text)
    assert result.code == 3
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1
    with Store(db) as store:
        assert store.replies_for(comment_id) == []
        assert store.comment(comment_id).status is not Status.REPLIED  # type: ignore[union-attr]


def test_reply_to_an_unknown_comment_exits_1(cli, db: Path) -> None:
    result = cli("reply", "--db", db, "999", "hello")
    assert result.code == 1
    assert "no comment with id 999" in result.err
    assert str(db) in result.err
    assert "Traceback" not in result.err


def test_reply_text_from_stdin(cli, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    comment_id = json.loads(cli("list", "--db", db, "--json", "--network", "reddit").out)[0]["id"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("Lo arreglamos hoy.\n"))
    assert cli("reply", "--db", db, comment_id, "-").code == 0
    with Store(db) as store:
        assert store.replies_for(comment_id)[0].text == "Lo arreglamos hoy."


# import


def record(remote_id: str, text: str = "hello", **extra: object) -> str:
    fields = {
        "network": "mastodon",
        "account": "acme@mastodon.social",
        "id": remote_id,
        "author": {"handle": "bob@example.org", "name": "Bob", "followers": 12},
        "text": text,
        "created_at": "2026-11-20T09:14:00Z",
        **extra,
    }
    return json.dumps(fields)


@pytest.fixture
def jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "comments.jsonl"
    lines = [
        record("1", "first"),
        "{not json",
        record("2", "second", parent_id="1", labels=["vip"]),
        "",
        json.dumps({"network": "mastodon", "id": "3", "text": "x"}),
        record("4", "fourth", status="escalated"),
        record("5", "bad status", status="maybe"),
        "[1, 2]",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_reports_bad_lines_and_is_idempotent(cli, jsonl: Path, tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    first = cli("import", jsonl, "--db", path)
    assert first.code == 0
    assert first.out.strip() == "3 new, 0 updated, 4 skipped (bad lines)"
    errors = first.err.splitlines()
    assert errors[0].startswith(f"{jsonl}:2: invalid JSON")
    assert errors[1] == f"{jsonl}:5: missing fields: account, author, created_at"
    assert errors[2].startswith(f"{jsonl}:7: status: 'maybe'")
    assert errors[3] == f"{jsonl}:8: expected a JSON object, got list"
    assert len(errors) == 4

    second = cli("import", jsonl, "--db", path)
    assert second.code == 0
    assert second.out.strip() == "0 new, 0 updated, 4 skipped (bad lines)"  # nothing changed
    items = json.loads(cli("list", "--db", path, "--json", "--view", "all").out)
    assert sorted(remote_ids(items)) == ["1", "2", "4"]
    statuses = {item["remote_id"]: (item["status"], item["labels"]) for item in items}
    assert statuses == {"1": ("new", []), "2": ("new", ["vip"]), "4": ("escalated", [])}


def test_import_in_many_batches_skips_only_the_bad_records(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, "BATCH", 3)
    source = tmp_path / "big.jsonl"
    lines = [record(str(n), f"comment {n}") for n in range(10)]
    # Too large a number for SQLite: refused by validation before the store sees it.
    lines[4] = record("4", author={"handle": "zed", "followers": 10**30})
    lines[3] = record("3", account="acme@other.example")  # a new account in the failed batch
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = tmp_path / "batches.sqlite3"
    result = cli("import", source, "--db", path)
    assert result.code == 0, result.err
    assert result.out.strip() == "9 new, 0 updated, 1 skipped (bad lines)"
    assert result.err.startswith(f"{source}:5: author.followers")
    items = json.loads(cli("list", "--db", path, "--json", "--view", "all").out)
    assert sorted(remote_ids(items), key=int) == [str(n) for n in range(10) if n != 4]


@pytest.mark.parametrize("pooled", [False, True], ids=["thread", "process"])
def test_import_reports_lines_json_or_utf8_refuse(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pooled: bool
) -> None:
    if pooled:
        monkeypatch.setattr(transfer, "POOL_MIN_BYTES", 0)
    source = tmp_path / "odd.jsonl"
    lines = [
        "\ufeff".encode() + record("1", "saved from Notepad, with a BOM").encode(),
        record("2", likes=float("nan")).encode(),  # json.dumps writes NaN; JSON has no NaN
        record("3", "caf\u00e9").encode().replace(b"\\u00e9", b"\xe9"),  # Latin-1, not UTF-8
        record("4", "tout va bien").encode(),
    ]
    source.write_bytes(b"\n".join(lines) + b"\n")
    path = tmp_path / "odd.sqlite3"
    result = cli("import", source, "--db", path)
    assert result.code == 0
    assert result.out.strip() == "2 new, 0 updated, 2 skipped (bad lines)"
    assert result.err.splitlines() == [
        f"{source}:2: invalid JSON: NaN is not a number JSON allows",
        f"{source}:3: not UTF-8 text",
    ]
    items = json.loads(cli("list", "--db", path, "--json", "--view", "all").out)
    assert sorted(remote_ids(items)) == ["1", "4"]


def test_a_large_file_is_read_by_a_second_process_with_the_same_result(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, "BATCH", 4)
    monkeypatch.setattr(transfer, "POOL_MIN_BYTES", 0)  # a small file takes the large-file path
    source = tmp_path / "big.jsonl"
    lines = [record(str(n), f"the app crashes when I open note {n}") for n in range(10)]
    lines[6] = "{not json"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = tmp_path / "pooled.sqlite3"
    result = cli("import", source, "--db", path)
    assert result.out.strip() == "9 new, 0 updated, 1 skipped (bad lines)"
    assert result.err.startswith(f"{source}:7: invalid JSON")
    out = tmp_path / "out.jsonl"
    assert cli("export", "--db", path, "--view", "all", "--output", out).code == 0
    items = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted((item["id"] for item in items), key=int) == [str(n) for n in range(10) if n != 6]
    # The signals worked out in the other process reach the store.
    assert {item["sentiment"] for item in items} == {"negative"}
    assert all("bug" in item["intents"] for item in items)


def test_traction_travels_through_import_and_export(cli, tmp_path: Path) -> None:
    source = tmp_path / "traction.jsonl"
    lines = [record("1", "popular", likes=250, reposts=12, replies=30), record("2", likes=-1)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = tmp_path / "traction.sqlite3"
    result = cli("import", source, "--db", path)
    assert result.out.strip() == "1 new, 0 updated, 1 skipped (bad lines)"
    assert result.err.startswith(f"{source}:2: likes: expected a whole number of likes")
    out = tmp_path / "out.jsonl"
    assert cli("export", "--db", path, "--format", "jsonl", "--output", out).code == 0
    (exported,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert (exported["likes"], exported["reposts"], exported["replies"]) == (250, 12, 30)


def test_import_from_stdin(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = (record("1") + "\nnope\n").encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    result = cli("import", "-", "--db", tmp_path / "stdin.sqlite3")
    assert result.code == 0
    assert result.out.strip() == "1 new, 0 updated, 1 skipped (bad lines)"
    assert result.err.startswith("<stdin>:2: invalid JSON")


def test_import_of_a_missing_file_exits_1(cli, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.jsonl"
    result = cli("import", missing, "--db", tmp_path / "x.sqlite3")
    assert result.code == 1
    assert (
        result.err.strip() == f"cm-inbox: error: cannot read {missing}: No such file or directory"
    )
    assert not (tmp_path / "x.sqlite3").exists()


def test_import_honours_db_before_and_after_the_command(cli, jsonl: Path, tmp_path: Path) -> None:
    before, after = tmp_path / "before.sqlite3", tmp_path / "after.sqlite3"
    assert cli("--db", before, "import", jsonl).code == 0
    assert cli("import", jsonl, "--db", after).code == 0
    assert before.exists() and after.exists()
    assert not default_db_path().exists()


def test_the_environment_names_the_database(
    cli, jsonl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_env = tmp_path / "env.sqlite3"
    monkeypatch.setenv("CM_INBOX_DB", str(from_env))
    assert cli("import", jsonl).code == 0
    assert from_env.exists()
    assert len(json.loads(cli("list", "--json", "--view", "all").out)) == 3
    # --db wins over the environment.
    assert cli("list", "--db", tmp_path / "missing.sqlite3").code == 1


def test_without_db_the_default_path_is_used(cli, jsonl: Path) -> None:
    assert cli("import", jsonl).code == 0
    assert default_db_path().exists()


def test_reading_commands_do_not_create_a_database(cli, tmp_path: Path) -> None:
    missing = tmp_path / "typo.sqlite3"
    for argv in (["list"], ["export"], ["reply", "1", "hi"]):
        result = cli(*argv, "--db", missing)
        assert result.code == 1
        assert f"no inbox database at {missing}" in result.err
    assert not missing.exists()


def test_a_file_that_is_not_a_database_is_an_error(cli, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is not SQLite" * 100)
    result = cli("list", "--db", path)
    assert result.code == 1
    assert str(path) in result.err
    assert "Traceback" not in result.err


# export


def test_export_jsonl_writes_records(cli, db: Path) -> None:
    result = cli("export", "--db", db)
    assert result.code == 0, result.err
    records = [json.loads(line) for line in result.out.splitlines()]
    assert len(records) == len(SAMPLE)
    assert [r["id"] for r in records][:2] == ["m2", "b2"]  # newest first
    b1 = next(r for r in records if r["id"] == "b1")
    assert b1["author"] == {
        "handle": "carol.bsky.social",
        "name": "Carol.Bsky.Social",
        "followers": 120,
    }
    assert b1["labels"] == ["praise", "ux"]
    assert b1["status"] == "new"
    m3 = next(r for r in records if r["id"] == "m3")
    assert m3["status"] == "snoozed" and m3["snoozed_until"] == "2026-11-21T10:00:00Z"


def test_export_takes_the_list_filters(cli, db: Path) -> None:
    result = cli("export", "--db", db, "--view", "inbox", "--network", "bluesky")
    assert [json.loads(line)["id"] for line in result.out.splitlines()] == ["b1"]
    assert cli("export", "--db", db, "--view", "outbox").code == 2


def test_export_csv_flattens_authors_and_joins_lists(cli, db: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    result = cli("export", "--db", db, "--format", "csv", "-o", target)
    assert result.code == 0, result.err
    assert result.out == ""
    assert f"exported {len(SAMPLE)} comments to {target}" in result.err
    with target.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == len(SAMPLE)
    b1 = next(row for row in rows if row["id"] == "b1")
    assert b1["author_handle"] == "carol.bsky.social"
    assert b1["author_followers"] == "120"
    assert b1["labels"] == "praise;ux"
    assert b1["parent_id"] == ""
    assert "author" not in b1


def test_export_to_an_unwritable_place_exits_1(cli, db: Path, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "dir" / "out.jsonl"
    result = cli("export", "--db", db, "-o", target)
    assert result.code == 1
    assert f"cannot write {target}" in result.err


def test_export_then_import_round_trips(cli, db: Path, tmp_path: Path) -> None:
    with Store(db) as store:
        store.change_labels([1], add=["a;b", "ünï"])
    exported = tmp_path / "all.jsonl"
    assert cli("export", "--db", db, "-o", exported).code == 0
    fresh = tmp_path / "fresh.sqlite3"
    result = cli("import", exported, "--db", fresh)
    assert result.out.strip() == f"{len(SAMPLE)} new, 0 updated, 0 skipped (bad lines)"

    def snapshot(path: Path) -> list[tuple]:
        items = json.loads(cli("list", "--db", path, "--json", "--view", "all").out)
        return [
            (i["network"], i["account"], i["remote_id"], i["parent_id"], i["author"], i["text"],
             i["created_at"], i["status"], i["labels"], i["url"], i["language"], i["snoozed_until"])
            for i in items
        ]  # fmt: skip

    assert snapshot(fresh) == snapshot(db)


# usage and the entry point


@pytest.mark.parametrize(
    "argv",
    [
        ["frobnicate"],
        ["list", "--view", "nope"],
        ["list", "--sort", "sideways"],
        ["list", "--limit", "-1"],
        ["list", "--limit", "many"],
        ["reply", "abc", "hello"],
        ["reply", "1"],
        ["import"],
        ["export", "--format", "xml"],
    ],
)
def test_bad_usage_exits_2(cli, argv: list[str]) -> None:
    result = cli(*argv)
    assert result.code == 2
    assert "usage:" in result.err
    assert "Traceback" not in result.err


def test_version(cli) -> None:
    result = cli("--version")
    assert result.code == 0
    assert result.out.startswith("cm-inbox ")


def test_the_inbox_needs_a_terminal(cli, tmp_path: Path) -> None:
    result = cli("--db", tmp_path / "x.sqlite3")
    assert result.code == 1
    assert "needs a terminal" in result.err


def test_demo_reset_never_deletes_the_users_inbox(cli, jsonl: Path) -> None:
    assert cli("import", jsonl).code == 0
    result = cli("demo", "--db", default_db_path(), "--reset")
    assert result.code == 1
    assert "your own inbox" in result.err
    assert default_db_path().exists()


def test_the_console_script_runs_without_textual(db: Path, tmp_path: Path) -> None:
    """The installed entry point works, and nothing on the way imports textual."""
    script = Path(sys.executable).with_name("cm-inbox")
    blocker = tmp_path / "block"
    blocker.mkdir()
    # A sitecustomize that makes any import of textual fail loudly.
    (blocker / "sitecustomize.py").write_text(
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'textual' or name.startswith('textual.'):\n"
        "            raise ImportError('textual imported outside the TUI')\n"
        "sys.meta_path.insert(0, Block())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(blocker), "COLUMNS": "200"}
    source = tmp_path / "in.jsonl"
    source.write_text(record("s1", "from the shell") + "\n{bad\n", encoding="utf-8")
    target = tmp_path / "script.sqlite3"
    done = subprocess.run(
        [script, "--db", target, "import", source],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1 new, 0 updated, 1 skipped (bad lines)"
    assert done.stderr.startswith(f"{source}:2: invalid JSON")
    listed = subprocess.run(
        [script, "list", "--db", target], capture_output=True, text=True, env=env, timeout=60
    )
    assert listed.returncode == 0, listed.stderr
    assert "from the shell" in listed.stdout


# the demo database


def test_the_demo_database_is_built_once_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "demo" / "demo.sqlite3"
    assert prepare_demo_db(path, reset=False, now=T0) == path
    assert sorted(p.name for p in path.parent.iterdir()) == ["demo.sqlite3"]
    with Store(path) as store:
        counts = store.view_counts()
        assert counts[View.ALL] > 100 and counts[View.OUTBOX] > 0
        first = store.queue_keys(QueueQuery(view=View.INBOX))[0]
        store.set_status([first], Status.SPAM)
    prepare_demo_db(path, reset=False, now=T0)
    with Store(path) as store:
        assert store.comment(first).status is Status.SPAM  # type: ignore[union-attr]
    prepare_demo_db(path, reset=True, now=T0)
    with Store(path) as store:
        assert store.comment(first).status is Status.NEW  # type: ignore[union-attr]
        assert store.view_counts() == counts


def test_an_interrupted_demo_build_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cm_inbox.demo.builder

    def broken(store: Store, *, now: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cm_inbox.demo.builder, "build_demo", broken)
    path = tmp_path / "demo" / "demo.sqlite3"
    path.parent.mkdir()
    # A -wal without its database would be replayed into the new one: it goes first.
    Path(f"{path}-wal").write_bytes(b"stale")
    with pytest.raises(KeyboardInterrupt):
        prepare_demo_db(path, reset=False, now=T0)
    assert list(path.parent.iterdir()) == []


def test_doctor_shows_what_a_sync_set_aside_and_accounts_needing_a_login(cli, db: Path) -> None:
    with Store(db) as store:
        account = store.connect_account("mastodon", "lumo", "lumo@mastodon.social", {})
        store.save_sync_page(account.id, [], [("status without an id", '{"content": "x"}')], "9")
        store.set_login_problem(account.id, "The access token is invalid")
    result = cli("doctor", "--db", db, "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["integrity"] == ["ok"]
    (item,) = report["set_aside"]
    assert item["reason"] == "status without an id" and item["payload"] == '{"content": "x"}'
    assert report["accounts"][0]["needs_login"] == "The access token is invalid"
    shown = cli("doctor", "--db", db)
    assert "status without an id" in shown.out and "needs a new login" in shown.out


def test_sync_without_accounts_says_how_to_add_one(cli, db: Path) -> None:
    result = cli("sync", "--db", db)
    assert result.code == 1
    assert "accounts add" in result.err


def test_accounts_list_is_empty_json_before_any_account(cli, db: Path) -> None:
    result = cli("accounts", "list", "--db", db, "--json")
    assert result.code == 0 and json.loads(result.out) == []


def test_sync_summary_keeps_long_problems_whole_under_the_table() -> None:
    """A broken connection's message reads as one line, not a word per line in a column."""
    from rich.console import Console

    from cm_inbox.cli.syncing import _print_summary
    from cm_inbox.sync import AccountSync, SyncReport

    broke = "the connection to 127.0.0.1 broke: peer closed connection without sending the body"
    report = SyncReport(
        accounts=[
            AccountSync("discourse", "lumo_team", sent=0, send_failures=[f"reply 2: {broke}"]),
            AccountSync("github", "lumo-app", new=3),
            AccountSync(
                "reddit", "LumoOfficial", error="The access token is invalid", needs_login=True
            ),
        ]
    )
    console = Console(width=160, record=True, color_system=None)
    _print_summary(console, report, fetch=True)
    lines = console.export_text().splitlines()
    assert f"lumo_team (Discourse): reply 2: {broke}" in lines
    assert "LumoOfficial (Reddit): The access token is invalid" in lines
    rows = {
        line.split()[0]: line
        for line in lines
        if line and line.split()[0] in {"lumo_team", "lumo-app", "LumoOfficial"} and "(" not in line
    }
    assert rows["lumo_team"].rstrip().endswith("ok, with problems")
    assert rows["lumo-app"].rstrip().endswith("ok")
    assert rows["LumoOfficial"].rstrip().endswith("failed")


@pytest.mark.parametrize(
    "argv",
    [[], ["--db", "~/inbox.db"], ["--db=/srv/team inbox.db"], ["--db", ""]],
)
def test_opening_the_inbox_skips_the_full_parser_and_means_the_same(argv: list[str]) -> None:
    from cm_inbox.cli.main import inbox_alone
    from cm_inbox.cli.parser import build_parser

    shortcut = inbox_alone(argv)
    assert shortcut is not None
    assert vars(shortcut) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [["list"], ["--db"], ["--db", "--version"], ["--db="], ["--help"], ["--db", "a", "demo"]],
)
def test_anything_else_goes_to_the_full_parser(argv: list[str]) -> None:
    from cm_inbox.cli.main import inbox_alone

    assert inbox_alone(argv) is None
