"""Every performance-status constraint lists its allowed scores (the SHACL shape requires
it): ECOG in steps of 1, Karnofsky in steps of 10. Cut from a generated trial whose
"Karnofsky performance status >= 70%" failed validation."""

from trialkg.criteria import parse_criteria_text


def _ps(text: str) -> list[dict]:
    crits = parse_criteria_text("Inclusion Criteria:\n* " + text)
    return [c for crit in crits for c in crit["constraints"] if c["type"] == "performance_status"]


def test_karnofsky_threshold_lists_allowed_scores() -> None:
    (c,) = _ps("Karnofsky performance status ≥ 70%")
    assert c["variable"] == "karnofsky"
    assert c["allowed_values"] == [70, 80, 90, 100]


def test_karnofsky_range_lists_allowed_scores() -> None:
    (c,) = _ps("KPS 80-100")
    assert c["allowed_values"] == [80, 90, 100]


def test_ecog_with_amputee_exception_unchanged() -> None:
    main, amputee = _ps("ECOG 0-1 (amputees 0-2)")
    assert main["allowed_values"] == [0, 1] and main["applies_if"] is None
    assert amputee["allowed_values"] == [0, 1, 2] and amputee["applies_if"] == "amputee"
