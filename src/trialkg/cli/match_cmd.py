"""``trialkg match PATIENT.json``: the trials a patient could enter, and why not the others."""

from __future__ import annotations

import sys

import click

from trialkg.cli.output import (
    emit_json,
    emit_jsonl,
    emit_rows,
    format_option,
    log,
    resolve_format,
    store_option,
)


@click.command(name="match")
@click.argument("patient_file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--trial", "trial_id", default=None, help="Explain one trial: every criterion and its outcome.")
@format_option()
@store_option
def match(patient_file: str, trial_id: str | None, fmt: str | None, store_path: str | None) -> None:
    """Decide every trial in the store for the patient in PATIENT_FILE.

    \b
    Verdicts: eligible (every criterion met), possible (nothing against the patient,
    some criteria unknown), excluded (a criterion the data decides against them).
    Sorted most promising first. Exit 1 when no trial is eligible or possible,
    2 for a bad patient file. The patient file is described in docs/matching.md.
    """
    from trialkg.match import load_patient, match_store
    from trialkg.match.output import (
        COLUMNS,
        REASON_COLUMNS,
        reason_rows,
        summary_rows,
        verdict_counts,
    )
    from trialkg.store import TrialStore

    patient = load_patient(patient_file)
    store = TrialStore(store_path, read_only=True)
    results = match_store(store, patient, trial_id)
    fmt = resolve_format(fmt)
    if fmt == "json":
        emit_json([r.to_dict() for r in results])
    elif fmt == "jsonl":
        emit_jsonl(r.to_dict() for r in results)
    elif trial_id and fmt == "table":
        for r in results:
            click.echo(f"{r.trial}: {r.verdict} ({len(r.unmet)} unmet, {len(r.unknown)} unknown)  {r.title or ''}")
        emit_rows(reason_rows(results), REASON_COLUMNS, fmt)
    else:
        emit_rows(summary_rows(results), COLUMNS, fmt)
    counts = verdict_counts(results)
    log(f"trialkg: {len(results)} trials: {counts['eligible']} eligible, {counts['possible']} possible, {counts['excluded']} excluded")
    if not (counts["eligible"] or counts["possible"]):
        sys.stdout.flush()
        raise click.exceptions.Exit(1)
