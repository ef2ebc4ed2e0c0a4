"""The JSON a team's chat accepts, built from untrusted comment text.

Slack takes ``{"text": …}`` (its mrkdwn, shown in notifications) and Block Kit
``blocks``; Mattermost takes ``{"text": …}`` in Markdown; Discord takes
``{"content": …}`` in its Markdown, at most 2,000 characters.

A comment is written by a stranger, so it must not be able to ping a channel
(``@here``, ``<!everyone>``, ``@everyone``), disguise a link (``<https://evil|bank>``,
``[bank](https://evil)``) or restyle the message. Each format is defused in its
own terms: Slack's rich part uses ``plain_text`` objects, which Slack never
parses, and its fallback text escapes ``& < >`` as Slack asks; Markdown
specials are backslash-escaped for Mattermost and Discord; every ``@`` gets
an invisible word joiner so no chat reads a mention; Discord is also told to
ping nobody (``allowed_mentions``) and not to unfurl links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from cm_inbox.model import Comment
from cm_inbox.model.escalations import Escalation
from cm_inbox.networks.rules import at_handle, rules_for
from cm_inbox.text import clean_text, one_line

DISCORD_LIMIT = 2000
MATTERMOST_TEXT = 4000  # of the comment; a post may hold 16,383
SLACK_SECTION = 3000  # Block Kit's limit for one section's text
SLACK_HEADER = 150
WORD_JOINER = "\u2060"
# Discord: no mention pings whatever the text says; 4 = SUPPRESS_EMBEDS (no link previews).
DISCORD_SAFETY = {"allowed_mentions": {"parse": []}, "flags": 4}
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_~\[\]()<>#|!])")
SEVERITY_MARK = {"critical": "🚨 ", "high": "⚠️ "}


@dataclass(frozen=True, slots=True)
class Subject:
    """What one message says, as plain text (escaping is each format's job)."""

    kind: str  # "escalated" or "withdrawn"
    team: str
    severity: str | None
    note: str
    author: str  # "@bob (Bob Martin)"
    where: str  # "on Mastodon, to lumo@mastodon.social, Fri 20 Nov 2026 10:00 UTC"
    text: str
    link: str | None
    escalated_at: int

    @property
    def title(self) -> str:
        if self.kind == "withdrawn":
            return f"Withdrawn: the escalation to {self.team}"
        severity = f" · {self.severity}" if self.severity else ""
        return f"{SEVERITY_MARK.get(self.severity or '', '')}Escalated to {self.team}{severity}"

    @property
    def apology(self) -> str:
        return (
            f"The escalation of {self.author}'s comment (sent {_utc(self.escalated_at)}) was"
            " withdrawn in cm-inbox: it was a mistake. Please disregard it, and sorry for the noise."
        )


def subject_of(escalation: Escalation, comment: Comment, kind: str = "escalated") -> Subject:
    """The message about ``escalation`` of ``comment`` (``kind``: the escalation, or its withdrawal)."""
    author = comment.author
    name = clean_text(author.display_name or "").strip()
    who = at_handle(clean_text(author.handle)) + (f" ({one_line(name, 80)})" if name else "")
    where = (
        f"on {rules_for(comment.network).label}, to {clean_text(comment.account)},"
        f" {_utc(comment.created_at)}"
    )
    return Subject(
        kind=kind,
        team=escalation.team,
        severity=escalation.severity,
        note=clean_text(escalation.note).strip(),
        author=who,
        where=where,
        text=clean_text(comment.text).strip(),
        link=safe_link(comment.url),
        escalated_at=escalation.created_at,
    )


def build(format_name: str, subject: Subject) -> dict[str, Any]:
    """The JSON body for ``format_name`` ("slack", "mattermost" or "discord")."""
    builders = {"slack": slack, "mattermost": mattermost, "discord": discord}
    return builders[format_name](subject)


# --- Slack ------------------------------------------------------------------------


def slack(subject: Subject) -> dict[str, Any]:
    """Blocks in plain_text (never parsed), and an escaped mrkdwn fallback for notifications."""
    fallback = f"*{slack_escape(subject.title)}*: {slack_escape(subject.author)}"
    if subject.kind == "withdrawn":
        fallback += f" · {slack_escape(subject.apology)}"
        blocks = [_slack_header(subject.title), _slack_section(subject.apology)]
        return {"text": fallback, "blocks": blocks, "unfurl_links": False, "unfurl_media": False}
    if subject.text:
        fallback += f" · {slack_escape(one_line(subject.text, 140))}"
    if subject.note:
        fallback += f" · Note: {slack_escape(one_line(subject.note, 300))}"
    blocks: list[dict[str, Any]] = [_slack_header(subject.title)]
    if subject.text:
        blocks.append(_slack_section(subject.text))
    blocks.append(
        {
            "type": "context",
            "elements": [_slack_plain(f"{subject.author} {subject.where}", 2000)],
        }
    )
    if subject.note:
        blocks.append(_slack_section(f"Note from the community manager: {subject.note}"))
    if subject.link and len(subject.link) <= 3000:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open the comment"},
                        "url": subject.link,
                    }
                ],
            }
        )
    return {"text": fallback, "blocks": blocks, "unfurl_links": False, "unfurl_media": False}


def slack_escape(text: str) -> str:
    """Slack mrkdwn: ``& < >`` as entities (no ``<!here>``, no ``<url|lie>``), mentions defused."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return defuse_mentions(text)


def _slack_plain(text: str, limit: int) -> dict[str, Any]:
    # plain_text is never parsed by Slack; defused all the same, should a client ever try.
    return {"type": "plain_text", "text": _cut(defuse_mentions(text), limit)}


def _slack_header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": _slack_plain(text, SLACK_HEADER)}


def _slack_section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _slack_plain(text, SLACK_SECTION)}


# --- Mattermost ----------------------------------------------------------------------


def mattermost(subject: Subject) -> dict[str, Any]:
    """One Markdown post: the title, the comment quoted, who and where, the note, the link."""
    lines = [f"#### {markdown_escape(subject.title)}"]
    if subject.kind == "withdrawn":
        lines.append(markdown_escape(subject.apology))
        return {"text": "\n".join(lines)}
    if subject.text:
        lines.append(_quoted(markdown_escape(_cut(subject.text, MATTERMOST_TEXT))))
    lines.append(f"— {markdown_escape(subject.author)} {markdown_escape(subject.where)}")
    if subject.note:
        lines.append(f"**Note from the community manager:** {markdown_escape(subject.note)}")
    if subject.link:
        lines.append(f"[Open the comment]({subject.link})")
    return {"text": "\n\n".join(lines)}


# --- Discord --------------------------------------------------------------------------


def discord(subject: Subject) -> dict[str, Any]:
    """Discord's ``content`` in at most 2,000 characters: the comment is cut to fit, the
    note and the link never are (the note is the community manager's, and short)."""
    head = f"**{markdown_escape(subject.title)}**"
    if subject.kind == "withdrawn":
        return {"content": _cut(f"{head}\n{markdown_escape(subject.apology)}", DISCORD_LIMIT)}
    tail = [f"— {markdown_escape(subject.author)} {markdown_escape(subject.where)}"]
    if subject.note:
        tail.append(f"**Note:** {markdown_escape(_cut(subject.note, 600))}")
    if subject.link:
        tail.append(f"<{subject.link}>")  # angle brackets: a link, without a preview
    fixed = "\n".join([head, *tail])
    content = fixed
    if subject.text:
        room = DISCORD_LIMIT - len(fixed) - 1
        size = room
        while size > 0:
            quoted = _quoted(markdown_escape(_cut(subject.text, size)))
            if len(quoted) <= room:
                content = "\n".join([head, quoted, *tail])
                break
            size -= max(1, len(quoted) - room)
    return {"content": _cut(content, DISCORD_LIMIT), **DISCORD_SAFETY}


# --- shared -----------------------------------------------------------------------------


def markdown_escape(text: str) -> str:
    """Markdown specials backslash-escaped (no links, mentions, headings, spoilers), mentions defused."""
    return defuse_mentions(_MARKDOWN_SPECIALS.sub(r"\\\1", text))


def defuse_mentions(text: str) -> str:
    """``@everyone``, ``<!here>``, ``<@U123>`` and friends, with an invisible word
    joiner after the ``@`` and the ``<``: shown the same, read by no chat as a
    mention or a link."""
    return text.replace("@", "@" + WORD_JOINER).replace("<", "<" + WORD_JOINER)


def safe_link(url: str | None) -> str | None:
    """An http(s) link with every character that could end it early percent-encoded,
    or None when it is not one (``javascript:``, no host)."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return quote(url, safe="/:?#&=+%,;@!$'*~.-_")


def _quoted(text: str) -> str:
    return "\n".join("> " + line for line in text.splitlines() or [""])


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _utc(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%a %d %b %Y %H:%M UTC")
