"""SHACL shapes files a user gives (``trialkg validate --shapes FILE``), read into one graph.

Any RDF syntax rdflib reads: the format is guessed from the file name (``.ttl`` Turtle,
``.rdf``/``.owl``/``.xml`` RDF/XML, ``.jsonld``/``.json`` JSON-LD, ``.nt``, ``.n3``,
``.trig``, ``.nq``), Turtle otherwise. Several files are merged into one shapes graph
(a shape in one file may point to a shape in another). A file that cannot be read, or
that holds no SHACL term at all, is an ``InputError`` naming the file: validating
against it would report nothing and look like success.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import rdflib
from rdflib.namespace import SH
from rdflib.util import guess_format

from trialkg.errors import InputError

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
    return graph


def load_shapes(paths: Sequence[Path | str]) -> rdflib.Graph:
    """Every file's shapes in one graph, with the files' prefixes bound."""
    merged = rdflib.Graph()
    for path in paths:
        graph = read_shapes_file(path)
        for prefix, ns in graph.namespaces():
            merged.bind(prefix, ns, override=False)
        merged += graph
    return merged
