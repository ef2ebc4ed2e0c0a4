"""Two senders on one file: the TUI's and `cm-inbox send`, started together on 100 replies."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
from loopback import base_url, connect_all, run_cli, serving
from tui_fixtures import workers_done

from cm_inbox.config import load_config
from cm_inbox.model import QueueQuery, ReplyState, View
from cm_inbox.secrets import SecretStore
from cm_inbox.store import Store
from cm_inbox.sync import Syncer
from cm_inbox.tui.app import CmInboxApp

REPLIES = 100


async def test_the_tui_and_the_command_line_send_each_reply_once(tmp_path):
    db = tmp_path / "inbox.sqlite3"
    config_file = tmp_path / "config.toml"
    config_file.write_text("[sync]\nevery_minutes = 0\nundo_seconds = 0\n", encoding="utf-8")
    # 50 ms a request: alone, one sender would need seconds for the hundred.
    with serving("--faults", "latency_ms=50") as commands:
        connect_all(commands, db)
        assert run_cli("sync", db=db).returncode == 0
        store = Store(db)
        keys = list(store.queue_keys(QueueQuery(view=View.INBOX)))[:REPLIES]
        assert len(keys) == REPLIES
        texts = {}
        for number, key in enumerate(keys):
            reply = store.queue_reply(key, f"two senders, reply number {number}")
            texts[reply.id] = reply.text

        vault = SecretStore()
        syncer = Syncer(store, lambda a: vault.account(a.network, a.name))
        app = CmInboxApp(store, load_config(config_file), syncer=syncer)
        # Both at once: the command line in its process, and the TUI, which syncs as it opens.
        other = subprocess.Popen(
            [sys.executable, "-m", "cm_inbox.cli.main", "--db", str(db), "send", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            await workers_done(pilot)
            await pilot.pause()
            out, err = other.communicate(timeout=120)
            shown = app.screen.query_one("#sync-status").render()
            notes = [n.message for n in app._notifications]
            report = app.screen.query_one("#sync-status").last_report
        store.close()

        assert "locked" not in (out + err).lower(), out + err
        assert not any("locked" in note.lower() for note in notes), notes
        assert "locked" not in str(shown).lower()
        assert report is not None and not report.errors, report
        by_cli = sum(a["sent"] for a in json.loads(out)["accounts"])
        by_tui = sum(a.sent for a in report.accounts)
        print("sent by the command line", by_cli, "by the TUI", by_tui)
        assert by_cli + by_tui == REPLIES
        assert by_cli and by_tui  # they really shared the work
        with Store(db) as check:
            states = {check.reply(reply_id).state for reply_id in texts}
        assert states == {ReplyState.SENT}
        accepted = httpx.get(base_url(commands) + "/_sandbox/replies", timeout=30).json()
    for text in texts.values():
        assert sum(1 for r in accepted if r["text"].endswith(text)) == 1, text
