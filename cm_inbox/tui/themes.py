"""Themes from TOML files: the bundled ones and the user's own, checked before use.

A theme with a bad colour would only fail when Textual applies it, taking the
app down with it; so each file is validated here, and a broken one is skipped with
a message naming the file and the reason, for the app to show as a notice.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.css.constants import VALID_STYLE_FLAGS
from textual.design import ColorSystem
from textual.theme import Theme

import cm_inbox
from cm_inbox import paths
from cm_inbox.config import toml_key_lines

_COLOUR_FIELDS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "warning",
    "error",
    "success",
)
_REQUIRED = ("name", "primary")
_KNOWN = tuple(field.name for field in fields(Theme))
# Variables Textual itself defines; anything else is the app's own CSS variable.
_TEXTUAL_VARIABLES = frozenset(ColorSystem("#000000").generate())
_ALPHA_SUFFIX_RE = re.compile(r"^(.*?)\s+\d{1,3}(?:\.\d+)?%$")


class ThemeError(ValueError):
    """Why one theme file can't be used; ``key`` finds the line."""

    def __init__(self, message: str, key: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.key = key


def bundled_themes_dir() -> Path:
    """The folder of themes shipped with cm-inbox.

    A wheel carries the repo's ``themes/`` as ``cm_inbox/_themes``; an editable
    install reads the repo's own ``themes/`` folder.
    """
    package = Path(cm_inbox.__file__).parent
    installed = package / "_themes"
    return installed if installed.is_dir() else package.parent / "themes"


def _check_colour(value: Any, key: tuple[str, ...], css_value: bool = False) -> str:
    if not isinstance(value, str):
        raise ThemeError(f'"{".".join(key)}" must be a colour string such as "#1C2027"', key)
    base = value.strip()
    if css_value:
        # Variables are CSS values: "#6CA0DC 35%" and "auto 87%" are valid there.
        match = _ALPHA_SUFFIX_RE.match(base)
        if match:
            base = match.group(1)
        if base == "auto":
            return value
    try:
        Color.parse(base)
    except ColorParseError:
        raise ThemeError(f'"{".".join(key)}" = "{value}" is not a colour', key) from None
    return value


def _check_variable(name: str, value: Any) -> str:
    key = ("variables", name)
    if not isinstance(value, str):
        raise ThemeError(f'variable "{name}" must be a string', key)
    if name.endswith("-style"):
        words = value.split()
        if not words or any(word not in VALID_STYLE_FLAGS for word in words):
            raise ThemeError(
                f'variable "{name}" = "{value}" is not a text style (such as "bold" or "none")',
                key,
            )
        return value
    if name in _TEXTUAL_VARIABLES or name.endswith(("-color", "-background", "-foreground")):
        return _check_colour(value, key, css_value=True)
    return value


def _check_fraction(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ThemeError(f'"{name}" must be a number from 0 to 1', (name,))
    return float(value)


def _check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ThemeError(f'"{name}" must be true or false', (name,))
    return value


def theme_from_data(data: dict[str, Any]) -> Theme:
    """Build a Theme from a theme file's parsed TOML, or raise ``ThemeError``."""
    for name in data:
        if name not in _KNOWN:
            close = difflib.get_close_matches(name, _KNOWN, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            raise ThemeError(f'unknown key "{name}"{hint}', (name,))
    for name in _REQUIRED:
        if name not in data:
            raise ThemeError(f'missing required key "{name}"')
    name = data["name"]
    if not isinstance(name, str) or not name.strip():
        raise ThemeError('"name" must be a non-empty string', ("name",))

    options: dict[str, Any] = {"name": name.strip()}
    for colour in _COLOUR_FIELDS:
        if colour in data:
            options[colour] = _check_colour(data[colour], (colour,))
    for flag in ("dark", "ansi"):
        if flag in data:
            options[flag] = _check_bool(flag, data[flag])
    for fraction in ("luminosity_spread", "text_alpha"):
        if fraction in data:
            options[fraction] = _check_fraction(fraction, data[fraction])
    if "variables" in data:
        variables = data["variables"]
        if not isinstance(variables, dict):
            raise ThemeError('"variables" must be a table ([variables])', ("variables",))
        options["variables"] = {
            key: _check_variable(key, value) for key, value in variables.items()
        }

    theme = Theme(**options)
    try:
        theme.to_color_system().generate()
    except Exception as error:  # Textual's own last word on anything missed above
        raise ThemeError(f"Textual can't use it: {error}") from None
    return theme


def load_theme_file(path: Path, *, named: str | None = None) -> Theme | None:
    """Read one theme file; raises ``ThemeError`` with a message naming the file.

    ``named``: build the theme only if the file names it (None otherwise), so
    that looking for one theme does not check every file's colours.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ThemeError(f"{path}: can't read it ({error})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ThemeError(f"{path}: invalid TOML: {error}") from None
    if named is not None:
        name = data.get("name")
        if not isinstance(name, str) or name.strip() != named:
            return None
    try:
        return theme_from_data(data)
    except ThemeError as error:
        line = _line_of(text, error.key)
        where = f"{path}, line {line}" if line is not None else str(path)
        raise ThemeError(f"{where}: {error}", error.key) from None


def _line_of(text: str, key: tuple[str, ...]) -> int | None:
    lines = toml_key_lines(text)
    for end in range(len(key), 0, -1):
        if key[:end] in lines:
            return lines[key[:end]]
    return None


def load_themes(*folders: Path, only: str | None = None) -> tuple[list[Theme], list[str]]:
    """Every valid ``*.toml`` theme in ``folders``, and a message for each broken one.

    Later folders override earlier ones: a user theme named like a bundled theme
    replaces it. Two files in one folder with the same theme name: the first (by
    file name) wins and the second is reported. A missing folder is not a problem.
    Never raises.

    ``only``: just the theme of that name (the app opens in it, and loads the
    others after its first frame); problems are those of the files naming it,
    and of files that can't be read at all.
    """
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    for folder in folders:
        if not folder.is_dir():
            if folder.exists():
                problems.append(f"{folder}: not a folder, so no themes were read from it")
            continue
        seen: dict[str, Path] = {}
        for path in sorted(folder.glob("*.toml")):
            if not path.is_file():
                continue
            try:
                theme = load_theme_file(path, named=only)
            except ThemeError as error:
                problems.append(f"{error}; theme skipped")
                continue
            if theme is None:
                continue
            if theme.name in seen:
                problems.append(
                    f'{path}: theme "{theme.name}" is already defined in {seen[theme.name]}; '
                    "theme skipped"
                )
                continue
            seen[theme.name] = path
            themes[theme.name] = theme
    return list(themes.values()), problems


def load_app_themes() -> tuple[list[Theme], list[str]]:
    """The bundled themes, overridden or added to by the user's themes folder."""
    return load_themes(bundled_themes_dir(), paths.user_themes_dir())
