"""`make bench`: cm-inbox on a million comments, each figure beside its floor.

Builds (or reuses, from benchmarks/cache/) a corpus of generated comments and
its database, measures every figure of issue 4 several times, and writes
benchmarks/results/latest.json and a table. Everything runs on this machine:
the only network is loopback (the sandbox networks behind a latency proxy).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

import corpus
import importing
import searching
import syncing
import tui
from rich.console import Console
from rich.table import Table
from stats import Figures

FULL_COUNT = 1_000_000
RESULTS = corpus.ROOT / "benchmarks" / "results"
GROUPS: dict[str, tuple[str, ...]] = {
    "import": ("import_per_s", "import_floor_per_s"),
    "db": ("db_bytes_per_comment",),
    "search": (
        "search_p50_ms", "search_p95_ms", "search_full_p50_ms", "search_full_p95_ms",
        "search_floor_ms",
    ),
    "first_screen": ("first_screen_s", "first_screen_floor_s"),
    "keys": (
        "key_p50_ms", "key_p95_ms", "key_floor_p95_ms", "end_ms", "pagedown_ms", "view_switch_ms", "filter_ms",
        "rss_mb",
    ),
    "sync": ("sync_10_accounts_s", "sync_slowest_alone_s"),
}  # fmt: skip
# The main figure each floor belongs beside in the table.
FLOORS = {
    "import_per_s": "import_floor_per_s",
    "first_screen_s": "first_screen_floor_s",
    # The raw FTS query fetches every hit: the floor of the full list, not of the first screen.
    "search_full_p50_ms": "search_floor_p50_ms",
    "search_full_p95_ms": "search_floor_ms",
    "sync_10_accounts_s": "sync_slowest_alone_s",
    "key_p95_ms": "key_floor_p95_ms",
}
# (figure, what it is held to, the floor it is a multiple of or None, factor or limit, ≤ or ≥)
TARGETS = (
    ("first_screen_s", "≤ 1.4 × first_screen_floor_s", "first_screen_floor_s", 1.4, "le"),
    ("key_p95_ms", "≤ 10 ms", None, 10, "le"),
    ("end_ms", "≤ 15 ms", None, 15, "le"),
    ("pagedown_ms", "≤ 15 ms", None, 15, "le"),
    ("search_p95_ms", "≤ 20 ms", None, 20, "le"),
    ("rss_mb", "≤ 80 MB", None, 80, "le"),
    ("import_per_s", "≥ 0.7 × import_floor_per_s", "import_floor_per_s", 0.7, "ge"),
    ("sync_10_accounts_s", "≤ 1.3 × sync_slowest_alone_s", "sync_slowest_alone_s", 1.3, "le"),
)
METHOD = {
    "import": "`cm-inbox import` (the console script) of the JSONL into a new file, wall clock; "
    "floor: benchmarks/import_floor.py, json.loads + executemany in one transaction "
    "into a file made by Store (same schema, triggers, FTS), also its own process, of the "
    "same rows: the listening values (language, sentiment, intents, priority) read from the "
    "app's import just before, untimed, and the rows checked alike after the first run",
    "first_screen": "process start to the end of the frame showing the inbox's first row, "
    "in a 120x36 pty; floor: benchmarks/bare_app.py (one Static line), same python; "
    "max(7, 5 x --runs) pairs (floor, then app), medians of each",
    "keys": "one pty session per run; key_p50/p95: 500 j held at 25 presses/s (the usual "
    "key repeat), each from writing the key to the end of the frame repainting the queue; "
    "key_tapped: 50 j at 4/s; end (G), top (g), pagedown, view_switch (2 then 1, to the "
    "frame whose status bar names the view), filter (ctrl+s in the filter form, to the "
    "frame whose status bar shows the filtered count) at 4/s; key_floor: the same 500 held j "
    "on benchmarks/bare_list.py, a bare Textual list of 1M ready-made lines",
    "search": "50 words (named common, frequent, middling, rare from the index's vocabulary), "
    "in-process, the way the queue searches: search_p50/p95 the first screen "
    "(Store.search_head(QueueQuery(view=INBOX, search=word), 200)), search_full_* the whole "
    "list (Store.queue_keys); floor: SELECT rowid FROM comments_fts WHERE comments_fts MATCH "
    "<the app's expression>, every rowid fetched (search_floor_ms is its p95)",
    "tui_search": "10 of the words typed in the TUI (/ word enter): to the frame whose status "
    "bar names the search (tui_search_ms), and to the one with the full count "
    "(tui_search_full_ms)",
    "rss": "VmHWM of the TUI process after the 500 j and the 10 TUI searches",
    "sync": "fresh sandbox per run behind a proxy adding 50 ms per request, listening cache filled first; 10 accounts "
    "(5 Mastodon, 5 Bluesky, sandbox credentials under different names); each sync on a "
    "copy of the database with the accounts and no comments",
    "db": "file + WAL after a checkpoint, divided by the comment count",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    figures = sorted({name for names in GROUPS.values() for name in names})
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.py",
        description="The scale benchmark of cm-inbox (issue 4). A full run (no options) "
        "writes benchmarks/results/latest.json; quick runs write benchmarks/cache/partial.json.",
        epilog=f"Groups: {', '.join(GROUPS)}. Figures: {', '.join(figures)}.",
    )
    parser.add_argument(
        "--count", type=int, default=FULL_COUNT, help="comments in the corpus (default: 1,000,000)"
    )
    parser.add_argument(
        "--only",
        metavar="FIGURE,...",
        help="measure only these figures or groups (e.g. --only import,key_p95_ms)",
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="runs of each long measurement (default: 3)"
    )
    parser.add_argument(
        "--import-lines",
        type=int,
        metavar="N",
        help="time the import on the corpus's first N lines (default: all of it)",
    )
    parser.add_argument("--output", type=Path, help="where to write the JSON results")
    return parser.parse_args(argv)


def chosen_groups(only: str | None) -> list[str]:
    if not only:
        return list(GROUPS)
    wanted = set()
    for item in (part.strip() for part in only.split(",") if part.strip()):
        group = item if item in GROUPS else next((g for g, f in GROUPS.items() if item in f), None)
        if group is None:
            raise SystemExit(f"--only: unknown figure or group {item!r}")
        wanted.add(group)
    return [group for group in GROUPS if group in wanted]


def base_env(home: Path) -> dict[str, str]:
    """The environment of every process the benchmark starts: its own folders, no keyring."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CM_INBOX_", "XDG_"))}
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        folder = home / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    env.update(HOME=str(home), CM_INBOX_SECRETS="file")
    return env


def machine() -> dict:
    import textual

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=corpus.ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "textual": textual.__version__,
        "platform": platform.platform(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": git("rev-parse", "HEAD"),
        "uncommitted_app_files": len(git("status", "--porcelain", "cm_inbox").splitlines()),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def targets(figures: Figures) -> dict:
    verdicts = {}
    for name, rule, floor, amount, sense in TARGETS:
        value = figures.median(name)
        limit = amount if floor is None else _times(figures.median(floor), amount)
        holds = None
        if value is not None and limit is not None:
            holds = value <= limit if sense == "le" else value >= limit
        verdicts[name] = {
            "rule": rule,
            "limit": None if limit is None else round(limit, 3),
            "value": None if value is None else round(value, 3),
            "holds": holds,
        }
    return verdicts


def dump(result: dict) -> str:
    """JSON, indented, with each list of plain values on one line (runs stay readable)."""
    text = json.dumps(result, indent=1, ensure_ascii=False)
    item = r'(?:-?\d[\d.eE+-]*|"[^"\\\[\]{}]*"|true|false|null)'
    flat = re.compile(rf"\[\s*({item}(?:,\s*{item})*)?\s*\]")
    return flat.sub(lambda m: "[" + re.sub(r",\n\s*", ", ", m[1] or "") + "]", text) + "\n"


def _times(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor


def table(figures: Figures, verdicts: dict, console: Console) -> None:
    grid = Table(title="cm-inbox scale benchmark", title_justify="left")
    for column in ("figure", "median", "min", "max", "floor", "target", "holds"):
        grid.add_column(column, justify="left" if column in ("figure", "target") else "right")
    main = [name for names in GROUPS.values() for name in names if name not in FLOORS.values()]
    rest = [name for name in figures if name not in main]
    for name in [*main, *rest]:
        figure = figures.get(name)
        if figure is None:
            continue
        data = figure.as_dict()
        floor = figures.get(FLOORS.get(name, ""))
        verdict = verdicts.get(name)
        holds = ""
        if verdict and verdict["holds"] is not None:
            holds = "[green]yes[/]" if verdict["holds"] else "[red]no[/]"
        grid.add_row(
            f"{name} ({figure.unit})" if name in main else f"[dim]{name} ({figure.unit})[/]",
            _fmt(data["median"]),
            _fmt(data["min"]),
            _fmt(data["max"]),
            _fmt(floor.as_dict()["median"]) if floor else "",
            verdict["rule"] if verdict else "",
            holds,
        )
    console.print(grid)


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    groups = chosen_groups(args.only)
    console = Console()
    console.width = max(console.width, 132)  # the table stays readable when piped
    started = time.perf_counter()

    def say(message: str) -> None:
        console.print(f"[dim]{time.perf_counter() - started:7.1f}s[/] {message}", highlight=False)

    full = args.count == FULL_COUNT and not args.only
    output = args.output or (RESULTS / "latest.json" if full else corpus.CACHE / "partial.json")
    figures = Figures()
    details: dict = {}
    errors: list[str] = []
    home = Path(tempfile.mkdtemp(prefix="cm-inbox-bench-"))
    env = base_env(home)
    info = machine()
    import_lines = min(args.import_lines or args.count, args.count)

    def step(name: str, action) -> None:
        try:
            action()
        except Exception as error:  # one broken figure must not hide the others
            errors.append(f"{name}: {type(error).__name__}: {error}")
            say(f"[red]{name} failed:[/] {error}")
            traceback.print_exc()

    try:
        source = corpus.build_corpus(args.count, say) if set(groups) - {"sync"} else None
        db: Path | None = None
        if "import" in groups and source is not None:
            sliced = source if import_lines == args.count else corpus.head_of(source, import_lines)
            if sliced is not source:
                say(f"import is timed on the corpus's first {import_lines:,} lines")

            def run_import() -> None:
                nonlocal db
                built = importing.measure_import(figures, sliced, import_lines, args.runs, env, say)
                if sliced is source:
                    db = corpus.adopt_db(built, source)
                else:
                    corpus.remove_db(built)

            step("import", run_import)
        if source is not None and set(groups) & {"db", "search", "first_screen", "keys"}:
            db = db or corpus.build_db(source, env, say)
        if "db" in groups and db is not None:
            figures.add("db_bytes_per_comment", "bytes", corpus.db_bytes(db) / args.count, digits=0)
            say(f"database: {figures.median('db_bytes_per_comment'):,.0f} bytes per comment")
        words: list[str] = []
        if db is not None and set(groups) & {"search", "keys"}:
            words = searching.pick_words(db, args.count)
        if "search" in groups and db is not None:
            step(
                "search",
                lambda: details.update(
                    searching.measure_search(figures, db, words, args.runs, say)
                ),
            )
        if db is not None and set(groups) & {"first_screen", "keys"}:
            expected = tui.expected_screen(db, words[::5][:10])
            if "first_screen" in groups:
                # Short runs, but the machine's own pace swings: the bare app
                # alone took 0.23-0.37 s within seven runs. Fifteen pairs keep a
                # slow moment from deciding the medians.
                runs = max(7, 5 * args.runs)
                step(
                    "first_screen",
                    lambda: tui.measure_first_screen(figures, db, expected, runs, env, say),
                )
            if "keys" in groups:
                for _ in range(args.runs):
                    step("key_floor", lambda: tui.measure_key_floor(figures, env, say))
                for number in range(args.runs):
                    say(f"tui session {number + 1}/{args.runs}")
                    step(
                        "keys",
                        lambda: details.update(
                            tui.measure_session(figures, db, expected, env, say)
                        ),
                    )
        if "sync" in groups:
            step("sync", lambda: details.update(syncing.measure_sync(figures, args.runs, env, say)))
    finally:
        shutil.rmtree(home, ignore_errors=True)

    verdicts = targets(figures)
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result = {
        **{name: figure.as_dict() for name, figure in figures.items()},
        "import_lines": import_lines if "import" in groups else None,
        "comments": args.count,
        "targets": verdicts,
        "machine": info,
        "method": METHOD,
        "details": details,
        "errors": errors,
        "command": "make bench" if full else "python benchmarks/run.py " + " ".join(sys.argv[1:]),
        "duration_s": round(time.perf_counter() - started, 1),
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(dump(result), encoding="utf-8")
    table(figures, verdicts, console)
    if import_lines != args.count and "import" in groups:
        console.print(f"import_per_s was timed on the first {import_lines:,} lines of the corpus")
    missed = [name for name, verdict in verdicts.items() if verdict["holds"] is False]
    console.print(f"targets missed: {', '.join(missed) if missed else 'none'}")
    console.print(f"wrote {output}")
    for error in errors:
        console.print(f"[red]error:[/] {error}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
