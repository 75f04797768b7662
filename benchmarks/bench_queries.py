"""Median latency of every stored query on a store of N generated trials (pyoxigraph),
and on rdflib's Memory store for a small N, with the ratio.

    python benchmarks/bench_queries.py [--trials 10000] [--runs 5] [--rdflib-trials 200]

Trials come from ``benchmarks/generate.py`` (seeded API v2 studies) and go through the
real pipeline (``trialkg.pipeline.build``). Each query runs with the parameters of its
header's ``# example:`` line. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import write_zip  # noqa: E402

from trialkg import queries as q  # noqa: E402
from trialkg.pipeline import build  # noqa: E402
from trialkg.store import TrialStore  # noqa: E402


def example_params(query: q.StoredQuery) -> list[tuple[str, str]]:
    """The ``-p NAME VALUE`` pairs of the query's first example line."""
    words = shlex.split(query.examples[0]) if query.examples else []
    return [(words[i + 1], words[i + 2]) for i, w in enumerate(words) if w == "-p"]


def build_store(trials: int, workdir: Path, jobs: int) -> tuple[TrialStore, float]:
    source = HERE / "out" / f"bench-queries-{trials}.zip"
    if not source.exists():
        source.parent.mkdir(parents=True, exist_ok=True)
        write_zip(source, trials, seed=42)
    started = time.perf_counter()
    build([str(source)], store_path=workdir / f"store-{trials}", replace=True, jobs=jobs, quiet=True)
    return TrialStore(workdir / f"store-{trials}", read_only=True), time.perf_counter() - started


def time_local(store: TrialStore, runs: int) -> dict[str, tuple[float, int]]:
    results = {}
    for query in q.stored_queries():
        bindings = q.bind_params(query, example_params(query))
        times, rows = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            rows = len(q.run_local(query, bindings, store).rows)
            times.append(time.perf_counter() - started)
        results[query.name] = (statistics.median(times), rows)
    return results


def time_rdflib(store: TrialStore, runs: int) -> dict[str, tuple[float, int]]:
    """rdflib Memory store, union default graph; parameters as the VALUES text sent remotely."""
    import rdflib

    dataset = store.to_rdflib()
    dataset.default_union = True
    results = {}
    for query in q.stored_queries():
        text = q.with_values(query.text, q.bind_params(query, example_params(query)))
        times, rows = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            rows = len(list(dataset.query(text)))
            times.append(time.perf_counter() - started)
        results[query.name] = (statistics.median(times), rows)
    assert isinstance(dataset, rdflib.Dataset)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rdflib-trials", type=int, default=200)
    ap.add_argument("--rdflib-runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        store, seconds = build_store(args.trials, work, args.jobs)
        print(f"store: {args.trials} trials, {len(store.ox)} quads, built in {seconds:.1f} s")
        big = time_local(store, args.runs)
        print(f"\nmedian of {args.runs} runs, pyoxigraph, {args.trials} trials")
        print(f"{'query':32} {'ms':>9} {'rows':>7}")
        for name, (t, rows) in big.items():
            print(f"{name:32} {t * 1000:9.1f} {rows:7d}")
        print(f"{'total':32} {sum(t for t, _ in big.values()) * 1000:9.1f}")

        if args.rdflib_trials:
            small, _ = build_store(args.rdflib_trials, work, args.jobs)
            ox_small = time_local(small, args.runs)
            rdf_small = time_rdflib(small, args.rdflib_runs)
            print(f"\n{args.rdflib_trials} trials ({len(small.ox)} quads): pyoxigraph vs rdflib Memory (median ms)")
            print(f"{'query':32} {'oxigraph':>9} {'rdflib':>9} {'ratio':>7} rows")
            for name in ox_small:
                (a, ra), (b, rb) = ox_small[name], rdf_small[name]
                same = "" if ra == rb else f" (rdflib {rb})"
                print(f"{name:32} {a * 1000:9.1f} {b * 1000:9.1f} {b / a if a else float('inf'):7.0f} {ra}{same}")


if __name__ == "__main__":
    main()
