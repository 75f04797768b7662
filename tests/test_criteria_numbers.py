"""Numbers, units and variables as registries write them.

Texts quoted from ClinicalTrials.gov records are named by NCT id (the records are in
tests/data/ctgov_corpus/), LCT texts by their LCT NCT id (benchmarks/data/criteria/lct/).
Phrasings without an id are registry forms listed in docs/criteria-numbers.md that no
vendored record happens to use.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from trialkg.criteria import annotate_record, lexicon, parse_criteria_text, variables
from trialkg.criteria.numbers import read_number, thousands_reading
from trialkg.criteria.parse import parse_text
from trialkg.records import CriterionItem
from trialkg.sources import read_path


def limits(text: str, section: str = "inclusion") -> list[tuple]:
    return [(c["variable"], c["comparator"], c["value"], c.get("relative_to") or c.get("unit"))
            for c in parse_text(text, section) if c["type"] in ("numeric", "age")]


def canonical(text: str) -> list[tuple]:
    return [(c["variable"], c["comparator"], c["canonical_value"], c["canonical_unit"])
            for c in parse_text(text) if c["type"] == "numeric"]


def record(corpus: Path, name: str):
    (rec,) = list(read_path(next(corpus.rglob(name))))
    annotate_record(rec)
    return rec


# ------------------------------------------------------------------ numbers


@pytest.mark.parametrize(("written", "value"), [
    ("7,8", 7.8), ("1,25", 1.25), ("100,000", 100000), ("1,500.5", 1500.5), ("1 500", 1500),
    ("one", 1), ("twelve", 12), ("III", 3), ("10^4", 10000), ("1.5", 1.5),
])
def test_read_number(written: str, value: float) -> None:
    assert read_number(written) == value


def test_a_dotted_three_digit_group_has_a_thousands_reading() -> None:
    assert thousands_reading("1.500") == 1500
    assert thousands_reading("100.000") == 100000
    assert thousands_reading("1.5") is None


def test_decimal_commas() -> None:
    # the European decimal comma: "7,8 mmol/l", "Hb ≥ 9,0 g/dl", "creatinine ≤ 1,5 x ULN"
    assert limits("Fasting glucose < 7,8 mmol/l") == [("glucose", "<", 7.8, "mmol/L")]
    assert limits("Hb ≥ 9,0 g/dl") == [("hemoglobin", ">=", 9, "g/dL")]
    assert limits("Serum creatinine ≤ 1,5 x ULN") == [("creatinine", "<=", 1.5, "ULN")]


def test_a_comma_list_is_no_decimal() -> None:
    # "0,1 or 2" lists scores (ECOG), "1,2 or 3" lists lines of therapy
    ps = [c for c in parse_text("ECOG performance status 0,1 or 2") if c["type"] == "performance_status"]
    assert ps[0]["allowed_values"] == [0, 1, 2]


def test_dot_thousands_separators_in_a_real_record(ctgov_corpus: Path) -> None:
    # NCT01736878: "white blood cells (WBC) >3.000 cells/mm³ (ANC > 1.500 cells/mm³),
    # platelets > 100.000 cells/mm³"
    rec = record(ctgov_corpus, "NCT01736878.xml")
    got = {(c["variable"], c["comparator"], c["value"], c["canonical_value"], c["canonical_unit"])
           for crit in rec.eligibility.criteria for c in crit["constraints"] if c["type"] == "numeric"}
    assert ("wbc", ">", 3000, 3, "10*9/L") in got
    assert ("neutrophils", ">", 1500, 1.5, "10*9/L") in got
    assert ("platelets", ">", 100000, 100, "10*9/L") in got


def test_comma_and_space_thousands_separators() -> None:
    # "platelets ≥ 100,000/µL" (NCT02465060 writes "100,000/mcL"), "1 500/mm3"
    assert canonical("Platelets ≥ 100,000/µL") == [("platelets", ">=", 100, "10*9/L")]
    assert canonical("ANC ≥ 1 500/mm3") == [("neutrophils", ">=", 1.5, "10*9/L")]


# ------------------------------------------------------------------ units


@pytest.mark.parametrize(("text", "value", "unit"), [
    ("ANC >= 1.0x10⁹/L", 1, "10*9/L"),
    ("ANC ≥ 1.5×10E+9/L", 1.5, "10*9/L"),
    ("Platelets ≥10.0 × 10⁴/mm3", 10, "10*4/uL"),
    ("ANC ≥ 1500 per mm3", 1500, "/mm3"),
    ("Platelet count ≥ 75 x 10³/µL", 75, "10*3/uL"),
    # a superscript lost in copying: "ANC ≥1.5×109/L" (NCT03459976 and other Chinese records)
    ("Absolute neutrophil count (ANC) of ≥1.5×109/L", 1.5, "10*9/L"),
])
def test_powers_of_ten_and_per_volume(text: str, value: float, unit: str) -> None:
    (got,) = [c for c in parse_text(text) if c["type"] == "numeric"]
    assert (got["value"], got["unit"]) == (value, unit)
    assert got["canonical_unit"] == "10*9/L"


def test_powers_convert_to_the_canonical_count() -> None:
    assert canonical("Platelets ≥10.0 × 10⁴/mm3") == [("platelets", ">=", 100, "10*9/L")]


# ------------------------------------------------------------------ operators


def test_greater_or_equal_to_is_not_equal(ctgov_corpus: Path) -> None:
    # NCT02465060: "CD4+ cell count greater or equal to 250 cells/mm^3"
    rec = record(ctgov_corpus, "NCT02465060.xml")
    cd4 = [c for crit in rec.eligibility.criteria for c in crit["constraints"] if c.get("variable") == "cd4"]
    assert [(c["comparator"], c["value"], c["unit"]) for c in cd4] == [(">=", 250, "/mm3")]


@pytest.mark.parametrize(("op", "symbol"), [
    (">/=", ">="), ("> =", ">="), ("=>", ">="), ("</=", "<="), ("< =", "<="), ("=<", "<="),
    ("greater or equal to", ">="), ("equal to or greater than", ">="), ("less or equal to", "<="),
])
def test_written_operators(op: str, symbol: str) -> None:
    # ">/= 5 ppm CO" (LCT NCT03863509), "ASA </= 2" (LCT NCT03869996)
    assert limits(f"Creatinine clearance {op} 60 mL/min") == [("creatinine_clearance", symbol, 60, "mL/min")]


def test_or_more_after_the_value() -> None:
    assert limits("Hemoglobin 9 g/dL or more") == [("hemoglobin", ">=", 9, "g/dL")]


def test_uln_spelt_unl(ctgov_corpus: Path) -> None:
    # NCT02535351: "AST and ALT < or = 2.5 times the UNL";
    # NCT00466232: "Bilirubin < 1.5 times upper limit of normal (x UNL)"
    rec = record(ctgov_corpus, "NCT02535351.xml")
    got = {(c["variable"], c["comparator"], c["value"], c["relative_to"])
           for crit in rec.eligibility.criteria for c in crit["constraints"] if c["type"] == "numeric"}
    assert {("ast", "<=", 2.5, "ULN"), ("alt", "<=", 2.5, "ULN")} <= got
    assert limits("Creatinine < 2.5 UNL") == [("creatinine", "<", 2.5, "ULN")]


# ------------------------------------------------------------------ class scales


@pytest.mark.parametrize(("text", "want"), [
    ("ASA physical status I", ("asa_class", "=", 1, None)),          # LCT NCT03926663
    ("physical status ASA I-II", ("asa_class", "between", 1, None)),  # LCT NCT03863977
    ("ASA I or II physical status", ("asa_class", "between", 1, None)),
    # the society's name as spelled (LCT NCT03926000, NCT03925103)
    ("Patients with American Society of Anaesthesiologists physical status I or II.", ("asa_class", "between", 1, None)),
    ("American Society of Anesthesia (ASA) score<=2", ("asa_class", "<=", 2, None)),
    ("New York Heart Association (NYHA) Grade III-IV", ("nyha", "between", 3, None)),  # LCT NCT03924882
])
def test_roman_numerals_on_class_scales(text: str, want: tuple) -> None:
    assert limits(text)[:1] == [want]


def test_a_dose_is_no_class() -> None:
    # "ASA 100 mg" is aspirin: outside the ASA scale, never a class
    assert [c["type"] for c in parse_text("ASA 100 mg daily")] == ["unparsed"]


# ------------------------------------------------------------------ line wraps


def test_a_wrap_before_the_operator_is_joined(ctgov_corpus: Path) -> None:
    # NCT04154189: "left ventricular ejection fraction (LVEF)" / ">=50% at baseline ..."
    rec = record(ctgov_corpus, "NCT04154189.xml")
    (lvef,) = [crit for crit in rec.eligibility.criteria if "LVEF" in crit["text"]]
    assert "=50% at baseline" in lvef["text"]
    assert [(c["variable"], c["comparator"], c["value"]) for c in lvef["constraints"]] == [("lvef", ">=", 50)]
    assert not [crit for crit in rec.eligibility.criteria if crit["text"].startswith("=")]


def test_a_lab_name_and_its_threshold_on_two_lines() -> None:
    text = "Inclusion Criteria:\n  1. Adequate liver function:\n     - Total bilirubin:\n       ≤ 1.5 x ULN\n"
    items = parse_criteria_text(text)
    assert [i["text"] for i in items] == ["Adequate liver function:", "Total bilirubin: ≤ 1.5 x ULN"]
    assert items[1]["constraints"][0]["relative_to"] == "ULN"


def test_a_wrapped_grade_is_no_item_of_its_own(ctgov_corpus: Path) -> None:
    # NCT02465060: "[CTCAE] version [v]4 grade" / ">= 2)"
    rec = record(ctgov_corpus, "NCT02465060.xml")
    assert not [c for c in rec.eligibility.criteria if c["text"].startswith(("=", ">="))]


# ------------------------------------------------------------------ plausibility


@pytest.mark.parametrize("text", ["ANC >= 0.0015 x 10^9/L", "ANC >= 1000 ml", "Platelets ≥ 100 mg/dL"])
def test_an_implausible_threshold_is_never_used(text: str) -> None:
    (c,) = parse_text(text)
    assert c["type"] == "unparsed" and c["reason"] == "implausible"
    assert c["variable"] in ("neutrophils", "platelets") and "threshold not used" in c["note"]


def test_an_implausible_threshold_is_reported_with_trial_item_and_value(ctgov_corpus: Path) -> None:
    (rec,) = list(read_path(ctgov_corpus / "more" / "NCT01736878.xml"))
    annotate_record(rec)
    rec.eligibility.exclusion.append(CriterionItem("exclusion", "ANC >= 1000 ml", position=99))
    annotate_record(rec)
    (w,) = [w for w in rec.warnings if w.code == "criteria-implausible"]
    assert "NCT01736878" in w.message and "ANC >= 1000 ml" in w.message and "1000 mL" in w.message


# ------------------------------------------------------------------ one variable table


def test_every_parser_variable_is_in_the_table() -> None:
    table = variables.table()
    assert set(lexicon.VARIABLES) <= set(table)
    for v in table.values():
        assert v.low is None or v.high is None or v.low <= v.high, v.name


def test_old_names_are_aliases() -> None:
    assert variables.resolve("white_blood_cells") == "wbc"
    assert variables.resolve("gfr") == "egfr"
    assert variables.resolve("fasting_glucose") == "glucose"
    assert variables.resolve("alkaline_phosphatase") == "alp"


def test_the_patient_file_and_the_parser_use_one_name(ctgov_corpus: Path, tmp_path: Path) -> None:
    # NCT01736878 "white blood cells (WBC) >3.000 cells/mm³", read against a patient file
    # that writes the older name "white_blood_cells" in 10^9/L
    from trialkg import iris
    from trialkg.mapping import record_triples
    from trialkg.match import match_store, parse_patient
    from trialkg.store import TrialStore

    rec = record(ctgov_corpus, "NCT01736878.xml")
    store = TrialStore(tmp_path / "store")
    store.replace_graph(iris.trial_graph(rec.id), record_triples(rec))

    def outcome(wbc: float) -> str:
        p = parse_patient({"labs": {"white_blood_cells": {"value": wbc, "unit": "10*9/L"}}})
        assert "wbc" in p.labs
        (result,) = match_store(store, p, rec.id)
        (reason,) = [r for r in result.reasons if "3.000 cells" in r.text]
        return reason.outcome

    # the item also asks for haemoglobin, ANC, platelets ... that this patient file does not give
    assert (outcome(2.5), outcome(4.0)) == ("unmet", "unknown")


# ------------------------------------------------------------------ ages and time-valued variables


@pytest.mark.parametrize(("text", "want"), [
    ("Age 18+ years", ("age", ">=", 18, "a")),                      # LCT NCT03863743
    ("Women >18 yo", ("age", ">", 18, "a")),                        # LCT NCT03926559
    ("1. Ages of 18 and above", ("age", ">=", 18, "a")),            # LCT NCT03927404
    ("are aged 13-17, years and a high school student-athlete", ("age", "between", 13, "a")),  # LCT NCT03865433
    ("Subjects of 40-70 years.", ("age", "between", 40, "a")),      # LCT NCT03863249
    ("Gestational age 37-42 weeks", ("gestational_age", "between", 37, "wk")),  # LCT NCT03925922
    ("gestational age between 24 and 36 weeks", ("gestational_age", "between", 24, "wk")),  # LCT NCT03865901
])
def test_ages_and_gestational_ages(text: str, want: tuple) -> None:
    assert limits(text)[:1] == [want]


def test_a_threshold_before_the_time_valued_variable() -> None:
    # "preterm birth (less than 37 weeks of gestational age)" (LCT NCT03920098), "born at < 32 weeks gestation"
    assert limits("preterm birth (less than 37 weeks of gestational age)") == [("gestational_age", "<", 37, "wk")]
    assert limits("born at < 32 weeks gestation") == [("gestational_age", "<", 32, "wk")]
    assert limits("at least 3 months of chemotherapy") == []


# ------------------------------------------------------------------ pairs and shared units


def test_a_blood_pressure_pair_is_systolic_and_diastolic() -> None:
    # "have a resting blood pressure of > 140/90." (LCT NCT03865433), "BP < 160/100 mmHg"
    assert limits("have a resting blood pressure of > 140/90.") == [
        ("blood_pressure_systolic", ">", 140, None), ("blood_pressure_diastolic", ">", 90, None)]
    assert limits("BP < 160/100 mmHg") == [
        ("blood_pressure_systolic", "<", 160, "mmHg"), ("blood_pressure_diastolic", "<", 100, "mmHg")]


@pytest.mark.parametrize(("text", "want"), [
    # tokenised items of the Clinical-Trial-Parser test split, numbers filled in
    ("resting bp > 140 / 90 mm hg", [("blood_pressure_systolic", ">", 140, "mmHg"),
                                     ("blood_pressure_diastolic", ">", 90, "mmHg")]),
    ("uncontrolled hypertension ( > 160 / 100 mmhg despite optimal medical therapy )",
     [("blood_pressure_systolic", ">", 160, "mmHg"), ("blood_pressure_diastolic", ">", 100, "mmHg")]),
    ("absolute neutrophil count ≥ 1500 / mm3", [("neutrophils", ">=", 1500, "/mm3")]),  # a unit, not a pair
])
def test_a_pair_with_a_spaced_slash(text: str, want: list) -> None:
    assert limits(text) == want


@pytest.mark.parametrize(("text", "want"), [
    ("Patients with severe hypertension (>180/110 mmHg) as defined by the South African Hypertension "
     "Practice Guideline 2014", [("blood_pressure_systolic", ">", 180, "mmHg"),  # LCT NCT03921086
                                 ("blood_pressure_diastolic", ">", 110, "mmHg")]),
    # the Clinical-Trial-Parser test split, numbers filled in
    ("sustained hypotension ( < 90 / 60 mmhg )", [("blood_pressure_systolic", "<", 90, "mmHg"),
                                                  ("blood_pressure_diastolic", "<", 60, "mmHg")]),
    ("uncontrolled hypertension (> 150 mmHg despite treatment)", [("blood_pressure", ">", 150, "mmHg")]),
    # another circulation's pressure is not the blood pressure
    ("pulmonary artery hypertension (PAH)> 50 mmHg", [("pah", ">", 50, "mmHg")]),  # LCT NCT03926910
    ("portal hypertension with HVPG > 10 mmHg", [("hvpg", ">", 10, "mmHg")]),
    ("Grade 3 or higher hypertension", []),  # a grade, no pressure
])
def test_a_pressure_after_hypertension_is_the_blood_pressure(text: str, want: list) -> None:
    assert limits(text, "exclusion") == want


def test_a_named_pressure_wins_over_blood_pressure() -> None:
    # "Blood pressure systolic ≥140 or <100 mmHg; Blood pressure diastolic >90 mmHg" (LCT NCT03867344)
    assert limits("Blood pressure systolic ≥140 or <100 mmHg; Blood pressure diastolic >90 mmHg") == [
        ("blood_pressure_systolic", ">=", 140, "mmHg"), ("blood_pressure_systolic", "<", 100, "mmHg"),
        ("blood_pressure_diastolic", ">", 90, "mmHg")]


@pytest.mark.parametrize(("text", "want"), [
    ("BMI <20 or >35 kg/m2", [("bmi", "<", 20, "kg/m2"), ("bmi", ">", 35, "kg/m2")]),  # LCT NCT03861377
    ("serum creatinine concentrations ≥1.5 and ≥1.4 mg/dL in males and females respectively",  # LCT NCT03863405
     [("creatinine", ">=", 1.5, "mg/dL"), ("creatinine", ">=", 1.4, "mg/dL")]),
])
def test_one_unit_for_two_bounds(text: str, want: list) -> None:
    assert limits(text) == want


def test_hdl_in_females_and_males() -> None:
    got = [(c["comparator"], c["value"], c["unit"], c["applies_if"]) for c in parse_text(
        "HDL <50 in females, <40 mg/dL in males", "exclusion") if c["type"] == "numeric"]
    assert got == [("<", 50, "mg/dL", "female"), ("<", 40, "mg/dL", "male")]


def test_scale_sets() -> None:
    # "ASA status 1,2" (LCT NCT03868917), "ASA physiological status I-III" (LCT NCT03921567)
    assert limits("ASA status 1,2") == [("asa_class", "between", 1, None)]
    assert limits("ASA physiological status I-III") == [("asa_class", "between", 1, None)]


def test_one_calendar_for_windows_and_the_matcher() -> None:
    from trialkg.criteria.units import calendar_ratio, iso_duration, window_days
    from trialkg.match import duration_days

    assert duration_days(iso_duration(3, "mo")) == window_days(3, "mo") == 90
    assert duration_days("P1Y") == window_days(1, "a") == 365
    assert calendar_ratio("a", "d") == 365


def test_a_range_with_a_strict_upper_bound() -> None:
    # "aged 18 to < 65 years", "paediatric patients aged 1 year to < 18 years" (Facebook
    # Clinical-Trial-Parser test split)
    assert limits("aged 18 to < 65 years ( at screening )") == [("age", ">=", 18, "a"), ("age", "<", 65, "a")]
    assert limits("paediatric patients aged 1 year to < 18 years at the time") == [
        ("age", ">=", 1, "a"), ("age", "<", 18, "a")]


def test_a_variable_named_after_an_age_word_is_no_age() -> None:
    # "Adult participants:BMI ≥ 18.0" (LCT NCT03929263)
    assert limits("Adult participants:BMI ≥ 18.0") == [("bmi", ">=", 18, None)]
    assert limits("adults aged 18-65 with BMI > 30") == [("age", "between", 18, "a"), ("bmi", ">", 30, None)]


@pytest.mark.parametrize(("text", "want"), [
    ("Anxiety Sensitivity Index (ASI-3) total score > 29", ("asi_3", ">", 29, None)),  # LCT NCT03925987
    ("Rapid shallow breathing index (RSBI) < 105", ("rsbi", "<", 105, None)),          # LCT NCT03929328
    ("gingival index (GI) score> 1", ("gi", ">", 1, None)),                              # LCT NCT03923218
])
def test_a_score_named_by_its_acronym(text: str, want: tuple) -> None:
    assert limits(text) == [want]


def test_counts_and_versions_are_no_variables() -> None:
    # LCT NCT03869554, NCT03862703
    assert limits("Patients whose clinical presentation meets at least one of the following criteria:") == []
    assert limits("have access to a smartphone with iOS (version 10 or higher)") == []


def test_weight_in_pounds() -> None:
    # "Weigh less than 250 pounds" (LCT NCT03924622)
    assert canonical("Weigh less than 250 pounds") == [("weight", "<", 113.398, "kg")]


def test_a_set_on_a_half_point_scale() -> None:
    # "CDR 0.5 or 1": the Clinical Dementia Rating has the values 0, 0.5, 1, 2, 3
    assert limits("Clinical Dementia Rating (CDR) global score of 0.5 or 1") == [("cdr", "between", 0.5, None)]
    assert variables.get("cdr").scale == (0, 0.5, 1, 2, 3)


def test_cr_clearance_is_creatinine_clearance() -> None:
    # "Creatinine ≤ 1.5 mg/dL (or Cr clearance ≥ 60 ml/min)" (NCT03277924), "Serum Cr ≤ 1×ULN,
    # Cr clearance ≥ 50 mL/min" (NCT02691871)
    assert limits("Creatinine ≤ 1.5 mg/dL (or Cr clearance ≥ 60 ml/min)") == [
        ("creatinine", "<=", 1.5, "mg/dL"), ("creatinine_clearance", ">=", 60, "mL/min")]
    assert limits("Serum Cr ≤ 1×ULN, Cr clearance ≥ 50 mL/min") == [
        ("creatinine", "<=", 1, "ULN"), ("creatinine_clearance", ">=", 50, "mL/min")]


def test_a_negative_threshold() -> None:
    # "Maximum inspiratory pressure (MIP) < -20 cm H2O" (LCT NCT03929328 writes "cm H20"),
    # a DEXA T-score "≤ -2.5" (Facebook test split)
    assert limits("Maximum inspiratory pressure (MIP) < -20 cm H2O") == [("mip", "<", -20, "cm[H2O]")]
    assert limits("DEXA T-score ≤ -2.5")[0][1:3] == ("<=", -2.5)
    assert limits("age 18 - 65") == [("age", "between", 18, "a")]


def test_implausible_thresholds_in_real_records(ctgov_corpus: Path) -> None:
    # NCT01339988 "CBC: ANC ≥ 1000ml and unsupported platelet count of ≥ 50,000/ml" (a volume and
    # a count per mL where per µL is meant); NCT02774187 "Total bilirubin ≤ 30mmol/L" (µmol/L meant)
    for name, variables_refused in (("NCT01339988.xml", {"neutrophils", "platelets"}),
                                    ("NCT02774187.xml", {"bilirubin"})):
        rec = record(ctgov_corpus, name)
        refused = {c["variable"] for crit in rec.eligibility.criteria for c in crit["constraints"]
                   if c.get("reason") == "implausible"}
        assert variables_refused <= refused, name
        used = [c for crit in rec.eligibility.criteria for c in crit["constraints"] if c["type"] == "numeric"
                and c["variable"] in variables_refused and c.get("relative_to") is None]
        assert not used, name  # no absolute threshold on them is left to decide
        warned = [w.message for w in rec.warnings if w.code == "criteria-implausible"]
        assert warned and all(rec.id in w for w in warned)


@pytest.mark.parametrize("text,expected", [
    # "no greater than" is an upper bound, as "not greater than" is (NCT00023673)
    ("Creatinine no greater than 2.0 mg/dL", ("creatinine", "<=", 2, "mg/dL")),
    ("Bilirubin no higher than 1.5 x ULN", ("bilirubin", "<=", 1.5, "ULN")),
    # "no lower than" / "no fewer than" are lower bounds, as "no less than" is
    ("Platelets no lower than 100,000/mm3", ("platelets", ">=", 100000, "/mm3")),
])
def test_no_comparative_than_is_a_bound(text: str, expected: tuple) -> None:
    assert limits(text) == [expected]


# ------------------------------------------------------------------ a variable named after its value


@pytest.mark.parametrize(("text", "expected"), [
    # LCT NCT03863249, NCT03922256, NCT03863509: a value with its unit, then what it measures
    ("Presence of at least 4 sites with at least 6 mm probing depth.", ("probing_depth", ">=", 6, "mm")),
    ("Unilateral fracture of distal radius without misalignment (dorsal angulation <10°, axial radial "
     "shortening <5mm), <2mm intraarticular stepoff;", ("intraarticular_stepoff", "<", 2, "mm")),
    (">/= 5 ppm carbon monoxide (CO)", ("carbon_monoxide", ">=", 5, "[ppm]")),
    # LCT NCT03926403, NCT03920384: a score read on a named instrument
    ("Patient with a score of ≥ 46 on the initial anxiety self-assessment questionnaire",
     ("initial_anxiety_self_assessment_questionnaire", ">=", 46, None)),
    ("Are experiencing delusions (A score of ≥3 on PANSS item P1, P5 or P6)", ("panss_item_p1", ">=", 3, None)),
])
def test_a_variable_named_right_after_the_value(text: str, expected: tuple) -> None:
    assert expected in limits(text)


@pytest.mark.parametrize(("text", "expected"), [
    # a name before the value decides; "predicted" qualifies the unit
    ("FEV1 < 80% predicted", [("fev1", "<", 80, "%")]),
    # a bound after "or" continues the variable before it
    ("Serum potassium ≤ 3.0 or ≥ 5.5 mmol/L", [("potassium", "<=", 3, "mmol/L"), ("potassium", ">=", 5.5, "mmol/L")]),
])
def test_the_words_after_a_value_do_not_override_a_name_before_it(text: str, expected: list) -> None:
    assert limits(text) == expected


def test_counts_and_durations_name_no_variable_after_them() -> None:
    # "at least 2 lesions", "3 months post-amputation": a count and a time, no measure
    assert limits("At least 2 lesions") == []
    assert limits("At least 3 months post-amputation per physician discretion") == []


def test_an_amputation_without_a_performance_score_is_no_performance_exception() -> None:
    # LCT NCT03927404 "4.At least 3 months post-amputation per physician discretion"
    assert [c for c in parse_text("4.At least 3 months post-amputation per physician discretion")
            if c["type"] == "performance_status"] == []
    ps = [c for c in parse_text("ECOG 0-1 (amputees 0-2)") if c["type"] == "performance_status"]
    assert [c.get("applies_if") for c in ps] == [None, "amputee"]


@pytest.mark.parametrize(("text", "expected"), [
    # LCT NCT03863249, NCT03923218, NCT03927937: tobacco use counted by the noun after the value
    ("No smokers or smokers of less than 10 cigarettes a day.", ("cigarettes_per_day", "<", 10, None)),
    ("patients smoked more than 10 cigarettes in a day", ("cigarettes_per_day", ">", 10, None)),
    ("Smokers (Less than 20 cigars/day)", ("cigarettes_per_day", "<", 20, None)),
    # LCT NCT03862001 "smoked at least 30 pack-years in lifetime"; "smoking history >15 pack years"
    ("smoked at least 30 pack-years in lifetime", ("pack_years", ">=", 30, None)),
    ("current smokers and/or smoking history >15 pack years", ("pack_years", ">", 15, None)),
])
def test_a_counted_noun_after_the_value_names_the_variable(text: str, expected: tuple) -> None:
    assert limits(text) == [expected]


def test_a_duration_of_smoking_is_no_count() -> None:
    assert limits("Current smokers for > 1 year") == []


@pytest.mark.parametrize(("text", "expected"), [
    # a bound after its value ("or more") takes every unit the unit grammar reads, powers of ten too
    ("ANC 1.5 x 10^9/L or more", ("neutrophils", ">=", 1.5, "10*9/L")),
    ("ANC 1.5×10E+9/L or more", ("neutrophils", ">=", 1.5, "10*9/L")),
    ("platelets 100 × 10⁹/L or more", ("platelets", ">=", 100, "10*9/L")),
    ("neutrophils 1.5 x 109/L or greater", ("neutrophils", ">=", 1.5, "10*9/L")),
])
def test_or_more_after_a_power_of_ten_unit(text: str, expected: tuple) -> None:
    assert limits(text) == [expected]


def test_or_more_does_not_reach_across_another_number() -> None:
    assert limits("Hb 9 g/dL or above") == [("hemoglobin", ">=", 9, "g/dL")]
    assert [c for c in parse_text("5 mg and 10 or more") if c["type"] == "numeric"] == []


def test_imperial_lengths_spelt_out_are_units() -> None:
    # LCT NCT03927404 "5.Residual limb length greater than 6.5 inches in length"
    assert limits("5.Residual limb length greater than 6.5 inches in length") == [
        ("residual_limb_length", ">", 6.5, "[in_i]")]
    assert canonical("Height >= 60 inches") == [("height", ">=", 60, "[in_i]")]
    # "in" alone is a preposition
    assert limits("Lesion > 3 cm in diameter") == [("lesion", ">", 3, "cm")]


@pytest.mark.parametrize(("text", "expected"), [
    # a possessive unit before the name it measures (LCT NCT03925129)
    ("Patients seeking medication abortion with a definite, singleton, intrauterine pregnancy (IUP) "
     "< 70 days' gestation on ultrasound", [("gestational_age", "<", 70, "d")]),
    ("Term neonates (≥37 weeks’ gestation)", [("gestational_age", ">=", 37, "wk")]),
])
def test_a_possessive_unit_before_gestation(text: str, expected: list) -> None:
    assert limits(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # a lower bound and a written upper bound (LCT NCT03869606; paediatric age bands)
    ("Patients 11 to no older than 17 years of age", [("age", ">=", 11, "a"), ("age", "<=", 17, "a")]),
    ("Children aged 6 to less than 18 years", [("age", ">=", 6, "a"), ("age", "<", 18, "a")]),
    ("aged 18 to < 65 years", [("age", ">=", 18, "a"), ("age", "<", 65, "a")]),
])
def test_a_range_to_a_written_upper_bound(text: str, expected: list) -> None:
    assert limits(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # clinical scores by expansion or acronym, one name each (variable table)
    ("3. Unconsciousness upon admission, i.e. a GCS < 9", ("gcs", "<", 9, None)),  # LCT NCT03863015
    ("History of symptomatic cerebral infarct with functional deficit (pre-stroke modified Rankin Scale "
     "score ≥1)", ("mrs", ">=", 1, None)),                                          # LCT NCT03923439
    ("-  MELD-Na ≥15", ("meld_na", ">=", 15, None)),                                # LCT NCT03863730
    ("-  Bishop score of 5 or less", ("bishop_score", "<=", 5, None)),              # LCT NCT03925922
    ("-  IOP > 21 mmHg at Screening or Baseline/Day 1 Visits", ("iop", ">", 21, "mmHg")),  # LCT NCT03926026
    ("-  IOP > 20mm in either eye", ("iop", ">", 20, "mm")),                        # LCT NCT03926975
    ("Trombocytes <40 × 109/L", ("platelets", "<", 40, "10*9/L")),                  # LCT NCT03864744
    ("Pre-stroke modified Rankin Scale (mRS) score ≤ 1", ("mrs", "<=", 1, None)),
    ("Apgar score at 5 minutes < 7", ("apgar", "<", 7, None)),
    ("Hamilton Depression Rating Scale (HAMD-17) total score ≥ 20", ("hamd", ">=", 20, None)),
    ("Coronary artery calcium score > 400", ("cac_score", ">", 400, None)),
    ("Urine albumin-to-creatinine ratio ≥ 30 mg/g", ("uacr", ">=", 30, "mg/g")),
    ("Serum 25(OH)D < 20 ng/mL", ("vitamin_d", "<", 20, "ng/mL")),
    ("Aspartate aminotransferase (ASAT) < 3 x ULN", ("ast", "<", 3, "ULN")),
])
def test_clinical_scores_and_measures_have_one_name(text: str, expected: tuple) -> None:
    assert limits(text) == [expected]


def test_a_set_of_values_on_a_scale_is_a_range() -> None:
    assert limits("Child-Pugh score of 5 or 6") == [("child_pugh", "between", 5, None)]
    assert limits("pre-stroke mRS score of 0 or 1") == [("mrs", "between", 0, None)]


def test_a_score_outside_its_scale_is_not_used() -> None:
    (c,) = [c for c in parse_text("GCS ≥ 25") if c.get("variable") == "gcs"]
    assert c["type"] == "unparsed" and c["reason"] == "implausible"


@pytest.mark.parametrize(("text", "expected"), [
    # units of open-variable thresholds (criteria/units.py)
    ("Tricuspid insufficiency> 3.4 m / s", ("tricuspid_insufficiency", ">", 3.4, "m/s")),  # LCT NCT03926910
    ("Erythrocyte sedimentation rate (ESR) > 30 mm/h", ("esr", ">", 30, "mm/h")),
    ("Apnea-hypopnea index (AHI) ≥ 15 events/hour", ("ahi", ">=", 15, "/h")),
    ("Serum osmolality > 320 mOsm/kg", ("serum_osmolality", ">", 320, "mosm/kg")),
    ("Central corneal thickness < 480 µm", ("central_corneal_thickness", "<", 480, "um")),
    ("TSH > 10 mIU/L", ("tsh", ">", 10, "m[IU]/L")),
    ("FEV1 ≥ 1.5 L", ("fev1", ">=", 1.5, "L")),
])
def test_units_of_open_variable_thresholds(text: str, expected: tuple) -> None:
    assert limits(text) == [expected]


@pytest.mark.parametrize(("text", "expected"), [
    # an acronym that spells a longer name holding a known variable's word names the measure
    ("-  Tricuspid annular plane systolic excursion (TAPSE) <16 mm", ("tapse", "<", 16, "mm")),  # LCT NCT03926910
    ("Six-minute walk distance (6MWD) < 450 m", ("six_minute_walk", "<", 450, "m")),
    ("Fractional exhaled nitric oxide (FeNO) ≥ 25 ppb", ("feno", ">=", 25, "[ppb]")),
    # the known variable stays where the parenthesis is its own acronym or a method
    ("Absolute neutrophil count (ANC) ≥ 1500/µL", ("neutrophils", ">=", 1500, "/uL")),
    ("Creatinine clearance (Cockcroft-Gault) ≥ 60 ml/min", ("creatinine_clearance", ">=", 60, "mL/min")),
])
def test_an_acronym_of_a_longer_name(text: str, expected: tuple) -> None:
    assert limits(text) == [expected]


@pytest.mark.parametrize(("text", "expected"), [
    # a rate per minute after a slash ("Heart rate < 60/min"), as "bpm" and "breaths/min" are
    ("Heart rate < 60/min", ("heart_rate", "<", 60, "/min")),
    ("Respiratory rate ≥ 30 breaths/min", ("respiratory_rate", ">=", 30, "/min")),
    # a scale in a unit of its own table row: a VAS in mm is a pain score, "ASA 100 mg" no class
    ("VAS > 30 mm", ("pain_score", ">", 30, "mm")),
    ("ASA classification I or II", ("asa_class", "between", 1, None)),
])
def test_rates_and_scales_in_their_units(text: str, expected: tuple) -> None:
    assert limits(text) == [expected]


@pytest.mark.parametrize(("text", "expected"), [
    # a multiple of "normal" or of a bare "upper limit" is a multiple of the ULN
    ("AST or ALT > 3 times upper limit", [("ast", ">", 3, "ULN"), ("alt", ">", 3, "ULN")]),
    ("ALT and AST > 3 times normal values", [("alt", ">", 3, "ULN"), ("ast", ">", 3, "ULN")]),
    ("ALT more than twice the upper limit of normal", [("alt", ">", 2, "ULN")]),
    # inclusive written operators
    ("Hemoglobin at or above 11 g/dL", [("hemoglobin", ">=", 11, "g/dL")]),
    ("BMI at or below 35 kg/m2", [("bmi", "<=", 35, "kg/m2")]),
])
def test_multiples_of_normal_and_inclusive_words(text: str, expected: list) -> None:
    assert limits(text) == expected


@pytest.mark.parametrize("text", [
    # years of a duration named a few words before the bound are no age
    "Duration of diabetes > 5 years", "Diabetes duration of at least 1 year", "Education of at least 8 years",
])
def test_years_of_a_named_duration_are_no_age(text: str) -> None:
    assert [c for c in limits(text) if c[0] == "age"] == []


@pytest.mark.parametrize(("text", "expected"), [
    # completed weeks and days of a gestation (the Facebook test split's "born between N / N and
    # N / N weeks gestational age"; the European "32+6 weeks")
    ("Infants born at 24 0/7 to 31 6/7 weeks gestation", [("gestational_age", "between", 24, "wk")]),
    ("Gestational age ≤ 32+6 weeks", [("gestational_age", "<=", 32.857, "wk")]),
    ("Aged 18+ years", [("age", ">=", 18, "a")]),
])
def test_weeks_and_days_of_a_gestation(text: str, expected: list) -> None:
    assert limits(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # an angle is a unit (LCT NCT03922256 "dorsal angulation <10°", LCT NCT03861923 "abducted
    # from 45 degrees to 90 degrees"); a bare degree of a temperature is Celsius
    ("dorsal angulation <10°", [("dorsal_angulation", "<", 10, "deg")]),
    ("Range of motion less than 90 degrees", [("range_of_motion", "<", 90, "deg")]),
    ("Temperature > 38°", [("body_temperature", ">", 38, "Cel")]),
    ("Oral temperature > 38 degrees Celsius (C) or < 36 degrees C",  # LCT NCT03929159
     [("body_temperature", ">", 38, "Cel"), ("body_temperature", "<", 36, "Cel")]),
    # a scale named after the value without an article ("≥ 4 on NRS")
    ("At least moderate pain (≥ 4 on NRS)", [("pain_score", ">=", 4, None)]),
])
def test_angles_and_scales_after_the_value(text: str, expected: list) -> None:
    assert limits(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # areas, cell volumes, chart letters, distances, steps and drinks per period are units, so
    # the words before them name an open variable (LCT NCT03867890 "walk or run at least 10
    # kilometres per week")
    ("walk or run at least 10 kilometres per week", ("walk_or_run", ">=", 10, "km")),
    ("Ulcer area ≥ 1 cm2", ("ulcer_area", ">=", 1, "cm2")),
    ("MCV > 100 fL", ("mcv", ">", 100, "fL")),
    ("BCVA ≥ 70 letters", ("bcva", ">=", 70, "{letters}")),
    ("Alcohol intake > 21 drinks per week", ("alcohol_intake", ">", 21, "{drinks}/wk")),
])
def test_counted_and_area_units(text: str, expected: tuple) -> None:
    assert limits(text) == [expected]


def test_a_set_of_values_of_an_open_score_is_a_range() -> None:
    # LCT NCT03865680; a known scale's set is read the same way ("Child-Pugh score of 5 or 6")
    got = limits("High caries risk children with the presence of at least one visible active WSL in primary "
                 "teeth with ICDAS II score of 1,2 or 3")
    assert [(v[1], v[2]) for v in got] == [("between", 1)] and "icdas_ii" in got[0][0]
    assert limits("IGA score of 3 or 4") == [("iga_score", "between", 3, None)]
    assert limits("Pain score of 4 or more") == [("pain_score", ">=", 4, None)]


def test_units_per_body_surface_and_cigarettes_abbreviated() -> None:
    # LCT NCT03860350, LCT NCT03863509
    assert limits("LVMi ≥109 g/m² in women and ≥132 g/m² in men") == [
        ("lvmi", ">=", 109, "g/m2"), ("lvmi", ">=", 132, "g/m2")]
    assert limits(">/= 5 cigs/day for last 6 months") == [("cigarettes_per_day", ">=", 5, None)]


@pytest.mark.parametrize(("text", "expected"), [
    # a ratio written with a colon or a slash is one open name (LCT NCT03929328)
    ("PaO2:FIO2 >150 with FIO2 ≤0.4, PEEP <8 cm H2O",
     [("pao2_fio2", ">", 150, None), ("fio2", "<=", 0.4, None), ("peep", "<", 8, "cm[H2O]")]),
    ("PaO2/FiO2 ratio < 300 mmHg", [("pao2_fio2_ratio", "<", 300, "mmHg")]),
    # a unit on both values of a range; a clause's verb ends the name (LCT NCT03861923)
    ("Glenohumeral passive range of motion decreases as the humerus is abducted from 45 degrees to 90 degrees",
     [("abducted", "between", 45, "deg")]),
])
def test_ratios_and_ranges_of_open_variables(text: str, expected: list) -> None:
    assert limits(text) == expected


def test_a_bound_with_a_unit_of_its_own_after_or_names_what_follows() -> None:
    # the SIRS criteria (LCT NCT03929159); a bound sharing the unit continues the variable
    assert limits("Leukocytes > 12,000/mm^3 or < 4,000/mm^3 or > 10% immature (band) forms, provided that no "
                  "filgrastim") == [("wbc", ">", 12000, "/mm3"), ("wbc", "<", 4000, "/mm3"), ("immature", ">", 10, "%")]
    assert limits("potassium ≤ 3 or ≥ 5 meq/l") == [("potassium", "<=", 3, "meq/L"), ("potassium", ">=", 5, "meq/L")]


@pytest.mark.parametrize(("text", "expected"), [
    # a value before its operator and the variable (chained inequalities)
    ("18 ≤ age ≤ 75 years old", [("age", ">=", 18, "a"), ("age", "<=", 75, "a")]),
    # the inclusive "through" of a range
    ("Age 12 through 17 years", [("age", "between", 12, "a")]),
    # an age in days or weeks where it is written as an age
    ("Neonates < 28 days of age", [("age", "<", 28, "d")]),
    ("Infants aged 7 to 28 days", [("age", "between", 7, "d")]),
])
def test_chained_inequalities_through_and_ages_in_days(text: str, expected: list) -> None:
    assert limits(text) == expected


def test_a_day_count_is_no_age_without_an_age_word() -> None:
    assert [c for c in limits("gestational age at feto procedure 2 weeks 3 days to 4 weeks 5 days")
            if c[0] == "age"] == []


@pytest.mark.parametrize("text, expected", [
    # LCT NCT03926455
    ("Healthy adult men or women who are not pregnant or planning to become pregnant during study duration"
     " aged 18 to 55 years.", [("age", "between", 18, "a")]),
    # Clinical-Trial-Parser test split
    ("children treated for other types of leukemia (if treated intensively) aged 1 - 21 years",
     [("age", "between", 1, "a")]),
])
def test_aged_before_the_bound_is_an_age_after_a_window_word(text: str, expected: list) -> None:
    assert limits(text) == expected


@pytest.mark.parametrize("text, expected", [
    # LCT NCT03924908
    ("Burn surface area > or = 5% of the total body surface area", [("burn_surface_area", ">=", 5, "%")]),
    # LCT NCT03923218
    ("Bone loss affecting >30% of the existing teeth", [("bone_loss_affecting", ">", 30, "%")]),
])
def test_a_percentage_of_something_is_a_share_not_a_count(text: str, expected: list) -> None:
    assert limits(text) == expected


def test_a_count_of_list_members_stays_no_measure() -> None:
    # LCT NCT03869554
    assert limits("at least one of the following criteria") == []


@pytest.mark.parametrize("text, expected", [
    # LCT NCT03863197
    ("GMFCS levels I-III (GMFCS = Gross Motor Function Classification Score, expressing the overall functional"
     " level of impairment)", [("gmfcs", "between", 1, None)]),
    # LCT NCT03862625
    ("the participant is Gross Motor Function Classification System Level 4 or 5", [("gmfcs", "between", 4, None)]),
    # Clinical-Trial-Parser test split (lower case)
    ("cp with gross motor function classification score ( gmfcs ) of 4 - 5", [("gmfcs", "between", 4, None)]),
])
def test_gross_motor_function_levels_are_one_scale(text: str, expected: list) -> None:
    assert limits(text) == expected
    assert variables.get("gmfcs").scale == (1.0, 2.0, 3.0, 4.0, 5.0)


@pytest.mark.parametrize("text, expected", [
    # LCT NCT03927729
    ("Consciousness disorder with Glasgow score <15", [("glasgow_score", "<", 15, None)]),
    # Clinical-Trial-Parser test split
    ("women with coronary stenosis ≥ 50 % in any epicardial coronary artery", [("coronary_stenosis", ">=", 50, "%")]),
    # LCT NCT03926299
    ("Clinical LS score ≥ 4", [("clinical_ls_score", ">=", 4, None)]),
    # LCT NCT03920553
    ("full mouth plaque score <15%", [("full_mouth_plaque_score", "<", 15, "%")]),
])
def test_an_open_name_is_what_a_condition_is_with_and_keeps_its_score(text: str, expected: list) -> None:
    assert limits(text) == expected


@pytest.mark.parametrize("text, expected", [
    # LCT NCT03862625
    ("If the curvature measured in the spine is less than 10 degrees or more than 40 degrees in the patients",
     [("curvature", "<", 10, "deg"), ("curvature", ">", 40, "deg")]),
    # NCT02679963: no name of a baseline
    ("lesion that can be accurately measured at baseline as ≥ 10mm in the longest diameter", []),
])
def test_a_participle_after_a_name_qualifies_it(text: str, expected: list) -> None:
    assert limits(text) == expected


@pytest.mark.parametrize("text, expected", [
    # Clinical-Trial-Parser test split (lower case, spaced brackets)
    ("life expectancy of greater than or equal to ( ≥ ) 12 weeks", [("life_expectancy", ">=", 12, "wk")]),
    ("hba1c of greater than or equal to ( ≥ ) 7 percent ( % ) to less than or equal to ( ≤ ) 10 %",
     [("hba1c", ">=", 7, "%"), ("hba1c", "<=", 10, "%")]),
    ("congestive heart failure ( chf ) of new york heart association ( nyha ) class ≥ 2", [("nyha", ">=", 2, None)]),
    ("new york heart association ( nyha ) stage iii or iv congestive heart failure", [("nyha", "between", 3, None)]),
    ("american society of anesthesiologists ( asa ) physical status classification 1 or 2",
     [("asa_class", "between", 1, None)]),
])
def test_spaced_brackets_around_an_operator_or_an_acronym(text: str, expected: list) -> None:
    got = [(c["variable"], c["comparator"], c["value"], c.get("relative_to") or c.get("unit"))
           for c in parse_text(text) if c.get("variable")]
    assert got == expected


@pytest.mark.parametrize("text, expected", [
    # Clinical-Trial-Parser test split (lower case)
    ("knee flexion range of motion ( rom ) < 90", [("flexion_range_of_motion", "<", 90, None)]),
    ("an ankle brachial index ( abi ) < 0.9 at the baseline study visit", [("ankle_brachial_index", "<", 0.9, None)]),
    # LCT NCT03868488, LCT NCT03866564
    ("The scores of the Young-Internet Addiction Test(Y-IAT) ≥ 50", [("y_iat", ">=", 50, None)]),
    ("have a Telephone-Montreal Cognitive Assessment (T-MoCA) score of >20.", [("t_moca", ">", 20, None)]),
    # a bound in brackets after its name: LCT NCT03866564, Clinical-Trial-Parser test split
    ("Low T-MoCA score (<20) and absence of an available legal guardian", [("low_t_moca_score", "<", 20, None)]),
    ("history of hypercholesterolemia ( > 240 mg / dl ) or hypertriglyceridemia ( > 500 mg / dl )",
     [("hypercholesterolemia", ">", 240, "mg/dL"), ("hypertriglyceridemia", ">", 500, "mg/dL")]),
    # LCT NCT03869307: a count in brackets names nothing
    ("minimum two atraumatic dislocations in two different joints (minimum one in the shoulder) occurring", []),
])
def test_open_names_around_brackets(text: str, expected: list) -> None:
    assert limits(text) == expected


@pytest.mark.parametrize("text, expected", [
    # Clinical-Trial-Parser test split (neonatal trials)
    ("birth weight less than 1.5 kg", [("birth_weight", "<", 1.5, "kg")]),
    ("birth weight ≥ 1000 grams", [("birth_weight", ">=", 1000, "g")]),
    ("Infants with birth weight < 1500 g", [("birth_weight", "<", 1500, "g")]),
])
def test_birth_weight_is_no_body_weight_and_grams_are_spelt_out(text: str, expected: list) -> None:
    assert limits(text) == expected
    assert canonical(text)[0][2:] == (1500 if "1.5" in text or "1500" in text else 1000, "g")
    assert limits("weight ≥ 10 kg") == [("weight", ">=", 10, "kg")]


def test_regardless_names_no_measure() -> None:
    # NCT04126811
    assert limits("radiation therapy is planned during the study (regardless of <5% of the bone marrow area);") == []


@pytest.mark.parametrize("text, expected", [
    # LCT NCT03866863, LCT NCT03866876
    ("All birth more than 24 + 0 weeks of amenorrhea at the maternity ward", [("gestational_age", ">", 24, "wk")]),
    ("All birth more than 37 weeks of amenorrhea at the maternity ward", [("gestational_age", ">", 37, "wk")]),
    ("post-menopausal women with 12 months of amenorrhea", []),
])
def test_weeks_of_amenorrhea_are_a_gestational_age(text: str, expected: list) -> None:
    assert limits(text) == expected


@pytest.mark.parametrize("text, expected", [
    # LCT NCT03861494, LCT NCT03868761
    ("prognosis for survival greater than 6 months", [("life_expectancy", ">", 6, "mo")]),
    ("Serious self-reported physical health concerns necessitating surgery or with prognosis <6 months",
     [("life_expectancy", "<", 6, "mo")]),
])
def test_a_prognosis_in_time_is_a_life_expectancy(text: str, expected: list) -> None:
    got = [(c["variable"], c["comparator"], c["value"], c["unit"]) for c in parse_text(text)
           if c["type"] == "life_expectancy"]
    assert got == expected


@pytest.mark.parametrize("text, expected", [
    # Clinical-Trial-Parser test split
    ("kps or lansky score > or = to 70", [("lansky", ">=", 70), ("karnofsky", ">=", 70)]),
    ("lansky or karnofsky performance status score must be > 50 %", [("karnofsky", ">", 50), ("lansky", ">", 50)]),
    ("ECOG 0-1 or KPS >= 70", [("ecog", "between", 0), ("karnofsky", ">=", 70)]),
])
def test_two_performance_scales_joined_before_one_bound_share_it(text: str, expected: list) -> None:
    got = [(c["variable"], c["comparator"], c["value"]) for c in parse_text(text) if c["type"] == "performance_status"]
    assert got == expected
