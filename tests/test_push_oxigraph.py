"""``trialkg push`` against a real Oxigraph server on 127.0.0.1: the seeds arrive intact,
pushing again changes nothing, one rebuilt trial replaces exactly its graph, stored
queries give the same rows remotely, errors are clear, credentials never show, and a
push killed halfway (client or server) leaves every trial graph old or new."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from conftest import SEEDS, start_oxigraph, stop_by_pid
from proxy_support import GateProxy, Request
from rdflib.compare import isomorphic
from test_push_support import (
    TRIALKG,
    copy_store,
    local_graph,
    ours,
    remote_graph,
    remote_graph_names,
    run_cli,
    synthetic_trial,
)

from trialkg import iris
from trialkg import queries as q
from trialkg.store import TrialStore

pytestmark = pytest.mark.integration

SECRET = "s3cr3t-Pa55-word"


def push_args(server, store: Path, *extra: str) -> list[str]:
    return ["push", "--store", str(store), "--endpoint", server.query_endpoint, "--graph-store", server.store_endpoint, *extra]


def remote_total(endpoint: str) -> int:
    r = requests.post(endpoint, data={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
                      headers={"Accept": "application/sparql-results+json"}, timeout=30)
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_push_seeds_verify_and_push_again(seed_store: Path, oxigraph_server) -> None:
    local = TrialStore(seed_store, read_only=True)
    first = run_cli(*push_args(oxigraph_server, seed_store, "--verify", "--format", "json"))
    assert first.returncode == 0, first.stderr
    rows = json.loads(first.stdout)
    assert {r["graph"] for r in rows} == set(local.graph_names())
    assert all(r["ok"] and r["local"] == r["remote"] > 0 for r in rows)
    assert "pushed 9 graphs" in first.stderr  # 5 trials, entities, reference, ontology, statistics
    assert remote_total(oxigraph_server.query_endpoint) == local.count()
    for g in local.graph_names():  # blank nodes (ontology axioms) included
        assert isomorphic(remote_graph(oxigraph_server.query_endpoint, g), local_graph(local, g)), g

    again = run_cli(*push_args(oxigraph_server, seed_store, "--verify", "--format", "json"))
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == rows
    assert remote_total(oxigraph_server.query_endpoint) == local.count()
    assert ours(remote_graph_names(oxigraph_server.query_endpoint)) == set(local.graph_names())
    for g in local.graph_names():
        assert isomorphic(remote_graph(oxigraph_server.query_endpoint, g), local_graph(local, g)), g


def test_rebuilt_trial_replaces_only_its_graph(seed_store: Path, oxigraph_server, tmp_path: Path) -> None:
    from trialkg.pipeline import build

    store_dir = tmp_path / "store"
    copy_store(seed_store, store_dir)
    assert run_cli(*push_args(oxigraph_server, store_dir)).returncode == 0
    changed = iris.trial_graph("NCT04072042")
    before = {g: remote_graph(oxigraph_server.query_endpoint, g) for g in TrialStore(seed_store, read_only=True).graph_names()}

    page = (SEEDS / "000_7bc60f71727de59d.txt").read_text(encoding="utf-8")
    assert page.startswith("BIOmarker Driven Trial")
    edited = tmp_path / "000_edited.txt"
    edited.write_text(page.replace("BIOmarker Driven Trial", "RENAMED Biomarker Driven Trial", 1), encoding="utf-8")
    build([str(edited)], store_path=store_dir, replace=False, jobs=1, quiet=True)

    dry = run_cli(*push_args(oxigraph_server, store_dir, "--trial", "NCT04072042", "--dry-run", "--format", "json"))
    assert dry.returncode == 0, dry.stderr
    # The trial's graph, the shared entities graph its links need (docs/decisions/0003)
    # and the store-wide counts the rebuild recomputed (docs/model.md, statistics graph).
    assert [(r["graph"], r["method"]) for r in json.loads(dry.stdout)] == [
        (changed, "update"), (iris.ENTITIES_GRAPH, "update"), (iris.STATISTICS_GRAPH, "update")]

    result = run_cli(*push_args(oxigraph_server, store_dir, "--trial", "NCT04072042", "--verify", "--format", "json"))
    assert result.returncode == 0, result.stderr
    local = TrialStore(store_dir, read_only=True)
    new = remote_graph(oxigraph_server.query_endpoint, changed)
    assert isomorphic(new, local_graph(local, changed))
    assert any("RENAMED Biomarker" in str(o) for o in new.objects())
    assert not isomorphic(new, before[changed])
    for g, old in before.items():
        if g != changed:
            assert isomorphic(remote_graph(oxigraph_server.query_endpoint, g), old), g


def _query_cases() -> list[tuple[str, dict[str, str]]]:
    cases = [(name, {}) for name in q.stored_query_names() if not any(p.required for p in q.get_stored_query(name).params)]
    return cases + [("trials-by-target", {"target": "VEGFR"}), ("trials-for-patient", {"age": "45", "ecog": "1"})]


def test_stored_queries_same_rows_after_push(seed_store: Path, oxigraph_server) -> None:
    assert run_cli(*push_args(oxigraph_server, seed_store)).returncode == 0
    local = TrialStore(seed_store, read_only=True)
    nonempty = 0
    for name, params in _query_cases():
        query = q.get_stored_query(name)
        bindings = q.bind_params(query, params)
        here = q.run_local(query, bindings, local)
        there = q.run_remote(query, bindings, oxigraph_server.query_endpoint, timeout=60)
        assert there.columns == here.columns, name
        assert sorted(map(str, there.rows)) == sorted(map(str, here.rows)), name
        nonempty += bool(here.rows)
    assert nonempty >= 5


def test_dry_run_sends_nothing(seed_store: Path, oxigraph_server) -> None:
    result = run_cli(*push_args(oxigraph_server, seed_store, "--dry-run", "--format", "json"))
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert {r["method"] for r in plan} == {"post"}  # all new on an empty server
    assert sum(r["triples"] for r in plan) == TrialStore(seed_store, read_only=True).count()
    assert remote_total(oxigraph_server.query_endpoint) == 0


def test_credentials_never_printed_or_logged(seed_store: Path, oxigraph_server) -> None:
    ok = run_cli("--verbose", *push_args(oxigraph_server, seed_store, "--user", "alice", "--password", SECRET, "--verify"))
    assert ok.returncode == 0, ok.stderr
    assert "DEBUG" in ok.stderr  # verbose logging was on
    bad = run_cli("--verbose", *push_args(oxigraph_server, seed_store, "--mode", "update", "--update",
                                          oxigraph_server.query_endpoint, "--user", "alice", "--password", SECRET))
    assert bad.returncode != 0
    dry = run_cli(*push_args(oxigraph_server, seed_store, "--dry-run", "--token", SECRET))
    token = run_cli("--verbose", *push_args(oxigraph_server, seed_store, "--token", SECRET, "--verify"))
    assert token.returncode == 0, token.stderr
    for r in (ok, bad, dry, token):
        assert SECRET not in r.stdout + r.stderr


def test_4xx_is_one_clear_line_with_the_servers_message(seed_store: Path, oxigraph_server) -> None:
    # /query refuses SPARQL Update bodies: Oxigraph answers 415 with its reason.
    r = run_cli(*push_args(oxigraph_server, seed_store, "--mode", "update", "--update", oxigraph_server.query_endpoint))
    assert r.returncode == 2
    errors = [line for line in r.stderr.splitlines() if line.startswith("trialkg: error:")]
    assert len(errors) == 1 and "HTTP 415" in errors[0] and "application/sparql-update" in errors[0]
    assert "Traceback" not in r.stderr


class _FlakyProxy(BaseHTTPRequestHandler):
    """Forwards to the real server, but answers the first ``failures`` writes with 503."""

    target = ""
    failures = 0
    refused: list[str] = []

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.command == "POST" and type(self).failures > 0:
            type(self).failures -= 1
            type(self).refused.append(self.path)
            self.send_response(503)
            self.send_header("Content-Length", "4")
            self.end_headers()
            self.wfile.write(b"busy")
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        r = requests.request(self.command, self.target + self.path, data=body, headers=headers, timeout=60)
        self.send_response(r.status_code)
        self.send_header("Content-Type", r.headers.get("Content-Type", "text/plain"))
        self.send_header("Content-Length", str(len(r.content)))
        self.end_headers()
        self.wfile.write(r.content)

    do_GET = do_POST = do_PUT = do_HEAD = _forward

    def log_message(self, *args: object) -> None:
        pass


def test_5xx_is_retried_with_backoff(seed_store: Path, oxigraph_server) -> None:
    _FlakyProxy.target, _FlakyProxy.failures, _FlakyProxy.refused = oxigraph_server.url, 3, []
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), _FlakyProxy)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{proxy.server_port}"
        r = run_cli("push", "--store", str(seed_store), "--endpoint", url + "/query", "--graph-store", url + "/store",
                    "--mode", "update", "--verify", "--format", "json")
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert r.returncode == 0, r.stderr
    assert len(_FlakyProxy.refused) == 3
    assert r.stderr.count("HTTP 503") == 3 and "retrying in" in r.stderr
    assert all(row["ok"] for row in json.loads(r.stdout))


def test_connection_errors_are_retried_until_the_server_is_up(seed_store: Path, tmp_path: Path) -> None:
    from conftest import _oxigraph_binary, free_port

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    client = subprocess.Popen([*TRIALKG, "push", "--store", str(seed_store), "--endpoint", url + "/query",
                               "--graph-store", url + "/store", "--retries", "6"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    server = subprocess.Popen([_oxigraph_binary(), "serve", "--location", str(tmp_path / "db"), "--bind", f"127.0.0.1:{port}",
                               "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        out, err = client.communicate(timeout=120)
        assert client.returncode == 0, err
        assert "cannot connect" in err and "retrying in" in err
        assert remote_total(url + "/query") == TrialStore(seed_store, read_only=True).count()
    finally:
        stop_by_pid(server.pid, server)


# -- interruption: every trial graph is the old or the new version, never half ----------

TRIALS = [f"NCT9{i:07d}" for i in range(120)]
BIG = {TRIALS[30], TRIALS[60], TRIALS[90]}  # larger than one request: staged, then MOVEd


def _fill(store: TrialStore, version: int) -> None:
    for t in TRIALS:
        store.replace_graph(iris.trial_graph(t), synthetic_trial(t, version, criteria=150 if t in BIG else 20))
    store.flush()


def _versions(server) -> dict[str, int | None]:
    """Each trial graph's version on the server; None when it is absent, partial or mixed
    (what ``version_of`` reads, from the quads as Oxigraph parses them)."""
    r = requests.get(server.store_endpoint, headers={"Accept": "application/n-quads"}, timeout=60)
    r.raise_for_status()
    labels: dict[str, set[str]] = {}
    texts: dict[str, set[str]] = {}
    sizes: dict[str, int] = {}
    for quad in ox.parse(r.content, ox.RdfFormat.N_QUADS):
        g, p = quad.graph_name.value, quad.predicate.value
        sizes[g] = sizes.get(g, 0) + 1
        if p.endswith("rdf-schema#label"):
            labels.setdefault(g, set()).add(quad.object.value.split()[-1])
        elif p.endswith("#text"):
            texts.setdefault(g, set()).add(quad.object.value.split(":")[0])
    full = {n: len(synthetic_trial(TRIALS[0], 1, criteria=n)) for n in (20, 150)}
    out: dict[str, int | None] = {}
    for t in TRIALS:
        g = iris.trial_graph(t)
        label, text = labels.get(g, set()), texts.get(g, set())
        whole = sizes.get(g) == full[150 if t in BIG else 20] and len(label) == len(text) == 1
        v = int(next(iter(label))) if whole else None
        out[t] = v if v is not None and text == {f"v{v}"} else None
    return out


STAGING_SEEN = 'ASK { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "urn:trialkg:staging:")) }'

# When the client is stopped: before the first write after the chosen one was answered.
MOMENTS: dict[str, Callable[[GateProxy], bool]] = {
    # a chunk of a large graph is in its staging graph, the MOVE not sent yet
    "while-staging": lambda proxy: any(b"urn:trialkg:staging:" in r.body and b"INSERT" in r.body
                                       for r in proxy.writes()),
    # the first batch of version 2 is committed, the next one not sent yet
    "between-batches": lambda proxy: len(proxy.writes()) >= 1,
}


def _push_version_1(store: TrialStore, server) -> None:
    """The starting point on the server, pushed in this process (as ``trialkg push`` does)."""
    from trialkg.push import PushOptions, push

    summary = push(store, PushOptions(endpoint=server.query_endpoint, graph_store=server.store_endpoint))
    assert summary.graphs == len(TRIALS)
    assert set(_versions(server).values()) == {1}


def _ask(endpoint: str, ask: str) -> bool:
    r = requests.post(endpoint, data={"query": ask}, headers={"Accept": "application/sparql-results+json"}, timeout=30)
    return bool(r.json()["boolean"])


def _through(proxy: GateProxy, store: Path, *extra: str) -> list[str]:
    return ["push", "--store", str(store), "--endpoint", proxy.url + "/query", "--graph-store", proxy.url + "/store",
            *extra]


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_client_killed_mid_push_leaves_old_or_new(oxigraph_server, tmp_path: Path, moment: str) -> None:
    store_dir = tmp_path / "store"
    store = TrialStore(store_dir)
    _fill(store, 1)
    args = ["--quiet", *push_args(oxigraph_server, store_dir, "--batch-size", "300")]
    _push_version_1(store, oxigraph_server)
    _fill(store, 2)
    del store
    client: list[subprocess.Popen] = []
    started, held = threading.Event(), []

    def hold(request: Request) -> bool:
        # The client sends one request at a time: killed while it waits for this one,
        # it leaves the server with exactly the requests answered before.
        if not request.is_write or held or not MOMENTS[moment](proxy):
            return True
        held.append(request)
        started.wait(60)
        client[0].kill()
        client[0].wait(timeout=60)
        return False

    with GateProxy(oxigraph_server.url, before=hold) as proxy:
        client.append(subprocess.Popen([*TRIALKG, "--quiet", *_through(proxy, store_dir, "--batch-size", "300")],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        started.set()
        client[0].wait(timeout=120)
    assert held, "the push ended before the chosen moment"
    assert client[0].returncode == -signal.SIGKILL
    assert _ask(oxigraph_server.query_endpoint, STAGING_SEEN) == (moment == "while-staging")

    versions = _versions(oxigraph_server)
    assert set(versions.values()) <= {1, 2}, {t: v for t, v in versions.items() if v not in (1, 2)}
    assert 2 in versions.values() and 1 in versions.values()

    assert run_cli(*args).returncode == 0  # the next push completes the job
    assert set(_versions(oxigraph_server).values()) == {2}
    assert not any(g.startswith("urn:trialkg:staging:") for g in remote_graph_names(oxigraph_server.query_endpoint))


def test_server_killed_mid_push_leaves_old_or_new(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    store = TrialStore(store_dir)
    _fill(store, 1)
    proc, server = start_oxigraph(tmp_path / "db")
    crashed: list[Request] = []

    def crash(request: Request) -> None:
        # The second batch of writes has reached the server, which dies before it answers.
        if request.is_write and not crashed and proxy.writes():
            crashed.append(request)
            os.kill(server.pid, signal.SIGKILL)
            proc.wait(timeout=60)

    try:
        _push_version_1(store, server)
        _fill(store, 2)
        del store
        with GateProxy(server.url, sent=crash) as proxy:
            pushed = run_cli(*_through(proxy, store_dir, "--batch-size", "300", "--retries", "1"))
        assert crashed, "the push ended before the server could be stopped"
        assert pushed.returncode == 2 and "trialkg: error:" in pushed.stderr
    finally:
        stop_by_pid(server.pid, proc)

    proc, server = start_oxigraph(tmp_path / "db")  # same database, after a crash
    try:
        versions = _versions(server)
        assert set(versions.values()) <= {1, 2}, {t: v for t, v in versions.items() if v not in (1, 2)}
        assert 2 in versions.values() and 1 in versions.values()
        assert run_cli("--quiet", *push_args(server, store_dir)).returncode == 0
        assert set(_versions(server).values()) == {2}
    finally:
        stop_by_pid(server.pid, proc)


def test_unknown_trial_and_verify_only(seed_store: Path, oxigraph_server) -> None:
    r = run_cli(*push_args(oxigraph_server, seed_store, "--trial", "NCT00000000"))
    assert r.returncode == 2 and "not in the store: NCT00000000" in r.stderr and "Traceback" not in r.stderr
    # --dry-run --verify compares without sending: an empty server differs everywhere.
    r = run_cli(*push_args(oxigraph_server, seed_store, "--dry-run", "--verify", "--format", "json"))
    assert r.returncode == 1
    rows = json.loads(r.stdout)
    assert rows and all(row["remote"] == 0 and not row["ok"] for row in rows)
    assert remote_total(oxigraph_server.query_endpoint) == 0
