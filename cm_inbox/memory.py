"""Keeping a long-running process's memory close to what it uses.

The TUI runs its database reads in short-lived worker threads. glibc gives
threads their own malloc arenas (up to eight per core) and keeps what they
free for later, so after a few searches of a million-comment inbox the
process held about 8 MB more than it used. Two arenas serve a UI thread and
a worker without contention and give that back.
"""

from __future__ import annotations

import ctypes
import sys

# mallopt's parameter number for the arena cap (glibc malloc.h).
_M_ARENA_MAX = -8
ARENAS = 2


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas before threads start; True when applied.

    Elsewhere (macOS, musl, Windows) the allocator is left as it is: the
    setting exists only in glibc, and nothing else depends on it.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        # The process's own symbols, libc's among them (find_library would run ldconfig).
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_ARENA_MAX, arenas))
