"""The W3C SHACL test suite through trialkg's compiled engine and pySHACL, side by side.

    python benchmarks/shacl_suite.py                      # every test of tests/data/w3c-shacl
    python benchmarks/shacl_suite.py --only sparql/pre-binding --json out.json

Reads the suite's manifests (``manifest.ttl`` -> ``core/`` and ``sparql/`` ->
``mf:include``d test files, each with ``mf:entries``) and runs every ``sht:Validate``
test through both engines on the same parsed graphs:

- **compiled**: ``trialkg.validate.validate_graphs(data, shapes)`` (the shapes compiled
  to SPARQL, as ``trialkg validate`` runs them), its report read back from
  ``ValidationReport.to_turtle()``;
- **pySHACL**: ``pyshacl.validate(data, shacl_graph=shapes, inference="none")``.

Each engine's verdict per test:

- ``pass``: the report says what the test expects: the same ``sh:conforms`` and the same
  set of results, a result being (focus node, path, value, severity, source shape,
  constraint component), as pySHACL's own harness compares them; for a test that expects
  ``sht:Failure`` (a shape an engine must reject), the engine rejected it;
- ``refused``: the engine declined the shapes with its own error, naming what it does
  not support (trialkg's ``UnsupportedShapeError``; pySHACL's ``ShapeLoadError``,
  ``ReportableRuntimeError``, a returned ``ValidationFailure``, ``NotImplementedError``);
- ``wrong``: a report that differs from the expected one (the note says how);
- ``crash``: any other exception.

Blank nodes: a path compares by what it means (a list is a sequence path, as SHACL
reads it); a blank-node source shape by its description (the triples reachable from
it, in the test file or, for a report that was written out and read back, in the
report); a blank focus node or value compares as "a blank node", since
a report read back from Turtle no longer names the data's blank nodes.

Prints one row per test and totals per suite (and per folder); never asserts anything
(the suite test in tests/ holds the expected verdicts of the compiled engine).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import traceback
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import rdflib
from rdflib import RDF, SH, XSD, BNode, Literal, Namespace, URIRef
from rdflib.collection import Collection

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
DEFAULT_SUITE = Path(__file__).resolve().parents[1] / "tests" / "data" / "w3c-shacl"
VERDICTS = ("pass", "refused", "wrong", "crash")
BLANK = "_:blank"  # a blank focus node or value
NOTE_WIDTH = 110

Result = tuple[object, ...]  # (focus, path, value, severity, source shape, component)


@dataclass(frozen=True)
class SuiteTest:
    """One ``sht:Validate`` entry of a manifest."""

    name: str  # e.g. core/node/datatype-001
    file: Path  # the test file (its graph holds the expected report)
    data: Path
    shapes: Path
    expects_failure: bool  # mf:result sht:Failure: the shapes must be rejected

    @property
    def suite(self) -> str:
        return self.name.split("/", 1)[0]

    @property
    def folder(self) -> str:
        return self.name.rsplit("/", 1)[0]


@dataclass
class Outcome:
    verdict: str  # one of VERDICTS
    note: str = ""


@dataclass
class Row:
    test: str
    outcomes: dict[str, Outcome] = field(default_factory=dict)


# -- the manifests ---------------------------------------------------------------------

def _path_of(iri: rdflib.term.Node) -> Path:
    return Path(unquote(urlparse(str(iri)).path))


@contextmanager
def _as_written() -> Iterator[None]:
    """rdflib keeps literals' lexical forms as written ("none"^^xsd:boolean is not made "false")."""
    normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = normalize


def _parse(path: Path) -> rdflib.Graph:
    with _as_written():
        return rdflib.Graph().parse(path, format="turtle", publicID=path.as_uri())


def load_tests(root: Path) -> list[SuiteTest]:
    """Every test reachable from ``root/manifest.ttl``, in manifest order."""
    return list(_walk(root / "manifest.ttl", root))


def _walk(manifest: Path, root: Path) -> Iterator[SuiteTest]:
    g = _parse(manifest)
    doc = URIRef(manifest.as_uri())
    for included in g.objects(doc, MF.include):
        yield from _walk(_path_of(included), root)
    for entries in g.objects(doc, MF.entries):
        for entry in Collection(g, entries):
            test = _entry(g, entry, manifest, root)
            if test is not None:
                yield test


def _entry(g: rdflib.Graph, entry: rdflib.term.Node, file: Path, root: Path) -> SuiteTest | None:
    if (entry, RDF.type, SHT.Validate) not in g:
        return None
    action = g.value(entry, MF.action)
    data, shapes = g.value(action, SHT.dataGraph), g.value(action, SHT.shapesGraph)
    name = str(file.relative_to(root).with_suffix(""))
    local = str(entry).rsplit("/", 1)[-1]
    if not name.endswith(local):
        name = f"{name.rsplit('/', 1)[0]}/{local}"
    return SuiteTest(name=name, file=file, data=_path_of(data), shapes=_path_of(shapes),
                     expects_failure=g.value(entry, MF.result) == SHT.Failure)


def graphs_of(test: SuiteTest) -> tuple[rdflib.Graph, rdflib.Graph, rdflib.Graph]:
    """The test file, data and shapes graphs; one graph object where they are one file."""
    graphs: dict[Path, rdflib.Graph] = {}
    for path in (test.file, test.data, test.shapes):
        if path not in graphs:
            graphs[path] = _parse(path)
    return graphs[test.file], graphs[test.data], graphs[test.shapes]


# -- reports as comparable sets ----------------------------------------------------------

def _describe(node: rdflib.term.Node, graphs: Sequence[rdflib.Graph], depth: int = 0) -> object:
    """A blank node as the triples reachable from it (first graph that has any); else itself."""
    if not isinstance(node, BNode):
        return node
    if depth > 12:
        return BLANK
    for g in graphs:
        pairs = list(g.predicate_objects(node))
        if pairs:
            return frozenset((p, _describe(o, graphs, depth + 1)) for p, o in pairs)
    return BLANK


_PATH_KINDS = (SH.alternativePath, SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath)


def _path_key(node: rdflib.term.Node | None, graphs: Sequence[rdflib.Graph], depth: int = 0) -> object:
    """A SHACL path as what it means: an IRI, ("seq", ...), (sh:inversePath, ...) and so on.

    Read as SHACL reads it (a list is a sequence path, whatever else the node says), so a
    path written with extra triples compares equal to the plain one.
    """
    if not isinstance(node, BNode) or depth > 12:
        return node
    g = next((g for g in graphs if (node, None, None) in g), None)
    if g is None:
        return BLANK
    if g.value(node, RDF.first) is not None:
        return ("seq", tuple(_path_key(m, graphs, depth + 1) for m in Collection(g, node)))
    for kind in _PATH_KINDS:
        arg = g.value(node, kind)
        if arg is not None:
            if kind == SH.alternativePath:
                return (kind, tuple(_path_key(m, graphs, depth + 1) for m in Collection(g, arg)))
            return (kind, _path_key(arg, graphs, depth + 1))
    return _describe(node, graphs, depth)


def _plain(node: rdflib.term.Node | None) -> object:
    """A focus node or value: a blank node as "a blank node"; "x" and "x"^^xsd:string as one (RDF 1.1)."""
    if isinstance(node, BNode):
        return BLANK
    if isinstance(node, Literal) and node.datatype is None and not node.language:
        return Literal(str(node), datatype=XSD.string)
    return node


def report_results(report: rdflib.Graph, root: rdflib.term.Node, described_in: Sequence[rdflib.Graph],
                   ) -> tuple[bool | None, set[Result]]:
    """A report's sh:conforms and its top-level results as comparable tuples."""
    conforms = report.value(root, SH.conforms)
    results = set()
    for r in report.objects(root, SH.result):
        results.add((
            _plain(report.value(r, SH.focusNode)),
            _path_key(report.value(r, SH.resultPath), described_in),
            _plain(report.value(r, SH.value)),
            report.value(r, SH.resultSeverity),
            _describe(report.value(r, SH.sourceShape), described_in),
            report.value(r, SH.sourceConstraintComponent),
        ))
    return (conforms.toPython() if isinstance(conforms, Literal) else None), results


def expected_results(test: SuiteTest, file_graph: rdflib.Graph) -> tuple[bool | None, set[Result]]:
    entry = next(e for e in file_graph.subjects(RDF.type, SHT.Validate)
                 if test.name.endswith(str(e).rsplit("/", 1)[-1]))
    return report_results(file_graph, file_graph.value(entry, MF.result), [file_graph])


def _report_root(report: rdflib.Graph) -> rdflib.term.Node:
    roots = list(report.subjects(RDF.type, SH.ValidationReport))
    if len(roots) != 1:
        raise ValueError(f"{len(roots)} sh:ValidationReport nodes in the report")
    return roots[0]


def _show(result: Result) -> str:
    def term(t: object) -> str:
        if isinstance(t, URIRef):
            text = str(t)
            return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]
        if isinstance(t, Literal):
            return t.n3()
        return "[...]" if isinstance(t, frozenset) else str(t)

    return "(" + " ".join(term(t) for t in result) + ")"


def compare(expected: tuple[bool | None, set[Result]], actual: tuple[bool | None, set[Result]]) -> Outcome:
    (want_conforms, want), (got_conforms, got) = expected, actual
    notes = []
    if want_conforms != got_conforms:
        notes.append(f"sh:conforms {got_conforms}, expected {want_conforms}")
    missing, extra = want - got, got - want
    if missing:
        notes.append(f"missing {len(missing)}: " + ", ".join(sorted(_show(r) for r in missing)))
    if extra:
        notes.append(f"extra {len(extra)}: " + ", ".join(sorted(_show(r) for r in extra)))
    return Outcome("wrong", "; ".join(notes)) if notes else Outcome("pass")


# -- the engines -------------------------------------------------------------------------

def run_compiled(data: rdflib.Graph, shapes: rdflib.Graph) -> tuple[rdflib.Graph, list[rdflib.Graph]]:
    """trialkg's compiled engine; its report as written out, and where to describe blank nodes."""
    from trialkg.validate import validate_graphs

    text = validate_graphs(data, shapes).to_turtle()
    with _as_written():
        report = rdflib.Graph().parse(data=text, format="turtle")
    return report, [report]


def run_pyshacl(data: rdflib.Graph, shapes: rdflib.Graph) -> tuple[rdflib.Graph, list[rdflib.Graph]]:
    """pySHACL in memory: its report shares the data's and shapes' nodes."""
    import pyshacl
    import pyshacl.errors

    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                                abort_on_first=False, allow_warnings=False)
    if isinstance(report, pyshacl.errors.ValidationFailure):  # how pySHACL rejects a shape
        raise report
    return report, [shapes, data, report]


def _refusals() -> dict[str, tuple[type[BaseException], ...]]:
    import pyshacl.errors

    from trialkg.shacl import UnsupportedShapeError

    return {"compiled": (UnsupportedShapeError,),
            "pyshacl": (pyshacl.errors.ShapeLoadError, pyshacl.errors.ReportableRuntimeError,
                        pyshacl.errors.ValidationFailure, NotImplementedError)}


ENGINES: dict[str, Callable[[rdflib.Graph, rdflib.Graph], tuple[rdflib.Graph, list[rdflib.Graph]]]] = {
    "compiled": run_compiled,
    "pyshacl": run_pyshacl,
}


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"


def judge(test: SuiteTest, engine: str, verbose: bool = False) -> Outcome:
    """One engine on one test: pass, refused, wrong or crash."""
    file_graph, data, shapes = graphs_of(test)
    try:
        report, described_in = ENGINES[engine](data, shapes)
        actual = report_results(report, _report_root(report), described_in)
    except _refusals()[engine] as exc:
        return Outcome("pass" if test.expects_failure else "refused", _one_line(exc))
    except Exception as exc:  # an engine's bug is a verdict here, not the end of the run
        if verbose:
            traceback.print_exc()
        return Outcome("crash", _one_line(exc))
    if test.expects_failure:
        return Outcome("wrong", "expected the shapes to be rejected (sht:Failure); got a report")
    return compare(expected_results(test, file_graph), actual)


# -- output ----------------------------------------------------------------------------

def _clip(text: str, width: int = NOTE_WIDTH) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def print_rows(rows: Sequence[Row], engines: Sequence[str]) -> None:
    width = max(len(r.test) for r in rows)
    print(f"{'test':{width}}  " + "  ".join(f"{e:9}" for e in engines) + "  note")
    for row in rows:
        verdicts = "  ".join(f"{row.outcomes[e].verdict:9}" for e in engines)
        notes = [f"{e}: {row.outcomes[e].note}" for e in engines
                 if row.outcomes[e].note and row.outcomes[e].verdict != "pass"]
        print(f"{row.test:{width}}  {verdicts}  {_clip(' | '.join(notes))}")


def totals(rows: Sequence[Row], engines: Sequence[str], key: Callable[[str], str]) -> dict[str, dict[str, Counter]]:
    """Per group (suite or folder) and engine, how many tests got each verdict."""
    out: dict[str, dict[str, Counter]] = {}
    for row in rows:
        group = out.setdefault(key(row.test), {e: Counter() for e in engines})
        for e in engines:
            group[e][row.outcomes[e].verdict] += 1
    return out


def print_totals(title: str, table: dict[str, dict[str, Counter]], engines: Sequence[str]) -> None:
    print(f"\n| {title} | tests | " + " | ".join(f"{e} {v}" for e in engines for v in VERDICTS) + " |")
    print("| --- " * (2 + len(engines) * len(VERDICTS)) + "|")
    for group, counts in table.items():
        n = sum(counts[engines[0]].values())
        cells = " | ".join(str(counts[e][v]) for e in engines for v in VERDICTS)
        print(f"| {group} | {n} | {cells} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", type=Path, default=DEFAULT_SUITE, help="the suite's root (holding manifest.ttl)")
    ap.add_argument("--only", action="append", default=[], help="run only tests whose name starts with this")
    ap.add_argument("--engine", action="append", choices=list(ENGINES), help="default: both")
    ap.add_argument("--json", type=Path, help="also write every verdict here")
    ap.add_argument("-v", "--verbose", action="store_true", help="print the traceback of each crash")
    args = ap.parse_args(argv)
    # The tests are odd on purpose: rdflib logs each ill-typed literal ("c"^^xsd:byte) with
    # a traceback, pySHACL warns about misplaced components; the verdicts say what matters.
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    engines = args.engine or list(ENGINES)
    tests = [t for t in load_tests(args.suite) if not args.only or any(t.name.startswith(o) for o in args.only)]
    if not tests:
        print(f"shacl_suite: no tests under {args.suite}", file=sys.stderr)
        return 2
    rows = [Row(t.name, {e: judge(t, e, args.verbose) for e in engines}) for t in tests]
    print_rows(rows, engines)
    print_totals("suite", totals(rows, engines, lambda name: name.split("/", 1)[0]), engines)
    print_totals("folder", totals(rows, engines, lambda name: name.rsplit("/", 1)[0]), engines)
    if args.json:
        args.json.write_text(json.dumps([{"test": r.test, **{e: asdict(o) for e, o in r.outcomes.items()}}
                                         for r in rows], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
