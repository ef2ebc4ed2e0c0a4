"""Keyword watches' matches in the app: their label can be taken off from the keyboard,
and a feed or Hacker News item is answered where it lives, not from the composer."""

from __future__ import annotations

from test_tui import SIZE, current_id, settle
from tui_fixtures import default_config, fill, incoming

from cm_inbox.model import ReplyState
from cm_inbox.tui.app import CmInboxApp
from cm_inbox.watches import UNTAGGED_LABEL


def make(store, clock, tmp_path) -> CmInboxApp:
    # Newest first: the item each test adds last is the first row.
    config = default_config(tmp_path, '[ui]\nsort = "newest"\n')
    return CmInboxApp(store, config, clock=clock, thread_settle_s=0.01)


async def test_the_untagged_mention_label_comes_off_with_quotes(store, clock, tmp_path):
    fill(store, int(clock()))
    store.change_labels([12], add=[UNTAGGED_LABEL, "coffee"])
    app = make(store, clock, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_id(app) == 12
        await pilot.press("l")
        await settle(pilot)
        await pilot.press(*'-"untagged mention"', "enter")
        await settle(pilot)
    assert store.labels_of(12) == ["coffee"]


async def test_a_feed_item_cannot_be_answered_from_the_composer(store, clock, tmp_path):
    now = int(clock())
    fill(store, now)
    item = incoming(
        "rss", "lumo", "https://blog.example/posts/5", "Ana Ruiz", "Lumo, compared", now + 5,
        url="https://blog.example/posts/5", labels=(UNTAGGED_LABEL,),
    )  # fmt: skip
    store.upsert_comments([item])
    app = make(store, clock, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        comment_id = current_id(app)
        assert store.comment(comment_id).network == "rss"
        await pilot.press("r")
        await settle(pilot)
        await pilot.press(*"Thanks!", "ctrl+s")
        await settle(pilot)
    queued = [r for r in store.replies_for(comment_id) if r.state is not ReplyState.DRAFT]
    assert queued == []
