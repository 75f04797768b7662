"""Numbers and drugs named in a clause that is not about the patient's own history: an
age of relatives or of an event, an age word across a clause break, a drug named in a
barrier-contraception, absorption or still-to-come treatment clause. Texts quoted from
real records (tests/data/ctgov_corpus/) and the Facebook Clinical-Trial-Parser test split.
"""

from __future__ import annotations

import pytest

from trialkg.criteria import parse_text


def _types(text: str, section: str = "inclusion") -> list[dict]:
    return parse_text(text, section)


@pytest.mark.parametrize("text", [
    # NCT03599518 exc-13
    "Has any factors that increase the risk of QTc prolongation or risk of arrhythmic events, such as congenital "
    "long QT. syndrome, family history of long QT syndrome or unexplained sudden death under 40 years of age in "
    "first degree relatives",
    # NCT02465060
    "No factors that increase the risk of QTc prolongation or risk of arrhythmic events such as heart failure, "
    "congenital long QT syndrome, family history of long QT syndrome or unexplained sudden death under 40 years "
    "of age or any concomitant medication known to prolong the QT interval",
])
def test_an_age_of_relatives_or_an_event_is_no_age_limit(text: str) -> None:
    assert not [k for k in _types(text, "exclusion") if k["type"] == "age"]


def test_an_age_word_does_not_reach_across_a_clause_break() -> None:
    # NCT01130623: the Lansky score is no age of 50
    text = ("Performance score: Karnofsky greater than or equal to 50% for patients 16 years of age; "
            "Lansky greater than or equal to 50 for patients less than or equal to 16 years")
    ks = _types(text)
    assert not [k for k in ks if k["type"] == "age" and k["value"] == 50]
    assert {k.get("variable") for k in ks} >= {"karnofsky", "lansky"}


def test_patient_ages_are_still_read() -> None:
    for text, value in [("Age 18 years or older; ECOG 0-1", 18), ("Men and women, 18 years of age or older.", 18)]:
        assert [k["value"] for k in _types(text) if k["type"] == "age"] == [value]


@pytest.mark.parametrize("text, context", [
    # NCT02576665 inc-11; Facebook split "men must agree to use a latex condom ... while taking drug"
    ("Male patients willing to use condoms for 12 months after receiving Toca 511", "contraception"),
    ("Men must agree to use a latex condom during sexual contact while taking imatinib", "contraception"),
    # NCT00601510 inc-19; Facebook split "disease that may significantly alter the absorption of everolimus"
    ("No conditions that would interfere with the absorption of capecitabine or imatinib", "absorption"),
    ("Gastrointestinal disease that may significantly alter the absorption of everolimus", "absorption"),
    # NCT02679963 inc-13 and inc-7: the treatment still to come
    ("Adequate renal function for cisplatin administration", "dosing"),
    ("Adequate hematological function before start the platinium based chemotherapy", "dosing"),
])
def test_a_drug_named_in_a_context_clause_is_no_prior_therapy(text: str, context: str) -> None:
    ks = _types(text)
    assert not [k for k in ks if k["type"] == "prior_therapy"], ks
    assert [k.get("context") for k in ks if k["type"] == "drug_mention"] == [context]


def test_prior_therapy_is_still_read() -> None:
    assert [k["type"] for k in _types("No prior treatment with imatinib")] == ["prior_therapy"]
    assert [k["type"] for k in _types("Prior sunitinib is not allowed", "exclusion")] == ["prior_therapy"]
