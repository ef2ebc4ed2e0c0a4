"""Untrusted text made safe: escape codes, controls, bidi tricks, and network HTML."""

from __future__ import annotations

import random
import unicodedata

import pytest

from cm_inbox.html_text import html_to_text
from cm_inbox.text import clean_text, one_line

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def assert_terminal_safe(text: str) -> None:
    """Nothing left that a terminal would act on or that reorders what is read."""
    for ch in text:
        if ch in "\n\u200d":
            continue
        assert not unicodedata.category(ch).startswith("C"), f"{ch!r} left in {text!r}"
    assert not set(BIDI_CONTROLS) & set(text)


# --- clean_text: escape sequences ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\x1b[31mred\x1b[0m text", "red text"),
        ("\x1b[1;38;2;255;0;0mbold truecolor\x1b[m", "bold truecolor"),
        ("\x1b[2J\x1b[Hscreen cleared", "screen cleared"),
        ("\x1b[?1049halt screen\x1b[?1049l", "alt screen"),
        (
            "before\x1b[6nafter",
            "beforeafter",
        ),  # a cursor-position query that would answer into stdin
        (
            "\x1b]8;;https://evil.example\x07click me\x1b]8;;\x07",
            "click me",
        ),  # OSC 8, BEL-terminated
        (
            "\x1b]8;;https://evil.example\x1b\\click me\x1b]8;;\x1b\\",
            "click me",
        ),  # OSC 8, ST-terminated
        ("\x1b]0;new window title\x07text", "text"),
        ("\x1b]52;c;ZXZpbA==\x07paste", "paste"),  # clipboard write
        ("text\x1b]0;never terminated", "text"),
        ("\x1bPq#0;2;0;0;0#0~~\x1b\\sixel gone", "sixel gone"),  # DCS
        ("\x1b_apc payload\x1b\\kept", "kept"),
        ("\x1b^privacy message\x1b\\kept", "kept"),
        ("\x9b31m8-bit CSI", "8-bit CSI"),
        ("\x1bM\x1bDreverse index", "reverse index"),
    ],
)
def test_escape_sequences_are_removed(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_no_escape_character_survives() -> None:
    for raw in [
        "\x1bc reset",
        "\x1b(B charset",
        "\x1b",
        "\x1b\x1b[",
        "a\x1b[",
        "\x1b7\x1b8",
        "\x1b#8",
    ]:
        cleaned = clean_text(raw)
        assert "\x1b" not in cleaned
        assert_terminal_safe(cleaned)


# --- clean_text: controls and bidi ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "control", [chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]]
)
def test_c0_controls_are_removed(control: str) -> None:
    assert clean_text(f"a{control}b") == "ab"


@pytest.mark.parametrize("control", [chr(c) for c in range(0x80, 0xA0) if c != 0x9B])
def test_c1_controls_are_removed(control: str) -> None:
    assert clean_text(f"a{control}b") == "ab"


@pytest.mark.parametrize("control", list(BIDI_CONTROLS))
def test_bidi_overrides_and_isolates_are_removed(control: str) -> None:
    assert clean_text(f"user{control}gpj.exe") == "usergpj.exe"


def test_trojan_source_style_reordering_is_neutralised() -> None:
    # Shown in a terminal, the override would make this read "... admin" backwards.
    raw = "access level: \u202enimda\u2066 // \u2069\u2066user"
    assert_terminal_safe(clean_text(raw))
    assert clean_text(raw) == "access level: nimda // user"


def test_invisible_formatting_marks_are_removed() -> None:
    assert clean_text("a\u200eb\u200fc\u061cd\u2060e\ufeff") == "abcde"


def test_newlines_are_kept_and_normalised() -> None:
    assert clean_text("line one\nline two") == "line one\nline two"
    assert clean_text("windows\r\nline\rold mac") == "windows\nline\nold mac"
    assert clean_text("col1\tcol2") == "col1    col2"
    assert clean_text("\n\npara\n\n") == "\n\npara\n\n"


# --- clean_text: what must survive ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "👩\u200d💻 coding",
        "family 👨\u200d👩\u200d👧\u200d👦",
        "🏳\ufe0f\u200d🌈 pride",
        "🧑🏽\u200d🚀 astronaut, 👍🏿 thumbs",
        "keycap 1\ufe0f\u20e3 and flag 🇫🇷",
        "❤\ufe0f\u200d🔥",
        "café naïve façade Ærøskøbing",
        "e\u0301 and n\u0303 decomposed",
        "Tiếng Việt có dấu",
        "مرحبا بالعالم",
        "שלום עולם",
        "नमस्ते दुनिया",
        "こんにちは世界 你好",
        "สวัสดีครับ",
        "Ελληνικά ñ ß ø å",
        "math: 2 × 3 ≠ 7 — ok",
    ],
)
def test_emoji_sequences_accents_and_scripts_are_kept(text: str) -> None:
    assert clean_text(text) == text


def test_cleaning_is_idempotent_and_always_safe() -> None:
    rng = random.Random(1234)
    alphabet = (
        [chr(c) for c in range(0x00, 0x20)]
        + ["\x7f", "\x1b", "[", "]", ";", "\\", "m", "8", "P", "_"]
        + [chr(c) for c in range(0x80, 0xA0)]
        + list(BIDI_CONTROLS)
        + [
            "a",
            "é",
            "e\u0301",
            "\u200d",
            "👩",
            "\ufe0f",
            "\u200e",
            "\ufeff",
            "\u00ad",
            " ",
            "\n",
            "\r",
            "\t",
        ]
    )
    for _ in range(2000):
        raw = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        cleaned = clean_text(raw)
        assert_terminal_safe(cleaned)
        assert clean_text(cleaned) == cleaned
        assert "\r" not in cleaned and "\t" not in cleaned


# --- one_line ------------------------------------------------------------------------------------------


def test_one_line_folds_whitespace_and_cuts() -> None:
    assert one_line("  first\n\nsecond\t third  ") == "first second third"
    assert one_line("x" * 1000, limit=10) == "x" * 10
    assert one_line("") == ""


# --- html_to_text ---------------------------------------------------------------------------------------


TOOT_HTML = (
    '<p><span class="h-card" translate="no"><a href="https://mastodon.social/@acme" class="u-url mention">'
    "@<span>acme</span></a></span> the app crashes since the update, see "
    '<a href="https://status.example.com/incidents/2026/11/20/login-failures" target="_blank" '
    'rel="nofollow noopener noreferrer" translate="no"><span class="invisible">https://</span>'
    '<span class="ellipsis">status.example.com/incidents/2</span><span class="invisible">'
    "026/11/20/login-failures</span></a></p>"
    '<p><a href="https://mastodon.social/tags/AcmeDown" class="mention hashtag" rel="tag">'
    '#<span>AcmeDown</span></a> <a href="https://mastodon.social/tags/help" class="mention hashtag" '
    'rel="tag">#<span>help</span></a></p>'
)


def test_a_mastodon_status_reads_as_plain_text() -> None:
    assert html_to_text(TOOT_HTML) == (
        "@acme the app crashes since the update, see "
        "https://status.example.com/incidents/2026/11/20/login-failures\n\n"
        "#AcmeDown #help"
    )


def test_mentions_and_hashtags_keep_only_their_text() -> None:
    html = (
        '<p><span class="h-card"><a href="https://example.social/@zoe" class="u-url mention">'
        "@<span>zoe@example.social</span></a></span> hi</p>"
    )
    assert html_to_text(html) == "@zoe@example.social hi"


def test_a_truncated_url_shows_its_full_target_once() -> None:
    html = (
        '<a href="https://example.com/a/very/long/path?q=1"><span class="invisible">https://</span>'
        '<span class="ellipsis">example.com/a/very/lo</span><span class="invisible">ng/path?q=1</span></a>'
    )
    assert html_to_text(html) == "https://example.com/a/very/long/path?q=1"


def test_a_link_whose_text_differs_shows_its_real_target() -> None:
    assert html_to_text('<p>Read <a href="https://example.com/faq">our FAQ</a>.</p>') == (
        "Read our FAQ <https://example.com/faq>."
    )


def test_a_link_cannot_pretend_to_point_elsewhere() -> None:
    spoof = '<a href="https://evil.example/login">https://bank.example/login</a>'
    assert html_to_text(spoof) == "https://bank.example/login <https://evil.example/login>"
    truncated = '<a href="https://example.com.evil.io/x">example.com/x…</a>'
    assert "<https://example.com.evil.io/x>" in html_to_text(truncated)


@pytest.mark.parametrize("classes", ["mention", "hashtag", "u-url mention", "mention hashtag"])
def test_a_mention_class_does_not_hide_a_spoofed_target(classes: str) -> None:
    # Remote servers' HTML keeps these classes; the text still decides what the user is told.
    spoof = f'<a href="https://evil.example/login" class="{classes}">https://bank.example/login</a>'
    assert html_to_text(spoof) == "https://bank.example/login <https://evil.example/login>"


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("https://example.com", "https://example.com"),
        ("example.com", "https://example.com/"),
        ("www.example.com/page", "http://example.com/page"),
        ("HTTPS://EXAMPLE.COM/Page", "https://example.com/page"),
        ("example.com/pa…", "https://example.com/pa"),
    ],
)
def test_a_link_that_shows_its_target_is_not_repeated(text: str, href: str) -> None:
    assert html_to_text(f'<a href="{href}">{text}</a>') == text


def test_scripts_styles_and_templates_are_dropped_with_their_content() -> None:
    html = (
        "<head><title>t</title></head><style>p { color: red }</style><p>visible</p>"
        "<script>alert('x')</script><template><p>hidden</p></template><p>also visible</p>"
        "<script type='text/javascript'>var a = '</p>';</script>"
    )
    assert html_to_text(html) == "visible\n\nalso visible"


def test_line_breaks_and_paragraphs() -> None:
    assert html_to_text("one<br>two<br/>three<br />four") == "one\ntwo\nthree\nfour"
    assert html_to_text("<p>first</p><p>second</p>") == "first\n\nsecond"
    assert (
        html_to_text("<p>a<br></p><p></p><p></p><p>b</p>") == "a\n\nb"
    )  # never more than one blank line
    assert html_to_text("  <p>  padded  </p>  ") == "padded"
    assert html_to_text("<blockquote>quoted</blockquote>reply") == "quoted\n\nreply"
    assert html_to_text("<ul><li>one</li><li>two</li></ul>") == "• one\n\n• two"


def test_entities_are_decoded_as_text_not_markup() -> None:
    assert html_to_text(
        "Tom &amp; Jerry &lt;b&gt;not bold&lt;/b&gt; &quot;q&quot; caf&eacute;"
    ) == ('Tom & Jerry <b>not bold</b> "q" café')


def test_escapes_and_controls_inside_html_are_removed() -> None:
    assert html_to_text("<p>\x1b[31mred\x1b[0m\x07 alert</p>") == "red alert"
    assert html_to_text("<p>user&#x202e;gpj.exe &#8238;x</p>") == "usergpj.exe x"
    # A control written as a character reference never becomes the control itself:
    # what is left of the sequence is inert text.
    text = html_to_text("&#x1b;[2Jclear &#27;]8;;https://x&#7;link &#x9b;31m &#0;")
    assert_terminal_safe(text)
    assert "\x1b" not in text and "\x9b" not in text


def test_images_become_their_alt_text() -> None:
    assert html_to_text('look <img src="x.png" alt="a cat"> <img src="y.png">') == "look a cat"


def test_broken_html_still_gives_text() -> None:
    # An unclosed link never gets to show its target: the text is what is known.
    assert (
        html_to_text("<p>unclosed <b>bold <a href='https://x.example'>link") == "unclosed bold link"
    )
    assert html_to_text("") == ""
    assert html_to_text("plain text only") == "plain text only"
    assert html_to_text("</p></a></div>stray closers") == "stray closers"


def test_handles_are_shown_with_one_at_sign_whatever_the_network():
    from cm_inbox.networks import at_handle

    assert at_handle("@elisemercier") == "@elisemercier"  # YouTube handles carry their own
    assert at_handle("camille@piaille.fr") == "@camille@piaille.fr"
