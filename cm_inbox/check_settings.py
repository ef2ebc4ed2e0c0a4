"""``[checks]``: how hard each draft check is (warn, block or off), and the sameness bar.

Keys are the checks' codes with "_" or "-" (``foreign_link = "warn"``), as
``cm-inbox reply`` names them after each warning. The length check and the
empty-reply check always block: the network would refuse such a reply anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from cm_inbox.tomlfile import did_you_mean, type_name

Severity = Literal["warn", "block", "off"]
SEVERITIES: tuple[Severity, ...] = ("warn", "block", "off")
Report = Callable[[tuple[str, ...], str], None]

# Every check a user can tune, with its default, in the order the README lists them.
DEFAULT_SEVERITIES: dict[str, Severity] = {
    "mention-only": "block",
    "missing-mention": "warn",
    "avoid-word": "warn",
    "missing-greeting": "warn",
    "missing-sign-off": "warn",
    "wrong-language": "warn",
    "shouting": "warn",
    "foreign-link": "block",
    "template-only": "warn",
    "unknown-variable": "block",
    "same-as-recent": "warn",
}
# Never relaxed: the network refuses these (or there is nothing to send).
# read-only: feed and Hacker News items cannot be answered from cm-inbox at all.
ALWAYS_BLOCK = frozenset({"empty", "too-long", "read-only"})

DEFAULT_SIMILAR_PERCENT = 85
DEFAULT_SIMILAR_DAYS = 30


def setting_name(code: str) -> str:
    """The config key of a check code: ``foreign-link`` → ``foreign_link``."""
    return code.replace("-", "_")


@dataclass(frozen=True)
class CheckSettings:
    """Severity per check code, and when a draft counts as "the same as" past replies."""

    severities: Mapping[str, Severity] = field(default_factory=lambda: dict(DEFAULT_SEVERITIES))
    # A past reply at least this similar (0-100, rapidfuzz's ratio) counts.
    similar_percent: int = DEFAULT_SIMILAR_PERCENT
    # How far back past replies are compared.
    similar_days: int = DEFAULT_SIMILAR_DAYS

    def severity(self, code: str, default_blocking: bool) -> Severity:
        """How a problem with ``code`` counts; a code no setting names keeps its own default."""
        if code in ALWAYS_BLOCK:
            return "block"
        found = self.severities.get(code)
        if found is not None:
            return found
        return "block" if default_blocking else "warn"


_OTHER_KEYS = ("similar_percent", "similar_days")


def read_checks(raw: Any, report: Report) -> CheckSettings:
    """``[checks]`` from a parsed config, each mistake sent to ``report`` with its key path."""
    if not isinstance(raw, dict):
        report(("checks",), f'"checks" must be a table ([checks]), not {type_name(raw)}')
        return CheckSettings()
    severities: dict[str, Severity] = dict(DEFAULT_SEVERITIES)
    values = {"similar_percent": DEFAULT_SIMILAR_PERCENT, "similar_days": DEFAULT_SIMILAR_DAYS}
    known = [setting_name(code) for code in DEFAULT_SEVERITIES] + list(_OTHER_KEYS)
    for key, value in raw.items():
        name = key.replace("-", "_")
        where = f'"{key}" in [checks]'
        if name in _OTHER_KEYS:
            low, high = (50, 100) if name == "similar_percent" else (1, 365)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                shown = (
                    value
                    if isinstance(value, int) and not isinstance(value, bool)
                    else type_name(value)
                )
                report(
                    ("checks", key),
                    f"{where} must be a whole number from {low} to {high}, not {shown}; "
                    f"using {values[name]}",
                )
            else:
                values[name] = value
            continue
        code = key.replace("_", "-")
        if code in ALWAYS_BLOCK:
            report(
                ("checks", key),
                f"{where}: this check always blocks (the network would refuse the reply); ignored",
            )
            continue
        if code not in DEFAULT_SEVERITIES:
            report(("checks", key), f"unknown check {where}{did_you_mean(name, known)}")
            continue
        text = value.strip().lower() if isinstance(value, str) else None
        if text not in SEVERITIES:
            shown = f'"{value}"' if isinstance(value, str) else type_name(value)
            report(
                ("checks", key),
                f'{where} must be "warn", "block" or "off", not {shown}; '
                f'using "{DEFAULT_SEVERITIES[code]}"',
            )
            continue
        severities[code] = text  # type: ignore[assignment]
    return CheckSettings(
        severities=severities,
        similar_percent=values["similar_percent"],
        similar_days=values["similar_days"],
    )
