"""import_per_s: the real `cm-inbox import`, beside its floor (benchmarks/import_floor.py)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from corpus import CACHE, ROOT, remove_db
from stats import Figures

HERE = Path(__file__).resolve().parent


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Seconds ``argv`` took to run, and what it printed."""
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed, done.stdout


def measure_import(
    figures: Figures, source: Path, lines: int, runs: int, env: dict[str, str], say
) -> Path:
    """Time ``runs`` imports of ``source`` and as many floors, alternating; returns the last
    database the real import built (kept for the other figures when it holds the whole corpus).

    Each floor writes the rows of the import just before it (their listening
    values read from its database, untimed), and the first is checked to have.
    """
    cli = str(ROOT / ".venv" / "bin" / "cm-inbox")
    app_db = CACHE / "import-run.sqlite3"
    floor_db = CACHE / "import-floor.sqlite3"
    for run in range(runs):
        remove_db(app_db)
        elapsed, _ = _timed([cli, "import", str(source), "--db", str(app_db)], env)
        figures.add("import_per_s", "rows/s", lines / elapsed, digits=0)
        remove_db(floor_db)
        argv = [sys.executable, str(HERE / "import_floor.py"), str(source), str(app_db)]
        wall, printed = _timed([*argv, str(floor_db)], env)
        floor = wall - json.loads(printed)["prepared_s"]
        figures.add("import_floor_per_s", "rows/s", lines / floor, digits=0)
        say(
            f"import run {run + 1}/{runs}: {lines / elapsed:,.0f} rows/s "
            f"({elapsed:.1f} s; floor {lines / floor:,.0f} rows/s, {floor:.1f} s)"
        )
        if run == 0:
            cleaned = same_rows(app_db, floor_db)
            say(f"import floor: the app's rows, but for {cleaned:,} texts the app cleaned")
        remove_db(floor_db)
    return app_db


# Every column the import writes, each comment keyed by account and remote id, its
# author by network and handle (ids may be given in another order).
_ROWS = """
SELECT a.network, a.name, c.remote_id, c.parent_remote_id, c.root_remote_id, au.network,
    au.handle, c.markup, c.url, c.created_at, c.language, c.sentiment, c.sentiment_score,
    c.intents, c.priority, c.status, c.snoozed_until, c.is_ours, c.extra, c.likes, c.reposts,
    c.replies, (SELECT group_concat(label) FROM (
        SELECT label FROM {db}.comment_labels l WHERE l.comment_id = c.id ORDER BY label))
FROM {db}.comments c
JOIN {db}.accounts a ON a.id = c.account_id
JOIN {db}.authors au ON au.id = c.author_id
"""


def same_rows(app_db: Path, floor_db: Path) -> int:
    """Check the floor wrote the app's rows; the number whose text alone differs.

    The text may: the app cleans what a network wrote (HTML to text, control
    characters out), the floor stores it as the line gives it.
    """
    with sqlite3.connect(app_db) as conn:
        conn.execute("ATTACH ? AS floor", (str(floor_db),))
        for one, other in (("main", "floor"), ("floor", "main")):
            differ = conn.execute(
                f"SELECT count(*) FROM ({_ROWS.format(db=one)} EXCEPT {_ROWS.format(db=other)})"
            ).fetchone()[0]
            if differ:
                raise RuntimeError(
                    f"the import floor did not write the app's rows: {differ:,} differ"
                )
        counts = "SELECT * FROM {db}.bucket_counts"
        if conn.execute(
            f"{counts.format(db='main')} EXCEPT {counts.format(db='floor')}"
        ).fetchone():
            raise RuntimeError("the import floor's view counts differ from the app's")
        return conn.execute(
            "SELECT count(*) FROM main.comments c JOIN main.accounts a ON a.id = c.account_id"
            " JOIN floor.accounts fa ON (fa.network, fa.name) = (a.network, a.name)"
            " JOIN floor.comments f ON (f.account_id, f.remote_id) = (fa.id, c.remote_id)"
            " WHERE f.text IS NOT c.text"
        ).fetchone()[0]
