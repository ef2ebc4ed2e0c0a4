"""A loopback TCP proxy that holds every HTTP request for a fixed delay before passing it on.

The sandbox answers in about a millisecond; real networks take tens. Put
between cm-inbox and the sandbox, this makes each request cost what a round
trip to a nearby server costs, without touching the sandbox. It reads just
enough HTTP/1.1 to find where each request ends (headers, then a
Content-Length body or chunks), so keep-alive connections are delayed per
request, not per connection. Answers flow back untouched.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections import Counter

_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding:[^\r]*chunked", re.IGNORECASE)
_STATUS = re.compile(rb"HTTP/1\.[01] (\d{3}) ")


class LatencyProxy:
    """``with LatencyProxy(upstream_port, 0.05) as proxy:`` serves on ``proxy.port``."""

    def __init__(self, upstream_port: int, delay_s: float, host: str = "127.0.0.1") -> None:
        self.upstream = (host, upstream_port)
        self.host = host
        self.delay_s = delay_s
        self.port = 0
        self.requests = 0
        self.statuses: Counter[int] = Counter()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="latency-proxy", daemon=True)
        self._server: asyncio.base_events.Server | None = None

    def __enter__(self) -> LatencyProxy:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the latency proxy did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._serve, self.host, 0)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._server.close()
            self._loop.run_until_complete(self._server.wait_closed())
            for task in asyncio.all_tasks(self._loop):
                task.cancel()
            self._loop.run_until_complete(asyncio.sleep(0))
            self._loop.close()

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            upstream_r, upstream_w = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_w.close()
            return
        back = asyncio.create_task(self._answers(upstream_r, client_w))
        try:
            while True:
                request = await _read_request(client_r)
                if request is None:
                    break
                await asyncio.sleep(self.delay_s)
                self.requests += 1
                upstream_w.write(request)
                await upstream_w.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            back.cancel()
            for writer in (upstream_w, client_w):
                writer.close()

    async def _answers(
        self, upstream_r: asyncio.StreamReader, client_w: asyncio.StreamWriter
    ) -> None:
        try:
            while data := await upstream_r.read(1 << 16):
                for match in _STATUS.finditer(data):
                    self.statuses[int(match[1])] += 1
                client_w.write(data)
                await client_w.drain()
        except ConnectionError:
            pass
        finally:
            client_w.close()


async def _read_request(reader: asyncio.StreamReader) -> bytes | None:
    """One whole request (head and body) as bytes; None at the end of the connection."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as error:
        if error.partial.strip():
            raise
        return None
    if _CHUNKED.search(head):
        body = b""
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            body += size_line + await reader.readexactly(size + 2)
            if size == 0:
                return head + body
    length = _LENGTH.search(head)
    return head + (await reader.readexactly(int(length[1])) if length else b"")
