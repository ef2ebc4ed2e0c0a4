"""A team's chat webhook on loopback: a real HTTP server in a thread that records
every POST and answers as scripted (Slack's "ok", a 500, a 429 with Retry-After…)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The secret part of a webhook URL, as Slack's look: tests check it never shows.
SECRET_PATH = "/services/T0CMINBOX/B0SECRET1/xoxSecretToken1234567890"


@dataclass
class Answer:
    """What the webhook answers; status 0 hangs up without answering."""

    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self):
        return json.loads(self.raw.decode("utf-8"))


class HookServer:
    """``answers`` are used in order, then 200 "ok". With ``hold`` set, each request
    is recorded, then left unanswered until ``release`` is set (a sender can be
    killed in between)."""

    def __init__(self, answers: list[Answer] | None = None, *, hold: bool = False) -> None:
        self.answers = list(answers or [])
        self.requests: list[Received] = []
        self.received = threading.Event()
        self.release = threading.Event()
        self.hold = hold
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                server.requests.append(Received(self.path, dict(self.headers), raw))
                server.received.set()
                if server.hold:
                    server.release.wait(timeout=30)
                answer = server.answers.pop(0) if server.answers else Answer()
                if answer.status == 0:
                    return  # hang up without a word: the request is in, the answer lost
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except OSError:
                    pass  # the sender is gone (killed on purpose)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{SECRET_PATH}"

    def bodies(self) -> list:
        return [request.json for request in self.requests]

    def start(self) -> HookServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def hook_server(answers: list[Answer] | None = None, *, hold: bool = False) -> Iterator[HookServer]:
    server = HookServer(answers, hold=hold).start()
    try:
        yield server
    finally:
        server.stop()
