"""Performance status: ECOG / WHO / Zubrod 0-5, Karnofsky and Lansky 0-100.

"ECOG 0-1", "ECOG performance status ≤ 2", "Karnofsky ≥ 70%", "WHO PS 0, 1 or 2",
"Lansky score of 50 or more"; each constraint lists the scores it allows. An exception
for amputees ("ECOG 0-1 (amputees 0-2)") is a constraint conditioned on ``amputee``.
"""

from __future__ import annotations

import re
from typing import Any

from trialkg.criteria.rules.comparisons import DIGIT, OP_ALT, op_symbol
from trialkg.criteria.rules.reading import Reading
from trialkg.criteria.rules.text import clause_end, clause_start
from trialkg.textgate import Gated

_LESS_WORD = re.compile(r"less|lower|below")
_MORE_WORD = re.compile(r"more|greater|higher|above")
_AMPUT = Gated(r"amput\w*", re.IGNORECASE)
_WHO_PS = re.compile(r"\s*(?:performance|PS|score)", re.I)
_PS_REST = re.compile(r"(?:PS|ECOG|score|status|to|of|:)?\s*(?P<rest>.*)", re.IGNORECASE)
_PS_DIGITS = re.compile(r"(?<![\d.])\d(?:\s*(?:-|–|~|to)\s*\d)?(?![\d.])")
PS = Gated(
    r"(?P<scale>\bECOG\b|Eastern Cooperative Oncology Group|\bZubrod\b|\bWHO\b|Karnofsky|\bKPS\b|Lansky|\bLPS\b|performance status|performance score|\bPS\b)",
    re.IGNORECASE,
)
_PS_VALUE = re.compile(
    rf"(?:[\s:=(),\-]|\b(?:score|scores|status|scale|of|is|grade|grades|ps|performance|physical|must|be|between|level|index|\(?ecog\)?|\(?kps\)?|\(?who\)?))*?"
    rf"(?:(?P<op>{OP_ALT})\s*(?P<opv>\d{{1,3}})"
    rf"|(?P<a>\d{{1,3}})\s*(?:-|–|~|to|and)\s*(?P<b>\d{{1,3}})(?!\s*(?:,|or)\s*\d)"
    rf"|(?P<set>\d(?:\s*,\s*\d)*\s*(?:,?\s*(?:or|and)\s*)\d)"
    rf"|(?P<single>\d{{1,3}})(?P<suffix>\s*(?:points?\s*)?(?:or|and)\s*(?:less|lower|below|more|greater|higher|above))?)",
    re.IGNORECASE,
)


def claim(r: Reading) -> None:
    """Performance status is read before the comparisons: "ECOG 0-1" is no range of a lab."""
    constraints, spans = ps_constraints(r.text)
    r.claims["performance"] = constraints
    r.claimed += spans


def read(r: Reading) -> list[dict[str, Any]]:
    """The performance-status constraints the claim read."""
    return r.claims.get("performance", [])


def _ps_scale(word: str, value: float) -> str:
    """The scale a score is on: named, else Karnofsky above 5 and ECOG up to 5."""
    w = word.lower()
    if w in ("karnofsky", "kps"):
        return "karnofsky"
    if w in ("lansky", "lps"):
        return "lansky"
    if value > 5:
        return "karnofsky"
    return "ecog"


def _ps_constraint(scale: str, m: re.Match[str], span: str, applies_if: str | None,
                   floor: int | None = None) -> dict[str, Any] | None:
    """The constraint of a score match (``_PS_VALUE``) with the scores it allows."""
    maxv = 5 if scale == "ecog" else 100
    step = 1 if scale == "ecog" else 10
    comparator, value, value2 = "=", None, None
    allowed: list[int] | None = None
    if m.group("op"):
        comparator = op_symbol(m.group("op"))
        value = int(m.group("opv"))
        lo, hi = 0, maxv
        if comparator == "<=":
            hi = value
        elif comparator == "<":
            hi = value - step
        elif comparator == ">=":
            lo = value
        elif comparator == ">":
            lo = value + step
        else:
            lo = hi = value
        allowed = _scores(lo, hi, step)
    elif m.group("a") is not None:
        a, b = int(m.group("a")), int(m.group("b"))
        if b < a:
            return None
        comparator, value, value2 = "between", a, b
        allowed = _scores(a, b, step)
    elif m.group("set"):
        nums = sorted({int(x) for x in DIGIT.findall(m.group("set"))})
        allowed = nums
        if nums == list(range(nums[0], nums[-1] + 1)):
            comparator, value, value2 = "between", nums[0], nums[-1]
        else:
            comparator, value = "=", nums[0]
    else:
        value = int(m.group("single"))
        suffix = (m.group("suffix") or "").lower()
        if _LESS_WORD.search(suffix):
            comparator = "<="
        elif _MORE_WORD.search(suffix):
            comparator = ">="
        elif floor is not None:
            # "can be relaxed to 2": the main range widened up to this value.
            comparator, value, value2 = "between", floor, value
        lo, hi = {"<=": (0, value), ">=": (value, maxv), "between": (floor or 0, value2 or value)}.get(
            comparator, (value, value))
        allowed = _scores(lo, hi, step)
    if value is None or value > maxv:
        return None
    d: dict[str, Any] = {
        "type": "performance_status", "variable": scale, "comparator": comparator,
        "value": value, "value2": value2, "unit": None, "applies_if": applies_if, "span": span.strip(),
    }
    d["allowed_values"] = allowed
    return d


def _scores(lo: int, hi: int, step: int) -> list[int]:
    """The scores a scale allows in [lo, hi]: ECOG 0-5 by 1, Karnofsky/Lansky 0-100 by 10."""
    first = -(-lo // step) * step
    return list(range(first, hi + 1, step))


def ps_constraints(text: str) -> tuple[list[dict[str, Any]], list[tuple[int, int]]]:
    """Performance status with exceptions ("amputees 0-2") as conditioned constraints."""
    out: list[dict[str, Any]] = []
    spans: list[tuple[int, int]] = []
    # Segments about amputees: the enclosing parenthesis, else the clause.
    exceptions: list[tuple[int, int]] = []
    for am in _AMPUT.finditer(text):
        o = text.rfind("(", 0, am.start())
        c = text.find(")", am.end())
        if o >= 0 and (text.rfind(")", 0, am.start()) < o) and c >= 0:
            exceptions.append((o, c + 1))
        else:
            exceptions.append((clause_start(text, am.start()), clause_end(text, am.end())))
    main: dict[str, Any] | None = None
    for m in PS.finditer(text):
        if any(a <= m.start() < b for a, b in exceptions):
            continue
        if m.group("scale").upper() == "WHO" and not _WHO_PS.match(text, m.end()):
            continue
        v = _PS_VALUE.match(text, m.end())
        if not v or v.end() - m.end() > 60:
            continue
        first = v.group("opv") or v.group("a") or (v.group("set") or "")[:1] or v.group("single")
        scale = _ps_scale(m.group("scale"), float(first or 0))
        c = _ps_constraint(scale, v, text[m.start() : v.end()], None)
        if c:
            out.append(c)
            spans.append((m.start(), v.end()))
            main = main or c
            break
    for a, b in exceptions:
        seg = text[a:b]
        if main is None and not PS.search(seg):
            # "At least 3 months post-amputation per physician discretion" (LCT
            # NCT03927404): an amputation with no performance score is no exception to one
            continue
        n = _PS_REST.search(seg)
        best = None
        for k in _PS_DIGITS.finditer(seg):
            vm = _PS_VALUE.match(seg, k.start())
            if vm:
                best = vm
                break
        if best is None or n is None:
            continue
        scale = main["variable"] if main else "ecog"
        floor = main["value"] if main and main.get("value") is not None else 0
        c = _ps_constraint(scale, best, seg.strip("() "), "amputee", floor=floor)
        if c:
            out.append(c)
            spans.append((a, b))
    return out, spans
