"""Parameters: ``-p NAME VALUE`` checked, typed, resolved and folded into RDF terms;
for a remote endpoint, written into the query text as a ``VALUES`` block."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox

from trialkg.errors import QueryError, UsageError
from trialkg.knowledge.resolve import resolve_parameter
from trialkg.queries.catalogue import MARKER_LINE, VALUES_MARKER, Param, StoredQuery
from trialkg.queries.results import XSD, XSD_STRING, Term

# Characters SPARQL's IRIREF production forbids (plus controls and space).
_IRI_FORBIDDEN = re.compile(r'[<>"{}|^`\\\x00-\x20]')

_IRI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")

def bind_params(query: StoredQuery, values: Mapping[str, str] | Iterable[tuple[str, str]],
                store: Any = None) -> dict[str, Term]:
    """Check and type the ``-p NAME VALUE`` pairs: ``{variable: term}`` for the given ones.

    An unknown, repeated or missing required parameter, or a value that is not of the
    declared type, is a ``UsageError`` (exit 2). A target, family, drug or class is
    resolved to the graph's spelling (``trialkg.knowledge.resolve``: VEGFR2 -> KDR,
    Tasigna -> nilotinib); a name nobody knows is a ``UsageError`` proposing close
    matches (``store``, when given, may know names the shipped tables do not).
    """
    pairs = list(values.items()) if isinstance(values, Mapping) else list(values)
    given: dict[str, str] = {}
    for name, raw in pairs:
        param = query.param(name)
        if param is None:
            takes = ", ".join(p.signature() for p in query.params) or "no parameters"
            raise UsageError(f"unknown parameter {name!r} for query {query.name!r}; it takes {takes}", field=name)
        if name in given:
            raise UsageError(f"parameter {name!r} given twice", field=name)
        given[name] = raw
    missing = [p.signature() for p in query.params if p.required and p.name not in given]
    if missing:
        raise UsageError(f"query {query.name!r} needs {', '.join(missing)}: add -p NAME VALUE", field=missing[0].split()[0])
    params = {n: query.param(n) for n in given}
    # Typed values first: a malformed number is named before any name is looked up.
    terms = {n: typed_term(p, given[n]) for n, p in params.items() if p.type != "string"}  # type: ignore[union-attr]
    # Targets, families, drugs and classes as users name them -> the graph's spelling.
    for n, p in params.items():
        if p.type == "string":  # type: ignore[union-attr]
            terms[n] = typed_term(p, resolve_parameter(n, given[n], store))  # type: ignore[arg-type]
    return {params[n].variable: terms[n] for n in given}  # type: ignore[union-attr]

def typed_term(param: Param, raw: str) -> Term:
    """The RDF term for a raw command-line value of a typed parameter."""
    value = raw.strip() if param.type != "string" else raw
    if param.type == "string":
        return ox.Literal(fold_value(value, param.fold))
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", value):
            raise UsageError(f"expected an integer, got {raw!r}", field=param.name)
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
    if param.type == "decimal":
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", value):
            raise UsageError(f"expected a decimal number, got {raw!r}", field=param.name)
        text = format(number, "f")
        return ox.Literal(text if "." in text else text + ".0", datatype=ox.NamedNode(XSD + "decimal"))
    # iri
    if not _IRI_SCHEME.match(value) or _IRI_FORBIDDEN.search(value):
        raise UsageError(f"expected an absolute IRI without spaces or <>\"{{}}|^`\\, got {raw!r}", field=param.name)
    try:
        return ox.NamedNode(value)
    except ValueError as exc:
        raise UsageError(f"not a valid IRI: {exc}", field=param.name) from exc

_PLACE_SMALL_WORDS = frozenset({"of", "and", "the"})

_PLACE_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")

def fold_value(value: str, fold: str | None) -> str:
    """A string parameter's value in the form the store keeps (see ``FOLDINGS``)."""
    if fold == "upper":
        return value.upper()
    if fold == "lower":
        return value.lower()
    if fold == "place":
        return _place_case(value)
    return value

def _place_case(value: str) -> str:
    """ClinicalTrials.gov's capitalisation of a place name typed all in one case.

    Every word is capitalised, except "of", "and", "the" inside a part (after a comma
    they start the part again: "Congo, The Democratic Republic of the"); a one-letter
    elision capitalises what follows ("Côte D'Ivoire").
    """
    if value != value.lower() and value != value.upper():
        return value  # mixed case: the user's own spelling
    out: list[str] = []
    position = 0
    part_start = True
    for m in _PLACE_WORD.finditer(value):
        between = value[position:m.start()]
        out.append(between)
        if "," in between:
            part_start = True
        word = m.group().lower()
        if word in _PLACE_SMALL_WORDS and not part_start:
            out.append(word)
        else:
            head, _, tail = word.partition("'")
            if tail and len(head) == 1:
                out.append(f"{head.upper()}'{tail.capitalize()}")
            else:
                out.append(word.capitalize())
        part_start = False
        position = m.end()
    out.append(value[position:])
    return "".join(out)

_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}

def sparql_term(term: Term) -> str:
    """A term as SPARQL text for a ``VALUES`` block: IRIs checked, literals escaped.

    Literal text is written with SPARQL's string escapes (``\\"``, ``\\\\``, ``\\n`` ...)
    inside double quotes, so no value can close the string and add syntax.
    """
    if isinstance(term, ox.NamedNode):
        if _IRI_FORBIDDEN.search(term.value):
            raise UsageError(f"IRI {term.value!r} contains characters SPARQL does not allow")
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        body = '"' + _escape_string(term.value) + '"'
        if term.language:
            if not re.fullmatch(r"[A-Za-z]+(-[A-Za-z0-9]+)*", term.language):
                raise UsageError(f"bad language tag {term.language!r}")
            return f"{body}@{term.language}"
        if term.datatype.value == XSD_STRING:
            return body
        return f"{body}^^{sparql_term(term.datatype)}"
    raise UsageError(f"cannot bind a {type(term).__name__} as a query parameter")

def _escape_string(value: str) -> str:
    r"""SPARQL string escapes; a ``u``/``U`` after a backslash is written ``\U00000075``.

    Some parsers (rdflib, and the spec's own wording) decode ``\uXXXX`` before
    tokenising, which would turn the escaped text ``\\u0022`` back into a quote;
    escaping the ``u`` itself leaves no ``\u`` sequence to decode wrongly.
    """
    out: list[str] = []
    previous = ""
    for ch in value:
        if previous == "\\" and ch in "uU":
            # the 8-digit form: a 4-digit one could run on into hex digits that follow
            out.append("\\U00000075" if ch == "u" else "\\U00000055")
        else:
            out.append(_ECHAR.get(ch, ch))
        previous = ch
    return "".join(out)

def with_values(text: str, bindings: Mapping[str, Term]) -> str:
    """The query text with every ``#@values`` marker line replaced by the VALUES block."""
    if not bindings:
        return text
    if not MARKER_LINE.search(text):
        raise QueryError(f"cannot bind parameters remotely: the query has no '{VALUES_MARKER}' line")
    names = list(bindings)
    block = "VALUES (" + " ".join("?" + n for n in names) + ") { (" + " ".join(sparql_term(bindings[n]) for n in names) + ") }"
    return MARKER_LINE.sub(lambda m: "  " + block, text)
