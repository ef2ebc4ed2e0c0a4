"""Save the README's screenshot: the demo inbox as the app itself renders it.

Run with `make screenshot`. The demo is built at a fixed time in a
temporary folder, so the picture changes only when the app does.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from cm_inbox.cli.launch import prepare_demo_db
from cm_inbox.config import load_config
from cm_inbox.store import Store
from cm_inbox.tui.app import CmInboxApp

# Wed 25 Nov 2026 10:20 UTC: a weekday morning, when the queue is busiest.
DEMO_NOW = 1_795_602_000
SIZE = (120, 36)


async def save(target: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = prepare_demo_db(Path(folder) / "demo.sqlite3", reset=True, now=DEMO_NOW)
        config_file = Path(folder) / "config.toml"
        config_file.write_text('[time]\ntimezone = "UTC"\n')
        store = Store(db, clock=lambda: DEMO_NOW)
        app = CmInboxApp(store, load_config(config_file), clock=lambda: DEMO_NOW, demo=True)
        async with app.run_test(size=SIZE) as pilot:
            for keys in (("j", "j", "j", "j"), ("r",)):
                await app.workers.wait_for_complete()
                await pilot.pause()
                await pilot.press(*keys)
            await app.workers.wait_for_complete()
            await pilot.press(
                *"Hi Mia, you are right to be upset and we hear you. Dark mode stays free for everyone: the change is rolled back in 4.2.1 today. Sorry for the scare!"
            )
            await pilot.pause()
            app.save_screenshot(filename=target.name, path=str(target.parent))
        store.close()


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshot.svg")
    asyncio.run(save(out.resolve()))
    print(f"saved {out}")
