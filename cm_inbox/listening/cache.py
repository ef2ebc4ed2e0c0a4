"""What the listening signals build at start-up, kept in the user's cache folder.

Building the lexicon tries and restricting py3langid's model to the inbox's
languages costs most of a second in every process that reads comments; reading
back what an earlier process built costs a few hundredths. Each file carries the
key of everything it was built from (the lexicon files, the source of the modules
that build it, the Python or py3langid version), so a changed lexicon, module or
library is built afresh rather than read stale.

A cache is only ever a shortcut: a file that is missing, stale, corrupt or cannot
be written costs the build, never a signal, and a damaged or unwritable one says
so in one warning line. Deleting the folder is always safe. Nothing is pickled:
tries are marshalled plain data (dicts, tuples, strings, floats) behind a checksum,
arrays are an ``.npz`` read with ``allow_pickle=False``.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import marshal
import os
import sys
import tempfile
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import numpy as np

from cm_inbox.paths import cache_dir

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the layout of a cached file changes
_MAGIC = b"cm-inbox listening\n"
_DIGEST = 32  # bytes of blake2b over the marshalled payload


class CacheError(Exception):
    """A cache file that exists but cannot be used; the message says why."""


def folder() -> Path:
    """Where the listening caches live (inside cm-inbox's cache folder)."""
    return cache_dir() / "listening"


def fingerprint(parts: Iterable[bytes | str]) -> str:
    """A key for everything in ``parts``: any byte changed in any part changes it."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{FORMAT} {sys.version}".encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def sources(*modules: str) -> Iterator[bytes]:
    """The source of ``cm_inbox.listening`` modules, for a key: changed code, new key."""
    package = resources.files("cm_inbox.listening")
    for module in modules:
        yield module.encode()
        yield package.joinpath(f"{module}.py").read_bytes()


def texts(root: Traversable, prefix: str = "") -> Iterator[bytes]:
    """Every ``*.txt`` under ``root`` with its path, in a fixed order, for a key."""
    for entry in sorted(root.iterdir(), key=lambda item: item.name):
        if entry.is_dir():
            yield from texts(entry, f"{prefix}{entry.name}/")
        elif entry.name.endswith(".txt"):
            yield f"{prefix}{entry.name}".encode()
            yield entry.read_bytes()


# Files already warned about in this process: one line each, not one per attempt.
_LOCK = threading.Lock()
_WARNED: set[str] = set()
_UNWRITABLE: set[Path] = set()


def warn(path: Path, reason: str) -> None:
    """Say once per process why ``path`` was not used; the signals are built in memory."""
    with _LOCK:
        if str(path) in _WARNED:
            return
        _WARNED.add(str(path))
    log.warning("listening cache %s not used (%s); built in memory instead", path, reason)


def read_plain(name: str, key: str) -> Any | None:
    """The payload stored under ``name`` for ``key``, or None when there is none to use."""
    path = folder() / f"{name}.marshal"
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None  # nothing cached yet (a folder that cannot be made warns on writing)
    except OSError as error:
        warn(path, f"cannot read it: {error.strerror or error}")
        return None
    head = len(_MAGIC) + len(key) + _DIGEST
    if not data.startswith(_MAGIC) or len(data) < head:
        warn(path, "not a cache file of this cm-inbox, or cut short")
        return None
    if data[len(_MAGIC) : len(_MAGIC) + len(key)] != key.encode():
        return None  # built from other lexicons, code or Python: build and replace it
    body = memoryview(data)[head:]
    if hashlib.blake2b(body, digest_size=_DIGEST).digest() != data[head - _DIGEST : head]:
        warn(path, "its checksum does not match: damaged or cut short")
        return None
    try:
        return marshal.loads(body)
    except (EOFError, ValueError, TypeError) as error:
        warn(path, f"unreadable: {error}")
        return None


def write_plain(name: str, key: str, payload: Any) -> None:
    """Store ``payload`` (dicts, lists, tuples, str, float, None) under ``name`` for ``key``."""
    body = marshal.dumps(payload)
    digest = hashlib.blake2b(body, digest_size=_DIGEST).digest()
    _write(
        folder() / f"{name}.marshal", lambda out: out.write(_MAGIC + key.encode() + digest + body)
    )


def read_arrays(name: str, key: str) -> dict[str, np.ndarray] | None:
    """The arrays stored under ``name`` for ``key``, or None when there are none to use."""
    path = folder() / f"{name}.npz"
    try:
        with np.load(path, allow_pickle=False) as stored:
            if "key" not in stored.files or str(stored["key"]) != key:
                return None  # built from another model, library or code: build and replace it
            arrays = {field: stored[field] for field in stored.files if field != "key"}
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as error:
        warn(path, f"unreadable: {error}")
        return None
    # zipfile's own CRC goes unchecked once numpy has seeked inside a member, so a
    # damaged array would read without a word: the file carries a CRC of its own.
    crc = arrays.pop("crc", None)
    if crc is None or crc.shape != () or int(crc) != _crc(arrays):
        warn(path, "its checksum does not match: damaged or cut short")
        return None
    return arrays


def write_arrays(name: str, key: str, arrays: dict[str, np.ndarray]) -> None:
    """Store ``arrays`` under ``name`` for ``key``, uncompressed (they are read at start-up)."""
    crc = np.uint32(_crc(arrays))
    _write(
        folder() / f"{name}.npz",
        lambda out: np.savez(out, key=np.array(key), crc=crc, **arrays),
    )


def _crc(arrays: dict[str, np.ndarray]) -> int:
    crc = 0
    for field in sorted(arrays):
        array = np.ascontiguousarray(arrays[field])
        crc = zlib.crc32(f"{field} {array.dtype.str} {array.shape}".encode(), crc)
        crc = zlib.crc32(array.view(np.uint8).reshape(-1) if array.size else b"", crc)
    return crc


def _write(path: Path, fill: Callable[[Any], object]) -> None:
    # A temporary file renamed over the old one: a reader (another process
    # starting) sees the old file or the new, never half of one.
    with _LOCK:
        if path.parent in _UNWRITABLE:
            return
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "wb", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
        ) as out:
            temporary = out.name
            fill(out)
        os.replace(temporary, path)
        temporary = None
    except OSError as error:
        with _LOCK:
            # A read-only or full folder fails the same way for every file: say it once.
            _UNWRITABLE.add(path.parent)
        log.warning(
            "listening cache %s not written (%s); signals are unchanged, only the next "
            "start is slower",
            path,
            error,
        )
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)  # a full disk may leave half a file behind
