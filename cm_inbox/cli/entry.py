"""The `cm-inbox` console script: the collector paused, then the command line.

Kept apart from ``cm_inbox.cli.main`` so the pause comes before that module's
imports; importing ``main`` elsewhere (tests, ``python -m``) changes nothing.
"""

from __future__ import annotations


def run() -> int:
    from cm_inbox import startup

    startup.pause()
    try:
        from cm_inbox.cli.main import main

        return main()
    finally:
        startup.resume()  # --help and bad usage end before any command resumed it
