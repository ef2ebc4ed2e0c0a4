"""End to end on loopback, as a new user would do it: start the sandbox, add both
accounts from its first line, sync, reply from the TUI with the keyboard, and
read the reply back from the sandbox over HTTP."""

from __future__ import annotations

import json

import httpx
import pytest
from loopback import base_url, connect_all, run_cli, serving
from tui_fixtures import queue_key, workers_done

from cm_inbox.config import load_config
from cm_inbox.model import QueueQuery, Sort, View
from cm_inbox.secrets import SecretStore
from cm_inbox.store import Store
from cm_inbox.sync import Syncer
from cm_inbox.tui.app import CmInboxApp


@pytest.fixture
def sandbox():
    with serving() as commands:
        yield commands


async def test_sandbox_to_sync_to_a_reply_from_the_keyboard(sandbox, tmp_path, isolated_dirs):
    db = tmp_path / "inbox.sqlite3"
    secrets = connect_all(sandbox, db)

    first = run_cli("sync", "--json", db=db)
    assert first.returncode == 0, first.stdout + first.stderr
    counts = {a["network"]: a["new"] for a in json.loads(first.stdout)["accounts"]}
    assert counts["mastodon"] > 0 and counts["bluesky"] > 0
    second = run_cli("sync", "--json", db=db)
    assert {a["new"] for a in json.loads(second.stdout)["accounts"]} == {0}

    # Reply from the TUI: r, the text, ctrl+s; then R sends it (no undo wait here).
    config_file = tmp_path / "config.toml"
    config_file.write_text("[sync]\nevery_minutes = 0\nundo_seconds = 0\n", encoding="utf-8")
    store = Store(db)
    config = load_config(config_file)
    keys = store.queue_keys(QueueQuery(view=View.INBOX, sort=Sort(config.ui.sort)))
    target = store.queue_rows(View.INBOX, [keys[0]])[0].comment
    vault = SecretStore()
    syncer = Syncer(store, lambda a: vault.account(a.network, a.name))
    app = CmInboxApp(store, config, syncer=syncer)
    text = "Merci, on regarde ça tout de suite !"
    async with app.run_test(size=(120, 36)) as pilot:
        await workers_done(pilot)
        await pilot.pause()
        assert app.screen.queue.current.comment.id == target.id
        await pilot.press("r")
        await pilot.press(*text)
        await pilot.press(queue_key(app, target))
        await pilot.pause()
        await pilot.press("R")
        await pilot.pause()
        await workers_done(pilot)
        await pilot.pause()

    replies = httpx.get(base_url(sandbox) + "/_sandbox/replies", timeout=10).json()
    ours = [r for r in replies if text in r["text"]]
    assert len(ours) == 1, replies
    assert ours[0]["network"] == target.network
    assert ours[0]["parent_id"] == target.remote_id

    # No secret anywhere a user or a screenshot could see it.
    listed = run_cli("accounts", "list", "--json", db=db)
    assert listed.returncode == 0
    logs = "".join(p.read_text(errors="replace") for p in isolated_dirs.rglob("*.log"))
    database = b"".join(p.read_bytes() for p in tmp_path.glob("inbox.sqlite3*"))
    for secret in secrets.values():
        assert secret not in listed.stdout
        assert secret not in logs
        assert secret.encode() not in database
