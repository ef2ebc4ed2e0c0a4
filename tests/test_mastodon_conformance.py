"""The Mastodon parser against real recorded traffic (tests/conformance/mastodon).

Every status, notification and context in every cassette must read; a few
known ones are checked field by field. The cassettes come from mastodon.social
(production) and a 4.6.4 development server; see tests/conformance/PROVENANCE.md.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from cm_inbox.networks.base import AccountInfo, MemorySecrets
from cm_inbox.networks.http import error_message
from cm_inbox.networks.mastodon import MastodonConnector
from cm_inbox.networks.mastodon_parse import (
    Viewer,
    link_param,
    parse_link_header,
    parse_notification,
    parse_status,
)

CASSETTES = Path(__file__).parent / "conformance" / "mastodon"


def epoch(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC).timestamp())


@functools.cache
def cassette(path: Path) -> list[dict[str, Any]]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader when built with libyaml
    return yaml.load(path.read_text(), Loader=loader)["interactions"]


def interactions() -> Iterator[tuple[str, dict[str, Any], httpx.URL, Any]]:
    """(cassette name, interaction, request URL, JSON body) of every JSON answer recorded."""
    for path in sorted(CASSETTES.glob("*/*.yaml")):
        for interaction in cassette(path):
            body = interaction["response"]["body"].get("string", "")
            try:
                data = json.loads(body)
            except (TypeError, ValueError):
                continue  # the SSE stream of test_stream_direct
            url = httpx.URL(interaction["request"]["uri"])
            yield f"{path.parent.name}/{path.name}", interaction, url, data


def viewer_for(url: httpx.URL, handle: str | None = None) -> Viewer:
    return Viewer.of("brand", f"{url.scheme}://{url.netloc.decode()}", handle)


def recorded_statuses() -> Iterator[tuple[str, httpx.URL, Any]]:
    """Every status in the recordings, wherever it sits in an answer."""
    for name, interaction, url, data in interactions():
        if interaction["response"]["status"]["code"] != 200:
            continue
        path = url.path
        found: list[Any] = []
        if path.startswith("/api/v1/notifications") and isinstance(data, list):
            found = [n["status"] for n in data if n.get("status")]
        elif path.endswith("/context"):
            found = data["ancestors"] + data["descendants"]
        elif isinstance(data, list) and (
            path.startswith("/api/v1/timelines") or "/statuses" in path
        ):
            found = data
        elif path.startswith("/api/v1/statuses") and isinstance(data, dict) and "content" in data:
            found = [data]
        elif path.startswith("/api/v1/conversations") and isinstance(data, list):
            found = [c["last_status"] for c in data if c.get("last_status")]
        elif path.startswith(("/api/v2/search", "/api/v2/notifications")):
            # Search results and grouped notifications both list their statuses.
            found = data.get("statuses", []) if isinstance(data, dict) else []
        for status in found:
            yield name, url, status
            if status.get("reblog"):
                yield name, url, status["reblog"]


def test_every_recorded_status_reads() -> None:
    parsed = 0
    cassettes = set()
    for name, url, status in recorded_statuses():
        comment = parse_status(status, viewer_for(url))
        assert comment.remote_id == status["id"]
        assert "@" in comment.author.handle
        assert comment.created_at == epoch(status["created_at"])
        assert comment.extra["visibility"] in ("public", "unlisted", "private", "direct")
        # Traction feeds the priority: the recorded counts come through as the network gave them.
        assert (comment.likes, comment.reposts, comment.replies) == (
            status["favourites_count"],
            status["reblogs_count"],
            status["replies_count"],
        )
        parsed += 1
        cassettes.add(name)
    # Counted once when written: a change means a cassette or the walk above changed.
    assert parsed == 155
    assert len(cassettes) == 30


def test_every_recorded_v1_notification_reads() -> None:
    results = []
    for _, interaction, url, data in interactions():
        if url.path == "/api/v1/notifications" and interaction["response"]["status"]["code"] == 200:
            results += [parse_notification(item, viewer_for(url)) for item in data]
    comments = [r for r in results if r.comment is not None]
    deleted = [r for r in results if r.skipped == "status deleted"]
    # mastodon.social: 39 of its 40 mentions point at statuses deleted since.
    assert (len(results), len(comments), len(deleted)) == (47, 5, 39)
    # An unfiltered page (test_notification_requests_accept) also has admin sign-ups: skipped.
    others = {r.skipped for r in results if r.comment is None and r.skipped != "status deleted"}
    assert others == {"type 'admin.sign_up'"}


def recorded(name: str, index: int) -> tuple[httpx.URL, Any]:
    interaction = cassette(CASSETTES / name)[index]
    url = httpx.URL(interaction["request"]["uri"])
    return url, json.loads(interaction["response"]["body"]["string"])


def test_a_remote_direct_mention_from_mastodon_social() -> None:
    url, page = recorded("mastodon.social/test_entity_notification.yaml", 0)
    (notification,) = [n for n in page if n["status"]]
    result = parse_notification(notification, viewer_for(url, "halcy"))
    comment = result.comment
    assert result.id == "541644045"
    assert comment.remote_id == "116275331587890092"
    assert comment.author.handle == "latencyobs@icosahedron.website"
    assert comment.author.name == "Latency Observer"
    assert comment.author.followers == 0
    assert comment.text.startswith(
        "@halcy@mastodon.social @halcy@glitch.social @halcy@hachyderm.io ____________LATENCYPING"
    )
    assert comment.created_at == epoch("2026-03-22T23:05:57Z")
    assert comment.parent_remote_id is None
    assert comment.root_remote_id is None
    assert comment.url == "https://icosahedron.website/@latencyobs/116275331526178516"
    assert comment.language == "en"
    assert comment.markup == notification["status"]["content"]
    assert comment.is_ours is False
    assert comment.extra == {
        "visibility": "direct",
        # "halcy" is local to mastodon.social: qualified with the instance's host.
        "mention_accts": ["halcy@mastodon.social", "halcy@glitch.social", "halcy@hachyderm.io"],
    }


def test_a_populated_context_from_mastodon_social() -> None:
    url, context = recorded("mastodon.social/test_entity_context.yaml", 0)
    viewer = viewer_for(url, "halcy@mastodon.social")
    (first,) = [parse_status(s, viewer) for s in context["ancestors"]]
    (last,) = [parse_status(s, viewer) for s in context["descendants"]]
    assert (first.remote_id, first.parent_remote_id, first.text) == (
        "110446983178245440",
        None,
        "first status",
    )
    assert (last.remote_id, last.parent_remote_id, last.text) == (
        "110446984249325790",
        "110446983926957470",
        "final status",
    )
    assert last.author.handle == "halcy@mastodon.social"
    assert last.is_ours is True
    assert last.language == "de"
    assert last.extra["visibility"] == "private"
    assert last.created_at == epoch("2023-05-28T15:20:35.248Z")
    assert last.url == "https://mastodon.social/@halcy/110446984249325790"


def test_a_reply_on_the_development_server() -> None:
    url, reply = recorded("dev-server/test_status_reply.yaml", 2)
    comment = parse_status(reply, viewer_for(url, "admin"))
    assert comment.parent_remote_id == "117020583245459824"
    assert comment.author.handle == "admin@localhost:3000"
    assert comment.author.name is None  # display_name "" is no name
    assert comment.text == "@mastodonpy_test_2 same!"
    assert comment.is_ours is True
    assert comment.extra["mention_accts"] == ["mastodonpy_test_2@localhost:3000"]
    assert comment.url == "http://localhost:3000/@admin/117020583258292382"


def test_a_content_warning_comes_first() -> None:
    url, status = recorded("dev-server/test_status_post__Content_warning-unlisted.yaml", 0)
    comment = parse_status(status, viewer_for(url))
    assert comment.text == "CW: Content warning\nToot!"
    assert comment.extra["visibility"] == "unlisted"


def test_recorded_link_headers_and_errors() -> None:
    for _, interaction, url, data in interactions():
        headers = {k.lower(): v for k, v in interaction["response"]["headers"].items()}
        paged = url.path.startswith(
            ("/api/v1/notifications", "/api/v1/timelines", "/api/v1/accounts")
        )
        if "link" in headers and isinstance(data, list) and data and paged:
            links = parse_link_header(headers["link"][0])
            assert link_param(links["prev"], "min_id") == data[0]["id"]
            if "next" in links:
                assert link_param(links["next"], "max_id") == data[-1]["id"]
    for name, index, status, message in (
        ("dev-server/test_home_tl_anonymous_throws.yaml", 0, 401, "The access token is invalid"),
        ("dev-server/test_timeline_link_fails.yaml", 1, 404, "Record not found"),
        ("dev-server/test_status_missing.yaml", 0, 404, "Not Found"),
    ):
        _, body = recorded(name, index)
        response = httpx.Response(status, json=body)
        assert error_message(response) == message


def replay(name: str, index: int) -> httpx.MockTransport:
    """Answers every request with one recorded response, headers and all."""
    interaction = cassette(CASSETTES / name)[index]
    response = interaction["response"]
    headers = [
        (name, value)
        for name, values in response["headers"].items()
        if name.lower() not in ("content-length", "transfer-encoding", "content-encoding")
        for value in values
    ]

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            response["status"]["code"], headers=headers, content=response["body"]["string"]
        )

    return httpx.MockTransport(answer)


async def fake_sleep(seconds: float) -> None:
    raise AssertionError(f"no wait expected, asked for {seconds}")


@pytest.mark.asyncio
async def test_the_connector_reads_a_recorded_notifications_page() -> None:
    transport = replay("mastodon.social/test_entity_notification.yaml", 0)
    async with httpx.AsyncClient(transport=transport) as client:
        connector = MastodonConnector(
            AccountInfo(
                "mastodon",
                "halcy",
                "halcy@mastodon.social",
                {"instance": "https://mastodon.social"},
            ),
            MemorySecrets({"access_token": "t0ken"}),
            client,
            sleep=fake_sleep,
            clock=lambda: epoch("2026-04-11T23:14:23Z"),
        )
        page = await connector.fetch_new(None)
    assert [c.remote_id for c in page.items] == ["116275331587890092"]
    assert page.set_aside == []
    assert page.cursor == "550622655"  # the rel="prev" min_id: the newest notification
    assert page.more is True  # a full page of 40: older ones wait (first sync)
    assert connector.http.budget.remaining == 273


@pytest.mark.asyncio
async def test_the_connector_reads_the_recorded_instance_limit() -> None:
    transport = replay("dev-server/test_hashtag_tl.yaml", 1)
    async with httpx.AsyncClient(transport=transport) as client:
        connector = MastodonConnector(
            AccountInfo("mastodon", "admin", "admin", {"instance": "http://localhost:3000"}),
            MemorySecrets({"access_token": "t0ken"}),
            client,
            sleep=fake_sleep,
            clock=lambda: epoch("2026-08-01T13:55:00Z"),
        )
        assert await connector.max_length() == 500
