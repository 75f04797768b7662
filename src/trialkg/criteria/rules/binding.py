"""Variable mentions and the binding of a comparison to what it measures.

A variable is named by the words of the variable table (``lexicon.VARIABLES``, keyed by
``ontology/reference/variables.tsv``). A comparison measures the nearest mention on its
left in the same clause, and every mention joined to it by "and", "or", "/" or a comma
("AST and ALT <= 2.5 x ULN" gives one limit per analyte).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from trialkg.criteria import lexicon, variables
from trialkg.criteria.rules.comparisons import DIGIT, Comparison
from trialkg.criteria.rules.text import opened
from trialkg.textgate import Gated, GateSet

_SHORT_PARENS = re.compile(r"\([^()]{0,80}\)")


def _compile_variables() -> list[tuple[str, Gated]]:
    """One gated pattern per variable (and case rule) from ``lexicon.VARIABLES``."""
    out: list[tuple[str, Gated]] = []
    unknown = sorted(set(lexicon.VARIABLES) - set(variables.table()))
    if unknown:
        raise ValueError(f"criteria/lexicon.py names variables missing from {variables.TABLE}: {', '.join(unknown)}")
    for name, syns in lexicon.VARIABLES.items():
        ci = [s for s in syns if s not in lexicon.CASE_SENSITIVE or s in lexicon.CASE_FOLDABLE]
        cs = [s for s in syns if s in lexicon.CASE_SENSITIVE and s not in lexicon.CASE_FOLDABLE]
        if ci:
            out.append((name, Gated(r"(?<![\w-])(?:" + "|".join(ci) + r")(?![\w])", re.IGNORECASE)))
        if cs:
            out.append((name, Gated(r"(?<![\w-])(?:" + "|".join(cs) + r")(?![A-Za-z\d])")))
    return out


VARIABLE_RES = _compile_variables()
_VARIABLE_GATES = GateSet([g for _, g in VARIABLE_RES])


@dataclass
class Mention:
    """A variable named in the text (``variable`` is its name in the variable table)."""

    start: int
    end: int
    variable: str


def find_variables(text: str) -> list[Mention]:
    """Variable mentions, longest first where they overlap."""
    raw: list[Mention] = []
    for name, rx in opened(VARIABLE_RES, _VARIABLE_GATES, text):
        for m in rx.finditer(text):
            if m.end() > m.start():
                raw.append(Mention(m.start(), m.end(), name))
    raw.sort(key=lambda x: (x.start, -(x.end - x.start)))
    out: list[Mention] = []
    for mm in raw:
        if out and mm.start < out[-1].end:
            continue
        out.append(mm)
    return out


_MEASURED_BY = re.compile(
    r"\b(?:as\s+)?(?:measured|assessed|determined|calculated|estimated|evaluated)\s+(?:by|using|with|on)\s+[^<>≤≥=\d;]{1,80}$",
    re.IGNORECASE)
_NOTE_CLOSED = re.compile(r"^[^()]{0,60}\)")
_JOIN = re.compile(r"^[\s,]*(?:and/or|and|or|/|&|,)?[\s,]*$", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[;]|\.\s+[A-Z]|\b(?:or|and)\s+(?:if|with|in)\b")


def _strip_parens(gap: str) -> str:
    """``gap`` without short parentheses ("AST (SGOT) and ALT" joins AST and ALT)."""
    return _SHORT_PARENS.sub(" ", gap).replace("(", " ").replace(")", " ")


def bind(text: str, comp: Comparison, mentions: list[Mention], floor: int) -> list[Mention]:
    """Variables a comparison measures: nearest mention on its left, plus joined list."""
    text, mentions = _without_asides(text, mentions, floor, comp.start)
    before = [m for m in mentions if m.end <= comp.start and m.start >= floor]
    if not before:
        return []
    last = before[-1]
    gap = _SPACES.sub(" ", text[last.end : comp.start])
    # Too far, or across a clause boundary: the comparison is not about this mention.
    # A mention inside parentheses that close before the comparison: what follows it up
    # to the ")" is a note ("Urine Protein to Creatinine Ratio (UPC; appropriate appendix)
    # <1", NCT01418001: the note's ";" is no clause break).
    gap = _NOTE_CLOSED.sub(" ", gap, count=1)
    # How the value is measured, between the name and the value: "ejection fraction measured
    # by echocardiogram ( echo ) or multi gated acquisition scan ( muga ) ≥ @NUMBER %"
    # (Clinical-Trial-Parser test split), "LVEF as assessed by ECHO or MUGA ≥ 50%".
    gap = _MEASURED_BY.sub(" ", _strip_parens(gap))
    if len(gap) > 70 or _CLAUSE_BREAK.search(gap):
        return []
    if DIGIT.search(_strip_parens(gap)):
        return []
    chosen = [last]
    for prev in reversed(before[:-1]):
        between = _strip_parens(text[prev.end : chosen[-1].start])
        if _JOIN.match(between):
            chosen.append(prev)
        else:
            break
    chosen.reverse()
    if len(chosen) > 1 and any(m.variable in PRESSURES for m in chosen):
        # "Blood pressure systolic ≥140" (LCT NCT03867344), "blood pressure (systolic 90-140
        # mmHg" (LCT NCT03929367): the named pressure, not both
        chosen = [m for m in chosen if m.variable != "blood_pressure"]
    seen: set[str] = set()
    out = []
    for m in chosen:
        if m.variable not in seen:
            seen.add(m.variable)
            out.append(m)
    return out


_SPACES = re.compile(r"\s+")


def _without_asides(text: str, mentions: list[Mention], floor: int, end: int) -> tuple[str, list[Mention]]:
    """``text`` with the asides that follow a name blanked out, and the mentions outside
    them: a name's abbreviation or synonym in parentheses or brackets is no list member of
    its own. "aspartate aminotransferase ( ast ) ( serum glutamic oxaloacetic transaminase
    [ sgot ] ) / alanine aminotransferase ( alt ) ( serum glutamate pyruvate transaminase
    [ sgpt ] ) ≤ @NUMBER x uln" (Clinical-Trial-Parser test split, several trials) names AST
    and ALT. An aside after no name stays: "Liver enzymes (AST, ALT) ≤ 3 x ULN"."""
    if "(" not in text[floor:end] and "[" not in text[floor:end]:
        return text, mentions
    asides: list[tuple[int, int]] = []
    for a, b in _groups(text, floor, end):
        after_name = any(m.end <= a and not text[m.end : a].strip() for m in mentions)
        if after_name or (asides and not text[asides[-1][1] : a].strip()):
            asides.append((a, b))
    if not asides:
        return text, mentions
    chars = list(text)
    for a, b in asides:
        chars[a:b] = " " * (b - a)
    kept = [m for m in mentions if not any(a <= m.start and m.end <= b for a, b in asides)]
    return "".join(chars), kept


def _groups(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Top-level balanced (...) and [...] groups in ``text[start:end]``, as (start, end)."""
    out: list[tuple[int, int]] = []
    stack: list[int] = []
    for i in range(start, end):
        ch = text[i]
        if ch in "([":
            stack.append(i)
        elif ch in ")]" and stack:
            a = stack.pop()
            if not stack:
                out.append((a, i + 1))
    return out


PRESSURES = {"blood_pressure_systolic", "blood_pressure_diastolic"}
CONDITION_RES = [(name, Gated(p, re.IGNORECASE)) for name, p in lexicon.CONDITIONS]
CONDITION_GATES = GateSet([g for _, g in CONDITION_RES])


def condition(window: str) -> str | None:
    """The condition a threshold applies under, named in ``window`` ("with liver metastases")."""
    for name, rx in opened(CONDITION_RES, CONDITION_GATES, window):
        if rx.search(window):
            return name
    return None


def condition_spans(text: str, numeric: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Where the conditions of thresholds are written ("ALT <= 5 x ULN with liver
    metastases"): a condition of a lab limit is not a disease state of the trial."""
    names = {c.get("applies_if") for c in numeric if c.get("applies_if")}
    if not names:
        return []
    return [(m.start(), m.end()) for name, rx in CONDITION_RES if name in names for m in rx.finditer(text)]
