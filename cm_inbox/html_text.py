"""Network HTML (Mastodon, Discourse, Reddit…) turned into plain text.

Links keep their visible text followed by their real target, so that a link
cannot show one address and lead to another; the result then goes through
``cm_inbox.text.clean_text`` like any other text from a network.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from cm_inbox.text import clean_text


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
