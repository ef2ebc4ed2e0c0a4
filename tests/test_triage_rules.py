"""Triage rules in config.toml: what loads, what is refused (file, line, reason), what matches."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from cm_inbox.config import Config, load_config
from cm_inbox.triage_rules.matching import Subject, fold


@pytest.fixture
def load(tmp_path: Path):
    path = tmp_path / "config.toml"

    def run(text: str) -> Config:
        path.write_text(text, encoding="utf-8")
        return load_config(path)

    run.path = path  # type: ignore[attr-defined]
    return run


def subject(text: str = "hello", **fields) -> Subject:
    values = {"network": "mastodon", "account": "acme", "author": "bob@example.org", "text": text}
    values.update(fields)
    return Subject(**values)


def one_rule(load, body: str, **subject_fields) -> tuple[str, ...]:
    """The rules fired by a single rule on a subject (its conditions then ``labels = ["hit"]``)."""
    config = load(f'[[rules]]\nname = "r"\n{body}\nlabels = ["hit"]\n')
    assert config.problems == []
    return config.rules.apply(subject(**subject_fields)).fired


# --- loading and refusing -------------------------------------------------------


def test_rules_load_in_file_order_with_everything_they_say(load) -> None:
    config = load(
        """
[escalation]
teams = ["support", "legal"]

[[rules]]
name = "Refund anger"
words = ["refund", "rembours*"]
sentiment = "negative"
escalate = "Support"
raise_priority = 20

[[rules]]
name = "crypto spam"
regex = 'free\\s+crypto'
max_followers = 50
status = "spam"
labels = "spam"
"""
    )
    assert config.problems == []
    first, second = config.rules
    assert (first.name, second.name) == ("Refund anger", "crypto spam")
    assert first.when.words == ("refund", "rembours*")
    assert first.when.sentiments == {"negative"}
    assert first.then.escalate == "support"  # the team as [escalation] spells it
    assert first.then.raise_priority == 20
    assert second.when.regexes == ("free\\s+crypto",)
    assert second.then.labels == ("spam",)
    assert second.then.status == "spam"


def test_each_bad_rule_is_refused_with_its_line_and_the_rest_still_loads(load) -> None:
    config = load(
        """[ui]
sort = "oldest"

[[rules]]
name = "good"
words = ["refund"]
labels = ["billing"]

[[rules]]
name = "typo"
wrods = ["x"]
labels = ["y"]

[[rules]]
name = "bad regex"
regex = "[abc"
status = "spam"

[[rules]]
name = "nothing to match"
labels = ["z"]

[[rules]]
name = "does nothing"
words = ["a"]

[[rules]]
name = "set and raise"
words = ["a"]
priority = 10
raise_priority = 5

[[rules]]
name = "escalate and close"
words = ["a"]
escalate = "support"
status = "done"

[[rules]]
name = "unknown team"
words = ["a"]
escalate = "suport"

[[rules]]
name = "good"
words = ["again"]
labels = ["dup"]

[[rules]]
name = "also good"
sentiment = "negative"
priority = 80
"""
    )
    path = load.path
    assert [rule.name for rule in config.rules] == ["good", "also good"]
    assert config.ui.sort == "oldest"
    assert config.problems == [
        f'{path}, line 11: rule "typo": unknown key "wrods" (did you mean "words"?); '
        "the rule is not used",
        f'{path}, line 16: rule "bad regex": "regex" is not a valid regular expression: '
        "unterminated character set at position 4 in '[abc'; the rule is not used",
        f'{path}, line 19: rule "nothing to match": matches nothing: give it at least one of '
        "network, account, author, words, regex, language, sentiment, intent, min_followers, "
        "max_followers; the rule is not used",
        f'{path}, line 23: rule "does nothing": does nothing: give it at least one of labels, '
        "priority, raise_priority, escalate, status; the rule is not used",
        f'{path}, line 31: rule "set and raise": "priority" sets and "raise_priority" raises: '
        "use one; the rule is not used",
        f'{path}, line 37: rule "escalate and close": "escalate" and "status" both move the '
        "comment: an escalated comment is neither done nor spam, so use one; "
        "the rule is not used",
        f'{path}, line 42: rule "unknown team": "escalate" must be a team of [escalation] '
        '("support", "product", "legal", "press"), not "suport" (did you mean "support"?); '
        "the rule is not used",
        f'{path}, line 45: rule "good": another rule (number 1) has the same name; names must '
        "differ, as they say which rule acted; the rule is not used",
    ]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("words = []", '"words" is an empty list: the rule would never match'),
        ("words = [1]", '"words" must be a string or a list of strings such as'),
        ('words = ["*"]', '"words" holds "*", which has no letters to look for'),
        ('regex = ".*"', "matches an empty text, so it would match every comment"),
        ('sentiment = "angry"', '"sentiment" must be one of "negative", "neutral", "positive"'),
        ('language = "french"', '"language" must be language codes such as "fr"'),
        ('network = "mastdon"', '"network" names no network "mastdon" (did you mean "mastodon"?)'),
        ("min_followers = -1", '"min_followers" must be 0 or more, not -1'),
        ('min_followers = "1k"', '"min_followers" must be a whole number of followers'),
        ("reach = 1000", 'unknown key "reach" (did you mean "min_followers"?)'),
    ],
)
def test_bad_conditions_are_refused_with_the_reason(load, line: str, reason: str) -> None:
    config = load(f'[[rules]]\nname = "r"\n{line}\nlabels = ["x"]\n')
    assert len(config.rules) == 0
    assert len(config.problems) == 1
    assert reason in config.problems[0]
    assert f"{load.path}, line 3: " in config.problems[0]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("priority = 101", '"priority" must be from 0 to 100, not 101'),
        ("raise_priority = 0", '"raise_priority" must be from 1 to 100, not 0'),
        ('priority = "high"', '"priority" must be a number from 0 to 100, not a string'),
        ('status = "escalated"', 'use escalate = "<team>"'),
        ('status = "dnoe"', '"status" must be "done" or "spam", not "dnoe" (did you mean "done"?)'),
        ("labels = [true]", '"labels" must be a string or a list of strings'),
        ('team = "legal"', 'unknown key "team" (did you mean "escalate"?)'),
    ],
)
def test_bad_actions_are_refused_with_the_reason(load, line: str, reason: str) -> None:
    config = load(f'[[rules]]\nname = "r"\nwords = ["x"]\n{line}\n')
    assert len(config.rules) == 0
    assert len(config.problems) == 1
    assert reason in config.problems[0]
    assert f"{load.path}, line 4: " in config.problems[0]


def test_enabled_is_true_or_false(load) -> None:
    config = load('[[rules]]\nname = "r"\nwords = ["x"]\nlabels = ["y"]\nenabled = "no"\n')
    assert len(config.rules) == 0
    assert config.problems == [
        f'{load.path}, line 5: rule "r": "enabled" must be true or false, not a string; '
        "the rule is not used"
    ]


def test_followers_bounds_must_make_sense(load) -> None:
    config = load('[[rules]]\nname = "r"\nmin_followers = 10\nmax_followers = 5\nlabels = ["x"]\n')
    assert len(config.rules) == 0
    assert config.problems == [
        f'{load.path}, line 4: rule "r": max_followers 5 is below min_followers 10; '
        "the rule is not used"
    ]


def test_a_rule_without_a_name_is_refused_at_its_header(load) -> None:
    config = load('[ui]\n\n[[rules]]\nwords = ["x"]\nlabels = ["y"]\n')
    assert len(config.rules) == 0
    assert config.problems == [
        f'{load.path}, line 3: rule number 1: has no "name" (events and reports say which rule '
        "acted by its name); the rule is not used"
    ]


def test_rules_written_as_one_table_are_refused_not_misread(load) -> None:
    config = load('[rules]\nname = "r"\nwords = ["x"]\n')
    assert len(config.rules) == 0
    assert config.problems == [
        f'{load.path}, line 1: "rules" must be rule tables, each under its own [[rules]] header, '
        "not a table; no rule is used"
    ]


def test_escalate_names_only_the_configured_teams(load) -> None:
    config = load('[escalation]\nteams = ["billing"]\n[[rules]]\nname = "r"\nwords = ["x"]\n'
                  'escalate = "support"\n')  # fmt: skip
    assert len(config.rules) == 0
    assert 'must be a team of [escalation] ("billing"), not "support"' in config.problems[0]


def test_a_disabled_rule_loads_but_never_acts(load) -> None:
    config = load('[[rules]]\nname = "r"\nwords = ["x"]\nlabels = ["y"]\nenabled = false\n')
    assert config.problems == []
    assert [rule.name for rule in config.rules] == ["r"]
    assert not config.rules
    assert config.rules.apply(subject("x")).matched == ()


# --- matching ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("I want a REFUND now", True),
        ("refund.", True),
        ("refunds please", False),  # a whole word, not a prefix
        ("nonrefund", False),
        ("je veux être remboursée", True),  # "rembours*": any ending
        ("Remboursement", True),
        ("je vais être REMBÔURSÉ", True),  # accents and case never matter
        ("late   delivery again", True),  # a phrase, whatever the spaces
        ("deliverylate", False),
        ("Ｒｅｆｕｎｄ", True),  # full-width letters fold to plain ones
    ],
)
def test_words_match_whole_words_whatever_case_and_accents(load, text: str, hit: bool) -> None:
    fired = one_rule(load, 'words = ["refund", "rembours*", "late delivery"]', text=text)
    assert fired == (("r",) if hit else ())


def test_words_with_accents_in_the_config_match_text_without(load) -> None:
    assert one_rule(load, 'words = ["résiliation"]', text="RESILIATION svp") == ("r",)


def test_regex_is_case_insensitive_and_searches_the_text(load) -> None:
    body = r"regex = 'order\s*#?\d{6}'"
    assert one_rule(load, body, text="Where is ORDER #123456?") == ("r",)
    assert one_rule(load, body, text="order 12345") == ()


def test_a_runaway_regex_gives_up_instead_of_freezing_the_ingest(load) -> None:
    started = time.perf_counter()
    assert one_rule(load, "regex = '(a+)+$'", text="a" * 40 + "b") == ()
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    ("body", "fields", "hit"),
    [
        ('network = "bluesky"', {"network": "bluesky"}, True),
        ('network = ["bluesky", "reddit"]', {"network": "mastodon"}, False),
        ('account = "acme*"', {"account": "acme@mastodon.social"}, True),
        ('account = "ACME"', {"account": "acme"}, True),
        ('account = "other"', {}, False),
        ('author = "*@spam.example"', {"author": "@Eve@spam.example"}, True),
        ('author = ["troll*", "bob@example.org"]', {}, True),
        ('author = "bob"', {}, False),  # a glob matches the whole handle
        ('language = "pt"', {"language": "pt-br"}, True),
        ('language = "pt-BR"', {"language": "pt"}, False),
        ('language = "fr"', {"language": None}, False),
        ('sentiment = ["negative", "neutral"]', {"sentiment": "neutral"}, True),
        ('sentiment = "negative"', {"sentiment": None}, False),
        ('intent = ["refund", "Cancel"]', {"intents": frozenset({"cancel", "bug"})}, True),
        ('intent = "refund"', {"intents": frozenset({"bug"})}, False),
        ("min_followers = 10000", {"followers": 10000}, True),
        ("min_followers = 10000", {"followers": 9999}, False),
        ("min_followers = 1", {"followers": None}, False),
        ("max_followers = 50", {"followers": 12}, True),
        ("max_followers = 50", {"followers": None}, False),
    ],
)
def test_each_condition(load, body: str, fields: dict, hit: bool) -> None:
    assert one_rule(load, body, **fields) == (("r",) if hit else ())


def test_every_condition_of_a_rule_must_hold(load) -> None:
    body = 'words = ["refund"]\nsentiment = "negative"\nnetwork = "mastodon"'
    assert one_rule(load, body, text="refund", sentiment="negative") == ("r",)
    assert one_rule(load, body, text="refund", sentiment="positive") == ()
    assert one_rule(load, body, text="thanks", sentiment="negative") == ()


def test_fold_drops_case_and_accents_only() -> None:
    assert fold("Été À Noël ﬁn") == "ete a noel fin"
    assert fold("नमस्ते") == "नमस्ते"  # Indic vowel signs are letters, not accents


# --- actions ----------------------------------------------------------------------


RULES = """
[[rules]]
name = "billing"
words = ["refund", "charged"]
labels = ["billing", "money"]
raise_priority = 30

[[rules]]
name = "angry"
sentiment = "negative"
raise_priority = 80
escalate = "support"

[[rules]]
name = "vip"
min_followers = 10000
priority = 90
labels = ["vip"]

[[rules]]
name = "spam"
words = ["crypto"]
status = "spam"
"""


def test_actions_add_up_in_file_order(load) -> None:
    rules = load(RULES).rules
    outcome = rules.apply(
        subject("charged twice, refund me", sentiment="negative", labels=("money",), priority=5)
    )
    assert outcome.matched == ("billing", "angry")
    assert outcome.fired == ("billing", "angry")
    assert outcome.labels == ("billing",)  # "money" was there already
    assert outcome.priority == 100  # 5 + 30 + 80, capped
    assert (outcome.status, outcome.team) == ("escalated", "support")
    first, second = outcome.steps
    assert (first.priority_before, first.priority_after) == (5, 35)
    assert (second.priority_before, second.priority_after) == (35, 100)
    assert first.labels_after == ("billing", "money")


def test_a_later_set_priority_wins_over_an_earlier_raise(load) -> None:
    outcome = load(RULES).rules.apply(subject("refund", followers=50_000))
    assert outcome.priority == 90
    assert outcome.labels == ("billing", "money", "vip")


def test_the_first_rule_that_moves_a_comment_decides_its_status(load) -> None:
    outcome = load(RULES).rules.apply(subject("free crypto", sentiment="negative"))
    assert (outcome.status, outcome.team) == ("escalated", "support")
    assert outcome.matched == ("angry", "spam")
    assert outcome.fired == ("angry",)  # spam would only have moved it


def test_a_comment_not_new_or_touched_by_the_user_keeps_its_status(load) -> None:
    rules = load(RULES).rules
    for fields in ({"status": "done"}, {"touched": True}):
        outcome = rules.apply(subject("crypto refund", **fields))
        assert outcome.status is None
        assert outcome.fired == ("billing",)  # labels and priority still apply


def test_a_rule_that_already_acted_never_acts_again(load) -> None:
    rules = load(RULES).rules
    outcome = rules.apply(subject("refund", fired=frozenset({"billing"}), priority=35))
    assert outcome.matched == ("billing",)
    assert outcome.steps == ()


def test_the_readme_example_loads_as_written(load) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Triage rules", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    config = load(example)
    assert config.problems == []
    assert [rule.name for rule in config.rules] == ["Refund anger", "Crypto spam", "Big accounts"]
