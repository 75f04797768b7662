"""``trialkg list``, ``trialkg show ID`` and ``trialkg stats``: views of the store."""

from __future__ import annotations

import click

from trialkg.cli.output import (
    DOCUMENT_FORMATS,
    emit_document,
    emit_json,
    emit_rows,
    format_option,
    resolve_format,
    store_option,
)

LIST_COLUMNS = ("id", "nct_id", "title", "source")


@click.command(name="list")
@store_option
@format_option()
def list_trials(store_path: str | None, fmt: str | None) -> None:
    """One row per trial: id, nct_id, title, source (the file it came from)."""
    from trialkg import views
    from trialkg.store import TrialStore

    store = TrialStore(store_path, read_only=True)
    emit_rows(views.list_trials(store), LIST_COLUMNS, resolve_format(fmt))


@click.command(name="show")
@click.argument("trial_id")
@store_option
@format_option(DOCUMENT_FORMATS)
def show(trial_id: str, store_path: str | None, fmt: str | None) -> None:
    """Show one trial (by trial id or NCT id); --format json prints the trial view
    (docs/trial-view.md), csv/tsv one field, value row per key."""
    from trialkg import views
    from trialkg.store import TrialStore

    store = TrialStore(store_path, read_only=True)
    view = views.trial_view(store, trial_id)
    emit_document(view, resolve_format(fmt), table=lambda: _render(view))


def _render(view: dict) -> str:
    """A readable plain-text page of the trial view."""
    from trialkg.match.criterion import undecidable_why

    lines = [f"{view['id']}  {view['title'] or ''}"]
    scalar = ("nct_id", "official_title", "status", "study_type", "enrollment",
              "start_date", "primary_completion_date", "completion_date")
    lines += [f"  {k}: {view[k]}" for k in scalar if view[k] is not None]
    if view["phases"]:
        lines.append(f"  phases: {', '.join(view['phases'])}")
    if view["conditions"]:
        lines.append(f"  conditions: {'; '.join(view['conditions'])}")
    for s in view["sponsors"]:
        lines.append(f"  sponsor ({s['role']}): {s['name']} [{s['class'] or '?'}]")
    for a in view["arms"]:
        lines.append(f"  arm: {a['label']} [{a['type'] or '?'}]")
        for i in a["interventions"]:
            drugs = f" -> {', '.join(i['drugs'])}" if i["drugs"] else ""
            lines.append(f"    {i['type'] or '?'}: {i['name']}{drugs}")
    for d in view["drugs"]:
        targets = ", ".join(t["symbol"] or t["uniprot"] or "?" for t in d["targets"])
        lines.append(f"  drug: {d['name']}" + (f" (targets {targets})" if targets else ""))
    for b in view["biomarkers"]:
        lines.append(f"  biomarker: {b['label']}")
    e = view["eligibility"]
    lines.append(f"  eligibility: age {e['min_age_years']}-{e['max_age_years']}, sex {e['sex']}, ecog {e['ecog']}")
    for c in e["criteria"]:
        kinds = ", ".join(k["type"] for k in c["constraints"]) or "-"
        if c.get("undecidable"):  # why no patient-file fact decides it, as trialkg match says
            kinds += f"; {undecidable_why(c['undecidable'], c.get('topic'))}"
        lines.append(f"    [{c['id']}] {c['text']}  ({kinds})")
    lines.append(f"  sites: {len(view['sites'])}")
    lines.append(f"  source: {view['source']['file']} ({view['source']['format']})")
    return "\n".join(lines)


@click.command(name="stats")
@store_option
@format_option()
def stats(store_path: str | None, fmt: str | None) -> None:
    """Counts by class and source; normalisation and criteria coverage."""
    from trialkg import views
    from trialkg.store import TrialStore

    store = TrialStore(store_path, read_only=True)
    doc = views.stats(store)
    fmt = resolve_format(fmt)
    if fmt == "json":
        emit_json(doc)
    else:
        emit_rows(views.stats_rows(doc), ("section", "key", "value"), fmt)
