"""Turn one eligibility item into typed constraints (the criterion JSON, docs/criteria.md).

The rules work in two passes over an item: first find every comparison ("≥ 1.5 x
10^9/L", "18-70 years", "2.5 times the upper limit of normal", "80 or more"), then bind
each one to what it measures by looking left for the nearest variable mention in the
same clause (lists such as "AST and ALT" give one constraint per analyte, a clause
without its own analyte inherits the previous one: "men > 450 ms, women > 470 ms").
Performance status, prior therapy, disease state and the other types have their own
small rules. Text no rule understands gives one ``unparsed`` constraint: counted,
never dropped, never guessed.

All regexes are linear (no nested unbounded quantifiers) so long inputs stay fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from trialkg.criteria import lexicon, logic, numbers, units, variables
from trialkg.knowledge.mentions import (
    find_class_mentions,
    find_cued_drug_mentions,
    find_drug_mentions,
)
from trialkg.records import CriterionItem
from trialkg.textgate import Gated, GateSet

# ---------------------------------------------------------------- numbers and operators

_WORD_NUMBERS = numbers.WORDS
_NUM = numbers.NUMBER  # decimal commas, thousands separators, number words (criteria/numbers.py)

# Written operator -> comparator. Longest phrases first.
_OPS: list[tuple[str, str]] = [
    (r">\s*/\s*=|>\s+=|≥\s*/\s*=|=\s*/\s*>|(?:greater|more|higher|superior|bigger|larger)(?: than)? or equal(?: to)?|equal to or (?:greater|more|higher|above)|greater than or equal to|more than or equal to|higher than or equal to|bigger than or equal to|equal to or (?:greater|more|higher) than|equal or (?:greater|more|higher) than|at least|no less than|not less than|no lower than|not lower than|no fewer than|no younger than|no shorter than|not below|minimum(?: of)?|min\.?|≥|>=|=>|≧|⩾|＞=|\u2265", ">="),
    (r"<\s*/\s*=|<\s+=|≤\s*/\s*=|=\s*/\s*<|(?:less|lower|smaller|inferior|fewer)(?: than)? or equal(?: to)?|equal to or (?:less|lower|below)|less than or equal to|lower than or equal to|smaller than or equal to|equal to or (?:less|lower|smaller) than|equal or (?:less|lower) than|no more than|not more than|no greater than|not greater than|no higher than|not higher than|no later than|no older than|no longer than|not exceeding|not to exceed|does not exceed|up to|at most|maximum(?: of)?|max\.?|≤|<=|=<|≦|⩽|\u2264", "<="),
    (r"greater than|more than|higher than|bigger than|larger than|older than|longer than|over|above|exceeding|exceeds?|in excess of|>|＞", ">"),
    (r"less than|lower than|fewer than|smaller than|younger than|shorter than|below|under|<|＜", "<"),
    (r"equal to|equals|=", "="),
]
_OP_ALT = "|".join(f"(?:{p})" for p, _ in _OPS)
_OP_RES = [(re.compile(p, re.IGNORECASE), sym) for p, sym in _OPS]

# "≥ 1.5", "> or = 1.5", "at least 1.5", "less than or equal to (<=) 1", "of ≥ 18"
_PREFIX = re.compile(
    rf"(?P<op>{_OP_ALT}|>\s*or\s*=|<\s*or\s*=)\s*(?:\((?:[<>]=?|=|≥|≤)\)\s*)?(?:than\s+)?(?:or equal to\s+)?(?:to\s+)?(?:of\s+)?(?:the\s+)?(?P<agew>age\s+(?:of\s+)?)?"
    rf"(?P<neg>[-−]\s?(?=\d))?(?P<v>{_NUM})(?!\d)",
    re.IGNORECASE,
)
# "1.5-2.5 g/dL", "18 to 70 years", "between 18 and 70", "0~1"
_RANGE = re.compile(
    rf"(?P<between>between\s+)?(?<![\d.,/])(?P<v>{_NUM})\s*(?P<u1>%|years?|weeks?|months?|days?)?\s*(?:-|–|—|~|to|and)\s*(?P<v2>{_NUM})(?!\d|[.,]\d)",
    re.IGNORECASE,
)
_TO_BOUND = re.compile(
    rf"(?<![\d.,/<>≤≥=])(?P<v>{_NUM})\s*(?P<u1>years?|months?|weeks?|days?)?\s*(?:to|-|–)\s*(?P<op2><=|<|≤)\s*(?P<v2>{_NUM})(?!\d|[.,]\d)",
    re.IGNORECASE,
)
# "> 140/90", ">180/110 mmHg": a systolic/diastolic pair after an operator
_PAIR = re.compile(r"/\s*(?P<v2>\d{2,3})(?!\d|[.,/]\d)")
# "80 or more", "18 years or older", "10 % or above", "20 or less"
_SUFFIX = re.compile(
    rf"(?<![\d.,])(?P<v>{_NUM})(?P<unit>(?:[^,;()\d]|(?<=[A-Za-z/^])\d){{0,25}}?)\s*(?:or|and)\s+(?P<word>more|greater|higher|above|older|over|later|less|lower|below|younger|under|fewer|smaller)\b",
    re.IGNORECASE,
)
# "Age 18+ years" (LCT NCT03863743), "65+ years old": a plus after the value is a minimum.
_PLUS = re.compile(r"(?<![\w.,])(?P<v>\d{1,3})\s*\+\s*(?=(?:years?|yrs?|y\.?o\.?)(?![a-z]))", re.IGNORECASE)
_SUFFIX_OP = {
    "more": ">=", "greater": ">=", "higher": ">=", "above": ">=", "older": ">=", "over": ">=", "later": ">=",
    "less": "<=", "lower": "<=", "below": "<=", "younger": "<=", "under": "<=", "fewer": "<=", "smaller": "<=",
}

_ULN = re.compile(
    r"\s*(?:[x×*✕]|times|fold)?\s*(?:the\s+)?(?:institutional\s+|upper\s+)?(?:\(\s*)?"
    r"(?P<ref>ULN|UNL|upper limits? of (?:the )?normal(?: range)?|(?:institutional )?upper (?:limit of )?normal(?: limit)?|normal upper limits?|upper normal limits?|"
    r"maximum normal values?|ULRR|LLN|lower limits? of (?:the )?normal(?: range)?|normal low(?:er)? limits?|lower normal limits?)",
    re.IGNORECASE,
)
_REF_ONLY = Gated(
    r"(?:the\s+)?(?:institutional\s+)?(?P<ref>ULN|UNL|upper limits? of (?:the )?normal(?: range)?|normal upper limits?|upper normal limits?|LLN|lower limits? of (?:the )?normal(?: range)?|normal low(?:er)? limits?|lower normal limits?)"
    r"(?:\s*\(\s*(?P<v>\d+(?:\.\d+)?)\s*(?P<u>%)?\s*\))?",
    re.IGNORECASE,
)


# Small patterns the rules use, compiled once (no pattern strings in hot paths).
_SPACES = re.compile(r"\s+")
_GE_WRITTEN = re.compile(r">\s*or\s*=")
_LE_WRITTEN = re.compile(r"<\s*or\s*=")
_OP_THEN = re.compile(rf"(?P<op>{_OP_ALT})\s*(?:the\s+)?", re.IGNORECASE)
_SUFFIX_UNIT_WORDS = re.compile(r"(?:points?|years? of age|of age|years? old|%)?", re.I)
_SHORT_PARENS = re.compile(r"\([^()]{0,80}\)")
_DIGIT = re.compile(r"\d")
_GENERIC_LEFT = re.compile(r"([A-Za-z][A-Za-z0-9\- ]{1,50}?)(?:\s*\(s\))?\s*(?:\([^()]{1,20}\))?\s*(?:of|:|=|is|was|at)?\s*$")
_NOUN_AFTER = re.compile(r"\s*[A-Za-z]{3,}")
_LINK_AFTER = re.compile(r"\s*(?:and|or|with|in|for|at|on|if|unless|except|points?)\b", re.I)
_WORDS2 = re.compile(r"[A-Za-z]{2,}")
_BOUND_JOIN = re.compile(r"\s*(?:and|to|,|-|–)\s*", re.I)
_AGE_IN = re.compile(r"older|younger|\bage\b", re.I)
_AGE_AFTER = re.compile(r"\s*(?:years?\s*)?(?:of age|old|\(?years old|aged?\b)", re.I)
_AGE_BEFORE = re.compile(r"\bage[ds]?\s*[:(]?\s*$", re.I)
_DURATION_BEFORE = re.compile(r"\b(?:for|within|past|last|after|before|prior|since|duration|history|pack|smok)\w*\W*\w*\s*$", re.I)
_YEARS_AFTER = re.compile(r"\s*(?:years?)?\s*(?:of age|old|or older|and older|\(|$|,|;|\.(?:\s|$))", re.I)
_LIFE_VALUE = re.compile(rf"[^\d;]{{0,25}}?(?P<v>{_NUM})\s*(?P<u>years?|months?|weeks?|days?)\b", re.I)
_LESS_WORD = re.compile(r"less|lower|below")
_MORE_WORD = re.compile(r"more|greater|higher|above")
_AMPUT = Gated(r"amput\w*", re.IGNORECASE)
_WHO_PS = re.compile(r"\s*(?:performance|PS|score)", re.I)
_PS_REST = re.compile(r"(?:PS|ECOG|score|status|to|of|:)?\s*(?P<rest>.*)", re.IGNORECASE)
_PS_DIGITS = re.compile(r"(?<![\d.])\d(?:\s*(?:-|–|~|to)\s*\d)?(?![\d.])")
_PRIOR_WORD = re.compile(r"prior|previous|received|failed|failure|refractory|pretreated|naive", re.I)
_PLANNED = re.compile(r"planned|planning|scheduled|candidate for|indication for|undergo(?:ing)?\b|will receive", re.I)
_CURRENT = re.compile(r"concurrent|concomitant|ongoing|currently (?:receiving|taking|using)", re.I)
_MAX_OP = re.compile(r"less|fewer|shorter|<|≤|up to")
_HISTO_REST = re.compile(r"\s*(?:diagnosis of|diagnosed|with|as|of)?\s*(?P<h>[^;(.:]{3,200})")
_LIST_SPLIT = re.compile(r",|;|\band\b|\bor\b|/")
_ETC = re.compile(r"^(?:etc|such as)\b\.?", re.I)
_BIOMARKER_KIND_RES = [(k, Gated(p, re.IGNORECASE)) for k, p in lexicon.BIOMARKER_KIND]
_MARKER_WORD = re.compile(r"(?:positive|negative|[+-](?!\w)|express|mutat|amplif|fusion|rearrang|status|alteration|IHC|score)", re.I)
_MARKER_VARIANT = re.compile(r"\b(rs\d+|[A-Z]\d{2,4}[A-Z*]|exon \d+ (?:deletion|insertion|mutation)s?|\d+[ACGT]\s*>\s*[ACGT])")
_MARKER_THRESHOLD = re.compile(r"(?:TPS|CPS|≥|>=|>|at least)\s*\d+\s*%?")
_POLARITY = re.compile(r"positive|negative|[+](?=\W|$)|[-](?=\W|$)", re.I)
_METS_WORD = re.compile(r"metasta|mets\b", re.I)
_RECIST_11 = re.compile(r"RECIST\s*(?:version\s*|v\.?\s*)?1\.1", re.I)
_REPRO_WORD = re.compile(r"childbearing|child-bearing|pregnan|contracept|partner", re.I)
_PHRASE_CUT = re.compile(r"[,;:()]|\b(?:with|of|for|or|and|has|have|had|by|in|to|the|a|an|any|no)\b", re.I)


_NUMBER_WORD = Gated(r"\b(?:" + "|".join(numbers.WORDS) + r")\b", re.I)


def _has_number(text: str) -> bool:
    """Whether ``text`` has anything ``_NUM`` can read: every threshold needs one."""
    return _DIGIT.search(text) is not None or _NUMBER_WORD.search(text) is not None


def _number(text: str) -> float | None:
    return numbers.read_number(text)


def _clean_num(x: float | None) -> float | int | None:
    if x is None:
        return None
    return int(x) if float(x).is_integer() else x


def _op_symbol(written: str) -> str:
    w = _SPACES.sub(" ", written.strip().lower())
    if _GE_WRITTEN.fullmatch(w):
        return ">="
    if _LE_WRITTEN.fullmatch(w):
        return "<="
    for rx, sym in _OP_RES:
        if rx.fullmatch(w):
            return sym
    return "="


# ---------------------------------------------------------------- comparisons


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


def _unit_after(text: str, pos: int) -> tuple[str | None, str | None, int]:
    """(ucum unit, relative reference, end) just after a number."""
    m = _ULN.match(text, pos)
    if m and m.start() == pos:
        ref = m.group("ref").lower()
        return None, ("LLN" if ("lln" in ref or "low" in ref) else "ULN"), m.end()
    got = units.match_unit(text, pos)
    if got:
        code, end = got
        # A bare unit followed by "x ULN" ("1.5 mg/dL or 1.5 x ULN") stays the unit.
        return code, None, end
    return None, None, pos


def find_comparisons(text: str) -> list[Comparison]:
    """Every threshold in ``text``, left to right, without overlaps."""
    found: list[Comparison] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    numbers = _has_number(text)
    # "aged 18 to < 65 years", "1 year to < 18 years", "6 to <12 years" (Facebook Clinical-Trial-
    # Parser test lines): a lower bound and a strict upper bound, as written
    for m in _TO_BOUND.finditer(text) if numbers and ("<" in text or "≤" in text) else ():
        v, v2 = _number(m.group("v")), _number(m.group("v2"))
        unit, ref, end = _unit_after(text, m.end())
        if v is None or v2 is None or v2 <= v or not free(m.start(), end):
            continue
        unit = unit or units.ucum_code(m.group("u1") or "")
        found.append(Comparison(m.start(), m.start("op2"), ">=", v, None, unit, ref, m.group("v")))
        found.append(Comparison(m.start("op2"), end, _op_symbol(m.group("op2")), v2, None, unit, ref, m.group("v2")))
        taken.append((m.start(), end))
    for m in _PREFIX.finditer(text) if numbers else ():
        v = _number(m.group("v"))
        if v is None:
            continue
        if m.group("neg"):
            # "Maximum inspiratory pressure (MIP) < -20 cm H20" (LCT NCT03929328), a DEXA
            # T-score "≤ -2.5" (Facebook test split): a negative threshold after an operator
            v = -v
        # "≥ 1.5 - 2" is a range after an operator: keep the operator, first value.
        pair = _PAIR.match(text, m.end())
        unit, ref, end = _unit_after(text, pair.end() if pair else m.end())
        if not free(m.start(), end):
            continue
        if m.group("agew") and unit is None:
            unit = "a"
        found.append(Comparison(m.start(), end, _op_symbol(m.group("op")), v, None, unit, ref, m.group("v"),
                                float(pair.group("v2")) if pair else None))
        taken.append((m.start(), end))
    # An operator followed directly by a reference: "TSH ≤ ULN", "LVEF ≥ LLN (50%)".
    for m in _OP_THEN.finditer(text) if _REF_ONLY.can_match(text) else ():
        r = _REF_ONLY.match(text, m.end())
        if not r or not free(m.start(), r.end()):
            continue
        ref = r.group("ref").lower()
        reftag = "LLN" if ("lln" in ref or "low" in ref) else "ULN"
        if r.group("v"):
            c = Comparison(m.start(), r.end(), _op_symbol(m.group("op")), float(r.group("v")), None,
                           "%" if r.group("u") else None, None)
        else:
            c = Comparison(m.start(), r.end(), _op_symbol(m.group("op")), 1.0, None, None, reftag)
        found.append(c)
        taken.append((m.start(), r.end()))
    for m in _SUFFIX.finditer(text) if numbers else ():
        v = _number(m.group("v"))
        if v is None or not free(m.start(), m.end()):
            continue
        unit_text = m.group("unit").strip()
        unit = None
        if unit_text:
            got = units.match_unit(unit_text, 0)
            unit = got[0] if got else None
            if got is None and not _SUFFIX_UNIT_WORDS.fullmatch(unit_text):
                continue
        found.append(Comparison(m.start(), m.end(), _SUFFIX_OP[m.group("word").lower()], v, None, unit, None, m.group("v")))
        taken.append((m.start(), m.end()))
    for m in _PLUS.finditer(text) if numbers and "+" in text else ():
        got = units.match_unit(text, m.end())
        if got is None or not free(m.start(), got[1]):
            continue
        found.append(Comparison(m.start(), got[1], ">=", float(m.group("v")), None, got[0], None, m.group("v")))
        taken.append((m.start(), got[1]))
    for m in _RANGE.finditer(text) if numbers else ():
        v, v2 = _number(m.group("v")), _number(m.group("v2"))
        if v is None or v2 is None or v2 <= v:
            continue
        if 1900 <= v <= 2100 and 1900 <= v2 <= 2100:
            continue  # a range of calendar years, not a threshold
        unit, ref, end = _unit_after(text, m.end())
        if m.group("u1") and not unit:
            unit = units.ucum_code(m.group("u1"))
        if not free(m.start(), end):
            continue
        found.append(Comparison(m.start(), end, "between", v, v2, unit, ref, m.group("v")))
        taken.append((m.start(), end))
    found.sort(key=lambda c: c.start)
    # A bound written without its unit takes the unit of the bound joined to it:
    # "≥ 9 and ≤ 18 g/dL", "BMI <20 or >35 kg/m2" (LCT NCT03861377), "serum creatinine
    # ≥1.5 and ≥1.4 mg/dL in males and females" (LCT NCT03863405), "HDL <50 in females,
    # <40 mg/dL in males".
    for a, b in zip(found, found[1:], strict=False):
        if a.unit is None and a.relative_to is None and b.unit is not None and b.comparator != "between" \
                and a.comparator != "between" and _JOINED_BOUNDS.fullmatch(text, a.end, b.start):
            a.unit = b.unit
    return found


_JOINED_BOUNDS = re.compile(
    r"\s*(?:(?:in|for)\s+(?:females?|males?|women|men|boys|girls)\s*)?(?:and|or|to|,)\s*", re.IGNORECASE)


# ---------------------------------------------------------------- variable mentions


def _compile_variables() -> list[tuple[str, Gated]]:
    out: list[tuple[str, Gated]] = []
    unknown = sorted(set(lexicon.VARIABLES) - set(variables.table()))
    if unknown:
        raise ValueError(f"criteria/lexicon.py names variables missing from {variables.TABLE}: {', '.join(unknown)}")
    for name, syns in lexicon.VARIABLES.items():
        ci = [s for s in syns if s not in lexicon.CASE_SENSITIVE]
        cs = [s for s in syns if s in lexicon.CASE_SENSITIVE]
        if ci:
            out.append((name, Gated(r"(?<![\w-])(?:" + "|".join(ci) + r")(?![\w])", re.IGNORECASE)))
        if cs:
            out.append((name, Gated(r"(?<![\w-])(?:" + "|".join(cs) + r")(?![A-Za-z\d])")))
    return out


_VARIABLE_RES = _compile_variables()
_VARIABLE_GATES = GateSet([g for _, g in _VARIABLE_RES])


def _opened(family: list[tuple[str, Gated]], gates: GateSet, text: str) -> list[tuple[str, re.Pattern[str]]]:
    """The patterns of ``family`` (in order) whose literal gate ``text`` opens."""
    return [(family[i][0], family[i][1].rx) for i in gates.open(text)]


@dataclass
class Mention:
    start: int
    end: int
    variable: str


def find_variables(text: str) -> list[Mention]:
    """Variable mentions, longest first where they overlap."""
    raw: list[Mention] = []
    for name, rx in _opened(_VARIABLE_RES, _VARIABLE_GATES, text):
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


_JOIN = re.compile(r"^[\s,]*(?:and/or|and|or|/|&|,)?[\s,]*$", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[;]|\.\s+[A-Z]|\b(?:or|and)\s+(?:if|with|in)\b")


def _strip_parens(gap: str) -> str:
    return _SHORT_PARENS.sub(" ", gap).replace("(", " ").replace(")", " ")


def _bind(text: str, comp: Comparison, mentions: list[Mention], floor: int) -> list[Mention]:
    """Variables a comparison measures: nearest mention on its left, plus joined list."""
    before = [m for m in mentions if m.end <= comp.start and m.start >= floor]
    if not before:
        return []
    last = before[-1]
    gap = text[last.end : comp.start]
    # Too far, or across a clause boundary: the comparison is not about this mention.
    if len(gap) > 70 or _CLAUSE_BREAK.search(gap):
        return []
    if _DIGIT.search(_strip_parens(gap)):
        return []
    chosen = [last]
    for prev in reversed(before[:-1]):
        between = _strip_parens(text[prev.end : chosen[-1].start])
        if _JOIN.match(between):
            chosen.append(prev)
        else:
            break
    chosen.reverse()
    if len(chosen) > 1 and any(m.variable in _PRESSURES for m in chosen):
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


_PRESSURES = {"blood_pressure_systolic", "blood_pressure_diastolic"}
_CONDITION_RES = [(name, Gated(p, re.IGNORECASE)) for name, p in lexicon.CONDITIONS]
_CONDITION_GATES = GateSet([g for _, g in _CONDITION_RES])


def _condition(window: str) -> str | None:
    for name, rx in _opened(_CONDITION_RES, _CONDITION_GATES, window):
        if rx.search(window):
            return name
    return None


# ---------------------------------------------------------------- the rules


# An "age" that is not the patient's: "Gestational age range 26-34" (LCT NCT03865134),
# "gestational age between 24 and 36 weeks" (LCT NCT03865901), bone age.
_OTHER_AGE = re.compile(r"\b(?:gestational|bone|skeletal|post-?menstrual|post-?conceptional|corrected)\s+age\b", re.I)
_AGE_WORD = re.compile(r"\b(?:age[ds]?|old|older|younger|years? of age|adults?|patients? aged)\b", re.IGNORECASE)
_LIFE = Gated(
    r"life[- ]expectancy|expected (?:survival|lifetime|to live)|(?:estimated|predicted|anticipated|expected) (?:overall )?survival(?: time| period)?|survival (?:time )?expectation|survival time|expected survival",
    re.IGNORECASE,
)
_TIME_UNITS = {"a", "mo", "wk", "d", "h"}
_WINDOW_CUE = re.compile(
    r"(?:within|during|in|for|last|past|previous|prior|before|after|since|over the|preceding)\s+(?:the\s+)?(?:last\s+|past\s+|previous\s+|preceding\s+|prior\s+)?$",
    re.IGNORECASE,
)


def _numeric_constraints(text: str, comps: list[Comparison], mentions: list[Mention]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    prev_vars: list[Mention] = []
    prev_comp: Comparison | None = None
    prev_end = 0
    floor = 0
    for i, c in enumerate(comps):
        nxt = comps[i + 1].start if i + 1 < len(comps) else len(text)
        if c.comparator == "between" and _SCALE_RANGE_BEFORE.search(text, 0, c.start):
            continue  # "> 3 on a 0-10 pain scale": the range of the scale, not a limit
        seg_start = max(prev_end, _clause_start(text, c.start))
        vars_ = _bind(text, c, mentions, max(floor, seg_start - 70 if seg_start == prev_end else seg_start))
        if vars_ and prev_end and vars_[0].start < prev_end:
            vars_ = []
        if vars_ and _counts_a_noun(text, c):
            vars_ = []
        if vars_ and vars_[0].variable in lexicon.SCALES and (c.unit is not None or c.relative_to):
            vars_ = []  # "ASA 100 mg" is aspirin, not an ASA class
        inherited = False
        named_after = False
        # A variable written right after the value names it, before any inherited one:
        # "> 150 mm Hg systolic, or > 90 mm Hg diastolic".
        if vars_ and vars_[-1].variable == "blood_pressure" and c.pair is None:
            # "blood pressure (BP) > 150 mm Hg systolic, or > 90 mm Hg diastolic" (NCT02243605)
            after_name = _named_after(text, c, mentions)
            if after_name and after_name.variable in _PRESSURES:
                vars_ = []
        if not vars_:
            named = _named_after(text, c, mentions)
            if named and c.unit in _TIME_UNITS and _table_unit(named.variable) not in _TIME_UNITS:
                named = None  # "3 months of chemotherapy" names no variable; "37 weeks of gestation" does
            if named:
                vars_ = [named]
                named_after = True
        if not vars_ and prev_vars and c.unit not in _TIME_UNITS and prev_comp is not None and (
                (c.unit, c.relative_to) == (prev_comp.unit, prev_comp.relative_to)):
            gap = text[prev_end : c.start]
            if len(gap) < 60 and ";" not in gap and not _names_something(gap):
                vars_ = prev_vars
                inherited = True
        if not vars_ and c.unit not in _TIME_UNITS and c.unit not in _DOSE_UNITS:
            generic = _generic_variable(text, c, max(prev_end, _clause_start(text, c.start)))
            if generic:
                vars_ = [generic]
        if not vars_ or (c.unit in _TIME_UNITS and vars_[0].variable != "age"
                         and _table_unit(vars_[0].variable) not in _TIME_UNITS):
            prev_end = c.end
            continue
        after = text[c.end : min(nxt, _clause_end(text, c.end))]
        before = text[(prev_end if prev_end else _clause_start(text, vars_[0].start)) : (c.start if inherited else vars_[0].start)]
        between = text[vars_[-1].end : c.start] if not inherited else ""
        cond = _condition(between) or _condition(after) or _condition(before)
        span_start = c.start if inherited or named_after else vars_[0].start
        span_end = vars_[-1].end if named_after else c.end
        for v in vars_:
            if v.variable == "blood_pressure" and c.pair is not None:
                out += _pressure_pair(c, cond, text[span_start : span_end])
            else:
                out.append(_numeric(v.variable, c, cond, text[span_start : span_end]))
        prev_vars = vars_
        prev_comp = c
        # A name read after the value is used up: the next value cannot bind to it.
        prev_end = span_end
        floor = span_end
    return out


_DOSE_UNITS = {"mg", "mg/m2", "g", "mg/kg", "g/d"}


def _table_unit(variable: str) -> str | None:
    """The canonical unit of a variable in the table: a time for "gestational age 37-42 weeks"."""
    v = variables.get(variable)
    return v.unit if v else None
_STOP = {
    "the", "a", "an", "of", "with", "and", "or", "is", "are", "be", "must", "have", "has", "had", "patients",
    "patient", "subjects", "subject", "participants", "in", "at", "for", "to", "on", "by", "as", "if", "their",
    "any", "should", "was", "were", "who", "which", "that", "score", "scores", "level", "levels", "value",
    "values", "count", "counts", "than", "total", "documented", "defined", "known", "history", "s",
    "there", "did", "not", "no", "do", "does", "least", "more", "less", "one", "all", "each", "per", "day",
    "week", "part", "completion", "based", "considered", "extending", "only", "also",
}
_GENERIC_WORDS = re.compile(r"[A-Za-z][A-Za-z0-9\-]*")


_WORD_VALUE_NOUN = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|twenty)\s+(?!or\b|and\b)[A-Za-z]",
    re.IGNORECASE,
)


def _counts_a_noun(text: str, c: Comparison) -> bool:
    """"at least one post-treatment PSA test": a number spelled as a word before a noun
    counts that noun; it is no threshold of the analyte named before it."""
    return c.unit is None and c.relative_to is None and bool(_WORD_VALUE_NOUN.match(text, _word_start(text, c.end)))


def _word_start(text: str, end: int) -> int:
    i = end
    while i > 0 and text[i - 1].isalpha():
        i -= 1
    return i


_SCALE_RANGE_BEFORE = re.compile(r"\b(?:on|in|using|by)\s+(?:a|an|the)\s*$", re.IGNORECASE)
_AFTER_LINK = re.compile(
    r"\s*(?:of\s+)?(?:(?:on|in|by|using)\s+(?:a|an|the)\s+(?:\d+\s*(?:-|–|to)\s*\d+\s*(?:-?\s*points?\s+)?|\d+[- ]points?\s+)?)?",
    re.IGNORECASE,
)


def _named_after(text: str, c: Comparison, mentions: list[Mention]) -> Mention | None:
    """A known variable written right after the value: "5% or more blasts", "> 3 on a
    0-10 pain intensity numeric scale"."""
    link = _AFTER_LINK.match(text, c.end)
    pos = link.end() if link else c.end
    for mention in mentions:
        if mention.start == pos:
            return mention
        if mention.start > pos:
            break
    return None


def _generic_variable(text: str, c: Comparison, floor: int) -> Mention | None:
    """A variable the lexicon has no name for: the words right before the comparison
    ("Prostate volume < 60 cc" -> ``prostate_volume``). Only directly adjacent phrases."""
    acronym = _ACRONYM_LEFT.search(text, max(floor, c.start - 60), c.start)
    if acronym and _generic_allowed(text, c):
        return Mention(acronym.start("abbr"), acronym.end("abbr"), _slug(acronym.group("abbr")))
    left_start = max(floor, c.start - 60, text.rfind("(", 0, c.start) + 1, text.rfind(",", 0, c.start) + 1)
    left = text[left_start : c.start]
    m = _GENERIC_LEFT.search(left)
    if not m:
        return None
    words = [w.lower() for w in _GENERIC_WORDS.findall(m.group(1))]
    while words and words[-1] in _STOP:
        words.pop()
    words = words[-4:]
    while words and words[0] in _STOP:
        words.pop(0)
    if not _generic_allowed(text, c):
        return None
    if not words or any(w in ("within", "after", "before", "prior", "since", "during", "weeks", "days", "months",
                              "years", "grade", "cycles", "dose", "doses", "mg", "version") for w in words):
        return None
    return Mention(left_start + m.start(1), left_start + m.end(1), "_".join(w.replace("-", "_") for w in words))


# A score named by its acronym in parentheses, right before the comparison: "Anxiety
# Sensitivity Index (ASI-3) total score > 29", "(OASIS) score > 8" (LCT NCT03925987),
# "Rapid shallow breathing index (RSBI) < 105" (LCT NCT03929328), "IBS symptom severity
# scores (IBS-SSS) greater than 250" (LCT NCT03869372), "gingival index (GI) score> 1"
# (LCT NCT03923218), "(AN count) of >= 5" (LCT NCT03926169).
_ACRONYM_LEFT = re.compile(
    r"\(\s*(?P<abbr>[A-Z][A-Z0-9]{1,9}(?:-[A-Z0-9]{1,5})?(?:\s+count)?)\s*\)\s*"
    r"(?:(?:total|global|mean)\s+)?(?:scores?|index|scale|levels?|count|values?)?\s*(?:of|:|=|is)?\s*$"
)
# "at least one of the following criteria" (LCT NCT03869554), "at least one of the following
# fractures" (LCT NCT03867071), "one or more of the eye examinations" (LCT NCT03865134): a count
# of list members, no measured variable.
_COUNT_OF = re.compile(r"\s*(?:or more\s+|or fewer\s+)?of\b", re.IGNORECASE)


def _generic_allowed(text: str, c: Comparison) -> bool:
    """Whether the value can be a measurement of a variable named only by the words before it."""
    after = text[c.end : c.end + 20]
    if c.unit in (None, "%") and c.relative_to is None and (
            (_NOUN_AFTER.match(after) and not _LINK_AFTER.match(after)) or _COUNT_OF.match(after)):
        return False  # "at least 2 lesions", "> 3 cycles": the number counts what follows
    return True


def _slug(name: str) -> str:
    return "_".join(re.findall(r"[a-z0-9]+", name.lower()))


# A class written in Roman numerals (upper case only, so "I" the pronoun in running
# text is not read): "ASA physical status I", "ASA I-II" (NCT03925610, NCT03863977),
# "ASA class I to III", like NYHA below.
_CLASS = r"\d{1,3}(?:\.5)?|(?-i:VI|IV|V|III|II|I)(?![A-Za-z])"
_SCALE_VALUE = re.compile(
    rf"[\s:,(]*(?:of\s+|=\s*|is\s+|was\s+)?(?P<op>(?:≤|<=|<|≥|>=|>)\s*)?(?P<v>{_CLASS})(?:\s*(?:-|–|to|or|,)\s*(?P<v2>{_CLASS}))?"
    r"(?!\d|[.,]\d|\s*(?:%|/|points?\s+or\b|or\s+(?:more|less|higher|lower|greater|above|below|fewer)\b))",
    re.IGNORECASE,
)


def _scale_values(text: str, comps: list[Comparison], mentions: list[Mention], done: set[str]) -> list[dict[str, Any]]:
    """A score written right after its scale's name, without an operator: "Gleason score
    7", "(ASA 5)", "Gleason 6 or 7" state the value (``=``, or ``between`` for two)."""
    out = []
    for mention in mentions:
        if mention.variable not in lexicon.SCALES or mention.variable in done:
            continue
        m = _SCALE_VALUE.match(text, mention.end)
        if not m or any(c.start < m.end() and m.start("v") < c.end for c in comps):
            continue
        v = numbers.read_number(m.group("v"))
        v2 = numbers.read_number(m.group("v2")) if m.group("v2") else None
        if v is None or (v2 is not None and v2 <= v) or (m.group("op") and v2 is not None):
            continue
        op = _op_symbol(m.group("op")) if m.group("op") else "between" if v2 is not None else "="
        c = Comparison(m.start("v"), m.end(), op, v, v2, None, None, m.group("v"))
        out.append(_numeric(mention.variable, c, None, text[mention.start : m.end()]))
        done.add(mention.variable)
    return out


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_NYHA = Gated(
    r"(?:NYHA|New York Heart Association)(?:\s*\(NYHA\))?[\s\w]{0,40}?(?:class(?:es)?|grades?|functional class(?:es)?|stage)?\s*"
    r"(?P<op>≥|>=|>|≤|<=|<)?\s*(?P<a>IV|III|II|I|[1-4])\b(?:\s*(?P<sep>-|–|to|or|and|/)\s*(?P<b>IV|III|II|I|[1-4])\b)?",
    re.IGNORECASE,
)


def _nyha(text: str) -> list[dict[str, Any]]:
    m = _NYHA.search(text)
    if not m:
        return []

    def num(x: str) -> int:
        return int(x) if x.isdigit() else _ROMAN[x.lower()]

    a = num(m.group("a"))
    if m.group("b"):
        b = num(m.group("b"))
        if b < a:
            return []
        comparator, value, value2 = "between", a, b
    else:
        comparator, value, value2 = (_op_symbol(m.group("op")) if m.group("op") else "="), a, None
    return [{"type": "numeric", "variable": "nyha", "comparator": comparator, "value": value, "value2": value2,
             "unit": None, "relative_to": None, "canonical_value": value, "canonical_unit": None,
             "applies_if": None, "span": m.group(0).strip()}]


_GAP_WORDS = {"should", "be", "if", "in", "case", "with", "or", "and", "for", "but", "when", "patients", "those",
              "subjects", "who", "have", "has", "must", "can", "may", "up", "to", "the", "of", "levels", "level"}


def _names_something(gap: str) -> bool:
    """Whether text between two thresholds names a new thing (then nothing is inherited)."""
    for _name, rx in _opened(_CONDITION_RES, _CONDITION_GATES, gap):
        gap = rx.sub(" ", gap)
    words = [w.lower() for w in _WORDS2.findall(gap)]
    return any(w not in _GAP_WORDS and w not in _STOP for w in words)


def _clause_start(text: str, pos: int) -> int:
    cut = max(text.rfind(";", 0, pos), text.rfind(". ", 0, pos))
    return cut + 1 if cut >= 0 else 0


def _clause_end(text: str, pos: int) -> int:
    ends = [i for i in (text.find(";", pos), text.find(". ", pos), text.find(",", pos)) if i >= 0]
    return min(ends) if ends else len(text)


def _pressure_pair(c: Comparison, cond: str | None, span: str) -> list[dict[str, Any]]:
    """"blood pressure > 140/90": systolic > 140 and diastolic > 90 (same comparator, unit)."""
    dia = Comparison(c.start, c.end, c.comparator, c.pair or 0.0, None, c.unit, None, None)
    return [_numeric("blood_pressure_systolic", c, cond, span), _numeric("blood_pressure_diastolic", dia, cond, span)]


def _plausible_reading(variable: str, c: Comparison) -> str | None:
    """Check a threshold against the variable table; None when it can be used, else why not.

    A dotted number with three-digit groups is read again as thousands when the decimal
    reading is implausible ("ANC > 1.500 cells/mm3", "platelets > 100.000/mm3" are 1500
    and 100000); ``c`` is updated in place when that reading fits.
    """
    var = variables.get(variable)
    if var is None or c.relative_to:
        return None
    if var.unit is None or c.unit is None:
        # a score or ratio without a unit ("ASA 100 mg" is aspirin, no ASA class)
        if var.unit is None and c.unit is None and not all(var.plausible(v) for v in (c.value, c.value2) if v is not None):
            return f"{_clean_num(c.value)} is outside the scale {_clean_num(var.low)}-{_clean_num(var.high)}"
        return None
    if c.unit in var.other_units:
        return None
    if units.compatible(c.unit, var.unit, variable) is False:
        return f"unit {c.unit} cannot measure {variable} (canonical {var.unit})"
    values = [c.value] + ([c.value2] if c.value2 is not None else [])
    canon = [units.canonical(variable, v, c.unit)[0] for v in values]
    if all(x is None or var.plausible(x) for x in canon):
        return None
    alt = numbers.thousands_reading(c.written or "")
    if alt is not None and c.value2 is None:
        x = units.canonical(variable, alt, c.unit)[0]
        if x is not None and var.plausible(x):
            c.value = alt
            return None
    shown = ", ".join(f"{_clean_num(x)}" for x in canon if x is not None)
    return f"{shown} {var.unit} is outside the plausible range {_clean_num(var.low)}-{_clean_num(var.high)} {var.unit}"


def _numeric(variable: str, c: Comparison, cond: str | None, span: str) -> dict[str, Any]:
    problem = _plausible_reading(variable, c)
    if problem:
        return {"type": "unparsed", "reason": "implausible", "variable": variable, "comparator": c.comparator,
                "span": span.strip(), "note": f"threshold not used: {variable} {c.comparator} "
                f"{c.written or _clean_num(c.value)} {c.unit}: {problem}"}
    unit = c.unit
    cv, cu = units.canonical(variable, c.value, unit, c.relative_to)
    d: dict[str, Any] = {
        "type": "numeric",
        "variable": variable,
        "comparator": c.comparator,
        "value": _clean_num(c.value),
        "value2": _clean_num(c.value2),
        "unit": unit,
        "relative_to": c.relative_to,
        "canonical_value": _clean_num(cv),
        "canonical_unit": cu,
        "applies_if": cond,
        "span": span.strip(),
    }
    if cv is not None and c.value2 is not None and c.relative_to is None and unit:
        cv2, _ = units.canonical(variable, c.value2, unit)
        d["canonical_value2"] = _clean_num(cv2)
    return d


def _measures_something_else(text: str, c: Comparison, mentions: list[Mention]) -> bool:
    """A variable named right before the value, after any age word: "Adult participants:BMI
    ≥ 18.0" (LCT NCT03929263), "adults with weight ≥ 40 kg" measure BMI and weight, not age."""
    before = [m for m in mentions if m.end <= c.start and c.start - m.end <= 25]
    if not before:
        return False
    gap = text[before[-1].end : c.start]
    return not _DIGIT.search(gap) and not _AGE_IN.search(gap) and not _AGE_WORD.search(gap)


def _age_constraints(text: str, comps: list[Comparison], used: set[int],
                     mentions: list[Mention]) -> list[dict[str, Any]]:
    out = []
    for i, c in enumerate(comps):
        if i in used or _measures_something_else(text, c, mentions):
            continue
        win_before = text[max(0, c.start - 40) : c.start]
        win_after = text[c.end : c.end + 25]
        cunit = c.unit
        nxt = comps[i + 1] if i + 1 < len(comps) else None
        if cunit in (None, getattr(nxt, "unit", None)) and c.relative_to is None and nxt is not None and nxt.unit in ("a", "mo") and _BOUND_JOIN.fullmatch(
                text[c.end : nxt.start]):
            # "≥ 3 and ≤ 18 years of age": the first bound takes the unit of the second
            cunit = nxt.unit
            win_after = text[nxt.end : nxt.end + 25]
        is_years = cunit == "a"
        agey = bool(_AGE_WORD.search(win_before) or _AGE_IN.search(text[c.start : c.end]) or _AGE_AFTER.match(win_after)
                    or _AGE_BEFORE.search(win_before))
        if _LIFE.search(win_before) or _WINDOW_CUE.search(win_before) or _OTHER_AGE.search(win_before):
            continue
        if _DURATION_BEFORE.search(win_before):
            continue
        if not (agey or (is_years and c.comparator != "=" and _YEARS_AFTER.match(win_after))):
            continue
        if cunit not in (None, "a", "mo"):
            continue
        if cunit is None and not agey:
            continue
        if c.value > 120:
            continue
        used.add(i)
        unit = cunit or "a"
        out.append({
            "type": "age", "variable": "age", "comparator": c.comparator,
            "value": _clean_num(c.value), "value2": _clean_num(c.value2), "unit": unit,
            "canonical_value": _clean_num(units.canonical("age", c.value, unit)[0]),
            "canonical_unit": "a", "applies_if": None,
            "span": text[max(0, c.start - 0) : c.end].strip(),
        })
    return out


def _life_constraints(text: str, comps: list[Comparison], used: set[int]) -> list[dict[str, Any]]:
    out = []
    for m in _LIFE.finditer(text):
        for i, c in enumerate(comps):
            if i in used or c.start < m.end() or c.start - m.end() > 45:
                continue
            if c.unit not in _TIME_UNITS:
                after = units.match_unit(text, c.end)
                if not after or after[0] not in _TIME_UNITS:
                    continue
                unit = after[0]
            else:
                unit = c.unit
            used.add(i)
            cv = units.canonical("life_expectancy", c.value, unit)[0]
            out.append({
                "type": "life_expectancy", "variable": "life_expectancy", "comparator": c.comparator,
                "value": _clean_num(c.value), "value2": _clean_num(c.value2), "unit": unit,
                "canonical_value": _clean_num(cv), "canonical_unit": "mo",
                "span": text[m.start() : c.end].strip(),
            })
            break
        else:
            # "life expectancy of 3 months": a minimum without an operator word.
            n = _LIFE_VALUE.match(text[m.end():])
            if n:
                unit = units.ucum_code(n.group("u")) or "mo"
                v = _number(n.group("v")) or 0
                out.append({
                    "type": "life_expectancy", "variable": "life_expectancy", "comparator": ">=",
                    "value": _clean_num(v), "value2": None, "unit": unit,
                    "canonical_value": _clean_num(units.canonical("life_expectancy", v, unit)[0]),
                    "canonical_unit": "mo", "span": text[m.start() : m.end() + n.end()].strip(),
                })
    return out


_PS = Gated(
    r"(?P<scale>\bECOG\b|Eastern Cooperative Oncology Group|\bZubrod\b|\bWHO\b|Karnofsky|\bKPS\b|Lansky|\bLPS\b|performance status|performance score|\bPS\b)",
    re.IGNORECASE,
)
_PS_VALUE = re.compile(
    rf"(?:[\s:=(),\-]|\b(?:score|scores|status|scale|of|is|grade|grades|ps|performance|physical|must|be|between|level|index|\(?ecog\)?|\(?kps\)?|\(?who\)?))*?"
    rf"(?:(?P<op>{_OP_ALT})\s*(?P<opv>\d{{1,3}})"
    rf"|(?P<a>\d{{1,3}})\s*(?:-|–|~|to|and)\s*(?P<b>\d{{1,3}})(?!\s*(?:,|or)\s*\d)"
    rf"|(?P<set>\d(?:\s*,\s*\d)*\s*(?:,?\s*(?:or|and)\s*)\d)"
    rf"|(?P<single>\d{{1,3}})(?P<suffix>\s*(?:points?\s*)?(?:or|and)\s*(?:less|lower|below|more|greater|higher|above))?)",
    re.IGNORECASE,
)


def _ps_scale(word: str, value: float) -> str:
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
    maxv = 5 if scale == "ecog" else 100
    step = 1 if scale == "ecog" else 10
    comparator, value, value2 = "=", None, None
    allowed: list[int] | None = None
    if m.group("op"):
        comparator = _op_symbol(m.group("op"))
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
        nums = sorted({int(x) for x in _DIGIT.findall(m.group("set"))})
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


def _ps_constraints(text: str) -> tuple[list[dict[str, Any]], list[tuple[int, int]]]:
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
            exceptions.append((_clause_start(text, am.start()), _clause_end(text, am.end())))
    main: dict[str, Any] | None = None
    for m in _PS.finditer(text):
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


# ---------------------------------------------------------------- prior therapy

_PRIOR_CUE = Gated(
    r"\b(?:prior|previous(?:ly)?|received|receiving|receive|treated|treatment with|therapy with|exposure|exposed|"
    r"history of|had|has had|have had|used|use of|using|taking|administration|administered|failed|failure|refractory|"
    r"progress\w* (?:on|after)|pretreated|pre-treated|naive|naïve|accepted|participated|participation|planned|planning|"
    r"scheduled|candidate for|indication for|undergo|undergoing|underwent|undergone|concurrent|concomitant|ongoing|"
    r"completed|contraindication)\b",
    re.IGNORECASE,
)
_WINDOW = Gated(
    rf"\b(?:within|in|during|over)\s+(?:the\s+)?(?:last|past|previous|preceding|prior)?\s*(?P<v>{_NUM})\s*(?P<u>days?|weeks?|months?|years?)\b"
    rf"|\b(?P<v2>{_NUM})\s*(?P<u2>days?|weeks?|months?|years?)\s+(?:prior to|before|of|preceding|from)\b"
    rf"|\b(?:in|within) the (?P<v3>{_NUM})\s*(?P<u3>days?|weeks?|months?|years?)\s+(?:prior|before|preceding)",
    re.IGNORECASE,
)
_EXPOSURE = Gated(
    rf"\bfor\s+(?P<op>more than|at least|over|longer than|greater than|>=?|≥|less than|fewer than|shorter than|<=?|≤|up to)?\s*(?P<v>{_NUM})\s*(?P<u>days?|weeks?|months?|years?|cycles?)\b",
    re.IGNORECASE,
)


def _knowledge() -> tuple[Any, Any]:
    return find_drug_mentions, find_class_mentions


_THERAPY_RES = [(name, Gated(rf"(?<![\w-])(?:{p})(?![\w])", re.IGNORECASE)) for name, p in lexicon.THERAPIES]
_THERAPY_GATES = GateSet([g for _, g in _THERAPY_RES])


@lru_cache(maxsize=8192)
def _drug_mentions(text: str) -> tuple[tuple[list[tuple[str, int, int]], list[tuple[str, int, int]]], bool]:
    """(drugs, classes) named in ``text`` as (name, start, end); cached, as registries
    repeat the same boilerplate items across thousands of trials."""
    find_drugs, find_classes = _knowledge()
    if find_drugs is None:
        return ([], []), False
    try:
        drugs = [(str(m.drug), m.start, m.end) for m in find_drugs(text) if m.drug]
        classes = [(str(m.drug_class), m.start, m.end) for m in find_classes(text) if m.drug_class]
        classes = _narrowed(text, classes, find_classes) + _slash_classes(text, find_classes)
        # A drug the curated scan does not know, named as the object of a prior-therapy cue.
        taken = [(a, b) for _n, a, b in drugs + classes]
        drugs += [(str(m.drug), m.start, m.end) for m in find_cued_drug_mentions(text)
                  if m.drug and not any(a < m.end and m.start < b for a, b in taken)]
        drugs.sort(key=lambda d: d[1])
    except Exception:  # noqa: BLE001 - a knowledge bug must not lose the criterion
        return ([], []), False
    return (drugs, classes), True


# Class phrases with a slash list of targets: "anti-PD-1/PD-L1/PD-L2 antibody",
# "VEGF/VEGFR inhibition", "anti-VEGF/VEGFR targeted drugs" (NCT02588170): each target
# with the head, looked up in the class table.
_SLASH_CLASS = re.compile(
    r"(?P<pre>\banti-?)?(?P<first>[A-Z][A-Za-z0-9-]{1,10})(?P<rest>(?:/[A-Z][A-Za-z0-9-]{0,10})+)\s+"
    r"(?P<head>antibod(?:y|ies)|inhibit(?:or|ors|ion)|TKIs?|agents?|therap(?:y|ies)|drugs?|blockade)\b")
# "EGFR inhibitor, including both TKIs and monoclonal antibodies": the generic classes
# the apposition lists are of that target (EGFR TKIs, EGFR antibodies), not every TKI.
_INCLUDING = re.compile(r"\s*,?\s*\(?\s*(?:including|includes|such as|i\.e\.,?)\s+(?:both\s+)?", re.IGNORECASE)
_GENERIC_CLASSES = frozenset({"tyrosine-kinase-inhibitor", "monoclonal-antibody", "kinase-inhibitor"})
_HEAD_WORDS = re.compile(r"\s*(?:inhibitors?|antagonists?|blockers?|targeted|directed|agents?|therap(?:y|ies))\b.*$", re.IGNORECASE)


def _slash_classes(text: str, find_classes: Any) -> list[tuple[str, int, int]]:
    out = []
    for m in _SLASH_CLASS.finditer(text):
        head = "inhibitor" if m.group("head").lower() == "inhibition" else m.group("head")
        for name in [m.group("first")] + m.group("rest").strip("/").split("/"):
            phrase = f"{m.group('pre') or ''}{name} {head}"
            for c in find_classes(phrase):
                if c.drug_class and (str(c.drug_class), m.start(), m.end()) not in out:
                    out.append((str(c.drug_class), m.start(), m.end()))
    return out


def _narrowed(text: str, classes: list[tuple[str, int, int]], find_classes: Any) -> list[tuple[str, int, int]]:
    out = list(classes)
    for key, a, b in classes:
        if key in _GENERIC_CLASSES:
            continue
        inc = _INCLUDING.match(text, b)
        if not inc:
            continue
        target = _HEAD_WORDS.sub("", text[a:b]).strip()
        listed = [c for c in classes if c[0] in _GENERIC_CLASSES and inc.end() <= c[1] < inc.end() + 80]
        if not target or not listed:
            continue
        for c in listed:
            out.remove(c) if c in out else None
            for found in find_classes(f"{target} {text[c[1]:c[2]]}"):
                if found.drug_class:
                    out.append((str(found.drug_class), c[1], c[2]))
    return out


_ELIGIBLE_FOR = Gated(
    r"\b(?:eligib(?:le|ility)|suitab(?:le|ility)|fit|candidates?)\s+(?:for|to)\s+(?:(?:receive|be treated)\s+(?:with\s+)?)?"
    r"(?:(?:treatment|therapy)\s+(?:with\s+)?)?",
    re.IGNORECASE,
)


# Clauses in which a drug is named as context, not as a therapy the patient had: the
# contraception clause ("use contraception ... for 2 weeks after the last dose of
# sorafenib", NCT00703638; "... for 6 months after the last dose of pazopanib",
# NCT01418001), dosing and administration ("interrupt aspirin ... at each pemetrexed
# administration", NCT00703638; "prior to the first dose of study drug"),
# hypersensitivity ("hypersensitivity to bosutinib or axitinib", NCT02782403; "severe and
# unexpected reactions to fluoropyrimidine therapy", NCT03424005) and indication
# ("is indicated for treatment with anthracyclines", NCT00722293; "tumor type that is
# FDA approved for treatment with Carboplatin", NCT01542047; "Eligible for capecitabine
# monotherapy", NCT03424005). Kind -> (cue, whether the whole clause is context).
_MENTION_CONTEXTS: list[tuple[str, Gated, bool]] = [
    ("contraception", Gated(r"contracept\w*|birth control|childbearing|child-bearing|pregnan\w*|breast-?feed\w*|"
                            r"sexually active|abstinen\w*|donat\w* (?:sperm|eggs|ova)|fetus|foetus|fetal|teratogen\w*", re.I), True),
    # "... excluded because there may be unknown or dangerous drug interactions with
    # sunitinib" (NCT00402415), "potential interactions with the study drug".
    ("interaction", Gated(r"\binteractions?\b|\binteract\b", re.I), True),
    ("hypersensitivity", Gated(r"\b(?:hypersensitiv\w*|allerg\w*|anaphyla\w*)\b|\b(?:intoleran\w*|contraindicat\w*)\s+(?:to|with|for)\b"
                               r"|\b(?:severe|serious|unexpected|adverse|infusion)\s+(?:\w+\s+)?reactions?\b", re.I), False),
    # (not "since the last dose of X": that dates a washout from X)
    ("dosing", Gated(r"\b(?:at|before|during|prior to|with)\s+(?:each|every|the|any)?\s*(?:first|initial|next)?\s*"
                     r"(?:dose|dosing|administration|infusion|intake)s?\s+(?:of|with)\b|\b(?:interrupt\w*|premedicat\w*|"
                     r"withh[oe]ld\w*)\b|\b(?:each|every)\s+(?:\w+\s+)?administration\b|\bwilling\w*\s+(?:and\s+able\s+)?to\s+(?:take|receive|interrupt|stop)\b"
                     r"|\b(?:study|trial|protocol)\s+(?:drugs?|treatments?|medications?|therap(?:y|ies)|agents?)\b", re.I), False),
    # The treatment a toxicity is attributed to: "Recovered from all acute toxic effects
    # of prior chemotherapy" (NCT00573404), "toxic reactions caused by previous
    # anti-tumor treatment ... are relieved" (NCT04126811), "recovered from any toxicity
    # attributed to the agent" (NCT00678977).
    ("toxicity", Gated(r"\b(?:recover\w*\s+from|resolution\s+of|resolved)\b|\b(?:toxic\w*|adverse\s+(?:events?|effects?)|side\s+effects?|"
                       r"reactions?|complications?)\s+(?:\w+\s+){0,2}?(?:caused\s+by|due\s+to|related\s+to|attributed\s+to|from|of)\b", re.I), False),
    ("indication", Gated(r"\b(?:indicated|eligible|suitable|candidates?|fit|approved|indication)\s+(?:for|to)\b", re.I), False),
]
_CLAUSE_STOP = re.compile(r"[;]|\.(?:\s|$)")
# A washout: the last dose at least N before now or an entry event. "At least 4 weeks
# since prior chemotherapy" (NCT00602576), "At least 1 year since prior tamoxifen"
# (NCT00023673), "at least 40 days should have elapsed since last dose" (NCT00678977),
# "completed >4 weeks before trial entry" (NCT02711007), "washout of 3 weeks"
# (NCT04154189). It excludes only a patient treated more recently.
_WASHOUT = Gated(
    rf"(?:\bat\s+least|\bminimum\s+of|\bmore\s+than|\bgreater\s+than|\bover|>=?|≥)\s*(?P<v>{_NUM})\s*(?P<u>days?|weeks?|months?|years?|hours?)"
    rf"\s+(?:(?:must|should|shall|will)\s+)?(?:have\s+|has\s+)?(?:elapsed|passed|lapsed)?\s*(?:since|from|after|following|before|prior\s+to)\b"
    rf"|\b(?P<v2>{_NUM})\s*(?P<u2>days?|weeks?|months?|years?)\s+or\s+(?:more|longer)\s+(?:since|from|after|before|prior\s+to)\b"
    rf"|\bwash-?out\s+(?:period\s+)?(?:\w+\s+){{0,6}}?(?:of\s+)?(?:at\s+least\s+)?(?P<v3>{_NUM})\s*(?P<u3>days?|weeks?|months?|years?)"
    # "Duration from the last therapy is more than 4 weeks" (NCT01645215), "interval
    # since the last dose of chemotherapy at least 3 weeks".
    # "must occur after stopping prior systemic anti-cancer therapy" (NCT02465060),
    # "must be after last dose of chemotherapy" (NCT02513394): the last dose is past.
    rf"|\b(?:after|following)\s+(?:stopping|discontinu\w+|completion\s+of|completing|the\s+end\s+of|(?:the\s+)?last\s+dose\s+of)\s+(?P<v5>)(?P<u5>)"
    rf"|\b(?:duration|interval|time)\s+(?:from|since|after)\s+(?:the\s+)?(?:last|previous|prior|end)\b[^;.]{{0,60}}?"
    rf"(?:more\s+than|greater\s+than|longer\s+than|at\s+least|over|>=?|≥)\s*(?P<v4>{_NUM})\s*(?P<u4>days?|weeks?|months?|years?)",
    re.IGNORECASE,
)
# What a window is counted from, when the text names it: entry events (as good as "now"
# for a patient being screened) or an event of the patient's history. "within 5 years
# prior to diagnosis" (NCT00023673), "since registration" (NCT00602576), "prior to
# randomization", "before the first dose of study drug".
_ANCHOR = Gated(
    r"\b(?:since|from|after|before|prior\s+to|preceding|of)\s+(?:the\s+)?(?:date\s+of\s+)?(?:(?P<entry>registration|randomi[sz]ation|"
    r"enrol+ment|study\s+(?:entry|start|enrol+ment|treatment|drug|day)|trial\s+entry|entry|screening|inclusion|consent|"
    r"(?:the\s+)?(?:first|initial)\s+(?:dose|administration|treatment)|start\s+of\s+(?:study\s+)?(?:treatment|therapy)|"
    r"(?:cycle\s+1\s+)?day\s+1|initiation\s+of\s+(?:study\s+)?treatment|treatment\s+start|baseline)"
    r"|(?P<event>(?:initial\s+|original\s+|primary\s+)?diagnosis|surgery|resection|relapse|recurrence|progression|transplant\w*|"
    r"mastectomy|radiotherapy|radiation))\b",
    re.IGNORECASE,
)
# The exposure is qualified (failure, intolerance, reason for stopping): a drug match
# alone cannot say the criterion holds. "previously treated with TKIs ... but off
# treatment due to manageable complications" (NCT04072042), "refractory to ...".
_QUALIFIED = Gated(
    r"\b(?:but|fail\w*|progress\w*|refractory|resistan\w*|intoleran\w*|intolerable|benefit\w*|respon\w*|"
    r"efficacy|due to|because of|toxicity|toxic|regimens?|lines?|currently|current|concurrent\w*|ongoing)\b|"
    r"\bfor (?:[\w-]+ ){0,3}(?:cancer|carcinoma|tumou?rs?|sarcomas?|disease|malignanc\w*)\b",
    re.IGNORECASE,
)


# A count of prior lines or regimens: "Less than or equal to one prior line of
# chemotherapy" (NCT00722293), "no more than two types of systemic anti-tumor therapy"
# (NCT02588170), "Past history of less than one kind of tyrosine kinase inhibitor"
# (NCT03167385), "at least 3 ... TKIs" (NCT02782403), "1 to 2 prior systemic treatments".
_LINES = Gated(
    r"(?:(?P<max>less\s+than\s+or\s+equal\s+to|no\s+more\s+than|not\s+more\s+than|at\s+most|up\s+to|a\s+maximum\s+of|maximum\s+of|≤|<=|=<)"
    r"|(?P<lt>less\s+than|fewer\s+than|<)|(?P<min>at\s+least|a\s+minimum\s+of|minimum\s+of|≥|>=)|(?P<gt>more\s+than|greater\s+than|>))\s*"
    r"(?P<n>\d{1,2}|one|two|three|four|five)\s+(?:[\w/-]+\s+){0,4}?(?:lines?|regimens?|courses?|types?|kinds?)\b",
    re.IGNORECASE,
)
_COUNT_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


def _therapy_lines(text: str, d: dict[str, Any]) -> None:
    """``max_lines`` / ``min_lines`` from a count of prior lines, regimens or kinds."""
    m = _LINES.search(text)
    if not m:
        return
    raw = m.group("n").lower()
    n = _COUNT_WORDS.get(raw) if raw in _COUNT_WORDS else int(raw)
    if m.group("max"):
        d["max_lines"] = n
    elif m.group("lt"):
        d["max_lines"] = n - 1
    elif m.group("min"):
        d["min_lines"] = n
    else:
        d["min_lines"] = n + 1


def _context_spans(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of the clauses naming drugs as context (see _MENTION_CONTEXTS)."""
    out = []
    for kind, rx, whole in _MENTION_CONTEXTS:
        for m in rx.finditer(text):
            if whole:
                a = max([0] + [x.end() for x in _CLAUSE_STOP.finditer(text, 0, m.start())])
            else:
                a = m.start()
            if _STUDY_DRUG.match(m.group(0)):
                # "study treatment (sorafenib)": the study's own drug, named right there
                p = _PAREN_AFTER.match(text, m.end())
                out.append((kind, a, p.end() if p else m.end()))
                continue
            stop = _CLAUSE_STOP.search(text, m.end())
            out.append((kind, a, stop.start() if stop else len(text)))
    return out


_STUDY_DRUG = re.compile(r"(?:study|trial|protocol)\s", re.IGNORECASE)
_PAREN_AFTER = re.compile(r"\s*\([^()]{1,80}\)")


def _inside(spans: list[tuple[int, int]], a: int, b: int) -> bool:
    return any(x <= a and b <= y for x, y in spans)


def _prior_therapy(text: str, section: str, context: str | None = None) -> list[dict[str, Any]]:
    # A therapy is "prior" when the item says so, gives a window ("Major surgery within
    # 4 weeks") or sits under a header that says so ("Prior therapy:" / "Biologic therapy").
    # Being eligible for a therapy ("Eligibility for treatment with TKI") says nothing
    # about having had it: that phrase is no cue, and alone it rules the reading out.
    cue_text = _ELIGIBLE_FOR.sub(lambda m: " " * len(m.group(0)), text)
    contexts = _context_spans(text)
    (found_drugs, found_classes), _ok = _drug_mentions(text)
    mention = _mention_constraints(text, contexts, found_drugs, found_classes)
    ctx_ranges = [(a, b) for _k, a, b in contexts]
    if cue_text != text and not (_PRIOR_CUE.search(cue_text) or _WINDOW.search(cue_text)):
        return mention
    washout = _WASHOUT.search(text)
    window_only = not (_PRIOR_CUE.search(cue_text) or (context and _PRIOR_CUE.search(context)) or washout)
    window_cue = _WINDOW.search(text) if window_only else None
    if window_only and not window_cue:
        return mention
    excepted = logic.except_spans(text)
    d: dict[str, Any] = {"type": "prior_therapy", "drugs": [], "drug_classes": [], "therapies": [],
                         "window": None, "window_days": None, "min_exposure": None}
    first, last = _therapy_names(text, d, found_drugs, found_classes, ctx_ranges, excepted)
    if not (d["drugs"] or d["drug_classes"] or d["therapies"]):
        return mention
    if window_cue is not None and (first is None or first >= window_cue.start() or first > 60):
        return mention  # the window dates something else: "bleeding event within 4 weeks of study drug"
    if not (d["drugs"] or d["drug_classes"]) and not (_WINDOW.search(text) or washout) and section == "inclusion" \
            and not _PRIOR_WORD.search(f"{context or ''} {text}"):
        return mention
    if _PLANNED.search(text):
        d["timing"] = "planned"
    elif _CURRENT.search(text):
        d["timing"] = "current"
    span = [first, last]
    _therapy_window(text, d, washout, span)
    _therapy_exposure(text, d, span)
    _therapy_lines(text, d)
    if _QUALIFIED.search(text) and d["window_days"] is None and d["min_exposure"] is None and not d.get("max_exposure") \
            and "max_lines" not in d:
        d["qualified"] = True
    d["span"] = text[span[0] or 0 : span[1] or len(text)].strip()
    return [d] + mention


def _therapy_names(text: str, d: dict[str, Any], found_drugs: list[tuple[str, int, int]],
                   found_classes: list[tuple[str, int, int]], ctx_ranges: list[tuple[int, int]],
                   excepted: list[tuple[int, int]]) -> tuple[int | None, int | None]:
    """Fill drugs, classes, therapies (and the excepted ones) named as the subject; the
    first and last position of what was named."""
    first: int | None = None
    last: int | None = None
    for key, found in (("drugs", found_drugs), ("drug_classes", found_classes)):
        for name, a, b in found:
            if _inside(ctx_ranges, a, b):
                continue
            target = f"except_{key}" if _inside(excepted, a, b) else key
            if name not in d.setdefault(target, []):
                d[target].append(name)
                first = a if first is None else min(first, a)
                last = b if last is None else max(last, b)
    for name, rx in _opened(_THERAPY_RES, _THERAPY_GATES, text):
        m = rx.search(text)
        if m and not _inside(ctx_ranges, m.start(), m.end()):
            d["therapies"].append(name)
            first = m.start() if first is None else min(first, m.start())
            last = m.end() if last is None else max(last, m.end())
    return first, last


def _therapy_window(text: str, d: dict[str, Any], washout: re.Match[str] | None, span: list[int | None]) -> None:
    """The window, its kind (``within``: a dose inside it counts; ``washout``: the last
    dose must be at least that long ago) and what it is counted from (``anchor``)."""
    w = washout or _WINDOW.search(text)
    if not w:
        return
    groups = w.groupdict()
    if groups.get("v5") is not None:
        v, u = 0.0, "d"  # "after stopping prior X": any time since the last dose
    else:
        v = _number(next((groups[g] for g in ("v", "v2", "v3", "v4") if groups.get(g)), None) or "")
        u = units.ucum_code(next((groups[g] for g in ("u", "u2", "u3", "u4") if groups.get(g)), None) or "")
    if v is None or not u:
        return
    d["window"] = units.iso_duration(v, u)
    d["window_days"] = units.window_days(v, u)
    d["window_kind"] = "washout" if washout else "within"
    a = _ANCHOR.search(text, w.start())
    if a and a.start() - w.end() < 40:
        d["anchor"] = "study_entry" if a.group("entry") else re.sub(r"\W+", "_", a.group("event").lower())
    span[0] = w.start() if span[0] is None else min(span[0], w.start())
    span[1] = w.end() if span[1] is None else max(span[1], w.end())


def _therapy_exposure(text: str, d: dict[str, Any], span: list[int | None]) -> None:
    e = _EXPOSURE.search(text)
    if not e or e.group("u").lower().startswith("cycle"):
        return
    v = _number(e.group("v"))
    u = units.ucum_code(e.group("u"))
    op = (e.group("op") or "").lower()
    if v is None or not u:
        return
    key = "max_exposure" if _MAX_OP.search(op) else "min_exposure"
    d[key] = units.iso_duration(v, u)
    if key == "min_exposure" and re.search(r"more than|longer than|over|exceed|>(?!=)", op):
        d["exposure_strict"] = True
    span[0] = e.start() if span[0] is None else min(span[0], e.start())
    span[1] = e.end() if span[1] is None else max(span[1], e.end())


def _mention_constraints(text: str, contexts: list[tuple[str, int, int]], found_drugs: list[tuple[str, int, int]],
                         found_classes: list[tuple[str, int, int]]) -> list[dict[str, Any]]:
    """Drugs named as context: one ``drug_mention`` constraint per kind of context."""
    out: dict[str, dict[str, Any]] = {}
    seen: set[tuple[str, int]] = set()
    for kind, a, b in contexts:
        for key, found in (("drugs", found_drugs), ("drug_classes", found_classes)):
            for name, x, y in found:
                if a <= x and y <= b and (name, x) not in seen:
                    seen.add((name, x))
                    c = out.setdefault(kind, {"type": "drug_mention", "context": kind, "drugs": [], "drug_classes": [],
                                              "role": "context", "span": text[a:b].strip()})
                    if name not in c[key]:
                        c[key].append(name)
    return list(out.values())


# ---------------------------------------------------------------- other types

_HISTO = Gated(
    r"\b(?:histolog\w*|cytolog\w*|patholog\w*)\s*(?:and/or|or|and)?\s*(?:histolog\w*|cytolog\w*|patholog\w*)?\s*"
    r"(?:confirmed|proven|documented|diagnosed|verified|evidence)\b|\bdiagnosed by (?:histology|pathology|biopsy)\b|\bhistolog\w* (?:type|subtype)s?\b",
    re.IGNORECASE,
)
_EXCEPT = Gated(r"\b(?:except(?: for)?|excluding|other than|with the exception of|not including)\b\s*(?P<list>[^;.]{3,400})", re.IGNORECASE)
# A marker name, followed by its status or a break: "HER2-negative", "ER+/PR+", "HR-positive",
# "ER-, PR-, HER2-" (NCT03424005), "HER2 status" (NCT03133988); not "PD-L1-targeted".
_BIOMARKER = Gated(
    rf"(?<![\w-])(?P<gene>{lexicon.BIOMARKER_GENES}|HR|(?i:(?:o?estrogen|progesterone|hormone|androgen)[\s-]+receptors?))"
    r"(?=$|[^\w-]|-(?i:positive|negative|pos|neg|low|high|status|mutant|mutated|amplified|expressing|overexpressing)\b"
    r"|-(?=$|\W))"
)
# "ER+ and/or PR+", "ER or PR positive", "ER+/PR+" (PALLAS NCT02513394, NCT03133988): one
# hormone-receptor requirement, met by either receptor.
_ER_OR_PR = Gated(r"\b(?:ER|o?estrogen[\s-]+receptor)\s*(?:\+|-?\s*positive)?\s*(?:and/or|or|/)\s*"
                  r"(?:PR|progesterone[\s-]+receptor)\s*(?:\+|-?\s*positive)?", re.IGNORECASE)
# "triple negative breast cancer", "TNBC": ER, PR and HER2 negative (NCT03424005, NCT02576665).
_TRIPLE_NEGATIVE = Gated(r"\btriple[\s-]+negative\b|\bTNBC\b", re.IGNORECASE)
_REPRO = [
    ("pregnancy", Gated(r"pregnan\w*", re.I)),
    ("breastfeeding", Gated(r"breast[- ]?feed\w*|lactat\w*|nursing", re.I)),
    ("contraception", Gated(r"contracept\w*|birth control|sterili[sz]\w*|childbearing|child-bearing|fertile|abstinence", re.I)),
]
_CONSENT = Gated(
    r"informed consent|consent form|sign(?:ed)? (?:the )?consent|willing(?:ness)? (?:and able )?to (?:comply|participate|follow|undergo)|"
    r"able to (?:comply|understand)|compliance|comply with|legal(?:ly)? (?:authori[sz]ed )?representative|signed consent|voluntar\w* (?:join|particip|sign)",
    re.IGNORECASE,
)
_SEX_ALL = Gated(r"\b(?:male|men)\s*(?:or|and|/|&)\s*(?:female|women)\b|\b(?:female|women)\s*(?:or|and|/|&)\s*(?:male|men)\b|regardless of (?:gender|sex)|both (?:sexes|genders)|either (?:sex|gender)", re.I)
_SEX_ONE = Gated(r"^\W*(?:(?:adult|postmenopausal|premenopausal|pre- or postmenopausal)\s+)?(?P<sex>female|women|woman|male|men|man)\b(?!\s*(?:or|and|/)\s*(?:fe)?male)", re.I)
# Patterns start at a word start: "toxicity" inside "nephrotoxicity" is not a toxicity.
_DISEASE_RES = [(k, Gated(rf"(?<!\w)(?:{p})", re.IGNORECASE)) for k, p in lexicon.DISEASE_STATES]
_COMORB_RES = [(k, Gated(rf"(?<!\w)(?:{p})", re.IGNORECASE if not k.startswith("hiv") else 0))
               for k, p in lexicon.COMORBIDITIES]
_DISEASE_GATES = GateSet([g for _, g in _DISEASE_RES])
_COMORB_GATES = GateSet([g for _, g in _COMORB_RES])
_NEGATION = Gated(
    r"^\W*(?:no|not|none|never|without|absence of|free of|lack of|negative for)\b|"
    r"\b(?:have|has|had|did|do|does|must|should|will|can|could|may)\s+(?:not|never)\b|"
    r"\b(?:haven't|hasn't|hadn't|didn't|don't|doesn't|cannot|can't)\b|"
    r"\bno (?:prior|previous|history|known|active|evidence|current|concurrent|other|significant|serious|major|uncontrolled|symptomatic|clinical)\b|"
    r"\bnot (?:previously|received|been|had|have|undergone)\b|\bnaive\b|\bnaïve\b",
    re.IGNORECASE,
)


def _histology(text: str) -> list[dict[str, Any]]:
    m = _HISTO.search(text)
    if not m:
        return []
    rest = text[m.end() :]
    inc = _HISTO_REST.match(rest)
    included = inc.group("h").strip(" ,") if inc else None
    excluded: list[str] = []
    ex = _EXCEPT.search(text)
    if ex:
        for part in _LIST_SPLIT.split(ex.group("list")):
            p = part.strip(" ().,")
            p = _ETC.sub("", p).strip()
            if 2 < len(p) < 80:
                excluded.append(p)
    return [{"type": "histology", "histology": included, "excluded_histology": excluded,
             "span": text[m.start() : (ex.end() if ex else m.end() + (inc.end() if inc else 0))].strip()}]


def _biomarkers(text: str) -> list[dict[str, Any]]:
    out = []
    seen = set()
    for m in _BIOMARKER.finditer(text):
        gene = m.group("gene")
        window = text[max(0, m.start() - 40) : m.end() + 60]
        kind = None
        for k, rx in _BIOMARKER_KIND_RES:
            if rx.search(window):
                kind = k
                break
        if kind is None or gene in seen:
            continue
        gene = _RECEPTOR_NAMES.get(re.sub(r"[\s-]+", " ", gene.lower()).rstrip("s"), gene)
        if gene.upper() in ("ER", "PR", "AR", "HR", "MET", "RET", "ATM", "KIT") and not _MARKER_WORD.search(window):
            continue
        if gene.upper() == "HR" and not re.match(r"[\s-]*(?:positive|negative|[+-])", text[m.end():m.end() + 12], re.I):
            continue  # HR is also hazard ratio, heart rate: only with its status
        if gene in seen:
            continue
        seen.add(gene)
        d: dict[str, Any] = {"type": "biomarker", "gene": gene.upper().replace("HER-2", "HER2"), "kind": kind, "span": window.strip()}
        var = _MARKER_VARIANT.search(window)
        if var:
            d["variant"] = var.group(1)
        thr = _MARKER_THRESHOLD.search(window)
        if thr:
            d["threshold"] = thr.group(0)
        pol = _POLARITY.search(text[m.end() : m.end() + 30])
        if pol:
            d["status"] = "positive" if pol.group(0).lower() in ("positive", "+") else "negative"
        out.append(d)
    if _ER_OR_PR.search(text):
        receptors = [d for d in out if d["gene"] in ("ER", "PR") and d.get("status", "positive") == "positive"]
        if len(receptors) == 2:
            out = [d for d in out if d not in receptors]
            if "HR" not in {d["gene"] for d in out}:
                out.append({**receptors[0], "gene": "HR", "span": _ER_OR_PR.search(text).group(0)})
    if _TRIPLE_NEGATIVE.search(text):  # "TNBC (absence of HER2, ER, and PR expression)": all three negative
        for d in out:
            if d["gene"] in ("ER", "PR", "HER2"):
                d["status"] = "negative"
        out += [{"type": "biomarker", "gene": g, "kind": "expression", "status": "negative", "span": "triple negative"}
                for g in ("ER", "PR", "HER2") if g not in seen]
    return out


_RECEPTOR_NAMES = {"estrogen receptor": "ER", "oestrogen receptor": "ER", "progesterone receptor": "PR",
                   "hormone receptor": "HR", "androgen receptor": "AR"}


# Words that qualify a CNS metastasis ("untreated brain metastases") rather than state
# something about the disease as a whole: they belong to the CNS constraint.
_CNS_QUALIFIER = re.compile(
    r"(?:\b(?:known|untreated|treated|symptomatic|asymptomatic|active|stable|unstable|progressive|progressing|"
    r"uncontrolled|controlled|previously|actively|and|or|and/or|new|newly)[\s,]+)+$",
    re.IGNORECASE,
)
# An organ word that names where a tumour grows ("gastrointestinal stromal tumour",
# "thyroid cancer"), not a comorbidity of that organ.
_TUMOUR_SITE_AFTER = re.compile(
    r"[\s-]*(?:[a-z]+[\s-]+){0,2}(?:carcinomas?|cancers?|tumou?rs?|neoplasms?|sarcomas?|lymphomas?|adenocarcinomas?|"
    r"malignan\w*|GIST)\b",
    re.IGNORECASE,
)


_BARE_METASTASES = Gated(r"\bmetastas[ie]s\b", re.IGNORECASE)


def _free_matches(rx: re.Pattern[str], text: str, taken: list[tuple[int, int]]) -> list[re.Match[str]]:
    """The matches of ``rx`` that overlap no span already read as another state.

    A phrase gives one constraint, the most specific: "brain metastases" is a CNS
    metastasis, not also advanced disease; "human immunodeficiency virus" is HIV, not
    also an immunodeficiency. The same word in another phrase of the item still counts.
    """
    return [m for m in rx.finditer(text)
            if m.end() > m.start() and not any(a < m.end() and m.start() < b for a, b in taken)]


_PRIMARY_BEFORE = re.compile(r"\bprimary\s+(?:[A-Za-z-]+\s+)?$", re.IGNORECASE)


def _disease_states(text: str, section: str, taken: list[tuple[int, int]] | None = None) -> list[dict[str, Any]]:
    """Disease states, most specific first (``DISEASE_STATES`` order), one per phrase.

    ``taken`` holds spans already read (condition phrases of thresholds, "with liver
    metastases"); every phrase read here is added to it.
    """
    taken = taken if taken is not None else []
    out = []
    for key, rx in _opened(_DISEASE_RES, _DISEASE_GATES, text):
        found = _free_matches(rx, text, taken)
        if key == "cns_metastases":
            # "primary central nervous system tumors" grow there; they are no metastases
            primary = [f for f in found if _PRIMARY_BEFORE.search(text, max(0, f.start() - 30), f.start())
                       and not _METS_WORD.search(f.group(0))]
            taken.extend((f.start(), f.end()) for f in primary)
            found = [f for f in found if f not in primary]
        if not found:
            continue
        m = found[0]
        d = {"type": "disease_state", "state": key, "required": section == "inclusion", "span": m.group(0)}
        if key == "measurable_disease" and "RECIST" in text:
            d["standard"] = "RECIST 1.1" if _RECIST_11.search(text) else "RECIST"
        out.append(d)
        for f in found:
            start = f.start()
            if key == "cns_metastases":
                q = _CNS_QUALIFIER.search(text, 0, f.start())
                start = q.start() if q else start
            taken.append((start, f.end()))
        if key == "cns_metastases":
            # in an item about CNS metastases a bare "metastases" ("no evidence of new or
            # enlarged metastases") speaks of the same lesions
            taken.extend((b.start(), b.end()) for b in _BARE_METASTASES.finditer(text))
    return out


def _condition_spans(text: str, numeric: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Where the conditions of thresholds are written ("ALT <= 5 x ULN with liver
    metastases"): a condition of a lab limit is not a disease state of the trial."""
    names = {c.get("applies_if") for c in numeric if c.get("applies_if")}
    if not names:
        return []
    return [(m.start(), m.end()) for name, rx in _CONDITION_RES if name in names for m in rx.finditer(text)]


def _comorbidities(text: str, section: str, taken: list[tuple[int, int]] | None = None) -> list[dict[str, Any]]:
    """Comorbidities, one per phrase (see ``_free_matches``), skipping organ words that
    name a tumour site ("gastrointestinal stromal tumour")."""
    taken = taken if taken is not None else []
    out = []
    for key, rx in _opened(_COMORB_RES, _COMORB_GATES, text):
        found = [m for m in _free_matches(rx, text, taken)
                 if key == "other_malignancy" or not _TUMOUR_SITE_AFTER.match(text, m.end())]
        if found:
            out.append({"type": "disease_state", "state": key, "required": section == "inclusion",
                        "comorbidity": True, "span": found[0].group(0)})
            taken.extend((m.start(), m.end()) for m in found)
    return out


def _reproductive(text: str) -> list[dict[str, Any]]:
    out = []
    for key, rx in _REPRO:
        m = rx.search(text)
        if m:
            out.append({"type": "reproductive", "state": key, "span": m.group(0)})
    return out


def _sex(text: str) -> list[dict[str, Any]]:
    m = _SEX_ALL.search(text)
    if m:
        return [{"type": "sex", "sex": "ALL", "span": m.group(0)}]
    m = _SEX_ONE.search(text)
    if m and not _REPRO_WORD.search(text):
        s = m.group("sex").lower()
        return [{"type": "sex", "sex": "FEMALE" if s.startswith(("f", "w")) else "MALE", "span": m.group(0).strip()}]
    return []


# ---------------------------------------------------------------- the item

_CATEGORY_OF_TYPE = {
    "age": "age", "sex": "sex", "performance_status": "performance_status", "prior_therapy": "prior_therapy",
    "histology": "histology", "biomarker": "biomarker", "life_expectancy": "life_expectancy",
    "reproductive": "reproductive", "consent": "consent",
}
# When an item carries several constraint types, the most specific names its category.
_CATEGORY_PRIORITY = [
    "age", "performance_status", "life_expectancy", "lab", "vital", "prior_therapy", "biomarker",
    "histology", "reproductive", "disease_state", "comorbidity", "consent", "sex",
]


def criterion_id(section: str, position: int) -> str:
    """``inc-3`` / ``exc-1``: the section and the 1-based position in it."""
    return f"{'inc' if section == 'inclusion' else 'exc'}-{position}"


def parse_item(item: CriterionItem, trial_id: str | None = None) -> dict[str, Any]:
    """The criterion JSON (docs/criteria.md) for one item (always at least one constraint),
    with its logic (``role``, ``negation_scope``, ``applies_if`` ...: see criteria/logic.py)."""
    text = item.text or ""
    section = item.section
    constraints, negated, cat, keys = _read(text, section, item.context)
    out: dict[str, Any] = {
        "id": criterion_id(section, item.position),
        "section": section,
        "text": text,
        "negated": negated,
        "category": cat,
        "constraints": _copy(constraints) or [{"type": "unparsed", "span": text}],
        "position": item.position,
        "context": item.context,
    }
    out.update(_copy(keys))
    scope = getattr(item, "scope", None)
    if scope:
        out["scope"] = scope
    if trial_id:
        out["trial_id"] = trial_id
    return out


_IF_CLAUSE = Gated(r"\b(?:if|when|whenever|in case)\s+(?!not\b)(?:[^,;:().]|\.(?=\d)){3,160}?(?=,|\s+then\b)", re.IGNORECASE)


def _in_if_clause(text: str, c: Comparison) -> bool:
    """"If the first recorded QTc exceeds 480 msec, two more ECGs are required": a
    threshold in a leading if-clause triggers what follows; it is no limit itself."""
    return any(m.start() <= c.start and c.end <= m.end() for m in _IF_CLAUSE.finditer(text))


# ---------------------------------------------------------------- the memo
#
# Registries repeat boilerplate items ("Signed informed consent", "ECOG 0-1") across
# thousands of trials, and an item's reading depends only on its text, section and
# header context. Readings are memoised on that key; callers always get their own copy.

_MEMO_SIZE = 32768
_MEMO_MAX_CHARS = 4000  # longer items are rare and rarely repeated: not worth the memory


def _read_fresh(text: str, section: str, context: str | None) -> tuple[list[dict[str, Any]], bool, str, dict[str, Any]]:
    constraints, keys = _criterion_logic(text, section, context)
    subject = [c for c in constraints if c.get("role", "subject") == "subject"] or constraints
    return constraints, bool(_NEGATION.search(text)), _category(subject, text), keys


def _criterion_logic(text: str, section: str, context: str | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The item's constraints (subject, condition and exception ones, each with its
    ``role``) and the criterion's logic keys."""
    cl = logic.clauses(text)
    constraints = _parse_text(cl.body, section, context) if cl.condition or cl.body != text else None
    if constraints is None:
        constraints = _parse_text(text, section, context)
        trailing = logic.trailing_condition(text)
        if trailing is not None and not any(c.get("applies_if") for c in constraints):
            body = _parse_text(trailing.body, section, context)
            if body:
                cl, constraints = trailing, body
    scope = logic.negation_scope(cl.body, section)
    keys: dict[str, Any] = {
        "role": logic.role(text, section, scope),
        "negation_scope": scope,
        "strictness": logic.strictness(text),
    }
    if logic.open_alternative(_without(cl.body, logic.except_spans(cl.body, to_sentence_end=True))):
        keys["open_alternative"] = True
    permit_from = logic.permission_from(cl.body)
    if permit_from is not None:
        # "Prior use of pazopanib ... Prior therapy with other angiogenesis inhibitors is
        # permitted" (NCT00722293): the later sentence admits, the first excludes.
        constraints = _parse_text(cl.body[:permit_from], section, context)
        permitted = cl.body[permit_from:]
        # "ECOG PS 2 patients are eligible if the PS 2 depends solely on ..." (NCT01804374):
        # what the permission is conditioned on stays with its constraints
        cond = _PERMIT_IF.search(permitted)
        for c in _parse_text(permitted[: cond.start()] if cond else permitted, section, context):
            if c["type"] != "drug_mention":
                constraints.append({**c, "role": "permission",
                                    **({"applies_if": cond.group("cond").strip()} if cond and not c.get("applies_if") else {})})
    logic.alternative_groups(cl.body, constraints)
    for c in constraints:
        if c.get("applies_if") and "applies_if_facts" not in c:
            facts = logic.condition_facts(str(c["applies_if"]))
            if facts:
                c["applies_if_facts"] = facts
    if cl.condition:
        cond_scope = logic.negation_scope(cl.condition, "inclusion")
        keys["applies_if"] = cl.condition
        keys["applies_if_facts"] = logic.condition_facts(cl.condition)
        keys["applies_if_negated"] = cond_scope == "criterion"
        for c in _parse_text(cl.condition, "inclusion", None) or _relative_condition(cl.condition):
            if c["type"] == "histology" and c.get("histology"):
                # the condition names the types it is for: all of them ("Primary tumors of
                # bone including Ewing's sarcoma, osteosarcoma, ...", NCT02636725)
                c = {**c, "histology": cl.condition}
            if c["type"] != "drug_mention":
                constraints.append({**c, "role": "condition"})
    if cl.exception:
        keys["exception"] = cl.exception
        for c in _parse_text(cl.exception, "inclusion", None):
            if c["type"] != "drug_mention":
                constraints.append({**c, "role": "exception"})
    return constraints, keys


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the given character ranges blanked (an alternative inside an "except
    in patients with ... or patients with ..." clause is no alternative of the item)."""
    for a, b in spans:
        text = text[:a] + " " * (b - a) + text[b:]
    return text


_PERMIT_IF = Gated(r"\b(?:if|provided(?:\s+that)?|as\s+long\s+as|when|only\s+if)\s+(?P<cond>.{3,})$", re.IGNORECASE | re.DOTALL)
# A condition naming a value against its reference range: "for patients with creatinine
# levels above institutional normal" (NCT02465060), "for patients with serum creatinine
# levels above institutional ULN" (NCT02513394), "with bilirubin above the upper limit of
# normal", "elevated ALT".
_ABOVE_NORMAL = Gated(
    r"\b(?:(?P<above>above|greater\s+than|higher\s+than|exceeding|over|>|elevated|abnormal)|(?P<below>below|less\s+than|lower\s+than|<))"
    r"\s*(?:the\s+)?(?:institutional\s+)?(?:(?:upper|lower)\s+limits?\s+of\s+)?(?:institutional\s+)?(?:normal|ULN|LLN|reference)?",
    re.IGNORECASE,
)


def _relative_condition(text: str) -> list[dict[str, Any]]:
    """A variable above (below) its normal range, as a numeric constraint on the multiple
    of ULN (LLN), for conditions no comparison rule reads."""
    mentions = find_variables(text)
    m = _ABOVE_NORMAL.search(text)
    if not mentions or not m or not (m.group(0).strip().lower() in ("elevated", "abnormal") or
                                     re.search(r"normal|ULN|LLN|reference", m.group(0), re.IGNORECASE)):
        return []
    above = bool(m.group("above"))
    ref = "ULN" if above else "LLN"
    return [{"type": "numeric", "variable": mentions[0].variable, "comparator": ">" if above else "<", "value": 1,
             "value2": None, "unit": None, "relative_to": ref, "canonical_value": None, "canonical_unit": None,
             "applies_if": None, "span": text[mentions[0].start : m.end()].strip()}]


_memo = lru_cache(maxsize=_MEMO_SIZE)(_read_fresh)


def _read(text: str, section: str, context: str | None) -> tuple[list[dict[str, Any]], bool, str, dict[str, Any]]:
    """(constraints, negated, category, logic keys) of an item; shared, never to be mutated."""
    if _memo is None or len(text) > _MEMO_MAX_CHARS:
        return _read_fresh(text, section, context)
    return _memo(text, section, context)


def set_parse_cache(size: int = _MEMO_SIZE) -> None:
    """Resize (and empty) the item memo; ``0`` turns it off (benchmarks measure both)."""
    global _memo
    _memo = lru_cache(maxsize=size)(_read_fresh) if size > 0 else None


def parse_cache_info() -> Any:
    """``functools`` cache statistics of the item memo (hits, misses, size), or None."""
    return _memo.cache_info() if _memo is not None else None


def _copy(value: Any) -> Any:
    """A deep copy of constraint JSON (dicts, lists, scalars): cheaper than ``copy.deepcopy``."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def parse_text(text: str, section: str = "inclusion", context: str | None = None) -> list[dict[str, Any]]:
    """The constraints of one item's text (empty when no rule understands it)."""
    return _copy(_read(text, section, context)[0])


def _parse_text(text: str, section: str, context: str | None) -> list[dict[str, Any]]:
    """``parse_text`` without the memo: every rule, in order."""
    if not text.strip():
        return []
    if len(text) > 20000:
        text = text[:20000]  # one "item" this long is a splitting failure; keep it bounded
    out: list[dict[str, Any]] = []
    ps, ps_spans = _ps_constraints(text)
    nyha = _nyha(text)
    if nyha:
        m = _NYHA.search(text)
        ps_spans.append((m.start(), m.end()) if m else (0, 0))
    comps = [c for c in find_comparisons(text) if not any(a <= c.start < b for a, b in ps_spans)]
    used: set[int] = set()
    mentions = find_variables(text)
    out += _age_constraints(text, comps, used, mentions)
    out += _life_constraints(text, comps, used)
    out += ps
    rest = [c for i, c in enumerate(comps) if i not in used and not _in_if_clause(text, c)]
    numeric = _numeric_constraints(text, rest, mentions) + nyha
    numeric += _scale_values(text, comps, mentions, {c["variable"] for c in numeric})
    out += numeric
    out += _sex(text)
    out += _prior_therapy(text, section, context)
    histo = _histology(text)
    out += histo
    out += _biomarkers(text)
    taken = _condition_spans(text, numeric)
    disease = _disease_states(text, section, taken)
    out += disease
    comorb: list[dict[str, Any]] = []
    if not numeric or section == "exclusion":
        comorb = _comorbidities(text, section, taken)
        out += comorb
    out += _reproductive(text)
    m = _CONSENT.search(text)
    if m:
        out.append({"type": "consent", "required": True, "span": m.group(0)})
    if not histo:
        out += _diagnosis(text, section)
    if not out:
        out += _condition_mention(text, section)
    if not out:
        p = _PARTICIPATION.search(text)
        if p:
            out.append({"type": "consent", "required": section == "inclusion", "aspect": "participation",
                        "span": p.group(0)})
    return out


_CANCER = Gated(rf"(?<![\w-])(?:{lexicon.CANCER_TERMS})(?![\w-])", re.IGNORECASE)
_CONDITION_WORD = Gated(lexicon.CONDITION_WORDS, re.IGNORECASE)
_PARTICIPATION = Gated(lexicon.PARTICIPATION, re.IGNORECASE)


def _phrase_around(text: str, m: re.Match[str]) -> str:
    """The noun phrase ending at a match: up to four words before it, within the clause."""
    left = text[max(0, m.start() - 60) : m.start()]
    left = _PHRASE_CUT.split(left)[-1]
    words = left.split()[-4:]
    return " ".join(words + [m.group(0)]).strip()


def _diagnosis(text: str, section: str) -> list[dict[str, Any]]:
    """A cancer diagnosis required (inclusion) or excluded (exclusion): histology."""
    m = _CANCER.search(text)
    if not m:
        return []
    phrase = _phrase_around(text, m)
    if section == "inclusion":
        return [{"type": "histology", "histology": phrase, "excluded_histology": [], "span": phrase}]
    return [{"type": "histology", "histology": None, "excluded_histology": [phrase], "span": phrase}]


def _condition_mention(text: str, section: str) -> list[dict[str, Any]]:
    """A named condition no finer rule knows: kept as a disease state with its words."""
    m = _CONDITION_WORD.search(text)
    if not m:
        return []
    phrase = _phrase_around(text, m)
    return [{"type": "disease_state", "state": "condition", "condition": phrase,
             "required": section == "inclusion", "comorbidity": True, "span": phrase}]


def _category(constraints: list[dict[str, Any]], text: str) -> str:
    cats = []
    for c in constraints:
        t = c["type"]
        if t == "numeric":
            cats.append("vital" if c.get("variable") in lexicon.VITALS else "lab")
        elif t == "disease_state":
            cats.append("comorbidity" if c.get("comorbidity") else "disease_state")
        elif t in _CATEGORY_OF_TYPE:
            cats.append(_CATEGORY_OF_TYPE[t])
    for p in _CATEGORY_PRIORITY:
        if p in cats:
            return p
    return "other"
