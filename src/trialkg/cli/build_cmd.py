"""``trialkg build SOURCE...``: read, normalise, parse criteria, map and write the store."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from trialkg.cli.output import (
    DOCUMENT_FORMATS,
    emit_document,
    format_option,
    is_quiet,
    resolve_format,
    store_option,
)
from trialkg.errors import printable

if TYPE_CHECKING:
    from trialkg.pipeline import BuildSummary

SHOWN_WARNINGS = 20


@click.command(name="build")
@click.argument("sources", nargs=-1, required=True)
@store_option
@click.option("--replace", is_flag=True, help="Start a fresh store (default: add or replace trials by id).")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes for normalise/criteria/map (0: one per CPU; "
                   "an input of up to 64 records is built in one process).")
@click.option("--bulk/--transactional", default=True, show_default=True,
              help="New trials go through the bulk loader (the default, crash-safe: an interrupted "
                   "build is found and redone by the next one), or every batch is one transaction.")
@format_option(DOCUMENT_FORMATS)
def build(sources: tuple[str, ...], store_path: str | None, replace: bool, jobs: int, bulk: bool,
          fmt: str | None) -> None:
    """Read SOURCE files, directories, zips or '-' and build them into the store.

    \b
    Prints a summary (trials, triples, warnings, rejected records) on stdout;
    progress on stderr. Exit 1 when records were rejected, 2 on bad input.
    """
    from trialkg.pipeline import build as run_build

    summary = run_build(list(sources), store_path=store_path, replace=replace, jobs=jobs, quiet=is_quiet(),
                        bulk=bulk)
    for r in summary.rejected:
        click.echo(f"trialkg: rejected: {r}", err=True)
    emit_document(summary.to_dict(), resolve_format(fmt), table=lambda: _summary_text(summary))
    if summary.rejected:
        sys.exit(1)


def _summary_text(summary: BuildSummary) -> str:
    """The build summary as aligned lines: trials, triples, warnings, rejected records."""
    lines = [
        f"store      {summary.store}",
        f"trials     {summary.trials}",
        f"triples    {summary.triples} in trial graphs, {summary.entity_triples} entities, "
        f"{summary.reference_triples} reference, {summary.ontology_triples} ontology "
        f"({summary.store_triples} in the store)",
        f"warnings   {len(summary.warnings)}",
    ]
    lines += [f"  warning: {printable(w)}" for w in summary.warnings[:SHOWN_WARNINGS]]
    if len(summary.warnings) > SHOWN_WARNINGS:
        lines.append(f"  ... {len(summary.warnings) - SHOWN_WARNINGS} more (--format json lists all)")
    lines.append(f"rejected   {len(summary.rejected)}")
    lines += [f"  rejected: {r}" for r in summary.rejected]
    return "\n".join(lines)
