"""`cm-inbox reply` holds a reply to the brand book like the composer does, and
`cm-inbox templates` finds templates like the picker does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from compose_fixtures import add_comments, incoming, write

from cm_inbox.model import ReplyState, Status
from cm_inbox.store import Store

BRAND = """\
[brand]
name = "Lumo"
allowed_domains = ["lumo.app"]

[brand.links]
status = "https://status.lumo.app"

[brand.languages.en]
greetings = ["Hi", "Hello"]
require_greeting = true

[brand.avoid]
"ASAP" = "as soon as we can"
"""


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = write(tmp_path / "config" / "config.toml", BRAND)
    monkeypatch.setenv("CM_INBOX_CONFIG", str(path))
    return path


REMOTES = ("b1", "b2", "b3", "m1")


@pytest.fixture
def inbox(tmp_path: Path, clock) -> tuple[Path, dict[str, int]]:
    """A database with four comments, and their ids by remote id."""
    path = tmp_path / "inbox.sqlite3"
    with Store(path, clock=clock) as store:
        found = add_comments(
            store,
            incoming("b1"),
            incoming("b2", handle="noah.bsky.social", name="Noah"),
            incoming("b3", handle="ava.bsky.social", name="Ava", status=Status.ESCALATED),
            incoming(
                "m1",
                network="mastodon",
                handle="bob@example.org",
                name="Bob",
                text="Lumo est en panne ? Plus rien ne se charge depuis ce matin",
                language="fr",
            ),
        )
    return path, dict(zip(REMOTES, found, strict=True))


@pytest.fixture
def db(inbox: tuple[Path, dict[str, int]]) -> Path:
    return inbox[0]


@pytest.fixture
def ids(inbox: tuple[Path, dict[str, int]]) -> dict[str, int]:
    return inbox[1]


def test_reply_prints_every_warning_and_still_queues(
    cli, db: Path, ids: dict[str, int], config: Path
) -> None:
    result = cli("reply", "--db", db, ids["b1"], "We will fix it ASAP!!!")
    assert result.code == 0, result.err
    lines = result.err.strip().splitlines()
    assert lines == [
        'warning (avoid_word): "ASAP" is on the brand book\'s list of words to avoid: '
        'say "as soon as we can" instead',
        'warning (missing_greeting): no greeting: Lumo replies in English open with "Hi" or "Hello"',
        'warning (shouting): a pile of "!" ("!!!"): one is plenty',
    ]
    with Store(db) as store:
        (reply,) = store.replies_for(ids["b1"])
        assert reply.state is ReplyState.QUEUED


def test_a_foreign_link_blocks_with_its_real_domain_and_queues_nothing(
    cli, db: Path, ids: dict[str, int], config: Path
) -> None:
    comment_id = ids["b1"]
    result = cli("reply", "--db", db, comment_id, "Hi Emma, https://lumo.app@evil.example/x")
    assert result.code == 3
    assert result.err.strip().splitlines() == [
        "cannot queue the reply (foreign_link): a link to evil.example, outside the allowed "
        "domains (lumo.app)",
        "  https://lumo.app@evil.example/x",
    ]
    with Store(db) as store:
        assert store.replies_for(comment_id) == []
        assert store.comment(comment_id).status is Status.NEW  # type: ignore[union-attr]


def test_a_warning_set_to_block_in_config_refuses_the_reply(
    cli, db: Path, ids: dict[str, int], config: Path
) -> None:
    config.write_text(BRAND + '\n[checks]\navoid_word = "block"\n', encoding="utf-8")
    comment_id = ids["b1"]
    result = cli("reply", "--db", db, comment_id, "Hi Emma, fixing it ASAP")
    assert result.code == 3
    assert result.err.startswith("cannot queue the reply (avoid_word): ")
    with Store(db) as store:
        assert store.replies_for(comment_id) == []


def test_warnings_come_before_the_blocking_reason(
    cli, db: Path, ids: dict[str, int], config: Path
) -> None:
    result = cli("reply", "--db", db, ids["b1"], "fixing {link.statu} ASAP")
    assert result.code == 3
    lines = result.err.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "warning (avoid_word)",
        "warning (missing_greeting)",
        "cannot queue the reply (unknown_variable)",
    ]


def test_a_bluesky_reply_over_300_graphemes_with_emoji_is_refused(
    cli, db: Path, ids: dict[str, int], config: Path
) -> None:
    comment_id = ids["b1"]
    fits = "Hi Emma " + "🇫🇷" * 100 + "x" * 192  # 300 graphemes, 400 code points
    assert cli("reply", "--db", db, comment_id, fits).code == 0
    other = ids["b2"]
    result = cli("reply", "--db", db, other, fits + "👨‍👩‍👧")
    assert result.code == 3
    assert "too long for Bluesky: 301 / 300 graphemes" in result.err


def test_a_reply_like_recent_ones_is_flagged_with_the_count(
    cli, db: Path, ids: dict[str, int], config: Path
) -> None:
    words = (
        "Hi {}, sorry about that! The team is looking into it, could you DM us your app version?"
    )
    assert cli("reply", "--db", db, ids["b1"], words.format("Emma")).code == 0
    assert cli("reply", "--db", db, ids["b2"], words.format("Noah")).code == 0
    result = cli("reply", "--db", db, ids["b3"], words.format("Ava"))
    assert result.code == 0
    lines = result.err.strip().splitlines()
    assert lines[0] == "warning (same_as_recent): 100 % like 2 replies sent in the last 24 hours"
    assert lines[1].startswith('  closest, to @noah.bsky.social now: "Hi Noah, sorry')


def test_config_problems_are_shown_and_the_reply_still_goes(
    cli, db: Path, ids: dict[str, int], config: Path
) -> None:
    config.write_text(BRAND + '\n[checks]\nshoutin = "warn"\n', encoding="utf-8")
    result = cli("reply", "--db", db, ids["b1"], "Hi Emma, on it")
    assert result.code == 0
    assert result.err.strip() == (
        f'config: {config}, line 16: unknown check "shoutin" in [checks] (did you mean "shouting"?)'
    )


def test_templates_lists_searches_and_ranks_for_a_comment(
    cli, db: Path, ids: dict[str, int], config: Path
) -> None:
    listing = cli("templates")
    assert listing.code == 0
    assert listing.out.splitlines()[0].split()[:3] == ["id", "lang", "title"]
    assert "admit-acknowledge" in listing.out and "outage" in listing.out
    found = cli("templates", "outge")
    assert found.out.splitlines()[1].split()[0] == "outage"
    escalated = cli("templates", "--db", db, "--comment", ids["b3"], "--json")
    items = json.loads(escalated.out)
    assert [item["id"] for item in items[:4]] == [
        "admit-acknowledge",
        "admit-apologise",
        "admit-action",
        "admit-follow-up",
    ]
    assert all(item["suggested"] for item in items[:4])
    french = json.loads(cli("templates", "--db", db, "--comment", ids["m1"], "--json").out)
    assert {item["language"] for item in french} == {"fr"}
    assert cli("templates", "zzzzqqq").code == 1


def test_templates_reports_mistakes_in_the_users_files(cli, config: Path) -> None:
    path = write(
        config.parent / "templates" / "mine.toml", '[hi]\n[hi.en]\nvariants = ["Hi {autor.name}"]\n'
    )
    result = cli("templates", "--json")
    assert result.code == 0
    assert result.err.strip() == (
        f'templates: {path}, line 3: variant 1 of template "hi" (en) uses an unknown variable '
        "{autor.name} (did you mean {author.name}?)"
    )
    assert "hi" in [item["id"] for item in json.loads(result.out)]
