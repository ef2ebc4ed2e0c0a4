"""Listening signals computed in a second process while a sync waits on the networks.

A sync of many accounts is one interpreter doing everything: answers parsed,
rows written, and the signals of each new comment, which are about a fifth of
its processor time. The second core sits idle. ``SignalsAhead`` hands each
fetched page to a process of its own, so the signals of one account's page are
worked out while the other accounts' requests go on; ingest then finds them on
each item (``IncomingComment.signals``) and skips its own analysis.

The command line's import does the same with its reader process
(``cm_inbox.cli.transfer``), started here too (``start_listening_processes``).
If the process cannot start or dies, the sync carries on and ingest computes
the signals itself, as without it.

It sits beside the sync rather than in ``cm_inbox.listening``: it prepares
items the way the store will keep them, and listening knows nothing of the store.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from cm_inbox.model.incoming import IncomingComment

log = logging.getLogger(__name__)


def _warm_up() -> None:
    from cm_inbox.listening import preload

    preload()


def start_listening_processes(workers: int = 1) -> ProcessPoolExecutor:
    """Fresh processes for listening work (an import's reading, a sync's signals),
    their models loading at once, while the caller's first work is under way.

    Not fork: the caller may have threads (a fork copies their locks). A fork
    server is a fresh process too, and ready sooner than a spawned one (models
    loaded in 0.40 s against 0.69 s here); spawn where it is missing.
    """
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))
    pool.submit(_warm_up)
    return pool


def _analyze_all(texts: list[tuple[str, str | None]], default: str) -> list:
    from cm_inbox.listening import analyze

    return [analyze(text, hint, default) for text, hint in texts]


class SignalsAhead:
    """A process computing the signals of fetched comments; ``close`` when done."""

    def __init__(self, default_language: str) -> None:
        self.default_language = default_language
        # The process loads its models while the first requests are on the wire.
        self._pool: ProcessPoolExecutor | None = start_listening_processes()

    async def fill(self, items: Sequence[IncomingComment]) -> None:
        """Set the signals of every item without them (nothing on failure: ingest will)."""
        # Here, not at the top: the process imports this module too, and needs no store.
        from cm_inbox.store.ingest import make_safe

        todo = [item for item in items if item.signals is None]
        if not todo or self._pool is None:
            return
        for item in todo:
            make_safe(item)  # analysed as it will be stored
        texts = [(item.text, item.language) for item in todo]
        try:
            found = await asyncio.get_running_loop().run_in_executor(
                self._pool, _analyze_all, texts, self.default_language
            )
        except Exception as error:  # a dead or unstartable process: carry on without it
            log.warning("signals process failed (%s); the sync computes them itself", error)
            self.close()
            return
        for item, signals in zip(todo, found, strict=True):
            item.signals = signals

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
