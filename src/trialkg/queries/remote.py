"""Running on a SPARQL 1.1 endpoint through ``trialkg.http``: parameters as a VALUES
block, a LIMIT appended, SPARQL JSON and Turtle answers read into a ``ResultTable``."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping

import pyoxigraph as ox

from trialkg import http
from trialkg.errors import RemoteError
from trialkg.queries.binding import with_values
from trialkg.queries.catalogue import StoredQuery, query_form, strip_comments
from trialkg.queries.local import unordered
from trialkg.queries.results import PARAM_PREFIX, ResultStream, ResultTable, Term, result_table
from trialkg.terms import term_value

safe_url = http.safe_url  # the URL without credentials or secret query parameters, for messages


_TAIL_LIMIT = re.compile(r"\b(LIMIT|OFFSET)\s+\d+(\s+(LIMIT|OFFSET)\s+\d+)?\s*$", re.IGNORECASE)

_TAIL_VALUES = re.compile(r"\bVALUES\b[^{}]*\{[^{}]*\}\s*$", re.IGNORECASE)

def with_limit(text: str, limit: int | None) -> str:
    """Append ``LIMIT n`` when the query has no LIMIT/OFFSET or trailing VALUES of its own."""
    if limit is None or query_form(text) not in ("SELECT", "CONSTRUCT", "DESCRIBE"):
        return text
    tail = strip_comments(text).rstrip()
    if _TAIL_LIMIT.search(tail) or _TAIL_VALUES.search(tail):
        return text  # rows are cut client-side instead
    return f"{text.rstrip()}\nLIMIT {limit}\n"

_SELECT_LINE = re.compile(r"^[ \t]*SELECT\b.*$", re.IGNORECASE | re.MULTILINE)

_FLAT_PROJECTION = re.compile(r"^([ \t]*SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?)((?:\?\w+[ \t]*)+)$", re.IGNORECASE)

def without_param_columns(text: str) -> str:
    """The query with its ``?param_*`` columns dropped from the top-level projection.

    Parameter columns are hidden from users (``visible_columns``) and, bound by one
    VALUES row, they are constants: dropping them changes neither DISTINCT nor the rows.
    An endpoint then neither sends them with every row nor sorts them: Virtuoso 7 fails
    an unbounded ORDER BY over a projected xsd:decimal constant ("SR128 Numeric value
    out of range", trials-for-patient with ``-p age 45``). Only the first SELECT line is
    touched (the top level comes first), and only when it lists plain variables.
    """
    line = _SELECT_LINE.search(text)
    flat = _FLAT_PROJECTION.match(line.group(0)) if line else None
    if line is None or flat is None:
        return text
    names = flat.group(2).split()
    kept = [n for n in names if not n[1:].startswith(PARAM_PREFIX)]
    if not kept or len(kept) == len(names):
        return text
    return text[:line.start()] + flat.group(1) + " ".join(kept) + text[line.end():]

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

    Parameters go in as a VALUES block; the hidden parameter columns are not asked for
    (``without_param_columns``). A SELECT with no rows on a server whose default
    graph is empty while its named graphs hold data (Oxigraph without
    ``--union-default-graph``) is an error that says so, not "0 rows".
    """
    http.check_url(endpoint)
    where = safe_url(endpoint)
    text = with_limit(with_values(without_param_columns(query.text), bindings), limit)
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
            table = result_table(["subject", "predicate", "object"], triples, limit)
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

def stream_remote(query: StoredQuery, bindings: Mapping[str, Term], endpoint: str, *, limit: int | None = None,
                  offset: int = 0, ordered: bool = True, user: str | None = None, password: str | None = None,
                  timeout: float = 60.0) -> ResultStream:
    """``run_remote`` as ``stream_local`` pages: ``ordered=False`` drops the top-level
    ORDER BY (``unordered``), the server is asked for ``offset + limit`` rows and the
    first ``offset`` are skipped here."""
    sent = query if ordered else dataclasses.replace(query, text=unordered(query.text))
    table = run_remote(sent, bindings, endpoint, limit=None if limit is None else offset + limit,
                       user=user, password=password, timeout=timeout)
    return ResultStream(table.columns, iter(table.rows[offset:]))


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
        return result_table(columns, rows, limit)
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
