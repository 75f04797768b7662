"""The top of ``trialkg match``'s ranking and the verdict counts, for a few patients.

Builds tests/data/ctgov_corpus/ and seeds/ (or the sources given) into a temporary
store and prints, for each patient file, the verdict counts and the first N trials with
their verdict, condition fit, met/unknown/unmet counts and title.

    python benchmarks/match_ranking.py [SOURCE ...] [--patient FILE ...] [--top N] [--json OUT]
"""

from __future__ import annotations

import argparse
import collections
import json
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCES = [ROOT / "tests" / "data" / "ctgov_corpus", ROOT / "seeds"]
PATIENTS = ROOT / "tests" / "data" / "patients"
DEFAULT_PATIENTS = ["lms_uterine", "breast_hr_pos_her2_neg", "lung_adenocarcinoma_egfr", "aml", "osteosarcoma_16"]


def _summary(results: list, top: int) -> str:
    """The top N by condition fit, and where the first trial that does not fit the
    patient's conditions stands among the trials not excluded."""
    fits = collections.Counter(r.to_dict()["condition_fit"] for r in results[:top])
    open_ = [r for r in results if r.verdict != "excluded"]
    fitting = [i for i, r in enumerate(open_) if r.to_dict()["condition_fit"] == "fits"]
    other = [i for i, r in enumerate(open_) if r.to_dict()["condition_fit"] in ("unknown", "another condition")]
    last_fit = fitting[-1] + 1 if fitting else "-"
    first_other = other[0] + 1 if other else "-"
    return (f"top {top} by condition fit: " + ", ".join(f"{k} {v}" for k, v in fits.most_common())
            + f"; not excluded: {len(fitting)} fit, the last at {last_fit}; the first of unknown or another "
            f"condition at {first_other}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sources", nargs="*", type=Path)
    ap.add_argument("--patient", action="append", type=Path)
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("--json", type=Path, help="write every patient's full result list here")
    args = ap.parse_args()

    from trialkg.match import load_patient, match_store
    from trialkg.pipeline import build
    from trialkg.store import TrialStore

    patients = args.patient or [PATIENTS / f"{n}.json" for n in DEFAULT_PATIENTS]
    out: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        build([str(s) for s in (args.sources or DEFAULT_SOURCES)], store_path=Path(tmp) / "store",
              replace=True, jobs=1, quiet=True)
        store = TrialStore(Path(tmp) / "store", read_only=True)
        for path in patients:
            results = match_store(store, load_patient(path))
            out[path.stem] = [r.to_dict() for r in results]
            counts = collections.Counter(r.verdict for r in results)
            print(f"== {path.stem}: {len(results)} trials; "
                  + ", ".join(f"{v} {counts[v]}" for v in ("eligible", "possible", "excluded")))
            print("   " + _summary(results, args.top))
            for r in results[: args.top]:
                d = r.to_dict()
                print(f"   {r.trial:17} {r.verdict:9} {d['condition_fit']:17} met {d['met']:>2} unknown "
                      f"{d['unknown']:>2} unmet {d['unmet']:>2}  {(r.title or '')[:58]}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
