"""The Textual front end. Nothing outside this package imports textual."""

from __future__ import annotations

import sys
from pathlib import Path

# Textual writes each frame to the terminal from a thread of its own, and Python
# hands the interpreter to a waiting thread only every 5 ms (its default switch
# interval): while the app worked on (the next layout, a worker reading the
# queue's keys) each of a frame's writes waited for it, 14 ms from the finished
# frame to the screen at start (5-19 ms, in the benchmark's terminal on a million
# comments). Every half millisecond, it is 2 ms, and held and tapped keys timed
# the same (two sessions each, alternated). The command-line commands keep the
# default: only the TUI has a thread waiting on the terminal.
FRAME_WRITER_SWITCH_S = 0.0005


def run_tui(db_path: Path, *, demo: bool = False, config_path: Path | None = None) -> int:
    """Open the inbox on ``db_path`` and run until the user quits; returns an exit status."""
    from cm_inbox.memory import limit_malloc_arenas
    from cm_inbox.tui.app import make_app

    limit_malloc_arenas()
    sys.setswitchinterval(FRAME_WRITER_SWITCH_S)
    app = make_app(db_path, demo=demo, config_path=config_path)
    app.run()
    return app.return_code or 0
