"""What counts as talking about the brand: case, accents, word edges, hashtags, exclusions."""

from __future__ import annotations

import pytest

from cm_inbox.watches.matching import Matcher, fold

MATCHER = Matcher(["Lumo", "Lumo app", "Loomo", "C++"], ["Lumo lamp", "lumosity"])


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        ("I love Lumo!", "Lumo"),
        ("LUMO's calendar view", "Lumo"),
        ("lúmo, with an accent", "Lumo"),
        ("Ｌｕｍｏ in full width", "Lumo"),
        ("#Lumo forever", "Lumo"),
        ("Dark mode in #LumoApp please", "Lumo app"),
        ("the lumo_app package", "Lumo app"),
        ("loomo? whatever it is called", "Loomo"),
        ("see https://lumo.app/blog", "Lumo"),
        ("written in C++ of course", "C++"),
        ("Lumosity is a game", None),
        ("illumos is an OS", None),
        ("lumos! (a spell)", None),
        ("nothing to see", None),
    ],
)
def test_a_phrase_is_found_whole_whatever_its_case_and_accents(text, matched):
    assert MATCHER.check(text).matched == matched


def test_an_exclusion_anywhere_rules_the_text_out():
    verdict = MATCHER.check("My new Lumo lamp is bright")
    assert verdict.matched == "Lumo" and verdict.excluded_by == "Lumo lamp"
    assert not verdict.counts
    assert MATCHER.check("Lumo beats Lumosity").excluded_by == "lumosity"
    assert MATCHER.check("Lumo, and a lamp").counts


def test_a_phrase_of_several_words_allows_hyphens_and_spaces_but_not_other_words():
    matcher = Matcher(["Lumo app"])
    assert matcher.check("the lumo-app rocks").counts
    assert matcher.check("the Lumo\napp rocks").counts
    assert not matcher.check("Lumo is an app").counts


def test_hostile_text_is_only_text():
    # Markup and escape codes are matched as characters, never interpreted.
    assert MATCHER.check("[@click=app.quit]Lumo[/]").counts
    assert MATCHER.check("\x1b[31mLumo\x1b[0m").counts
    assert not MATCHER.check("x" * 10_000).counts


def test_folding_drops_case_and_marks():
    assert fold("Crème Brûlée ＡＢＣ Straße") == "creme brulee abc strasse"
