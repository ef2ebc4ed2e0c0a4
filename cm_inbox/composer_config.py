"""The composer's settings in the user's files: ``[brand]`` and ``[checks]`` of
config.toml, or a brand.toml beside it.

Kept out of config.py so that file only has to call :func:`with_composer_settings`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from cm_inbox.brand import BrandBook
from cm_inbox.brand_file import load_brand_file, read_brand
from cm_inbox.check_settings import CheckSettings, read_checks
from cm_inbox.tomlfile import read_toml_file

if TYPE_CHECKING:
    from cm_inbox.config import Config

BRAND_FILE = "brand.toml"


def brand_file_path(config_path: Path) -> Path:
    """Where a separate brand book lives: beside config.toml."""
    return config_path.with_name(BRAND_FILE)


def read_composer_settings(config_path: Path) -> tuple[BrandBook, CheckSettings, list[str]]:
    """The brand book and the check settings, with the problems found in them.

    The brand book comes from ``[brand]`` in config.toml when it has one, else
    from brand.toml beside it. Problems of config.toml as a whole (unreadable,
    bad TOML) are config.py's to report; here they only mean "no settings".
    """
    parsed = read_toml_file(config_path)
    data = parsed.data or {}
    problems = parsed.problems
    messages: list[str] = []
    checks = CheckSettings()
    if problems is not None and "checks" in data:
        checks = read_checks(data["checks"], problems.add)
    side_file = brand_file_path(config_path)
    if problems is not None and "brand" in data:
        brand = read_brand(data["brand"], problems.add, source=f"{config_path} [brand]")
        if side_file.exists():
            messages.append(
                f"{side_file}: not read, because {config_path} has a [brand] section "
                "(keep the brand book in one place)"
            )
    else:
        brand, side_problems = load_brand_file(side_file)
        messages.extend(side_problems)
    return brand, checks, (problems.messages if problems is not None else []) + messages


def with_composer_settings(config: Config) -> Config:
    """``config`` with its brand book and check settings read, and their problems added."""
    if config.path is None:
        return config
    brand, checks, problems = read_composer_settings(config.path)
    return replace(config, composer=(brand, checks), problems=[*config.problems, *problems])
