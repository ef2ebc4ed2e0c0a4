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
# A second look before answering (cm_inbox.second_look): how negative, how
# followed, how much traction makes a comment risky.
DEFAULT_SECOND_LOOK_SCORE = -0.6
DEFAULT_SECOND_LOOK_FOLLOWERS = 10_000
DEFAULT_SECOND_LOOK_TRACTION = 50


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
    # Risky comments ask for a checklist and a confirming key before queueing.
    second_look: bool = True
    # Sentiment at or below this (-1..0) is "strongly negative".
    second_look_score: float = DEFAULT_SECOND_LOOK_SCORE
    # ... and risky from an author with this many followers,
    second_look_followers: int = DEFAULT_SECOND_LOOK_FOLLOWERS
    # ... or with this many likes and replies.
    second_look_traction: int = DEFAULT_SECOND_LOOK_TRACTION

    def severity(self, code: str, default_blocking: bool) -> Severity:
        """How a problem with ``code`` counts; a code no setting names keeps its own default."""
        if code in ALWAYS_BLOCK:
            return "block"
        found = self.severities.get(code)
        if found is not None:
            return found
        return "block" if default_blocking else "warn"


_OTHER_KEYS = ("similar_percent", "similar_days")
_SECOND_LOOK_NUMBERS = {
    # name: (lowest, highest, default)
    "second_look_score": (-1.0, 0.0, DEFAULT_SECOND_LOOK_SCORE),
    "second_look_followers": (0, 1_000_000_000, DEFAULT_SECOND_LOOK_FOLLOWERS),
    "second_look_traction": (0, 1_000_000_000, DEFAULT_SECOND_LOOK_TRACTION),
}


def _read_second_look(
    key: str, name: str, value: Any, values: dict[str, Any], report: Report
) -> None:
    """One ``second_look*`` key into ``values``; a bad value is reported and the default kept."""
    where = f'"{key}" in [checks]'
    if name == "second_look":
        text = value.strip().lower() if isinstance(value, str) else None
        if isinstance(value, bool):
            values[name] = value
        elif text in ("on", "off"):
            values[name] = text == "on"
        else:
            shown = f'"{value}"' if isinstance(value, str) else type_name(value)
            report(("checks", key), f'{where} must be "on" or "off", not {shown}; using "on"')
        return
    low, high, default = _SECOND_LOOK_NUMBERS[name]
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    whole = isinstance(default, int)
    if not is_number or (whole and not isinstance(value, int)) or not low <= value <= high:
        shown = value if is_number else type_name(value)
        kind = "a whole number" if whole else "a number"
        report(
            ("checks", key),
            f"{where} must be {kind} from {low:,} to {high:,}, not {shown}; using {default}",
        )
        return
    values[name] = float(value) if not whole else value


def read_checks(raw: Any, report: Report) -> CheckSettings:
    """``[checks]`` from a parsed config, each mistake sent to ``report`` with its key path."""
    if not isinstance(raw, dict):
        report(("checks",), f'"checks" must be a table ([checks]), not {type_name(raw)}')
        return CheckSettings()
    severities: dict[str, Severity] = dict(DEFAULT_SEVERITIES)
    values = {"similar_percent": DEFAULT_SIMILAR_PERCENT, "similar_days": DEFAULT_SIMILAR_DAYS}
    second_look: dict[str, Any] = {}
    known = [
        *(setting_name(code) for code in DEFAULT_SEVERITIES),
        *_OTHER_KEYS,
        "second_look",
        *_SECOND_LOOK_NUMBERS,
    ]
    for key, value in raw.items():
        name = key.replace("-", "_")
        where = f'"{key}" in [checks]'
        if name == "second_look" or name in _SECOND_LOOK_NUMBERS:
            _read_second_look(key, name, value, second_look, report)
            continue
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
        **second_look,
    )
