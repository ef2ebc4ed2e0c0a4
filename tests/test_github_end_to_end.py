"""GitHub end to end on loopback: `sandbox serve`, `accounts add github` from its first
line, sync twice (issue comments, and discussion comments with their replies), then
replies sent with the command line land once: under the issue, and under the
discussion comment a discussion reply answers."""

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
            rows = [row.comment for row in store.iter_queue(QueueQuery(view=View.ALL))]
            target = next(c for c in rows if "/issuecomment-" in c.remote_id)
            store.queue_reply(target.id, "Thanks for the report, fixed in 2.4.")
            kinds = {c.remote_id: store.comment_extra(c.id).get("kind") for c in rows}
            comments = {k for k, kind in kinds.items() if kind == "discussion_comment"}
            reply = next(c for c in rows if c.parent_remote_id in comments)
            assert kinds[reply.remote_id] == "discussion_reply" and reply.text
            store.queue_reply(reply.id, "That is on our list for 2.5.")
        sent = run_cli("sync", "--json", db=db)
        assert sent.returncode == 0, sent.stdout + sent.stderr
        replies = httpx.get(base_url(commands) + "/_sandbox/replies", timeout=10).json()
        ours = {r["parent_id"]: r["text"] for r in replies if r["network"] == "github"}
        assert ours == {
            target.parent_remote_id: f"@{target.author.handle} Thanks for the report, fixed in 2.4.",
            reply.parent_remote_id: f"@{reply.author.handle} That is on our list for 2.5.",
        }
        assert command["stdin"].strip() not in (tmp_path / "inbox.sqlite3").read_bytes().decode(
            "latin-1"
        )
