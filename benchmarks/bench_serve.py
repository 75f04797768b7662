"""Page times of ``trialkg serve``: p50 and p90 per page kind over a built store.

Starts ``trialkg serve`` on a free loopback port (stopped by its PID), then fetches a
sample of trial, drug, target and family pages, searches, trial graphs and a /sparql
query, one request at a time: "cold" is each page's first fetch (nothing of it read
before: the server keeps the 256 most recent trial views), "warm" the fetches after it.
Prints p50/p90 with the ratio of the cold p50 to the 100 ms target::

    python benchmarks/generate.py --trials 10000 -o benchmarks/out/10k.zip
    trialkg build benchmarks/out/10k.zip --store benchmarks/out/store-10k --replace --bulk
    python benchmarks/bench_serve.py --store benchmarks/out/store-10k --samples 30
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the test servers' helpers
from servers import free_port  # noqa: E402

TARGET_MS = 100.0
SEARCHES = ["rivoceranib", "VEGFR2", "apatinib", "sarcoma", "kinase", "FGFR", "pembrolizumab", "university",
            "NCT0", "leiomyosarcoma", "XZ-48", "china"]


def get(url: str) -> tuple[float, int, bytes, float | None]:
    """(wall ms seen by the client, status, body, server CPU ms from Server-Timing)."""
    started = time.perf_counter()
    timing = ""
    try:
        with urllib.request.urlopen(url, timeout=120) as resp:
            body = resp.read()
            status = resp.status
            timing = resp.headers.get("Server-Timing", "")
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    m = re.search(r"cpu;dur=([\d.]+)", timing)
    return (time.perf_counter() - started) * 1000, status, body, float(m.group(1)) if m else None


def start(store: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    exe = shutil.which("trialkg")
    cmd = [exe] if exe else [sys.executable, "-c", "from trialkg.cli import main; main()"]
    proc = subprocess.Popen([*cmd, "serve", "--store", store, "--port", str(port)], stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    while True:
        if proc.poll() is not None:
            raise SystemExit(proc.stderr.read().decode())
        try:
            urllib.request.urlopen(url + "/sparql?query=ASK%7B%7D", timeout=5).read()
            break
        except OSError:
            time.sleep(0.2)
    print(f"server ready in {time.perf_counter() - started:.1f} s (store opened, search index built, workers up)")
    return proc, url


def sample(url: str, n: int, rng: random.Random) -> dict[str, list[str]]:
    """Page paths to time: trials at random, and the drugs, targets, families with trials."""
    overview = json.loads(get(url + "/?format=json")[2])
    ids_q = "SELECT ?id WHERE { ?t a <https://w3id.org/trialkg/ontology#Trial> ; <https://w3id.org/trialkg/ontology#trialId> ?id }"
    body = get(url + "/sparql?" + urllib.parse.urlencode({"query": ids_q, "format": "json"}))[2]
    ids = [b["id"]["value"] for b in json.loads(body)["results"]["bindings"]]
    top = overview["top"]
    return {
        "trial": [f"/trial/{urllib.parse.quote(i)}" for i in rng.sample(ids, min(n, len(ids)))],
        "drug": [f"/drug/{urllib.parse.quote(d['key'])}" for d in top["drug"]][:n],
        "target": [f"/target/{urllib.parse.quote(d['key'])}" for d in top["target"]][:n],
        "family": [f"/family/{urllib.parse.quote(d['key'])}" for d in top["family"]][:n],
        "search": [f"/search?q={urllib.parse.quote(s)}" for s in SEARCHES][:n],
        "graph (trial)": [f"/graph/trial/{urllib.parse.quote(i)}" for i in rng.sample(ids, min(n, len(ids)))],
        "sparql (count by phase)": ["/sparql?" + urllib.parse.urlencode({"query": (
            "SELECT ?p (COUNT(*) AS ?n) WHERE { ?t <https://w3id.org/trialkg/ontology#phase> ?p } GROUP BY ?p"),
            "format": "json"})],
    }


def _p(times: list[float], q: float) -> float:
    times = sorted(times)
    return statistics.median(times) if q == 0.5 else times[min(len(times) - 1, int(q * len(times)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", required=True)
    ap.add_argument("--samples", type=int, default=20, help="pages per kind")
    ap.add_argument("--repeat", type=int, default=3, help="warm fetches per page after the cold one")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    proc, url = start(args.store)
    try:
        pages = sample(url, args.samples, random.Random(args.seed))
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; ms; cpu = server CPU time (Server-Timing)")
        print(f"{'page':24} {'pages':>5} {'cold p50':>9} {'cold p90':>9} {'cpu p50':>8} {'warm p50':>9} {'warm p90':>9} {'cold p50/target':>16}")
        for kind, paths in pages.items():
            cold, warm, cpu = [], [], []
            for path in paths:
                first, status, _, used = get(url + path)
                if status != 200:
                    print(f"  {path}: HTTP {status}", file=sys.stderr)
                    continue
                cold.append(first)
                if used is not None:
                    cpu.append(used)
                warm += [get(url + path)[0] for _ in range(args.repeat)]
            if not cold:
                continue
            c50, c90 = _p(cold, 0.5), _p(cold, 0.9)
            w50, w90 = (_p(warm, 0.5), _p(warm, 0.9)) if warm else (float("nan"), float("nan"))
            u50 = _p(cpu, 0.5) if cpu else float("nan")
            print(f"{kind:24} {len(cold):>5} {c50:>9.1f} {c90:>9.1f} {u50:>8.1f} {w50:>9.1f} {w90:>9.1f} {c50 / TARGET_MS:>16.2f}")
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
