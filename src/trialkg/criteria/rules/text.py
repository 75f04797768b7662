"""Small text helpers the rules share: clauses, spans, gated pattern families."""

from __future__ import annotations

import re

from trialkg.textgate import Gated, GateSet


def opened(family: list[tuple[str, Gated]], gates: GateSet, text: str) -> list[tuple[str, re.Pattern[str]]]:
    """The patterns of ``family`` (in order) whose literal gate ``text`` opens."""
    return [(family[i][0], family[i][1].rx) for i in gates.open(text)]


def clause_start(text: str, pos: int) -> int:
    """Where the clause holding ``pos`` starts (after a ";" or a sentence end). A ";" in
    parentheses that close before ``pos`` is a note, no break: "Urine Protein to Creatinine
    Ratio (UPC; appropriate appendix) <1" (NCT01418001)."""
    cut = max(text.rfind(";", 0, pos), text.rfind(". ", 0, pos))
    while cut >= 0 and _closed_before(text, cut, pos):
        cut = max(text.rfind(";", 0, cut), text.rfind(". ", 0, cut))
    return cut + 1 if cut >= 0 else 0


def _closed_before(text: str, cut: int, pos: int) -> bool:
    """Whether ``cut`` is inside parentheses that close between it and ``pos``."""
    depth = 0
    for ch in text[cut:pos]:
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            return True
    return False


def clause_end(text: str, pos: int) -> int:
    """Where the clause holding ``pos`` ends (at a ";", a sentence end or a comma)."""
    ends = [i for i in (text.find(";", pos), text.find(". ", pos), text.find(",", pos)) if i >= 0]
    return min(ends) if ends else len(text)


def inside(spans: list[tuple[int, int]], a: int, b: int) -> bool:
    """Whether ``[a, b)`` lies inside one of ``spans``."""
    return any(x <= a and b <= y for x, y in spans)
