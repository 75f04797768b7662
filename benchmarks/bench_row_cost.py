"""What one answer row costs the engine itself: raw pyoxigraph, no trialkg code.

On a built store, the same sites (every ``tkg:country`` node) are read by queries of one,
two and three joined triple patterns, with an OPTIONAL more, over the union of the named
graphs (as trialkg queries them) and inside ``GRAPH ?g``. Each query runs ``--runs`` times
in turn with the others; the medians of CPU per query and per row are printed. The per-row
cost of the answers that grow with the store (docs/performance.md) is set by these figures:
an answer of 3-6 joined patterns cannot cost less per row than they do.

    python benchmarks/bench_row_cost.py benchmarks/out/engine-store-1000 --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import time

import pyoxigraph as ox

PREFIX = "PREFIX tkg: <https://w3id.org/trialkg/ontology#>\n"
SHAPES = {
    "1 pattern": "SELECT ?s ?country WHERE { ?s tkg:country ?country }",
    "2 patterns": "SELECT ?s ?country ?t WHERE { ?s tkg:country ?country . ?t tkg:hasSite ?s }",
    "3 patterns": "SELECT ?s ?country ?trial WHERE { ?s tkg:country ?country . ?t tkg:hasSite ?s ; tkg:trialId ?trial }",
    "3 patterns in GRAPH ?g": ("SELECT ?s ?country ?trial WHERE { GRAPH ?g { ?s tkg:country ?country . "
                               "?t tkg:hasSite ?s ; tkg:trialId ?trial } }"),
    "3 patterns + OPTIONAL": ("SELECT ?s ?country ?trial ?f WHERE { ?s tkg:country ?country . ?t tkg:hasSite ?s ; "
                              "tkg:trialId ?trial OPTIONAL { ?s tkg:facility ?f } }"),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store", help="a store built by trialkg build")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    store = ox.Store.read_only(args.store)
    cpu: dict[str, list[float]] = {name: [] for name in SHAPES}
    rows: dict[str, int] = {}
    for _ in range(args.runs + 1):  # the first round warms the cache and is not counted
        for name, text in SHAPES.items():
            started = time.process_time()
            n = sum(1 for _row in store.query(PREFIX + text, use_default_graph_as_union=True))
            cpu[name].append(time.process_time() - started)
            rows[name] = n
    print(f"| shape | rows | CPU per query (median of {args.runs}) | CPU per row |")
    print("| --- | --- | --- | --- |")
    for name in SHAPES:
        median = statistics.median(cpu[name][1:])
        per_row = median / rows[name] * 1e6 if rows[name] else float("nan")
        print(f"| {name} | {rows[name]:,} | {median * 1000:.1f} ms | {per_row:.1f} us |")


if __name__ == "__main__":
    main()
