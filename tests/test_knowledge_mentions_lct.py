"""Drug and drug-class mentions of criteria sentences of the LCT corpus (and registry
records): the phrasings ``benchmarks/drug_mentions.py`` measures against the LCT ``Drug``
annotation."""

from __future__ import annotations

import pytest

from trialkg.knowledge.lexicon import Lexicon
from trialkg.knowledge.mentions import find_class_mentions, find_drug_mentions


def drugs(text: str) -> list[tuple[str, str]]:
    return [(m.matched, m.drug) for m in find_drug_mentions(text, spelling=True) if m.drug]


def classes(text: str) -> set[str]:
    return {m.drug_class for m in find_class_mentions(text) if m.drug_class}


# -- drugs DrugCentral lists with a mechanism, no class of the tables -------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Patient history requiring IV administration of vancomycin or tobramycin perioperatively",  # NCT03928522
     [("vancomycin", "vancomycin")]),
    ("receive piperacillin-tazobactam or cefazolin as part of routine care",  # NCT03922451
     [("piperacillin", "piperacillin"), ("tazobactam", "tazobactam"), ("cefazolin", "cefazolin")]),
    ("seizure threshold: amitriptyline (Elavil), nortriptyline (Pamelor), imipramine (Tofranil)",  # NCT03869372
     [("amitriptyline", "amitriptyline"), ("nortriptyline", "nortriptyline"), ("imipramine", "imipramine")]),
    ("provided that no filgrastim or pegfilgrastim was administered within 30 days",  # NCT03929159
     [("filgrastim", "filgrastim"), ("pegfilgrastim", "pegfilgrastim")]),
    ("Allergy to pantoprazole or to any component of regimens used in the study",  # NCT03925818
     [("pantoprazole", "pantoprazole")]),
])
def test_unclassed_medicines_are_found(text, expected):
    found = drugs(text)
    for pair in expected:
        assert pair in found


def test_unclassed_medicines_reach_an_identifier():
    lex = Lexicon.default()
    for name in ("vancomycin", "amitriptyline", "pegfilgrastim"):
        info = lex.drug(name)
        assert info is not None and info.linked


@pytest.mark.parametrize("text", [
    "Fasting glucose > 126 mg/dL",
    "Alanine aminotransferase (ALT) <= 2.5 x ULN",
    "Castrate level of testosterone < 50 ng/dL",  # a measured hormone, not the drug
    "Requires supplemental oxygen",
    "Prior treatment with a receptor tyrosine kinase inhibitor",
])
def test_nutrients_analytes_and_body_substances_are_no_drug(text):
    assert drugs(text) == []


# -- named regimens -------------------------------------------------------------------


def test_regimen_names_stand_for_their_drugs():
    found = drugs("Planning to receive modified FOLFIRINOX for neoadjuvant chemotherapy.")  # NCT03865875
    assert {d for _w, d in found} == {"fluorouracil", "leucovorin", "irinotecan", "oxaliplatin"}
    found = drugs("Concomitant systemic chemotherapy regimens with FOLFIRI, FOLFOX, Mitomycin C &")  # NCT03868228
    assert ("FOLFIRI", "irinotecan") in found and ("FOLFOX", "oxaliplatin") in found
    assert ("Mitomycin", "mitomycin") in found


def test_regimen_variants():
    found = drugs("prior R-CHOP or mFOLFOX6")
    assert ("R-CHOP", "rituximab") in found and ("R-CHOP", "vincristine") in found
    assert ("mFOLFOX6", "oxaliplatin") in found


def test_short_regimen_names_are_words_too():
    assert drugs("MAP > 65 mmHg; ICE packs allowed; PCV below 0.5") == []


# -- drug classes of everyday medicine -----------------------------------------------


@pytest.mark.parametrize(("text", "key"), [
    ("Antibiotic treatment the prior 3 months", "antibacterial"),  # NCT03863730
    ("No history of intake of antibiotics or other medications affecting the periodontium", "antibacterial"),  # NCT03924336
    ("Use of anti-secretory drugs, antibiotics or probiotics 4 weeks preceding the enrollment.", "probiotic"),  # NCT03925818
    ("Treatment with nutritional drinks, probiotics or prebiotics within the last 3 months", "probiotic"),  # NCT03863730
    ("Use of anti-secretory drugs, antibiotics or probiotics", "proton-pump-inhibitor"),  # NCT03925818
    ("Chronic pain condition that was being treated with opioids.", "opioid"),  # NCT03925610
    ("Patients who have taken opioid pain medications in the past 3 months", "opioid"),  # NCT03922620
    ("Regular consumer of soft drug (cannabis) or hard drug (opioid),", "opioid"),  # NCT03925571
    ("Patients with a long-term taking of anxiolytic or analgesic,", "anxiolytic-sedative"),  # NCT03925571
    ("Patients with a long-term taking of anxiolytic or analgesic,", "analgesic"),  # NCT03925571
    ("Patients with chronic use of analgesics and/or sedatives.", "anxiolytic-sedative"),  # NCT03863847
    ("6. No need for sedatives, or mental status are stable with sedatives", "anxiolytic-sedative"),  # NCT03929328
    ("Currently taking a psychotropic medication", "psychotropic"),  # NCT03925987
    ("psychotropic agents", "psychotropic"),  # NCT03927339
    ("initiation of a new anti-depressant or anti-seizure medication", "antidepressant"),  # NCT03928496
    ("initiation of a new anti-depressant or anti-seizure medication", "antiepileptic"),  # NCT03928496
    ("if the patient is taking antidepressants during the last 6 months", "antidepressant"),  # NCT03861104
    ("Those who have received antipsychotic medication within 3 months", "antipsychotic"),  # NCT03923894
    ("fiber supplements and Non-steroidal anti-inflammatory drugs - NSAIDs) within 30 days", "nsaid"),  # NCT03869905
    ("Allergy to Phenylephrine or NSAIDs.", "nsaid"),  # NCT03864133
    ("currently taking β-blockers, calcium channel blockers, or prophylactic headache medications", "beta-blocker"),
    ("currently taking β-blockers, calcium channel blockers", "calcium-channel-blocker"),  # NCT03865433
    ("acetylcholinesterase inhibitors, beta-blockers", "beta-blocker"),  # NCT03861806
    ("known allergy to amino amide local anesthetics,", "local-anaesthetic"),  # NCT03920904
    ("Allergy, hypersensibility or resistance to local anesthetic", "local-anaesthetic"),  # NCT03863977
    ("(excluding oral contraceptives and contraceptive devices)", "hormonal-contraceptive"),  # NCT03866512
    ("biologics (e.g., TNF-alpha-antagonists, anti-integrin therapies)", "tnf-inhibitor"),  # NCT03923478
    ("prior anti-TNF therapy", "tnf-inhibitor"),
])
def test_everyday_classes(text, key):
    assert key in classes(text)


@pytest.mark.parametrize(("drug", "key"), [
    ("morphine", "opioid"), ("fentanyl", "opioid"), ("cefazolin", "antibacterial"),
    ("piperacillin", "antibacterial"), ("levofloxacin", "antibacterial"), ("lorazepam", "benzodiazepine"),
    ("midazolam", "anxiolytic-sedative"), ("bupivacaine", "local-anaesthetic"), ("pantoprazole", "proton-pump-inhibitor"),
    ("metoprolol", "beta-blocker"), ("amlodipine", "calcium-channel-blocker"), ("ibuprofen", "nsaid"),
    ("celecoxib", "analgesic"), ("infliximab", "tnf-inhibitor"), ("adalimumab", "immunosuppressant"),
])
def test_class_members(drug, key):
    lex = Lexicon.default()
    assert key in lex.drug_classes(drug)


def test_class_members_stay_out():
    lex = Lexicon.default()
    assert "opioid" not in lex.drug_classes("naloxone")  # an antagonist
    assert "antibacterial" not in lex.drug_classes("doxorubicin")
    assert "nsaid" not in lex.drug_classes("paracetamol")


@pytest.mark.parametrize("text", [
    "previous history of opiate abuse,",  # NCT03862612
    "Diagnosis as heroin dependence according to DSM-IV criteria",  # LCT NCT03922659
    "history of cocaine use disorder",
])
def test_substance_use_disorders_are_no_mention(text):
    assert drugs(text) == [] and classes(text) == set()


@pytest.mark.parametrize("text", [
    "treated with insulin , glucagon-like peptide ( glp ) 1 agonist",  # Clinical-Trial-Parser test split
    "concurrent use of other antiandrogens , estrogen-like agents",  # Clinical-Trial-Parser test split
    "estrogen and/or progesterone receptor positive (>= 1% of tumour cells)",
    "Somatostatin receptor positive disease on imaging within 12 weeks",
    "parathyroid hormone level above the upper limit of normal",
    "serum digoxin concentration within the therapeutic range",
])
def test_a_hormone_named_as_a_receptor_family_or_level_is_no_drug(text):
    assert [d for _m, d in drugs(text) if d != "insulin"] == []


@pytest.mark.parametrize(("text", "drug"), [
    ("prior progesterone therapy for endometrial hyperplasia", "progesterone"),
    ("digoxin within 14 days before the first dose", "digoxin"),
])
def test_the_same_names_as_therapies_are_drugs(text, drug):
    assert drug in {d for _m, d in drugs(text)}


# -- brand names in running text (capitalised or in capitals) ---------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Pregnant women are excluded from this study because EXPAREL has the potential for teratogenic effects",
     [("EXPAREL", "bupivacaine")]),  # NCT03867188
    ("seizure threshold: amitriptyline (Elavil), imipramine (Tofranil), chlorpromazine (Thorazine)",
     [("Elavil", "amitriptyline"), ("Tofranil", "imipramine"), ("Thorazine", "chlorpromazine")]),  # NCT03869372
    ("Hypersensitivity, allergy, or significant reaction to any ingredient of Pitocin",
     [("Pitocin", "oxytocin")]),  # NCT03929367
    ("Prior treatment with Gliadel wafers", [("Gliadel", "carmustine")]),  # NCT02576665
])
def test_capitalised_brands_are_found(text, expected):
    found = drugs(text)
    for pair in expected:
        assert pair in found


@pytest.mark.parametrize("text", [
    "because exparel has the potential for teratogenic effects",  # a brand in lower case
    "Choice of treatment at the investigator's discretion",  # a brand that is an English word
    "Versus arm: standard of care",
    "Luteinizing hormone-releasing hormone (LHRH) agonist may continue",  # NCT02465060
])
def test_brands_that_are_words_or_lower_case_are_no_mention(text):
    assert [m for m in find_drug_mentions(text) if m.kind == "brand"] == []


def test_brand_forms_skip_words_symbols_and_shared_names():
    lex = Lexicon.default()
    brands = {e.text.lower(): e.drug for e in lex.prose_brands()}
    assert brands.get("exparel") == "bupivacaine"
    for word in ("choice", "versus", "android", "luteinizing"):
        assert word not in brands
    assert all(len(b) >= 5 and b.isalpha() for b in brands)


# -- short forms defined in brackets ------------------------------------------------


@pytest.mark.parametrize(("text", "short", "drug"), [
    ("pegIFN (or IFN), and/or Ribavirin (RBV) and/or sofosbuvir (PRS) experienced", "RBV", "ribavirin"),  # NCT03868163
    ("Use of tetrahydrocannabinol (THC) or non-approved cannabidiol (CBD) is prohibited", "CBD", "cannabidiol"),  # NCT03865732
])
def test_a_short_form_defined_in_brackets_is_the_drug(text, short, drug):
    found = drugs(text)
    assert (short, drug) in found
    assert ("PRS", "sofosbuvir") not in found  # no short form of sofosbuvir


def test_a_defined_short_form_is_the_drug_where_it_recurs():
    text = "Prior 6-mercaptopurine (6-MP) is allowed; oral 6-MP within 4 weeks is not"  # NCT03920813 writes "oral 6-MP"
    assert [(m.matched, m.drug) for m in find_drug_mentions(text) if m.kind == "abbreviation"] == [
        ("6-MP", "mercaptopurine"), ("6-MP", "mercaptopurine")]


def test_a_class_short_form_recurs_as_the_class():
    text = "We hypothesize that immune checkpoint inhibitors (ICPi) will benefit; prior ICPi is allowed"
    found = [(m.matched, m.drug_class) for m in find_class_mentions(text) if m.kind == "abbreviation"]
    assert ("ICPi", "immune-checkpoint-inhibitor") in found and len(found) == 2


def test_a_short_form_before_a_class_head_is_no_drug():
    text = "gonadotropin-releasing hormone (GnRH) agonists may be maintained"  # NCT02243605
    assert [m for m in find_drug_mentions(text) if m.kind == "abbreviation"] == []


# -- classes of everyday medicine: GLP-1 agonists, retinoids, PCSK9, vasopressors, vitamins


@pytest.mark.parametrize(("text", "cls"), [
    ("Have known allergies to LY3502970, glucagon-like peptide-1 (GLP-1) analogs, related compounds",
     "glp1-receptor-agonist"),  # NCT03929744
    ("treated with insulin, glucagon-like peptide (glp) 1 agonists and / or oral antidiabetic",
     "glp1-receptor-agonist"),  # Clinical-Trial-Parser test split
    ("use of steroids in the past 30 days or retinoids in the past 12 months", "retinoid"),  # NCT03926026
    ("Current treatment with PCSK9 inhibitor", "pcsk9-inhibitor"),  # NCT03861533
    ("No vasoactive drugs, or vital signs are stable with using vasoactive drugs", "vasopressor"),  # NCT03929328
    ("requires continuous intravenous vasopressor infusion for blood pressure support", "vasopressor"),
    ("treatment with Vitamin D supplementation before the study", "vitamin"),  # NCT03923218
    ("vitamin supplements (especially vitamins a, c, and e) other than a standard multivitamin", "vitamin"),
])
def test_everyday_classes_are_found(text, cls):
    assert cls in classes(text)


@pytest.mark.parametrize(("drug", "cls"), [
    ("liraglutide", "glp1-receptor-agonist"), ("semaglutide", "glp1-receptor-agonist"),
    ("isotretinoin", "retinoid"), ("bexarotene", "retinoid"),
    ("evolocumab", "pcsk9-inhibitor"), ("alirocumab", "pcsk9-inhibitor"),
    ("norepinephrine", "vasopressor"), ("vasopressin", "vasopressor"),
])
def test_everyday_class_members(drug, cls):
    assert cls in Lexicon.default().drug_classes(drug)


@pytest.mark.parametrize("drug", ["teduglutide", "betacarotene"])
def test_stem_look_alikes_stay_out(drug):
    assert not Lexicon.default().drug_classes(drug) & {"glp1-receptor-agonist", "retinoid"}


# -- alcohol, tobacco, e-cigarettes, cannabis: lifestyle topics, no drug mention ---------


@pytest.mark.parametrize("text", [
    "Reported alcohol use in the prior year at clinic entry",  # NCT03928418
    "consumption of alcohol in the last twelve hours",  # NCT03869424
    "no plans to quit smoking and/or e-cig use in the next month",  # NCT03863509
    "not using cigars/smokeless/snus tobacco >/= 1 time per week",  # NCT03863509
    "Regular consumer of soft drug (cannabis) or hard drug (opioid),",  # NCT03925571
])
def test_substances_of_lifestyle_are_no_drug_mention(text):
    names = {m.matched.lower() for m in find_drug_mentions(text, spelling=True)}
    assert not names & {"alcohol", "tobacco", "e-cig", "cigars", "cannabis", "smokeless"}


@pytest.mark.parametrize(("text", "drug"), [
    # a drug the dictionary knows under its INN, written with the name most labels use
    ("Inability to interrupt aspirin or other nonsteroidal anti-inflammatory agents", "acetylsalicylic acid"),  # NCT00473486
    ("antiplatelet agents (e.g., clopidogrel); low dose aspirin (=< 81 mg/day) is allowed", "acetylsalicylic acid"),  # NCT02243605
    ("No concurrent warfarin or acetaminophen", "paracetamol"),  # NCT00601510
    ("Chronic Erythropoietin treatment prior to the study entry", "epoetin alfa"),  # NCT00619541
    ("patient with contraindication to synthetic erythropoietin", "epoetin alfa"),  # LCT NCT03867071
])
def test_other_names_of_unclassed_medicines_are_found(text, drug):
    assert drug in {d for _m, d in drugs(text)}


@pytest.mark.parametrize("text", [
    "Growth hormone deficiency treated with replacement",
    "Vitamin D deficiency at screening",
])
def test_a_deficiency_is_no_drug(text):
    assert drugs(text) == []
