"""Triage that reaches the network: the keys' spam, hide and read, done there too.

The store says what each account's network is owed (``Store.moderation_due``:
the user's own marks, past the undo window, each once); the connector does it
(``Connector.moderate``) where its network can (``Connector.moderation``). The
sync calls ``apply_moderation`` for each account after fetching and sending.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cm_inbox.networks.base import (
    Connector,
    ModerationTarget,
    NotApplicable,
    PermanentError,
)
from cm_inbox.store import Store
from cm_inbox.store.results import ConnectedAccount

# Actions sent per account and sync: a bulk "done" of thousands of comments marks
# them read over several syncs instead of spending a whole rate-limit window (or,
# on YouTube, a day's quota) in one go.
PER_SYNC = 100


@dataclass(slots=True)
class ModerationRun:
    """What one account's moderation did in a sync."""

    done: int = 0
    refused: list[str] = field(default_factory=list)  # "hide t1_abc: needs moderator rights"


async def apply_moderation(
    store: Store,
    account: ConnectedAccount,
    connector: Connector,
    undo_seconds: float,
    now: float,
) -> ModerationRun:
    """Do on the account's network what its triage keys asked, marks older than the undo
    window first in, at most ``PER_SYNC`` of them.

    A refusal for good (no moderator rights, a deleted comment) is recorded and
    never asked again. A passing failure (offline, rate limited, quota spent) is
    raised for the sync to report, and what is left waits for the next sync.
    """
    run = ModerationRun()
    due = store.moderation_due(
        account.id, connector.moderation, older_than=int(now - undo_seconds), limit=PER_SYNC
    )
    for item in due:
        target = ModerationTarget(item.remote_id, item.extra)
        try:
            await connector.moderate(target, item.action)
        except NotApplicable as error:
            store.note_moderated(item.comment_id, item.action, f"skipped: {error}")
            continue
        except PermanentError as error:
            store.note_moderated(item.comment_id, item.action, f"refused: {error}")
            run.refused.append(f"{item.action} {item.remote_id}: {error}")
            continue
        store.note_moderated(item.comment_id, item.action, "done")
        run.done += 1
    return run
