"""Disease states and comorbidities: one constraint per phrase, the most specific one.

Every text below is real criteria phrasing (seeds and tests/data/ctgov_corpus records);
the record it comes from is named next to it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from trialkg.criteria import parse_criteria_text
from trialkg.criteria.parse import parse_text

DATA = Path(__file__).parent / "data" / "criteria"


def states(text: str, section: str = "exclusion") -> list[str]:
    return [c["state"] for c in parse_text(text, section) if c["type"] == "disease_state"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # NCT03890068
        ("Symptoms of brain metastases cannot be controlled and treated within less than 2 months.",
         ["cns_metastases"]),
        # NCT06110650
        ("The patient has current central nervous system (CNS) metastases or previous brain metastases;",
         ["cns_metastases"]),
        # NCT03424005: the qualifiers belong to the CNS metastases, not "newly diagnosed"
        ("Symptomatic, untreated, or actively progressing CNS metastases", ["cns_metastases"]),
        # NCT01642004
        ("Subjects with untreated central nervous system (CNS) metastases are excluded.", ["cns_metastases"]),
        ("Known brain metastases", ["cns_metastases"]),
    ],
)
def test_cns_metastases_are_not_also_advanced_disease(text: str, expected: list[str]) -> None:
    assert states(text) == expected


def test_advanced_disease_named_apart_from_the_brain_still_counts() -> None:
    got = states("Patients with metastatic NSCLC and brain metastases", "inclusion")
    assert sorted(got) == ["advanced_disease", "cns_metastases"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # NCT06110650: HIV, not also "immunodeficiency" or "active infection"
        ("Known human immunodeficiency virus (HIV) infection;", ["hiv_infection"]),
        # NCT01736878
        ("Known HIV infection or infection with hepatitis B or C", ["hiv_infection", "hepatitis_b", "hepatitis_c"]),
        # NCT04126811
        ("Human immunodeficiency virus (HIV) infection, active hepatitis B (HBV-positive and HBV DNA ≥ 500 "
         "IU/ml), Hepatitis C (positive hepatitis C antibody)", ["hiv_infection", "hepatitis_b", "hepatitis_c"]),
        # NCT00103168: the specific disease, not also a generic "uncontrolled disease"
        ("No uncontrolled liver disease", ["liver_disease"]),
        # NCT04154189: "toxicity" inside "nephrotoxicity" is the kidney
        ("History of ifosfamide-related Grade >=3 nephrotoxicity or encephalopathy", ["renal_disease"]),
    ],
)
def test_a_named_infection_or_disease_gives_one_comorbidity(text: str, expected: list[str]) -> None:
    assert sorted(states(text)) == sorted(expected)


@pytest.mark.parametrize(("text", "hypertension"), [
    ("Uncontrolled hypertension", True),
    ("arterial hypertension not controlled by treatment", True),  # systemic
    ("pulmonary artery hypertension (PAH)> 50 mmHg", False),  # LCT NCT03926910
    ("Portal hypertension with varices", False),
    ("idiopathic intracranial hypertension", False),
    ("ocular hypertension or glaucoma", False),
])
def test_hypertension_is_the_systemic_one(text: str, hypertension: bool) -> None:
    assert ("hypertension" in states(text, "exclusion")) is hypertension


def test_an_active_infection_named_on_its_own_still_counts() -> None:
    assert sorted(states("Known HIV infection; active infection requiring systemic antibiotics")) == [
        "active_infection", "hiv_infection"]


def test_grading_scale_is_not_a_toxicity() -> None:
    # NCT03890068: CTCAE grades the dyspnoea of an effusion
    text = ("With pleural effusion or ascites, cause respiratory syndrome. (> CTC AE grade 2 dyspnea "
            "[grade 2 dyspnea refers to shortness of breath during a small amount of activity])")
    assert "unresolved_toxicity" not in states(text)
    assert "effusion" in states(text)
    # NCT03890068: the toxic reactions themselves are
    assert states("Unmitigated toxic reactions above grade 1 of CTC AE due to any previous treatment, "
                  "excluding alopecia.") == ["unresolved_toxicity"]


def test_condition_of_a_lab_limit_is_not_a_disease_state() -> None:
    # NCT06110650: "liver metastasis" conditions the ALT limit, the trial does not require it
    text = ("Liver function test (aspartate aminotransferase and glutamic aminotransferase ≤2.5×ULN, total "
            "bilirubin ≤1.5×ULN; In case of liver metastasis, AST and ALT≤5×ULN);")
    got = parse_text(text, "inclusion")
    assert not [c for c in got if c["type"] == "disease_state"]
    assert {c.get("applies_if") for c in got if c["type"] == "numeric"} >= {"liver metastases"}


def test_tumour_site_is_not_an_organ_comorbidity() -> None:
    # NCT04126811 inclusion: a GIST is a histology, not a gastrointestinal disorder
    text = ("Subjects with pathologically confirmed advanced synovial sarcoma, leiomyosarcoma, "
            "gastrointestinal stromal tumor")
    assert "gastrointestinal_disorder" not in states(text, "inclusion")


def test_seed_items_give_at_most_one_constraint_per_state_phrase() -> None:
    """No disease-state span of an item lies inside another one's span."""
    for path in sorted(DATA.glob("*.txt")):
        for crit in parse_criteria_text(path.read_text(encoding="utf-8")):
            spans = [c["span"].lower() for c in crit["constraints"] if c["type"] == "disease_state"]
            for a in spans:
                for b in spans:
                    assert a is b or a not in b, (path.name, crit["text"][:100], a, b)
