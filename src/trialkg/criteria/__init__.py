"""The criteria stage: eligibility text -> items -> typed constraints.

``split.split_criteria`` cuts the text into items, ``parse.parse_item`` turns an item
into the criterion JSON (docs/criteria.md), ``units`` holds UCUM codes and conversions.
``annotate_record`` runs both on a record and fills ``record.eligibility``;
``eligibility_summary`` derives what the trial view shows (ECOG range, prior-therapy
exclusions) from the parsed criteria, so views and the matcher agree on one reading.
"""

from __future__ import annotations

from typing import Any

from trialkg.criteria.logic import doubtful_direction, link_items, mark_scopes, population_pairs
from trialkg.criteria.parse import parse_cache_info, parse_item, parse_text, set_parse_cache
from trialkg.criteria.split import split_criteria
from trialkg.criteria.topics import annotate_topics

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
    criteria = [parse_item(item, trial_id) for item in split_criteria(text or "")]
    link_criteria(criteria)
    return criteria


def link_criteria(criteria: list[dict[str, Any]]) -> None:
    """The logic of a trial's items: thresholds split by a condition and its absence, a
    doubtful life-expectancy direction, lead-ins, alternatives, scopes (criteria/logic.py);
    then each item's topic (criteria/topics.py)."""
    # an inclusion list is known as such only beside an exclusion list (a pasted line
    # without headers counts as inclusion by default)
    listed = any(c.get("section") == "exclusion" for c in criteria)
    for crit in criteria:
        population_pairs(crit)
        if listed:
            doubtful_direction(crit)
    link_items(criteria)
    mark_scopes(criteria)
    annotate_topics(criteria)


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
                "role": "requirement" if item.section == "inclusion" else "exclusion",
                **({"scope": item.scope} if item.scope else {}),
            })
            record.warn("eligibility.criteria", f"criterion {item.section} {item.position} not parsed: {exc}",
                        code="criteria-parse")
    link_criteria(criteria)
    for crit in criteria:
        for c in crit["constraints"]:
            if c.get("reason") in ("implausible", "direction"):
                record.warn("eligibility.criteria", f"{record.id} criterion {crit['id']} ({crit['text'][:80]!r}): "
                            f"{c['note']}", code=f"criteria-{c['reason']}")
    elig.criteria = criteria
    derive_age_limits(record, criteria)
    summary = eligibility_summary(criteria)
    elig.summary = summary  # type: ignore[attr-defined]
    return summary


def derive_age_limits(record: Any, criteria: list[dict[str, Any]]) -> None:
    """Age limits from the inclusion criteria when the registry fields are empty.

    "Male or female patients aged 18-70 years" (the aggregator page of seed 004),
    "Age >= 18 years" on a record whose registry age fields say N/A. The limits are the
    widest the unconditional, non-negated inclusion age constraints allow ("Age 18 or
    older (16 or older for the sarcoma cohort)" gives 16), so a derived limit never
    narrows what the criteria admit; ``eligibility.age_limits_source`` says "criteria".
    """
    elig = record.eligibility
    if elig.min_age_years is not None or elig.max_age_years is not None:
        return
    lows: list[float] = []
    highs: list[float] = []
    for crit in criteria:
        if crit.get("section") != "inclusion" or crit.get("negated"):
            continue
        for c in crit.get("constraints", []):
            if c.get("type") != "age" or c.get("applies_if") or c.get("unit") != "a":
                continue
            comp, v, v2 = c.get("comparator"), c.get("value"), c.get("value2")
            if not isinstance(v, (int, float)):
                continue
            if comp in (">=", ">", "≥"):
                lows.append(v + (1 if comp == ">" and float(v).is_integer() else 0))
            elif comp in ("<=", "<", "≤"):
                highs.append(v - (1 if comp == "<" and float(v).is_integer() else 0))
            elif comp == "between" and isinstance(v2, (int, float)):
                lows.append(min(v, v2))
                highs.append(max(v, v2))
    if not lows and not highs:
        return
    elig.min_age_years = float(min(lows)) if lows else None
    elig.max_age_years = float(max(highs)) if highs else None
    elig.age_limits_source = "criteria"
    span = f"{_years(elig.min_age_years)}-{_years(elig.max_age_years)}"
    record.warn("eligibility.minimumAge", f"no registry age limits; {span} years taken from the inclusion criteria",
                code="age-from-criteria")


def _years(v: float | None) -> str:
    return "any" if v is None else f"{v:g}"


def eligibility_summary(criteria: list[dict[str, Any]]) -> dict[str, Any]:
    """``{"ecog": [min, max] | None, "prior_therapy_exclusions": [...]}`` for the trial view.

    ECOG comes from the unconditioned requirements (an "amputee" exception does not
    widen the general range). Prior-therapy exclusions are the criteria whose role is
    ``exclusion`` (an exclusion-list item, or a negated inclusion such as "No prior
    TKI") with a drug or drug class as their subject; permissions, conditions, context
    mentions and later-step criteria are left out, and so are generic modalities such as
    surgery (they are not drug knowledge the queries can join on).
    """
    ecog: list[int] | None = None
    exclusions: list[dict[str, Any]] = []
    for crit in criteria:
        role = crit.get("role") or ("requirement" if crit.get("section") == "inclusion" else "exclusion")
        if crit.get("entry") is False:
            continue
        for c in crit.get("constraints", []):
            if c.get("role", "subject") != "subject":
                continue
            if (c.get("type") == "performance_status" and c.get("variable") == "ecog"
                    and role == "requirement" and not c.get("applies_if") and c.get("allowed_values")):
                vals = c["allowed_values"]
                rng = [min(vals), max(vals)]
                ecog = rng if ecog is None else [min(ecog[0], rng[0]), max(ecog[1], rng[1])]
            if (c.get("type") == "prior_therapy" and role == "exclusion" and c.get("window_kind") != "washout"
                    and (c.get("drugs") or c.get("drug_classes"))):
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
