"""The sameness check: a draft near-identical to the brand's recent replies is flagged
with how many and the closest one; names, mentions and links do not make replies differ."""

from __future__ import annotations

from compose_fixtures import DAY, T0, add_comments, comment, incoming

from cm_inbox.compose import DraftContext, check_draft
from cm_inbox.model.context import PastReply
from cm_inbox.sameness import SamenessIndex, compare_draft, load_index, name_words, normalise
from cm_inbox.store import Store

SORRY = "Hi {name}, sorry about that! The team is looking into it. Could you DM us your device and app version?"


def past(
    text: str,
    *,
    age: int,
    handle: str = "noah.bsky.social",
    name: str = "Noah Lee",
    reply_id: int = 1,
) -> PastReply:
    return PastReply(
        id=reply_id, comment_id=100 + reply_id, network="bluesky", text=text, at=T0 - age,
        author_handle=handle, author_name=name,
    )  # fmt: skip


def test_normalising_drops_case_mentions_links_and_names() -> None:
    names = name_words("emma.bsky.social", "Emma Martin")
    assert normalise("@emma.bsky.social Hi EMMA, see https://lumo.app/x!", names) == "hi see"
    assert name_words("@bob@example.org", None) == {"bob"}


def test_a_near_identical_reply_is_flagged_with_the_count_and_the_closest() -> None:
    replies = [
        past(
            SORRY.format(name=name),
            age=(n + 1) * 3600,
            handle=f"{name.lower()}.bsky.social",
            name=name,
            reply_id=n,
        )
        for n, name in enumerate(["Noah", "Liam", "Olivia", "Ava"])
    ] + [past("Thanks for the idea! Passing it on to the product team.", age=7200, reply_id=9)]
    index = SamenessIndex(replies, now=T0)
    draft = "@emma.bsky.social " + SORRY.format(name="Emma") + " 🙏"
    report = compare_draft(index, comment(), draft)
    assert report is not None
    assert report.count == 4
    assert report.best == 100
    assert report.message == "100 % like 4 replies sent in the last 24 hours"
    assert report.closest.id == 0  # the most recent of the equally close ones
    assert report.closest_line(T0) == (
        'closest, to @noah.bsky.social 1h ago: "' + SORRY.format(name="Noah") + '"'
    )


def test_the_period_says_how_far_back_the_similar_replies_go() -> None:
    words = "We're sorry for the wait, please DM us your ticket number and we will look today"
    week = SamenessIndex([past(words, age=2 * DAY), past(words, age=6 * DAY, reply_id=2)], now=T0)
    report = week.compare(words.replace("today", "soon"))
    assert report is not None and report.message.endswith("like 2 replies sent this week")
    assert 85 <= report.best < 100
    month = SamenessIndex([past(words, age=20 * DAY)], now=T0)
    assert month.compare(words).message == "100 % like 1 reply sent in the last 30 days"  # type: ignore[union-attr]


def test_old_replies_different_replies_and_short_drafts_are_not_flagged() -> None:
    words = "We're sorry for the wait, please DM us your ticket number and we will look today"
    index = SamenessIndex([past(words, age=31 * DAY)], now=T0)
    assert len(index) == 0 and index.compare(words) is None
    index = SamenessIndex([past(words, age=DAY), past("Thanks!", age=DAY, reply_id=2)], now=T0)
    assert index.compare("Our status page has every update about the sync outage") is None
    assert index.compare("Thanks!") is None  # too short to say anything
    # The bar is the user's: a looser one catches more.
    looser = "We are sorry for the long wait, send us your ticket number by DM and we look"
    assert index.compare(looser, threshold=85) is None
    assert index.compare(looser, threshold=60) is not None


def _reply(store: Store, clock, remote: str, text: str, *, sent: bool = True) -> int:
    (comment_id,) = add_comments(
        store, incoming(remote, handle=f"{remote}.bsky.social", name=remote.title())
    )
    reply = store.queue_reply(comment_id, text)
    if sent:
        claim = store.claim_next(reply.account_id, "test")
        assert claim is not None
        store.mark_sent(claim.reply.id, f"at://{remote}")
    return comment_id


def test_the_store_gives_recent_replies_that_went_out_newest_first(store: Store, clock) -> None:
    old = _reply(store, clock, "old", "an old reply from last month, long enough")
    clock.advance(25 * DAY)
    sent = _reply(store, clock, "sent", "a sent reply")
    clock.advance(60)
    queued = _reply(store, clock, "queued", "a queued reply", sent=False)
    refused = _reply(store, clock, "refused", "refused for good")
    claim = store.claim_next(store.comment(refused).account_id, "test")  # type: ignore[union-attr]
    store.mark_failed(claim.reply.id, "422", retry_at=None)  # type: ignore[union-attr]
    (drafted,) = add_comments(store, incoming("drafted"))
    store.save_draft(drafted, "a draft")
    recent = store.recent_replies(since=store.now() - 10 * DAY)
    assert [r.comment_id for r in recent] == [queued, sent]
    assert recent[1].author_handle == "sent.bsky.social" and recent[1].author_name == "Sent"
    assert [r.comment_id for r in store.recent_replies(since=0)] == [queued, sent, old]
    assert [r.comment_id for r in store.recent_replies(since=0, limit=1)] == [queued]
    assert [r.comment_id for r in store.recent_replies(since=0, exclude_comment=queued)] == [
        sent,
        old,
    ]


def test_load_index_reads_the_last_days_and_leaves_out_the_comment_answered(
    store: Store, clock
) -> None:
    words = "Hi there, sorry about that! The team is looking into it right now, stay tuned"
    first = _reply(store, clock, "first", words)
    clock.advance(3600)
    _reply(store, clock, "second", words)
    clock.advance(3600)
    index = load_index(store, exclude_comment=first)
    assert len(index) == 1
    report = index.compare(words)
    assert report is not None and report.count == 1
    assert report.closest.author_handle == "second.bsky.social"


def test_check_draft_warns_with_the_count_and_shows_the_closest(store: Store, clock) -> None:
    for n in range(3):
        _reply(store, clock, f"p{n}", SORRY.format(name=f"P{n}"))
        clock.advance(DAY)
    context = DraftContext(recent=load_index(store))
    emma = comment(comment_id=999)
    problems = check_draft(emma, SORRY.format(name="Emma"), context=context)
    (problem,) = [p for p in problems if p.code == "same-as-recent"]
    assert not problem.blocking
    assert problem.message == "100 % like 3 replies sent this week"
    assert problem.detail.startswith("closest, to @p2.bsky.social 1d ago: ")
    assert check_draft(emma, "Something new entirely, written for Emma", context=context) == []


def test_replies_to_the_comment_answered_do_not_count(store: Store, clock) -> None:
    words = "Hi there, sorry about that! The team is looking into it right now, stay tuned"
    first = _reply(store, clock, "first", words)
    second = _reply(store, clock, "second", words)
    index = load_index(store)
    # One index serves every comment: rewriting the reply to "first" compares it
    # with the reply to "second" only.
    report = compare_draft(index, store.comment(first), words)  # type: ignore[arg-type]
    assert report is not None and report.count == 1
    assert report.closest.comment_id == second
