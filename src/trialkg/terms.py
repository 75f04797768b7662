"""RDF terms as plain Python values, one rule for every reader of the graph.

IRIs become their string, blank nodes ``_:id``, literals their lexical form, except
typed numbers and booleans: ``xsd:integer`` and its subtypes -> ``int``;
``xsd:decimal`` -> ``int`` when whole (``18`` stays 18, as the trial view and JSON
rows print it), else ``float``; ``xsd:double``/``float`` -> ``float``;
``xsd:boolean`` -> ``bool``. A value that does not parse as its datatype, or a
non-finite number, stays text rather than failing the whole row.
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
BOOLEAN = XSD + "boolean"


def term_value(term: Any) -> Any:
    """The Python value of a pyoxigraph term (``None`` for an unbound variable)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if not isinstance(term, ox.Literal):
        return str(term)
    return _literal_value(term.value, term.datatype.value)


def _literal_value(text: str, datatype: str) -> Any:
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
