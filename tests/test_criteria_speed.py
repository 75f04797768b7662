"""The criteria speed-ups change no reading: literal gates, the item memo, unit factors."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from trialkg import textgate as gates
from trialkg.criteria import (
    annotate_record,
    parse_cache_info,
    parse_text,
    set_parse_cache,
    split_criteria,
    units,
)
from trialkg.criteria.parse import parse_item
from trialkg.criteria.rules.binding import VARIABLE_RES
from trialkg.criteria.rules.disease import COMORB_RES, DISEASE_RES
from trialkg.knowledge.biomarkers import extract_biomarkers
from trialkg.pipeline import split_items
from trialkg.records import CriterionItem, TrialRecord
from trialkg.sources import iter_records

DATA = Path(__file__).parent / "data"


def _items() -> list[CriterionItem]:
    """Every item of the real criteria fixtures (registry pages and records)."""
    out: list[CriterionItem] = []
    for path in sorted((DATA / "criteria").glob("*.txt")):
        out += split_criteria(path.read_text(encoding="utf-8"))
    for rec in iter_records([DATA / "ctgov"]):
        if isinstance(rec, TrialRecord):
            out += list(rec.eligibility.inclusion) + list(rec.eligibility.exclusion)
            if rec.eligibility.criteria_text and not rec.eligibility.inclusion:
                out += split_criteria(rec.eligibility.criteria_text)
    return out


@pytest.fixture(scope="module")
def items() -> list[CriterionItem]:
    got = _items()
    assert len(got) > 100
    return got


def test_fold_traps_are_every_non_ascii_character_re_folds_onto_ascii() -> None:
    # The gates compare literals with str.lower(); characters re.IGNORECASE matches with
    # an ASCII letter or digit but str.lower() does not map to it must open every gate.
    found = set()
    for cp in range(0x80, sys.maxunicode + 1):
        c = chr(cp)
        if re.fullmatch(r"[a-z0-9]", c, re.IGNORECASE) and not (c.lower().isascii() and len(c.lower()) == 1):
            found.add(c)
    assert found == set(gates.FOLD_TRAPS)


def test_required_literals_of_lexicon_patterns() -> None:
    (anc,) = [g for name, g in VARIABLE_RES if name == "neutrophils"]  # "ANC" is foldable: one pattern
    assert anc.need is not None and ("neutrophil", True) in anc.need and anc.can_match("anc >= 1500")
    ci, cs = [g for name, g in VARIABLE_RES if name == "pt"]
    assert ci.need is not None and ("prothrombin time", True) in ci.need
    assert cs.need is not None and all(not insensitive for _, insensitive in cs.need)  # "PT": capitals as written
    assert cs.can_match("PT <= 1.5 x ULN") and not cs.can_match("pt <= 1.5 x uln")
    assert gates.required_literals(r"\d+(?:\.\d+)?") is None  # nothing literal: never gated
    assert gates.required_literals(r"(?i:ab(?:cd|de)f)x?") == (("ab", True),)


def test_every_gated_pattern_that_matches_passes_its_gate(items: list[CriterionItem]) -> None:
    families = [g for _, g in VARIABLE_RES] + [g for _, g in DISEASE_RES] + [g for _, g in COMORB_RES]
    checked = 0
    for item in items:
        for g in families:
            if g.rx.search(item.text):
                checked += 1
                assert g.can_match(item.text), (g.pattern[:60], item.text)
    assert checked > 200


def test_fold_trap_opens_the_gate() -> None:
    g = gates.Gated(r"bilirubin", re.IGNORECASE)
    assert not g.can_match("total BILI")
    assert g.can_match("Total BİLİRUBİN ≤ 1.5")  # dotted capital I: re folds it, str.lower does not
    assert g.search("ſerum bilirubin")


def _read_all(items: list[CriterionItem]) -> list[dict]:
    return [parse_item(i, "NCT00000000") for i in items]


def test_gates_and_memo_change_no_reading(items: list[CriterionItem]) -> None:
    try:
        set_parse_cache(0)
        gates.set_gates(False)
        plain = _read_all(items)
        gates.set_gates(True)
        gated = _read_all(items)
        set_parse_cache()
        memo_cold = _read_all(items)
        memo_warm = _read_all(items)
    finally:
        gates.set_gates(True)
        set_parse_cache()
    assert gated == plain
    assert memo_cold == plain
    assert memo_warm == plain
    assert sum(len(c["constraints"]) for c in plain) > len(items)


def test_memo_hands_out_copies() -> None:
    set_parse_cache()
    item = CriterionItem(section="inclusion", position=1, text="ECOG performance status 0-1")
    first = parse_item(item)
    first["constraints"][0]["allowed_values"].append(99)
    first["constraints"].clear()
    again = parse_item(item)
    assert again["constraints"][0]["allowed_values"] == [0, 1]
    info = parse_cache_info()
    assert info is not None and info.hits >= 1
    other = parse_text("ECOG performance status 0-1")
    other[0]["variable"] = "changed"
    assert parse_text("ECOG performance status 0-1")[0]["variable"] == "ecog"


def test_memo_key_includes_section_and_context() -> None:
    set_parse_cache()
    inc = parse_item(CriterionItem(section="inclusion", position=1, text="Brain metastases"))
    exc = parse_item(CriterionItem(section="exclusion", position=1, text="Brain metastases"))
    assert inc["constraints"][0]["required"] is True
    assert exc["constraints"][0]["required"] is False


def test_annotate_record_same_with_memo_off_and_on() -> None:
    recs = [r for r in iter_records([DATA / "ctgov"]) if isinstance(r, TrialRecord)]
    try:
        set_parse_cache(0)
        for r in recs:
            annotate_record(r)
        off = [(r.eligibility.criteria, r.eligibility.summary) for r in recs]  # type: ignore[attr-defined]
        set_parse_cache()
        for r in recs:
            annotate_record(r)
        on = [(r.eligibility.criteria, r.eligibility.summary) for r in recs]  # type: ignore[attr-defined]
    finally:
        set_parse_cache()
    assert on == off
    assert any(summary["ecog"] for _, summary in on)


def test_unit_factors_are_cached_and_errors_stay_errors() -> None:
    assert units.convert(80, "g/L", "g/dL") == pytest.approx(8.0)
    assert units.convert(1.5, "mg/dL", "umol/L", variable="creatinine") == pytest.approx(132.6, rel=1e-3)
    before = units._factor.cache_info().hits
    assert units.convert(3.0, "mg/dL", "umol/L", variable="creatinine") == pytest.approx(265.2, rel=1e-3)
    assert units._factor.cache_info().hits == before + 1
    for _ in range(2):  # the cached refusal still raises, with its message
        with pytest.raises(ValueError, match="cannot convert mg/dL to umol/L"):
            units.convert(1.0, "mg/dL", "umol/L")
    assert units.convert(37.5, "Cel", "Cel") == 37.5
    assert units.canonical("creatinine", 1.5, "mg/dL") == (1.5, "mg/dL")
    assert units.canonical("creatinine", 132.6, "umol/L") == (pytest.approx(1.5, rel=1e-3), "mg/dL")


def test_biomarkers_of_real_records_still_found() -> None:
    recs = [r for r in iter_records([DATA / "ctgov"]) if isinstance(r, TrialRecord)]
    found = [b for r in recs for b in extract_biomarkers(split_items(r))]
    for b in found:
        assert b["kind"] in ("fusion", "variant", "amplification", "deletion", "expression")
        assert b["gene"]
