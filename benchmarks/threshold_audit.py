"""Every lab and clinical threshold the criteria parser reads from real registry records,
with the item it comes from, and the ones that look lost.

The records are the real ClinicalTrials.gov records vendored in ``tests/data/ctgov_corpus``
and ``tests/data/ctgov`` (see SOURCES.md there); each trial is read once. For every item
the parser's numeric constraints (type ``numeric``, or ``unparsed`` with a reason) are
listed, and flagged:

- ``implausible``: a threshold refused by the variable table (kept ``unparsed`` with its
  reason, never used to decide): "ANC > 1.500 cells/mm3" read as 1.5 thousand would be one.
- ``lost_unit``: a threshold of a variable that has a unit, read without unit or reference
  although the text right after its number writes one ("ANC >= 1.0x10⁹/L", "per mm3",
  "< 2.5 UNL", "x ULN").
- ``no_constraint``: an item that names a lab variable, an operator and a number but got
  no numeric constraint on any variable ("Total bilirubin:" / "≤ 1.5 x ULN" split by a
  line wrap, an alias the table lacks).

Run: ``python benchmarks/threshold_audit.py [--all] [SOURCE ...]``; ``--all`` lists every
threshold, not only the flagged ones. The summary line gives the share of lab thresholds
flagged; the exit status is 0 (a measure, not a gate).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

from trialkg.criteria import parse_criteria_text
from trialkg.criteria.rules.binding import find_variables
from trialkg.criteria.variables import get
from trialkg.records import TrialRecord
from trialkg.sources import iter_records

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = [ROOT / "tests" / "data" / "ctgov_corpus", ROOT / "tests" / "data" / "ctgov"]

# What a unit or a reference looks like right after a number: "x 10^9/L", "×10⁴/mm3",
# "10E+9/L", "/mm3", "per mm3", "cells/µL", "g/dL", "mg/dl", "µmol/L", "mL/min", "%",
# "x ULN", "UNL", "times the upper limit of normal", "institutional normal limits".
_UNIT_AHEAD = re.compile(
    r"^\s*(?:[x×*✕]\s*10|10\s*(?:\^|E|[⁰¹²³⁴⁵⁶⁷⁸⁹])|/|per\s|cells|[mµuμn]?g\s*/|[µuμm]mol|m[lL]\s*/|%|"
    r"(?:[x×*✕]|times)?\s*(?:the\s+)?(?:institutional\s+)?(?:ULN|UNL|IULN|LLN|upper|lower|normal))",
    re.IGNORECASE,
)
_OPERATOR = re.compile(r"[<>≤≥=]|\b(?:at least|less than|greater than|more than|above|below|exceed\w*|"
                       r"no more than|not more than|up to|or (?:more|less|greater|higher|lower))\b", re.I)
_NUMBER_AFTER = re.compile(r"(?<![A-Za-z])\d")


def _lab(variable: str) -> bool:
    """A variable measured with a unit or against a reference (not a score or an age)."""
    v = get(variable)
    return v is not None and v.unit is not None and v.family not in ("age", "performance", "scale", "life_expectancy")


def _after_number(text: str, span: str, value) -> str:
    """The text right after the constraint's number in its item."""
    at = text.find(span) if span else -1
    at = max(at, 0)
    region = text[at : at + len(span) + 40] if span else text
    written = [m for m in re.finditer(r"\d+(?:[.,]\d+)?", region)]
    if not written:
        return ""
    want = [m for m in written if value is not None and _same(m.group(0), value)]
    m = (want or written)[-1]
    return region[m.end() : m.end() + 40]


def _same(written: str, value) -> bool:
    try:
        return abs(float(written.replace(",", ".")) - float(value)) < 1e-9
    except ValueError:
        return False


def audit_item(nct: str, text: str, constraints: list[dict]) -> list[tuple[str, str, dict | None]]:
    """(flag, item text, constraint) for each threshold of one item; flag "" when none."""
    out: list[tuple[str, str, dict | None]] = []
    measured = [c for c in constraints if c.get("type") == "numeric" or
                (c.get("type") == "unparsed" and c.get("reason"))]
    for c in measured:
        flag = ""
        if c.get("type") == "unparsed":
            flag = "implausible"
        elif _lab(c.get("variable", "")) and not c.get("unit") and not c.get("relative_to"):
            if _UNIT_AHEAD.match(_after_number(text, c.get("span", ""), c.get("value"))):
                flag = "lost_unit"
        out.append((flag, text, c))
    if not measured:
        labs = [m for m in find_variables(text) if _lab(m.variable)]
        if labs and _OPERATOR.search(text, labs[0].end) and _NUMBER_AFTER.search(text, labs[0].end):
            out.append(("no_constraint", text, None))
    return out


def _records(sources: list[str]) -> list[TrialRecord]:
    seen: set[str] = set()
    out = []
    for r in iter_records(sources):
        if isinstance(r, TrialRecord) and r.nct_id not in seen and r.eligibility.criteria_text:
            seen.add(r.nct_id)
            out.append(r)
    return out


def _show(nct: str, flag: str, text: str, c: dict | None) -> str:
    item = re.sub(r"\s+", " ", text.strip())[:170]
    if c is None:
        return f"{nct}  {flag:13}  -  | {item}"
    ref = f" x{c['relative_to']}" if c.get("relative_to") else ""
    what = f"{c.get('variable')} {c.get('comparator')} {c.get('value', '?')} {c.get('unit') or ''}{ref}".strip()
    if c.get("type") == "unparsed":
        what = c.get("note", what)
    return f"{nct}  {flag or 'ok':13}  {what}  | {item}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sources", nargs="*", default=[str(p) for p in DEFAULT])
    ap.add_argument("--all", action="store_true", help="list every threshold, not only the flagged ones")
    args = ap.parse_args(argv)
    flags: Counter[str] = Counter()
    n_lab = n_items = 0
    records = _records(args.sources)
    for r in records:
        for crit in parse_criteria_text(r.eligibility.criteria_text or "", trial_id=r.nct_id):
            n_items += 1
            for flag, text, c in audit_item(r.nct_id, crit["text"], crit["constraints"]):
                if c is not None and _lab(c.get("variable", "")):
                    n_lab += 1
                flags[flag or "ok"] += 1
                if flag or args.all:
                    print(_show(r.nct_id, flag, text, c))
    lost = flags["implausible"] + flags["lost_unit"]
    print(f"{len(records)} records, {n_items} items, {n_lab} lab thresholds; flagged: "
          + ", ".join(f"{k} {flags[k]}" for k in ("implausible", "lost_unit", "no_constraint"))
          + f"; lab thresholds lost {lost}/{n_lab} ({lost / max(1, n_lab):.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
