"""Criterion logic on real registry records: roles, conditions, alternatives, exceptions,
washouts, drugs named as context and section scopes.

Every case quotes a criterion of a vendored ClinicalTrials.gov record
(tests/data/ctgov_corpus/), checks the logic the graph holds for it (read back with
``read_trials``, as the matcher reads it) and the matcher's outcome for one patient the
clause concerns and one it does not.
"""

from __future__ import annotations

from typing import Any

import match_support
import pytest
from match_support import criterion

from trialkg import queries as q
from trialkg.criteria import parse_criteria_text
from trialkg.match import Criterion
from trialkg.store import TrialStore

RECORDS = ["NCT04072042", "NCT02513394", "NCT00722293", "NCT02636725", "NCT00703638", "NCT03424005",
           "NCT00602576", "NCT02691871", "NCT00678977", "NCT02782403", "NCT02465060", "NCT01804374",
           "NCT04154189", "NCT02243605", "NCT00103168", "NCT00023673", "NCT03599518", "NCT02679963"]
BASE: dict[str, Any] = {"age_years": 50, "sex": "FEMALE", "ecog": 1, "conditions": ["leiomyosarcoma"]}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> TrialStore:
    return match_support.corpus_store(tmp_path_factory, "logic", RECORDS, ".xml")


@pytest.fixture(scope="module")
def trials(store: TrialStore) -> dict[str, Any]:
    return match_support.trials_by_id(store)


def outcome(store: TrialStore, nct: str, crit: Criterion, patient: dict[str, Any]) -> str:
    return match_support.outcome(store, nct, crit, {**BASE, **patient})


def kinds(crit: Criterion, role: str) -> list[str]:
    return [k.type for k in crit.constraints if k.role == role]


# (record, fragment of the criterion, role in the graph, patient it concerns -> outcome,
#  patient it does not concern -> outcome). "n/a": the criterion does not apply to them.
CASES = [
    # permissions: "is permitted", "allowed", "are permitted to have received"
    ("NCT00722293", "Prior therapy with other angiogenesis inhibitors is permitted", "exclusion",
     {"prior_therapies": [{"drug": "pazopanib", "weeks_since_last_dose": 10}]}, "unmet",
     {"prior_therapies": [{"drug": "sunitinib", "weeks_since_last_dose": 10}]}, "met"),
    ("NCT02636725", "Patients are permitted to have received prior tyrosine kinase inhibitor", "exclusion",
     {"prior_therapies": [{"drug": "axitinib", "weeks_since_last_dose": 10}]}, "unmet",
     {"prior_therapies": [{"drug": "sunitinib", "weeks_since_last_dose": 10}]}, "met"),
    ("NCT00602576", "Prior temozolomide or sorafenib tosylate allowed", "permission",
     {"prior_therapies": [{"drug": "sorafenib", "weeks_since_last_dose": 6}]}, "met",
     {"prior_therapies": []}, "n/a"),
    ("NCT01804374", "ECOG PS 2 patients are eligible if", "requirement",
     {"ecog": 3}, "unmet", {"ecog": 2}, "unknown"),
    # BIOVAS: a bound on an exposure, not a call for it
    ("NCT04072042", "previously treated with tyrosine kinase inhibitors (TKIs) other than Apatinib", "requirement",
     {"prior_therapies": [{"drug": "sunitinib", "weeks_since_last_dose": 10, "duration_weeks": 12}]}, "unmet",
     {"prior_therapies": []}, "unknown"),
    # conditions: "Patients who received ... must", "for patients with ... above normal",
    # "X may only be enrolled if ...", "For women of childbearing potential: ..."
    ("NCT02513394", "Patients who received neo/adjuvant therapy must be after last dose", "requirement",
     {"prior_therapies": [{"drug": "doxorubicin", "weeks_since_last_dose": 0}]}, "unknown",
     {"prior_therapies": []}, "n/a"),
    ("NCT02513394", "for patients with serum creatinine levels above institutional ULN", "requirement",
     {"labs": {"creatinine": {"value": 1.5, "unit": "mg/dL", "uln": 1.1}, "creatinine_clearance": {"value": 45, "unit": "mL/min"}}},
     "unmet", {"labs": {"creatinine": {"value": 0.8, "unit": "mg/dL", "uln": 1.1}}}, "n/a"),
    ("NCT02465060", "for patients with creatinine levels above institutional normal", "requirement",
     {"labs": {"creatinine": {"value": 1.5, "unit": "mg/dL", "uln": 1.1}, "creatinine_clearance": {"value": 30, "unit": "mL/min"}}},
     "unmet", {"labs": {"creatinine": {"value": 0.8, "unit": "mg/dL", "uln": 1.1}}}, "n/a"),
    ("NCT02636725", "Primary tumors of bone including Ewing's sarcoma, osteosarcoma", "requirement",
     {"conditions": ["osteosarcoma"], "prior_therapies": []}, "unmet", {"prior_therapies": []}, "n/a"),
    ("NCT03424005", "For women of childbearing potential: agreement to remain abstinent", "requirement",
     {"flags": {"childbearing_potential": True, "contraception": False}}, "unmet", {"sex": "MALE"}, "n/a"),
    # scales within an item, each for its ages: "Lansky ... or Karnofsky ... Use Karnofsky for
    # participants >=16 years of age and Lansky for participants less than (<)16 years of age"
    ("NCT04154189", "Lansky play score greater than or equal to (>=) 50 Percent (%) or Karnofsky", "requirement",
     {"karnofsky": 60}, "met", {"karnofsky": 40}, "unmet"),
    ("NCT02513394", "creatinine clearance ≥ 60 mL/min/1.73 m2 for patients with serum creatinine", "requirement",
     {"labs": {"creatinine": {"value": 1.5, "unit": "mg/dL", "uln": 1.1}, "creatinine_clearance": {"value": 75, "unit": "mL/min"}}},
     "met", {"labs": {"creatinine": {"value": 0.8, "unit": "mg/dL", "uln": 1.1}}}, "n/a"),
    # exceptions: "other than", "unless", "(except hydroxyurea)"
    ("NCT02691871", "Previous therapy with other VEGFR inhibitors (other than bevacizumab)", "exclusion",
     {"prior_therapies": [{"drug": "sunitinib", "weeks_since_last_dose": 12}]}, "unmet",
     {"prior_therapies": [{"drug": "bevacizumab", "weeks_since_last_dose": 12}]}, "met"),
    ("NCT02243605", "Known brain metastases or cranial epidural disease unless adequately treated", "exclusion",
     {"flags": {"cns_metastases": True}}, "unknown", {"flags": {"cns_metastases": False}}, "met"),
    ("NCT04154189", "central nervous system metastases are not eligible, unless they have completed", "exclusion",
     {"flags": {"cns_metastases": True}}, "unknown", {"flags": {"cns_metastases": False}}, "met"),
    # washouts: "At least 4 weeks since prior X", "at least 40 days should have elapsed",
    # ">= 48 hours prior to start of study therapy"
    ("NCT00602576", "At least 4 weeks since prior chemotherapy", "requirement",
     {"prior_therapies": [{"drug": "doxorubicin", "weeks_since_last_dose": 2}]}, "unmet",
     {"prior_therapies": [{"drug": "doxorubicin", "weeks_since_last_dose": 6}]}, "met"),
    ("NCT00678977", "For prior bevacizumab therapy at least 40 days should have elapsed", "requirement",
     {"prior_therapies": [{"drug": "bevacizumab", "weeks_since_last_dose": 3}]}, "unmet",
     {"prior_therapies": [{"drug": "bevacizumab", "weeks_since_last_dose": 12}]}, "met"),
    ("NCT02782403", "Patients should have discontinued therapy with imatinib", "requirement",
     {"prior_therapies": [{"drug": "imatinib", "weeks_since_last_dose": 0}]}, "unmet",
     {"prior_therapies": [{"drug": "imatinib", "weeks_since_last_dose": 2}]}, "unknown"),
    # thresholds after a condition's name define it: controlled hypertension is no
    # "poor-controlled arterial hypertension (systolic pressure >= 140 ...)"
    ("NCT02691871", "poor-controlled arterial hypertension", "exclusion",
     {"flags": {"hypertension": True}, "labs": {"blood_pressure_systolic": {"value": 150, "unit": "mm[Hg]"}}}, "unmet",
     {"flags": {"hypertension": True}, "labs": {"blood_pressure_systolic": {"value": 120, "unit": "mm[Hg]"},
                                                "blood_pressure_diastolic": {"value": 80, "unit": "mm[Hg]"}}}, "met"),
    # a class of a class: "any CDK inhibitor" takes in the CDK4/6 inhibitors
    ("NCT02513394", "Prior therapy with any CDK inhibitor", "exclusion",
     {"prior_therapies": [{"drug": "palbociclib", "weeks_since_last_dose": 20}]}, "unmet",
     {"prior_therapies": []}, "met"),
    # a negated inclusion is an exclusion: "No prior imatinib mesylate"
    ("NCT00103168", "No prior imatinib mesylate", "exclusion",
     {"prior_therapies": [{"drug": "imatinib", "weeks_since_last_dose": 2}]}, "unmet", {"prior_therapies": []}, "met"),
]


@pytest.mark.parametrize(("nct", "fragment", "role", "concerned", "concerned_outcome", "other", "other_outcome"), CASES,
                         ids=[f"{c[0]}-{c[1][:30]}" for c in CASES])
def test_role_and_verdicts(store: TrialStore, trials: dict[str, Any], nct: str, fragment: str, role: str,
                           concerned: dict, concerned_outcome: str, other: dict, other_outcome: str) -> None:
    crit = criterion(trials, nct, fragment)
    assert crit.role == role
    assert outcome(store, nct, crit, concerned) == concerned_outcome
    assert outcome(store, nct, crit, other) == other_outcome


def test_the_cases_cover_ten_trials() -> None:
    assert len({c[0] for c in CASES}) >= 10


def test_permission_sentences_are_typed(trials: dict[str, Any]) -> None:
    # NCT00722293: "Prior use of pazopanib or prior treatment with anthracyclines. Prior therapy
    # with other angiogenesis inhibitors is permitted."
    crit = criterion(trials, "NCT00722293", "Prior therapy with other angiogenesis inhibitors is permitted")
    subject = [k for k in crit.constraints if k.role == "subject" and k.type == "prior_therapy"]
    permitted = [k for k in crit.constraints if k.role == "permission" and k.type == "prior_therapy"]
    assert any("anti-angiogenic" in str(c) for k in permitted for c in k.all("priorDrugClass"))
    assert not any("anti-angiogenic" in str(c) for k in subject for c in k.all("priorDrugClass"))


def test_conditions_are_facts_to_check(trials: dict[str, Any]) -> None:
    crit = criterion(trials, "NCT02513394", "Patients who received neo/adjuvant therapy must")
    assert crit.applies_if == "who received neo/adjuvant therapy"
    assert kinds(crit, "condition") == ["prior_therapy"]
    crit = criterion(trials, "NCT03424005", "For women of childbearing potential:")
    assert crit.condition_facts == ["childbearing_potential"]
    crit = criterion(trials, "NCT03424005", "For men: agreement to remain abstinent")
    assert crit.condition_facts == ["sex:MALE"]


def test_drugs_named_as_context_are_no_prior_therapy(store: TrialStore, trials: dict[str, Any]) -> None:
    # NCT00703638: "... contraception ... during the course of the trial and at least 2 weeks
    # after the last dose of sorafenib" / "interrupt aspirin ... at each pemetrexed administration"
    for fragment, context in (("required to use an effective method of contraception", "contraception"),
                              ("interrupt aspirin", "dosing")):
        crit = criterion(trials, "NCT00703638", fragment)
        assert not [k for k in crit.constraints if k.type == "prior_therapy" and k.role == "subject"]
        assert [str(k.one("mentionContext")) for k in crit.constraints if k.type == "drug_mention"] == [context]
    # NCT02782403: "hypersensitivity to bosutinib or axitinib" is no prior bosutinib
    crit = criterion(trials, "NCT02782403", "hypersensitivity to bosutinib or axitinib")
    assert [k.one("mentionContext") for k in crit.constraints if k.type == "drug_mention"] == ["hypersensitivity"]
    assert outcome(store, "NCT02782403", crit, {"prior_therapies": [{"drug": "axitinib", "weeks_since_last_dose": 8}]}) != "unmet"
    # NCT00722293: "... and is indicated for treatment with anthracyclines"
    crit = criterion(trials, "NCT00722293", "is indicated for treatment with anthracyclines")
    assert "prior_therapy" not in kinds(crit, "subject")
    assert outcome(store, "NCT00722293", crit, {"prior_therapies": []}) != "unmet"


def test_windows_anchored_to_another_event(store: TrialStore, trials: dict[str, Any]) -> None:
    # NCT02513394: "Patients who previously received endocrine therapy within 5 years prior to
    # diagnosis of the current malignancy." A dose 10 weeks ago says nothing about it.
    crit = criterion(trials, "NCT02513394", "endocrine therapy within 5 years prior to diagnosis")
    (k,) = [k for k in crit.constraints if k.type == "prior_therapy"]
    assert (k.one("windowKind"), k.one("anchor")) == ("within", "diagnosis")
    had = {"prior_therapies": [{"drug_class": "endocrine therapy", "weeks_since_last_dose": 10}]}
    assert outcome(store, "NCT02513394", crit, had) == "unknown"
    assert outcome(store, "NCT02513394", crit, {"prior_therapies": []}) == "unknown"  # its histology part is open


def test_section_headers_with_a_stage(store: TrialStore, trials: dict[str, Any]) -> None:
    # NCT03424005: "Inclusion Criteria Stage 1" / "Inclusion criteria stage 2" / "Exclusion
    # Criteria for Stage 1": 20 exclusions, and the Stage 2 items are for patients already treated.
    t = trials["NCT03424005"]
    exclusions = [c for c in t.criteria if c.section == "exclusion"]
    assert len(exclusions) == 20 and {c.role for c in exclusions} <= {"exclusion", "permission", "information"}
    assert {c.scope for c in exclusions} == {"Stage 1"}
    stage2 = [c for c in t.criteria if c.scope == "Stage 2"]
    assert len(stage2) == 4 and not any(c.entry for c in stage2)
    crit = criterion(trials, "NCT03424005", "ECOG Performance Status of 0, 1, or 2")
    assert outcome(store, "NCT03424005", crit, {"ecog": 3}) == "n/a"
    crit = criterion(trials, "NCT03424005", "Additional drug-specific exclusion criteria might apply")
    assert crit.role == "information"


def test_non_inclusion_header_and_nci_sub_headings(trials: dict[str, Any]) -> None:
    # NCT02679963 "Non-inclusion criteria:"; NCT00023673 "Chemotherapy:" over "At least 5 years
    # since prior chemotherapy"
    assert any(c.section == "exclusion" and "Azole antifungals" in c.text for c in trials["NCT02679963"].criteria)
    crit = criterion(trials, "NCT00023673", "At least 5 years since prior chemotherapy")
    assert crit.role == "requirement"
    assert not [c for c in trials["NCT00023673"].criteria if c.text.strip() in ("Chemotherapy:", "Chemotherapy")]


def test_alternatives_between_items(store: TrialStore, trials: dict[str, Any]) -> None:
    # NCT03599518: "... (including G719X, exon 19 deletion, L858R, L861Q) OR" / "Has experienced
    # clinical benefit from an EGFR TKI ..."
    first = criterion(trials, "NCT03599518", "exon 19 deletion, L858R, L861Q) OR")
    second = criterion(trials, "NCT03599518", "Has experienced clinical benefit from an EGFR TKI")
    assert first.alternative_set == second.alternative_set == first.id


def test_permissions_are_not_returned_as_exclusions(store: TrialStore) -> None:
    query = q.get_stored_query("trials-excluding-drug-class")
    rows = q.run_local(query, q.bind_params(query, {"class": "vegfr-tki"}), store).records()
    texts = {(r["trial"], r["criterion"]) for r in rows}
    assert not any(t == "NCT00722293" and "angiogenesis inhibitors is permitted" in c for t, c in texts)
    assert not any(t == "NCT02636725" and "permitted to have received" in c and "axitinib" not in c for t, c in texts)
    assert ("NCT02691871", "Previous therapy with other VEGFR inhibitors (other than bevacizumab);") in texts


def test_negated_inclusions_are_prior_therapy_exclusions(store: TrialStore) -> None:
    query = q.get_stored_query("prior-therapy-exclusions")
    rows = q.run_local(query, q.bind_params(query, {"drug": "imatinib"}), store).records()
    assert ("NCT00103168", "No prior imatinib mesylate") in {(r["trial"], r["criterion"]) for r in rows}
    rows = q.run_local(query, q.bind_params(query, {"drug": "bevacizumab"}), store).records()
    assert not [r for r in rows if r["trial"] == "NCT00678977" and "at least 40 days" in r["criterion"]]  # a washout


@pytest.mark.parametrize(("text", "role", "scope"), [
    # "Prior radiotherapy allowed" (NCT00602576) / "Prior radiotherapy is permissible, provided ..." (NCT00678977)
    ("Prior radiotherapy allowed", "permission", None),
    ("Prior radiotherapy is permissible, provided at least 4 weeks have elapsed", "permission", None),
    # "No prior TKI" / "No previous treatment with IFN": exclusions worded in an inclusion list
    ("No prior TKI", "exclusion", "criterion"),
    ("No previous treatment with IFN", "exclusion", "criterion"),
    # "Creatinine no greater than 2.0 mg/dL" (NCT00023673): a comparator, no negation of the item
    ("Creatinine no greater than 2.0 mg/dL", "requirement", "detail"),
    # "Hemoglobin ≥8 g/dL without transfusion" (NCT02636725): the negation qualifies a detail
    ("Hemoglobin ≥8 g/dL without transfusion or erythropoietin (EPO) dependency", "requirement", "detail"),
    # "Not specified" under an NCI sub-heading (NCT00103168)
    ("Not specified", "information", "criterion"),
    # "Concurrent ... is not permitted": a prohibition in an inclusion list
    ("Concurrent treatment with other investigational agents is not permitted.", "exclusion", "criterion"),
])
def test_role_cues(text: str, role: str, scope: str | None) -> None:
    (crit,) = parse_criteria_text(text)
    assert (crit["role"], crit["negation_scope"]) == (role, scope)


def test_washout_and_line_limits_are_read() -> None:
    # "At least 1 year since prior tamoxifen" (NCT00023673 style), "Less than or equal to one
    # prior line of chemotherapy" (NCT00722293), "no more than two types of systemic anti-tumor
    # therapy" (NCT02588170)
    (c,) = parse_criteria_text("At least 4 weeks since prior chemotherapy")
    (k,) = [k for k in c["constraints"] if k["type"] == "prior_therapy"]
    assert (k["window_kind"], k["window_days"]) == ("washout", 28)
    (c,) = parse_criteria_text("Less than or equal to one prior line of chemotherapy for advanced disease.")
    assert [k.get("max_lines") for k in c["constraints"] if k["type"] == "prior_therapy"] == [1]
    (c,) = parse_criteria_text("Have previously progressed on no more than two types of systemic anti-tumor therapy")
    assert [k.get("max_lines") for k in c["constraints"] if k["type"] == "prior_therapy"] == [2]


@pytest.mark.parametrize(("text", "classes"), [
    # slash lists of targets: "anti-PD-1/PD-L1/PD-L2 antibody", "VEGF/VEGFR inhibition"
    ("Prior treatment with an anti-PD-1/PD-L1/PD-L2 antibody", {"anti-pd-1-antibody", "anti-pd-l1-antibody"}),
    ("Prior VEGF/VEGFR inhibition", {"anti-angiogenic", "vegfr-tki"}),
    # NCT02588170: "Have received anti-VEGF/VEGFR targeted drugs and progressed upon these drugs"
    ("Have received anti-VEGF/VEGFR targeted drugs and progressed upon these drugs", {"anti-angiogenic", "vegfr-tki"}),
    # the apposition narrows generic classes to the target: EGFR TKIs and EGFR antibodies
    ("Prior therapy with an EGFR inhibitor, including both TKIs and monoclonal antibodies", {"egfr-tki", "anti-egfr-antibody"}),
])
def test_class_phrases(text: str, classes: set[str]) -> None:
    (crit,) = parse_criteria_text("Exclusion Criteria:\n- " + text)
    found = {c for k in crit["constraints"] if k["type"] == "prior_therapy" for c in k["drug_classes"]}
    assert found == classes


@pytest.mark.parametrize("text", [
    "Patients with poor-controlled arterial hypertension (systolic pressure ≥ 140 mmHg and/or diastolic pressure "
    "≥ 90 mm Hg) despite standard medical management",  # NCT02691871
    "Poorly controlled hypertension, defined as systolic blood pressure (SBP) of ≥140 mmHg or diastolic blood "
    "pressure (DBP) of ≥90 mmHg",  # NCT01418001
    "Hypertension (≥140 mmHg systolic and/or ≥90 mmHg diastolic)",  # LCT NCT03866512
])
def test_thresholds_after_a_name_define_the_condition(text: str) -> None:
    (crit,) = parse_criteria_text("Exclusion Criteria:\n- " + text)
    states = [k for k in crit["constraints"] if k["type"] == "disease_state"]
    assert states and all(k["role"] == "context" for k in states)
    assert {k["variable"] for k in crit["constraints"] if k["type"] == "numeric"} == {
        "blood_pressure_systolic", "blood_pressure_diastolic"}


def test_a_condition_beside_a_threshold_it_does_not_name_still_counts() -> None:
    (crit,) = parse_criteria_text("Exclusion Criteria:\n- History of hypertension; systolic blood pressure > 160 mmHg")
    assert [k.get("role", "subject") for k in crit["constraints"] if k["type"] == "disease_state"] == ["subject"]


@pytest.mark.parametrize("text", [
    "No treatment with cytotoxic or biologic agents within the 4 weeks prior to beginning treatment",  # NCT00402415
    "No prior exposure to vinorelbine or other VEGF inhibitors as treatment for metastatic disease",  # NCT01060514
])
def test_no_before_an_exposure_is_an_exclusion_lists_style(text: str) -> None:
    (crit,) = parse_criteria_text("Exclusion Criteria:\n- " + text)
    assert (crit["role"], crit["negation_scope"]) == ("exclusion", "detail")
    assert [k["type"] for k in crit["constraints"] if k["type"] == "prior_therapy"]
