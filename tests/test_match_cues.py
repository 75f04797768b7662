"""Verdicts on cues of real records: a drug the patient is to be able or willing to take is
no prior therapy the patient must have had, a cancer set apart from the one under study is
another malignancy (a patient with none meets the item), and a cancer word naming a
treatment ("a previous cancer treatment regimen") asks for no other cancer.

Patients are those of tests/data/patients/ (lung_adenocarcinoma_egfr.json,
lms_colon_cancer_history.json) with the changes each test states; the store is built from
the vendored records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import match_support
import pytest
from match_support import criterion

from trialkg.store import TrialStore

PATIENTS = Path(__file__).parent / "data" / "patients"
RECORDS = ["NCT00703638", "NCT00473486", "NCT03599518"]


def _patient(name: str, **changes: Any) -> dict[str, Any]:
    return {**json.loads((PATIENTS / f"{name}.json").read_text()), **changes}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> TrialStore:
    return match_support.corpus_store(tmp_path_factory, "cues", RECORDS, ".xml")


@pytest.fixture(scope="module")
def trials(store: TrialStore) -> dict[str, Any]:
    return match_support.trials_by_id(store)


def _subjects(crit: Any, kind: str) -> list[Any]:
    return [k for k in crit.constraints if k.role == "subject" and k.type == kind]


@pytest.mark.parametrize(("nct", "fragment"), [
    ("NCT00703638", "Must be able to take folic acid and vitamin B12"),
    ("NCT00473486", "Inability or unwillingness to take folic acid, vitamin B12 supplementation or corticosteroids"),
])
def test_a_drug_to_be_taken_is_no_prior_therapy(store: TrialStore, trials: dict[str, Any], nct: str,
                                                fragment: str) -> None:
    crit = criterion(trials, nct, fragment)
    assert not _subjects(crit, "prior_therapy")
    # a patient who had corticosteroids is not excluded for having had them
    patient = _patient("lung_adenocarcinoma_egfr",
                       prior_therapies=[{"drug": "dexamethasone", "weeks_since_last_dose": 1}])
    assert match_support.outcome(store, nct, crit, patient) != "unmet"


_DISTINCT = "Previous or current cancer that is distinct in primary site or histology from NSCLC"


def test_a_cancer_distinct_from_the_one_under_study_is_another_malignancy(store: TrialStore,
                                                                          trials: dict[str, Any]) -> None:
    # NCT00473486: a lung cancer patient with no other malignancy meets the item; one with
    # a colon cancer is not admitted, which the exception "any cancer curatively treated > 3
    # years prior to study entry" may still let through (unknown)
    nct = "NCT00473486"
    crit = criterion(trials, nct, _DISTINCT)
    assert [k for k in _subjects(crit, "disease_state") if k.one("state") == "other_malignancy"]
    no_other = _patient("lung_adenocarcinoma_egfr", flags={"other_malignancy": False})
    assert match_support.outcome(store, nct, crit, no_other) == "met"
    other = _patient("lung_adenocarcinoma_egfr", conditions=["lung adenocarcinoma", "colon cancer"],
                     flags={"other_malignancy": True})
    assert match_support.outcome(store, nct, crit, other) == "unknown"


def test_a_previous_cancer_treatment_regimen_asks_for_no_other_cancer(store: TrialStore,
                                                                      trials: dict[str, Any]) -> None:
    # NCT03599518 "... other anticancer drug(s) from a previous cancer treatment regimen ...
    # (other than EGFR TKI), within 14 days": a patient with another cancer, on the excepted
    # erlotinib, is not excluded by the item
    nct = "NCT03599518"
    crit = criterion(trials, nct, "other anticancer drug(s) from a previous cancer treatment regimen")
    assert not [k for k in _subjects(crit, "disease_state") if k.one("state") == "other_malignancy"]
    patient = _patient("lung_adenocarcinoma_egfr", conditions=["lung adenocarcinoma", "colon cancer"],
                       flags={"other_malignancy": True})
    assert match_support.outcome(store, nct, crit, patient) == "met"
