"""What the listening signals cost at ingest: µs per comment, and ingest's slowdown.

    .venv/bin/python benchmarks/listening.py [--count 20000] [--runs 3]

Generates ``--count`` demo records (cm_inbox/demo/generator.py) and times, on the
same records: storing them in a fresh database (``record_to_incoming`` then
``Store.upsert_comments``), importing them as `cm-inbox import` reads a file (each
JSON line decoded too), and ``analyze`` on their texts with each record's language
as the network's tag. Prints the best of ``--runs`` for each, the project's
evaluation set too, and ingest's slowdown (ingest + signals) / ingest for both
meanings of ingest; the issue caps it at 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cm_inbox.demo.generator import iter_records  # noqa: E402
from cm_inbox.listening import analyze, preload  # noqa: E402
from cm_inbox.listening.evaluate import default_files, read_rows  # noqa: E402
from cm_inbox.records import record_to_incoming  # noqa: E402
from cm_inbox.store import Store  # noqa: E402

NOW = 1_795_168_800  # a fixed clock: the same corpus every run


def time_store(records: list[dict], runs: int) -> float:
    """Best seconds to parse and store ``records`` into a fresh database."""
    best = float("inf")
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            store = Store(Path(folder) / "bench.sqlite3", clock=lambda: NOW)
            started = time.perf_counter()
            store.upsert_comments(record_to_incoming(record) for record in records)
            best = min(best, time.perf_counter() - started)
            store.close()
    return best


def time_import(lines: list[str], runs: int) -> float:
    """Best seconds to decode JSON ``lines`` and store them, as `cm-inbox import` does."""
    best = float("inf")
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            store = Store(Path(folder) / "bench.sqlite3", clock=lambda: NOW)
            started = time.perf_counter()
            store.upsert_comments(record_to_incoming(json.loads(line)) for line in lines)
            best = min(best, time.perf_counter() - started)
            store.close()
    return best


def time_signals(items: list[tuple[str, str | None]], runs: int) -> float:
    """Best seconds to analyze every (text, hint) in ``items``."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        for text, hint in items:
            analyze(text, hint)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    records = list(iter_records(seed=7, now=NOW, count=args.count))
    demo = [(record.get("text") or "", record.get("language")) for record in records]
    evaluation = [(row.text, row.hint) for path in default_files() for row in read_rows(path)]

    started = time.perf_counter()
    preload()
    print(f"first load (model and lexicons): {time.perf_counter() - started:.2f} s")
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    signals = time_signals(demo, args.runs)
    store = time_store(records, args.runs)
    imported = time_import(lines, args.runs)
    on_eval = time_signals(evaluation, args.runs)
    count = len(records)
    print(f"demo corpus: {count:,} comments (best of {args.runs} runs)")
    print(f"  signals      {signals / count * 1e6:7.1f} µs per comment")
    print(f"  store        {store / count * 1e6:7.1f} µs per comment (records already parsed)")
    print(f"  import       {imported / count * 1e6:7.1f} µs per comment (JSON lines, as the CLI)")
    print(f"  store with signals / without:  {(store + signals) / store:.2f}×")
    print(f"  import with signals / without: {(imported + signals) / imported:.2f}×")
    print(f"evaluation set: {len(evaluation)} comments")
    print(f"  signals      {on_eval / len(evaluation) * 1e6:7.1f} µs per comment")
    return 0


if __name__ == "__main__":
    sys.exit(main())
