"""The Textual front end. Nothing outside this package imports textual."""

from __future__ import annotations

from pathlib import Path


def run_tui(db_path: Path, *, demo: bool = False, config_path: Path | None = None) -> int:
    """Open the inbox on ``db_path`` and run until the user quits; returns an exit status."""
    from cm_inbox.memory import limit_malloc_arenas
    from cm_inbox.tui.app import make_app

    limit_malloc_arenas()
    app = make_app(db_path, demo=demo, config_path=config_path)
    app.run()
    return app.return_code or 0
