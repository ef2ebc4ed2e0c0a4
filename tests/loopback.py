"""The sandbox networks on loopback and the real command line, as a new user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def run_cli(*args: str, stdin: str | None = None, db: Path) -> subprocess.CompletedProcess:
    """`cm-inbox --db DB ARGS…` in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "cm_inbox.cli.main", "--db", str(db), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )


@contextmanager
def serving(*extra: str, seed: int = 5) -> Iterator[dict]:
    """`cm-inbox sandbox serve` on a free port; yields its first line (the account commands)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cm_inbox.cli.main", "sandbox", "serve", "--port", "0",
         "--seed", str(seed), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        first = process.stdout.readline() if process.stdout else ""
        assert first, process.stderr.read() if process.stderr else "no output"
        yield json.loads(first)
    finally:
        process.terminate()
        process.wait(timeout=10)


def base_url(commands: dict) -> str:
    args = commands["mastodon"]["args"]
    return args[args.index("--instance") + 1]


def connect_all(commands: dict, db: Path) -> dict[str, str]:
    """Add every sandbox account to ``db``; returns the secrets typed, by network."""
    secrets = {}
    for network, command in commands.items():
        if "args" not in command:
            continue  # not an account: the example keyword watch
        added = run_cli(*command["args"], stdin=command["stdin"], db=db)
        assert added.returncode == 0, added.stderr
        secrets[network] = command["stdin"].strip()
    return secrets
