"""The stored-query machinery: headers, typed parameters, the term serialiser, VALUES
injection, result parsing; and every stored query on a small graph in the model's shape
(tests/data/queries/model-sample.trig), run both ways (substitutions and VALUES)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import given, settings
from hypothesis import strategies as st

from trialkg import queries as q
from trialkg.errors import QueryError, UsageError
from trialkg.store import TrialStore

SAMPLE = Path(__file__).parent / "data" / "queries" / "model-sample.trig"
INJECTION = 'KDR" } ; DROP ALL ; #'

# The fixed stored queries (docs/queries.md): name -> (params, columns).
CONTRACT = {
    "trials-by-target": ({"target": True}, ["trial", "title", "drug", "target"]),
    "drugs-sharing-targets": ({}, ["drug1", "drug2", "shared_targets"]),
    "biomarker-arms": ({}, ["trial", "arm", "biomarker"]),
    "trials-by-sponsor": ({"sponsor": False}, ["sponsor", "role", "trial"]),
    "sites-by-country": ({"country": False}, ["country", "site", "trial"]),
    "prior-therapy-exclusions": ({"drug": False}, ["trial", "criterion", "drug_or_class", "window"]),
    "lab-thresholds": ({"analyte": False}, ["trial", "analyte", "comparator", "value", "unit", "relative_to"]),
    "trials-for-patient": ({"age": True, "ecog": True, "prior_drug": False}, ["trial", "title"]),
}
SAMPLE_VALUES = {"string": "KDR", "integer": "1", "decimal": "45", "iri": "https://w3id.org/trialkg/resource/drug/apatinib"}


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> TrialStore:
    store = TrialStore(tmp_path_factory.mktemp("sample") / "store")
    store.ox.load(path=str(SAMPLE), format=ox.RdfFormat.TRIG)
    return store


def run(store: TrialStore, name: str, **params: str) -> list[dict]:
    query = q.get_stored_query(name)
    return q.run_local(query, q.bind_params(query, params, store=store), store).records()


def column(rows: list[dict], name: str) -> list:
    return [r[name] for r in rows]


# -- the stored queries' headers --------------------------------------------------------


def test_contract_queries_exist_with_their_params_and_columns(sample_store: TrialStore) -> None:
    names = q.stored_query_names()
    for name, (params, columns) in CONTRACT.items():
        assert name in names
        query = q.get_stored_query(name)
        assert {p.name: p.required for p in query.params} == params
        bound = [(p.name, SAMPLE_VALUES[p.type]) for p in query.params if p.required]
        table = q.run_local(query, q.bind_params(query, bound, store=sample_store), sample_store)
        assert table.columns == columns


def test_at_least_seven_more_queries_all_documented() -> None:
    queries = q.stored_queries()
    assert len(queries) >= len(CONTRACT) + 7
    docs = (Path(__file__).parents[1] / "docs" / "queries.md").read_text()
    for query in queries:
        assert query.title and query.title != query.name, query.name
        assert len(query.description) > 40, query.name
        assert query.examples and query.examples[0].startswith(f"trialkg query {query.name}"), query.name
        assert f"`{query.name}`" in docs, f"{query.name} missing from docs/queries.md"
        for p in query.params:
            assert p.description


def test_header_is_parsed() -> None:
    text = """# title: Drugs of a trial
# description: Every normalised drug of a trial,
#   on two lines.
# params:
#   trial (string, required): NCT id
#   limit_to (iri, optional): a drug IRI
# example: trialkg query x -p trial NCT1
# Note: a free comment line is allowed.
SELECT ?param_trial ?param_limit_to ?d WHERE {
  #@values
  ?t <https://w3id.org/trialkg/ontology#trialId> ?param_trial ; <https://w3id.org/trialkg/ontology#hasDrug> ?d .
  FILTER(?d = COALESCE(?param_limit_to, ?d))
}"""
    query = q.parse_query(text, name="x", source="x.rq")
    assert query.title == "Drugs of a trial"
    assert query.description == "Every normalised drug of a trial, on two lines."
    assert [p.signature() for p in query.params] == ["trial (string, required)", "limit_to (iri, optional)"]
    assert query.params[0].description == "NCT id"
    assert query.examples == ("trialkg query x -p trial NCT1",)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("# params:\n#   target (text, required): x\n", "not one of"),
        ("# params:\n#   target required: x\n", "bad parameter line"),
        ("# params: target\n", "own line"),
        ("# title: a\n# title: b\n", "given twice"),
        ("# params:\n#   other (string, optional): x\n", "not used"),
    ],
)
def test_malformed_headers_are_query_errors(header: str, message: str) -> None:
    body = "SELECT ?param_target WHERE {\n  #@values\n  FILTER(COALESCE(?param_target, 1))\n}"
    with pytest.raises(QueryError, match=message):
        q.parse_query(header + body, name="bad", source="bad.rq")


def test_a_parameter_tested_with_bound_is_refused() -> None:
    text = "# params:\n#   x (string, optional): x\nSELECT ?param_x WHERE {\n #@values\n FILTER(!BOUND(?param_x)) }"
    with pytest.raises(QueryError, match="COALESCE"):
        q.parse_query(text, name="b", source="b.rq")


def test_a_query_with_params_needs_the_marker() -> None:
    text = "# params:\n#   x (string, optional): x\nSELECT ?param_x WHERE { ?s ?p ?param_x }"
    with pytest.raises(QueryError, match="#@values"):
        q.parse_query(text, name="b", source="b.rq")


def test_load_query_by_name_file_and_stdin(tmp_path: Path) -> None:
    assert q.load_query("trials-by-target").name == "trials-by-target"
    f = tmp_path / "mine.rq"
    f.write_text("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")
    assert q.load_query(str(f)).name == "mine"
    assert q.load_query("-", stdin=io.StringIO("ASK {}")).source == "<stdin>"
    with pytest.raises(UsageError, match="did you mean 'trials-by-target'"):
        q.load_query("trials-by-targt")


# -- binding -------------------------------------------------------------------------


def test_unknown_missing_repeated_and_mistyped_params_are_usage_errors() -> None:
    query = q.get_stored_query("trials-for-patient")
    with pytest.raises(UsageError, match="unknown parameter 'weight'.*age \\(decimal, required\\)"):
        q.bind_params(query, [("age", "45"), ("ecog", "1"), ("weight", "70")])
    with pytest.raises(UsageError, match="needs ecog \\(integer, required\\)"):
        q.bind_params(query, [("age", "45")])
    with pytest.raises(UsageError, match="given twice"):
        q.bind_params(query, [("age", "45"), ("age", "46"), ("ecog", "1")])
    with pytest.raises(UsageError, match="expected an integer") as exc:
        q.bind_params(query, [("age", "45"), ("ecog", "one")])
    assert exc.value.field == "ecog"
    with pytest.raises(UsageError, match="expected a decimal"):
        q.bind_params(query, [("age", "NaN"), ("ecog", "1")])


def test_typed_terms() -> None:
    def term(ptype: str, raw: str) -> ox.Literal | ox.NamedNode:
        return q.typed_term(q.Param("x", ptype, True, ""), raw)

    assert term("integer", " +07 ") == ox.Literal("7", datatype=ox.NamedNode(q.XSD + "integer"))
    assert term("decimal", "45") == ox.Literal("45.0", datatype=ox.NamedNode(q.XSD + "decimal"))
    assert term("decimal", "1.50") == ox.Literal("1.50", datatype=ox.NamedNode(q.XSD + "decimal"))
    assert term("string", " KDR ") == ox.Literal(" KDR ")
    assert term("iri", "http://purl.uniprot.org/uniprot/P35968") == ox.NamedNode("http://purl.uniprot.org/uniprot/P35968")
    for bad in ("P35968", "http://x/a b", "http://x/>", "http://x/{y}"):
        with pytest.raises(UsageError, match="IRI"):
            term("iri", bad)


# -- the term serialiser ------------------------------------------------------------------


def test_sparql_term_escapes() -> None:
    assert q.sparql_term(ox.Literal(INJECTION)) == '"KDR\\" } ; DROP ALL ; #"'
    assert q.sparql_term(ox.Literal('a\\b\n"c"\r\t')) == '"a\\\\b\\n\\"c\\"\\r\\t"'
    assert q.sparql_term(ox.Literal("1", datatype=ox.NamedNode(q.XSD + "integer"))) == f'"1"^^<{q.XSD}integer>'
    assert q.sparql_term(ox.Literal("chat", language="fr")) == '"chat"@fr'
    assert q.sparql_term(ox.NamedNode("http://x/y#z")) == "<http://x/y#z>"
    with pytest.raises(UsageError):
        q.sparql_term(ox.BlankNode("b0"))


def _values_roundtrip(term: ox.Literal) -> None:
    text = "SELECT ?x WHERE { VALUES ?x { " + q.sparql_term(term) + " } }"
    got = [s["x"] for s in ox.Store().query(text)]
    assert got == [term]
    rows = list(rdflib.Graph().query(text))
    assert len(rows) == 1 and str(rows[0][0]) == term.value


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_any_string_survives_a_values_block(value: str) -> None:
    _values_roundtrip(ox.Literal(value))


@pytest.mark.parametrize("value", [INJECTION, "\\u0022", '"""', "'''", "\\", "x\\\"y", "#", "}", "\u2028", "\x00\x01"])
def test_hostile_strings_survive_a_values_block(value: str) -> None:
    _values_roundtrip(ox.Literal(value))


def test_with_values_replaces_the_markers() -> None:
    query = q.get_stored_query("trials-for-patient")
    text = q.with_values(query.text, q.bind_params(query, {"age": "45", "ecog": "1"}))
    assert '  VALUES (?param_age ?param_ecog) { ("45.0"^^<http://www.w3.org/2001/XMLSchema#decimal> ' in text
    assert q.VALUES_MARKER not in text
    assert q.with_values(query.text, {}) == query.text


def test_with_limit() -> None:
    assert q.with_limit("SELECT * WHERE { ?s ?p ?o }", 5).rstrip().endswith("LIMIT 5")
    assert q.with_limit("SELECT * WHERE { ?s ?p ?o } LIMIT 10", 5).rstrip().endswith("LIMIT 10")
    assert q.with_limit("SELECT * WHERE { ?s ?p ?o } OFFSET 2 LIMIT 3\n# end\n", 5).count("LIMIT") == 1
    assert q.with_limit("SELECT * WHERE { ?s ?p ?o } VALUES ?s { <x:a> }", 5).count("LIMIT") == 0
    assert q.with_limit("ASK { ?s ?p ?o }", 5) == "ASK { ?s ?p ?o }"


def test_parse_json_results() -> None:
    body = json.dumps({
        "head": {"vars": ["param_x", "trial", "n", "iri", "label"]},
        "results": {"bindings": [
            {"trial": {"type": "literal", "value": "NCT1"},
             "n": {"type": "typed-literal", "value": "3", "datatype": q.XSD + "integer"},
             "iri": {"type": "uri", "value": "http://x/1"},
             "label": {"type": "literal", "value": "chat", "xml:lang": "fr"}},
            {"trial": {"type": "literal", "value": "NCT2"}},
        ]},
    })
    table = q.parse_json_results(body)
    assert table.columns == ["trial", "n", "iri", "label"]
    assert table.records() == [
        {"trial": "NCT1", "n": 3, "iri": "http://x/1", "label": "chat"},
        {"trial": "NCT2", "n": None, "iri": None, "label": None},
    ]
    assert q.parse_json_results(body, limit=1).rows[0][0] == ox.Literal("NCT1")
    assert q.parse_json_results('{"head": {}, "boolean": true}').records() == [{"ask": True}]


def test_safe_url_hides_credentials() -> None:
    assert q.safe_url("http://bob:s3cret@127.0.0.1:7878/query") == "http://127.0.0.1:7878/query"
    assert q.safe_url("http://127.0.0.1/q") == "http://127.0.0.1/q"


# -- every stored query on the model-shaped sample, both ways -------------------------


@pytest.mark.parametrize("name", q.stored_query_names())
def test_values_block_gives_the_same_rows_as_substitutions(sample_store: TrialStore, name: str) -> None:
    query = q.get_stored_query(name)
    for given_params in ({p.name: SAMPLE_VALUES[p.type] for p in query.params if p.required},
                         {p.name: SAMPLE_VALUES[p.type] for p in query.params}):
        bindings = q.bind_params(query, given_params, store=sample_store)
        local = q.run_local(query, bindings, sample_store)
        via_values = sample_store.ox.query(q.with_values(query.text, bindings), use_default_graph_as_union=True)
        assert q._solutions_table(via_values, None, name).rows == local.rows


def _with_string_params() -> list[str]:
    return [n for n in q.stored_query_names() if any(p.type == "string" for p in q.get_stored_query(n).params)]


@pytest.mark.parametrize("name", _with_string_params())
def test_injection_changes_nothing_but_the_result(sample_store: TrialStore, name: str) -> None:
    """The hostile value is data: the same answer as any unknown name, and no change to the
    store. A parameter naming a target, family, drug or class refuses an unknown name
    (a UsageError proposing close matches) before any SPARQL runs."""
    from trialkg.knowledge.resolve import PARAMETER_KINDS

    query = q.get_stored_query(name)
    before = len(sample_store.ox)
    values = {p.name: SAMPLE_VALUES[p.type] for p in query.params if p.required and p.type != "string"}
    strings = [p.name for p in query.params if p.type == "string"]
    if any(s in PARAMETER_KINDS for s in strings):
        for bad in (INJECTION, "no-such-name"):
            with pytest.raises(UsageError):
                q.bind_params(query, {**values, **dict.fromkeys(strings, bad)}, store=sample_store)
        assert len(sample_store.ox) == before
        return
    hostile = q.bind_params(query, {**values, **dict.fromkeys(strings, INJECTION)})
    unknown = q.bind_params(query, {**values, **dict.fromkeys(strings, "no-such-name")})
    rows = q.run_local(query, hostile, sample_store).rows
    assert rows == q.run_local(query, unknown, sample_store).rows
    assert rows == []
    remote_style = sample_store.ox.query(q.with_values(query.text, hostile), use_default_graph_as_union=True)
    assert q._solutions_table(remote_style, None, name).rows == rows
    assert len(sample_store.ox) == before


def test_injection_into_a_typed_param_is_refused() -> None:
    query = q.get_stored_query("trials-admitting-ecog")
    with pytest.raises(UsageError, match="expected an integer"):
        q.bind_params(query, {"ecog": INJECTION})


def test_trials_by_target_follows_family_hierarchy(sample_store: TrialStore) -> None:
    assert column(run(sample_store, "trials-by-target", target="vegfr"), "trial") == ["NCT03890068", "NCT04072042"]
    assert column(run(sample_store, "trials-by-target", target="FGFR"), "trial") == ["NCT03890068"]
    # RTK is only reachable through skos:broader: a property path, no inference.
    assert set(column(run(sample_store, "trials-by-target", target="RTK"), "trial")) == {"NCT03890068", "NCT04072042"}


def test_prior_therapy_exclusions_follow_class_hierarchy_and_synonyms(sample_store: TrialStore) -> None:
    rows = run(sample_store, "prior-therapy-exclusions", drug="Rivoceranib")
    assert [(r["trial"], r["drug_or_class"]) for r in rows] == [("NCT04072042", "vegfr-tki")]
    rows = run(sample_store, "prior-therapy-exclusions", drug="Anlotinib Hydrochloride")
    assert {(r["trial"], r["drug_or_class"]) for r in rows} == {("NCT03890068", "anlotinib"), ("NCT04072042", "vegfr-tki")}


def test_trials_for_patient_on_sample(sample_store: TrialStore) -> None:
    assert column(run(sample_store, "trials-for-patient", age="45", ecog="1"), "trial") == ["NCT03890068", "NCT04072042"]
    assert column(run(sample_store, "trials-for-patient", age="10", ecog="1"), "trial") == ["NCT04072042"]
    assert run(sample_store, "trials-for-patient", age="45", ecog="3") == []
    # anlotinib: excluded outright by NCT03890068; NCT04072042 needs > 8 weeks of exposure.
    rows = run(sample_store, "trials-for-patient", age="45", ecog="1", prior_drug="anlotinib")
    assert column(rows, "trial") == ["NCT04072042"]


def test_criteria_coverage_on_sample(sample_store: TrialStore) -> None:
    rows = {r["trial"]: r for r in run(sample_store, "criteria-coverage")}
    assert rows["NCT03890068"] == {"trial": "NCT03890068", "criteria": 4, "parsed": 3, "unparsed": 1, "coverage": 0.75}
    assert rows["NCT04072042"]["coverage"] == 1


def test_string_parameters_fold_to_the_stored_form() -> None:
    """Folded values match the stored value through an index (no case-folding FILTER)."""
    place = q.Param("country", "string", False, "", "place")
    assert [q.typed_term(place, v).value for v in ("china", "CHINA", "korea, republic of", "Aix-en-Provence")] == [
        "China", "China", "Korea, Republic of", "Aix-en-Provence"]
    assert q.typed_term(q.Param("target", "string", True, "", "upper"), "kdr").value == "KDR"
    assert q.typed_term(q.Param("analyte", "string", True, "", "lower"), "ALT").value == "alt"
    with pytest.raises(QueryError):
        q.parse_query("# params:\n#   x (integer, required, upper): n\nSELECT ?param_x WHERE {\n#@values\n}", name="x", source="x.rq")
