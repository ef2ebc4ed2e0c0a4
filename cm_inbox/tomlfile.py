"""Reading a TOML file beside config.toml (brand.toml, templates/*.toml) the way
config.toml is read: never raising, every mistake a message naming the file and
the line.

Shares config.py's reader and problem collector so every file of the user's
speaks with one voice.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cm_inbox.config import _TOML_ERROR_RE, _Problems, _read, _type_name

FileProblems = _Problems

__all__ = ["FileProblems", "TomlFile", "did_you_mean", "read_toml_file", "type_name"]


@dataclass
class TomlFile:
    """A parsed file: ``data`` is None when the file is missing or unreadable."""

    path: Path
    data: dict[str, Any] | None
    problems: FileProblems | None
    # Problems that stopped the whole file (unreadable, not UTF-8, bad TOML).
    fatal: list[str]


def read_toml_file(path: Path) -> TomlFile:
    """Read and parse ``path``; a missing file gives ``data=None`` and no problem."""
    text, error = _read(path)
    if text is None:
        # config.py words these for config.toml ("using the defaults"); the caller
        # decides what happens instead, so drop that ending.
        reason = error.removesuffix("; using the defaults") if error else None
        return TomlFile(path, None, None, [reason] if reason else [])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as syntax:
        match = _TOML_ERROR_RE.match(str(syntax))
        if match:
            reason, line, column = match.groups()
            message = f"{path}, line {line}: invalid TOML: {reason} (column {column})"
        else:
            message = f"{path}: invalid TOML: {syntax}"
        return TomlFile(path, None, None, [message])
    return TomlFile(path, data, FileProblems(path, text), [])


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """' (did you mean "x"?)' when a close choice exists, else ""."""
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def type_name(value: object) -> str:
    """How a TOML value's type is named in messages ("a string", "a table")."""
    return _type_name(value)
