"""Lab thresholds as registries and criteria corpora write them: case, units, references,
names that hold a qualifier, alternatives in two units.

Texts quoted from ClinicalTrials.gov records are named by NCT id (tests/data/ctgov_corpus/);
lower-cased lines are from the Clinical-Trial-Parser test split
(benchmarks/data/criteria/facebook/, its @NUMBER masks written as numbers).
"""

from __future__ import annotations

import pytest

from trialkg.criteria import lexicon, units
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


@pytest.mark.parametrize(("text", "expected"), [
    # NCT01339988: "Hepatic transaminases < 2.5x normal"; NCT00402415: "(but less than 2x normal)"
    ("Hepatic transaminases < 2.5x normal; Total bilirubin < 2 mg/dl",
     [("hepatic_transaminases", "<", 2.5, "ULN"), ("bilirubin", "<", 2, "mg/dL")]),
    ("ALT less than 2x normal", [("alt", "<", 2, "ULN")]),
])
def test_a_multiple_of_normal_is_a_multiple_of_its_upper_limit(text: str, expected: list) -> None:
    assert limits(text) == expected


def test_within_normal_range_is_no_multiple() -> None:
    assert limits("Creatinine within normal range") == []


def test_milligrams_and_grams_per_cent() -> None:
    # NCT00006168 (a registry record not vendored here): "Serum bilirubin less than 3.0 mg%",
    # "Serum albumin of 3.0 gram% or greater"
    assert limits("Serum bilirubin less than 3.0 mg% prior to treatment with UDCA") == [("bilirubin", "<", 3, "mg/dL")]
    assert limits("Serum albumin of 3.0 gram% or greater") == [("albumin", ">=", 3, "g/dL")]


def test_a_word_operator_starts_a_word() -> None:
    # "min" inside "albumin" is no minimum; a symbol may follow a letter
    assert limits("Serum albumin 3.0 g/dL or more") == [("albumin", ">=", 3, "g/dL")]
    assert limits("Hb>9 g/dL") == [("hemoglobin", ">", 9, "g/dL")]


def test_a_pressure_pair_before_or_higher() -> None:
    assert limits("Blood pressure 160/100 mmHg or higher") == [
        ("blood_pressure_systolic", ">=", 160, "mmHg"), ("blood_pressure_diastolic", ">=", 100, "mmHg")]


def test_milliequivalents_convert_through_the_ion_charge() -> None:
    got = {c["variable"]: c["canonical_value"] for c in parse_text(
        "Serum potassium ≥ 3.5 mEq/L; magnesium ≥ 1.2 mEq/L") if c["type"] == "numeric"}
    assert got == {"potassium": 3.5, "magnesium": 0.6}
    assert units.lab_convert(2.0, "mmol/L", "mEq/L", "magnesium") == 4.0
    assert units.lab_convert(2.0, "mEq/L", "mmol/L", "albumin") is None  # no charge: no conversion


def test_a_second_value_joined_without_its_operator() -> None:
    # Clinical-Trial-Parser test split: "blood pressure [ bp ] greater than @NUMBER mmhg
    # systolic and @NUMBER mmhg diastolic"
    assert limits("blood pressure [BP] greater than 150 mmHg systolic and 100 mmHg diastolic") == [
        ("blood_pressure_systolic", ">", 150, "mmHg"), ("blood_pressure_diastolic", ">", 100, "mmHg")]
    assert limits("Age ≥ 18 years and 5 years since diagnosis") == []  # a time is never continued


def test_an_equal_sign_before_a_range() -> None:
    assert limits("BMI = 18.5 - 30 kg/m²") == [("bmi", "between", 18.5, "kg/m2")]


@pytest.mark.parametrize(("text", "expected"), [
    ("weight is ≥ 15 kilogram (kg)", [("weight", ">=", 15, "kg")]),
    # LCT NCT03928379: "Body mass index (BMI) of 25-40 kilograms per square meter (kg/m²), inclusive"
    ("Body mass index (BMI) of 25-40 kilograms per square meter (kg/m²), inclusive", [("bmi", "between", 25, "kg/m2")]),
])
def test_kilograms_spelt_out(text: str, expected: list) -> None:
    assert limits(text) == expected


def test_a_count_per_cubic_millimetre_without_its_slash() -> None:
    # NCT00006168: "WBC 2,500 mm3; granulocytes 1,500 mm3; platelets 80,000mm3";
    # Clinical-Trial-Parser test split: "anc > @NUMBER mm3"
    assert limits("anc > 1500 mm3") == [("neutrophils", ">", 1500, "/mm3")]
    assert limits("platelets ≥ 80,000mm3") == [("platelets", ">=", 80000, "/mm3")]
    assert limits("Tumour volume > 1000 mm3") == [("tumour_volume", ">", 1000, "mm3")]  # a volume stays one


def test_a_percentile_is_no_measurement_in_the_variable_unit() -> None:
    # NCT04154189: "BP <95th percentile for sex, age, and height/length at screening ...
    # Participants >18 years of age should have BP less than or equal to (<=) 150/90
    # millimeters of Mercury at screening"
    text = ("BP <95th percentile for sex, age, and height/length at screening. Participants >18 years of age "
            "should have BP less than or equal to (<=) 150/90 millimeters of Mercury at screening")
    got = [c for c in parse_text(text) if c["type"] == "numeric"]
    assert [(c["variable"], c["value"], c["unit"], c["canonical_value"]) for c in got] == [
        ("blood_pressure", 95, "{percentile}", None),
        ("blood_pressure_systolic", 150, "mmHg", 150), ("blood_pressure_diastolic", 90, "mmHg", 90)]


def test_an_operator_repeated_in_brackets_and_milliseconds_spelt_out() -> None:
    # NCT04154189: "a repeated demonstration of a QTc interval greater than [>] 480 millisecond [msec]"
    assert limits("a repeated demonstration of a QTc interval greater than [>] 480 millisecond [msec]") == [
        ("qtc", ">", 480, "ms")]


def test_greater_or_equal_spelt_with_a_symbol() -> None:
    # NCT00473486: "Significant weight loss (> or equal 10% body weight during preceeding 6 weeks)"
    assert limits("Significant weight loss (> or equal 10% body weight during preceeding 6 weeks)") == [
        ("weight_loss", ">=", 10, "%")]
    assert limits("Hb > or = 9 g/dL") == [("hemoglobin", ">=", 9, "g/dL")]


def _audit():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "threshold_audit.py"
    spec = importlib.util.spec_from_file_location("threshold_audit", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_threshold_audit_flags_a_lost_unit_and_an_item_without_constraint() -> None:
    audit = _audit()
    lost = {"type": "numeric", "variable": "neutrophils", "comparator": ">=", "value": 1000, "unit": None,
            "relative_to": None, "span": "ANC ≥1,000"}
    assert audit.audit_item("NCT02636725", "ANC ≥1,000 / microliter (mcL)", [lost])[0][0] == "lost_unit"
    kept = parse_text("Absolute neutrophil count (ANC) ≥1,000 / microliter (mcL)")
    assert [f for f, _t, _c in audit.audit_item("NCT02636725", "ANC ≥1,000 / microliter (mcL)", kept)] == [""]
    assert audit.audit_item("NCT00619541", "PT-INR 2.3 or PT 6 seconds above control", [])[0][0] == "no_constraint"


def test_a_clause_before_a_value_is_no_name() -> None:
    # Clinical-Trial-Parser test split: "orthostatic hypotension will be defined as ≥ @NUMBER
    # mmhg decrease in systolic bp"; "cord must contain ≥ @NUMBER ..."
    names = {c["variable"] for c in parse_text("orthostatic hypotension will be defined as ≥ 20 mmhg decrease")
             if c["type"] == "numeric"}
    assert "orthostatic_hypotension_will" not in names
    assert limits("Prostate volume < 60 cc") == [("prostate_volume", "<", 60, "cm3")]  # a name stays one


@pytest.mark.parametrize(("text", "expected"), [
    # tokenised lines of the Clinical-Trial-Parser test split: "kg / m ^ 2", "1.73m ^ 2"
    ("bmi ≥ 18.5 kg / m ^ 2", [("bmi", ">=", 18.5, "kg/m2")]),
    ("egfr ≥ 60 ml / min / 1.73m ^ 2", [("egfr", ">=", 60, "mL/min/{1.73_m2}")]),
])
def test_a_spaced_square(text: str, expected: list) -> None:
    assert limits(text) == expected


def test_asides_after_names_are_no_list_members() -> None:
    # Clinical-Trial-Parser test split (several trials write AST and ALT so)
    text = ("aspartate aminotransferase ( ast ) ( serum glutamic oxaloacetic transaminase [ sgot ] ) / "
            "alanine aminotransferase ( alt ) ( serum glutamate pyruvate transaminase [ sgpt ] ) ≤ 2.5 x institutional uln")
    assert limits(text) == [("ast", "<=", 2.5, "ULN"), ("alt", "<=", 2.5, "ULN")]
    # an aside after no name holds the names
    assert limits("Liver enzymes (AST, ALT) ≤ 3 x ULN") == [("ast", "<=", 3, "ULN"), ("alt", "<=", 3, "ULN")]


def test_a_second_multiple_of_the_reference_without_operator() -> None:
    got = [(c["variable"], c["value"], c.get("applies_if")) for c in parse_text(
        "AST/ALT ≤ 2.5 x ULN, 5 x ULN for liver metastases") if c["type"] == "numeric"]
    assert got == [("ast", 2.5, None), ("alt", 2.5, None), ("ast", 5, "liver metastases"), ("alt", 5, "liver metastases")]
    assert limits("ALT ≤ 3 x ULN and 2 weeks after") == [("alt", "<=", 3, "ULN")]


def test_an_alternative_unit_in_parentheses() -> None:
    # "serum creatinine ≤ @NUMBER mg / dl ( or ≤ @NUMBER µmol / l )" (Clinical-Trial-Parser test split)
    assert limits("serum creatinine ≤ 1.5 mg/dL (or ≤ 133 µmol/L)") == [
        ("creatinine", "<=", 1.5, "mg/dL"), ("creatinine", "<=", 133, "umol/L")]


@pytest.mark.parametrize(("text", "expected"), [
    # Clinical-Trial-Parser test split lines
    ("maternal serum potassium level < 3.5 mmol / l / < 3.5 meq / l ( at start of treatment )",
     [("potassium", "<", 3.5, "mmol/L"), ("potassium", "<", 3.5, "meq/L")]),
    ("fasting plasma glucose ≤ 126 mg / dl ( or 7 mmol / l )",
     [("glucose", "<=", 126, "mg/dL"), ("glucose", "<=", 7, "mmol/L")]),
    ("partial thromboplastin time ( ptt ) within 1.5x upper limit of normal", [("aptt", "<=", 1.5, "ULN")]),
    ("ejection fraction measured by echocardiogram ( echo ) or multi gated acquisition scan ( muga ) ≥ 50 %",
     [("lvef", ">=", 50, "%")]),
    ("hemoglobin ≥ 9 gm / dl", [("hemoglobin", ">=", 9, "g/dL")]),
])
def test_alternatives_multiples_within_and_how_a_value_is_measured(text: str, expected: list) -> None:
    assert limits(text) == expected


def test_within_normal_limits_is_no_multiple() -> None:
    assert limits("Bilirubin within normal limits") == []


@pytest.mark.parametrize(("text", "expected"), [
    # NCT04346355: "glutamate-pyruvate transaminase (GPT) or glutamine oxaloacetic transaminase (GOT) > 5"
    ("glutamate-pyruvate transaminase (GPT) or glutamine oxaloacetic transaminase (GOT) > 5 times the upper limit of normal",
     [("alt", ">", 5, "ULN"), ("ast", ">", 5, "ULN")]),
    ("GOT/GPT < 3 x ULN", [("ast", "<", 3, "ULN"), ("alt", "<", 3, "ULN")]),
    ("Mg2+ ≥ 0.6 mmol/L", [("magnesium", ">=", 0.6, "mmol/L")]),
    ("Total bili ≤ 1.5 mg/dL", [("bilirubin", "<=", 1.5, "mg/dL")]),
    ("biliary obstruction with bilirubin > 3 mg/dL", [("bilirubin", ">", 3, "mg/dL")]),
])
def test_lab_name_aliases(text: str, expected: list) -> None:
    assert limits(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # LCT NCT03863496
    ("Liver insufficiency: ALT, AST and total bilirubin twice higher than normal",
     [("alt", ">", 2, "ULN"), ("ast", ">", 2, "ULN"), ("bilirubin", ">", 2, "ULN")]),
    # NCT04429646
    ("AST / ALT is 5 times higher than the upper limit of normal value", [("ast", ">", 5, "ULN"), ("alt", ">", 5, "ULN")]),
    ("AST or ALT is five times higher than the upper limit of normal range", [("ast", ">", 5, "ULN"), ("alt", ">", 5, "ULN")]),
    ("ALT three times higher than the normal value", [("alt", ">", 3, "ULN")]),
])
def test_a_multiple_before_its_comparative_is_a_multiple_of_the_upper_limit(text: str, expected: list) -> None:
    assert limits(text) == expected


def test_a_multiple_needs_its_multiplier_and_an_upward_comparative() -> None:
    assert limits("creatinine clearance 2 times lower than normal") != [("creatinine_clearance", "<", 2, "ULN")]
    assert not [c for c in limits("ALT 5 higher than normal") if c[3] == "ULN"]
