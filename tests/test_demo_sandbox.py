"""The demo's networks: in `cm-inbox demo`, a sync really runs through the
connectors against the in-process sandbox, and a reply to any demo comment lands."""

from __future__ import annotations

from cm_inbox.demo.builder import build_demo
from cm_inbox.demo.sandboxed import demo_syncer
from cm_inbox.model import QueueQuery, ReplyState, View


def _oldest_inbox_comment(store, account):
    query = QueueQuery(view=View.INBOX, account=account)
    keys = store.queue_keys(query)
    return store.queue_rows(View.INBOX, [keys[-1]])[0].comment


def test_the_demo_syncs_and_sends_through_the_sandbox(store, clock):
    build_demo(store, now=int(clock()), seed=7, count=300)
    syncer = demo_syncer(store, clock=clock, hold_replies_s=10)
    first = syncer.run()
    assert first is not None
    assert [r.error for r in first.accounts] == [None, None, None]
    assert sorted(r.account for r in first.accounts) == [
        "lumo.app",
        "lumo@mastodon.social",
        "lumo_fr@piaille.fr",
    ]

    # The audience keeps writing while the demo is open.
    clock.advance(2 * 3600)
    later = syncer.run()
    assert later.new > 0

    # A reply to a comment the demo inbox held from the start really goes out.
    for account in ("lumo@mastodon.social", "lumo_fr@piaille.fr", "lumo.app"):
        comment = _oldest_inbox_comment(store, account)
        network = comment.network
        reply = store.queue_reply(comment.id, f"Thanks, we are on it ({account})")
        clock.advance(11)  # past the undo window
        report = syncer.run()
        assert [r.send_failures for r in report.accounts] == [[], [], []]
        assert store.reply(reply.id).state is ReplyState.SENT
        landed = syncer.networks.state.replies_on(network)
        assert [r.parent_id for r in landed if account in r.text] == [comment.remote_id]
