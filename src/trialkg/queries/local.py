"""Running on the embedded store: whole answers, streamed rows, pages in the engine's
order (``unordered``), counts."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from trialkg.errors import QueryError
from trialkg.queries.binding import with_values
from trialkg.queries.catalogue import StoredQuery
from trialkg.queries.results import (
    ResultStream,
    ResultTable,
    Term,
    guarded,
    result_table,
    visible_columns,
)


def run_local(query: StoredQuery, bindings: Mapping[str, Term], store: Any, *, limit: int | None = None) -> ResultTable:
    """Run on the embedded store (a ``TrialStore``) over the union of all graphs."""
    stream = stream_local(query, bindings, store, limit=limit)
    return ResultTable(stream.columns, list(stream.rows))

def stream_local(query: StoredQuery, bindings: Mapping[str, Term], store: Any, *, limit: int | None = None,
                 offset: int = 0, ordered: bool = True) -> ResultStream:
    """Run on the embedded store and hand the rows on as the engine finds them.

    Parameters go in as the ``VALUES`` block of each ``#@values`` marker, as they go to
    a remote endpoint: oxigraph plans a query around a VALUES block (the bound drug or
    class first, then index lookups), while the same values given as pyoxigraph
    ``substitutions`` leave it planning for an unbound variable (drugs-overlapping-targets
    on 300 trials: 10 ms of CPU with VALUES, 270 ms with substitutions).

    ``ordered=False`` drops the query's top-level ORDER BY (``unordered``), so the first
    rows come before the whole answer is computed; ``offset`` and ``limit`` then cut the
    rows in the engine's order, the same on every run over the same store, so pages do
    not overlap and together give the whole answer.
    """
    text = with_values(query.text if ordered else unordered(query.text), bindings)
    try:
        result = store.query(text)
    except QueryError as exc:
        raise exc.located(file=query.source) from None
    except RuntimeError as exc:  # e.g. a substituted variable missing from the projection
        raise QueryError(str(exc), file=query.source) from exc
    except OSError as exc:
        raise QueryError(f"the store failed: {exc}", file=query.source) from exc
    columns, rows = _solution_rows(result)
    keep = visible_columns(columns)
    stop = None if limit is None else offset + limit
    page = itertools.islice(rows, offset, stop)
    return ResultStream([columns[i] for i in keep], guarded((tuple(r[i] for i in keep) for r in page), query.source))

def count_local(query: StoredQuery, bindings: Mapping[str, Term], store: Any) -> int:
    """The number of rows the query answers (its ORDER BY is dropped: order does not count)."""
    return sum(1 for _ in stream_local(query, bindings, store, ordered=False).rows)

def _solution_rows(result: Any) -> tuple[list[str], Iterator[Sequence[Term | None]]]:
    if isinstance(result, ox.QuerySolutions):
        columns = [v.value for v in result.variables]
        return columns, (tuple(s[c] for c in columns) for s in result)
    if isinstance(result, ox.QueryBoolean):
        return ["ask"], iter([(ox.Literal(bool(result)),)])
    return ["subject", "predicate", "object"], ((t.subject, t.predicate, t.object) for t in result)

def _solutions_table(result: Any, limit: int | None, source: str) -> ResultTable:
    """A query result read whole into a ``ResultTable``."""
    columns, rows = _solution_rows(result)
    return result_table(columns, guarded(iter(rows), source), limit)

_GROUPING = re.compile(r"\b(GROUP\s+BY|HAVING|VALUES)\b", re.IGNORECASE)

_ORDER_BY = re.compile(r"\bORDER\s+BY\b.*?(?=\bLIMIT\b|\bOFFSET\b|\Z)", re.IGNORECASE | re.DOTALL)

def unordered(text: str) -> str:
    """The query without its top-level ORDER BY, so that the engine streams its rows.

    Only the solution modifiers after the last closing brace are touched (sub-selects
    keep theirs). A query that groups keeps its order: a grouped answer is computed
    whole before its first row anyway, and its order is often the point ("most shared
    targets first"). So does a query ending in a VALUES block.
    """
    lines = text.splitlines(keepends=True)
    for i in range(len(lines) - 1, -1, -1):
        if "}" in lines[i] and not lines[i].lstrip().startswith("#"):
            break
    else:
        return text
    cut = lines[i].rfind("}") + 1
    tail = lines[i][cut:] + "".join(line for line in lines[i + 1:] if not line.lstrip().startswith("#"))
    if _GROUPING.search(tail):
        return text
    return "".join(lines[:i]) + lines[i][:cut] + _ORDER_BY.sub("", tail)
