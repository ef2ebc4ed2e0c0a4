"""A small, known inbox for driving the TUI in tests."""

from __future__ import annotations

import contextlib
from pathlib import Path

from cm_inbox.config import load_config
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.store import Store

HOSTILE = [
    "[@click=app.quit]boom[/]",
    "[bold red]x and [/foo] closing",
    "screen \x1b[2J clear and \u202eevil bidi",
]


def incoming(
    network: str, account: str, remote_id: str, handle: str, text: str, at: int, **kw
) -> IncomingComment:
    return IncomingComment(
        network=network,
        account=account,
        remote_id=remote_id,
        author=IncomingAuthor(
            handle, kw.pop("name", _first_name(handle)), kw.pop("followers", 100)
        ),
        text=text,
        created_at=at,
        **kw,
    )


def _first_name(handle: str) -> str:
    """ "camille@piaille.fr" and "camille.bsky.social" both give "Camille", as people do."""
    return handle.split("@")[0].split(".")[0].title()


def fill(store: Store, now: int) -> None:
    """Twelve comments on three networks, newest first: c12 … c1, plus a thread."""
    items = [
        incoming(
            "mastodon",
            "lumo@mastodon.social",
            "m1",
            "camille@piaille.fr",
            "Sync is broken since the update",
            now - 12 * 3600,
        ),
        incoming(
            "mastodon",
            "lumo@mastodon.social",
            "m2",
            "bob@example.org",
            "Love the new calendar view",
            now - 11 * 3600,
        ),
        incoming(
            "bluesky",
            "lumo.app",
            "b1",
            "dana.bsky.social",
            "How do I export my notes?",
            now - 10 * 3600,
        ),
        incoming("bluesky", "lumo.app", "b2", "eve.bsky.social", HOSTILE[0], now - 9 * 3600),
        incoming("reddit", "u/LumoOfficial", "t1_a", "frank", HOSTILE[1], now - 8 * 3600),
        incoming("reddit", "u/LumoOfficial", "t1_b", "grace", HOSTILE[2], now - 7 * 3600),
        incoming(
            "mastodon",
            "lumo@mastodon.social",
            "m3",
            "heidi@mstdn.io",
            "L'appli plante au démarrage",
            now - 6 * 3600,
            language="fr",
        ),
        incoming(
            "bluesky",
            "lumo.app",
            "b3",
            "ivan.bsky.social",
            "Is Pro worth it for a team of five?",
            now - 5 * 3600,
        ),
        incoming(
            "mastodon",
            "lumo@mastodon.social",
            "m4",
            "judy@example.org",
            "Replying to the sync thread",
            now - 4 * 3600,
            parent_remote_id="m1",
        ),
        incoming(
            "mastodon",
            "lumo@mastodon.social",
            "m5",
            "camille@piaille.fr",
            "Still broken for me",
            now - 3 * 3600,
            parent_remote_id="m4",
        ),
        incoming("reddit", "u/LumoOfficial", "t1_c", "ken", "Dark mode please", now - 2 * 3600),
        incoming(
            "bluesky",
            "lumo.app",
            "b4",
            "camille.bsky.social",
            "Any news on the sync bug?",
            now - 1 * 3600,
        ),
    ]
    store.upsert_comments(items)


def default_config(tmp_path: Path, text: str | None = None):
    """The defaults, or ``text`` as the user's config.toml."""
    if text is None:
        return load_config(tmp_path / "no-config.toml")
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def queue_key(app, comment) -> str:
    """The key that queues a reply to ``comment``: ctrl+s, or on a comment that asks
    for a second look (a crisis, say), ctrl+g once its checklist has been read."""
    from cm_inbox.second_look import second_look_reasons

    return "ctrl+g" if second_look_reasons(comment, app.config.checks) else "ctrl+s"


async def workers_done(pilot) -> None:
    """Every worker finished, cancelled ones included.

    Textual's ``wait_for_complete`` raises for a worker cancelled meanwhile, and an
    app that syncs as it opens may reload its list (cancelling the load under way)
    at any moment; what tests wait for is the last load, whichever it is.
    """
    from textual.worker import WorkerCancelled, WorkerFailed, WorkerState

    while True:
        busy = [w for w in pilot.app.workers if w.state is WorkerState.RUNNING]
        if not busy:
            pending = [w for w in pilot.app.workers if w.state is WorkerState.PENDING]
            if not pending:
                return
            await pilot.pause()  # let the event loop start them
            continue
        for worker in busy:
            # A cancelled load is replaced by a newer one; a failed worker ends the
            # app's run_test with its error anyway.
            with contextlib.suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()
        await pilot.pause()
