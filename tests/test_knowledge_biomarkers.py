"""Biomarkers of NCT04072042: one per arm, each with its genes."""

from __future__ import annotations

from pathlib import Path

from trialkg.knowledge.normalise import normalise_record
from trialkg.pipeline import split_items
from trialkg.sources import iter_records

DATA = Path(__file__).parent / "data" / "knowledge"


def _record(path: Path):
    (rec,) = [r for r in iter_records([str(path)]) if not isinstance(r, Exception)]
    return normalise_record(split_items(rec))


def test_seed_page_arms_define_three_biomarkers(seeds_dir: Path) -> None:
    rec = _record(next(seeds_dir.glob("000_*.txt")))
    arms = [b for b in rec.biomarkers if b["found_in"] == "arm"]
    assert len(arms) == 3 and len(rec.biomarkers) == 3  # the description restates arm 1
    by_arm = {b["arm"]: b for b in arms}
    assert set(by_arm) == {a.label for a in rec.arms}
    snp, csf1, amp = arms
    assert snp["gene"] == "KDR" and snp["kind"] == "variant" and "rs2071559" in snp["variant"]
    assert "604A>G" in snp["variant"]
    assert csf1["gene"] == "CSF1" and csf1["assay"] == "IHC" and csf1["threshold"] == ">= 30%"
    assert set(csf1["kinds"]) >= {"amplification", "expression"}
    assert amp["kind"] == "amplification" and amp["assay"] == "FISH"
    assert set(amp["genes"]) == {"KIT", "PDGFRA", "KDR"}


def test_registry_record_description_variant() -> None:
    rec = _record(DATA / "NCT04072042.xml")
    variants = {b["variant"] for b in rec.biomarkers}
    assert "rs2071559 604A>G" in variants
    assert all(b["gene"] == "KDR" for b in rec.biomarkers)
