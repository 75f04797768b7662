"""Compare store engines on a synthetic trialkg graph: load rate, peak memory, a
four-hop join (trial -> intervention -> drug -> protein -> family), and the real
build pipeline's throughput.

    python benchmarks/bench_store.py [--trials 1000] [--engines memory,oxrdflib,pyoxigraph]

Each engine runs in its own process so its peak RSS (ru_maxrss) is its own. The
synthetic graph has about 330 triples per trial (the shape of a real CT.gov trial
with 20 sites and 20 criteria) plus a reference graph of drugs and targets; the
results go in docs/decisions/0002-store-engine.md. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TKG = "https://w3id.org/trialkg/ontology#"
TKR = "https://w3id.org/trialkg/resource/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"

JOIN = f"""
SELECT ?trial ?family (COUNT(DISTINCT ?drug) AS ?drugs) WHERE {{
  ?trial <{TKG}hasIntervention> ?iv .
  ?iv <{TKG}hasDrug> ?drug .
  ?drug <{TKG}targets> ?protein .
  ?protein <{TKG}inFamily> ?f .
  ?f <{TKG}familyKey> ?family .
  FILTER(?family = "VEGFR")
}} GROUP BY ?trial ?family"""


def synthetic_nquads(n_trials: int, seed: int = 7) -> str:
    """N-Quads text: one graph per trial (~330 triples) and a reference graph."""
    rnd = random.Random(seed)
    out: list[str] = []

    def q(s: str, p: str, o: str, g: str) -> None:
        out.append(f"<{s}> <{p}> {o} <{g}> .\n")

    def lit(v: object, dt: str | None = None) -> str:
        text = str(v).replace("\\", "\\\\").replace('"', '\\"')
        return f'"{text}"^^<{XSD}{dt}>' if dt else f'"{text}"'

    ref = TKR + "graph/reference"
    families = ["VEGFR", "FGFR", "PDGFR", "KIT", "RET", "MET", "SRC", "EGFR", "ABL", "RAF"]
    proteins = [f"http://purl.uniprot.org/uniprot/P{10000 + i}" for i in range(60)]
    drugs = [f"{TKR}drug/drug{i}" for i in range(50)]
    for i, p in enumerate(proteins):
        fam = TKR + "family/" + families[i % len(families)]
        q(p, RDF_TYPE, f"<{TKG}Protein>", ref)
        q(p, TKG + "geneSymbol", lit(f"GENE{i}"), ref)
        q(p, TKG + "inFamily", f"<{fam}>", ref)
    for f in families:
        q(TKR + "family/" + f, RDF_TYPE, f"<{TKG}TargetFamily>", ref)
        q(TKR + "family/" + f, TKG + "familyKey", lit(f), ref)
    for d in drugs:
        q(d, RDF_TYPE, f"<{TKG}Drug>", ref)
        q(d, LABEL, lit(d.rsplit("/", 1)[1]), ref)
        for p in rnd.sample(proteins, rnd.randint(3, 8)):
            q(d, TKG + "targets", f"<{p}>", ref)
    for n in range(n_trials):
        tid = f"NCT{10000000 + n}"
        g, t = f"{TKR}graph/{tid}", f"{TKR}trial/{tid}"
        q(t, RDF_TYPE, f"<{TKG}Trial>", g)
        for k, v in (("trialId", tid), ("nctId", tid), ("overallStatus", "RECRUITING"), ("phase", "PHASE2"),
                     ("studyType", "INTERVENTIONAL"), ("briefSummary", "summary " * 20)):
            q(t, TKG + k, lit(v), g)
        q(t, LABEL, lit(f"Trial {n}"), g)
        q(t, TKG + "enrollment", lit(rnd.randint(10, 500), "integer"), g)
        q(t, TKG + "startDate", lit("2020-01-15", "date"), g)
        for a in range(1, 4):
            arm = f"{t}/arm/{a}"
            q(t, TKG + "hasArm", f"<{arm}>", g)
            for p, o in ((RDF_TYPE, f"<{TKG}Arm>"), (LABEL, lit(f"Arm {a}")), (TKG + "armType", lit("EXPERIMENTAL")),
                         (TKG + "position", lit(a, "integer"))):
                q(arm, p, o, g)
        for i in range(1, 5):
            iv = f"{t}/intervention/{i}"
            q(t, TKG + "hasIntervention", f"<{iv}>", g)
            q(f"{t}/arm/{1 + i % 3}", TKG + "usesIntervention", f"<{iv}>", g)
            q(iv, RDF_TYPE, f"<{TKG}Intervention>", g)
            q(iv, LABEL, lit(f"Drug {i}"), g)
            q(iv, TKG + "interventionType", lit("DRUG"), g)
            drug = rnd.choice(drugs)
            q(iv, TKG + "hasDrug", f"<{drug}>", g)
            q(t, TKG + "hasDrug", f"<{drug}>", g)
        for s in range(1, 21):
            site = f"{t}/site/{s}"
            q(t, TKG + "hasSite", f"<{site}>", g)
            for p, o in ((RDF_TYPE, f"<{TKG}Site>"), (TKG + "facility", lit(f"Hospital {s}")),
                         (TKG + "city", lit("City")), (TKG + "country", lit("China")),
                         (TKG + "recruitmentStatus", lit("RECRUITING")), (TKG + "position", lit(s, "integer"))):
                q(site, p, o, g)
        for c in range(1, 21):
            crit = f"{t}/criterion/inc-{c}"
            con = f"{crit}/constraint/1"
            q(t, TKG + "hasCriterion", f"<{crit}>", g)
            for p, o in ((RDF_TYPE, f"<{TKG}Criterion>"), (TKG + "section", lit("inclusion")),
                         (TKG + "text", lit(f"criterion {c} text")), (TKG + "hasConstraint", f"<{con}>")):
                q(crit, p, o, g)
            for p, o in ((RDF_TYPE, f"<{TKG}NumericConstraint>"), (TKG + "variable", lit("neutrophils")),
                         (TKG + "value", lit("1.5", "decimal"))):
                q(con, p, o, g)
    return "".join(out)


def run_engine(engine: str, data_file: str) -> dict[str, float]:
    """Load the N-Quads file into one engine, time it and one four-hop join."""
    import rdflib

    t0 = time.perf_counter()
    if engine == "pyoxigraph":
        import pyoxigraph as ox

        store = ox.Store(tempfile.mkdtemp(prefix="bench-ox-"))
        store.bulk_load(path=data_file, format=ox.RdfFormat.N_QUADS)
        n = len(store)
        load = time.perf_counter() - t0
        t1 = time.perf_counter()
        rows = list(store.query(JOIN, use_default_graph_as_union=True))
    else:
        ds = rdflib.Dataset(store="Oxigraph" if engine == "oxrdflib" else "default", default_union=True)
        ds.parse(data_file, format="nquads")
        n = len(ds)
        load = time.perf_counter() - t0
        t1 = time.perf_counter()
        rows = list(ds.query(JOIN))
    join = time.perf_counter() - t1
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"triples": n, "load_s": load, "triples_per_s": n / load, "join_s": join, "join_rows": len(rows),
            "peak_rss_mb": peak_mb}


def pipeline_throughput(sources: list[str], jobs: int) -> dict[str, float]:
    """The real build (read, normalise, criteria, map, store) on real records."""
    from trialkg.pipeline import build

    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        s = build(sources, store_path=Path(d) / "store", replace=True, jobs=jobs, quiet=True)
        elapsed = time.perf_counter() - t0
    return {"trials": s.trials, "triples": s.triples, "seconds": elapsed, "trials_per_s": s.trials / elapsed,
            "triples_per_s": s.triples / elapsed,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=1000)
    ap.add_argument("--engines", default="memory,oxrdflib,pyoxigraph")
    ap.add_argument("--engine", help=argparse.SUPPRESS)  # child mode
    ap.add_argument("--data", help=argparse.SUPPRESS)
    ap.add_argument("--build", nargs="*", default=None, help="also time 'trialkg build' on these sources")
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()
    if args.engine:
        print(json.dumps(run_engine(args.engine, args.data)))
        return
    with tempfile.NamedTemporaryFile("w", suffix=".nq", delete=False) as fh:
        fh.write(synthetic_nquads(args.trials))
        data = fh.name
    print(f"synthetic graph: {args.trials} trials, file {Path(data).stat().st_size / 1e6:.1f} MB")
    print(f"{'engine':12} {'triples':>9} {'load s':>8} {'triples/s':>11} {'4-hop join s':>13} {'rows':>5} {'peak RSS MB':>12}")
    for engine in args.engines.split(","):
        proc = subprocess.run([sys.executable, __file__, "--engine", engine, "--data", data],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"{engine:12} failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr else '?'}")
            continue
        r = json.loads(proc.stdout)
        print(f"{engine:12} {r['triples']:>9} {r['load_s']:>8.2f} {r['triples_per_s']:>11,.0f} "
              f"{r['join_s']:>13.3f} {r['join_rows']:>5} {r['peak_rss_mb']:>12.0f}")
    Path(data).unlink()
    if args.build is not None:
        sources = args.build or [str(Path(__file__).resolve().parents[1] / "seeds")]
        r = pipeline_throughput(sources, args.jobs)
        print(f"build (jobs={args.jobs}): {r['trials']} trials, {r['triples']} triples in {r['seconds']:.1f} s: "
              f"{r['trials_per_s']:.1f} trials/s, {r['triples_per_s']:,.0f} triples/s, peak RSS {r['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
