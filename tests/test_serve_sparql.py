"""``trialkg serve``'s /sparql is a SPARQL 1.1 Protocol endpoint: SPARQLWrapper (through
``trialkg query --endpoint``'s own code), rdflib's SPARQLStore and plain HTTP get the
same rows as ``trialkg query`` on the store, for every stored query; every result
format parses; updates are refused; a query past the time limit is stopped."""

from __future__ import annotations

import csv
import io
import json
import shlex
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from serve_support import fetch, running_server

from trialkg import queries as q
from trialkg.store import TrialStore

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server(seed_store: Path):
    with running_server(seed_store) as s:
        yield s


@pytest.fixture(scope="module")
def store(seed_store: Path) -> TrialStore:
    return TrialStore(seed_store, read_only=True)


def example_cases() -> list[tuple[str, dict[str, str]]]:
    """Every stored query with the parameters of each ``# example:`` line in its header
    (and with none when it needs none), so a new stored query is covered by its header."""
    cases: list[tuple[str, dict[str, str]]] = []
    for stored in q.stored_queries():
        if not any(p.required for p in stored.params):
            cases.append((stored.name, {}))
        for example in stored.examples:
            words = shlex.split(example)
            params = {words[i + 1]: words[i + 2] for i, w in enumerate(words) if w == "-p" and i + 2 < len(words)}
            if (stored.name, params) not in cases:
                cases.append((stored.name, params))
    return cases


CASES = example_cases()


def test_every_stored_query_is_covered() -> None:
    assert {name for name, _ in CASES} == set(q.stored_query_names())


@pytest.mark.parametrize(("name", "params"), CASES, ids=[f"{n}-{'-'.join(p.values()) or 'none'}" for n, p in CASES])
def test_sparqlwrapper_rows_match_local(server, store: TrialStore, name: str, params: dict[str, str]) -> None:
    stored = q.get_stored_query(name)
    bindings = q.bind_params(stored, params)
    local = q.run_local(stored, bindings, store)
    remote = q.run_remote(stored, bindings, server.sparql)
    assert remote.columns == local.columns
    assert remote.rows == local.rows


def _text(term) -> str | None:
    return None if term is None else str(term)


@pytest.mark.parametrize(("name", "params"), CASES, ids=[f"{n}-{'-'.join(p.values()) or 'none'}" for n, p in CASES])
def test_rdflib_sparqlstore_rows_match_local(server, store: TrialStore, name: str, params: dict[str, str]) -> None:
    stored = q.get_stored_query(name)
    bindings = q.bind_params(stored, params)
    local = q.run_local(stored, bindings, store)
    graph = rdflib.Graph(SPARQLStore(server.sparql, returnFormat="xml"))
    result = graph.query(q.with_values(stored.text, bindings))
    columns = [str(v) for v in result.vars]
    keep = [i for i, c in enumerate(columns) if not c.startswith(q.PARAM_PREFIX)]
    rows = sorted(tuple(_text(row[i]) for i in keep) for row in result)
    assert [columns[i] for i in keep] == local.columns
    assert rows == sorted(tuple(r[c] for c in local.columns) for r in local.text_records())


def test_query_command_against_the_endpoint(server, seed_store: Path) -> None:
    """`trialkg query --endpoint` prints what it prints locally."""
    base = [sys.executable, "-c", "from trialkg.cli import main; main()", "query", "trials-by-target",
            "-p", "target", "KDR", "--format", "json"]
    local = subprocess.run([*base, "--store", str(seed_store)], capture_output=True, text=True, check=True)
    remote = subprocess.run([*base, "--endpoint", server.sparql], capture_output=True, text=True, check=True)
    assert json.loads(remote.stdout) == json.loads(local.stdout)
    assert json.loads(local.stdout)


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _count_local(store: TrialStore, text: str = COUNT) -> int:
    return int(next(iter(store.query(text)))["n"].value)


@pytest.mark.parametrize(("accept", "parse"), [
    ("application/sparql-results+json", lambda b: int(json.loads(b)["results"]["bindings"][0]["n"]["value"])),
    ("application/sparql-results+xml", lambda b: int(next(iter(ox.parse_query_results(b, ox.QueryResultsFormat.XML)))["n"].value)),
    ("text/csv", lambda b: int(list(csv.DictReader(io.StringIO(b.decode())))[0]["n"])),
    ("text/tab-separated-values", lambda b: int(b.decode().splitlines()[1].split("^^")[0].strip('"'))),
])
def test_select_formats_by_accept(server, store: TrialStore, accept: str, parse) -> None:
    status, ctype, body = fetch(server.sparql + "?query=" + urllib.parse.quote(COUNT), accept=accept)
    assert status == 200 and ctype.startswith(accept)
    assert parse(body) == _count_local(store)  # the union of all graphs, as locally


@pytest.mark.parametrize(("accept", "fmt"), [
    ("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD), ("application/rdf+xml", ox.RdfFormat.RDF_XML),
])
def test_construct_formats_by_accept(server, store: TrialStore, accept: str, fmt) -> None:
    text = "PREFIX tkg: <https://w3id.org/trialkg/ontology#> CONSTRUCT { ?t tkg:trialId ?id } WHERE { ?t tkg:trialId ?id }"
    status, ctype, body = fetch(server.sparql, accept=accept, data=text.encode(), content_type="application/sparql-query")
    assert status == 200 and ctype.startswith(accept)
    got = {(t.subject, t.object) for t in ox.parse(body, fmt)}
    assert got == {(t.subject, t.object) for t in store.query(text)}
    assert len(got) == len(store.trial_ids())


def test_post_form_ask_and_describe(server) -> None:
    body = urllib.parse.urlencode({"query": "ASK { ?t a <https://w3id.org/trialkg/ontology#Trial> }"}).encode()
    status, _, out = fetch(server.sparql, accept="application/sparql-results+json", data=body,
                           content_type="application/x-www-form-urlencoded")
    assert status == 200 and json.loads(out)["boolean"] is True
    status, ctype, out = fetch(server.sparql + "?query=" + urllib.parse.quote(
        "DESCRIBE <https://w3id.org/trialkg/resource/trial/NCT04126811>"), accept="text/turtle")
    assert status == 200 and "NCT04126811" in out.decode()


def test_default_graph_uri_restricts_the_default_graph(server, store: TrialStore) -> None:
    g = "https://w3id.org/trialkg/resource/graph/NCT04126811"
    url = server.sparql + "?" + urllib.parse.urlencode({"query": COUNT, "default-graph-uri": g})
    status, _, body = fetch(url, accept="application/sparql-results+json")
    assert status == 200
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == store.count(g)


def test_updates_are_refused_and_change_nothing(server, store: TrialStore) -> None:
    before = _count_local(store)
    for data, ctype in ((urllib.parse.urlencode({"update": "DROP ALL"}).encode(), "application/x-www-form-urlencoded"),
                        (b"DROP ALL", "application/sparql-update")):
        status, _, body = fetch(server.sparql, data=data, content_type=ctype)
        assert status == 403 and b"read-only" in body
    status, _, _ = fetch(server.sparql, data=b"DROP ALL", content_type="application/sparql-query")
    assert status == 400  # an update is not a query
    status, _, body = fetch(server.sparql + "?query=" + urllib.parse.quote(COUNT), accept="text/csv")
    assert int(body.decode().splitlines()[1]) == before


def test_cors_preflight_for_browser_clients(server) -> None:
    import urllib.request

    req = urllib.request.Request(server.sparql, method="OPTIONS",
                                 headers={"Origin": "http://example.org", "Access-Control-Request-Method": "POST"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.status == 204
        assert resp.headers["Access-Control-Allow-Origin"] == "*" and "POST" in resp.headers["Access-Control-Allow-Methods"]


def test_bad_requests_get_clear_errors(server) -> None:
    status, _, body = fetch(server.sparql + "?query=SELEC", accept="application/sparql-results+json")
    assert status == 400 and b"syntax" in body.lower()
    status, _, _ = fetch(server.sparql + "?query=" + urllib.parse.quote(COUNT), accept="image/png")
    assert status == 406
    status, _, _ = fetch(server.sparql, accept="application/sparql-results+json")
    assert status == 400
    status, _, body = fetch(server.sparql, accept="text/html")
    assert status == 200 and b"<form" in body  # a browser gets a query form


def test_a_query_past_the_time_limit_is_stopped(seed_store: Path) -> None:
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with running_server(seed_store, "--query-timeout", "1", "--sparql-workers", "1") as s:
        status, _, body = fetch(s.sparql + "?query=" + urllib.parse.quote(heavy), accept="text/csv")
        assert status == 503 and b"time limit" in body
        status, _, body = fetch(s.sparql + "?query=" + urllib.parse.quote("ASK {}"), accept="text/csv")
        assert status == 200 and body.decode().strip() == "true"  # a fresh worker took over
