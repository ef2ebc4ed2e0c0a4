"""The checks a reply goes through before it is queued.

Shared by `cm-inbox reply` and the TUI composer, so both refuse and warn about
the same things. A check is a function that looks at a :class:`Draft` and
yields :class:`DraftProblem` s; :data:`CHECKS` lists them in the order their
problems are shown. A new check is one function appended to that list;
callers do not change. The brand book's checks are in voice_checks.py.

Each check yields its problems with a default severity; the user's
``[checks]`` settings (in ``DraftContext.checks``) make a check warn, block,
or stay quiet. Too long and empty always block.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

import regex

from cm_inbox.draft import Check, Draft, DraftContext, DraftProblem, LanguageDetector
from cm_inbox.model import Comment
from cm_inbox.networks.rules import rules_for
from cm_inbox.voice_checks import (
    check_avoid_words,
    check_greeting,
    check_language,
    check_links,
    check_sameness,
    check_shouting,
    check_template_only,
    check_variables,
)

__all__ = [
    "CHECKS",
    "Check",
    "Draft",
    "DraftContext",
    "DraftProblem",
    "LanguageDetector",
    "check_draft",
    "is_blocked",
    "length_status",
    "reply_prefill",
    "with_mention",
]


def reply_prefill(comment: Comment) -> str:
    """What a new reply to ``comment`` starts with: the @mention where the network needs one."""
    return rules_for(comment.network).mention(comment.author.handle)


def length_status(
    comment_network: str, text: str, limit: int | None = None
) -> tuple[int, int, str]:
    """``(count, limit, unit)`` of ``text`` by the network's own counting rule.

    ``limit`` overrides the network's default (a Mastodon instance's own limit).
    """
    rules = rules_for(comment_network)
    return rules.count(text), limit or rules.max_length, rules.unit


def check_empty(draft: Draft) -> Iterator[DraftProblem]:
    """Nothing to send: blank text, or only @mentions."""
    if not draft.text.strip():
        yield DraftProblem("empty", "the reply is empty", blocking=True)
    elif not draft.body:
        yield DraftProblem(
            "mention-only", "the reply only mentions people; write something to them", blocking=True
        )


def check_length(draft: Draft) -> Iterator[DraftProblem]:
    """Over the network's limit, counted the way the network counts."""
    count = draft.rules.count(draft.text)
    if count > draft.limit:
        yield DraftProblem(
            "too-long",
            f"too long for {draft.rules.label}: {count:,} / {draft.limit:,} {draft.rules.unit}",
            blocking=True,
        )


def mentions_author(comment: Comment, text: str) -> bool:
    """True when ``text`` names the comment's author as a whole @handle."""
    handle = comment.author.handle.lstrip("@")
    # The handle must stand whole: "@bob" is not "@bobby", "@bob@a.org" is not "@bob@a.org.uk".
    pattern = r"(?<![\w@])@" + regex.escape(handle) + r"(?![\w@-]|\.\w)"
    return regex.search(pattern, text, regex.IGNORECASE) is not None


def with_mention(comment: Comment, text: str) -> str:
    """``text`` opening with the author's @mention where the network needs one and it is missing."""
    if not rules_for(comment.network).needs_mention or mentions_author(comment, text):
        return text
    return reply_prefill(comment) + text.lstrip()


def check_mention(draft: Draft) -> Iterator[DraftProblem]:
    """On networks that only notify people who are mentioned, the author should be."""
    handle = draft.comment.author.handle.lstrip("@")
    if not draft.rules.needs_mention or not handle or not draft.body:
        return
    if not mentions_author(draft.comment, draft.text):
        yield DraftProblem(
            "missing-mention",
            f"the reply does not mention @{handle}, so {draft.rules.label} will not notify them",
            blocking=False,
        )


def check_read_only(draft: Draft) -> Iterator[DraftProblem]:
    """Feed and Hacker News items (keyword watches) cannot be answered from here."""
    from cm_inbox.watches.model import READ_ONLY_NETWORKS

    if draft.comment.network in READ_ONLY_NETWORKS:
        where = draft.comment.url or "its page"
        yield DraftProblem(
            "read-only",
            f"cm-inbox cannot post on {draft.rules.label}: answer at {where}",
            blocking=True,
        )


CHECKS: list[Check] = [
    check_read_only,
    check_empty,
    check_length,
    check_variables,
    check_links,
    check_mention,
    check_avoid_words,
    check_greeting,
    check_language,
    check_shouting,
    check_template_only,
    check_sameness,
]


def check_draft(
    comment: Comment,
    text: str,
    *,
    limit: int | None = None,
    context: DraftContext | None = None,
) -> list[DraftProblem]:
    """Every problem with replying ``text`` to ``comment``, blocking ones first.

    ``limit`` overrides the network's default length limit (a Mastodon
    instance's own limit). ``context`` brings the brand book, the check
    settings, the templates, a language detector and the recent replies
    (``cm_inbox.drafting.draft_context`` builds one); without it only the
    network's own rules apply. An empty list means the reply can go as it is.
    Cheap enough to call on every key press (see benchmarks/sameness.py).
    """
    context = context if context is not None else DraftContext()
    rules = rules_for(comment.network)
    draft = Draft(
        comment=comment, text=text, rules=rules, limit=limit or rules.max_length, context=context
    )
    problems = []
    for check in CHECKS:
        for problem in check(draft):
            severity = context.checks.severity(problem.code, problem.blocking)
            if severity == "off":
                continue
            blocking = severity == "block"
            problems.append(
                problem if blocking == problem.blocking else replace(problem, blocking=blocking)
            )
    return sorted(problems, key=lambda problem: not problem.blocking)


def is_blocked(problems: Iterable[DraftProblem]) -> bool:
    """True when any of ``problems`` stops the reply from being queued."""
    return any(problem.blocking for problem in problems)
