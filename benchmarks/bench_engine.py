"""trialkg beside the engine it runs on, on the same data, in one run.

    python benchmarks/bench_engine.py --sizes 1000 10000            # the tables of docs/performance.md
    python benchmarks/bench_engine.py --sizes 1000 --virtuoso       # also the server path
    python benchmarks/bench_engine.py --sizes 10000 --reuse         # queries again on the built store
    python benchmarks/bench_engine.py --store STORE --runs 3        # the queries on any built store, CPU medians
    python benchmarks/bench_engine.py --store STORE --reuse --oxigraph-server --virtuoso --nquads NQ   # servers only

Per size, on trials from ``benchmarks/generate.py`` (seed 42, cached in benchmarks/out/):

- **build**: the plain ``trialkg build ZIP`` (all defaults) in a subprocess: wall and CPU
  seconds of the process tree, peak RSS (psutil, every 0.2 s: the tree's sum and the
  largest process), quads; beside ``oxigraph load`` (the engine's own parallel bulk
  loader, from the ``oxigraph`` CLI) of the same quads exported as N-Quads. Ratio: the
  quads per second of the build over those of ``oxigraph load``.
- **export**: ``trialkg export --format nquads`` beside a raw ``pyoxigraph.Store.dump``
  of the same store, each in a subprocess.
- **stored queries**: every query ``trialkg queries`` lists, with its ``# example:``
  parameters, in a child process each (a runaway query is reported as "> N s"):
  the first 100 rows as ``trialkg query --limit 100`` gets them
  (``trialkg.queries.stream_local(..., limit=100, ordered=False)``) and the whole
  answer as written (its ORDER BY kept), beside raw ``pyoxigraph.Store.query`` of the
  same text and bindings (``islice`` of 100 rows of the unordered text; every row of
  the text). Median of ``--runs`` after one warm-up run, in-process (no CLI start-up).
- **Virtuoso** (``--virtuoso``): a fresh ``virtuoso-t`` on 127.0.0.1, the N-Quads
  bulk-loaded by ``ld_dir`` + ``rdf_loader_run()`` (a buffer pool sized to the data,
  ``servers.virtuoso.benchmark_tuning``); every stored query through
  ``trialkg.queries.run_remote`` (what ``trialkg query --endpoint`` does), whole answer
  and first 100 rows.
- **Oxigraph server** (``--oxigraph-server``): the built store itself served by
  ``oxigraph serve-read-only`` (the same engine and files, behind HTTP) on 127.0.0.1;
  every stored query through ``run_remote`` as for Virtuoso.

Targets (docs/performance.md) are those for 100k trials; smaller sizes show the trend.
``--build-runs N`` repeats the build and ``oxigraph load`` in turn and reports medians.
Figures are printed and saved to ``benchmarks/out/engine-<size>.json``, never asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
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

FIRST_ROWS = 100
TARGET_FIRST_S, TARGET_WHOLE_S = 0.1, 1.0
TARGET_BUILD_RATIO, TARGET_RSS = 0.9, 2 * 1024**3
TARGET_TRIALS_PER_S = 100_000 / 600  # 100k trials in 10 minutes
# Registry-wide forms of queries whose example picks one thing (label, parameters).
EXTRA_CASES = [("criteria-coverage", "criteria-coverage (all trials)", []),
               ("trials-by-family-phase", "trials-by-family-phase (all families)", [])]


def example_params(query: q.StoredQuery) -> list[tuple[str, str]]:
    import shlex

    words = shlex.split(query.examples[0]) if query.examples else []
    return [(words[i + 1], words[i + 2]) for i, w in enumerate(words) if w == "-p"]


def source_zip(trials: int) -> Path:
    """The generated input, cached under a digest of the generator (a changed generator
    makes new inputs)."""
    from generate import write_zip

    digest = hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()[:8]
    path = OUT / f"engine-{trials}-{digest}.zip"
    if not path.exists():
        write_zip(path, trials, seed=42)
    return path


def timed(cmd: list[str], log: Path) -> dict[str, Any]:
    """Run ``cmd`` (output to ``log``); wall, CPU of the process tree, peak RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with log.open("wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
        root = psutil.Process(proc.pid)
        peak_tree = peak_one = 0
        while proc.poll() is None:
            try:
                rss = [p.memory_info().rss for p in (root, *root.children(recursive=True))]
                peak_tree, peak_one = max(peak_tree, sum(rss)), max(peak_one, max(rss))
            except psutil.Error:
                pass
            time.sleep(0.2)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if proc.returncode not in (0, 1):  # 1: records rejected, reported in the summary
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {log.read_text(errors='replace')[-2000:]}")
    return {"wall": wall, "cpu": cpu, "peak_tree": peak_tree, "peak_one": peak_one, "rc": proc.returncode}


def trialkg_exe() -> str:
    return shutil.which("trialkg") or sys.exit("trialkg is not installed (pip install -e '.[test]')")


def build_and_load(trials: int, jobs: int | None, reuse: bool, runs: int = 1) -> dict[str, Any]:
    """The plain build, its N-Quads export, a raw dump, and ``oxigraph load`` of those quads;
    with ``runs`` > 1 the build and the load again in turn, medians of each."""
    store, nq, saved = OUT / f"engine-store-{trials}", OUT / f"engine-{trials}.nq", OUT / f"engine-build-{trials}.json"
    if reuse and saved.exists() and store.exists():
        return json.loads(saved.read_text())
    src = source_zip(trials)
    cmd = [trialkg_exe(), "-q", "build", str(src), "--store", str(store), "--format", "json"]
    cmd += ["--jobs", str(jobs)] if jobs is not None else []
    builds, loads = [], []
    for i in range(runs):
        shutil.rmtree(store, ignore_errors=True)
        builds.append(timed(cmd, OUT / f"engine-build-{trials}.log"))
        if i == 0:
            summary = json.loads(_json_tail(OUT / f"engine-build-{trials}.log"))
            export = timed([trialkg_exe(), "-q", "export", "--store", str(store), "--format", "nquads", "-o", str(nq)],
                           OUT / f"engine-export-{trials}.log")
            dump = _raw_dump(store, OUT / f"engine-raw-{trials}.nq", OUT / f"engine-dump-{trials}.log")
        loads.append(_oxigraph_load(trials, nq))
    build = _median_run(builds)
    build.update(trials=summary["trials"], quads=summary["store_triples"], rejected=len(summary["rejected"]))
    result = {"build": build, "export": export, "dump": dump, "oxigraph_load": _median_run(loads),
              "store": str(store), "nquads": str(nq), "nquads_bytes": nq.stat().st_size}
    saved.write_text(json.dumps(result))
    return result


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median wall and CPU of timed runs, the largest peaks; every run's CPU kept."""
    out = dict(runs[0])
    out.update(wall=statistics.median(r["wall"] for r in runs), cpu=statistics.median(r["cpu"] for r in runs),
               peak_tree=max(r["peak_tree"] for r in runs), peak_one=max(r["peak_one"] for r in runs),
               runs=len(runs), cpu_runs=[r["cpu"] for r in runs])
    return out


def _raw_dump(store: Path, raw_nq: Path, log: Path) -> dict[str, Any]:
    dump = timed([sys.executable, "-c", "import sys, pyoxigraph as ox; "
                  "ox.Store.read_only(sys.argv[1]).dump(sys.argv[2], ox.RdfFormat.N_QUADS)", str(store), str(raw_nq)], log)
    raw_nq.unlink(missing_ok=True)
    return dump


def _oxigraph_load(trials: int, nq: Path) -> dict[str, Any]:
    """``oxigraph load`` of the N-Quads into a fresh location (removed after)."""
    location = OUT / f"engine-oxigraph-{trials}"
    shutil.rmtree(location, ignore_errors=True)
    oxi = shutil.which("oxigraph") or sys.exit("the oxigraph CLI is missing (pip install -e '.[test]')")
    load = timed([oxi, "load", "--location", str(location), "--file", str(nq)], OUT / f"engine-oxload-{trials}.log")
    shutil.rmtree(location, ignore_errors=True)
    return load


def _json_tail(path: Path) -> str:
    """The JSON summary ``trialkg build --format json`` printed (after any log lines)."""
    text = path.read_text(errors="replace")
    return text[text.index("{"):]


# -- queries ------------------------------------------------------------------------


def _median(fn: Any, runs: int) -> tuple[float, int]:
    """Median wall seconds of ``runs`` calls after a warm-up, and the last call's rows."""
    wall, _cpu, n = _medians(fn, runs)
    return wall, n


def _medians(fn: Any, runs: int) -> tuple[float, float, int]:
    """Median wall and CPU seconds (this process: the engine runs in the calling thread,
    so its CPU time does not grow when other processes share the cores) and the rows."""
    fn()  # warm-up
    times, cpus, n = [], [], 0
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        n = fn()
        times.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(times), statistics.median(cpus), n


def cases() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(query, label, parameters): every stored query with its example, and EXTRA_CASES."""
    out = [(query.name, query.name, example_params(query)) for query in q.stored_queries()]
    return out + [c for c in EXTRA_CASES if c[0] in {o[0] for o in out}]


def query_child(store_path: str, name: str, runs: int, params: list[tuple[str, str]]) -> None:
    """Child mode: one stored query through trialkg and through raw pyoxigraph. The first
    pages are printed before the whole answers are timed (a parent that stops a long
    whole answer keeps them). A negative ``runs`` times each whole answer once, without
    a warm-up, and not the raw one (a 100k store's answers of 100k rows)."""
    store = TrialStore(store_path, read_only=True)
    query = q.get_stored_query(name)
    bindings = q.bind_params(query, params)
    once, runs = runs < 0, abs(runs)

    def raw(text: str, limit: int | None) -> int:
        """Rows of the raw engine, every value read (as trialkg reads them)."""
        result = store.ox.query(q.with_values(text, bindings), use_default_graph_as_union=True)
        names = [v.value for v in result.variables]
        rows = [[s[n] for n in names] for s in itertools.islice(result, limit)]
        return len(rows)

    out: dict[str, Any] = {}
    out["first"], out["first_cpu"], _ = _medians(
        lambda: len(list(q.stream_local(query, bindings, store, limit=FIRST_ROWS, ordered=False).rows)), runs)
    out["first_raw"], out["first_raw_cpu"], _ = _medians(lambda: raw(q.unordered(query.text), FIRST_ROWS), runs)
    print(json.dumps(out), flush=True)
    whole = lambda: len(list(q.stream_local(query, bindings, store).rows))  # noqa: E731
    out["whole"], out["whole_cpu"], out["rows"] = _once(whole) if once else _medians(whole, runs)
    if not once:
        out["whole_raw"], out["whole_raw_cpu"], _ = _medians(lambda: raw(query.text, None), runs)
    print(json.dumps(out), flush=True)


def _once(fn: Any) -> tuple[float, float, int]:
    started, cpu = time.perf_counter(), time.process_time()
    n = fn()
    return time.perf_counter() - started, time.process_time() - cpu, n


def time_queries(store: str, runs: int, timeout: float) -> dict[str, dict[str, float] | None]:
    """Every case in a child process; a child stopped at ``timeout`` leaves its first
    pages (``whole`` None). The figures so far are saved after each query."""
    out: dict[str, dict[str, float] | None] = {}
    partial = OUT / f"queries-{Path(store).name}.partial.json"
    for name, label, params in cases():
        cmd = [sys.executable, __file__, "--query-child", store, name, str(runs), json.dumps(params)]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
            out[label] = json.loads(done.stdout.strip().splitlines()[-1])
        except subprocess.TimeoutExpired as exc:
            text = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
            lines = text.strip().splitlines()
            out[label] = dict(json.loads(lines[-1]), whole=None, whole_cpu=None, rows=None) if lines else None
        except subprocess.CalledProcessError as exc:
            sys.exit(f"{label} failed: {exc.stderr[-2000:]}")
        partial.write_text(json.dumps({"queries": out}))
    return out


# -- Virtuoso -------------------------------------------------------------------------

def virtuoso_queries(nquads: Path, runs: int, timeout: float) -> dict[str, Any]:
    """Bulk-load the N-Quads into a fresh Virtuoso, then time every stored query there."""
    sys.path.insert(0, str(HERE.parent / "tests"))
    from servers.virtuoso import VirtuosoError, benchmark_tuning, isql, start, stop

    tuning = benchmark_tuning(nquads.stat().st_size, psutil.virtual_memory().total)
    with tempfile.TemporaryDirectory(prefix="tkg-virtuoso-", dir=OUT) as tmp:
        directory = Path(tmp)
        _link_or_copy(nquads, directory / "data.nq")
        try:
            proc, server = start(directory, tuning)
        except VirtuosoError as exc:
            sys.exit(str(exc))
        try:
            started = time.perf_counter()
            isql(server, f"ld_dir('{directory}', 'data.nq', 'urn:trialkg:default');",
                 "rdf_loader_run();", "checkpoint;")
            loaded = time.perf_counter() - started
            out: dict[str, Any] = {"load": loaded, "buffers": tuning.buffers, "queries": {}}
            for name, label, params in cases():
                out["queries"][label] = _remote_query(q.get_stored_query(name), params, server.sparql, runs, timeout)
        finally:
            stop(proc)
    return out


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link where the file system allows it (100k trials are 17 GB of N-Quads)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy(source, target)


def oxigraph_server_queries(store: Path, runs: int, timeout: float) -> dict[str, Any]:
    """The built store served read-only by the ``oxigraph`` server; every stored query
    through ``run_remote``. The server is stopped by its PID."""
    sys.path.insert(0, str(HERE.parent / "tests"))
    from servers.oxigraph import start, stop_by_pid

    proc, server = start(store, read_only=True, keep_errors=False, timeout=120)
    try:
        out: dict[str, Any] = {"queries": {}}
        for name, label, params in cases():
            out["queries"][label] = _remote_query(q.get_stored_query(name), params, server.query_endpoint, runs, timeout)
    finally:
        stop_by_pid(server.pid, proc)
    return out


def _remote_query(query: q.StoredQuery, params: list[tuple[str, str]], endpoint: str, runs: int,
                  timeout: float) -> dict[str, Any] | str:
    import dataclasses

    bindings = q.bind_params(query, params)
    page = dataclasses.replace(query, text=q.unordered(query.text))
    try:
        first, _ = _median(lambda: len(q.run_remote(page, bindings, endpoint, limit=FIRST_ROWS, timeout=timeout).rows), runs)
    except q.RemoteError as exc:
        return f"error: {str(exc)[:120]}"
    try:
        whole, rows = _median(lambda: len(q.run_remote(query, bindings, endpoint, timeout=timeout).rows), runs)
    except q.RemoteError:  # the first page stands; the whole answer did not come within the timeout
        return {"first": first, "whole": None, "rows": None}
    return {"first": first, "whole": whole, "rows": rows}


# -- report ---------------------------------------------------------------------------

def ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _runs_note(run: dict[str, Any]) -> str:
    """", median of 3: 41.0 / 40.2 / 43.1 s" when the figure is a median of several runs."""
    cpus = run.get("cpu_runs") or []
    return f", median of {len(cpus)}: {' / '.join(f'{c:.1f}' for c in cpus)} s" if len(cpus) > 1 else ""


def report(trials: int, b: dict[str, Any], queries: dict[str, Any], virtuoso: dict[str, Any] | None,
           timeout: float) -> list[str]:
    build, load, export, dump = b["build"], b["oxigraph_load"], b["export"], b["dump"]
    quads = build["quads"]
    rate, load_rate = quads / build["wall"], quads / load["wall"]
    lines = [f"## {trials:,} trials ({quads:,} quads, {b['nquads_bytes'] / 1e6:,.0f} MB of N-Quads)", "",
             "| what | trialkg | target | engine | ratio | verdict |", "| --- | --- | --- | --- | --- | --- |"]
    lines.append(f"| build, plain `trialkg build` (wall) | {build['wall']:,.1f} s, {build['trials'] / build['wall']:,.0f} trials/s, "
                 f"{rate:,.0f} quads/s | >= {TARGET_TRIALS_PER_S:,.0f} trials/s | `oxigraph load` {load['wall']:,.1f} s, "
                 f"{load_rate:,.0f} quads/s | {rate / load_rate:.2f} | {verdict(rate / load_rate >= TARGET_BUILD_RATIO)} (ratio), "
                 f"{verdict(build['trials'] / build['wall'] >= TARGET_TRIALS_PER_S)} (rate) |")
    lines.append(f"| build CPU (process tree{_runs_note(build)}) | {build['cpu']:,.1f} s, "
                 f"{1000 * build['cpu'] / build['trials']:.1f} ms/trial | | {load['cpu']:,.1f} s{_runs_note(load)}, "
                 f"{1000 * load['cpu'] / build['trials']:.1f} ms/trial | {build['cpu'] / max(load['cpu'], 1e-9):.2f} | |")
    lines.append(f"| build peak RSS | {build['peak_tree'] / 2**20:,.0f} MB tree, {build['peak_one'] / 2**20:,.0f} MB largest | "
                 f"<= 2,048 MB | {load['peak_one'] / 2**20:,.0f} MB | | {verdict(build['peak_tree'] <= TARGET_RSS)} |")
    lines.append(f"| export N-Quads | {export['wall']:,.1f} s | raw dump's speed | raw dump {dump['wall']:,.1f} s | "
                 f"{export['wall'] / dump['wall']:.2f} | {verdict(export['wall'] <= 1.1 * dump['wall'])} |")
    lines += ["", "| stored query | rows | first 100 | whole | target (100 ms / 1 s) | raw first 100 | raw whole | ratio (whole) |"
              + (" Virtuoso first 100 | Virtuoso whole |" if virtuoso else ""),
              "| --- | --- | --- | --- | --- | --- | --- | --- |" + (" --- | --- |" if virtuoso else "")]
    for name, r in queries.items():
        v = (virtuoso or {}).get("queries", {}).get(name)
        vcols = ""
        if virtuoso:
            vcols = f" {v} | |" if isinstance(v, str) else f" {ms(v['first'])} | {ms(v['whole'])} |"
        if r is None:
            lines.append(f"| {name} | | > {timeout:.0f} s | > {timeout:.0f} s | **missed** | | | |{vcols}")
            continue
        ok = r["first"] <= TARGET_FIRST_S and r["whole"] <= TARGET_WHOLE_S
        lines.append(f"| {name} | {r['rows']:,} | {ms(r['first'])} | {ms(r['whole'])} | {verdict(ok)} | "
                     f"{ms(r['first_raw'])} | {ms(r['whole_raw'])} | {r['whole'] / max(r['whole_raw'], 1e-9):.2f} |{vcols}")
    if virtuoso:
        lines += ["", f"Virtuoso bulk load (`ld_dir` + `rdf_loader_run()` + checkpoint): {virtuoso['load']:,.1f} s "
                  f"({quads / virtuoso['load']:,.0f} quads/s)."]
    return lines


def store_queries(store: Path, runs: int, timeout: float, virtuoso: bool, oxigraph_server: bool = False,
                  nquads: Path | None = None, whole_once: bool = False, reuse: bool = False) -> None:
    """``--store``: the stored queries on a store built beforehand, with CPU medians;
    with ``--virtuoso``, the store exported as N-Quads and loaded there too; with
    ``--oxigraph-server``, the store served by the ``oxigraph`` server; ``--nquads``
    names the store's N-Quads export made beforehand (not exported again); ``--reuse``
    takes the in-process figures saved by an earlier run on the same store, and its
    Virtuoso figures unless ``--virtuoso`` is given (only the servers asked for are timed)."""
    saved = OUT / f"queries-{store.name}.json"
    earlier = json.loads(saved.read_text()) if reuse and saved.exists() else {}
    queries = earlier.get("queries") or time_queries(str(store), -runs if whole_once else runs, timeout)
    saved.write_text(json.dumps({"queries": queries, "virtuoso": earlier.get("virtuoso")}))
    if oxigraph_server:
        served = oxigraph_server_queries(store, runs, timeout)
        (OUT / f"oxserver-{store.name}.json").write_text(json.dumps(served))
        print("\n".join(server_table("Oxigraph server", queries, served)), flush=True)
    remote = earlier.get("virtuoso")
    if virtuoso and nquads:
        remote = virtuoso_queries(nquads, runs, timeout)
    elif virtuoso:
        nq = OUT / f"{store.name}.nq"
        timed([trialkg_exe(), "-q", "export", "--store", str(store), "--format", "nquads", "-o", str(nq)],
              OUT / f"{store.name}-export.log")
        remote = virtuoso_queries(nq, runs, timeout)
    (OUT / f"queries-{store.name}.json").write_text(json.dumps({"queries": queries, "virtuoso": remote}))
    print("\n".join(query_table(queries, remote, timeout)), flush=True)
    print(f"(load average now {os.getloadavg()[0]:.1f})", flush=True)


def server_table(title: str, queries: dict[str, Any], served: dict[str, Any]) -> list[str]:
    """trialkg in process (CPU) beside a server through HTTP (wall), one row per query."""
    lines = [f"| stored query | rows | trialkg first 100 / whole (CPU) | {title} first 100 / whole (wall, `run_remote`) |",
             "| --- | --- | --- | --- |"]
    for name, r in queries.items():
        v = served["queries"].get(name)
        mine = "-" if r is None else f"{ms(r['first_cpu'])} / {ms(r['whole_cpu'])}"
        theirs = v if isinstance(v, str) or v is None else f"{ms(v['first'])} / {ms(v['whole'])}"
        rows = "" if r is None or r.get("rows") is None else f"{r['rows']:,}"
        lines.append(f"| {name} | {rows} | {mine} | {theirs} |")
    return lines


def query_table(queries: dict[str, Any], virtuoso: dict[str, Any] | None, timeout: float) -> list[str]:
    """One row per stored query: rows, first 100 and whole (wall and CPU), raw CPU, Virtuoso."""
    head = "| stored query | rows | first 100 (CPU) | whole (CPU) | first 100 (wall) | whole (wall) | raw first 100 (CPU) | raw whole (CPU) | verdict (CPU: 100 ms / 1 s) |"
    lines = [head + (" Virtuoso first 100 | Virtuoso whole |" if virtuoso else ""),
             "|" + " --- |" * (9 + (2 if virtuoso else 0))]
    for name, r in queries.items():
        v = (virtuoso or {}).get("queries", {}).get(name)
        vcols = ""
        if virtuoso:
            vcols = f" {v} | |" if isinstance(v, str) or v is None else f" {ms(v['first'])} | {ms(v['whole'])} |"
        if r is None:
            lines.append(f"| {name} | | > {timeout:.0f} s | > {timeout:.0f} s | | | | | **missed** |{vcols}")
            continue
        whole_cpu = r.get("whole_cpu")
        first_ok, whole_ok = r["first_cpu"] <= TARGET_FIRST_S, whole_cpu is not None and whole_cpu <= TARGET_WHOLE_S
        verdict_text = "met" if first_ok and whole_ok else ("first page met" if first_ok else "**missed**")
        rows = "" if r.get("rows") is None else f"{r['rows']:,}"
        whole = f"> {timeout:.0f} s" if whole_cpu is None else ms(whole_cpu)
        lines.append(f"| {name} | {rows} | {ms(r['first_cpu'])} | {whole} | {ms(r['first'])} | "
                     f"{ms(r.get('whole'))} | {ms(r['first_raw_cpu'])} | {ms(r.get('whole_raw_cpu'))} | {verdict_text} |{vcols}")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--whole-once", action="store_true",
                    help="time each whole answer once, without a warm-up, and not the raw one (100k stores)")
    ap.add_argument("--build-runs", type=int, default=1,
                    help="builds and oxigraph loads, in turn (medians); the export and the dump run once")
    ap.add_argument("--jobs", type=int, default=None, help="--jobs for the build (default: the build's own default)")
    ap.add_argument("--query-timeout", type=float, default=300.0, help="seconds for all runs of one query")
    ap.add_argument("--virtuoso", action="store_true", help="also bulk-load Virtuoso and run the queries there")
    ap.add_argument("--oxigraph-server", action="store_true",
                    help="also serve the built store with the oxigraph server and run the queries through HTTP")
    ap.add_argument("--reuse", action="store_true",
                    help="reuse the built store and its build figures (with --store: its saved in-process query figures)")
    ap.add_argument("--skip-queries", action="store_true", help="build and load only")
    ap.add_argument("--store", type=Path, help="time the stored queries on this built store only (no build)")
    ap.add_argument("--nquads", type=Path, help="with --store --virtuoso: the store's N-Quads export, not made again")
    ap.add_argument("--query-child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.query_child:
        store, name, runs, params = args.query_child
        query_child(store, name, int(runs), [tuple(p) for p in json.loads(params)])
        return
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; pyoxigraph {ox.__version__}")
    if args.store:
        store_queries(args.store, args.runs, args.query_timeout, args.virtuoso, args.oxigraph_server, args.nquads,
                      args.whole_once, args.reuse)
        return
    for trials in args.sizes:
        b = build_and_load(trials, args.jobs, args.reuse, args.build_runs)
        queries = {} if args.skip_queries else time_queries(b["store"], args.runs, args.query_timeout)
        virtuoso = virtuoso_queries(Path(b["nquads"]), args.runs, args.query_timeout) if args.virtuoso else None
        served = oxigraph_server_queries(Path(b["store"]), args.runs, args.query_timeout) if args.oxigraph_server else None
        (OUT / f"engine-{trials}.json").write_text(json.dumps({"build": b, "queries": queries, "virtuoso": virtuoso,
                                                               "oxigraph_server": served}))
        print("\n".join(report(trials, b, queries, virtuoso, args.query_timeout)), flush=True)
        if served and queries:
            print("\n".join(["", *server_table("Oxigraph server", queries, served)]), flush=True)
        print(f"(load average now {os.getloadavg()[0]:.1f})\n", flush=True)


if __name__ == "__main__":
    main()
