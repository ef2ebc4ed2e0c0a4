"""Where tokens and passwords live: the OS keyring when one answers, else a file
in the config folder that only its owner can read (mode 0600).

Never in the database, logs, error messages or `--json` output. Each account's
secrets are one JSON object under one keyring entry ("cm-inbox",
"<network>:<name>"), so removing an account removes them all at once.

``CM_INBOX_SECRETS=file`` forces the file (the tests use it, so they never
touch a developer's real keyring); ``CM_INBOX_SECRETS=keyring`` insists on the
keyring and fails loudly when none is available.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

from cm_inbox.networks.base import Secrets
from cm_inbox.paths import config_dir

SERVICE = "cm-inbox"
BACKEND_ENV = "CM_INBOX_SECRETS"


class SecretsError(Exception):
    """The secret store cannot be read or written; the message says where, never what."""


class _FileBackend:
    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def where(self) -> str:
        return f"the file {self.path} (readable by you only)"

    def _read(self) -> dict[str, str]:
        try:
            mode = self.path.stat().st_mode & 0o777
        except FileNotFoundError:
            return {}
        if mode & 0o077:
            # Someone widened it: narrow it again before reading secrets from it.
            os.chmod(self.path, 0o600)
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise SecretsError(
                f"cannot read the secrets file {self.path}: {_kind(error)}"
            ) from None
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def get(self, entry: str) -> str | None:
        return self._read().get(entry)

    def set(self, entry: str, value: str | None) -> None:
        data = self._read()
        if value is None:
            data.pop(entry, None)
        else:
            data[entry] = value
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Written to a private temporary file, then renamed: never a moment where
        # the secrets are half-written or readable by others.
        fd, temp = tempfile.mkstemp(prefix=".secrets-", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)
        except OSError as error:
            Path(temp).unlink(missing_ok=True)
            raise SecretsError(
                f"cannot write the secrets file {self.path}: {_kind(error)}"
            ) from None


class _KeyringBackend:
    def __init__(self, keyring_module) -> None:
        self.keyring = keyring_module

    @property
    def where(self) -> str:
        return f"the OS keyring ({type(self.keyring.get_keyring()).__name__})"

    def get(self, entry: str) -> str | None:
        try:
            return self.keyring.get_password(SERVICE, entry)
        except Exception as error:  # backends raise their own types
            raise SecretsError(f"the OS keyring refused to read: {_kind(error)}") from None

    def set(self, entry: str, value: str | None) -> None:
        try:
            if value is None:
                with contextlib.suppress(self.keyring.errors.PasswordDeleteError):
                    self.keyring.delete_password(SERVICE, entry)
            else:
                self.keyring.set_password(SERVICE, entry, value)
        except Exception as error:
            raise SecretsError(f"the OS keyring refused to write: {_kind(error)}") from None


def _usable_keyring():
    """The keyring module when a real backend answers, else None."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) < 1:
        return None
    # The chainer wraps the real ones; with none inside, it can store nothing.
    if type(backend).__name__ == "ChainerBackend" and not getattr(backend, "backends", None):
        return None
    return keyring


class SecretStore:
    """Every account's secrets, in the keyring or the owner-only file."""

    def __init__(self, folder: Path | None = None, *, backend: str | None = None) -> None:
        choice = (backend or os.environ.get(BACKEND_ENV, "")).strip().lower()
        file_backend = _FileBackend((folder or config_dir()) / "secrets.json")
        if choice == "file":
            self._backend = file_backend
        else:
            keyring = _usable_keyring()
            if keyring is None and choice == "keyring":
                raise SecretsError(f"{BACKEND_ENV}=keyring, but no OS keyring is available")
            self._backend = _KeyringBackend(keyring) if keyring else file_backend

    @property
    def where(self) -> str:
        """Where secrets are kept, for messages (never the secrets themselves)."""
        return self._backend.where

    def account(self, network: str, name: str) -> AccountSecrets:
        return AccountSecrets(self, f"{network}:{name}")

    def remove(self, network: str, name: str) -> None:
        self._backend.set(f"{network}:{name}", None)

    def _load(self, entry: str) -> dict[str, str]:
        raw = self._backend.get(entry)
        if not raw:
            return {}
        try:
            data = json.loads(raw)
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _save(self, entry: str, values: dict[str, str]) -> None:
        self._backend.set(entry, json.dumps(values, sort_keys=True) if values else None)


class AccountSecrets(Secrets):
    """One account's secrets; each ``set`` is written through at once."""

    def __init__(self, store: SecretStore, entry: str) -> None:
        self._store = store
        self._entry = entry

    def get(self, key: str) -> str | None:
        return self._store._load(self._entry).get(key)

    def set(self, key: str, value: str) -> None:
        values = self._store._load(self._entry)
        values[key] = value
        self._store._save(self._entry, values)

    def replace(self, values: dict[str, str]) -> None:
        """Set every secret of the account at once (a new login)."""
        self._store._save(self._entry, dict(values))

    def __repr__(self) -> str:  # never show values, even in a traceback
        return f"AccountSecrets({self._entry!r})"


def _kind(error: Exception) -> str:
    # OS errors name a path and a reason; never include the data we tried to write.
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    return type(error).__name__
