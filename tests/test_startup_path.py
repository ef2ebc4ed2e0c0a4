"""What the queue waits for at start-up, and what it no longer waits for.

Every module imported before the first frame delays the queue: on a 2-core
machine Python spends about a millisecond per dataclass it creates. The sync,
the networks' item types, the HTML parser, the composer and the command line's
full parser load once the queue is on screen, or never. A new import at the top of a module on the start-up path would
quietly bring them back; this test says which one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tui_fixtures import fill

from cm_inbox.store import Store

# Run in a fresh interpreter: the test process has imported everything already.
AT_FIRST_FRAME = """
import json, sys
from pathlib import Path

import cm_inbox.cli.main  # what the console script loads before the TUI
from cm_inbox.tui.app import CmInboxApp, make_app

seen = {}

async def snapshot(self):
    seen["modules"] = sorted(sys.modules)
    seen["rows"] = self.inbox.queue.total
    self.exit()

CmInboxApp._after_first_frame = snapshot
make_app(Path(sys.argv[1])).run(headless=True, size=(120, 36))
print(json.dumps(seen))
"""

LOADED_LATER = [
    "cm_inbox.sync",
    "cm_inbox.networks.base",
    "cm_inbox.secrets",
    "cm_inbox.spikes",
    "cm_inbox.store.results",
    "cm_inbox.model.incoming",
    "cm_inbox.model.context",
    "cm_inbox.model.replies",
    "cm_inbox.model.escalations",
    "cm_inbox.triage_rules.matching",
    "cm_inbox.triage_rules.parsing",
    "cm_inbox.watches.model",
    "cm_inbox.webhooks.settings",
    "cm_inbox.brand",
    "cm_inbox.check_settings",
    "cm_inbox.composer_config",
    "textual.widgets._footer",
    "cm_inbox.tui.widgets.composer",
    "html.parser",
    "cm_inbox.cli.parser",
    "argparse",
]


def test_the_queue_is_painted_before_the_sync_the_composer_and_the_html_parser_load(
    tmp_path: Path, isolated_dirs: Path
) -> None:
    db = tmp_path / "inbox.db"
    with Store(db) as store:
        fill(store, 1_750_000_000)
    done = subprocess.run(
        [sys.executable, "-c", AT_FIRST_FRAME, str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["rows"] > 0  # the first frame did show the queue
    assert [name for name in LOADED_LATER if name in seen["modules"]] == []
