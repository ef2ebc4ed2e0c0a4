"""Where cm-inbox keeps its files, with the environment overrides users rely on."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "cm-inbox"
DB_ENV = "CM_INBOX_DB"
CONFIG_ENV = "CM_INBOX_CONFIG"


def data_dir() -> Path:
    """The per-user data folder (databases, user themes)."""
    return platformdirs.user_data_path(APP_NAME)


def cache_dir() -> Path:
    """The per-user cache folder: things cm-inbox can rebuild, safe to delete."""
    return platformdirs.user_cache_path(APP_NAME)


def config_dir() -> Path:
    """The per-user config folder."""
    return platformdirs.user_config_path(APP_NAME)


def default_db_path() -> Path:
    """The user's own inbox database: ``--db`` wins, then ``CM_INBOX_DB``."""
    env = os.environ.get(DB_ENV)
    return Path(env).expanduser() if env else data_dir() / "inbox.sqlite3"


def demo_db_path() -> Path:
    """The demo database, kept apart from the user's own inbox."""
    return data_dir() / "demo.sqlite3"


def config_path() -> Path:
    """The config file: ``CM_INBOX_CONFIG`` wins over the platform default."""
    env = os.environ.get(CONFIG_ENV)
    return Path(env).expanduser() if env else config_dir() / "config.toml"


def user_themes_dir() -> Path:
    """Themes the user added, beside the bundled ones."""
    return data_dir() / "themes"
