"""Push throughput to a local Oxigraph server, against the server's own bulk rate.

In one run, for the same N-trial store:
  1. bulk: one Graph Store POST of the whole store as N-Quads into an empty server
     (the server's own transactional load rate);
  2. push: ``trialkg.push.push`` into another empty server (what ``trialkg push`` does
     the first time: batched N-Quads POSTs, one transaction each);
  3. re-push (``--repush``): the same push again, now replacing every graph (SPARQL
     Update DROP + INSERT DATA per batch).
Prints triples/s for each and the ratio push/bulk (target: >= 0.70).

    python benchmarks/bench_push.py --trials 10000          # synthetic trials, ~330 triples each
    python benchmarks/bench_push.py --store PATH --repush   # a store built by 'trialkg build'
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox

from trialkg import iris
from trialkg.push import PushOptions, push
from trialkg.store import TrialStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from servers import oxigraph  # noqa: E402  (the Oxigraph starter the tests use)

XSD = "http://www.w3.org/2001/XMLSchema#"


def synthetic_store(path: Path, trials: int) -> TrialStore:
    """Trial graphs shaped like the mapper's (about 330 triples: arms, sites, criteria
    with constraints), literals of realistic length, no two trials alike."""
    store = TrialStore(path)
    tkg = iris.TKG
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    quads: list[ox.Quad] = []
    for i in range(trials):
        tid = f"NCT{10_000_000 + i:08d}"
        g = ox.NamedNode(iris.trial_graph(tid))
        t = ox.NamedNode(iris.trial(tid))

        def add(s: ox.NamedNode, p: str | ox.NamedNode, o: ox.NamedNode | ox.Literal, g: ox.NamedNode = g,
                out: list[ox.Quad] = quads) -> None:
            out.append(ox.Quad(s, p if isinstance(p, ox.NamedNode) else ox.NamedNode(tkg + p), o, g))

        add(t, rdf_type, ox.NamedNode(tkg + "Trial"))
        add(t, "trialId", ox.Literal(tid))
        add(t, label, ox.Literal(f"A Phase 2 Study of Drug {i % 997} in Advanced Soft Tissue Sarcoma ({tid})"))
        add(t, "overallStatus", ox.Literal("RECRUITING"))
        add(t, "enrollment", ox.Literal(str(20 + i % 400), datatype=ox.NamedNode(XSD + "integer")))
        for a in range(1, 4):
            arm = ox.NamedNode(iris.trial_part(tid, "arm", a))
            add(t, "hasArm", arm)
            add(arm, label, ox.Literal(f"Arm {a}: drug {i % 997} {a * 4} mg once daily, 21-day cycles"))
            add(arm, "hasDrug", ox.NamedNode(iris.drug(f"drug-{(i + a) % 997}")))
        for s in range(1, 11):
            site = ox.NamedNode(iris.trial_part(tid, "site", s))
            add(t, "hasSite", site)
            add(site, "facility", ox.Literal(f"University Hospital {(i * 7 + s) % 5000}"))
            add(site, "city", ox.Literal(f"City {(i + s) % 800}"))
            add(site, "country", ox.Literal("China" if s % 3 else "United States"))
        for c in range(1, 31):
            crit = ox.NamedNode(iris.trial_part(tid, "criterion", f"inc-{c}"))
            con = ox.NamedNode(iris.trial_part(tid, "criterion", f"inc-{c}/constraint/1"))
            add(t, "hasCriterion", crit)
            add(crit, rdf_type, ox.NamedNode(tkg + "Criterion"))
            add(crit, "text", ox.Literal(f"Absolute neutrophil count >= {1 + c % 3}.5 x 10^9/L within {c} days ({tid})"))
            add(crit, "section", ox.Literal("inclusion"))
            add(crit, "hasConstraint", con)
            add(con, rdf_type, ox.NamedNode(tkg + "NumericConstraint"))
            add(con, "variable", ox.Literal("neutrophils"))
            add(con, "value", ox.Literal(f"{1 + c % 3}.5", datatype=ox.NamedNode(XSD + "decimal")))
        if len(quads) > 500_000:
            store.ox.extend(quads)
            quads = []
    store.ox.extend(quads)
    store.flush()
    return store


def start_server(location: Path) -> tuple[subprocess.Popen, str]:
    try:
        proc, server = oxigraph.start(location, keep_errors=False)
    except RuntimeError as exc:
        raise SystemExit(str(exc)) from None
    return proc, server.url


def stop(proc: subprocess.Popen) -> None:
    oxigraph.stop_by_pid(proc.pid, proc)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=int, default=1000, help="synthetic trials (ignored with --store)")
    ap.add_argument("--store", type=Path, help="an existing store to push instead")
    ap.add_argument("--batch-size", type=int, default=20_000)
    ap.add_argument("--repush", action="store_true", help="also time a second push that replaces every graph")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-push-"))
    try:
        t0 = time.perf_counter()
        store = TrialStore(args.store, read_only=True) if args.store else synthetic_store(work / "store", args.trials)
        n_graphs = len(store.graph_names())
        n_triples = store.count()
        print(f"store: {n_graphs} graphs, {n_triples} triples ({time.perf_counter() - t0:.1f} s to prepare)")

        buf = io.BytesIO()
        t0 = time.perf_counter()
        store.dump(buf, ox.RdfFormat.N_QUADS)
        dump_s = time.perf_counter() - t0
        data = buf.getvalue()

        proc, url = start_server(work / "bulk-db")
        try:
            req = urllib.request.Request(url + "/store", data=data, method="POST",
                                         headers={"Content-Type": "application/n-quads"})
            t0 = time.perf_counter()
            urllib.request.urlopen(req, timeout=3600).close()
            bulk_s = time.perf_counter() - t0
        finally:
            stop(proc)
        bulk = n_triples / bulk_s
        print(f"bulk  : one Graph Store POST of {len(data) / 1e6:.0f} MB N-Quads: {bulk_s:.1f} s, {bulk:,.0f} triples/s "
              f"(+ {dump_s:.1f} s to dump the N-Quads)")

        proc, url = start_server(work / "push-db")
        try:
            options = PushOptions(endpoint=url + "/query", graph_store=url + "/store", batch_size=args.batch_size)
            summary = push(store, options)
            print(f"push  : {summary.graphs} graphs, {summary.requests} requests: {summary.seconds:.1f} s, "
                  f"{summary.rate:,.0f} triples/s  -> ratio push/bulk = {summary.rate / bulk:.2f} (target >= 0.70)")
            if args.repush:
                again = push(store, options)
                print(f"repush: every graph replaced (SPARQL Update): {again.seconds:.1f} s, {again.rate:,.0f} triples/s "
                      f"-> ratio repush/bulk = {again.rate / bulk:.2f}")
        finally:
            stop(proc)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
