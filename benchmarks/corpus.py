"""The benchmark's corpus (generated JSON Lines) and its database, built once and cached.

Both live in ``benchmarks/cache/`` under names keyed by what they depend on:
the corpus by seed, count, the fixed "now" and the generator's source; the
database by the corpus, the schema and the import code. A second run with the
same inputs reuses them; a change to any of them builds afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / "cache"
# 2026-01-01 10:00 UTC: records fall in the 14 days before it, whatever day the benchmark runs.
NOW = 1_767_261_600
SEED = 7
SIDE_FILES = ("-wal", "-shm", "-journal")


def _digest(paths: Iterable[Path], extra: str = "") -> str:
    h = hashlib.sha256(extra.encode())
    for path in sorted(paths):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:10]


def corpus_key(count: int, seed: int = SEED) -> str:
    generator = _digest((ROOT / "cm_inbox" / "demo").glob("*.py"))
    return f"seed{seed}-n{count}-now{NOW}-gen{generator}"


def schema_key() -> str:
    """The schema and the code that fills it: a change to either builds a new database."""
    from cm_inbox.store.schema import MIGRATIONS, SCHEMA_VERSION

    code = [
        ROOT / "cm_inbox" / "store" / "ingest.py",
        ROOT / "cm_inbox" / "records.py",
        ROOT / "cm_inbox" / "cli" / "transfer.py",
    ]
    return f"v{SCHEMA_VERSION}-{_digest(code, chr(0).join(MIGRATIONS))}"


def build_corpus(count: int, say, seed: int = SEED) -> Path:
    """The corpus as JSON Lines (one import record a line), built unless cached."""
    from cm_inbox.demo.generator import iter_records

    path = CACHE / f"corpus-{corpus_key(count, seed)}.jsonl"
    if path.exists():
        say(f"corpus: reusing {path.name}")
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    for stale in CACHE.glob(f"corpus-seed{seed}-n{count}-*.jsonl"):
        stale.unlink()
    started = time.perf_counter()
    partial = path.with_suffix(".partial")
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    with open(partial, "w", encoding="utf-8") as out:
        for record in iter_records(seed=seed, now=NOW, count=count):
            out.write(dumps(record))
            out.write("\n")
    os.replace(partial, path)
    say(f"corpus: generated {count:,} records in {time.perf_counter() - started:.1f} s")
    return path


def head_of(corpus: Path, lines: int) -> Path:
    """The first ``lines`` lines of ``corpus`` as their own file (cached beside it)."""
    path = corpus.with_name(corpus.stem + f"-head{lines}.jsonl")
    if path.exists():
        return path
    partial = path.with_suffix(".partial")
    with open(corpus, "rb") as source, open(partial, "wb") as out:
        for number, line in enumerate(source):
            if number >= lines:
                break
            out.write(line)
    os.replace(partial, path)
    return path


def remove_db(path: Path) -> None:
    for candidate in (path, *(Path(f"{path}{suffix}") for suffix in SIDE_FILES)):
        candidate.unlink(missing_ok=True)


def bench_db_path(corpus: Path) -> Path:
    return CACHE / f"inbox-{corpus.stem.removeprefix('corpus-')}-{schema_key()}.sqlite3"


def adopt_db(built: Path, corpus: Path) -> Path:
    """Keep a database an import run just built as the benchmark's database."""
    target = bench_db_path(corpus)
    remove_db(target)
    _settle(built)
    os.replace(built, target)
    return target


def build_db(corpus: Path, env: dict[str, str], say) -> Path:
    """The corpus imported by `cm-inbox import` into a database, unless cached."""
    target = bench_db_path(corpus)
    if target.exists():
        say(f"database: reusing {target.name}")
        return target
    for stale in CACHE.glob(f"inbox-{corpus.stem.removeprefix('corpus-')}-*.sqlite3"):
        remove_db(stale)
    building = target.with_name(target.name + ".building")
    remove_db(building)
    started = time.perf_counter()
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "cm-inbox"), "import", str(corpus), "--db", str(building)],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    say(f"database: imported {corpus.name} in {time.perf_counter() - started:.1f} s")
    _settle(building)
    os.replace(building, target)
    return target


def _settle(path: Path) -> None:
    """Bring a fresh database to the state the app leaves it in on first open.

    The corpus's snoozes ended before today, so the first open of the inbox
    wakes them (a write): done here once, so every timed open finds the same
    file. Then the WAL is folded into the file, so its size is the database's.
    """
    from cm_inbox.store import Store

    with Store(path) as store:
        store.wake_due_snoozes()
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def db_bytes(path: Path) -> int:
    """The file and its WAL, after a checkpoint."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    wal = Path(f"{path}-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
