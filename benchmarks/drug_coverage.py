"""How many drug components of real records reach an identified drug, and how many of those
drugs reach a target; what stays unresolved; what the dictionary costs.

Reads every record of tests/data/ctgov_corpus/ (all folders; or the sources given),
resolves every intervention (name and other names, any type) and prints, for the
curated tables alone and for the curated tables with the compiled dictionary:

- components: the drugs each intervention resolves to, plus each drug-like part that
  resolves to nothing (placebos, procedures, radiation and "standard of care" are
  classified and not counted);
- linked: components whose drug has a ChEMBL, DrugBank or UNII identifier;
- with target: distinct linked drugs with at least one target (protein or DNA ...);
- with a class: distinct drugs with at least one drug class (curated, or derived by the
  reference build from the drug's mechanism or INN stem: ``class_rules.tsv``);
- trials with at least one normalised drug;
- the unresolved names with their counts;
- cost: dictionary load time and memory, look-up time, normalisation time per trial
  with and without the dictionary, reference-graph time for the drugs used.

    python benchmarks/drug_coverage.py [SOURCE ...] [--json]
        [--name-lists tests/data/ctgov_corpus/CANDIDATE_TKI_TRIALS_not_saved.csv]

``--name-lists`` measures a CSV of trials given as their drug intervention names
(``nct_id`` and ``drugs_listed``, a Python list literal: the HINT benchmark's drug
column, ClinicalTrials.gov intervention names of type Drug) as a second corpus.

Run it with PYTHONPATH pointing at another checkout to measure that code ("before").
"""

from __future__ import annotations

import argparse
import collections
import gc
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT / "tests" / "data" / "ctgov_corpus"
LINK_KEYS = ("chembl", "drugbank", "unii")


def records(sources: list[str]) -> list[Any]:
    from trialkg.sources import iter_records

    out = []
    for r in iter_records(sources):
        if isinstance(r, Exception):
            print(f"skipped: {r}", file=sys.stderr)
            continue
        out.append(r)
    return out


def name_list_records(path: str) -> list[Any]:
    """Trials given as lists of drug intervention names (one CSV row each)."""
    import ast
    import csv

    from trialkg.records import Intervention, Provenance, TrialRecord

    out = []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            names = ast.literal_eval(row["drugs_listed"])
            out.append(TrialRecord(id=row["nct_id"], nct_id=row["nct_id"],
                                   provenance=Provenance(path, "csv", "0"),
                                   interventions=[Intervention(name=n, type="DRUG") for n in names]))
    return out


def curated_only(lex: Any) -> Any:
    """The same lexicon without the compiled dictionary (the tables as they were curated)."""
    from trialkg.knowledge.lexicon import Lexicon

    bare = Lexicon(lex.source)
    if hasattr(bare, "_compiled"):
        bare._compiled = None
    return bare


def coverage(recs: list[Any], lex: Any) -> dict[str, Any]:
    from trialkg.knowledge.normalise import normalise_intervention

    components = linked = 0
    drugs: dict[str, bool] = {}
    classed: dict[str, bool] = {}  # every drug reached -> has a class
    unresolved: collections.Counter[str] = collections.Counter()
    kinds: collections.Counter[str] = collections.Counter()
    trials_with_drug = 0
    started = time.perf_counter()
    for rec in recs:
        found = False
        for iv in rec.interventions:
            res = normalise_intervention(iv, lex)
            kinds[res.kind] += 1
            for d in res.drugs:
                info = lex.drug(d)
                ids = getattr(info, "ids", {}) or {}
                is_linked = any(ids.get(k) for k in LINK_KEYS)
                components += 1
                linked += is_linked
                classed[d] = bool(getattr(info, "classes", ()))
                if is_linked:
                    drugs[d] = bool(getattr(info, "targets", ()))
                found = True
            for part in res.unresolved:
                components += 1
                unresolved[part] += 1
        trials_with_drug += found
    elapsed = time.perf_counter() - started
    with_target = sum(drugs.values())
    return {
        "trials": len(recs), "interventions": sum(kinds.values()), "kinds": dict(kinds),
        "components": components, "linked": linked,
        "linked_share": round(linked / components, 4) if components else None,
        "linked_drugs": len(drugs), "linked_drugs_with_target": with_target,
        "target_share": round(with_target / len(drugs), 4) if drugs else None,
        "drugs_without_target": sorted(d for d, t in drugs.items() if not t),
        "drugs": len(classed), "drugs_with_class": sum(classed.values()),
        "class_share": round(sum(classed.values()) / len(classed), 4) if classed else None,
        "drugs_without_class": sorted(d for d, c in classed.items() if not c),
        "trials_with_a_drug": trials_with_drug,
        "unresolved": dict(unresolved.most_common()),
        "normalise_ms_per_trial": round(1000 * elapsed / max(len(recs), 1), 3),
    }


def rss_mb() -> float | None:
    try:
        import psutil
    except ImportError:
        return None
    return psutil.Process(os.getpid()).memory_info().rss / 1e6


def cost(recs: list[Any]) -> dict[str, Any]:
    """Load time and memory of the dictionary, look-up time, reference graph time."""
    from trialkg.knowledge.lexicon import Lexicon
    from trialkg.resources import ontology_file

    gc.collect()
    rss0 = rss_mb()
    tracemalloc.start()
    t0 = time.perf_counter()
    lex = Lexicon(ontology_file("reference"))
    t1 = time.perf_counter()
    compiled = getattr(lex, "compiled", None)
    t2 = time.perf_counter()
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss1 = rss_mb()
    out: dict[str, Any] = {"curated_load_s": round(t1 - t0, 3), "compiled_load_s": round(t2 - t1, 3),
                           "load_peak_mb_tracemalloc": round(peak / 1e6, 1)}
    if rss0 is not None and rss1 is not None:
        out["load_rss_added_mb"] = round(rss1 - rss0, 1)
    if compiled is None:
        return out
    names = ["carboplatin", "Tasigna", "MK-3475", "tamoxifen citrate", "zz-no-such-drug", "pegylated interferon"]
    n = 2000
    t = time.perf_counter()
    for i in range(n):
        lex.lookup(names[i % len(names)])
    out["lookup_us"] = round(1e6 * (time.perf_counter() - t) / n, 1)
    size = sum(f.stat().st_size for f in (ROOT / "ontology" / "reference" / "compiled").iterdir())
    out["shipped_mb"] = round(size / 1e6, 2)
    from trialkg.knowledge.normalise import normalise_record
    from trialkg.knowledge.reference import reference_triples

    used = sorted({d for r in recs for iv in normalise_record(r, lex).interventions for d in iv.drugs})
    t = time.perf_counter()
    triples = reference_triples(lex, drugs=used)
    out["reference_graph_s"] = round(time.perf_counter() - t, 3)
    out["reference_graph_triples"] = len(triples)
    out["drugs_used"] = len(used)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sources", nargs="*", default=[str(DEFAULT_SOURCE)])
    ap.add_argument("--json", action="store_true", help="print one JSON document")
    ap.add_argument("--name-lists", help="a CSV of trials as drug intervention name lists")
    args = ap.parse_args(argv)
    from trialkg.knowledge.lexicon import Lexicon

    recs = name_list_records(args.name_lists) if args.name_lists else records(args.sources)
    costs = cost(recs)
    lex = Lexicon.default()
    bare = curated_only(lex)
    coverage(recs, bare)  # each once to warm the caches (matchers, look-ups), then measured
    before = coverage(recs, bare)
    coverage(recs, lex)
    after = coverage(recs, lex)
    doc = {"sources": args.name_lists or args.sources, "curated_only": before, "with_dictionary": after,
           "cost": costs,
           "added_ms_per_trial": round(after["normalise_ms_per_trial"] - before["normalise_ms_per_trial"], 3)}
    if args.json:
        print(json.dumps(doc, indent=2))
        return 0
    for label, c in (("curated tables only", before), ("with the compiled dictionary", after)):
        print(f"== {label}: {c['trials']} trials, {c['interventions']} interventions {c['kinds']}")
        print(f"   components linked to ChEMBL/DrugBank/UNII: {c['linked']}/{c['components']} = {c['linked_share']}")
        print(f"   linked drugs with a target: {c['linked_drugs_with_target']}/{c['linked_drugs']} = {c['target_share']}")
        print(f"   drugs with a class: {c['drugs_with_class']}/{c['drugs']} = {c['class_share']}")
        print(f"   trials with a normalised drug: {c['trials_with_a_drug']}/{c['trials']}")
        print(f"   normalisation: {c['normalise_ms_per_trial']} ms per trial")
        print(f"   without target: {', '.join(c['drugs_without_target']) or '-'}")
        print(f"   without class: {', '.join(c['drugs_without_class']) or '-'}")
        print(f"   unresolved ({sum(c['unresolved'].values())}): "
              + "; ".join(f"{k} x{v}" for k, v in c["unresolved"].items()))
    print("== cost: " + ", ".join(f"{k}={v}" for k, v in costs.items()))
    print(f"   dictionary adds {doc['added_ms_per_trial']} ms per trial to normalisation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
