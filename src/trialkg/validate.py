"""SHACL validation of the store: compiled SPARQL over the whole store, or pySHACL.

Two engines give the same findings (tests/test_validate_engines.py):

- ``sparql`` (default): the shapes compiled to one SELECT per (shape, constraint
  component) (``trialkg.shacl``), run over the store's union of all graphs.
  It sees every graph at once, so facts stated once in the shared entities graph count
  as in a whole-graph run, and it scales with the store's indexes (docs/performance.md:
  about 100x faster than pySHACL per graph). ``jobs > 1`` runs the queries in a
  process pool, each process opening the store read-only. With ``trials``, the
  queries run over an in-memory copy of those trial graphs and the shared graphs
  (reference, entities, ontology), so checking one trial takes well under a second.
- ``pyshacl``: the reference engine, one trial graph at a time (plus the ontology for
  subclass targets, and the entities-graph facts about the nodes the trial points
  to), then the reference and entities graphs on their own.

Reports say what SHACL says: ``sh:conforms`` is false when there is any result, a
warning included (``ValidationReport.conforms``; ``has_violations`` says whether any
result is a violation, which is what ``trialkg validate``'s exit code follows); custom severities stay IRIs; every ``sh:message`` is kept with
its language tag; ``sh:value`` is the value node (the focus node for a node shape's
SPARQL constraint without ``?value``). Values are the terms the store holds: the store
keeps literals in canonical form ("4.0"^^xsd:decimal as "4", "5"^^xsd:int as
"5"^^xsd:integer), so on a store those are reported canonically; ``validate_graphs``
reports them as the data graph wrote them (as rdflib read it).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SH

from trialkg import iris
from trialkg.prefixes import PREFIXES, compact
from trialkg.resources import ontology_file
from trialkg.shacl import Check, compile_shapes, run_checks
from trialkg.shacl.literals import conforms_to_datatype
from trialkg.store import TrialStore


@dataclass
class Finding:
    """One SHACL result: what, where, and the trial it belongs to."""

    severity: str  # Violation, Warning, Info
    trial: str  # trial id, or "reference"
    focus: str
    path: str | None
    message: str
    shape: str | None
    value: str | None = None
    component: str | None = None  # e.g. "sh:MinCountConstraintComponent"


@dataclass
class ValidationReport:
    findings: list[Finding] = field(default_factory=list)
    graphs: int = 0
    report_turtle: list[str] = field(default_factory=list)
    # SPARQL engine: the raw results, turned into RDF only when a Turtle report is asked for.
    raw_results: list[tuple[Check, Any, Any, Any]] = field(default_factory=list, repr=False)
    # The shapes the results name (blank-node shapes and paths are copied from it).
    shapes: rdflib.Graph | None = field(default=None, repr=False)

    @property
    def conforms(self) -> bool:
        """SHACL's sh:conforms: true only when there is no result at all (warnings count)."""
        return not self.findings

    @property
    def has_violations(self) -> bool:
        """Some result has severity Violation (``trialkg validate`` exits 1 only then)."""
        return any(f.severity == "Violation" for f in self.findings)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def to_dict(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "graphs": self.graphs,
            "violations": self.count("Violation"),
            "warnings": self.count("Warning"),
            "results": [asdict(f) for f in self.findings],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def to_turtle(self) -> str:
        """One sh:ValidationReport holding every graph's results."""
        g = rdflib.Graph()
        g.bind("sh", SH)
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns)
        for text in self.report_turtle:
            g.parse(data=text, format="turtle")
        for check, focus, value, path in self.raw_results:
            _add_result(g, check, focus, value, path, self.shapes if self.shapes is not None else _shapes())
        for report in list(g.subjects(RDF.type, SH.ValidationReport)):
            g.remove((report, None, None))
        root = rdflib.BNode("report")
        g.add((root, RDF.type, SH.ValidationReport))
        g.add((root, SH.conforms, rdflib.Literal(self.conforms)))
        for result in set(g.subjects(SH.focusNode, None)):
            g.add((root, SH.result, result))
        return g.serialize(format="turtle")

    def to_human(self) -> str:
        lines = []
        for f in self.findings:
            where = f"{compact(f.focus)}" + (f" {f.path}" if f.path else "")
            value = f" (value: {f.value})" if f.value else ""
            lines.append(f"{f.severity:9}  {f.trial}  {where}: {f.message}{value}")
        verdict = ("conforms" if self.conforms else "does not conform" if self.has_violations
                   else "no violations (sh:conforms false: SHACL counts warnings too)")
        lines.append(
            f"{verdict}: {self.count('Violation')} violations, {self.count('Warning')} warnings "
            f"in {self.graphs} graphs"
        )
        return "\n".join(lines)


@lru_cache(maxsize=1)
def _shapes() -> rdflib.Graph:
    g = rdflib.Graph()
    with ontology_file("shapes.ttl").open("rb") as fh:
        g.parse(fh, format="turtle")
    return g


@lru_cache(maxsize=1)
def _ontology() -> rdflib.Graph:
    g = rdflib.Graph()
    with ontology_file("trialkg.ttl").open("rb") as fh:
        g.parse(fh, format="turtle")
    return g


def _path_text(g: rdflib.Graph, node: Any) -> str | None:
    if node is None:
        return None
    if isinstance(node, rdflib.URIRef):
        return compact(str(node))
    inverse = g.value(node, SH.inversePath)
    if inverse is not None:
        return "^" + compact(str(inverse))
    return str(node)


def validate_graph(data: rdflib.Graph, trial: str, shapes: rdflib.Graph | None = None,
                   ) -> tuple[list[Finding], str]:
    """Validate one data graph with pySHACL (``shapes``: default the shipped shapes);
    the findings and the pySHACL report as Turtle."""
    import pyshacl

    shapes = _shapes() if shapes is None else shapes
    _conforms, results, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=_ontology(),
        inference="none",
        allow_warnings=True,
        abort_on_first=False,
    )
    findings = []
    # Only the report's own results: nested ones (sh:detail of an sh:node failure) are
    # explained by their parent result, not separate findings.
    for r in results.objects(None, SH.result):
        severity = results.value(r, SH.resultSeverity)
        value = results.value(r, SH.value)
        findings.append(Finding(
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            trial=trial,
            focus=str(results.value(r, SH.focusNode)),
            path=(_path_text(results, results.value(r, SH.resultPath))
                  or _shape_path(shapes, results.value(r, SH.sourceShape))),
            message=str(results.value(r, SH.resultMessage) or "does not conform"),
            shape=_shape_name(shapes, results.value(r, SH.sourceShape)),
            value=str(value) if value is not None and value != results.value(r, SH.focusNode) else None,
            component=_component(results.value(r, SH.sourceConstraintComponent)),
        ))
    return findings, results.serialize(format="turtle")


def _component(node: Any) -> str | None:
    return compact(str(node)) if node is not None else None


def _shape_path(shapes: rdflib.Graph, shape: Any) -> str | None:
    if shape is None:
        return None
    return _path_text(shapes, shapes.value(shape, SH.path))


def _shape_name(shapes: rdflib.Graph, shape: Any) -> str | None:
    if isinstance(shape, rdflib.URIRef):
        return compact(str(shape))
    if shape is not None:
        # A property shape: name the node shape it belongs to.
        parent = shapes.value(None, SH.property, shape)
        if isinstance(parent, rdflib.URIRef):
            return compact(str(parent))
    return None


ENGINES = ("sparql", "pyshacl")
_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


def validate_store(
    store: TrialStore, *, trials: Iterable[str] | None = None, jobs: int = 1, engine: str = "sparql",
    shapes: rdflib.Graph | None = None,
) -> ValidationReport:
    """Validate the whole store (or only the focus nodes of ``trials``) with ``engine``.

    ``shapes``: the shapes graph to validate against (default the shipped
    ``ontology/shapes.ttl``). With the ``sparql`` engine a shape it cannot check raises
    ``UnsupportedShapeError`` before any query runs.
    """
    if engine == "sparql":
        report = _validate_sparql(store, trials, jobs, shapes)
    elif engine == "pyshacl":
        report = _validate_pyshacl(store, trials, jobs, shapes)
    else:
        raise ValueError(f"unknown validation engine {engine!r} (one of {', '.join(ENGINES)})")
    _sort(report)
    return report


def validate_graphs(data: rdflib.Graph, shapes: rdflib.Graph) -> ValidationReport:
    """Validate an in-memory data graph against ``shapes`` with the compiled SPARQL engine.

    The same compiler and the same refusal rule as ``validate_store``: a shape it cannot
    check raises ``UnsupportedShapeError`` (naming the shape and the feature) before
    anything runs. The data is loaded into an in-memory store; findings name the trial
    of a ``tkr:trial/<ID>/...`` focus node, else ``all``.
    """
    checks = tuple(compile_shapes(shapes, compact, data_as_written=True))
    store = ox.Store()
    store.load(data.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES)
    written = _written_literals(data)
    rows: list[tuple[int, Any, Any, Any]] = []
    for i, check in enumerate(checks):
        if check.datatype is not None:
            # sh:datatype on the values as written: the store has rewritten some of them.
            for row in data.query(check.values_query or ""):
                if not conforms_to_datatype(row.value, check.datatype):
                    rows.append((i, _to_ox(row.this), _to_ox(row.value), None))
        else:
            rows += [(i, written.get(f, f), written.get(v, v), p) for _, f, v, p in run_checks(store, [check])]
    report = _report(store, checks, rows, None, shapes)
    report.graphs = 1
    _sort(report)
    return report


def _written_literals(data: rdflib.Graph) -> dict[Any, Any]:
    """Each literal the store holds in another form than ``data`` wrote it ("4.0"^^xsd:decimal
    kept as "4"), mapped to the written form when only one written literal became it."""
    literals = sorted({o for o in data.objects() if isinstance(o, rdflib.Literal)})
    probe = ox.Store()
    probe.extend(ox.Quad(ox.NamedNode(f"urn:x-literal:{i}"), ox.NamedNode("urn:x-literal:p"), _to_ox(lit))
                 for i, lit in enumerate(literals))
    sources: dict[Any, set[Any]] = {}
    for quad in probe:
        original = _to_ox(literals[int(quad.subject.value.rsplit(":", 1)[1])])
        if str(original) != str(quad.object):
            sources.setdefault(quad.object, set()).add(original)
    return {stored: next(iter(originals)) for stored, originals in sources.items() if len(originals) == 1}


def _to_ox(term: rdflib.term.Node) -> Any:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, rdflib.Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or rdflib.XSD.string)))


def _sort(report: ValidationReport) -> None:
    report.findings.sort(key=lambda f: (_SEVERITY_ORDER.get(f.severity, 3), f.trial, f.focus, f.path or "",
                                        f.component or "", f.message, f.value or ""))


# -- the SPARQL engine ----------------------------------------------------------------

@lru_cache(maxsize=1)
def compiled_checks() -> tuple[Check, ...]:
    """The shapes compiled once per process (raises on a constraint it cannot check)."""
    return tuple(compile_shapes(_shapes(), compact))


def _graph_label(graph: str) -> str:
    prefix = iris.TKR + "graph/"
    special = {iris.REFERENCE_GRAPH: "reference", iris.ENTITIES_GRAPH: "entities", iris.ONTOLOGY_GRAPH: "ontology"}
    if graph in special:
        return special[graph]
    return graph[len(prefix):] if graph.startswith(prefix) else graph


def _trial_of(store: ox.Store, focus: ox.NamedNode | ox.BlankNode | ox.Literal, cache: dict[Any, str]) -> str:
    """The trial a focus node belongs to: from its IRI (``tkr:trial/<ID>/...``), else
    the graph that describes it (a shared graph first: that is where its facts are)."""
    if focus in cache:
        return cache[focus]
    label = "all"
    trial_prefix = iris.TKR + "trial/"
    if isinstance(focus, ox.NamedNode) and focus.value.startswith(trial_prefix):
        label = focus.value[len(trial_prefix):].split("/", 1)[0]
    elif not isinstance(focus, ox.Literal):
        graphs = sorted({_graph_label(q.graph_name.value) for q in store.quads_for_pattern(focus, None, None)
                         if isinstance(q.graph_name, ox.NamedNode)})
        shared = [g for g in graphs if g in ("reference", "entities", "ontology")]
        label = (shared or graphs or ["all"])[0]
    cache[focus] = label
    return label


def _term_text(term: Any) -> str:
    return term.value if hasattr(term, "value") else str(term)


_WORKER_STORE: ox.Store | None = None


_WORKER_CHECKS: tuple[Check, ...] | None = None


def _worker_init(path: str, shapes_turtle: str | None) -> None:
    global _WORKER_STORE, _WORKER_CHECKS
    _WORKER_STORE = ox.Store.read_only(path)
    if shapes_turtle is not None:
        _WORKER_CHECKS = tuple(compile_shapes(rdflib.Graph().parse(data=shapes_turtle, format="turtle"), compact))


def _worker_run(args: tuple[list[int], str | None]) -> list[tuple[int, str, str | None, str | None]]:
    assert _WORKER_STORE is not None
    indices, focus_filter = args
    checks = _WORKER_CHECKS if _WORKER_CHECKS is not None else compiled_checks()
    rows = [(indices[k], f, v, p) for k, f, v, p in run_checks(_WORKER_STORE, [checks[i] for i in indices], focus_filter)]
    # Terms go back as N-Triples text (pyoxigraph terms do not pickle).
    return [(i, str(f), str(v) if v is not None else None, str(p) if p is not None else None) for i, f, v, p in rows]


def _parse_term(text: str | None) -> Any:
    if text is None:
        return None
    return next(iter(ox.parse(f"<urn:s> <urn:p> {text} .", ox.RdfFormat.N_TRIPLES))).object


def _validate_sparql(store: TrialStore, trials: Iterable[str] | None, jobs: int,
                     shapes: rdflib.Graph | None) -> ValidationReport:
    checks = compiled_checks() if shapes is None else tuple(compile_shapes(shapes, compact))
    focus_filter = None
    wanted: set[str] | None = None
    data = store.ox
    if trials is not None:
        # A few trials: their graphs and the shared graphs copied into memory, so the
        # queries scan those, not the whole store; focus nodes are the trials' own.
        wanted = set(trials)
        graphs = [iris.trial_graph(t) for t in sorted(wanted)]
        data = ox.Store()
        for g in [*graphs, *sorted(iris.SPECIAL_GRAPHS)]:
            if store.has_graph(g):
                data.extend(store.quads(g))
        values = " ".join(f"<{g}>" for g in graphs)
        focus_filter = f" VALUES ?_focusgraph {{ {values} }} GRAPH ?_focusgraph {{ ?this ?_fp ?_fo }}"
        jobs = 1
    indices = list(range(len(checks)))
    if jobs > 1:
        try:
            store.flush()  # the workers open the store read-only: they see what is on disk
        except (RuntimeError, OSError):
            pass  # a read-only store has nothing to flush
        # Interleave the checks so each worker gets a mix of large and small classes.
        batches = [(indices[k::jobs * 4], focus_filter) for k in range(jobs * 4)]
        shapes_turtle = shapes.serialize(format="turtle") if shapes is not None else None
        with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init,
                                 initargs=(str(store.path), shapes_turtle)) as pool:
            rows = [(i, _parse_term(f), _parse_term(v), _parse_term(p))
                    for batch in pool.map(_worker_run, batches) for i, f, v, p in batch]
    else:
        rows = list(run_checks(data, checks, focus_filter))
    report = _report(data, checks, rows, wanted, shapes)
    report.graphs = sum(1 for g in store.graph_names() if g != iris.ONTOLOGY_GRAPH) if wanted is None else len(wanted)
    return report


def _report(data: ox.Store, checks: Sequence[Check], rows: Iterable[tuple[int, Any, Any, Any]],
            wanted: set[str] | None, shapes: rdflib.Graph | None) -> ValidationReport:
    """The findings of the compiled checks' result rows, each (shape, focus, value) once."""
    shapes = _shapes() if shapes is None else shapes
    report = ValidationReport(shapes=shapes)
    cache: dict[Any, str] = {}
    seen = set()
    for i, focus, value, path in rows:
        check = checks[i]
        trial = _trial_of(data, focus, cache)
        if wanted is not None and trial not in wanted:
            continue
        path_text = compact(_term_text(path)) if isinstance(path, ox.NamedNode) else check.path_text
        value_text = _term_text(value) if value is not None and value != focus else None
        finding = Finding(
            severity=check.severity, trial=trial, focus=_term_text(focus), path=path_text,
            message=_fill_message(check.message, focus, value), shape=_shape_name(shapes, check.node_shape),
            value=value_text, component=check.component,
        )
        # One result per check and (focus, value): a union of graphs repeats none, and a
        # property shape reached twice (two parents) gives two results, as SHACL says.
        key = (i, str(focus), str(value), str(path))
        if key in seen and not check.rows_are_results:
            continue
        seen.add(key)
        report.findings.append(finding)
        report.raw_results.append((check, focus, value, path))
    _repeat_by_route(data, report)
    return report


def _repeat_by_route(data: ox.Store, report: ValidationReport) -> None:
    """A nested property shape's result once per outer focus node that leads to its focus
    node (SHACL validates the value nodes of each focus node on their own)."""
    counts: dict[str, dict[Any, int]] = {}
    for finding, (check, focus, value, path) in list(zip(report.findings, report.raw_results, strict=True)):
        if check.routes_query is None:
            continue
        if check.routes_query not in counts:
            rows = data.query(check.routes_query, use_default_graph_as_union=True)
            counts[check.routes_query] = {row["this"]: int(row["n"].value) for row in rows}
        for _ in range(counts[check.routes_query].get(focus, 1) - 1):
            report.findings.append(finding)
            report.raw_results.append((check, focus, value, path))


def _fill_message(message: str, focus: Any, value: Any) -> str:
    """SHACL message templates: {$this}, {?value}."""
    if "{" not in message:
        return message
    for var, term in (("this", focus), ("value", value)):
        if term is not None:
            text = compact(_term_text(term))
            message = message.replace("{$" + var + "}", text).replace("{?" + var + "}", text)
    return message


def _to_rdflib(term: Any) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == str(rdflib.XSD.string):
        return rdflib.Literal(term.value)  # RDF 1.1: a simple literal is an xsd:string
    # normalize=False: report the lexical form as stored ("P2W", not rdflib's "P14D").
    return _Lexical(term.value, datatype=rdflib.URIRef(term.datatype.value), normalize=False)


class _Lexical(rdflib.Literal):
    """A literal that Turtle writes with its lexical form quoted: rdflib's shorthand would
    write "1.50"^^xsd:double as 1.5e+00 and the ill-formed "none"^^xsd:boolean as none."""

    __slots__ = ()

    def _literal_n3(self, use_plain: bool = False, qname_callback: Any = None) -> str:
        return super()._literal_n3(False, qname_callback)


def _add_result(g: rdflib.Graph, check: Check, focus: Any, value: Any, path: Any, shapes: rdflib.Graph) -> None:
    """One sh:ValidationResult, as pySHACL would write it, for ``--format turtle``."""
    r = rdflib.BNode()
    g.add((r, RDF.type, SH.ValidationResult))
    g.add((r, SH.focusNode, _to_rdflib(focus)))
    g.add((r, SH.resultSeverity, check.severity_iri))
    g.add((r, SH.sourceConstraintComponent, check.component_node))
    for message in check.messages or (rdflib.Literal(check.message),):
        text = _fill_message(str(message), focus, value)
        g.add((r, SH.resultMessage, rdflib.Literal(text, lang=message.language)))
    g.add((r, SH.sourceShape, _copy_node(check.shape, g, shapes)))
    if value is not None:
        g.add((r, SH.value, _to_rdflib(value)))
    if path is not None:
        g.add((r, SH.resultPath, _to_rdflib(path)))
    elif check.path is not None:
        g.add((r, SH.resultPath, _copy_node(check.path, g, shapes)))


def _copy_node(node: rdflib.term.Node, g: rdflib.Graph, shapes: rdflib.Graph) -> rdflib.term.Node:
    """A blank node of the shapes graph (a path, a property shape) with its description."""
    if not isinstance(node, rdflib.BNode):
        return node
    for s, p, o in shapes.triples((node, None, None)):
        g.add((s, p, _copy_node(o, g, shapes)))
    return node


# -- the pySHACL engine (reference) ----------------------------------------------------

def _validate_ntriples(item: tuple[str, bytes, str | None]) -> tuple[list[Finding], str]:
    trial, data, shapes_turtle = item
    g = rdflib.Graph()
    g.parse(data=data.decode("utf-8"), format="nt")
    shapes = rdflib.Graph().parse(data=shapes_turtle, format="turtle") if shapes_turtle is not None else None
    return validate_graph(g, trial, shapes)


def _graph_items(store: TrialStore, trials: Iterable[str] | None) -> Iterable[tuple[str, bytes]]:
    """Each trial graph with the entities-graph facts about what it points to; then the shared graphs."""
    ids = list(trials) if trials is not None else store.trial_ids()
    has_entities = store.has_graph(iris.ENTITIES_GRAPH)
    for tid in ids:
        g = iris.trial_graph(tid)
        buf = io.BytesIO()
        store.dump(buf, ox.RdfFormat.N_TRIPLES, g)
        if has_entities:
            context = store.ox.query(
                f"CONSTRUCT {{ ?e ?p ?o }} WHERE {{ {{ SELECT DISTINCT ?e WHERE {{ GRAPH <{g}> {{ ?s ?q ?e }} }} }} "
                f"GRAPH <{iris.ENTITIES_GRAPH}> {{ ?e ?p ?o }} }}")
            ox.serialize(context, buf, ox.RdfFormat.N_TRIPLES)
        yield tid, buf.getvalue()
    if trials is None:
        for label, g in (("reference", iris.REFERENCE_GRAPH), ("entities", iris.ENTITIES_GRAPH)):
            if store.has_graph(g):
                buf = io.BytesIO()
                store.dump(buf, ox.RdfFormat.N_TRIPLES, g)
                yield label, buf.getvalue()


def _validate_pyshacl(store: TrialStore, trials: Iterable[str] | None, jobs: int,
                      shapes: rdflib.Graph | None) -> ValidationReport:
    report = ValidationReport(shapes=shapes)
    shapes_turtle = shapes.serialize(format="turtle") if shapes is not None else None
    items = ((tid, data, shapes_turtle) for tid, data in _graph_items(store, trials))
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_validate_ntriples, items, chunksize=4))
    else:
        results = [_validate_ntriples(i) for i in items]
    seen = set()
    trial_prefix = iris.TKR + "trial/"
    for findings, text in results:
        report.graphs += 1
        report.report_turtle.append(text)
        for f in findings:
            # A shared node (an organisation) checked with several trials is reported once, as "entities".
            if not f.focus.startswith(trial_prefix) and f.trial not in ("reference", "entities"):
                f.trial = "entities" if store.has_graph(iris.ENTITIES_GRAPH) else f.trial
            key = (f.severity, f.focus, f.path, f.component, f.value, f.message)
            if key not in seen:
                seen.add(key)
                report.findings.append(f)
    return report
