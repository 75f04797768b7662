"""Measure the criteria parser against human gold it was not written from.

Corpora (vendored in ``benchmarks/data/criteria/``, see SOURCES.md there):

- LCT 60: the oncology-heavy 60-trial Leaf Clinical Trials sample (brat standoff).
- LCT dev 300: 300 trials drawn at random from the rest of LCT, split by the SHA-1 of the
  NCT id into a tuning part (digest ends 0-7) and a held-out part (8-f). Rules are
  written from the tuning part; the held-out figures show how they generalise.
- Facebook: the Clinical-Trial-Parser medical NER test split (numbers masked).

LCT gold: an ``Observation`` or ``Age`` event with a ``Numeric-Filter`` pointing at an
``Eq-Comparison`` with a value gives one tuple (variable, comparator, value, unit):

- variable: ``Age`` -> ``age``; performance scales -> ``ecog`` / ``karnofsky``; life
  expectancy -> ``life_expectancy``; other names through the parser's variable finder
  (one name per variable, from the variable table); anything else keeps a slug of its
  name (the parser has no name for it: these count as misses, never as matches).
- comparator: the annotators' operator label (EQ ``=``, LT ``<``, LTEQ ``<=``, GT ``>``,
  GTEQ ``>=``, BETWEEN ``between``); two values without a label of their own -> ``between``,
  one -> ``=``; one labelled operator decides even when a second number is part of the unit
  ("<45 ml/min/1.73 m2"). Where a label contradicts the operator text it labels ("≥"
  labelled GT) either reading counts (``gold_operator``). A blood pressure pair ("> 140/90")
  is a systolic and a diastolic limit, and a lower and an upper inclusive bound match a
  gold ``between`` from that lower bound (``align_equivalent``).
- value: the first value, read with the parser's number reader (decimal commas,
  thousands separators, number words).
- unit: LCT marks only a fragment of the unit, so it is read from the annotated comparison
  span with the parser's unit reader (or right after a span that ends at its value: ">35"
  then "%"); a temporal unit gives ``a``/``mo``/``wk``/``d``;
  an ``Age`` without a unit is in years.

A prediction is placed on the line where its number is (so a right tuple on the wrong
line is both a miss and an extra). A prediction whose number lies inside a comparison
the annotators did not attach to a variable (a duration of a drug, a dose) is left out:
the gold says nothing about it. Scores are micro-averaged; matching is a multiset match
per line. ``strict`` = all four fields; ``value_only`` = variable and value.

Facebook gold: each ``lower_bound`` / ``upper_bound`` span with the variable
(``clinical_variable``, ``age``, ``bmi``) nearest before it on the line; a prediction
is (variable, bound side). Values are masked as ``@NUMBER`` in that corpus, so the
lines are parsed with the masks read as 2, 3, 4 ... (so ranges rise) and only variable
and side are scored.

Coverage: the share of items with a constraint other than ``unparsed``, or with an
explicit statement of why none applies: a role (``information``, ``permission``) or an
``unparsed`` constraint with a ``reason`` (a threshold refused as implausible).

Run: ``python benchmarks/criteria_eval.py [--details lct60|tune|held_out|facebook] [--json]``
(``--details`` lists each missed and extra tuple with the text of its line; read the
tuning part and the LCT 60 for misses, the held-out part only for its figures);
``--speed`` measures the drug search and the parse of a 1 MB criteria text.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from bisect import bisect_right
from collections import Counter, defaultdict
from pathlib import Path

from trialkg.criteria import parse_criteria_text
from trialkg.criteria.lexicon import COUNTED_NOUNS
from trialkg.criteria.numbers import read_number
from trialkg.criteria.rules.binding import find_variables
from trialkg.criteria.rules.life import LIFE
from trialkg.criteria.rules.performance import PS
from trialkg.criteria.rules.therapy import drug_mentions
from trialkg.criteria.units import match_unit
from trialkg.criteria.variables import family_of

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data" / "criteria"
LCT60 = DATA / "lct" / "ner_nic_sample"
DEV300 = DATA / "lct" / "ner_nic_dev300"
FACEBOOK = DATA / "facebook" / "test_processed_medical_ner.tsv"
CTGOV = ROOT / "tests" / "data" / "ctgov"

_OPS = {"EQ": "=", "LT": "<", "LTEQ": "<=", "GT": ">", "GTEQ": ">=", "BETWEEN": "between"}
_TEMPORAL = {"year": "a", "years": "a", "month": "mo", "months": "mo", "week": "wk", "weeks": "wk",
             "day": "d", "days": "d", "hour": "h", "hours": "h", "hrs": "h", "minute": "min", "minutes": "min",
             "min": "min", "second": "s", "seconds": "s", "sec": "s"}
# A reference in the annotated span; a multiple of "normal" ("> 3 times normal values") is
# a multiple of the upper limit of normal, as the parser reads it.
_REF = re.compile(r"ULN|UNL|upper limit|normal upper|maximum normal|upper normal|(?:times|x|×)\s*(?:the\s+)?normal(?![\s-]*(?:range|limits?))"
                  r"|(?:twice|thrice|times|fold)\s+(?:higher|greater|more|above)\s+than\s+(?:the\s+)?normal", re.I)
_LLN = re.compile(r"LLN|lower limit", re.I)
_SCORED_TYPES = ("numeric", "age", "life_expectancy", "performance_status")
_NO_CONSTRAINT_ROLES = {"information", "permission"}


def held_out(doc: str) -> bool:
    """Whether an LCT document is in the held-out part of the dev 300 (by its NCT id)."""
    nct = re.search(r"NCT\d{8}", doc)
    key = nct.group(0) if nct else doc
    return hashlib.sha1(key.encode()).hexdigest()[-1] in "89abcdef"


# ---------------------------------------------------------------- LCT gold


def _load_ann(path: Path) -> tuple[dict, dict, dict]:
    T: dict[str, tuple[str, int, int, str]] = {}
    E: dict[str, tuple[str, str, list[tuple[str, str]]]] = {}
    A: dict[str, str] = {}
    for line in open(path, encoding="utf-8"):
        parts = line.rstrip("\n").split("\t")
        if not parts[0]:
            continue
        if parts[0].startswith("T") and len(parts) >= 3:
            head = parts[1].split(" ")
            try:
                T[parts[0]] = (head[0], int(head[1]), int(head[-1]), parts[2])
            except ValueError:
                continue
        elif parts[0].startswith("E"):
            fields = parts[1].split()
            typ, trig = fields[0].split(":", 1)
            args = [tuple(a.split(":", 1)) for a in fields[1:] if ":" in a]
            E[parts[0]] = (typ, trig, args)  # type: ignore[assignment]
        elif parts[0].startswith("A"):
            fields = parts[1].split()
            if len(fields) >= 3:
                A[fields[1]] = fields[2]
    return T, E, A


# Multiplicative words the annotators mark as a value: "twice higher than normal".
_MULTIPLES = {"twice": 2.0, "thrice": 3.0}


def _gold_number(s: str) -> float | str:
    if s.strip().lower() in _MULTIPLES:
        return _MULTIPLES[s.strip().lower()]
    v = read_number(s.strip())
    return float(v) if v is not None else s.strip()


def map_variable(kind: str, name: str) -> str:
    """The parser's name for a gold variable span: the table variable it names, else
    ``other:`` and its words. A span naming a survival or a prognosis alone ("with
    prognosis <6 months", LCT NCT03868761) is the life expectancy the parser reads there."""
    if kind == "Age":
        return "age"
    if re.search(r"karnofsky|\bKPS\b", name, re.I):
        return "karnofsky"
    if re.search(r"lansky|\bLPS\b", name, re.I):
        return "lansky"
    if re.search(r"NYHA|New York Heart", name, re.I):
        return "nyha"
    if PS.search(name):
        return "ecog"
    if LIFE.search(name) or re.search(r"survival|^prognosis$", name, re.I):
        return "life_expectancy"
    found = find_variables(name)
    if found:
        return found[-1].variable
    return "other:" + "_".join(re.findall(r"[a-z0-9]+", name.lower()))


def counted_variable(comparison: str) -> str | None:
    """The variable a comparison's own count noun names: "at least 30 pack-years", "more
    than 10 cigarettes in a day" measure pack-years and cigarettes per day whatever the
    observation is called ("smoked", "smoking history"), and "years" inside "pack-years"
    is no time unit (``lexicon.COUNTED_NOUNS``)."""
    for m in find_variables(comparison):
        if m.variable in COUNTED_NOUNS:
            return m.variable
    return None


_NEXT_BOUND = re.compile(r"\s*(?:and|or|to|,|-|–)?\s*(?:[<>≤≥]=?|less than|more than|greater than)?\s*[\d.,]+\s*")


def gold_unit(span: str, first_value: str, temporal: list[str], kind: str, after: str = "") -> str | None:
    if temporal:
        code = _TEMPORAL.get(temporal[0].lower(), temporal[0].lower())
        # a rate: "> 90 beats/min", "< 140/min", "per minute"
        return "/" + code if re.search(rf"(?:/|\bper)\s*{re.escape(temporal[0])}", span, re.I) else code
    if _REF.search(span):
        return "xULN"
    if _LLN.search(span):
        return "xLLN"
    i = span.find(first_value)
    rest = span[i + len(first_value):] if i >= 0 else span
    # Second value of a range: skip it ("18 to 70 years").
    rest = re.sub(r"^\s*(?:-|–|to|and)\s*[\d.,]+", "", rest)
    got = match_unit(rest, 0)
    if got:
        return got[0]
    # The unit written right after a span that ends at its value: ">35%" annotated as
    # ">35" (LCT NCT03925103); the unit belongs to the value all the same.
    got = match_unit(after, 0) if not rest.strip() else None
    if got and (not after[:1].isspace() or after.lstrip()[:1] == "%"):
        return got[0]
    # One unit written for two bounds: "≥ 18.5 and ≤ 27.0 kg/m2" (the first span has none)
    nxt = _NEXT_BOUND.match(after)
    got = match_unit(after, nxt.end()) if nxt and nxt.end() else None
    if got and not rest.strip():
        return got[0]
    if kind == "Age":
        return "a"
    return None


def _written_operator(written: str) -> str | None:
    """The comparator an operator's text states unambiguously, or None ("+", "to", "within")."""
    w = re.sub(r"\s+", " ", written.strip().lower())
    for pattern, sym in _WRITTEN_OPS:
        if re.fullmatch(pattern, w):
            return sym
    return None


_WRITTEN_OPS = [(r"≥|>=|=>|>/=|> ?or ?=|at least|no less than|not less than|greater than or equal to|or more|\+", ">="),
                (r"≤|<=|=<|</=|< ?or ?=|at most|no more than|not more than|less than or equal to|up to|or less", "<="),
                (r">|greater than|more than|above|over|higher than|exceeding", ">"),
                (r"<|less than|below|under|lower than|fewer than", "<")]
def gold_operator(labels: list[str | None], written: list[str], n_values: int) -> tuple[str, str | None]:
    """The gold comparator from the annotators' operator labels, and the text's reading
    when the label contradicts its own text.

    - A ``BETWEEN`` label, or two values without a label of their own, is ``between``.
    - One labelled operator decides even when the comparison holds a second number that
      is part of its unit: "eGFR <45 ml/min/1.73 m2" (LCT NCT03923049) and "Trombocytes
      <40 × 109/L" (NCT03864744) are upper limits, not ranges from 45 to 1.73 or 40 to 109.
    - A label that contradicts the operator text it labels ("BMI ≥ 18.0" labelled GT, LCT
      NCT03929263; "hemoglobin level below 9.0" labelled GT, NCT03861377; "Age 18+ years"
      labelled GT, NCT03863743) is an annotation
      slip: a prediction matching the text's reading counts as well (``align_equivalent``).
    """
    ops = [_OPS.get(lab or "") for lab in labels]
    if "between" in ops or (n_values > 1 and len([o for o in ops if o]) != 1):
        return "between", None
    op = next((o for o in ops if o), None) or "="
    said = next((_written_operator(w) for w in written if _written_operator(w)), None)
    return op, (said if said and said != op else None)


def gold_lct(ann_path: Path) -> tuple[list[tuple[tuple, int]], list[tuple[int, int]], dict[tuple, str]]:
    """Gold tuples with the offset of their value, the spans of comparisons that the
    annotators attached to no variable (predictions inside them are not scored), and the
    text's comparator of gold tuples whose label contradicts it (``gold_operator``)."""
    alternatives: dict[tuple, str] = {}
    T, E, A = _load_ann(ann_path)
    text = ann_path.with_suffix(".txt").read_text(encoding="utf-8")
    out: list[tuple[tuple, int]] = []
    attached: set[str] = set()
    for _eid, (typ, trig, args) in E.items():
        for role, target in args:
            if role == "Numeric-Filter" and target in E and typ in ("Observation", "Age"):
                attached.add(E[target][1])
        if typ not in ("Observation", "Age"):
            continue
        names = [T[t][3] for r, t in args if r == "Name" and t in T]
        name = names[0] if names else (T[trig][3] if trig in T else "")
        for role, target in args:
            if role != "Numeric-Filter" or target not in E:
                continue
            _et, etrig, eargs = E[target]
            values = [x for r, x in eargs if r.startswith("Value") and x in T]
            if not values or etrig not in T:
                continue
            operators = [x for r, x in eargs if r.startswith("Operator") and x in T]
            temporal = [T[x][3] for r, x in eargs if r == "Temporal-Unit" and x in T]
            op, alt = gold_operator([A.get(x) for x in operators], [T[x][3] for x in operators], len(values))
            first = min(values, key=lambda x: T[x][1])
            variable = counted_variable(T[etrig][3]) or map_variable(typ, name)
            end = T[etrig][2]
            unit = gold_unit(T[etrig][3], T[first][3], temporal, typ, text[end : text.find("\n", end) % (len(text) + 1)])
            if variable in ("ecog", "karnofsky", "lansky", "nyha") or variable in COUNTED_NOUNS:
                unit = None
            if variable == "life_expectancy" and unit is None:
                unit = "mo"
            second = max(values, key=lambda x: T[x][1])
            if variable == "blood_pressure" and len(values) == 2 and op != "between" and \
                    re.fullmatch(r"\s*/\s*", text[T[first][2] : T[second][1]]):
                # "blood pressure of > 140/90" (LCT NCT03865433): a systolic and a diastolic
                # limit, as the variable table names them
                out.append((("blood_pressure_systolic", op, _gold_number(T[first][3]), unit), T[first][1]))
                out.append((("blood_pressure_diastolic", op, _gold_number(T[second][3]), unit), T[first][1]))
                continue
            if alt:
                alternatives[(variable, op, _gold_number(T[first][3]), unit)] = alt
            out.append(((variable, op, _gold_number(T[first][3]), unit), T[first][1]))
    loose = [(T[t][1], T[t][2]) for t in T if T[t][0] == "Eq-Comparison" and t not in attached]
    return out, loose, alternatives


# ---------------------------------------------------------------- predictions


class _Locator:
    """Find where an item's text and a constraint's number are in the document."""

    _WS = re.compile(r"\s+")

    def __init__(self, doc: str) -> None:
        self.doc = doc
        self.lines = [m.start() for m in re.finditer(r"\n", doc)]
        chars, index = [], []
        for m in re.finditer(r"\S+|\s+", doc):
            if m.group(0).isspace():
                chars.append(" ")
                index.append(m.start())
            else:
                chars.extend(m.group(0))
                index.extend(range(m.start(), m.end()))
        self.norm = "".join(chars)
        self.index = index
        self.cursor = 0

    def item(self, text: str) -> int | None:
        key = self._WS.sub(" ", text.strip())[:40]
        if not key:
            return None
        at = self.norm.find(key, self.cursor)
        if at < 0:
            at = self.norm.find(key)
        if at < 0:
            return None
        self.cursor = at + 1
        return at

    def number(self, item_at: int | None, item_text: str, span: str, value) -> int | None:
        if item_at is None:
            return None
        text = self._WS.sub(" ", item_text.strip())
        span_n = self._WS.sub(" ", (span or "").strip())
        off = text.find(span_n) if span_n else -1
        off = max(off, 0)
        inside = text[off : off + len(span_n)] if span_n else text[off:]
        digit = re.search(r"(?<![A-Za-z])\d", inside) or re.search(r"\d", inside)
        pos = item_at + off + (digit.start() if digit else 0)
        return self.index[min(pos, len(self.index) - 1)]

    def line(self, offset: int | None) -> int:
        return -1 if offset is None else bisect_right(self.lines, offset - 1)


def predicted_tuple(c: dict) -> tuple | None:
    if c.get("type") not in _SCORED_TYPES or c.get("value") is None:
        return None
    unit = "x" + c["relative_to"] if c.get("relative_to") else c.get("unit")
    if c.get("variable") in ("ecog", "karnofsky", "lansky", "nyha"):
        unit = None
    return (c["variable"], c["comparator"], float(c["value"]), unit)


def predicted_lct(doc: str, criteria: list[dict], loose: list[tuple[int, int]]) -> list[tuple[tuple, int]]:
    loc = _Locator(doc)
    out = []
    for crit in criteria:
        at = loc.item(crit["text"])
        for c in crit["constraints"]:
            t = predicted_tuple(c)
            if t is None:
                continue
            pos = loc.number(at, crit["text"], c.get("span", ""), c.get("value"))
            if pos is not None and any(a <= pos < b for a, b in loose):
                continue
            out.append((t, pos))
    return out


_HEAD_WORDS = {"score", "scores", "total", "level", "levels", "value", "values", "scale", "serum", "plasma", "blood"}


def align_generic(gold: list[tuple], pred: list[tuple]) -> list[tuple]:
    """Rename a predicted variable the parser has no table name for ("prostate_size")
    to the gold "other:" name of the same line when one's words contain the other's; and
    a table name that the gold "other:" name holds with head words only ("madrs" for the
    Facebook split's lower-cased "madrs score", which the case-sensitive acronym does not
    name; never "age" for "bone age")."""
    others = {g[0]: set(g[0][6:].split("_")) for g in gold if g[0].startswith("other:")}
    out = []
    for t in pred:
        var = t[0]
        words = set(var.split("_"))
        generic = family_of(var) == "other"
        for gname, gwords in others.items():
            if (generic and (words <= gwords or gwords <= words)) or (words <= gwords and gwords - words <= _HEAD_WORDS):
                var = gname
                break
        out.append((var,) + tuple(t[1:]))
    return out


def align_equivalent(gold: list[tuple], pred: list[tuple], alternatives: dict[tuple, str]) -> list[tuple]:
    """Predictions that state a gold tuple in other words, written as that tuple.

    - The text's comparator of a gold tuple whose label contradicts it (``gold_operator``).
    - A lower and an upper inclusive bound of one variable on the line where the gold has
      ``between`` from that lower bound: "aged between ≥20 and ≤45 years" (LCT NCT03920579)
      is the range 20-45 whichever way it is written.
    """
    out = list(pred)
    for g, said in alternatives.items():
        wrong = (g[0], said) + tuple(g[2:])
        if g in gold and wrong in out:
            out[out.index(wrong)] = g
    for g in gold:
        if g[1] != "between" or g in out:
            continue
        low = (g[0], ">=") + tuple(g[2:])
        high = [t for t in out if t[0] == g[0] and t[1] == "<=" and t[3] == g[3] and t[2] > g[2]]
        if low in out and high:
            out.remove(low)
            out.remove(high[0])
            out.append(g)
    return out


# ---------------------------------------------------------------- scoring


class Score:
    """tp/fp/fn counts, overall and by variable family."""

    def __init__(self) -> None:
        self.total = {"strict": [0, 0, 0], "value_only": [0, 0, 0]}
        self.family: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        self.missed: list[tuple] = []
        self.extra: list[tuple] = []

    def add(self, gold: list[tuple], pred: list[tuple], where: str, key_line: bool = True) -> None:
        for name, key in (("strict", lambda t: t), ("value_only", lambda t: (t[0], t[2]))):
            g, p = Counter(key(t) for t in gold), Counter(key(t) for t in pred)
            tp = sum((g & p).values())
            self.total[name][0] += tp
            self.total[name][1] += sum(p.values()) - tp
            self.total[name][2] += sum(g.values()) - tp
        g, p = Counter(gold), Counter(pred)
        for t, n in (g & p).items():
            self.family[family_of(t[0])][0] += n
        for t, n in (p - g).items():
            self.family[family_of(t[0])][1] += n
            self.extra.extend([(where,) + t] * n)
        for t, n in (g - p).items():
            self.family[family_of(t[0])][2] += n
            self.missed.extend([(where,) + t] * n)

    def report(self) -> dict:
        res = {name: _prf(*v) for name, v in self.total.items()}
        res["by_family"] = {k: _prf(*v) for k, v in sorted(self.family.items())}
        return res


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)}


def covered(crit: dict) -> bool:
    """A constraint, or an explicit statement of why none applies (a role such as
    ``information``, or a threshold read and refused as implausible).

    ``undecidable`` (criteria/topics.py) is such a statement too: the item's topic is
    typed and the reason no patient-file fact can decide it is named (administrative,
    investigator judgement, a record the patient file lacks, an on-study rule), so the
    item is accounted for rather than silently unparsed. Its precision is checked by
    hand on a sample (docs/criteria.md, "Topics")."""
    if crit.get("role") in _NO_CONSTRAINT_ROLES or crit.get("undecidable"):
        return True
    return any(k.get("type") != "unparsed" or k.get("reason") for k in crit.get("constraints", []))


def _by_line(items: list[tuple[tuple, int | None]], loc: _Locator) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = defaultdict(list)
    for t, pos in items:
        out[loc.line(pos)].append(t)
    return out


def evaluate_lct(directory: Path, part: str = "all") -> dict:
    """Scores on one LCT directory; ``part`` picks ``tune``, ``held_out`` or ``all``."""
    score = Score()
    n_items = n_cov = n_docs = 0
    t0 = time.perf_counter()
    for ann in sorted(directory.glob("*.ann")):
        doc_name = ann.stem
        if part != "all" and held_out(doc_name) != (part == "held_out"):
            continue
        n_docs += 1
        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        criteria = parse_criteria_text(text, trial_id=doc_name)
        gold, loose, alternatives = gold_lct(ann)
        pred = predicted_lct(text, criteria, loose)
        loc = _Locator(text)
        gl, pl = _by_line(gold, loc), _by_line(pred, loc)
        for line in sorted(set(gl) | set(pl)):
            g = gl.get(line, [])
            p = align_equivalent(g, align_generic(g, pl.get(line, [])), alternatives)
            score.add(g, p, f"{doc_name}:{line + 1}")
        n_items += len(criteria)
        n_cov += sum(1 for c in criteria if covered(c))
    res = {"documents": n_docs, "items": n_items, "covered_items": n_cov,
           "coverage": round(n_cov / n_items, 3) if n_items else 0.0,
           "seconds": round(time.perf_counter() - t0, 2)}
    res.update(score.report())
    res["_score"] = score
    return res


# ---------------------------------------------------------------- Facebook


_FB_VARIABLE = {"clinical_variable", "age", "bmi"}
_FB_NUMBER = re.compile(r"@NUMBER")


def _fb_side(comparator: str) -> list[str]:
    return {">": ["lower"], ">=": ["lower"], "<": ["upper"], "<=": ["upper"],
            "between": ["lower", "upper"]}.get(comparator, [])


# What may stand between two names of one list: "ast and alt", "ast ( sgot ) / alt ( sgpt )",
# "alt , ast or alp", "aspartate aminotransferase ( ast ) / alanine aminotransferase ( alt )".
_FB_JOIN = re.compile(r"[\s,/&()\[\]]*(?:(?:and/or|and|or)[\s,/&()\[\]]*)?", re.IGNORECASE)


def _listed_variables(span: str) -> list[str]:
    """The variables one Facebook ``clinical_variable`` span names: every member of a list
    of names ("ast / alt", "aspartate aminotransferase ( ast ) and alanine aminotransferase
    ( alt )"), else the span's name (``map_variable``)."""
    found = find_variables(span)
    out: list[str] = []
    for a, b in zip(found, found[1:], strict=False):
        if not _FB_JOIN.fullmatch(span, a.end, b.start):
            return [map_variable("Observation", span)]
    for m in found:
        if m.variable not in out:
            out.append(m.variable)
    return out or [map_variable("Observation", span)]


def gold_facebook(labels: str, text: str) -> list[tuple]:
    """(variable, side) per bound span: the bound measures the variable span nearest before
    it on the line and every span listed with it ("ast and alt ≤ @NUMBER x uln" is one limit
    per analyte, as the parser writes it); a count noun in the bound names its own variable
    ("@NUMBER pack years")."""
    spans = []
    for lab in labels.split(","):
        a, b, kind = lab.split(":", 2)
        spans.append((int(a) - 1, int(b), kind))
    spans.sort()
    out = []
    listed: list[str] = []
    last_end = -1
    for a, b, kind in spans:
        if kind in _FB_VARIABLE:
            names = ["age"] if kind == "age" else ["bmi"] if kind == "bmi" else _listed_variables(text[a:b])
            joined = last_end >= 0 and _FB_JOIN.fullmatch(text, last_end, a)
            listed = listed + [n for n in names if n not in listed] if joined else names
            last_end = b
        elif kind in ("lower_bound", "upper_bound") and (listed or counted_variable(text[a:b])):
            side = kind.split("_")[0]
            counted = counted_variable(text[a:b])
            out += [(counted, side)] if counted else [(v, side) for v in listed]
            last_end = -1
        else:
            last_end = -1
    return out


def evaluate_facebook() -> dict:
    score = Score()
    n_lines = 0
    t0 = time.perf_counter()
    for i, line in enumerate(FACEBOOK.read_text(encoding="utf-8").splitlines()):
        labels, _, text = line.partition("\t")
        if not labels:
            continue
        gold = gold_facebook(labels, text)
        if not gold:
            continue
        n_lines += 1
        counter = iter(range(2, 1000))
        crits = parse_criteria_text(_FB_NUMBER.sub(lambda _m, c=counter: str(next(c)), text))
        pred = [(c["variable"], side) for crit in crits for c in crit["constraints"]
                if c.get("type") in _SCORED_TYPES for side in _fb_side(c.get("comparator", ""))]
        pred += [(c["variable"], side) for crit in crits for c in crit["constraints"]
                 if c.get("type") == "unparsed" and c.get("reason") == "implausible"
                 for side in _fb_side(c.get("comparator", ""))]
        gold = [g + (0.0, None) for g in gold]
        score.add(gold, align_generic(gold, [p + (0.0, None) for p in pred]), f"line {i + 1}")
    res = {"lines": n_lines, "seconds": round(time.perf_counter() - t0, 2)}
    res.update(score.report())
    res.pop("value_only")
    res["variable_side"] = res.pop("strict")
    res["_score"] = score
    return res


# ---------------------------------------------------------------- records and speed


def _ctgov_texts() -> list[tuple[str, str]]:
    """(record id, criteria text) for the real records vendored in tests/data/ctgov."""
    from defusedxml import ElementTree as ET

    out = []
    for path in sorted(CTGOV.glob("*.xml")):
        node = ET.parse(path).getroot().find("./eligibility/criteria/textblock")
        if node is not None and node.text:
            out.append((path.stem, node.text))
    for path in sorted(CTGOV.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for s in data.get("studies", [data]) if isinstance(data, dict) else []:
            ps = s.get("protocolSection", {}) if isinstance(s, dict) else {}
            text = ps.get("eligibilityModule", {}).get("eligibilityCriteria")
            if text:
                out.append((ps.get("identificationModule", {}).get("nctId", path.stem), text))
    return out


def measure_speed(size: int = 1_000_000) -> dict:
    """The time to parse ``size`` characters of criteria (the LCT 60 and dev 300 texts
    repeated, each repeated line made unique so the item memo does not hide the cost)."""
    texts = [p.read_text(encoding="utf-8") for d in (LCT60, DEV300) for p in sorted(d.glob("*.txt"))]
    out: list[str] = []
    n = total = 0
    while total < size:
        for t in texts:
            for ln in t.splitlines():
                head = ln.strip().lower()
                ln = ln if not head or head.startswith(("inclusion", "exclusion")) else f"{ln} (site {n})"
                out.append(ln)
                total += len(ln) + 1
                n += 1
    big = "\n".join(out)[:size]
    parse_criteria_text("warm up: ANC >= 1.5 x 10^9/L")
    drug_mentions.cache_clear()
    t0, w0 = time.process_time(), time.perf_counter()
    items = parse_criteria_text(big)
    return {"text_chars": len(big), "text_items": len(items),
            "text_cpu_s": round(time.process_time() - t0, 2), "text_wall_s": round(time.perf_counter() - w0, 2)}


# ---------------------------------------------------------------- output


def _print_scores(title: str, res: dict, keys: tuple[str, ...]) -> None:
    head = f"{title}: " + ", ".join(f"{res[k]} {k}" for k in ("documents", "lines", "items") if k in res)
    if "coverage" in res:
        head += f"; items with a constraint or role {res['coverage']:.1%} ({res['covered_items']}/{res['items']})"
    print(head)
    for name in keys:
        s = res[name]
        print(f"  {name:<13} P={s['precision']:.3f} R={s['recall']:.3f} F1={s['f1']:.3f}"
              f"  (tp={s['tp']} fp={s['fp']} fn={s['fn']})")
    fams = "  ".join(f"{k} {v['f1']:.2f} ({v['tp']}/{v['tp'] + v['fn']} gold, {v['fp']} extra)"
                     for k, v in res["by_family"].items())
    print(f"  by family:    {fams}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--details", choices=["lct60", "tune", "held_out", "facebook"],
                    help="list missed and extra tuples of one corpus")
    ap.add_argument("--json", action="store_true", help="print one JSON document")
    ap.add_argument("--speed", action="store_true", help="measure the parse of a 1 MB text instead")
    args = ap.parse_args(argv)
    if args.speed:
        sp = measure_speed()
        print(f"parse {sp['text_chars']} chars ({sp['text_items']} items): {sp['text_cpu_s']} s CPU,"
              f" {sp['text_wall_s']} s wall")
        return 0
    for path in (LCT60, DEV300, FACEBOOK):
        if not path.exists():
            print(f"gold not found: {path}", file=sys.stderr)
            return 2
    results = {
        "lct60": evaluate_lct(LCT60),
        "dev300": evaluate_lct(DEV300),
        "tune": evaluate_lct(DEV300, "tune"),
        "held_out": evaluate_lct(DEV300, "held_out"),
        "facebook": evaluate_facebook(),
    }
    scores = {k: v.pop("_score") for k, v in results.items()}
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
        return 0
    _print_scores("LCT 60", results["lct60"], ("strict", "value_only"))
    _print_scores("LCT dev 300", results["dev300"], ("strict", "value_only"))
    _print_scores("  tuning part", results["tune"], ("strict",))
    _print_scores("  held-out part", results["held_out"], ("strict",))
    _print_scores("Facebook test", results["facebook"], ("variable_side",))
    if args.details:
        _print_details(scores[args.details], args.details)
    return 0


def _print_details(score: Score, corpus: str) -> None:
    """Each missed and extra tuple of one corpus, with the text of its line (LCT)."""
    directory = LCT60 if corpus == "lct60" else DEV300 if corpus in ("tune", "held_out") else None
    lines: dict[str, list[str]] = {}
    for kind, tuples in (("missed", score.missed), ("extra ", score.extra)):
        for t in sorted(tuples):
            doc, _, line = t[0].rpartition(":")
            text = ""
            if directory is not None and doc and line.isdigit():
                if doc not in lines:
                    path = directory / f"{doc}.txt"
                    lines[doc] = path.read_text(encoding="utf-8").split("\n") if path.exists() else []
                got = lines[doc]
                text = got[int(line) - 1].strip()[:200] if 0 < int(line) <= len(got) else ""
            print("  ", kind, t, f"| {text}" if text else "")


if __name__ == "__main__":
    raise SystemExit(main())
