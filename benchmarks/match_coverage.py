"""How much of the real registry data the matcher can decide, for a fully specified patient.

Builds tests/data/ctgov_corpus/ (or the sources given) into a temporary store, matches a
patient for whom every field of the patient file is filled in against every trial, and
prints: trials matched without error, verdict counts, the share of criteria decided
(met or unmet rather than unknown), that share by constraint type, and timings.

    python benchmarks/match_coverage.py [SOURCE ...] [--patient FILE] [--jobs N]
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT / "tests" / "data" / "ctgov_corpus"

# Every key of the patient file given: a 52-year-old woman with leiomyosarcoma after
# doxorubicin and 10 weeks of anlotinib, normal labs, no CNS disease.
FULL_PATIENT = {
    "id": "fully-specified",
    "age_years": 52, "sex": "FEMALE", "ecog": 1, "karnofsky": 80, "life_expectancy_months": 12,
    "conditions": ["leiomyosarcoma", "soft tissue sarcoma"],
    "prior_therapies": [
        {"drug": "doxorubicin", "weeks_since_last_dose": 40, "duration_weeks": 18},
        {"drug": "anlotinib", "weeks_since_last_dose": 10, "duration_weeks": 10},
    ],
    "labs": {
        "neutrophils": {"value": 2600, "unit": "/uL"},
        "platelets": {"value": 230, "unit": "10*9/L"},
        "hemoglobin": {"value": 12.1, "unit": "g/dL"},
        "white_blood_cells": {"value": 5.4, "unit": "10*9/L"},
        "lymphocytes": {"value": 1.4, "unit": "10*9/L"},
        "creatinine": {"value": 0.8, "unit": "mg/dL", "uln": 1.1},
        "creatinine_clearance": {"value": 88, "unit": "mL/min"},
        "bilirubin": {"value": 0.7, "unit": "x ULN"},
        "ast": {"value": 0.9, "unit": "x ULN"},
        "alt": {"value": 0.8, "unit": "x ULN"},
        "alkaline_phosphatase": {"value": 1.0, "unit": "x ULN"},
        "albumin": {"value": 40, "unit": "g/L"},
        "inr": {"value": 1.0, "unit": "1"},
        "aptt": {"value": 1.0, "unit": "x ULN"},
        "lvef": {"value": 62, "unit": "%"},
        "qtc": {"value": 430, "unit": "ms"},
        "blood_pressure_systolic": {"value": 125, "unit": "mmHg"},
        "blood_pressure_diastolic": {"value": 80, "unit": "mmHg"},
        "glucose": {"value": 5.2, "unit": "mmol/L"},
        "nyha": {"value": 1},
        "gfr": {"value": 90, "unit": "mL/min/{1.73_m2}"},
        "urine_protein": {"value": 0.1, "unit": "g/(24.h)"},
        "tsh": {"value": 1.0, "unit": "x ULN"},
    },
    "biomarkers": [{"gene": "KDR", "variant": "rs2071559 A>G", "status": "positive"},
                   {"gene": "EGFR", "status": "negative"}],
    "flags": {
        "amputee": False, "cns_metastases": False, "liver_metastases": False, "bone_metastases": False,
        "measurable_disease": True, "evaluable_disease": True, "advanced_disease": True,
        "pregnant": False, "breastfeeding": False, "contraception": True, "consent": True,
        "hiv_infection": False, "hepatitis_b": False, "hepatitis_c": False, "active_infection": False,
        "autoimmune_disease": False, "other_malignancy": False, "cardiovascular_disease": False,
        "hypertension": False, "thromboembolism": False, "bleeding": False, "lung_disease": False,
        "diabetes": False, "psychiatric_disorder": False, "gastrointestinal_disorder": False,
        "wound_or_fracture": False, "hypersensitivity": False, "unresolved_toxicity": False,
        "thyroid_dysfunction": False, "effusion": False, "renal_disease": False,
        "liver_disease": False, "electrolyte_abnormality": False, "serious_illness": False,
    },
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sources", nargs="*", default=[str(DEFAULT_SOURCE)])
    ap.add_argument("--patient", help="a patient JSON file (default: the built-in full patient)")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()

    from trialkg.match import DrugKnowledge, Matcher, load_patient, parse_patient, read_trials
    from trialkg.pipeline import build
    from trialkg.store import TrialStore

    patient = load_patient(args.patient) if args.patient else parse_patient(FULL_PATIENT, file="<built-in>")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        summary = build(args.sources, store_path=Path(tmp) / "store", replace=True, jobs=args.jobs, quiet=True)
        t_build = time.perf_counter() - t0
        store = TrialStore(Path(tmp) / "store", read_only=True)
        t1 = time.perf_counter()
        trials = read_trials(store)
        matcher = Matcher(patient, DrugKnowledge(store))
        t_read = time.perf_counter() - t1
        verdicts: collections.Counter[str] = collections.Counter()
        by_type: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        failures = []
        decided = total = unparsed = 0
        t2 = time.perf_counter()
        for trial in trials:
            try:
                result = matcher.match(trial)
            except Exception as exc:  # noqa: BLE001 - counted and shown, the run goes on
                failures.append((trial.id, f"{type(exc).__name__}: {exc}"))
                continue
            verdicts[result.verdict] += 1
            crit_by_id = {c.id: c for c in trial.criteria}
            for reason in result.reasons:
                total += 1
                decided += reason.outcome != "unknown"
                crit = crit_by_id.get(reason.criterion)
                if crit is not None:
                    types = sorted({k.type for k in crit.constraints})
                else:
                    types = ["no-criteria-in-graph" if reason.criterion == "criteria" else "registry-limits"]
                if crit is not None and all(t == "unparsed" for t in types or ["unparsed"]):
                    unparsed += 1
                for t in types or ["unparsed"]:
                    by_type[t][reason.outcome] += 1
        t_match = time.perf_counter() - t2

    print(f"sources            {' '.join(args.sources)}")
    print(f"trials built       {summary.trials} in {t_build:.1f} s (jobs={args.jobs}), rejected {len(summary.rejected)}")
    print(f"trials matched     {sum(verdicts.values())} of {len(trials)}, errors {len(failures)}")
    for tid, msg in failures[:10]:
        print(f"  error {tid}: {msg}")
    print(f"verdicts           {dict(sorted(verdicts.items()))}")
    print(f"criteria           {total} (incl. registry age/sex limits); with no parsed constraint: {unparsed}")
    share = decided / total if total else 0.0
    print(f"decidable          {decided} of {total} = {share:.1%} (met or unmet, not unknown)")
    parsed_total = total - unparsed
    print(f"decidable, parsed  {decided} of {parsed_total} = {decided / parsed_total:.1%} of criteria with a constraint" if parsed_total else "")
    print("by constraint type (a criterion counts under each type it carries):")
    for t, c in sorted(by_type.items(), key=lambda kv: -sum(kv[1].values())):
        n = sum(c.values())
        print(f"  {t:20s} {n:5d}  decided {(c['met'] + c['unmet']) / n:6.1%}  (met {c['met']}, unmet {c['unmet']}, unknown {c['unknown']})")
    print(f"timing             read {t_read * 1000:.0f} ms, match {t_match * 1000:.0f} ms "
          f"({t_match / max(1, len(trials)) * 1000:.2f} ms per trial)")
    print(json.dumps({"trials": len(trials), "errors": len(failures), "decided": decided, "criteria": total,
                      "share": round(share, 4)}), file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
