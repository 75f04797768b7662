"""Building the seeds: the graph, its views, determinism, rebuilds and exports."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from trialkg import iris, views
from trialkg.export import FORMATS, export
from trialkg.pipeline import build
from trialkg.store import TrialStore

SEED_IDS = {"NCT03890068", "NCT04072042", "NCT04126811", "NCT06110650"}
VIEW_KEYS = {"id", "nct_id", "title", "official_title", "status", "phases", "study_type", "enrollment",
             "start_date", "primary_completion_date", "completion_date", "conditions", "sponsors",
             "organizations", "sites", "arms", "drugs", "biomarkers", "eligibility", "source"}
ELIGIBILITY_KEYS = {"min_age_years", "max_age_years", "sex", "healthy_volunteers", "ecog", "criteria",
                    "prior_therapy_exclusions"}


def _graph(store: TrialStore, graph_iri: str) -> rdflib.Graph:
    return store.to_rdflib(graph_iri)


@pytest.fixture(scope="module")
def store(seed_store: Path) -> TrialStore:
    return TrialStore(seed_store, read_only=True)


def test_seeds_build_five_trials(store: TrialStore) -> None:
    ids = set(store.trial_ids())
    assert len(ids) == 5
    assert SEED_IDS <= ids
    derived = ids - SEED_IDS
    assert len(derived) == 1 and next(iter(derived)).startswith("TKG-")
    assert store.has_graph(iris.REFERENCE_GRAPH) and store.has_graph(iris.ONTOLOGY_GRAPH)


def test_list_names_file_and_title(store: TrialStore) -> None:
    rows = {r["id"]: r for r in views.list_trials(store)}
    assert rows["NCT03890068"]["title"] == "Anlotinib Maintenance Treatment for Advanced Soft Tissue Sarcoma"
    assert rows["NCT03890068"]["source"].endswith("002_3690193fa094b525.txt")
    derived = next(r for r in rows.values() if r["id"].startswith("TKG-"))
    assert derived["nct_id"] is None


@pytest.mark.parametrize("trial_id", sorted(SEED_IDS))
def test_show_has_every_key_of_the_trial_view(store: TrialStore, trial_id: str) -> None:
    view = views.trial_view(store, trial_id)
    assert VIEW_KEYS <= set(view)
    assert ELIGIBILITY_KEYS <= set(view["eligibility"])
    assert set(view["source"]) == {"file", "format"}
    for arm in view["arms"]:
        assert {"label", "type", "description", "interventions"} <= set(arm)
    for c in view["eligibility"]["criteria"]:
        assert {"id", "section", "text", "negated", "category", "constraints"} <= set(c)
        assert c["constraints"], "every criterion keeps at least one (maybe unparsed) constraint"


def test_show_derived_id_trial(store: TrialStore) -> None:
    tid = next(t for t in store.trial_ids() if t.startswith("TKG-"))
    view = views.trial_view(store, tid)
    assert VIEW_KEYS <= set(view)
    assert view["nct_id"] is None and view["title"] is None
    inferred = [i for i in view["interventions"] if i.get("inferred")]
    assert {d for i in inferred for d in i["drugs"]} >= {"anlotinib"}


def test_facts_a_user_checks(store: TrialStore) -> None:
    v = views.trial_view(store, "nct03890068")  # NCT ids are accepted in any case
    assert v["id"] == "NCT03890068"
    assert v["phases"] == ["PHASE2"]
    anlotinib = next(d for d in v["drugs"] if d["name"] == "anlotinib")
    symbols = {t["symbol"] for t in anlotinib["targets"]}
    assert {"KDR", "FGFR1", "PDGFRB", "KIT"} <= symbols
    kdr = next(t for t in anlotinib["targets"] if t["symbol"] == "KDR")
    assert kdr["uniprot"] == "P35968" and kdr["family"] == "VEGFR"
    apatinib_trial = views.trial_view(store, "NCT04072042")
    arms = {a["label"]: a for a in apatinib_trial["arms"]}
    assert any(i["drugs"] == ["apatinib"] for a in arms.values() for i in a["interventions"])
    # Biomarkers named by an arm are linked to that arm in the graph.
    linked = [b for b in apatinib_trial["biomarkers"] if b["arm"]]
    assert any(b["gene"] == "KDR" for b in linked)


def test_typed_literals_and_provenance(store: TrialStore) -> None:
    g = _graph(store, iris.trial_graph("NCT03890068"))
    trial = rdflib.URIRef(iris.trial("NCT03890068"))
    tkg = rdflib.Namespace(iris.TKG)
    start = g.value(trial, tkg.startDate)
    assert start.datatype in (rdflib.XSD.date, rdflib.XSD.gYearMonth, rdflib.XSD.gYear)
    assert g.value(trial, tkg.enrollment).datatype == rdflib.XSD.integer
    src = g.value(trial, rdflib.URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
    assert str(src) == iris.trial("NCT03890068") + "/source"
    assert len(str(g.value(src, tkg.sha256))) == 64
    assert str(g.value(src, tkg.sourceFormat)) == "page-ctgov"
    assert g.value(src, tkg.toolVersion) is not None
    assert not any(isinstance(t, rdflib.BNode) for triple in g for t in triple), "no blank nodes"


def test_build_twice_is_isomorphic(seed_store: Path, seeds_dir: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    build([str(seeds_dir)], store_path=again, replace=True, jobs=2, quiet=True)
    a, b = TrialStore(seed_store, read_only=True), TrialStore(again, read_only=True)
    assert a.graph_names() == b.graph_names()
    for g in a.graph_names():
        assert isomorphic(_graph(a, g), _graph(b, g)), g


def test_rebuilding_one_trial_changes_only_its_graph(seed_store: Path, seeds_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "store"
    shutil.copytree(seed_store, path)
    store = TrialStore(path)
    before = {g: _graph(store, g) for g in store.graph_names()}
    target = iris.trial_graph("NCT04126811")
    # Damage the trial graph, then rebuild from its seed only.
    store.replace_graph(target, [ox.Triple(ox.NamedNode(iris.trial("NCT04126811")),
                                           ox.NamedNode(iris.TKG + "overallStatus"), ox.Literal("WITHDRAWN"))])
    del store
    summary = build([str(seeds_dir / "001_46980fdc712412a7.txt")], store_path=path, jobs=1, quiet=True)
    assert summary.trials == 1 and not summary.rejected
    store = TrialStore(path, read_only=True)
    assert store.graph_names() == sorted(before)
    for g, graph in before.items():
        assert isomorphic(_graph(store, g), graph), g


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_reimports_isomorphic(store: TrialStore, fmt: str) -> None:
    buf = io.BytesIO()
    export(store, fmt, buf)
    data = buf.getvalue()
    if FORMATS[fmt][1]:  # quad formats keep the named graphs
        ds = rdflib.Dataset()
        ds.parse(data=data, format={"nquads": "nquads", "trig": "trig", "jsonld": "json-ld"}[fmt])
        got = {str(g.identifier): g for g in ds.graphs() if len(g)}
        assert sorted(got) == store.graph_names()
        for name in store.graph_names():
            assert isomorphic(got[name], _graph(store, name)), name
    else:  # triple formats give the union
        g = rdflib.Graph().parse(data=data, format={"turtle": "turtle", "ntriples": "nt"}[fmt])
        union = rdflib.Graph()
        for name in store.graph_names():
            for t in _graph(store, name):
                union.add(t)
        assert isomorphic(g, union)


def test_stats_counts(store: TrialStore) -> None:
    s = views.stats(store)
    assert s["trials"] == 5
    assert s["by_class"]["Trial"] == 5
    assert s["by_source"] == {"page-aggregator": 1, "page-classic": 1, "page-ctgov": 3}
    n = s["normalisation"]
    assert n["interventions"] == n["resolved"] + n["unresolved"] + n["not_drugs"]
    assert n["resolved"] >= 4
    c = s["criteria"]
    assert c["items"] == c["parsed"] + c["unparsed"] and c["items"] > 50


@pytest.mark.slow
def test_build_seeds_and_ctgov_corpus_builds_every_record(seeds_dir: Path, ctgov_corpus: Path,
                                                         tmp_path: Path) -> None:
    ctgov = ctgov_corpus
    summary = build([str(seeds_dir), str(ctgov)], store_path=tmp_path / "all", replace=True, jobs=2, quiet=True)
    assert summary.rejected == []
    store = TrialStore(tmp_path / "all", read_only=True)
    ids = set(store.trial_ids())
    assert SEED_IDS <= ids
    assert len(ids) == summary.trials
    expected = {p.stem for p in ctgov.glob("NCT*.xml")} | {p.stem for p in (ctgov / "more").glob("NCT*.xml")}
    assert expected <= ids


def test_shared_entity_facts_are_stated_once(store: TrialStore) -> None:
    """An organisation's label lives in the entities graph only, so the union does not
    repeat it once per trial graph (docs/decisions/0003)."""
    org = iris.organisation("Chia Tai Tianqing Pharmaceutical Group Co., Ltd.")
    rows = list(store.query(f"SELECT ?l WHERE {{ <{org}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"))
    assert [r["l"].value for r in rows] == ["Chia Tai Tianqing Pharmaceutical Group Co., Ltd."]
    graphs = {q.graph_name.value for q in store.ox.quads_for_pattern(ox.NamedNode(org), None, None, None)}
    assert graphs == {iris.ENTITIES_GRAPH}
    linked = {q.graph_name.value for q in store.ox.quads_for_pattern(None, None, ox.NamedNode(org), None)}
    # Trial graphs link it; the statistics graph counts its trials (docs/model.md).
    assert linked - {iris.STATISTICS_GRAPH}
    assert all(g.startswith(iris.TKR + "graph/NCT") for g in linked - {iris.STATISTICS_GRAPH})


@pytest.mark.parametrize("iso, xsd", [
    ("P4W", "P28D"), ("P2W3D", "P17D"), ("P0.5W", "P3DT12H"), ("P3M", "P3M"),
    ("PT36H", "PT36H"), ("-P1W", "-P7D"), ("PT1.5S", "PT1.5S"), ("P1.5Y", None),
])
def test_durations_are_written_in_the_xsd_lexical_space(iso: str, xsd: str | None) -> None:
    from trialkg.mapping import xsd_duration

    assert xsd_duration(iso) == xsd
    if xsd is not None:  # pyoxigraph's xsd:duration parser accepts it
        assert ox.Literal(xsd, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#duration")).value == xsd
