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
@click.option("--limit", type=click.IntRange(min=0), default=None, help="Print at most N rows.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
              help="Seconds to wait for a remote endpoint.")
@click.option("--user", envvar="TRIALKG_SPARQL_USER", default=None, help="User for HTTP basic auth (env TRIALKG_SPARQL_USER).")
@click.option("--password", envvar="TRIALKG_SPARQL_PASSWORD", default=None,
              help="Password for HTTP basic auth (env TRIALKG_SPARQL_PASSWORD; prompted if --user is given without it).")
@format_option()
@store_option
def query(
    name_or_file: str,
    params: tuple[tuple[str, str], ...],
    endpoint: str | None,
    limit: int | None,
    timeout: float,
    user: str | None,
    password: str | None,
    fmt: str | None,
    store_path: str | None,
) -> None:
    """Run a stored query (by name), an .rq file, or '-' (the query on stdin).

    \b
    Runs on the store over the union of all graphs, or with --endpoint on a remote
    SPARQL endpoint (the same query; parameters are sent as a VALUES block).
    --format json prints a list of row objects (jsonl: one per line): IRIs as strings, numbers as numbers,
    unbound values as null. An unknown or missing parameter is an error (exit 2).

    \b
    Examples:
      trialkg query trials-by-target -p target VEGFR
      trialkg query sites-by-country -p country China --format csv
      trialkg query trials-by-target -p target KDR --endpoint http://127.0.0.1:7878/query
    """
    from trialkg import queries as q

    fmt = resolve_format(fmt)
    stored = q.load_query(name_or_file, stdin=click.get_text_stream("stdin") if name_or_file == "-" else None)
    bindings = q.bind_params(stored, params)
    started = time.perf_counter()
    if endpoint:
        if user is not None and password is None:
            if not sys.stdin.isatty():
                raise click.UsageError("--user needs --password (or TRIALKG_SPARQL_PASSWORD)")
            password = click.prompt("Password", hide_input=True, err=True)
        table = q.run_remote(stored, bindings, endpoint, limit=limit, user=user, password=password, timeout=timeout)
    else:
        from trialkg.store import TrialStore

        table = q.run_local(stored, bindings, TrialStore(store_path, read_only=True), limit=limit)
    elapsed = time.perf_counter() - started
    rows = table.records() if fmt in ("json", "jsonl") else table.text_records()
    emit_rows(rows, table.columns, fmt)
    where = f" from {q.safe_url(endpoint)}" if endpoint else ""
    log(f"trialkg: {len(table.rows)} row{'s' if len(table.rows) != 1 else ''}{where} in {elapsed:.3f} s")
