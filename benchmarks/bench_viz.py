"""Time the networkx projection, the pictures and the analytics on a built store.

    python benchmarks/generate.py --trials 10000 -o benchmarks/out/trials-10k.zip
    trialkg build benchmarks/out/trials-10k.zip --store benchmarks/out/store-10k --replace
    python benchmarks/bench_viz.py --store benchmarks/out/store-10k -o benchmarks/out/viz

Prints one line per step (seconds, nodes, edges) and the peak resident memory, so the
claim that pictures stay usable at 10k trials can be checked: the reduced picture's
node count and the note it carries are printed too.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import psutil

from trialkg import analyze, viz
from trialkg.store import TrialStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("-o", "--output", default="benchmarks/out/viz")
    parser.add_argument("--max-nodes", type=int, default=400)
    args = parser.parse_args()
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    store = TrialStore(args.store, read_only=True)
    process = psutil.Process()
    print(f"store {args.store}: {len(store.trial_ids())} trials, {store.count()} quads")

    def step(name: str, fn):
        start = time.perf_counter()
        result = fn()
        took = time.perf_counter() - start
        rss = process.memory_info().rss / 2**20
        print(f"{name:<34} {took:8.2f} s   rss {rss:7.0f} MiB", end="")
        return result

    graphs = {}
    for view in viz.VIEWS:
        g = step(f"project --view {view}", lambda view=view: viz.project(store, view))
        graphs[view] = g
        print(f"   {g.number_of_nodes()} nodes, {g.number_of_edges()} edges")
    g = graphs["trials-drugs-targets"]
    first_trial = next(v for v, t in g.nodes(data="type") if t == "trial")
    label = g.nodes[first_trial]["label"]
    focus = step(f"project --focus {label}", lambda: viz.project(store, focus=label, depth=2))
    print(f"   {focus.number_of_nodes()} nodes")
    for fmt in ("png", "html"):
        drawn, note = step(
            f"render {fmt} (max {args.max_nodes})",
            lambda fmt=fmt: viz.render(g, fmt, out / f"graph.{fmt}", max_nodes=args.max_nodes),
        )
        print(f"   drew {drawn.number_of_nodes()} nodes; {note}")
    for fmt in ("graphml", "gexf"):
        step(f"export {fmt}", lambda fmt=fmt: viz.render(g, fmt, out / f"graph.{fmt}"))
        print(f"   {(out / f'graph.{fmt}').stat().st_size / 2**20:.1f} MiB")
    rows = step("analyze targets", lambda: analyze.target_centrality(g))
    print(f"   top: {rows[0]['target']} ({rows[0]['trials']} trials)" if rows else "")
    rows = step("analyze drugs", lambda: analyze.drug_similarity(g))
    print(f"   {len(rows)} pairs")
    rows = step("analyze trials", lambda: analyze.trial_similarity(g, graphs["criteria"]))
    print(f"   {len(rows)} pairs")
    rows = step("analyze communities", lambda: analyze.communities(g))
    print(f"   {len(rows)} communities")


if __name__ == "__main__":
    main()
