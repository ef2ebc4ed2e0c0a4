"""What the store says each network is owed, and the promises around it: the
user's marks only, past the undo window, each once, nothing from before the
account was connected, old spam reports honoured after an upgrade; and the
TUI's light table of what each network can do, equal to the connectors'."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cm_inbox.model import Status
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.moderation_words import outcome_words
from cm_inbox.networks.registry import connectable_networks, connector_class, moderation_actions
from cm_inbox.store import Store
from cm_inbox.store import database as database_module
from cm_inbox.store.schema import MIGRATIONS, SCHEMA_VERSION

ALL = {"spam", "hide", "read"}


def comment(remote_id: str, at: int, **fields) -> IncomingComment:
    return IncomingComment(
        network="reddit",
        account="lumo",
        remote_id=remote_id,
        author=IncomingAuthor(handle=f"user_{remote_id}"),
        text=f"comment {remote_id}",
        created_at=at,
        **fields,
    )


@pytest.fixture
def inbox(store, clock):
    """Five Reddit comments on a connected account, connected before any mark."""
    store.upsert_comments([comment(f"t1_{n}", int(clock()) - 3600 + n) for n in range(5)])
    account = store.connect_account("reddit", "lumo", "lumo", {})
    return account, {row[1]: row[0] for row in store.db.query("SELECT id, remote_id FROM comments")}


def due(store, account, clock, actions=ALL) -> list[tuple[str, str]]:
    return [
        (item.remote_id, item.action)
        for item in store.moderation_due(account.id, actions, older_than=int(clock()) - 10)
    ]


def test_registry_table_matches_what_each_connector_declares() -> None:
    for network in connectable_networks():
        assert moderation_actions(network) == connector_class(network).moderation, network
    assert moderation_actions("mastodon") == frozenset()  # no hiding others' replies there
    assert moderation_actions("rss") == frozenset()


def test_marks_go_after_the_undo_window_each_once(store, clock, inbox) -> None:
    account, ids = inbox
    store.set_status([ids["t1_0"]], Status.SPAM, action="spam")
    store.set_status([ids["t1_1"]], Status.DONE, action="hide")
    store.set_status([ids["t1_2"]], Status.DONE)
    assert due(store, account, clock) == []  # inside the undo window
    clock.advance(11)
    assert sorted(due(store, account, clock)) == [
        ("t1_0", "read"), ("t1_0", "spam"), ("t1_1", "hide"), ("t1_1", "read"), ("t1_2", "read"),
    ]  # fmt: skip
    for remote_id, action in due(store, account, clock):
        store.note_moderated(ids[remote_id], action, "done")
    assert due(store, account, clock) == []
    # Undone after the network heard, then marked again: the network is not asked twice.
    store.set_status([ids["t1_1"]], Status.NEW)
    store.set_status([ids["t1_1"]], Status.DONE, action="hide")
    clock.advance(11)
    assert due(store, account, clock) == []


def test_only_what_the_network_can_do_is_asked_and_the_rest_forgotten(store, clock, inbox) -> None:
    account, ids = inbox
    store.set_status([ids["t1_0"]], Status.DONE, action="hide")
    clock.advance(11)
    assert due(store, account, clock, {"spam", "hide"}) == [("t1_0", "hide")]
    # The read this network cannot do is dropped, not carried from sync to sync.
    assert store.db.query_one("SELECT count(*) FROM moderation_due WHERE action = 'read'")[0] == 0


def test_a_rule_s_spam_and_an_undone_mark_never_leave(store, clock, inbox) -> None:
    account, ids = inbox
    store.set_status([ids["t1_0"]], Status.SPAM, action="rule:promo")
    store.set_status([ids["t1_1"]], Status.SPAM, action="spam")
    assert store.undo_last() is not None
    clock.advance(60)
    assert due(store, account, clock) == []
    assert store.db.query_one("SELECT count(*) FROM moderation_due")[0] == 0


def test_spam_goes_only_while_the_comment_is_still_spam(store, clock, inbox) -> None:
    account, ids = inbox
    store.set_status([ids["t1_0"]], Status.SPAM, action="spam")
    store.set_status([ids["t1_0"]], Status.DONE)  # moved on from the Spam view
    clock.advance(11)
    assert ("t1_0", "spam") not in due(store, account, clock)


def test_comments_closed_before_the_account_was_connected_are_not_marked_read(store, clock) -> None:
    store.upsert_comments([comment("t1_old", int(clock()) - 86_400)])
    (old_id,) = [row[0] for row in store.db.query("SELECT id FROM comments")]
    store.set_status([old_id], Status.DONE)
    clock.advance(60)
    account = store.connect_account("reddit", "lumo", "lumo", {})
    clock.advance(60)
    assert due(store, account, clock) == []
    # A new login later keeps the connection time: what was closed since still goes.
    store.upsert_comments([comment("t1_new", int(clock()))])
    new_id = store.db.query_one("SELECT id FROM comments WHERE remote_id = 't1_new'")[0]
    store.set_status([new_id], Status.DONE)
    clock.advance(60)
    store.connect_account("reddit", "lumo", "lumo", {})
    assert due(store, account, clock) == [("t1_new", "read")]


def test_a_reply_sent_marks_the_comment_read(store, clock, inbox) -> None:
    account, ids = inbox
    reply = store.queue_reply(ids["t1_3"], "Thanks, fixed in 2.1")
    store.mark_sent(reply.id, "t1_ours")
    clock.advance(11)
    assert due(store, account, clock) == [("t1_3", "read")]


def test_network_outcomes_say_what_happened_and_what_waits(store, clock, inbox) -> None:
    account, ids = inbox
    store.set_status([ids["t1_0"]], Status.DONE, action="hide")
    store.set_status([ids["t1_1"]], Status.DONE, action="hide")
    (waiting,) = store.network_outcomes(ids["t1_0"])[:1]
    assert waiting.action == "hide" and waiting.outcome is None
    clock.advance(11)
    store.note_moderated(ids["t1_0"], "hide", "refused: needs moderator rights in the subreddit")
    outcomes = {o.action: o.outcome for o in store.network_outcomes(ids["t1_0"])}
    assert outcomes["hide"] == "refused: needs moderator rights in the subreddit"
    refused = next(o for o in store.network_outcomes(ids["t1_0"]) if o.action == "hide")
    assert outcome_words("reddit", refused) == (
        "Reddit refused to remove it: needs moderator rights in the subreddit"
    )
    store.note_moderated(ids["t1_1"], "hide", "done")
    done = next(o for o in store.network_outcomes(ids["t1_1"]) if o.action == "hide")
    assert outcome_words("youtube", done) == "held for review on YouTube"
    # Undone before it left: nothing waits any more.
    store.set_status([ids["t1_2"]], Status.DONE, action="hide")
    store.undo_last()
    assert store.network_outcomes(ids["t1_2"]) == []


def test_an_upgraded_inbox_reports_old_spam_marks_once(tmp_path: Path, monkeypatch, clock) -> None:
    """Spam marked before this version: reported if it was not, never twice if it was."""
    path = tmp_path / "old.sqlite3"
    monkeypatch.setattr(database_module, "MIGRATIONS", MIGRATIONS[:10])
    monkeypatch.setattr(database_module, "SCHEMA_VERSION", 10)
    with Store(path, clock=clock) as old:
        old.upsert_comments([comment("t1_a", int(clock())), comment("t1_b", int(clock()))])
        old.db.conn.execute("UPDATE accounts SET connected = 1")
        a, b = (row[0] for row in old.db.query("SELECT id FROM comments ORDER BY id"))
        old.set_status([a, b], Status.SPAM, action="spam")
        with old.db.transaction() as conn:
            conn.execute(
                "INSERT INTO events (at, batch, comment_id, action, detail)"
                " VALUES (?, 0, ?, 'network:spam-reported', '{\"outcome\": \"reported\"}')",
                (int(clock()), a),
            )
    monkeypatch.setattr(database_module, "MIGRATIONS", MIGRATIONS)
    monkeypatch.setattr(database_module, "SCHEMA_VERSION", SCHEMA_VERSION)
    clock.advance(60)
    with Store(path, clock=clock) as upgraded:
        account = upgraded.connected_accounts()[0]
        assert due(upgraded, account, clock) == [("t1_b", "spam")]
        reported = upgraded.network_outcomes(a)
        assert [(o.action, o.outcome) for o in reported] == [("spam", "done")]


def test_the_tui_knows_what_networks_can_do_without_loading_them() -> None:
    """Start-up time: the inbox screen reads the registry's table; no connector module
    (nor httpx) is loaded to know whether a network can hide."""
    code = (
        "import sys; import cm_inbox.tui.screens.inbox;"
        " import cm_inbox.tui.widgets.thread_pane;"
        " loaded = [m for m in sys.modules if m.startswith('cm_inbox.networks.')"
        " and m.rsplit('.', 1)[1] not in ('rules', 'registry', 'base')];"
        " print(loaded, 'httpx' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[] False"


def test_a_post_fetched_again_as_thread_context_keeps_its_notification(store, clock) -> None:
    """Marking read on the forum needs the notification that brought the post; the same
    post fetched again in its thread (which has none) must not lose it."""

    def post(**extra) -> IncomingComment:
        return IncomingComment(
            network="discourse", account="lumo_team", remote_id="96601",
            author=IncomingAuthor(handle="dylan"), text="glad it's not just me",
            created_at=int(clock()), extra={"topic_id": 7, "post_number": 4, **extra},
        )  # fmt: skip

    store.upsert_comments([post(notification_id=41)])
    (comment_id,) = [row[0] for row in store.db.query("SELECT id FROM comments")]
    store.upsert_comments([post()])
    assert store.comment_extra(comment_id) == {"topic_id": 7, "post_number": 4,
                                               "notification_id": 41}  # fmt: skip
    store.upsert_comments([post(notification_id=57)])  # a newer notification of the post
    assert store.comment_extra(comment_id)["notification_id"] == 57


def test_disconnecting_drops_the_reads_owed(store, clock, inbox) -> None:
    account, ids = inbox
    store.set_status([ids["t1_0"]], Status.DONE, action="hide")
    store.disconnect_account(account.id)
    clock.advance(60)
    store.connect_account("reddit", "lumo", "lumo", {})
    # The hide the user asked for still goes; the read of a comment closed before
    # this connection does not.
    assert due(store, account, clock) == [("t1_0", "hide")]
