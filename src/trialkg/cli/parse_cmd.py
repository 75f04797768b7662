"""``trialkg parse SOURCE...``: read records and print their trial views; no store.

Rejected records are reported one line each on stderr and the exit code is 1; the
other records are still printed. Warnings go to stderr unless ``--quiet``.
"""

from __future__ import annotations

import sys

import click

from trialkg.cli.output import emit_json, emit_jsonl, emit_rows, format_option, log, resolve_format

TABLE_COLUMNS = ("id", "nct_id", "title", "status", "phases", "enrollment", "format", "file")


@click.command(name="parse")
@click.argument("sources", nargs=-1, required=True)
@format_option()
@click.option("--warnings/--no-warnings", "show_warnings", default=True,
              help="Print the records' warnings on stderr.")
@click.pass_context
def parse(ctx: click.Context, sources: tuple[str, ...], fmt: str | None, show_warnings: bool) -> None:
    """Read SOURCE files, directories, .zip archives or - (stdin) and print each record.

    \b
    Formats read: ClinicalTrials.gov API v2 JSON (study, search page, JSON lines),
    classic XML, and the three text page layouts. Exit 1 if any record was rejected.
    """
    from trialkg.errors import InputError
    from trialkg.sources import iter_records
    from trialkg.trialview import record_view

    verbose = bool(ctx.obj and ctx.obj.get("verbose"))
    fmt = resolve_format(fmt)
    views = []
    rejected = 0
    for item in iter_records(sources):
        if isinstance(item, InputError):
            rejected += 1
            click.echo(f"trialkg: error: {item}", err=True)
            if verbose and item.__traceback__ is not None:
                import traceback

                traceback.print_exception(item, file=sys.stderr)
            continue
        if show_warnings:
            for w in item.warnings:
                log(f"trialkg: warning: {item.provenance.file} [{item.id}] {w.field}: {w.message}")
        views.append(record_view(item))
    if fmt == "json":
        emit_json(views)
    elif fmt == "jsonl":
        emit_jsonl(views)
    else:
        rows = [{"id": v["id"], "nct_id": v["nct_id"], "title": v["title"], "status": v["status"],
                 "phases": v["phases"], "enrollment": v["enrollment"], "format": v["source"]["format"],
                 "file": v["source"]["file"]} for v in views]
        emit_rows(rows, TABLE_COLUMNS, fmt)
    log(f"trialkg: {len(views)} record(s) read, {rejected} rejected")
    if rejected:
        ctx.exit(1)
