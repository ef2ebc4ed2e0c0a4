"""`cm-inbox sandbox serve`: the sandbox networks on loopback, for end-to-end
checks and for trying cm-inbox without touching a real account."""

from __future__ import annotations

import argparse
import json
import socket
import sys

from cm_inbox.cli.common import CliError


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from cm_inbox.sandbox import (
        FaultPlan,
        FaultSpecError,
        SandboxState,
        account_commands,
        make_sandbox,
        watch_example,
    )

    try:
        faults = FaultPlan.parse(args.faults) if args.faults else None
    except FaultSpecError as error:
        raise CliError(f"--faults: {error}") from None

    # Bind first, so the port printed is the port served (also with --port 0).
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(("127.0.0.1", args.port))
    except OSError as error:
        raise CliError(f"cannot listen on 127.0.0.1:{args.port}: {error.strerror}") from None
    listener.listen(128)
    port = listener.getsockname()[1]
    state = SandboxState(seed=args.seed)
    state.write_faults = faults
    base_url = f"http://127.0.0.1:{port}"
    # One line: how to add each account, and a [[watches]] entry for config.toml.
    first = {**account_commands(base_url, state), "watch": watch_example(base_url)}
    sys.stdout.write(json.dumps(first) + "\n")
    sys.stdout.flush()
    config = uvicorn.Config(
        make_sandbox(state), log_level="warning", access_log=False, lifespan="off"
    )
    uvicorn.Server(config).run(sockets=[listener])
    return 0
