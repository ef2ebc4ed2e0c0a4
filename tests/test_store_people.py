"""Reading a comment in context: its thread and who is speaking."""

from __future__ import annotations

from tui_fixtures import fill

from cm_inbox.store.ingest import handle_key


def test_handle_key_finds_the_name_part_across_networks():
    assert handle_key("mastodon", "@camille_dev@mastodon.social") == "camilledev"
    assert handle_key("bluesky", "camille-dev.bsky.social") == "camilledev"
    assert handle_key("reddit", "Camille_Dev") == "camilledev"


def test_thread_holds_ancestors_and_replies_oldest_first(store, clock):
    fill(store, int(clock()))
    deepest = store.comment(10)  # m5 → m4 → m1
    assert [c.remote_id for c in store.thread(deepest)] == ["m1", "m4", "m5"]
    assert [c.remote_id for c in store.ancestors(deepest)] == ["m1", "m4"]


def test_author_card_counts_comments_on_every_network_and_our_replies(store, clock):
    fill(store, int(clock()))
    store.queue_reply(1, "@camille@piaille.fr we're on it")
    card = store.author_card(store.comment(10))
    assert card.comment_count == 3, "two on Mastodon, one on Bluesky"
    assert card.networks == ["bluesky", "mastodon"]
    assert card.aliases == [("bluesky", "camille.bsky.social")]
    assert [r.text for r in card.our_replies] == ["@camille@piaille.fr we're on it"]
    assert {c.remote_id for c in card.recent} == {"m1", "b4"}


def test_author_card_of_a_stranger_has_no_aliases(store, clock):
    fill(store, int(clock()))
    card = store.author_card(store.comment(11))  # ken on Reddit
    assert card.comment_count == 1
    assert card.aliases == []
    assert card.our_replies == []


def test_namesakes_with_different_names_are_not_merged(store, clock):
    from tui_fixtures import incoming

    now = int(clock())
    store.upsert_comments(
        [
            incoming(
                "mastodon",
                "lumo@mastodon.social",
                "x1",
                "lea_martin@eldritch.cafe",
                "hi",
                now,
                name="Léa Martin",
            ),
            incoming(
                "bluesky", "lumo.app", "x2", "leamartin.bsky.social", "hello", now, name="Léa"
            ),
            incoming(
                "bluesky", "lumo.app", "x3", "lea-martin.bsky.social", "hey", now, name="lea MARTIN"
            ),
        ]
    )
    card = store.author_card(store.comment(1))
    assert card.aliases == [("bluesky", "lea-martin.bsky.social")], (
        "same handle and name (accents, case aside)"
    )
