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
    rf"(?:[\s:=(),\-]|\b(?:score|scores|status|scale|of|is|grade|grades|ps|performance|physical|play|must|be|between|level|index|\(?ecog\)?|\(?kps\)?|\(?who\)?))*?"
    rf"(?:(?P<op>{OP_ALT}|[<>]\s*or\s*=)(?:\s*to)?(?:\s*\(\s*[<>=≤≥/]{{1,3}}\s*\))?\s*(?P<opv>\d{{1,3}})"
    rf"|(?P<a>\d{{1,3}})\s*(?:-|–|~|to|and)\s*(?P<b>\d{{1,3}})(?!\s*(?:,|or)\s*\d)"
    rf"|(?P<set>\d(?:\s*,\s*\d)*\s*(?:,?\s*(?:or|and)\s*)\d)"
    rf"|(?P<single>\d{{1,3}})(?P<suffix>\s*(?:points?\s*)?(?:or|and)\s*(?:less|lower|below|more|greater|higher|above))?)",
    re.IGNORECASE,
)


# Two 0-100 scales joined before one bound share it: "kps or lansky score > or = to 70",
# "lansky or karnofsky performance status score must be > 50 %" (Clinical-Trial-Parser test
# split): one constraint per scale, alternatives of each other.
_JOINED_SCALE = re.compile(r"\s*(?:performance\s+(?:status\s+)?)?(?:or|/|and/or)\s*(?=(?:Karnofsky|KPS|Lansky|LPS)\b)",
                           re.IGNORECASE)


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


# Scales by age, as children's oncology trials write them: "Karnofsky >= 50 for
# patients > 16 years of age; Lansky >= 50 for patients <= 16 years of age" (COG, NCT01130623
# "Karnofsky greater than or equal to 50% for patients 16 years of age; Lansky greater
# than or equal to 50 for patients less than or equal to 16 years of age"); "Use
# Karnofsky for participants >=16 years of age and Lansky for participants less than
# (<)16 years of age" (NCT04154189). Each scale gets its age as a condition
# (``applies_if`` with the fact ``age>=16``), decided by the patient's age.
_AGE_OP = (r"(?P<op>(?:greater|more|older)\s+than\s+or\s+equal\s+to|(?:less|younger)\s+than\s+or\s+equal\s+to|>=|≥|=>|<=|≤|=<"
           r"|>|<|(?:greater|more|older)\s+than|(?:less|younger)\s+than|over|under|above|below|at\s+least)?")
_AGE = (r"(?:aged?\s+)?" + _AGE_OP + r"\s*(?:\(\s*[<>≤≥]=?\s*\)\s*)?(?P<n>\d{1,2})\s*(?:years?|yrs?|y)\b(?:\s+(?:of\s+age|old))?"
        r"(?:\s+(?P<post>and\s+(?:older|over|above)|or\s+(?:older|more)|and\s+(?:younger|under)|or\s+(?:younger|less)))?")
_WHO_AGED = r"(?:patients?|participants?|subjects?|children|those|individuals)"
_AGE_FOR = re.compile(r"[\s%,]*(?:\(\s*)?(?:for|in)\s+" + _WHO_AGED + r"\s+" + _AGE, re.IGNORECASE)
_USE_FOR = re.compile(r"\b(?:use|and)\s+(?:the\s+)?(?P<scale>Karnofsky|KPS|Lansky|LPS|ECOG)\b[^.;]{0,30}?\bfor\s+" + _WHO_AGED + r"\s+" + _AGE,
                      re.IGNORECASE)
_WORD_OPS = {"greater than or equal to": ">=", "more than or equal to": ">=", "older than or equal to": ">=",
             "less than or equal to": "<=", "younger than or equal to": "<=", "greater than": ">", "more than": ">",
             "older than": ">", "over": ">", "above": ">", "less than": "<", "younger than": "<", "under": "<",
             "below": "<", "at least": ">=", "≥": ">=", "=>": ">=", "≤": "<=", "=<": "<="}


def _age_fact(m: re.Match[str]) -> str | None:
    """``age>=16`` for an age phrase, or None when it gives no comparator ("for patients
    16 years of age": the registry lost it)."""
    op = re.sub(r"\s+", " ", (m.group("op") or "").lower())
    post = (m.group("post") or "").lower()
    if not op and post:
        op = ">=" if re.search(r"older|over|above|more", post) else "<="
    op = _WORD_OPS.get(op, op)
    return f"age{op}{int(m.group('n'))}" if op in (">=", "<=", ">", "<") else None


def _set_age(c: dict[str, Any], m: re.Match[str], text: str) -> None:
    c["applies_if"] = text[m.start() : m.end()].strip(" ,(%")
    fact = _age_fact(m)
    if fact:
        c["applies_if_facts"] = [fact]


def _age_condition(text: str, end: int, c: dict[str, Any]) -> None:
    m = _AGE_FOR.match(text, end)
    if m:
        _set_age(c, m, text)


def _use_for(text: str, out: list[dict[str, Any]]) -> None:
    """"Use Karnofsky for participants >=16 years of age and Lansky for ...": each scale's age."""
    if not re.search(r"\buse\s+(?:the\s+)?(?:Karnofsky|KPS|Lansky|LPS|ECOG)\b", text, re.IGNORECASE):
        return
    for m in _USE_FOR.finditer(text):
        scale = _ps_scale(m.group("scale"), 0)
        for c in out:
            if c["variable"] == scale and not c.get("applies_if"):
                _set_age(c, m, text)
                c["applies_if"] = re.sub(r"^.*?\bfor\s+", "", c["applies_if"], flags=re.IGNORECASE | re.DOTALL)


# An age naming the population of a sentence inside an item: "... Participants >18 years
# of age should have BP less than or equal to (<=) 150/90 millimeters of Mercury at
# screening" (NCT04154189, after the children's "BP <95th percentile"); "Patients
# under 18 years must have ...". The age is the condition of what the sentence asks.
_AGE_POPULATION = Gated(
    r"(?:^|(?<=[.;:])\s+)\W*(?:for\s+)?" + _WHO_AGED + r"\s+" + _AGE
    + r"\s*,?\s*(?:(?:should|must|shall|will|need\s+to|needs\s+to|are\s+required\s+to|have\s+to)\b|:)", re.IGNORECASE)
_SENTENCE_STOP = re.compile(r"[;]|\.(?:\s|$)")


def age_populations(text: str, constraints: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``constraints`` with the sentences an age population opens conditioned on that age
    (``applies_if_facts`` age>18), the age itself no constraint of its own."""
    out = list(constraints)
    low = text.lower()
    for m in _AGE_POPULATION.finditer(text):
        fact = _age_fact(m)
        if fact is None:
            continue
        stop = _SENTENCE_STOP.search(text, m.end())
        end = stop.start() if stop else len(text)
        cond = re.sub(r"\s*,?\s*(?:should|must|shall|will|need\s+to|needs\s+to|are\s+required\s+to|have\s+to|:)\s*$", "",
                      text[m.start() : m.end()], flags=re.IGNORECASE).strip(" .;:")
        for c in constraints:
            at = low.find(str(c.get("span") or "").lower(), m.start()) if c.get("span") else -1
            if at < 0 or c.get("role", "subject") != "subject":
                continue
            if at < m.end() and c.get("type") == "age":
                out.remove(c)
            elif m.end() <= at < end and not c.get("applies_if"):
                c["applies_if"], c["applies_if_facts"] = cond, [fact]
    return out


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
    scales: set[str] = set()
    joined: str | None = None
    for m in PS.finditer(text):
        if any(a <= m.start() < b for a, b in exceptions + spans):
            continue
        if m.group("scale").upper() == "WHO" and not _WHO_PS.match(text, m.end()):
            continue
        if _JOINED_SCALE.match(text, m.end()):
            joined = _ps_scale(m.group("scale"), 0)
            continue
        v = _PS_VALUE.match(text, m.end())
        if not v or v.end() - m.end() > 60:
            continue
        first = v.group("opv") or v.group("a") or (v.group("set") or "")[:1] or v.group("single")
        scale = _ps_scale(m.group("scale"), float(first or 0))
        if scale in scales:
            continue  # one constraint per scale; another scale is an alternative or is for other ages
        c = _ps_constraint(scale, v, text[m.start() : v.end()], None)
        if c:
            _age_condition(text, v.end(), c)
            out.append(c)
            spans.append((m.start(), v.end()))
            scales.add(scale)
            main = main or c
            if joined and joined != scale and joined not in scales and "ecog" not in (joined, scale):
                out.append(dict(c, variable=joined))
                scales.add(joined)
        joined = None
    if len(out) > 1:
        _use_for(text, out)
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
