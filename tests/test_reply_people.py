"""The core under the composer: aliases across networks, the replying account, the second look."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tui_fixtures import default_config, incoming

from cm_inbox.check_settings import CheckSettings, read_checks
from cm_inbox.reply_accounts import can_answer, reply_accounts
from cm_inbox.second_look import second_look_reasons
from cm_inbox.store import ReplyError


def add(store, now, *items):
    store.upsert_comments(
        [incoming(*item[:5], now, **(item[5] if len(item) > 5 else {})) for item in items]
    )


def comment_by(store, remote_id):
    for comment_id in range(1, 50):
        comment = store.comment(comment_id)
        if comment is not None and comment.remote_id == remote_id:
            return comment
    raise AssertionError(remote_id)


def test_close_handles_and_equal_names_are_suggested_closest_first(store, clock):
    now = int(clock())
    add(
        store,
        now,
        ("bluesky", "lumo.app", "b1", "camille-dev.bsky.social", "hi", {"name": "Camille D"}),
        ("mastodon", "lumo@mastodon.social", "m1", "camilledv@piaille.fr", "hi", {"name": "C."}),
        ("reddit", "u/LumoOfficial", "r1", "cdupont", "hi", {"name": "Camille D"}),
        ("reddit", "u/LumoOfficial", "r2", "zed", "hi", {"name": "Zed"}),
        ("bluesky", "lumo.app", "b2", "camilledev2.bsky.social", "hi", {"name": "Other"}),
    )
    me = comment_by(store, "b1").author.id
    found = [(s.author.handle, s.reason, s.score) for s in store.alias_suggestions(me)]
    handles = [handle for handle, _, _ in found]
    assert handles[0] == "cdupont", "the same display name first (100 %)"
    assert "camilledv@piaille.fr" in handles, "a handle one letter off"
    assert "zed" not in handles
    assert "camilledev2.bsky.social" not in handles, "the same network is not an alias"


def test_confirmed_alias_joins_the_author_card_and_a_denied_one_is_not_suggested_again(
    store, clock
):
    now = int(clock())
    add(
        store,
        now,
        ("bluesky", "lumo.app", "b1", "camille-dev.bsky.social", "first", {"name": "Camille D"}),
        ("reddit", "u/LumoOfficial", "r1", "cdupont", "on reddit", {"name": "Camille D"}),
        ("mastodon", "lumo@mastodon.social", "m1", "camilledv@piaille.fr", "on mastodon"),
    )
    comment = comment_by(store, "b1")
    me = comment.author.id
    reddit = comment_by(store, "r1").author.id
    mastodon = comment_by(store, "m1").author.id
    store.decide_alias(me, reddit, same=True)
    store.decide_alias(me, mastodon, same=False)
    assert store.alias_suggestions(me) == []
    card = store.author_card(comment)
    assert ("reddit", "cdupont") in card.aliases
    assert ("mastodon", "camilledv@piaille.fr") not in card.aliases
    assert [c.text for c in card.recent] == ["on reddit"]
    store.decide_alias(me, mastodon, same=True)  # changing one's mind is allowed
    assert ("mastodon", "camilledv@piaille.fr") in store.author_card(comment).aliases


def test_a_reply_goes_out_from_an_account_of_the_comments_network_only(store, clock):
    now = int(clock())
    add(store, now, ("bluesky", "lumo.app", "b1", "dana.bsky.social", "hi"))
    other = store.connect_account("bluesky", "help.lumo.app", "help.lumo.app", {})
    elsewhere = store.connect_account("mastodon", "lumo@mastodon.social", "lumo", {})
    with pytest.raises(ReplyError, match="comment's own network"):
        store.queue_reply(1, "Hello", account_id=elsewhere.id)
    with pytest.raises(ReplyError, match="no account"):
        store.queue_reply(1, "Hello", account_id=9999)
    store.save_draft(1, "Hel", account_id=other.id)
    reply = store.queue_reply(1, "Hello", account_id=other.id)
    assert reply.account_id == other.id
    assert store.draft_for(1) is None


def test_which_accounts_can_answer(store, clock):
    now = int(clock())
    add(store, now, ("mastodon", "lumo@mastodon.social", "m1", "bob@example.org", "hi"))
    for network, name in (
        ("mastodon", "lumo@mastodon.social"),
        ("mastodon", "lumo_help@mastodon.social"),
        ("mastodon", "lumo_fr@piaille.fr"),
        ("bluesky", "lumo.app"),
    ):
        store.connect_account(network, name, name, {})
    names = [a.name for a in reply_accounts(store.comment(1), store.connected_accounts())]
    assert names == ["lumo@mastodon.social", "lumo_help@mastodon.social"]
    assert can_answer("bluesky", "lumo.app", "help.lumo.app")
    assert not can_answer("discourse", "forum.lumo.app", "community.lumo.app")


def test_second_look_reasons(store, clock):
    now = int(clock())
    add(store, now, ("bluesky", "lumo.app", "b1", "dana.bsky.social", "hi", {"followers": 20_000}))
    comment = store.comment(1)
    settings = CheckSettings()
    assert second_look_reasons(replace(comment, intents=("crisis",)), settings) == [
        "crisis words (legal, safety or press)"
    ]
    angry = replace(comment, sentiment="negative", sentiment_score=-0.7, intents=())
    assert second_look_reasons(angry, settings) == [
        "strongly negative (-0.7) from an author with 20,000 followers"
    ]
    small = replace(angry, author=replace(angry.author, followers=10), likes=40, replies=10)
    assert second_look_reasons(small, settings) == [
        "strongly negative (-0.7) with 50 likes and replies"
    ]
    assert second_look_reasons(replace(small, likes=39), settings) == []
    assert second_look_reasons(replace(angry, sentiment_score=-0.5), settings) == []
    assert (
        second_look_reasons(
            replace(comment, intents=("crisis",)), replace(settings, second_look=False)
        )
        == []
    )


def test_second_look_settings_are_read_and_bad_values_named(tmp_path):
    problems: list[str] = []
    settings = read_checks(
        {"second_look": "off", "second_look_score": -0.8, "second_look_followers": "many"},
        lambda path, message: problems.append(message),
    )
    assert settings.second_look is False
    assert settings.second_look_score == -0.8
    assert settings.second_look_followers == 10_000
    assert problems == [
        '"second_look_followers" in [checks] must be a whole number from 0 to 1,000,000,000,'
        " not a string; using 10000"
    ]
    config = default_config(tmp_path, '[checks]\nsecond_look = "maybe"\n')
    assert any('"second_look" in [checks] must be "on" or "off"' in p for p in config.problems)
    assert config.checks.second_look is True
