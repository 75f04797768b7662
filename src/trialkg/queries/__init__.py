"""Stored SPARQL queries: load them, bind their parameters, run them locally or remotely.

``catalogue`` (the stored queries and their headers), ``binding`` (parameters to RDF
terms and VALUES blocks), ``results`` (rows of terms), ``local`` (the embedded store:
streaming and paging) and ``remote`` (a SPARQL endpoint).

A stored query is a ``queries/<name>.rq`` file (shipped in the wheel) whose leading
comment block declares what it does and what it takes::

    # title: Trials by target
    # description: Trials whose drugs act on a protein target or target family.
    #   Continuation lines are indented.
    # params:
    #   target (string, required): HGNC symbol (KDR) or family key (VEGFR)
    # example: trialkg query trials-by-target -p target VEGFR

Parameter ``NAME`` is the query variable ``?param_NAME``; values are bound as terms,
never pasted into the text as strings: on the embedded store and on a remote endpoint
alike, a ``VALUES`` block built by ``sparql_term`` replaces each marker line
``#@values`` (oxigraph plans around a VALUES block; pyoxigraph ``substitutions`` of the
same values leave it planning for an unbound variable, many times slower). Put a
marker first inside every group that uses a parameter (the top-level ``WHERE``, and
each sub-select that uses one, which then projects it). An optional parameter that is
not given stays unbound: test it with ``COALESCE``, never ``BOUND``.
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

from trialkg.errors import QueryError, RemoteError, UsageError
from trialkg.queries.binding import bind_params, fold_value, sparql_term, typed_term, with_values
from trialkg.queries.catalogue import (
    FOLDINGS,
    HEADER_KEYS,
    PARAM_PREFIX,
    PARAM_TYPES,
    VALUES_MARKER,
    Param,
    StoredQuery,
    get_stored_query,
    load_query,
    parse_query,
    query_form,
    stored_queries,
    stored_query_names,
    uses_service,
)
from trialkg.queries.local import _solutions_table, count_local, run_local, stream_local, unordered
from trialkg.queries.remote import (
    parse_json_results,
    run_remote,
    safe_url,
    stream_remote,
    with_limit,
)
from trialkg.queries.results import XSD, ResultStream, ResultTable, Term, term_text

__all__ = [
    "FOLDINGS", "HEADER_KEYS", "PARAM_PREFIX", "PARAM_TYPES", "VALUES_MARKER", "XSD", "Param", "QueryError",
    "RemoteError", "ResultStream", "ResultTable", "StoredQuery", "Term", "UsageError", "_solutions_table",
    "bind_params", "count_local", "fold_value", "get_stored_query", "load_query", "parse_json_results",
    "parse_query", "query_form", "run_local", "run_remote", "safe_url", "sparql_term", "stored_queries",
    "stored_query_names", "stream_local", "stream_remote", "term_text", "typed_term", "unordered", "uses_service", "with_limit",
    "with_values",
]
