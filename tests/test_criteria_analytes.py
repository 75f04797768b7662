"""Scores, less common analytes, unit spellings and bound phrasing.

Texts are lines of the Leaf Clinical Trials sample (record named
beside each) and of the ClinicalTrials.gov records in tests/data/ctgov_corpus, as written there.
"""

from __future__ import annotations

import pytest

from trialkg.criteria.parse import parse_text
from trialkg.criteria.units import canonical, match_unit


def limits(text: str, section: str = "inclusion") -> list[tuple]:
    return [(c["variable"], c["comparator"], c["value"], c.get("value2"), c.get("relative_to") or c.get("unit"))
            for c in parse_text(text, section) if c["type"] in ("numeric", "age")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # NCT03927924: a score written after its scale's name is its value
        ("2. Gleason score 7, or", [("gleason_score", "=", 7, None, None)]),
        # NCT03861676
        ("Gleason 6-7 cancer", [("gleason_score", "between", 6, 7, None)]),
        ("International Prostate symptom score (IPSS) 20 or less", [("ipss", "<=", 20, None, None)]),
        # NCT03863236
        ("Patient with a comorbid illness or condition that would preclude the use of surgery (ASA 5).",
         [("asa_class", "=", 5, None, None)]),
        # NCT03928405
        ("Mini Mental Test Score, 18 to 24 points from being scored", [("mmse", "between", 18, 24, None)]),
        # NCT03860350
        ("Framingham risk score (10 % or above)", [("framingham_risk_score", ">=", 10, None, "%")]),
        # NCT03867760: the scale named after the value; its 0-10 range is no limit
        ("self-reporting moderate or higher pain on average during the last week (> 3 on a 0-10 pain "
         "intensity numeric scale)", [("pain_score", ">", 3, None, None)]),
        # NCT03864939
        ("preoperative erectile dysfunction (IIEF-5 < 20)", [("iief_5", "<", 20, None, None)]),
    ],
)
def test_scores_and_scales(text: str, expected: list[tuple]) -> None:
    assert limits(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # NCT03863236: "weight" inside "Weight" is no "eight"
        ("Weight loss 15% or more past 6 months", [("weight_loss", ">=", 15, None, "%")]),
        # NCT03867682: the analyte written after the value
        ("Relapsed disease will be defined as 5% or more blasts in bone marrow seen after remission.",
         [("blasts", ">=", 5, None, "%")]),
        ("Circulating blast count ≤ 200/μL within 10 days prior to first cycle of treatment.",
         [("blasts", "<=", 200, None, "/uL")]),
        # NCT03863730
        ("liver stiffness ≥15 kPa and asymptomatic and/or", [("liver_stiffness", ">=", 15, None, "kPa")]),
        # NCT03868852: the lower bound takes the unit of the upper one
        ("Patients must be ≥ 3 and ≤ 18 years of age.", [("age", ">=", 3, None, "a"), ("age", "<=", 18, None, "a")]),
        ("Hemoglobin ≥ 9 and ≤ 18 g/dL", [("hemoglobin", ">=", 9, None, "g/dL"), ("hemoglobin", "<=", 18, None, "g/dL")]),
        ("Direct bilirubin ≤ 1.5 x ULN", [("direct_bilirubin", "<=", 1.5, None, "ULN")]),
        ("Body temperature > 38.5 °C", [("body_temperature", ">", 38.5, None, "Cel")]),
        ("Serum CA-125 > 35 U/mL", [("ca125", ">", 35, None, "U/mL")]),
    ],
)
def test_analytes_units_and_bounds(text: str, expected: list[tuple]) -> None:
    assert limits(text) == expected


def test_a_number_that_counts_a_noun_is_no_threshold() -> None:
    # NCT03927287: "at least one ... test" counts tests, it is no PSA limit
    assert limits("All treated patients had a rising post-treatment PSA, with at least one post-treatment "
                  "free PSA blood test.") == []
    # NCT03868475: "25% lifetime risk" is a risk, not a threshold on the words before it
    assert limits("Women who are considered high-risk based on a greater than 25% lifetime risk of breast cancer") == []


@pytest.mark.parametrize(
    ("written", "code"),
    [("IU/mL", "[IU]/mL"), ("mIU/mL", "m[IU]/mL"), ("U/mL", "U/mL"), ("kPa", "kPa"), ("°C", "Cel"),
     ("µg/L", "ug/L"), ("cm3", "cm3"), ("cc", "cm3"), ("mEq/L", "meq/L")],
)
def test_unit_spellings(written: str, code: str) -> None:
    assert match_unit(written, 0) == (code, len(written))


def test_new_canonical_units() -> None:
    assert canonical("afp", 0.4, "ug/mL") == (400.0, "ng/mL")
    assert canonical("fibrinogen", 150, "mg/dL") == (1.5, "g/L")
    assert canonical("gleason_score", 7, None) == (7.0, None)


def _therapies(text: str, section: str = "exclusion", context: str | None = None) -> list[tuple]:
    return [(tuple(c["therapies"]), c["window"]) for c in parse_text(text, section, context)
            if c["type"] == "prior_therapy"]


def test_a_therapy_with_a_window_is_a_prior_therapy() -> None:
    # shared ctgov records: the window alone says "prior"
    assert _therapies("Major surgery within 4 weeks.") == [(("surgery",), "P4W")]
    assert _therapies("Chemotherapy within 4 weeks.") == [(("chemotherapy",), "P4W")]
    # a window dating something else is no therapy
    assert _therapies("Pulmonary hemorrhage/bleeding event ≥ CTCAE Grade 2 within 4 weeks of first dose of "
                      "study drug") == []
    # a header that says "prior" gives its sub-items their cue
    assert _therapies("Biologic therapy", "inclusion", "PRIOR CONCURRENT THERAPY:") == [
        (("biologic therapy",), None)]
