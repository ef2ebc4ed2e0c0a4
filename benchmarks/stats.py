"""Figures: several runs of one measurement, summarised by their median, min and max."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` percentile of ``values`` (linear between closest ranks)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Figure:
    """One figure of the benchmark: every run's value, and how it was measured."""

    name: str
    unit: str
    runs: list[float] = field(default_factory=list)
    note: str = ""
    # Rounding for the table and the JSON (the runs keep what was measured).
    digits: int = 2

    @property
    def median(self) -> float | None:
        return statistics.median(self.runs) if self.runs else None

    def as_dict(self) -> dict[str, Any]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, self.digits)

        return {
            "median": rounded(self.median),
            "min": rounded(min(self.runs)) if self.runs else None,
            "max": rounded(max(self.runs)) if self.runs else None,
            "runs": [round(value, max(self.digits, 4)) for value in self.runs],
            "unit": self.unit,
            **({"note": self.note} if self.note else {}),
        }


class Figures(dict[str, Figure]):
    """The figures of one benchmark run, by name, in the order they were first measured."""

    def add(self, name: str, unit: str, value: float, *, note: str = "", digits: int = 2) -> None:
        figure = self.get(name)
        if figure is None:
            figure = self[name] = Figure(name, unit, note=note, digits=digits)
        figure.runs.append(value)

    def median(self, name: str) -> float | None:
        figure = self.get(name)
        return figure.median if figure else None
