"""Query answers as rows of RDF terms, the same shape locally and remotely."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from trialkg.errors import QueryError
from trialkg.queries.catalogue import PARAM_PREFIX
from trialkg.terms import term_text, term_value

XSD = "http://www.w3.org/2001/XMLSchema#"

XSD_STRING = XSD + "string"

Term = ox.NamedNode | ox.Literal | ox.BlankNode

@dataclass
class ResultTable:
    """Rows of RDF terms (``None`` for unbound), the same shape locally and remotely."""

    columns: list[str]
    rows: list[tuple[Term | None, ...]]

    def records(self) -> list[dict[str, Any]]:
        """Rows as ``{column: plain JSON value}`` (IRIs as strings, numbers as numbers)."""
        return [{c: term_value(v) for c, v in zip(self.columns, row, strict=True)} for row in self.rows]

    def text_records(self) -> list[dict[str, str | None]]:
        """Rows as ``{column: lexical text}`` for table, CSV and TSV output."""
        return [{c: term_text(v) for c, v in zip(self.columns, row, strict=True)} for row in self.rows]

@dataclass
class ResultStream:
    """Rows of RDF terms as the engine produces them (an iterator, read once)."""

    columns: list[str]
    rows: Iterator[tuple[Term | None, ...]]

    def records(self) -> Iterator[dict[str, Any]]:
        return ({c: term_value(v) for c, v in zip(self.columns, row, strict=True)} for row in self.rows)

    def text_records(self) -> Iterator[dict[str, str | None]]:
        return ({c: term_text(v) for c, v in zip(self.columns, row, strict=True)} for row in self.rows)

def visible_columns(columns: Sequence[str]) -> list[int]:
    return [i for i, c in enumerate(columns) if not c.startswith(PARAM_PREFIX)]

def result_table(columns: Sequence[str], rows: Iterable[Sequence[Term | None]], limit: int | None) -> ResultTable:
    keep = visible_columns(columns)
    if limit is not None:
        rows = itertools.islice(rows, limit)
    return ResultTable([columns[i] for i in keep], [tuple(r[i] for i in keep) for r in rows])

def guarded(rows: Iterator[tuple[Term | None, ...]], source: str) -> Iterator[tuple[Term | None, ...]]:
    """Evaluation errors surface while rows are read: report them as a ``QueryError``."""
    try:
        yield from rows
    except (OSError, RuntimeError) as exc:
        raise QueryError(f"query evaluation failed: {exc}", file=source) from exc
