"""Three-valued logic and the small vocabulary every decision shares.

A statement about the patient is true, false or unknown (``None``); ``tv_and``,
``tv_or`` and ``tv_not`` are Kleene's strong connectives. ``compare`` applies a
constraint's comparator to a patient value, and ``Statement`` is one constraint
evaluated for one patient, with the reason in words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Outcome = Literal["met", "unmet", "unknown", "n/a"]
Verdict = Literal["eligible", "possible", "excluded"]
TV = bool | None  # three-valued truth: True, False, None (unknown)


def tv_and(values: Iterable[TV]) -> TV:
    values = list(values)
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def tv_or(values: Iterable[TV]) -> TV:
    values = list(values)
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def tv_not(value: TV) -> TV:
    return None if value is None else not value


def tv_word(v: TV) -> str:
    return {True: "yes", False: "no", None: "unknown"}[v]


def num(value: float | int | None) -> str:
    """A number as a reason prints it: ``18``, ``1.5``; ``any`` for no bound."""
    if value is None:
        return "any"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


_OPERATORS = {"≥": ">=", "≤": "<=", "=>": ">=", "=<": "<=", "==": "="}


def compare(x: float, comparator: str | None, value: float | None, value2: float | None = None) -> TV:
    """``x <comparator> value`` with a little slack for unit-conversion rounding."""
    if value is None:
        return None
    eps = 1e-9 * max(1.0, abs(value))
    op = (comparator or "").strip()
    op = _OPERATORS.get(op, op)
    if op == ">=":
        return x >= value - eps
    if op == "<=":
        return x <= value + eps
    if op == ">":
        return x > value + eps
    if op == "<":
        return x < value - eps
    if op == "=":
        return abs(x - value) <= eps
    if op == "between" and value2 is not None:
        lo, hi = sorted((value, value2))
        return lo - eps <= x <= hi + eps
    return None


@dataclass
class Statement:
    """A constraint evaluated for one patient: does what it states hold?"""

    value: TV
    why: str
    condition: str | None = None  # applies_if text
    condition_value: TV = None  # does the patient meet applies_if
    group: str = ""  # constraints of one group override each other by condition
    neutral: bool = False  # says nothing for or against (sex: ALL)
    alternative: int | None = None  # tkg:alternativeGroup: 'or' within the group
