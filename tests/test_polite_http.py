"""The polite client's retries: a write the network would carry out twice is sent once."""

from __future__ import annotations

import httpx
import pytest

from cm_inbox.networks.base import TemporaryError, Unreachable
from cm_inbox.networks.http import Polite, RateLimitHeaders

HEADERS = RateLimitHeaders("x-ratelimit-remaining", "x-ratelimit-reset", reset_is_epoch=True)


class Server:
    """A network that receives every request, then answers as told."""

    def __init__(self, answer) -> None:
        self.answer = answer
        self.received: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.received.append(request.method)
        return self.answer(request)


def broken(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadError("connection reset after the request went out", request=request)


def busy(request: httpx.Request) -> httpx.Response:
    return httpx.Response(503)


async def polite_over(server: Server) -> Polite:
    async def sleep(seconds: float) -> None:  # time is not what these tests are about
        return None

    client = httpx.AsyncClient(transport=httpx.MockTransport(server))
    return Polite(client, HEADERS, sleep=sleep, clock=lambda: 0.0)


@pytest.mark.parametrize(("answer", "error"), [(broken, Unreachable), (busy, TemporaryError)])
async def test_a_write_without_idempotency_goes_once_and_a_read_is_retried(answer, error):
    server = Server(answer)
    polite = await polite_over(server)
    with pytest.raises(error):
        await polite.request("POST", "https://forum.example/posts.json", repeatable=False)
    assert server.received == ["POST"]
    with pytest.raises(error):
        await polite.request("GET", "https://forum.example/latest.json")
    assert server.received == ["POST"] + ["GET"] * polite.attempts
