"""Triage rules from the config: match comments, then label, prioritise, escalate or close them.

``parse_rules`` reads the ``[[rules]]`` tables (the config calls it);
``RuleSet.apply`` says what the rules do to one ``Subject``; the store writes
the resulting steps (``Store.reapply_rules``, and every ingest for new comments).
"""

from cm_inbox.triage_rules.matching import (
    Actions,
    Conditions,
    Outcome,
    Rule,
    RuleSet,
    Step,
    Subject,
    fold,
)
from cm_inbox.triage_rules.parsing import ACTION_KEYS, MATCH_KEYS, ProblemSink, parse_rules

__all__ = [
    "ACTION_KEYS",
    "MATCH_KEYS",
    "Actions",
    "Conditions",
    "Outcome",
    "ProblemSink",
    "Rule",
    "RuleSet",
    "Step",
    "Subject",
    "fold",
    "parse_rules",
]
