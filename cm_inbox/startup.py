"""The garbage collector held off while a process starts.

Starting `cm-inbox` builds a few hundred thousand long-lived objects (modules,
classes, Textual's widgets and styles) and almost no garbage, yet the
collector's generation-0 passes ran every 700 allocations over all of them:
about a fifth of the time to the TUI's first frame. The command line's entry
point pauses it before importing anything heavy; `resume` turns it back on before
any other command runs, `settled` after the TUI's first frame.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Hold the collector off until ``resume``."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """The collector back on, as it was before ``pause`` (nothing if it did not pause it)."""
    global _paused
    if _paused:
        _paused = False
        gc.collect()  # the little garbage start-up made, once
        gc.enable()


def settled() -> None:
    """A long-lived program is up: the collector back on, and every object alive now
    set aside from its passes for good (they live as long as the process)."""
    resume()
    gc.freeze()
