"""`cm-inbox import` and `export`: comments in and out as JSON Lines (or CSV out).

Import streams: it reads a line at a time and writes batches of
:data:`BATCH` comments per transaction, so a file of millions of lines takes
constant memory, and an interrupted import keeps the batches it wrote
(importing again is safe: comments are keyed on their remote id).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import queue
import sqlite3
import stat
import sys
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from cm_inbox.cli.common import (
    CliError,
    db_path,
    err_console,
    open_store,
    out_console,
    query_from,
    stdout_is_utf8,
)
from cm_inbox.model.incoming import IncomingComment
from cm_inbox.records import comment_to_record, record_to_incoming
from cm_inbox.signals_ahead import start_listening_processes
from cm_inbox.store import Store

BATCH = 20_000
# Past this many, bad lines are counted but not each reported: a file in the
# wrong format altogether should not bury the terminal.
REPORT_LIMIT = 100
PROGRESS_MIN_BYTES = 4 << 20

# Failures that belong to one record, found only when the store writes it (a
# number too large for SQLite, a lone surrogate in a field the records module
# does not clean). Anything else from SQLite (locked, disk full) stops the import.
_RECORD_FAILURES = (
    OverflowError,
    UnicodeEncodeError,
    ValueError,
    sqlite3.IntegrityError,
    sqlite3.InterfaceError,
)

CSV_FIELDS = (
    "id", "network", "account", "parent_id", "root_id", "author_handle", "author_name",
    "author_followers", "text", "created_at", "url", "status", "labels", "snoozed_until",
    "language", "sentiment", "sentiment_score", "intents", "priority", "likes", "reposts",
    "replies", "html",
)  # fmt: skip


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON: {name} is not a number JSON allows")


# One decoder for every line: ``json.loads`` with an option builds a new one per
# call: 11.4 against 8.3 µs a line here, for each of a million lines.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def _parse_line(raw: bytes) -> Any:
    """``json.loads(raw, parse_constant=_reject_constant)``, with the shared decoder."""
    return _DECODER.decode(raw.decode(json.detect_encoding(raw), "surrogatepass"))


@dataclass
class ImportReport:
    """What an import did, and where it complains."""

    source: str
    console: Console
    new: int = 0
    updated: int = 0
    bad: int = 0

    def bad_line(self, number: int, reason: str) -> None:
        self.bad += 1
        if self.bad <= REPORT_LIMIT:
            self.console.print(f"{self.source}:{number}: {reason}", markup=False)
        elif self.bad == REPORT_LIMIT + 1:
            self.console.print(
                f"{self.source}: more bad lines; only the first {REPORT_LIMIT} are shown",
                markup=False,
            )

    def summary(self) -> str:
        return f"{self.new:,} new, {self.updated:,} updated, {self.bad:,} skipped (bad lines)"


def run_import(args: argparse.Namespace) -> int:
    source = args.file
    name = "<stdin>" if source == "-" else source
    database = db_path(args)
    with _open_input(source) as (stream, size):
        errors = err_console()
        report = ImportReport(name, errors)
        show_progress = size is not None and size >= PROGRESS_MIN_BYTES and errors.is_terminal
        with open_store(database, create=True) as store:
            _listen_as_configured(store, errors)
            progress = (
                Progress(
                    TextColumn("Importing"),
                    BarColumn(),
                    DownloadColumn(),
                    TimeRemainingColumn(),
                    console=errors,
                    transient=True,
                )
                if show_progress
                else nullcontext()
            )
            with progress:
                task = progress.add_task("import", total=size) if show_progress else None

                def advance(done: int) -> None:
                    if task is not None:
                        progress.update(task, completed=done)

                try:
                    ingest(store, stream, report, on_batch=advance, size=size)
                except KeyboardInterrupt:
                    raise CliError(
                        f"import of {name} interrupted after {report.new + report.updated:,} comments;"
                        " importing again picks up safely",
                        code=130,
                    ) from None
    out_console().print(report.summary(), markup=False)
    return 0


def _listen_as_configured(store: Store, console: Console) -> None:
    """The config's triage rules and response targets for the new comments; its problems said first."""
    from cm_inbox.config import load_config
    from cm_inbox.targets import Targets

    config = load_config()
    for problem in config.problems:
        console.print(Text(f"config: {problem}", style="yellow"))
    store.use_rules(config.rules)
    store.use_targets(Targets(config.targets, config.tz), config.brand.default_language)


@contextmanager
def _open_input(source: str) -> Iterator[tuple[IO[bytes], int | None]]:
    """The bytes to import and their size when known (for the progress bar)."""
    if source == "-":
        yield sys.stdin.buffer, None
        return
    try:
        stream = open(source, "rb")  # noqa: SIM115 (closed below; open errors need their own message)
    except OSError as error:
        raise CliError(f"cannot read {source}: {error.strerror or error}") from None
    with stream:
        info = os.fstat(stream.fileno())
        yield stream, info.st_size if stat.S_ISREG(info.st_mode) else None


# Files this large are read by a second process: reading, checking and the listening
# signals cost as much as writing, and a process runs them on the other core (a thread
# would share the interpreter with the writer). Smaller ones are not worth its start.
POOL_MIN_BYTES = 4_000_000
# Lines per batch handed to the reader process, each written in one transaction:
# writing starts within a second or two, and each commit's work (the pages it
# rewrites) is shared by enough rows (2,500 a batch took 4 % longer at 300,000).
POOL_BATCH = 10_000
# One reader process beside the writer: on two cores a second one only fights the
# writer for the processor (20,000 demo comments: 8.0-11.0 s with one, 9.7-26 s with
# two, 10.9-12.0 s with none, on a busy machine).
POOL_READERS = 1


def _read_lines(lines: list[tuple[int, bytes]], default_language: str) -> tuple[list, list]:
    """Records and bad lines from raw JSON Lines, each record with its signals.

    Runs in the reading process (or thread): everything here is picklable.
    """
    from cm_inbox.listening import analyze

    items: list[tuple[int, IncomingComment]] = []
    bad: list[tuple[int, str]] = []
    for number, raw in lines:
        try:
            item = record_to_incoming(_parse_line(raw))
        except json.JSONDecodeError as error:
            bad.append((number, f"invalid JSON: {error.msg} (column {error.colno})"))
        except UnicodeDecodeError:
            bad.append((number, "not UTF-8 text"))
        except (ValueError, OverflowError) as error:  # RecordError is a ValueError
            bad.append((number, str(error)))
        else:
            item.signals = analyze(item.text, item.language, default_language)
            items.append((number, item))
    return items, bad


def _parse(
    stream: IO[bytes],
    out: queue.Queue,
    stop: threading.Event,
    pool: Executor | None,
    default_language: str,
) -> None:
    """Cut the stream into batches of lines and have each read (runs in its own thread).

    Each batch goes on ``out`` as a future, in file order, so the writer stores
    them in order while the next ones are read.
    """
    lines: list[tuple[int, bytes]] = []
    done = number = 0

    def send() -> None:
        if pool is not None:
            out.put((pool.submit(_read_lines, lines, default_language), done))
        else:
            ready: Future = Future()
            ready.set_result(_read_lines(lines, default_language))
            out.put((ready, done))

    try:
        for number, raw in enumerate(stream, 1):
            if stop.is_set():
                return
            done += len(raw)
            if raw.strip():
                lines.append((number, raw))
            if len(lines) >= (POOL_BATCH if pool is not None else BATCH):
                send()
                lines = []
        send()
    except OSError as error:
        out.put(CliError(f"cannot read at line {number + 1}: {error}"))
    except BaseException as error:  # handed to the writer, which raises it
        out.put(error)
    finally:
        out.put(None)


def ingest(
    store: Store,
    stream: IO[bytes],
    report: ImportReport,
    *,
    on_batch: Any = None,
    size: int | None = None,
) -> None:
    """Parse JSON Lines from ``stream`` into the store, reporting bad lines to ``report``.

    Reading and checking run beside this thread's writing: in a second process
    for a large file (``size`` bytes), else in a second thread, where SQLite
    releases the interpreter while it inserts and indexes.
    """
    batches: queue.Queue = queue.Queue(maxsize=4)
    stop = threading.Event()
    # The reader process loads its models while the first lines are being read.
    pool = (
        start_listening_processes(POOL_READERS)
        if size is not None and size >= POOL_MIN_BYTES
        else None
    )
    reader = threading.Thread(
        target=_parse,
        args=(stream, batches, stop, pool, store.scorer.default_language),
        daemon=True,
    )
    reader.start()
    try:
        with store.bulk_writes():
            while (entry := batches.get()) is not None:
                if isinstance(entry, BaseException):
                    if isinstance(entry, CliError):
                        raise CliError(f"{report.source}: {entry}") from None
                    raise entry
                future, done = entry
                items, bad = future.result()
                for number, message in bad:
                    report.bad_line(number, message)
                if items:
                    _store_batch(store, items, report)
                if on_batch is not None:
                    on_batch(done)
    finally:
        stop.set()
        while reader.is_alive():  # let a reader blocked on a full queue see the stop
            try:
                batches.get_nowait()
            except queue.Empty:
                reader.join(timeout=0.05)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def _store_batch(
    store: Store, batch: list[tuple[int, IncomingComment]], report: ImportReport
) -> None:
    try:
        result = store.upsert_comments(item for _, item in batch)
    except _RECORD_FAILURES:
        # One record the store cannot take spoils its batch (the batch rolled
        # back): write them one by one to skip just that line.
        for number, item in batch:
            try:
                single = store.upsert_comments([item])
            except _RECORD_FAILURES as error:
                report.bad_line(number, f"cannot store this record: {error}")
            else:
                report.new += single.inserted
                report.updated += single.updated
        return
    except sqlite3.Error as error:
        raise CliError(
            f"cannot write to {store.path} at line {batch[0][0]}: {error}"
            f" ({report.new + report.updated:,} comments were imported before it)"
        ) from None
    report.new += result.inserted
    report.updated += result.updated


def run_export(args: argparse.Namespace) -> int:
    query = query_from(args)
    with open_store(db_path(args)) as store, _open_output(args.output) as stream:
        records = (comment_to_record(row.comment) for row in store.iter_queue(query))
        if args.format == "csv":
            writer = csv.writer(stream)
            writer.writerow(CSV_FIELDS)

            def emit(record: dict[str, Any]) -> None:
                writer.writerow(csv_row(record))
        else:
            # Files are UTF-8; a terminal or pipe that is not gets escapes instead.
            ascii_only = stream is sys.stdout and not stdout_is_utf8()

            def emit(record: dict[str, Any]) -> None:
                stream.write(json.dumps(record, ensure_ascii=ascii_only) + "\n")

        count = 0
        for record in records:
            emit(record)
            count += 1  # noqa: SIM113 (records is a generator; enumerate would hide the count when empty)
    if args.output and args.output != "-":
        err_console().print(f"exported {count:,} comments to {args.output}", markup=False)
    return 0


def csv_row(record: dict[str, Any]) -> list[str]:
    """A record flattened for CSV: author fields split out, lists joined with ";"."""
    author = record.get("author") or {}
    flat = dict(record)
    flat["author_handle"] = author.get("handle")
    flat["author_name"] = author.get("name")
    flat["author_followers"] = author.get("followers")
    cells = []
    for name in CSV_FIELDS:
        value = flat.get(name)
        if isinstance(value, list):
            value = ";".join(str(item) for item in value)
        cells.append(_spreadsheet_safe("" if value is None else str(value)))
    return cells


def _spreadsheet_safe(cell: str) -> str:
    """Defuse a cell a spreadsheet would run as a formula (``=HYPERLINK(...)``).

    Comment text is untrusted, and CSV files end up in Excel: a leading
    quote makes the cell plain text there and shows as written everywhere.
    """
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


@contextmanager
def _open_output(target: str | None) -> Iterator[IO[str]]:
    """stdout, or a file written beside its destination and moved into place when complete."""
    if not target or target == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    path = Path(target).expanduser()
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    except OSError as error:
        raise CliError(f"cannot write {target}: {error.strerror or error}") from None
    try:
        with open(handle, "w", encoding="utf-8", newline="") as stream:
            yield stream
        os.chmod(temporary, 0o644 & ~_umask())
        os.replace(temporary, path)
    except OSError as error:
        os.unlink(temporary)
        raise CliError(f"cannot write {target}: {error.strerror or error}") from None
    except BaseException:
        os.unlink(temporary)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
