"""The comparison grammar: every threshold an item writes, before it is bound to what it
measures.

A comparison is an operator and a number ("≥ 1.5 x 10^9/L", "at least 18", "> or = 2"),
a range ("18-70 years", "between 1.5 and 2"), a bound stated after its value ("80 or
more", "18+ years"), or an operator and a reference ("TSH ≤ ULN"). ``PASSES`` lists the
forms in the order they claim text: a later form never reads inside an earlier one.
Numbers are read by ``criteria/numbers.py``, units by ``criteria/units.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from trialkg.criteria import numbers, units
from trialkg.textgate import Gated, guarded

NUM = numbers.NUMBER  # decimal commas, thousands separators, number words (criteria/numbers.py)

# Written operator -> comparator. Longest phrases first. "at or above" / "at or below" are
# inclusive ("hemoglobin at or above 11 g/dL", "BMI at or below 35").
_OPS: list[tuple[str, str]] = [
    (r">\s*/\s*=|>\s+=|≥\s*/\s*=|=\s*/\s*>|(?:greater|more|higher|superior|bigger|larger)(?: than)? or equal(?: to)?|equal to or (?:greater|more|higher|above)|greater than or equal to|more than or equal to|higher than or equal to|bigger than or equal to|equal to or (?:greater|more|higher) than|equal or (?:greater|more|higher) than|at least|no less than|not less than|no lower than|not lower than|no fewer than|no younger than|no shorter than|not below|at or above|at or over|minimum(?: of)?|min\.?|≥|>=|=>|≧|⩾|＞=|\u2265", ">="),
    (r"<\s*/\s*=|<\s+=|≤\s*/\s*=|=\s*/\s*<|(?:less|lower|smaller|inferior|fewer)(?: than)? or equal(?: to)?|equal to or (?:less|lower|below)|less than or equal to|lower than or equal to|smaller than or equal to|equal to or (?:less|lower|smaller) than|equal or (?:less|lower) than|no more than|not more than|no greater than|not greater than|no higher than|not higher than|no later than|no older than|no longer than|not exceeding|not to exceed|does not exceed|at or below|at or under|up to|at most|maximum(?: of)?|max\.?|≤|<=|=<|≦|⩽|\u2264", "<="),
    (r"greater than|more than|higher than|bigger than|larger than|older than|longer than|over|above|exceeding|exceeds?|in excess of|>|＞", ">"),
    (r"less than|lower than|fewer than|smaller than|younger than|shorter than|below|under|<|＜", "<"),
    (r"equal to|equals|=", "="),
]
OP_ALT = "|".join(f"(?:{p})" for p, _ in _OPS)
_OP_RES = [(re.compile(p, re.IGNORECASE), sym) for p, sym in _OPS]

# "≥ 1.5", "> or = 1.5", "at least 1.5", "less than or equal to (<=) 1", "of ≥ 18"; the
# operator repeated in spaced brackets: "life expectancy of greater than or equal to ( ≥ ) 12
# weeks", "hba1c of greater than or equal to ( ≥ ) 7 percent" (Clinical-Trial-Parser test split)
# A word operator starts a word: "min" in "Serum albumin of 3.0 g/dL or greater" or
# "albumin 3.5 g/dL" is no minimum, "over" in "turnover" no bound (a symbol may follow a
# letter: "Hb>9").
_WORD_START = r"(?:(?<![A-Za-z])|(?![A-Za-z]))"
_PREFIX = guarded(re.compile(
    rf"(?P<op>{_WORD_START}(?:{OP_ALT})|>\s*or\s*(?:=|equal(?:\s+to)?)|<\s*or\s*(?:=|equal(?:\s+to)?))\s*(?:[(\[]\s?(?:[<>]=?|=|≥|≤)\s?[)\]]\s*)?(?:than\s+)?(?:or equal to\s+)?(?:to\s+)?(?:of\s+)?(?:the\s+)?(?P<agew>age\s+(?:of\s+)?)?"
    rf"(?P<neg>[-−]\s?(?=\d))?(?P<v>{NUM})(?!\d)",
    re.IGNORECASE,
))
# "1.5-2.5 g/dL", "18 to 70 years", "between 18 and 70", "0~1"; a unit on both values:
# "from 45 degrees to 90 degrees" (LCT NCT03861923), "between 18 years and 65 years"; "ages 18
# through 65", "Age 12 through 17 years" (the US registry's inclusive "through")
_RANGE = guarded(re.compile(
    rf"(?P<between>between\s+)?(?<![\d.,/])(?P<v>{NUM})\s*(?P<u1>%|years?|weeks?|months?|days?|°|degrees?)?\s*(?:-|–|—|~|to|and|through|thru)\s*(?P<v2>{NUM})(?!\d|[.,]\d)",
    re.IGNORECASE,
))
# A lower bound and a written upper bound: "aged 18 to < 65 years", "Patients 11 to no
# older than 17 years of age" (LCT NCT03869606), "children aged 6 to less than 18 years",
# "2 to under 12 years of age" (paediatric age bands of the Facebook test split).
_UPPER_WORDS = r"less than|younger than|under|no older than|not older than|no more than"
_TO_BOUND = guarded(re.compile(
    rf"(?<![\d.,/<>≤≥=])(?P<v>{NUM})\s*(?P<u1>years?|months?|weeks?|days?)?\s*(?:to|-|–)\s*"
    rf"(?P<op2><=|<|≤|{_UPPER_WORDS})\s*(?P<v2>{NUM})(?!\d|[.,]\d)",
    re.IGNORECASE,
))
_TO_BOUND_GATE = guarded(re.compile(rf"[<≤]|\b(?:{_UPPER_WORDS})\b", re.IGNORECASE))
# "> 140/90", ">180/110 mmHg": a systolic/diastolic pair after an operator, the slash
# spaced too: "resting bp > 140 / 90 mm hg", "uncontrolled hypertension ( > 160 / 100
# mmhg despite optimal medical therapy )" (tokenised items of the Clinical-Trial-Parser
# test split), as the pair before "or more" (``_SUFFIX``) already reads it
_PAIR = re.compile(r"\s*/\s*(?P<v2>\d{2,3})(?!\d|[.,/]\d)")
# "80 or more", "18 years or older", "10 % or above", "20 or less"; a power of ten in the
# unit: "ANC 1.5 x 10^9/L or more", "1.5×10E+9/L or more", "100 x 109/L or higher"
_POWER_OF_TEN = r"(?:\s*[x×*✕]\s*10(?:\s*(?:\^|\*\*|E\+?)\s*[-−]?\d{1,2}|\d|[⁰¹²³⁴⁵⁶⁷⁸⁹]+))"
_SUFFIX = Gated(
    rf"(?<![\d.,])(?P<v>{NUM})(?P<pair>\s*/\s*\d{{2,3}}(?![\d.,]))?(?P<unit>{_POWER_OF_TEN}?(?:[^,;()\d]|(?<=[A-Za-z/^])\d){{0,25}}?)\s*(?:or|and)\s+(?P<word>more|greater|higher|above|older|over|later|less|lower|below|younger|under|fewer|smaller)\b",
    re.IGNORECASE,
)
# "Age 18+ years" (LCT NCT03863743), "65+ years old": a plus after the value is a minimum.
_PLUS = guarded(re.compile(r"(?<![\w.,])(?P<v>\d{1,3})\s*\+\s*(?=(?:years?|yrs?|y\.?o\.?)(?![a-z]))", re.IGNORECASE))
_SUFFIX_OP = {
    "more": ">=", "greater": ">=", "higher": ">=", "above": ">=", "older": ">=", "over": ">=", "later": ">=",
    "less": "<=", "lower": "<=", "below": "<=", "younger": "<=", "under": "<=", "fewer": "<=", "smaller": "<=",
}

_ULN = re.compile(
    r"\s*(?:[x×*✕]|times|fold)?\s*(?:the\s+)?(?:institutional\s+|upper\s+)?(?:\(\s*)?"
    r"(?P<ref>I?ULN|UNL|upper limits? of (?:the )?normal(?: range)?|(?:institutional )?upper (?:limit of )?normal(?: limit)?|normal upper limits?|upper normal limits?|"
    r"maximum normal values?|ULRR|LLN|lower limits? of (?:the )?normal(?: range)?|normal low(?:er)? limits?|lower normal limits?)",
    re.IGNORECASE,
)
# A multiple of "normal" is a multiple of its upper limit: "Hepatic transaminases < 2.5x
# normal" (NCT01339988), "less than 2x normal" (NCT00402415), "< 3 times normal". Only
# after a multiplier, and never "normal range" / "normal limits" (those name the range).
_TIMES_NORMAL = re.compile(
    r"\s*(?:[x×*✕]|times|fold)\s*(?:the\s+)?(?:institutional\s+)?normal(?:\s+(?:values?|levels?))?"
    r"(?![\s-]*(?:range|limits?|upper|lower|\w))",
    re.IGNORECASE,
)
# A multiple of a bare "upper limit": "AST, ALT > Reference range 3 times upper limit"
# (LCT NCT03923894), "AST or ALT > 3 times upper limit": the multiplier makes it the ULN.
_TIMES_UPPER_LIMIT = re.compile(
    r"\s*(?:[x×*✕]|times|fold)\s*(?:the\s+)?(?:institutional\s+)?upper\s+limits?(?!\s+of\b)(?![a-z])",
    re.IGNORECASE,
)
# "more than twice the upper limit of normal", "thrice ULN"
_MULTIPLE_WORD = re.compile(r"(?P<w>twice|thrice)\s+", re.IGNORECASE)
_REF_ONLY = Gated(
    r"(?:the\s+)?(?:institutional\s+)?(?P<ref>I?ULN|UNL|upper limits? of (?:the )?normal(?: range)?|normal upper limits?|upper normal limits?|LLN|lower limits? of (?:the )?normal(?: range)?|normal low(?:er)? limits?|lower normal limits?)"
    r"(?:\s*\(\s*(?P<v>\d+(?:\.\d+)?)\s*(?P<u>%)?\s*\))?",
    re.IGNORECASE,
)

# A multiple written before its comparative, then the reference: "ALT, AST and total
# bilirubin twice higher than normal" (LCT NCT03863496), "AST / ALT is 5 times higher than
# the upper limit of normal value" (NCT04429646), "AST or ALT is five times higher than the
# upper limit of normal range". The multiplier (times, fold, x, twice, thrice) is required:
# "5 higher than normal" names no multiple. Only upward comparatives: "2 times lower than
# normal" is a fraction, no multiple of a limit.
_MULTIPLE_THEN_COMPARATIVE = Gated(
    rf"(?<![\d.,/])(?:(?P<v>{NUM})\s*(?:[x×]|times|-?fold)|(?P<w>twice|thrice))\s+"
    r"(?P<cmp>higher|greater|more|above|over|elevated)\s+(?:than\s+)?(?:the\s+)?"
    r"(?:institutional\s+)?(?P<ref>I?ULN|UNL|upper limits? of (?:the )?normal|upper normal limits?|"
    r"normal upper limits?|normal|LLN|lower limits? of (?:the )?normal)"
    r"(?:\s+(?:range|values?|levels?|limits?))?(?![a-z])",
    re.IGNORECASE,
)


_SPACES = re.compile(r"\s+")
# "> or =", "> or equal 10% body weight" (NCT00473486), "< or equal to"
_GE_WRITTEN = re.compile(r">\s*or\s*(?:=|equal(?:\s+to)?)")
_LE_WRITTEN = re.compile(r"<\s*or\s*(?:=|equal(?:\s+to)?)")
_OP_THEN = guarded(re.compile(rf"(?P<op>{OP_ALT})\s*(?:the\s+)?", re.IGNORECASE))
_SUFFIX_UNIT_WORDS = re.compile(r"(?:points?|years? of age|of age|years? old|%)?", re.I)
DIGIT = re.compile(r"\d")
_NUMBER_WORD = Gated(r"\b(?:" + "|".join(numbers.WORDS) + r")\b", re.I)


def _has_number(text: str) -> bool:
    """Whether ``text`` has anything ``NUM`` can read: every threshold needs one."""
    return DIGIT.search(text) is not None or _NUMBER_WORD.search(text) is not None


def number(text: str) -> float | None:
    """A number as registries write it (criteria/numbers.py), or None."""
    return numbers.read_number(text)


def clean_num(x: float | None) -> float | int | None:
    """A value for the criterion JSON: whole numbers as ``int``."""
    if x is None:
        return None
    return int(x) if float(x).is_integer() else x


@lru_cache(maxsize=1024)
def op_symbol(written: str) -> str:
    """The comparator (``>=``, ``<=``, ``>``, ``<``, ``=``) of a written operator (cached:
    items write the same few operators)."""
    w = _SPACES.sub(" ", written.strip().lower())
    if _GE_WRITTEN.fullmatch(w):
        return ">="
    if _LE_WRITTEN.fullmatch(w):
        return "<="
    for rx, sym in _OP_RES:
        if rx.fullmatch(w):
            return sym
    return "="


@dataclass
class Comparison:
    """A threshold found in the text, before it is bound to a variable."""

    start: int
    end: int
    comparator: str
    value: float
    value2: float | None = None
    unit: str | None = None
    relative_to: str | None = None
    written: str | None = None  # the first number as written ("1.500")
    pair: float | None = None  # the second of a pair "140/90" (blood pressure)


def _reference_after(text: str, pos: int) -> tuple[str, int] | None:
    """(relative reference, end) just after a number: "x ULN", "times normal"."""
    m = _ULN.match(text, pos)
    if m and m.start() == pos:
        ref = m.group("ref").lower()
        return ("LLN" if ("lln" in ref or "low" in ref) else "ULN"), m.end()
    m = _TIMES_NORMAL.match(text, pos) or _TIMES_UPPER_LIMIT.match(text, pos)
    if m:
        return "ULN", m.end()
    return None


def _unit_after(text: str, pos: int) -> tuple[str | None, str | None, int]:
    """(ucum unit, relative reference, end) just after a number."""
    got_ref = _reference_after(text, pos)
    if got_ref:
        return None, got_ref[0], got_ref[1]
    got = units.match_unit(text, pos)
    if got:
        code, end = got
        # A bare unit followed by "x ULN" ("1.5 mg/dL or 1.5 x ULN") stays the unit.
        return code, None, end
    return None, None, pos


class _Found:
    """The comparisons read so far and the text they claim (no two overlap)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.has_number = _has_number(text)
        self.items: list[Comparison] = []
        self.taken: list[tuple[int, int]] = []

    def free(self, a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in self.taken)

    def add(self, a: int, b: int, *comps: Comparison) -> None:
        self.items.extend(comps)
        self.taken.append((a, b))


def _to_bounds(found: _Found) -> None:
    """"aged 18 to < 65 years", "1 year to < 18 years", "6 to <12 years" (Facebook Clinical-
    Trial-Parser test lines), "11 to no older than 17 years": a lower bound and an upper
    bound, as written (``_TO_BOUND``)."""
    text = found.text
    if not (found.has_number and _TO_BOUND_GATE.search(text)):
        return
    for m in _TO_BOUND.finditer(text):
        v, v2 = number(m.group("v")), number(m.group("v2"))
        unit, ref, end = _unit_after(text, m.end())
        if v is None or v2 is None or v2 <= v or not found.free(m.start(), end):
            continue
        unit = unit or units.ucum_code(m.group("u1") or "")
        found.add(m.start(), end,
                  Comparison(m.start(), m.start("op2"), ">=", v, None, unit, ref, m.group("v")),
                  Comparison(m.start("op2"), end, op_symbol(m.group("op2")), v2, None, unit, ref, m.group("v2")))


def _prefixed(found: _Found) -> None:
    """An operator before its value: "≥ 1.5 x 10^9/L", "at least 18", "> 140/90 mmHg"."""
    text = found.text
    for m in _PREFIX.finditer(text) if found.has_number else ():
        v = number(m.group("v"))
        if v is None:
            continue
        if m.group("neg"):
            # "Maximum inspiratory pressure (MIP) < -20 cm H20" (LCT NCT03929328), a DEXA
            # T-score "≤ -2.5" (Facebook test split): a negative threshold after an operator
            v = -v
        if op_symbol(m.group("op")) == "=" and _RANGE_NEXT.match(text, m.end()):
            continue  # "BMI = 18.5 - 30 kg/m²": a range, read by _ranges
        # "≥ 1.5 - 2" is a range after an operator: keep the operator, first value.
        pair = _PAIR.match(text, m.end())
        unit, ref, end = _unit_after(text, pair.end() if pair else m.end())
        if not found.free(m.start(), end):
            continue
        if m.group("agew") and unit is None:
            unit = "a"
        found.add(m.start(), end, Comparison(m.start(), end, op_symbol(m.group("op")), v, None, unit, ref,
                                             m.group("v"), float(pair.group("v2")) if pair else None))


_RANGE_NEXT = re.compile(rf"\s*(?:-|–|to)\s*(?:{NUM})")
# A value without its own operator joined to a bound with one, in the same unit: "blood
# pressure [BP] greater than 150 mmHg systolic and 100 mmHg diastolic" (the Clinical-Trial-
# Parser test split), "> 150 mm Hg systolic, or > 90 mm Hg diastolic" has its own.
_CONTINUED = re.compile(rf"(?:\s+[A-Za-z]+)?\s*,?\s*(?P<join>and|or)?\s+(?P<v>{NUM})(?!\d)", re.IGNORECASE)


# The alternative in another unit, in parentheses without its operator: "fasting plasma
# glucose ≤ @NUMBER mg / dl ( or @NUMBER mmol / l )" (Clinical-Trial-Parser test split).
_OR_IN_PARENS = re.compile(rf"\s*\(\s*or\s+(?P<v>{NUM})(?!\d)", re.IGNORECASE)
# "partial thromboplastin time ( ptt ) within 1.5x upper limit of normal" (the test split),
# "bilirubin within 1.5 times the upper limit of normal": at most that multiple.
_WITHIN_MULTIPLE = guarded(re.compile(rf"\bwithin\s+(?P<v>{NUM})(?!\d)", re.IGNORECASE))


def _within_reference(found: _Found) -> None:
    """"within 1.5x upper limit of normal": an upper bound on the multiple of the reference."""
    text = found.text
    for m in _WITHIN_MULTIPLE.finditer(text) if "within" in text.lower() else ():
        v = number(m.group("v"))
        got = _reference_after(text, m.end())  # (a unit instead: "within 4 weeks", no multiple)
        if v is None or got is None or not found.free(m.start(), got[1]):
            continue
        ref, end = got
        found.add(m.start(), end, Comparison(m.start(), end, "<=", v, None, None, ref, m.group("v")))


def _continued(found: _Found) -> None:
    """The second value of "greater than 150 mmHg systolic and 100 mmHg diastolic": the
    first bound's comparator and unit (not a time: "≥ 18 years and 5 years since ...")."""
    text = found.text
    for prev in sorted(found.items, key=lambda c: c.start):
        if (prev.unit is None and prev.relative_to is None) or prev.unit in ("a", "mo", "wk", "d", "h") \
                or prev.comparator == "between":
            continue
        alt = _OR_IN_PARENS.match(text, prev.end)
        m = alt or _CONTINUED.match(text, prev.end)
        v = number(m.group("v")) if m else None
        if m is None or v is None:
            continue
        unit, ref, end = _unit_after(text, m.end())
        if alt and unit is not None and unit not in ("a", "mo", "wk", "d", "h") and found.free(m.start("v"), end):
            found.add(m.start("v"), end, Comparison(m.start("v"), end, prev.comparator, v, None, unit, None, m.group("v")))
            continue
        same_unit = unit == prev.unit and ref is None and m.group("join")
        # a multiple of a reference needs no joiner: "≤ 2.5 x ULN, 5 x ULN for liver
        # metastases"; "≤ @NUMBER x uln @NUMBER x uln" (the test split drops the parentheses)
        same_ref = ref is not None and ref == prev.relative_to and unit is None
        if not (same_unit or same_ref) or not found.free(m.start("v"), end):
            continue
        found.add(m.start("v"), end, Comparison(m.start("v"), end, prev.comparator, v, None, unit, ref, m.group("v")))


def _reference_bounds(found: _Found) -> None:
    """An operator followed directly by a reference: "TSH ≤ ULN", "LVEF ≥ LLN (50%)"."""
    text = found.text
    for m in _OP_THEN.finditer(text) if _REF_ONLY.can_match(text) else ():
        times = _MULTIPLE_WORD.match(text, m.end())
        r = _REF_ONLY.match(text, times.end() if times else m.end())
        if not r or not found.free(m.start(), r.end()):
            continue
        if times:
            c = Comparison(m.start(), r.end(), op_symbol(m.group("op")),
                           2.0 if times.group("w").lower() == "twice" else 3.0, None, None, "ULN")
            found.add(m.start(), r.end(), c)
            continue
        ref = r.group("ref").lower()
        reftag = "LLN" if ("lln" in ref or "low" in ref) else "ULN"
        if r.group("v"):
            c = Comparison(m.start(), r.end(), op_symbol(m.group("op")), float(r.group("v")), None,
                           "%" if r.group("u") else None, None)
        else:
            c = Comparison(m.start(), r.end(), op_symbol(m.group("op")), 1.0, None, None, reftag)
        found.add(m.start(), r.end(), c)


def _suffixed(found: _Found) -> None:
    """A bound written after its value: "80 or more", "18 years or older", "20 or less"."""
    text = found.text
    for m in _SUFFIX.finditer(text) if found.has_number else ():
        v = number(m.group("v"))
        if v is None or not found.free(m.start(), m.end()):
            continue
        unit_text = m.group("unit").strip()
        unit = None
        if unit_text:
            got = units.match_unit(unit_text, 0)
            unit = got[0] if got else None
            if got is None and not _SUFFIX_UNIT_WORDS.fullmatch(unit_text):
                continue
        # "Blood pressure 160/100 mmHg or higher": a systolic/diastolic pair before the bound
        pair = float(m.group("pair").strip(" /")) if m.group("pair") else None
        found.add(m.start(), m.end(), Comparison(m.start(), m.end(), _SUFFIX_OP[m.group("word").lower()], v, None,
                                                 unit, None, m.group("v"), pair))


def _plus(found: _Found) -> None:
    """"Age 18+ years" (LCT NCT03863743), "65+ years old": a minimum."""
    text = found.text
    for m in _PLUS.finditer(text) if found.has_number and "+" in text else ():
        got = units.match_unit(text, m.end())
        if got is None or not found.free(m.start(), got[1]):
            continue
        found.add(m.start(), got[1], Comparison(m.start(), got[1], ">=", float(m.group("v")), None, got[0], None,
                                                m.group("v")))


def _ranges(found: _Found) -> None:
    """"1.5-2.5 g/dL", "18 to 70 years", "between 18 and 70", "0~1"."""
    text = found.text
    for m in _RANGE.finditer(text) if found.has_number else ():
        v, v2 = number(m.group("v")), number(m.group("v2"))
        if v is None or v2 is None or v2 <= v:
            continue
        if 1900 <= v <= 2100 and 1900 <= v2 <= 2100:
            continue  # a range of calendar years, not a threshold
        unit, ref, end = _unit_after(text, m.end())
        if m.group("u1") and not unit:
            unit = units.ucum_code(m.group("u1"))
        if not found.free(m.start(), end):
            continue
        found.add(m.start(), end, Comparison(m.start(), end, "between", v, v2, unit, ref, m.group("v")))


# Completed weeks and days of a gestation, as neonatal and obstetric trials write them:
# "born at 24 0/7 to 31 6/7 weeks", "between 23 0/7 and 28 6/7 weeks' gestation", "< 32 0/7
# weeks", "≤ 32+6 weeks" (European notation). The value is in weeks (days / 7).
_WEEK_DAYS = r"(?P<{w}>\d{{1,2}})(?:\s+(?P<{d}>[0-6])\s*/\s*7|\s*\+\s*(?P<{p}>[0-6])(?!\d))"
_GESTATION_RANGE = Gated(
    r"(?:between\s+)?" + _WEEK_DAYS.format(w="w1", d="d1", p="p1") + r"\s*(?:weeks?\s*)?(?:-|–|to|and)\s*"
    + _WEEK_DAYS.format(w="w2", d="d2", p="p2") + r"(?=\s*(?:weeks?|wks?)\b)",
    re.IGNORECASE,
)
_GESTATION_BOUND = Gated(
    rf"(?P<op>{OP_ALT})\s*" + _WEEK_DAYS.format(w="w1", d="d1", p="p1") + r"(?=\s*(?:weeks?|wks?)\b)",
    re.IGNORECASE,
)


def _weeks(m: re.Match[str], n: str) -> float:
    days = m.group(f"d{n}") or m.group(f"p{n}") or "0"
    return round(int(m.group(f"w{n}")) + int(days) / 7, 3)


def _gestation_weeks(found: _Found) -> None:
    """Weeks and days of a gestation ("24 0/7 to 31 6/7 weeks", "< 32+0 weeks"), in weeks."""
    text = found.text
    if not (found.has_number and ("/7" in text.replace(" ", "") or "+" in text)):
        return
    for rx, two in ((_GESTATION_RANGE, True), (_GESTATION_BOUND, False)):
        for m in rx.finditer(text):
            got = units.match_unit(text, m.end())
            if got is None or got[0] != "wk" or not found.free(m.start(), got[1]):
                continue
            v = _weeks(m, "1")
            c = (Comparison(m.start(), got[1], "between", v, _weeks(m, "2"), "wk", None, m.group("w1")) if two else
                 Comparison(m.start(), got[1], op_symbol(m.group("op")), v, None, "wk", None, m.group("w1")))
            found.add(m.start(), got[1], c)


# A value before its operator and the variable: "18 ≤ age ≤ 75 years old", "18.5 ≤ BMI <
# 24 kg/m2" (chained inequalities of Chinese and Korean registry texts): the bound of the
# variable named after it, with the comparator turned round.
_REVERSED = Gated(rf"(?<![\d.,/])(?P<v>{NUM})\s*(?P<op><=|≤|<|>=|≥|>)\s*(?=(?:the\s+)?[A-Za-z])", re.IGNORECASE)
_TURNED = {"<=": ">=", "<": ">", ">=": "<=", ">": "<"}


def _reversed(found: _Found) -> None:
    """"18 ≤ age ≤ 75": a value, its operator, then the variable (``_REVERSED``)."""
    text = found.text
    # (its operator is a sign: a text without one has no such bound; none of these signs
    # has another case)
    signed = "<" in text or ">" in text or "≤" in text or "≥" in text
    for m in _REVERSED.finditer(text) if found.has_number and signed else ():
        v = number(m.group("v"))
        if v is None or not found.free(m.start(), m.end()):
            continue
        found.add(m.start(), m.end(), Comparison(m.start(), m.end(), _TURNED[op_symbol(m.group("op"))], v, None,
                                                 None, None, m.group("v")))


def _multiple_then_comparative(found: _Found) -> None:
    """"twice higher than normal", "5 times higher than the upper limit of normal value": a
    multiple of a reference with its comparative after it (``_MULTIPLE_THEN_COMPARATIVE``)."""
    text = found.text
    for m in _MULTIPLE_THEN_COMPARATIVE.finditer(text) if _MULTIPLE_THEN_COMPARATIVE.can_match(text) else ():
        w = m.group("w")
        v = (2.0 if w.lower() == "twice" else 3.0) if w else number(m.group("v"))
        if v is None or not found.free(m.start(), m.end()):
            continue
        ref = m.group("ref").lower()
        reftag = "LLN" if ("lln" in ref or "lower" in ref) else "ULN"
        found.add(m.start(), m.end(), Comparison(m.start(), m.end(), ">", v, None, None,
                                                 reftag, m.group("v") or w))


# The forms of a comparison, in the order they claim text.
PASSES: tuple[Callable[[_Found], None], ...] = (
    _gestation_weeks, _multiple_then_comparative, _to_bounds, _prefixed, _continued, _within_reference, _reference_bounds, _suffixed, _plus, _ranges,
    _reversed)


def find_comparisons(text: str) -> list[Comparison]:
    """Every threshold in ``text``, left to right, without overlaps."""
    found = _Found(text)
    for read in PASSES:
        read(found)
    comps = sorted(found.items, key=lambda c: c.start)
    _share_units(text, comps)
    return comps


def _share_units(text: str, found: list[Comparison]) -> None:
    """A bound written without its unit takes the unit of the bound joined to it:
    "≥ 9 and ≤ 18 g/dL", "BMI <20 or >35 kg/m2" (LCT NCT03861377), "serum creatinine
    ≥1.5 and ≥1.4 mg/dL in males and females" (LCT NCT03863405), "HDL <50 in females,
    <40 mg/dL in males"."""
    for a, b in zip(found, found[1:], strict=False):
        if a.unit is None and a.relative_to is None and b.unit is not None and b.comparator != "between" \
                and a.comparator != "between" and _JOINED_BOUNDS.fullmatch(text, a.end, b.start):
            a.unit = b.unit


_JOINED_BOUNDS = re.compile(
    r"\s*(?:(?:in|for)\s+(?:females?|males?|women|men|boys|girls)\s*)?(?:and|or|to|,)\s*", re.IGNORECASE)


