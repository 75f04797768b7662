"""SHACL validation of the store with pySHACL, one named graph at a time.

Each trial graph holds everything about its trial (see docs/model.md), so the shapes
can be checked graph by graph: the data graph is one trial graph (or the reference
graph) plus the ontology (for subclass targets), never the whole store. Memory stays
per-trial and the graphs are independent, so ``jobs > 1`` validates them in a process
pool. Exit codes (``trialkg validate``): 0 conforms (warnings allowed), 1 does not, 2
error.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SH

from trialkg import iris
from trialkg.resources import ontology_file
from trialkg.store import TrialStore

PREFIXES = {
    "tkr:": iris.TKR,
    "tkg:": iris.TKG,
    "tks:": "https://w3id.org/trialkg/shapes#",
    "rdfs:": "http://www.w3.org/2000/01/rdf-schema#",
    "prov:": "http://www.w3.org/ns/prov#",
    "skos:": "http://www.w3.org/2004/02/skos/core#",
    "schema:": "http://schema.org/",
    "dcterms:": "http://purl.org/dc/terms/",
    "uniprot:": iris.UNIPROT,
}


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


@dataclass
class ValidationReport:
    findings: list[Finding] = field(default_factory=list)
    graphs: int = 0
    report_turtle: list[str] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not any(f.severity == "Violation" for f in self.findings)

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
            g.bind(prefix.rstrip(":"), ns)
        for text in self.report_turtle:
            g.parse(data=text, format="turtle")
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
        verdict = "conforms" if self.conforms else "does not conform"
        lines.append(
            f"{verdict}: {self.count('Violation')} violations, {self.count('Warning')} warnings "
            f"in {self.graphs} graphs"
        )
        return "\n".join(lines)


def compact(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return prefix + iri[len(ns):]
    return f"<{iri}>" if "://" in iri else iri


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


def validate_graph(data: rdflib.Graph, trial: str) -> tuple[list[Finding], str]:
    """Validate one data graph; the findings and the pySHACL report as Turtle."""
    import pyshacl

    _conforms, results, _text = pyshacl.validate(
        data,
        shacl_graph=_shapes(),
        ont_graph=_ontology(),
        inference="none",
        allow_warnings=True,
        abort_on_first=False,
    )
    findings = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        severity = results.value(r, SH.resultSeverity)
        value = results.value(r, SH.value)
        findings.append(Finding(
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            trial=trial,
            focus=str(results.value(r, SH.focusNode)),
            path=_path_text(results, results.value(r, SH.resultPath)) or _shape_path(results.value(r, SH.sourceShape)),
            message=str(results.value(r, SH.resultMessage) or "does not conform"),
            shape=_shape_name(results.value(r, SH.sourceShape)),
            value=str(value) if value is not None and value != results.value(r, SH.focusNode) else None,
        ))
    return findings, results.serialize(format="turtle")


def _shape_path(shape: Any) -> str | None:
    if shape is None:
        return None
    return _path_text(_shapes(), _shapes().value(shape, SH.path))


def _shape_name(shape: Any) -> str | None:
    if isinstance(shape, rdflib.URIRef):
        return compact(str(shape))
    if shape is not None:
        # A property shape: name the node shape it belongs to.
        parent = _shapes().value(None, SH.property, shape)
        if isinstance(parent, rdflib.URIRef):
            return compact(str(parent))
    return None


def _validate_ntriples(item: tuple[str, bytes]) -> tuple[list[Finding], str]:
    trial, data = item
    g = rdflib.Graph()
    g.parse(data=data.decode("utf-8"), format="nt")
    return validate_graph(g, trial)


def _graph_items(store: TrialStore, trials: Iterable[str] | None) -> Iterable[tuple[str, bytes]]:
    ids = list(trials) if trials is not None else store.trial_ids()
    graphs = [(tid, iris.trial_graph(tid)) for tid in ids]
    if trials is None and store.has_graph(iris.REFERENCE_GRAPH):
        graphs.append(("reference", iris.REFERENCE_GRAPH))
    for label, g in graphs:
        buf = io.BytesIO()
        store.dump(buf, ox.RdfFormat.N_TRIPLES, g)
        yield label, buf.getvalue()


def validate_store(store: TrialStore, *, trials: Iterable[str] | None = None, jobs: int = 1) -> ValidationReport:
    """Validate every trial graph and the reference graph (or only ``trials``)."""
    report = ValidationReport()
    items = _graph_items(store, trials)
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_validate_ntriples, items, chunksize=4))
    else:
        results = [_validate_ntriples(i) for i in items]
    for findings, text in results:
        report.graphs += 1
        report.findings.extend(findings)
        report.report_turtle.append(text)
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    report.findings.sort(key=lambda f: (order.get(f.severity, 3), f.trial, f.focus, f.path or "", f.message))
    return report
