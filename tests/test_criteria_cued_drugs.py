"""A drug the curated free-text scan does not know, named as the object of a
prior-therapy cue, is read in the compiled dictionary ("prior X", "previous treatment
with X", "previous exposure to X", and the list that follows)."""

from __future__ import annotations

import pytest

from trialkg.criteria import parse_criteria_text
from trialkg.knowledge.mentions import find_cued_drug_mentions


def _prior(text: str, section: str = "Exclusion Criteria") -> list[dict]:
    crits = parse_criteria_text(f"{section}:\n- {text}\n")
    return [c for crit in crits for c in crit["constraints"] if c["type"] == "prior_therapy"]


@pytest.mark.parametrize("text,drug", [
    ("Participants with prior treatment with adalimumab.", "adalimumab"),              # NCT03925441
    ("prior treatment with botulinum toxin within one year of enrollment", "botulinum toxin"),  # NCT03928496
    ("Previous exposure to ganaxolone", "ganaxolone"),                                  # NCT03865732
])
def test_the_object_of_a_prior_therapy_cue_is_a_prior_therapy(text: str, drug: str) -> None:
    (k,) = _prior(text)
    assert drug in k["drugs"]


def test_a_permitted_prior_drug_with_its_washout() -> None:
    # NCT00619541: "Previous treatment with Octreotide is however allowed, provided that the
    # administration of the drug was discontinued at least 7 days prior enrolment"
    crits = parse_criteria_text("Exclusion Criteria:\n- Previous treatment with Octreotide is however "
                                "allowed, provided that the administration of the drug was discontinued "
                                "at least 7 days prior enrolment\n")
    assert crits[0]["role"] == "permission"
    assert any("octreotide" in c.get("drugs", []) for c in crits[0]["constraints"])


def test_a_washout_since_a_drug_the_curated_tables_lack() -> None:
    (k,) = _prior("At least 1 year since prior tamoxifen", "Inclusion Criteria")
    assert k["drugs"] == ["tamoxifen"] and k["window_kind"] == "washout" and k["window_days"] == 365


def test_a_list_after_the_cue_names_every_drug() -> None:
    found = [m.drug for m in find_cued_drug_mentions("must not have received prior rituximab or cytarabine")]
    assert found == ["rituximab", "cytarabine"]
    found = [m.drug for m in find_cued_drug_mentions("since prior tamoxifen, letrozole and anastrozole")]
    assert found == ["tamoxifen", "letrozole", "anastrozole"]


@pytest.mark.parametrize("text", [
    "prior tyrosine kinase inhibitor",        # a class phrase, not the amino acid
    "prior platinum-based chemotherapy",      # a class phrase
    "prior hip surgery",                      # 'HIP' is a synonym of a drug in a vocabulary
    "prior TACE",                             # a procedure; also a brand abbreviation
    "prior laser photocoagulation",           # a herbicide's brand name
    "prior chemotherapy or radiotherapy",     # therapies, left to the class and therapy tables
])
def test_everyday_words_and_class_phrases_name_no_drug(text: str) -> None:
    assert find_cued_drug_mentions(text) == []
