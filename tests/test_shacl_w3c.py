"""The compiled SPARQL engine held to the W3C SHACL test suite (core and sparql).

The suite (tests/data/w3c-shacl, see its SOURCES.md) lists each test in a manifest:
a data graph, a shapes graph and the expected ``sh:ValidationReport`` (or
``sht:Failure``: the shapes must be rejected). Each test is run through
``validate_graphs`` and its Turtle report read back, then compared as pySHACL's own
suite harness compares: ``sh:conforms``, and the results as a multiset of (focus node,
result path, value, severity, source shape, source constraint component). Blank nodes
of focus nodes, values and source shapes are compared as "some blank node" (their
labels differ between the expected report and any engine's); paths are compared by
their structure.

Every test either passes or is refused with an ``UnsupportedShapeError`` naming the
shape and the feature; ``EXPECTED`` says which, so a regression (or an improvement)
shows. ``python tests/test_shacl_w3c.py`` prints the counts per suite.
"""

from __future__ import annotations

import logging
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, SH, XSD, BNode, Literal, URIRef
from rdflib.collection import Collection

from trialkg.shacl import UnsupportedShapeError
from trialkg.validate import validate_graphs

# The suite holds ill-typed literals on purpose; rdflib logs each one it reads.
logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)

SUITE = Path(__file__).parent / "data" / "w3c-shacl"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = rdflib.Namespace("http://www.w3.org/ns/shacl-test#")

PASS, REFUSED, WRONG, CRASH = "pass", "refused", "wrong", "crash"

# Tests the engine refuses (each with a clear message); every other test passes.
REFUSED_TESTS = {
    "core/complex/shacl-shacl",  # shapes nested deeper than 8 levels (the SHACL-for-SHACL shapes recurse)
    "core/node/qualified-001",  # sh:qualifiedMinCount on a node shape
    "sparql/pre-binding/shapesGraph-001",  # $shapesGraph: the store does not hold the shapes
}


def _parse(path: Path | None = None, data: str | None = None) -> rdflib.Graph:
    """A suite file (or a report) as written: rdflib would otherwise rewrite literals
    ("none"^^xsd:boolean as "false", "2011-01-01"^^xsd:dateTime with a time)."""
    normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        if path is None:
            return rdflib.Graph().parse(data=data, format="turtle")
        return rdflib.Graph().parse(path, format="turtle", publicID=path.as_uri())
    finally:
        rdflib.NORMALIZE_LITERALS = normalize


def _manifest_tests(manifest: Path) -> list[tuple[str, rdflib.Graph, URIRef]]:
    """(name, manifest graph, test node) of every test reachable from ``manifest``."""
    g = _parse(manifest)
    out = []
    for m in g.subjects(RDF.type, MF.Manifest):
        for included in g.objects(m, MF.include):
            out += _manifest_tests(Path(str(included).removeprefix("file://")))
        for entries in g.objects(m, MF.entries):
            for test in Collection(g, entries):
                name = str(test).removeprefix(SUITE.as_uri() + "/")
                out.append((name, g, test))
    return out


def _graph(node: rdflib.term.Node) -> rdflib.Graph:
    return _parse(Path(str(node).removeprefix("file://")))


def _path_key(g: rdflib.Graph, path: rdflib.term.Node | None) -> str | None:
    """A SHACL path by its structure: ``<p>``, ``(<a> / <b>)``, ``^<p>``, ``<p>*`` ..."""
    if path is None or isinstance(path, URIRef):
        return path.n3() if path is not None else None
    if (path, RDF.first, None) in g:
        return "(" + " / ".join(_path_key(g, p) or "" for p in Collection(g, path)) + ")"
    alt = g.value(path, SH.alternativePath)
    if alt is not None:
        return "(" + " | ".join(_path_key(g, p) or "" for p in Collection(g, alt)) + ")"
    for pred, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                      (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
        inner = g.value(path, pred)
        if inner is not None:
            return fmt.format(_path_key(g, inner))
    return "_:path"


def _term_key(term: rdflib.term.Node | None) -> object:
    if term is None:
        return None
    if isinstance(term, BNode):
        return "_:b"
    if isinstance(term, Literal):  # RDF 1.1: a simple literal is an xsd:string
        return ("literal", str(term), term.datatype or (None if term.language else XSD.string), term.language)
    return term


def _results(g: rdflib.Graph, report: rdflib.term.Node) -> Counter:
    out: Counter = Counter()
    for r in g.objects(report, SH.result):
        out[(_term_key(g.value(r, SH.focusNode)), _path_key(g, g.value(r, SH.resultPath)),
             _term_key(g.value(r, SH.value)), g.value(r, SH.resultSeverity),
             _term_key(g.value(r, SH.sourceShape)), g.value(r, SH.sourceConstraintComponent))] += 1
    return out


def run_test(g: rdflib.Graph, test: rdflib.term.Node) -> tuple[str, str]:
    """The outcome of one suite test (pass, refused, wrong, crash) and a line on why."""
    action = g.value(test, MF.action)
    expected = g.value(test, MF.result)
    data, shapes = _graph(g.value(action, SHT.dataGraph)), _graph(g.value(action, SHT.shapesGraph))
    try:
        report = validate_graphs(data, shapes)
        actual = _parse(data=report.to_turtle())
    except UnsupportedShapeError as err:
        return (PASS if expected == SHT.Failure else REFUSED), str(err)
    except Exception as err:  # noqa: BLE001 - a crash is an outcome the suite reports
        return CRASH, f"{type(err).__name__}: {err}"
    if expected == SHT.Failure:
        return WRONG, "the shapes should have been rejected"
    root = next(actual.subjects(RDF.type, SH.ValidationReport))
    want_conforms = g.value(expected, SH.conforms).toPython()
    got_conforms = actual.value(root, SH.conforms).toPython()
    want, got = _results(g, expected), _results(actual, root)
    if want_conforms != got_conforms or want != got:
        return WRONG, (f"conforms {got_conforms} (expected {want_conforms}); missing {dict(want - got)}; "
                       f"extra {dict(got - want)}")
    return PASS, ""


TESTS = {suite: _manifest_tests(SUITE / suite / "manifest.ttl") for suite in ("core", "sparql")}
ALL = [t for tests in TESTS.values() for t in tests]


def test_the_suite_is_all_there() -> None:
    assert len(TESTS["core"]) == 98 and len(TESTS["sparql"]) == 22
    names = {name for name, _, _ in ALL}
    assert REFUSED_TESTS <= names


@pytest.mark.parametrize("name, g, test", ALL, ids=[name for name, _, _ in ALL])
def test_w3c(name: str, g: rdflib.Graph, test: rdflib.term.Node) -> None:
    outcome, why = run_test(g, test)
    expected = REFUSED if name in REFUSED_TESTS else PASS
    assert outcome == expected, why
    if outcome == REFUSED:
        # The refusal names the shapes file, the shape (record) and the feature (field):
        # "shapes.ttl [record <...#PersonShape>]: sh:closed: ...".
        assert re.match(r"shapes\.ttl \[record [^\]]+\]: \S+: ", why), why


def main() -> int:
    """Print, per suite, how many tests pass, are refused, answer wrongly or crash."""
    verbose = "-v" in sys.argv
    for suite, tests in TESTS.items():
        counts: Counter = Counter()
        for name, g, test in tests:
            outcome, why = run_test(g, test)
            counts[outcome] += 1
            if verbose or outcome in (WRONG, CRASH):
                print(f"  {outcome:8} {name}: {why[:300]}")
        print(f"{suite}: {len(tests)} tests: " + ", ".join(f"{counts[o]} {o}" for o in (PASS, REFUSED, WRONG, CRASH)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
