"""Time SHACL validation: the SPARQL engine against pySHACL per graph.

Target: 100k trials (~57M quads) validated in <= 10 minutes on 2 cores.

    trialkg build benchmarks/out/scale-1000.zip --store /tmp/v1k --replace
    cp -a benchmarks/out/scale-store-10000 /tmp/v10k     # a copy: never open the original
    python benchmarks/bench_validate.py --store-1k /tmp/v1k --store-10k /tmp/v10k --jobs 2

Prints wall and CPU seconds per engine and store, the pySHACL/SPARQL ratio, and a
100k figure that is an extrapolation (linear in quads), labelled as such. CPU seconds
include the worker processes (resource.getrusage of children), so a figure taken on a
shared machine can be read without the other load.
"""

from __future__ import annotations

import argparse
import json
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


def run(store_path: str, engine: str, jobs: int, trials: list[str] | None = None) -> dict[str, Any]:
    store = TrialStore(store_path, read_only=True)
    n_trials = len(store.trial_ids())
    quads = len(store.ox)
    compiled_checks()  # compile once, outside the timing (it is cached per process)
    wall0, cpu0 = time.perf_counter(), _cpu()
    report = validate_store(store, engine=engine, jobs=jobs, trials=trials)
    wall, cpu = time.perf_counter() - wall0, _cpu() - cpu0
    return {
        "store": store_path, "engine": engine, "jobs": jobs, "trials": n_trials, "quads": quads,
        "validated": len(trials) if trials is not None else n_trials,
        "seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
        "violations": report.count("Violation"), "warnings": report.count("Warning"),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store-1k", default="/tmp/v1k")
    ap.add_argument("--store-10k", default="/tmp/v10k")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--pyshacl-max", type=int, default=0,
                    help="validate only this many trial graphs with pySHACL (evenly spaced) and scale up; 0: all")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)

    rows = []
    sparql_1k = run(args.store_1k, "sparql", args.jobs)
    rows.append(sparql_1k)
    print(f"sparql  1k : {sparql_1k['seconds']:8.1f} s wall  {sparql_1k['cpu_seconds']:8.1f} s CPU  "
          f"({sparql_1k['violations']} violations, {sparql_1k['warnings']} warnings)", flush=True)

    ids = TrialStore(args.store_1k, read_only=True).trial_ids()
    sample = None
    if args.pyshacl_max and args.pyshacl_max < len(ids):
        step = len(ids) / args.pyshacl_max
        sample = [ids[int(i * step)] for i in range(args.pyshacl_max)]
    py_1k = run(args.store_1k, "pyshacl", args.jobs, sample)
    scale = len(ids) / py_1k["validated"]
    py_1k["seconds_all"] = round(py_1k["seconds"] * scale, 1)
    py_1k["cpu_seconds_all"] = round(py_1k["cpu_seconds"] * scale, 1)
    rows.append(py_1k)
    label = "" if sample is None else f" (extrapolated from {len(sample)} graphs)"
    print(f"pyshacl 1k : {py_1k['seconds_all']:8.1f} s wall  {py_1k['cpu_seconds_all']:8.1f} s CPU{label}",
          flush=True)
    print(f"ratio pyshacl/sparql at 1k: {py_1k['seconds_all'] / sparql_1k['seconds']:.1f}x wall, "
          f"{py_1k['cpu_seconds_all'] / sparql_1k['cpu_seconds']:.1f}x CPU", flush=True)

    if args.store_10k and Path(args.store_10k).exists():
        sparql_10k = run(args.store_10k, "sparql", args.jobs)
        rows.append(sparql_10k)
        print(f"sparql 10k : {sparql_10k['seconds']:8.1f} s wall  {sparql_10k['cpu_seconds']:8.1f} s CPU  "
              f"({sparql_10k['quads']:,} quads)", flush=True)
        factor = TARGET_TRIALS / sparql_10k["trials"]
        wall_100k = sparql_10k["seconds"] * factor
        cpu_100k = sparql_10k["cpu_seconds"] * factor
        print(f"EXTRAPOLATED 100k (linear from 10k, x{factor:.0f}): {wall_100k:.0f} s wall, "
              f"{cpu_100k:.0f} s CPU = {cpu_100k / args.jobs:.0f} s on {args.jobs} idle cores "
              f"(target {TARGET_SECONDS} s)")
        rows.append({"extrapolated_100k": True, "seconds": round(wall_100k), "cpu_seconds": round(cpu_100k)})
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
