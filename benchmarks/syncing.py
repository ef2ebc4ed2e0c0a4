"""sync_10_accounts_s and sync_slowest_alone_s, against the sandbox on loopback.

Each run starts its own `cm-inbox sandbox serve` (so rate-limit windows and
sessions start afresh), puts a LatencyProxy adding 50 ms per request in front
of it, and connects 10 accounts through the proxy with the sandbox's own
credentials: 5 Mastodon and 5 Bluesky, under different names (the same brand
account five times over is the same load as five brands). Every timed sync
starts from a copy of that database, with the accounts and no comments yet,
and with listening's start-up cache filled (as on any machine after its first
run of cm-inbox).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from corpus import ROOT, remove_db
from latency_proxy import LatencyProxy
from stats import Figures

CLI = str(ROOT / ".venv" / "bin" / "cm-inbox")
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PER_NETWORK = 5
LATENCY_S = 0.05
URL_OPTIONS = ("--instance", "--pds")


def _account_args(command: dict, name: str, proxy_url: str) -> list[str]:
    args = list(command["args"])
    args[args.index("--name") + 1] = name
    for option in URL_OPTIONS:
        if option in args:
            args[args.index(option) + 1] = proxy_url
    return args


def _sync(db: Path, env: dict[str, str], account: str | None = None) -> tuple[float, int]:
    argv = [CLI, "sync", "--db", str(db), "--json"]
    if account:
        argv += ["--account", account]
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed, int(json.loads(done.stdout)["new"])


def _fresh_copy(template: Path, target: Path) -> Path:
    remove_db(target)
    shutil.copyfile(template, target)
    return target


def measure_sync(figures: Figures, runs: int, env: dict[str, str], say) -> dict:
    details: dict = {"sync_requests": [], "sync_statuses": {}}
    for run in range(runs):
        with tempfile.TemporaryDirectory(prefix="cm-inbox-bench-sync-") as folder:
            home = Path(folder)
            run_env = dict(env)
            for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
                run_env[name] = str(home / name.lower())
            sandbox = subprocess.Popen(
                [CLI, "sandbox", "serve", "--port", "0", "--seed", "7"],
                env=run_env,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            try:
                assert sandbox.stdout is not None
                commands = json.loads(sandbox.stdout.readline())
                url = next(a for a in commands["mastodon"]["args"] if a.startswith("http"))
                upstream = int(url.rsplit(":", 1)[1].split("/")[0])
                with LatencyProxy(upstream, LATENCY_S) as proxy:
                    proxy_url = f"http://127.0.0.1:{proxy.port}"
                    template = home / "accounts.sqlite3"
                    names = []
                    for network in ("mastodon", "bluesky"):
                        for number in range(1, PER_NETWORK + 1):
                            name = f"bench-{network}-{number}"
                            args = _account_args(commands[network], name, proxy_url)
                            subprocess.run(
                                [CLI, *args, "--db", str(template)],
                                input=commands[network]["stdin"] + "\n",
                                env=run_env,
                                check=True,
                                capture_output=True,
                                text=True,
                            )
                            names.append(name)
                    # The listening cache a machine keeps after its first run (built
                    # once, then read by every process): filled before any timing,
                    # or the first sync timed would carry it alone.
                    subprocess.run(
                        [PYTHON, "-c", "from cm_inbox.listening import preload; preload()"],
                        env=run_env,
                        check=True,
                        capture_output=True,
                    )
                    before = proxy.requests
                    together, new = _sync(_fresh_copy(template, home / "run.sqlite3"), run_env)
                    details["sync_requests"].append(proxy.requests - before)
                    alone = {}
                    for name in names:
                        alone[name], _ = _sync(
                            _fresh_copy(template, home / "run.sqlite3"), run_env, name
                        )
                    for status, count in proxy.statuses.items():
                        details["sync_statuses"][str(status)] = (
                            details["sync_statuses"].get(str(status), 0) + count
                        )
            finally:
                sandbox.terminate()
                try:
                    sandbox.wait(10)
                except subprocess.TimeoutExpired:
                    sandbox.kill()
                    sandbox.wait()
        slowest = max(alone, key=alone.__getitem__)
        figures.add("sync_10_accounts_s", "s", together, digits=3)
        figures.add("sync_slowest_alone_s", "s", alone[slowest], digits=3)
        details.setdefault("sync_alone_s", []).append({k: round(v, 3) for k, v in alone.items()})
        details.setdefault("sync_new_comments", []).append(new)
        say(
            f"sync run {run + 1}/{runs}: 10 accounts {together:.2f} s ({new:,} new, "
            f"{details['sync_requests'][-1]} requests); slowest alone {alone[slowest]:.2f} s ({slowest})"
        )
    return details
