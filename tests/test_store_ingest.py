"""Putting comments into the store: idempotent upserts, accounts, authors and threads."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from cm_inbox.model import QueueQuery, Status, View
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment, IngestResult
from cm_inbox.store import Store

T0 = 1_795_000_000


def incoming(
    remote_id: str,
    text: str = "hello",
    *,
    handle: str = "bob",
    name: str | None = None,
    followers: int | None = None,
    account: str = "acme",
    network: str = "mastodon",
    **fields,
) -> IncomingComment:
    return IncomingComment(
        network=network,
        account=account,
        remote_id=remote_id,
        author=IncomingAuthor(handle=handle, name=name, followers=followers),
        text=text,
        created_at=fields.pop("created_at", T0),
        **fields,
    )


def comment_by_remote(
    store: Store, remote_id: str, account: str = "acme", network: str = "mastodon"
):
    row = store.db.query_one(
        "SELECT c.id FROM comments c JOIN accounts a ON a.id = c.account_id"
        " WHERE a.network = ? AND a.name = ? AND c.remote_id = ?",
        (network, account, remote_id),
    )
    assert row is not None, f"{network}/{account}/{remote_id} not stored"
    comment = store.comment(row[0])
    assert comment is not None
    return comment


def roots(store: Store, account: str = "acme") -> dict[str, str]:
    rows = store.db.query(
        "SELECT c.remote_id, c.root_remote_id FROM comments c JOIN accounts a ON a.id = c.account_id"
        " WHERE a.name = ?",
        (account,),
    )
    return {row[0]: row[1] for row in rows}


def count(store: Store, table: str = "comments") -> int:
    return store.db.query_one(f"SELECT count(*) FROM {table}")[0]


def search(store: Store, words: str) -> list[int]:
    return list(store.queue_keys(QueueQuery(view=View.ALL, search=words)))


# --- idempotent upserts ---------------------------------------------------------------------


def test_new_comments_are_inserted_with_their_fields(store: Store, clock) -> None:
    result = store.upsert_comments(
        [
            incoming(
                "1",
                "first",
                handle="alice",
                name="Alice",
                followers=10,
                url="https://x/1",
                markup="<p>first</p>",
                language="en",
                created_at=T0 + 5,
            ),
            incoming("2", "second", is_ours=True),
        ]
    )
    assert result == IngestResult(inserted=2, updated=0)
    first = comment_by_remote(store, "1")
    assert (first.text, first.url, first.markup, first.language) == (
        "first",
        "https://x/1",
        "<p>first</p>",
        "en",
    )
    assert first.created_at == T0 + 5
    assert first.fetched_at == int(clock.now)
    assert first.status is Status.NEW
    assert first.network == "mastodon" and first.account == "acme"
    assert (first.author.handle, first.author.display_name, first.author.followers) == (
        "alice",
        "Alice",
        10,
    )
    assert first.root_remote_id == "1" and first.parent_remote_id is None
    assert not first.is_ours
    assert comment_by_remote(store, "2").is_ours


def test_an_empty_import_does_nothing(store: Store) -> None:
    assert store.upsert_comments([]) == IngestResult(inserted=0, updated=0)
    assert count(store) == 0


def test_reimporting_the_same_items_never_duplicates(store: Store) -> None:
    items = [incoming(str(n), f"text {n}") for n in range(20)]
    assert store.upsert_comments(items) == IngestResult(inserted=20, updated=0)
    for _ in range(3):  # what did not change is not counted as updated
        assert store.upsert_comments(items) == IngestResult(inserted=0, updated=0)
    edited = [incoming(str(n), f"text {n}, edited") for n in range(3)]
    assert store.upsert_comments(edited + items[3:]) == IngestResult(inserted=0, updated=3)
    assert comment_by_remote(store, "1").text == "text 1, edited"
    assert count(store) == 20
    assert count(store, "authors") == 1
    assert count(store, "accounts") == 1
    assert store.view_counts()[View.INBOX] == 20
    assert len(search(store, "text")) == 20
    assert len(search(store, "edited")) == 3
    assert store.check_integrity() == []


def test_the_same_item_twice_in_one_import_is_one_comment(store: Store) -> None:
    result = store.upsert_comments([incoming("1", "draft text"), incoming("1", "final text")])
    assert result == IngestResult(inserted=1, updated=1)
    assert count(store) == 1
    assert comment_by_remote(store, "1").text == "final text"


def test_reimport_keeps_triage_and_refreshes_text(store: Store, clock) -> None:
    store.upsert_comments(
        [
            incoming("1", "the original wording", url="https://x/1", language="en"),
            incoming("2", "another"),
        ]
    )
    first = comment_by_remote(store, "1")
    second = comment_by_remote(store, "2")
    store.change_labels([first.id], add=["billing", "vip"])
    store.escalate([first.id], "support", "look")
    store.snooze([second.id], T0 + 99_999)
    clock.advance(3600)

    # The network now says something else, and an import file carries other triage.
    store.upsert_comments(
        [
            incoming(
                "1",
                "the edited wording",
                url=None,
                language="fr",
                status=Status.SPAM,
                labels=("other",),
            ),
            incoming("2", "another, edited", status=Status.NEW, snoozed_until=None),
        ]
    )
    first = comment_by_remote(store, "1")
    second = comment_by_remote(store, "2")
    assert first.text == "the edited wording"
    assert first.status is Status.ESCALATED
    assert first.labels == ("billing", "vip")
    assert first.url == "https://x/1"  # a missing url does not erase the known one
    assert first.language == "en"  # the first language seen is kept
    assert first.fetched_at == int(clock.now)
    assert second.status is Status.SNOOZED and second.snoozed_until == T0 + 99_999
    assert second.text == "another, edited"
    # Search follows the new text only.
    assert search(store, "edited wording") == [first.id]
    assert search(store, "original") == []
    assert store.view_counts()[View.ESCALATED] == 1
    assert store.view_counts()[View.SNOOZED] == 1
    assert store.check_integrity() == []


def test_reimport_keeps_the_triage_history(store: Store) -> None:
    store.upsert_comments([incoming("1")])
    comment = comment_by_remote(store, "1")
    store.set_status([comment.id], Status.DONE)
    store.upsert_comments([incoming("1", "changed")])
    assert [row["action"] for row in store.history(comment.id)] == ["done"]
    # and undo still applies to the re-imported comment
    store.undo_last()
    assert comment_by_remote(store, "1").status is Status.NEW


def test_triage_fields_apply_on_first_insert(store: Store) -> None:
    store.upsert_comments(
        [
            incoming("1", status=Status.DONE, labels=("a", "b", "a")),
            incoming("2", status=Status.SNOOZED, snoozed_until=T0 + 500),
            incoming(
                "3", status=Status.ESCALATED, snoozed_until=T0 + 500
            ),  # until only for snoozed
            incoming("4", status=Status.SPAM),
            incoming("5"),
        ]
    )
    assert comment_by_remote(store, "1").status is Status.DONE
    assert comment_by_remote(store, "1").labels == ("a", "b")
    assert comment_by_remote(store, "2").snoozed_until == T0 + 500
    assert comment_by_remote(store, "3").status is Status.ESCALATED
    assert comment_by_remote(store, "3").snoozed_until is None
    assert comment_by_remote(store, "5").status is Status.NEW
    counts = store.view_counts()
    assert counts[View.HANDLED] == 1 and counts[View.SNOOZED] == 1
    assert counts[View.ESCALATED] == 1 and counts[View.SPAM] == 1 and counts[View.INBOX] == 1
    assert counts[View.ALL] == 5
    assert store.all_labels() == ["a", "b"]


def test_an_imported_snooze_wakes_when_due(store: Store, clock) -> None:
    store.upsert_comments([incoming("1", status=Status.SNOOZED, snoozed_until=int(clock.now) + 60)])
    assert store.wake_due_snoozes() == []
    clock.advance(60)
    woken = store.wake_due_snoozes()
    assert woken == [comment_by_remote(store, "1").id]
    assert comment_by_remote(store, "1").status is Status.NEW


# --- accounts and authors ------------------------------------------------------------------------


def test_the_same_remote_id_on_two_accounts_is_two_comments(store: Store) -> None:
    store.upsert_comments(
        [
            incoming("42", "to acme", account="acme"),
            incoming("42", "to acme-support", account="acme-support"),
            incoming("42", "on another network", network="bluesky", account="acme"),
        ]
    )
    assert count(store) == 3
    assert count(store, "accounts") == 3
    assert comment_by_remote(store, "42", "acme").text == "to acme"
    assert comment_by_remote(store, "42", "acme-support").text == "to acme-support"
    assert comment_by_remote(store, "42", "acme", "bluesky").text == "on another network"
    # Updating one leaves the others alone.
    store.upsert_comments([incoming("42", "to acme, edited", account="acme")])
    assert comment_by_remote(store, "42", "acme-support").text == "to acme-support"
    assert count(store) == 3


def test_ensure_account_is_stable(store: Store, tmp_path) -> None:
    first = store.ensure_account("mastodon", "acme", "@acme")
    assert store.ensure_account("mastodon", "acme") == first
    assert store.ensure_account("bluesky", "acme") != first
    assert store.accounts() == [
        (store.ensure_account("bluesky", "acme"), "bluesky", "acme"),
        (first, "mastodon", "acme"),
    ]
    with Store(store.path) as again:
        assert again.ensure_account("mastodon", "acme") == first


def test_authors_are_shared_and_their_details_refreshed(store: Store) -> None:
    store.upsert_comments(
        [incoming("1", handle="carol", name="Carol", followers=5, created_at=T0 + 100)]
    )
    store.upsert_comments([incoming("2", handle="carol", name=None, followers=None, created_at=T0)])
    assert count(store, "authors") == 1
    author = comment_by_remote(store, "2").author
    assert author.display_name == "Carol"  # a missing name does not erase the known one
    assert author.followers == 5
    assert (author.first_seen, author.last_seen) == (T0, T0 + 100)
    store.upsert_comments(
        [incoming("3", handle="carol", name="Carol Cooper", followers=7, created_at=T0 + 50)]
    )
    author = comment_by_remote(store, "1").author
    assert (author.display_name, author.followers) == ("Carol Cooper", 7)
    assert (author.first_seen, author.last_seen) == (T0, T0 + 100)
    # The same handle on another network is another person.
    store.upsert_comments([incoming("4", handle="carol", network="bluesky")])
    assert count(store, "authors") == 2
    assert sorted(search(store, "cooper")) == sorted(
        comment_by_remote(store, r).id for r in ("1", "2", "3")
    )


# --- a failed import -----------------------------------------------------------------------------


def test_a_failing_import_stores_nothing_and_the_next_import_works(store: Store) -> None:
    def records() -> Iterator[IncomingComment]:
        yield incoming("1", "first", account="brand-new")
        yield incoming("2", "second", account="brand-new")
        raise ValueError("line 3: not JSON")

    with pytest.raises(ValueError):
        store.upsert_comments(records())
    assert count(store) == 0
    assert count(store, "accounts") == 0
    # The account created by the rolled-back import must not be remembered.
    assert store.upsert_comments([incoming("1", "first", account="brand-new")]) == IngestResult(
        1, 0
    )
    assert comment_by_remote(store, "1", "brand-new").text == "first"


# --- threads -------------------------------------------------------------------------------------


def test_a_reply_after_its_parent_takes_the_parents_root(store: Store) -> None:
    store.upsert_comments([incoming("root")])
    store.upsert_comments([incoming("child", parent_remote_id="root")])
    store.upsert_comments([incoming("grandchild", parent_remote_id="child")])
    assert roots(store) == {"root": "root", "child": "root", "grandchild": "root"}


def test_children_that_arrive_before_their_parent_move_under_its_root(store: Store) -> None:
    store.upsert_comments([incoming("c", parent_remote_id="b", created_at=T0 + 2)])
    store.upsert_comments([incoming("d", parent_remote_id="c", created_at=T0 + 3)])
    assert roots(store) == {"c": "b", "d": "b"}
    store.upsert_comments([incoming("b", parent_remote_id="a", created_at=T0 + 1)])
    assert roots(store) == {"b": "a", "c": "a", "d": "a"}
    store.upsert_comments([incoming("a", created_at=T0)])
    assert roots(store) == {"a": "a", "b": "a", "c": "a", "d": "a"}
    # The thread of the deepest comment is the whole conversation.
    deepest = comment_by_remote(store, "d")
    assert [c.remote_id for c in store.thread(deepest)] == ["a", "b", "c", "d"]


def test_a_given_root_id_is_used_and_passed_to_earlier_children(store: Store) -> None:
    store.upsert_comments([incoming("c", parent_remote_id="b")])  # arrives first, guesses root b
    store.upsert_comments([incoming("b", parent_remote_id="x", root_remote_id="a")])
    assert roots(store) == {"b": "a", "c": "a"}
    store.upsert_comments([incoming("z", parent_remote_id="y", root_remote_id="a")])
    assert roots(store)["z"] == "a"


@pytest.mark.parametrize("seed", range(8))
def test_deep_chains_resolve_to_one_root_in_any_arrival_order(store: Store, seed: int) -> None:
    depth = 40
    chain = [f"m{n}" for n in range(depth)]
    items = [
        incoming(
            remote_id,
            f"message {n}",
            parent_remote_id=chain[n - 1] if n else None,
            created_at=T0 + n,
        )
        for n, remote_id in enumerate(chain)
    ]
    order = list(items)
    if seed == 0:
        order.reverse()
    else:
        random.Random(seed).shuffle(order)
    # Some arrive alone, some in batches, as syncs and imports do.
    cursor = 0
    while cursor < len(order):
        size = 1 + (cursor * 7 + seed) % 5
        store.upsert_comments(order[cursor : cursor + size])
        cursor += size
    assert roots(store) == dict.fromkeys(chain, "m0")
    thread = store.thread(comment_by_remote(store, chain[-1]))
    assert [c.remote_id for c in thread] == chain


def test_threads_do_not_leak_between_accounts(store: Store) -> None:
    # Account "other" has a comment b whose root is guessed to be a.
    store.upsert_comments([incoming("b", parent_remote_id="a", account="other")])
    # On account "acme", a comment with remote id "a" arrives with its own parent.
    store.upsert_comments([incoming("a", parent_remote_id="zero", account="acme")])
    assert roots(store, "other") == {"b": "a"}
    assert roots(store, "acme") == {"a": "zero"}


def test_a_reimport_does_not_move_a_comment_between_threads(store: Store) -> None:
    store.upsert_comments([incoming("a"), incoming("b", parent_remote_id="a")])
    store.upsert_comments([incoming("b", "edited", parent_remote_id="a")])
    assert roots(store) == {"a": "a", "b": "a"}


def test_traction_is_kept_and_follows_the_network_on_refetch(store: Store) -> None:
    store.upsert_comments([incoming("1", likes=3, reposts=0, replies=1)])
    store.upsert_comments([incoming("1", likes=41, reposts=5, replies=None)])
    comment = comment_by_remote(store, "1")
    # A refetch that does not say how many replies there are keeps the last known count.
    assert (comment.likes, comment.reposts, comment.replies) == (41, 5, 1)
