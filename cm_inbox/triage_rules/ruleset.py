"""The config's triage rules as one set: which match a comment, and what they do.

Apart from the matchers and their types (``matching``): the config builds a
RuleSet before the first frame, empty unless ``[[rules]]`` are written, and
what a rule is made of loads when the first comment is judged.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cm_inbox.triage_rules.matching import Outcome, Rule, Step, Subject


class RuleSet:
    """The rules of the config in file order; ``apply`` runs them on one comment."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self.rules = tuple(rules)
        self._active = tuple(rule for rule in self.rules if rule.enabled)
        if self.rules:
            # The module the rules were built with (their steps and outcomes),
            # looked up once here rather than for every comment judged.
            from cm_inbox.triage_rules import matching as rule_types

            self._rule_types = rule_types

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def __bool__(self) -> bool:
        """False when no rule is enabled: callers skip the work altogether."""
        return bool(self._active)

    def matching(self, subject: Subject) -> list[Rule]:
        """The enabled rules whose conditions all hold for ``subject``, in file order."""
        found: list[Rule] = []
        for rule in self._active:
            for check in rule.checks:
                if not check(subject):
                    break
            else:
                found.append(rule)
        return found

    def apply(self, subject: Subject) -> Outcome:
        """Run the enabled rules on ``subject``, in file order, each seeing the last one's result.

        Labels add up; a priority is set or raised in turn; the first rule that
        escalates or closes the comment decides its status, and only while the
        comment is new and untouched by the user. A rule in ``subject.fired``
        matches but changes nothing. Nothing here writes: the store applies
        the steps.
        """
        if not self._active:
            from cm_inbox.triage_rules.matching import NOTHING

            return NOTHING
        rule_types = self._rule_types
        matched = self.matching(subject)
        if not matched:
            return rule_types.NOTHING
        steps: list[Step] = []
        labels = subject.labels
        priority = subject.priority
        may_move = subject.status == "new" and not subject.touched
        for rule in matched:
            if rule.name in subject.fired:
                continue
            then = rule.then
            after_labels = labels
            missing = [label for label in then.labels if label not in labels]
            if missing:
                after_labels = tuple(sorted({*labels, *missing}))
            after = priority
            if then.priority is not None:
                after = then.priority
            elif then.raise_priority is not None:
                after = min(rule_types.MAX_PRIORITY, priority + then.raise_priority)
            status = None
            if may_move and then.new_status:
                status, may_move = then.new_status, False
            if after_labels == labels and after == priority and status is None:
                continue
            steps.append(
                rule_types.Step(
                    rule.name, labels, after_labels, priority, after, status, then.escalate
                )
                if status
                else rule_types.Step(rule.name, labels, after_labels, priority, after)
            )
            labels, priority = after_labels, after
        return rule_types.Outcome(tuple(rule.name for rule in matched), tuple(steps))
