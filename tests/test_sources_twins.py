"""Each seed page against its structured twin (classic XML exported July 2020).

Every fact both carry must agree, except the ones listed in ``CHANGED``: there the
registry record changed between the 2020 export and the page's date (or the page
lost part of a list), and the test names the field and says which value each has.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pytest

from trialkg.pipeline import split_items
from trialkg.records import TrialRecord
from trialkg.sources import ctgov_xml, pages

ROOT = Path(__file__).resolve().parents[1]
TWINS = ROOT / "tests" / "data" / "ctgov"


def _norm(value: Any) -> Any:
    """Pages print full-width brackets as ASCII; compare the NFKC forms."""
    if isinstance(value, str):
        return " ".join(unicodedata.normalize("NFKC", value).split())
    if isinstance(value, (list, tuple)):
        return [_norm(v) for v in value]
    return value


def facts(r: TrialRecord) -> dict[str, Any]:
    e = r.eligibility

    def d(x: Any) -> str | None:
        return x.value if x else None

    return {
        "nct_id": r.nct_id, "brief_title": r.brief_title, "official_title": r.official_title,
        "status": r.status, "phases": r.phases or None, "study_type": r.study_type,
        "enrollment": r.enrollment, "enrollment_type": r.enrollment_type,
        "start_date": d(r.start_date), "primary_completion_date": d(r.primary_completion_date),
        "completion_date": d(r.completion_date), "first_posted": d(r.first_posted),
        "last_update": d(r.last_update),
        "allocation": r.design.allocation, "intervention_model": r.design.intervention_model,
        "masking": r.design.masking, "primary_purpose": r.design.primary_purpose,
        "conditions": r.conditions or None,
        "arm_labels": [a.label for a in r.arms] or None,
        "arm_types": [a.type for a in r.arms] if r.arms and all(a.type for a in r.arms) else None,
        "arm_interventions": [sorted(a.intervention_names) for a in r.arms] or None,
        "intervention_names": [i.name for i in r.interventions] or None,
        "intervention_types": [i.type for i in r.interventions] if r.interventions and all(
            i.type for i in r.interventions) else None,
        "min_age_years": e.min_age_years, "max_age_years": e.max_age_years, "sex": e.sex,
        "healthy_volunteers": e.healthy_volunteers,
        "inclusion_items": len(e.inclusion) or None, "exclusion_items": len(e.exclusion) or None,
        "sponsors": [(s.name, s.role) for s in r.sponsors] or None,
        "sponsor_classes": [s.sponsor_class for s in r.sponsors] if r.sponsors and all(
            s.sponsor_class for s in r.sponsors) else None,
        "officials": [(o.name, o.role, o.affiliation) for o in r.officials] or None,
        "site_facilities": [s.facility for s in r.sites] or None,
        "site_cities": [s.city for s in r.sites] or None,
        "site_states": [s.state for s in r.sites] or None,
        "site_countries": [s.country for s in r.sites] or None,
        "site_statuses": [s.status for s in r.sites] if r.sites and all(s.status for s in r.sites) else None,
        "org_study_id": r.org_study_id,
        "outcome_measures": [o.measure for o in r.outcomes] or None,
        "outcome_time_frames": [o.time_frame for o in r.outcomes] or None,
        "brief_summary": r.brief_summary, "detailed_description": r.detailed_description,
        "responsible_party_name": r.responsible_party.investigator_name if r.responsible_party else None,
    }


# (seed, twin) -> field -> why page and twin differ (page value, 2020 value)
CHANGED: dict[str, dict[str, str]] = {
    "NCT04072042": {
        "brief_title": "retitled: '... in Advanced or Metastatic Sarcoma' (2025) vs '... in Advanced Sarcoma' (2020)",
        "start_date": "actual start moved: 2019-10-30 (2025) vs anticipated 2019-08-31 (2020)",
        "completion_date": "completion re-estimated: 2027-09-01 (2025) vs 2020-10-25 (2020)",
        "last_update": "record updated 2025-05-14 after the 2020 export (2019-09-25)",
        "allocation": "design changed: NON_RANDOMIZED (2025) vs NA (2020)",
        "masking": "design changed: SINGLE (2025) vs NONE (open label, 2020)",
        "arm_labels": "one arm 'Apatinib monotherapy' (2020) became three biomarker arms (2025)",
        "arm_interventions": "follows the arm change: three arms each with 'Apatinib monotherapy'",
        "max_age_years": "age limit raised: 65 (2025) vs 40 years (2020)",
        "inclusion_items": "the page lost item 1 ('age between 8 and 40 years'): 8 (page) vs 9 (2020)",
        "exclusion_items": "the page lost item 1 ('other kinds of malignant tumors'): 8 (page) vs 9 (2020)",
        "site_states": "state renamed: 'Shanghai Municipality' (2025) vs 'Shanghai' (2020)",
        "detailed_description": "description rewritten around the rs2071559 KDR 604A>G biomarker (2025)",
    },
    "NCT04126811": {},
    "NCT03890068": {
        "brief_title": "retitled: 'Anlotinib Maintenance Treatment for Advanced Soft Tissue Sarcoma' (2023) "
                       "vs 'Anlotinib Hydrochloride for Soft Tissue Sarcoma Patients.' (2020)",
        "status": "status lapsed: UNKNOWN (2023, not verified) vs RECRUITING (2020)",
        "completion_date": "completion re-estimated: 2024-05-30 (2023) vs 2020-12-31 (2020)",
        "last_update": "record updated 2023-08-01 after the 2020 export (2020-03-17)",
        "detailed_description": "the 2023 text dropped the 2020 first sentence (regional multi-center plan)",
    },
}

PAIRS = [("000", "NCT04072042"), ("001", "NCT04126811"), ("002", "NCT03890068")]


@pytest.mark.parametrize(("seed", "nct"), PAIRS)
def test_page_agrees_with_xml_twin(seed: str, nct: str) -> None:
    (page,) = [split_items(r) for r in pages.iter_records(next((ROOT / "seeds").glob(f"{seed}_*.txt")))]
    (twin,) = [split_items(r) for r in ctgov_xml.iter_records(TWINS / f"{nct}.xml")]
    assert isinstance(page, TrialRecord) and isinstance(twin, TrialRecord)
    fp, ft = facts(page), facts(twin)
    compared = 0
    disagreements = {}
    for field in fp:
        if fp[field] is None or ft[field] is None:
            continue
        compared += 1
        if _norm(fp[field]) != _norm(ft[field]):
            disagreements[field] = (fp[field], ft[field])
    unexplained = {f: v for f, v in disagreements.items() if f not in CHANGED[nct]}
    assert not unexplained, f"page and 2020 XML disagree on {unexplained}"
    stale = set(CHANGED[nct]) - set(disagreements)
    assert not stale, f"listed as changed but agree (or not both carried): {stale}"
    assert compared >= 20


def test_twin_facts_from_2020_export() -> None:
    """A few 2020 values read from XML, so the CHANGED notes rest on what the reader saw."""
    (x,) = list(ctgov_xml.iter_records(TWINS / "NCT04072042.xml"))
    assert (x.start_date.value, x.start_date.type) == ("2019-08-31", "ACTUAL")
    assert (x.completion_date.value, x.completion_date.type) == ("2020-10-25", "ESTIMATED")
    assert x.eligibility.max_age_years == 40
    assert [(a.label, a.type) for a in x.arms] == [("Apatinib monotherapy", "EXPERIMENTAL")]
    assert x.provenance.retrieved == "2020-07-28"
