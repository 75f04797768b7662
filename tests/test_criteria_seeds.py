"""Criteria parsed from the five seed pages: the facts a reader of each page would check."""

from __future__ import annotations

from pathlib import Path

import pytest

from trialkg.criteria import eligibility_summary, parse_criteria_text

DATA = Path(__file__).parent / "data" / "criteria"


def _parse(name: str) -> list[dict]:
    return parse_criteria_text((DATA / name).read_text(encoding="utf-8"))


def _all(criteria: list[dict], **match) -> list[dict]:
    out = []
    for crit in criteria:
        for c in crit["constraints"]:
            if all(c.get(k) == v for k, v in match.items()):
                out.append(dict(c, _criterion=crit))
    return out


def _one(criteria: list[dict], **match) -> dict:
    found = _all(criteria, **match)
    assert found, f"no constraint {match}"
    return found[0]


@pytest.fixture(scope="module")
def nct04126811() -> list[dict]:
    return _parse("seed001_NCT04126811.txt")


@pytest.fixture(scope="module")
def nct06110650() -> list[dict]:
    return _parse("seed003_NCT06110650.txt")


@pytest.fixture(scope="module")
def nct03890068() -> list[dict]:
    return _parse("seed002_NCT03890068.txt")


@pytest.fixture(scope="module")
def nct04072042() -> list[dict]:
    return _parse("seed000_NCT04072042.txt")


@pytest.fixture(scope="module")
def aggregator() -> list[dict]:
    return _parse("seed004_aggregator.txt")


def test_sections_and_ids(nct04126811):
    inc = [c for c in nct04126811 if c["section"] == "inclusion"]
    exc = [c for c in nct04126811 if c["section"] == "exclusion"]
    assert len(inc) == 9 and len(exc) == 14
    assert inc[0]["id"] == "inc-1" and exc[2]["id"] == "exc-3"
    assert all(c["constraints"] for c in nct04126811)


def test_age_limits(nct04126811, nct03890068, nct06110650, aggregator):
    age = _one(nct04126811, type="age")
    assert (age["comparator"], age["value"], age["value2"], age["unit"]) == ("between", 14, 75, "a")
    age = _one(nct03890068, type="age")
    assert (age["value"], age["value2"]) == (18, 70)
    age = _one(nct06110650, type="age")
    assert (age["comparator"], age["value"], age["unit"]) == (">=", 18, "a")
    age = _one(aggregator, type="age")
    assert (age["value"], age["value2"]) == (18, 70)


@pytest.mark.parametrize("fixture", ["nct04126811", "nct06110650"])
def test_ecog_with_amputee_exception(fixture, request):
    criteria = request.getfixturevalue(fixture)
    ps = _all(criteria, type="performance_status", variable="ecog")
    general = [c for c in ps if not c.get("applies_if")]
    amputee = [c for c in ps if c.get("applies_if") == "amputee"]
    assert general[0]["allowed_values"] == [0, 1]
    assert amputee[0]["allowed_values"] == [0, 1, 2]
    assert eligibility_summary(criteria)["ecog"] == [0, 1]


def test_ecog_ranges_other_seeds(nct03890068, nct04072042, aggregator):
    for criteria in (nct03890068, nct04072042, aggregator):
        assert eligibility_summary(criteria)["ecog"] == [0, 2]


def test_labs_nct04126811(nct04126811):
    anc = _one(nct04126811, type="numeric", variable="neutrophils")
    assert (anc["comparator"], anc["canonical_value"], anc["canonical_unit"]) == (">=", 1.5, "10*9/L")
    inr = _one(nct04126811, type="numeric", variable="inr")
    assert (inr["comparator"], inr["value"], inr["unit"], inr["relative_to"]) == ("<=", 1.5, None, None)
    hb = _one(nct04126811, type="numeric", variable="hemoglobin")
    assert (hb["comparator"], hb["value"], hb["unit"]) == (">=", 9, "g/dL")
    plt = _one(nct04126811, type="numeric", variable="platelets")
    assert plt["canonical_value"] == 100
    bili = _one(nct04126811, type="numeric", variable="bilirubin")
    assert (bili["value"], bili["relative_to"]) == (1.5, "ULN")
    crcl = _one(nct04126811, type="numeric", variable="creatinine_clearance")
    assert (crcl["comparator"], crcl["value"], crcl["unit"]) == (">=", 60, "mL/min")
    ast = _all(nct04126811, type="numeric", variable="ast")
    assert {(c["value"], c.get("applies_if")) for c in ast} == {(2.5, None), (5, "liver metastases")}
    tsh = _one(nct04126811, type="numeric", variable="tsh")
    assert (tsh["comparator"], tsh["value"], tsh["relative_to"]) == ("<=", 1, "ULN")


def test_labs_nct03890068(nct03890068):
    hb = _one(nct03890068, type="numeric", variable="hemoglobin")
    assert (hb["comparator"], hb["value"], hb["unit"]) == (">=", 80, "g/L")
    assert (hb["canonical_value"], hb["canonical_unit"]) == (8, "g/dL")
    alb = _one(nct03890068, type="numeric", variable="albumin")
    assert (alb["comparator"], alb["value"], alb["unit"]) == (">=", 25, "g/L")
    lvef = _one(nct03890068, type="numeric", variable="lvef")
    assert (lvef["comparator"], lvef["value"], lvef["unit"]) == (">=", 50, "%")
    anc = _one(nct03890068, type="numeric", variable="neutrophils")
    assert (anc["value"], anc["unit"]) == (1.5, "10*9/L")  # "1.5 × 109 / L": lost superscript
    qtc = _all(nct03890068, type="numeric", variable="qtc")
    assert {(c["value"], c["applies_if"]) for c in qtc} == {(450, "male"), (470, "female")}
    sbp = _one(nct03890068, type="numeric", variable="blood_pressure_systolic")
    assert (sbp["comparator"], sbp["value"], sbp["unit"]) == (">=", 140, "mmHg")


def test_labs_nct06110650(nct06110650):
    assert _one(nct06110650, type="numeric", variable="neutrophils")["value"] == 1.5
    assert _one(nct06110650, type="numeric", variable="platelets")["value"] == 100
    assert _one(nct06110650, type="numeric", variable="hemoglobin")["unit"] == "g/dL"
    alt = _all(nct06110650, type="numeric", variable="alt")
    assert {(c["value"], c["applies_if"]) for c in alt} == {(2.5, None), (5, "liver metastases")}
    inr = _one(nct06110650, type="numeric", variable="inr")
    assert (inr["comparator"], inr["value"]) == (">", 1.5)
    assert _one(nct06110650, type="numeric", variable="lvef")["comparator"] == "<"
    # The blood test items are sub-items of "Blood test ...": they carry it as context.
    anc_crit = _one(nct06110650, type="numeric", variable="neutrophils")["_criterion"]
    assert anc_crit["context"].startswith("Blood test")


def test_life_expectancy(nct06110650, nct03890068):
    le = _one(nct06110650, type="life_expectancy")
    assert (le["comparator"], le["value"], le["unit"]) == (">=", 12, "wk")
    le = _one(nct03890068, type="life_expectancy")
    assert (le["comparator"], le["value"], le["unit"]) == (">", 3, "mo")


def test_disease_state_and_reproductive(nct06110650):
    assert _one(nct06110650, type="disease_state", state="measurable_disease")["required"] is True
    cns = _one(nct06110650, type="disease_state", state="cns_metastases")
    assert cns["_criterion"]["section"] == "exclusion"
    assert _one(nct06110650, type="reproductive", state="pregnancy")
    assert _one(nct06110650, type="consent")


def test_negation_is_separate_from_section(nct04126811):
    crit = next(c for c in nct04126811 if c["text"].startswith("Patients who have not previously"))
    assert crit["section"] == "inclusion" and crit["negated"] is True
    crit = next(c for c in nct04126811 if c["text"].startswith("Imaging diagnosis"))
    assert crit["section"] == "exclusion" and crit["negated"] is False


def test_prior_therapy_window_nct04126811(nct04126811):
    summary = eligibility_summary(nct04126811)
    exc = [e for e in summary["prior_therapy_exclusions"] if "sunitinib" in e["drugs"]]
    assert exc, summary["prior_therapy_exclusions"]
    e = exc[0]
    assert {"anlotinib", "pazopanib", "sorafenib", "bevacizumab", "apatinib", "regorafenib"} <= set(e["drugs"])
    assert e["window"] == "P3M" and e["window_days"] == 90


def test_prior_therapy_min_exposure_nct04072042(nct04072042):
    pt = _one(nct04072042, type="prior_therapy", min_exposure="P8W")
    assert "vegfr-tki" in pt["drug_classes"]
    assert pt["_criterion"]["section"] == "exclusion"


def test_prior_own_drug(nct03890068, nct06110650):
    for criteria, drug in ((nct03890068, "anlotinib"), (nct06110650, "surufatinib")):
        drugs = {d for e in eligibility_summary(criteria)["prior_therapy_exclusions"] for d in e["drugs"]}
        assert drug in drugs


def test_prior_aggregator(aggregator):
    exc = eligibility_summary(aggregator)["prior_therapy_exclusions"]
    first = exc[0]
    assert "anlotinib" in first["drugs"]
    assert any("pd-1" in c or "pd-l1" in c for c in first["drug_classes"])
