"""import_per_s: the real `cm-inbox import`, beside its floor (benchmarks/import_floor.py)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from corpus import CACHE, ROOT, remove_db
from stats import Figures

HERE = Path(__file__).resolve().parent


def _timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed


def measure_import(
    figures: Figures, source: Path, lines: int, runs: int, env: dict[str, str], say
) -> Path:
    """Time ``runs`` imports of ``source`` and as many floors, alternating; returns the last
    database the real import built (kept for the other figures when it holds the whole corpus)."""
    cli = str(ROOT / ".venv" / "bin" / "cm-inbox")
    app_db = CACHE / "import-run.sqlite3"
    floor_db = CACHE / "import-floor.sqlite3"
    for run in range(runs):
        remove_db(floor_db)
        floor = _timed(
            [sys.executable, str(HERE / "import_floor.py"), str(source), str(floor_db)], env
        )
        figures.add("import_floor_per_s", "rows/s", lines / floor, digits=0)
        remove_db(floor_db)
        remove_db(app_db)
        elapsed = _timed([cli, "import", str(source), "--db", str(app_db)], env)
        figures.add("import_per_s", "rows/s", lines / elapsed, digits=0)
        say(
            f"import run {run + 1}/{runs}: {lines / elapsed:,.0f} rows/s "
            f"({elapsed:.1f} s; floor {lines / floor:,.0f} rows/s, {floor:.1f} s)"
        )
    return app_db
