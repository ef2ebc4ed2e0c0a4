"""Opening the database file: migrations, pragmas, refusing files it must not touch,
and the integrity check that guards the full-text index."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cm_inbox.model import QueueQuery, Status, View
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.store import SchemaTooNewError, Store, StoreError
from cm_inbox.store import database as database_module
from cm_inbox.store.schema import MIGRATIONS, SCHEMA_VERSION

T0 = 1_795_000_000
FRUIT = ["apple", "banana", "cherry", "damson", "elder", "fig"]


def incoming(
    remote_id: str,
    text: str = "hello",
    *,
    handle: str = "bob",
    name: str | None = None,
    account: str = "acme",
    network: str = "mastodon",
    **fields,
) -> IncomingComment:
    return IncomingComment(
        network=network,
        account=account,
        remote_id=remote_id,
        author=IncomingAuthor(handle=handle, name=name),
        text=text,
        created_at=fields.pop("created_at", T0),
        **fields,
    )


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def search_ids(store: Store, words: str) -> set[int]:
    return set(store.queue_keys(QueueQuery(view=View.ALL, search=words)))


def fts_agrees_with_content(store: Store) -> None:
    """Independently of check_integrity: the index holds exactly what a fresh index
    built from today's comments and authors would hold, token for token."""
    conn = store.db.conn
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms USING fts5vocab(main, comments_fts, 'instance')"
    )
    actual = sorted(
        tuple(row) for row in conn.execute("SELECT term, doc, col, offset FROM temp.fts_terms")
    )
    conn.execute("DROP TABLE temp.fts_terms")
    fresh = sqlite3.connect(":memory:")
    fresh.execute(
        "CREATE VIRTUAL TABLE f USING fts5 (text, author, tokenize = 'unicode61 remove_diacritics 2')"
    )
    fresh.executemany(
        "INSERT INTO f (rowid, text, author) VALUES (?, ?, ?)",
        conn.execute("SELECT id, text, author FROM comments_fts_source").fetchall(),
    )
    fresh.execute("CREATE VIRTUAL TABLE v USING fts5vocab(f, 'instance')")
    expected = sorted(tuple(row) for row in fresh.execute("SELECT term, doc, col, offset FROM v"))
    fresh.close()
    assert actual == expected


# --- migrations and pragmas ------------------------------------------------------------


def test_a_new_file_is_migrated_to_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite3"
    with Store(path) as store:
        assert store.db.query_one("PRAGMA user_version")[0] == SCHEMA_VERSION
        tables = {
            row[0] for row in store.db.query("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        assert {
            "accounts",
            "authors",
            "comments",
            "replies",
            "events",
            "escalations",
            "comment_labels",
            "bucket_counts",
            "comments_fts",
        } <= tables
    assert user_version(path) == SCHEMA_VERSION


def test_wal_mode_and_foreign_keys_are_on(store: Store) -> None:
    assert store.db.query_one("PRAGMA journal_mode")[0] == "wal"
    assert store.db.query_one("PRAGMA foreign_keys")[0] == 1
    # Foreign keys are enforced, not just declared.
    with pytest.raises(sqlite3.IntegrityError), store.db.transaction() as conn:
        conn.execute(
            "INSERT INTO comments (account_id, remote_id, root_remote_id, author_id, text, created_at,"
            " fetched_at) VALUES (999, 'x', 'x', 999, 't', 0, 0)"
        )
    assert store.db.query_one("SELECT count(*) FROM comments")[0] == 0


def test_wal_lets_a_second_store_read_what_the_first_wrote(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite3"
    with Store(path) as writer, Store(path) as reader:
        writer.upsert_comments([incoming("1")])
        assert reader.queue_count(QueueQuery(view=View.ALL, search="hello")) == 1


def test_reopening_keeps_data_and_does_not_rerun_migrations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "inbox.sqlite3"
    with Store(path) as store:
        store.upsert_comments([incoming("1", "first comment")])
        comment_id = store.queue_keys(QueueQuery())[0]
        store.set_status([comment_id], Status.DONE)
    # Were any migration run again, these statements would fail the open.
    monkeypatch.setattr(database_module, "MIGRATIONS", ["THIS IS NOT SQL;"] * SCHEMA_VERSION)
    with Store(path) as store:
        assert store.db.query_one("PRAGMA user_version")[0] == SCHEMA_VERSION
        comment = store.comment(comment_id)
        assert comment is not None and comment.text == "first comment"
        assert comment.status is Status.DONE
        assert store.view_counts()[View.HANDLED] == 1


def test_a_later_migration_upgrades_an_existing_file_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "inbox.sqlite3"
    with Store(path) as store:
        store.upsert_comments([incoming("1")])
    monkeypatch.setattr(
        database_module, "MIGRATIONS", [*MIGRATIONS, "CREATE TABLE extra (a TEXT);"]
    )
    monkeypatch.setattr(database_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with Store(path) as store:
        assert store.db.query_one("PRAGMA user_version")[0] == SCHEMA_VERSION + 1
        assert store.db.query_one("SELECT count(*) FROM extra")[0] == 0
        assert store.db.query_one("SELECT count(*) FROM comments")[0] == 1


def test_a_failing_migration_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "inbox.sqlite3"
    with Store(path) as store:
        store.upsert_comments([incoming("1")])
    broken = "CREATE TABLE half_done (a TEXT);\nTHIS IS NOT SQL;"
    monkeypatch.setattr(database_module, "MIGRATIONS", [*MIGRATIONS, broken])
    monkeypatch.setattr(database_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StoreError) as raised:
        Store(path)
    assert str(path) in str(raised.value)
    assert user_version(path) == SCHEMA_VERSION
    conn = sqlite3.connect(path)
    try:
        assert (
            conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").fetchone()[
                0
            ]
            == 0
        )
        assert conn.execute("SELECT count(*) FROM comments").fetchone()[0] == 1
    finally:
        conn.close()


# --- files the store must refuse ---------------------------------------------------------


def test_a_file_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite3"
    with Store(path) as store:
        store.upsert_comments([incoming("1")])
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 3}")
    conn.close()

    with pytest.raises(SchemaTooNewError) as raised:
        Store(path)
    message = str(raised.value)
    assert "newer" in message
    assert str(path) in message
    assert str(SCHEMA_VERSION + 3) in message
    assert isinstance(raised.value, StoreError)  # callers catching StoreError see it too
    assert user_version(path) == SCHEMA_VERSION + 3


def test_a_plain_sqlite_file_with_a_higher_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE something_else (a)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaTooNewError, match="written by a newer cm-inbox"):
        Store(path)


@pytest.mark.parametrize(
    "content",
    [
        b"this is not a database, just some text that happens to be long enough " * 40,
        bytes(range(256)) * 20,
        b"SQLite format 3\x00" + b"\xff" * 4000,
    ],
    ids=["text", "binary", "bad-header"],
)
def test_a_file_that_is_not_a_database_gives_a_store_error_naming_it(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    with pytest.raises(StoreError) as raised:
        Store(path)
    assert not isinstance(raised.value, SchemaTooNewError)
    assert str(path) in str(raised.value)
    assert path.read_bytes() == content  # nothing was written into the user's file


def test_a_directory_instead_of_a_file_gives_a_store_error(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    with pytest.raises(StoreError) as raised:
        Store(folder)
    assert str(folder) in str(raised.value)


def test_missing_parent_folders_are_created(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "inbox.sqlite3"
    with Store(path) as store:
        store.upsert_comments([incoming("1")])
    assert path.exists()


# --- integrity ------------------------------------------------------------------------------


def test_a_fresh_store_passes_the_integrity_check(store: Store) -> None:
    assert store.check_integrity() == []
    fts_agrees_with_content(store)


def test_integrity_holds_after_heavy_churn_and_author_renames(store: Store, clock) -> None:
    handles = [f"user{n}" for n in range(12)]
    for round_number in range(6):
        clock.advance(60)
        items = [
            incoming(
                str(n),
                f"{FRUIT[round_number]} comment {n} café naïve {'spam' if n % 5 == 0 else 'ok'}",
                handle=handles[n % len(handles)],
                name=f"Name{round_number} {handles[n % len(handles)]}",  # every author renamed each round
                account="acme" if n % 2 else "other",
                created_at=T0 + n,
            )
            for n in range(120)
        ]
        result = store.upsert_comments(items)
        assert result.inserted + result.updated == 120
        ids = list(store.queue_keys(QueueQuery(view=View.ALL)))
        store.set_status(ids[round_number::4], Status.DONE)
        store.change_labels(ids[::3], add=[f"r{round_number}"], remove=[f"r{round_number - 1}"])
        store.snooze(ids[1::7], T0 + 10_000)
        store.undo_last()
        assert store.check_integrity() == []
    # Authors renamed without touching their comments' text (the authors trigger alone).
    store.upsert_comments([incoming("9999", "one more", handle="user3", name="Totally New Name")])
    assert store.check_integrity() == []
    fts_agrees_with_content(store)
    # The index answers for today's names and text, not yesterday's.
    renamed = search_ids(store, "Totally New")
    assert len(renamed) == 120 // 12 + 1
    assert search_ids(store, "Name5 user3") == set()
    assert search_ids(store, "Name4") == set()
    assert len(search_ids(store, "fig comment")) == 120
    assert search_ids(store, "elder") == set()


def test_the_integrity_check_notices_an_index_out_of_step_with_the_comments(store: Store) -> None:
    store.upsert_comments([incoming("1", "original words")])
    # Change a comment behind the triggers' back, as a bad manual edit or a bug would.
    store.db.conn.execute("DROP TRIGGER comments_fts_au")
    store.db.conn.execute("UPDATE comments SET text = 'replaced words'")
    problems = store.check_integrity()
    assert problems and "full-text index" in problems[0]
