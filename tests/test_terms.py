"""RDF terms to Python values: the one rule the views, the matcher and the query rows share."""

from __future__ import annotations

import pyoxigraph as ox

from trialkg.terms import XSD, term_value


def lit(text: str, dt: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD + dt))


def test_numbers_booleans_and_iris() -> None:
    assert term_value(lit("18", "integer")) == 18 and isinstance(term_value(lit("18", "integer")), int)
    assert term_value(lit("18.0", "decimal")) == 18 and isinstance(term_value(lit("18.0", "decimal")), int)
    assert term_value(lit("1.5", "decimal")) == 1.5
    assert term_value(lit("1.0E2", "double")) == 100.0 and isinstance(term_value(lit("1.0E2", "double")), float)
    assert term_value(lit("true", "boolean")) is True and term_value(lit("0", "boolean")) is False
    assert term_value(ox.NamedNode("https://w3id.org/trialkg/resource/trial/NCT04072042")).endswith("NCT04072042")
    assert term_value(ox.BlankNode("b1")) == "_:b1"
    assert term_value(ox.Literal("Anlotinib", language="en")) == "Anlotinib"
    assert term_value(None) is None


def test_values_that_do_not_parse_stay_text() -> None:
    assert term_value(lit("many", "integer")) == "many"
    assert term_value(lit("NaN", "double")) == "NaN"
    assert term_value(lit("INF", "float")) == "INF"
