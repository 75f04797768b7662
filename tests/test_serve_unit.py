"""The pieces of ``trialkg serve`` without a server: content negotiation, criterion
highlighting, search folding, the patient form, the neighbourhood bounds."""

from __future__ import annotations

from pathlib import Path

import pytest

from trialkg.errors import PatientError
from trialkg.serve import criteria, neighbourhood, patientform, sparql
from trialkg.serve.search import Entry, SearchIndex, build_index, fold
from trialkg.store import TrialStore


@pytest.mark.parametrize(("header", "offered", "want"), [
    (None, sparql.RESULT_MEDIA, sparql.JSON_RESULTS),
    ("*/*", sparql.RESULT_MEDIA, sparql.JSON_RESULTS),
    ("text/csv;q=0.5, application/sparql-results+xml", sparql.RESULT_MEDIA, sparql.XML_RESULTS),
    # SPARQLWrapper's JSON Accept for SELECT, and rdflib's XML Accept for CONSTRUCT
    ("application/sparql-results+json,application/json,text/javascript,application/javascript",
     sparql.RESULT_MEDIA, sparql.JSON_RESULTS),
    ("application/sparql-results+xml, application/rdf+xml", sparql.GRAPH_MEDIA, "application/rdf+xml"),
    ("text/*", sparql.GRAPH_MEDIA, "text/turtle"),
    ("image/png", sparql.RESULT_MEDIA, None),
    ("text/csv;q=0", sparql.RESULT_MEDIA, sparql.JSON_RESULTS),  # q=0 means "not this"
])
def test_content_negotiation(header, offered, want) -> None:
    default = sparql.DEFAULT_GRAPH if offered is sparql.GRAPH_MEDIA else sparql.DEFAULT_RESULT
    assert sparql.choose(sparql.parse_accept(header), offered, default) == want


def test_overlapping_spans_mark_every_piece() -> None:
    # NCT04126811 inc-5: two ECOG constraints, the second span inside the criterion's tail
    text = "PS score: 0~1 (Amputation patient can be relaxed to 2 points); survival more than 3 months"
    cons = [{"type": "performance_status", "span": "PS score: 0~1"},
            {"type": "performance_status", "span": "Amputation patient can be relaxed to 2 points"},
            {"type": "life_expectancy", "span": "survival more than 3 months"},
            {"type": "numeric", "span": "not in the text"}]
    segs = criteria.segments(text, cons)
    assert "".join(s["text"] for s in segs) == text
    marked = {s["text"]: s["marks"] for s in segs if s["marks"]}
    assert marked == {"PS score: 0~1": [1], "Amputation patient can be relaxed to 2 points": [2],
                      "survival more than 3 months": [3]}
    # nested spans (a lab line of NCT03890068 style): the inner piece carries both numbers
    segs = criteria.segments("ANC >= 1.5 x 10^9/L", [{"span": "ANC >= 1.5 x 10^9/L"}, {"span": "1.5 x 10^9/L"}])
    assert [s["marks"] for s in segs] == [[1], [1, 2]] and segs[-1]["ends"] == [1, 2]


def test_readings_say_what_was_understood() -> None:
    r = criteria.reading({"type": "performance_status", "variable": "ecog", "allowed_values": [0, 1, 2],
                          "applies_if": "amputee", "span": "x"})
    assert r["head"] == "ecog ∈ {0, 1, 2}, if amputee"
    r = criteria.reading({"type": "numeric", "variable": "neutrophils", "comparator": ">=", "value": 1500,
                          "unit": "/mm3", "canonical_value": 1.5, "canonical_unit": "10*9/L"})
    assert r["head"] == "neutrophils ≥ 1500 /mm3 (= 1.5 10*9/L)"
    r = criteria.reading({"type": "numeric", "variable": "bilirubin", "comparator": "<=", "value": 1.5,
                          "relative_to": "ULN"})
    assert r["head"] == "bilirubin ≤ 1.5 × ULN"
    r = criteria.reading({"type": "prior_therapy", "drug_classes": ["vegfr-tki"], "window_days": 90})
    assert r["head"] == "prior_therapy" and ("drug classes", "vegfr-tki") in r["facts"]


def test_search_folds_case_punctuation_and_spacing() -> None:
    assert fold("VEGFR-2") == fold("vegfr 2") == "vegfr 2"
    kdr = Entry("target", "KDR", "KDR", ["KDR", "VEGFR-2", "FLK-1", "P35968"], trials={"NCT1"}, iri="p")
    other = Entry("target", "FLT1", "FLT1", ["FLT1", "VEGFR-1"], trials={"NCT2"}, iri="q")
    trial = Entry("trial", "NCT3", "A VEGFR2 trial", ["NCT3", "A VEGFR2 trial"], iri="t")
    index = SearchIndex([kdr, other, trial], {})
    for text in ("vegfr2", "VEGFR 2", "vegfr-2", "Flk1", "p35968"):
        result = index.search(text)
        assert [m["key"] for m in result["matches"]["target"]] == ["KDR"], text
        assert "NCT1" in {t["id"] for t in result["trials"]}, text
    result = index.search("vegfr")
    assert {m["key"] for m in result["matches"]["target"]} == {"KDR", "FLT1"}
    assert {t["id"] for t in result["trials"]} == {"NCT1", "NCT2", "NCT3"}
    assert index.search("  ")["trials"] == []


def test_patient_form_lines_and_errors() -> None:
    doc = patientform.patient_from_form({
        "age_years": "45", "sex": "male", "ecog": "1", "conditions": "leiomyosarcoma, GIST",
        "therapies": "Anlotinib Hydrochloride; 6; 4\nclass: vegfr-tki; 12\ndexamethasone; 0; 2; 4",
        "labs": "neutrophils 1,200 /uL\nbilirubin: 0.6 x ULN", "biomarkers": "KDR amplification positive",
        "flags": "cns_metastases: no\nmeasurable disease: yes"})
    assert doc["prior_therapies"] == [{"drug": "Anlotinib Hydrochloride", "weeks_since_last_dose": 6, "duration_weeks": 4},
                                      {"drug_class": "vegfr-tki", "weeks_since_last_dose": 12},
                                      {"drug": "dexamethasone", "weeks_since_last_dose": 0, "duration_weeks": 2,
                                       "daily_dose_mg": 4}]
    assert patientform.form_from_patient(doc)["therapies"].splitlines()[2] == "dexamethasone; 0; 2; 4"
    assert doc["labs"] == {"neutrophils": {"value": 1200, "unit": "/uL"}, "bilirubin": {"value": 0.6, "unit": "x ULN"}}
    assert doc["biomarkers"] == [{"gene": "KDR", "status": "positive", "variant": "amplification"}]
    assert doc["flags"] == {"cns_metastases": False, "measurable_disease": True}
    assert doc["conditions"] == ["leiomyosarcoma", "GIST"] and doc["sex"] == "MALE"
    for fields, where in (({"ecog": "one"}, "ecog"), ({"labs": "neutrophils"}, "labs line 1"),
                          ({"flags": "pregnant: maybe"}, "flags line 1"), ({"biomarkers": "KDR"}, "biomarkers line 1")):
        with pytest.raises(PatientError) as err:
            patientform.patient_from_form(fields)
        assert err.value.field == where


def test_neighbourhoods_are_bounded_and_labelled(seed_store: Path) -> None:
    store = TrialStore(seed_store, read_only=True)
    index = build_index(store)
    for kind, key in (("trial", "NCT04072042"), ("drug", "apatinib"), ("target", "KDR"), ("family", "VEGFR")):
        g = neighbourhood.build(store, index, kind, key)
        assert 1 < len(g["nodes"]) <= neighbourhood.MAX_NODES
        assert all(n["label"] and not n["label"].startswith("http") for n in g["nodes"])
        ids = {n["id"] for n in g["nodes"]}
        assert all(e["source"] in ids and e["target"] in ids for e in g["edges"])
        assert {x["type"] for x in g["legend"]} == {n["type"] for n in g["nodes"]}


def test_many_leaves_fold_into_more_nodes() -> None:
    g = neighbourhood.Graph()
    focus = g.node("trial:X", "X", "trial")
    for i in range(120):
        g.edge(focus, g.node(f"condition:{i}", f"condition {i}", "condition"), "condition")
    for i in range(5):
        g.edge(focus, g.node(f"drug:{i}", f"drug {i}", "drug"), "tests")
    note = g.fold(focus, limit=40)
    assert len(g.nodes) <= 40 and "folded" in note
    more = [n for n in g.nodes.values() if n["type"] == "aggregate"]
    assert more and all(n["label"].startswith("+ ") for n in more)
