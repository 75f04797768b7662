"""Lab thresholds as registries and criteria corpora write them: case, units, references,
names that hold a qualifier, alternatives in two units.

Texts quoted from ClinicalTrials.gov records are named by NCT id (tests/data/ctgov_corpus/);
lower-cased lines are from the Clinical-Trial-Parser test split
(benchmarks/data/criteria/facebook/, its @NUMBER masks written as numbers).
"""

from __future__ import annotations

import pytest

from trialkg.criteria import lexicon
from trialkg.criteria.parse import parse_text


def limits(text: str) -> list[tuple]:
    return [(c["variable"], c["comparator"], c["value"], c.get("relative_to") or c.get("unit"))
            for c in parse_text(text, "inclusion") if c["type"] == "numeric"]


@pytest.mark.parametrize(("text", "expected"), [
    # lower-cased lines of the Clinical-Trial-Parser test split
    ("ast ( sgot ) ≤ 2.5 x institutional uln", [("ast", "<=", 2.5, "ULN")]),
    ("ast and alt ≤ 2 x uln", [("ast", "<=", 2, "ULN"), ("alt", "<=", 2, "ULN")]),
    ("absolute neutrophil count ( anc ) ≥ 1500 / mm3", [("neutrophils", ">=", 1500, "/mm3")]),
    ("inr ≤ 1.5", [("inr", "<=", 1.5, None)]),
    # title case
    ("Ast/Alt ≤ 3 x ULN", [("ast", "<=", 3, "ULN"), ("alt", "<=", 3, "ULN")]),
])
def test_abbreviations_in_any_case(text: str, expected: list) -> None:
    assert limits(text) == expected


def test_abbreviations_that_are_words_in_lower_case_keep_their_case() -> None:
    # "pt" is a patient, "ca" circa, "mg" a unit: only the capitals name PT, Ca, Mg
    assert lexicon.CASE_FOLDABLE <= lexicon.CASE_SENSITIVE
    assert not {"PT", "Ca", "Na", "Mg", "TB", "EF", "S?Cr(?! ?Cl)(?!\\.? clearance)"} & lexicon.CASE_FOLDABLE
    assert limits("pt with ca > 3 months") == []


def test_per_microliter_after_a_slash() -> None:
    # NCT02636725: "Absolute neutrophil count (ANC) ≥1,000 / microliter (mcL)"
    assert limits("Absolute neutrophil count (ANC) ≥1,000 / microliter (mcL)") == [
        ("neutrophils", ">=", 1000, "/uL")]
    assert limits("Platelets ≥ 100,000 cells / microlitre") == [("platelets", ">=", 100000, "/uL")]


def test_protein_per_24_hours_in_milligrams_and_an_alternative_in_another_unit() -> None:
    # NCT06382129: "Urine protein ≤2+ or < 1000mg/24h" (the dipstick grade or the 24-hour amount)
    got = [c for c in parse_text("Urine protein ≤2+ or < 1000mg/24h;") if c["type"] == "numeric"]
    assert [(c["comparator"], c["value"], c["unit"]) for c in got] == [("<=", 2, None), ("<", 1000, "mg/(24.h)")]
    assert got[1]["canonical_value"] == 1 and got[1]["canonical_unit"] == "g/(24.h)"
    # alternatives in two units of one analyte
    assert limits("Hemoglobin ≥ 9 g/dL or ≥ 5.6 mmol/L") == [
        ("hemoglobin", ">=", 9, "g/dL"), ("hemoglobin", ">=", 5.6, "mmol/L")]


@pytest.mark.parametrize(("text", "expected"), [
    # NCT01418001: "Urine Protein to Creatinine Ratio (UPC; appropriate appendix) <1"
    ("Urine Protein to Creatinine Ratio (UPC; appropriate appendix) <1", [("urine_protein", "<", 1, None)]),
    # NCT02465060 (persistent proteinuria "measured by urine protein:creatinine ratio")
    ("Urine protein:creatinine ratio < 1", [("urine_protein", "<", 1, None)]),
    ("Urine protein/creatinine ratio (UPCR) ≤ 1 g/g", [("urine_protein", "<=", 1, "g/g")]),
])
def test_a_protein_to_creatinine_ratio_is_one_name(text: str, expected: list) -> None:
    assert limits(text) == expected


@pytest.mark.parametrize(("text", "op"), [
    ("Calcium (corrected for albumin) < 3 mmol/L", "<"),
    ("Serum calcium corrected for albumin ≤ 3 mmol/L", "<="),
    ("Albumin-corrected calcium ≤ 3 mmol/L", "<="),
])
def test_a_correction_is_part_of_the_name(text: str, op: str) -> None:
    assert limits(text) == [("calcium", op, 3, "mmol/L")]


def test_institutional_uln_as_one_abbreviation() -> None:
    assert limits("ALT ≤ 3 × IULN") == [("alt", "<=", 3, "ULN")]
    assert limits("Total bilirubin ≤ IULN") == [("bilirubin", "<=", 1, "ULN")]
