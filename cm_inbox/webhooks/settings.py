"""``[escalation.webhooks.TEAM]``: where each team's chat takes incoming messages.

A webhook URL is a secret: whoever holds it can post in the team's channel. So
it never enters the database, the log, an error message or a screen; they
name its host only. Each team's URL comes from one of three places:

- ``url = "https://…"`` in config.toml itself: the simplest, and cm-inbox warns
  when the file is readable by other users;
- ``url_env = "NAME"``: an environment variable, for a config.toml kept in a
  dotfiles repository or shared with colleagues, the secret coming from a
  password manager (``op run``), a systemd credential or the shell profile;
- ``url_secret = true``: cm-inbox's own secret store (the OS keyring, else its
  owner-only file), filled with ``cm-inbox escalations webhook TEAM
  --url-stdin``, the same place as the accounts' tokens.

The environment and the secret store are read when a message goes out, not at
start-up (finding the keyring costs a fifth of a second). Plain ``http://`` is
refused except to this machine: it would send the secret in clear.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

FORMATS: tuple[str, ...] = ("slack", "mattermost", "discord")
KEYS: tuple[str, ...] = ("url", "url_env", "url_secret", "format")
# Discord's own webhook hosts; any other URL gets the Slack shape, which
# Mattermost (and most chats with "Slack-compatible" webhooks) accept too.
DISCORD_HOSTS = frozenset(
    {"discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"}
)
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SECRET_NETWORK = "webhook"  # secret store entries are "webhook:<team>", key "url"


class ProblemSink(Protocol):
    """Where config mistakes go: ``add`` names the file and the line of ``key_path``."""

    def add(self, key_path: tuple[str, ...], message: str) -> None: ...


class WebhookUnavailable(Exception):
    """No URL can be had for a team right now; the message says why, never the URL."""


@dataclass(frozen=True)
class Webhook:
    """One team's webhook, as config.toml describes it (the URL or where to find it)."""

    team: str
    format: str | None = None  # None: Discord's shape for Discord's hosts, else Slack's
    url: str | None = field(default=None, repr=False)
    url_env: str | None = None
    url_secret: bool = False

    @property
    def source(self) -> str:
        """Where the URL comes from, in words safe to show."""
        if self.url is not None:
            return f"config.toml ({host_of(self.url)})"
        if self.url_env is not None:
            return f"${self.url_env}"
        return "the secret store"

    def __repr__(self) -> str:  # a traceback must not show the URL either
        return f"Webhook(team={self.team!r}, format={self.format!r}, source={self.source!r})"


def host_of(url: str) -> str:
    """The host of a webhook URL: all of it that may be shown."""
    try:
        return urlsplit(url).hostname or "an unreadable address"
    except ValueError:
        return "an unreadable address"


def format_for(webhook: Webhook, url: str) -> str:
    """The message shape to send: the configured one, else guessed from the host."""
    if webhook.format is not None:
        return webhook.format
    return "discord" if host_of(url) in DISCORD_HOSTS else "slack"


def check_url(value: Any) -> str:
    """The URL when it can carry a webhook; ValueError saying why otherwise (never
    quoting it: a half-typed secret is still a secret)."""
    if not isinstance(value, str):
        raise ValueError(f"must be a URL in quotes, not {_type_name(value)}")
    url = value.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise ValueError("is not a URL that can be read") from None
    if parts.scheme not in ("https", "http") or not host:
        raise ValueError('must start with "https://" and name a host')
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise ValueError(f"contains spaces or control characters (host {host})")
    if parts.scheme == "http" and not _is_loopback(host):
        raise ValueError(
            f'must use "https://": plain http would send the secret URL to {host} in clear'
            " (http is allowed to this machine only)"
        )
    return url


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    import ipaddress  # only for an http:// URL: start-up need not pay for it

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


SecretLookup = Callable[[str], "str | None"]


def resolve_url(
    webhook: Webhook,
    *,
    env: Mapping[str, str] | None = None,
    secret: SecretLookup | None = None,
) -> str:
    """The team's webhook URL now; WebhookUnavailable when it cannot be had."""
    if webhook.url is not None:
        return webhook.url
    if webhook.url_env is not None:
        value = (os.environ if env is None else env).get(webhook.url_env, "")
        if not value.strip():
            raise WebhookUnavailable(
                f"the environment variable {webhook.url_env} (the URL for {webhook.team}) is not set"
            )
        where = f"${webhook.url_env}"
    else:
        value = (secret(webhook.team) if secret is not None else None) or ""
        if not value.strip():
            raise WebhookUnavailable(
                f"no URL for {webhook.team} in the secret store"
                f" (`cm-inbox escalations webhook {webhook.team} --url-stdin` stores one)"
            )
        where = "the secret store"
    try:
        return check_url(value)
    except ValueError as error:
        raise WebhookUnavailable(f"the URL for {webhook.team} in {where} {error}") from None


# --- reading config.toml ---------------------------------------------------------


def parse_webhooks(
    raw: Any, teams: Sequence[str], problems: ProblemSink, path: Path | None = None
) -> dict[str, Webhook]:
    """``[escalation] webhooks`` as {team: Webhook}; every mistake goes to ``problems``
    with its line, and only the team at fault goes without a webhook."""
    section = ("escalation", "webhooks")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.add(
            section,
            '"webhooks" in [escalation] must be a table per team, such as'
            f" [escalation.webhooks.support], not {_type_name(raw)}; no webhooks",
        )
        return {}
    hooks: dict[str, Webhook] = {}
    for team, entry in raw.items():
        where = f"[escalation.webhooks.{toml_key(team)}]"
        if team not in teams:
            close = difflib.get_close_matches(team, list(teams), n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            problems.add(
                (*section, team),
                f'{where}: "{team}" is not one of the teams in [escalation] teams{hint};'
                " this webhook is ignored",
            )
            continue
        if isinstance(entry, str):
            entry = {"url": entry}  # the short form: support = "https://…"
        if not isinstance(entry, dict):
            problems.add(
                (*section, team),
                f"{where} must be a table (url or url_env or url_secret, and format),"
                f" not {_type_name(entry)}; {team} gets no webhook",
            )
            continue
        hook = _webhook(team, entry, problems, (*section, team), where)
        if hook is not None:
            hooks[team] = hook
    if path is not None and any(hook.url is not None for hook in hooks.values()):
        _warn_if_readable(path, problems, section)
    return hooks


def _webhook(
    team: str,
    entry: dict[str, Any],
    problems: ProblemSink,
    key_path: tuple[str, ...],
    where: str,
) -> Webhook | None:
    for key in entry:
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            problems.add((*key_path, key), f'unknown key "{key}" in {where}{hint}')
    sources = [key for key in ("url", "url_env", "url_secret") if key in entry]
    if entry.get("url_secret") is False:
        sources.remove("url_secret")
    if len(sources) != 1:
        said = "needs one of" if not sources else "takes only one of"
        problems.add(
            key_path if not sources else (*key_path, sources[1]),
            f"{where} {said} url, url_env or url_secret = true; {team} gets no webhook",
        )
        return None
    url = url_env = None
    url_secret = False
    source = sources[0]
    value = entry[source]
    try:
        if source == "url":
            url = check_url(value)
        elif source == "url_env":
            if not isinstance(value, str) or not _ENV_NAME.match(value.strip()):
                raise ValueError('must name an environment variable, such as "SUPPORT_WEBHOOK"')
            url_env = value.strip()
        else:
            if value is not True:
                raise ValueError(f"must be true or false, not {_type_name(value)}")
            url_secret = True
    except ValueError as error:
        problems.add((*key_path, source), f'"{source}" in {where} {error}; {team} gets no webhook')
        return None
    shape: str | None = None
    if "format" in entry:
        raw_format = entry["format"]
        wanted = raw_format.strip().lower() if isinstance(raw_format, str) else None
        if wanted in FORMATS:
            shape = wanted
        else:
            listed = ", ".join(f'"{name}"' for name in FORMATS)
            shown = f'"{raw_format}"' if isinstance(raw_format, str) else _type_name(raw_format)
            problems.add(
                (*key_path, "format"),
                f'"format" in {where} must be one of {listed}, not {shown};'
                " guessing from the URL's host",
            )
    return Webhook(team=team, format=shape, url=url, url_env=url_env, url_secret=url_secret)


def _warn_if_readable(path: Path, problems: ProblemSink, section: tuple[str, ...]) -> None:
    try:
        mode = path.stat().st_mode & 0o077
    except OSError:
        return
    if mode and os.name == "posix":
        problems.add(
            section,
            f"{path} holds a webhook URL, a secret, and other users can read it:"
            f" run `chmod 600 {path}`, or use url_env or url_secret instead",
        )


def toml_key(name: str) -> str:
    """A team name as a TOML table key: bare when it can be, quoted otherwise."""
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else f'"{name}"'


def _type_name(value: object) -> str:
    names = {str: "a string", bool: "true/false", int: "a number", float: "a number"}
    names |= {list: "a list", dict: "a table"}
    return names.get(type(value), f"a {type(value).__name__}")
