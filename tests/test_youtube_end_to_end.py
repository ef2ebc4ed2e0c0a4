"""YouTube end to end on loopback, as a user would run it: `sandbox serve`, the
channel added from its first line with no prompt, two syncs, then a reply from
the command line whose answer the network loses after committing it: it must
land once, under the right thread."""

from __future__ import annotations

import json

import httpx
from loopback import base_url, connect_all, run_cli, serving


def youtube(report: str) -> dict:
    return next(a for a in json.loads(report)["accounts"] if a["network"] == "youtube")


def test_serve_add_sync_twice_reply_once_through_a_lost_answer(tmp_path, isolated_dirs):
    db = tmp_path / "inbox.sqlite3"
    with serving() as commands:
        assert commands["youtube"]["args"][:3] == ["accounts", "add", "youtube"]
        secrets = connect_all(commands, db)
        base = base_url(commands)

        first = run_cli("sync", "--json", db=db)
        assert first.returncode == 0, first.stderr
        assert youtube(first.stdout)["new"] > 0 and youtube(first.stdout)["error"] is None
        second = run_cli("sync", "--json", db=db)
        assert youtube(second.stdout)["new"] == 0

        listed = run_cli("list", "--network", "youtube", "--json", "--limit", "0", db=db)
        assert listed.returncode == 0, listed.stderr
        rows = json.loads(listed.stdout)
        assert all(r["author"]["handle"] and r["text"] and r["created_at"] for r in rows)
        target = next(r for r in rows if r["parent_id"])  # a reply: YouTube answers its thread

        text = "Thanks for the detail, it is fixed in 4.2.1"
        queued = run_cli("reply", str(target["id"]), text, db=db)
        assert queued.returncode == 0, queued.stderr
        httpx.post(f"{base}/_sandbox/write-faults", json={"spec": "lost_answer=1"}, timeout=10)
        lost = run_cli("send", "--json", db=db)
        assert "youtube" in lost.stdout
        httpx.delete(f"{base}/_sandbox/faults", timeout=10)
        for _ in range(3):
            # The retry waits its backoff; `outbox retry` makes it due now, as a user would.
            outbox = json.loads(run_cli("outbox", "--json", "--all", db=db).stdout)
            for reply in outbox:
                if reply["state"] != "sent":
                    run_cli("outbox", "retry", str(reply["id"]), db=db)
            run_cli("send", "--json", db=db)

        replies = httpx.get(f"{base}/_sandbox/replies", timeout=10).json()
        ours = [r for r in replies if r["text"].endswith(text)]
        assert len(ours) == 1, replies
        assert ours[0]["network"] == "youtube" and ours[0]["parent_id"] == target["root_id"]
        assert ours[0]["text"].startswith(target["author"]["handle"] + " ")
        outbox = json.loads(run_cli("outbox", "--json", "--all", db=db).stdout)
        assert [r["state"] for r in outbox if r["text"].endswith(text)] == ["sent"]

        status = run_cli("accounts", "list", "--json", db=db)
        account = next(a for a in json.loads(status.stdout) if a["network"] == "youtube")
        assert "units left today" in account["quota"]
        database = b"".join(p.read_bytes() for p in tmp_path.glob("inbox.sqlite3*"))
        assert secrets["youtube"].encode() not in database
        assert secrets["youtube"] not in status.stdout
