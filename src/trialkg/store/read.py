"""The graph read back as Python values: the one reader under the trial views
(``trialkg.views``), the matcher (``trialkg.match.graph``), the visualisation
(``trialkg.viz.queries``) and the explorer's pages (``trialkg.serve``).

``select(store, query, bindings)`` runs a SELECT over the store (the union of its
graphs) with the prologue of the one prefix table (``trialkg.prefixes``) before it, so
a query names ``tkg:``, ``rdfs:``, ``skos:`` ... without declaring them, and yields one
dict per solution: every projected variable is a key (``None`` when unbound) and each
value follows the one rule of ``trialkg.terms.term_value`` (``IRI``, ``LangString``,
``int``/``float`` by datatype, ``bool``, else the text). ``text=True`` gives each value
as written instead (``trialkg.terms.term_text``: ``1.50`` stays ``1.50``), for labels
drawn as the graph writes them.

``properties(rows)`` folds (subject, property, value) rows into subject -> property ->
values, for readers that take a node's properties at once (a trial's graph for the
trial view, the criteria and constraints for the matcher).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from trialkg.prefixes import SPARQL_PREFIXES
from trialkg.terms import IRI, LangString, term_text, term_value

__all__ = ["IRI", "LangString", "properties", "select"]

Row = dict[str, Any]


def select(store: Any, query: str, bindings: Mapping[str, Any] | None = None, *,
           text: bool = False) -> Iterator[Row]:
    """The solutions of a SELECT on ``store`` (a ``TrialStore``) as dicts of Python values.

    ``bindings`` pre-binds variables to pyoxigraph terms (a substitution, never pasted
    into the query text).
    """
    result = store.query(SPARQL_PREFIXES + query, bindings)
    names = [v.value for v in result.variables]
    convert = term_text if text else term_value
    for solution in result:  # a solution iterates its values in the order of the variables
        yield dict(zip(names, map(convert, solution), strict=True))


def properties(rows: Iterable[Row], subject: str = "s", prop: str = "p", value: str = "o", *,
               key: Callable[[str], str] = str, unique: bool = False) -> dict[str, dict[str, list[Any]]]:
    """Rows of (``subject``, ``prop``, ``value``) as subject -> property -> values, in row
    order; ``key`` names a property (its IRI by default), ``unique`` keeps each value once."""
    out: dict[str, dict[str, list[Any]]] = {}
    for row in rows:
        values = out.setdefault(row[subject], {}).setdefault(key(row[prop]), [])
        if not unique or row[value] not in values:
            values.append(row[value])
    return out
