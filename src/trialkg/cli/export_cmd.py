"""``trialkg export``: the whole graph as RDF (quad formats keep the named graphs)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from trialkg.cli.output import log, store_option
from trialkg.errors import UsageError

FORMAT_NAMES = ("turtle", "ntriples", "nquads", "trig", "jsonld")


@click.command(name="export")
@store_option
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), default="trig", show_default=True,
              help="nquads/trig/jsonld keep one named graph per trial; turtle/ntriples give the union.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="Output file (default: stdout).")
def export(store_path: str | None, fmt: str, output: str) -> None:
    """Export the whole graph as RDF."""
    from trialkg.export import export as run_export
    from trialkg.store import TrialStore

    store = TrialStore(store_path, read_only=True)
    if output == "-":
        n = run_export(store, fmt, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        try:
            open(output, "wb").close()  # an unwritable path is a usage error before any work
        except OSError as exc:
            raise UsageError(f"cannot write the output file: {exc.strerror or exc}", file=output) from None
        n = run_export(store, fmt, Path(output))
    log(f"trialkg: exported {n} statements as {fmt} to {output if output != '-' else 'stdout'}")
