"""The one graph reader (trialkg.store.read): a SELECT on the store, the prefixes from
the one table, values typed by the rule of trialkg.terms or kept as written."""

from __future__ import annotations

import pickle
from pathlib import Path

import pyoxigraph as ox
import pytest

from trialkg import iris
from trialkg.store import TrialStore
from trialkg.store.read import IRI, LangString, properties, select

XSD = "http://www.w3.org/2001/XMLSchema#"
TRIAL = iris.trial("NCT00000001")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> TrialStore:
    s = TrialStore(Path(tmp_path_factory.mktemp("read")) / "store")
    g = ox.NamedNode(iris.trial_graph("NCT00000001"))
    t = ox.NamedNode(TRIAL)
    for p, o in (
        ("trialId", ox.Literal("NCT00000001")),
        ("enrollment", ox.Literal("120", datatype=ox.NamedNode(XSD + "integer"))),
        ("minimumAgeYears", ox.Literal("18.0", datatype=ox.NamedNode(XSD + "decimal"))),
        ("maximumAgeYears", ox.Literal("75.50", datatype=ox.NamedNode(XSD + "decimal"))),
        ("healthyVolunteers", ox.Literal("false", datatype=ox.NamedNode(XSD + "boolean"))),
        ("hasCondition", ox.NamedNode(iris.TKR + "condition/melanoma")),
    ):
        s.ox.add(ox.Quad(t, ox.NamedNode(iris.TKG + p), o, g))
    s.ox.add(ox.Quad(t, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                     ox.Literal("Essai", language="fr"), g))
    return s


QUERY = """SELECT ?t ?id ?n ?min ?max ?hv ?c ?label ?none WHERE {
  ?t tkg:trialId ?id ; tkg:enrollment ?n ; tkg:minimumAgeYears ?min ; tkg:maximumAgeYears ?max ;
     tkg:healthyVolunteers ?hv ; tkg:hasCondition ?c ; rdfs:label ?label .
  OPTIONAL { ?t tkg:officialTitle ?none } }"""


def test_values_are_typed_by_datatype(store: TrialStore) -> None:
    (row,) = select(store, QUERY)
    assert isinstance(row["t"], IRI) and row["t"] == TRIAL and isinstance(row["c"], IRI)
    assert row["id"] == "NCT00000001" and not isinstance(row["id"], IRI)
    assert row["n"] == 120 and isinstance(row["n"], int)
    assert row["min"] == 18 and isinstance(row["min"], int)  # a whole decimal prints as 18
    assert row["max"] == 75.5 and row["hv"] is False
    assert isinstance(row["label"], LangString) and (row["label"], row["label"].language) == ("Essai", "fr")
    assert row["none"] is None


def test_text_keeps_the_lexical_form(store: TrialStore) -> None:
    (row,) = select(store, QUERY, text=True)  # the store writes numbers in canonical form
    assert (row["n"], row["min"], row["max"], row["hv"]) == ("120", "18", "75.5", "false")
    assert row["t"] == TRIAL and row["none"] is None


def test_bindings_are_substituted(store: TrialStore) -> None:
    q = "SELECT ?t ?id WHERE { ?t tkg:trialId ?id }"  # a bound variable is projected
    assert [r["t"] for r in select(store, q, {"id": ox.Literal("NCT00000001")})] == [TRIAL]
    assert list(select(store, q, {"id": ox.Literal("NCT99999999")})) == []


def test_properties_group_rows_by_subject(store: TrialStore) -> None:
    rows = list(select(store, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"))
    props = properties(rows + rows, unique=True, key=lambda p: p.rsplit("#", 1)[-1])
    assert props[TRIAL]["enrollment"] == [120] and props[TRIAL]["hasCondition"] == [iris.TKR + "condition/melanoma"]
    assert properties(rows + rows)[TRIAL][iris.TKG + "enrollment"] == [120, 120]


def test_typed_values_pickle_as_themselves() -> None:
    label = pickle.loads(pickle.dumps(LangString("Essai", "fr")))
    assert (label, label.language, type(label)) == ("Essai", "fr", LangString)
    assert type(pickle.loads(pickle.dumps(IRI(TRIAL)))) is IRI
