"""Cues that decide what a drug or a cancer word in an item is: the ability or will to take
a drug (a treatment still to come), a cancer set apart from the one under study (another
malignancy), a cancer word naming a treatment (no cancer), and a person "on" a drug (its
current use).

Each sentence is quoted from a ClinicalTrials.gov record or the Clinical-Trial-Parser test
split (source in the test); the test states the reading (docs/criteria.md)."""

from __future__ import annotations

from typing import Any

import pytest

from trialkg.criteria import parse_criteria_text


def _one(text: str, section: str = "exclusion") -> dict[str, Any]:
    header = "Inclusion Criteria:" if section == "inclusion" else "Exclusion Criteria:"
    (crit,) = parse_criteria_text(f"{header}\n- {text}")
    return crit


def _of(crit: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [c for c in crit["constraints"] if c["type"] == kind]


def _states(crit: dict[str, Any]) -> list[str]:
    return [str(c["state"]) for c in _of(crit, "disease_state")]


# ---------------------------------------------------------------- ability or will to take


@pytest.mark.parametrize(("text", "section", "named"), [
    # NCT00473486
    ("Inability or unwillingness to take folic acid, vitamin B12 supplementation or corticosteroids", "exclusion",
     "corticosteroid"),
    # Clinical-Trial-Parser test split
    ("must be willing to take effective antiretroviral therapy , if indicated", "inclusion", "antiviral"),
    ("able to receive concurrent prophylactic anticoagulation therapy ( e.g. , low-dose aspirin [ @NUMBER mg ] daily "
     "or an alternative prophylaxis [ e.g. , warfarin or low molecular weight heparin ] )", "inclusion", "warfarin"),
    # the phrasing of NCT00703638 ("Must be able to take folic acid and vitamin B12") with
    # drugs of the vendored records
    ("Must be able to take dexamethasone premedication", "inclusion", "dexamethasone"),
    ("Patients must be able to receive pembrolizumab", "inclusion", "pembrolizumab"),
])
def test_a_drug_one_is_able_or_willing_to_take_is_to_come(text: str, section: str, named: str) -> None:
    crit = _one(text, section)
    assert not _of(crit, "prior_therapy")
    mentions = [c for c in _of(crit, "drug_mention") if c["context"] == "dosing"]
    assert mentions
    assert named in mentions[0]["drugs"] + mentions[0]["drug_classes"]


def test_a_prior_therapy_beside_an_ability_to_take_stays_prior() -> None:
    # the ability names oral medication; the prior drug is the item's subject
    crit = _one("Patients who have received prior dexamethasone and are able to take oral medication", "inclusion")
    (therapy,) = _of(crit, "prior_therapy")
    assert therapy["drugs"] == ["dexamethasone"]


def test_swallowing_a_drug_is_its_absorption() -> None:
    # NCT02576665 "... from being able to swallow Toca FC tablets or absorb flucytosine";
    # Clinical-Trial-Parser test split "not able to swallow the lenalidomide capsule as a whole"
    for text in ("Patient has a condition that would prevent him or her from being able to swallow Toca FC tablets "
                 "or absorb flucytosine.", "not able to swallow the lenalidomide capsule as a whole"):
        crit = _one(text)
        assert not _of(crit, "prior_therapy")
        assert [c for c in _of(crit, "drug_mention") if c["context"] == "absorption"]


# ---------------------------------------------------------------- a cancer set apart


@pytest.mark.parametrize("text", [
    # NCT00473486
    "Previous or current cancer that is distinct in primary site or histology from NSCLC except cervical cancer "
    "in-situ, treated basal cell carcinoma, superficial bladder tumors (Ta and Tis) or any cancer curatively treated "
    "> 3 years prior to study entry",
    # NCT00703638 ("a second primary malignancy"), the noun left out
    "Patients must not have a second primary except in situ carcinoma of the cervix",
    "A cancer other than the one under study within the last 5 years",
    "Malignancy different from the one under study",
    # Clinical-Trial-Parser test split
    "second primary malignancy that requires active therapy",
])
def test_a_cancer_set_apart_from_the_one_under_study_is_another_malignancy(text: str) -> None:
    crit = _one(text)
    (state,) = [c for c in _of(crit, "disease_state") if c["state"] == "other_malignancy"]
    assert state["required"] is False


# ---------------------------------------------------------------- a cancer word naming a treatment


@pytest.mark.parametrize("text", [
    # NCT03599518
    "Any cytotoxic chemotherapy, immune checkpoint inhibitor therapy, investigational agent or other anticancer "
    "drug(s) from a previous cancer treatment regimen or clinical study (other than EGFR TKI), within 14 days of the "
    "first dose of study treatment",
    # Clinical-Trial-Parser test split
    "history of high grade ( ctcae ≥ grade @NUMBER ) immune mediated adverse event from prior cancer immunotherapy",
    "Prior cancer therapy within 4 weeks",
])
def test_a_cancer_word_naming_a_treatment_is_no_cancer(text: str) -> None:
    crit = _one(text)
    assert "other_malignancy" not in _states(crit)
    assert not [h for c in _of(crit, "histology") for h in c["excluded_histology"] if "cancer" in h.lower()]


def test_the_window_of_a_previous_cancer_treatment_stays() -> None:
    # NCT03599518: the treatment is the subject, EGFR TKIs excepted
    crit = _one("Any cytotoxic chemotherapy, immune checkpoint inhibitor therapy, investigational agent or other "
                "anticancer drug(s) from a previous cancer treatment regimen or clinical study (other than EGFR TKI), "
                "within 14 days of the first dose of study treatment")
    (therapy,) = _of(crit, "prior_therapy")
    assert therapy["window_days"] == 14
    assert therapy["except_drug_classes"] == ["egfr-tki"]


# ---------------------------------------------------------------- a person on a drug


@pytest.mark.parametrize(("text", "named"), [
    # Clinical-Trial-Parser test split
    ("post-menopausal women who are on hormone replacement therapy", "hormone replacement therapy"),
    ("females on hormone replacement therapy ( hrt )", "hormone replacement therapy"),
    ("patients who are on chronic systemic steroid therapy for any reason", "corticosteroids"),
    # the phrasing with a drug of the vendored records (NCT00473486 names warfarin)
    ("patients who are on warfarin", "anticoagulants"),
    ("Women who are on tamoxifen", None),
])
def test_a_person_on_a_drug_is_its_current_use(text: str, named: str | None) -> None:
    (therapy,) = _of(_one(text), "prior_therapy")
    assert therapy["timing"] == "current"
    if named:
        assert named in therapy["therapies"]


@pytest.mark.parametrize("text", [
    # NCT00703638 "For patients on warfarin, the INR should be measured prior to initiation of sorafenib"
    "For patients who are on warfarin, the INR must be below 3",
    "For women on tamoxifen, the endometrial thickness must be below 5 mm",
])
def test_for_a_person_on_a_drug_a_threshold_is_a_condition(text: str) -> None:
    crit = _one(text, "inclusion")
    assert not _of(crit, "prior_therapy")
    assert _of(crit, "numeric")


def test_a_tumour_type_before_its_treatment_still_states_an_inclusion_diagnosis() -> None:
    # Clinical-Trial-Parser test split: the patient presents with breast cancer
    crit = _one("presenting for breast cancer treatment", "inclusion")
    assert [c for c in _of(crit, "histology") if c["histology"] == "breast cancer"]
    # NCT01207388: a generic cancer word before the treatment names no diagnosis
    assert not _of(_one("Systemic cancer chemotherapy within 2 weeks prior to study treatment"), "histology")
