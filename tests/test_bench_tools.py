"""The benchmark's own tools: frames cut at the sync markers, percentiles, the latency proxy,
the sign that a view has loaded."""

from __future__ import annotations

import asyncio
import re
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from latency_proxy import LatencyProxy  # noqa: E402
from stats import percentile  # noqa: E402
from terminal import SYNC_END, SYNC_START, FrameSplitter, strip_ansi  # noqa: E402
from tui import loaded_count  # noqa: E402


def test_frames_are_cut_at_the_markers_whatever_the_read_boundaries() -> None:
    stream = (
        b"\x1b[?1049h"
        + "café · ".encode()
        + SYNC_START
        + b"\x1b[2;1H\x1b[1mhello\x1b[0m\x1b[3;64Hthere"
        + SYNC_END
        + SYNC_START
        + b"\x1b[5;1Hagain"
        + SYNC_END
    )
    for size in (1, 2, 3, 7, len(stream)):
        splitter = FrameSplitter()
        frames = []
        for start in range(0, len(stream), size):
            frames += splitter.feed(stream[start : start + size], float(start))
        wrapped = [frame for frame in frames if frame.wrapped]
        assert [frame.text for frame in wrapped] == ["hellothere", "again"], size
        assert wrapped[0].paints_column(1, range(2, 3))
        assert not wrapped[0].paints_column(1, range(3, 30))
        assert "".join(frame.text for frame in frames if not frame.wrapped) == "café · "
        assert not splitter.in_frame


def test_an_unfinished_frame_stays_open() -> None:
    splitter = FrameSplitter()
    assert splitter.feed(SYNC_START + b"half", 0.0) == []
    assert splitter.in_frame
    (frame,) = splitter.feed(b" done" + SYNC_END, 1.0)
    assert frame.text == "half done" and frame.at == 1.0


def test_strip_ansi_keeps_the_text_only() -> None:
    raw = "\x1b[38;5;231;48;5;59m Inbox · 1,131\x1b[0m\r\n\x1b]22;default\x07 · newest".encode()
    assert strip_ansi(raw) == " Inbox · 1,131 · newest"


def test_a_view_counts_as_loaded_only_without_the_loading_mark() -> None:
    whole = re.compile(loaded_count(861_608))
    assert whole.search(" 7 of 861,608 · Inbox · priority")
    assert whole.search("@nadia 3d Export is slow 7 of 861,608")  # repainted alone
    assert not whole.search(" 7 of 861,608… · Inbox · priority")  # the head only
    assert not re.compile(loaded_count(200)).search(" 1 of 200+… · search: the")
    assert not re.compile(loaded_count(29)).search(" 1 of 291 · search: the")
    assert re.compile(loaded_count(0)).search(" 0 · Inbox")


def test_percentile() -> None:
    values = list(range(1, 101))
    assert percentile(values, 0.5) == pytest.approx(50.5)
    assert percentile(values, 0.95) == pytest.approx(95.05)
    assert percentile([3.0], 0.95) == 3.0


def test_the_proxy_delays_each_request_of_a_kept_alive_connection() -> None:
    async def upstream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            body = await reader.readexactly(length)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()
        writer.close()

    async def scenario() -> list[float]:
        server = await asyncio.start_server(upstream, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        took = []
        with LatencyProxy(port, 0.05) as proxy:
            reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
            for body in (b"one", b"second"):
                started = time.perf_counter()
                writer.write(b"POST / HTTP/1.1\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                await writer.drain()
                await reader.readuntil(b"\r\n\r\n")
                assert await reader.readexactly(len(body)) == body
                took.append(time.perf_counter() - started)
            writer.close()
            assert proxy.requests == 2
            assert proxy.statuses[200] == 2
        server.close()
        return took

    took = asyncio.run(scenario())
    assert all(0.05 <= seconds < 1.0 for seconds in took)


def test_the_import_floor_writes_the_rows_the_app_writes(cli, tmp_path: Path, capsys) -> None:
    """The import target is a ratio to the floor: a floor writing other rows (without
    the listening's values, which the indexes and tallies sort and count by) would
    be quicker for work the app must do, and the ratio would mean nothing."""
    import json
    import sqlite3

    import import_floor
    from importing import same_rows

    from cm_inbox.demo.generator import iter_records

    corpus = tmp_path / "corpus.jsonl"
    records = list(iter_records(seed=3, now=1_767_261_600, count=300))
    corpus.write_text("".join(json.dumps(record) + "\n" for record in records))
    app_db, floor_db = tmp_path / "app.sqlite3", tmp_path / "floor.sqlite3"
    assert cli("import", corpus, "--db", app_db).code == 0
    capsys.readouterr()
    import_floor.main(str(corpus), str(app_db), str(floor_db))
    assert json.loads(capsys.readouterr().out)["rows"] == len(records)
    cleaned = same_rows(app_db, floor_db)
    assert 0 <= cleaned < len(records) // 10
    with sqlite3.connect(floor_db) as conn:
        assert conn.execute("SELECT count(*) FROM comments WHERE sentiment IS NULL").fetchone() == (
            0,
        )
        conn.execute("UPDATE comments SET priority = priority + 1 WHERE rowid = 7")
    with pytest.raises(RuntimeError, match="1 differ"):
        same_rows(app_db, floor_db)
