"""The queue: which comments each view shows, how many, in which order, and search."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from cm_inbox.model import VIEW_STATUSES, QueueQuery, ReplyState, Sort, Status, View
from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
from cm_inbox.store import Store

T0 = 1_795_000_000
# Views defined by status alone; Unanswered criticism also needs a sentiment
# (tests/test_store_stats.py), the Outbox lists replies.
COMMENT_VIEWS = [v for v in View if v not in (View.OUTBOX, View.UNANSWERED)]


def incoming(
    remote_id: str,
    text: str = "hello",
    *,
    handle: str = "bob",
    name: str | None = None,
    account: str = "acme",
    network: str = "mastodon",
    **fields,
) -> IncomingComment:
    return IncomingComment(
        network=network,
        account=account,
        remote_id=remote_id,
        author=IncomingAuthor(handle=handle, name=name),
        text=text,
        created_at=fields.pop("created_at", T0),
        **fields,
    )


def real_counts(store: Store) -> dict[View, int]:
    """What view_counts must say, counted the slow way."""
    by_status = Counter(
        {
            row[0]: row[1]
            for row in store.db.query("SELECT status, count(*) FROM comments GROUP BY status")
        }
    )
    unsent = store.db.query_one(
        "SELECT count(*) FROM replies WHERE state IN ('draft', 'queued', 'sending', 'failed')"
    )[0]
    counts = {view: sum(by_status[s.value] for s in VIEW_STATUSES[view]) for view in COMMENT_VIEWS}
    counts[View.OUTBOX] = unsent
    counts[View.UNANSWERED] = store.db.query_one(
        "SELECT count(*) FROM comments WHERE sentiment = 'negative' AND is_ours = 0"
        " AND status IN ('new', 'snoozed', 'escalated')"
    )[0]
    return counts


def statuses_of(store: Store, ids) -> set[str]:
    return {row.comment.status.value for row in store.queue_rows(View.ALL, list(ids))}


def seed_statuses(store: Store, per_status: int = 3) -> dict[Status, list[int]]:
    """Comments in every status; returns their ids by status."""
    items = []
    for s_index, status in enumerate(Status):
        for n in range(per_status):
            items.append(
                incoming(
                    f"{status.value}-{n}",
                    f"{status.value} comment {n}",
                    created_at=T0 + s_index * 10 + n,
                    status=status,
                    snoozed_until=T0 + 10**6 if status is Status.SNOOZED else None,
                )
            )
    store.upsert_comments(items)
    found: dict[Status, list[int]] = {}
    for row in store.queue_rows(View.ALL, list(store.queue_keys(QueueQuery(view=View.ALL)))):
        found.setdefault(row.comment.status, []).append(row.comment.id)
    return found


# --- views and counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("view", COMMENT_VIEWS)
def test_each_view_shows_exactly_its_statuses(store: Store, view: View) -> None:
    by_status = seed_statuses(store)
    expected = {cid for status in VIEW_STATUSES[view] for cid in by_status[status]}
    keys = store.queue_keys(QueueQuery(view=view))
    assert set(keys) == expected
    assert len(keys) == len(expected)  # no duplicates
    assert store.queue_count(QueueQuery(view=view)) == len(expected)
    assert statuses_of(store, keys) == {s.value for s in VIEW_STATUSES[view]}


def test_view_counts_follow_inserts_status_changes_and_undo(store: Store, clock) -> None:
    rng = random.Random(7)
    assert store.view_counts() == real_counts(store)
    store.upsert_comments([incoming(str(n), created_at=T0 + n) for n in range(60)])
    assert store.view_counts() == real_counts(store)
    ids = list(store.queue_keys(QueueQuery(view=View.ALL)))
    for step in range(80):
        chosen = rng.sample(ids, rng.randint(1, 6))
        action = step % 8
        if action == 0:
            store.set_status(chosen, rng.choice(list(Status)))
        elif action == 1:
            store.snooze(chosen, int(clock.now) + rng.randint(1, 300))
        elif action == 2:
            store.escalate(chosen, "support")
        elif action == 3:
            store.queue_reply(chosen[0], f"reply {step}")
        elif action == 4:
            store.save_draft(chosen[0], f"draft {step}")
        elif action == 5:
            store.undo_last()
        elif action == 6:
            clock.advance(120)
            store.wake_due_snoozes()
        else:
            # re-import with triage fields that must be ignored
            store.upsert_comments(
                [incoming(str(n), "again", status=Status.SPAM) for n in range(0, 60, 7)]
            )
        assert store.view_counts() == real_counts(store), f"after step {step}"
    for _ in range(100):
        if store.undo_last() is None:
            break
        assert store.view_counts() == real_counts(store)
    for view in View:
        assert store.queue_count(QueueQuery(view=view)) == real_counts(store)[view]


# --- filters and counts agree ------------------------------------------------------------------------


@pytest.fixture
def varied(store: Store) -> Store:
    """Comments across networks, accounts, languages, labels and statuses."""
    rng = random.Random(3)
    words = ["refund", "crash", "love", "café", "login", "price", "android", "bug"]
    items = []
    for n in range(240):
        items.append(
            incoming(
                str(n),
                " ".join(rng.sample(words, 3)) + f" number{n}",
                handle=f"user{n % 9}",
                name=f"Person {n % 9}",
                network=["mastodon", "bluesky", "discourse"][n % 3],
                account=["acme", "acme-support"][n % 2],
                language=[None, "en", "fr", "de"][n % 4],
                created_at=T0 + rng.randint(0, 50),
            )
        )
    store.upsert_comments(items)
    ids = list(store.queue_keys(QueueQuery(view=View.ALL)))
    store.change_labels(ids[::5], add=["billing"])
    store.change_labels(ids[::7], add=["vip"])
    store.set_status(ids[1::4], Status.DONE)
    store.set_status(ids[2::9], Status.SPAM)
    store.escalate(ids[3::11], "support")
    store.snooze(ids[5::13], T0 + 10**6)
    for cid in ids[:40:3]:
        store.queue_reply(cid, "thanks")
    for cid in ids[40:60:2]:
        store.save_draft(cid, "a draft")
    return store


FILTERS = [
    {},
    {"network": "bluesky"},
    {"account": "acme-support"},
    {"language": "fr"},
    {"label": "billing"},
    {"label": "vip", "network": "mastodon"},
    {"search": "refund"},
    {"search": "cafe crash"},
    {"search": "person 4"},
    {"search": "and"},
    {"search": "refund", "language": "en", "account": "acme"},
    {"label": "nonexistent"},
    {"search": "zzzz"},
]


@pytest.mark.parametrize(
    "filters", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()) or "none"
)
def test_queue_count_matches_the_keys(varied: Store, filters: dict) -> None:
    for view in View:
        for sort in Sort:
            query = QueueQuery(view=view, sort=sort, **filters)
            keys = varied.queue_keys(query)
            assert varied.queue_count(query) == len(keys), (view, sort)
            assert len(set(keys)) == len(keys)


@pytest.mark.parametrize(
    ("filters", "predicate"),
    [
        ({"network": "bluesky"}, lambda c: c.network == "bluesky"),
        ({"account": "acme-support"}, lambda c: c.account == "acme-support"),
        ({"language": "fr"}, lambda c: c.language == "fr"),
        ({"label": "billing"}, lambda c: "billing" in c.labels),
        (
            {"label": "vip", "network": "mastodon"},
            lambda c: "vip" in c.labels and c.network == "mastodon",
        ),
        ({"search": "refund"}, lambda c: "refund" in c.text),
        ({"search": "crash cafe"}, lambda c: "crash" in c.text and "café" in c.text),
    ],
)
def test_filters_select_exactly_the_matching_comments(
    varied: Store, filters: dict, predicate
) -> None:
    everything = varied.queue_rows(View.ALL, list(varied.queue_keys(QueueQuery(view=View.ALL))))
    for view in COMMENT_VIEWS:
        statuses = set(VIEW_STATUSES[view])
        expected = {
            r.comment.id
            for r in everything
            if predicate(r.comment) and r.comment.status in statuses
        }
        assert set(varied.queue_keys(QueueQuery(view=view, **filters))) == expected
        assert expected or view is not View.ALL


# --- order -------------------------------------------------------------------------------------------


def expected_order(store: Store, query: QueueQuery) -> list[int]:
    rows = store.queue_rows(View.ALL, list(store.queue_keys(QueueQuery(view=View.ALL))))
    statuses = set(VIEW_STATUSES[query.view])
    comments = [r.comment for r in rows if r.comment.status in statuses]
    if query.sort is Sort.NEWEST:
        comments.sort(key=lambda c: (-c.created_at, -c.id))
    elif query.sort is Sort.OLDEST:
        comments.sort(key=lambda c: (c.created_at, c.id))
    else:
        comments.sort(key=lambda c: (-c.priority, c.created_at, c.id))
    return [c.id for c in comments]


def set_priorities(store: Store, values: dict[int, float]) -> None:
    with store.db.transaction() as conn:
        conn.executemany(
            "UPDATE comments SET priority = ? WHERE id = ?", [(p, cid) for cid, p in values.items()]
        )


def test_sort_orders_with_ties_broken_by_id(store: Store) -> None:
    # Deliberately inserted out of time order, with many equal times and priorities.
    times = [5, 1, 5, 3, 1, 5, 2, 3, 1, 4, 5, 2]
    store.upsert_comments([incoming(str(n), created_at=T0 + t) for n, t in enumerate(times)])
    ids = list(store.queue_keys(QueueQuery(view=View.ALL, sort=Sort.OLDEST)))
    by_remote = {row.comment.remote_id: row.comment.id for row in store.queue_rows(View.ALL, ids)}
    priorities = [0.5, 0.9, 0.5, 0.0, 0.9, 0.1, 0.5, 0.5, 0.0, 0.9, 0.5, 0.1]
    set_priorities(store, {by_remote[str(n)]: p for n, p in enumerate(priorities)})

    newest = list(store.queue_keys(QueueQuery(view=View.INBOX, sort=Sort.NEWEST)))
    oldest = list(store.queue_keys(QueueQuery(view=View.INBOX, sort=Sort.OLDEST)))
    priority = list(store.queue_keys(QueueQuery(view=View.INBOX, sort=Sort.PRIORITY)))
    rid = {v: int(k) for k, v in by_remote.items()}
    # Hand-worked: created_at then id (insert order = remote number order).
    assert [rid[i] for i in oldest] == [1, 4, 8, 6, 11, 3, 7, 9, 0, 2, 5, 10]
    assert newest == oldest[::-1]
    # Priority high first; equal priority oldest first; then by id.
    assert priority == expected_order(store, QueueQuery(view=View.INBOX, sort=Sort.PRIORITY))
    assert [priorities[rid[i]] for i in priority] == sorted(priorities, reverse=True)
    assert [rid[i] for i in priority] == [1, 4, 9, 6, 7, 0, 2, 10, 11, 5, 8, 3]


@pytest.mark.parametrize("sort", list(Sort))
@pytest.mark.parametrize("view", COMMENT_VIEWS)
def test_each_view_and_sort_matches_a_reference_order(
    varied: Store, view: View, sort: Sort
) -> None:
    rng = random.Random(11)
    ids = list(varied.queue_keys(QueueQuery(view=View.ALL)))
    set_priorities(varied, {cid: rng.choice([0.0, 0.25, 0.5, 1.0]) for cid in ids})
    query = QueueQuery(view=view, sort=sort)
    assert list(varied.queue_keys(query)) == expected_order(varied, query)


# --- paging at depth ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def deep(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """5,000 comments with heavy ties on created_at and priority."""
    path: Path = tmp_path_factory.mktemp("deep") / "inbox.sqlite3"
    store = Store(path, clock=lambda: T0 + 10**6)
    rng = random.Random(5)
    store.upsert_comments(
        incoming(
            str(n),
            f"{'needle' if n % 3 == 0 else 'hay'} item {n}",
            created_at=T0 + rng.randint(0, 400),
            language=rng.choice(["en", "fr"]),
        )
        for n in range(5000)
    )
    ids = list(store.queue_keys(QueueQuery(view=View.ALL)))
    set_priorities(store, {cid: rng.choice([0.0, 0.0, 0.3, 0.7, 1.0]) for cid in ids})
    store.set_status(ids[::6], Status.DONE)
    store.change_labels(ids[::4], add=["tagged"])
    yield store
    store.close()


@pytest.mark.parametrize(
    ("sort", "chunk"),
    # One row per page once, on the three-column key; the rest on every sort.
    [(Sort.PRIORITY, 1)]
    + [(sort, chunk) for sort in Sort for chunk in (7, 499, 500, 501, 5000, 10_000)],
)
def test_iter_queue_pages_through_every_row_once_in_display_order(
    deep: Store, sort: Sort, chunk: int
) -> None:
    query = QueueQuery(view=View.ALL, sort=sort)
    keys = list(deep.queue_keys(query))
    assert len(keys) == 5000
    streamed = [row.comment.id for row in deep.iter_queue(query, chunk=chunk)]
    assert streamed == keys


@pytest.mark.parametrize(
    "filters",
    [
        {"view": View.INBOX},
        {"view": View.HANDLED},
        {"search": "needle"},
        {"label": "tagged", "language": "fr"},
        {"view": View.SPAM},
    ],
)
@pytest.mark.parametrize("sort", list(Sort))
def test_iter_queue_pages_filtered_views(deep: Store, sort: Sort, filters: dict) -> None:
    query = QueueQuery(sort=sort, **filters)
    keys = list(deep.queue_keys(query))
    assert [row.comment.id for row in deep.iter_queue(query, chunk=37)] == keys
    assert deep.queue_count(query) == len(keys)


def test_keys_of_the_deep_store_are_in_reference_order(deep: Store) -> None:
    for sort in Sort:
        query = QueueQuery(view=View.ALL, sort=sort)
        assert list(deep.queue_keys(query)) == expected_order(deep, query)


# --- rows for keys ------------------------------------------------------------------------------------


def test_queue_rows_returns_rows_in_the_order_of_the_keys(varied: Store) -> None:
    keys = list(varied.queue_keys(QueueQuery(view=View.ALL)))[:50]
    shuffled = keys[:]
    random.Random(1).shuffle(shuffled)
    rows = varied.queue_rows(View.ALL, shuffled)
    assert [row.comment.id for row in rows] == shuffled
    assert [row.key for row in rows] == shuffled
    assert all(row.reply is None for row in rows)
    # Unknown keys are left out, the rest keep their order.
    assert [r.comment.id for r in varied.queue_rows(View.ALL, [keys[3], 10**9, keys[1]])] == [
        keys[3],
        keys[1],
    ]
    assert varied.queue_rows(View.INBOX, []) == []


def test_queue_rows_carry_labels_and_author(varied: Store) -> None:
    labelled = varied.queue_keys(QueueQuery(view=View.ALL, label="billing"))
    row = varied.queue_rows(View.ALL, [labelled[0]])[0]
    assert "billing" in row.comment.labels
    assert row.comment.author.handle.startswith("user")
    assert row.comment.author.display_name.startswith("Person")


# --- search ---------------------------------------------------------------------------------------------


@pytest.fixture
def searchable(store: Store) -> dict[str, int]:
    store.upsert_comments(
        [
            incoming(
                "1",
                "The app crashes on login since the update",
                handle="dana@example.org",
                name="Dana Scully",
            ),
            incoming("2", "Login works fine, the app is great", handle="fox", name="Fox Mulder"),
            incoming(
                "3",
                "Un café au lait s'il vous plaît, Crème brûlée",
                handle="jeanne",
                name="Jeanne Ménard",
            ),
            incoming(
                "4",
                "Where is my refund? Order #1234 AND still nothing",
                handle="walter",
                name="Walter Skinner",
            ),
            incoming("5", 'He said "NEAR(x y)" col:value and -minus *star', handle="krycek"),
            incoming("6", "Bug: login-page shows a 500 error", handle="bob_smith", name="Bob"),
        ]
    )
    return {
        row.comment.remote_id: row.comment.id for row in store.iter_queue(QueueQuery(view=View.ALL))
    }


def found(store: Store, text: str, view: View = View.ALL) -> set[str]:
    query = QueueQuery(view=view, search=text)
    keys = store.queue_keys(query)
    assert store.queue_count(query) == len(keys)
    return {row.comment.remote_id for row in store.queue_rows(View.ALL, list(keys))}


def test_search_needs_every_word_in_any_order(store: Store, searchable) -> None:
    assert found(store, "app login") == {"1", "2"}
    assert found(store, "login app") == {"1", "2"}
    assert found(store, "crashes app login") == {"1"}
    assert found(store, "login refund") == set()
    assert found(store, "LOGIN") == {"1", "2", "6"}


def test_search_matches_the_last_word_as_a_prefix_only(store: Store, searchable) -> None:
    assert found(store, "cras") == {"1"}
    assert found(store, "app cras") == {"1"}
    assert found(store, "cras app") == set()  # only the word being typed is a prefix
    assert found(store, "l") >= {"1", "2", "3", "6"}


def test_search_ignores_accents_both_ways(store: Store, searchable) -> None:
    assert found(store, "cafe") == {"3"}
    assert found(store, "café") == {"3"}
    assert found(store, "creme brulee") == {"3"}
    assert found(store, "plait") == {"3"}
    assert found(store, "menard") == {"3"}
    assert found(store, "ME\u0301NARD") == {"3"}  # a decomposed accent typed on some keyboards
    assert found(store, "cre\u0300me") == {"3"}


def test_search_handles_scripts_with_combining_signs(store: Store) -> None:
    store.upsert_comments(
        [
            incoming("hi", "नमस्ते दुनिया, ऐप काम नहीं कर रहा"),
            incoming("decomposed", "Cafe\u0301 ferme\u0301"),  # text sent in decomposed form
        ]
    )
    assert found(store, "नमस्ते") == {"hi"}
    assert found(store, "काम नहीं") == {"hi"}
    assert found(store, "दुनि") == {"hi"}
    assert found(store, "cafe ferme") == {"decomposed"}
    assert found(store, "café fermé") == {"decomposed"}


def test_search_finds_author_handles_and_display_names(store: Store, searchable) -> None:
    assert found(store, "scully") == {"1"}
    assert found(store, "dana@example.org") == {"1"}
    assert found(store, "@fox") == {"2"}
    assert found(store, "mulder great") == {"2"}
    assert found(store, "bob_smith") == {"6"}
    assert found(store, "walter refund") == {"4"}


@pytest.mark.parametrize(
    "text",
    [
        "AND",
        "OR",
        "NOT",
        "and or not",
        "refund AND",
        "AND refund",
        "NEAR(",
        "NEAR(a b)",
        "NEAR(x y, 2)",
        '"',
        '""',
        '"unbalanced',
        "*",
        "**",
        "refund*",
        ":",
        "col:value",
        "text:refund",
        "author:walter",
        "-",
        "-minus",
        "--",
        "^",
        "^start",
        "+",
        "(",
        ")",
        "()",
        "{a b}: c",
        "[",
        "'",
        "’",
        "'''",
        "\\",
        "%",
        "_",
        "@",
        "#",
        "@#",
        "\u0301",
        "\u0301\u0301 a",
        "#1234",
        "@_",
        "a.b.c",
        "...",
        "l'",
        "*star",
        "\x00",
        "\u200d",
        "' OR 1=1 --",
        'refund"; DROP TABLE comments; --',
        "💥",
        "😀 crash",
    ],
)
def test_fts_operators_typed_by_a_user_never_raise(store: Store, searchable, text: str) -> None:
    for view in View:
        query = QueueQuery(view=view, search=text)
        keys = store.queue_keys(query)
        assert store.queue_count(query) == len(keys)
        if view is not View.OUTBOX:
            assert [r.comment.id for r in store.iter_queue(query, chunk=2)] == list(keys)
    assert store.db.query_one("SELECT count(*) FROM comments")[0] == 6


def test_operator_words_are_searched_literally(store: Store, searchable) -> None:
    assert found(store, "refund AND") == {"4"}
    assert found(store, "NEAR") == {"5"}
    assert found(store, "col:value") == {"5"}
    assert found(store, "-minus") == {"5"}
    assert found(store, "#1234") == {"4"}
    assert found(store, "500 error") == {"6"}


def test_an_empty_search_does_not_filter(store: Store, searchable) -> None:
    assert found(store, "") == set(searchable)


def test_search_combines_with_views(store: Store, searchable) -> None:
    store.set_status([searchable["1"]], Status.DONE)
    assert found(store, "login", View.INBOX) == {"2", "6"}
    assert found(store, "login", View.HANDLED) == {"1"}


# --- the outbox view -------------------------------------------------------------------------------------


def test_the_outbox_lists_unsent_replies_keyed_by_reply_id(store: Store, clock) -> None:
    store.upsert_comments(
        [
            incoming(str(n), f"comment {n}", network="bluesky" if n == 4 else "mastodon")
            for n in range(6)
        ]
    )
    cids = list(store.queue_keys(QueueQuery(view=View.ALL, sort=Sort.OLDEST)))
    draft = store.save_draft(cids[0], "a draft")
    clock.advance(1)
    queued = store.queue_reply(cids[1], "queued one")
    clock.advance(1)
    failed = store.queue_reply(cids[2], "failed one")
    clock.advance(1)
    sent = store.queue_reply(cids[3], "sent one")
    clock.advance(1)
    sending = store.queue_reply(cids[4], "sending one")
    with store.db.transaction() as conn:
        conn.execute(
            "UPDATE replies SET state = 'failed', error = 'HTTP 500' WHERE id = ?", (failed.id,)
        )
        conn.execute("UPDATE replies SET state = 'sent', sent_at = 1 WHERE id = ?", (sent.id,))
        conn.execute("UPDATE replies SET state = 'sending' WHERE id = ?", (sending.id,))

    query = QueueQuery(view=View.OUTBOX)
    keys = list(store.queue_keys(query))
    # Newest change first; the sent reply is gone from the outbox.
    assert keys == [sending.id, failed.id, queued.id, draft.id]
    assert store.queue_count(query) == 4
    assert store.view_counts()[View.OUTBOX] == 4
    rows = store.queue_rows(View.OUTBOX, keys)
    assert [row.key for row in rows] == keys
    assert [row.reply.state for row in rows] == [
        ReplyState.SENDING,
        ReplyState.FAILED,
        ReplyState.QUEUED,
        ReplyState.DRAFT,
    ]
    assert [row.comment.id for row in rows] == [cids[4], cids[2], cids[1], cids[0]]
    assert rows[1].reply.error == "HTTP 500"
    assert [row.key for row in store.iter_queue(query, chunk=3)] == keys
    # Filters and search narrow the outbox by the comment.
    assert list(store.queue_keys(QueueQuery(view=View.OUTBOX, network="bluesky"))) == [sending.id]
    assert list(store.queue_keys(QueueQuery(view=View.OUTBOX, search="comment 1"))) == [queued.id]
    assert store.queue_count(QueueQuery(view=View.OUTBOX, network="bluesky")) == 1
    # The outbox does not depend on the comments' statuses.
    store.set_status([cids[1], cids[0]], Status.SPAM)
    assert list(store.queue_keys(query)) == keys


def test_a_long_key_list_arrives_whole_and_in_order_across_chunks(store, clock, monkeypatch):
    """The ids stream in chunks: none lost or repeated at a chunk's edge, nor at the end."""
    from tui_fixtures import incoming

    import cm_inbox.store.database as database_module
    from cm_inbox.model import QueueQuery, Sort, View

    now = int(clock())
    store.upsert_comments(
        [
            incoming("mastodon", "lumo@mastodon.social", f"c{n}", "ana@ex.org", f"n {n}", now - n)
            for n in range(50)
        ]
    )
    query = QueueQuery(view=View.INBOX, sort=Sort.NEWEST)
    whole = list(store.queue_keys(query))
    monkeypatch.setattr(database_module, "STREAM_CHUNK", 7)
    assert list(store.queue_keys(query)) == whole
    assert len(set(whole)) == 50
    newest_first = [store.comment(key).remote_id for key in whole]
    assert newest_first == [f"c{n}" for n in range(50)]
    assert list(store.queue_keys(query, limit=10)) == whole[:10]


def test_the_head_of_a_search_is_the_start_of_the_full_result(store, clock, monkeypatch):
    from tui_fixtures import incoming

    import cm_inbox.store.queue as queue_module
    from cm_inbox.model import QueueQuery, Sort, View

    now = int(clock())
    store.upsert_comments(
        [
            incoming(
                "mastodon",
                "lumo@mastodon.social",
                f"s{n}",
                f"user{n % 7}@ex.org",
                f"sync {'broken' if n % 3 else 'fine'} number {n}",
                now - n * 60,
            )
            for n in reversed(range(120))  # oldest first, as syncs and exports bring them
        ]
    )
    for hits in (queue_module.SEARCH_HEAD_HITS, 10):  # 10: the "read further" path
        monkeypatch.setattr(queue_module, "SEARCH_HEAD_HITS", hits)
        for sort in (Sort.NEWEST, Sort.OLDEST, Sort.PRIORITY):
            for words in ("sync", "broken", "fine", "sync fine", "nothing"):
                query = QueueQuery(view=View.INBOX, search=words, sort=sort)
                full = list(store.queue_keys(query))
                assert list(store.search_head(query, limit=20)) == full[:20], (hits, sort, words)
    # A word with more hits than the window, in priority order: its newest hits, ranked
    # (the full list that follows brings any older urgent one up).
    monkeypatch.setattr(queue_module, "SEARCH_HEAD_HITS", 10)
    query = QueueQuery(view=View.INBOX, search="sync", sort=Sort.PRIORITY)
    full = list(store.queue_keys(query))
    newest = set(sorted(full, reverse=True)[:10])
    assert list(store.search_head(query, limit=5)) == [key for key in full if key in newest][:5]


def test_a_common_word_heads_its_search_in_priority_order_and_longer_words_follow(store, clock):
    # The head reads the word itself from the index's end (a prefix would merge every
    # longer word first); the full list that replaces it holds the longer words too.
    from tui_fixtures import incoming

    from cm_inbox.model import QueueQuery, Sort, View

    now = int(clock())
    store.upsert_comments(
        [
            incoming("mastodon", "lumo@mastodon.social", f"w{n}", f"u{n}@ex.org",
                     f"lumo is slow again, day {n}", now - 3600 - n * 60)
            for n in range(30)
        ]
        + [incoming("mastodon", "lumo@mastodon.social", "longer", "z@ex.org",
                    "lumosync leaked our customer data, this is a scandal", now - 60)]
    )  # fmt: skip
    query = QueueQuery(view=View.INBOX, search="lumo", sort=Sort.PRIORITY)
    full = list(store.queue_keys(query))
    texts = {key: store.comment(key).text for key in full}
    assert texts[full[0]].startswith("lumosync")  # the full list puts the crisis first
    head = list(store.search_head(query, limit=20))
    assert len(head) == 20
    assert all(texts[key].startswith("lumo is slow") for key in head)
    assert head == [key for key in full if texts[key].startswith("lumo is slow")][:20]
    # Fewer hits of the word than a screen: the prefix's head, exactly the full list's start.
    query = QueueQuery(view=View.INBOX, search="lumos", sort=Sort.PRIORITY)
    assert list(store.search_head(query, limit=20)) == list(store.queue_keys(query))[:20]


def test_ids_past_four_bytes_widen_the_array_without_losing_one(store, monkeypatch):
    import cm_inbox.store.database as database_module

    monkeypatch.setattr(database_module, "STREAM_CHUNK", 2)
    values = [3, 1, 2**31 - 1, 2**31, 7, -(2**40)]
    sql = "SELECT column1 FROM (VALUES " + ",".join(f"({v})" for v in values) + ")"
    assert list(store.db.int_column(sql)) == values
    assert store.db.int_column("SELECT column1 FROM (VALUES (1), (2))").itemsize == 4
