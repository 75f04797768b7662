"""Readings fixed as classes of phrasing, on real registry records: a drug class noun
restricted to a target, a count of prior agents, the polarity of a negated lead-in, a
site-restricted note, an exception to the whole criterion, negative marker status
written after the gene, and performance scales conditioned on age.

Each case quotes a criterion of a vendored ClinicalTrials.gov record
(tests/data/ctgov_corpus/), checks the reading the graph holds for it (``read_trials``,
as the matcher reads it) and the matcher's outcome for one patient the clause concerns
and one it does not.
"""

from __future__ import annotations

from typing import Any

import match_support
import pytest
from match_support import criterion

from trialkg.criteria import parse_criteria_text
from trialkg.match import Criterion
from trialkg.store import TrialStore

RECORDS = ["NCT00678977", "NCT02449343", "NCT03167385", "NCT00103168", "NCT00602576", "NCT02243605", "NCT02782403",
           "NCT00703638", "NCT01130623", "NCT02465060", "NCT06604689", "NCT06382129", "NCT02691871",
           "NCT04154189", "NCT02589821", "NCT02636725", "NCT01165385", "NCT00763412",
           "NCT04126811", "NCT00573404", "NCT02513394", "NCT01900743", "NCT03599518", "NCT01542047", "NCT02535351"]
BASE: dict[str, Any] = {"age_years": 50, "sex": "FEMALE", "ecog": 1, "conditions": ["leiomyosarcoma"]}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> TrialStore:
    return match_support.corpus_store(tmp_path_factory, "logic-classes", RECORDS, ".*")


@pytest.fixture(scope="module")
def trials(store: TrialStore) -> dict[str, Any]:
    return match_support.trials_by_id(store)


def outcome(store: TrialStore, nct: str, crit: Criterion, patient: dict[str, Any]) -> str:
    return match_support.outcome(store, nct, crit, {**BASE, **patient})


def _had(*drugs: str) -> dict[str, Any]:
    return {"prior_therapies": [{"drug": d, "weeks_since_last_dose": 10} for d in drugs]}


def _classes(crit: Criterion) -> set[str]:
    return {str(c).rsplit("/", 1)[-1] for k in crit.constraints if k.type == "prior_therapy" and k.role == "subject"
            for c in k.all("priorDrugClass")}


# A class noun restricted by a relative clause or a modifier naming the target is that
# target's class: a VEGFR TKI is no EGFR TKI (erlotinib), an anti-angiogenic drug class
# takes in sunitinib.
@pytest.mark.parametrize(("nct", "fragment", "classes"), [
    ("NCT00678977", "tyrosine kinase inhibitor that targets VEGF receptors", {"vegfr-tki"}),
    ("NCT02449343", "vascular endothelial growth inhibitor class targeted drug", {"anti-angiogenic"}),
])
def test_class_noun_restricted_to_a_target(store: TrialStore, trials: dict[str, Any], nct: str, fragment: str,
                                           classes: set[str]) -> None:
    crit = criterion(trials, nct, fragment)
    assert crit.role == "exclusion"
    assert _classes(crit) == classes
    assert outcome(store, nct, crit, _had("sunitinib")) == "unmet"
    assert outcome(store, nct, crit, _had("erlotinib")) == "met"


@pytest.mark.parametrize(("text", "classes"), [
    ("Prior kinase inhibitor targeting EGFR", {"egfr-tki"}),
    ("Prior monoclonal antibody directed against PD-1", {"anti-pd-1-antibody"}),
    ("Prior epidermal growth factor receptor tyrosine kinase inhibitor", {"egfr-tki"}),
    ("Prior tyrosine kinase inhibitor", {"tyrosine-kinase-inhibitor"}),
])
def test_target_restriction_phrasings(text: str, classes: set[str]) -> None:
    (crit,) = parse_criteria_text("Exclusion Criteria:\n- " + text)
    assert {c for k in crit["constraints"] if k["type"] == "prior_therapy" for c in k["drug_classes"]} == classes


# A count of prior agents is kept and decided as a count; names joined before it by
# "or" exclude on their own. NCT03167385: "Patients with past apatinib treatment or have
# received two or more small molecular TKI (Tyrosine Kinase Inhibitor) drugs."
def test_count_of_prior_agents(store: TrialStore, trials: dict[str, Any]) -> None:
    crit = criterion(trials, "NCT03167385", "two or more small molecular TKI")
    counted = [k for k in crit.constraints if k.type == "prior_therapy" and k.num("minLines") is not None]
    assert [(k.num("minLines"), k.one("countsAgents")) for k in counted] == [(2, True)]
    assert outcome(store, "NCT03167385", crit, _had("sunitinib", "pazopanib")) == "unmet"
    assert outcome(store, "NCT03167385", crit, _had("apatinib")) == "unmet"
    assert outcome(store, "NCT03167385", crit, _had("sunitinib")) == "met"
    # NCT02782403: "... failed ... at least 3 Food and Drug Administration (FDA)-approved TKIs"
    (c,) = parse_criteria_text("Patients should have failed at least 3 Food and Drug Administration (FDA)-approved TKIs")
    assert [(k.get("min_lines"), k.get("counts_agents")) for k in c["constraints"] if k["type"] == "prior_therapy"] \
        == [(3, True)]
    # agents are distinct drugs: two courses of one drug are one agent
    assert outcome(store, "NCT03167385", crit, _had("sunitinib", "sunitinib")) == "met"


# A count of agents counts distinct drugs ("two or more small molecular TKI (Tyrosine
# Kinase Inhibitor) drugs", NCT03167385; "at least 3 ... FDA-approved TKIs", NCT02782403,
# read above), a count of lines the patient's entries.
def test_count_of_agents_counts_distinct_drugs(store: TrialStore, trials: dict[str, Any]) -> None:
    two = criterion(trials, "NCT03167385", "two or more small molecular TKI")
    assert outcome(store, "NCT03167385", two, _had("sunitinib", "sorafenib", "sunitinib")) == "unmet"
    # a combination given as one entry counts each drug the class takes in
    assert outcome(store, "NCT03167385", two, {"prior_therapies": [{"drug": "sunitinib and sorafenib"}]}) == "unmet"
    # a drug outside the class adds no agent
    assert outcome(store, "NCT03167385", two, _had("sunitinib", "doxorubicin", "sunitinib")) == "met"


def test_count_of_lines_counts_entries() -> None:
    # lines are no agents: "3 or more prior regimens of chemotherapy"
    (c,) = parse_criteria_text("3 or more prior regimens of chemotherapy")
    assert [(k.get("min_lines"), k.get("counts_agents")) for k in c["constraints"] if k["type"] == "prior_therapy"] \
        == [(3, None)]


# Items under a negated lead-in of an inclusion list are what must be absent.
@pytest.mark.parametrize(("nct", "lead", "fragment", "flag"), [
    # "No distant metastases*, including any of the following:" / "Liver metastases"
    ("NCT00103168", "No distant metastases", "Liver metastases", "liver_metastases"),
    # "No concurrent serious illness including, but not limited to, any of the following:"
    ("NCT00602576", "No concurrent serious illness", "Ongoing or active infection requiring parenteral", "active_infection"),
])
def test_items_under_a_negated_lead_in(store: TrialStore, trials: dict[str, Any], nct: str, lead: str, fragment: str,
                                       flag: str) -> None:
    crit = criterion(trials, nct, fragment)
    assert lead in next(c.text for c in trials[nct].criteria if c.id == crit.lead_in.rsplit("/", 1)[-1]
                        or c.iri == crit.lead_in)
    assert crit.role == "exclusion"
    assert outcome(store, nct, crit, {"flags": {flag: True}}) == "unmet"
    assert outcome(store, nct, crit, {"flags": {flag: False}}) == "met"


def test_items_under_a_negated_or_permitting_lead_in_nci_match(store: TrialStore, trials: dict[str, Any]) -> None:
    # NCT02465060 (inclusion list): "Patients must not have any uncontrolled intercurrent
    # illness including, but not limited to:" / "Known cardiac metastases"; "NOTE: The
    # following steroids are permitted (...):" / "Chronic inhaled steroid use"
    crit = criterion(trials, "NCT02465060", "Known cardiac metastases")
    assert crit.role == "exclusion"
    assert outcome(store, "NCT02465060", crit, {"flags": {"advanced_disease": False, "cardiovascular_disease": False}}) \
        == "met"
    assert outcome(store, "NCT02465060", crit, {"flags": {"advanced_disease": True}}) == "unknown"
    crit = criterion(trials, "NCT02465060", "Chronic inhaled steroid use")
    assert crit.role == "permission"
    assert outcome(store, "NCT02465060", crit, {}) != "unmet"
    # a lead-in that announces no list passes nothing on: "Stopping the anticoagulation for
    # biopsy should be per site standard operating procedure (SOP)" under "Patient must not
    # require the use of full dose coumarin-derivative anticoagulants ...; low molecular
    # weight heparin is permitted ..."
    assert criterion(trials, "NCT02465060", "Stopping the anticoagulation for biopsy").role == "requirement"


# A criterion held at some sites only is scoped to them: no patient file says which
# site, so it never excludes. NCT02243605: "Young patient age between 12 - 15 could be
# included in only 6 centers (Bordeaux, Lyon, Villejuif, Lille, Marseille and Paris)"
# (a permission as well); NCT02782403: "Reliable telephone access ... (only applicable to
# patients participating in the optional symptom burden assessment portion)".
def test_site_restricted_statements(store: TrialStore, trials: dict[str, Any]) -> None:
    crit = criterion(trials, "NCT02243605", "could be included in only 6 centers")
    assert crit.role == "permission" and "only 6 centers" in (crit.applies_if or "")
    assert outcome(store, "NCT02243605", crit, {"age_years": 13}) == "met"
    assert outcome(store, "NCT02243605", crit, {"age_years": 16}) == "n/a"
    crit = criterion(trials, "NCT02782403", "Reliable telephone access")
    assert "optional symptom burden assessment" in (crit.applies_if or "")
    assert outcome(store, "NCT02782403", crit, {}) != "unmet"


# An excepted population lifts the criterion for the patients it names; intolerance
# named with failure is how a treatment ended, no allergy.
def test_excepted_population(store: TrialStore, trials: dict[str, Any]) -> None:
    # NCT00703638: "Must have failed or become intolerant to prior standard therapy and is
    # no longer likely to respond to such therapy except for patients diagnosed with mesothelioma."
    crit = criterion(trials, "NCT00703638", "except for patients diagnosed with mesothelioma")
    assert crit.exception == "patients diagnosed with mesothelioma"
    assert [k.type for k in crit.constraints if k.role == "exception"] == ["histology"]
    assert not [k for k in crit.constraints if k.role == "subject" and k.type == "histology"]
    assert not [k for k in crit.constraints if k.type == "disease_state" and k.one("state") == "hypersensitivity"]
    assert outcome(store, "NCT00703638", crit, {"conditions": ["pleural mesothelioma"], "prior_therapies": []}) != "unmet"
    assert outcome(store, "NCT00703638", crit, {"prior_therapies": [{"drug": "doxorubicin"}]}) != "unmet"
    # NCT01130623: "... solid tumors including CNS tumors with histologic verification
    # except in patients with intrinsic brain stem tumors, optic pathway gliomas, ..."
    crit = criterion(trials, "NCT01130623", "except in patients with intrinsic brain stem tumors")
    assert (crit.exception or "").startswith("patients with intrinsic brain stem tumors")
    assert outcome(store, "NCT01130623", crit, {"age_years": 30}) == "unmet"
    (c,) = parse_criteria_text("Patients with CML resistant or intolerant to imatinib")
    assert [(k["type"], k.get("drugs"), k.get("qualified")) for k in c["constraints"] if k["type"] != "histology"] \
        == [("prior_therapy", ["imatinib"], True)]


# A negative status written after the gene ("were negative", "not detected", "wild-type",
# "absent") or "wild-type" before it is a negative status.
_EGFR_POSITIVE = {"conditions": ["lung adenocarcinoma"],
                  "biomarkers": [{"gene": "EGFR", "variant": "exon 19 deletion", "status": "positive"}]}
_EGFR_NEGATIVE = {"conditions": ["lung adenocarcinoma"], "biomarkers": [{"gene": "EGFR", "status": "negative"}]}


@pytest.mark.parametrize(("nct", "fragment", "role", "positive_outcome", "negative_outcome"), [
    # NCT06604689 (exclusion): "EGFR sensitive mutations were negative or EGFR mutation status was not detected."
    ("NCT06604689", "EGFR sensitive mutations were negative", "exclusion", "met", "unmet"),
    # NCT06382129 (inclusion): "... locally advanced or metastatic EGFR wild-type non-small cell lung cancer;"
    ("NCT06382129", "EGFR wild-type non-small cell lung cancer", "requirement", "unmet", "met"),
    # NCT02691871 (inclusion): "... lung adenocarcinoma of stage IV with documented wild-type EGFR;"
    ("NCT02691871", "documented wild-type EGFR", "requirement", "unmet", "met"),
])
def test_negative_status_after_or_before_the_gene(store: TrialStore, trials: dict[str, Any], nct: str, fragment: str,
                                                  role: str, positive_outcome: str, negative_outcome: str) -> None:
    crit = criterion(trials, nct, fragment)
    assert crit.role == role
    assert [k.one("status") for k in crit.constraints if k.type == "biomarker"] == ["negative"]
    flags = {"flags": {"advanced_disease": True, "metastatic": True}}
    assert outcome(store, nct, crit, {**_EGFR_POSITIVE, **flags}) == positive_outcome
    got = outcome(store, nct, crit, {**_EGFR_NEGATIVE, **flags})
    assert got == negative_outcome or (negative_outcome == "met" and got == "unknown")


@pytest.mark.parametrize(("text", "status"), [
    ("KRAS mutation not detected", "negative"), ("ALK rearrangement absent", "negative"),
    ("BRAF V600E mutation positive", "positive"), ("EGFR exon 19 deletion", None),
])
def test_marker_status_phrasings(text: str, status: str | None) -> None:
    (crit,) = parse_criteria_text(text)
    assert [k.get("status") for k in crit["constraints"] if k["type"] == "biomarker"] == [status]


# Performance scales by age (children's oncology phrasing): each scale with its age as a
# condition (``tkg:conditionFact`` age>=16 ...), decided by the patient's age; a Lansky
# score is read from the patient's Karnofsky (the same 0-100 steps).
def test_performance_scales_conditioned_on_age(store: TrialStore, trials: dict[str, Any]) -> None:
    # NCT01130623: "Performance score: Karnofsky greater than or equal to 50% for patients
    # 16 years of age; Lansky greater than or equal to 50 for patients less than or equal
    # to 16 years of age." (the first comparator is lost in the registry text)
    crit = criterion(trials, "NCT01130623", "Lansky greater than or equal to 50 for patients")
    by_scale = {str(k.one("variable")): [str(f) for f in k.all("conditionFact")] for k in crit.constraints
                if k.type == "performance_status"}
    assert by_scale == {"karnofsky": [], "lansky": ["age<=16"]}
    assert outcome(store, "NCT01130623", crit, {"age_years": 10, "karnofsky": 40}) == "unmet"
    assert outcome(store, "NCT01130623", crit, {"age_years": 10, "karnofsky": 60}) == "met"
    assert outcome(store, "NCT01130623", crit, {"age_years": 30, "karnofsky": 40}) == "unknown"
    # NCT04154189: "Lansky play score >= 50 % or Karnofsky >= 50%. Use Karnofsky for
    # participants >=16 years of age and Lansky for participants less than (<)16 years of age"
    crit = criterion(trials, "NCT04154189", "Use Karnofsky for participants")
    by_scale = {str(k.one("variable")): [str(f) for f in k.all("conditionFact")] for k in crit.constraints
                if k.type == "performance_status"}
    assert by_scale == {"karnofsky": ["age>=16"], "lansky": ["age<16"]}
    assert outcome(store, "NCT04154189", crit, {"age_years": 12, "karnofsky": 60}) == "met"
    assert outcome(store, "NCT04154189", crit, {"age_years": 12, "karnofsky": 40}) == "unmet"
    assert outcome(store, "NCT04154189", crit, {"age_years": 30, "karnofsky": 40}) == "unmet"
    (c,) = parse_criteria_text("Karnofsky >= 50 for patients > 16 years; Lansky >= 50 for patients <= 16 years")
    assert [k.get("applies_if_facts") for k in c["constraints"]] == [["age>16"], ["age<=16"]]


# Drugs and states named as the context of what the criterion is about.
def test_named_in_passing(store: TrialStore, trials: dict[str, Any]) -> None:
    # a drug before its harm: NCT04154189 "History of ifosfamide-related Grade >=3
    # nephrotoxicity or encephalopathy" (LCT NCT03869593 "chemotherapy-induced neutropenia")
    crit = criterion(trials, "NCT04154189", "ifosfamide-related")
    assert not [k for k in crit.constraints if k.type == "prior_therapy" and k.role == "subject"]
    assert outcome(store, "NCT04154189", crit, {"prior_therapies": [{"drug": "ifosfamide"}],
                                                "flags": {"renal_disease": False}}) != "unmet"
    assert outcome(store, "NCT04154189", crit, {"prior_therapies": [{"drug": "ifosfamide"}],
                                                "flags": {"renal_disease": True}}) == "unmet"
    # the treatment of the condition: NCT02636725 "Has active autoimmune disease that has
    # required systemic treatment in the past 2 years (i.e. with use of disease modifying
    # agents, corticosteroids or immunosuppressive drugs)" (NCT00602576 "Ongoing or active
    # infection requiring parenteral antibiotics")
    crit = criterion(trials, "NCT02636725", "active autoimmune disease that has required systemic treatment")
    assert not [k for k in crit.constraints if k.type == "prior_therapy" and k.role == "subject"]
    chemo = {"prior_therapies": [{"drug": "cyclophosphamide", "weeks_since_last_dose": 26}]}
    assert outcome(store, "NCT02636725", crit, {**chemo, "flags": {"autoimmune_disease": False}}) == "met"
    assert outcome(store, "NCT02636725", crit, {**chemo, "flags": {"autoimmune_disease": True}}) == "unmet"
    # the site of a local treatment: NCT02589821 "Palliative radiotherapy for a bone
    # metastasis lesion within 2 weeks prior to the initiation of the investigational
    # treatment" (NCT02243605 "Radiation therapy for bone metastasis within 2 weeks")
    crit = criterion(trials, "NCT02589821", "Palliative radiotherapy for a bone metastasis lesion")
    assert not [k for k in crit.constraints if k.type == "disease_state"]
    assert outcome(store, "NCT02589821", crit, {"flags": {"bone_metastases": True}}) != "unmet"


def test_cumulative_dose_and_other_hormones(store: TrialStore, trials: dict[str, Any]) -> None:
    # NCT01165385 "Prior treatment with cisplatin reaching a cumulative dose> 300 mg/m2"
    # (NCT03167385 "The cumulative dose of RAI (radioactive iodine) ≥ 600mCi"): a drug match
    # alone does not show the dose
    crit = criterion(trials, "NCT01165385", "cumulative dose")
    assert outcome(store, "NCT01165385", crit, _had("cisplatin")) == "unknown"
    assert outcome(store, "NCT01165385", crit, _had("doxorubicin")) == "met"
    # NCT00763412 "Patients receiving growth hormone therapy or taking insulin"
    # (NCT01642004 "hypothyroidism only requiring hormone replacement"): no endocrine cancer therapy
    crit = criterion(trials, "NCT00763412", "growth hormone therapy")
    # the growth hormone is the drug somatropin, taken now; no class of cancer therapy
    therapies = [k for k in crit.constraints if k.type == "prior_therapy"]
    assert not [c for k in therapies for c in k.all("priorDrugClass")]
    assert all(str(d).endswith("/somatropin") for k in therapies for d in k.all("priorDrug"))
    assert outcome(store, "NCT00763412", crit, _had("letrozole")) != "unmet"
    (c,) = parse_criteria_text("Exclusion Criteria:\n- Prior hormonal therapy")
    assert [k["drug_classes"] for k in c["constraints"] if k["type"] == "prior_therapy"] == [["endocrine-therapy"]]


def test_an_age_population_inside_an_item(store: TrialStore, trials: dict[str, Any]) -> None:
    # NCT04154189: "BP <95th percentile for sex, age, and height/length at screening ...
    # Participants >18 years of age should have BP less than or equal to (<=) 150/90
    # millimeters of Mercury at screening ...": the adult limit is for adults only
    crit = criterion(trials, "NCT04154189", "Participants >18 years of age should have BP")
    assert not [k for k in crit.constraints if k.type == "age"]
    assert {str(f) for k in crit.constraints for f in k.all("conditionFact")} == {"age>18"}
    high = {"labs": {"blood_pressure_systolic": {"value": 160, "unit": "mm[Hg]"},
                     "blood_pressure_diastolic": {"value": 95, "unit": "mm[Hg]"}}}
    assert outcome(store, "NCT04154189", crit, {"age_years": 30, **high}) == "unmet"
    assert outcome(store, "NCT04154189", crit, {"age_years": 16, **high}) != "unmet"
    (c,) = parse_criteria_text("Adequate renal function. Patients under 18 years must have creatinine <= 1.0 mg/dL")
    assert [k.get("applies_if_facts") for k in c["constraints"] if k["type"] == "numeric"] == [["age<18"]]


def test_or_joined_therapy_clauses_keep_their_own_window(store: TrialStore, trials: dict[str, Any]) -> None:
    # NCT04126811: "Patients with previous chemotherapy failure or who have received
    # anti-angiogenic targeted drugs within the past 3 months, such as Anlotinib, ...": the
    # 3 months date the anti-angiogenic drugs; 'failure' qualifies the chemotherapy
    crit = criterion(trials, "NCT04126811", "previous chemotherapy failure or who have received")
    therapies = [k for k in crit.constraints if k.type == "prior_therapy"]
    assert sorted((k.num("windowDays") or 0, bool(k.one("qualified"))) for k in therapies) == [(0, True), (90, False)]
    assert outcome(store, "NCT04126811", crit, {"prior_therapies": [{"drug": "anlotinib", "weeks_since_last_dose": 4}]}) \
        == "unmet"
    assert outcome(store, "NCT04126811", crit, {"prior_therapies": [{"drug": "anlotinib", "weeks_since_last_dose": 30}]}) \
        == "met"
    assert outcome(store, "NCT04126811", crit, _had("doxorubicin")) == "unknown"


def test_a_threshold_restating_the_negated_finding(store: TrialStore, trials: dict[str, Any]) -> None:
    # NCT00573404 (inclusion list): "No hypertension that cannot be controlled by
    # medications (BP > 150/100 mm Hg, despite medical therapy)": the threshold is the
    # finding, which must be absent (not a call for BP > 150/100); "No severe cardiac
    # dysfunction, left ventricular ejection fraction ≥50%" (NCT06382129) asks for the value
    crit = criterion(trials, "NCT00573404", "No hypertension that cannot be controlled")
    assert (crit.role, crit.negation_scope) == ("exclusion", "criterion")
    bp = lambda s, d: {"labs": {"blood_pressure_systolic": {"value": s, "unit": "mm[Hg]"},  # noqa: E731
                                "blood_pressure_diastolic": {"value": d, "unit": "mm[Hg]"}}}
    assert outcome(store, "NCT00573404", crit, bp(128, 80)) == "met"
    assert outcome(store, "NCT00573404", crit, bp(165, 105)) == "unmet"
    (c,) = parse_criteria_text("No severe cardiac dysfunction, left ventricular ejection fraction ≥50%")
    assert (c["role"], c["negation_scope"]) == ("requirement", "detail")


# A permission in brackets is an aside of its item and a clause after a semicolon is a
# sentence of its own: the words around them keep the item's role and decide; "except as
# permitted (see below)" refers to other text and permits nothing.
def test_a_permission_aside_or_clause_keeps_the_items_role(store: TrialStore, trials: dict[str, Any]) -> None:
    # NCT02782403 (exclusion): "Prior therapy with axitinib; prior therapy with bosutinib is allowed, except ..."
    crit = criterion(trials, "NCT02782403", "Prior therapy with axitinib; prior therapy with bosutinib")
    assert crit.role == "exclusion"
    assert outcome(store, "NCT02782403", crit, _had("axitinib")) == "unmet"
    assert outcome(store, "NCT02782403", crit, {"prior_therapies": []}) == "met"
    # NCT02465060 (inclusion): "Patient must not require the use of full dose coumarin-derivative
    # anticoagulants such as warfarin; low molecular weight heparin is permitted ..."
    assert criterion(trials, "NCT02465060", "such as warfarin; low molecular weight heparin").role == "exclusion"
    # NCT01900743 (exclusion): "Active cardiac disease including ... Cardiac arrhythmias requiring
    # anti-arrhythmic therapy (beta blockers or digoxin are permitted)"
    assert criterion(trials, "NCT01900743", "beta blockers or digoxin are permitted").role == "exclusion"
    # NCT02513394 (exclusion): "Patients receiving concurrent exogenous hormone therapy (topical
    # vaginal estrogen therapy is allowable)."
    assert criterion(trials, "NCT02513394", "topical vaginal estrogen therapy is allowable").role == "exclusion"
    # NCT00703638 (inclusion): "... (ALT) ≤ 3.0 × ULN (ALP, AST, and ALT ≤ 5× ULN is acceptable if
    # liver has tumor involvement)": the aside permits a higher limit under its condition
    crit = criterion(trials, "NCT00703638", "is acceptable if liver has tumor involvement")
    assert crit.role == "requirement"
    alt = sorted((k.num("value"), k.role) for k in crit.constraints if k.type == "numeric" and k.one("variable") == "alt")
    assert alt == [(3.0, "subject"), (5.0, "permission")]
    labs = lambda v: {"labs": {n: {"value": v, "unit": "x ULN"} for n in ("alt", "ast", "alp", "bilirubin")}}  # noqa: E731
    assert outcome(store, "NCT00703638", crit, labs(1.0)) == "met"
    assert outcome(store, "NCT00703638", crit, labs(4.0)) == "unknown"  # liver involvement not known
    assert outcome(store, "NCT00703638", crit, labs(6.0)) == "unmet"
    # NCT02465060 (inclusion): "... remain off steroids thereafter, except as permitted (see below);
    # patients with glioblastoma (GBM) must have been on stable dose of steroids ..."
    assert criterion(trials, "NCT02465060", "except as permitted (see below)").role == "requirement"
    # NCT02465060 (inclusion): "Total bilirubin =< 1.5 X institutional upper limit of normal (ULN)
    # (unless documented Gilbert's syndrome, for which bilirubin =< 3 x institutional ULN is permitted)"
    assert criterion(trials, "NCT02465060", "for which bilirubin =< 3 x institutional ULN").role == "requirement"


@pytest.mark.parametrize(("text", "role", "permitted"), [
    # tokenised items of the Clinical-Trial-Parser test split, numbers filled in
    ("Hemoglobin ≥ 9 g/dL (blood transfusion is allowed to achieve or maintain this target)", "requirement", []),
    ("Active brain metastases (patients with treated and clinically stable brain metastasis are acceptable)",
     "exclusion", ["disease_state"]),
    ("Total bilirubin ≤ 1.5 x ULN (if the participant is receiving atazanavir, a total bilirubin of ≤ 3 x ULN "
     "is acceptable)", "requirement", ["numeric"]),
    # a permission that opens the item is its role
    ("Prior therapy with other angiogenesis inhibitors is permitted", "permission", []),
])
def test_permission_asides_in_other_trials(text: str, role: str, permitted: list[str]) -> None:
    section = "exclusion" if text.startswith("Active") else "inclusion"
    (c,) = parse_criteria_text(f"{section.title()} Criteria:\n- {text}")
    assert c["role"] == role
    assert [k["type"] for k in c["constraints"] if k.get("role") == "permission"] == permitted


# A sentence break written as a mark (a spaced dash before a capital, a "Note:") ends the
# item's own sentence: the permission after it admits only what it names.
def test_a_permission_after_a_marked_break(store: TrialStore, trials: dict[str, Any]) -> None:
    # NCT03599518 (exclusion): "Has spinal cord compression or clinically active brain metastases, ...
    # to control associated symptoms - Subjects with clinically inactive brain metastases may be included ..."
    crit = criterion(trials, "NCT03599518", "Has spinal cord compression or clinically active brain metastases")
    assert crit.role == "exclusion"
    assert any(k.role == "permission" and k.one("state") == "cns_metastases" for k in crit.constraints)
    # NCT01542047 (exclusion): "History of cerebrovascular accident ... within the past 6 months Note:
    # Subjects with recent DVT who have been treated ... are eligible"
    crit = criterion(trials, "NCT01542047", "History of cerebrovascular accident")
    assert crit.role == "exclusion"
    assert [k.one("state") for k in crit.constraints if k.role == "permission"] == ["thromboembolism"]


@pytest.mark.parametrize(("section", "text", "role"), [
    ("inclusion", "must be eligible for surgical resection", "requirement"),  # LCT NCT03862066
    ("inclusion", "Those who are judged to be eligible for clinical trials based on laboratory and ECG results "
                  "during screening tests", "requirement"),  # LCT NCT03920579
    ("exclusion", "Subject is eligible for enrollment in an ongoing clinical trial using ATB200/AT2221.",
     "exclusion"),  # LCT NCT03865836
    ("inclusion", "Patients with AML arising from myelodysplastic syndromes (including CMML) or myeloproliferative "
                  "neoplasms (secondary AML, ts-AML) are also eligible.", "permission"),  # LCT NCT03867682
])
def test_eligible_for_something_is_a_state_not_a_permission(section: str, text: str, role: str) -> None:
    (c,) = parse_criteria_text(f"{section.title()} Criteria:\n- {text}")
    assert c["role"] == role


@pytest.mark.parametrize("text", [
    # a result called "negative" is asked for, whatever other negation the item holds
    "Females of childbearing potential must have a negative serum or urine pregnancy test within 7 days prior to "
    "enrollment and agree to use birth control measures during study treatment and for 6 months after its "
    "completion. Patients must not be pregnant or nursing at study entry.",  # NCT03277924
    "Women of childbearing potential must have a negative serum pregnancy test performed within 7 days prior to "
    "the start of study drug. Post-menopausal women (defined as no menses for at least 1 year) and surgically "
    "sterilized women are not required to undergo a pregnancy test.",  # NCT02199223
    "Negative urine or serum β-hCG test within 48 hours of [11C] acetate administration in women of child bearing "
    "potential. Women who are post-menopausal with at least 1 year without menses are not required to be tested.",
    # a negation opening the second member of "or" / "and" negates that member only
    "Standard regimen failed or no standard regimen available",  # NCT01645215, NCT02314819
    "Diabetic pregnant patients with type one diabetes and no other chronic disorders",  # LCT NCT03928340
    # "with no" after the subject qualifies it, as "without" does
    "Patients pregnant in single living fetus with no apparent congenital anomalies",  # LCT NCT03928340
    "Healthy children with no systemic diseases.",  # LCT NCT03865680
])
def test_an_inclusion_item_that_no_negation_turns_around(text: str) -> None:
    (c,) = parse_criteria_text(f"Inclusion Criteria:\n- {text}")
    assert (c["role"], c["negation_scope"]) == ("requirement", "detail")


def test_a_leading_negation_still_turns_the_item_around() -> None:
    for text in ("No prior systemic therapy for metastatic disease", "No known brain metastases or leptomeningeal disease",
                 "Patients who have not received prior chemotherapy"):
        (c,) = parse_criteria_text(f"Inclusion Criteria:\n- {text}")
        assert (c["role"], c["negation_scope"]) == ("exclusion", "criterion"), text


# A permission resting on a washout is that washout, required: it keeps out a patient
# treated since, and no patient file that does not say when is let through.
def test_a_permission_resting_on_a_washout_requires_it(store: TrialStore, trials: dict[str, Any]) -> None:
    # NCT00678977 (inclusion): "Prior radiotherapy is permissible, provided at least 4 weeks have
    # elapsed since the last treatment to allow for full bone marrow recovery."
    crit = criterion(trials, "NCT00678977", "Prior radiotherapy is permissible")
    assert crit.role == "requirement"
    assert [(k.one("windowKind"), k.num("windowDays")) for k in crit.constraints] == [("washout", 28.0)]
    assert outcome(store, "NCT00678977", crit, {}) == "unknown"  # the patient file does not say when
    # NCT00473486 (inclusion): "Prior surgery is allowed if it is performed at least 4 weeks prior
    # to the first dose of study medication and patient should be fully recovered."
    (c,) = parse_criteria_text("Inclusion Criteria:\n- Prior surgery is allowed if it is performed at least 4 weeks "
                               "prior to the first dose of study medication and patient should be fully recovered.")
    assert c["role"] == "requirement"
    # a drug: the patient file says when
    (c,) = parse_criteria_text("Inclusion Criteria:\n- Prior pemetrexed is allowed, provided at least 3 months have "
                               "elapsed since the last dose")
    assert c["role"] == "requirement" and c["constraints"][0]["window_kind"] == "washout"
    # no washout: the permission stays one
    (c,) = parse_criteria_text("Inclusion Criteria:\n- Prior radiotherapy allowed")
    assert c["role"] == "permission"


def test_an_excepted_population_named_by_what_affects_it(store: TrialStore, trials: dict[str, Any]) -> None:
    # NCT02535351 (inclusion): "Bilirubin < or = 2 mg/dl, except for patients affected by Gilbert's syndrome"
    crit = criterion(trials, "NCT02535351", "except for patients affected by Gilbert")
    assert crit.exception == "patients affected by Gilbert's syndrome"
    bilirubin = lambda v: {"labs": {"bilirubin": {"value": v, "unit": "mg/dL"}}}  # noqa: E731
    assert outcome(store, "NCT02535351", crit, bilirubin(1.0)) == "met"
    assert outcome(store, "NCT02535351", crit, bilirubin(2.5)) == "unknown"  # Gilbert's syndrome not known


@pytest.fixture(scope="module")
def line_limits(tmp_path_factory: pytest.TempPathFactory) -> TrialStore:
    """A store of one trial whose inclusion criteria permit a number of prior lines."""
    from trialkg import iris
    from trialkg.knowledge.reference import reference_triples
    from trialkg.mapping import record_triples
    from trialkg.records import Eligibility, Provenance, TrialRecord

    record = TrialRecord(id="NCT90000101", nct_id="NCT90000101", brief_title="Lines permitted",
                         provenance=Provenance(file="synthetic", format="ctgov-json", sha256="0" * 64))
    # tokenised items of the Clinical-Trial-Parser test split, numbers filled in
    record.eligibility = Eligibility(criteria=parse_criteria_text(
        "Inclusion Criteria:\n- up to one prior line of checkpoint inhibitor therapy is permitted\n", "NCT90000101"))
    store = TrialStore(tmp_path_factory.mktemp("line-limits") / "store")
    store.replace_graph(iris.REFERENCE_GRAPH, list(reference_triples()))
    store.replace_graph(iris.trial_graph(record.id), record_triples(record))
    return store


# A permission resting on a number of lines is that limit, required: a patient treated
# more is kept out.
def test_a_permission_resting_on_a_number_of_lines_requires_it(line_limits: TrialStore) -> None:
    trial = match_support.trials_by_id(line_limits)["NCT90000101"]
    crit = criterion({"NCT90000101": trial}, "NCT90000101", "checkpoint inhibitor")
    assert crit.role == "requirement"
    assert outcome(line_limits, "NCT90000101", crit, _had("pembrolizumab")) == "met"
    two_lines = {"prior_therapies": [{"drug": "pembrolizumab", "weeks_since_last_dose": 60, "duration_weeks": 20},
                                     {"drug": "nivolumab", "weeks_since_last_dose": 10, "duration_weeks": 20}]}
    assert outcome(line_limits, "NCT90000101", crit, two_lines) != "met"
    # the same limit, other words
    for text in ("Patients may have received up to 2 prior chemotherapy regimens",
                 "No more than 2 prior lines of systemic therapy are allowed"):
        (c,) = parse_criteria_text(f"Inclusion Criteria:\n- {text}")
        assert c["role"] == "requirement" and c["constraints"][0]["max_lines"] == 2, text
