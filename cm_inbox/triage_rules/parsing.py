"""``[[rules]]`` tables of the config, checked into ``Rule`` objects.

A rule with any mistake is refused whole and the others still load: dropping
only the bad key could widen the rule (a misspelt ``words`` would make a spam
rule match every comment). Each mistake is reported with the file, the line
and the reason, through the config's own problem list.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from cm_inbox.networks.registry import connectable_networks
from cm_inbox.triage_rules.matching import (
    CLOSING_STATUSES,
    MAX_PRIORITY,
    SENTIMENTS,
    Actions,
    Conditions,
    Rule,
    fold,
    user_regex,
)
from cm_inbox.triage_rules.ruleset import RuleSet

MATCH_KEYS = (
    "network",
    "account",
    "author",
    "words",
    "regex",
    "language",
    "sentiment",
    "intent",
    "min_followers",
    "max_followers",
)
ACTION_KEYS = ("labels", "priority", "raise_priority", "escalate", "status")
RULE_KEYS = ("name", "enabled", *MATCH_KEYS, *ACTION_KEYS)
NAME_MAX = 80
# Words a user may reach for that difflib would not lead back to the right key.
_HINTS = {
    "reach": "min_followers",
    "followers": "min_followers",
    "team": "escalate",
    "label": "labels",
    "lang": "language",
    "intents": "intent",
    "handle": "author",
    "spam": 'status = "spam"',
    "done": 'status = "done"',
}
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


class ProblemSink(Protocol):
    """Where problems go: the config's ``_Problems`` (file and line from the key path)."""

    def add(self, key_path: tuple[str | int, ...], message: str) -> None: ...


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    names = {str: "a string", int: "a number", float: "a number", list: "a list", dict: "a table"}
    return names.get(type(value), f"a {type(value).__name__}")


def _did_you_mean(name: str, choices: Sequence[str]) -> str:
    if name.lower() in _HINTS:
        return f" (did you mean {_hint(_HINTS[name.lower()])}?)"
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _hint(text: str) -> str:
    return text if "=" in text else f'"{text}"'


def _strings(value: Any, example: str, *, squeeze: bool = True) -> tuple[str, ...]:
    """A string or a list of strings, each non-empty; ``squeeze`` collapses whitespace."""
    items = value if isinstance(value, list) else [value]
    if not items:
        raise ValueError("is an empty list: the rule would never match")
    found: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError(
                f"must be a string or a list of strings such as {example}, not {_type_name(item)}"
            )
        text = " ".join(item.split()) if squeeze else item
        if not text.strip():
            raise ValueError("must not hold an empty string")
        if text not in found:
            found.append(text)
    return tuple(found)


def _choices(allowed: Sequence[str], example: str) -> Callable[[Any], tuple[str, ...]]:
    def check(value: Any) -> tuple[str, ...]:
        items = tuple(item.lower() for item in _strings(value, example))
        for item in items:
            if item not in allowed:
                listed = ", ".join(f'"{choice}"' for choice in allowed)
                hint = _did_you_mean(item, allowed)
                raise ValueError(f'must be one of {listed}, not "{item}"{hint}')
        return items

    return check


def _networks(value: Any) -> frozenset[str]:
    known = connectable_networks()
    networks = tuple(item.lower() for item in _strings(value, '"mastodon"'))
    for network in networks:
        # Imports bring any network ("reddit"); a near miss of a known one is a typo.
        close = difflib.get_close_matches(network, known, n=1, cutoff=0.75)
        if network not in known and close:
            raise ValueError(f'names no network "{network}" (did you mean "{close[0]}"?)')
    return frozenset(networks)


def _words(value: Any) -> tuple[str, ...]:
    words = _strings(value, '["refund", "rembours*"]')
    for word in words:
        if not fold(word).replace("*", "").strip():
            raise ValueError(f'holds "{word}", which has no letters to look for')
    return words


def _regexes(value: Any) -> tuple[str, ...]:
    import regex  # only a config with regexes pays for it at load

    patterns = _strings(value, r"'order\s*#?\d{6}'", squeeze=False)
    for pattern in patterns:
        try:
            user_regex(pattern)
        except regex.error as error:
            where = f" at position {error.pos}" if error.pos is not None else ""
            raise ValueError(
                f"is not a valid regular expression: {error.msg}{where} in {pattern!r}"
            ) from None
        if user_regex(pattern).search("") is not None:
            raise ValueError(f"{pattern!r} matches an empty text, so it would match every comment")
    return patterns


def _languages(value: Any) -> frozenset[str]:
    codes = tuple(item.lower().replace("_", "-") for item in _strings(value, '["fr", "en"]'))
    for code in codes:
        if not _LANGUAGE_RE.match(code):
            raise ValueError(f'must be language codes such as "fr" or "pt-BR", not "{code}"')
    return frozenset(codes)


def _intents(value: Any) -> frozenset[str]:
    return frozenset(item.lower() for item in _strings(value, '["refund", "bug"]'))


def _followers(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be a whole number of followers, not {_type_name(value)}")
    if value < 0:
        raise ValueError(f"must be 0 or more, not {value}")
    return value


def _priority(low: float, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(
            f"must be a number from {low:g} to {MAX_PRIORITY:g}, not {_type_name(value)}"
        )
    if not low <= value <= MAX_PRIORITY or (low > 0 and value == 0):
        raise ValueError(f"must be from {low:g} to {MAX_PRIORITY:g}, not {value}")
    return float(value)


def _labels(value: Any) -> tuple[str, ...]:
    labels = _strings(value, '["billing", "urgent"]')
    for label in labels:
        if len(label) > 400:
            raise ValueError("holds a label longer than 400 characters")
    return labels


def _status(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f'must be "done" or "spam", not {_type_name(value)}')
    status = value.strip().lower()
    if status == "escalated":
        raise ValueError('cannot be "escalated": use escalate = "<team>" to hand it to a team')
    if status not in CLOSING_STATUSES:
        raise ValueError(
            f'must be "done" or "spam", not "{value}"{_did_you_mean(status, CLOSING_STATUSES)}'
        )
    return status


def _team(teams: Sequence[str]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        listed = ", ".join(f'"{team}"' for team in teams)
        if not isinstance(value, str):
            raise ValueError(
                f"must be one team of [escalation] ({listed}), not {_type_name(value)}"
            )
        by_key = {team.casefold(): team for team in teams}
        team = by_key.get(value.strip().casefold())
        if team is None:
            hint = _did_you_mean(value.strip(), teams)
            raise ValueError(f'must be a team of [escalation] ({listed}), not "{value}"{hint}')
        return team

    return check


def _enabled(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {_type_name(value)}")
    return value


def _name(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, not {_type_name(value)}")
    name = " ".join(value.split())
    if not name:
        raise ValueError("must not be empty")
    if len(name) > NAME_MAX:
        raise ValueError(f"must be at most {NAME_MAX} characters")
    return name


def _checkers(teams: Sequence[str]) -> dict[str, Callable[[Any], Any]]:
    return {
        "name": _name,
        "enabled": _enabled,
        "network": _networks,
        "account": lambda v: _strings(v, '"acme@mastodon.social"'),
        "author": lambda v: _strings(v, '["*@spam.example", "troll*"]'),
        "words": _words,
        "regex": _regexes,
        "language": _languages,
        "sentiment": lambda v: frozenset(_choices(SENTIMENTS, '"negative"')(v)),
        "intent": _intents,
        "min_followers": _followers,
        "max_followers": _followers,
        "labels": _labels,
        "priority": lambda v: _priority(0, v),
        "raise_priority": lambda v: _priority(1, v),
        "escalate": _team(teams),
        "status": _status,
    }


def parse_rules(data: Any, problems: ProblemSink, *, teams: Sequence[str]) -> RuleSet:
    """The rules of ``[[rules]]`` (``data``: the parsed value, None when absent).

    ``teams`` are the configured escalation teams, the only ones ``escalate``
    may name. Every mistake goes to ``problems`` with the rule's key path
    (``("rules", 2, "words")``) so it is reported with its line; a rule with
    a mistake is left out and the others kept.
    """
    if data is None:
        return RuleSet()
    if not isinstance(data, list):
        problems.add(
            ("rules",),
            f'"rules" must be rule tables, each under its own [[rules]] header, '
            f"not {_type_name(data)}; no rule is used",
        )
        return RuleSet()
    checkers = _checkers(teams)
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for index, table in enumerate(data):
        rule = _rule(index, table, checkers, problems)
        if rule is None:
            continue
        if rule.name.casefold() in seen:
            problems.add(
                (("rules", index, "name")),
                f'rule "{rule.name}": another rule (number {seen[rule.name.casefold()] + 1}) '
                "has the same name; names must differ, as they say which rule acted; "
                "the rule is not used",
            )
            continue
        seen[rule.name.casefold()] = index
        rules.append(rule)
    return RuleSet(rules)


def _rule(
    index: int,
    table: Any,
    checkers: dict[str, Callable[[Any], Any]],
    problems: ProblemSink,
) -> Rule | None:
    where: tuple[str | int, ...] = ("rules", index)
    label = f"rule number {index + 1}"
    if not isinstance(table, dict):
        problems.add(where, f"{label} must be a table under [[rules]], not {_type_name(table)}")
        return None
    name = table.get("name")
    if isinstance(name, str) and name.strip():
        label = f'rule "{" ".join(name.split())}"'
    values: dict[str, Any] = {}
    refused = False

    def refuse(key_path: tuple[str | int, ...], reason: str) -> None:
        nonlocal refused
        refused = True
        problems.add(key_path, f"{label}: {reason}; the rule is not used")

    unknown = False
    for key, value in table.items():
        checker = checkers.get(key)
        if checker is None:
            unknown = True
            refuse((*where, key), f'unknown key "{key}"{_did_you_mean(key, RULE_KEYS)}')
            continue
        try:
            values[key] = checker(value)
        except ValueError as error:
            refuse((*where, key), f'"{key}" {error}')
    if "name" not in table:
        refuse(where, 'has no "name" (events and reports say which rule acted by its name)')
    # A misspelt key was most likely the missing condition or action: one message is enough.
    if not unknown and table.keys().isdisjoint(MATCH_KEYS):
        refuse(where, "matches nothing: give it at least one of " + ", ".join(MATCH_KEYS))
    if not unknown and table.keys().isdisjoint(ACTION_KEYS):
        refuse(where, "does nothing: give it at least one of " + ", ".join(ACTION_KEYS))
    if "priority" in table and "raise_priority" in table:
        refuse((*where, "raise_priority"), '"priority" sets and "raise_priority" raises: use one')
    if "escalate" in table and "status" in table:
        refuse(
            (*where, "status"),
            '"escalate" and "status" both move the comment: an escalated comment '
            "is neither done nor spam, so use one",
        )
    least, most = values.get("min_followers"), values.get("max_followers")
    if least is not None and most is not None and least > most:
        refuse((*where, "max_followers"), f"max_followers {most} is below min_followers {least}")
    if refused:
        return None
    return Rule(
        name=values["name"],
        enabled=values.get("enabled", True),
        when=Conditions(
            networks=values.get("network", frozenset()),
            accounts=values.get("account", ()),
            authors=values.get("author", ()),
            words=values.get("words", ()),
            regexes=values.get("regex", ()),
            languages=values.get("language", frozenset()),
            sentiments=values.get("sentiment", frozenset()),
            intents=values.get("intent", frozenset()),
            min_followers=least,
            max_followers=most,
        ),
        then=Actions(
            labels=values.get("labels", ()),
            priority=values.get("priority"),
            raise_priority=values.get("raise_priority"),
            escalate=values.get("escalate"),
            status=values.get("status"),
        ),
    )
