"""``trialkg validate``: SHACL-validate the store (exit 0 no violations, 1 violations, 2 error)."""

from __future__ import annotations

import sys

import click

from trialkg.cli.output import ROW_FORMATS, emit_rows, log, resolve_format, store_option

FINDING_COLUMNS = ("severity", "trial", "focus", "path", "component", "message", "value", "shape")


@click.command(name="validate")
@store_option
@click.option("--format", "fmt", type=click.Choice([*ROW_FORMATS, "turtle", "human"]), default=None,
              help="Report format: table (human: the same), json (the report), jsonl/csv/tsv (one row per "
                   "result), turtle (a sh:ValidationReport); default table on a terminal, json otherwise.")
@click.option("--trial", "trials", multiple=True, help="Validate only this trial id (repeatable).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Run the checks in this many processes.")
@click.option("--shapes", "shapes_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Validate against the shapes in this file (repeatable; Turtle or any RDF syntax rdflib "
                   "reads) instead of trialkg's own ontology/shapes.ttl.")
@click.option("--engine", type=click.Choice(["sparql", "pyshacl"]), default="sparql", show_default=True,
              help="sparql: the shapes compiled to SPARQL over the whole store (fast); "
                   "pyshacl: the reference engine, one trial graph at a time.")
def validate(store_path: str | None, fmt: str | None, trials: tuple[str, ...], jobs: int,
             shapes_files: tuple[str, ...], engine: str) -> None:
    """Validate the store with the SHACL shapes (ontology/shapes.ttl, or --shapes FILE).

    \b
    Prints focus node, path, message and trial for each result.
    Exit codes: 0 no violations (warnings and infos allowed), 1 violations,
    2 error (a shapes file that cannot be read, a shape the sparql engine refuses).
    The report's sh:conforms is SHACL's: false whenever there is any result.
    """
    from trialkg.errors import InputError
    from trialkg.shapes import load_shapes
    from trialkg.store import TrialStore
    from trialkg.validate import validate_store
    from trialkg.views import resolve_trial_id

    shapes = load_shapes(shapes_files) if shapes_files else None

    store = TrialStore(store_path, read_only=True)
    why = store.incomplete()
    if why:  # an empty or half-built store conforms to nothing: never exit 0 on it
        click.echo(f"trialkg: validate: {store.path}: {why}; run 'trialkg build' (again) first", err=True)
        sys.exit(1)
    ids = [resolve_trial_id(store, t) for t in trials] if trials else None
    try:
        report = validate_store(store, trials=ids, jobs=jobs, engine=engine, shapes=shapes)
    except InputError as exc:  # a shape the compiled engine refuses (UnsupportedShapeError)
        if shapes_files:  # names the user's file, not trialkg's shapes.ttl
            exc.file = ", ".join(shapes_files)
        raise
    fmt = "table" if fmt == "human" else resolve_format(fmt)
    if fmt == "json":
        click.echo(report.to_json())
    elif fmt == "turtle":
        click.echo(report.to_turtle())
    elif fmt == "table":
        click.echo(report.to_human())
    else:
        emit_rows((vars(f) for f in report.findings), FINDING_COLUMNS, fmt)
        log(f"trialkg: {report.count('Violation')} violations, {report.count('Warning')} warnings, "
            f"{report.count('Info')} infos")
    if report.has_violations:
        sys.exit(1)
