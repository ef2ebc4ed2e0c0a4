"""The figures a user feels in the terminal: first screen, keys, views, filter, memory.

The real `cm-inbox` runs in a pseudo-terminal (benchmarks/terminal.py) on the
benchmark database. What each wait looks for is worked out beforehand from
the store: the first row's text, the status bar once a view's keys have all
loaded (" 1 of 857,123 · Inbox · newest"; "1 of 857,123…" while only the view's
head is), the filter's and each search's counts.

Keys are sent the way a person sends them. Held (``j`` × 500): 25 presses a
second, the usual key-repeat rate, each timed to the end of the frame that
repaints the queue. Tapped (``G``, page down, view and filter keys): 4 a
second, so the work one key starts (the thread pane loads after the cursor
moves) is over before the next. A key that takes longer than its slot is
waited for, never overtaken: the next key goes once its frame is read.
"""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from stats import Figures, percentile
from terminal import Frame, Session

ROWS, COLUMNS = 36, 120
# Rows where the queue paints at column 1: under the tabs, above the status bar and footer.
QUEUE_ROWS = range(2, ROWS - 2)
HELD_INTERVAL = 1 / 25
TAPPED_INTERVAL = 0.25
HELD_PRESSES = 500
TAPPED_PRESSES = 50
LOAD_TIMEOUT = 120.0
KEY_TIMEOUT = 30.0

DOWN = b"\x1b[B"
PAGE_DOWN = b"\x1b[6~"
ENTER = b"\r"
ESCAPE = b"\x1b"
CTRL_S = b"\x13"
HERE = Path(__file__).resolve().parent
CLI = str(HERE.parent / ".venv" / "bin" / "cm-inbox")


@dataclass
class Expected:
    """What the app shows on the benchmark database, worked out from the store."""

    first_row: str
    inbox_status: str
    escalated_status: str
    inbox_prefix: str
    network: str
    network_label: str
    network_steps: int
    filter_status: str
    searches: list[tuple[str, str]]


def loaded_count(count: int) -> str:
    """A pattern for the position once a view of ``count`` rows has all loaded.

    " 12 of 857,123" follows the cursor, in a widget of its own that repaints
    alone (the status bar beside it is written only when it changes); an empty
    list is " 0". While only the view's head is loaded it reads
    " 12 of 857,123…" (" 12 of 200+…" for a search): the count followed by none
    of those, nor by more digits, says the whole view is there.
    """
    return rf" of {count:,}(?![\d,+…])" if count else " 0 · "


def expected_screen(db: Path, words: list[str]) -> Expected:
    from cm_inbox.model import QueueQuery, View
    from cm_inbox.networks import rules_for
    from cm_inbox.store import Store

    inbox = QueueQuery(view=View.INBOX, sort=default_sort())  # as the app opens it

    with Store(db) as store:
        (first,) = store.queue_rows(View.INBOX, store.queue_keys(inbox, limit=1))
        networks = store.networks()
        network = "mastodon" if "mastodon" in networks else networks[0]
        return Expected(
            first_row=row_marker(first.comment),
            inbox_status=loaded_count(store.queue_count(inbox)),
            escalated_status=f" · {View.ESCALATED.title} · ",
            inbox_prefix=f" · {View.INBOX.title} · ",
            network=network,
            network_label=rules_for(network).label,
            # The dropdown opens on "any"; each down arrow moves one network on.
            network_steps=networks.index(network) + 1,
            filter_status=loaded_count(store.queue_count(replace(inbox, network=network))),
            searches=[
                (word, loaded_count(store.queue_count(replace(inbox, search=word))))
                for word in words
            ],
        )


def default_sort():
    """The order the app opens the Inbox in with no config file (priority, then age)."""
    from cm_inbox.config import Config
    from cm_inbox.model import Sort

    return Sort(Config().ui.sort)


def row_marker(comment) -> str:
    """A piece of a queue row that is on screen exactly as stored: its text's start,
    cut before the first character a terminal might draw differently."""
    import unicodedata

    from cm_inbox.networks import at_handle
    from cm_inbox.text import one_line

    text = one_line(comment.text)
    plain = ""
    for char in text[:14]:
        if not (char.isprintable() and char.isascii()) and unicodedata.category(char)[0] != "L":
            break
        if unicodedata.east_asian_width(char) in "WF" or unicodedata.combining(char):
            break
        plain += char
    return plain.strip() if len(plain.strip()) >= 6 else at_handle(comment.author.handle)[:12]


def app_argv(db: Path) -> list[str]:
    return [CLI, "--db", str(db)]


def floor_argv() -> list[str]:
    return [sys.executable, str(HERE / "bare_app.py")]


def tui_env(base: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in base.items() if k not in ("COLUMNS", "LINES", "TEXTUAL_FPS")}
    env.update(TERM="xterm-256color", COLORTERM="truecolor")
    return env


def measure_first_screen(
    figures: Figures, db: Path, expected: Expected, runs: int, env: dict[str, str], say
) -> None:
    """Process start to the end of the frame that shows the queue's first row; and the floor."""
    from bare_app import LINE

    env = tui_env(env)
    for run in range(runs):
        with Session(floor_argv(), env, ROWS, COLUMNS) as floor:
            floor_s = floor.wait_text(LINE, LOAD_TIMEOUT)
        with Session(app_argv(db), env, ROWS, COLUMNS) as app:
            app_s = app.wait_text(expected.first_row, LOAD_TIMEOUT)
        figures.add("first_screen_floor_s", "s", floor_s, digits=3)
        figures.add("first_screen_s", "s", app_s, digits=3)
        say(f"first screen {run + 1}/{runs}: {app_s:.3f} s (floor {floor_s:.3f} s)")


def _queue_frame(frame: Frame) -> bool:
    return frame.paints_column(1, QUEUE_ROWS)


def _showing(marker: str):
    return lambda frame: marker in frame.text


def _matching(pattern: str):
    compiled = re.compile(pattern)
    return lambda frame: compiled.search(frame.text) is not None


def _paced(session: Session, key: bytes, wanted, interval: float, what: str) -> float:
    """Press ``key``, time its frame, then keep reading until its slot of ``interval`` is over."""
    slot_ends = time.perf_counter() + interval
    latency = session.press(key, wanted, KEY_TIMEOUT, what)
    session.pump_until(slot_ends)
    return latency * 1000


def _held_j(session: Session, presses: int = HELD_PRESSES) -> list[float]:
    """``j`` held: 25 presses a second, each timed to the frame repainting the list."""
    return [
        _paced(session, b"j", _queue_frame, HELD_INTERVAL, "the list repainted")
        for _ in range(presses)
    ]


def measure_key_floor(figures: Figures, env: dict[str, str], say) -> None:
    """The held-key figures of a bare Textual list (benchmarks/bare_list.py): the floor."""
    from bare_list import READY

    argv = [sys.executable, str(HERE / "bare_list.py")]
    with Session(argv, tui_env(env), ROWS, COLUMNS) as s:
        s.wait_text(READY, LOAD_TIMEOUT)
        s.pump_until(time.perf_counter() + TAPPED_INTERVAL)
        held = _held_j(s)
    figures.add("key_floor_p50_ms", "ms", percentile(held, 0.5))
    figures.add("key_floor_p95_ms", "ms", percentile(held, 0.95))
    say(f"key floor: j held p50 {percentile(held, 0.5):.1f} / p95 {percentile(held, 0.95):.1f} ms")


def measure_session(
    figures: Figures, db: Path, expected: Expected, env: dict[str, str], say
) -> dict:
    """One session on the benchmark database: keys, views, filter, searches, then memory."""
    details: dict = {}
    with Session(app_argv(db), tui_env(env), ROWS, COLUMNS) as s:
        s.wait_text(expected.first_row, LOAD_TIMEOUT)
        loaded = s.wait_match(expected.inbox_status, LOAD_TIMEOUT)
        figures.add("inbox_keys_loaded_s", "s", loaded, digits=3)
        s.pump_until(time.perf_counter() + TAPPED_INTERVAL)

        held = _held_j(s)
        figures.add("key_p50_ms", "ms", percentile(held, 0.5))
        figures.add("key_p95_ms", "ms", percentile(held, 0.95))
        figures.add("key_max_ms", "ms", max(held))

        tapped = [
            _paced(s, b"j", _queue_frame, TAPPED_INTERVAL, "the queue repainted")
            for _ in range(TAPPED_PRESSES)
        ]
        figures.add("key_tapped_p50_ms", "ms", percentile(tapped, 0.5))
        figures.add("key_tapped_p95_ms", "ms", percentile(tapped, 0.95))

        for _ in range(5):
            figures.add("end_ms", "ms", _paced(s, b"G", _queue_frame, TAPPED_INTERVAL, "G"))
            figures.add("top_ms", "ms", _paced(s, b"g", _queue_frame, TAPPED_INTERVAL, "g"))
        for _ in range(20):
            figures.add(
                "pagedown_ms",
                "ms",
                _paced(s, PAGE_DOWN, _queue_frame, TAPPED_INTERVAL, "page down"),
            )

        for _ in range(3):
            to_escalated = _paced(
                s, b"2", _showing(expected.escalated_status), TAPPED_INTERVAL, "Escalated"
            )
            to_inbox = _paced(s, b"1", _showing(expected.inbox_prefix), TAPPED_INTERVAL, "Inbox")
            figures.add("view_switch_ms", "ms", to_escalated)
            figures.add("view_switch_ms", "ms", to_inbox)
            s.wait_match(expected.inbox_status, LOAD_TIMEOUT)

        # Filter by one network: f, open the network dropdown, step to it, pick it, apply.
        opened = _paced(s, b"f", _showing("Filter the queue"), TAPPED_INTERVAL, "the filter form")
        figures.add("filter_open_ms", "ms", opened)
        label = expected.network_label
        s.press(ENTER, lambda f: label in f.text and "▲" in f.text, KEY_TIMEOUT, "the list open")
        for _ in range(expected.network_steps):
            s.press(DOWN, lambda frame: True, KEY_TIMEOUT, "the next network")
        picked = _matching(re.escape(label) + r"\s*▼")
        s.press(ENTER, picked, KEY_TIMEOUT, "the network picked")
        applied = s.press(
            CTRL_S, _matching(expected.filter_status), LOAD_TIMEOUT, expected.filter_status
        )
        figures.add("filter_ms", "ms", applied * 1000)
        s.type(ESCAPE)
        s.wait_match(expected.inbox_status, LOAD_TIMEOUT)

        # Ten searches typed in the search box: the word and enter, then escape.
        searched = {}
        for word, status in expected.searches:
            s.press(b"/", _showing("Search text and authors"), KEY_TIMEOUT, "the search box")
            # First the frame whose status bar names the search (its first screen), then
            # the one with its full count (the whole list loaded).
            named = _matching(r" · search: " + re.escape(word) + r"(?!\S)")
            first = s.press(word.encode() + ENTER, named, LOAD_TIMEOUT, "the search named")
            full = s.wait_match(status, LOAD_TIMEOUT) + s.started - s.last_sent
            figures.add("tui_search_ms", "ms", first * 1000)
            figures.add("tui_search_full_ms", "ms", full * 1000)
            searched[word] = [round(first * 1000, 1), round(full * 1000, 1)]
            s.type(ESCAPE)
            s.wait_match(expected.inbox_status, LOAD_TIMEOUT)
        details["tui_search_ms_by_word"] = searched

        figures.add("rss_mb", "MB", s.peak_rss_mb(), digits=1)
    say(
        f"session: j held p50 {percentile(held, 0.5):.1f} / p95 {percentile(held, 0.95):.1f} ms, "
        f"tapped p95 {percentile(tapped, 0.95):.1f} ms, G {figures.median('end_ms'):.1f} ms, "
        f"filter {applied * 1000:.0f} ms, rss {figures['rss_mb'].runs[-1]:.0f} MB"
    )
    return details
