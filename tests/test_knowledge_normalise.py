"""Intervention names resolve to the expected generic drugs: seeds and the vendored ctgov records."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from defusedxml import ElementTree

from trialkg.knowledge.normalise import (
    normalise_intervention,
    normalise_intervention_name,
    normalise_record,
)
from trialkg.records import Intervention

DATA = Path(__file__).parent / "data" / "knowledge"


@pytest.mark.parametrize(
    ("name", "drugs", "method"),
    [
        ("Apatinib Mesylate", ["apatinib"], "salt"),
        ("rivoceranib", ["apatinib"], "synonym"),
        ("YN968D1", ["apatinib"], "code"),
        ("Anlotinib Hydrochloride", ["anlotinib"], "salt"),
        ("AL-3818", ["anlotinib"], "code"),
        ("Sofantinib", ["surufatinib"], "synonym"),
        ("Toripalimab monoclonal antibody", ["toripalimab"], "salt"),
        ("Sulfatinb", ["surufatinib"], "fuzzy"),
        ("  ANLOTINIB  ", ["anlotinib"], "exact"),
        ("Drug: Apatinib Mesylate, Pirarubicin, Ifosfamide", ["apatinib", "pirarubicin", "ifosfamide"], "split"),
        ("anlotinib plus toripalimab", ["anlotinib", "toripalimab"], "split"),
        ("Camrelizumab + Apatinib", ["camrelizumab", "apatinib"], "split"),
        ("doxorubicin and ifosfamide", ["doxorubicin", "ifosfamide"], "split"),
        ("Endostar", ["recombinant human endostatin"], "synonym"),
    ],
)
def test_names_resolve(name: str, drugs: list[str], method: str) -> None:
    res = normalise_intervention_name(name, "DRUG")
    assert res.drugs == drugs
    assert res.unresolved == []
    assert {m["method"] for m in res.matches} == {method}
    assert all(m["matched"] for m in res.matches)


def test_fuzzy_records_synonym_and_score() -> None:
    (m,) = normalise_intervention_name("Sulfatinb", "DRUG").matches
    assert m["matched"] == "sulfatinib" and 80 <= m["score"] < 100


def test_made_up_name_stays_unresolved() -> None:
    res = normalise_intervention_name("Zorblatinumab", "DRUG")
    assert res.drugs == [] and res.unresolved == ["Zorblatinumab"] and res.kind == "unresolved"


def test_look_alike_drug_is_not_fuzzed_into_another() -> None:
    # lapatinib is one edit from apatinib: it must resolve to itself.
    assert normalise_intervention_name("Lapatinib", "DRUG").drugs == ["lapatinib"]


def test_non_drug_interventions_stay_typed() -> None:
    for name, itype in [("Radiotherapy", "RADIATION"), ("Cytoreductive nephrectomy", "PROCEDURE"),
                        ("Exercise", None), ("Laboratory Biomarker Analysis", "OTHER")]:
        res = normalise_intervention_name(name, itype)
        assert res.kind == "non-drug" and res.drugs == [] and res.unresolved == []


def test_placebo_is_no_drug_even_when_named_after_one() -> None:
    iv = Intervention(name="placebo", type="DRUG", other_names=["HMPL-013 placebo"])
    res = normalise_intervention(iv)
    assert res.kind == "placebo" and res.drugs == []


def _ctgov_interventions(root: Path) -> dict[tuple[str, str], Intervention]:
    out: dict[tuple[str, str], Intervention] = {}
    for path in sorted(root.rglob("*.xml")):
        for iv in ElementTree.parse(path).getroot().findall("intervention"):
            itype = (iv.findtext("intervention_type") or "").upper().replace(" ", "_") or None
            name = iv.findtext("intervention_name") or ""
            others = [o.text or "" for o in iv.findall("other_name")]
            out[(str(path.relative_to(root)), name)] = Intervention(name=name, type=itype, other_names=others)
    for path in sorted(root.rglob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for study in doc.get("studies", [doc]):
            module = study.get("protocolSection", {}).get("armsInterventionsModule", {})
            for iv in module.get("interventions", []):
                out[(str(path.relative_to(root)), iv["name"])] = Intervention(
                    name=iv["name"], type=iv.get("type"), other_names=iv.get("otherNames", []))
    return out


def test_every_ctgov_corpus_intervention(ctgov_corpus: Path) -> None:
    found = _ctgov_interventions(ctgov_corpus)
    lines = [ln for ln in (DATA / "expected_ctgov_interventions.tsv").read_text().splitlines()
             if not ln.startswith("#")]
    expected = list(csv.DictReader(lines, delimiter="\t"))
    assert len(expected) >= 150
    wrong = []
    for row in expected:
        iv = found[(row["file"], row["name"])]
        res = normalise_intervention(iv)
        want = [d for d in row["drugs"].split("|") if d]
        if res.drugs != want or res.kind != row["kind"]:
            wrong.append((row["file"], row["name"], res.drugs, res.kind))
    assert wrong == []
    assert set(found) == {(r["file"], r["name"]) for r in expected}, "every intervention has an answer"


def test_seed_records_get_drugs_and_no_warnings(seeds_dir: Path) -> None:
    from trialkg.sources import iter_records

    records = {r.id: r for r in iter_records([str(seeds_dir)]) if not isinstance(r, Exception)}
    for r in records.values():
        normalise_record(r)
        assert [w for w in r.warnings if w.code == "unresolved-drug"] == []
    combo = records["NCT04126811"]
    assert [iv.drugs for iv in combo.interventions] == [
        ["apatinib", "pirarubicin", "ifosfamide"], ["apatinib"], ["pirarubicin", "ifosfamide"]]
    assert [d["name"] for d in combo.drugs] == ["apatinib", "pirarubicin", "ifosfamide"]
    apatinib = combo.drugs[0]
    assert apatinib["ids"]["chembl"] == "CHEMBL3186534"
    assert {"KDR", "RET", "KIT", "SRC"} == {t["symbol"] for t in apatinib["targets"]}
    assert records["NCT06110650"].interventions[0].drugs == ["surufatinib"]
    assert records["NCT03890068"].interventions[0].drugs == ["anlotinib"]
    # The aggregator page lost its intervention list: drugs inferred from the text.
    page = next(r for r in records.values() if r.nct_id is None)
    assert {d for iv in page.interventions for d in iv.drugs} >= {"anlotinib", "toripalimab"}


def test_unresolved_drug_is_kept_and_warned() -> None:
    from trialkg.records import Provenance, TrialRecord

    rec = TrialRecord(id="TKG-test", nct_id=None, provenance=Provenance("x", "ctgov-json", "0"),
                      interventions=[Intervention(name="Zorblatinumab", type="DRUG"),
                                     Intervention(name="Apatinib", type="DRUG")])
    normalise_record(rec)
    assert [iv.name for iv in rec.interventions] == ["Zorblatinumab", "Apatinib"]
    assert rec.interventions[0].drugs == []
    assert rec.interventions[0].normalisation[0]["method"] == "unresolved"
    (w,) = [w for w in rec.warnings if w.code == "unresolved-drug"]
    assert "Zorblatinumab" in w.message and w.field == "interventions[0].name"
    assert [d["name"] for d in rec.drugs] == ["apatinib"]
