"""Scale benchmark: build, query, validate and export at 1k and 10k (and 100k) trials.

One run prints, per size: build throughput (trials/s, triples/s) and peak RSS of the
build process tree (``trialkg build`` in a subprocess, sampled with psutil); the
median latency of every stored query through ``trialkg.queries`` and of raw
pyoxigraph running the same text, with the ratio; SHACL validation time (the
default engine of ``trialkg.validate`` over the whole store, measured; pySHACL per graph
on a sample of ``--validate-max`` graphs, extrapolated and labelled so); export throughput per format. Then the
same small workload on rdflib's default Memory store (load, a four-hop target join,
a two-numeric-criteria filter, every stored query) with a per-query timeout, printed
as "> N s" when rdflib does not finish.

    python benchmarks/bench_scale.py                # 1k and 10k
    python benchmarks/bench_scale.py --big          # also 100k
    python benchmarks/bench_scale.py --sizes 1000 --rdflib-timeout 30

Inputs come from ``benchmarks/generate.py`` (seed 42) and are cached in
``benchmarks/out/`` (git-ignored) with the stores. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

import psutil  # noqa: E402
import pyoxigraph as ox  # noqa: E402

from trialkg import queries as q  # noqa: E402
from trialkg.store import TrialStore  # noqa: E402

PREFIXES = """PREFIX tkg: <https://w3id.org/trialkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
# Two queries every scale run times (a four-hop join, two numeric criteria), written against docs/model.md.
WORKLOAD = {
    "four-hop target join": PREFIXES + """SELECT DISTINCT ?trial ?gene WHERE {
  ?t tkg:trialId ?trial ; tkg:hasArm ?arm .
  ?arm tkg:usesIntervention ?i .
  ?i tkg:hasDrug ?d .
  ?d tkg:targets ?p .
  ?p tkg:geneSymbol ?gene .
}""",
    "two numeric criteria": PREFIXES + """SELECT DISTINCT ?trial WHERE {
  ?t tkg:trialId ?trial ; tkg:hasCriterion ?c1, ?c2 .
  ?c1 tkg:hasConstraint ?k1 . ?k1 tkg:variable "neutrophils" ; tkg:canonicalValue ?v1 .
  ?c2 tkg:hasConstraint ?k2 . ?k2 tkg:variable "platelets" ; tkg:canonicalValue ?v2 .
  FILTER(?v1 >= 1.5 && ?v2 >= 100)
}""",
}
EXPORT_FORMATS = ("nquads", "ntriples", "trig", "turtle", "jsonld")


def example_params(query: q.StoredQuery) -> list[tuple[str, str]]:
    """The ``-p NAME VALUE`` pairs of the query's first ``# example:`` line."""
    try:
        from bench_queries import example_params as shared  # one definition when it exists
    except ImportError:
        import shlex

        words = shlex.split(query.examples[0]) if query.examples else []
        return [(words[i + 1], words[i + 2]) for i, w in enumerate(words) if w == "-p"]
    return shared(query)


def source_zip(trials: int) -> Path:
    from generate import write_zip

    path = OUT / f"scale-{trials}.zip"
    if not path.exists():
        write_zip(path, trials, seed=42)
    return path


# -- build ------------------------------------------------------------------------------


def build(trials: int, jobs: int, reuse: bool = False, bulk: bool = False) -> dict[str, Any]:
    """``trialkg build`` in a subprocess; wall time and peak RSS of its process tree."""
    src = source_zip(trials)
    store = OUT / f"scale-store-{trials}"
    saved = OUT / f"scale-store-{trials}.json"
    if reuse and saved.exists() and store.exists():
        return {**json.loads(saved.read_text()), "store": store, "reused": True}
    exe = shutil.which("trialkg") or sys.exit("trialkg is not installed (pip install -e .)")
    cmd = [exe, "-q", "build", str(src), "--store", str(store), "--replace", "--jobs", str(jobs), "--format", "json"]
    cmd += ["--bulk"] if bulk else []
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    # Output to files, not pipes: the JSON summary lists every warning and would fill a pipe.
    out_file, err_file = OUT / f"scale-build-{trials}.json", OUT / f"scale-build-{trials}.log"
    with out_file.open("wb") as out_fh, err_file.open("wb") as err_fh:
        proc = subprocess.Popen(cmd, stdout=out_fh, stderr=err_fh)
        root = psutil.Process(proc.pid)
        peak_tree = peak_one = 0
        while proc.poll() is None:
            try:
                procs = [root, *root.children(recursive=True)]
                rss = [p.memory_info().rss for p in procs]
                peak_tree, peak_one = max(peak_tree, sum(rss)), max(peak_one, max(rss))
            except psutil.Error:
                pass
            time.sleep(0.2)
    seconds = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    try:
        summary = json.loads(out_file.read_text())
    except json.JSONDecodeError:
        sys.exit(f"build failed ({proc.returncode}): {err_file.read_text()[-2000:]}")
    result = {"seconds": seconds, "trials": summary["trials"], "triples": summary["triples"],
              "quads": summary["store_triples"], "rejected": len(summary["rejected"]),
              "peak_tree": peak_tree, "peak_one": peak_one, "jobs": jobs, "cpu": cpu, "bulk": bulk}
    saved.write_text(json.dumps(result))
    return {**result, "store": store}


# -- queries ----------------------------------------------------------------------------


def _median(fn: Any, runs: int, clock: Any = time.perf_counter) -> tuple[float, int]:
    """Median of ``runs`` calls; ``clock=time.process_time`` for CPU time (a busy machine)."""
    times, rows = [], 0
    for _ in range(runs):
        started = clock()
        rows = fn()
        times.append(clock() - started)
    return statistics.median(times), rows


def query_child(store_path: str, name: str, runs: int) -> None:
    """Child mode: time one stored query through trialkg and through raw pyoxigraph."""
    store = TrialStore(store_path, read_only=True)
    query = q.get_stored_query(name)
    bindings = q.bind_params(query, example_params(query))
    subs = {ox.Variable(k): v for k, v in bindings.items()} or None
    q.run_local(query, bindings, store)  # warm caches for both

    def via_trialkg() -> int:
        return len(q.run_local(query, bindings, store).rows)

    def via_raw() -> int:
        return sum(1 for _ in store.ox.query(query.text, use_default_graph_as_union=True, substitutions=subs))

    t_kg, rows = _median(via_trialkg, runs)
    t_raw, _ = _median(via_raw, runs)
    cpu_kg, _ = _median(via_trialkg, runs, clock=time.process_time)
    print(json.dumps({"trialkg": t_kg, "raw": t_raw, "rows": rows, "cpu": cpu_kg}))


def time_queries(store_path: Path, runs: int, timeout: float) -> dict[str, tuple[float, float, int, float] | None]:
    """name -> (trialkg median s, raw pyoxigraph median s, rows, trialkg median CPU s), None over ``timeout``.

    Each query runs in a child process so that one runaway query (pyoxigraph cannot be
    interrupted) is reported and the others are still measured.
    """
    out: dict[str, tuple[float, float, int, float] | None] = {}
    for query in q.stored_queries():
        cmd = [sys.executable, __file__, "--query-child", str(store_path), query.name, str(runs)]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
        except subprocess.TimeoutExpired:
            out[query.name] = None
            continue
        except subprocess.CalledProcessError as exc:
            sys.exit(f"{query.name} failed: {exc.stderr[-2000:]}")
        r = json.loads(done.stdout)
        out[query.name] = (r["trialkg"], r["raw"], r["rows"], r["cpu"])
    return out


# -- validation and export --------------------------------------------------------------


def time_validation(store: TrialStore, jobs: int, limit: int) -> dict[str, Any]:
    """The default engine (shapes compiled to SPARQL) over the whole store, measured; and
    pySHACL per graph on a sample of ``limit`` trial graphs, extrapolated, for the ratio."""
    from trialkg.validate import validate_store

    started = time.perf_counter()
    cpu = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    report = validate_store(store, jobs=jobs, engine="sparql")
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, cpu, strict=True))
    out = {"seconds": seconds, "cpu": cpu_s, "violations": report.count("Violation"),
           "warnings": report.count("Warning")}
    ids = store.trial_ids() if limit > 0 else []
    sample = ids if len(ids) <= limit else ids[:: max(1, len(ids) // limit)][:limit]
    if sample:
        started = time.perf_counter()
        validate_store(store, trials=sample, jobs=jobs, engine="pyshacl")
        per_graph = (time.perf_counter() - started) / len(sample)
        out.update(pyshacl_graphs=len(sample), pyshacl_total=per_graph * len(ids),
                   pyshacl_extrapolated=len(sample) < len(ids))
    return out


def time_exports(store: TrialStore, formats: list[str]) -> dict[str, tuple[float, int, int]]:
    from trialkg.export import export

    out = {}
    for fmt in formats:
        path = OUT / f"scale-export.{fmt}"
        started = time.perf_counter()
        with path.open("wb") as fh:
            n = export(store, fmt, fh)
        out[fmt] = (time.perf_counter() - started, n, path.stat().st_size)
        path.unlink()
    return out


# -- rdflib Memory comparison -----------------------------------------------------------


def rdflib_child(data: str, names: list[str]) -> None:
    """Child mode: load N-Quads into rdflib's Memory store, run queries, one JSON line each."""
    import rdflib

    texts = _comparison_texts()
    started = time.perf_counter()
    ds = rdflib.Dataset()
    ds.parse(data, format="nquads")
    ds.default_union = True
    print(json.dumps({"step": "load", "seconds": time.perf_counter() - started, "triples": len(ds)}), flush=True)
    for name in names:
        started, cpu = time.perf_counter(), time.process_time()
        rows = len(list(ds.query(texts[name])))
        print(json.dumps({"step": name, "seconds": time.perf_counter() - started, "rows": rows,
                          "cpu": time.process_time() - cpu}), flush=True)


def _comparison_texts() -> dict[str, str]:
    """The workload and every stored query, parameters inlined as the VALUES text sent remotely."""
    texts = dict(WORKLOAD)
    for query in q.stored_queries():
        texts[query.name] = q.with_values(query.text, q.bind_params(query, example_params(query)))
    return texts


def time_rdflib(data: Path, timeout: float, load_timeout: float = 900.0) -> dict[str, dict[str, Any]]:
    """Run each comparison query in an rdflib child; a query over ``timeout`` is killed.

    After a kill a fresh child reloads the data and goes on with the next query.
    """
    import queue
    import threading

    todo = list(_comparison_texts())
    results: dict[str, dict[str, Any]] = {}
    while todo:
        proc = subprocess.Popen([sys.executable, __file__, "--rdflib-child", str(data), *todo],
                                stdout=subprocess.PIPE, text=True)
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_pump, args=(proc, lines), daemon=True).start()
        loaded = False
        while todo:
            try:
                line = lines.get(timeout=timeout if loaded else load_timeout)
            except queue.Empty:
                proc.kill()
                proc.wait()
                if not loaded:
                    results["load"] = {"timeout": load_timeout}
                    return results
                results[todo.pop(0)] = {"timeout": timeout}
                break
            if not line:  # the child died (out of memory?)
                results["error"] = {"exit": proc.wait(), "at": todo[0] if loaded else "load"}
                return results
            item = json.loads(line)
            step = item.pop("step")
            if step == "load":
                loaded = True
                results.setdefault("load", item)
            else:
                results[step] = item
                todo.remove(step)
        else:
            proc.wait()
    return results


def _pump(proc: subprocess.Popen[str], lines: Any) -> None:
    """Child's stdout lines into a queue ("" at the end), so the parent can time out."""
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.put(line)
    lines.put("")


def raw_oxigraph(store: TrialStore, runs: int, skip: set[str]) -> dict[str, tuple[float, float] | None]:
    """The comparison texts on raw pyoxigraph, (wall, CPU) medians; ``skip``: runaway queries."""
    out: dict[str, tuple[float, float] | None] = {}
    for name, text in _comparison_texts().items():
        if name in skip:
            out[name] = None
            continue

        def run(t: str = text) -> int:
            return sum(1 for _ in store.ox.query(t, use_default_graph_as_union=True))

        out[name] = (_median(run, runs)[0], _median(run, runs, clock=time.process_time)[0])
    return out


# -- printing ---------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = psutil.virtual_memory().total / 2**30
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GB RAM; Python {platform.python_version()}, "
            f"pyoxigraph {ox.__version__ if hasattr(ox, '__version__') else '?'}; load average {load}")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:9.1f}"


def run_size(trials: int, args: argparse.Namespace) -> None:
    print(f"\n=== {trials} trials ===", flush=True)
    b = build(trials, args.jobs, args.reuse, args.bulk)
    if b.get("reused"):
        print("(build figures from the previous run: --reuse)")
    print(f"build     {b['seconds']:8.1f} s  {b['trials'] / b['seconds']:8.1f} trials/s  "
          f"{b['triples'] / b['seconds']:10.0f} triples/s  ({b['triples']} trial triples, {b['quads']} quads, "
          f"{b['rejected']} rejected, jobs={b['jobs']}{', --bulk' if b.get('bulk') else ''})")
    if "cpu" in b:  # CPU time is what a busy machine does not distort
        print(f"CPU       {b['cpu']:8.1f} s user+sys in the build tree, {b['cpu'] / b['trials'] * 1000:.1f} ms per trial "
              f"-> {b['trials'] / b['cpu'] * (os.cpu_count() or 1):.0f} trials/s on {os.cpu_count()} idle cores")
    print(f"peak RSS  {b['peak_tree'] / 2**20:8.0f} MB process tree  ({b['peak_one'] / 2**20:.0f} MB largest process)",
          flush=True)
    store = TrialStore(b["store"], read_only=True)

    qt = time_queries(b["store"], args.runs, args.query_timeout)
    print(f"\nstored queries, median of {args.runs} runs (ms); ratio = trialkg / raw pyoxigraph")
    print(f"{'query':30} {'trialkg':>9} {'raw':>9} {'ratio':>6} {'rows':>7} {'CPU ms':>9}")
    for name, r in qt.items():
        if r is None:
            print(f"{name:30} {'> ' + format(args.query_timeout, '.0f') + ' s':>9}  (killed: the whole run, all reps)")
            continue
        kg, raw, rows, cpu = r
        print(f"{name:30} {ms(kg)} {ms(raw)} {kg / raw if raw else 0:6.2f} {rows:7d} {ms(cpu)}")
    done = {k: v for k, v in qt.items() if v is not None}
    if done:
        worst = max(done.items(), key=lambda kv: kv[1][0])
        print(f"slowest finished: {worst[0]} {worst[1][0] * 1000:.1f} ms; over 100 ms: "
              f"{sum(1 for kg, *_ in done.values() if kg > 0.1) + len(qt) - len(done)} of {len(qt)}", flush=True)

    if args.validate_max >= 0:
        v = time_validation(store, args.jobs, args.validate_max)
        print(f"\nSHACL     {v['seconds']:8.1f} s wall ({v['cpu']:.1f} s CPU) for the whole store, shapes compiled "
              f"to SPARQL, measured; {v['violations']} violations, {v['warnings']} warnings", flush=True)
        if "pyshacl_total" in v:
            label = (f"extrapolated from {v['pyshacl_graphs']} graphs" if v["pyshacl_extrapolated"]
                     else "measured")
            print(f"          pySHACL per trial graph: {v['pyshacl_total']:8.1f} s ({label}); "
                  f"ratio {v['pyshacl_total'] / v['seconds']:.0f}x", flush=True)

    formats = [f for f in args.export.split(",") if f]
    if formats and trials <= args.export_max:
        print(f"\n{'export':10} {'s':>8} {'statements/s':>13} {'MB':>8}")
        for fmt, (sec, n, size) in time_exports(store, formats).items():
            print(f"{fmt:10} {sec:8.2f} {n / sec:13.0f} {size / 2**20:8.1f}", flush=True)

    if trials == args.rdflib_trials:
        data = OUT / f"scale-{trials}.nq"
        with data.open("wb") as fh:
            store.dump(fh, ox.RdfFormat.N_QUADS)
        raw = raw_oxigraph(store, args.runs, {k for k, v in qt.items() if v is None})
        started = time.perf_counter()
        mem = ox.Store()
        mem.load(path=str(data), format=ox.RdfFormat.N_QUADS)
        ox_load = time.perf_counter() - started
        rd = time_rdflib(data, args.rdflib_timeout)
        load = rd.get("load", {})
        print(f"\nrdflib Memory vs pyoxigraph on {trials} trials ({len(store.ox)} quads)")
        if "seconds" in load:
            print(f"load N-Quads: rdflib {load['seconds']:.1f} s ({load['triples'] / load['seconds']:.0f}/s), "
                  f"pyoxigraph in-memory {ox_load:.2f} s ({len(store.ox) / ox_load:.0f}/s), "
                  f"ratio {load['seconds'] / ox_load:.0f}x; rdflib process peak RSS not sampled")
        else:
            print(f"rdflib load failed: {load}")
        print("wall ms, and CPU ms (what a busy machine does not distort); ratio = rdflib / pyoxigraph")
        print(f"{'query':30} {'rdflib':>11} {'pyoxigraph':>11} {'ratio':>9} {'rdflib CPU':>11} {'oxi CPU':>9} {'CPU ratio':>9}")
        for name, t in raw.items():
            r = rd.get(name)
            if t is None:
                print(f"{name:30} {'skipped: pyoxigraph over --query-timeout':>30}")
                continue
            t_ox, c_ox = t
            if r is None:
                print(f"{name:30} {'not run':>11} {ms(t_ox):>11}")
            elif "timeout" in r:
                print(f"{name:30} {'> ' + format(r['timeout'], '.0f') + ' s':>11} {ms(t_ox):>11} "
                      f"{'> ' + format(r['timeout'] / t_ox, '.0f'):>9} {'':>11} {ms(c_ox):>9}")
            else:
                print(f"{name:30} {ms(r['seconds']):>11} {ms(t_ox):>11} {r['seconds'] / t_ox:9.0f} "
                      f"{ms(r['cpu']):>11} {ms(c_ox):>9} {r['cpu'] / c_ox if c_ox else 0:9.0f}")
        data.unlink()
    store_size = sum(f.stat().st_size for f in Path(b["store"]).rglob("*") if f.is_file())
    print(f"\nstore on disk {store_size / 2**20:.0f} MB", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated trial counts")
    ap.add_argument("--big", action="store_true", help="also 100000 trials")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--runs", type=int, default=5, help="runs per query (median)")
    ap.add_argument("--validate-max", type=int, default=200,
                    help="pySHACL sample: at most this many trial graphs, extrapolated (0: SPARQL engine only; "
                         "-1: no validation)")
    ap.add_argument("--export", default=",".join(EXPORT_FORMATS))
    ap.add_argument("--export-max", type=int, default=100000, help="skip exports above this size")
    ap.add_argument("--rdflib-trials", type=int, default=1000, help="size that gets the rdflib comparison (0: none)")
    ap.add_argument("--rdflib-timeout", type=float, default=60.0, help="seconds per rdflib query")
    ap.add_argument("--reuse", action="store_true", help="reuse the stores of a previous run (no build)")
    ap.add_argument("--bulk", action="store_true", help="build with 'trialkg build --bulk' (bulk loader)")
    ap.add_argument("--query-timeout", type=float, default=120.0, help="seconds per stored query, all runs")
    ap.add_argument("--rdflib-child", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--query-child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.query_child:
        query_child(args.query_child[0], args.query_child[1], int(args.query_child[2]))
        return
    if args.rdflib_child:
        rdflib_child(args.rdflib_child[0], args.rdflib_child[1:])
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.big and 100000 not in sizes:
        sizes.append(100000)
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")
    for n in sizes:
        run_size(n, args)


if __name__ == "__main__":
    main()
