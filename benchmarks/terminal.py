"""A pseudo-terminal that runs a Textual app and tells when each screen update ends.

Textual wraps every frame in the synchronized-update sequences (``ESC[?2026h``
… ``ESC[?2026l``) once the terminal says it supports them, which it asks with
``ESC[?2026$p``: this terminal answers yes, so the end of every frame is
visible in the output stream, and a key's latency is the time from writing
the key to reading the end of the frame it caused. Nothing here sleeps a
fixed time to wait for the app: every wait reads output until a marker, with
a deadline.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

SYNC_START = b"\x1b[?2026h"
SYNC_END = b"\x1b[?2026l"
SYNC_QUERY = b"\x1b[?2026$p"
SYNC_ANSWER = b"\x1b[?2026;2$y"  # "supported, currently off" (DECRPM)

_ESCAPES = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: cursor moves, styles, modes
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    rb"|\x1b[@-Z\\-_]"  # two-byte escapes
    rb"|[\r\n]"
)
TEXT_WINDOW = 1 << 18
_MOVE = re.compile(rb"\x1b\[(\d+);(\d+)H")


def strip_ansi(raw: bytes) -> str:
    """What a frame writes, as text: escape sequences and line breaks removed."""
    return _ESCAPES.sub(b"", raw).decode("utf-8", "replace")


@dataclass
class Frame:
    """One screen update: what the app wrote between the sync markers, and when it ended."""

    at: float
    raw: bytes
    wrapped: bool = True

    @cached_property
    def text(self) -> str:
        return strip_ansi(self.raw)

    @cached_property
    def starts(self) -> set[tuple[int, int]]:
        """(row, column) of every cursor move, 1-based: where this frame paints."""
        return {(int(m[1]), int(m[2])) for m in _MOVE.finditer(self.raw)}

    def paints_column(self, column: int, rows: range) -> bool:
        return any(col == column and row in rows for row, col in self.starts)


class FrameSplitter:
    """Cuts the app's output into frames at the sync markers, whatever the read boundaries.

    Output outside the markers (before the terminal said it supports them, and
    mode switches) comes out as unwrapped frames of its own.
    """

    def __init__(self) -> None:
        self.buffer = b""
        self.in_frame = False

    def feed(self, data: bytes, at: float) -> list[Frame]:
        frames = []
        buffer = self.buffer + data
        while buffer:
            if self.in_frame:
                end = buffer.find(SYNC_END)
                if end < 0:
                    break
                frames.append(Frame(at, buffer[:end]))
                buffer = buffer[end + len(SYNC_END) :]
                self.in_frame = False
                continue
            start = buffer.find(SYNC_START)
            if start < 0:
                keep = _unfinished_tail(buffer)
                if len(buffer) > keep:
                    frames.append(Frame(at, buffer[: len(buffer) - keep], wrapped=False))
                buffer = buffer[len(buffer) - keep :]
                break
            if start:
                frames.append(Frame(at, buffer[:start], wrapped=False))
            buffer = buffer[start + len(SYNC_START) :]
            self.in_frame = True
        self.buffer = buffer
        return frames


class TerminalTimeout(Exception):
    """The app did not write what was awaited before the deadline."""


@dataclass
class Session:
    """An app running in a pty of ``rows`` × ``columns``; its output read into frames."""

    argv: list[str]
    env: dict[str, str]
    rows: int = 36
    columns: int = 120
    started: float = 0.0
    frames: deque[Frame] = field(default_factory=deque)

    def __post_init__(self) -> None:
        self._splitter = FrameSplitter()
        self._tail = b""
        # Text written since the last marker found or the last key (a window, for markers).
        self._text = ""
        self.closed = False
        self.last_sent = 0.0
        self._master_open = True
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.columns, 0, 0))
        self.master = master
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            self.argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=self.env,
            close_fds=True,
            preexec_fn=_controlling_terminal,
        )
        os.close(slave)

    # -- reading ---------------------------------------------------------------

    def _read(self, timeout: float) -> bool:
        """Read what the app wrote within ``timeout``; False once the app closed the pty."""
        if self.closed:
            return False
        ready, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if not ready:
            return True
        try:
            data = os.read(self.master, 1 << 16)
        except OSError:  # EIO: the app's side is closed
            data = b""
        if not data:
            self.closed = True
            return False
        self._feed(data, time.perf_counter())
        return True

    def _feed(self, data: bytes, at: float) -> None:
        window = self._tail + data
        if SYNC_QUERY in window:
            os.write(self.master, SYNC_ANSWER)
        self._tail = window[-(len(SYNC_QUERY) - 1) :]
        for frame in self._splitter.feed(data, at):
            self._add(frame)

    def _add(self, frame: Frame) -> None:
        self.frames.append(frame)
        self._text = (self._text + frame.text)[-TEXT_WINDOW:]

    def drain(self) -> None:
        """Read whatever is already written, without waiting, and forget every frame so far."""
        while not self.closed:
            ready, _, _ = select.select([self.master], [], [], 0)
            if not ready:
                break
            self._read(0)
        self.frames.clear()

    def pump_until(self, deadline: float) -> None:
        """Keep reading (the app never blocks on a full pty) until ``deadline``."""
        while not self.closed and time.perf_counter() < deadline:
            self._read(deadline - time.perf_counter())

    def wait_frame(self, wanted: Callable[[Frame], bool], timeout: float, what: str) -> Frame:
        """The first complete frame (read from now on) for which ``wanted`` is true."""
        deadline = time.perf_counter() + timeout
        while True:
            while self.frames:
                frame = self.frames.popleft()
                if wanted(frame):
                    return frame
            left = deadline - time.perf_counter()
            if left <= 0 or not self._read(left):
                raise TerminalTimeout(f"no frame with {what} within {timeout} s")

    def wait_text(self, marker: str, timeout: float) -> float:
        """Time (since start) at which ``marker`` was on screen in a finished frame.

        Searches the text written since the last marker or key (not frame by
        frame), so a marker split over two reads of an unwrapped paint is found.
        """
        return self._wait_for(lambda text: marker in text, repr(marker), timeout)

    def wait_match(self, pattern: str, timeout: float) -> float:
        """``wait_text`` for a regular expression (in the text of whole frames)."""
        compiled = re.compile(pattern)
        return self._wait_for(lambda text: compiled.search(text) is not None, pattern, timeout)

    def _wait_for(self, found: Callable[[str], bool], what: str, timeout: float) -> float:
        deadline = time.perf_counter() + timeout
        while True:
            if found(self._text):
                self._text = ""
                while self._splitter.in_frame:  # the frame that shows it is still being written
                    if not self._read(deadline - time.perf_counter()):
                        break
                    if time.perf_counter() > deadline:
                        raise TerminalTimeout(f"frame showing {what} never ended")
                return time.perf_counter() - self.started
            left = deadline - time.perf_counter()
            if left <= 0 or not self._read(left):
                raise TerminalTimeout(f"{what} not on screen within {timeout} s")

    # -- writing ---------------------------------------------------------------

    def press(
        self, key: bytes, wanted: Callable[[Frame], bool], timeout: float = 10.0, what: str = ""
    ) -> float:
        """Seconds from writing ``key`` to the end of the first frame ``wanted`` accepts."""
        self.drain()
        self._text = ""
        sent = self.last_sent = time.perf_counter()
        os.write(self.master, key)
        frame = self.wait_frame(wanted, timeout, what or f"the answer to {key!r}")
        return frame.at - sent

    def type(self, data: bytes) -> None:
        """Write ``data``; markers are looked for in what the app writes after it."""
        self.drain()
        self._text = ""
        os.write(self.master, data)

    def peak_rss_mb(self) -> float:
        """VmHWM of the app's process: the most memory it has held at once."""
        with open(f"/proc/{self.process.pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM in /proc status")

    def close(self, quit_key: bytes = b"\x11", timeout: float = 10.0) -> None:
        """Quit with ``quit_key`` (ctrl+q), reading until the app is gone; else end it."""
        if not self._master_open:
            return
        try:
            if not self.closed and self.process.poll() is None:
                os.write(self.master, quit_key)
            deadline = time.perf_counter() + timeout
            while not self.closed and time.perf_counter() < deadline:
                self._read(deadline - time.perf_counter())
            try:
                self.process.wait(timeout=max(0.1, deadline - time.perf_counter()))
            except subprocess.TimeoutExpired:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        finally:
            self._master_open = False
            os.close(self.master)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _controlling_terminal() -> None:
    """In the child: a session of its own, with the pty as its controlling terminal."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _unfinished_tail(buffer: bytes) -> int:
    """How many bytes at the end of ``buffer`` to hold back for the next read: an escape
    sequence (perhaps the start of a sync marker) or a UTF-8 character not yet complete."""
    escape = buffer.rfind(b"\x1b")
    if escape >= 0 and not _ESCAPES.match(buffer, escape):
        return len(buffer) - escape
    for back in range(1, min(4, len(buffer)) + 1):
        byte = buffer[-back]
        if byte < 0x80:
            return 0
        if byte >= 0xC0:  # a lead byte: is its character complete?
            needed = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return back if back < needed else 0
    return 0
