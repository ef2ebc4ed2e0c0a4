"""What the listening signals cost at ingest: µs per comment, and ingest's slowdown.

    .venv/bin/python benchmarks/listening.py [--count 20000] [--runs 3]

Generates ``--count`` demo records (cm_inbox/demo/generator.py), stores them in
a fresh database the way `cm-inbox import` does (records parsed, then
``Store.upsert_comments``), and runs ``analyze`` on the same texts with each
record's language as the network's tag. Prints the best of ``--runs`` for each,
the project's evaluation set too, and the ratio (store + signals) / store, which
the issue caps at 2.
"""

from __future__ import annotations

import argparse
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
    signals = time_signals(demo, args.runs)
    store = time_store(records, args.runs)
    on_eval = time_signals(evaluation, args.runs)
    print(f"demo corpus: {len(records):,} comments (best of {args.runs} runs)")
    print(f"  signals      {signals / len(records) * 1e6:7.1f} µs per comment")
    print(f"  store        {store / len(records) * 1e6:7.1f} µs per comment")
    print(f"  ingest with signals / without: {(store + signals) / store:.2f}×")
    print(f"evaluation set: {len(evaluation)} comments")
    print(f"  signals      {on_eval / len(evaluation) * 1e6:7.1f} µs per comment")
    return 0


if __name__ == "__main__":
    sys.exit(main())
