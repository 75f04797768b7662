"""The criteria stage: eligibility text -> items -> typed constraints.

``split.split_criteria`` cuts the text into items, ``parse.parse_item`` turns an item
into the DESIGN.md criterion JSON, ``units`` holds UCUM codes and conversions.
``annotate_record`` runs both on a record and fills ``record.eligibility``;
``eligibility_summary`` derives what the trial view shows (ECOG range, prior-therapy
exclusions) from the parsed criteria, so views and the matcher agree on one reading.
"""

from __future__ import annotations

from typing import Any

from trialkg.criteria.parse import parse_cache_info, parse_item, parse_text, set_parse_cache
from trialkg.criteria.split import split_criteria

__all__ = [
    "annotate_record",
    "eligibility_summary",
    "parse_cache_info",
    "parse_criteria_text",
    "parse_item",
    "parse_text",
    "set_parse_cache",
    "split_criteria",
]


def parse_criteria_text(text: str | None, trial_id: str | None = None) -> list[dict[str, Any]]:
    """Split and parse a pasted criteria block (with or without section headers)."""
    return [parse_item(item, trial_id) for item in split_criteria(text or "")]


def annotate_record(record: Any) -> dict[str, Any]:
    """Fill ``record.eligibility`` (items if empty, ``criteria``) and return the summary.

    The summary (``ecog``, ``prior_therapy_exclusions``) is also stored on the
    eligibility object as ``summary`` for the trial view.
    """
    elig = record.eligibility
    if not elig.inclusion and not elig.exclusion and elig.criteria_text:
        items = split_criteria(elig.criteria_text)
        elig.inclusion = [i for i in items if i.section == "inclusion"]
        elig.exclusion = [i for i in items if i.section == "exclusion"]
    criteria = []
    for item in list(elig.inclusion) + list(elig.exclusion):
        try:
            criteria.append(parse_item(item, record.id))
        except Exception as exc:  # noqa: BLE001 - one bad item must not lose the others
            criteria.append({
                "id": f"{'inc' if item.section == 'inclusion' else 'exc'}-{item.position}",
                "section": item.section, "text": item.text, "negated": False, "category": "other",
                "constraints": [{"type": "unparsed", "span": item.text}],
                "position": item.position, "context": item.context, "trial_id": record.id,
            })
            record.warn("eligibility.criteria", f"criterion {item.section} {item.position} not parsed: {exc}",
                        code="criteria-parse")
    for crit in criteria:
        for c in crit["constraints"]:
            if c.get("reason") == "implausible":
                record.warn("eligibility.criteria", f"{record.id} criterion {crit['id']} ({crit['text'][:80]!r}): "
                            f"{c['note']}", code="criteria-implausible")
    elig.criteria = criteria
    summary = eligibility_summary(criteria)
    elig.summary = summary  # type: ignore[attr-defined]
    return summary


def eligibility_summary(criteria: list[dict[str, Any]]) -> dict[str, Any]:
    """``{"ecog": [min, max] | None, "prior_therapy_exclusions": [...]}`` for the trial view.

    ECOG comes from the unconditioned inclusion constraints (an "amputee" exception does
    not widen the general range). Prior-therapy exclusions are exclusion criteria with a
    drug or drug class (generic modalities such as surgery are left out: they are not
    drug knowledge the queries can join on).
    """
    ecog: list[int] | None = None
    exclusions: list[dict[str, Any]] = []
    for crit in criteria:
        for c in crit.get("constraints", []):
            if (c.get("type") == "performance_status" and c.get("variable") == "ecog"
                    and crit.get("section") == "inclusion" and not c.get("applies_if") and c.get("allowed_values")):
                vals = c["allowed_values"]
                rng = [min(vals), max(vals)]
                ecog = rng if ecog is None else [min(ecog[0], rng[0]), max(ecog[1], rng[1])]
            if (c.get("type") == "prior_therapy" and crit.get("section") == "exclusion"
                    and (c.get("drugs") or c.get("drug_classes")) and not crit.get("negated")):
                exclusions.append({
                    "criterion": crit.get("id"),
                    "text": crit.get("text"),
                    "drugs": list(c.get("drugs") or []),
                    "drug_classes": list(c.get("drug_classes") or []),
                    "window": c.get("window"),
                    "window_days": c.get("window_days"),
                    "min_exposure": c.get("min_exposure"),
                })
    return {"ecog": ecog, "prior_therapy_exclusions": exclusions}
