"""Parser errors the patient matcher reported on real ClinicalTrials.gov records.

Each text is an eligibility item of a ClinicalTrials.gov record (tests/data/ctgov_corpus/,
record named beside it), as written there.
"""

from __future__ import annotations

from trialkg.criteria.parse import parse_text


def limits(text: str, section: str = "exclusion") -> list[tuple]:
    return [(c["variable"], c["comparator"], c["value"], c.get("relative_to") or c.get("unit"), c.get("applies_if"))
            for c in parse_text(text, section) if c["type"] in ("numeric", "age")]


def test_a_pressure_named_after_its_value_binds_to_that_name() -> None:
    # NCT02243605: "systolic" after 150 is used up; 90 belongs to "diastolic" after it
    text = ("Concurrent uncontrolled hypertension defined as sustained blood pressure (BP) > 150 mm Hg "
            "systolic, or > 90 mm Hg diastolic despite optimal antihypertensive treatment within 7 days "
            "of the first dose of study treatment")
    assert limits(text) == [("blood_pressure_systolic", ">", 150, "mmHg", None),
                            ("blood_pressure_diastolic", ">", 90, "mmHg", None)]
    spans = [c["span"] for c in parse_text(text, "exclusion") if c["type"] == "numeric"]
    assert spans == ["> 150 mm Hg systolic", "> 90 mm Hg diastolic"]


def test_a_pressure_named_before_its_value_still_binds() -> None:
    # NCT02589821
    text = ("Under anti-hypertension treatment, still uncontrolled hypertension, defined as: systolic blood "
            "pressure >140 mmHg or diastolic blood pressure >90 mmHg;")
    assert limits(text) == [("blood_pressure_systolic", ">", 140, "mmHg", None),
                            ("blood_pressure_diastolic", ">", 90, "mmHg", None)]


def test_direct_bilirubin_is_not_total_bilirubin() -> None:
    assert [v for v, *_ in limits("Direct bilirubin ≤ 1.5 x ULN", "inclusion")] == ["direct_bilirubin"]


def test_a_value_without_a_unit_gets_no_unit() -> None:
    for text in ("hemoglobin >= 90", "Hb ≥ 9.0"):
        (c,) = [c for c in parse_text(text, "inclusion") if c["type"] == "numeric"]
        assert (c["variable"], c["unit"], c["canonical_value"], c["canonical_unit"]) == ("hemoglobin", None, None, None)


def _prior(text: str, section: str = "exclusion") -> list[dict]:
    return [c for c in parse_text(text, section) if c["type"] == "prior_therapy"]


def test_eligibility_for_a_therapy_is_no_prior_therapy() -> None:
    # NCT01207388
    assert _prior("Eligibility for treatment with tyrosine-kinase inhibitors (TKI)") == []
    # a prior-therapy cue elsewhere in the item still counts
    (c,) = _prior("Prior treatment with a tyrosine-kinase inhibitor (TKI)")
    assert "tyrosine-kinase-inhibitor" in c["drug_classes"]


def test_a_threshold_in_a_leading_if_clause_is_no_limit() -> None:
    # NCT02465060: only the required mean QTc is a limit, not the retest trigger
    text = ("NOTE: If the first recorded QTc exceeds 480 msec, two additional, consecutive ECGs are required "
            "and must result in a mean resting QTc =< 480 msec; it is recommended that there are 10-minute "
            "(+/- 5 minutes) breaks between the ECGs")
    assert limits(text, "inclusion") == [("qtc", "<=", 480, "ms", None)]


def _states(text: str, section: str = "exclusion") -> list[str]:
    return [c["state"] for c in parse_text(text, section) if c["type"] == "disease_state"]


def test_hepatitis_b_or_c_names_both() -> None:
    # NCT00473486, NCT00466232
    assert _states("Known HIV infection or chronic hepatitis B or C") == ["hiv_infection", "hepatitis_b", "hepatitis_c"]
    assert "hepatitis_c" in _states("Known human immunodeficiency virus (HIV) or chronic hepatitis B or C infection.")


def test_a_primary_brain_tumour_is_no_cns_metastasis() -> None:
    # shared ctgov records
    assert "cns_metastases" not in _states("The subject has a primary brain tumor")
    assert _states("Patients with brain metastases or primary brain tumors must have completed treatment") \
        .count("cns_metastases") == 1
