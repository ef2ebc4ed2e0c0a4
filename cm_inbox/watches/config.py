"""``[[watches]]`` entries of config.toml, read into ``Watch`` objects.

A mistake in one entry skips that watch alone, with a message naming the
file, the line and the reason; the other watches (and the rest of the config)
still load. A watch with a typo in ``exclude`` would flood the queue, so a
half-understood entry is never run. tomllib gives no line numbers and the
config's own key finder cannot tell one ``[[watches]]`` table from the next,
so ``entry_lines`` scans the text for them.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cm_inbox.watches.model import HN_API, ONLY_ACCOUNT, Watch

WATCHES = "watches"
MAX_PHRASES = 20  # each is one search per source and sync: rate limits are shared
MAX_HASHTAGS = 10
MAX_FEEDS = 50
MAX_PHRASE_LENGTH = 100
MAX_NAME_LENGTH = 64

_HEADER = re.compile(r"^\s*\[\[\s*watches\s*\]\]\s*(?:#.*)?$")
_OTHER_HEADER = re.compile(r"^\s*\[")
_ASSIGN = re.compile(r"""^\s*([A-Za-z0-9_-]+|"[^"\\]*"|'[^']*')\s*=""")
_TAG = re.compile(r"^\w+$")
_WORD = re.compile(r"\w")

# A problem as config.py keeps them: (line for ordering, full message).
Found = tuple[int, str]


def entry_lines(text: str) -> list[dict[str, int]]:
    """For each ``[[watches]]`` table in order: its header line ("") and each key's line."""
    entries: list[dict[str, int]] = []
    current: dict[str, int] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if _HEADER.match(line):
            current = {"": number}
            entries.append(current)
        elif _OTHER_HEADER.match(line):
            current = None
        elif current is not None:
            assign = _ASSIGN.match(line)
            if assign:
                current.setdefault(assign.group(1).strip("\"'"), number)
    return entries


def read_watches(raw: Any, text: str, path: Path) -> tuple[tuple[Watch, ...], list[Found]]:
    """The valid watches of ``raw`` (the parsed ``watches`` value), and the problems found."""
    problems: list[Found] = []
    if raw is None:
        return (), problems
    lines = entry_lines(text)
    whole = _section_line(text)

    def report(line: int | None, message: str) -> None:
        where = f"{path}, line {line}" if line else str(path)
        problems.append((line or 0, f"{where}: {message}"))

    if not isinstance(raw, list):
        report(whole, "watches must be written as [[watches]] tables (one per brand); ignored")
        return (), problems
    watches: list[Watch] = []
    names: set[str] = set()
    for index, entry in enumerate(raw):
        at = lines[index] if index < len(lines) and len(lines) == len(raw) else {}
        start = at.get("") or whole
        if not isinstance(entry, dict):
            report(start, f"watch {index + 1} must be a table such as [[watches]]; ignored")
            continue
        watch, errors = _entry(entry)
        name = entry.get("name")
        label = f'watch "{name}"' if isinstance(name, str) else f"watch {index + 1}"
        if watch is not None and watch.name.casefold() in names:
            errors.append(("name", f'another watch is already named "{watch.name}"'))
        for key, why in errors:
            report(at.get(key) or start, f"[[watches]] {label}: {why}; this watch is skipped")
        if errors or watch is None:
            continue
        names.add(watch.name.casefold())
        watches.append(watch)
    return tuple(watches), problems


def _section_line(text: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if _HEADER.match(line) or re.match(r"^\s*\[\s*watches\s*\]", line):
            return number
        if re.match(r"^\s*watches\s*=", line):
            return number
    return None


Problem = Callable[[str, str], None]

_KEYS = (
    "name", "terms", "variants", "misspellings", "exclude", "hashtags",
    "mastodon", "bluesky", "feeds", "hackernews",
)  # fmt: skip


def _entry(entry: dict[str, Any]) -> tuple[Watch | None, list[tuple[str, str]]]:
    """One entry checked key by key: the watch, or None and (key, reason) for each problem."""
    errors: list[tuple[str, str]] = []

    def fail(key: str, why: str) -> None:
        errors.append((key, why))

    for key in entry:
        if key not in _KEYS:
            fail(key, f'unknown key "{key}"{_hint(key)}')
    name = _name(entry.get("name"), fail)
    terms = _phrases(entry, "terms", fail, required=True)
    variants = _phrases(entry, "variants", fail)
    misspellings = _phrases(entry, "misspellings", fail)
    exclude = _phrases(entry, "exclude", fail)
    hashtags = _hashtags(entry.get("hashtags"), fail)
    mastodon = _account(entry, "mastodon", fail)
    bluesky = _account(entry, "bluesky", fail)
    feeds = _feeds(entry.get("feeds"), fail)
    hackernews = _hackernews(entry.get("hackernews"), fail)
    if len({p.casefold() for p in (*terms, *variants, *misspellings)}) > MAX_PHRASES:
        fail("terms", f"terms, variants and misspellings add up to more than {MAX_PHRASES}")
    if not errors and not (mastodon or bluesky or feeds or hackernews):
        fail(
            "",
            "it has no source: add mastodon, bluesky, feeds or hackernews "
            '(e.g. mastodon = true, feeds = ["https://blog.example/feed.xml"])',
        )
    if errors or name is None:
        return None, errors
    watch = Watch(
        name=name,
        terms=terms,
        variants=variants,
        misspellings=misspellings,
        exclude=exclude,
        hashtags=hashtags,
        mastodon=mastodon,
        bluesky=bluesky,
        feeds=feeds,
        hackernews=hackernews,
    )
    return watch, errors


def _hint(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, _KEYS, n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _kind(value: Any) -> str:
    names = {str: "a string", bool: "true/false", int: "a number", float: "a number"}
    names.update({list: "a list", dict: "a table"})
    return names.get(type(value), f"a {type(value).__name__}")


def _name(value: Any, fail: Problem) -> str | None:
    if value is None:
        fail("", 'it has no name (name = "the brand")')
        return None
    if not isinstance(value, str) or not value.strip():
        fail("name", f"name must be a non-empty string, not {_kind(value)}")
        return None
    name = " ".join(value.split())
    if len(name) > MAX_NAME_LENGTH or not name.isprintable():
        fail("name", f"name must be printable and at most {MAX_NAME_LENGTH} characters")
        return None
    return name


def _strings(value: Any, key: str, fail: Problem, example: str) -> list[str] | None:
    if not isinstance(value, list):
        fail(key, f"{key} must be a list of strings such as {example}, not {_kind(value)}")
        return None
    found: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            shown = f'"{item}"' if isinstance(item, str) else _kind(item)
            fail(key, f"{key} must list non-empty strings, not {shown}")
            return None
        found.append(" ".join(item.split()))
    return found


def _phrases(
    entry: dict[str, Any], key: str, fail: Problem, *, required: bool = False
) -> tuple[str, ...]:
    value = entry.get(key)
    if value is None:
        if required:
            fail("", f'it has no {key} (e.g. {key} = ["Lumo"])')
        return ()
    phrases = _strings(value, key, fail, '["Lumo", "Lumo app"]')
    if phrases is None:
        return ()
    if required and not phrases:
        fail(key, f"{key} must list at least one word or phrase")
    for phrase in phrases:
        if len(phrase) > MAX_PHRASE_LENGTH:
            fail(key, f'"{phrase[:40]}…" is longer than {MAX_PHRASE_LENGTH} characters')
        elif not _WORD.search(phrase):
            fail(key, f'"{phrase}" has no letter or digit to look for')
    return tuple(dict.fromkeys(phrases))


def _hashtags(value: Any, fail: Problem) -> tuple[str, ...]:
    if value is None:
        return ()
    tags = _strings(value, "hashtags", fail, '["LumoApp"]')
    if tags is None:
        return ()
    cleaned = [tag.lstrip("#") for tag in tags]
    for tag in cleaned:
        if not _TAG.match(tag):
            fail("hashtags", f'"#{tag}" is not a hashtag (letters, digits and _ only)')
    if len(cleaned) > MAX_HASHTAGS:
        fail("hashtags", f"at most {MAX_HASHTAGS} hashtags per watch")
    return tuple(dict.fromkeys(cleaned))


def _account(entry: dict[str, Any], key: str, fail: Problem) -> str | None:
    value = entry.get(key)
    if value is None or value is False:
        return None
    if value is True:
        return ONLY_ACCOUNT
    if isinstance(value, str) and value.strip() and value.strip() != ONLY_ACCOUNT:
        return value.strip()
    fail(
        key,
        f"{key} must be true (the connected {key.capitalize()} account) or the name of one "
        f"(as `cm-inbox accounts list` shows it), not {_kind(value)}",
    )
    return None


def _web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _feeds(value: Any, fail: Problem) -> tuple[str, ...]:
    if value is None:
        return ()
    urls = _strings(value, "feeds", fail, '["https://blog.example/feed.xml"]')
    if urls is None:
        return ()
    for url in urls:
        if not _web_url(url):
            fail("feeds", f'"{url}" is not an http:// or https:// address')
    if len(urls) > MAX_FEEDS:
        fail("feeds", f"at most {MAX_FEEDS} feeds per watch")
    return tuple(dict.fromkeys(urls))


def _hackernews(value: Any, fail: Problem) -> str | None:
    if value is None or value is False:
        return None
    if value is True:
        return HN_API
    if isinstance(value, str) and _web_url(value.strip()):
        return value.strip().rstrip("/")
    fail(
        "hackernews",
        "hackernews must be true, or the address of an Algolia HN search API "
        f"such as the sandbox's, not {_kind(value)}",
    )
    return None


def parse_text(text: str, path: Path) -> tuple[tuple[Watch, ...], list[Found]]:
    """Watches of a whole TOML text (tests and tools); a syntax error is one problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return (), [(0, f"{path}: invalid TOML: {error}")]
    return read_watches(data.get(WATCHES), text, path)
