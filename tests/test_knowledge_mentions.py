"""Drug and drug-class mentions in real criteria phrasing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trialkg.knowledge.lexicon import Lexicon
from trialkg.knowledge.mentions import find_class_mentions, find_drug_mentions

DATA = Path(__file__).parent / "data"


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


def _reference(corpus: str) -> tuple[re.Pattern[str], list[str], dict]:
    """The plain definition: one alternation of every text-safe form, longest first.
    Forms with an ASCII part (a letter or digit run, as ``_flex`` writes it) that the
    corpus does not contain, case-folded, cannot match it and are left out: the
    alternation gives the same matches, and compiles in a second rather than minutes."""
    from trialkg.knowledge.mentions import _matchers

    m = _matchers(Lexicon.default())
    folded = corpus.casefold()
    kept = [p for p in m.drug_forms if _may_occur(p, folded)]
    pats = sorted(kept, key=len, reverse=True)
    rx = re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(f"(?P<d{i}>{p})" for i, p in enumerate(pats))
                    + r")(?![A-Za-z0-9])", re.IGNORECASE)
    return rx, pats, m.drug_forms


def _may_occur(pattern: str, folded: str) -> bool:
    parts = re.findall(r"[A-Za-z]+|\d+", pattern.replace("\\s", " ").replace("\\-", " "))
    return all(p.casefold() in folded for p in parts if p.isascii())


def _reference_drug_mentions(text: str, ref: tuple[re.Pattern[str], list[str], dict]) -> list[tuple[int, int, str, str]]:
    rx, pats, forms = ref
    out = []
    for match in rx.finditer(text):
        for drug, kind in forms[pats[int(match.lastgroup[1:])]]:
            out.append((match.start(), match.end(), drug, kind))
    return out


def test_indexed_drug_search_agrees_with_the_plain_alternation() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted((DATA / "criteria").glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((DATA / "ctgov").glob("*.xml"))]
    texts.append("AL-3818, al 3818 and AL3818x; (Sutent®) sunitinib-based nab-paclitaxel "
                 "nabpaclitaxel anlotinib hydrochloride İanlotinib")
    ref = _reference("\n".join(texts))
    found = 0
    for text in texts:
        for chunk in text.splitlines():
            got = [(m.start, m.end, m.drug, m.kind) for m in find_drug_mentions(chunk)]
            assert got == _reference_drug_mentions(chunk, ref), chunk[:120]
            found += len(got)
    assert found > 50


def test_salt_form_wins_over_the_generic_it_contains() -> None:
    (m,) = find_drug_mentions("anlotinib hydrochloride capsules")
    assert (m.drug, m.kind, m.matched) == ("anlotinib", "salt", "anlotinib hydrochloride")


@pytest.mark.parametrize(("text", "drug"), [
    # a compiled drug with a class is named in prose with no cue before it
    ("cytotoxic chemotherapy within 3 weeks, or nitrosoureas/mitomycin C within 6 weeks", "mitomycin"),
    ("(6 weeks for mitomycin or nitrosoureas)", "mitomycin"),
    ("Prior treatment with trabectedin", "trabectedin"),
    ("hydroxyurea for cytoreduction is allowed", "hydroxycarbamide"),
    ("BCNU (carmustine) wafers", "carmustine"),
])
def test_compiled_classed_drugs_are_found_in_prose(text: str, drug: str) -> None:
    assert drug in {m.drug for m in find_drug_mentions(text)}


def test_prose_forms_skip_brands_and_forms_two_drugs_share() -> None:
    lex = Lexicon.default()
    prose = list(lex.prose_synonyms())
    curated = list(lex.all_synonyms())
    assert prose[:len(curated)] == curated
    extra = prose[len(curated):]
    assert extra and all(e.kind in ("generic", "salt", "code") for e in extra)
    keys = [e.text.casefold() for e in extra]
    assert len(keys) == len(set(keys))
    assert all(e.drug not in lex.drugs for e in extra)
    # a salt names its substance; a stray word the source files as a salt stays out
    assert all(e.drug.split()[0].casefold() in e.text.casefold() for e in extra if e.kind == "salt")
    assert find_drug_mentions("luteinizing hormone-releasing hormone agonists") == [] or all(
        m.matched.casefold() != "luteinizing" for m in find_drug_mentions("luteinizing hormone-releasing hormone agonists"))


@pytest.mark.parametrize(("text", "expected"), [
    # a long name with its abbreviation in brackets before the head
    ("Prior treatment with a poly (ADP-ribose) polymerase (PARP) inhibitor", {"parp-inhibitor"}),  # LCT NCT03863860
    ("luteinizing hormone-releasing hormone (LHRH) agonist", {"gnrh-analogue"}),  # NCT02465060
    ("Previous allergic reactions to Janus kinase (JAK) inhibitors", {"jak-inhibitor"}),  # NCT03147742
    ("epidermal growth factor receptor (EGFR) tyrosine kinase inhibitors", {"egfr-tki"}),
    # "anti-" before the long name (NCT01642004)
    ("anti-Programmed cell death ligand 1 (PD-L1), or anti-Cytotoxic T lymphocyte-associated antigen 4 (CTLA-4) "
     "antibody", {"anti-pd-l1-antibody", "anti-ctla-4-antibody"}),
    # no class head after the bracket, or no space before the head: nothing new
    ("computed tomography (CT) scan", set()),
    ("strong/potent cytochrome P450 (CYP)3A4 inhibitors", set()),
])
def test_an_abbreviation_in_brackets_stands_for_its_long_name(text: str, expected: set[str]) -> None:
    from trialkg.knowledge.mentions import _abbreviated

    assert {m.drug_class for m in _abbreviated(text, Lexicon.default())} == expected


@pytest.mark.parametrize(("text", "drug"), [
    # a drug name written one letter off (LCT NCT03927456, NCT03925675; NCT00466232,
    # NCT01645215, NCT02199223; Facebook split)
    ("Patients who received prior treatment with any CDK4/6 inhibitor, everolimus or fulvestant.", "fulvestrant"),
    ("concurrent temozolamide and radiation", "temozolomide"),
    ("Prior topetecan", "topotecan"),
    ("previously treated with fruquintinb", "fruquintinib"),
    ("subjects taking fluconozole , voriconizole , itraconazole", "fluconazole"),
    ("gancyclovir", "ganciclovir"),
])
def test_a_drug_name_one_letter_off_is_the_drug(text: str, drug: str) -> None:
    assert drug in {m.drug for m in find_drug_mentions(text, spelling=True)}
    assert drug not in {m.drug for m in find_drug_mentions(text) if m.matched.lower() != drug}


@pytest.mark.parametrize("text", ["participants", "hospitalization", "radiotherapy", "immunotherapy",
                                  "chemotherapy", "hypertension", "thrombocytopenia", "administration"])
def test_words_of_criteria_are_no_misspelled_drugs(text: str) -> None:
    assert find_drug_mentions(text, spelling=True) == []
