"""The arguments of the network commands (accounts, sync, send, doctor, sandbox).

Only argparse here: each handler's module (and httpx, keyring, uvicorn with it)
is imported when its command runs, so `cm-inbox` alone opens the inbox without
paying for them.
"""

from __future__ import annotations

import argparse

from cm_inbox.cli.common import lazy
from cm_inbox.networks.registry import connectable_networks

DEFAULT_PDS = "https://bsky.social"


def register_accounts(commands, common: argparse.ArgumentParser) -> None:
    """Add `accounts` and its subcommands to the main parser."""
    accounts = commands.add_parser(
        "accounts",
        parents=[common],
        help="connect brand accounts (add, list, test, remove)",
        description="Connect the brand's accounts to their networks.",
    )
    sub = accounts.add_subparsers(title="commands", metavar="COMMAND", required=True)

    add = sub.add_parser(
        "add", parents=[common], help="connect an account", description="Connect an account."
    )
    networks = add.add_subparsers(title="networks", metavar="NETWORK", required=True)
    mastodon = networks.add_parser(
        "mastodon",
        parents=[common],
        help="a Mastodon account",
        description="Connect a Mastodon account: with --token-stdin, an existing access token; "
        "else the sign-in page of the instance gives a code to paste here.",
    )
    mastodon.add_argument("--name", required=True, help="what the inbox calls this account")
    mastodon.add_argument(
        "--instance", required=True, metavar="URL", help="e.g. https://mastodon.social"
    )
    mastodon.add_argument(
        "--token-stdin", action="store_true", help="read an existing access token from stdin"
    )
    mastodon.set_defaults(handler=lazy("cm_inbox.cli.accounts:run_add_mastodon"))

    bluesky = networks.add_parser(
        "bluesky",
        parents=[common],
        help="a Bluesky account",
        description="Connect a Bluesky account with an app password "
        "(Settings > Privacy and security > App passwords; never the main password).",
    )
    bluesky.add_argument("--name", required=True, help="what the inbox calls this account")
    bluesky.add_argument("--handle", required=True, help="e.g. lumo.bsky.social")
    bluesky.add_argument(
        "--pds", default=DEFAULT_PDS, metavar="URL", help=f"default: {DEFAULT_PDS}"
    )
    bluesky.add_argument(
        "--app-password-stdin", action="store_true", help="read the app password from stdin"
    )
    bluesky.set_defaults(handler=lazy("cm_inbox.cli.accounts:run_add_bluesky"))

    github = networks.add_parser(
        "github",
        parents=[common],
        help="a GitHub account watching repositories",
        description="Connect a GitHub account to read and answer issue and discussion comments "
        "on the brand's repositories: with --token-stdin, a personal access token (classic: "
        "repo scope; fine-grained: Issues, Pull requests and Discussions, read and write); "
        "else the device flow of your OAuth app (--client-id) shows a code to type at github.com.",
    )
    github.add_argument("--name", required=True, help="what the inbox calls this account")
    github.add_argument(
        "--repo", action="append", required=True, metavar="OWNER/REPO",
        help="a repository to watch (repeat for more)",
    )  # fmt: skip
    github.add_argument(
        "--api", default="https://api.github.com", metavar="URL",
        help="default: https://api.github.com (GitHub Enterprise: https://HOST/api/v3)",
    )  # fmt: skip
    github.add_argument("--client-id", help="your GitHub OAuth app's client id (device flow)")
    github.add_argument(
        "--token-stdin", action="store_true", help="read a personal access token from stdin"
    )
    github.set_defaults(handler=lazy("cm_inbox.cli.accounts:run_add_github"))
    discourse = networks.add_parser(
        "discourse",
        parents=[common],
        help="a Discourse forum account",
        description="Connect a Discourse account: by default the forum asks you to approve "
        "cm-inbox and shows an encrypted key to paste here (a User API key); with "
        "--token-stdin, an existing User API key, or with --username an admin API key "
        "acting as that user.",
    )
    discourse.add_argument("--name", required=True, help="what the inbox calls this account")
    discourse.add_argument(
        "--site", required=True, metavar="URL", help="e.g. https://forum.example.com"
    )
    discourse.add_argument(
        "--username", help="with an admin API key: the forum user it acts as (Api-Username)"
    )
    discourse.add_argument(
        "--token-stdin", action="store_true", help="read an existing key from stdin"
    )
    discourse.set_defaults(handler=lazy("cm_inbox.cli.discourse_account:run_add_discourse"))
    reddit = networks.add_parser(
        "reddit",
        parents=[common],
        help="a Reddit account",
        description="Connect a Reddit account through an installed app you create at "
        "https://www.reddit.com/prefs/apps (type: installed app; redirect uri: "
        "http://localhost:65010/authorize_callback). cm-inbox opens the consent page and "
        "waits on that address for Reddit's answer; with --token-stdin, an existing "
        "refresh token instead.",
    )
    reddit.add_argument("--name", required=True, help="what the inbox calls this account")
    reddit.add_argument("--client-id", required=True, help="the installed app's id")
    reddit.add_argument(
        "--port", type=int, default=65010, help="the redirect uri's port (default: 65010)"
    )
    reddit.add_argument(
        "--token-stdin", action="store_true", help="read an existing refresh token from stdin"
    )
    reddit.add_argument("--api", default=None, metavar="URL", help=argparse.SUPPRESS)
    reddit.add_argument("--auth", default=None, metavar="URL", help=argparse.SUPPRESS)
    reddit.set_defaults(handler=lazy("cm_inbox.cli.accounts:run_add_reddit"))

    youtube = networks.add_parser(
        "youtube",
        parents=[common],
        help="a YouTube channel",
        description="Connect a YouTube channel with Google sign-in (an OAuth client of type "
        "'Desktop app' from your Google Cloud project, YouTube Data API v3 enabled): the browser "
        "comes back to this machine. With --token-stdin, an existing refresh token instead "
        "(a second line may hold the client secret).",
    )
    youtube.add_argument("--name", required=True, help="what the inbox calls this account")
    youtube.add_argument(
        "--client-id", required=True, help="the OAuth client id (…apps.googleusercontent.com)"
    )
    youtube.add_argument("--api", metavar="URL", help="another API base (the sandbox's)")
    youtube.add_argument(
        "--token-url", metavar="URL", help="another token endpoint (the sandbox's)"
    )
    youtube.add_argument("--auth-url", metavar="URL", help="another sign-in page (the sandbox's)")
    youtube.add_argument(
        "--quota", type=int, metavar="UNITS", help="the project's daily units (default 10000)"
    )
    youtube.add_argument(
        "--token-stdin", action="store_true", help="read an existing refresh token from stdin"
    )
    youtube.set_defaults(handler=lazy("cm_inbox.cli.accounts:run_add_youtube"))

    listing = sub.add_parser("list", parents=[common], help="show connected accounts")
    listing.add_argument("--json", action="store_true", help="JSON instead of a table")
    listing.set_defaults(handler=lazy("cm_inbox.cli.accounts:run_list_accounts"))

    for name, handler, text in (
        (
            "remove",
            "run_remove",
            "disconnect an account and forget its secrets (its comments stay)",
        ),
        ("test", "run_test", "check an account's credentials with its network"),
    ):
        command = sub.add_parser(name, parents=[common], help=text, description=text)
        command.add_argument("name", metavar="NAME")
        command.add_argument(
            "--network", choices=connectable_networks(), help="when NAME is on several"
        )
        command.set_defaults(handler=lazy(f"cm_inbox.cli.accounts:{handler}"))


def register_syncing(commands, common: argparse.ArgumentParser) -> None:
    sync = commands.add_parser(
        "sync",
        parents=[common],
        help="bring new comments from every connected account, and send queued replies",
        description="Fetch what is new on every connected account (at once), follow the threads "
        "of new replies, and send the replies waiting in the outbox.",
    )
    sync.add_argument("--account", metavar="NAME", help="only this account")
    sync.add_argument("--json", action="store_true", help="print the summary as JSON")
    sync.set_defaults(handler=lazy("cm_inbox.cli.syncing:run_sync"), fetch=True)

    send = commands.add_parser(
        "send",
        parents=[common],
        help="send the replies waiting in the outbox",
        description="Send every queued reply now, without fetching.",
    )
    send.add_argument("--account", metavar="NAME", help="only this account")
    send.add_argument("--json", action="store_true", help="print the summary as JSON")
    send.set_defaults(handler=lazy("cm_inbox.cli.syncing:run_sync"), fetch=False)

    doctor = commands.add_parser(
        "doctor",
        parents=[common],
        help="check the database, the accounts, and items a sync set aside",
        description="Check the database and accounts, and show what syncs could not read.",
    )
    doctor.add_argument("--json", action="store_true", help="JSON instead of text")
    doctor.set_defaults(handler=lazy("cm_inbox.cli.syncing:run_doctor"))


def register_sandbox(commands, common: argparse.ArgumentParser) -> None:
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
    serve.add_argument(
        "--faults",
        metavar="SPEC",
        default="",
        help="random faults on every reply posted, e.g. lost_answer=0.3,error_5xx=0.1,"
        "timeout=0.05,reset=0.05,rate_limit=0.1,malformed=0.05,expired_token=0.05,"
        "latency_ms=50 (timeout_s=N: how long a timeout holds; seed=N: repeatable)",
    )
    serve.set_defaults(handler=lazy("cm_inbox.cli.sandbox:run_serve"))


def register_outbox(commands, common: argparse.ArgumentParser) -> None:
    outbox = commands.add_parser(
        "outbox",
        parents=[common],
        help="list the replies on their way; cancel, retry or discard one",
        description="Every reply not yet sent (--all: sent ones too), with its state, attempts "
        "and last error. Subcommands act on one reply by id.",
    )
    outbox.add_argument("--json", action="store_true", help="every reply, as one JSON array")
    outbox.add_argument("--all", action="store_true", help="sent replies too")
    outbox.set_defaults(handler=lazy("cm_inbox.cli.outbox:run_outbox"))
    sub = outbox.add_subparsers(title="commands", metavar="COMMAND")
    cancel = sub.add_parser(
        "cancel",
        parents=[common],
        help="bring a reply that has not left back to a draft (undo send)",
    )
    cancel.add_argument("id", type=int, metavar="ID")
    cancel.set_defaults(handler=lazy("cm_inbox.cli.outbox:run_cancel"))
    retry = sub.add_parser(
        "retry", parents=[common], help="queue a failed reply again, as it is or rewritten"
    )
    retry.add_argument("id", type=int, metavar="ID")
    words = retry.add_mutually_exclusive_group()
    words.add_argument("--text", help="the new text")
    words.add_argument("--text-stdin", action="store_true", help="read the new text from stdin")
    retry.set_defaults(handler=lazy("cm_inbox.cli.outbox:run_retry"))
    discard = sub.add_parser(
        "discard", parents=[common], help="give up on a reply; its comment returns to the inbox"
    )
    discard.add_argument("id", type=int, metavar="ID")
    discard.set_defaults(handler=lazy("cm_inbox.cli.outbox:run_discard"))
