"""The trial view (docs/trial-view.md) of a ``TrialRecord``.

``trialkg parse`` prints it straight from a record; ``trialkg show`` prints the same
shape from the store. Every key is always present (``null`` or ``[]`` when unknown);
the parts later stages fill (drug identifiers and targets, biomarkers, structured
criteria) are empty unless the record already carries them.
"""

from __future__ import annotations

from typing import Any

from trialkg.records import Intervention, PartialDate, TrialRecord


def _date(d: PartialDate | None) -> str | None:
    return d.value if d else None


def _strip_prefix(name: str) -> str:
    from trialkg.sources._common import strip_type_prefix  # same rule the readers use

    return strip_type_prefix(name)[1]


def _intervention_view(iv: Intervention) -> dict[str, Any]:
    view: dict[str, Any] = {"name": iv.name, "type": iv.type, "drugs": list(iv.drugs)}
    if iv.inferred:
        view["inferred"] = True
        view["inferred_from"] = iv.inferred_from
    return view


def _arm_interventions(record: TrialRecord, label: str, refs: list[str]) -> list[Intervention]:
    wanted = {_strip_prefix(r).casefold() for r in refs}
    return [iv for iv in record.interventions
            if label in iv.arm_labels or iv.name.casefold() in wanted]


def record_view(record: TrialRecord) -> dict[str, Any]:
    """The trial view of one record, every key present."""
    e = record.eligibility
    summary = _eligibility_summary(e.criteria)
    return {
        "id": record.id,
        "nct_id": record.nct_id,
        "title": record.title,
        "official_title": record.official_title,
        "status": record.status,
        "phases": list(record.phases),
        "study_type": record.study_type,
        "enrollment": record.enrollment,
        "start_date": _date(record.start_date),
        "primary_completion_date": _date(record.primary_completion_date),
        "completion_date": _date(record.completion_date),
        "conditions": list(record.conditions),
        "sponsors": [{"name": s.name, "role": s.role, "class": s.sponsor_class} for s in record.sponsors],
        "organizations": record.organizations(),
        "sites": [{"facility": s.facility, "city": s.city, "state": s.state, "country": s.country,
                   "status": s.status} for s in record.sites],
        "arms": [{"label": a.label, "type": a.type, "description": a.description,
                  "interventions": [_intervention_view(iv)
                                    for iv in _arm_interventions(record, a.label, a.intervention_names)]}
                 for a in record.arms],
        "interventions": [_intervention_view(iv) for iv in record.interventions],
        "drugs": [dict(d) for d in record.drugs],
        "biomarkers": [dict(b) for b in record.biomarkers],
        "eligibility": {
            "min_age_years": _num(e.min_age_years),
            "max_age_years": _num(e.max_age_years),
            "sex": e.sex,
            "healthy_volunteers": e.healthy_volunteers,
            "ecog": summary["ecog"],
            "criteria": [dict(c) for c in e.criteria],
            "prior_therapy_exclusions": summary["prior_therapy_exclusions"],
        },
        "source": {"file": record.provenance.file, "format": record.provenance.format},
        "warnings": [{"field": w.field, "message": w.message, "code": w.code} for w in record.warnings],
    }


def _eligibility_summary(criteria: list[dict[str, Any]]) -> dict[str, Any]:
    """ECOG range and prior-therapy exclusions, computed as the graph view computes them."""
    if not criteria:  # parse output: the criteria stage has not run
        return {"ecog": None, "prior_therapy_exclusions": []}
    from trialkg.criteria import eligibility_summary

    return eligibility_summary(criteria)


def _num(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value
