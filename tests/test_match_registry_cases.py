"""Patients written by reading the criteria of registry records drawn at random from the
kinase-inhibitor candidates of tests/data/ctgov_corpus/CANDIDATE_TKI_TRIALS_not_saved.csv
(seed 7): for each trial, patients it was written for and patients its text clearly keeps
out, with the criterion that decides.

NCT00357318 (bevacizumab and sunitinib; adrenocortical carcinoma or melanoma):
"Accrual closed as of 5/27/2009 to patients with renal cell carcinoma"; "None of the
following within the past 12 months:" / "Blood pressure < 140/90 mm Hg" (a limit to keep,
not a finding to be absent); "No prior bevacizumab or sunitinib malate"; "No prior tyrosine
kinase inhibitor of the VEGF receptor or bevacizumab for patients with metastatic renal
cell carcinoma"; "Patients with urine protein:creatinine ratio > 0.5 must have proteinuria
< 1,000 mg".

NCT00581789 (erlotinib and sunitinib; NSCLC after one platinum regimen): "Squamous cell
histology." (an exclusion); "Prior chemotherapy ... within 4 weeks prior to study entry,
except palliative radiation therapy to a non-target lesions (must have been completed 2
weeks prior to study enrollment)"; "Prior treatment with high-dose chemotherapy requiring
stem cell rescue"; "Eligibility of patients receiving any medications ... of sunitinib or
erlotinib will be determined following review of their case by the Principal Investigator".
"""

from __future__ import annotations

from typing import Any

import match_support
import pytest
from match_support import criterion

from trialkg.criteria import parse_criteria_text
from trialkg.match import match_store, parse_patient
from trialkg.store import TrialStore

RECORDS = ["NCT00357318", "NCT00581789"]
FIT = {"ecog": 1, "flags": {"brain_metastases": False, "advanced_disease": True, "measurable_disease": True,
                            "pregnant": False, "hiv_infection": False}}
MELANOMA = {**FIT, "age_years": 55, "sex": "MALE", "conditions": ["metastatic melanoma"],
            "prior_therapies": [{"drug": "pembrolizumab", "weeks_since_last_dose": 10}],
            "labs": {"blood_pressure_systolic": {"value": 125, "unit": "mmHg"},
                     "blood_pressure_diastolic": {"value": 80, "unit": "mmHg"},
                     "bilirubin": {"value": 0.8, "unit": "x ULN"}, "creatinine": {"value": 0.9, "unit": "x ULN"}}}
ADENO = {**FIT, "age_years": 64, "sex": "FEMALE", "conditions": ["lung adenocarcinoma"],
         "prior_therapies": [{"drug": "carboplatin", "weeks_since_last_dose": 8},
                             {"drug": "pemetrexed", "weeks_since_last_dose": 8}]}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> TrialStore:
    return match_support.corpus_store(tmp_path_factory, "registry-cases", RECORDS)


@pytest.fixture(scope="module")
def trials(store: TrialStore) -> dict[str, Any]:
    return match_support.trials_by_id(store)


def _verdict(store: TrialStore, nct: str, patient: dict[str, Any]) -> tuple[str, list[str]]:
    (result,) = match_store(store, parse_patient(patient), nct)
    return result.verdict, [r.text for r in result.unmet]


@pytest.mark.parametrize(("nct", "patient", "verdict", "because"), [
    # written for: nothing in the data counts against them
    ("NCT00357318", MELANOMA, "possible", None),
    ("NCT00357318", {**MELANOMA, "prior_therapies": [{"drug": "pazopanib", "weeks_since_last_dose": 12}]},
     "possible", None),  # the VEGFR TKI exclusion is for renal cell carcinoma; other antiangiogenics allowed
    ("NCT00581789", ADENO, "possible", None),
    # kept out by what the text says
    ("NCT00357318", {**MELANOMA, "prior_therapies": [{"drug": "bevacizumab", "weeks_since_last_dose": 30}]},
     "excluded", "No prior bevacizumab"),
    ("NCT00357318", {**MELANOMA, "conditions": ["metastatic clear cell renal cell carcinoma"], "prior_therapies": []},
     "excluded", "Accrual closed"),
    ("NCT00581789", {**ADENO, "conditions": ["lung squamous cell carcinoma"]}, "excluded", "Squamous cell histology"),
    ("NCT00581789", {**ADENO, "prior_therapies": [{"drug": "erlotinib", "weeks_since_last_dose": 8}]},
     "excluded", "One and only one prior treatment"),
])
def test_registry_patients(store: TrialStore, nct: str, patient: dict[str, Any], verdict: str,
                           because: str | None) -> None:
    got, unmet = _verdict(store, nct, patient)
    assert got == verdict, unmet
    if because:
        assert any(because in t for t in unmet), unmet
    else:
        assert unmet == []


def test_readings_behind_the_verdicts(store: TrialStore, trials: dict[str, Any]) -> None:
    bp = criterion(trials, "NCT00357318", "Blood pressure < 140/90")
    assert bp.role == "requirement" and bp.lead_in
    assert match_support.outcome(store, "NCT00357318", bp, MELANOMA) == "met"
    upc = criterion(trials, "NCT00357318", "Patients with urine protein:creatinine ratio")
    assert upc.applies_if and [k.one("variable") for k in upc.constraints if k.role == "condition"] == ["urine_protein"]
    review = criterion(trials, "NCT00581789", "will be determined following review")
    assert review.role == "information"
    window = criterion(trials, "NCT00581789", "except palliative radiation therapy to a non-target")
    assert window.role == "exclusion"
    assert not [k for k in window.constraints if k.type == "disease_state" and k.role == "subject"]
    high_dose = criterion(trials, "NCT00581789", "high-dose chemotherapy requiring stem cell rescue")
    assert match_support.outcome(store, "NCT00581789", high_dose, ADENO) == "unknown"


# NCT03042611 (apatinib, gastric adenocarcinoma), read from its criteria text (the record
# is not vendored): the agents of the prior lines are alternatives, and a drug named as
# the cause of an adverse event is context, no prior therapy the item excludes.
GASTRIC = """Inclusion Criteria:

  5. Failure or intolerance to at least two prior lines of standard chemotherapies with
     each containing one or more of the following agents:

       -  fluoropyrimidine (IV 5-FU capecitabine, or S-1),

       -  platinum (cisplatin or oxaliplatin),

       -  irinotecan,

       -  ramucirumab

Exclusion Criteria:

  22. History of severe adverse events, in the investigator's opinion, related to
     ramucirumab.
"""


def test_agents_of_one_or_more_of_the_following_are_alternatives() -> None:
    crits = parse_criteria_text(GASTRIC)
    items = [c for c in crits if c.get("lead_in")]
    assert len(items) == 4 and {c.get("alternative_set") for c in items} == {crits[0]["id"]}
    (harm,) = [c for c in crits if c["section"] == "exclusion"]
    assert [k["context"] for k in harm["constraints"] if k["type"] == "drug_mention"] == ["toxicity"]
    assert not [k for k in harm["constraints"] if k["type"] == "prior_therapy"]


def test_one_of_the_following_criteria_are_alternatives() -> None:
    # "Be willing to avoid pregnancy or fathering children based on 1 of the following criteria:"
    # (NCT03147742) is read by the same lead-in rule
    (c,) = parse_criteria_text("Inclusion Criteria:\n\n- Be willing to avoid pregnancy based on 1 of the following "
                               "criteria:\n\n  - Women of non-childbearing potential\n\n  - Man who agrees to take "
                               "appropriate precautions\n")[1:2]
    assert c.get("alternative_set")


@pytest.mark.parametrize(("text", "states"), [
    # NCT00543335 (sorafenib with thoracic radiation): treated and untreated alike
    ("Pathologically proven previously untreated or systemically treated poor prognosis NSCLC patients for whom "
     "palliative thoracic irradiation is the treatment of choice per standard of care.", set()),
    ("Previously untreated metastatic melanoma", {"advanced_disease", "newly_diagnosed"}),
])
def test_treated_or_untreated_asks_no_treatment_state(text: str, states: set[str]) -> None:
    (c,) = parse_criteria_text(f"Inclusion Criteria:\n\n1. {text}\n")
    assert {k["state"] for k in c["constraints"] if k["type"] == "disease_state"} == states
