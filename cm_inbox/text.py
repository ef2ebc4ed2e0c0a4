"""Untrusted text from networks, made safe to store and show.

Everything a network sends is hostile until proven otherwise. This module turns
it into plain text: no terminal escape codes, no bidi overrides that reorder
what the user reads, no HTML, and links reduced to their real target so that a
link text cannot lie about where it points. The TUI then renders the result as
plain text (never as markup), which is the second half of the guarantee.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

# ANSI/VT escape sequences: CSI, OSC (terminated by BEL or ST), and lone ESC pairs.
_ANSI = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]        # CSI ... final byte
    | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?   # OSC ... BEL or ST
    | \x1b[PX^_][^\x1b]*(?:\x1b\\)?        # DCS, SOS, PM, APC strings
    | \x1b[@-Z\\-_]                # two-byte escapes
    | \x9b[0-?]*[ -/]*[@-~]        # 8-bit CSI
    """,
    re.VERBOSE,
)
# Bidi embedding/override/isolate controls reorder the text on screen
# (the "Trojan Source" trick); marks (LRM/RLM) are harmless but invisible.
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), None)


def clean_text(raw: str) -> str:
    """Return ``raw`` without escape sequences, control characters or bidi overrides.

    Newlines and tabs are kept (tabs become spaces); zero-width joiners are kept
    because emoji sequences need them.
    """
    if raw.isprintable():
        # No control, format or separator characters at all: nothing to remove.
        # Most comments take this path, which matters at a million imports.
        return raw
    text = _ANSI.sub("", raw).translate(_BIDI)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return "".join(
        ch
        for ch in text
        if ch == "\n" or not unicodedata.category(ch).startswith("C") or ch == "\u200d"
    )


def one_line(text: str, limit: int = 400) -> str:
    """The text folded to a single line for the queue, whitespace collapsed."""
    folded = " ".join(text.split())
    return folded[:limit]


class _HTMLToText(HTMLParser):
    """Converts network HTML (Mastodon, Discourse) to plain text.

    Block elements become line breaks; links become their visible text, followed
    by the real target in angle brackets when the two differ (mentions and
    hashtags keep only their text, since their target is the profile or tag).
    Scripts and styles are dropped with their content.
    """

    _BLOCK = {"p", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr"}
    _SKIP = {"script", "style", "template", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0
        self._links: list[tuple[str | None, bool, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip_depth += 1
            return
        if tag == "br":
            self.parts.append("\n")
        elif tag in self._BLOCK:
            self._paragraph()
            if tag == "li":
                self.parts.append("• ")
        elif tag == "a":
            attributes = dict(attrs)
            classes = (attributes.get("class") or "").split()
            is_social = bool({"mention", "hashtag", "u-url"} & set(classes))
            self._links.append((attributes.get("href"), is_social, len(self.parts)))
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(alt)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if tag in self._BLOCK:
            self._paragraph()
        elif tag == "a" and self._links:
            href, is_social, start = self._links.pop()
            shown = "".join(self.parts[start:]).strip()
            # A class is only a claim: a "mention" must also read as one (@name, #tag),
            # or a link could show one address and lead to another.
            is_social = is_social and shown.startswith(("@", "#"))
            if href and not is_social and not _same_target(shown, href):
                self.parts.append(f" <{href}>")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)

    def _paragraph(self) -> None:
        if self.parts and self.parts[-1] == "• ":
            return  # a paragraph inside a list item (Discourse's loose lists) stays on its bullet
        if self.parts and not "".join(self.parts[-2:]).endswith("\n\n"):
            self.parts.append("\n\n" if "".join(self.parts).strip() else "")

    def text(self) -> str:
        joined = "".join(self.parts)
        joined = re.sub(r"[ \t]+\n", "\n", joined)
        joined = re.sub(r"\n{3,}", "\n\n", joined)
        return joined.strip()


def _same_target(shown: str, href: str) -> bool:
    """True when a link's visible text already tells its real target."""

    def bare(url: str) -> str:
        url = url.strip().rstrip("/").lower()
        url = re.sub(r"^[a-z]+://", "", url)
        return url.removeprefix("www.")

    shown_bare = bare(shown.replace("…", ""))
    return bool(shown_bare) and bare(href) == shown_bare


def html_to_text(html: str) -> str:
    """Plain text from network HTML, with links showing their real target."""
    parser = _HTMLToText()
    parser.feed(html)
    parser.close()
    return clean_text(parser.text())
