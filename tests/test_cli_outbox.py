"""`cm-inbox outbox`: list, cancel, retry and discard replies from the command line."""

from __future__ import annotations

import json

import pytest

from cm_inbox.model import QueueQuery, ReplyState, Status, View
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.store import Store

T0 = 1_795_168_800


@pytest.fixture
def inbox(tmp_path, clock):
    path = tmp_path / "inbox.sqlite3"
    with Store(path, clock=clock) as store:
        store.upsert_comments(
            [
                IncomingComment(
                    network=network,
                    account="acme",
                    remote_id=f"{network}-{n}",
                    author=IncomingAuthor(handle="bob"),
                    text=f"question {n}",
                    created_at=T0,
                )
                for n in range(2)
                for network in ("mastodon", "bluesky")
            ]
        )
        keys = list(store.queue_keys(QueueQuery(view=View.ALL)))
    return path, keys


def test_outbox_lists_each_reply_with_where_it_goes(cli, inbox, clock):
    path, keys = inbox
    with Store(path, clock=clock) as store:
        on = {store.comment(key).network: key for key in keys}
        queued = store.queue_reply(on["mastodon"], "Thanks, looking into it")
        failed = store.queue_reply(on["bluesky"], "Sorry about that")
        claim = store.claim_next(store.reply(failed.id).account_id, "me")
        assert claim.reply.id == failed.id
        store.mark_failed(failed.id, "503 Service Unavailable", retry_at=T0 + 60)
    result = cli("outbox", "--json", "--db", path)
    assert result.code == 0
    listed = {entry["id"]: entry for entry in json.loads(result.out)}
    assert set(listed) == {queued.id, failed.id}
    entry = listed[failed.id]
    assert entry["state"] == "failed" and entry["retrying"] and entry["attempts"] == 1
    assert entry["last_error"] == "503 Service Unavailable"
    assert {"comment_id", "network", "account", "remote_id", "parent_remote_id"} <= set(entry)
    table = cli("outbox", "--db", path)
    assert "Thanks, looking into it" in table.out and "retry" in table.out


def test_cancel_makes_a_draft_and_says_when_it_is_too_late(cli, inbox, clock):
    path, keys = inbox
    with Store(path, clock=clock) as store:
        reply = store.queue_reply(keys[0], "On it!")
    done = cli("outbox", "cancel", str(reply.id), "--db", path)
    assert done.code == 0 and "draft again" in done.out
    with Store(path, clock=clock) as store:
        assert store.reply(reply.id).state is ReplyState.DRAFT
        assert store.comment(keys[0]).status is Status.NEW
        store.queue_reply(keys[0], "On it!")
        claim = store.claim_next(store.reply(reply.id).account_id, "me")
        store.mark_sent(claim.reply.id, "r1")
    late = cli("outbox", "cancel", str(reply.id), "--db", path)
    assert late.code != 0 and "too late" in late.err
    missing = cli("outbox", "cancel", "999", "--db", path)
    assert missing.code != 0 and "no reply with id 999" in missing.err


def test_retry_with_new_words_and_discard(cli, inbox, clock):
    path, keys = inbox
    with Store(path, clock=clock) as store:
        first = store.queue_reply(keys[0], "x" * 600)
        second = store.queue_reply(keys[2], "Will do")
        for reply in (first, second):
            account = store.reply(reply.id).account_id
            while (claim := store.claim_next(account, "me")) is not None:
                store.mark_failed(claim.reply.id, "Validation failed: too long", retry_at=None)
    retried = cli("outbox", "retry", str(first.id), "--text", "Shorter now", "--db", path)
    assert retried.code == 0, retried.err
    gone = cli("outbox", "discard", str(second.id), "--db", path)
    assert gone.code == 0
    with Store(path, clock=clock) as store:
        again = store.reply(first.id)
        assert again.state is ReplyState.QUEUED and again.text == "Shorter now"
        assert store.reply(second.id) is None
        assert store.comment(keys[2]).status is Status.NEW
