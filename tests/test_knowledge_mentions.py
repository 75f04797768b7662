"""Drug and drug-class mentions in real criteria phrasing."""

from __future__ import annotations

import pytest

from trialkg.knowledge.lexicon import Lexicon
from trialkg.knowledge.mentions import find_class_mentions, find_drug_mentions


def classes(text: str) -> set[str]:
    return {m.drug_class for m in find_class_mentions(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("previously treated with VEGFR TKIs for more than 8 weeks", {"vegfr-tki"}),
        ("prior anti-angiogenic drugs", {"anti-angiogenic"}),
        ("treated with anlotinib or anti-PD-1/PD-L1 antibodies.", {"anti-pd-1-antibody", "anti-pd-l1-antibody"}),
        ("PD-1 inhibitors", {"anti-pd-1-antibody"}),
        ("anti-PD-1 antibodies", {"anti-pd-1-antibody"}),
        ("tyrosine kinase inhibitors (TKIs)", {"tyrosine-kinase-inhibitor"}),
        ("after >= 4 cycles of anthracyclines", {"anthracycline"}),
        ("whose antivascular agents have been effective", {"anti-angiogenic"}),
        ("prior VEGFR-2 inhibitor", {"vegfr-tki"}),
        ("prior bevacizumab-like anti-VEGF antibody", {"anti-vegf-antibody"}),
    ],
)
def test_class_phrases(text: str, expected: set[str]) -> None:
    assert classes(text) == expected


def test_bare_gene_is_not_a_class() -> None:
    assert classes("KDR rs2071559 polymorphism") == set()


def test_exclusions_catch_the_drugs_a_patient_had() -> None:
    lex = Lexicon.default()
    for text, drug in [("VEGFR TKIs", "anlotinib"), ("anti-angiogenic drugs", "anlotinib"),
                       ("anti-PD-1 antibodies", "toripalimab"), ("anthracyclines", "pirarubicin"),
                       ("VEGFR TKIs", "apatinib"), ("anti-angiogenic drugs", "bevacizumab")]:
        (mention,) = find_class_mentions(text)
        assert drug in lex.drugs_in_class(mention.drug_class)
        assert mention.drug_class in lex.drug_classes(drug)
    assert "doxorubicin" not in lex.drugs_in_class("vegfr-tki")


def test_drug_mentions_with_spans() -> None:
    text = "combination of anlotinib and Toripalimab monoclonal antibody; AL-3818 once daily"
    got = [(m.drug, text[m.start:m.end]) for m in find_drug_mentions(text)]
    assert got == [("anlotinib", "anlotinib"), ("toripalimab", "Toripalimab"), ("anlotinib", "AL-3818")]


def test_no_drug_inside_words() -> None:
    assert find_drug_mentions("the sutent-free interval; pharmacodynamics") == [
        m for m in find_drug_mentions("the sutent-free interval; pharmacodynamics") if m.drug == "sunitinib"]
    assert find_drug_mentions("metformingly") == []
