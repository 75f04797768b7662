"""``trialkg queries`` and ``trialkg query``: list and run the stored SPARQL queries.

All logic lives in ``trialkg.queries``; this module only turns options into calls.
"""

from __future__ import annotations

import sys
import time

import click

from trialkg.cli.output import emit_rows, format_option, log, resolve_format, store_option


@click.command("queries")
@format_option()
def queries(fmt: str | None) -> None:
    """List the stored queries: name, title and parameters.

    \b
    Parameters read NAME (TYPE, required|optional); pass them to 'trialkg query'
    as -p NAME VALUE. With --format json, params is a list of objects.
    """
    from trialkg.queries import stored_queries

    fmt = resolve_format(fmt)
    rows = []
    for q in stored_queries():
        if fmt in ("json", "jsonl"):
            params = [{"name": p.name, "type": p.type, "required": p.required, "description": p.description} for p in q.params]
            rows.append({"name": q.name, "title": q.title, "params": params, "description": q.description})
        else:
            rows.append({"name": q.name, "title": q.title, "params": ", ".join(p.signature() for p in q.params)})
    emit_rows(rows, ["name", "title", "params", "description"] if fmt in ("json", "jsonl") else ["name", "title", "params"], fmt)


@click.command("query")
@click.argument("name_or_file")
@click.option("-p", "--param", "params", nargs=2, multiple=True, metavar="NAME VALUE",
              help="Bind a query parameter (repeatable).")
@click.option("--endpoint", metavar="URL", help="Run on this SPARQL 1.1 query endpoint instead of the store.")
@click.option("--limit", type=click.IntRange(min=0), default=None,
              help="Print at most N rows, in the engine's order (the query's ORDER BY is dropped unless --sorted).")
@click.option("--offset", type=click.IntRange(min=0), default=0,
              help="Skip the first N rows (the engine's order: the same on every run over the same store).")
@click.option("--sorted", "keep_order", is_flag=True,
              help="With --limit/--offset, keep the query's ORDER BY (the whole answer is sorted first).")
@click.option("--count", "count_only", is_flag=True, help="Print the number of rows only.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
              help="Seconds to wait for a remote endpoint.")
@click.option("--user", envvar="TRIALKG_SPARQL_USER", default=None, help="User for HTTP basic auth (env TRIALKG_SPARQL_USER).")
@click.option("--password", envvar="TRIALKG_SPARQL_PASSWORD", default=None,
              help="Password for HTTP basic auth (env TRIALKG_SPARQL_PASSWORD; prompted if --user is given without it).")
@click.option("--allow-service", is_flag=True,
              help="Let a local query's SERVICE clauses call the endpoints they name (refused otherwise).")
@format_option()
@store_option
def query(
    name_or_file: str, params: tuple[tuple[str, str], ...], endpoint: str | None,
    limit: int | None, offset: int, keep_order: bool, count_only: bool, timeout: float,
    user: str | None, password: str | None, allow_service: bool,
    fmt: str | None, store_path: str | None,
) -> None:
    """Run a stored query (by name), an .rq file, or '-' (the query on stdin).

    \b
    Runs on the store over the union of all graphs, or with --endpoint on a remote
    SPARQL endpoint (the same query; parameters are sent as a VALUES block).
    Rows are printed as the engine finds them. Without --limit/--offset the query's
    own ORDER BY holds (the whole answer is sorted before the first row); with them,
    rows come in the engine's order and the first page comes at once (queries that
    group keep their order). --count prints the number of rows.
    --format json prints a list of row objects (jsonl: one per line): IRIs as strings, numbers as numbers,
    unbound values as null. An unknown or missing parameter is an error (exit 2).

    \b
    Examples:
      trialkg query trials-by-target -p target VEGFR
      trialkg query trials-by-target -p target VEGFR --limit 100 --offset 100
      trialkg query sites-by-country -p country China --format csv
      trialkg query sites-by-country --count
      trialkg query trials-by-target -p target KDR --endpoint http://127.0.0.1:7878/query
    """
    from trialkg import queries as q

    fmt = resolve_format(fmt)
    stored = q.load_query(name_or_file, stdin=click.get_text_stream("stdin") if name_or_file == "-" else None)
    from trialkg.store import TrialStore

    if not endpoint and not allow_service and q.uses_service(stored.text):
        raise click.UsageError("the query has a SERVICE clause, which would send requests to another server; "
                               "add --allow-service to let it")
    store = None if endpoint else TrialStore(store_path, read_only=True)
    bindings = q.bind_params(stored, params, store=store)
    # --count needs no order; a page needs none unless --sorted asks for it.
    ordered = not count_only and (keep_order or (limit is None and offset == 0))
    started = time.perf_counter()
    if endpoint:
        if user is not None and password is None:
            if not sys.stdin.isatty():
                raise click.UsageError("--user needs --password (or TRIALKG_SPARQL_PASSWORD)")
            password = click.prompt("Password", hide_input=True, err=True)
        stream = q.stream_remote(stored, bindings, endpoint, limit=limit, offset=offset, ordered=ordered,
                                 user=user, password=password, timeout=timeout)
    else:
        stream = q.stream_local(stored, bindings, store, limit=limit, offset=offset, ordered=ordered)
    if count_only:
        n = sum(1 for _ in stream.rows)
        emit_rows([{"count": n}], ["count"], fmt)
    else:
        n = emit_rows(stream.records() if fmt in ("json", "jsonl") else stream.text_records(), stream.columns, fmt)
    elapsed = time.perf_counter() - started
    where = f" from {q.safe_url(endpoint)}" if endpoint else ""
    noun = ("row" if n == 1 else "rows") + (" counted" if count_only else "")
    log(f"trialkg: {n} {noun}{where} in {elapsed:.3f} s")
