"""A glucocorticoid dose on a prior-therapy constraint, in prednisone-equivalent mg a day.

Criteria that exclude corticosteroids or immunosuppressants mostly bound the steroid by
its daily dose, written in prednisone (or prednisolone) and meant for any glucocorticoid
at an equivalent dose:

- a dose above which the steroid counts: "corticosteroids (> 10 mg daily prednisone
  equivalents)" (NCT03277924), "systemic steroid therapy (in dosing exceeding 10 mg daily
  of prednisone equivalent)" (Clinical-Trial-Parser test split), "intake of prednisolone
  (or equivalent) >10 mg for at least 3 weeks" (LCT), "(> 10 Mg / day) prednisone or
  equivalent" (a seed page);
- the same bound written as an exception or permission of the low dose: "excluding ...
  physiological doses of systemic steroid hormones (That is, no more than 10 mg / day of
  prednisolone ...)" (NCT04126811), "low dose steroid use is defined as prednisone 10 mg
  daily or less" (NCT02465060);
- a ceiling a requirement sets: "a stable or decreasing dose of ≤10 mg daily prednisone".

``prednisone_dose_min`` (with ``prednisone_dose_strict`` for "more than") says the named
steroid exposure counts only at a daily dose above it; ``prednisone_dose_max`` only at
or below it. A dose in another glucocorticoid ("dexamethasone > 2 mg/day") is converted
with the equivalence table (``glucocorticoid_doses.tsv``). A dose by weight ("mg/kg/day")
or with no glucocorticoid named beside it ("steroids > 10 mg/day": 10 mg of which?)
gives no bound: the exposure is ``qualified`` (a drug match alone cannot decide).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from trialkg.criteria import lexicon
from trialkg.criteria.rules.comparisons import NUM, OP_ALT, clean_num, number, op_symbol
from trialkg.criteria.rules.text import inside
from trialkg.knowledge.lexicon import Lexicon
from trialkg.textgate import Gated

_PER_DAY = r"(?:\s*/\s*(?:day|d)\b|\s+per\s+day\b|\s+a\s+day\b|\s+daily\b|\s+qd\b|\s+every\s+day\b)"
_DOSE = Gated(
    rf"(?:(?P<op>{OP_ALT})\s*(?:a\s+)?(?:dose\s+of\s+|doses?\s+of\s+)?(?:of\s+)?)?(?<![\d.,])(?P<v>{NUM})\s*mg\b"
    rf"(?P<weight>\s*/\s*(?:kg|m2|m²))?(?P<day>{_PER_DAY})?"
    rf"(?:\s+(?:of\s+)?(?:daily\s+)?(?P<drug1>(?!(?:or|and|for|in|of|per|to|at|as)\b)[a-z]+)(?:\s+equivalents?)?(?P<day2>{_PER_DAY})?)?"
    rf"(?P<post>\s+or\s+(?:less|lower|below|fewer|under|more|greater|higher|above))?",
    re.IGNORECASE,
)
_REFERENCES = frozenset({"prednisone", "prednisolone"})
_AT_MOST = frozenset({"<", "<="})
_AT_LEAST = frozenset({">", ">="})
_NEAR = 60  # characters between a dose and the glucocorticoid it is written in


def glucocorticoid_dose(text: str, d: dict[str, Any], excepted: list[tuple[int, int]], span: list[int | None]) -> None:
    """Set ``prednisone_dose_min`` / ``_max`` / ``_strict`` on the prior-therapy
    constraint ``d`` from a daily glucocorticoid dose in ``text`` (see the module)."""
    if "mg" not in text.lower() or not _names_steroid(d):
        return
    lex = Lexicon.default()
    unread = False  # a steroid dose seen that gives no bound
    for m in _DOSE.finditer(text):
        v = number(m.group("v"))
        if v is None:
            continue
        ref = _reference(text, m, lex)
        if ref is None:
            # another drug's dose ("aspirin <= 81 mg/day"), or a steroid's in no named one
            unread = unread or _STEROID_WORD.search(text, max(0, m.start() - _NEAR), m.end() + _NEAR) is not None
            continue
        eq = lex.prednisone_equivalent(ref, v)
        if m.group("weight") or eq is None or eq[0] != eq[1]:
            unread = True
            continue
        op = op_symbol(m.group("op")) if m.group("op") else None
        post = (m.group("post") or "").split()[-1:] or [""]
        if op is None and post[0]:
            op = ">=" if post[0].lower() in {"more", "greater", "higher", "above"} else "<="
        if op not in _AT_MOST and op not in _AT_LEAST:
            continue
        value = clean_num(round(eq[0], 3))
        if op in _AT_MOST and inside(excepted, m.start(), m.end()):
            # the low dose is excepted: the steroid counts above it
            d["prednisone_dose_min"] = value
            d["prednisone_dose_strict"] = op == "<="
        elif op in _AT_LEAST:
            d["prednisone_dose_min"] = value
            if op == ">":
                d["prednisone_dose_strict"] = True
        else:
            d["prednisone_dose_max"] = value
            if op == "<":
                d["prednisone_dose_strict"] = True
        span[0] = m.start() if span[0] is None else min(span[0], m.start())
        span[1] = m.end() if span[1] is None else max(span[1], m.end())
        return
    if unread:
        d["qualified"] = True


_MG = re.compile(r"\d\s*mg\b", re.IGNORECASE)
_STEROID_WORD = re.compile(r"\b(?:cortico)?steroids?\b|\bglucocorticoids?\b", re.IGNORECASE)


# Glucocorticoids given into the body, not onto or into one organ: "systemic
# corticosteroids" (NCT03277924, LCT NCT03863535), or a criterion that excepts or permits
# the local routes ("excluding nasal and inhaled corticosteroids", NCT04126811; "Inhaled or
# topical steroids ... are permitted", NCT03277924). A local route the criterion counts
# ("Use of systemic or inhaled steroids", Clinical-Trial-Parser test split) keeps them all.
_SYSTEMIC_WORD = re.compile(r"\bsystemic(?:ally)?\b", re.IGNORECASE)
_LOCAL_ROUTE = re.compile(rf"\b(?:{lexicon.LOCAL_ROUTES})\b", re.IGNORECASE)
_PERMITTED_AFTER = re.compile(r"[^;.]{0,100}?\b(?:are|is)\s+(?:also\s+)?(?:allowed|permitted|acceptable|allowable)\b",
                              re.IGNORECASE)


def systemic_only(text: str, d: dict[str, Any], excepted: list[tuple[int, int]]) -> None:
    """``systemic_only``: the glucocorticoids the constraint counts are systemic ones (a
    drug of the equivalence table), not those used on or in one organ only (fluticasone,
    mometasone, budesonide, clobetasol)."""
    if not _names_steroid(d):
        return
    local = list(_LOCAL_ROUTE.finditer(text))
    if any(not inside(excepted, m.start(), m.end()) and not _PERMITTED_AFTER.match(text, m.end()) for m in local):
        return  # a local route the criterion counts
    if local or _SYSTEMIC_WORD.search(text):
        d["systemic_only"] = True


def dose_reference(text: str, d: dict[str, Any]) -> None:
    """A daily dose written in a glucocorticoid names the steroid the constraint is
    about when nothing else does: in prednisone or prednisolone, the references, any
    glucocorticoid at an equivalent dose ("a stable or decreasing dose of ≤10 mg daily
    prednisone (or equivalent)", NCT01642004); in another, that drug. A reference the
    drug scan named stands for the class too: "prednisone" in "(> 10 mg/day) prednisone or
    equivalent" (a seed page) or "prednisone 10 mg daily or less" (NCT02465060) is the
    unit of the dose, not the one steroid counted."""
    if "mg" not in text.lower():
        return
    lex = Lexicon.default()
    named = d.get("drugs", [])
    refs = {ref for m in _DOSE.finditer(text) if not m.group("weight")
            for ref in [_reference(text, m, lex)] if ref in _REFERENCES and ref in named}
    if refs:
        d["drugs"] = [x for x in named if x not in refs]
        if "corticosteroid" not in d.setdefault("drug_classes", []):
            d["drug_classes"].append("corticosteroid")
        return
    if "corticosteroids" not in d.get("therapies", []) or _names_steroid(d):
        return
    for m in _DOSE.finditer(text):
        ref = _reference(text, m, lex)
        if ref is not None and not m.group("weight"):
            key, name = ("drug_classes", "corticosteroid") if ref in _REFERENCES else ("drugs", ref)
            d.setdefault(key, []).append(name)
            return


def _names_steroid(d: dict[str, Any]) -> bool:
    """Whether the constraint names a glucocorticoid, or a class that holds them
    ("corticosteroids", "immunosuppressive medication")."""
    lex = Lexicon.default()
    classes = set(d.get("drug_classes", [])) | set(d.get("except_drug_classes", []))
    if classes & lex.class_ancestors("corticosteroid"):
        return True
    return any(lex.systemic_glucocorticoid(x) for x in d.get("drugs", []) + d.get("except_drugs", []))


@lru_cache(maxsize=1)
def _steroid_names() -> re.Pattern[str]:
    """The glucocorticoids of the equivalence table, as words."""
    names = sorted(Lexicon.default().glucocorticoid_doses, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b", re.IGNORECASE)


def _reference(text: str, m: re.Match[str], lex: Lexicon) -> str | None:
    """The glucocorticoid the dose is written in: the word after it ("10 mg prednisone"),
    else the nearest one of the equivalence table within ``_NEAR`` characters."""
    word = m.group("drug1")
    if word and word.lower() in lex.glucocorticoid_doses:
        return word.lower()
    best: tuple[int, str] | None = None
    for n in _steroid_names().finditer(text, max(0, m.start() - _NEAR), m.end() + _NEAR):
        between = (n.end(), m.start()) if n.end() <= m.start() else (m.end(), n.start())
        if between[0] > between[1] or _MG.search(text, *between):
            continue  # another dose stands between: the name is that dose's
        gap = between[1] - between[0]
        if best is None or gap < best[0]:
            best = (gap, n.group(0).lower())
    return best[1] if best else None
