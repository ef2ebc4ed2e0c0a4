"""`cm-inbox accounts add discourse`: a User API key approved on the forum, or an admin key.

The approval needs no browser redirect: the forum shows the key encrypted to
a key pair made for this one approval, the user pastes it, and only the
decrypted key is kept, in the secret store.
"""

from __future__ import annotations

import argparse
import sys

from rich.text import Text

from cm_inbox.cli.accounts import _read_secret_from_stdin, _url, _verify_and_save
from cm_inbox.cli.common import CliError, out_console
from cm_inbox.networks.base import NetworkError


def run_add_discourse(args: argparse.Namespace) -> int:
    from cm_inbox.networks import discourse_login

    site = _url(args.site, "--site")
    settings = {"site": site}
    username = (args.username or "").strip().lstrip("@")
    if username:
        # An admin key acts as the user named; it is only ever given, never approved here.
        settings["username"] = username
        if args.token_stdin:
            key = _read_secret_from_stdin("API key")
        elif sys.stdin.isatty():
            import getpass

            key = getpass.getpass("Admin API key (not shown): ").strip()
        else:
            raise CliError("no terminal to ask for the API key; use --token-stdin")
        if not key:
            raise CliError("no API key given; nothing was saved")
        return _verify_and_save(args, "discourse", username, settings, {"api_key": key})
    if args.token_stdin:
        key = _read_secret_from_stdin("User API key")
        return _verify_and_save(args, "discourse", None, settings, {"user_api_key": key})
    if not sys.stdin.isatty():
        raise CliError("the approval needs a terminal; pass an existing key with --token-stdin")
    request = discourse_login.new_request(site)
    console = out_console()
    console.print(Text("Open this page, signed in as the brand account, and approve cm-inbox:"))
    console.print(Text(request.authorize_url, style="bold"))
    pasted = input("Then paste the text the forum shows: ").strip()
    if not pasted:
        raise CliError("nothing pasted; nothing was saved")
    try:
        key = request.read_payload(pasted)
    except NetworkError as error:
        raise CliError(str(error)) from None
    settings["client_id"] = request.client_id
    return _verify_and_save(args, "discourse", None, settings, {"user_api_key": key})
