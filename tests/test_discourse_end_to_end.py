"""Discourse end to end on loopback, as a user would do it: start the sandbox, add
the forum account from its first line without a terminal, sync twice, reply
from the shell, send with the answer lost after the commit, and read the forum."""

from __future__ import annotations

import json

import httpx
from loopback import run_cli, serving


def test_forum_account_sync_and_a_reply_that_lands_once(tmp_path, isolated_dirs) -> None:
    db = tmp_path / "inbox.sqlite3"
    with serving("--faults", "lost_answer=1") as commands:
        command = commands["discourse"]
        args = command["args"]
        base = args[args.index("--site") + 1]
        added = run_cli(*args, stdin=command["stdin"], db=db)
        assert added.returncode == 0, added.stderr
        assert "@lumo_team" in added.stdout

        first = run_cli("sync", "--json", "--account", "lumo_team", db=db)
        assert first.returncode == 0, first.stdout + first.stderr
        [forum] = [a for a in json.loads(first.stdout)["accounts"] if a["network"] == "discourse"]
        assert forum["new"] > 20 and forum["error"] is None
        second = run_cli("sync", "--json", "--account", "lumo_team", db=db)
        [again] = [a for a in json.loads(second.stdout)["accounts"] if a["network"] == "discourse"]
        assert again["new"] == 0

        listed = json.loads(run_cli("list", "--json", "--limit", "0", db=db).stdout)
        target = next(c for c in listed if c["network"] == "discourse" and c["parent_id"])
        text = "Thanks for the details, a fix ships on Monday."
        queued = run_cli("reply", str(target["id"]), text, db=db)
        assert queued.returncode == 0, queued.stdout + queued.stderr

        # Every write's answer is lost after the commit: the first send cannot know.
        run_cli("send", "--json", db=db)
        httpx.post(base + "/_sandbox/write-faults", json={"spec": ""}, timeout=10)
        sent = run_cli("send", "--json", db=db)
        assert sent.returncode == 0, sent.stdout + sent.stderr
        outbox = run_cli("outbox", "--json", db=db)
        replies = httpx.get(base + "/_sandbox/replies", timeout=10).json()

    ours = [r for r in replies if r["text"] == text]
    assert len(ours) == 1, replies
    assert ours[0]["network"] == "discourse"
    assert ours[0]["parent_id"] == target["remote_id"]
    assert command["stdin"].strip() not in outbox.stdout
    database = b"".join(p.read_bytes() for p in tmp_path.glob("inbox.sqlite3*"))
    assert command["stdin"].strip().encode() not in database
