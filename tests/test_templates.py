"""Templates that stay human: variables filled from the comment and the brand book, a
different variant on each insertion (remembered across runs), typos named, found by
fuzzy search, and the admit-the-mistake set offered first on escalated comments."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from compose_fixtures import comment, write

from cm_inbox.brand import BrandBook
from cm_inbox.brand_file import demo_brand_book
from cm_inbox.model import Status
from cm_inbox.store import Store
from cm_inbox.template_files import load_library
from cm_inbox.template_search import ADMIT_MISTAKE, search_templates, suggest_templates
from cm_inbox.templates import (
    Template,
    TemplateText,
    insert_template,
    pick_variant,
    render,
    template_matching,
)

LUMO = demo_brand_book()


def template(*variants: str, language: str = "en", template_id: str = "t") -> Template:
    return Template(
        id=template_id, title="T", texts={language: TemplateText(variants=tuple(variants))}
    )


def test_the_bundled_templates_load_without_problems() -> None:
    library = load_library()
    assert library.problems == []
    assert len(library) >= 8
    for item in library.templates:
        assert {"en", "fr"} <= set(item.languages), item.id
        for text in item.texts.values():
            assert len(text.variants) >= 2, item.id  # something to rotate through


def test_the_admit_the_mistake_set_is_four_steps_in_english_and_french() -> None:
    steps = sorted(
        (t for t in load_library().templates if t.group == ADMIT_MISTAKE), key=lambda t: t.step
    )
    assert [t.id for t in steps] == [
        "admit-acknowledge",
        "admit-apologise",
        "admit-action",
        "admit-follow-up",
    ]
    for step in steps:
        assert step.title_in("fr") != step.title  # a French title for the French picker
        for language in ("en", "fr"):
            for variant in range(len(step.texts[language].variants)):
                filled = render(
                    step, comment(language=language), LUMO, language=language, variant=variant
                )
                assert filled.unfilled == (), (step.id, language, filled.unfilled)
                assert "{" not in filled.text


def test_variables_come_from_the_comment_the_author_and_the_brand_book() -> None:
    words = "{greeting} {author.first_name} ({author.name}, {author.handle}) from {brand.name} on {network}: {link.status} {fact.trial} {{literal}}"
    filled = render(template(words), comment(name="Emma Martin 🌸"), LUMO, language="en", variant=0)
    assert filled.text == (
        "Hi Emma (Emma Martin 🌸, @emma.bsky.social) from Lumo on Bluesky: "
        "https://status.lumo.app 14 days {literal}"
    )
    assert filled.unfilled == ()


def test_an_author_without_a_display_name_is_called_by_their_handle() -> None:
    words = "{author.first_name}|{author.name}"
    for handle, expected in [
        ("emma.bsky.social", "emma|emma"),
        ("bob@example.org", "bob|bob"),
        ("@Carol", "Carol|Carol"),
    ]:
        filled = render(
            template(words), comment(handle=handle, name=None), LUMO, language="en", variant=0
        )
        assert filled.text == expected


def test_a_variable_that_cannot_be_filled_stays_visible_with_the_reason() -> None:
    words = "{greeting} {author.nmae}, see {link.statu} and {fact.nope}"
    filled = render(template(words, language="it"), comment(), LUMO, language="it", variant=0)
    assert filled.text == "{greeting} {author.nmae}, see {link.statu} and {fact.nope}"
    reasons = {item.name: item.reason for item in filled.unfilled}
    assert (
        reasons["greeting"] == 'the brand book lists no greetings for "it" (under [languages.it])'
    )
    assert reasons["author.nmae"] == "unknown variable (did you mean {author.name}?)"
    assert reasons["link.statu"].startswith(
        'the brand book has no link "statu" (did you mean "status"?)'
    )
    assert reasons["fact.nope"].startswith('the brand book has no fact "nope"')
    empty = render(template("{brand.name}"), comment(), BrandBook(), language="en", variant=0)
    assert empty.unfilled[0].reason.startswith("the brand book has no name")


def test_two_insertions_in_a_row_give_two_different_variants(store: Store) -> None:
    library = load_library()
    outage = library.get("outage")
    assert outage is not None
    reply_to = comment()
    first = insert_template(store, outage, reply_to, LUMO, rng=random.Random(1))
    second = insert_template(store, outage, reply_to, LUMO, rng=random.Random(1))
    assert first.text != second.text
    assert first.variant != second.variant


def test_the_last_variant_is_remembered_across_a_store_reopen(tmp_path: Path, clock) -> None:
    outage = load_library().get("outage")
    assert outage is not None
    path = tmp_path / "inbox.sqlite3"
    seen = []
    for _ in range(6):
        # The same seed every time: only the store's memory can keep them apart.
        with Store(path, clock=clock) as store:
            seen.append(
                insert_template(store, outage, comment(), LUMO, rng=random.Random(0)).variant
            )
    assert all(one != two for one, two in zip(seen, seen[1:], strict=False)), seen
    # Every variant goes out before any goes out again.
    assert sorted(seen[:3]) == [0, 1, 2] and sorted(seen[3:]) == [0, 1, 2]


def test_rotation_is_kept_per_language(store: Store) -> None:
    outage = load_library().get("outage")
    assert outage is not None
    english = insert_template(store, outage, comment(language="en"), LUMO)
    french = insert_template(store, outage, comment(language="fr"), LUMO)
    assert (english.language, french.language) == ("en", "fr")
    assert french.text.startswith("Bonjour Emma")
    assert (
        store.template_variant_uses("outage", "fr").keys()
        != store.template_variant_uses("outage", "en").keys()
    )


def test_a_comment_in_a_language_the_template_lacks_gets_the_brands_default(store: Store) -> None:
    thanks = load_library().get("thanks")
    assert thanks is not None
    filled = insert_template(store, thanks, comment(language="ja"), LUMO)
    assert filled.language == "en"
    assert (
        insert_template(store, thanks, comment(language="ja"), LUMO, language="fr").language == "fr"
    )


def test_pick_variant_prefers_unused_then_the_longest_unused() -> None:
    keys = ["a", "b", "c"]
    rng = random.Random(3)
    assert pick_variant(keys, {"a": 5}, rng) in (1, 2)
    assert pick_variant(keys, {"a": 5, "b": 6, "c": 4}, rng) == 2
    assert pick_variant(keys, {"a": 5, "b": 6, "c": 7}, rng) == 0
    assert pick_variant(["only"], {"only": 1}, rng) == 0


def test_user_templates_replace_bundled_ones_and_add_their_own(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    write(
        folder / "mine.toml",
        '[thanks]\ntitle = "Our own thanks"\n[thanks.en]\nvariants = ["Cheers, {author.first_name}!"]\n'
        '[refund]\ntitle = "Refund on its way"\ntags = ["billing"]\n'
        '[refund.en]\nvariants = ["Refund sent.", "Your refund is on its way."]\n',
    )
    library = load_library(folder)
    assert library.problems == []
    thanks = library.get("thanks")
    assert thanks is not None and thanks.title == "Our own thanks"
    assert [t.id for t in library.templates].count("thanks") == 1
    assert library.get("refund") is not None
    assert library.get("outage") is not None  # the bundled ones stay


def test_mistakes_in_template_files_name_the_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    path = write(
        folder / "broken.toml",
        """\
[welcome]
title = "Welcome"
tilte = "typo"

[welcome.en]
variants = ["Hi {author.nmae}!", "Hello {link.support}", ""]

[empty]
title = "Nothing"

[notes]
title = "Notes"
[notes.en]
variantz = ["x"]
""",
    )
    write(folder / "bad.toml", "[oops\n")
    library = load_library(folder)
    problems = library.problems
    assert problems[0].startswith(f"{folder / 'bad.toml'}, line 1: invalid TOML")
    rest = problems[1:]
    expected = [
        (3, 'unknown key "tilte" in template "welcome" (did you mean "title"?)'),
        (
            6,
            'variant 1 of template "welcome" (en) uses an unknown variable {author.nmae} (did you mean {author.name}?)',
        ),
        (6, 'variant 3 of template "welcome" (en) is empty or not text'),
        (8, 'template "empty" has no language with variants'),
        (14, 'unknown key "variantz" in template "notes" (en) (did you mean "variants"?)'),
    ]
    assert len(rest) >= len(expected), rest
    for line, message in expected:
        assert any(p.startswith(f"{path}, line {line}: {message}") for p in rest), (message, rest)
    welcome = library.get("welcome")
    assert welcome is not None and len(welcome.texts["en"].variants) == 2
    assert library.get("empty") is None and library.get("notes") is None
    assert library.get("outage") is not None  # a broken file costs nothing else


def test_search_forgives_typos_and_ranks_whole_words_first() -> None:
    library = load_library()
    assert search_templates(library, "outge")[0].template.id == "outage"
    assert search_templates(library, "status page")[0].template.id == "outage"
    assert search_templates(library, "dm")[0].template.id == "move-to-dm"
    assert search_templates(library, "apologise")[0].template.id == "admit-apologise"
    assert search_templates(library, "zzzzqqq") == []


def test_search_shows_each_template_in_the_comments_language() -> None:
    library = load_library()
    french = comment(language="fr")
    top = search_templates(library, "panne", comment=french)[0]
    assert (top.template.id, top.language) == ("outage", "fr")
    assert top.title == "Panne : on est dessus, voici la page de statut"
    assert not top.preview.startswith("{")  # the opening every template shares is left out


def test_an_escalated_comment_gets_the_admit_the_mistake_templates_first_in_order() -> None:
    library = load_library()
    escalated = comment(status=Status.ESCALATED)
    ids = [match.template.id for match in suggest_templates(library, escalated)]
    assert ids[:4] == ["admit-acknowledge", "admit-apologise", "admit-action", "admit-follow-up"]
    assert all(match.suited for match in suggest_templates(library, escalated)[:4])
    # The empty query of the picker gives the same list.
    assert [m.template.id for m in search_templates(library, "", comment=escalated)][:4] == ids[:4]
    # Answered later (the comment is replied now): the caller says it was escalated.
    replied = comment(status=Status.REPLIED)
    assert [m.template.id for m in suggest_templates(library, replied, escalated=True)][:4] == ids[
        :4
    ]


def test_an_ordinary_comment_gets_templates_matching_its_labels_first() -> None:
    library = load_library()
    plain = [m.template.id for m in suggest_templates(library, comment())]
    assert plain[0] == "admit-acknowledge"  # file order when nothing is suited
    outage = [m.template.id for m in suggest_templates(library, comment(labels=("outage",)))]
    assert outage[0] == "outage"
    assert not any(m.suited for m in suggest_templates(library, comment()))


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("@emma.bsky.social Hi Emma, this made our day, thank you!", "thanks"),
        ("hi emma,   THIS made our day, thank you", "thanks"),
        ("Hi Emma, this made our day, thank you! See you at the meetup", None),
        ("", None),
    ],
)
def test_a_template_is_recognised_word_for_word(text: str, found: str | None) -> None:
    match = template_matching(load_library(), comment(), LUMO, text)
    assert (match.id if match else None) == found
