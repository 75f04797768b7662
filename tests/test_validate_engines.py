"""The SPARQL engine (shapes compiled to queries over the whole store) finds what one
whole-graph pySHACL run finds: the same (focus, path, constraint component, severity,
value) results, on the seed store, on real ClinicalTrials.gov records, and on a store
with planted violations of every constraint component the shapes use.

The one deliberate difference: a literal whose lexical form rdflib accepts but XML
Schema does not (``"P2W"^^xsd:duration``: weeks are ISO 8601, not XSD) is ill-typed
for the store, so the SPARQL engine reports it and pySHACL does not. The tests allow
exactly that, and check each such extra finding is one.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from trialkg import iris
from trialkg.pipeline import build
from trialkg.store import TrialStore
from trialkg.validate import Finding, ValidationReport, validate_graph, validate_store

DATA = Path(__file__).parent / "data" / "ctgov"
CTGOV_CORPUS = Path(__file__).parent / "data" / "ctgov_corpus"
TKG = iris.TKG
XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SCHEMA = "http://schema.org/"
DCT = "http://purl.org/dc/terms/"

Key = tuple[str, str | None, str | None, str, str | None]


def _key(f: Finding) -> Key:
    return (f.focus, f.path, f.component, f.severity, f.value)


def _whole_graph(store: TrialStore) -> rdflib.Graph:
    """Every graph but the ontology as one data graph (pySHACL gets the ontology apart)."""
    buf = io.BytesIO()
    for name in store.graph_names():
        if name != iris.ONTOLOGY_GRAPH:
            store.dump(buf, ox.RdfFormat.N_TRIPLES, name)
    g = rdflib.Graph()
    g.parse(data=buf.getvalue().decode("utf-8"), format="nt")
    return g


def _compare(store: TrialStore) -> tuple[set[Key], set[Key], ValidationReport]:
    sparql = validate_store(store, engine="sparql")
    whole, _ = validate_graph(_whole_graph(store), "all")
    return {_key(f) for f in sparql.findings}, {_key(f) for f in whole}, sparql


def _assert_same(store: TrialStore) -> ValidationReport:
    ours, reference, report = _compare(store)
    assert reference - ours == set(), "pySHACL found results the SPARQL engine missed"
    extra = ours - reference
    by_key = {_key(f): f for f in report.findings}
    for k in extra:
        f = by_key[k]
        # Only ill-typed literals rdflib lets through (e.g. "P2W"^^xsd:duration).
        assert f.component == "sh:DatatypeConstraintComponent" and f.value is not None, f
        datatype = _datatype_of(store, f)
        lit = rdflib.Literal(f.value, datatype=datatype)
        assert lit.ill_typed is not True, f
        assert not _store_accepts(f.value, datatype), f
    return report


def _datatype_of(store: TrialStore, f: Finding) -> str:
    rows = store.query(f"SELECT DISTINCT (datatype(?v) AS ?dt) WHERE {{ <{f.focus}> ?p ?v . "
                       f"FILTER(isLiteral(?v) && STR(?v) = {rdflib.Literal(f.value).n3()}) }}")
    return next(iter(rows))["dt"].value


def _store_accepts(lexical: str, datatype: str) -> bool:
    cast = ox.Store().query(f"SELECT (<{datatype}>({rdflib.Literal(lexical).n3()}) AS ?x) {{}}")
    return next(iter(cast))["x"] is not None


# -- stores ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def base_store(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    """The seeds and two ctgov test records, built once."""
    path = tmp_path_factory.mktemp("engines") / "base"
    build([str(seeds_dir), str(DATA / "NCT06382129.json"), str(DATA / "NCT06171568.json")],
          store_path=path, replace=True, jobs=1, quiet=True)
    return path


def _copy(base: Path, tmp: Path) -> TrialStore:
    target = tmp / "store"
    shutil.copytree(base, target)
    return TrialStore(target)


def _one(store: TrialStore, sparql: str) -> str:
    rows = list(store.query(sparql))
    assert rows, f"the fixture has nothing matching: {sparql}"
    return rows[0][0].value


def _graph_of(store: TrialStore, node: str) -> str:
    return _one(store, f"SELECT ?g WHERE {{ GRAPH ?g {{ <{node}> ?p ?o }} }} ORDER BY ?g LIMIT 1")


def _insert(store: TrialStore, node: str, triples: str) -> None:
    store.ox.update(f"INSERT DATA {{ GRAPH <{_graph_of(store, node)}> {{ {triples} }} }}")


def _delete(store: TrialStore, pattern: str) -> None:
    store.ox.update(f"DELETE WHERE {{ GRAPH ?g {{ {pattern} }} }}")


def _first(store: TrialStore, cls: str, extra: str = "") -> str:
    return _one(store, f"SELECT ?x WHERE {{ ?x a <{TKG}{cls}> . {extra} }} ORDER BY ?x LIMIT 1")


# One planted violation per constraint component (and target kind) the shapes use:
# (what it breaks, the component pySHACL reports, the change).
def _plants(store: TrialStore) -> list[tuple[str, str, Callable[[], None]]]:
    trials = sorted(iris.trial(t) for t in store.trial_ids())
    t0, t1, t2, t3 = trials[:4]
    site = _first(store, "Site")
    arm = _first(store, "Arm")
    intervention = _first(store, "Intervention")
    criterion = _first(store, "Criterion")
    numeric = _first(store, "NumericConstraint")
    mention = f"{criterion}/constraint/99"  # a drug mention whose role is not "context"
    return [
        ("datatype (ill-typed)", "Datatype", lambda: _insert(store, t0, f'<{t0}> <{TKG}enrollment> "many"^^<{XSD}integer> .')),
        ("datatype (wrong type)", "Datatype", lambda: _insert(store, site, f'<{site}> <{TKG}city> 7 .')),
        ("maxCount", "MaxCount", lambda: _insert(store, t1, f'<{t1}> <{TKG}trialId> "NCT00000001" .')),
        ("minCount", "MinCount", lambda: _delete(store, f"<{t2}> <{RDFS}label> ?l")),
        ("pattern", "Pattern", lambda: _insert(store, t3, f'<{t3}> <{TKG}nctId> "NCT123" .')),
        ("in", "In", lambda: _insert(store, t0, f'<{t0}> <{TKG}phase> "PHASE9" .')),
        ("class", "Class", lambda: _insert(store, t1, f'<{t1}> <{TKG}hasSite> <{t1}/site/not-a-site> .')),
        ("nodeKind", "NodeKind", lambda: _insert(store, intervention,
                                                   f'<{intervention}> <{TKG}hasDrug> "imatinib" .')),
        ("minInclusive", "MinInclusive", lambda: _insert(store, site, f'<{site}> <{SCHEMA}longitude> -200.5 .')),
        ("maxInclusive", "MaxInclusive", lambda: _insert(store, site, f'<{site}> <{SCHEMA}latitude> 95.0 .')),
        ("hasValue", "HasValue", lambda: _insert(store, criterion, (
            f'<{criterion}> <{TKG}hasConstraint> <{mention}> . <{mention}> a <{TKG}DrugMentionConstraint> ; '
            f'<{TKG}mentionContext> "dosing" ; <{TKG}priorDrug> <{iris.TKR}drug/imatinib> ; '
            f'<{TKG}constraintRole> "exception" .'))),
        ("node (sh:node PartialDate)", "Node", lambda: _insert(store, t2, f'<{t2}> <{TKG}firstPosted> "May 2020" .')),
        ("or (site with no place)", "Or", lambda: _delete_place(store, site)),
        ("inversePath minCount", "MinCount", lambda: _delete(store, f"?t <{TKG}hasArm> <{arm}>")),
        ("inversePath class + maxCount", "MaxCount", lambda: _insert(store, numeric,
                                                                     f'<{t3}> <{TKG}hasConstraint> <{numeric}> .')),
        ("SPARQL: inferred without inferredFrom", "SPARQL", lambda: _insert(
            store, intervention, f'<{intervention}> <{TKG}inferred> true .')),
        ("SPARQL: between without value2 (targetSubjectsOf)", "SPARQL", lambda: (
            _delete(store, f"<{numeric}> <{TKG}comparator> ?c"), _delete(store, f"<{numeric}> <{TKG}value2> ?c"),
            _insert(store, numeric, f'<{numeric}> <{TKG}comparator> "between" .'))),
        ("warning: no title", "MinCount", lambda: _delete(store, f"<{t1}> <{DCT}title> ?x")),
        ("subclass target (criterion -> constraint of a subclass)", "Class",
         lambda: _insert(store, criterion, f'<{criterion}> <{TKG}hasConstraint> <{t0}> .')),
    ]


def _delete_place(store: TrialStore, site: str) -> None:
    for p in ("facility", "city", "country"):
        _delete(store, f"<{site}> <{TKG}{p}> ?x")


@pytest.fixture(scope="module")
def planted(base_store: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[TrialStore, list[str]]:
    store = _copy(base_store, tmp_path_factory.mktemp("planted"))
    names = []
    for name, _component, plant in _plants(store):
        plant()
        names.append(name)
    store.flush()
    return store, names


# -- tests ----------------------------------------------------------------------------

def test_seed_store_same_findings_as_whole_graph_pyshacl(seed_store: Path, tmp_path: Path) -> None:
    _assert_same(_copy(seed_store, tmp_path))


def test_real_ctgov_records_same_findings(tmp_path: Path) -> None:
    """The real records in tests/data/ctgov_corpus (classic XML, API v2 JSON, and more/)."""
    sources = sorted(str(p) for p in CTGOV_CORPUS.glob("*.xml")) + sorted(
        str(p) for p in CTGOV_CORPUS.glob("*.json")) + [str(CTGOV_CORPUS / "more")]
    build(sources, store_path=tmp_path / "ctgov", replace=True, jobs=2, quiet=True)
    store = TrialStore(tmp_path / "ctgov")
    assert len(store.trial_ids()) >= 50
    _assert_same(store)


def test_planted_violations_same_findings(planted: tuple[TrialStore, list[str]]) -> None:
    store, _ = planted
    report = _assert_same(store)
    assert not report.conforms


def test_every_component_in_the_shapes_is_planted_and_found(planted: tuple[TrialStore, list[str]]) -> None:
    """Each component the shapes use shows up in the planted store's SPARQL report."""
    store, _ = planted
    report = validate_store(store)
    found = {f.component for f in report.findings}
    used = {"sh:DatatypeConstraintComponent", "sh:MaxCountConstraintComponent", "sh:MinCountConstraintComponent",
            "sh:PatternConstraintComponent", "sh:InConstraintComponent", "sh:ClassConstraintComponent",
            "sh:NodeKindConstraintComponent", "sh:MinInclusiveConstraintComponent",
            "sh:MaxInclusiveConstraintComponent", "sh:HasValueConstraintComponent", "sh:NodeConstraintComponent",
            "sh:OrConstraintComponent", "sh:SPARQLConstraintComponent"}
    assert used <= found, used - found
    # Severity comes from the shape: the missing title is a warning, not a violation.
    assert any(f.severity == "Warning" and f.path == "dcterms:title" for f in report.findings)


def test_planted_violations_name_their_trial(planted: tuple[TrialStore, list[str]]) -> None:
    store, _ = planted
    report = validate_store(store)
    t0 = sorted(store.trial_ids())[0]
    ours = [f for f in report.findings if f.focus == iris.trial(t0) and f.path == "tkg:enrollment"]
    assert ours and ours[0].trial == t0 and ours[0].value == "many"
    assert ours[0].severity == "Violation" and ours[0].component == "sh:DatatypeConstraintComponent"


def test_trial_subset_reports_that_trial_only(planted: tuple[TrialStore, list[str]]) -> None:
    store, _ = planted
    t0 = sorted(store.trial_ids())[0]
    everything = validate_store(store)
    only = validate_store(store, trials=[t0])
    assert {_key(f) for f in only.findings} == {_key(f) for f in everything.findings if f.trial == t0}
    assert only.findings


def test_process_pool_gives_the_same_report(planted: tuple[TrialStore, list[str]]) -> None:
    store, _ = planted
    assert validate_store(store, jobs=2).to_dict() == validate_store(store, jobs=1).to_dict()


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from trialkg.cli import main; main()", "validate", *args],
                          capture_output=True, text=True, timeout=300)


def test_cli_engines_agree_and_exit_codes(planted: tuple[TrialStore, list[str]]) -> None:
    """``trialkg validate`` (SPARQL by default) and ``--engine pyshacl``: exit 1, same results."""
    store, _ = planted
    store.flush()
    copy = store.path.parent / "cli-copy"
    shutil.copytree(store.path, copy)
    runs = {engine: _cli("--store", str(copy), "--format", "json", "--engine", engine)
            for engine in ("sparql", "pyshacl")}
    for engine, proc in runs.items():
        assert proc.returncode == 1, (engine, proc.stderr)
    sparql, pyshacl_ = (json.loads(runs[e].stdout) for e in ("sparql", "pyshacl"))
    assert sparql["conforms"] is False and sparql["violations"] > 0

    def keys(report: dict) -> set:
        return {(r["focus"], r["path"], r["component"], r["severity"]) for r in report["results"]}
    # Per graph pySHACL cannot see across graphs, but on this store it finds the same,
    # less the literals only XML Schema rejects.
    extra = keys(sparql) - keys(pyshacl_)
    assert keys(pyshacl_) <= keys(sparql)
    assert all(k[2] == "sh:DatatypeConstraintComponent" for k in extra)
    human = _cli("--store", str(copy))
    assert human.returncode == 1 and "does not conform" in human.stdout


def test_cli_bad_store_is_one_error_line(tmp_path: Path) -> None:
    proc = _cli("--store", str(tmp_path / "nowhere"))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "no store" in proc.stderr
