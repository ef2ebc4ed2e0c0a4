"""What a stranger writes in a comment cannot ping a channel, disguise a link or
break the message in any of the three chats."""

from __future__ import annotations

import json

import pytest

from cm_inbox.model import Author, Comment, EscalationState, Status
from cm_inbox.model.escalations import Escalation
from cm_inbox.webhooks.messages import DISCORD_LIMIT, build, safe_link, subject_of

HOSTILE = (
    "<!everyone> <!here|here> @here @channel @everyone <@U012AB3CD> <#C0123> "
    "<https://evil.example|Your bank> [Your bank](https://evil.example) "
    "**bold** _it_ ~strike~ `code` ||spoiler|| # Heading &amp; "
    "screen \x1b[2J clear \u202eevil bidi"
)


def comment(text: str = HOSTILE, url: str | None = "https://mastodon.social/@bob/1", **kw):
    return Comment(
        id=7,
        network="mastodon",
        account="lumo@mastodon.social",
        account_id=1,
        remote_id="1",
        parent_remote_id=None,
        root_remote_id="1",
        author=Author(
            id=1,
            network="mastodon",
            handle="bob@evil.example",
            display_name=kw.pop("name", "<!channel> [@click=app.quit]"),
        ),
        text=text,
        created_at=1_795_168_800,
        fetched_at=1_795_168_800,
        status=Status.ESCALATED,
        url=url,
    )


def escalation(note: str = "Check with @everyone in <!here> first") -> Escalation:
    return Escalation(
        id=3,
        comment_id=7,
        team="support",
        state=EscalationState.OPEN,
        created_at=1_795_168_900,
        updated_at=1_795_168_900,
        severity="high",
        note=note,
    )


def body_for(shape: str, **kw) -> dict:
    note = kw.pop("note", "Check with @everyone in <!here> first")
    return build(shape, subject_of(escalation(note), comment(**kw)))


@pytest.mark.parametrize("shape", ["slack", "mattermost", "discord"])
def test_no_mention_no_masked_link_no_escape_code_survives(shape):
    dumped = json.dumps(body_for(shape), ensure_ascii=False)
    for live in ("<!", "<@", "<#", "<https://evil", "@here", "@channel", "@everyone"):
        assert live not in dumped, (shape, live)
    assert "\x1b" not in dumped and "\u202e" not in dumped
    # Still readable: the words are all there, shown as written.
    assert "evil.example" in dumped and "Your bank" in dumped


def test_slack_shows_stranger_text_only_in_plain_text_objects():
    body = body_for("slack")
    for block in body["blocks"]:
        texts = [block.get("text")] + block.get("elements", [])
        for text in texts:
            if text and "type" in text and text["type"] != "button":
                assert text["type"] == "plain_text", block
    # The notification line is mrkdwn: Slack's three specials are entities there.
    assert "<" not in body["text"] and ">" not in body["text"]
    assert "&lt;https://evil.example|Your bank&gt;" in body["text"]
    assert body["unfurl_links"] is False and body["unfurl_media"] is False


def test_markdown_specials_are_escaped_for_mattermost_and_discord():
    for shape, key in (("mattermost", "text"), ("discord", "content")):
        text = build(shape, subject_of(escalation(), comment()))[key]
        assert "[Your bank](https://evil.example)" not in text
        assert "\\[Your bank\\]\\(https://evil.example\\)" in text
        assert "**bold**" not in text and "\\*\\*bold\\*\\*" in text
        assert "||spoiler||" not in text
        assert "\\# Heading" in text


def test_discord_pings_nobody_and_previews_nothing():
    body = body_for("discord")
    assert body["allowed_mentions"] == {"parse": []}
    assert body["flags"] == 4


def test_discord_cuts_a_long_comment_and_keeps_the_note_and_the_link():
    note = "Refund approved by Sam; reply with the apology template. " * 5
    body = body_for("discord", text="A" * 10_000 + HOSTILE, note=note)
    content = body["content"]
    assert len(content) <= DISCORD_LIMIT
    assert note.strip()[:100] in content.replace("\\", "")
    assert content.rstrip().endswith("<https://mastodon.social/@bob/1>")
    assert "…" in content


def test_slack_sections_stay_within_block_kit_limits():
    body = body_for("slack", text="x" * 10_000)
    for block in body["blocks"]:
        text = block.get("text", {}).get("text", "")
        assert len(text) <= 3000
    assert len(body["blocks"][0]["text"]["text"]) <= 150


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a|b>c)d<e f", "https://example.org/a%7Cb%3Ec%29d%3Ce%20f"),
        ("javascript:alert(1)", None),
        ("https:///no-host", None),
        (None, None),
        (
            "https://bsky.app/profile/a.b/post/3k?x=1&y=2#top",
            "https://bsky.app/profile/a.b/post/3k?x=1&y=2#top",
        ),
    ],
)
def test_links_cannot_end_early_or_run_script(url, expected):
    assert safe_link(url) == expected


def test_a_link_that_is_not_http_is_left_out():
    for shape in ("slack", "mattermost", "discord"):
        dumped = json.dumps(body_for(shape, url="javascript:alert(1)"))
        assert "javascript" not in dumped


def test_a_comment_without_text_still_makes_a_valid_slack_message():
    body = body_for("slack", text="")
    assert all(block.get("text", {}).get("text", "x") for block in body["blocks"])
