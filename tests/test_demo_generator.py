"""The demo inbox: deterministic, realistic, importable, and a usable store once built."""

from __future__ import annotations

import inspect
import re
import statistics
from collections import Counter, defaultdict

import pytest
from conftest import FIXED_NOW

from cm_inbox.demo import build_demo, generate_records, iter_records
from cm_inbox.model import QueueQuery, ReplyState, Status, View
from cm_inbox.records import parse_time, record_to_incoming

DAY = 86_400
HOSTILE = (
    "[@click=app.quit]boom[/]",
    "[bold red]x",
    "[/foo]",
    "\x1b[2J",
    "\u202e",
    "👩\u200d💻",
    "<script>alert(1)</script>",
)


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return generate_records(now=FIXED_NOW)


def _content(record: dict) -> dict:
    """A record without its times, which move with ``now``."""
    return {k: v for k, v in record.items() if k not in ("created_at", "snoozed_until")}


def _depths(records: list[dict]) -> dict[tuple[str, str], int]:
    depth: dict[tuple[str, str], int] = {}
    for record in records:
        key = (record["account"], record["id"])
        parent = record["parent_id"]
        depth[key] = depth[(record["account"], parent)] + 1 if parent else 1
    return depth


def test_same_seed_same_records_and_content_does_not_move_with_now(records: list[dict]) -> None:
    assert generate_records(now=FIXED_NOW) == records
    later = generate_records(now=FIXED_NOW + 3 * DAY + 17)
    assert [_content(r) for r in later] == [_content(r) for r in records]
    shifted = [parse_time(r["created_at"]) + 3 * DAY + 17 for r in records]
    assert [parse_time(r["created_at"]) for r in later] == shifted
    other = generate_records(now=FIXED_NOW, seed=8)
    assert [r.get("text") for r in other] != [r.get("text") for r in records]


def test_iter_records_is_a_lazy_generator_whose_prefix_does_not_depend_on_count(
    records: list[dict],
) -> None:
    stream = iter_records(now=FIXED_NOW, count=1_000_000)
    assert inspect.isgenerator(stream)
    first = [next(stream) for _ in range(200)]
    stream.close()
    assert [_content(r) for r in first] == [_content(r) for r in records[:200]]
    assert len(generate_records(now=FIXED_NOW, count=37)) == 37


def test_volume_networks_accounts_and_languages(records: list[dict]) -> None:
    assert len(records) == 640
    networks = Counter(r["network"] for r in records)
    assert set(networks) == {"mastodon", "bluesky", "reddit", "youtube", "discourse"}
    assert min(networks.values()) > 40
    accounts = {(r["network"], r["account"]) for r in records}
    assert {
        ("mastodon", "lumo@mastodon.social"),
        ("mastodon", "lumo_fr@piaille.fr"),
        ("bluesky", "lumo.app"),
        ("reddit", "u/LumoOfficial"),
        ("youtube", "Lumo"),
        ("discourse", "forum.lumo.app"),
    } == accounts
    languages = Counter(r["language"] for r in records)
    assert set(languages) == {"en", "fr", "es", "de"}
    assert languages["en"] + languages["fr"] > 0.6 * len(records)
    assert min(languages["es"], languages["de"]) >= 20
    french_account = Counter(r["language"] for r in records if r["account"] == "lumo_fr@piaille.fr")
    assert french_account.most_common(1)[0][0] == "fr"


def test_times_are_the_last_14_days_newest_last_and_never_in_the_future(
    records: list[dict],
) -> None:
    times = [parse_time(r["created_at"]) for r in records]
    assert all(FIXED_NOW - 14 * DAY < t < FIXED_NOW for t in times)
    assert all(r["created_at"].endswith("Z") for r in records)
    last_day = sum(t > FIXED_NOW - DAY for t in times)
    first_day = sum(t < FIXED_NOW - 13 * DAY for t in times)
    assert last_day > 2 * first_day  # the recent past is busier
    big = [parse_time(r["created_at"]) for r in iter_records(now=FIXED_NOW, count=20_000)]
    assert max(big) < FIXED_NOW and min(big) > FIXED_NOW - 14 * DAY


def test_every_record_imports_and_ids_are_unique(records: list[dict]) -> None:
    incoming = [record_to_incoming(r) for r in records]
    assert len({(c.account, c.remote_id) for c in incoming}) == len(records)
    assert all(c.text for c in incoming)
    assert all(c.author.handle for c in incoming)


def test_ids_and_urls_look_like_each_network(records: list[dict]) -> None:
    patterns = {
        "mastodon": (r"\d{18}", r"https://[\w.-]+/@\w+/(?P<id>\d{18})"),
        "bluesky": (
            r"at://did:plc:[a-z2-7]{24}/app\.bsky\.feed\.post/[2-7a-z]{13}",
            r"https://bsky\.app/profile/[\w.-]+/post/[2-7a-z]{13}",
        ),
        "reddit": (
            r"t1_[0-9a-z]{7}",
            r"https://www\.reddit\.com/r/lumo/comments/\w+/\w+/[0-9a-z]{7}/",
        ),
        "youtube": (
            r"Ug[wxyz][\w-]{20}4AaABAg(\.[\w-]{22})?",
            r"https://www\.youtube\.com/watch\?v=[\w-]{11}&lc=Ug[\w.-]+",
        ),
        "discourse": (r"\d{5,}", r"https://forum\.lumo\.app/t/[a-z0-9-]+/\d+/\d+"),
    }
    for record in records:
        id_pattern, url_pattern = patterns[record["network"]]
        assert re.fullmatch(id_pattern, record["id"]), record["id"]
        assert re.fullmatch(url_pattern, record["url"]), record["url"]
        if record["network"] == "mastodon":
            assert record["url"].endswith("/" + record["id"])
            assert record["text"].startswith("@")  # Mastodon needs the mention
            assert "u-url mention" in record["html"]
        if record["network"] == "bluesky":
            assert record["id"].rsplit("/", 1)[1] == record["url"].rsplit("/", 1)[1]
        if record["network"] == "youtube" and record["parent_id"]:
            assert record["id"].startswith(record["parent_id"] + ".")  # YouTube threads are flat


def test_threads_are_consistent_and_2_to_6_deep(records: list[dict]) -> None:
    seen: dict[tuple[str, str], dict] = {}
    for record in records:
        key = (record["account"], record["id"])
        if record["parent_id"]:
            parent = seen[(record["account"], record["parent_id"])]  # parents come first
            assert parse_time(parent["created_at"]) < parse_time(record["created_at"])
            assert record["root_id"] == (parent["root_id"] or parent["id"])
        else:
            assert record["root_id"] is None
        seen[key] = record
    depths = Counter(_depths(records).values())
    assert max(depths) <= 6
    assert all(depths[d] for d in (2, 3, 4, 5))
    with_replies = {(r["account"], r["parent_id"]) for r in records if r["parent_id"]}
    singles = [
        r for r in records if not r["parent_id"] and (r["account"], r["id"]) not in with_replies
    ]
    assert len(singles) > 250
    deep = Counter(_depths(generate_records(now=FIXED_NOW, count=5000)).values())
    assert deep[6] and max(deep) == 6


def test_people_come_back_across_networks_with_heavy_tailed_audiences(records: list[dict]) -> None:
    handles_by_name: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for record in records:
        author = record["author"]
        handles_by_name[author["name"]].add((record["network"], author["handle"]))
    camille = dict(handles_by_name["Camille Roussel"])
    assert camille.get("mastodon") == "camille_dev@mastodon.social"
    assert camille.get("bluesky") == "camille-dev.bsky.social"
    cross = [name for name, found in handles_by_name.items() if len({n for n, _ in found}) >= 2]
    assert len(cross) >= 5
    per_handle = Counter((r["network"], r["author"]["handle"]) for r in records)
    assert sum(1 for n in per_handle.values() if n >= 3) >= 10  # regulars
    followers = {
        key: r["author"]["followers"]
        for r in records
        if (key := (r["network"], r["author"]["handle"])) and r["author"]["followers"] is not None
    }
    assert statistics.median(followers.values()) < 500
    assert 1 <= sum(f > 50_000 for f in followers.values()) < 0.05 * len(followers)


def test_content_is_varied_and_covers_what_a_community_manager_meets(records: list[dict]) -> None:
    texts = [r.get("text") or r["html"] for r in records]
    assert len(set(texts)) > 0.75 * len(texts)
    joined = "\n".join(texts)
    for phrase in (
        "export",
        "Pro",
        "@lumo ",
        "l'appli plante",
        "boycott",
        "see you in court",
        "follow",
        "pas terrible",
        "not bad at all",
        "synchro",
    ):
        assert phrase.lower() in joined.lower(), phrase
    assert re.search(r"[\U0001F300-\U0001FAFF]", joined)  # emoji


def test_hostile_strings_are_carried_verbatim(records: list[dict]) -> None:
    carried = "\n".join((r.get("text") or "") + (r.get("html") or "") for r in records)
    for hostile in HOSTILE:
        assert hostile in carried, repr(hostile)
    assert max(len(line) for r in records for line in (r.get("text") or "").split("\n")) >= 10_000
    html_only = [r for r in records if "text" not in r]
    assert html_only and "<script>alert(1)</script>" in html_only[0]["html"]


def test_about_fifteen_percent_arrive_triaged(records: list[dict]) -> None:
    statuses = Counter(r.get("status") for r in records)
    assert set(statuses) == {None, "replied", "done", "escalated", "snoozed", "spam"}
    assert 0.10 < 1 - statuses[None] / len(records) < 0.20
    for record in records:
        Status(record.get("status", "new"))
        if record.get("status") == "snoozed":
            until = parse_time(record["snoozed_until"])
            assert FIXED_NOW < until < FIXED_NOW + 5 * DAY
        else:
            assert "snoozed_until" not in record
    labels = Counter(label for r in records for label in r.get("labels", []))
    assert {"billing", "android", "ios", "feature-request", "vip", "bug"} <= set(labels)
    spam_texts = [r["text"] for r in records if r.get("status") == "spam"]
    assert all(re.search(r"https?://|follow|sígueme|abonne", t) for t in spam_texts)


def test_build_demo_fills_every_view(store, records: list[dict]) -> None:
    summary = build_demo(store, now=FIXED_NOW)
    assert summary == {"comments": 640, "networks": 5, "accounts": 6, "drafts": 2, "queued": 1}
    counts = store.view_counts()
    statuses = Counter(r.get("status") for r in records)
    # The queued reply moves one inbox comment to Handled.
    assert counts[View.INBOX] == statuses[None] - 1
    assert counts[View.HANDLED] == statuses["replied"] + statuses["done"] + 1
    assert counts[View.ESCALATED] == statuses["escalated"] > 0
    assert counts[View.SNOOZED] == statuses["snoozed"] > 0
    assert counts[View.SPAM] == statuses["spam"] > 0
    assert counts[View.OUTBOX] == 3
    assert counts[View.ALL] == 640
    assert sorted(store.languages()) == ["de", "en", "es", "fr"]
    assert "vip" in store.all_labels()


def test_build_demo_outbox_replies_fit_their_comments(store) -> None:
    build_demo(store, now=FIXED_NOW)
    rows = list(store.iter_queue(QueueQuery(view=View.OUTBOX)))
    states = Counter(row.reply.state for row in rows)
    assert states == {ReplyState.DRAFT: 2, ReplyState.QUEUED: 1}
    for row in rows:
        assert row.reply.text.strip()
        expected = Status.REPLIED if row.reply.state is ReplyState.QUEUED else Status.NEW
        assert row.comment.status is expected
        if row.comment.network == "mastodon":
            assert row.reply.text.startswith("@" + row.comment.author.handle)


def test_built_demo_shows_hostile_text_literally_and_keeps_threads(store, clock) -> None:
    build_demo(store, now=FIXED_NOW)
    comments = [row.comment for row in store.iter_queue(QueueQuery(view=View.ALL))]
    texts = "\n".join(c.text for c in comments)
    for literal in (
        "[@click=app.quit]boom[/]",
        "[bold red]x",
        "[/foo]",
        "👩\u200d💻",
        "<script>alert(1)</script>",
    ):
        assert literal in texts
    assert "\x1b" not in texts and "\u202e" not in texts  # cleaned on the way in
    embedded = next(
        c for c in comments if c.markup and "<script>" in c.markup and "alert" not in c.text
    )
    assert "Trying to embed a widget" in embedded.text
    deepest = max(comments, key=lambda c: len(store.ancestors(c)))
    chain = store.ancestors(deepest)
    assert 2 <= len(chain) <= 5
    assert chain[0].remote_id == deepest.root_remote_id
    assert [c.created_at for c in chain] == sorted(c.created_at for c in chain)
    assert store.wake_due_snoozes() == []  # every snooze ends after now
    clock.advance(5 * DAY)
    assert len(store.wake_due_snoozes()) == Counter(c.status for c in comments)[Status.SNOOZED]


def test_the_demos_escalations_have_a_team_a_note_and_some_an_answer(store) -> None:
    build_demo(store, now=FIXED_NOW)
    escalated = list(store.queue_keys(QueueQuery(view=View.ESCALATED)))
    rows = store.queue_rows(View.ESCALATED, escalated)
    assert rows and all(row.escalation is not None for row in rows)
    assert {row.escalation.team for row in rows} <= {"support", "product", "press"}
    assert all(row.escalation.note for row in rows)
    assert all(row.escalation.created_at <= FIXED_NOW for row in rows)
    answered = [row for row in rows if row.escalation.state.value == "answered"]
    assert 0 < len(answered) < len(rows)
    # History, not the user's actions: nothing for undo to take back.
    assert store.db.query_one("SELECT count(*) FROM events WHERE action = 'escalate'")[0] == 0
