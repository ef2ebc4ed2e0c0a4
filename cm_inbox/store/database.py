"""Opening the SQLite file: pragmas, migrations, and errors a user can act on."""

from __future__ import annotations

import sqlite3
import threading
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cm_inbox.store.schema import MIGRATIONS, SCHEMA_VERSION


class StoreError(Exception):
    """A problem with the database file, worded for the user."""


class SchemaTooNewError(StoreError):
    """The file was written by a newer cm-inbox than this one."""


class Database:
    """One SQLite connection shared by the threads of one process.

    Writes go through one connection guarded by a lock (SQLite serialises
    writers anyway). Reads run on a connection of the calling thread's own, so
    a slow query in a worker thread never holds up the UI thread painting the
    queue: WAL lets readers proceed side by side, and lets the CLI and the TUI
    share the file. The busy timeout turns brief lock waits into waits, not errors.
    """

    def __init__(self, path: Path | str, *, busy_timeout_ms: int = 10_000) -> None:
        self.path = Path(path) if str(path) != ":memory:" else Path(":memory:")
        if str(self.path) != ":memory:":
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(
                    f"cannot create the folder for {self.path}: {error.strerror}"
                ) from None
        try:
            self.conn = sqlite3.connect(
                str(self.path),
                check_same_thread=False,
                isolation_level=None,
                timeout=busy_timeout_ms / 1000,
            )
        except sqlite3.Error as error:
            raise StoreError(f"cannot open the database {self.path}: {error}") from None
        self.conn.row_factory = sqlite3.Row
        self.lock = threading.RLock()
        self._depth = 0
        self._owner: int | None = None
        self._busy_timeout_ms = busy_timeout_ms
        self._readers: dict[int, sqlite3.Connection] = {}
        self._readers_lock = threading.Lock()
        try:
            self.conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self.conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as error:
            self.conn.close()
            raise StoreError(
                f"{self.path} is not a cm-inbox database or is damaged: {error}"
            ) from None

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            self.conn.close()
            raise SchemaTooNewError(
                f"{self.path} was written by a newer cm-inbox (schema {version}, this version "
                f"knows up to {SCHEMA_VERSION}); upgrade cm-inbox to open it"
            )
        for number in range(version, SCHEMA_VERSION):
            with self.transaction():
                for statement in _split_statements(MIGRATIONS[number]):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {number + 1}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; nested uses join the outer one.

        BEGIN IMMEDIATE takes the write lock up front, so two processes never
        both read, then both fail to upgrade to writing ("database is locked").
        """
        with self.lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.conn
                finally:
                    self._depth -= 1
                return
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            self._owner = threading.get_ident()
            try:
                yield self.conn
            except BaseException:
                self._depth = 0
                self._owner = None
                self.conn.execute("ROLLBACK")
                raise
            else:
                self._depth = 0
                self._owner = None
                try:
                    self.conn.execute("COMMIT")
                except sqlite3.Error:
                    self.conn.execute("ROLLBACK")
                    raise

    @contextmanager
    def bulk_writes(self) -> Iterator[None]:
        """A roomier page cache for the writing connection while a bulk load runs.

        SQLite's default 2 MB holds a small fraction of the indexes a large
        import updates at random places, so each batch read them back from the
        file again: at 300,000 comments a fifth of the import's time was the
        system reading pages (64 MB: 117 s down to 103 s).
        """
        with self.lock:
            before = self.conn.execute("PRAGMA cache_size").fetchone()[0]
            self.conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        try:
            yield
        finally:
            with self.lock:
                self.conn.execute(f"PRAGMA cache_size = {int(before)}")

    def _reader(self) -> sqlite3.Connection | None:
        """This thread's read connection; None means use the main one (under the lock).

        Inside a write transaction the main connection must answer, or the
        thread would not see its own uncommitted writes; an in-memory
        database has only the one connection.
        """
        ident = threading.get_ident()
        if str(self.path) == ":memory:" or self._owner == ident:
            return None
        reader = self._readers.get(ident)
        if reader is None:
            # Used by this thread only; another thread may close it once this one ends.
            reader = sqlite3.connect(
                str(self.path), timeout=self._busy_timeout_ms / 1000, check_same_thread=False
            )
            reader.row_factory = sqlite3.Row
            reader.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            reader.execute("PRAGMA foreign_keys = ON")
            reader.execute(f"PRAGMA cache_size = -{READER_CACHE_KIB}")
            with self._readers_lock:
                alive = {thread.ident for thread in threading.enumerate()}
                for gone in [key for key in self._readers if key not in alive]:
                    self._readers.pop(gone).close()
                self._readers[ident] = reader
        return reader

    def query(self, sql: str, params: tuple | dict | list = ()) -> list[sqlite3.Row]:
        """Run a read query and return all its rows (callers keep results small)."""
        reader = self._reader()
        if reader is not None:
            return reader.execute(sql, params).fetchall()
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: tuple | dict | list = ()) -> sqlite3.Row | None:
        """Run a read query and return its first row, or None."""
        reader = self._reader()
        if reader is not None:
            return reader.execute(sql, params).fetchone()
        with self.lock:
            return self.conn.execute(sql, params).fetchone()

    def int_column(self, sql: str, params: tuple | dict | list = ()) -> array:
        """The first column of every row as an array of ints (4 bytes each while they fit,
        else 8), streamed a chunk at a time (a million ids never exist as a million Python
        rows at once)."""
        reader = self._reader()
        if reader is not None:
            return _stream_ints(reader, sql, params)
        with self.lock:
            return _stream_ints(self.conn, sql, params)

    def close(self) -> None:
        with self._readers_lock:
            for reader in self._readers.values():
                reader.close()
            self._readers.clear()
        with self.lock:
            self.conn.close()


# Page cache of each reading thread's connection, in KiB. The operating system
# caches the file already; SQLite's default (2 MB) made each worker thread's
# connection a second copy: 8 MB of the TUI's peak on a million comments.
READER_CACHE_KIB = 512
# The writing connection's page cache during a bulk import (see bulk_writes).
BULK_CACHE_KIB = 64 * 1024

# Rows fetched at a time when streaming a column.
STREAM_CHUNK = 8192


def _stream_ints(conn: sqlite3.Connection, sql: str, params: tuple | dict | list) -> array:
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: a Row object per id costs twice the time
    cursor.execute(sql, params)
    # Four bytes an id while ids fit (rowids count up from 1): a million-comment
    # view holds 4 MB less, and twice that while its array grows.
    values = array("i")
    while rows := cursor.fetchmany(STREAM_CHUNK):
        chunk = [row[0] for row in rows]
        if values.typecode == "i" and not _INT32_MIN <= min(chunk) <= max(chunk) <= _INT32_MAX:
            values = array("q", values)
        values.extend(chunk)
    return values


_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


def _split_statements(script: str) -> Iterator[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            if statement and statement != ";":
                yield statement
            buffer = ""
    if buffer.strip():
        yield buffer.strip()
