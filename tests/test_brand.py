"""The brand book: read from config.toml or brand.toml, mistakes named by file and line,
and shown to the composer's side panel as plain lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from compose_fixtures import write
from tui_fixtures import fill

from cm_inbox.brand import BrandBook, brand_sections
from cm_inbox.brand_file import DEMO_BRAND_PATH, demo_brand_book, load_brand_file
from cm_inbox.config import load_config
from cm_inbox.store import Store
from cm_inbox.tui.app import make_app

BRAND = """\
[ui]
theme = "cm-dark"

[brand]
name = "Acme"
voice = \"\"\"
Friendly and short.
We say sorry once, then fix it.
\"\"\"
products = ["Acme Notes"]
allowed_domains = ["acme.example", "https://docs.acme-cdn.example/path"]

[brand.links]
support = "https://help.acme.example/start"
status = "https://status.acme.example"

[brand.facts]
support_email = "help@acme.example"

[brand.languages.en]
greetings = ["Hi", "Hello"]
sign_offs = ["Team Acme"]
require_greeting = true

[brand.languages.fr]
greetings = "Bonjour"

[brand.avoid]
"ASAP" = "as soon as we can"
"calm down" = ""

[brand.networks]
bluesky = "Short and sweet."
"""


def test_the_brand_section_of_config_toml_is_read(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "config.toml", BRAND))
    assert config.problems == []
    brand = config.brand
    assert brand.name == "Acme"
    assert brand.voice.splitlines() == ["Friendly and short.", "We say sorry once, then fix it."]
    assert brand.products == ("Acme Notes",)
    assert brand.links["support"] == "https://help.acme.example/start"
    assert brand.facts == {"support_email": "help@acme.example"}
    # A pasted address counts for its domain.
    assert brand.allowed_domains == ("acme.example", "docs.acme-cdn.example")
    english = brand.voice_for("en-GB")
    assert english is not None and english.greetings == ("Hi", "Hello")
    assert english.require_greeting and not english.require_sign_off
    assert brand.voice_for("fr").greetings == ("Bonjour",)  # type: ignore[union-attr]
    assert brand.voice_for("de") is None
    assert [(item.word, item.instead) for item in brand.avoid] == [
        ("ASAP", "as soon as we can"),
        ("calm down", ""),
    ]
    assert brand.networks == {"bluesky": "Short and sweet."}
    assert config.ui.theme == "cm-dark"  # the rest of the file still applies


def test_allowed_domains_cover_subdomains_and_the_books_own_links() -> None:
    brand = BrandBook(
        allowed_domains=("acme.example",), links={"docs": "https://docs.partner.example/x"}
    )
    assert brand.allows("acme.example")
    assert brand.allows("status.acme.example")
    assert brand.allows("docs.partner.example")
    assert not brand.allows("acme.example.evil.test")
    assert not brand.allows("notacme.example")
    assert not brand.allows("partner.example")


def test_a_brand_toml_beside_config_toml_is_read(tmp_path: Path) -> None:
    write(tmp_path / "brand.toml", 'name = "Acme"\n[languages.en]\ngreetings = ["Hi"]\n')
    config = load_config(tmp_path / "config.toml")  # no config.toml at all
    assert config.problems == []
    assert config.brand.name == "Acme"
    assert config.brand.source == str(tmp_path / "brand.toml")


def test_the_config_toml_section_wins_and_brand_toml_is_reported(tmp_path: Path) -> None:
    write(tmp_path / "brand.toml", 'name = "Other"\n')
    config = load_config(write(tmp_path / "config.toml", '[brand]\nname = "Acme"\n'))
    assert config.brand.name == "Acme"
    (problem,) = config.problems
    assert str(tmp_path / "brand.toml") in problem and "not read" in problem


def test_mistakes_are_named_by_file_line_and_key_and_the_rest_applies(tmp_path: Path) -> None:
    text = """\
[brand]
name = "Acme"
voise = "typo"
default_language = "english"

[brand.links]
support = "help.acme.example"
Status-Page = "https://status.acme.example"
ok = "https://acme.example/ok"

[brand.languages.en]
greetings = ["Hi", 3]
require_sign_off = true
requir_greeting = true

[brand.languages.english]
greetings = ["Hi"]

[brand.networks]
blusky = "typo"
"""
    path = write(tmp_path / "config.toml", text)
    config = load_config(path)
    problems = config.problems
    expected = [
        (3, 'unknown key "voise"', 'did you mean "voice"?'),
        (4, '"default_language" in [brand]', '"english"'),
        (7, '"support" in [brand.links]', 'such as "https://example.org/help"'),
        (8, '"Status-Page" in [brand.links]', "{link.Status-Page}"),
        (12, '"greetings" in [brand.languages.en]', "non-empty strings"),
        (13, '"require_sign_off" in [brand.languages.en]', "no sign_offs are listed"),
        (14, 'unknown key "requir_greeting"', 'did you mean "require_greeting"?'),
        (16, '"english" is not a language code', ""),
        (20, '"blusky" is not a network', 'did you mean "bluesky"?'),
    ]
    assert len(problems) == len(expected), problems
    for problem, (line, what, hint) in zip(problems, expected, strict=True):
        assert problem.startswith(f"{path}, line {line}: "), problem
        assert what in problem and hint in problem, problem
    brand = config.brand
    assert brand.name == "Acme"
    assert dict(brand.links) == {"ok": "https://acme.example/ok"}
    assert brand.voice_for("en").greetings == ("Hi",)  # type: ignore[union-attr]
    assert not brand.voice_for("en").require_sign_off  # type: ignore[union-attr]
    assert "blusky" in brand.networks  # kept: imports may come from networks cm-inbox lacks


def test_a_broken_brand_toml_is_reported_and_the_config_still_loads(tmp_path: Path) -> None:
    write(tmp_path / "brand.toml", 'name = "Acme"\n[links\n')
    config = load_config(write(tmp_path / "config.toml", '[ui]\nsort = "oldest"\n'))
    assert config.ui.sort == "oldest"
    assert config.brand.is_empty
    (problem,) = config.problems
    assert problem.startswith(f"{tmp_path / 'brand.toml'}, line 2: invalid TOML")
    assert problem.endswith("; no brand book")


def test_a_brand_that_is_not_a_table_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", 'brand = "Acme"\n')
    config = load_config(path)
    assert config.brand.is_empty
    assert config.problems == [f'{path}, line 1: "brand" must be a table ([brand]), not a string']


def test_the_demo_brand_book_is_complete_and_clean() -> None:
    book, problems = load_brand_file(DEMO_BRAND_PATH)
    assert problems == []
    assert book == demo_brand_book()
    assert book.name == "Lumo"
    assert {"en", "fr"} <= set(book.languages)
    assert book.voice_for("en").require_greeting  # type: ignore[union-attr]
    assert {"support", "status"} <= set(book.links)
    assert book.allows("status.lumo.app") and not book.allows("lumo-pro-free.xyz")
    assert any(item.word == "ASAP" for item in book.avoid)
    assert {"mastodon", "bluesky"} <= set(book.networks)


def test_side_panel_sections_are_plain_lines_narrowed_to_the_reply() -> None:
    book = demo_brand_book()
    everything = brand_sections(book)
    titles = [section.title for section in everything]
    assert titles[0] == "Voice of Lumo"
    assert "Greeting and sign-off (en)" in titles and "Greeting and sign-off (fr)" in titles
    assert {"Words to avoid", "Facts", "Links", "Links may point to"} <= set(titles)
    assert "On Mastodon" in titles and "On Bluesky" in titles
    for section in everything:
        assert section.lines and all(isinstance(line, str) and line for line in section.lines)

    narrowed = brand_sections(book, language="fr-FR", network="bluesky")
    titles = [section.title for section in narrowed]
    assert "Greeting and sign-off (fr)" in titles and "Greeting and sign-off (en)" not in titles
    assert "On Bluesky" in titles and "On Mastodon" not in titles
    greeting = next(s for s in narrowed if s.title == "Greeting and sign-off (fr)")
    assert greeting.lines[0] == "Open with (required): Bonjour, Salut, Coucou"
    avoid = next(s for s in narrowed if s.title == "Words to avoid")
    assert '"ASAP" → "as soon as we can"' in avoid.lines
    assert '"obviously" → leave it out' in avoid.lines
    domains = next(s for s in narrowed if s.title == "Links may point to")
    # status.lumo.app is a subdomain of lumo.app: listed once.
    assert domains.lines == ("lumo.app (and their subdomains)",)


def test_an_empty_brand_book_says_where_to_write_one() -> None:
    (section,) = brand_sections(BrandBook())
    assert section.title == "No brand book"
    assert "brand.toml" in " ".join(section.lines)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"loud"', 'must be "warn", "block" or "off", not "loud"; using "warn"'),
        ("true", 'must be "warn", "block" or "off", not true/false; using "warn"'),
    ],
)
def test_check_severities_are_validated(tmp_path: Path, value: str, message: str) -> None:
    path = write(tmp_path / "config.toml", f"[checks]\nshouting = {value}\nfoo_bar = 1\n")
    config = load_config(path)
    assert config.checks.severity("shouting", False) == "warn"
    assert config.problems[0] == f'{path}, line 2: "shouting" in [checks] {message}'
    assert config.problems[1].startswith(f'{path}, line 3: unknown check "foo_bar" in [checks]')


def test_check_settings_are_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "config.toml",
        '[checks]\navoid_word = "block"\nforeign-link = "warn"\nwrong_language = "off"\n'
        "similar_percent = 90\nsimilar_days = 7\n",
    )
    checks = load_config(path).checks
    assert checks.severity("avoid-word", False) == "block"
    assert checks.severity("foreign-link", True) == "warn"
    assert checks.severity("wrong-language", False) == "off"
    assert checks.severity("shouting", False) == "warn"  # the default
    assert (checks.similar_percent, checks.similar_days) == (90, 7)


def test_the_length_check_cannot_be_relaxed(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", '[checks]\ntoo_long = "warn"\nsimilar_percent = 20\n')
    config = load_config(path)
    assert config.checks.severity("too-long", False) == "block"
    assert config.problems == [
        f'{path}, line 2: "too_long" in [checks]: this check always blocks '
        "(the network would refuse the reply); ignored",
        f'{path}, line 3: "similar_percent" in [checks] must be a whole number from 50 to 100, '
        "not 20; using 85",
    ]


async def test_the_app_reads_the_brand_book_after_its_first_frame_and_tells_its_problems(
    tmp_path: Path, isolated_dirs: Path
) -> None:
    db = tmp_path / "inbox.db"
    with Store(db) as store:
        fill(store, 1_750_000_000)
    config = write(tmp_path / "config.toml", '[ui]\nsort = "oldest"\n')
    write(tmp_path / "brand.toml", 'name = "Acme"\ndefault_language = "fr"\n[links\n')
    app = make_app(db, config_path=config)
    assert app.config.composer is None  # not read before the queue is on screen
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert app.config.composer is not None
        assert app.config.ui.sort == "oldest"
        told = [str(n.message) for n in app._notifications]
        assert any(m.startswith(f"{tmp_path / 'brand.toml'}, line 3: invalid TOML") for m in told)
    write(tmp_path / "brand.toml", 'name = "Acme"\ndefault_language = "fr"\n')
    app = make_app(db, config_path=config)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert app.config.brand.name == "Acme"
        # New comments without a language of their own are taken as the brand's.
        assert app.store.scorer.default_language == "fr"
