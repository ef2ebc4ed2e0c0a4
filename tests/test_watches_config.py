"""[[watches]] in config.toml: a good entry becomes a Watch, a bad one is skipped
with its file, line and reason, and everything else still loads."""

from __future__ import annotations

from pathlib import Path

from cm_inbox.config import load_config
from cm_inbox.watches import Watch
from cm_inbox.watches.model import HN_API, ONLY_ACCOUNT


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
[ui]
sort = "oldest"

[[watches]]
name = "lumo"
terms = ["Lumo"]
variants = ["Lumo app", "lumo app"]
misspellings = ["Loomo"]
exclude = ["Lumo lamp"]
hashtags = ["#LumoApp", "lumo"]
mastodon = true
bluesky = "lumo.app"
feeds = ["https://blog.example/feed.xml"]
hackernews = true
"""


def test_a_full_entry_becomes_a_watch(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    assert config.problems == []
    assert config.ui.sort == "oldest"
    assert config.watches == (
        Watch(
            name="lumo",
            terms=("Lumo",),
            variants=("Lumo app", "lumo app"),
            misspellings=("Loomo",),
            exclude=("Lumo lamp",),
            hashtags=("LumoApp", "lumo"),
            mastodon=ONLY_ACCOUNT,
            bluesky="lumo.app",
            feeds=("https://blog.example/feed.xml",),
            hackernews=HN_API,
        ),
    )
    # Each phrase is searched once, whatever its case.
    assert config.watches[0].phrases == ("Lumo", "Lumo app", "Loomo")


def test_a_bad_entry_is_skipped_with_its_line_and_the_rest_loads(tmp_path):
    path = write(
        tmp_path,
        GOOD
        + """
[[watches]]
name = "brewly"
terms = ["Brewly"]
exlude = ["lamp"]
feeds = ["ftp://files.example/feed"]

[[watches]]
name = "kettle"
terms = ["Kettle"]
hackernews = true

[sync]
every_minutes = 7
""",
    )
    config = load_config(path)
    assert [w.name for w in config.watches] == ["lumo", "kettle"]
    assert config.sync.every_minutes == 7
    assert config.problems == [
        f'{path}, line 19: [[watches]] watch "brewly": unknown key "exlude" '
        '(did you mean "exclude"?); this watch is skipped',
        f'{path}, line 20: [[watches]] watch "brewly": "ftp://files.example/feed" is not an '
        "http:// or https:// address; this watch is skipped",
    ]


def test_wrong_types_and_missing_keys_are_named(tmp_path):
    path = write(
        tmp_path,
        """\
[[watches]]
name = "a"
terms = "Lumo"
mastodon = 3

[[watches]]
terms = ["Lumo"]
feeds = ["https://blog.example/feed.xml"]

[[watches]]
name = "c"
terms = ["Lumo"]
""",
    )
    config = load_config(path)
    assert config.watches == ()
    assert config.problems == [
        f'{path}, line 3: [[watches]] watch "a": terms must be a list of strings such as '
        '["Lumo", "Lumo app"], not a string; this watch is skipped',
        f'{path}, line 4: [[watches]] watch "a": mastodon must be true (the connected Mastodon '
        "account) or the name of one (as `cm-inbox accounts list` shows it), not a number; "
        "this watch is skipped",
        f'{path}, line 6: [[watches]] watch 2: it has no name (name = "the brand"); '
        "this watch is skipped",
        f'{path}, line 10: [[watches]] watch "c": it has no source: add mastodon, bluesky, '
        'feeds or hackernews (e.g. mastodon = true, feeds = ["https://blog.example/feed.xml"]); '
        "this watch is skipped",
    ]


def test_two_watches_with_one_name_keep_the_first(tmp_path):
    path = write(
        tmp_path,
        """\
[[watches]]
name = "lumo"
terms = ["Lumo"]
hackernews = true

[[watches]]
name = "Lumo"
terms = ["Loomo"]
hackernews = true
""",
    )
    config = load_config(path)
    assert [w.terms for w in config.watches] == [("Lumo",)]
    assert config.problems == [
        f'{path}, line 7: [[watches]] watch "Lumo": another watch is already named "Lumo"; '
        "this watch is skipped"
    ]


def test_a_single_watches_table_is_explained(tmp_path):
    path = write(tmp_path, '[watches]\nname = "lumo"\n')
    config = load_config(path)
    assert config.watches == ()
    assert config.problems == [
        f"{path}, line 1: watches must be written as [[watches]] tables (one per brand); ignored"
    ]


def test_hashtags_and_phrases_must_be_searchable(tmp_path):
    path = write(
        tmp_path,
        """\
[[watches]]
name = "lumo"
terms = ["!!!"]
hashtags = ["lumo app"]
hackernews = "not a url"
""",
    )
    config = load_config(path)
    assert config.watches == ()
    messages = [problem.split(": ", 1)[1] for problem in config.problems]
    assert messages == [
        '[[watches]] watch "lumo": "!!!" has no letter or digit to look for; this watch is skipped',
        '[[watches]] watch "lumo": "#lumo app" is not a hashtag (letters, digits and _ only); '
        "this watch is skipped",
        '[[watches]] watch "lumo": hackernews must be true, or the address of an Algolia HN '
        "search API such as the sandbox's, not a string; this watch is skipped",
    ]
