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

COLUMNS = ("trial", "verdict", "unmet", "unknown", "title", "deciding")
REASON_COLUMNS = ("criterion", "section", "outcome", "text", "why")


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
        emit_rows([reason.to_dict() for r in results for reason in r.reasons], REASON_COLUMNS, fmt)
    else:
        rows = []
        for r in results:
            deciding = r.unmet if r.verdict == "excluded" else r.unknown
            rows.append(
                {
                    "trial": r.trial,
                    "verdict": r.verdict,
                    "unmet": len(r.unmet),
                    "unknown": len(r.unknown),
                    "title": r.title,
                    "deciding": [f"{x.criterion}: {x.text}" for x in deciding],
                }
            )
        emit_rows(rows, COLUMNS, fmt)
    counts = {v: sum(r.verdict == v for r in results) for v in ("eligible", "possible", "excluded")}
    log(f"trialkg: {len(results)} trials: {counts['eligible']} eligible, {counts['possible']} possible, {counts['excluded']} excluded")
    if not (counts["eligible"] or counts["possible"]):
        sys.stdout.flush()
        raise click.exceptions.Exit(1)
