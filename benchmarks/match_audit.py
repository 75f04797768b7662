"""Every exclusion ``trialkg match`` makes on real records, with the criterion and the fact.

Builds tests/data/ctgov_corpus/ (or the sources given) into a temporary store, or reads
``--store``, and prints, for each patient file, the verdict counts and then every
``excluded`` trial with each criterion that counts against the patient: its id and
section, its text as the registry wrote it, and the reason (the patient's fact and the
constraint it was compared with). Meant to be read: an exclusion is right when the
criterion, read by a clinician, keeps this patient out.

    python benchmarks/match_audit.py [SOURCE ...] [--store DIR] [--patient FILE ...]
                                     [--counts] [--json OUT]
"""

from __future__ import annotations

import argparse
import collections
import json
import tempfile
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCES = [ROOT / "tests" / "data" / "ctgov_corpus"]
PATIENTS = ROOT / "tests" / "data" / "patients"
# Patients with a diagnosis: the files written from real criteria of the corpus trials.
DEFAULT_PATIENTS = ["lms_uterine", "lms_tki_naive", "breast_hr_pos_her2_neg", "breast_hr_pos_after_adjuvant",
                    "lung_adenocarcinoma_egfr", "rcc_after_sunitinib", "cml_after_imatinib", "aml",
                    "osteosarcoma_16"]


def audit(store: Any, patients: list[Path], counts_only: bool) -> dict[str, Any]:
    from trialkg.match import load_patient, match_store

    out: dict[str, Any] = {}
    for path in patients:
        results = match_store(store, load_patient(path))
        verdicts = collections.Counter(r.verdict for r in results)
        print(f"== {path.stem}: {len(results)} trials; "
              + ", ".join(f"{v} {verdicts[v]}" for v in ("eligible", "possible", "excluded")))
        excluded = [r for r in results if r.verdict == "excluded"]
        out[path.stem] = {"counts": dict(verdicts), "excluded": [
            {"trial": r.trial, "title": r.title, "unmet": [x.to_dict() for x in r.unmet]} for r in excluded]}
        if counts_only:
            continue
        for r in excluded:
            print(f"  {r.trial}  {(r.title or '')[:90]}")
            for x in r.unmet:
                print(f"    - {x.criterion} ({x.section}): " + textwrap.shorten(x.text, 400))
                print(textwrap.indent(textwrap.fill(f"because: {x.why}", 110), "        "))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sources", nargs="*", type=Path)
    ap.add_argument("--store", type=Path, help="an existing store to read instead of building one")
    ap.add_argument("--patient", action="append", type=Path)
    ap.add_argument("--counts", action="store_true", help="only the verdict counts")
    ap.add_argument("--json", type=Path, help="write every patient's exclusions here")
    args = ap.parse_args()

    from trialkg.pipeline import build
    from trialkg.store import TrialStore

    patients = args.patient or [PATIENTS / f"{n}.json" for n in DEFAULT_PATIENTS]
    if args.store:
        out = audit(TrialStore(args.store, read_only=True), patients, args.counts)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            build([str(s) for s in (args.sources or DEFAULT_SOURCES)], store_path=Path(tmp) / "store",
                  replace=True, jobs=1, quiet=True)
            out = audit(TrialStore(Path(tmp) / "store", read_only=True), patients, args.counts)
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
