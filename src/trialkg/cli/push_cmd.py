"""``trialkg push``: send the store to a SPARQL 1.1 store, one named graph per trial."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from trialkg.cli.output import emit_rows, format_option, is_quiet, log, resolve_format, store_option

if TYPE_CHECKING:  # heavy imports stay inside the command so --help is instant
    from trialkg.push import GraphPlan, PushOptions, PushSummary, RemoteStore
    from trialkg.store import TrialStore


@click.command(name="push")
@click.option("--endpoint", required=True, metavar="URL", help="SPARQL query endpoint (also used for --verify).")
@click.option("--update", "update_url", metavar="URL", help="SPARQL Update endpoint (default: --endpoint, with /query -> /update).")
@click.option("--graph-store", metavar="URL", help="Graph Store HTTP Protocol endpoint: new graphs go there as N-Quads.")
@click.option("--user", metavar="U", help="User name (HTTP basic, or digest when the server asks for it).")
@click.option("--password", metavar="P", envvar="TRIALKG_PASSWORD", help="Password [env TRIALKG_PASSWORD].")
@click.option("--token", metavar="T", envvar="TRIALKG_TOKEN", help="Bearer token [env TRIALKG_TOKEN].")
@click.option("--trial", "trials", multiple=True, metavar="ID", help="Push only this trial's graph (repeatable).")
@click.option("--dry-run", is_flag=True, help="Print what would be sent (one row per graph); send nothing.")
@click.option("--verify", is_flag=True, help="Compare per-graph triple counts on the server with the store (after pushing; alone with --dry-run).")
@click.option("--batch-size", type=int, default=20_000, show_default=True, help="Triples per request at most (a larger graph is staged, then moved in).")
@click.option("--mode", type=click.Choice(["auto", "update", "stage", "put"]), default="auto", show_default=True,
              help="auto: N-Quads POST for new graphs, SPARQL Update for the rest; update: SPARQL Update only; "
                   "stage: Graph Store PUT into staging graphs, then MOVE (Virtuoso); put: Graph Store PUT per graph (not atomic on Oxigraph).")
@click.option("--retries", type=int, default=5, show_default=True, help="Attempts per request on 5xx and connection errors.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=300.0, show_default=True,
              help="Seconds one request may take in all (connect, send, answer), per attempt.")
@store_option
@format_option()
def push(
    endpoint: str, update_url: str | None, graph_store: str | None,
    user: str | None, password: str | None, token: str | None,
    trials: tuple[str, ...], dry_run: bool, verify: bool,
    batch_size: int, mode: str, retries: int, timeout: float,
    store_path: str | None, fmt: str | None,
) -> None:
    """Send every trial graph, plus the reference and ontology graphs, to a SPARQL 1.1
    store, replacing each graph there. Safe to repeat; a push interrupted at any point
    leaves every trial graph either the old or the new version (docs/loading.md).

    \b
    Oxigraph:  --endpoint http://HOST:7878/query --graph-store http://HOST:7878/store
    Fuseki:    --endpoint http://HOST:3030/ds/query --graph-store http://HOST:3030/ds/data
    Virtuoso:  --endpoint http://HOST:8890/sparql-auth --graph-store http://HOST:8890/sparql-graph-crud-auth
               --mode stage --user dba --password ...
    GraphDB:   --endpoint http://HOST:7200/repositories/R --update http://HOST:7200/repositories/R/statements

    Exit codes: 0 pushed (and verified); 1 --verify found differences; 2 error.
    """
    from trialkg import push as pushing
    from trialkg.store import TrialStore

    options = pushing.PushOptions(
        endpoint=endpoint,
        update=update_url,
        graph_store=graph_store,
        credentials=pushing.Credentials(user=user, password=password if user else None, token=token),
        trials=trials,
        batch_size=batch_size,
        mode=mode,
        retries=retries,
        timeout=timeout,
    )
    store = TrialStore(store_path, read_only=True)
    fmt = resolve_format(fmt)
    remote = pushing.RemoteStore(options)
    try:
        if not dry_run:
            plans = pushing.plan(store, options, remote)
            summary = _send(store, options, remote, plans)
            log(
                f"pushed {summary.graphs} graphs, {summary.triples} triples in {summary.seconds:.1f} s "
                f"({summary.rate:,.0f} triples/s, {summary.requests} requests) to {pushing.redact(options.update_url if mode != 'put' else graph_store or '')}"
            )
        elif not verify:
            _dry_run(store, options, remote, fmt)
        if verify and not _verify(store, options, remote, fmt):
            sys.exit(1)
    finally:
        remote.close()


def _dry_run(store: TrialStore, options: PushOptions, remote: RemoteStore, fmt: str) -> None:
    """One row per graph: what would be sent and how."""
    from trialkg import push as pushing

    plans = pushing.plan(store, options, remote)
    rows = [{"graph": p.iri, "triples": p.triples, "method": p.method} for p in plans]
    emit_rows(rows, ["graph", "triples", "method"], fmt)
    log(f"dry run: {len(plans)} graphs, {sum(p.triples for p in plans)} triples would be sent; nothing sent")


def _verify(store: TrialStore, options: PushOptions, remote: RemoteStore, fmt: str) -> bool:
    """Per-graph counts, local and remote; whether they all agree."""
    from trialkg import push as pushing

    counts = pushing.verify(store, options, remote=remote)
    bad = [c for c in counts if not c.ok]
    rows = [{"graph": c.graph, "local": c.local, "remote": c.remote, "ok": c.ok} for c in counts]
    emit_rows(rows, ["graph", "local", "remote", "ok"], fmt)
    log(f"verify: {len(counts)} graphs compared, {len(bad)} differ")
    return not bad


def _send(store: TrialStore, options: PushOptions, remote: RemoteStore, plans: list[GraphPlan]) -> PushSummary:
    """Push with a progress bar on stderr (silenced by --quiet)."""
    from tqdm import tqdm

    from trialkg import push as pushing

    total = sum(p.triples for p in plans)
    with tqdm(total=total, unit="triples", unit_scale=True, file=sys.stderr, disable=is_quiet(), desc="push") as bar:
        return pushing.push(store, options, progress=bar.update, remote=remote, plans=plans)
