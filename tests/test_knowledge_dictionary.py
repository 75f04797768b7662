"""The compiled drug dictionary: sources with licence and version, names, targets, splitting.

Examples come from real records: NCT02465060 (NCI-MATCH: "FGFR Inhibitor AZD4547",
"Sunitinib Malate"), NCT00023673 (carboplatin, paclitaxel with radiation), and the
intervention lines of the 2020 registry dump quoted in the parametrised cases.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from trialkg import iris
from trialkg.knowledge.lexicon import Lexicon
from trialkg.knowledge.normalise import normalise_intervention, normalise_intervention_name
from trialkg.knowledge.reference import reference_triples
from trialkg.records import Intervention
from trialkg.resources import ontology_file

ROOT = Path(__file__).resolve().parents[1]


def _manifest() -> dict:
    return json.loads(ontology_file("reference").joinpath("compiled", "manifest.json").read_text())


def test_every_source_has_a_licence_a_version_and_checksums() -> None:
    manifest = _manifest()
    assert manifest["licence"]["licence"] == "CC BY-SA 4.0"  # ShareAlike inputs
    keys = {s["key"] for s in manifest["sources"]}
    assert keys == {"drugcentral-2016", "drugcentral-2021", "chembl", "pharmoncox",
                    "drugbank-vocabulary", "fda-unii"}
    for src in manifest["sources"]:
        assert src["licence"] and src["licence_url"].startswith("http") and src["version"], src["key"]
        assert src["files"] and all(len(f["sha256"]) == 64 for f in src["files"]), src["key"]
    shipped = ontology_file("reference").joinpath("compiled")
    for name, digest in manifest["outputs"].items():
        import hashlib

        assert hashlib.sha256(shipped.joinpath(name).read_bytes()).hexdigest() == digest, name


def test_vendored_inputs_match_their_recorded_checksums() -> None:
    from trialkg.tools.build_reference import load_sources

    sources = load_sources(ROOT / "data" / "upstream")  # raises on a changed file
    assert {s["key"] for s in sources} == {s["key"] for s in _manifest()["sources"]}
    assert (ROOT / "data" / "upstream" / "SOURCES.md").is_file()


def test_the_shipped_dictionary_is_compiled_from_the_shipped_tables() -> None:
    """A change to a curated table the compiler reads needs the compiled dictionary
    rebuilt (``python -m trialkg.tools.build_reference``; ``--check`` compiles and
    compares every output)."""
    from trialkg.tools.build_reference import curated_digests

    assert _manifest()["curated_inputs"] == curated_digests(), "run python -m trialkg.tools.build_reference"


def _targets(name: str) -> set[str]:
    info = Lexicon.default().drug(name)
    assert info is not None, name
    return {t.symbol for t in info.targets}


@pytest.mark.parametrize(("drug", "wanted"), [
    ("doxorubicin", {"TOP2A"}), ("epirubicin", {"TOP2A"}),
    ("nilotinib", {"ABL1", "KIT"}),  # KIT: DrugCentral activity, Kd 17 nM
    ("binimetinib", {"MAP2K1", "MAP2K2"}),
    ("paclitaxel", {"TUBB"}),
    ("rituximab", {"MS4A1"}), ("fulvestrant", {"ESR1"}), ("methotrexate", {"DHFR"}),
    ("ibrutinib", {"BTK"}), ("avelumab", {"CD274"}), ("almonertinib", {"EGFR"}),
    ("icotinib", {"EGFR"}), ("selumetinib", {"MAP2K1"}), ("tivozanib", {"KDR"}),
])
def test_targets_come_from_the_sources(drug: str, wanted: set[str]) -> None:
    assert _targets(drug) >= wanted


def test_non_protein_targets_are_typed() -> None:
    for drug in ("temozolomide", "carboplatin", "cisplatin", "lomustine"):
        info = Lexicon.default().drug(drug)
        kinds = {(t.symbol, t.kind) for t in info.targets}
        assert ("DNA", "non-protein") in kinds, drug
    triples = {str(t) for t in reference_triples(drugs=["temozolomide"])}
    assert any("target/dna" in t and "NonProteinTarget" in t for t in triples)


def test_sources_that_disagree_keep_both_edges() -> None:
    info = Lexicon.default().drug("fulvestrant")
    esr1 = {(t.action, t.sources[0]) for t in info.targets if t.symbol == "ESR1"}
    assert ("antagonist", "drugcentral-2021") in esr1 and ("degrader", "chembl") in esr1


def test_curated_drugs_keep_their_edges_and_gain_identifiers() -> None:
    lex = Lexicon.default()
    apatinib = lex.drug("apatinib")
    assert {t.symbol for t in apatinib.targets} == {"KDR", "RET", "KIT", "SRC"}
    assert apatinib.ids["chembl"] == "CHEMBL3186534" and apatinib.ids.get("unii")


def test_drugs_with_no_identifier_are_flagged() -> None:
    rows = gzip.decompress(ontology_file("reference").joinpath("compiled", "drugs.tsv.gz").read_bytes())
    lines = rows.decode().splitlines()
    header = lines[0].split("\t")
    flagged = [dict(zip(header, ln.split("\t"), strict=True)) for ln in lines[1:] if ln.endswith("no-identifier")]
    assert flagged and all(not (r["chembl"] or r["drugbank"] or r["unii"]) for r in flagged)
    lex = Lexicon.default()
    unlinked = [n for n in sorted(lex.drugs) if not lex.drug(n).linked]  # curated, no id anywhere
    triples = {str(t) for t in reference_triples()}
    for name in unlinked:
        assert any(f"<{iris.drug(name)}>" in t and "noIdentifier" in t for t in triples), name
    assert not any("drug/apatinib>" in t and "noIdentifier" in t for t in triples)


@pytest.mark.parametrize(("name", "itype", "drugs"), [
    # combinations and regimens
    ("Carboplatin + Paclitaxel", "DRUG", ["carboplatin", "paclitaxel"]),
    ("Gemcitabine/Cisplatin", "DRUG", ["gemcitabine", "cisplatin"]),
    ("Ibrutinib; Rituximab", "DRUG", ["ibrutinib", "rituximab"]),
    ("Temozolomide followed by lomustine", "DRUG", ["temozolomide", "lomustine"]),
    ("cytarabine and methotrexate", "DRUG", ["cytarabine", "methotrexate"]),
    ("Regimen A: rituximab, cyclophosphamide, doxorubicin, vincristine, prednisone", "DRUG",
     ["rituximab", "cyclophosphamide", "doxorubicin", "vincristine", "prednisone"]),
    ("R-CHOP", "DRUG", ["rituximab", "cyclophosphamide", "doxorubicin", "vincristine", "prednisone"]),
    ("Regimen B: R-CVP", "DRUG", ["rituximab", "cyclophosphamide", "vincristine", "prednisone"]),
    ("FOLFIRINOX", "DRUG", ["fluorouracil", "leucovorin", "irinotecan", "oxaliplatin"]),
    # brands, ® and alpha/alfa, pegylated
    ("Nilotinib (Tasigna ®) and Pegylated interferon alfa 2a (Pegasys®)", "DRUG",
     ["nilotinib", "peginterferon alfa-2a"]),
    ("Keytruda", "BIOLOGICAL", ["pembrolizumab"]),
    ("peginterferon alpha-2b", "DRUG", ["peginterferon alfa-2b"]),
    # salts and esters
    ("tamoxifen citrate", "DRUG", ["tamoxifen"]),
    ("Imatinib Mesylate", "DRUG", ["imatinib"]),
    ("Sunitinib Malate", "DRUG", ["sunitinib"]),
    ("Doxorubicin Hydrochloride", "DRUG", ["doxorubicin"]),
    # code names
    ("MK-3475", "DRUG", ["pembrolizumab"]),
    ("AZD-1775", "DRUG", ["adavosertib"]),
    ("FGFR Inhibitor AZD4547", "DRUG", ["azd4547"]),
    ("SHR-1258", "DRUG", ["pyrotinib"]),
    # drugs inside non-drug interventions
    ("concurrent sorafenib and IMRT", "RADIATION", ["sorafenib"]),
    ("Cisplatin with radiotherapy", "RADIATION", ["cisplatin"]),
    ("Surgery after neoadjuvant capecitabine", "PROCEDURE", ["capecitabine"]),
    ("arsenic trioxide", "DRUG", ["arsenic trioxide"]),
])
def test_names_resolve_through_the_dictionary(name: str, itype: str, drugs: list[str]) -> None:
    res = normalise_intervention_name(name, itype)
    assert res.drugs == drugs, res
    assert res.unresolved == [] and res.kind == "drug"


@pytest.mark.parametrize(("name", "itype", "kind"), [
    ("Placebo", "DRUG", "placebo"), ("Vehicle cream", "DRUG", "placebo"),
    ("Normal saline", "DRUG", "placebo"), ("0.9% Sodium Chloride", "DRUG", "placebo"),
    ("Standard of care", "OTHER", "non-drug"), ("Surgery", "PROCEDURE", "non-drug"),
    ("Intensity-modulated radiation therapy", "RADIATION", "non-drug"),
    ("Standard Adjuvant Endocrine Therapy", "DRUG", "non-drug"),  # NCT02513394
    ("Investigator's choice chemotherapy", "DRUG", "non-drug"),
    ("chemotherapy", "DRUG", "non-drug"),  # HINT drug lists
    ("Sterile water for injection", "DRUG", "placebo"),
])
def test_controls_procedures_and_radiation_are_not_drugs(name: str, itype: str, kind: str) -> None:
    res = normalise_intervention_name(name, itype)
    assert (res.kind, res.drugs, res.unresolved) == (kind, [], [])


def test_misspelt_compiled_drug_is_fuzzy_matched_and_common_words_are_not_drugs() -> None:
    (m,) = normalise_intervention_name("vincrisitne", "DRUG").matches  # HINT drug list, as written
    assert (m["drug"], m["method"]) == ("vincristine", "fuzzy")
    # "Choice" is a warfarin brand: brands are not looked for inside longer texts.
    assert normalise_intervention_name("Investigator's choice of therapy", "DRUG").drugs == []


def test_other_names_are_read_too() -> None:
    iv = Intervention(name="Chemotherapy", type="DRUG", other_names=["carboplatin", "Taxol"])
    assert normalise_intervention(iv).drugs == ["carboplatin", "paclitaxel"]


def test_lookup_prefers_curated_names_and_never_guesses() -> None:
    lex = Lexicon.default()
    assert [e.drug for e in lex.lookup("Sofantinib")] == ["surufatinib"]  # curated only
    assert normalise_intervention_name("Zorblatinumab", "DRUG").unresolved == ["Zorblatinumab"]
