"""Untrusted text from networks, made safe to store and show.

Everything a network sends is hostile until proven otherwise. This module turns
it into plain text: no terminal escape codes, no bidi overrides that reorder
what the user reads, no HTML, and links reduced to their real target so that a
link text cannot lie about where it points. The TUI then renders the result as
plain text (never as markup), which is the second half of the guarantee.

HTML is turned into text by ``cm_inbox.html_text``, apart so that what only
reads stored text (the TUI's start) does not load Python's HTML parser.
"""

from __future__ import annotations

import re
import unicodedata

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
