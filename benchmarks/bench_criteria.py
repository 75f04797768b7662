"""CPU per trial of the normalise and criteria stages, with and without the item memo.

Reads the records once, then for each setting (memo off, memo on) re-reads them fresh
and times ``normalise_record`` and ``annotate_record`` with ``time.process_time``.
The memo hit rate is printed beside the figures, because generated corpora repeat
their items far more than real registries do: the "memo off" line is the cost of the
rules themselves.

Run: ``python benchmarks/bench_criteria.py [SOURCE ...] [--limit N]``; default source
``benchmarks/out/scale-1000.zip`` (``benchmarks/generate.py`` makes more). Also try
``tests/data/ctgov_corpus`` for real records.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from trialkg.criteria import annotate_record, parse_cache_info, set_parse_cache
from trialkg.knowledge.lexicon import Lexicon
from trialkg.knowledge.normalise import normalise_record
from trialkg.records import TrialRecord
from trialkg.sources import iter_records

DEFAULT = Path(__file__).resolve().parent / "out" / "scale-1000.zip"


def _records(sources: list[str], limit: int | None) -> list[TrialRecord]:
    out = [r for r in iter_records(sources) if isinstance(r, TrialRecord)]
    return out[:limit] if limit else out


def _run(sources: list[str], limit: int | None, memo: int) -> dict[str, float]:
    records = _records(sources, limit)
    set_parse_cache(memo)
    t_norm = t_crit = 0.0
    for r in records:
        t0 = time.process_time()
        normalise_record(r)
        t1 = time.process_time()
        annotate_record(r)
        t_crit += time.process_time() - t1
        t_norm += t1 - t0
    n = max(1, len(records))
    items = sum(len(r.eligibility.criteria or []) for r in records)
    info = parse_cache_info()
    hits = info.hits / max(1, info.hits + info.misses) if info else 0.0
    return {"records": len(records), "items": items, "normalise_ms": 1000 * t_norm / n,
            "criteria_ms": 1000 * t_crit / n, "hit_rate": hits}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sources", nargs="*", default=[str(DEFAULT)])
    ap.add_argument("--limit", type=int, default=None, help="only the first N records")
    args = ap.parse_args()
    Lexicon.default()  # load the drug lexicon outside the timings
    _run(args.sources, 5, 0)  # warm-up: imports, pint, lazy tables
    for label, memo in (("memo off", 0), ("memo on", 32768)):
        r = _run(args.sources, args.limit, memo)
        print(f"{label:8s}  {r['records']} trials, {r['items']} items: normalise {r['normalise_ms']:.2f} ms/trial, "
              f"criteria {r['criteria_ms']:.2f} ms/trial, normalise+criteria "
              f"{r['normalise_ms'] + r['criteria_ms']:.2f} ms/trial, memo hit rate {r['hit_rate']:.1%}")


if __name__ == "__main__":
    main()
