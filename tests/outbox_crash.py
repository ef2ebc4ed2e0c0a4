"""Kill the sender at random moments while the network fails at random; count what survives.

The sandbox runs on loopback (`cm-inbox sandbox serve --faults ...`), the
sender is the real `cm-inbox send` in its own process, killed with SIGKILL
after a random delay and started again until the outbox is empty. Then every
reply queued must be on the sandbox exactly once, under its parent, with its
text, and the database must pass its integrity check.

Used by tests/test_outbox_crash.py (a few runs in `make test`) and by
`make stress` (``python tests/outbox_crash.py --runs 1000``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

# Faults on every reply posted: the mix the issue names, answers lost after the
# commit the most common, since they are what makes double posts.
FAULTS = "lost_answer=0.25,error_5xx=0.1,timeout=0.05,reset=0.05,rate_limit=0.05,malformed=0.05"
# The sender gives a request this long; a "timeout" fault holds its answer longer.
CONFIG = """
[sync]
every_minutes = 0
undo_seconds = 0
retry_seconds = 1
retry_max_seconds = 2
timeout_seconds = 1
"""
RUN_DEADLINE_S = 120.0


@dataclass
class Tally:
    runs: int = 0
    checked: int = 0
    lost: int = 0
    doubled: int = 0
    misplaced: int = 0
    kills: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.doubled or self.misplaced or self.problems)

    def line(self) -> str:
        return (
            f"{self.runs} runs, {self.checked} replies checked: {self.lost} lost, "
            f"{self.doubled} doubled, {self.misplaced} misplaced, {self.kills} senders killed"
            + (f"; problems: {'; '.join(self.problems[:5])}" if self.problems else "")
        )


# Networks whose threads are flat: an answer to a reply is filed under the thread
# (YouTube's top-level comment, GitHub's issue), not under the reply.
FLAT_THREADS = ("youtube", "github")


def landing_parent(comment) -> str:
    """Where the network files a reply to ``comment``."""
    if comment.network == "github" and "/discussions/" in comment.remote_id:
        # GitHub discussions nest one level: an answer to a reply goes under its
        # top-level comment; one to a comment or to the discussion, under it.
        parent = comment.parent_remote_id or ""
        return parent if "#discussioncomment-" in parent else comment.remote_id
    if comment.network in FLAT_THREADS and comment.root_remote_id:
        return comment.root_remote_id
    return comment.remote_id


class CrashWorld:
    """A sandbox with faults on loopback, and an inbox connected to it."""

    def __init__(self, root: Path, *, seed: int, faults: str = FAULTS) -> None:
        self.root = root
        self.db = root / "inbox.sqlite3"
        self.env = _isolated_env(root)
        config = root / "config.toml"
        config.write_text(CONFIG, encoding="utf-8")
        self.env["CM_INBOX_CONFIG"] = str(config)
        self.server = subprocess.Popen(
            [*_cli(), "sandbox", "serve", "--port", "0", "--seed", str(seed), "--faults",
             f"{faults},timeout_s=1.5,seed={seed}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
        )  # fmt: skip
        first = self.server.stdout.readline() if self.server.stdout else ""
        if not first:
            raise RuntimeError(f"the sandbox did not start: {self.server.stderr.read()}")
        commands = json.loads(first)
        args = commands["mastodon"]["args"]
        self.base_url = args[args.index("--instance") + 1]
        for name, command in commands.items():
            if name == "watch":  # a [[watches]] example for config.toml, not a command
                continue
            self._cli(*command["args"], stdin=command["stdin"])
        # Comments to answer: one clean sync (the faults only touch replies).
        self._cli("sync", "--json")
        self.sequence = 0

    def close(self) -> None:
        self.server.terminate()
        try:
            self.server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.server.kill()

    def __enter__(self) -> CrashWorld:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [*_cli(), "--db", str(self.db), *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            env=self.env,
        )
        if done.returncode not in (0, 1):
            raise RuntimeError(f"cm-inbox {' '.join(args)}: {done.stderr}")
        return done

    def run_once(self, rng: random.Random, tally: Tally, replies: int = 6) -> None:
        """Queue ``replies`` replies, send them through random kills, check the sandbox."""
        from cm_inbox.model import QueueQuery, ReplyState, View
        from cm_inbox.store import Store

        with Store(self.db) as store:
            # Any comment (answered ones too: a thousand runs answer each many times).
            keys = list(store.queue_keys(QueueQuery(view=View.ALL)))
            rows = [
                row
                for row in store.queue_rows(View.ALL, rng.sample(keys, min(4 * replies, len(keys))))
                if not row.comment.is_ours
            ][:replies]
            if len(rows) < replies:
                raise RuntimeError(f"only {len(rows)} comments to answer in {self.db}")
            wanted: dict[str, str] = {}  # text -> parent remote id
            for row in rows:
                self.sequence += 1
                text = f"crash-test reply {self.sequence} ({rng.randrange(10**9)})"
                store.queue_reply(row.comment.id, text)
                wanted[text] = landing_parent(row.comment)
        deadline = time.monotonic() + RUN_DEADLINE_S
        kills_in_a_row = 0
        while True:
            with Store(self.db) as store:
                left = [
                    r
                    for r in store.outbox()
                    if r.state not in (ReplyState.SENT,) and r.text in wanted
                ]
            if not left:
                break
            if time.monotonic() > deadline:
                why = "; ".join(
                    f"{r.state.value} after {r.attempts} attempts"
                    f" (next {r.next_attempt_at}, error {r.error!r})"
                    for r in left
                )
                tally.problems.append(
                    f"run {tally.runs + 1}: {len(left)} replies never went out: {why}"
                    f"{self._last_error()}"
                )
                break
            due = [r.next_attempt_at for r in left if r.next_attempt_at]
            if due and all(r.state is ReplyState.FAILED for r in left):
                time.sleep(max(0.0, min(due) - time.time()))
            # A busy machine starts senders slowly, and a kill before start-up ends
            # sends nothing: after three kills in a row one sender runs to its end,
            # so every run makes progress whatever the load.
            killed = self._send_once(rng, finish=kills_in_a_row >= 3)
            kills_in_a_row = kills_in_a_row + 1 if killed else 0
            tally.kills += killed
        self._check(wanted, tally)
        tally.runs += 1

    def _last_error(self) -> str:
        """The end of the last traceback in the senders' log (a bug names itself there)."""
        logs = sorted(self.root.glob("xdg_state_home/**/*.log"))
        text = logs[-1].read_text(encoding="utf-8", errors="replace") if logs else ""
        start = text.rfind("Traceback (most recent call last)")
        if start < 0:
            return ""
        lines = text[start:].splitlines()
        end = next((n for n, line in enumerate(lines[1:], 1) if not line.startswith(" ")), 0)
        return "; last error in the log: " + " | ".join(lines[max(1, end - 3) : end + 1])

    def _send_once(self, rng: random.Random, *, finish: bool = False) -> int:
        """One `cm-inbox send`, killed at a random moment (or left to finish)."""
        sender = subprocess.Popen(
            [*_cli(), "--db", str(self.db), "send", "--json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=self.env,
        )
        if rng.random() < 0.2 or finish:
            sender.wait(timeout=120)
            return 0
        try:
            # Start-up takes about half a second: most kills land mid-send.
            sender.wait(timeout=rng.uniform(0.3, 1.5))
            return 0
        except subprocess.TimeoutExpired:
            sender.send_signal(signal.SIGKILL)
            sender.wait()
            return 1

    def _check(self, wanted: dict[str, str], tally: Tally) -> None:
        from cm_inbox.store import Store

        accepted = httpx.get(f"{self.base_url}/_sandbox/replies", timeout=30).json()
        for text, parent in wanted.items():
            found = [r for r in accepted if r["text"].endswith(text)]
            tally.checked += 1
            if not found:
                tally.lost += 1
            elif len(found) > 1:
                tally.doubled += 1
            elif found[0]["parent_id"] != parent:
                tally.misplaced += 1
        with Store(self.db) as store:
            problems = store.check_integrity()
        tally.problems.extend(f"integrity: {p}" for p in problems)


def _cli() -> list[str]:
    return [sys.executable, "-m", "cm_inbox.cli.main"]


def _isolated_env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        folder = root / name.lower()
        folder.mkdir(exist_ok=True)
        env[name] = str(folder)
    env["CM_INBOX_SECRETS"] = "file"
    env.pop("CM_INBOX_DB", None)
    return env


def crash_runs(runs: int, *, seed: int, root: Path, parallel: int = 1, say=None) -> Tally:
    """``runs`` runs, on ``parallel`` worlds at once (each its own sandbox and inbox).

    Runs mostly wait on the network and on processes starting, so worlds side
    by side finish sooner even on two cores.
    """
    from concurrent.futures import ThreadPoolExecutor

    tallies = [Tally() for _ in range(parallel)]
    shares = [runs // parallel + (1 if n < runs % parallel else 0) for n in range(parallel)]

    def work(number: int) -> None:
        folder = root / f"world-{number}"
        folder.mkdir()
        rng = random.Random(seed * 1000 + number)
        with CrashWorld(folder, seed=seed * 1000 + number) as world:
            for _ in range(shares[number]):
                world.run_once(rng, tallies[number])
                done = sum(t.runs for t in tallies)
                if say is not None and done % 10 == 0:
                    say(_sum(tallies).line())

    with ThreadPoolExecutor(parallel) as pool:
        for future in [pool.submit(work, n) for n in range(parallel)]:
            future.result()
    return _sum(tallies)


def _sum(tallies: list[Tally]) -> Tally:
    total = Tally()
    for tally in tallies:
        for name in ("runs", "checked", "lost", "doubled", "misplaced", "kills"):
            setattr(total, name, getattr(total, name) + getattr(tally, name))
        total.problems.extend(tally.problems)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--parallel", type=int, default=4, help="worlds side by side")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cm-inbox-stress-") as folder:
        tally = crash_runs(
            args.runs,
            seed=args.seed,
            root=Path(folder),
            parallel=max(1, args.parallel),
            say=lambda line: print(f"{time.monotonic() - started:7.0f}s {line}", flush=True),
        )
    print(tally.line())
    return 0 if tally.ok else 1


if __name__ == "__main__":
    sys.exit(main())
