"""Drug classes for every drug: the reference build derives them from each drug's ChEMBL
and DrugCentral mechanism (action and target) and its WHO INN stem, by the rules of
``ontology/reference/class_rules.tsv`` (``trialkg.tools.build_reference_classes``).

The classes and drugs below are those the criteria of the corpus trials name: "Prior
therapy with any CDK inhibitor" (PALLAS, NCT02513394 exc-2); "Patients should have
previously received at least anthracyclines" (NCT03277924 inc-6); "Previous anti-
programmed death-1 (PD-1) ... antibody" (NCT03277924 exc-2); "one prior platinum-containing
chemotherapy" (NCT02691871 inc-6); "clinical benefit from an EGFR TKI" (NCT03599518 inc-5);
"chemotherapy agents including doxorubicin, cisplatin, high-dose methotrexate, and
ifosfamide" (NCT02711007); "selective estrogen receptor modulators, aromatase
inhibitors" and "any methotrexate containing systemic regimen" (Facebook test split).
"""

from __future__ import annotations

import pytest

from trialkg.knowledge.lexicon import Lexicon
from trialkg.knowledge.mentions import find_class_mentions


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.default()


@pytest.mark.parametrize("drug, cls, basis, evidence", [
    ("letrozole", "aromatase-inhibitor", "target", "CYP19A1 inhibitor"),
    ("anastrozole", "aromatase-inhibitor", "target", "CYP19A1 inhibitor"),
    ("methotrexate", "antifolate", "target", "DHFR inhibitor"),
    ("abemaciclib", "cdk4-6-inhibitor", "target", "CDK4 inhibitor"),
    ("ribociclib", "cdk4-6-inhibitor", "target", "CDK6 inhibitor"),
    ("daunorubicin", "anthracycline", "stem", "rubicin"),
    ("idarubicin", "anthracycline", "stem", "rubicin"),
    ("nedaplatin", "platinum", "stem", "platin"),
    ("cabazitaxel", "taxane", "stem", "taxel"),
    ("cemiplimab", "anti-pd-1-antibody", "target", "PDCD1"),
    ("icotinib", "egfr-tki", "target", "EGFR inhibitor"),
    ("cetuximab", "anti-egfr-antibody", "target", "EGFR"),
    ("tamoxifen", "serm", "target", "ESR1 modulator"),
    ("fulvestrant", "serd", "target", "ESR1 degrader"),
    ("cytarabine", "pyrimidine-analogue", "target", "DNA"),
    ("vincristine", "vinca-alkaloid", "target", "TUBA1A inhibitor"),
    # a salt's name (WHO INNM) keeps its stem: "fludarabine phosphate" is an -arabine
    # with a DNA polymerase mechanism, "talazoparib tosylate" a -parib
    ("fludarabine phosphate", "purine-analogue", "target", "POLA1 inhibitor"),
    ("talazoparib tosylate", "parp-inhibitor", "stem", "parib"),
    ("milciclib maleate", "cdk-inhibitor", "stem", "ciclib"),
])
def test_the_build_gives_each_drug_its_classes_with_the_evidence(
        lex: Lexicon, drug: str, cls: str, basis: str, evidence: str) -> None:
    info = lex.drug(drug)
    assert info is not None and cls in info.classes, (drug, info and info.classes)
    rows = [r for r in lex.compiled.class_evidence(drug) if r[0] == cls and r[1] == basis]
    assert rows and evidence in rows[0][2], lex.compiled.class_evidence(drug)


@pytest.mark.parametrize("drug, not_in", [
    ("cetuximab", "egfr-tki"),  # an EGFR antibody is no EGFR TKI
    ("gefitinib", "anti-egfr-antibody"),
    ("etoposide", "anthracycline"),  # a TOP2A inhibitor without the -rubicin stem
    ("vincamine", "vinca-alkaloid"),  # vin- without a tubulin mechanism
    ("colchicine", "microtubule-inhibitor"),  # a tubulin binder that is no antineoplastic
    ("emtricitabine", "pyrimidine-analogue"),  # -citabine acting on the HIV polymerase
    ("ketotifen", "serm"),  # -tifen is no antiestrogen stem
    ("pemetrexed", "pyrimidine-analogue"),  # curated: an antifolate only
])
def test_a_rule_holds_only_for_its_mechanism_and_kind(lex: Lexicon, drug: str, not_in: str) -> None:
    info = lex.drug(drug)
    assert info is None or not_in not in lex.drug_classes(drug), (drug, info and info.classes)


def test_curated_classes_stay_the_drugs_own(lex: Lexicon) -> None:
    # doxorubicin is curated as an anthracycline; the TOP2A rule adds nothing to a curated drug
    assert lex.drug("doxorubicin").classes == ("anthracycline",)
    assert "topoisomerase-ii-inhibitor" in lex.drug_classes("doxorubicin")  # through its parent


@pytest.mark.parametrize("text, classes", [
    ("Prior therapy with any CDK inhibitor.", {"cdk-inhibitor"}),  # NCT02513394 exc-2
    ("selective estrogen receptor modulators , aromatase inhibitors", {"serm", "aromatase-inhibitor"}),
    ("Previous anti-programmed death-1 (PD-1) antibody", {"anti-pd-1-antibody"}),  # NCT03277924 exc-2
    ("one prior platinum-containing chemotherapy", {"platinum"}),  # NCT02691871 inc-6
    ("clinical benefit from an EGFR TKI", {"egfr-tki"}),  # NCT03599518 inc-5
    ("prior antimetabolite or antifolate therapy", {"antimetabolite", "antifolate"}),
])
def test_class_phrases_of_real_criteria_name_the_classes(lex: Lexicon, text: str, classes: set[str]) -> None:
    assert classes <= {m.drug_class for m in find_class_mentions(text, lex)}


@pytest.mark.parametrize("cls, members", [
    ("aromatase-inhibitor", {"letrozole", "anastrozole", "exemestane"}),
    ("antifolate", {"methotrexate", "pemetrexed", "pralatrexate"}),
    ("cdk4-6-inhibitor", {"palbociclib", "ribociclib", "abemaciclib"}),
    ("anthracycline", {"doxorubicin", "epirubicin", "daunorubicin", "idarubicin"}),
    ("cdk-inhibitor", {"palbociclib", "abemaciclib", "dinaciclib"}),  # a subclass's members too
])
def test_a_class_has_its_compiled_members(lex: Lexicon, cls: str, members: set[str]) -> None:
    assert members <= lex.drugs_in_class(cls)


@pytest.mark.parametrize("cls, members", [
    # WHO ATC L01AD: "nitrosoureas/mitomycin C within 6 weeks" (NCT02243605 exc-1),
    # "(6 weeks for nitrosoureas)" (NCT02576665 exc-3)
    ("nitrosourea", {"carmustine", "lomustine", "fotemustine", "streptozocin"}),
    # WHO ATC L01D: "(6 weeks for mitomycin or nitrosoureas)" (NCT00402415 exc-11)
    ("cytotoxic-antibiotic", {"mitomycin", "bleomycin", "dactinomycin", "doxorubicin"}),
    ("chemotherapy", {"carmustine", "mitomycin", "trabectedin", "hydroxycarbamide"}),
])
def test_listed_classes_hold_their_atc_members(lex: Lexicon, cls: str, members: set[str]) -> None:
    assert members <= lex.drugs_in_class(cls)
    assert "imatinib" not in lex.drugs_in_class(cls)


@pytest.mark.parametrize("text, classes", [
    ("nitrosoureas/mitomycin C within 6 weeks", {"nitrosourea"}),  # NCT02243605 exc-1
    ("(6 weeks for nitrosoureas or mitomycin C)", {"nitrosourea"}),  # NCT00601510 inc-29
    ("prior cytotoxic antibiotics", {"cytotoxic-antibiotic"}),
])
def test_atc_group_phrases_name_the_class(lex: Lexicon, text: str, classes: set[str]) -> None:
    assert classes <= {m.drug_class for m in find_class_mentions(text, lex)}
