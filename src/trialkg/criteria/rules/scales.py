"""Scores of clinical scales: NYHA class ("NYHA class III-IV", "New York Heart Association
class ≥ II") and a score written after its scale's name without an operator ("Gleason
score 7", "(ASA 5)", "ASA I-II", "Gleason 6 or 7"). Performance status (ECOG, Karnofsky,
Lansky) has its own rule (``performance.py``); scales with an operator ("MMSE >= 24")
are read as comparisons by ``numeric.py``.
"""

from __future__ import annotations

import re
from typing import Any

from trialkg.criteria import lexicon, numbers
from trialkg.criteria.rules.binding import Mention
from trialkg.criteria.rules.comparisons import Comparison, op_symbol
from trialkg.criteria.rules.numeric import numeric_constraint
from trialkg.criteria.rules.reading import Reading
from trialkg.textgate import Gated

# A class written in Roman numerals (upper case only, so "I" the pronoun in running
# text is not read): "ASA physical status I", "ASA I-II" (NCT03925610, NCT03863977),
# "ASA class I to III", like NYHA below.
_CLASS = r"\d{1,3}(?:\.5)?|(?-i:VI|IV|V|III|II|I)(?![A-Za-z])"
_SCALE_VALUE = re.compile(
    rf"[\s:,(]*(?:of\s+|=\s*|is\s+|was\s+)?(?P<op>(?:≤|<=|<|≥|>=|>)\s*)?(?P<v>{_CLASS})(?:\s*(?:-|–|to|or|,)\s*(?P<v2>{_CLASS}))?"
    r"(?!\d|[.,]\d|\s*(?:%|/|points?\s+or\b|or\s+(?:more|less|higher|lower|greater|above|below|fewer)\b))",
    re.IGNORECASE,
)


def claim_nyha(r: Reading) -> None:
    """NYHA class is read before the comparisons: its numbers are classes, no thresholds."""
    nyha = nyha_constraints(r.text)
    r.claims["nyha"] = nyha
    if nyha:
        m = _NYHA.search(r.text)
        r.claimed.append((m.start(), m.end()) if m else (0, 0))


def read(r: Reading) -> list[dict[str, Any]]:
    """NYHA class, then the scores written after their scale's name without an operator."""
    out = list(r.claims.get("nyha", []))
    out += scale_values(r.text, r.comparisons, r.mentions, {c["variable"] for c in r.numeric + out})
    out += score_sets(r.text, r.comparisons, r.mentions)
    r.numeric += out
    return out


# A set of values of a score the table does not know: "ICDAS II score of 1,2 or 3" (LCT
# NCT03865680), "IGA score of 3 or 4" (dermatology), as "Child-Pugh score of 5 or 6" is for a
# known scale (``scale_values``): the values from the lowest to the highest.
_SCORE_SET = Gated(
    r"(?P<name>(?:[A-Za-z][\w-]*\s+){0,3}?[A-Za-z][\w-]*)\s+scores?\s+(?:of\s+|=\s*|:\s*)?"
    r"(?P<vals>\d{1,2}(?:\s*,\s*\d{1,2})*\s*,?\s*(?:or|and)\s+\d{1,2})(?![\d.,]|\s*(?:%|/|points?\s+or|or\s+(?:more|less|higher|lower|greater|above|below)))",
    re.IGNORECASE,
)
_NAME_STOP = {"a", "an", "the", "with", "of", "and", "or", "total", "mean", "global", "baseline", "presence", "in"}


def score_sets(text: str, comps: list[Comparison], mentions: list[Mention]) -> list[dict[str, Any]]:
    """A set of values of an open-variable score (``_SCORE_SET``) as a ``between`` range."""
    out = []
    for m in _SCORE_SET.finditer(text):
        if any(c.start < m.end() and m.start("vals") < c.end for c in comps) or any(
                x.start < m.end("name") and m.start("name") < x.end for x in mentions):
            continue
        vals = [int(v) for v in re.findall(r"\d+", m.group("vals"))]
        words = [w for w in re.findall(r"[A-Za-z][\w-]*", m.group("name")) if w.lower() not in _NAME_STOP]
        if not words or vals != sorted(vals) or len(set(vals)) < 2:
            continue
        c = Comparison(m.start("vals"), m.end(), "between", float(vals[0]), float(vals[-1]), None, None, str(vals[0]))
        name = "_".join(re.findall(r"[a-z0-9]+", " ".join(words).lower())) + "_score"
        out.append(numeric_constraint(name, c, None, text[m.start("name") : m.end()]))
    return out


def scale_values(text: str, comps: list[Comparison], mentions: list[Mention], done: set[str]) -> list[dict[str, Any]]:
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
        op = op_symbol(m.group("op")) if m.group("op") else "between" if v2 is not None else "="
        c = Comparison(m.start("v"), m.end(), op, v, v2, None, None, m.group("v"))
        out.append(numeric_constraint(mention.variable, c, None, text[mention.start : m.end()]))
        done.add(mention.variable)
    return out


# The acronym may stand in spaced brackets: "new york heart association ( nyha ) class ≥ 2",
# "new york heart association ( nyha ) stage iii or iv" (Clinical-Trial-Parser test split).
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_NYHA = Gated(
    r"(?:NYHA|New York Heart Association)(?:\s*\(\s?NYHA\s?\))?[\s\w]{0,40}?(?:class(?:es)?|grades?|functional class(?:es)?|stage)?\s*"
    r"(?P<op>≥|>=|>|≤|<=|<)?\s*(?P<a>IV|III|II|I|[1-4])\b(?:\s*(?P<sep>-|–|to|or|and|/)\s*(?P<b>IV|III|II|I|[1-4])\b)?",
    re.IGNORECASE,
)


def nyha_constraints(text: str) -> list[dict[str, Any]]:
    """NYHA class, as one value, a bound or a range ("NYHA class III or IV", "NYHA ≥ II")."""
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
        comparator, value, value2 = (op_symbol(m.group("op")) if m.group("op") else "="), a, None
    return [{"type": "numeric", "variable": "nyha", "comparator": comparator, "value": value, "value2": value2,
             "unit": None, "relative_to": None, "canonical_value": value, "canonical_unit": None,
             "applies_if": None, "span": m.group(0).strip()}]

