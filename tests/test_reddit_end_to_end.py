"""Reddit end to end on loopback, as a user would run it: `sandbox serve` with every
reply's answer lost after the commit, the account added from its first line,
two syncs, a reply queued and sent, and the reply read back from the sandbox."""

from __future__ import annotations

import json

import httpx
from loopback import run_cli, serving

TEXT = "Thanks for the report! Calendar sync is fixed in 4.2.1, out today."


def sandbox_url(command: dict) -> str:
    api = command["args"][command["args"].index("--api") + 1]
    return api.removesuffix("/reddit")


def test_add_sync_twice_and_a_reply_lost_after_commit_lands_once(tmp_path, isolated_dirs):
    db = tmp_path / "inbox.sqlite3"
    with serving("--faults", "lost_answer=1") as commands:
        command = commands["reddit"]
        base = sandbox_url(command)
        added = run_cli(*command["args"], stdin=command["stdin"], db=db)
        assert added.returncode == 0, added.stderr
        assert "LumoOfficial" in added.stdout

        first = run_cli("sync", "--json", db=db)
        assert first.returncode == 0, first.stdout + first.stderr
        counts = {a["network"]: a["new"] for a in json.loads(first.stdout)["accounts"]}
        assert counts == {"reddit": counts["reddit"]} and counts["reddit"] > 0
        second = run_cli("sync", "--json", db=db)
        assert [a["new"] for a in json.loads(second.stdout)["accounts"]] == [0]

        listed = run_cli("list", "--json", "--limit", "0", db=db)
        comments = [c for c in json.loads(listed.stdout) if c["remote_id"].startswith("t1_")]
        target = comments[0]
        assert target["author"] and target["text"] and target["parent_id"]

        queued = run_cli("reply", str(target["id"]), TEXT, db=db)
        assert queued.returncode == 0, queued.stdout + queued.stderr
        lost = run_cli("send", "--json", db=db)  # posted, and the answer never came back
        replies = httpx.get(base + "/_sandbox/replies", timeout=10).json()
        assert [r["parent_id"] for r in replies if r["text"] == TEXT] == [target["remote_id"]]

        httpx.delete(base + "/_sandbox/faults", timeout=10)  # the network is well again
        outbox = json.loads(run_cli("outbox", "--json", db=db).stdout)
        reply_id = next(r["id"] for r in outbox if r["text"] == TEXT)
        assert run_cli("outbox", "retry", str(reply_id), db=db).returncode == 0, lost.stdout
        sent = run_cli("send", "--json", db=db)
        assert sent.returncode == 0, sent.stdout + sent.stderr

        replies = httpx.get(base + "/_sandbox/replies", timeout=10).json()
        ours = [r for r in replies if r["text"] == TEXT]
        assert len(ours) == 1 and ours[0]["parent_id"] == target["remote_id"]
        outbox = json.loads(run_cli("outbox", "--json", "--all", db=db).stdout)
        mine = next(r for r in outbox if r["id"] == reply_id)
        assert mine["state"] == "sent" and mine["remote_id"] == ours[0]["id"]

    # The refresh token typed on stdin is nowhere a user or a screenshot could see it.
    token = command["stdin"].strip()
    listed_accounts = run_cli("accounts", "list", "--json", db=db)
    assert token not in listed_accounts.stdout
    assert token.encode() not in b"".join(p.read_bytes() for p in tmp_path.glob("inbox.sqlite3*"))
