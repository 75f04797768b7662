"""Measure the criteria parser against human gold it was not written from.

Gold: the Leaf Clinical Trials (LCT) sample in ``../shared/data/criteria/`` (brat
standoff). A gold tuple is an ``Observation`` or ``Age`` event with a
``Numeric-Filter`` argument pointing at an ``Eq-Comparison`` that has at least one
value: (variable, comparator, value, unit).

How gold is mapped onto our names (the same mapping for every document):

- variable: ``Age`` events -> ``age``. ``Observation`` names go through the parser's
  own variable lexicon (``ANC`` -> ``neutrophils``, ``Serum Cr`` -> ``creatinine``);
  performance scales (ECOG, WHO/Zubrod, "performance status", Karnofsky) -> ``ecog`` /
  ``karnofsky``; life expectancy / predicted survival -> ``life_expectancy``;
  anything else keeps a slug of its name (the parser has no name for it, so these
  count as misses, never as matches).
- comparator: EQ ``=``, LT ``<``, LTEQ ``<=``, GT ``>``, GTEQ ``>=``, BETWEEN
  ``between``; no operator with two values -> ``between``, with one value -> ``=``.
- value: the first ``Eq-Value`` as a number (``50,000`` -> 50000, ``one`` -> 1).
- unit: LCT marks only a fragment of the unit ("g" of "g/dl"), so the unit is read
  from the whole annotated comparison span with the parser's unit reader
  (``≥ 8.0 g/dl`` -> ``g/dL``; ``< 2.5 X maximum normal value`` -> ``xULN``); a
  temporal unit gives ``a``/``mo``/``wk``/``d``; an ``Age`` without unit is in years.

Scores, micro-averaged over documents (multiset matching within a document):
strict = all four fields equal; value-only = variable and value equal. Coverage is
the share of split items with at least one constraint other than ``unparsed``; it
is also reported on the real records in ``../shared/data/ctgov/``.

Run: ``python benchmarks/criteria_eval.py [--details]``; ``--speed`` measures the drug
search per call and the parse of a 1 MB criteria text.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

from trialkg.criteria import parse_criteria_text, split_criteria
from trialkg.criteria.lexicon import VARIABLES
from trialkg.criteria.parse import _LIFE, _PS, find_variables
from trialkg.criteria.units import match_unit, ucum_code

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
LCT = SHARED / "criteria" / "lct_leaf_clinical_trials" / "ner_nic_sample"
CTGOV = SHARED / "ctgov"

_OPS = {"EQ": "=", "LT": "<", "LTEQ": "<=", "GT": ">", "GTEQ": ">=", "BETWEEN": "between"}
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10, "twelve": 12}
_TEMPORAL = {"year": "a", "years": "a", "month": "mo", "months": "mo", "week": "wk", "weeks": "wk",
             "day": "d", "days": "d"}
_KNOWN = set(VARIABLES) | {"age", "ecog", "karnofsky", "lansky", "life_expectancy", "nyha"}
_REF = re.compile(r"ULN|upper limit|normal upper|maximum normal|upper normal", re.I)


def _load_ann(path: str) -> tuple[dict, dict, dict]:
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


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}


def _number(s: str) -> float | str:
    t = s.strip().lower().replace(",", "")
    if t in _ROMAN:
        return float(_ROMAN[t])
    if t in _WORDS:
        return float(_WORDS[t])
    try:
        return float(t)
    except ValueError:
        return s.strip()


def map_variable(kind: str, name: str) -> str:
    if kind == "Age":
        return "age"
    if re.search(r"karnofsky|\bKPS\b", name, re.I):
        return "karnofsky"
    if re.search(r"NYHA|New York Heart", name, re.I):
        return "nyha"
    if _PS.search(name):
        return "ecog"
    if _LIFE.search(name) or re.search(r"survival", name, re.I):
        return "life_expectancy"
    found = find_variables(name)
    if found:
        return found[-1].variable
    return "other:" + "_".join(re.findall(r"[a-z0-9]+", name.lower()))


def gold_unit(span: str, first_value: str, temporal: list[str], kind: str) -> str | None:
    if temporal:
        return _TEMPORAL.get(temporal[0].lower(), temporal[0].lower())
    if _REF.search(span):
        return "xULN"
    i = span.find(first_value)
    rest = span[i + len(first_value):] if i >= 0 else span
    # Second value of a range: skip it ("18 to 70 years").
    rest = re.sub(r"^\s*(?:-|–|to|and)\s*[\d.,]+", "", rest)
    got = match_unit(rest, 0)
    if got:
        return got[0]
    if kind == "Age":
        return "a"
    return None


def gold_tuples(ann_path: str) -> list[tuple]:
    T, E, A = _load_ann(ann_path)
    out = []
    for _eid, (typ, trig, args) in E.items():
        if typ not in ("Observation", "Age"):
            continue
        names = [T[t][3] for r, t in args if r == "Name" and t in T]
        name = names[0] if names else (T[trig][3] if trig in T else "")
        for role, target in args:
            if role != "Numeric-Filter" or target not in E:
                continue
            _et, etrig, eargs = E[target]
            values = [T[x][3] for r, x in eargs if r.startswith("Value") and x in T]
            if not values or etrig not in T:
                continue
            ops = [A.get(x) for r, x in eargs if r == "Operator"]
            temporal = [T[x][3] for r, x in eargs if r == "Temporal-Unit" and x in T]
            op = _OPS.get(ops[0] or "", None) if ops else None
            if op is None:
                op = "between" if len(values) > 1 else "="
            variable = map_variable(typ, name)
            unit = gold_unit(T[etrig][3], values[0], temporal, typ)
            if variable in ("ecog", "karnofsky"):
                unit = None
            if variable == "life_expectancy" and unit is None:
                unit = "mo"
            out.append((variable, op, _number(values[0]), unit))
    return out


def predicted_tuples(criteria: list[dict]) -> list[tuple]:
    out = []
    for crit in criteria:
        for c in crit["constraints"]:
            if c.get("type") not in ("numeric", "age", "life_expectancy", "performance_status"):
                continue
            if c.get("value") is None:
                continue
            unit = "x" + c["relative_to"] if c.get("relative_to") else c.get("unit")
            if c.get("variable") in ("ecog", "karnofsky", "lansky"):
                unit = None
            out.append((c["variable"], c["comparator"], float(c["value"]), unit))
    return out


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def align_generic(gold: list[tuple], pred: list[tuple]) -> list[tuple]:
    """Rename a predicted variable the lexicon has no name for ("prostate_size") to the
    gold "other:" name of the same document when one's words contain the other's."""
    known = set(_KNOWN)
    others = {g[0]: set(g[0][6:].split("_")) for g in gold if g[0].startswith("other:")}
    out = []
    for t in pred:
        var = t[0]
        if var not in known:
            words = set(var.split("_"))
            for gname, gwords in others.items():
                if gwords <= words or words <= gwords:
                    var = gname
                    break
        out.append((var,) + tuple(t[1:]))
    return out


def _match(gold: list[tuple], pred: list[tuple], key) -> tuple[int, int, int]:
    g = Counter(key(t) for t in gold)
    p = Counter(key(t) for t in pred)
    tp = sum((g & p).values())
    return tp, sum(p.values()) - tp, sum(g.values()) - tp


def coverage(criteria: list[dict]) -> tuple[int, int]:
    parsed = sum(1 for c in criteria if any(k["type"] != "unparsed" for k in c["constraints"]))
    return parsed, len(criteria)


def evaluate_lct(details: bool = False) -> dict:
    totals = {"strict": [0, 0, 0], "value_only": [0, 0, 0]}
    n_items = n_parsed = 0
    per_doc = []
    t0 = time.perf_counter()
    for ann in sorted(glob.glob(str(LCT / "*.ann"))):
        text = open(ann[:-4] + ".txt", encoding="utf-8").read()
        criteria = parse_criteria_text(text)
        gold = gold_tuples(ann)
        pred = align_generic(gold, predicted_tuples(criteria))
        for name, key in (("strict", lambda t: t), ("value_only", lambda t: (t[0], t[2]))):
            tp, fp, fn = _match(gold, pred, key)
            totals[name][0] += tp
            totals[name][1] += fp
            totals[name][2] += fn
        parsed, n = coverage(criteria)
        n_items += n
        n_parsed += parsed
        if details:
            g, p = Counter(gold), Counter(pred)
            per_doc.append({"doc": os.path.basename(ann)[:-4],
                            "missed": [list(t) for t in (g - p).elements()],
                            "extra": [list(t) for t in (p - g).elements()]})
    elapsed = time.perf_counter() - t0
    res = {"documents": len(glob.glob(str(LCT / "*.ann"))), "items": n_items, "items_with_constraints": n_parsed,
           "unparsed_items": n_items - n_parsed, "coverage": n_parsed / n_items if n_items else 0.0,
           "seconds": round(elapsed, 2)}
    for name, (tp, fp, fn) in totals.items():
        p, r, f = _prf(tp, fp, fn)
        res[name] = {"tp": tp, "fp": fp, "fn": fn, "precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)}
    if details:
        res["details"] = per_doc
    return res


def _ctgov_texts() -> list[tuple[str, str]]:
    """(record id, criteria text) for every record in ../shared/data/ctgov (XML and JSON)."""
    from defusedxml import ElementTree as ET

    out = []
    for path in sorted(glob.glob(str(CTGOV / "**" / "*.xml"), recursive=True)):
        try:
            root = ET.parse(path).getroot()
        except Exception:  # noqa: BLE001 - a broken file is reported by the readers, not here
            continue
        node = root.find("./eligibility/criteria/textblock")
        if node is not None and node.text:
            out.append((Path(path).stem, node.text))
    for path in sorted(glob.glob(str(CTGOV / "**" / "*.json"), recursive=True)):
        try:
            data = json.load(open(path, encoding="utf-8"))
        except Exception:  # noqa: BLE001
            continue
        studies = data.get("studies", [data]) if isinstance(data, dict) else []
        for s in studies:
            ps = s.get("protocolSection", {}) if isinstance(s, dict) else {}
            text = ps.get("eligibilityModule", {}).get("eligibilityCriteria")
            nct = ps.get("identificationModule", {}).get("nctId", Path(path).stem)
            if text:
                out.append((f"{nct} ({Path(path).name})", text))
    return out


def evaluate_ctgov() -> dict:
    n_items = n_parsed = 0
    by_type: Counter[str] = Counter()
    records = _ctgov_texts()
    t0 = time.perf_counter()
    for _rid, text in records:
        criteria = parse_criteria_text(text)
        parsed, n = coverage(criteria)
        n_items += n
        n_parsed += parsed
        for c in criteria:
            for k in c["constraints"]:
                by_type[k["type"]] += 1
    return {"records": len(records), "items": n_items, "items_with_constraints": n_parsed,
            "unparsed_items": n_items - n_parsed, "coverage": round(n_parsed / n_items, 3) if n_items else 0.0,
            "constraints_by_type": dict(by_type.most_common()), "seconds": round(time.perf_counter() - t0, 2)}


def measure_speed(size: int = 1_000_000) -> dict:
    """Per-call cost of the drug and class search, and the time to parse ``size``
    characters of criteria (the ctgov texts repeated, each repeated line made unique so
    the parser's cache of drug mentions does not hide the search cost)."""
    from trialkg.criteria import parse as parse_mod
    from trialkg.knowledge.mentions import find_class_mentions, find_drug_mentions

    texts = [t for _rid, t in _ctgov_texts()]
    lines = [ln for t in texts for ln in t.splitlines() if ln.strip()]
    find_drug_mentions("warm up")
    find_class_mentions("warm up")
    res: dict = {"lines": len(lines)}
    for name, fn in (("drug_ms_per_call", find_drug_mentions), ("class_ms_per_call", find_class_mentions)):
        t0 = time.process_time()
        for ln in lines:
            fn(ln)
        res[name] = round(1000 * (time.process_time() - t0) / len(lines), 4)
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
    parse_mod._drug_mentions.cache_clear()
    t0, w0 = time.process_time(), time.perf_counter()
    items = parse_criteria_text(big)
    res.update({"text_chars": len(big), "text_items": len(items),
                "text_cpu_s": round(time.process_time() - t0, 2), "text_wall_s": round(time.perf_counter() - w0, 2)})
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--details", action="store_true", help="list missed and extra tuples per document")
    ap.add_argument("--json", action="store_true", help="print one JSON document")
    ap.add_argument("--speed", action="store_true", help="measure the drug search and a 1 MB text instead")
    args = ap.parse_args(argv)
    if args.speed:
        sp = measure_speed()
        print(f"drug mentions {sp['drug_ms_per_call']} ms/call, class mentions {sp['class_ms_per_call']} ms/call"
              f" (CPU, {sp['lines']} ctgov criteria lines)")
        print(f"parse {sp['text_chars']} chars ({sp['text_items']} items): {sp['text_cpu_s']} s CPU,"
              f" {sp['text_wall_s']} s wall")
        return 0
    if not LCT.exists():
        print(f"gold not found: {LCT}", file=sys.stderr)
        return 2
    lct = evaluate_lct(args.details)
    ct = evaluate_ctgov()
    if args.json:
        print(json.dumps({"lct": lct, "ctgov": ct}, indent=2, ensure_ascii=False))
        return 0
    print(f"LCT sample: {lct['documents']} trials, {lct['items']} items ({lct['seconds']} s)")
    for name in ("strict", "value_only"):
        s = lct[name]
        print(f"  {name:<10} P={s['precision']:.3f} R={s['recall']:.3f} F1={s['f1']:.3f}"
              f"  (tp={s['tp']} fp={s['fp']} fn={s['fn']})")
    print(f"  coverage {lct['coverage']:.1%} ({lct['items_with_constraints']}/{lct['items']}),"
          f" unparsed items {lct['unparsed_items']}")
    print(f"ctgov records: {ct['records']} records, {ct['items']} items, coverage {ct['coverage']:.1%},"
          f" unparsed items {ct['unparsed_items']} ({ct['seconds']} s)")
    print(f"  constraints by type: {ct['constraints_by_type']}")
    if args.details:
        for d in lct["details"]:
            if d["missed"] or d["extra"]:
                print(d["doc"])
                for t in d["missed"]:
                    print("   missed", t)
                for t in d["extra"]:
                    print("   extra ", t)
    _ = split_criteria, ucum_code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
