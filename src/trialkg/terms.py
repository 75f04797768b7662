"""RDF terms as plain Python values, one rule for every reader of the graph.

``term_value(term)``: an IRI becomes an ``IRI`` (a ``str``, its text, that says it names
a node), a blank node ``_:id``, a literal with a language a ``LangString`` (a ``str``
with its ``language``), other literals their lexical form, except typed numbers and
booleans: ``xsd:integer`` and its subtypes -> ``int``; ``xsd:decimal`` -> ``int`` when
whole (``18`` stays 18, as the trial view and JSON rows print it), else ``float``;
``xsd:double``/``float`` -> ``float``; ``xsd:boolean`` -> ``bool``. A value that does
not parse as its datatype, or a non-finite number, stays text rather than failing the
whole row. Dates stay their ISO text: the registries give a month or a year as often
as a day (``xsd:gYearMonth``, ``xsd:gYear``), which no Python date holds, so every
precision reads the same way.

``term_text(term)``: the lexical form as written (``1.50`` stays ``1.50``), for table,
CSV and TSV cells and for labels drawn as the graph writes them.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGER_TYPES = frozenset(XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort",
    "unsignedByte",
))
FLOAT_TYPES = frozenset(XSD + t for t in ("double", "float"))
DECIMAL = XSD + "decimal"
STRING = XSD + "string"
BOOLEAN = XSD + "boolean"


class IRI(str):
    """An IRI read from the graph: its text, as a ``str`` that says it names a node."""

    __slots__ = ()


class LangString(str):
    """A literal with a language tag: its text, as a ``str`` with its ``language``."""

    def __new__(cls, text: str, language: str) -> LangString:
        self = super().__new__(cls, text)
        self.language = language
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (LangString, (str(self), self.language))


def term_value(term: Any) -> Any:
    """The Python value of a pyoxigraph term (``None`` for an unbound variable)."""
    kind = type(term)
    if kind is ox.NamedNode:
        return IRI(term.value)
    if kind is ox.Literal:
        if term.language:
            return LangString(term.value, term.language)
        return _literal_value(term.value, term.datatype.value)
    if term is None:
        return None
    if kind is ox.BlankNode:
        return "_:" + term.value
    return str(term)


def term_text(term: Any) -> str | None:
    """The lexical form of a term (``_:id`` for a blank node, ``None`` for unbound)."""
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value


def _literal_value(text: str, datatype: str) -> Any:
    if datatype == STRING:
        return text
    try:
        if datatype in INTEGER_TYPES:
            return int(text)
        if datatype == DECIMAL:
            d = Decimal(text)
            if not d.is_finite():
                return text
            return int(d) if d == d.to_integral_value() else float(d)
        if datatype in FLOAT_TYPES:
            number = float(text)
            return number if math.isfinite(number) else text
    except (ValueError, InvalidOperation):
        return text
    if datatype == BOOLEAN:
        return text in ("true", "1")
    return text
