"""`cm-inbox accounts`: connect brand accounts to their networks, list, test, remove.

Secrets read here (tokens, app passwords) go straight to the secret store;
they are never printed, logged, or written to the database.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
import time

from rich.table import Table
from rich.text import Text

from cm_inbox.cli.common import PROG, CliError, db_path, err_console, open_store, out_console
from cm_inbox.networks import rules_for
from cm_inbox.networks.base import AccountInfo, MemorySecrets, NetworkError
from cm_inbox.networks.registry import connector_class
from cm_inbox.secrets import SecretsError, SecretStore
from cm_inbox.store.results import ConnectedAccount
from cm_inbox.sync import make_client
from cm_inbox.timefmt import ago

# -- add ------------------------------------------------------------------------------


def _read_secret_from_stdin(what: str) -> str:
    value = sys.stdin.readline().strip()
    if not value:
        raise CliError(f"no {what} on stdin")
    return value


def _url(value: str, option: str) -> str:
    value = value.strip().rstrip("/")
    if not value.startswith(("https://", "http://")):
        value = "https://" + value
    if value.startswith("http://") and not _is_loopback(value):
        raise CliError(f"{option} {value}: only https is allowed off this machine")
    return value


def _is_loopback(url: str) -> bool:
    host = url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
    return host in ("127.0.0.1", "localhost", "::1")


def _verify_and_save(
    args: argparse.Namespace,
    network: str,
    handle_hint: str | None,
    settings: dict[str, str],
    secrets: dict[str, str],
) -> int:
    """Check the credentials with the network, then keep them; nothing is saved on failure."""
    connector_type = connector_class(network)
    trial = MemorySecrets(secrets)

    async def verify() -> str:
        async with make_client() as client:
            info = AccountInfo(network, args.name, handle_hint, settings)
            return await connector_type(info, trial, client).verify()

    try:
        who = asyncio.run(verify())
    except NetworkError as error:
        raise CliError(f"{rules_for(network).label} refused the account: {error}") from None
    handle = who.lstrip("@")
    store_secrets = SecretStore()
    try:
        # The connector may have refreshed tokens while verifying: keep the latest.
        store_secrets.account(network, args.name).replace(trial.values)
    except SecretsError as error:
        raise CliError(str(error)) from None
    with open_store(db_path(args), create=True) as store:
        store.connect_account(network, args.name, handle, settings)
    out_console().print(
        Text(
            f"Connected {rules_for(network).label} account {args.name} as @{handle}. "
            f"Secrets kept in {store_secrets.where}. `{PROG} sync` brings its comments in."
        )
    )
    return 0


def run_add_mastodon(args: argparse.Namespace) -> int:
    from cm_inbox.networks import mastodon

    instance = _url(args.instance, "--instance")
    settings = {"instance": instance}
    if args.token_stdin:
        return _verify_and_save(
            args, "mastodon", None, settings, {"access_token": _read_secret_from_stdin("token")}
        )
    if not sys.stdin.isatty():
        raise CliError("the sign-in needs a terminal; pass an existing token with --token-stdin")

    async def start() -> dict[str, str]:
        async with make_client() as client:
            return await mastodon.register_app(client, instance)

    try:
        app = asyncio.run(start())
    except NetworkError as error:
        raise CliError(f"{instance} refused to register cm-inbox: {error}") from None
    console = out_console()
    console.print(Text("Open this page, sign in as the brand account and allow cm-inbox:"))
    console.print(Text(mastodon.authorize_url(instance, app["client_id"]), style="bold"))
    code = input("Then paste the code it shows: ").strip()
    if not code:
        raise CliError("no code given; nothing was saved")

    async def finish() -> str:
        async with make_client() as client:
            return await mastodon.exchange_code(
                client, instance, app["client_id"], app["client_secret"], code
            )

    try:
        token = asyncio.run(finish())
    except NetworkError as error:
        raise CliError(f"{instance} refused the code: {error}") from None
    settings["client_id"] = app["client_id"]
    return _verify_and_save(
        args,
        "mastodon",
        None,
        settings,
        {"access_token": token, "client_secret": app["client_secret"]},
    )


def run_add_bluesky(args: argparse.Namespace) -> int:
    from cm_inbox.networks import bluesky

    pds = _url(args.pds, "--pds")
    handle = args.handle.strip().lstrip("@")
    if args.app_password_stdin:
        password = _read_secret_from_stdin("app password")
    else:
        if not sys.stdin.isatty():
            raise CliError("no terminal to ask for the app password; use --app-password-stdin")
        password = getpass.getpass(f"App password for {handle} (not shown): ").strip()
        if not password:
            raise CliError("no app password given; nothing was saved")

    async def login() -> dict:
        async with make_client() as client:
            return await bluesky.create_session(client, pds, handle, password)

    try:
        session = asyncio.run(login())
    except NetworkError as error:
        raise CliError(f"Bluesky refused the login: {error}") from None
    settings = {"pds": pds, "did": str(session["did"]), "handle": str(session["handle"])}
    secrets = {
        "app_password": password,
        "access_jwt": str(session["accessJwt"]),
        "refresh_jwt": str(session["refreshJwt"]),
    }
    return _verify_and_save(args, "bluesky", str(session["handle"]), settings, secrets)


def run_add_youtube(args: argparse.Namespace) -> int:
    """Google sign-in with a loopback redirect, or a refresh token on stdin."""
    from cm_inbox.networks import youtube_login as google

    settings = {"client_id": args.client_id.strip()}
    if args.api:
        settings["api"] = _url(args.api, "--api")
    if args.token_url:
        settings["token_url"] = _url(args.token_url, "--token-url")
    if args.quota is not None:
        if args.quota < 100:
            raise CliError(f"--quota {args.quota}: a project has at least 100 units a day")
        settings["quota_per_day"] = str(args.quota)
    if args.token_stdin:
        lines = [line.strip() for line in sys.stdin.read().splitlines() if line.strip()]
        if not lines:
            raise CliError("no refresh token on stdin")
        secrets = {"refresh_token": lines[0]}
        if len(lines) > 1:
            secrets["client_secret"] = lines[1]
        return _add_youtube_channel(args, settings, secrets)
    if not sys.stdin.isatty():
        raise CliError("the sign-in needs a terminal; pass a refresh token with --token-stdin")
    client_secret = getpass.getpass(
        "Client secret of the OAuth client (not shown; Enter if none): "
    )
    verifier, challenge = google.pkce_pair()
    state = google.new_state()
    receiver = google.LoopbackReceiver(state)
    auth_url = _url(args.auth_url, "--auth-url") if args.auth_url else google.AUTH_URL
    url = google.authorize_url(
        settings["client_id"], receiver.redirect_uri, challenge, state, auth_url=auth_url
    )
    console = out_console()
    console.print(
        Text("Sign in with the Google account that owns the channel, and allow cm-inbox:")
    )
    console.print(Text(url, style="bold"))
    import webbrowser

    webbrowser.open(url)
    try:
        code = receiver.wait()
    except NetworkError as error:
        raise CliError(str(error)) from None

    async def finish() -> dict:
        async with make_client() as client:
            polite = google.polite_for(client)
            return await google.exchange_code(
                polite, client_id=settings["client_id"], client_secret=client_secret.strip() or None,
                code=code, verifier=verifier, redirect_uri=receiver.redirect_uri,
                token_url=settings.get("token_url", google.TOKEN_URL),
            )  # fmt: skip

    try:
        tokens = asyncio.run(finish())
    except NetworkError as error:
        raise CliError(f"Google refused the code: {error}") from None
    refresh = tokens.get("refresh_token")
    if not isinstance(refresh, str) or not refresh:
        raise CliError("Google gave no refresh token; remove cm-inbox's access and sign in again")
    secrets = {"refresh_token": refresh, "access_token": tokens["access_token"]}
    secrets["access_expires_at"] = str(int(time.time()) + int(tokens.get("expires_in") or 3600))
    if client_secret.strip():
        secrets["client_secret"] = client_secret.strip()
    return _add_youtube_channel(args, settings, secrets)


def _add_youtube_channel(
    args: argparse.Namespace, settings: dict[str, str], secrets: dict[str, str]
) -> int:
    """Find the channel the sign-in belongs to, keep its id, then verify and save as usual."""
    from cm_inbox.networks.youtube import YouTubeConnector

    trial = MemorySecrets(secrets)

    async def channel() -> str:
        async with make_client() as client:
            info = AccountInfo("youtube", args.name, None, settings)
            return await YouTubeConnector(info, trial, client).channel_id()

    try:
        settings["channel_id"] = asyncio.run(channel())
    except NetworkError as error:
        raise CliError(f"YouTube refused the account: {error}") from None
    return _verify_and_save(args, "youtube", None, settings, trial.values)


def run_add_github(args: argparse.Namespace) -> int:
    from cm_inbox.networks import github, github_login

    api = _url(args.api, "--api")
    try:
        repos = github.parse_repos(" ".join(args.repo))
    except ValueError as error:
        raise CliError(f"--repo {error}") from None
    settings = {"api": api, "repos": ",".join(repos)}
    if args.token_stdin:
        token = _read_secret_from_stdin("token")
        return _verify_and_save(args, "github", None, settings, {"access_token": token})
    if not args.client_id:
        raise CliError("the device flow needs --client-id (your OAuth app); or use --token-stdin")
    if not sys.stdin.isatty():
        raise CliError("the sign-in needs a terminal; pass a token with --token-stdin")
    # github.com serves the sign-in; api.github.com the API. Elsewhere (Enterprise,
    # the sandbox) the sign-in lives on the API's host.
    web = (
        github_login.DEFAULT_WEB if api == github_login.DEFAULT_API else api.removesuffix("/api/v3")
    )

    async def device_flow() -> str:
        async with make_client() as client:
            code = await github_login.request_device_code(client, web, args.client_id)
            console = out_console()
            console.print(Text(f"Open {code.verification_uri} and type this code:"))
            console.print(Text(code.user_code, style="bold"))
            console.print(Text("Waiting for GitHub..."))
            return await github_login.poll_for_token(client, web, args.client_id, code)

    try:
        token = asyncio.run(device_flow())
    except NetworkError as error:
        raise CliError(f"GitHub refused the sign-in: {error}") from None
    settings["client_id"] = args.client_id
    return _verify_and_save(args, "github", None, settings, {"access_token": token})


def run_add_reddit(args: argparse.Namespace) -> int:
    from cm_inbox.networks import reddit, reddit_login

    client_id = args.client_id.strip()
    settings = {"client_id": client_id}
    # The API and login hosts only move for a sandbox (hidden options).
    if args.api:
        settings["api"] = _url(args.api, "--api")
    if args.auth:
        settings["auth"] = _url(args.auth, "--auth")
    auth_base = settings.get("auth", reddit_login.AUTH_BASE)
    if args.token_stdin:
        token = _read_secret_from_stdin("refresh token")
        return _verify_and_save(args, "reddit", None, settings, {"refresh_token": token})
    if not sys.stdin.isatty():
        raise CliError("the sign-in needs a terminal; pass a refresh token with --token-stdin")
    state = reddit.new_state()
    console = out_console()
    console.print(Text("Open this page, sign in as the brand account and allow cm-inbox:"))
    console.print(
        Text(reddit.authorize_url(client_id, state, port=args.port, auth_base=auth_base), "bold")
    )
    console.print(Text(f"Waiting for Reddit to send the browser back to port {args.port}…"))

    async def login() -> dict:
        code = await reddit.wait_for_code(state, port=args.port)
        async with make_client() as client:
            return await reddit.exchange_code(
                client, client_id, code, port=args.port, auth_base=auth_base
            )

    try:
        tokens = asyncio.run(login())
    except OSError as error:
        raise CliError(f"cannot listen on port {args.port}: {error.strerror}") from None
    except NetworkError as error:
        raise CliError(f"Reddit refused the login: {error}") from None
    refresh_token = tokens.get("refresh_token")
    if not isinstance(refresh_token, str) or not refresh_token:
        raise CliError("Reddit gave no refresh token; nothing was saved")
    secrets = {"refresh_token": refresh_token, "access_token": str(tokens["access_token"])}
    return _verify_and_save(args, "reddit", None, settings, secrets)


# -- list, remove, test --------------------------------------------------------------


def _account_dict(account: ConnectedAccount) -> dict:
    return {
        "name": account.name,
        "network": account.network,
        "handle": account.handle,
        "server": account.settings.get("instance")
        or account.settings.get("pds")
        or account.settings.get("api")
        or account.settings.get("site"),
        "needs_login": account.login_problem is not None,
        "login_problem": account.login_problem,
        "last_sync_at": account.last_sync_at,
        "last_error": account.last_error,
        "comments": account.comment_count,
        **({"quota": _quota(account)} if account.network == "youtube" else {}),
    }


def _quota(account: ConnectedAccount) -> str | None:
    """YouTube's units left today, from the ledger the connector keeps (no network call)."""
    from cm_inbox.networks.youtube_quota import DAILY_UNITS, Quota

    try:
        limit = int(account.settings.get("quota_per_day") or DAILY_UNITS)
        ledger = SecretStore().account(account.network, account.name)
        return Quota(ledger, time.time, limit).status()
    except (SecretsError, ValueError):
        return None


def run_list_accounts(args: argparse.Namespace) -> int:
    path = db_path(args)
    if not path.exists():
        accounts: list[ConnectedAccount] = []
    else:
        with open_store(path) as store:
            accounts = store.connected_accounts(with_counts=True)
    if args.json:
        sys.stdout.write(json.dumps([_account_dict(a) for a in accounts], indent=1) + "\n")
        return 0
    console = out_console()
    if not accounts:
        console.print(Text(f"No account connected yet. `{PROG} accounts add mastodon|bluesky ...`"))
        return 0
    table = Table(box=None, header_style="bold")
    for column in ("name", "network", "handle", "server", "comments", "last sync", "state"):
        table.add_column(column)
    for account in accounts:
        state = (
            Text(f"needs a new login: {account.login_problem}", style="red")
            if account.login_problem
            else Text(account.last_error or "ok", style="yellow" if account.last_error else "green")
        )
        quota = _quota(account) if account.network == "youtube" else None
        if quota:
            state.append(f" · {quota}", style="dim")
        table.add_row(
            Text(account.name),
            rules_for(account.network).label,
            Text("@" + (account.handle or "?")),
            Text(_account_dict(account)["server"] or ""),
            f"{account.comment_count:,}",
            ago(account.last_sync_at) if account.last_sync_at else "never",
            state,
        )
    console.print(table)
    console.print(Text(f"Secrets are kept in {SecretStore().where}.", style="dim"))
    return 0


def _find(args: argparse.Namespace, store) -> ConnectedAccount:
    found = [
        a
        for a in store.accounts_named(args.name)
        if a.connected and (args.network is None or a.network == args.network)
    ]
    if not found:
        raise CliError(f"no connected account named {args.name!r} (`{PROG} accounts list`)")
    if len(found) > 1:
        networks = ", ".join(a.network for a in found)
        raise CliError(f"{args.name!r} is on {networks}; say which with --network", code=2)
    return found[0]


def run_remove(args: argparse.Namespace) -> int:
    with open_store(db_path(args)) as store:
        account = _find(args, store)
        try:
            SecretStore().remove(account.network, account.name)
        except SecretsError as error:
            raise CliError(str(error)) from None
        store.disconnect_account(account.id)
    out_console().print(
        Text(f"Disconnected {account.name} ({account.network}); its comments stay in the inbox.")
    )
    return 0


def run_test(args: argparse.Namespace) -> int:
    with open_store(db_path(args)) as store:
        account = _find(args, store)
        secrets = SecretStore().account(account.network, account.name)
        label = rules_for(account.network).label
        try:
            who = asyncio.run(_verify(account, secrets))
        except NetworkError as error:
            err_console().print(Text(f"{label} answered: {error}", style="red"))
            return 1
        store.set_login_problem(account.id, None)
    out_console().print(Text(f"{label} answered: logged in as {who}", style="green"))
    return 0


async def _verify(account: ConnectedAccount, secrets) -> str:
    async with make_client() as client:
        info = AccountInfo(account.network, account.name, account.handle, account.settings)
        return await connector_class(account.network)(info, secrets, client).verify()
