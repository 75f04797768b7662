"""Corticosteroids and immunosuppressants in eligibility criteria, with the daily dose.

The classes come from each drug's mechanism (glucocorticoid receptor agonists; the -limus
stem, TNF, IL-2 receptor, CD80/CD86 and IMPDH blockers: ``class_rules.tsv``); the criteria
bound the steroid by a prednisone-equivalent daily dose (``criteria/rules/dose.py``) and
the matcher compares a patient's ``daily_dose_mg`` through the equivalence table
(``glucocorticoid_doses.tsv``). Each case quotes a vendored registry record.
"""

from __future__ import annotations

from typing import Any

import match_support
import pytest
from match_support import criterion

from trialkg.criteria import parse_criteria_text
from trialkg.knowledge.lexicon import Lexicon
from trialkg.store import TrialStore

RECORDS = ["NCT01642004", "NCT03277924", "NCT04126811", "NCT03424005", "NCT02636725", "NCT01804374"]
BASE: dict[str, Any] = {"age_years": 55, "sex": "MALE", "ecog": 1, "conditions": ["melanoma"]}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> TrialStore:
    return match_support.corpus_store(tmp_path_factory, "glucocorticoids", RECORDS, ".*")


@pytest.fixture(scope="module")
def trials(store: TrialStore) -> dict[str, Any]:
    return match_support.trials_by_id(store)


def _on(drug: str, mg: float | None = None, weeks: float = 0) -> dict[str, Any]:
    t: dict[str, Any] = {"drug": drug, "weeks_since_last_dose": weeks}
    if mg is not None:
        t["daily_dose_mg"] = mg
    return {**BASE, "prior_therapies": [t]}


def _subject(crit_json: dict[str, Any]) -> dict[str, Any]:
    (k,) = [k for k in crit_json["constraints"] if k["type"] == "prior_therapy" and k.get("role", "subject") == "subject"]
    return k


@pytest.mark.parametrize(("drug", "classes"), [
    ("dexamethasone", {"corticosteroid"}), ("prednisone", {"corticosteroid"}), ("budesonide", {"corticosteroid"}),
    ("methylprednisolone", {"corticosteroid"}), ("tacrolimus", {"immunosuppressant"}),
    ("infliximab", {"immunosuppressant"}), ("mycophenolate mofetil", {"immunosuppressant"}),
    ("basiliximab", {"immunosuppressant"}), ("abatacept", {"immunosuppressant"}),
    ("melphalan", {"alkylating-agent"}), ("dacarbazine", {"alkylating-agent"}),
])
def test_classes_from_mechanism(drug: str, classes: set[str]) -> None:
    info = Lexicon.default().drug(drug)
    assert info is not None and classes <= set(info.classes)


def test_glucocorticoids_are_immunosuppressants_and_ribavirin_is_not() -> None:
    lex = Lexicon.default()
    assert "immunosuppressant" in lex.class_ancestors("corticosteroid")
    ribavirin = lex.drug("ribavirin")
    assert ribavirin is None or "immunosuppressant" not in ribavirin.classes


def test_prednisone_equivalents() -> None:
    lex = Lexicon.default()
    assert lex.prednisone_equivalent("dexamethasone", 4) == pytest.approx((26.667, 26.667), rel=1e-3)
    assert lex.prednisone_equivalent("hydrocortisone", 20) == (5, 5)
    low, high = lex.prednisone_equivalent("betamethasone", 1)  # tables differ: a range
    assert low < high
    assert lex.prednisone_equivalent("budesonide", 9) is None


# The dose bound, as the registries write it.
@pytest.mark.parametrize(("text", "bound"), [
    # BMS: "A condition requiring systemic treatment with either corticosteroids (> 10 mg
    # daily prednisone equivalents) ..." (NCT03277924)
    ("A condition requiring systemic treatment with either corticosteroids (> 10 mg daily prednisone equivalents) "
     "or other immunosuppressive medications within 14 days of study drug administration.", ("min", 10, True)),
    # Merck: "(in dosing exceeding 10 mg daily of prednisone equivalent)" (Clinical-Trial-Parser test split)
    ("Is receiving chronic systemic steroid therapy (in dosing exceeding 10 mg daily of prednisone equivalent) or any "
     "other form of immunosuppressive therapy within 7 days prior to the first dose", ("min", 10, True)),
    # the low dose excepted (NCT04126811)
    ("Immune-suppressing drugs have been used within 14 days prior to initiation of treatment, excluding nasal and "
     "inhaled corticosteroids or physiological doses of systemic steroid hormones (That is, no more than 10 mg / day "
     "of prednisolone or equivalent physiological dose of other corticosteroids);", ("min", 10, True)),
    # excepted after the class (NCT01804374)
    ("Patients receiving chronic, systemic treatment with corticosteroids or another immunosuppressive agent (except "
     "corticosteroids with a daily dosage equivalent to prednisone ≤20mg for adrenal insufficiency).", ("min", 20, True)),
    # written in another glucocorticoid, converted
    ("Use of dexamethasone > 2 mg/day within 7 days", ("min", 13.333, True)),
])
def test_dose_bound(text: str, bound: tuple[str, float, bool]) -> None:
    (crit,) = parse_criteria_text("Exclusion Criteria:\n- " + text)
    k = _subject(crit)
    side, value, strict = bound
    assert k[f"prednisone_dose_{side}"] == pytest.approx(value, rel=1e-3)
    assert bool(k.get("prednisone_dose_strict")) is strict
    assert "corticosteroid" not in (k.get("except_drug_classes") or [])


def test_dose_ceiling_of_a_requirement() -> None:
    # "subjects must be either off corticosteroids, or on a stable or decreasing dose of
    # ≤10 mg daily prednisone (or equivalent)" (NCT01642004)
    (crit,) = parse_criteria_text("Inclusion Criteria:\n- Patients receiving corticosteroids must be on a stable "
                                  "dose of ≤ 10 mg daily prednisone (or equivalent)")
    k = _subject(crit)
    assert k["drug_classes"] == ["corticosteroid"]
    assert k["prednisone_dose_max"] == 10 and not k.get("prednisone_dose_strict")


@pytest.mark.parametrize("text", [
    "Systemic corticosteroids at doses > 10 mg/day within 14 days",  # 10 mg of which steroid?
    "Use of high dose systemic corticosteroids (≥2 mg/kg) for 14 days or longer",  # by weight (NCT02210780)
])
def test_dose_that_cannot_be_read_qualifies(text: str) -> None:
    (crit,) = parse_criteria_text("Exclusion Criteria:\n- " + text)
    k = _subject(crit)
    assert "prednisone_dose_min" not in k and k.get("qualified") is True


def test_a_route_exception_excepts_no_class() -> None:
    (crit,) = parse_criteria_text("Exclusion Criteria:\n- Systemic corticosteroids within 14 days, "
                                  "except inhaled or topical corticosteroids")
    k = _subject(crit)
    assert k["drug_classes"] == ["corticosteroid"] and not k.get("except_drug_classes")


def test_a_replacement_steroid_is_no_exposure() -> None:
    # "physiologic corticosteroid replacement therapy for adrenal or pituitary
    # insufficiency ... is not considered a form of systemic treatment" (NCT02636725)
    (crit,) = parse_criteria_text("Exclusion Criteria:\n- Replacement therapy (eg., thyroxine, insulin, or physiologic "
                                  "corticosteroid replacement therapy for adrenal or pituitary insufficiency, etc.) "
                                  "is not considered a form of systemic treatment.")
    assert not [k for k in crit["constraints"] if k["type"] == "prior_therapy"]


def test_a_duration_is_no_count_of_drugs() -> None:
    (crit,) = parse_criteria_text("Exclusion Criteria:\n- Stop systemic steroids at least 2 weeks prior to study drug "
                                  "administration")
    k = _subject(crit)
    assert "min_lines" not in k and k["window_days"] == 14


# A condition named by the word alone: the treatment is the subject.
@pytest.mark.parametrize("text", [
    "Subjects with a condition requiring systemic treatment with either corticosteroids or other immunosuppressive "
    "medications within 14 days of randomization",  # NCT01642004
    "Any condition requiring concurrent systemic immunosuppressive therapy",  # Clinical-Trial-Parser test split
])
def test_an_unnamed_condition_leaves_the_treatment_the_subject(text: str) -> None:
    (crit,) = parse_criteria_text("Exclusion Criteria:\n- " + text)
    assert "immunosuppressant" in _subject(crit)["drug_classes"]


def test_a_named_condition_keeps_its_treatment_context() -> None:
    (crit,) = parse_criteria_text("Exclusion Criteria:\n- Patients with seizure disorder requiring medication (such as "
                                  "steroids or antiepileptics)")  # NCT00473486
    assert not [k for k in crit["constraints"] if k["type"] == "prior_therapy"]


def test_matcher_weighs_the_daily_dose(store: TrialStore, trials: dict[str, Any]) -> None:
    nct = "NCT04126811"
    crit = criterion(trials, nct, "Immune-suppressing drugs have been used within 14 days")
    assert crit.role == "exclusion"
    assert match_support.outcome(store, nct, crit, _on("dexamethasone", 4)) == "unmet"  # 26.7 mg prednisone
    assert match_support.outcome(store, nct, crit, _on("prednisone", 5)) == "met"
    assert match_support.outcome(store, nct, crit, _on("prednisone")) == "unknown"  # dose not given
    assert match_support.outcome(store, nct, crit, _on("tacrolimus")) == "unmet"  # any dose
    assert match_support.outcome(store, nct, crit, _on("dexamethasone", 4, weeks=10)) == "met"  # outside 14 days
    assert match_support.outcome(store, nct, crit, {**BASE, "prior_therapies": []}) == "met"


def test_matcher_with_a_permission_beside_the_bound(store: TrialStore, trials: dict[str, Any]) -> None:
    # "... Inhaled or topical steroids and adrenal replacement doses > 10 mg daily prednisone
    # equivalents are permitted in the absence of active autoimmune disease." (NCT03277924):
    # "in the absence of" is the permission's condition, not a thing it admits, and the
    # local routes it permits make the bound one of systemic glucocorticoids
    nct = "NCT03277924"
    crit = criterion(trials, nct, "corticosteroids (> 10 mg daily prednisone equivalents)")
    no_autoimmune = {"flags": {"autoimmune_disease": False}}
    assert match_support.outcome(store, nct, crit, {**_on("dexamethasone", 4), **no_autoimmune}) == "unmet"
    assert match_support.outcome(store, nct, crit, _on("prednisone", 5)) == "met"
    assert match_support.outcome(store, nct, crit, _on("infliximab")) == "unmet"
    assert match_support.outcome(store, nct, crit, _on("fluticasone propionate", 0)) == "met"


def test_a_permission_resting_on_an_absence() -> None:
    (crit,) = parse_criteria_text(
        "Exclusion Criteria:\n- Known brain metastases. Patients with treated brain metastases are permitted in the "
        "absence of liver metastases.")
    permits = [k for k in crit["constraints"] if k.get("role") == "permission"]
    assert permits and all(k.get("applies_if") == "no liver metastases" for k in permits)


def test_matcher_without_a_dose_bound(store: TrialStore, trials: dict[str, Any]) -> None:
    # "Subjects with a condition requiring systemic treatment with either corticosteroids or
    # other immunosuppressive medications within 14 days of randomization" (NCT01642004)
    crit = criterion(trials, "NCT01642004", "corticosteroids or other immunosuppressive medications")
    assert match_support.outcome(store, "NCT01642004", crit, _on("methylprednisolone", 4)) == "unmet"
    assert match_support.outcome(store, "NCT01642004", crit, _on("infliximab")) == "unmet"
    assert match_support.outcome(store, "NCT01642004", crit, _on("sunitinib")) == "met"


@pytest.mark.parametrize(("text", "systemic"), [
    ("Systemic corticosteroids within 14 days, except inhaled or topical corticosteroids", True),
    ("history of systemic corticosteroid therapy within the last 3 months;", True),  # LCT NCT03863535
    ("Use of systemic or inhaled steroids", False),  # a local route counted too (Clinical-Trial-Parser test split)
    ("Those using corticosteroids", False),  # LCT NCT03866135
])
def test_systemic_only(text: str, systemic: bool) -> None:
    (crit,) = parse_criteria_text("Exclusion Criteria:\n- " + text)
    assert bool(_subject(crit).get("systemic_only")) is systemic


def test_matcher_leaves_out_a_local_glucocorticoid(store: TrialStore, trials: dict[str, Any]) -> None:
    # "... excluding nasal and inhaled corticosteroids ..." (NCT04126811): inhaled
    # fluticasone and budesonide are no systemic exposure; dexamethasone is
    nct = "NCT04126811"
    crit = criterion(trials, nct, "Immune-suppressing drugs have been used within 14 days")
    assert match_support.outcome(store, nct, crit, _on("fluticasone propionate", 0.5)) == "met"
    assert match_support.outcome(store, nct, crit, _on("budesonide", 0.5)) == "met"
    assert match_support.outcome(store, nct, crit, _on("dexamethasone", 8)) == "unmet"


def test_another_drugs_dose_is_no_steroid_bound() -> None:
    # the dose of another drug before the steroid's ("low dose aspirin (=< 81 mg/day)",
    # NCT02243605) neither bounds nor qualifies the steroid
    (crit,) = parse_criteria_text("Exclusion Criteria:\n- Concomitant aspirin (> 325 mg/day) or systemic "
                                  "corticosteroids (> 10 mg daily prednisone equivalents) within 14 days")
    k = _subject(crit)
    assert k["prednisone_dose_min"] == 10 and not k.get("qualified")
