"""The SHACL-to-SPARQL compiler on small shapes and data, against pySHACL.

Each case is a shapes graph and a data graph; the compiled queries, run over an
oxigraph store holding the data in a named graph (queried as the union default
graph, as trialkg's store is), must give the results pySHACL gives:
(focus, path, constraint component, severity, value). Features the compiler does not
support must fail when the shapes are loaded, naming the shape and the feature.
"""

from __future__ import annotations

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from rdflib.namespace import RDF, SH

from trialkg.shacl import UnsupportedShapeError, compile_shapes, run_checks
from trialkg.validate import _shapes, compact

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
"""

Key = tuple[str, str | None, str, str, str | None]


def _path_text(g: rdflib.Graph, path: rdflib.term.Node | None) -> str | None:
    if path is None:
        return None
    if isinstance(path, rdflib.URIRef):
        return str(path)
    inverse = g.value(path, SH.inversePath)
    return f"^{inverse}" if inverse is not None else "complex"


def _pyshacl(shapes: rdflib.Graph, data: rdflib.Graph) -> set[Key]:
    _c, results, _t = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    out = set()
    for r in results.objects(None, SH.result):
        focus = results.value(r, SH.focusNode)
        value = results.value(r, SH.value)
        out.add((_text(focus), _path_text(results, results.value(r, SH.resultPath)),
                 str(results.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[-1],
                 str(results.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
                 _text(value) if value is not None and value != focus else None))
    return out


def _text(term: object) -> object:
    """A term for comparison: blank nodes all alike (their labels differ between tools), literals
    by value where they have one (the store keeps 1.0 as its canonical form "1")."""
    if isinstance(term, (rdflib.BNode, ox.BlankNode)):
        return "_:b"
    if isinstance(term, ox.Literal):
        term = rdflib.Literal(term.value, lang=term.language,
                              datatype=None if term.language else rdflib.URIRef(term.datatype.value))
    if isinstance(term, rdflib.Literal) and term.value is not None and not term.ill_typed:
        return term.value
    return str(getattr(term, "value", term)) if isinstance(term, ox.NamedNode) else str(term)


def _sparql(shapes: rdflib.Graph, data: rdflib.Graph) -> set[Key]:
    store = ox.Store()
    store.load(data.serialize(format="nt").encode(), ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:g:1"))
    checks = compile_shapes(shapes)
    out = set()
    for i, focus, value, path in run_checks(store, checks):
        c = checks[i]
        out.add((_text(focus), path.value if path is not None else _path_text(shapes, c.path),
                 c.component.split(":", 1)[1], c.severity,
                 _text(value) if value is not None and value != focus else None))
    return out


def _graphs(shapes_ttl: str, data_ttl: str) -> tuple[rdflib.Graph, rdflib.Graph]:
    shapes = rdflib.Graph().parse(data=PREFIXES + shapes_ttl, format="turtle")
    data = rdflib.Graph().parse(data=PREFIXES + data_ttl, format="turtle")
    return shapes, data


CASES = {
    "counts above one": (
        """ex:S a sh:NodeShape ; sh:targetClass ex:T ;
             sh:property [ sh:path ex:p ; sh:minCount 2 ; sh:maxCount 3 ] .""",
        """ex:a a ex:T ; ex:p 1 . ex:b a ex:T ; ex:p 1, 2 . ex:c a ex:T ; ex:p 1, 2, 3, 4 . ex:d a ex:T ."""),
    "subclass targets and class values": (
        """ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:class ex:U ] .""",
        """ex:T2 rdfs:subClassOf ex:T . ex:U2 rdfs:subClassOf ex:U .
           ex:a a ex:T2 ; ex:p ex:u1, ex:x, "lit" . ex:u1 a ex:U2 . ex:b a ex:T ; ex:p ex:u1 ."""),
    "datatype, ill-typed and language strings": (
        """ex:S a sh:NodeShape ; sh:targetClass ex:T ;
             sh:property [ sh:path ex:n ; sh:datatype xsd:integer ] ;
             sh:property [ sh:path ex:s ; sh:datatype xsd:string ] ;
             sh:property [ sh:path ex:d ; sh:datatype xsd:date ] .""",
        """ex:a a ex:T ; ex:n 3, "x"^^xsd:integer, 3.5, "4" ; ex:s "ok", "hi"@en, 5, ex:iri ;
             ex:d "2020-02-30"^^xsd:date, "2020-02-03"^^xsd:date, "2020-02"^^xsd:gYearMonth ."""),
    "ranges on mixed values": (
        """ex:S a sh:NodeShape ; sh:targetClass ex:T ;
             sh:property [ sh:path ex:v ; sh:minInclusive -90 ; sh:maxInclusive 90 ] ;
             sh:property [ sh:path ex:w ; sh:minExclusive 0 ; sh:maxExclusive 10 ] .""",
        """ex:a a ex:T ; ex:v 0, 90.0, -91, 95.5, "north", ex:x ; ex:w 0, 5, 10, 9.99 ."""),
    "in, pattern, nodeKind, length": (
        """ex:S a sh:NodeShape ; sh:targetClass ex:T ;
             sh:property [ sh:path ex:c ; sh:in ( "A" "B" 1 ) ] ;
             sh:property [ sh:path ex:id ; sh:pattern "^NCT\\\\d{3}$" ; sh:maxLength 6 ; sh:minLength 5 ] ;
             sh:property [ sh:path ex:k ; sh:nodeKind sh:IRI ] ;
             sh:property [ sh:path ex:ci ; sh:pattern "^abc" ; sh:flags "i" ] .""",
        """ex:a a ex:T ; ex:c "A", "C", 1, 1.0, "A"@en ; ex:id "NCT123", "NCT12", "nct123", "NCT1234", ex:NCT123 ;
             ex:k ex:x, "x", [ ex:q 1 ] ; ex:ci "ABCd", "xabc" ."""),
    "hasValue, node, or, and, not, xone": (
        """ex:S a sh:NodeShape ; sh:targetClass ex:T ;
             sh:property [ sh:path ex:flag ; sh:hasValue true ] ;
             sh:property [ sh:path ex:date ; sh:node ex:D ] ;
             sh:or ( [ sh:path ex:p ; sh:minCount 1 ] [ sh:path ex:q ; sh:hasValue 1 ] ) ;
             sh:xone ( [ sh:path ex:x ; sh:minCount 1 ] [ sh:path ex:y ; sh:minCount 1 ] ) ;
             sh:not [ sh:path ex:banned ; sh:minCount 1 ] ;
             sh:and ( [ sh:path ex:z ; sh:maxCount 1 ] [ sh:path ex:z ; sh:datatype xsd:integer ] ) .
           ex:D a sh:NodeShape ; sh:or ( [ sh:datatype xsd:date ] [ sh:datatype xsd:gYear ] ) .""",
        """ex:a a ex:T ; ex:flag false ; ex:date "2020", "2020"^^xsd:gYear ; ex:q 2 ; ex:x 1 ; ex:y 1 ; ex:z 1, 2 .
           ex:b a ex:T ; ex:flag true ; ex:p 1 ; ex:x 1 ; ex:banned 1 ; ex:z "one" .
           ex:c a ex:T ; ex:flag true ; ex:q 1 ; ex:y 1 ; ex:z 3 ."""),
    "paths and other targets": (
        """ex:S a sh:NodeShape ; sh:targetNode ex:n1, ex:missing ; sh:targetObjectsOf ex:link ;
             sh:property [ sh:path [ sh:inversePath ex:owns ] ; sh:minCount 1 ; sh:maxCount 1 ] ;
             sh:property [ sh:path ( ex:a ex:b ) ; sh:datatype xsd:string ] ;
             sh:property [ sh:path [ sh:alternativePath ( ex:c ex:d ) ] ; sh:maxCount 1 ] ;
             sh:property [ sh:path [ sh:zeroOrMorePath ex:parent ] ; sh:nodeKind sh:IRI ] .
           ex:P a sh:NodeShape ; sh:targetSubjectsOf ex:price ; sh:severity sh:Warning ;
             sh:property [ sh:path ex:price ; sh:datatype xsd:decimal ; sh:severity sh:Info ] ;
             sh:property [ sh:path ex:currency ; sh:minCount 1 ] .""",
        """ex:n1 ex:a [ ex:b "s", 4 ] ; ex:c 1 ; ex:d 2 . ex:o1 ex:owns ex:n1 . ex:o2 ex:owns ex:n1 .
           ex:x ex:link ex:n2 . ex:n2 ex:parent ex:n3 . ex:n3 ex:parent "top" .
           ex:item ex:price 3 . ex:item2 ex:price 3.5 ; ex:currency "EUR" ."""),
    "deactivated shapes and constraints": (
        """ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:deactivated true ;
             sh:property [ sh:path ex:p ; sh:minCount 1 ] .
           ex:S2 a sh:NodeShape ; sh:targetClass ex:T ;
             sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:deactivated true ] ;
             sh:property [ sh:path ex:q ; sh:minCount 1 ] .""",
        """ex:a a ex:T ."""),
    "property pairs, languageIn, uniqueLang, closed": (
        """ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:closed true ; sh:ignoredProperties ( rdf:type ) ;
             sh:property [ sh:path ex:start ; sh:lessThan ex:end ; sh:disjoint ex:end ] ;
             sh:property [ sh:path ex:end ; sh:lessThanOrEquals ex:stop ] ;
             sh:property [ sh:path ex:alias ; sh:equals ex:name ] ;
             sh:property [ sh:path ex:name ; sh:languageIn ( "en" "fr" ) ; sh:uniqueLang true ] ;
             sh:property [ sh:path ex:stop ] .
           ex:E a sh:NodeShape ; sh:targetNode ex:self ; sh:equals ex:same .""",
        """ex:a a ex:T ; ex:start 1, 5 ; ex:end 3, "x" ; ex:stop 3 ; ex:alias "A"@en ; ex:name "A"@en, "B"@en ;
             ex:extra 1 .
           ex:b a ex:T ; ex:start 3 ; ex:end 3 ; ex:name "C"@de, "D", "E"@en-GB ; ex:alias "C"@de .
           ex:self ex:same ex:self, ex:other ."""),
    "qualified value shapes, disjoint siblings": (
        """ex:Hand a sh:NodeShape ; sh:targetClass ex:Hand ;
             sh:property [ sh:path ex:digit ; sh:qualifiedValueShape [ sh:class ex:Thumb ] ;
                           sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 1 ; sh:qualifiedValueShapesDisjoint true ] ;
             sh:property [ sh:path ex:digit ; sh:qualifiedValueShape [ sh:class ex:Finger ] ;
                           sh:qualifiedMaxCount 4 ; sh:qualifiedValueShapesDisjoint true ] .""",
        """ex:h1 a ex:Hand ; ex:digit ex:t1, ex:f1, ex:f2 . ex:t1 a ex:Thumb . ex:f1 a ex:Finger . ex:f2 a ex:Finger .
           ex:h2 a ex:Hand ; ex:digit ex:both, ex:f1 . ex:both a ex:Thumb, ex:Finger .
           ex:h3 a ex:Hand ; ex:digit ex:t1, ex:t2, ex:f1, ex:f2, ex:f3, ex:f4, ex:f5 . ex:t2 a ex:Thumb .
           ex:f3 a ex:Finger . ex:f4 a ex:Finger . ex:f5 a ex:Finger ."""),
    "SPARQL-based constraints": (
        """ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:severity sh:Warning ;
             sh:sparql [ sh:message "no partner for {$this}" ;
                         sh:select \"\"\"SELECT $this ?value WHERE {
                              $this <http://example.org/p> ?value .
                              FILTER NOT EXISTS { ?value <http://example.org/partner> $this } }\"\"\" ] .""",
        """ex:a a ex:T ; ex:p ex:b, ex:c . ex:b ex:partner ex:a . ex:d a ex:T ."""),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_compiled_queries_find_what_pyshacl_finds(name: str) -> None:
    shapes, data = _graphs(*CASES[name])
    expected = _pyshacl(shapes, data)
    assert expected, "each case has something to find"
    assert _sparql(shapes, data) == expected


def test_union_of_graphs_counts_a_value_once() -> None:
    """The same triple in two graphs is one value (maxCount 1 holds), as in a merged graph."""
    shapes, _ = _graphs("""ex:S a sh:NodeShape ; sh:targetClass ex:T ;
                           sh:property [ sh:path ex:p ; sh:maxCount 1 ] .""", "")
    store = ox.Store()
    for g in ("urn:g:1", "urn:g:2"):
        store.update(f"INSERT DATA {{ GRAPH <{g}> {{ <http://example.org/a> a <http://example.org/T> ; "
                     f"<http://example.org/p> 1 }} }}")
    assert list(run_checks(store, compile_shapes(shapes))) == []


@pytest.mark.parametrize("feature, shape_ttl", [
    ("sh:qualified", "ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:or ( [ sh:path ex:p ; "
                     "sh:qualifiedValueShape [ sh:class ex:U ] ; sh:qualifiedMinCount 1 ] [ sh:nodeKind sh:IRI ] ) ."),
    # Reached only through sh:node or sh:or: still checked when the shapes are loaded.
    ("sh:uniqueLang", "ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:node ex:N ] . "
                      "ex:N a sh:NodeShape ; sh:property [ sh:path ex:l ; sh:uniqueLang true ] ."),
    ("sh:closed", "ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:or ( [ sh:closed true ] [ sh:nodeKind sh:IRI ] ) ."),
    ("sh:equals", "ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:node [ sh:property [ sh:path ex:p ; sh:equals ex:q ] ] ."),
])
def test_unsupported_features_fail_at_load(feature: str, shape_ttl: str) -> None:
    shapes, _ = _graphs(shape_ttl, "")
    with pytest.raises(UnsupportedShapeError) as err:
        compile_shapes(shapes, compact)
    assert feature in str(err.value)
    assert "shapes.ttl [record <http://example.org/" in str(err.value)  # file and shape named


def test_sparql_constraint_that_cannot_be_prebound_fails_at_load() -> None:
    shapes, _ = _graphs("""ex:S a sh:NodeShape ; sh:targetClass ex:T ;
        sh:sparql [ sh:select "SELECT $this WHERE { $this ex:p ?x MINUS { ?x ex:q 1 } }" ] .""", "")
    with pytest.raises(UnsupportedShapeError, match="pre-bound"):
        compile_shapes(shapes)


def test_shipped_shapes_compile_to_one_check_per_constraint() -> None:
    """Every constraint parameter of the shipped shapes has its query: none is skipped."""
    g = _shapes()
    checks = compile_shapes(g, compact)
    components = {c.component for c in checks}
    assert {"sh:ClassConstraintComponent", "sh:DatatypeConstraintComponent", "sh:SPARQLConstraintComponent",
            "sh:OrConstraintComponent", "sh:NodeConstraintComponent", "sh:HasValueConstraintComponent"} <= components
    assert sum(c.component == "sh:SPARQLConstraintComponent" for c in checks) == len(set(g.objects(None, SH.sparql)))
    # Property shapes of targeted node shapes: one check per constraint parameter.
    params = {SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH["in"], SH.pattern, SH.nodeKind,
              SH.minInclusive, SH.maxInclusive, SH.hasValue, SH.node, SH["or"]}
    targeted = {s for s in g.subjects(RDF.type, SH.NodeShape) if g.value(s, SH.targetClass) or
                g.value(s, SH.targetSubjectsOf)}
    expected = sum(1 for s in targeted for shape in [s, *g.objects(s, SH.property)]
                   for p in params for _ in g.objects(shape, p))
    assert len(checks) - sum(c.component == "sh:SPARQLConstraintComponent" for c in checks) == expected


def test_unsupported_feature_inside_an_or_member_fails_at_load() -> None:
    shapes, _ = _graphs("""ex:S a sh:NodeShape ; sh:targetClass ex:T ;
        sh:or ( [ sh:path ex:p ; sh:minCount 1 ; sh:uniqueLang true ] [ sh:path ex:q ; sh:minCount 1 ] ) .""", "")
    with pytest.raises(UnsupportedShapeError, match="uniqueLang"):
        compile_shapes(shapes)


def test_custom_constraint_component_without_a_sparql_validator_fails_at_load() -> None:
    shapes, _ = _graphs("""ex:C a sh:ConstraintComponent ; sh:parameter [ sh:path ex:limit ] .
        ex:S a sh:NodeShape ; sh:targetClass ex:T ; ex:limit 3 .""", "")
    with pytest.raises(UnsupportedShapeError, match="C> has no validator for node shapes"):
        compile_shapes(shapes, compact)


COMPONENT_SHAPES = """
    ex:Kind rdfs:subClassOf sh:ConstraintComponent .
    ex:MaxWords a ex:Kind ;
        sh:parameter [ sh:path ex:maxWords ] ;
        sh:message "more than {$maxWords} words" ;
        sh:propertyValidator [ sh:select \"\"\"SELECT $this ?value WHERE { $this $PATH ?value .
            FILTER (STRLEN(REPLACE(STR(?value), "[^ ]", "")) >= $maxWords) }\"\"\" ] ;
        sh:validator [ sh:ask "ASK { FILTER (STRLEN(REPLACE(STR($value), '[^ ]', '')) < $maxWords) }" ] .
    ex:S a sh:NodeShape ; sh:targetClass ex:T ;
        sh:property [ sh:path ex:title ; ex:maxWords 3 ] .
    ex:N a sh:NodeShape ; sh:targetObjectsOf ex:title ; ex:maxWords 2 ."""


def test_custom_components_typed_through_a_subclass_are_checked() -> None:
    """A SELECT property validator and an ASK validator, parameters pre-bound (SHACL 6)."""
    from trialkg.validate import validate_graphs

    shapes, data = _graphs(COMPONENT_SHAPES, """ex:a a ex:T ; ex:title "one two", "one two three four" .""")
    got = {(f.focus, f.path, f.component, f.value, f.message) for f in validate_graphs(data, shapes).findings}
    assert got == {
        ("http://example.org/a", "<http://example.org/title>", "<http://example.org/MaxWords>",
         "one two three four", "more than 3 words"),
        ("one two three four", None, "<http://example.org/MaxWords>", None, "more than 2 words"),
    }
    expected = _pyshacl(shapes, data)
    assert {(k[0], k[4]) for k in expected} == {("http://example.org/a", "one two three four"),
                                                ("one two three four", None)}


def test_custom_component_inside_sh_or_fails_at_load() -> None:
    shapes, _ = _graphs(COMPONENT_SHAPES + """
        ex:O a sh:NodeShape ; sh:targetClass ex:T ; sh:or ( [ ex:maxWords 1 ] [ sh:nodeKind sh:IRI ] ) .""", "")
    with pytest.raises(UnsupportedShapeError, match="inside sh:node/sh:or"):
        compile_shapes(shapes, compact)


USER_SHAPES = """ex:S a sh:NodeShape ; sh:targetClass ex:T ;
    sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:severity sh:Warning ] ;
    sh:property [ sh:path ex:q ; sh:datatype xsd:integer ] ."""
USER_DATA = """ex:a a ex:T ; ex:q "x" . ex:b a ex:T ; ex:p 1 ; ex:q 2 ."""


def _user_keys(findings: list) -> set[tuple]:
    return {(f.focus, f.path, f.component, f.severity, f.value) for f in findings}


def test_validate_graphs_checks_a_data_graph_against_given_shapes() -> None:
    from trialkg.validate import validate_graphs

    shapes, data = _graphs(USER_SHAPES, USER_DATA)
    report = validate_graphs(data, shapes)
    assert _user_keys(report.findings) == {
        ("http://example.org/a", "<http://example.org/p>", "sh:MinCountConstraintComponent", "Warning", None),
        ("http://example.org/a", "<http://example.org/q>", "sh:DatatypeConstraintComponent", "Violation", "x"),
    }
    assert "sh:DatatypeConstraintComponent" in report.to_turtle()


def test_validate_graphs_refuses_what_it_cannot_check() -> None:
    from trialkg.validate import validate_graphs

    shapes, data = _graphs("ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:qualifiedMaxCount 1 ; "
                           "sh:qualifiedValueShape [ sh:class ex:U ] .", USER_DATA)
    with pytest.raises(UnsupportedShapeError, match="sh:qualified"):
        validate_graphs(data, shapes)


@pytest.mark.parametrize("jobs", [1, 2])
def test_validate_store_with_user_shapes(tmp_path, jobs: int) -> None:
    from trialkg import iris
    from trialkg.store import TrialStore
    from trialkg.validate import validate_store

    shapes, data = _graphs(USER_SHAPES, USER_DATA)
    store = TrialStore(tmp_path / "store")
    graph = f" <{iris.trial_graph('NCT00000001')}> .\n".encode()
    store.load_nquads(data.serialize(format="nt", encoding="utf-8").replace(b" .\n", graph))
    report = validate_store(store, shapes=shapes, jobs=jobs)
    assert _user_keys(report.findings) == _user_keys(validate_graphs_findings(data, shapes))
    pyshacl_report = validate_store(store, shapes=shapes, engine="pyshacl")
    assert {k[:4] for k in _user_keys(pyshacl_report.findings)} == {k[:4] for k in _user_keys(report.findings)}


def validate_graphs_findings(data: rdflib.Graph, shapes: rdflib.Graph) -> list:
    from trialkg.validate import validate_graphs

    return validate_graphs(data, shapes).findings


def test_datatypes_the_store_rewrites_are_refused_on_a_store_and_checked_as_written_in_memory() -> None:
    """pyoxigraph keeps a valid "5"^^xsd:int as "5"^^xsd:integer: on a store sh:datatype xsd:int
    cannot be checked; on an in-memory graph the values are checked as the graph holds them."""
    from trialkg.validate import validate_graphs

    shapes, data = _graphs("""ex:S a sh:NodeShape ; sh:targetClass ex:T ;
        sh:property [ sh:path ex:n ; sh:datatype xsd:int ] ; sh:property [ sh:path ex:b ; sh:datatype xsd:byte ] .""",
                           """ex:a a ex:T ; ex:n "5"^^xsd:int, "5000000000"^^xsd:int, 7 ;
                                ex:b "12"^^xsd:byte, "300"^^xsd:byte, "c"^^xsd:byte .""")
    with pytest.raises(UnsupportedShapeError, match="sh:datatype xsd:int: the store keeps"):
        compile_shapes(shapes, compact)
    got = {(f.path, f.value) for f in validate_graphs(data, shapes).findings}
    assert got == {("<http://example.org/n>", "5000000000"), ("<http://example.org/n>", "7"),
                   ("<http://example.org/b>", "300"), ("<http://example.org/b>", "c")}


def test_ill_formed_literals_on_a_store() -> None:
    """Every XSD datatype's lexical space: a control character is no xsd:string, "x" no xsd:hexBinary."""
    shapes, _ = _graphs("""ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:s ;
        sh:property [ sh:path ex:s ; sh:datatype xsd:string ] ;
        sh:property [ sh:path ex:h ; sh:datatype xsd:hexBinary ] ;
        sh:property [ sh:path ex:l ; sh:datatype xsd:language ] .""", "")
    store = ox.Store()
    store.load(b'<urn:a> <http://example.org/s> "ok" .\n<urn:a> <http://example.org/s> "bad\\u0001" .\n'
               b'<urn:a> <http://example.org/h> "0FA1"^^<http://www.w3.org/2001/XMLSchema#hexBinary> .\n'
               b'<urn:a> <http://example.org/h> "x"^^<http://www.w3.org/2001/XMLSchema#hexBinary> .\n'
               b'<urn:a> <http://example.org/l> "en-GB"^^<http://www.w3.org/2001/XMLSchema#language> .\n'
               b'<urn:a> <http://example.org/l> "en_GB"^^<http://www.w3.org/2001/XMLSchema#language> .\n',
               ox.RdfFormat.N_TRIPLES)
    got = {v.value for _, _, v, _ in run_checks(store, compile_shapes(shapes))}
    assert got == {"bad\u0001", "x", "en_GB"}
