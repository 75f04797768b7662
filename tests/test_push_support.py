"""Support code for the push tests (no tests here): a writable copy of a store, running the CLI as a
user would, and reading one graph back from a server."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import rdflib

from trialkg import iris
from trialkg.store import TrialStore

TRIALKG = [sys.executable, "-c", "from trialkg.cli import main; main()"]


def copy_store(src: Path, dst: Path) -> TrialStore:
    """A writable copy of a (read-only) store: dump N-Quads, load them into ``dst``."""
    buf = io.BytesIO()
    TrialStore(src, read_only=True).dump(buf, ox.RdfFormat.N_QUADS)
    store = TrialStore(dst)
    store.ox.load(buf.getvalue(), ox.RdfFormat.N_QUADS)
    store.flush()
    return store


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    return subprocess.run([*TRIALKG, *args], capture_output=True, text=True, env=full_env, timeout=timeout)


def remote_graph(query_endpoint: str, graph_iri: str, auth: tuple[str, str] | None = None) -> rdflib.Graph:
    """One named graph as the server holds it (CONSTRUCT, so any SPARQL server works)."""
    import requests
    from requests.auth import HTTPDigestAuth

    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}"
    r = requests.post(
        query_endpoint,
        data={"query": query},
        headers={"Accept": "text/turtle"},
        auth=HTTPDigestAuth(*auth) if auth else None,
        timeout=60,
    )
    r.raise_for_status()
    g = rdflib.Graph()
    g.parse(data=r.content.decode("utf-8"), format="turtle")  # text/turtle is UTF-8 whatever the header says
    return g


def remote_graph_names(query_endpoint: str, auth: tuple[str, str] | None = None) -> set[str]:
    import requests
    from requests.auth import HTTPDigestAuth

    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = requests.post(
        query_endpoint,
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        auth=HTTPDigestAuth(*auth) if auth else None,
        timeout=60,
    )
    r.raise_for_status()
    return {b["g"]["value"] for b in r.json()["results"]["bindings"]}


def ours(names: set[str]) -> set[str]:
    """Graph names trialkg writes (servers keep their own system graphs beside them)."""
    return {g for g in names if g.startswith(iris.TKR + "graph/") or g.startswith("urn:trialkg:")}


def local_graph(store: TrialStore, graph_iri: str) -> rdflib.Graph:
    return store.to_rdflib(graph_iri)


def synthetic_trial(trial_id: str, version: int, criteria: int = 20) -> list[ox.Triple]:
    """A trial graph shaped like the real ones (criteria with text and positions), every
    literal stamped with ``version`` so a test can tell old from new."""
    tkg = iris.TKG
    trial = ox.NamedNode(iris.trial(trial_id))
    triples = [
        ox.Triple(trial, ox.NamedNode(tkg + "trialId"), ox.Literal(trial_id)),
        ox.Triple(trial, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal(f"{trial_id} version {version}")),
    ]
    for k in range(1, criteria + 1):
        c = ox.NamedNode(iris.trial_part(trial_id, "criterion", f"inc-{k}"))
        triples += [
            ox.Triple(trial, ox.NamedNode(tkg + "hasCriterion"), c),
            ox.Triple(c, ox.NamedNode(tkg + "text"), ox.Literal(f"v{version}: ANC >= 1.5 x 10^9/L, criterion {k}")),
            ox.Triple(c, ox.NamedNode(tkg + "position"), ox.Literal(str(k), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
        ]
    return triples


def version_of(graph: rdflib.Graph, trial_id: str) -> int | None:
    """Which synthetic version a graph holds: None when it is empty or mixed."""
    versions = {str(o).split()[-1] for s, p, o in graph if str(p).endswith("rdf-schema#label")}
    texts = {str(o).split(":")[0] for s, p, o in graph if str(p).endswith("#text")}
    if len(versions) != 1 or len(texts) != 1:
        return None
    v = int(versions.pop())
    return v if texts.pop() == f"v{v}" else None
