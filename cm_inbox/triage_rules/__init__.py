"""Triage rules from the config: match comments, then label, prioritise, escalate or close them.

``parsing.parse_rules`` reads the ``[[rules]]`` tables (the config calls it);
``ruleset.RuleSet.apply`` says what the rules do to one ``matching.Subject``;
the store writes the resulting steps (``Store.reapply_rules``, and every
ingest for new comments). Import from those modules: this package loads none
of them, so the config's empty RuleSet costs nothing before the first frame.
"""
