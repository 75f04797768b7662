"""Verdicts on exceptions and permissions of real records: an exception or a permission
never excludes a patient it lets through, and one whose words the patient file cannot
check leaves the outcome unknown.

Patients are those a clinician would write from the criterion
(tests/data/patients/lms_basal_cell_history.json, lms_colon_cancer_history.json,
cns_metastases.json); the store is built from the vendored records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import match_support
import pytest
from match_support import criterion

from trialkg.store import TrialStore

PATIENTS = Path(__file__).parent / "data" / "patients"
RECORDS = ["NCT00103168", "NCT02589821", "NCT01347788", "NCT02691871", "NCT02636725", "NCT01642004", "NCT03599518"]


def _patient(name: str, **changes: Any) -> dict[str, Any]:
    return {**json.loads((PATIENTS / f"{name}.json").read_text()), **changes}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> TrialStore:
    return match_support.corpus_store(tmp_path_factory, "permissions", RECORDS, ".xml")


@pytest.fixture(scope="module")
def trials(store: TrialStore) -> dict[str, Any]:
    return match_support.trials_by_id(store)


# "No other malignancy ... except ..." : the tumours the exception lets through
OTHER_MALIGNANCY = [
    ("NCT00103168", "No other malignancy within the past 5 years except adequately treated basal cell"),
    ("NCT02589821", "Other malignancies diagnosed within the previous 5 years, except basal cell carcinoma"),
    ("NCT02691871", "Other malignancy within the past five years other than basal cell skin cancer"),
]


@pytest.mark.parametrize(("nct", "fragment"), OTHER_MALIGNANCY)
def test_an_excepted_other_malignancy_does_not_exclude(store: TrialStore, trials: dict[str, Any], nct: str,
                                                       fragment: str) -> None:
    crit = criterion(trials, nct, fragment)
    assert match_support.outcome(store, nct, crit, _patient("lms_basal_cell_history")) in ("met", "n/a")


@pytest.mark.parametrize(("nct", "fragment"), OTHER_MALIGNANCY)
def test_an_other_malignancy_no_exception_names_excludes(store: TrialStore, trials: dict[str, Any], nct: str,
                                                         fragment: str) -> None:
    crit = criterion(trials, nct, fragment)
    assert match_support.outcome(store, nct, crit, _patient("lms_colon_cancer_history")) == "unmet"


@pytest.mark.parametrize(("nct", "fragment"), OTHER_MALIGNANCY)
def test_an_other_malignancy_of_unnamed_type_is_unknown(store: TrialStore, trials: dict[str, Any], nct: str,
                                                        fragment: str) -> None:
    # the flag says there is one, the conditions do not say which: the exception may hold
    crit = criterion(trials, nct, fragment)
    patient = _patient("lms_colon_cancer_history", conditions=["leiomyosarcoma"])
    assert match_support.outcome(store, nct, crit, patient) == "unknown"
    no_other = _patient("lms_colon_cancer_history", conditions=["leiomyosarcoma"], flags={"other_malignancy": False})
    assert match_support.outcome(store, nct, crit, no_other) != "unmet"


def test_an_exception_that_also_lets_a_time_through_leaves_an_unlisted_tumour_unknown(
        store: TrialStore, trials: dict[str, Any]) -> None:
    # NCT01347788 "History of a different malignancy unless disease-free for at least 5
    # years, or basal or squamous cell carcinoma of the skin": the colon cancer may be
    # five years behind; the basal cell carcinoma is excepted
    nct = "NCT01347788"
    crit = criterion(trials, nct, "History of a different malignancy unless disease-free")
    assert match_support.outcome(store, nct, crit, _patient("lms_colon_cancer_history")) == "unknown"
    assert match_support.outcome(store, nct, crit, _patient("lms_basal_cell_history")) in ("met", "n/a")


# "Patients with treated brain metastases are eligible if ...": the patient file says
# brain metastases, not whether they are treated and stable
QUALIFIED_CNS = [
    ("NCT02691871", "Patients with treated brain metastases are eligible if"),
    ("NCT02636725", "Subjects with previously treated brain metastases may participate provided"),
    ("NCT03599518", "Subjects with clinically inactive brain metastases may be included"),
    ("NCT01642004", "Subjects are eligible if CNS metastases are treated"),
]


@pytest.mark.parametrize(("nct", "fragment"), QUALIFIED_CNS)
def test_a_qualified_permission_leaves_brain_metastases_unknown(store: TrialStore, trials: dict[str, Any], nct: str,
                                                                fragment: str) -> None:
    crit = criterion(trials, nct, fragment)
    assert crit.role == "exclusion"
    assert match_support.outcome(store, nct, crit, _patient("cns_metastases")) == "unknown"
    no_cns = _patient("cns_metastases", flags={"cns_metastases": False})
    assert match_support.outcome(store, nct, crit, no_cns) in ("met", "unknown")
    assert match_support.outcome(store, nct, crit, no_cns) != "unmet"


# ---------------------------------------------------------------- further records

MORE = ["NCT02588170", "NCT00473486", "NCT02513394", "NCT01900743", "NCT01736878", "NCT02164240", "NCT02535351"]


@pytest.fixture(scope="module")
def more_store(tmp_path_factory: pytest.TempPathFactory) -> TrialStore:
    return match_support.corpus_store(tmp_path_factory, "permissions_more", RECORDS + MORE, ".xml")


@pytest.fixture(scope="module")
def more_trials(more_store: TrialStore) -> dict[str, Any]:
    return match_support.trials_by_id(more_store)


_FRAGMENT = "Other malignancies diagnosed within the previous 5 years, except basal cell carcinoma"


@pytest.mark.parametrize("nct", ["NCT02589821", "NCT02588170"])
def test_the_treatment_of_an_excepted_tumour_is_no_prior_therapy(more_store: TrialStore, more_trials: dict[str, Any],
                                                                 nct: str) -> None:
    # "... except basal cell carcinoma or cervical carcinoma in situ after radical resection"
    crit = criterion(more_trials, nct, _FRAGMENT)
    assert not [k for k in crit.constraints if k.role == "subject" and k.type == "prior_therapy"]


NO_OTHER_MALIGNANCY = [
    ("NCT00103168", "No other malignancy within the past 5 years except adequately treated basal cell"),
    ("NCT02589821", _FRAGMENT),
    ("NCT02588170", _FRAGMENT),
    ("NCT02691871", "Other malignancy within the past five years other than basal cell skin cancer"),
]


@pytest.mark.parametrize(("nct", "fragment"), NO_OTHER_MALIGNANCY)
def test_a_patient_with_no_other_malignancy_meets_the_item(more_store: TrialStore, more_trials: dict[str, Any],
                                                           nct: str, fragment: str) -> None:
    crit = criterion(more_trials, nct, fragment)
    patient = _patient("lms_colon_cancer_history", conditions=["leiomyosarcoma"], flags={"other_malignancy": False})
    assert match_support.outcome(more_store, nct, crit, patient) == "met"


def test_a_lab_held_without_transfusion_asks_for_no_transfusion(more_store: TrialStore,
                                                                more_trials: dict[str, Any]) -> None:
    # NCT02636725 "Hemoglobin ≥8 g/dL without transfusion or erythropoietin (EPO) dependency"
    nct = "NCT02636725"
    crit = criterion(more_trials, nct, "Hemoglobin ≥8 g/dL without transfusion")
    assert not [k for k in crit.constraints if k.role == "subject" and k.type == "prior_therapy"]
    assert match_support.outcome(more_store, nct, crit, _patient("lms_basal_cell_history")) == "met"


def test_an_excluded_therapy_with_a_permitted_use_is_read(more_store: TrialStore, more_trials: dict[str, Any]) -> None:
    # NCT00473486: a patient on no anticoagulant meets it; one on warfarin may be on the
    # permitted low dose
    nct = "NCT00473486"
    crit = criterion(more_trials, nct, "Therapeutic anticoagulation with vitamin K antagonists")
    assert match_support.outcome(more_store, nct, crit, _patient("lms_basal_cell_history")) == "met"
    on_warfarin = _patient("lms_basal_cell_history", prior_therapies=[{"drug": "warfarin", "weeks_since_last_dose": 0}])
    assert match_support.outcome(more_store, nct, crit, on_warfarin) == "unknown"
    # NCT02513394: a patient on no drug therapy takes no exogenous hormones
    nct = "NCT02513394"
    crit = criterion(more_trials, nct, "concurrent exogenous hormone therapy")
    assert match_support.outcome(more_store, nct, crit, _patient("lms_basal_cell_history", prior_therapies=[])) == "met"


RHYTHM = [
    ("NCT01900743", "Cardiac arrhythmias requiring anti-arrhythmic therapy (beta blockers or digoxin are permitted)"),
    ("NCT01736878", "Cardiac ventricular arrhythmias requiring anti-arrhythmic therapy other than beta-blockers"),
    ("NCT02164240", "Patients with controlled atrial fibrillation are not excluded"),
]


@pytest.mark.parametrize(("nct", "fragment"), RHYTHM)
def test_a_permitted_rate_control_keeps_an_arrhythmia_open(more_store: TrialStore, more_trials: dict[str, Any],
                                                           nct: str, fragment: str) -> None:
    # tests/data/patients/atrial_fibrillation_on_digoxin.json: the permission may hold
    crit = criterion(more_trials, nct, fragment)
    assert match_support.outcome(more_store, nct, crit, _patient("atrial_fibrillation_on_digoxin")) == "unknown"


@pytest.mark.parametrize(("nct", "fragment"), RHYTHM[:2])
def test_an_arrhythmia_on_none_of_the_permitted_drugs_stays_excluded(more_store: TrialStore,
                                                                    more_trials: dict[str, Any],
                                                                    nct: str, fragment: str) -> None:
    # (a drug the graph gives no class, amiodarone, may be any class: that stays unknown)
    crit = criterion(more_trials, nct, fragment)
    patient = _patient("atrial_fibrillation_on_digoxin", prior_therapies=[])
    assert match_support.outcome(more_store, nct, crit, patient) == "unmet"
