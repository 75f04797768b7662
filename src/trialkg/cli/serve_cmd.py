"""``trialkg serve``: the local explorer and SPARQL endpoint (logic in ``trialkg.serve``)."""

from __future__ import annotations

import click

from trialkg.cli.output import store_option


@click.command("serve")
@store_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; the default answers this machine only.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="TCP port.")
@click.option("--query-timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds a /sparql query may run before it is stopped (503).")
@click.option("--sparql-workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Processes answering /sparql queries (each opens the store read-only).")
def serve(store_path: str | None, host: str, port: int, query_timeout: float, sparql_workers: int) -> None:
    """Serve the store read-only: pages to browse, search and match, and a SPARQL 1.1 endpoint.

    \b
    Pages: /  /search?q=  /trial/ID  /drug/NAME  /target/SYMBOL  /family/KEY
           /queries  /match  (every page also answers ?format=json)
    SPARQL 1.1 Protocol: /sparql (GET and POST; JSON, XML, CSV, TSV, Turtle,
    N-Triples, JSON-LD by Accept), read-only, union default graph as 'trialkg query'.

    \b
    Example:
      trialkg serve --port 8000
      trialkg query trials-by-target -p target KDR --endpoint http://127.0.0.1:8000/sparql
    """
    from trialkg.serve.app import run

    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"trialkg: warning: binding {host}: the store is readable by anyone who can reach this address",
                   err=True)
    run(store_path, host=host, port=port, workers=sparql_workers, query_timeout=query_timeout,
        echo=lambda line: click.echo(line, err=True))
