"""Medications being taken now: anticoagulant and antiplatelet classes, the present tense
("receiving", "patients on", "current use of"), therapies still to come, and drugs that
only say how a named condition is kept in check.

Each case quotes a vendored registry record (tests/data/ctgov_corpus/) or an LCT trial;
the matcher cases check the outcome for a patient taking the drug now, one who took it
months ago and one who never did.
"""

from __future__ import annotations

from typing import Any

import match_support
import pytest
from match_support import criterion

from trialkg.criteria import parse_criteria_text
from trialkg.knowledge.lexicon import Lexicon
from trialkg.store import TrialStore

RECORDS = ["NCT01645215", "NCT02513394", "NCT02465060", "NCT02636725", "NCT02535351", "NCT02199223"]
BASE: dict[str, Any] = {"age_years": 60, "sex": "MALE", "ecog": 1, "conditions": ["lung adenocarcinoma"],
                        "flags": {"bleeding": False}}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> TrialStore:
    return match_support.corpus_store(tmp_path_factory, "current-use", RECORDS, ".*")


@pytest.fixture(scope="module")
def trials(store: TrialStore) -> dict[str, Any]:
    return match_support.trials_by_id(store)


def _took(drug: str, weeks: float | None) -> dict[str, Any]:
    t: dict[str, Any] = {"drug": drug}
    if weeks is not None:
        t["weeks_since_last_dose"] = weeks
    return {**BASE, "prior_therapies": [t]}


def _therapies(text: str, section: str = "Exclusion") -> list[dict[str, Any]]:
    (crit,) = parse_criteria_text(f"{section} Criteria:\n- {text}")
    return [k for k in crit["constraints"] if k["type"] == "prior_therapy" and k.get("role", "subject") == "subject"]


@pytest.mark.parametrize(("drug", "cls"), [
    ("warfarin", "vitamin-k-antagonist"), ("phenprocoumon", "vitamin-k-antagonist"), ("enoxaparin sodium", "heparin-group"),
    ("dalteparin", "heparin-group"), ("apixaban", "direct-factor-xa-inhibitor"), ("rivaroxaban", "direct-factor-xa-inhibitor"),
    ("dabigatran etexilate", "direct-thrombin-inhibitor"), ("clopidogrel", "antiplatelet"), ("ticagrelor", "antiplatelet"),
])
def test_antithrombotic_classes_from_mechanism_or_stem(drug: str, cls: str) -> None:
    lex = Lexicon.default()
    info = lex.drug(drug)
    assert info is not None and cls in info.classes
    if cls != "antiplatelet":
        assert "anticoagulant" in lex.class_ancestors(cls)
    else:
        assert "anticoagulant" not in lex.class_ancestors(cls)


@pytest.mark.parametrize(("text", "timing"), [
    ("Coagulation dysfunction, hemorrhagic tendency or receiving anticoagulant therapy", "current"),  # NCT01645215
    ("Patients on antiretroviral therapy.", "current"),  # NCT02513394
    ("Those using corticosteroids", "current"),  # LCT NCT03866135
    ("Prior treatment with warfarin", None),
    ("Receiving anticoagulant therapy within 4 weeks of randomisation", None),  # the window decides
])
def test_present_tense_is_current_use(text: str, timing: str | None) -> None:
    (k,) = _therapies(text)
    assert k.get("timing") == timing


@pytest.mark.parametrize(("text", "qualified"), [
    # NCT02465060, NCT00357318: the dose (full, therapeutic) is not in the patient file
    ("Patient must not require the use of full dose coumarin-derivative anticoagulants such as warfarin", True),
    ("No concurrent full-dose anticoagulants (e.g., warfarin)", True),
    ("Treatment with anticoagulants", False),  # NCT01347788
])
def test_a_dose_intent_qualifies(text: str, qualified: bool) -> None:
    ks = _therapies(text, "Inclusion" if text.startswith(("Patient must", "No ")) else "Exclusion")
    assert len(ks) == 1 and bool(ks[0].get("qualified")) is qualified


@pytest.mark.parametrize("text", [
    # how a named condition is kept in check: the drug decides nothing
    "Patients with active pulmonary emboli or deep vein thromboses (DVT) that are not stable on anticoagulation "
    "regimen.",  # NCT02636725
    "Deep phlebitis not treated with LMWH or arterial thrombosis within the last 6 months",  # NCT02535351
])
def test_a_condition_kept_in_check_is_no_therapy(text: str) -> None:
    assert _therapies(text) == []


def test_an_inclusion_note_on_a_supportive_drug_asks_for_none() -> None:
    # "Stopping the anticoagulation for biopsy should be per site standard operating
    # procedure (SOP)" (NCT02465060)
    assert _therapies("Stopping the anticoagulation for biopsy should be per site standard operating procedure (SOP)",
                      "Inclusion") == []


def test_matcher_current_use(store: TrialStore, trials: dict[str, Any]) -> None:
    nct = "NCT01645215"
    crit = criterion(trials, nct, "receiving anticoagulant therapy")
    assert crit.role == "exclusion"
    assert match_support.outcome(store, nct, crit, _took("apixaban", 0)) == "unmet"
    assert match_support.outcome(store, nct, crit, _took("warfarin", 30)) == "met"  # stopped long ago
    assert match_support.outcome(store, nct, crit, _took("warfarin", 2)) == "unknown"  # stopped two weeks ago
    assert match_support.outcome(store, nct, crit, _took("warfarin", None)) == "unknown"  # when is not given
    assert match_support.outcome(store, nct, crit, {**BASE, "prior_therapies": []}) == "met"


def test_matcher_current_antiretroviral_therapy(store: TrialStore, trials: dict[str, Any]) -> None:
    nct = "NCT02513394"
    crit = criterion(trials, nct, "Patients on antiretroviral therapy")
    assert match_support.outcome(store, nct, crit, _took("tenofovir disoproxil", 0)) == "unmet"
    assert match_support.outcome(store, nct, crit, _took("tenofovir disoproxil", 52)) == "met"


def test_a_therapy_still_to_come_is_planned() -> None:
    # "Having been prescribed antiretroviral therapy at any time (including people for who
    # antiretroviral therapy initiation is planned after study enrolment)" (LCT NCT03922269):
    # the matcher leaves such a therapy open, the patient file lists those given
    (k,) = _therapies("Having been prescribed antiretroviral therapy at any time (including people for who "
                      "antiretroviral therapy initiation is planned after study enrolment)", "Inclusion")
    assert k["timing"] == "planned" and k["drug_classes"] == ["antiviral"]


@pytest.mark.parametrize(("drug", "cls"), [
    ("ketoconazole", "strong-cyp3a-inhibitor"), ("clarithromycin", "strong-cyp3a-inhibitor"),
    ("fluconazole", "moderate-cyp3a-inhibitor"), ("rifampicin", "strong-cyp3a-inducer"),
    ("carbamazepine", "strong-cyp3a-inducer"), ("phenobarbital", "moderate-cyp3a-inducer"),
])
def test_cyp3a_classes_as_the_fda_table_lists_them(drug: str, cls: str) -> None:
    lex = Lexicon.default()
    info = lex.drug(drug)
    assert info is not None and cls in info.classes
    assert cls.split("-", 1)[1] in lex.class_ancestors(cls)  # strong-cyp3a-inducer under cyp3a-inducer


@pytest.mark.parametrize(("text", "classes"), [
    ("Patients taking concurrent medications of any kind which are strong inducers or inhibitors of CYP3A4",  # NCT00402415
     {"strong-cyp3a-inducer", "strong-cyp3a-inhibitor"}),
    ("Participant has received strong and/or moderate CYP3A inducers within 7 days prior to the initiation of study "
     "treatment.", {"strong-cyp3a-inducer", "moderate-cyp3a-inducer"}),  # LCT NCT03867682
    ("Administration of strong/potent cytochrome P450 (CYP)3A4 inhibitors within 7 days",  # NCT02691871
     {"strong-cyp3a-inhibitor"}),
    ("use of moderate to strong cyp3a4 inhibitors within 2 weeks prior to start of study treatment",
     {"moderate-cyp3a-inhibitor", "strong-cyp3a-inhibitor"}),  # Clinical-Trial-Parser test split
    ("Patients who required concomitant treatment with medications that are known to be inhibitors or strong "
     "inducers of isoenzyme CYP3A4", {"cyp3a-inhibitor", "strong-cyp3a-inducer"}),  # NCT01418001
])
def test_cyp3a_modulators_by_strength(text: str, classes: set[str]) -> None:
    (k,) = _therapies(text)
    assert set(k["drug_classes"]) == classes


def test_matcher_strong_cyp3a_inducers(store: TrialStore, trials: dict[str, Any]) -> None:
    # "Concurrent use of strong CYP3a4 inducers (e.g. rifampin, phenytoin, carbamazepine,
    # phenobarbital, and St. John's Wort)" (NCT02199223)
    nct = "NCT02199223"
    crit = criterion(trials, nct, "strong CYP3a4 inducers")
    assert match_support.outcome(store, nct, crit, _took("carbamazepine", 0)) == "unmet"
    assert match_support.outcome(store, nct, crit, _took("rifampin", 30)) == "met"
    assert match_support.outcome(store, nct, crit, _took("fluconazole", 0)) == "met"  # an inhibitor, not an inducer


@pytest.mark.parametrize("text", [
    # the study's own drugs, named as what other medications would act on
    "Concomitant (or receipt of) treatment with medications that may affect the metabolism of pembrolizumab and/or "
    "axitinib within 7 days prior to Cycle 1, day 1 of axitinib.",  # NCT02636725
    "Patients receiving any medications or substances with the potential to affect the activity or pharmacokinetics "
    "of sunitinib or erlotinib",  # NCT00581789
])
def test_drugs_other_medications_act_on_are_context(text: str) -> None:
    (crit,) = parse_criteria_text("Exclusion Criteria:\n- " + text)
    assert not [k for k in crit["constraints"] if k["type"] == "prior_therapy" and k.get("drugs")]
    assert any(k.get("context") == "interaction" for k in crit["constraints"])


def test_a_therapy_kept_on_is_a_permission() -> None:
    # "note: subjects with prostate cancer currently receiving luteinizing hormone-releasing
    # hormone (LHRH) or gonadotropin-releasing hormone (GnRH) agonists may be maintained on
    # these agents" (NCT02243605)
    (crit,) = parse_criteria_text(
        "Exclusion Criteria:\n- Receipt of any type of small molecule kinase inhibitor within 14 days before the first "
        "dose of study treatment; note: subjects with prostate cancer currently receiving luteinizing hormone-releasing "
        "hormone (LHRH) agonists may be maintained on these agents")
    therapies = [k for k in crit["constraints"] if k["type"] == "prior_therapy"]
    assert [k.get("role", "subject") for k in therapies if k["drug_classes"] == ["kinase-inhibitor"]] == ["subject"]
    assert all(k.get("role") == "permission" for k in therapies if k["drug_classes"] != ["kinase-inhibitor"])
