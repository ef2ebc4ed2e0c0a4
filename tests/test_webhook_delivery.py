"""Escalations reaching a team's chat: a real HTTP server on loopback stands in
for Slack, Mattermost and Discord; the store's clock drives every retry."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from tui_fixtures import fill
from webhook_server import SECRET_PATH, Answer, hook_server

from cm_inbox.model import DeliveryState
from cm_inbox.store import LEASE_S, EscalationError, Store
from cm_inbox.webhooks.delivery import deliver_due
from cm_inbox.webhooks.settings import Webhook, format_for
from cm_inbox.webhooks.wording import delivery_words

NOTE = "Customer lost two weeks of notes after 4.2 — please check their sync log"
TOKEN = SECRET_PATH.rsplit("/", 1)[-1]


@pytest.fixture
def inbox(store: Store, clock) -> Store:
    fill(store, int(clock()))  # comment 12 is the newest: @camille.bsky.social on Bluesky
    return store


def hooks(server, shape: str | None = "slack", team: str = "support") -> dict[str, Webhook]:
    return {team: Webhook(team, shape, url=server.url)}


def delivery_of(store: Store, comment_id: int = 12):
    return store.escalation_records(comment_id)[0].latest_delivery


async def test_slack_gets_the_comment_its_author_link_and_the_note(inbox, clock):
    inbox.escalate([12], "support", NOTE, "high", notify=True)
    with hook_server() as server:
        report = await deliver_due(inbox, hooks(server, "slack"))
    (request,) = server.requests
    assert request.path == SECRET_PATH
    assert request.headers["Content-Type"].startswith("application/json")
    body = request.json
    plain = [block["text"]["text"] for block in body["blocks"] if block["type"] == "section"]
    assert "Any news on the sync bug?" in plain
    assert f"Note from the community manager: {NOTE}" in plain
    assert NOTE in body["text"]  # the notification line carries it too
    assert "support" in body["blocks"][0]["text"]["text"]
    context = body["blocks"][2]["elements"][0]["text"]
    assert "camille.bsky.social" in context and "Bluesky" in context
    assert body["unfurl_links"] is False
    assert report.delivered == ["support (127.0.0.1)"]
    delivery = delivery_of(inbox)
    assert delivery.state is DeliveryState.DELIVERED and delivery.attempts == 1
    assert delivery_words(delivery, clock()) == "sent to support (127.0.0.1) just now"
    clock.advance(120)
    assert delivery_words(delivery, clock()) == "sent to support (127.0.0.1) 2m ago"


async def test_discord_gets_content_that_pings_nobody(inbox):
    inbox.escalate([12], "press", NOTE, "critical", notify=True)
    with hook_server() as server:
        await deliver_due(inbox, hooks(server, "discord", team="press"))
    body = server.bodies()[0]
    assert set(body) == {"content", "allowed_mentions", "flags"}
    assert body["allowed_mentions"] == {"parse": []}
    assert NOTE in body["content"].replace("\\", "")
    assert "> Any news on the sync bug?" in body["content"]
    assert len(body["content"]) <= 2000


async def test_mattermost_gets_one_markdown_text(inbox):
    inbox.escalate([12], "product", NOTE, "normal", notify=True)
    with hook_server() as server:
        await deliver_due(inbox, hooks(server, "mattermost", team="product"))
    body = server.bodies()[0]
    assert set(body) == {"text"}
    assert "#### Escalated to product · normal" in body["text"]
    assert "Note from the community manager" in body["text"]


def test_without_a_format_a_discord_host_gets_discords_shape():
    discord = "https://discord.com/api/webhooks/1/x"
    slack = "https://hooks.slack.com/services/x"
    assert format_for(Webhook("press", None, url=discord), discord) == "discord"
    assert format_for(Webhook("support", None, url=slack), slack) == "slack"
    assert format_for(Webhook("support", "mattermost", url=slack), slack) == "mattermost"


async def test_a_500_is_retried_at_the_backoff_time_then_delivered(inbox, clock):
    inbox.escalate([12], "support", NOTE, notify=True)
    with hook_server([Answer(500, b"rollup_error")]) as server:
        first = await deliver_due(inbox, hooks(server))
        (retrying,) = first.retrying
        assert retrying.startswith(
            "support: 500 Internal Server Error (rollup_error) from 127.0.0.1; next try in "
        )
        waiting = delivery_of(inbox)
        assert waiting.state is DeliveryState.PENDING
        assert clock() + 15 <= waiting.next_attempt_at <= clock() + 30  # RetryPolicy: 30 s ± jitter
        assert delivery_words(waiting, clock()).startswith(
            "500 Internal Server Error (rollup_error) from 127.0.0.1; retrying in "
        )
        await deliver_due(inbox, hooks(server))  # not due yet: nothing goes
        assert len(server.requests) == 1
        clock.advance(30)
        second = await deliver_due(inbox, hooks(server))
    assert second.delivered == ["support (127.0.0.1)"]
    assert len(server.requests) == 2
    assert server.requests[0].raw == server.requests[1].raw
    assert delivery_of(inbox).attempts == 2


async def test_a_429_waits_as_long_as_it_is_told(inbox, clock):
    inbox.escalate([12], "support", NOTE, notify=True)
    limited = Answer(429, b'{"message": "You are being rate limited."}', {"Retry-After": "8"})
    with hook_server([limited]) as server:
        await deliver_due(inbox, hooks(server))
        assert delivery_of(inbox).next_attempt_at == int(clock()) + 8
        clock.advance(7)
        await deliver_due(inbox, hooks(server))
        assert len(server.requests) == 1
        clock.advance(1)
        await deliver_due(inbox, hooks(server))
    assert len(server.requests) == 2
    assert delivery_of(inbox).state is DeliveryState.DELIVERED


async def test_a_team_that_asked_to_wait_is_not_tried_again_in_the_same_run(inbox):
    inbox.escalate([12, 11, 10], "support", NOTE, notify=True)
    with hook_server([Answer(503)]) as server:
        report = await deliver_due(inbox, hooks(server))
    assert len(server.requests) == 1 and len(report.retrying) == 1


async def test_a_404_fails_for_good_is_shown_and_goes_again_only_when_asked(inbox, clock):
    inbox.escalate([12], "support", NOTE, notify=True)
    with hook_server([Answer(404, b"no_service")]) as server:
        report = await deliver_due(inbox, hooks(server))
        assert report.failed == ["support: 404 Not Found (no_service) from 127.0.0.1"]
        failed = delivery_of(inbox)
        assert failed.state is DeliveryState.FAILED
        assert delivery_words(failed, clock()) == (
            "failed: 404 Not Found (no_service) from 127.0.0.1"
        )
        clock.advance(86_400)
        await deliver_due(inbox, hooks(server))
        assert len(server.requests) == 1
        escalation_id = inbox.escalation_records(12)[0].id
        inbox.resend_delivery(escalation_id)
        await deliver_due(inbox, hooks(server))
    assert len(server.requests) == 2
    assert delivery_of(inbox).state is DeliveryState.DELIVERED
    with pytest.raises(EscalationError, match="only a failed or unsure one"):
        inbox.resend_delivery(escalation_id)


async def test_an_unreachable_webhook_is_retried_later(inbox, clock):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox.escalate([12], "support", NOTE, notify=True)
    hook = {"support": Webhook("support", "slack", url=f"http://127.0.0.1:{port}/hook")}
    report = await deliver_due(inbox, hook)
    assert report.retrying and report.retrying[0].startswith("support: cannot reach 127.0.0.1")
    assert delivery_of(inbox).state is DeliveryState.PENDING


async def test_a_request_that_went_unanswered_is_unsure_and_never_resent_on_its_own(inbox, clock):
    inbox.escalate([12], "support", NOTE, notify=True)
    with hook_server([Answer(0)]) as server:  # the chat hangs up without answering
        report = await deliver_due(inbox, hooks(server))
        assert report.unsure and report.unsure[0].startswith("support: no answer from 127.0.0.1")
        unsure = delivery_of(inbox)
        assert unsure.state is DeliveryState.UNSURE
        assert "look in support's channel" in delivery_words(unsure, clock())
        clock.advance(86_400)
        await deliver_due(inbox, hooks(server))
        assert len(server.requests) == 1
        # The user looked, it is not there: sent again, once.
        inbox.resend_delivery(inbox.escalation_records(12)[0].id)
        await deliver_due(inbox, hooks(server))
    assert len(server.requests) == 2
    assert delivery_of(inbox).state is DeliveryState.DELIVERED


async def test_no_double_delivery_after_a_crash_between_the_post_and_its_record(inbox, tmp_path):
    """`cm-inbox escalations deliver` is killed while the chat holds the answer: the
    message is in the channel, the database never heard. The next sender must not
    post it again (a webhook has no idempotency key); it is shown as unsure."""
    inbox.escalate([12], "support", NOTE, notify=True)
    with hook_server(hold=True) as server:
        config = tmp_path / "crash-config.toml"
        config.write_text(
            f'[escalation.webhooks.support]\nurl = "{server.url}"\nformat = "slack"\n',
            encoding="utf-8",
        )
        config.chmod(0o600)
        sender = subprocess.Popen(
            [sys.executable, "-m", "cm_inbox.cli.main", "--db", str(inbox.path),
             "escalations", "deliver"],
            env={**os.environ, "CM_INBOX_CONFIG": str(config)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            assert server.received.wait(timeout=60), sender.stderr.read() if sender.stderr else ""
            sender.send_signal(signal.SIGKILL)
            sender.wait(timeout=30)
        finally:
            if sender.poll() is None:
                sender.kill()
        assert delivery_of(inbox).state is DeliveryState.SENDING
        server.release.set()
        report = await deliver_due(inbox, hooks(server))
        again = await deliver_due(inbox, hooks(server))
    assert len(server.requests) == 1, "posted twice"
    assert report.delivered == [] and again.delivered == []
    lost = delivery_of(inbox)
    assert lost.state is DeliveryState.UNSURE
    assert lost.last_error == "cm-inbox stopped while sending"


async def test_a_claim_from_another_machine_is_unsure_once_its_lease_runs_out(inbox, clock):
    inbox.escalate([12], "support", NOTE, notify=True)
    claim = inbox.claim_delivery("other-host:4242:abcd", ["support"])
    assert claim is not None
    assert inbox.claim_delivery("this-host:1:x", ["support"]) is None  # never two senders
    with hook_server() as server:
        await deliver_due(inbox, hooks(server))
        assert delivery_of(inbox).state is DeliveryState.SENDING  # its lease holds
        clock.advance(LEASE_S + 1)
        await deliver_due(inbox, hooks(server))
    assert server.requests == []
    assert delivery_of(inbox).state is DeliveryState.UNSURE


async def test_undo_before_the_message_left_cancels_it(inbox):
    inbox.escalate([12], "support", NOTE, notify=True)
    inbox.undo_last()
    with hook_server() as server:
        await deliver_due(inbox, hooks(server))
    assert server.requests == []
    assert delivery_of(inbox).state is DeliveryState.CANCELLED


async def test_undo_after_it_reached_the_team_tells_them_it_was_a_mistake(inbox):
    inbox.escalate([12], "support", NOTE, notify=True)
    with hook_server() as server:
        await deliver_due(inbox, hooks(server))
        inbox.undo_last()
        report = await deliver_due(inbox, hooks(server))
    assert len(server.requests) == 2
    withdrawal = server.bodies()[1]
    assert "Withdrawn" in withdrawal["blocks"][0]["text"]["text"]
    assert "mistake" in withdrawal["text"]
    assert report.delivered == ["support (127.0.0.1), that the escalation was withdrawn"]
    kinds = [(d.kind, d.state) for d in inbox.escalation_records(12)[0].deliveries]
    assert kinds == [("escalated", DeliveryState.DELIVERED), ("withdrawn", DeliveryState.DELIVERED)]


async def test_a_url_from_an_unset_environment_variable_waits_without_an_attempt(inbox, clock):
    inbox.escalate([12], "support", NOTE, notify=True)
    hook = {"support": Webhook("support", "slack", url_env="SUPPORT_HOOK")}
    report = await deliver_due(inbox, hook, env={})
    assert report.waiting == [
        "support: the environment variable SUPPORT_HOOK (the URL for support) is not set"
    ]
    waiting = delivery_of(inbox)
    assert waiting.state is DeliveryState.PENDING and waiting.attempts == 0
    with hook_server() as server:
        clock.advance(60)
        await deliver_due(inbox, hook, env={"SUPPORT_HOOK": server.url})
    assert len(server.requests) == 1


async def test_a_team_without_a_webhook_in_this_config_is_left_waiting(inbox, clock):
    inbox.escalate([12], "press", NOTE, notify=True)
    with hook_server() as server:
        await deliver_due(inbox, hooks(server, team="support"))
    assert server.requests == []
    waiting = delivery_of(inbox)
    assert waiting.state is DeliveryState.PENDING
    assert delivery_words(waiting, clock(), configured=False) == (
        "message waiting: no webhook for press in this config.toml"
    )


async def test_the_webhook_url_is_never_stored_logged_or_shown(inbox, tmp_path, isolated_dirs):
    from cm_inbox.logs import start_logging

    start_logging()
    inbox.escalate([12, 11], "support", NOTE, notify=True)
    echo = Answer(404, json.dumps({"message": f"no hook {TOKEN}"}).encode())
    with hook_server([echo, Answer(500)]) as server:
        report = await deliver_due(inbox, hooks(server))
        hook = hooks(server)["support"]
    shown = [*report.failed, *report.retrying, repr(hook), hook.source]
    shown += [delivery_words(d, 0) for e in inbox.list_escalations() for d in e[0].deliveries]
    assert all(TOKEN not in words and SECRET_PATH not in words for words in shown), shown
    assert report.failed == ["support: 404 Not Found (no hook …) from 127.0.0.1"]
    database = b"".join(p.read_bytes() for p in Path(inbox.path).parent.glob("inbox.sqlite3*"))
    assert TOKEN.encode() not in database
    logs = "".join(p.read_text(errors="replace") for p in isolated_dirs.rglob("*.log"))
    assert "webhook delivery 1 to support refused: 404" in logs
    assert TOKEN not in logs


async def test_undone_while_it_was_being_sent_then_refused_it_never_goes(inbox, clock):
    inbox.escalate([12], "support", NOTE, notify=True)
    claim = inbox.claim_delivery("this-sender", ["support"])
    inbox.undo_last()  # the request is in flight: a withdrawal notice is queued behind it
    inbox.delivery_retry(claim.id, "503 Service Unavailable from 127.0.0.1", retry_at=int(clock()))
    with hook_server() as server:
        await deliver_due(inbox, hooks(server))
    assert server.requests == []
    states = [(d.kind, d.state) for d in inbox.escalation_records(12)[0].deliveries]
    assert states == [
        ("escalated", DeliveryState.CANCELLED),
        ("withdrawn", DeliveryState.CANCELLED),
    ]
