"""Time SHACL validation: the compiled SPARQL engine against pySHACL, at 1k and 10k trials, in one run.

    python benchmarks/generate.py --trials 1000 -o benchmarks/out/1k.zip
    python benchmarks/generate.py --trials 10000 -o benchmarks/out/10k.zip
    trialkg build benchmarks/out/1k.zip --store /tmp/v1k --replace
    trialkg build benchmarks/out/10k.zip --store /tmp/v10k --replace
    python benchmarks/bench_validate.py --store-1k /tmp/v1k --store-10k /tmp/v10k --jobs 2 \\
        --pyshacl-max 250 --pyshacl-max-10k 250 --json benchmarks/out/validate.json

Per store: the compiled engine (``validate_store(store, engine="sparql")``: every trial,
the shared graphs, the whole store) and pySHACL (``engine="pyshacl"``: one trial graph
at a time). pySHACL on a sample (``--pyshacl-max`` / ``--pyshacl-max-10k`` trial graphs,
evenly spaced) is scaled up linearly to the whole store and labelled so; a sample
leaves out the shared reference and entities graphs, which a whole run checks once.
Prints wall and CPU seconds (CPU includes the worker processes, so a figure taken on a
shared machine can be read without the other load), the load average before and after,
the pySHACL/compiled ratio, and a 100k figure extrapolated from 10k (linear in trials),
labelled as such. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from trialkg.store import TrialStore
from trialkg.validate import compiled_checks, validate_store

TARGET_TRIALS = 100_000
TARGET_SECONDS = 600


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _sample(ids: list[str], n: int) -> list[str] | None:
    """``n`` trial ids evenly spaced over ``ids``; None: all of them."""
    if not n or n >= len(ids):
        return None
    step = len(ids) / n
    return [ids[int(i * step)] for i in range(n)]


def run(store_path: str, engine: str, jobs: int, sample: int = 0) -> dict[str, Any]:
    """One engine over one store (or a sample of its trials), timed; scaled to the whole store."""
    store = TrialStore(store_path, read_only=True)
    ids = store.trial_ids()
    trials = _sample(ids, sample) if engine == "pyshacl" else None
    compiled_checks()  # compile once, outside the timing (it is cached per process)
    load0 = os.getloadavg()[0]
    wall0, cpu0 = time.perf_counter(), _cpu()
    report = validate_store(store, engine=engine, jobs=jobs, trials=trials)
    wall, cpu = time.perf_counter() - wall0, _cpu() - cpu0
    validated = len(trials) if trials is not None else len(ids)
    scale = len(ids) / validated
    return {
        "store": store_path, "engine": engine, "jobs": jobs, "trials": len(ids), "quads": len(store.ox),
        "validated": validated, "seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
        "seconds_all": round(wall * scale, 1), "cpu_seconds_all": round(cpu * scale, 1),
        "extrapolated": trials is not None, "load_before": round(load0, 1),
        "load_after": round(os.getloadavg()[0], 1),
        "violations": report.count("Violation"), "warnings": report.count("Warning"),
    }


def _line(label: str, row: dict[str, Any]) -> str:
    how = (f"extrapolated from {row['validated']:,} of {row['trials']:,} trial graphs "
           f"({row['seconds']} s measured)" if row["extrapolated"] else "all graphs")
    return (f"{label:12}: {row['seconds_all']:9.1f} s wall {row['cpu_seconds_all']:9.1f} s CPU  "
            f"{row['quads']:,} quads, {how}; {row['violations']} violations, {row['warnings']} warnings; "
            f"load {row['load_before']} -> {row['load_after']}")


def measure(size: str, store_path: str, jobs: int, pyshacl_max: int) -> list[dict[str, Any]]:
    """Both engines on one store: the rows, printed as they come."""
    compiled = run(store_path, "sparql", jobs)
    print(_line(f"compiled {size}", compiled), flush=True)
    reference = run(store_path, "pyshacl", jobs, pyshacl_max)
    print(_line(f"pySHACL {size}", reference), flush=True)
    print(f"ratio pySHACL/compiled at {size}: {reference['seconds_all'] / compiled['seconds']:.1f}x wall, "
          f"{reference['cpu_seconds_all'] / compiled['cpu_seconds']:.1f}x CPU", flush=True)
    for row in (compiled, reference):
        row["size"] = size
    return [compiled, reference]


def extrapolate_100k(compiled_10k: dict[str, Any], jobs: int) -> dict[str, Any]:
    factor = TARGET_TRIALS / compiled_10k["trials"]
    wall, cpu = compiled_10k["seconds"] * factor, compiled_10k["cpu_seconds"] * factor
    print(f"EXTRAPOLATED 100k (linear from 10k, x{factor:.0f}): {wall:.0f} s wall, {cpu:.0f} s CPU = "
          f"{cpu / jobs:.0f} s on {jobs} idle cores (target {TARGET_SECONDS} s)")
    return {"size": "100k", "engine": "sparql", "extrapolated": True, "seconds": round(wall), "cpu_seconds": round(cpu)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store-1k", default="/tmp/v1k")
    ap.add_argument("--store-10k", default="/tmp/v10k", help="skipped when the directory does not exist")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--pyshacl-max", type=int, default=0,
                    help="1k: validate only this many trial graphs with pySHACL and scale up; 0: all")
    ap.add_argument("--pyshacl-max-10k", type=int, default=500,
                    help="10k: the same (every 10k graph takes ten times the 1k run); 0: all")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)

    rows = measure("1k", args.store_1k, args.jobs, args.pyshacl_max)
    if args.store_10k and Path(args.store_10k).exists():
        rows += measure("10k", args.store_10k, args.jobs, args.pyshacl_max_10k)
        rows.append(extrapolate_100k(rows[-2], args.jobs))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
