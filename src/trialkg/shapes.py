"""SHACL shapes files a user gives (``trialkg validate --shapes FILE``), read into one graph.

Any RDF syntax rdflib reads: the format is guessed from the file name (``.ttl`` Turtle,
``.rdf``/``.owl``/``.xml`` RDF/XML, ``.jsonld``/``.json`` JSON-LD, ``.nt``, ``.n3``,
``.trig``, ``.nq``), Turtle otherwise. Several files are merged into one shapes graph
(a shape in one file may point to a shape in another). A file that cannot be read,
that holds no SHACL term at all, or whose shapes are not well-formed (checked with the
SHACL specification's own shapes for shapes graphs, Appendix C "SHACL-SHACL", through
pySHACL: e.g. ``sh:minCount "many"``) is an ``InputError`` naming the file, and the
shape and parameter where there is one: validating against such a file would report
nothing, or fail half-way, and either engine would read it differently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import rdflib
from rdflib.namespace import SH
from rdflib.util import guess_format

from trialkg.errors import InputError
from trialkg.prefixes import compact
from trialkg.resources import ontology_file

_QUAD_FORMATS = {"trig", "nquads"}
_MAX_REASON = 240


def _reason(exc: Exception) -> str:
    """A parser's error as one short line (rdflib's Turtle errors quote the input after 'at ^ in:')."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    text = re.split(r"\s+at \^ in:", text, maxsplit=1)[0]
    text = re.sub(r"^at line (\d+) of <[^>]*>:\s*", r"line \1: ", text)
    return text if len(text) <= _MAX_REASON else text[:_MAX_REASON - 3] + "..."


def read_shapes_file(path: Path | str) -> rdflib.Graph:
    """One shapes file as a graph (the graphs of a TriG or N-Quads file merged)."""
    path = Path(path)
    fmt = guess_format(str(path)) or "turtle"
    try:
        if fmt in _QUAD_FORMATS:
            dataset = rdflib.Dataset()
            dataset.parse(path, format=fmt)
            graph = rdflib.Graph()
            for s, p, o, _g in dataset.quads((None, None, None, None)):
                graph.add((s, p, o))
        else:
            graph = rdflib.Graph()
            graph.parse(path, format=fmt)
    except Exception as exc:  # rdflib raises a different type per syntax (BadSyntax, SAX, JSON, ValueError)
        raise InputError(f"cannot read the shapes ({fmt}): {_reason(exc)}", file=str(path)) from exc
    if not any(str(t).startswith(str(SH)) for triple in graph for t in triple[1:]):
        raise InputError("no SHACL shapes in this file (no term of the sh: namespace)", file=str(path))
    if not _is_shipped(path):  # the shipped shapes are checked once, by tests/test_validate_user_shapes.py
        check_well_formed(graph, str(path))
    return graph


def _is_shipped(path: Path) -> bool:
    with ontology_file("shapes.ttl").open("rb") as fh:
        return path.read_bytes() == fh.read()


def _shape_name(graph: rdflib.Graph, node: rdflib.term.Node) -> str:
    """A shape as its file shows it: its IRI, or its node shape and path."""
    if isinstance(node, rdflib.URIRef):
        return compact(str(node))
    parent = graph.value(None, SH.property, node)
    path = graph.value(node, SH.path)
    where = f"{_shape_name(graph, parent)} " if parent is not None else ""
    return f"{where}property {compact(str(path))}" if isinstance(path, rdflib.URIRef) else f"{where}a blank-node shape"


def check_well_formed(graph: rdflib.Graph, file: str) -> None:
    """Raise ``InputError`` for the first ill-formed shape (SHACL-SHACL, with pySHACL)."""
    from pyshacl.entrypoints import meta_validate

    conforms, report, _text = meta_validate(graph, inference="none")
    if conforms:
        return
    problems = sorted(
        (_shape_name(graph, report.value(r, SH.focusNode)), compact(str(report.value(r, SH.resultPath) or "")),
         " ".join(str(report.value(r, SH.resultMessage) or "does not conform").split()),
         report.value(r, SH.value))
        for r in report.objects(None, SH.result))
    if not problems:
        return
    shape, param, message, value = problems[0]
    shown = f" (value: {value})" if value is not None and not isinstance(value, rdflib.BNode) else ""
    more = f"; and {len(problems) - 1} more" if len(problems) > 1 else ""
    raise InputError(f"not a well-formed shape: {message}{shown}{more}", file=file, record=shape,
                     field=param or None)


def load_shapes(paths: Sequence[Path | str]) -> rdflib.Graph:
    """Every file's shapes in one graph, with the files' prefixes bound."""
    merged = rdflib.Graph()
    for path in paths:
        graph = read_shapes_file(path)
        for prefix, ns in graph.namespaces():
            merged.bind(prefix, ns, override=False)
        merged += graph
    return merged
