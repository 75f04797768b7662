"""The per-graph SHACL scheme (``trialkg.validate``: each trial graph, and the reference
graph, validated on its own, in parallel) finds exactly what one pySHACL run over the
whole graph finds, on a small store with real records and planted violations.

This is what makes validating 100k trials feasible (docs/performance.md): pySHACL over
the whole union does not fit in time or memory at that size.
"""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from trialkg import iris
from trialkg.pipeline import build
from trialkg.store import TrialStore
from trialkg.validate import Finding, ValidationReport, validate_graph, validate_store

DATA = Path(__file__).parent / "data" / "ctgov"
TKG = iris.TKG
XSD = "http://www.w3.org/2001/XMLSchema#"


def _key(f: Finding) -> tuple[str, str, str | None, str, str | None]:
    # The trial label differs by construction (one graph vs "all"); the rest must agree.
    return (f.severity, f.focus, f.path, f.message, f.value)


def _update(store: TrialStore, trial_id: str, op: str, triples: str) -> None:
    g = iris.trial_graph(trial_id)
    store.ox.update(f"{op} DATA {{ GRAPH <{g}> {{ {triples} }} }}")


@pytest.fixture(scope="module")
def planted_store(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> TrialStore:
    """Seeds plus the ctgov test records, with violations planted in three trial graphs."""
    path = tmp_path_factory.mktemp("scheme") / "store"
    summary = build([str(seeds_dir), str(DATA / "NCT06382129.json")], store_path=path, replace=True, jobs=1, quiet=True)
    assert summary.trials >= 5
    store = TrialStore(path)
    a, b, c = sorted(store.trial_ids())[:3]
    # A non-integer enrollment, a second trial id, a site with a latitude that is not a number.
    _update(store, a, "INSERT", f'<{iris.trial(a)}> <{TKG}enrollment> "many" .')
    _update(store, b, "INSERT", f'<{iris.trial(b)}> <{TKG}trialId> "ALSO-{b}" .')
    _update(store, c, "INSERT", f'<{iris.trial(c)}> <{TKG}hasSite> <{iris.trial(c)}/site/999> . '
                                f'<{iris.trial(c)}/site/999> a <{TKG}Site> ; '
                                f'<http://schema.org/latitude> "north"^^<{XSD}string> .')
    store.flush()
    return store


def _whole_graph(store: TrialStore) -> rdflib.Graph:
    """Every trial graph and the reference graph as one data graph (ontology apart, as in the scheme)."""
    buf = io.BytesIO()
    for name in store.graph_names():
        if name != iris.ONTOLOGY_GRAPH:
            store.dump(buf, ox.RdfFormat.N_TRIPLES, name)
    g = rdflib.Graph()
    g.parse(data=buf.getvalue().decode("utf-8"), format="nt")
    return g


@pytest.fixture(scope="module")
def per_graph(planted_store: TrialStore) -> ValidationReport:
    return validate_store(planted_store, jobs=2, engine="pyshacl")


def test_per_graph_scheme_finds_the_whole_graph_violations(planted_store: TrialStore, per_graph: ValidationReport) -> None:
    whole, _ = validate_graph(_whole_graph(planted_store), "all")

    assert {_key(f) for f in per_graph.findings} == {_key(f) for f in whole}
    shared = sum(planted_store.has_graph(g) for g in (iris.REFERENCE_GRAPH, iris.ENTITIES_GRAPH))
    assert per_graph.graphs == len(planted_store.trial_ids()) + shared  # and the shared graphs, on their own


def test_planted_violations_are_found_where_they_were_planted(
    planted_store: TrialStore, per_graph: ValidationReport
) -> None:
    report = per_graph
    a, b, c = sorted(planted_store.trial_ids())[:3]
    violations = {(f.trial, f.focus, f.path) for f in report.findings if f.severity == "Violation"}

    assert not report.conforms
    assert (a, iris.trial(a), "tkg:enrollment") in violations
    assert (b, iris.trial(b), "tkg:trialId") in violations
    assert (c, f"{iris.trial(c)}/site/999", "schema:latitude") in violations
    # The untouched trials conform.
    assert {f.trial for f in report.findings if f.severity == "Violation"} == {a, b, c}


def test_per_graph_scheme_on_one_trial_matches_its_whole_graph_run(
    planted_store: TrialStore, per_graph: ValidationReport
) -> None:
    """Validating a subset (``trials=``) reports that trial's findings and nothing else."""
    a = sorted(planted_store.trial_ids())[0]
    only_a = validate_store(planted_store, trials=[a], engine="pyshacl")
    all_findings = per_graph.findings

    assert only_a.graphs == 1
    assert {_key(f) for f in only_a.findings} == {_key(f) for f in all_findings if f.trial == a}
