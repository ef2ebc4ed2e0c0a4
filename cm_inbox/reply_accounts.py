"""Which of the brand's accounts can answer a comment (issue item 7).

A brand with several accounts on one network may reply from any of them, as
long as that account can name the comment: on Bluesky, Reddit, YouTube and
GitHub a comment's id is the same for every account; on Mastodon a status id
belongs to one instance, so only accounts on the instance that fetched the
comment can reply to it (another instance would first have to look the status
up by its address). Discourse accounts are one per forum.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cm_inbox.model import Comment

# Networks whose comment ids mean the same thing to every account.
SHARED_IDS = frozenset({"bluesky", "reddit", "youtube", "github"})
# Networks where an account is "user@instance" and ids are the instance's own.
PER_INSTANCE = frozenset({"mastodon"})


@dataclass(frozen=True, slots=True)
class ReplyAccount:
    """An account a reply can go out from."""

    id: int
    network: str
    name: str
    # Why it could not send right now ("needs a new login ..."), for the composer to say.
    problem: str | None = None


def _instance(name: str) -> str:
    return name.rpartition("@")[2].lower() if "@" in name else ""


def can_answer(network: str, fetched_by: str, other: str) -> bool:
    """True when the account ``other`` can reply to a comment ``fetched_by`` brought in."""
    if other == fetched_by:
        return True
    if network in SHARED_IDS:
        return True
    if network in PER_INSTANCE:
        return bool(_instance(fetched_by)) and _instance(fetched_by) == _instance(other)
    return False


def reply_accounts(comment: Comment, connected: Sequence) -> list[ReplyAccount]:
    """The accounts that can answer ``comment``: the one that fetched it first.

    ``connected`` are the store's connected accounts (``Store.connected_accounts()``,
    anything with ``id``, ``network``, ``name`` and ``login_problem``).
    """
    found = [ReplyAccount(comment.account_id, comment.network, comment.account)]
    for account in connected:
        if account.id == comment.account_id:
            found[0] = ReplyAccount(account.id, account.network, account.name, _problem(account))
        elif account.network == comment.network and can_answer(
            comment.network, comment.account, account.name
        ):
            found.append(ReplyAccount(account.id, account.network, account.name, _problem(account)))
    return found


def _problem(account) -> str | None:
    problem = getattr(account, "login_problem", None)
    return f"needs a new login ({problem})" if problem else None
