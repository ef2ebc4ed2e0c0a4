"""`cm-inbox sandbox serve`: the sandbox networks on loopback, for end-to-end
checks and for trying cm-inbox without touching a real account."""

from __future__ import annotations

import argparse
import json
import socket
import sys

from cm_inbox.cli.common import CliError


def register(commands, common: argparse.ArgumentParser) -> None:
    sandbox = commands.add_parser(
        "sandbox",
        parents=[common],
        help="fake Mastodon and Bluesky servers on this machine",
        description="Fake networks that answer like the real ones, for tests and trials.",
    )
    sub = sandbox.add_subparsers(title="commands", metavar="COMMAND", required=True)
    serve = sub.add_parser(
        "serve",
        parents=[common],
        help="serve the sandbox networks on 127.0.0.1",
        description="Serve the sandbox networks on loopback. The first line printed is one JSON "
        "object: for each network, the `cm-inbox` arguments (args) and the stdin that add an "
        "account on it. Then it serves until stopped (ctrl+c).",
    )
    serve.add_argument("--port", type=int, default=0, help="default: any free port")
    serve.add_argument("--seed", type=int, default=7, help="the generated audience (default: 7)")
    serve.set_defaults(handler=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from cm_inbox.sandbox import SandboxState, account_commands, make_sandbox

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
    base_url = f"http://127.0.0.1:{port}"
    sys.stdout.write(json.dumps(account_commands(base_url, state)) + "\n")
    sys.stdout.flush()
    config = uvicorn.Config(
        make_sandbox(state), log_level="warning", access_log=False, lifespan="off"
    )
    uvicorn.Server(config).run(sockets=[listener])
    return 0
