"""The user's config.toml, read into typed settings without ever refusing to start.

A mistake in the file (bad TOML, an unknown key, a wrong type or value) becomes a
message in ``Config.problems`` naming the file, the line and the key, and that one
setting keeps its default: a typo in ``[snooze]`` must not cost the user their
keymap. tomllib reports no line numbers for keys, so ``toml_key_lines`` finds them
by scanning the text.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cm_inbox import paths
from cm_inbox.response_config import AlertSettings, TargetSettings, read_alerts, read_targets
from cm_inbox.triage_rules.ruleset import RuleSet

if TYPE_CHECKING:
    from cm_inbox.brand import BrandBook
    from cm_inbox.check_settings import CheckSettings
    from cm_inbox.watches import Watch
    from cm_inbox.webhooks.settings import Webhook

SortOrder = Literal["newest", "oldest", "priority"]
SORT_ORDERS: tuple[SortOrder, ...] = ("newest", "oldest", "priority")
DEFAULT_THEME = "cm-dark"
DEFAULT_TEAMS: tuple[str, ...] = ("support", "product", "legal", "press")

# English and French names and abbreviations, Monday = 0 as in datetime.weekday().
WEEKDAY_NAMES: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("monday", "mon", "lundi", "lun"),
        ("tuesday", "tue", "tues", "mardi", "mar"),
        ("wednesday", "wed", "mercredi", "mer"),
        ("thursday", "thu", "thur", "thurs", "jeudi", "jeu"),
        ("friday", "fri", "vendredi", "ven"),
        ("saturday", "sat", "samedi", "sam"),
        ("sunday", "sun", "dimanche", "dim"),
    )
):
    WEEKDAY_NAMES.update(dict.fromkeys(_names, _number))


@dataclass(frozen=True)
class UISettings:
    """``[ui]``: how the app looks when it starts."""

    theme: str = DEFAULT_THEME
    sort: SortOrder = "priority"


@dataclass(frozen=True)
class EscalationSettings:
    """``[escalation]``: the teams a comment can be handed to."""

    teams: tuple[str, ...] = DEFAULT_TEAMS
    # [escalation.webhooks.TEAM]: the teams whose chat hears of each escalation.
    webhooks: Mapping[str, Webhook] = field(default_factory=dict)


@dataclass(frozen=True)
class SnoozeSettings:
    """``[snooze]``: what "this evening", "tomorrow" and "next week" mean."""

    morning: time = time(9, 0)
    evening: time = time(18, 0)
    week_starts: int = 0  # datetime.weekday() numbering: Monday = 0


def local_zone() -> tuple[str, tzinfo]:
    """The machine's zone as (name, tzinfo), preferring a real IANA zone so DST works.

    ``datetime.now().astimezone()`` only gives today's fixed offset, which is wrong
    for a snooze that crosses a DST change, so look for the zone's name first.
    """
    candidates: list[str] = []
    env = os.environ.get("TZ", "").lstrip(":")
    if env:
        candidates.append(env.split("zoneinfo/", 1)[-1])
    with contextlib.suppress(OSError, IndexError):
        candidates.append(os.path.realpath("/etc/localtime").split("zoneinfo/", 1)[1])
    with contextlib.suppress(OSError, UnicodeDecodeError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    for name in candidates:
        zone = _zone(name)
        if zone is not None:
            return name, zone
    fixed = datetime.now().astimezone().tzinfo
    assert fixed is not None  # astimezone() always returns an aware datetime
    return str(fixed), fixed


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _local_name() -> str:
    return local_zone()[0]


def _local_tz() -> tzinfo:
    return local_zone()[1]


@dataclass(frozen=True)
class SyncSettings:
    """``[sync]``: how often the app syncs on its own, and how long a sent reply can be undone."""

    every_minutes: int = 5  # 0: only when asked (R, `cm-inbox sync`)
    undo_seconds: int = 10
    # A reply that failed for a passing reason is tried again after this, doubling
    # up to retry_max_seconds (with jitter); an offline account is retried as often.
    retry_seconds: int = 30
    retry_max_seconds: int = 900
    # How long one request to a network may take before it is given up.
    timeout_seconds: int = 15


@dataclass(frozen=True)
class Config:
    """Every setting, already validated; ``problems`` says what was wrong in the file."""

    path: Path | None = None
    ui: UISettings = field(default_factory=UISettings)
    keymap: dict[str, str] = field(default_factory=dict)
    escalation: EscalationSettings = field(default_factory=EscalationSettings)
    snooze: SnoozeSettings = field(default_factory=SnoozeSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    timezone: str = field(default_factory=_local_name)
    tz: tzinfo = field(default_factory=_local_tz)
    rules: RuleSet = field(default_factory=RuleSet)  # [[rules]], see cm_inbox.triage_rules
    targets: TargetSettings = field(default_factory=TargetSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    problems: list[str] = field(default_factory=list)
    watches: tuple[Watch, ...] = ()  # [[watches]]: see cm_inbox.watches
    # The composer's: the brand book and the draft checks ([brand] and [checks],
    # or brand.toml beside the file), read by cm_inbox.composer_config. None
    # until read; ``brand`` and ``checks`` are the defaults meanwhile. The TUI
    # reads them after its first frame: their modules took 6-12 ms of the wait
    # for the queue.
    composer: tuple[BrandBook, CheckSettings] | None = None

    @property
    def brand(self) -> BrandBook:
        return (self.composer or _composer_defaults())[0]

    @property
    def checks(self) -> CheckSettings:
        return (self.composer or _composer_defaults())[1]


@functools.cache
def _composer_defaults() -> tuple[BrandBook, CheckSettings]:
    # Imported here: those modules import this one.
    from cm_inbox.brand import BrandBook
    from cm_inbox.check_settings import CheckSettings

    return BrandBook(), CheckSettings()


DEFAULT_CONFIG_TEXT = """\
# cm-inbox settings. Lines starting with "#" are comments: remove the "#" in
# front of a setting to change it. Any mistake is reported when the app starts
# and that one setting keeps its default.

[ui]
# theme = "cm-dark"        # cm-dark, cm-light, cm-high-contrast, or a theme file
#                          # of your own in the themes folder of cm-inbox's data folder
# sort = "priority"        # priority (then oldest first), newest or oldest

[keys]
# Rebind any key by its binding id; several keys are separated by commas.
# Binding ids: next, previous, top, bottom, page_down, page_up, focus_thread,
# reply, escalate, done, snooze, labels, spam, hide, select, select_all, undo, search,
# filter, sort, clear, view_inbox, view_escalated, view_snoozed, view_outbox,
# view_handled, view_spam, view_all, view_unanswered, stats, dismiss_alert, help, quit;
# in the Escalated view: answer, note, close, resend.
# reply = "r"
# escalate = "e"
# done = "d"
# hide = "H"               # hide on the network (Reddit, YouTube, Discourse, GitHub)
# snooze = "s"
# undo = "u"
# search = "/"

[escalation]
# teams = ["support", "product", "legal", "press"]
#
# A team's chat can hear of each escalation through an incoming webhook
# (Slack, Mattermost or Discord). The URL is a secret: give it here, or name an
# environment variable (url_env), or keep it in the keyring (url_secret = true,
# then `cm-inbox escalations webhook support --url-stdin`).
# [escalation.webhooks.support]
#   url_env = "SUPPORT_WEBHOOK"
#   format = "slack"       # slack, mattermost or discord

[snooze]
# morning = "09:00"        # "tomorrow" and a date without a time mean this time
# evening = "18:00"        # "this evening"
# week_starts = "monday"   # "next week" starts on this day

[sync]
# every_minutes = 5        # background sync in the app; 0 syncs only when you press R
# undo_seconds = 10        # a queued reply waits this long before it may go (u undoes it),
#                          # and a ! H d key before the network hears of it
# retry_seconds = 30       # a failed reply is retried after this, doubling each time...
# retry_max_seconds = 900  # ...up to this
# timeout_seconds = 15     # one request to a network may take this long

[time]
# timezone = "Europe/Paris"  # an IANA zone name; by default the machine's own zone

# The brand book (voice, greetings, words to avoid, links): a [brand] section
# here, or a brand.toml beside this file. See the README, "Brand book".

[checks]
# Each check a reply goes through before it is queued: "warn", "block" or "off".
# avoid_word = "warn"        # a word the brand book says to avoid
# missing_greeting = "warn"  # where the brand book requires one
# wrong_language = "warn"    # the reply is not in the comment's language
# shouting = "warn"          # ALL CAPS, or a pile of "!"
# foreign_link = "block"     # a link outside the brand book's allowed domains
# unknown_variable = "block" # a template {variable} left unfilled
# same_as_recent = "warn"    # near-identical to replies of the last days
# similar_percent = 85       # ...this similar or more
# similar_days = 30          # ...over this many days
[targets]
# Time to a first response, per priority tier; the queue marks what is at risk
# (past 75 %) or breached. "off" for no target.
# urgent = "1h"            # priority 75 and up
# high = "4h"              # 50 and up
# normal = "24h"           # 25 and up
# low = "72h"              # below 25
# business_hours = "09:00-18:00"  # count only these hours (in the [time] zone)...
# business_days = "mon-fri"       # ...on these days

[alerts]
# spike_factor = 3.0       # alert when the last hour's negative comments exceed
#                          # the hourly average by this factor...
# spike_minimum = 5        # ...and number at least this many
# baseline = "7d"          # the window that average is taken over
"""


def write_default_config(path: Path | None = None) -> bool:
    """Write ``DEFAULT_CONFIG_TEXT`` to ``path`` unless a file is already there.

    Returns True when the file was written. Never overwrites: the user's own
    file, comments and all, always wins. An unwritable folder raises OSError, for
    the caller (``cm-inbox config --init`` or the like) to report.
    """
    path = paths.config_path() if path is None else path
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as file:
            file.write(DEFAULT_CONFIG_TEXT)
    except FileExistsError:
        return False
    return True


# --- finding the line of a key ------------------------------------------------

_BARE = r"[A-Za-z0-9_-]+"
_BASIC = r'"(?:[^"\\]|\\.)*"'
_LITERAL = r"'[^']*'"
_KEY = rf"(?:{_BARE}|{_BASIC}|{_LITERAL})"
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER_RE = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED})\s*\]\]?")
_ASSIGN_RE = re.compile(rf"^\s*({_DOTTED})\s*=")


def _key_path(dotted: str) -> tuple[str, ...] | None:
    """Let tomllib itself decode a dotted, possibly quoted, key into its parts."""
    try:
        node: Any = tomllib.loads(f"{dotted} = 0")
    except tomllib.TOMLDecodeError:
        return None
    parts: list[str] = []
    while isinstance(node, dict) and len(node) == 1:
        ((name, node),) = node.items()
        parts.append(name)
    return tuple(parts)


def toml_key_lines(text: str) -> dict[tuple[str | int, ...], int]:
    """Map each table and key path in a TOML text to its 1-based line number.

    ``[ui]`` gives ``("ui",)``, ``theme = …`` under it ``("ui", "theme")``, and a
    top-level ``ui.theme = …`` the same. In an array of tables each entry is also
    found by its index: ``name`` in the second ``[[rules]]`` gives
    ``("rules", 1, "name")``. Keys inside inline tables are not found;
    callers fall back to the nearest enclosing path. Multi-line strings are skipped
    so their content is never taken for keys.
    """
    lines: dict[tuple[str | int, ...], int] = {}
    table: tuple[str, ...] = ()
    indexed: tuple[str | int, ...] = ()
    arrays: dict[tuple[str | int, ...], int] = {}  # array of tables -> index of its last entry
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string is not None:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        header = _HEADER_RE.match(line)
        if header:
            parts = _key_path(header.group(2))
            if parts is not None:
                table = parts
                indexed = _in_arrays(parts[:-1], arrays) + parts[-1:]
                if header.group(1) == "[[":
                    arrays[indexed] = arrays.get(indexed, -1) + 1
                    indexed += (arrays[indexed],)
                for path in (parts, indexed):
                    for end in range(1, len(path) + 1):
                        lines.setdefault(path[:end], number)
            continue
        assign = _ASSIGN_RE.match(line)
        if assign:
            parts = _key_path(assign.group(1))
            if parts is not None:
                for path in (table + parts, indexed + parts):
                    for end in range(1, len(path) + 1):
                        lines.setdefault(path[:end], number)
            rest = line[assign.end() :]
            for quotes in ('"""', "'''"):
                if rest.count(quotes) % 2 == 1:
                    in_string = quotes
                    break
    return lines


def _in_arrays(
    parts: tuple[str, ...], arrays: dict[tuple[str | int, ...], int]
) -> tuple[str | int, ...]:
    """``parts`` with the index of the current entry after each array of tables it crosses."""
    path: tuple[str | int, ...] = ()
    for part in parts:
        path += (part,)
        if path in arrays:
            path += (arrays[path],)
    return path


# --- reading and validating ---------------------------------------------------


class _Problems:
    """Collects messages that name the file and the line of the key at fault."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = toml_key_lines(text)
        self._found: list[tuple[int, str]] = []

    def line_of(self, key_path: tuple[str | int, ...]) -> int | None:
        for end in range(len(key_path), 0, -1):
            if key_path[:end] in self.lines:
                return self.lines[key_path[:end]]
        return None

    def add(self, key_path: tuple[str | int, ...], message: str) -> None:
        line = self.line_of(key_path)
        where = f"{self.path}, line {line}" if line is not None else str(self.path)
        self._found.append((line or 0, f"{where}: {message}"))

    def add_found(self, found: Iterable[tuple[int, str]]) -> None:
        """Messages already naming their file and line, with the line to order them by."""
        self._found.extend(found)

    @property
    def messages(self) -> list[str]:
        """The messages in the order of the file, as the user will fix them."""
        return [message for _, message in sorted(self._found, key=lambda found: found[0])]


def _type_name(value: object) -> str:
    names = {
        str: "a string",
        bool: "true/false",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "a table",
        time: "a time",
        datetime: "a date-time",
    }
    return names.get(type(value), f"a {type(value).__name__}")


def _did_you_mean(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _where(section: str, key: str) -> str:
    return f'"{key}" in [{section}]'


Checker = Callable[[Any], Any]  # returns the parsed value or raises ValueError(reason)


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, not {_type_name(value)}")
    return value


def _choice(choices: Iterable[str]) -> Checker:
    allowed = tuple(choices)

    def check(value: Any) -> str:
        text = _string(value).strip().lower()
        if text not in allowed:
            listed = ", ".join(f'"{c}"' for c in allowed)
            raise ValueError(f'must be one of {listed}, not "{value}"')
        return text

    return check


def _non_empty(value: Any) -> str:
    text = _string(value).strip()
    if not text:
        raise ValueError("must not be empty")
    return text


_CLOCK_RE = re.compile(r"^(\d{1,2}):(\d{2})$")


def _clock_time(value: Any) -> time:
    # A bare TOML local time (morning = 09:00) is as clear as the string form.
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    match = _CLOCK_RE.match(_string(value).strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(f'must be a time such as "09:00", not "{value}"')
    return time(int(match.group(1)), int(match.group(2)))


def _weekday(value: Any) -> int:
    text = _string(value).strip().lower()
    if text not in WEEKDAY_NAMES:
        raise ValueError(f'must be a day of the week such as "monday", not "{value}"')
    return WEEKDAY_NAMES[text]


def _whole(low: int, high: int) -> Checker:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"expected a whole number, got {_type_name(value)}")
        if not low <= value <= high:
            raise ValueError(f"expected {low} to {high}, got {value}")
        return value

    return check


def _teams(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError(f'must be a list such as ["support", "press"], not {_type_name(value)}')
    teams: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            shown = f'"{item}"' if isinstance(item, str) else _type_name(item)
            raise ValueError(f"must list team names as non-empty strings, not {shown}")
        if item.strip() not in teams:
            teams.append(item.strip())
    if not teams:
        raise ValueError("must list at least one team")
    return tuple(teams)


def _keys(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f'must be a string of keys such as "r" or "r,R", not {_type_name(value)}')
    keys = [part.strip() for part in value.split(",")]
    if not value.strip() or not all(keys):
        raise ValueError(f'must be keys separated by commas, such as "r" or "r,R", not "{value}"')
    return ",".join(keys)


def _shown(value: Any, key: str = "") -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    if isinstance(value, time):
        return f'"{value:%H:%M}"'
    if isinstance(value, int) and key == "week_starts":
        return f'"{next(n for n, d in WEEKDAY_NAMES.items() if d == value)}"'
    if isinstance(value, int):
        return str(value)
    if value == "":
        return "the local zone"
    return f'"{value}"'


# section -> key -> (checker, default)
_SCHEMA: dict[str, dict[str, tuple[Checker, Any]]] = {
    "ui": {
        "theme": (_non_empty, DEFAULT_THEME),
        "sort": (_choice(SORT_ORDERS), "priority"),
    },
    # webhooks: checked team by team in cm_inbox.webhooks.settings (it needs the teams).
    "escalation": {"teams": (_teams, DEFAULT_TEAMS), "webhooks": (lambda raw: raw, None)},
    "snooze": {
        "morning": (_clock_time, time(9, 0)),
        "evening": (_clock_time, time(18, 0)),
        "week_starts": (_weekday, 0),
    },
    "sync": {
        "every_minutes": (_whole(0, 24 * 60), 5),
        "undo_seconds": (_whole(0, 600), 10),
        "retry_seconds": (_whole(1, 3600), 30),
        "retry_max_seconds": (_whole(1, 24 * 3600), 900),
        "timeout_seconds": (_whole(1, 300), 15),
    },
    "time": {"timezone": (_string, "")},
}
_SECTIONS = (*_SCHEMA, "keys", "rules", "watches", "brand", "checks", "targets", "alerts")


def _section(data: Mapping[str, Any], name: str, problems: _Problems) -> dict[str, Any]:
    """The checked values of one fixed-key section, defaults for whatever was wrong."""
    values = {key: default for key, (_, default) in _SCHEMA[name].items()}
    raw = data.get(name, {})
    if not isinstance(raw, dict):
        problems.add((name,), f'"{name}" must be a table ([{name}]), not {_type_name(raw)}')
        return values
    for key, value in raw.items():
        if key not in _SCHEMA[name]:
            hint = _did_you_mean(key, _SCHEMA[name])
            problems.add((name, key), f'unknown key "{key}" in [{name}]{hint}')
            continue
        checker, default = _SCHEMA[name][key]
        try:
            values[key] = checker(value)
        except ValueError as error:
            problems.add((name, key), f"{_where(name, key)} {error}; using {_shown(default, key)}")
    return values


def _keymap(data: Mapping[str, Any], problems: _Problems) -> dict[str, str]:
    raw = data.get("keys", {})
    if not isinstance(raw, dict):
        problems.add(("keys",), f'"keys" must be a table ([keys]), not {_type_name(raw)}')
        return {}
    keymap: dict[str, str] = {}
    for binding_id, value in raw.items():
        try:
            keymap[binding_id] = _keys(value)
        except ValueError as error:
            problems.add(("keys", binding_id), f"{_where('keys', binding_id)} {error}; ignored")
    return keymap


def _read(path: Path) -> tuple[str | None, str | None]:
    """The file's text, or None and the reason it can't be used."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as error:
        return None, f"{path}: can't read the file ({error.strerror or error}); using the defaults"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, f"{path}, line {line}: the file is not UTF-8 text; using the defaults"


_TOML_ERROR_RE = re.compile(r"^(.*?)\s*\(at line (\d+), column (\d+)\)$")


def load_config(path: Path | None = None, *, composer: bool = True) -> Config:
    """Read and validate the config file; never raises for a mistake in it.

    The composer's ``[brand]`` and ``[checks]`` (or brand.toml beside the file)
    are read by ``cm_inbox.composer_config``, their problems added to the rest;
    with ``composer=False`` they are not read (``with_composer_settings`` reads
    them later).

    ``path`` defaults to ``cm_inbox.paths.config_path()``. A missing file gives the
    defaults. Each problem found becomes a message in ``Config.problems`` and the
    setting concerned keeps its default while the rest of the file still applies;
    a TOML syntax error means defaults for everything.
    """
    path = paths.config_path() if path is None else path
    config = _load_config(path)
    if not composer:
        return config
    from cm_inbox.composer_config import with_composer_settings

    return with_composer_settings(config)


def _load_config(path: Path) -> Config:
    text, error = _read(path)
    if text is None:
        return Config(path=path, problems=[error] if error else [])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as syntax:
        match = _TOML_ERROR_RE.match(str(syntax))
        if match:
            reason, line, column = match.groups()
            message = f"{path}, line {line}: invalid TOML: {reason} (column {column})"
        else:
            message = f"{path}: invalid TOML: {syntax}"
        return Config(path=path, problems=[f"{message}; using the defaults"])

    problems = _Problems(path, text)
    for name, value in data.items():
        if name not in _SECTIONS:
            if isinstance(value, dict):
                hint = _did_you_mean(name, _SECTIONS)
                problems.add((name,), f"unknown section [{name}]{hint}")
            else:
                problems.add(
                    (name,),
                    f'unknown key "{name}" outside any section '
                    "(settings go under a header such as [ui])",
                )

    ui = _section(data, "ui", problems)
    escalation = _section(data, "escalation", problems)
    snooze = _section(data, "snooze", problems)
    sync = _section(data, "sync", problems)
    time_section = _section(data, "time", problems)
    keymap = _keymap(data, problems)
    rules = RuleSet()
    if "rules" in data:
        # The parser and what a rule is made of: only for a config that has rules.
        from cm_inbox.triage_rules.parsing import parse_rules

        rules = parse_rules(data["rules"], problems, teams=escalation["teams"])
    watches: tuple[Watch, ...] = ()
    if "watches" in data:
        # Like the rules' parser: loaded only for a config that has watches.
        from cm_inbox.watches.config import read_watches

        watches, watch_problems = read_watches(data["watches"], text, path)
        problems.add_found(watch_problems)
    webhooks: dict[str, Webhook] = {}
    if escalation["webhooks"] is not None:
        from cm_inbox.webhooks.settings import parse_webhooks

        webhooks = parse_webhooks(escalation["webhooks"], escalation["teams"], problems, path)
    targets = read_targets(data.get("targets", {}), problems.add)
    alerts = read_alerts(data.get("alerts", {}), problems.add)

    zone_name, zone = local_zone()
    wanted = time_section["timezone"].strip()
    if wanted and wanted.lower() != "local":
        found = _zone(wanted)
        if found is None:
            problems.add(
                ("time", "timezone"),
                f'{_where("time", "timezone")}: unknown time zone "{wanted}" '
                f'(use a name such as "Europe/Paris"); using the local zone {zone_name}',
            )
        else:
            zone_name, zone = wanted, found

    return Config(
        path=path,
        ui=UISettings(theme=ui["theme"], sort=cast(SortOrder, ui["sort"])),
        keymap=keymap,
        escalation=EscalationSettings(
            teams=escalation["teams"],
            webhooks=webhooks,
        ),
        snooze=SnoozeSettings(
            morning=snooze["morning"], evening=snooze["evening"], week_starts=snooze["week_starts"]
        ),
        sync=SyncSettings(
            every_minutes=sync["every_minutes"],
            undo_seconds=sync["undo_seconds"],
            retry_seconds=sync["retry_seconds"],
            retry_max_seconds=max(sync["retry_max_seconds"], sync["retry_seconds"]),
            timeout_seconds=sync["timeout_seconds"],
        ),
        timezone=zone_name,
        tz=zone,
        rules=rules,
        targets=targets,
        alerts=alerts,
        problems=problems.messages,
        watches=watches,
    )
