"""Stored SPARQL queries: load them, bind their parameters, run them locally or remotely.

A stored query is a ``queries/<name>.rq`` file (shipped in the wheel) whose leading
comment block declares what it does and what it takes::

    # title: Trials by target
    # description: Trials whose drugs act on a protein target or target family.
    #   Continuation lines are indented.
    # params:
    #   target (string, required): HGNC symbol (KDR) or family key (VEGFR)
    # example: trialkg query trials-by-target -p target VEGFR

Parameter ``NAME`` is the query variable ``?param_NAME``; values are bound, never
pasted into the text. Locally they go through pyoxigraph ``substitutions`` (which
requires ``?param_NAME`` in the SELECT projection); for a remote endpoint, a ``VALUES``
block built by ``sparql_term`` replaces each marker line ``#@values``. Put a marker
first inside every group whose FILTERs use a parameter (the top-level ``WHERE``, and
each sub-select that uses one, which then projects it) so both ways give the same rows. An optional
parameter that is not given stays unbound: test it with ``COALESCE``, never ``BOUND``
(pyoxigraph substitutes the variable by a constant, and ``BOUND(constant)`` is false).
``param_*`` columns are hidden from results.

A string parameter may name a folding as a third item, ``NAME (string, required, upper):``,
so that the query can match the stored value exactly through an index instead of
case-folding every candidate in a FILTER (which scans the whole trial set):

- ``upper``: upper case, for HGNC gene symbols and target-family keys (``kdr`` -> ``KDR``);
- ``lower``: lower case, for criteria variables and drug-class keys (``ALT`` -> ``alt``);
- ``place``: a place name written as ClinicalTrials.gov writes it when the value is all
  one case (``CHINA`` -> ``China``, ``korea, republic of`` -> ``Korea, Republic of``);
  a value in mixed case is taken as the exact spelling (``Aix-en-Provence``).

The folding is applied when the value is bound, so it is the same locally and remotely.
Oxigraph applies a FILTER that reads a parameter only after the whole block around it is
joined (it does not see the substituted variable as bound), so compare parameters in a
triple pattern, or in a FILTER inside a small sub-select (drug and class names).
An optional parameter used in a triple pattern (``?site tkg:country ?param_country``)
needs no FILTER at all: left unbound, the pattern matches every value.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from trialkg import http
from trialkg.errors import QueryError, RemoteError, UsageError
from trialkg.knowledge.resolve import resolve_parameter
from trialkg.resources import query_dir
from trialkg.terms import term_value

PARAM_TYPES = ("string", "integer", "decimal", "iri")
FOLDINGS = ("upper", "lower", "place")
PARAM_PREFIX = "param_"
VALUES_MARKER = "#@values"
HEADER_KEYS = ("title", "description", "params", "example")

XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = XSD + "string"

_NAME_RE = re.compile(r"^[a-z][a-z0-9-]*$")
_HEADER_LINE = re.compile(r"^#\s?(?P<key>[A-Za-z_]+):\s*(?P<value>.*)$")
_PARAM_LINE = re.compile(
    r"^(?P<name>[A-Za-z][A-Za-z0-9_]*)\s*\(\s*(?P<type>[a-z]+)\s*,\s*(?P<req>required|optional)"
    r"(?:\s*,\s*(?P<fold>[a-z]+))?\s*\)"
    r"\s*:\s*(?P<desc>.+)$"
)
_MARKER_LINE = re.compile(r"^[ \t]*" + re.escape(VALUES_MARKER) + r"[ \t]*$", re.MULTILINE)
# Characters SPARQL's IRIREF production forbids (plus controls and space).
_IRI_FORBIDDEN = re.compile(r'[<>"{}|^`\\\x00-\x20]')
_IRI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")

Term = ox.NamedNode | ox.Literal | ox.BlankNode


@dataclass(frozen=True)
class Param:
    """One declared parameter: ``name (type, required|optional): description``."""

    name: str
    type: str
    required: bool
    description: str
    fold: str | None = None

    @property
    def variable(self) -> str:
        return PARAM_PREFIX + self.name

    def signature(self) -> str:
        return f"{self.name} ({self.type}, {'required' if self.required else 'optional'})"


@dataclass(frozen=True)
class StoredQuery:
    """A SPARQL query with its header: what ``trialkg queries`` lists and ``query`` runs."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    source: str
    examples: tuple[str, ...] = field(default=())

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


# -- loading -------------------------------------------------------------------------


def parse_query(text: str, *, name: str, source: str) -> StoredQuery:
    """Read the header of a query text; a malformed header is a ``QueryError``."""
    title = description = ""
    params: list[Param] = []
    examples: list[str] = []
    current: str | None = None
    seen: set[str] = set()
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip():
            current = None
            continue
        if not line.startswith("#"):
            break  # the header ends at the first line of SPARQL
        m = _HEADER_LINE.match(line)
        if m and not line.startswith("#  "):
            key, value = m.group("key").lower(), m.group("value").strip()
            if key not in HEADER_KEYS:  # a free comment such as '# Note: ...'
                current = None
                continue
            if key in seen and key != "example":
                raise QueryError(f"line {lineno}: header key {key!r} given twice", file=source, field=key)
            seen.add(key)
            current = key
            if key == "title":
                title = value
            elif key == "description":
                description = value
            elif key == "example":
                examples.append(value)
            elif key == "params" and value and value.lower() not in ("none", "-"):
                raise QueryError(f"line {lineno}: write each parameter on its own line under '# params:'", file=source, field="params")
            continue
        body = line[1:].strip()
        if current == "description" and line.startswith("#  "):
            description = f"{description} {body}".strip()
        elif current == "params" and body:
            pm = _PARAM_LINE.match(body)
            if pm is None:
                raise QueryError(
                    f"line {lineno}: bad parameter line {body!r}; expected 'NAME (TYPE, required|optional): description'",
                    file=source, field="params",
                )
            ptype = pm.group("type")
            if ptype not in PARAM_TYPES:
                raise QueryError(f"line {lineno}: parameter type {ptype!r} is not one of {', '.join(PARAM_TYPES)}", file=source, field="params")
            fold = pm.group("fold")
            if fold is not None and (ptype != "string" or fold not in FOLDINGS):
                raise QueryError(f"line {lineno}: folding {fold!r} is not one of {', '.join(FOLDINGS)} on a string parameter", file=source, field="params")
            if any(p.name == pm.group("name") for p in params):
                raise QueryError(f"line {lineno}: parameter {pm.group('name')!r} declared twice", file=source, field="params")
            params.append(Param(pm.group("name"), ptype, pm.group("req") == "required", pm.group("desc").strip(), fold))
        elif current == "example" and line.startswith("#  "):
            examples[-1] = f"{examples[-1]} {body}"
        else:
            current = None  # a free comment line ends the header section
    query = StoredQuery(name, title or name, description, tuple(params), text, source, tuple(examples))
    _check_params_used(query)
    return query


def _check_params_used(query: StoredQuery) -> None:
    """Catch header/body mismatches when the query is loaded, not when a user runs it."""
    if query.params and not _MARKER_LINE.search(query.text):
        raise QueryError(f"a query with parameters needs a '{VALUES_MARKER}' line inside its WHERE clause", file=query.source)
    for p in query.params:
        if not re.search(r"[?$]" + re.escape(p.variable) + r"\b", query.text):
            raise QueryError(f"parameter {p.name!r} is declared but ?{p.variable} is not used", file=query.source, field=p.name)
        if re.search(r"BOUND\s*\(\s*[?$]" + re.escape(p.variable) + r"\b", query.text, re.IGNORECASE):
            raise QueryError(f"use COALESCE, not BOUND, to test whether ?{p.variable} is given", file=query.source, field=p.name)


def stored_query_names() -> list[str]:
    return sorted(e.name[:-3] for e in query_dir().iterdir() if e.name.endswith(".rq"))


def get_stored_query(name: str) -> StoredQuery:
    entry = query_dir().joinpath(f"{name}.rq")
    if not _NAME_RE.match(name) or not entry.is_file():
        raise UsageError(f"no stored query named {name!r}{_suggest(name)} (see 'trialkg queries')", field="query")
    return parse_query(entry.read_text(encoding="utf-8"), name=name, source=f"queries/{name}.rq")


def stored_queries() -> list[StoredQuery]:
    return [get_stored_query(n) for n in stored_query_names()]


def load_query(name_or_file: str, stdin: IO[str] | None = None) -> StoredQuery:
    """A stored query by name, an ``.rq`` file by path, or ``-`` for the query on stdin."""
    if name_or_file == "-":
        if stdin is None:
            import sys

            stdin = sys.stdin
        return parse_query(stdin.read(), name="-", source="<stdin>")
    if _NAME_RE.match(name_or_file) and query_dir().joinpath(f"{name_or_file}.rq").is_file():
        return get_stored_query(name_or_file)
    path = Path(name_or_file)
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read the query file: {exc}", file=name_or_file) from exc
        return parse_query(text, name=path.stem, source=name_or_file)
    raise UsageError(f"no stored query or file named {name_or_file!r}{_suggest(name_or_file)} (see 'trialkg queries')", field="query")


def _suggest(name: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, stored_query_names(), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


# -- binding -------------------------------------------------------------------------


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
        if term.datatype.value == _XSD_STRING:
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
    if not _MARKER_LINE.search(text):
        raise QueryError(f"cannot bind parameters remotely: the query has no '{VALUES_MARKER}' line")
    names = list(bindings)
    block = "VALUES (" + " ".join("?" + n for n in names) + ") { (" + " ".join(sparql_term(bindings[n]) for n in names) + ") }"
    return _MARKER_LINE.sub(lambda m: "  " + block, text)


# -- results -------------------------------------------------------------------------


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


def term_text(term: Term | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value


def _visible(columns: Sequence[str]) -> list[int]:
    return [i for i, c in enumerate(columns) if not c.startswith(PARAM_PREFIX)]


def _table(columns: Sequence[str], rows: Iterable[Sequence[Term | None]], limit: int | None) -> ResultTable:
    keep = _visible(columns)
    if limit is not None:
        rows = itertools.islice(rows, limit)
    return ResultTable([columns[i] for i in keep], [tuple(r[i] for i in keep) for r in rows])


# -- running ---------------------------------------------------------------------------


def run_local(query: StoredQuery, bindings: Mapping[str, Term], store: Any, *, limit: int | None = None) -> ResultTable:
    """Run on the embedded store (a ``TrialStore``) over the union of all graphs."""
    stream = stream_local(query, bindings, store, limit=limit)
    return ResultTable(stream.columns, list(stream.rows))


@dataclass
class ResultStream:
    """Rows of RDF terms as the engine produces them (an iterator, read once)."""

    columns: list[str]
    rows: Iterator[tuple[Term | None, ...]]

    def records(self) -> Iterator[dict[str, Any]]:
        return ({c: term_value(v) for c, v in zip(self.columns, row, strict=True)} for row in self.rows)

    def text_records(self) -> Iterator[dict[str, str | None]]:
        return ({c: term_text(v) for c, v in zip(self.columns, row, strict=True)} for row in self.rows)


def stream_local(query: StoredQuery, bindings: Mapping[str, Term], store: Any, *, limit: int | None = None,
                 offset: int = 0, ordered: bool = True) -> ResultStream:
    """Run on the embedded store and hand the rows on as the engine finds them.

    ``ordered=False`` drops the query's top-level ORDER BY (``unordered``), so the first
    rows come before the whole answer is computed; ``offset`` and ``limit`` then cut the
    rows in the engine's order, the same on every run over the same store, so pages do
    not overlap and together give the whole answer.
    """
    text = query.text if ordered else unordered(query.text)
    try:
        result = store.query(text, dict(bindings))
    except QueryError as exc:
        raise exc.located(file=query.source) from None
    except RuntimeError as exc:  # e.g. a substituted variable missing from the projection
        raise QueryError(str(exc), file=query.source) from exc
    except OSError as exc:
        raise QueryError(f"the store failed: {exc}", file=query.source) from exc
    columns, rows = _solution_rows(result)
    keep = _visible(columns)
    stop = None if limit is None else offset + limit
    page = itertools.islice(rows, offset, stop)
    return ResultStream([columns[i] for i in keep], _guarded((tuple(r[i] for i in keep) for r in page), query.source))


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
    return _table(columns, _guarded(iter(rows), source), limit)


def _guarded(rows: Iterator[tuple[Term | None, ...]], source: str) -> Iterator[tuple[Term | None, ...]]:
    """Evaluation errors surface while rows are read: report them as a ``QueryError``."""
    try:
        yield from rows
    except (OSError, RuntimeError) as exc:
        raise QueryError(f"query evaluation failed: {exc}", file=source) from exc


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


def safe_url(url: str) -> str:
    """The URL without ``user:password@`` or secret query parameters, for messages."""
    return http.safe_url(url)


_QUERY_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_TAIL_LIMIT = re.compile(r"\b(LIMIT|OFFSET)\s+\d+(\s+(LIMIT|OFFSET)\s+\d+)?\s*$", re.IGNORECASE)
_TAIL_VALUES = re.compile(r"\bVALUES\b[^{}]*\{[^{}]*\}\s*$", re.IGNORECASE)


def _strip_comments(text: str) -> str:
    """Drop whole-line comments (enough to find the query form and its tail)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)
_STRINGS = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>')


def uses_service(text: str) -> bool:
    """Whether the query has a SERVICE clause (outside comments, strings and IRIs)."""
    return bool(_SERVICE.search(_STRINGS.sub(" ", _strip_comments(text))))


def query_form(text: str) -> str:
    m = _QUERY_FORM.search(_strip_comments(text))
    return m.group(1).upper() if m else "SELECT"


def with_limit(text: str, limit: int | None) -> str:
    """Append ``LIMIT n`` when the query has no LIMIT/OFFSET or trailing VALUES of its own."""
    if limit is None or query_form(text) not in ("SELECT", "CONSTRUCT", "DESCRIBE"):
        return text
    tail = _strip_comments(text).rstrip()
    if _TAIL_LIMIT.search(tail) or _TAIL_VALUES.search(tail):
        return text  # rows are cut client-side instead
    return f"{text.rstrip()}\nLIMIT {limit}\n"


def run_remote(
    query: StoredQuery,
    bindings: Mapping[str, Term],
    endpoint: str,
    *,
    limit: int | None = None,
    user: str | None = None,
    password: str | None = None,
    timeout: float = 60.0,
) -> ResultTable:
    """Run on a SPARQL 1.1 endpoint (POST, JSON or Turtle results) through ``trialkg.http``:
    ``timeout`` bounds the whole request, the answer is size-capped, credentials go to
    HTTP basic auth and never into a message.

    Parameters go in as a VALUES block. A SELECT with no rows on a server whose default
    graph is empty while its named graphs hold data (Oxigraph without
    ``--union-default-graph``) is an error that says so, not "0 rows".
    """
    http.check_url(endpoint)
    where = safe_url(endpoint)
    text = with_limit(with_values(query.text, bindings), limit)
    form = query_form(text)
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    client = http.HttpClient(timeout=timeout, user=user, password=password, agent="trialkg-query")
    try:
        body = _post_query(client, endpoint, text, graph_form, query.source)
        if graph_form:
            try:
                triples = [(t.subject, t.predicate, t.object) for t in ox.parse(body, ox.RdfFormat.TURTLE)]
            except SyntaxError as exc:
                raise RemoteError(f"{where} sent RDF that does not parse: {exc}", file=query.source) from None
            table = _table(["subject", "predicate", "object"], triples, limit)
        else:
            table = parse_json_results(body, limit=limit, source=where)
        if not table.rows and form == "SELECT" and _named_graphs_only(client, endpoint, query.source):
            raise RemoteError(
                f"{where} answered no rows, and its default graph is empty while its named graphs hold data: "
                "trialkg stores one named graph per trial, so the server must query their union "
                "(start Oxigraph with 'serve --union-default-graph'; Fuseki: tdb:unionDefaultGraph true)",
                file=query.source)
        return table
    finally:
        client.close()


def _post_query(client: http.HttpClient, endpoint: str, text: str, graph_form: bool, source: str) -> bytes:
    accept = "text/turtle" if graph_form else "application/sparql-results+json"
    try:
        r = client.request("POST", endpoint, data={"query": text}, headers={"Accept": accept})
    except RemoteError as exc:
        raise exc.located(file=source) from None
    if r.status >= 400:
        detail = r.detail()
        verb = "refused the query" if r.status < 500 else "failed"
        raise RemoteError(f"{safe_url(endpoint)} {verb} (HTTP {r.status} {r.reason}){': ' + detail if detail else ''}",
                          file=source)
    return r.body


def _named_graphs_only(client: http.HttpClient, endpoint: str, source: str) -> bool:
    """The default graph is empty and some named graph is not."""
    asks = []
    for probe in ("ASK { ?s ?p ?o }", "ASK { GRAPH ?g { ?s ?p ?o } }"):
        table = parse_json_results(_post_query(client, endpoint, probe, False, source), source=endpoint)
        asks.append(bool(table.rows and term_value(table.rows[0][0])))
    return not asks[0] and asks[1]


def parse_json_results(body: bytes | str, *, limit: int | None = None, source: str = "endpoint") -> ResultTable:
    """SPARQL 1.1 Query Results JSON to a ``ResultTable`` of pyoxigraph terms."""
    try:
        doc = json.loads(body)
    except ValueError as exc:
        snippet = _decode(body if isinstance(body, bytes) else body.encode())[:200]
        raise RemoteError(f"expected SPARQL JSON results, got: {snippet!r}", file=source) from exc
    if "boolean" in doc:
        return ResultTable(["ask"], [(ox.Literal(bool(doc["boolean"])),)])
    try:
        columns = list(doc["head"]["vars"])
        rows = ([_json_term(b.get(c)) for c in columns] for b in doc["results"]["bindings"])
        return _table(columns, rows, limit)
    except (KeyError, TypeError, ValueError) as exc:
        raise RemoteError(f"malformed SPARQL JSON results: {exc}", file=source) from exc


def _json_term(binding: Mapping[str, str] | None) -> Term | None:
    if binding is None:
        return None
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in binding:
            return ox.Literal(value, language=binding["xml:lang"])
        if "datatype" in binding:
            return ox.Literal(value, datatype=ox.NamedNode(binding["datatype"]))
        return ox.Literal(value)
    raise ValueError(f"unknown term type {kind!r}")


def _decode(raw: bytes) -> str:
    return " ".join(raw.decode("utf-8", errors="replace").split())[:500]
