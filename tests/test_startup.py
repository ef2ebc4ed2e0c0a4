"""The collector held off while cm-inbox starts, and back on for the work itself."""

from __future__ import annotations

import gc
import sys

import pytest

from cm_inbox import startup


@pytest.fixture(autouse=True)
def collector_restored():
    enabled = gc.isenabled()
    yield
    startup._paused = False
    (gc.enable if enabled else gc.disable)()


def test_paused_until_resumed_then_collecting_again():
    startup.pause()
    assert not gc.isenabled()
    startup.resume()
    assert gc.isenabled()


def test_settled_sets_what_start_up_built_aside():
    gc.unfreeze()
    startup.pause()
    startup.settled()
    assert gc.isenabled() and gc.get_freeze_count() > 0
    gc.unfreeze()


def test_a_program_that_turned_the_collector_off_keeps_it_off():
    gc.disable()
    startup.pause()
    startup.resume()
    assert not gc.isenabled()


def test_a_command_run_by_the_console_script_ends_with_the_collector_on(
    tmp_path, monkeypatch, capsys
):
    from cm_inbox.cli import entry
    from cm_inbox.store import Store

    db = tmp_path / "x.sqlite3"
    Store(db).close()
    monkeypatch.setattr(sys, "argv", ["cm-inbox", "--db", str(db), "list"])
    assert entry.run() == 0
    assert gc.isenabled()
    monkeypatch.setattr(sys, "argv", ["cm-inbox", "--no-such-option"])
    assert entry.run() == 2  # bad usage, before any command could resume it
    assert gc.isenabled()
