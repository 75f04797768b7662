"""Page times of ``trialkg serve``: p50 and p90 per page kind over a built store.

Starts ``trialkg serve`` on a free loopback port (stopped by its PID), warms each page
once, then fetches a sample of trial, drug, target and family pages, searches and a
/sparql query, one request at a time, and prints the figures with their ratio to the
100 ms target::

    python benchmarks/generate.py --trials 10000 -o benchmarks/out/10k.zip
    trialkg build benchmarks/out/10k.zip --store benchmarks/out/store-10k --replace --bulk
    python benchmarks/bench_serve.py --store benchmarks/out/store-10k --samples 30
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

TARGET_MS = 100.0
SEARCHES = ["rivoceranib", "VEGFR2", "apatinib", "sarcoma", "kinase", "FGFR", "pembrolizumab", "university",
            "NCT0", "leiomyosarcoma", "XZ-48", "china"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[float, int, bytes]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as resp:
            body = resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    return (time.perf_counter() - started) * 1000, status, body


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", required=True)
    ap.add_argument("--samples", type=int, default=20, help="pages per kind")
    ap.add_argument("--repeat", type=int, default=3, help="timed fetches per page (after one warm-up)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    proc, url = start(args.store)
    try:
        pages = sample(url, args.samples, random.Random(args.seed))
        print(f"{'page':26} {'pages':>5} {'p50 ms':>8} {'p90 ms':>8} {'max ms':>8} {'p50/target':>10}")
        for kind, paths in pages.items():
            times = []
            for path in paths:
                first, status, _ = get(url + path)
                if status != 200:
                    print(f"  {path}: HTTP {status}", file=sys.stderr)
                    continue
                times += [get(url + path)[0] for _ in range(args.repeat)]
            if not times:
                continue
            times.sort()
            p50 = statistics.median(times)
            p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
            print(f"{kind:26} {len(paths):>5} {p50:>8.1f} {p90:>8.1f} {times[-1]:>8.1f} {p50 / TARGET_MS:>10.2f}")
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
