"""Exceptions and permissions read from real criterion sentences: the tumours a history
of another cancer lets through ("No other malignancy ... except basal cell carcinoma"),
and a later sentence permitting a state the words around it qualify ("Patients with
treated brain metastases are eligible if they are clinically stable").

Each sentence is quoted from a ClinicalTrials.gov record (NCT id in the test); the test
states the reading (docs/criteria.md, "Criterion logic keys")."""

from __future__ import annotations

from typing import Any

import pytest

from trialkg.criteria import parse_criteria_text


def _one(text: str, section: str = "exclusion") -> dict[str, Any]:
    header = "Inclusion Criteria:" if section == "inclusion" else "Exclusion Criteria:"
    (crit,) = parse_criteria_text(f"{header}\n- {text}")
    return crit


def _excepted(crit: dict[str, Any]) -> list[str]:
    return [str(c["histology"]) for c in crit["constraints"] if c.get("role") == "exception" and c["type"] == "histology"]


# ---------------------------------------------------------------- excepted tumours


@pytest.mark.parametrize(("text", "section", "excepted"), [
    # NCT00103168 (an inclusion list's "No ..." item)
    ("No other malignancy within the past 5 years except adequately treated basal cell or squamous cell skin "
     "cancer or carcinoma in situ of the cervix", "inclusion",
     "adequately treated basal cell or squamous cell skin cancer or carcinoma in situ of the cervix"),
    # NCT02589821, NCT02588170
    ("Other malignancies diagnosed within the previous 5 years, except basal cell carcinoma or cervical carcinoma "
     "in situ after radical resection;", "exclusion", "basal cell carcinoma or cervical carcinoma in situ after radical resection"),
    # NCT01347788: "unless" with a time and the tumours
    ("History of a different malignancy unless disease-free for at least 5 years, or basal or squamous cell carcinoma "
     "of the skin", "exclusion", "disease-free for at least 5 years, or basal or squamous cell carcinoma of the skin"),
    # NCT00619541: in brackets
    ("Previous malignancy (except for cervical carcinoma in situ, adequately treated basal cell carcinoma, or "
     "superficial bladder tumors [Ta, Tis & T1] or other malignancies curatively treated > 3 years prior to entry).",
     "exclusion", "cervical carcinoma in situ, adequately treated basal cell carcinoma, or superficial bladder tumors "
     "[Ta, Tis & T1] or other malignancies curatively treated > 3 years prior to entry"),
    # NCT02691871: "other than" after a comma-less noun phrase with a window between
    ("Other malignancy within the past five years other than basal cell skin cancer, or carcinoma in situ of the cervix;",
     "exclusion", "basal cell skin cancer, or carcinoma in situ of the cervix"),
])
def test_the_tumours_a_history_of_another_cancer_lets_through(text: str, section: str, excepted: str) -> None:
    crit = _one(text, section)
    assert crit["role"] == "exclusion"
    assert _excepted(crit) == [excepted]
    assert crit["exception"]
    assert any(c.get("state") == "other_malignancy" and c.get("role", "subject") == "subject" for c in crit["constraints"])


def test_other_than_the_trials_own_cancer_is_no_exception() -> None:
    # NCT03424005: "malignancy other than breast cancer" names what makes it "other"; the
    # exception is the clause after "with the exception of"
    crit = _one("History of malignancy other than breast cancer within 2 years prior to screening, with the exception "
                "of those with a negligible risk of metastasis or death")
    assert _excepted(crit) == ["those with a negligible risk of metastasis or death"]


def test_an_exception_list_after_semicolons_runs_to_the_sentence_end() -> None:
    # NCT02465060
    crit = _one("No other prior malignancy is allowed except for the following: adequately treated basal cell or "
                "squamous cell skin cancer; in situ cervical cancer; adequately treated stage I or II cancer from which "
                "the patient is currently in complete remission", "inclusion")
    (excepted,) = _excepted(crit)
    assert "in situ cervical cancer" in excepted and "complete remission" in excepted


def test_an_item_about_no_other_cancer_gets_no_tumour_exception() -> None:
    # NCT03890068 exc-4 "... excluding alopecia" and NCT01347788 inc-5 "except alopecia": a
    # toxicity's exception, no tumour
    for text in ("Unmitigated toxic reactions above grade 1 of CTC AE due to any previous treatment, excluding alopecia.",
                 "Recovered from toxicities related to prior treatment, except alopecia, lymphopenia"):
        assert not _excepted(_one(text))


# ---------------------------------------------------------------- qualified permissions


@pytest.mark.parametrize("text", [
    # NCT02691871
    "Patients who have active brain metastases or leptomeningeal disease. Patients with treated brain metastases are "
    "eligible if they are clinically stable with regard to neurologic function, off steroids after cranial irradiation "
    "ending at least 3 weeks prior to randomization, or after surgical resection performed at least 3 weeks prior to "
    "randomization.",
    # NCT02636725
    "Has known active central nervous system (CNS) metastases and/or carcinomatous meningitis or leptomeningeal disease. "
    "Subjects with previously treated brain metastases may participate provided they are stable (without evidence of "
    "progression by imaging for at least four weeks prior to the first dose of trial treatment and any neurologic "
    "symptoms have returned to baseline), have no evidence of new or enlarging brain metastases, and are not using "
    "steroids for at least 7 days prior to trial treatment.",
    # NCT03599518: the permission after a spaced dash
    "Has spinal cord compression or clinically active brain metastases, defined as untreated and symptomatic, or "
    "requiring therapy with corticosteroids or anticonvulsants to control associated symptoms - Subjects with clinically "
    "inactive brain metastases may be included in the study.",
    # NCT01642004: the permission names its patients only in its condition
    "Subjects with untreated central nervous system (CNS) metastases are excluded. Subjects are eligible if CNS "
    "metastases are treated and subjects are neurologically returned to baseline for at least 2 weeks prior to "
    "enrollment.",
])
def test_a_permitted_state_the_words_around_it_qualify(text: str) -> None:
    crit = _one(text)
    assert crit["role"] == "exclusion"
    permits = [c for c in crit["constraints"] if c.get("role") == "permission" and c["type"] == "disease_state"]
    assert [c["state"] for c in permits] == ["cns_metastases"]
    assert all(c.get("qualified") for c in permits)
    assert any(c.get("state") == "cns_metastases" and c.get("role", "subject") == "subject" for c in crit["constraints"])


def test_a_permission_resting_on_an_absence_is_not_read_from_its_condition() -> None:
    # NCT03277924: "in the absence of active autoimmune disease" is the permission's
    # condition; the permission names no one in it
    crit = _one("A condition requiring systemic treatment with either corticosteroids (> 10 mg daily prednisone "
                "equivalents) or other immunosuppressive medications within 14 days of study drug administration. "
                "Inhaled or topical steroids and adrenal replacement doses > 10 mg daily prednisone equivalents are "
                "permitted in the absence of active autoimmune disease.")
    assert not [c for c in crit["constraints"] if c.get("role") == "permission" and c["type"] == "disease_state"]


def test_an_unqualified_permitted_state_stays_unqualified() -> None:
    # NCT01804374 "(bone lesions are allowed)", NCT02199223 "Alopecia (any grade) is allowed"
    for text in ("Measurable disease as defined by RECIST criteria vs. 1.1 (bone lesions are allowed).",
                 "Acute toxic effects of all prior treatment have resolved to NCI-CTCAE v4.0 less than or equal to "
                 "Grade 1 or baseline prior to beginning treatment. Alopecia (any grade) is allowed."):
        crit = _one(text, "inclusion")
        assert not [c for c in crit["constraints"] if c.get("role") == "permission" and c.get("qualified")]


# ---------------------------------------------------------------- what an exception names is no subject


def _subject(crit: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [c for c in crit["constraints"] if c["type"] == kind and c.get("role", "subject") == "subject"]


@pytest.mark.parametrize("text", [
    # NCT02589821, NCT02588170: the resection is how the excepted tumours were treated
    "Other malignancies diagnosed within the previous 5 years, except basal cell carcinoma or cervical carcinoma in "
    "situ after radical resection;",
    # NCT00619541: "curatively treated > 3 years prior" inside the bracketed exception
    "Previous malignancy (except for cervical carcinoma in situ, adequately treated basal cell carcinoma, or "
    "superficial bladder tumors [Ta, Tis & T1] or other malignancies curatively treated > 3 years prior to entry).",
    # NCT02535351: "every cancer with curative treatment within 5 years"
    "Other cancer within the previous 5 years (except for in situ skin carcinoma, superficial bladder Ta, Tis, T1 and "
    "carcinoma of the cervix or every cancer with curative treatment within 5 years)",
])
def test_a_tumour_exception_gives_no_prior_therapy(text: str) -> None:
    crit = _one(text)
    assert not _subject(crit, "prior_therapy")
    assert _excepted(crit) and crit["exception"]
    assert any(c.get("state") == "other_malignancy" for c in _subject(crit, "disease_state"))


def test_a_therapy_named_only_in_an_exception_is_no_subject() -> None:
    # NCT00602576 "(except vaccines)", NCT03599518 "(other than EGFR TKI)"
    crit = _one("At least 4 weeks since prior and no other concurrent investigational anticancer therapy (except vaccines)",
                "inclusion")
    assert all("vaccine" not in c["therapies"] for c in _subject(crit, "prior_therapy"))
    crit = _one("Any cytotoxic chemotherapy, immune checkpoint inhibitor therapy, investigational agent or other anticancer "
                "drug(s) from a previous cancer treatment regimen or clinical study (other than EGFR TKI), within 14 days "
                "of the first dose of study treatment")
    (pt,) = _subject(crit, "prior_therapy")
    assert "targeted therapy" not in pt["therapies"] and pt["except_drug_classes"] == ["egfr-tki"]


def test_an_exception_of_one_use_keeps_the_therapy() -> None:
    # NCT04126811: "excluding nasal and inhaled corticosteroids" excepts those uses only
    crit = _one("Immune-suppressing drugs have been used within 14 days prior to initiation of treatment, excluding nasal "
                "and inhaled corticosteroids or physiological doses of systemic steroid hormones")
    assert any("corticosteroids" in c["therapies"] for c in _subject(crit, "prior_therapy"))


# ---------------------------------------------------------------- a value held without a treatment


@pytest.mark.parametrize(("text", "mentioned"), [
    # NCT02636725
    ("Hemoglobin ≥8 g/dL without transfusion or erythropoietin (EPO) dependency (within 7 days of assessment)", []),
    # NCT03277924
    ("PT and INR ≤ 1.5 in the absence of anticoagulant therapy", ["anticoagulant"]),
    # the Clinical-Trial-Parser test split
    ("absolute neutrophil count ≥ 1500 / mm3 without growth factor use ≤ 7 days prior to treatment", []),
    ("Platelets ≥ 75 x 10^9/L not requiring transfusion support within 7 days", []),
])
def test_a_treatment_a_lab_is_held_without_is_context(text: str, mentioned: list[str]) -> None:
    crit = _one(text, "inclusion")
    assert crit["role"] == "requirement"
    assert _subject(crit, "numeric")
    assert not _subject(crit, "prior_therapy")
    support = [c for c in crit["constraints"] if c["type"] == "drug_mention" and c["context"] == "support"]
    assert [k for c in support for k in c["drug_classes"]] == mentioned


def test_a_washout_of_its_own_beside_a_lab_stays_a_prior_therapy() -> None:
    # a clause of its own after the lab: "no G-CSF within 14 days"
    crit = _one("Absolute neutrophil count ≥ 1.5 x 10^9/L; no G-CSF within 14 days", "inclusion")
    assert _subject(crit, "prior_therapy")


# ---------------------------------------------------------------- permitted therapies


def _permitted(crit: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in crit["constraints"] if c.get("role") == "permission" and c["type"] == "prior_therapy"]


def test_an_excluded_anticoagulation_and_its_permitted_low_dose() -> None:
    # NCT00473486
    crit = _one("Therapeutic anticoagulation with vitamin K antagonists such as phenprocoumon, warfarin, or with heparins "
                "or heparinoids. Low dose anticoagulation is permitted")
    assert crit["role"] == "exclusion"
    (pt,) = _subject(crit, "prior_therapy")
    assert {"warfarin", "phenprocoumon"} <= set(pt["drugs"]) and "vitamin-k-antagonist" in pt["drug_classes"]
    assert pt["qualified"]  # "therapeutic": a dose the patient file does not give
    (permit,) = _permitted(crit)
    assert permit["drug_classes"] == ["anticoagulant"] and permit["qualified"]


def test_an_excluded_hormone_replacement_and_its_permitted_topical_use() -> None:
    # NCT02513394
    crit = _one("Patients receiving concurrent exogenous hormone therapy (topical vaginal estrogen therapy is allowable).")
    (pt,) = _subject(crit, "prior_therapy")
    assert pt["therapies"] == ["hormone replacement therapy"] and pt["timing"] == "current"
    (permit,) = _permitted(crit)
    assert permit["therapies"] == ["hormone replacement therapy"] and permit["qualified"]


def test_a_cessation_of_exogenous_hormones_asks_for_no_therapy() -> None:
    # NCT02679963: menopause dated from the end of hormonal treatments
    crit = _one("Amenorrheic for 1 year or more following cessation of exogenous hormonal treatments,", "inclusion")
    assert not _subject(crit, "prior_therapy")


# ---------------------------------------------------------------- heart rhythm


@pytest.mark.parametrize("text", [
    # NCT01900743: permitted in a bracket
    "Active cardiac disease including any of the following: Congestive heart failure (NYHA) ≥Class 2, Unstable angina "
    "(angina symptoms at rest), new-onset angina (begun within the last 3 months), Cardiac arrhythmias requiring "
    "anti-arrhythmic therapy (beta blockers or digoxin are permitted)",
    # NCT01736878: excepted from the treatment the arrhythmia requires
    "Cardiac ventricular arrhythmias requiring anti-arrhythmic therapy other than beta-blockers or digoxin",
    # NCT02164240
    "Clinically significant cardiac arrhythmias and/or patients who require anti-arrhythmic therapy (excluding beta "
    "blockers or digoxin). Patients with controlled atrial fibrillation are not excluded.",
])
def test_rate_control_drugs_are_a_qualified_permission(text: str) -> None:
    crit = _one(text)
    assert crit["role"] == "exclusion"
    assert any(c.get("state") == "cardiovascular_disease" for c in _subject(crit, "disease_state"))
    (permit,) = _permitted(crit)
    assert permit["drugs"] == ["digoxin"] and permit["drug_classes"] == ["beta-blocker"]
    assert permit["qualified"]  # the drug says how the arrhythmia may be treated, not that it is absent


def test_a_misspelt_drug_leaves_the_class_permitted() -> None:
    # NCT02535351 "digossin"
    crit = _one("Concomitant cardiac disorders: cardiac failure NYHA> 2; Acute coronary syndrome or myocardial infarction "
                "or severe or unstable angina within the last 6 months as well as uncontrolled hypertension "
                "(sistolic>160, diastolic>90), arrhytmia requiring treatment (except for beta blockers or digossin)")
    (permit,) = _permitted(crit)
    assert permit["drug_classes"] == ["beta-blocker"] and permit["qualified"]


def test_controlled_atrial_fibrillation_is_a_qualified_permitted_state() -> None:
    # NCT02164240
    crit = _one("Clinically significant cardiac arrhythmias and/or patients who require anti-arrhythmic therapy "
                "(excluding beta blockers or digoxin). Patients with controlled atrial fibrillation are not excluded.")
    states = [c for c in crit["constraints"] if c.get("role") == "permission" and c["type"] == "disease_state"]
    assert [c["state"] for c in states] == ["cardiovascular_disease"] and all(c.get("qualified") for c in states)
