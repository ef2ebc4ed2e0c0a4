"""`cm-inbox escalate` and `cm-inbox escalations …`: the same steps as the app's keys,
and the team's chat (a loopback server here) told at once."""

from __future__ import annotations

import io
import json

import pytest
from tui_fixtures import fill
from webhook_server import Answer, hook_server

from cm_inbox.cli import escalating
from cm_inbox.model import DeliveryState, Status
from cm_inbox.store import Store

NOTE = "Lost two weeks of notes after 4.2"


@pytest.fixture
def db(tmp_path, clock):
    path = tmp_path / "inbox.sqlite3"
    with Store(path, clock=clock) as store:
        fill(store, int(clock()))
    return path


@pytest.fixture
def config(tmp_path, monkeypatch):
    """Writes config.toml (0600) and points cm-inbox at it."""
    path = tmp_path / "config.toml"
    monkeypatch.setenv("CM_INBOX_CONFIG", str(path))

    def write(text: str = "") -> None:
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)

    write()
    return write


def hook_config(url: str, shape: str = "slack") -> str:
    return f'[escalation.webhooks.support]\nurl = "{url}"\nformat = "{shape}"\n'


def test_a_team_not_in_the_config_is_refused_with_a_suggestion(cli, db, config):
    result = cli("escalate", "12", "--team", "suport", "--db", db)
    assert result.code == 2
    assert 'no team "suport" (did you mean "support"?)' in result.err
    assert "support, product, legal, press" in result.err
    missing = cli("escalate", "99", "--team", "support", "--db", db)
    assert missing.code == 1 and "no comment with id 99" in missing.err


def test_escalate_without_a_webhook_records_it_and_says_so(cli, db, config):
    result = cli("escalate", "12", "--team", "legal", "--severity", "high", "--note", NOTE,
                 "--db", db)  # fmt: skip
    assert result.code == 0, result.err
    assert "Escalated comment 12 to legal (high): escalation 1." in result.out
    assert "legal has no webhook" in result.out
    with Store(db) as store:
        assert store.comment(12).status is Status.ESCALATED
        (escalation,) = store.escalation_records(12)
        assert (escalation.team, escalation.severity, escalation.note) == ("legal", "high", NOTE)


def test_escalate_tells_the_teams_chat_at_once(cli, db, config):
    with hook_server() as server:
        config(hook_config(server.url, "discord"))
        result = cli("escalate", "12", "--team", "support", "--note", NOTE, "--db", db)
    assert result.code == 0, result.err
    assert "Webhook: sent to support (127.0.0.1) just now." in result.out
    (body,) = server.bodies()
    assert NOTE in body["content"]


def test_a_refused_message_exits_1_and_says_how_to_send_it_again(cli, db, config):
    with hook_server([Answer(404, b"no_service")]) as server:
        config(hook_config(server.url))
        result = cli("escalate", "12", "--team", "support", "--note", NOTE, "--db", db)
        assert result.code == 1
        assert "failed: 404 Not Found (no_service) from 127.0.0.1" in result.err
        assert "`cm-inbox escalations resend 1` sends it again" in result.err
        again = cli("escalations", "resend", "1", "--db", db)
    assert again.code == 0, again.err
    assert "sent to support" in again.out
    assert len(server.requests) == 2


def test_deliver_sends_what_waits_and_reports_it(cli, db, config, clock):
    with Store(db, clock=clock) as store:
        store.escalate([12, 11], "support", NOTE, notify=True)
    with hook_server([Answer(500, b"")]) as server:
        config(hook_config(server.url))
        first = cli("escalations", "deliver", "--json", "--db", db)
        assert first.code == 0
        report = json.loads(first.out)
        # The team said "later" once: the second message waits for the next run too.
        (retrying,) = report["retrying"]
        assert retrying.startswith("support: 500 Internal Server Error from 127.0.0.1; next try in")
        assert report["delivered"] == []
    with Store(db) as store:
        states = [e.latest_delivery.state for e, _ in store.list_escalations()]
    assert states == [DeliveryState.PENDING, DeliveryState.PENDING]


def test_list_shows_team_state_wait_and_the_chat(cli, db, config, clock, monkeypatch):
    with Store(db, clock=clock) as store:
        store.escalate([12], "support", NOTE, "high")
        store.escalate([11], "legal", "Threatens to sue")
        store.close_escalations([store.escalation_records(11)[0].id])
    monkeypatch.setattr(escalating, "clock", lambda: clock() + 7200)
    table = cli("escalations", "--db", db)
    assert table.code == 0
    lines = table.out.splitlines()
    support = next(line for line in lines if " support " in line)
    assert "open" in support and "2h" in support and NOTE in support
    everything = json.loads(cli("escalations", "--json", "--db", db).out)
    assert [(e["id"], e["team"], e["state"]) for e in everything] == [
        (2, "legal", "closed"),
        (1, "support", "open"),
    ]
    assert everything[1]["waited_s"] == 7200
    assert everything[1]["comment"]["author"] == "camille.bsky.social"
    assert everything[1]["webhook"] is None
    unclosed = json.loads(cli("escalations", "--json", "--open", "--db", db).out)
    assert [e["id"] for e in unclosed] == [1]


def test_answer_note_and_close_from_the_command_line(cli, db, config, monkeypatch):
    assert cli("escalate", "12", "--team", "support", "--db", db).code == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("Fixed in 4.2.1,\nrolling out today.\n"))
    answered = cli("escalations", "answer", "1", "--note", "-", "--db", db)
    assert answered.code == 0 and "it is answered" in answered.out
    assert cli("escalations", "note", "1", "--note", "Told the customer", "--db", db).code == 0
    assert cli("escalations", "close", "1", "--db", db).code == 0
    (listed,) = json.loads(cli("escalations", "--json", "--db", db).out)
    assert listed["state"] == "closed"
    assert [(n["kind"], n["text"]) for n in listed["notes"]] == [
        ("answer", "Fixed in 4.2.1,\nrolling out today."),
        ("note", "Told the customer"),
    ]
    assert listed["comment"]["status"] == "done"
    refused = cli("escalations", "answer", "1", "--note", "late", "--db", db)
    assert refused.code == 1 and "already closed" in refused.err
    empty = cli("escalations", "note", "1", "--note", "  ", "--db", db)
    assert empty.code == 1 and "the note is empty" in empty.err


def test_a_url_kept_in_the_secret_store(cli, db, config, monkeypatch, isolated_dirs):
    with hook_server() as server:
        monkeypatch.setattr("sys.stdin", io.StringIO(server.url + "\n"))
        stored = cli("escalations", "webhook", "support", "--url-stdin", "--db", db)
        assert stored.code == 0, stored.err
        assert "Stored the webhook URL of support (127.0.0.1)" in stored.out
        assert "url_secret = true" in stored.out  # how to use it
        config('[escalation.webhooks.support]\nurl_secret = true\nformat = "slack"\n')
        result = cli("escalate", "12", "--team", "support", "--note", NOTE, "--db", db)
        assert result.code == 0, result.err
        assert len(server.requests) == 1
        secret = server.url.rsplit("/", 1)[-1]
        assert secret not in stored.out + result.out + result.err
        forgot = cli("escalations", "webhook", "support", "--forget", "--db", db)
        assert forgot.code == 0
        assert secret not in "".join(p.read_text() for p in isolated_dirs.rglob("secrets.json"))
    monkeypatch.setattr("sys.stdin", io.StringIO("http://chat.example.com/hook\n"))
    refused = cli("escalations", "webhook", "support", "--url-stdin", "--db", db)
    assert refused.code == 1 and 'must use "https://"' in refused.err
