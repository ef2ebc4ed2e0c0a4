"""GitHub end to end on loopback: `sandbox serve`, `accounts add github` from its first
line, sync twice, then a reply sent with the command line lands once under its issue."""

from __future__ import annotations

import json

import httpx
from loopback import base_url, run_cli, serving

from cm_inbox.model import QueueQuery, View
from cm_inbox.store import Store


def test_github_from_the_sandbox_line_to_a_reply(tmp_path, isolated_dirs):
    db = tmp_path / "inbox.sqlite3"
    with serving() as commands:
        command = commands["github"]
        added = run_cli(*command["args"], stdin=command["stdin"], db=db)
        assert added.returncode == 0, added.stderr
        first = run_cli("sync", "--json", db=db)
        assert first.returncode == 0, first.stdout + first.stderr
        counts = {a["network"]: a["new"] for a in json.loads(first.stdout)["accounts"]}
        assert counts["github"] > 0
        second = run_cli("sync", "--json", db=db)
        assert {a["new"] for a in json.loads(second.stdout)["accounts"]} == {0}

        with Store(db) as store:
            target = next(
                row.comment
                for row in store.iter_queue(QueueQuery(view=View.INBOX))
                if "/issuecomment-" in row.comment.remote_id
            )
            store.queue_reply(target.id, "Thanks for the report, fixed in 2.4.")
        sent = run_cli("sync", "--json", db=db)
        assert sent.returncode == 0, sent.stdout + sent.stderr
        replies = httpx.get(base_url(commands) + "/_sandbox/replies", timeout=10).json()
        ours = [r for r in replies if r["network"] == "github"]
        assert len(ours) == 1 and ours[0]["parent_id"] == target.parent_remote_id
        assert command["stdin"].strip() not in (tmp_path / "inbox.sqlite3").read_bytes().decode(
            "latin-1"
        )
