"""Criteria that name the patients they are for (strata), and words that qualify a
treatment or a measurement rather than the disease, on real registry records.

* "Primary tumors of bone including Ewing's sarcoma, osteosarcoma, and dedifferentiated
  chondrosarcoma may only be enrolled if ..." (NCT02636725) and "Patients with GBM or
  anaplastic astrocytoma must be at first or second recurrence ..." (NCT02576665): the
  named types are the criterion's condition; it is ``n/a`` for a patient with another
  type, decides for a patient with a named one, and places that patient within the trial
  although its registry conditions ("Soft Tissue Sarcomas") leave the type out;
* "refractory or intolerant to corticosteroids" said of GVHD (NCT03147742), "refractory to
  ... anthracycline-based chemotherapy" (NCT02636725): how the condition answered a
  treatment, no advanced-disease state;
* "measurable target lesions" (NCT02636725), "at least one measurable lesion" (NCT04126811),
  and a lower-case "all" ("all grades acute or chronic GVHD", NCT03147742) name no tumour
  type.
"""

from __future__ import annotations

from typing import Any

import match_support
import pytest
from match_support import criterion

from trialkg.criteria import parse_criteria_text
from trialkg.match import match_store, parse_patient
from trialkg.store import TrialStore

RECORDS = ["NCT02636725", "NCT02576665", "NCT03147742"]
BONE = "Primary tumors of bone including Ewing"
GLIOMA = "Patients with GBM or anaplastic astrocytoma must"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> TrialStore:
    return match_support.corpus_store(tmp_path_factory, "strata", RECORDS)


@pytest.fixture(scope="module")
def trials(store: TrialStore) -> dict[str, Any]:
    return match_support.trials_by_id(store)


def _patient(condition: str, *drugs: str, **extra: Any) -> dict[str, Any]:
    return {"age_years": 30, "sex": "MALE", "ecog": 1, "conditions": [condition], "flags": {"measurable_disease": True},
            "prior_therapies": [{"drug": d, "weeks_since_last_dose": 10} for d in drugs], **extra}


def _types(crit: Any, role: str) -> list[str]:
    return [str(h) for k in crit.constraints if k.type == "histology" and k.role == role for h in k.all("histology")]


def test_a_named_population_is_the_condition_of_its_criterion(trials: dict[str, Any]) -> None:
    bone = criterion(trials, "NCT02636725", BONE)
    assert bone.role == "requirement"
    assert _types(bone, "condition") and "osteosarcoma" in _types(bone, "condition")[0]
    assert _types(bone, "subject") == []  # "there are measurable target lesions" is no type
    glioma = criterion(trials, "NCT02576665", GLIOMA)
    assert glioma.applies_if and "GBM or anaplastic astrocytoma" in _types(glioma, "condition")[0]


@pytest.mark.parametrize(("nct", "fragment", "patient", "expected"), [
    # another type: the criterion does not concern the patient
    ("NCT02636725", BONE, _patient("leiomyosarcoma", "doxorubicin"), "n/a"),
    ("NCT02576665", GLIOMA, _patient("leiomyosarcoma"), "n/a"),
    # a named type: what follows "if" decides, "refractory to anthracycline" through the drug
    ("NCT02636725", BONE, _patient("osteosarcoma"), "unmet"),
    ("NCT02636725", BONE, _patient("osteosarcoma", "doxorubicin", "cisplatin"), "unknown"),
    ("NCT02576665", GLIOMA, _patient("glioblastoma", "temozolomide"), "unknown"),
])
def test_a_stratum_decides_only_for_its_types(store: TrialStore, trials: dict[str, Any], nct: str, fragment: str,
                                              patient: dict[str, Any], expected: str) -> None:
    assert match_support.outcome(store, nct, criterion(trials, nct, fragment), patient) == expected


def test_a_stratum_admits_a_type_the_registry_conditions_leave_out(store: TrialStore) -> None:
    (osteo,) = match_store(store, parse_patient(_patient("osteosarcoma", "doxorubicin", "cisplatin")), "NCT02636725")
    assert osteo.verdict == "possible", [(r.criterion, r.why) for r in osteo.unmet]
    cond = next(r for r in osteo.reasons if r.criterion == "conditions")
    assert cond.outcome == "unknown" and "inc-" in cond.why
    (breast,) = match_store(store, parse_patient(_patient("breast carcinoma")), "NCT02636725")
    assert breast.verdict == "excluded"
    assert next(r for r in breast.reasons if r.criterion == "conditions").outcome == "unmet"


def test_refractory_to_a_treatment_is_no_advanced_disease(trials: dict[str, Any]) -> None:
    gvhd = criterion(trials, "NCT03147742", "refractory or intolerant to corticosteroids")
    states = {str(k.one("state")) for k in gvhd.constraints if k.type == "disease_state"}
    assert not any("advanced" in s for s in states)
    assert _types(gvhd, "subject") == []  # "all grades" is no acute lymphoblastic leukaemia
    bone = criterion(trials, "NCT02636725", BONE)
    assert not any("advanced" in str(k.one("state")) for k in bone.constraints if k.type == "disease_state")


@pytest.mark.parametrize(("text", "states", "types"), [
    ("Must have at least one measurable lesion according to RECIST v1.1 definition;",  # NCT04126811
     {"measurable_disease"}, []),
    ("Steroid-refractory acute GVHD grade II-IV", set(), []),
    ("Patients with relapsed or refractory multiple myeloma", {"advanced_disease"}, ["refractory multiple myeloma"]),
    ("Patients with Philadelphia chromosome-positive ALL in first remission", set(),
     ["Philadelphia chromosome-positive ALL"]),
])
def test_measured_lesions_and_treatment_response_read_as_such(text: str, states: set[str], types: list[str]) -> None:
    (item,) = parse_criteria_text(f"Inclusion Criteria:\n\n1. {text}\n")
    found = {c["state"] for c in item["constraints"] if c["type"] == "disease_state"}
    assert found == states
    assert [c["histology"] for c in item["constraints"] if c["type"] == "histology"] == types


def test_a_pecoma_is_a_soft_tissue_sarcoma_of_the_list(store: TrialStore, trials: dict[str, Any]) -> None:
    # "The following histologies may be enrolled ONLY if refractory to at least first-line
    # targeted therapy ...: ... PEComa." (NCT02636725)
    pecoma = _patient("malignant PEComa", "sirolimus")
    (result,) = match_store(store, parse_patient(pecoma), "NCT02636725")
    assert next(r for r in result.reasons if r.criterion == "conditions").outcome == "met"
    assert match_support.outcome(store, "NCT02636725", criterion(trials, "NCT02636725", "PEComa"), pecoma) == "met"
