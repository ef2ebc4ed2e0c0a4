"""The log file: what syncs did and what went wrong, for the user to read later.

Kept in the platform's log folder, rotated at 1 MB. Only cm-inbox's own
messages go there (plus warnings from httpx); no request headers or bodies are
ever logged, so tokens and passwords cannot reach it.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

import platformdirs

from cm_inbox.paths import APP_NAME


def log_path() -> Path:
    return platformdirs.user_log_path(APP_NAME) / "cm-inbox.log"


def start_logging() -> None:
    """Send cm-inbox's log to its file; quietly do without one if the folder is unwritable."""
    root = logging.getLogger("cm_inbox")
    path = log_path()
    for old in [h for h in root.handlers if isinstance(h, logging.handlers.RotatingFileHandler)]:
        if Path(old.baseFilename) == path:
            return
        # The log folder moved (another user folder, as in tests): follow it.
        root.removeHandler(old)
        old.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # httpx logs every request URL at INFO; warnings are enough.
    logging.getLogger("httpx").setLevel(logging.WARNING)
