"""Hermetic tests: every test gets its own data and config folders and a fixed clock."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

# 2026-11-20 10:00:00 UTC, a Friday: tests that reason about time start here.
FIXED_NOW = 1_795_168_800


class FakeClock:
    """A clock tests move by hand, so nothing waits on real time."""

    def __init__(self, start: float = FIXED_NOW) -> None:
        self.now = float(start)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every per-user folder and override at the test's own temp folder."""
    home = tmp_path / "home"
    for name, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        folder = home / sub
        folder.mkdir(parents=True)
        monkeypatch.setenv(name, str(folder))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("CM_INBOX_DB", raising=False)
    monkeypatch.delenv("CM_INBOX_CONFIG", raising=False)
    # Secrets go to the owner-only file in the test's config folder, never to
    # the keyring of the machine running the tests.
    monkeypatch.setenv("CM_INBOX_SECRETS", "file")
    return home


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock):
    from cm_inbox.store import Store

    with Store(tmp_path / "inbox.sqlite3", clock=clock) as opened:
        yield opened


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run `cm-inbox ARGS…` in-process; a wide terminal so table cells are not cut."""
    monkeypatch.setenv("COLUMNS", "200")

    from cm_inbox.cli.main import main

    def run(*argv: str | Path) -> Result:
        capsys.readouterr()
        code = main([str(arg) for arg in argv])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
async def world(store, clock):
    """Both sandbox accounts connected to ``store`` in-process, and synced once."""
    from sandbox_world import World

    made = World(store, clock)
    await made.connect()
    await made.sync()
    return made
