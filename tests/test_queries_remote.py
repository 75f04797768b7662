"""Stored queries on a real Oxigraph server (127.0.0.1, union default graph) loaded with
the seed store exported as N-Quads: the same rows as locally, injection-proof, and
clear errors for HTTP failures and unreachable endpoints."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from trialkg import queries as q
from trialkg.errors import RemoteError
from trialkg.store import TrialStore

pytestmark = pytest.mark.integration

INJECTION = 'KDR" } ; DROP ALL ; #'

# Parameter sets: every stored query at least once, optional parameters both ways.
CASES: list[tuple[str, dict[str, str]]] = [
    ("trials-by-target", {"target": "VEGFR"}),
    ("trials-by-target", {"target": "pdcd1"}),
    ("drugs-sharing-targets", {}),
    ("biomarker-arms", {}),
    ("trials-by-sponsor", {}),
    ("trials-by-sponsor", {"sponsor": "university"}),
    ("sites-by-country", {}),
    ("sites-by-country", {"country": "China"}),
    ("prior-therapy-exclusions", {}),
    ("prior-therapy-exclusions", {"drug": "Apatinib Mesylate"}),
    ("lab-thresholds", {}),
    ("lab-thresholds", {"analyte": "neutrophils"}),
    ("trials-for-patient", {"age": "45", "ecog": "1"}),
    ("trials-for-patient", {"age": "45", "ecog": "1", "prior_drug": "anlotinib"}),
    ("trials-by-family-phase", {}),
    ("trials-by-family-phase", {"family": "fgfr"}),
    ("biomarkers-by-gene", {"gene": "KDR"}),
    ("trials-excluding-drug-class", {"class": "vegfr-tki"}),
    ("lab-threshold-comparison", {"analyte": "alt"}),
    ("trials-admitting-ecog", {"ecog": "2"}),
    ("recruiting-sites", {"country": "china"}),
    ("drugs-overlapping-targets", {"drug": "anlotinib"}),
    ("sponsor-drug-target", {}),
    ("criteria-coverage", {}),
    ("trials-by-drug-class", {"class": "vegfr-tki"}),
]


@pytest.fixture(scope="module")
def loaded_server(seed_store: Path, tmp_path_factory: pytest.TempPathFactory):
    """One server for the module, loaded once over HTTP like a user would."""
    from conftest import start_oxigraph, stop_by_pid

    proc, server = start_oxigraph(tmp_path_factory.mktemp("oxigraph") / "db")
    try:
        buf = io.BytesIO()
        TrialStore(seed_store, read_only=True).dump(buf, ox.RdfFormat.N_QUADS)
        req = urllib.request.Request(server.store_endpoint, data=buf.getvalue(), method="POST",
                                     headers={"Content-Type": "application/n-quads"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            assert resp.status in (200, 201, 204)
        yield server
    finally:
        stop_by_pid(server.pid, proc)


@pytest.fixture(scope="module")
def store(seed_store: Path) -> TrialStore:
    return TrialStore(seed_store, read_only=True)


def test_every_stored_query_has_a_remote_case() -> None:
    assert {name for name, _ in CASES} == set(q.stored_query_names())


def _sorted(rows: list[tuple]) -> list[tuple]:
    return sorted(rows, key=lambda r: [("" if t is None else str(t)) for t in r])


@pytest.mark.parametrize(("name", "params"), CASES, ids=[f"{n}-{'-'.join(p.values()) or 'all'}" for n, p in CASES])
def test_same_rows_remotely_as_locally(loaded_server, store: TrialStore, name: str, params: dict[str, str]) -> None:
    query = q.get_stored_query(name)
    bindings = q.bind_params(query, params)
    local = q.run_local(query, bindings, store)
    remote = q.run_remote(query, bindings, loaded_server.query_endpoint, timeout=30)
    assert remote.columns == local.columns
    assert local.rows, f"{name} {params} returns nothing on the seeds"
    # ORDER BY fixes the order, but ties may come back in another order.
    assert _sorted(remote.rows) == _sorted(local.rows)


@pytest.mark.parametrize("name", [n for n in q.stored_query_names() if any(p.type == "string" for p in q.get_stored_query(n).params)])
def test_injection_remote(loaded_server, store: TrialStore, name: str) -> None:
    query = q.get_stored_query(name)
    values = {"age": "45", "ecog": "1"} if name == "trials-for-patient" else {}
    values.update({p.name: INJECTION for p in query.params if p.type == "string"})
    # Typed as bind_params types them, without the name resolution (which refuses the
    # hostile name before any SPARQL): the value must still be inert on the wire.
    bindings = {query.param(n).variable: q.typed_term(query.param(n), v) for n, v in values.items()}
    before = q.run_remote(q.parse_query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", name="n", source="n"),
                          {}, loaded_server.query_endpoint).rows
    remote = q.run_remote(query, bindings, loaded_server.query_endpoint)
    assert _sorted(remote.rows) == _sorted(q.run_local(query, bindings, store).rows)
    if name != "trials-for-patient":
        assert remote.rows == []
    after = q.run_remote(q.parse_query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", name="n", source="n"),
                         {}, loaded_server.query_endpoint).rows
    assert after == before and after[0][0].value != "0"


def test_limit_remote(loaded_server) -> None:
    query = q.get_stored_query("lab-thresholds")
    assert len(q.run_remote(query, {}, loaded_server.query_endpoint, limit=3).rows) == 3


def test_http_error_carries_the_servers_message(loaded_server) -> None:
    bad = q.parse_query("SELECT ?x WHERE { ?x ?p }", name="bad", source="bad.rq")
    with pytest.raises(RemoteError) as exc:
        q.run_remote(bad, {}, loaded_server.query_endpoint)
    message = str(exc.value)
    assert message.startswith("bad.rq: ") and loaded_server.query_endpoint in message
    assert "refused the query" in message and len(message) > 80  # the parser's own words follow


def test_not_a_sparql_endpoint(loaded_server) -> None:
    query = q.get_stored_query("biomarker-arms")
    with pytest.raises(RemoteError, match="HTTP 404|refused"):
        q.run_remote(query, {}, loaded_server.url + "/no-such-path")


def test_unreachable_endpoint_is_one_line_exit_2() -> None:
    from conftest import free_port

    url = f"http://alice:s3cret@127.0.0.1:{free_port()}/query"
    env = {**os.environ, "TRIALKG_SPARQL_PASSWORD": "hunter2"}
    result = subprocess.run(
        [sys.executable, "-c", "from trialkg.cli import main; main()", "query", "biomarker-arms",
         "--endpoint", url, "--user", "alice", "--timeout", "5"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "cannot reach http://127.0.0.1:" in result.stderr
    assert "s3cret" not in result.stderr + result.stdout and "hunter2" not in result.stderr + result.stdout


def test_cli_remote_json(loaded_server, tmp_path: Path) -> None:
    import json

    result = subprocess.run(
        [sys.executable, "-c", "from trialkg.cli import main; main()", "query", "sites-by-country",
         "-p", "country", "china", "--endpoint", loaded_server.query_endpoint, "--format", "json"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {r["trial"] for r in rows} == {"NCT04072042", "NCT04126811", "NCT03890068"}
    assert set(rows[0]) == {"country", "site", "trial"}


def test_remote_pages_cover_the_whole_answer_once(loaded_server, store: TrialStore) -> None:
    """``stream_remote`` pages like ``stream_local``: in the engine's order, without the
    global sort, each page asked as offset + limit rows; together the whole answer."""
    query = q.get_stored_query("lab-thresholds")
    endpoint = loaded_server.query_endpoint
    whole = q.run_remote(query, {}, endpoint).rows
    assert len(whole) > 20
    pages: list[tuple] = []
    for offset in range(0, len(whole) + 7, 7):
        page = q.stream_remote(query, {}, endpoint, limit=7, offset=offset, ordered=False)
        assert page.columns == q.run_local(query, {}, store).columns
        pages.extend(page.rows)
    assert sorted(map(str, pages)) == sorted(map(str, whole))
    assert list(q.stream_remote(query, {}, endpoint).rows) == whole  # no page: the query's own order


def test_endpoints_are_not_asked_for_the_parameter_columns() -> None:
    """The hidden ?param_* columns leave the top-level projection of a remote query;
    a projection with expressions and every sub-select keep theirs."""
    from trialkg.queries.remote import without_param_columns

    flat = 'SELECT DISTINCT ?param_age ?param_ecog ?trial ?title\nWHERE {\n  #@values\n  ?t ?p ?trial }\n'
    assert without_param_columns(flat).splitlines()[0] == "SELECT DISTINCT ?trial ?title"
    grouped = q.get_stored_query("drugs-overlapping-targets").text
    assert without_param_columns(grouped) == grouped
    for query in q.stored_queries():
        sent = without_param_columns(query.text)
        lines = [(a, b) for a, b in zip(query.text.splitlines(), sent.splitlines(), strict=True) if a != b]
        assert len(lines) <= 1, query.name
        assert all(a.lstrip().startswith("SELECT") and "param_" not in b for a, b in lines), query.name
