"""Building the demo database: the generated inbox, then a little life in the outbox."""

from __future__ import annotations

import random
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from cm_inbox.demo import words
from cm_inbox.demo.escalations import escalate_demo
from cm_inbox.demo.generator import Slots, iter_tagged
from cm_inbox.model import Comment, QueueQuery, Sort, View
from cm_inbox.model.incoming import IncomingComment
from cm_inbox.networks.rules import rules_for
from cm_inbox.records import record_to_incoming
from cm_inbox.store import Store

DEMO_COUNT = 640
# Comments a community manager would answer first, and so has drafts for.
ANSWERABLE = ("question", "purchase", "bug")
# Only the newest answerable comments can be picked, so remembering a few suffices.
CANDIDATES_KEPT = 64


# The networks `cm-inbox demo` connects to its in-process sandbox (demo.sandboxed).
SANDBOXED_NETWORKS = frozenset({"mastodon", "bluesky"})


def build_demo(store: Store, *, now: int, seed: int = 7, count: int = DEMO_COUNT) -> dict[str, Any]:
    """Fill ``store`` with the demo inbox and start a few replies; returns what it holds.

    The comments come from ``iter_records`` (their triage included); then two
    drafts and one queued reply on the newest answerable inbox comments, so
    the Outbox view has something in it. Meant for a fresh database.
    """
    candidates: OrderedDict[tuple[str, str], tuple[str, str]] = OrderedDict()
    escalated: dict[tuple[str, str], str] = {}

    def incoming() -> Iterator[IncomingComment]:
        for record, kind in iter_tagged(seed=seed, now=now, count=count):
            if record.get("status") == "escalated":
                escalated[(record["account"], record["id"])] = kind
            if kind in ANSWERABLE and record["parent_id"] is None and "status" not in record:
                candidates[(record["account"], record["id"])] = (kind, record["language"])
                if len(candidates) > CANDIDATES_KEPT:
                    candidates.popitem(last=False)
            yield record_to_incoming(record)

    result = store.upsert_comments(incoming())
    escalate_demo(store, escalated, seed=seed, now=now)
    # Two drafts anywhere, then one queued reply on a network the demo's sandbox
    # does not serve: there it waits in the Outbox as a queued reply would
    # offline, instead of being sent under a comment the sandbox never wrote.
    picked: list[tuple[Comment, str, str]] = []
    queued_pick: tuple[Comment, str, str] | None = None
    for row in store.iter_queue(QueueQuery(view=View.INBOX, sort=Sort.NEWEST), chunk=50):
        found = candidates.get((row.comment.account, row.comment.remote_id))
        if found is None:
            continue
        if len(picked) < 2:
            picked.append((row.comment, *found))
        elif queued_pick is None and row.comment.network not in SANDBOXED_NETWORKS:
            queued_pick = (row.comment, *found)
        if len(picked) == 2 and queued_pick is not None:
            break
    if queued_pick is not None:
        picked.append(queued_pick)
    rng = random.Random(seed)
    drafts = queued = 0
    for position, (comment, kind, language) in enumerate(picked):
        text = answer(comment, kind, language, rng)
        if position < 2:
            store.save_draft(comment.id, text)
            drafts += 1
        else:
            store.queue_reply(comment.id, text)
            queued += 1
    return {
        "comments": result.inserted,
        "networks": len(store.networks()),
        "accounts": len(store.accounts()),
        "drafts": drafts,
        "queued": queued,
    }


def answer(comment: Comment, kind: str, language: str, rng: random.Random) -> str:
    """What Lumo would answer ``comment``, opening with a mention where the network needs one."""
    language = language if language in words.BRAND else "en"
    pools = {**words.SLOTS[language], **words.COMMON_SLOTS}
    # The first answer of each kind is the one that fits whatever the comment said.
    body = words.BRAND[language][kind][0].format_map(Slots(pools, rng.random))
    return rules_for(comment.network).mention(comment.author.handle) + body
