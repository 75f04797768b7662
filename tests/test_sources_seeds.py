"""Facts of the five seed pages, as a reader of each page would check them by eye.

Item counts are counted by hand from the pages: every numbered or bulleted line of
the inclusion / exclusion lists is one item; the sub-items ``1\\) ... 3\\)`` under an
introducing line (seed 003) are items of their own, the introducing line one too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from trialkg.knowledge.normalise import normalise_record
from trialkg.pipeline import split_items
from trialkg.records import TrialRecord
from trialkg.sources import iter_records
from trialkg.sources._common import derived_id
from trialkg.trialview import record_view

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def read_seed(prefix: str) -> TrialRecord:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    (rec,) = list(iter_records([path]))
    assert isinstance(rec, TrialRecord), rec
    return split_items(rec)  # the build's first step: the criteria text as items


def date(d: object) -> str | None:
    return getattr(d, "value", None)


def arms(rec: TrialRecord) -> list[tuple[str, str | None, list[str]]]:
    view = record_view(rec)
    return [(a["label"], a["type"], [i["name"] for i in a["interventions"]]) for a in view["arms"]]


def test_000_study_page_without_labels() -> None:
    rec = read_seed("000")
    assert rec.provenance.format == "page-ctgov"
    assert rec.id == rec.nct_id == "NCT04072042"
    assert rec.title == "BIOmarker Driven Trial of VEGFR2 Inhibitor in Advanced or Metastatic Sarcoma"
    assert rec.status == "RECRUITING"
    assert rec.phases == ["PHASE2"]
    assert rec.study_type == "INTERVENTIONAL"
    assert rec.enrollment == 30
    assert (date(rec.start_date), date(rec.completion_date)) == ("2019-10-30", "2027-09-01")
    assert rec.start_date.precision == "day"
    assert rec.primary_completion_date is None
    assert date(rec.last_update) == "2025-05-14"
    assert (rec.design.allocation, rec.design.intervention_model, rec.design.primary_purpose,
            rec.design.masking) == ("NON_RANDOMIZED", "SINGLE_GROUP", "TREATMENT", "SINGLE")
    # Three biomarker-defined arms, each giving apatinib alone; the page prints no arm type.
    assert arms(rec) == [
        ("VEGFR SNP-Positive Sarcoma Arm (VEGFR-AtoG)", None, ["Apatinib monotherapy"]),
        ("CSF1-Positive Sarcoma Arm (CSF1-high)", None, ["Apatinib monotherapy"]),
        ("4q12 amplicon-Positive Sarcoma Arm (4q12-amp)", None, ["Apatinib monotherapy"]),
    ]
    assert rec.interventions[0].description == "patients will receive Apatinib 250mg tablet by mouth, bid."
    assert [(s.name, s.role, s.sponsor_class) for s in rec.sponsors] == [("Ruijin Hospital", "lead", "OTHER")]
    assert [(o.name, o.role, o.affiliation) for o in rec.officials] == [
        ("Weibin Zhang", "PRINCIPAL_INVESTIGATOR", "Shanghai Jiao Tong University School of Medicine")]
    assert rec.responsible_party.investigator_name == "Weibin Zhang, MD, PhD."
    assert [(s.facility, s.city, s.state, s.country) for s in rec.sites] == [
        ("Ruijin Hospital Shanghai Jiao Tong University School of Medicine", "Shanghai",
         "Shanghai Municipality", "China")]
    e = rec.eligibility
    assert (e.min_age_years, e.max_age_years, e.sex, e.healthy_volunteers) == (8, 65, "ALL", False)
    # The export lost item 1 of each list: inclusion 2-9, exclusion 2-9.
    assert (len(e.inclusion), len(e.exclusion)) == (8, 8)
    assert e.exclusion[-1].text.startswith("previous treated with VEGFR TKIs but off treatment")
    assert rec.org_study_id == "2019LLS167"
    assert rec.brief_summary is None  # the page's summary section holds only related trials
    assert "rs2071559" in rec.detailed_description


def test_001_classic_tabular_page() -> None:
    rec = read_seed("001")
    assert rec.provenance.format == "page-classic"
    assert rec.id == "NCT04126811"
    assert rec.title == "Apatinib Combined With Chemotherapy in the Treatment of Soft Tissue Sarcoma"
    assert rec.official_title.startswith("Single-center, Open, Non-randomized, Phase II Prospective Study")
    assert rec.status == "RECRUITING"
    assert rec.phases == ["PHASE2"]
    assert (rec.enrollment, rec.enrollment_type) == (120, "ESTIMATED")
    assert (date(rec.start_date), rec.start_date.type) == ("2019-06-01", "ACTUAL")
    assert (date(rec.primary_completion_date), rec.primary_completion_date.type) == ("2019-12-31", "ESTIMATED")
    assert date(rec.completion_date) == "2020-12-31"
    assert date(rec.first_posted) == date(rec.last_update) == "2019-10-15"
    assert (rec.design.allocation, rec.design.intervention_model, rec.design.masking,
            rec.design.primary_purpose) == ("NON_RANDOMIZED", "PARALLEL", "NONE", "TREATMENT")
    assert rec.conditions == ["Soft Tissue Sarcoma"]
    assert arms(rec) == [
        ("Apatinib and Chemotherapy Test Group", "EXPERIMENTAL", ["Apatinib Mesylate, Pirarubicin, Ifosfamide"]),
        ("Apatinib Group", "ACTIVE_COMPARATOR", ["Apatinib Mesylate"]),
        ("Chemotherapy Group", "ACTIVE_COMPARATOR", ["Pirarubicin, Ifosfamide"]),
    ]
    assert {i.type for i in rec.interventions} == {"DRUG"}
    # No "Sponsor" row survived; the responsible party (type Sponsor) names the lead sponsor.
    assert [(s.name, s.role) for s in rec.sponsors] == [
        ("Tianjin Medical University Cancer Institute and Hospital", "lead")]
    assert any(w.field == "leadSponsor" for w in rec.warnings)
    (site,) = rec.sites
    assert (site.facility, site.city, site.state, site.zip, site.country, site.status) == (
        "Tianjin Medical University Cancer Hospital & Institute", "Tianjin", "Tianjin", "300060", "China",
        "RECRUITING")
    assert site.contacts[0].email == "yangjilong@tjmuch.com"
    e = rec.eligibility
    assert (e.min_age_years, e.max_age_years, e.sex, e.healthy_volunteers) == (14, 75, "ALL", False)
    assert e.std_ages == ["CHILD", "ADULT", "OLDER_ADULT"]
    assert (len(e.inclusion), len(e.exclusion)) == (9, 14)
    assert [o.time_frame for o in rec.outcomes] == ["Within 2 years"] * 3 + ["Within 3 years"]
    assert rec.org_study_id == "E2019145"


def test_002_study_page_with_labels() -> None:
    rec = read_seed("002")
    assert rec.provenance.format == "page-ctgov"
    assert rec.id == "NCT03890068"
    assert rec.title == "Anlotinib Maintenance Treatment for Advanced Soft Tissue Sarcoma"
    assert rec.status == "UNKNOWN"
    assert rec.phases == ["PHASE2"]
    assert rec.enrollment == 48
    assert (date(rec.start_date), date(rec.completion_date)) == ("2019-04-11", "2024-05-30")
    assert rec.conditions == ["Soft Tissue Sarcoma"]
    assert (rec.design.allocation, rec.design.masking) == ("NA", "NONE")
    assert arms(rec) == [("anlotinib", "EXPERIMENTAL", ["Anlotinib Hydrochloride"])]
    (iv,) = rec.interventions
    assert (iv.name, iv.type, iv.other_names) == ("Anlotinib Hydrochloride", "DRUG", ["Anlotinib"])
    assert [(s.name, s.role, s.sponsor_class) for s in rec.sponsors] == [
        ("Sun Yat-sen University", "lead", "OTHER"),
        ("Chia Tai Tianqing Pharmaceutical Group Co., Ltd.", "collaborator", "INDUSTRY")]
    assert rec.responsible_party.type == "PRINCIPAL_INVESTIGATOR"
    assert [(s.facility, s.city, s.state, s.country, s.status) for s in rec.sites] == [
        ("Sun Yat-sen University Cancer Center", "Guangzhou", "Guangdong", "China", "RECRUITING")]
    e = rec.eligibility
    assert (e.min_age_years, e.max_age_years, e.sex, e.healthy_volunteers) == (18, 70, "ALL", False)
    assert (len(e.inclusion), len(e.exclusion)) == (7, 16)
    assert [(r.pmid, r.type) for r in rec.references] == [("37767191", "DERIVED")]
    assert rec.central_contacts[0].phone == "020-87343383"


def test_003_study_page_surufatinib() -> None:
    rec = read_seed("003")
    assert rec.id == "NCT06110650"
    assert rec.title == "A Study of Surufatinib in the Treatment of Advanced Soft Tissue Sarcoma"
    assert rec.status == "UNKNOWN"
    assert rec.phases == ["NA"]
    assert rec.enrollment == 29
    assert (date(rec.start_date), date(rec.completion_date)) == ("2023-11-28", "2025-08-15")
    assert arms(rec) == [("surufatinib", "EXPERIMENTAL", ["Surufatinib"])]
    assert [(s.name, s.role, s.sponsor_class) for s in rec.sponsors] == [("Fudan University", "lead", "OTHER")]
    assert rec.sites == []  # the page lists no location
    e = rec.eligibility
    assert (e.min_age_years, e.max_age_years, e.sex, e.healthy_volunteers) == (18, None, "ALL", False)
    # Inclusion: 10 numbered items + 3 sub-items under item 9; exclusion: 19 + 3 under item 14.
    assert (len(e.inclusion), len(e.exclusion)) == (13, 22)
    assert rec.central_contacts[0].email is None  # "[email protected]": obfuscated on the page
    assert rec.org_study_id == "2306276-6"


def test_004_aggregator_page_without_id() -> None:
    rec = read_seed("004")
    text = next(SEEDS.glob("004_*.txt")).read_text(encoding="utf-8")
    assert rec.provenance.format == "page-aggregator"
    assert rec.nct_id is None
    assert rec.id == derived_id(text) and rec.id.startswith("TKG-") and len(rec.id) == 16
    assert any(w.field == "nctId" for w in rec.warnings)
    assert rec.title is None and rec.status is None and rec.phases == []
    assert rec.enrollment == 70
    assert (date(rec.start_date), date(rec.completion_date)) == (None, None)
    assert rec.sponsors == [] and rec.sites == []
    # "70 participants in 1 patient group": one arm, which gets every intervention
    assert [a.label for a in rec.arms] == ["Patient group 1"]
    assert rec.interventions == []  # the page lost its list: normalise infers the drugs
    inferred = [(i.name.lower(), i.inferred, i.inferred_from) for i in normalise_record(rec).interventions]
    assert inferred == [("anlotinib", True, "briefSummary"), ("toripalimab", True, "briefSummary")]
    assert all(i.arm_labels == ["Patient group 1"] for i in rec.interventions)
    e = rec.eligibility
    # the reader leaves the registry fields empty; the criteria stage fills them from "aged 18-70 years"
    assert (e.min_age_years, e.max_age_years, e.sex) == (None, None, None)
    assert (len(e.inclusion), len(e.exclusion)) == (6, 17)
    assert rec.central_contacts[0].name == "Xing Zhang"


def test_004_age_limits_from_the_criteria() -> None:
    from trialkg.criteria import annotate_record

    rec = read_seed("004")
    annotate_record(rec)
    e = rec.eligibility
    assert (e.min_age_years, e.max_age_years, e.age_limits_source) == (18, 70, "criteria")
    assert any(w.code == "age-from-criteria" for w in rec.warnings)
    # a record with registry limits keeps them (seed 002: 18-70 in the registry fields)
    rec = read_seed("002")
    annotate_record(rec)
    assert rec.eligibility.age_limits_source is None


def test_derived_id_is_stable_across_line_endings(tmp_path: Path) -> None:
    src = next(SEEDS.glob("004_*.txt")).read_bytes()
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(src.replace(b"\n", b"\r\n"))
    (a,) = list(iter_records([next(SEEDS.glob("004_*.txt"))]))
    (b,) = list(iter_records([crlf]))
    assert a.id == b.id


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_trial_view_has_every_key(prefix: str) -> None:
    view = record_view(read_seed(prefix))
    for key in ("id", "nct_id", "title", "official_title", "status", "phases", "study_type", "enrollment",
                "start_date", "primary_completion_date", "completion_date", "conditions", "sponsors",
                "organizations", "sites", "arms", "drugs", "biomarkers", "eligibility", "source"):
        assert key in view
    for key in ("min_age_years", "max_age_years", "sex", "healthy_volunteers", "ecog", "criteria",
                "prior_therapy_exclusions"):
        assert key in view["eligibility"]
    assert view["drugs"] == [] and view["eligibility"]["criteria"] == []
    assert view["source"]["format"].startswith("page-")
