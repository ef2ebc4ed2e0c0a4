"""The lexicon files: every shipped one loads, and a mistake in one says where it is."""

from __future__ import annotations

import pytest

from cm_inbox.listening import lexicon
from cm_inbox.listening.inflect import forms
from cm_inbox.listening.lexicon import LexiconError, Trie, parse
from cm_inbox.listening.reading import LEXICON_LANGUAGES, Lexicon
from cm_inbox.listening.tokens import tokenize


@pytest.mark.parametrize("language", ("universal", *LEXICON_LANGUAGES))
def test_every_shipped_lexicon_loads(language):
    assert Lexicon(language).vocabulary


def test_english_and_french_lexicons_are_broad():
    for language in ("en", "fr"):
        sentiment = lexicon.load(f"{language}/sentiment.txt")
        intents = lexicon.load(f"{language}/intents.txt")
        assert len(sentiment) > 600
        assert len(intents) > 600


def test_a_value_that_is_not_a_number_names_file_and_line():
    with pytest.raises(LexiconError, match=r"x\.txt, line 3: 'lots' after ' = ' is not a number"):
        parse("[words]\ngood = 2\nbad = lots\n", "x.txt")


def test_an_entry_outside_a_section_is_refused():
    with pytest.raises(LexiconError, match=r"x\.txt, line 1: an entry before any \[section\]"):
        parse("good = 2\n", "x.txt")


def test_a_gap_must_stand_between_words():
    trie = Trie()
    with pytest.raises(LexiconError, match="'~' must stand between words"):
        for entry in parse("[complaint]\n~ refund\n", "x.txt"):
            trie.add(entry)


def test_phrase_syntax_prefix_gap_and_number():
    trie = Trie()
    for entry in parse("[complaint]\ndisappoint*\nwaiting for ~ refund\ntook # days\n", "x.txt"):
        trie.add(entry)

    def found(text):
        words = tokenize(text).words
        return {
            e.phrase for i in range(len(words)) for _, n in trie.matches(words, i) for e in n.ends
        }

    assert found("so disappointing") == {"disappoint*"}
    assert found("still waiting for my full refund") == {"waiting for ~ refund"}
    assert found("waiting for the fix. my refund came") == set()
    assert found("it took 11 days") == {"took # days"}


def test_inflected_forms():
    assert {"decue", "decus", "decues"} <= set(forms("decu", "fr"))
    assert "accueillants" in forms("accueillant", "fr")
    assert "geniaux" in forms("genial", "fr")
    assert "smoothest" in forms("smooth", "en")
    assert forms("bueno", "es") == ["buena", "buenos", "buenas"]
