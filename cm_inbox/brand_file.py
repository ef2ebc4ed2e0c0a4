"""Reading the brand book from TOML: ``[brand]`` in config.toml, or a brand.toml.

Every mistake is sent to a ``report(key_path, message)`` callable, so the
caller's collector names the file and the line; the rest of the book applies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cm_inbox.brand import AvoidWord, BrandBook, LanguageVoice, base_language
from cm_inbox.networks.rules import NETWORKS
from cm_inbox.tomlfile import did_you_mean, read_toml_file, type_name

# Where a problem is and what it is: the key path from the top of the file.
Report = Callable[[tuple[str, ...], str], None]

DEMO_BRAND_PATH = Path(__file__).parent / "demo" / "brand.toml"

_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
# Names used in template variables ({link.support}, {fact.trial}).
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]*$")


_KEYS = (
    "name",
    "voice",
    "default_language",
    "products",
    "allowed_domains",
    "links",
    "facts",
    "languages",
    "avoid",
    "networks",
)
_VOICE_KEYS = ("greetings", "sign_offs", "require_greeting", "require_sign_off")


class _Reader:
    """Reads one brand table, reporting each mistake with its key path."""

    def __init__(self, report: Report, prefix: tuple[str, ...]) -> None:
        self.report = report
        self.prefix = prefix

    def where(self, *keys: str) -> str:
        path = (*self.prefix, *keys)
        if len(path) == 1:
            return f'"{path[0]}"'
        return f'"{path[-1]}" in [{".".join(path[:-1])}]'

    def problem(self, keys: tuple[str, ...], message: str) -> None:
        self.report((*self.prefix, *keys), message)

    def string(self, value: Any, *keys: str) -> str | None:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(keys, f"{self.where(*keys)} must be a string, not {type_name(value)}")
            return None
        return str(value).strip()

    def strings(self, value: Any, *keys: str) -> tuple[str, ...]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            self.problem(
                keys,
                f'{self.where(*keys)} must be a list such as ["a", "b"], not {type_name(value)}',
            )
            return ()
        found: list[str] = []
        for item in items:
            if not isinstance(item, str) or not item.strip():
                shown = f'"{item}"' if isinstance(item, str) else type_name(item)
                self.problem(keys, f"{self.where(*keys)} must list non-empty strings, not {shown}")
                continue
            if item.strip() not in found:
                found.append(item.strip())
        return tuple(found)

    def table(self, value: Any, *keys: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            section = ".".join((*self.prefix, *keys))
            self.problem(
                keys, f"{self.where(*keys)} must be a table ([{section}]), not {type_name(value)}"
            )
            return {}
        return value

    def flag(self, value: Any, *keys: str) -> bool:
        if not isinstance(value, bool):
            self.problem(keys, f"{self.where(*keys)} must be true or false, not {type_name(value)}")
            return False
        return value


def read_brand(
    raw: Any, report: Report, *, prefix: tuple[str, ...] = ("brand",), source: str = ""
) -> BrandBook:
    """A :class:`BrandBook` from a parsed TOML table, each mistake sent to ``report``.

    ``prefix`` is where the table sits in its file (``("brand",)`` in
    config.toml, ``()`` in brand.toml), so messages and lines point at the key.
    """
    read = _Reader(report, prefix)
    data = read.table(raw) if prefix else raw
    fields: dict[str, Any] = {"source": source}
    for key, value in data.items():
        if key not in _KEYS:
            read.problem((key,), f"unknown key {read.where(key)}{did_you_mean(key, _KEYS)}")
            continue
        if key in ("name", "voice"):
            text = read.string(value, key)
            if text is not None:
                fields[key] = text
        elif key == "default_language":
            code = read.string(value, key)
            if code is not None and _LANGUAGE.match(base_language(code)):
                fields[key] = base_language(code)
            elif code is not None:
                read.problem(
                    (key,), f'{read.where(key)} must be a language code such as "en", not "{code}"'
                )
        elif key == "products":
            fields[key] = read.strings(value, key)
        elif key == "allowed_domains":
            fields[key] = _domains(read, read.strings(value, key))
        elif key == "links":
            fields[key] = _links(read, read.table(value, key))
        elif key == "facts":
            fields[key] = _facts(read, read.table(value, key))
        elif key == "languages":
            fields[key] = _languages(read, read.table(value, key))
        elif key == "avoid":
            fields[key] = _avoid(read, read.table(value, key))
        elif key == "networks":
            fields[key] = _networks(read, read.table(value, key))
    return BrandBook(**fields)


def _domains(read: _Reader, listed: Iterable[str]) -> tuple[str, ...]:
    domains: list[str] = []
    for item in listed:
        # People paste "https://lumo.app/help" or "*.lumo.app": keep the domain.
        host = urlsplit(item if "//" in item else "//" + item).hostname or ""
        host = host.lower().lstrip("*.").rstrip(".")
        if not _DOMAIN.match(host):
            read.problem(
                ("allowed_domains",),
                f'{read.where("allowed_domains")} lists "{item}", which is not a domain such as "example.org"',
            )
        elif host not in domains:
            domains.append(host)
    return tuple(domains)


def _named(read: _Reader, section: str, name: str) -> bool:
    if _NAME.match(name):
        return True
    read.problem(
        (section, name),
        f'{read.where(section, name)}: names are lowercase letters, digits and "_" '
        f"(templates use them as {{{section[:-1] if section.endswith('s') else section}.{name}}})",
    )
    return False


def _links(read: _Reader, table: dict[str, Any]) -> dict[str, str]:
    links: dict[str, str] = {}
    for name, value in table.items():
        url = read.string(value, "links", name)
        if url is None or not _named(read, "links", name):
            continue
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            read.problem(
                ("links", name),
                f'{read.where("links", name)} must be a web address such as "https://example.org/help", not "{url}"',
            )
            continue
        links[name] = url
    return links


def _facts(read: _Reader, table: dict[str, Any]) -> dict[str, str]:
    facts: dict[str, str] = {}
    for name, value in table.items():
        text = read.string(value, "facts", name)
        if text is not None and _named(read, "facts", name):
            facts[name] = text
    return facts


def _languages(read: _Reader, table: dict[str, Any]) -> dict[str, LanguageVoice]:
    languages: dict[str, LanguageVoice] = {}
    for code, value in table.items():
        if not _LANGUAGE.match(code):
            read.problem(
                ("languages", code),
                f'[{".".join((*read.prefix, "languages", code))}]: "{code}" is not a language code such as "en" or "fr"',
            )
            continue
        rules = read.table(value, "languages", code)
        fields: dict[str, Any] = {}
        for key, item in rules.items():
            keys = ("languages", code, key)
            if key not in _VOICE_KEYS:
                read.problem(
                    keys, f"unknown key {read.where(*keys)}{did_you_mean(key, _VOICE_KEYS)}"
                )
            elif key in ("greetings", "sign_offs"):
                fields[key] = read.strings(item, *keys)
            else:
                fields[key] = read.flag(item, *keys)
        for need, words in (("require_greeting", "greetings"), ("require_sign_off", "sign_offs")):
            if fields.get(need) and not fields.get(words):
                read.problem(
                    ("languages", code, need),
                    f"{read.where('languages', code, need)} is true but no {words} are listed; not required",
                )
                fields[need] = False
        languages[code] = LanguageVoice(**fields)
    return languages


def _avoid(read: _Reader, table: dict[str, Any]) -> tuple[AvoidWord, ...]:
    words: list[AvoidWord] = []
    for word, value in table.items():
        instead = read.string(value, "avoid", word)
        if instead is None:
            continue
        if not word.strip() or not any(ch.isalnum() for ch in word):
            read.problem(
                ("avoid", word), f'[{".".join((*read.prefix, "avoid"))}]: "{word}" is not a word'
            )
            continue
        words.append(AvoidWord(" ".join(word.split()), instead))
    return tuple(words)


def _networks(read: _Reader, table: dict[str, Any]) -> dict[str, str]:
    notes: dict[str, str] = {}
    for name, value in table.items():
        text = read.string(value, "networks", name)
        if text is None:
            continue
        key = name.lower()
        if key not in NETWORKS:
            # Kept anyway: imported comments may come from networks cm-inbox does not speak to.
            read.problem(
                ("networks", name),
                f'{read.where("networks", name)}: "{name}" is not a network cm-inbox knows'
                f"{did_you_mean(key, NETWORKS)}; kept for comments imported from it",
            )
        notes[key] = text
    return notes


def load_brand_file(path: Path) -> tuple[BrandBook, list[str]]:
    """A brand.toml (the book's keys at the top level) and the problems found in it.

    A missing file gives an empty book and no problem; a broken one an empty
    book and a message saying where it broke.
    """
    parsed = read_toml_file(path)
    if parsed.data is None or parsed.problems is None:
        return BrandBook(), [f"{message}; no brand book" for message in parsed.fatal]
    book = read_brand(parsed.data, parsed.problems.add, prefix=(), source=str(path))
    return book, parsed.problems.messages


def demo_brand_book() -> BrandBook:
    """The demo's brand, Lumo (a notes and calendar app), as shipped with cm-inbox."""
    return load_brand_file(DEMO_BRAND_PATH)[0]  # tests keep it free of problems
