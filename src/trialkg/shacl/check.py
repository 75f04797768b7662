"""One compiled check (a shape's constraint as a SELECT over the store) and how it runs."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib import SH, Literal, URIRef

from trialkg.errors import InputError

SHAPES_FILE = "shapes.ttl"


class UnsupportedShapeError(InputError):
    """A shape uses a SHACL feature the SPARQL compiler cannot check (raised at load time)."""


@dataclass(frozen=True)
class Check:
    """One compiled (shape, constraint component): a SELECT returning the violations.

    The query projects ``?this`` (focus node) and, where the component has one,
    ``?value``; SPARQL-based constraints may also project ``?path``.
    """

    shape: rdflib.term.Node  # the shape that holds the constraint (node or property shape)
    node_shape: rdflib.term.Node  # the node shape it belongs to (== shape for node shapes)
    component: str  # e.g. "sh:MinCountConstraintComponent", or a custom component's IRI compacted
    severity: str  # Violation, Warning, Info (a custom severity: its IRI compacted)
    path: rdflib.term.Node | None
    path_text: str | None
    message: str  # the plain (or first) message, for one-line reports
    query: str
    targets: str  # the focus-node sub-select inside ``query``
    severity_iri: URIRef = SH.Violation
    component_iri: URIRef | None = None  # None: sh:<component>
    messages: tuple[Literal, ...] = ()  # every sh:message (language-tagged ones too); () -> message
    value_is_focus: bool = False  # a result with no ?value reports the focus node as sh:value
    datatype: URIRef | None = None  # sh:datatype checks: the datatype (for data-as-written checks)
    values_query: str | None = None  # sh:datatype checks: every (?this, ?value) on the path
    rows_are_results: bool = False  # each row is one result, even two rows alike (sh:uniqueLang: one per tag)
    routes_query: str | None = None  # nested property shapes: (?this, ?n outer focus nodes leading to it)

    @property
    def component_node(self) -> URIRef:
        return self.component_iri if self.component_iri is not None else SH[self.component.split(":", 1)[1]]

    def restricted(self, focus_filter: str) -> str:
        """The query with its focus nodes further filtered (e.g. to some graphs)."""
        inner = self.targets[:-len("} }")] + focus_filter + " } }"
        return self.query.replace(self.targets, inner)


def run_checks(store: ox.Store, checks: Sequence[Check], focus_filter: str | None = None,
               ) -> Iterator[tuple[int, Any, Any, Any]]:
    """Run checks over the union of the store's graphs: (check index, focus, value, path) per result.

    ``focus_filter`` (a group pattern over ?this) narrows the focus nodes, e.g. to the
    nodes described in some graphs.
    """
    for i, check in enumerate(checks):
        query = check.restricted(focus_filter) if focus_filter else check.query
        for row in store.query(query, use_default_graph_as_union=True):
            value = _binding(row, "value")
            if value is None and check.value_is_focus:
                value = row["this"]
            yield i, row["this"], value, _binding(row, "path")


def _binding(row: ox.QuerySolution, var: str) -> Any:
    try:
        return row[var]
    except KeyError:
        return None
