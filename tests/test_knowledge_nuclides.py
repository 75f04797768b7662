"""Radiolabelled drugs however their nuclide is written (``knowledge/nuclides.py``), the
therapeutic radiopharmaceutical class, and what criteria and the matcher make of them.

The notations are those of registry intervention names and criteria: "Radium-223"
(NCT02406521's drug list in the HINT table), "radium-223" (Clinical-Trial-Parser test
split), "radionuclides" (NCT02243605), "PRRT (peptide receptor radionuclide therapy)"
(NCT02588170, NCT02589821), and the dictionary's own forms ("RADIUM-223 CHLORIDE",
"PSMA-617 LU-177", "MIBG I-131").
"""

from __future__ import annotations

from typing import Any

import match_support
import pytest

from trialkg.criteria import parse_criteria_text
from trialkg.knowledge.lexicon import Lexicon
from trialkg.knowledge.mentions import find_class_mentions, find_drug_mentions
from trialkg.knowledge.normalise import normalise_intervention_name
from trialkg.knowledge.nuclides import find_labelled, grammar, label_index
from trialkg.store import TrialStore

RADIUM = "radium ra 223 dichloride"
LU_PSMA = "lutetium lu-177 vipivotide tetraxetan"
MIBG = "iobenguane i-131"


def drugs(name: str) -> list[str]:
    return normalise_intervention_name(name, "DRUG").drugs


@pytest.mark.parametrize(("names", "drug"), [
    (["Radium-223", "radium Ra 223 dichloride", "RADIUM-223 CHLORIDE", "Radium-223 dichloride"], RADIUM),
    (["177Lu-PSMA-617", "Lu-177 PSMA-617", "PSMA-617 Lu-177", "[177Lu]PSMA-617",
      "lutetium (177Lu) vipivotide tetraxetan", "[177Lu]Lu-PSMA-617"], LU_PSMA),
    (["I-131 MIBG", "131I-MIBG", "MIBG I-131", "Iodine I 131 Metaiodobenzylguanidine"], MIBG),
    (["[18F]FDG", "18F-FDG", "FDG F-18", "Fludeoxyglucose F 18"], "fludeoxyglucose (18f)"),
    # the carrier in parts and the radiometal complex notation
    (["Lu-177 DOTA-TATE", "[177Lu]Lu-DOTA-TATE", "Lutetium (177Lu) dotatate"], "lutetium (177lu) oxodotreotide"),
])
def test_every_notation_of_one_radiopharmaceutical_is_one_drug(names: list[str], drug: str) -> None:
    assert {n: drugs(n) for n in names} == {n: [drug] for n in names}


def test_one_substance_under_several_entries_is_always_the_same_one() -> None:
    # the dictionary holds Lutathera as DrugCentral's "lutetium (177Lu) oxodotreotide"
    # and the DrugBank vocabulary's "lutetium Lu 177 dotatate"
    assert drugs("Lutetium Lu 177 Dotatate") == drugs("177Lu-DOTATATE") == drugs("Lu-177 DOTATATE")


def test_the_carrier_alone_is_the_ligand_and_with_the_nuclide_the_conjugate() -> None:
    assert drugs("PSMA-617") == ["vipivotide tetraxetan"]
    assert drugs("Lu-177 PSMA-617") == [LU_PSMA]


def test_an_element_with_an_unknown_carrier_is_no_drug() -> None:
    # "Iodine I 131 <antibody the dictionary lacks>" is not iodine
    res = normalise_intervention_name("Iodine I 131 Foxitumab", "BIOLOGICAL")
    assert res.drugs == [] and res.kind == "unresolved"


def test_a_research_label_names_the_molecule_it_labels() -> None:
    assert drugs("14C-olaparib") == ["olaparib"]
    assert drugs("[14C]olaparib") == ["olaparib"]


@pytest.mark.parametrize("text", ["in 111 patients", "CD4 count", "PD-1 antibody", "vitamin B12",
                                  "Yttrium aluminum garnet laser", "Pd 1 mg"])
def test_no_nuclide_where_none_is_written(text: str) -> None:
    # a symbol is read as the table writes it or in capitals, and only with a mass
    # number the table lists for it
    assert grammar(Lexicon.default()).find(text) == []


def test_names_and_texts_without_a_nuclide_never_build_the_label_index() -> None:
    """The index of labelled forms is built on the first name or text with a nuclide, not
    for every record."""
    label_index.cache_clear()
    for name in ("Pazopanib (GW786034)", "nivolumab 240 mg", "FOLFOX", "Placebo"):
        normalise_intervention_name(name, "DRUG")
    assert find_labelled("Age >= 18 Years; hemoglobin >= 9 g/dL", Lexicon.default()) == []
    parse_criteria_text("Inclusion Criteria:\n- Age 18 Years or older\n- Platelets >= 100 x 10^9/L")
    assert label_index.cache_info().currsize == 0
    assert find_labelled("no prior Lu-177 PSMA-617", Lexicon.default())
    assert label_index.cache_info().currsize == 1


def test_a_bare_symbol_and_mass_in_running_text_names_nothing_alone() -> None:
    # "I 131" may be a list mark; "Y-90" joined is the nuclide
    assert find_drug_mentions("item I 131 of the list") == []
    assert [m.drug for m in find_drug_mentions("Prior Y-90 radioembolization")] == ["yttrium y-90"]


def test_the_class_goes_by_the_use_of_the_nuclide() -> None:
    lex = Lexicon.default()
    for drug in (RADIUM, LU_PSMA, MIBG, "strontium chloride sr-89", "samarium (153sm) lexidronam", "yttrium y-90"):
        assert "radiopharmaceutical" in lex.drug_classes(drug), drug
    for tracer in ("fludeoxyglucose (18f)", "dotatate gallium ga-68", "technetium (99mtc) sestamibi"):
        assert "radiopharmaceutical" not in lex.drug_classes(tracer), tracer
    # ATC V10 sits outside the antineoplastic agents of L01
    assert "antineoplastic" not in lex.drug_classes(RADIUM)


@pytest.mark.parametrize(("text", "drug"), [
    ("patients with bone only disease may not have received radium-223", RADIUM),
    ("Prior treatment with 177Lu-PSMA-617 or other PSMA-targeted radioligand therapy", LU_PSMA),
    ("prior 131I-MIBG therapy", MIBG),
])
def test_criteria_text_names_the_radiolabelled_drug(text: str, drug: str) -> None:
    assert drug in {m.drug for m in find_drug_mentions(text, spelling=True)}


def test_a_therapeutic_nuclide_without_a_named_carrier_names_the_class() -> None:
    found = find_class_mentions("prior samarium-153 or strontium-89")
    assert [(m.matched, m.drug_class) for m in found] == [("samarium-153", "radiopharmaceutical"),
                                                         ("strontium-89", "radiopharmaceutical")]
    assert find_class_mentions("radionuclide bone scan") == []


def prior(section: str, text: str) -> list[dict[str, Any]]:
    head = "Inclusion Criteria:\n- " if section == "inclusion" else "Exclusion Criteria:\n- "
    (crit,) = parse_criteria_text(head + text)
    return [k for k in crit["constraints"] if k["type"] == "prior_therapy"]


@pytest.mark.parametrize(("text", "classes", "drugs_named", "window"), [
    # NCT02243605 exc-3
    ("systemic treatment with radionuclides within 6 weeks before the first dose of study treatment",
     ["radiopharmaceutical"], [], "P6W"),
    ("Prior peptide receptor radionuclide therapy (PRRT)", ["radiopharmaceutical"], [], None),
    ("Prior treatment with 177Lu-PSMA-617 or other PSMA-targeted radioligand therapy",
     ["radiopharmaceutical"], [LU_PSMA], None),
])
def test_radionuclide_therapy_is_a_prior_therapy(text: str, classes: list[str], drugs_named: list[str],
                                                 window: str | None) -> None:
    (k,) = prior("exclusion", text)
    assert (k["drug_classes"], k["drugs"], k["window"]) == (classes, drugs_named, window)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> TrialStore:
    return match_support.corpus_store(tmp_path_factory, "nuclides", ["NCT02243605"], ".xml")


@pytest.mark.parametrize(("therapy", "outcome"), [
    ({"drug": "Radium-223", "weeks_since_last_dose": 3}, "unmet"),
    ({"drug": "Lu-177 PSMA-617", "weeks_since_last_dose": 4}, "unmet"),
    # past the 6 weeks: the item's radiation windows, which the file does not show, stay open
    ({"drug": "Radium-223", "weeks_since_last_dose": 10}, "unknown"),
    ({"drug": "18F-FDG", "weeks_since_last_dose": 1}, "unknown"),
])
def test_the_radionuclide_window_keeps_out_a_recent_radiopharmaceutical(store: TrialStore, therapy: dict,
                                                                        outcome: str) -> None:
    trials = match_support.trials_by_id(store)
    crit = match_support.criterion(trials, "NCT02243605", "systemic treatment with radionuclides")
    patient = {"age_years": 66, "sex": "MALE", "ecog": 1, "conditions": ["renal cell carcinoma"],
               "prior_therapies": [therapy]}
    assert match_support.outcome(store, "NCT02243605", crit, patient) == outcome


def test_a_trial_of_radiopharmaceuticals_builds_and_conforms(tmp_path) -> None:
    """Names no dictionary entry writes ("Radium 223", "[177Lu]Lu-PSMA-617"), resolved by
    their nuclide, are written with the method ``nuclide``, which the shapes accept."""
    import json

    from trialkg.pipeline import build
    from trialkg.validate import validate_store

    record = json.loads(match_support.record_path("NCT02513394", ".json").read_text())
    ivs = record["protocolSection"]["armsInterventionsModule"]["interventions"]
    ivs[0]["name"], ivs[1]["name"] = "Radium 223", "[177Lu]Lu-PSMA-617"
    for iv in ivs:
        iv.pop("otherNames", None)
    (tmp_path / "NCT02513394.json").write_text(json.dumps(record))
    build([str(tmp_path / "NCT02513394.json")], store_path=tmp_path / "store", replace=True, jobs=1, quiet=True)
    store = TrialStore(tmp_path / "store", read_only=True)
    rows = store.query("""PREFIX tkg: <https://w3id.org/trialkg/ontology#>
        SELECT ?drug ?method WHERE { ?iv tkg:hasDrug ?drug ; tkg:normalisationMethod ?method }""")
    found = {(r["drug"].value.rsplit("/", 1)[-1], r["method"].value) for r in rows}
    assert {m for _d, m in found} == {"nuclide"}, found
    assert len(found) == 2, found
    report = validate_store(store)
    assert not report.has_violations, report.results[:3]
