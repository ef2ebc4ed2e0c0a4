"""Triage that reaches the network: what the user marked spam is reported there too.

Connectors that can report a comment as spam (Discourse flags it, which hides
it at once when the brand account is staff) offer ``report_spam(remote_id)``;
the sync calls this after fetching. Only what a person marked with the spam
key is reported, never what a triage rule closed, and each comment once: the
report is noted in the store's history, outside the undo stack.
"""

from __future__ import annotations

from cm_inbox.networks.base import Connector, NetworkError, PermanentError
from cm_inbox.store import ConnectedAccount, Store


async def report_spam(store: Store, account: ConnectedAccount, connector: Connector) -> int:
    """Report the account's newly marked spam to its network; returns how many were reported.

    A refusal for good (deleted post, already flagged) is noted and not tried
    again; a passing failure (offline, rate limited) is raised, and the rest
    wait for the next sync.
    """
    report = getattr(connector, "report_spam", None)
    if report is None:
        return 0
    done = 0
    for comment_id, remote_id in store.spam_to_report(account.id):
        try:
            await report(remote_id)
        except PermanentError as error:
            store.note_spam_reported(comment_id, f"refused: {error}")
            continue
        except NetworkError:
            raise
        store.note_spam_reported(comment_id, "reported")
        done += 1
    return done
