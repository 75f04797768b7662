"""The splitter on registry layouts, the units, and the ``trialkg criteria`` command."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from trialkg.criteria import annotate_record, parse_criteria_text, split_criteria, units
from trialkg.criteria.parse import parse_item
from trialkg.records import CriterionItem, Provenance, TrialRecord

DATA = Path(__file__).parent / "data" / "criteria"

XML_BLOCK = """
        Inclusion Criteria:

          1. Age 18 to 75 years;

          2. A distantly metastatic or locally advanced soft tissue sarcoma determined
             by the investigator not suitable for surgical treatment.

          3. Adequate organ function:

               1. ANC >= 1.5 x 10^9/L
               2. Platelets >= 100 x 10^9/L

        Exclusion Criteria:

          1. Pregnant or breastfeeding women.
"""

MARKDOWN_BLOCK = """Inclusion Criteria:

* Age ≥18 years.
* ECOG performance status 0-1.
  * sub item about INR \\< 1.5
* Hemoglobin \\>= 9 g/dL and ANC \\> 1.5×10\\^9/L

FFPE tumor tissue block must be available.

Exclusion Criteria:

* Prior treatment with sorafenib.
"""


def test_xml_textblock_wrapped_and_nested():
    items = split_criteria(XML_BLOCK)
    texts = [i.text for i in items]
    assert texts[1].startswith("A distantly metastatic") and texts[1].endswith("surgical treatment.")
    assert [i.section for i in items] == ["inclusion"] * 5 + ["exclusion"]
    anc = items[3]
    assert anc.text == "ANC >= 1.5 x 10^9/L" and anc.context == "Adequate organ function:"
    assert [i.position for i in items] == [1, 2, 3, 4, 5, 1]


def test_markdown_escapes_and_paragraphs():
    items = split_criteria(MARKDOWN_BLOCK)
    texts = [i.text for i in items]
    assert "sub item about INR < 1.5" in texts
    assert items[texts.index("sub item about INR < 1.5")].context == "ECOG performance status 0-1."
    assert "Hemoglobin >= 9 g/dL and ANC > 1.5×10^9/L" in texts
    assert "FFPE tumor tissue block must be available." in texts
    assert items[-1].section == "exclusion" and items[-1].text == "Prior treatment with sorafenib."


def test_no_headers_is_inclusion():
    items = split_criteria("Age over 18 years\nECOG 0-2\n")
    assert [(i.section, i.text) for i in items] == [("inclusion", "Age over 18 years"), ("inclusion", "ECOG 0-2")]


def test_aggregator_layout_one_item_per_line():
    items = split_criteria((DATA / "seed004_aggregator.txt").read_text(encoding="utf-8"))
    assert sum(i.section == "inclusion" for i in items) == 6
    assert sum(i.section == "exclusion" for i in items) == 17


def test_parse_item_shape():
    c = parse_item(CriterionItem("exclusion", "No prior chemotherapy within the past 3 months", None, 4))
    assert c["id"] == "exc-4" and c["section"] == "exclusion" and c["negated"] is True
    pt = c["constraints"][0]
    assert pt["type"] == "prior_therapy" and pt["window"] == "P3M" and pt["window_days"] == 90


def test_unparsed_is_kept():
    c = parse_item(CriterionItem("inclusion", "Lives within driving distance of the clinic", None, 1))
    assert c["constraints"] == [{"type": "unparsed", "span": "Lives within driving distance of the clinic"}]
    assert c["category"] == "other"


@pytest.mark.parametrize(
    ("text", "variable", "comparator", "value", "unit", "relative_to"),
    [
        ("Creatinine ≤ 1.5 mg/dL or creatinine clearance ≥ 50 mL/min", "creatinine", "<=", 1.5, "mg/dL", None),
        ("Total bilirubin ≤ 1.5 times the upper limit of normal", "bilirubin", "<=", 1.5, None, "ULN"),
        ("Platelets ≥ 100,000/mm3", "platelets", ">=", 100000, "/mm3", None),
        ("QTcF > 470 msec", "qtc", ">", 470, "ms", None),
        ("Serum albumin at least 3.0 g/dL", "albumin", ">=", 3.0, "g/dL", None),
    ],
)
def test_lab_patterns(text, variable, comparator, value, unit, relative_to):
    [crit] = parse_criteria_text(text)
    c = next(k for k in crit["constraints"] if k.get("variable") == variable)
    assert (c["comparator"], c["value"], c["unit"], c["relative_to"]) == (comparator, value, unit, relative_to)


def test_karnofsky_and_unit_conversion():
    [crit] = parse_criteria_text("Karnofsky performance status >= 70%")
    c = crit["constraints"][0]
    assert (c["type"], c["variable"], c["comparator"], c["value"]) == ("performance_status", "karnofsky", ">=", 70)
    [crit] = parse_criteria_text("Platelets ≥ 100,000/mm3")
    assert crit["constraints"][0]["canonical_value"] == 100
    assert crit["constraints"][0]["canonical_unit"] == "10*9/L"


def test_units_convert():
    assert units.convert(80, "g/L", "g/dL") == pytest.approx(8.0)
    assert units.convert(1500, "/mm3", "10*9/L") == pytest.approx(1.5)
    assert units.convert(1.0, "mg/dL", "umol/L", variable="creatinine") == pytest.approx(88.4, rel=1e-3)
    assert units.convert(17.1, "umol/L", "mg/dL", variable="bilirubin") == pytest.approx(1.0, rel=1e-2)
    assert units.ucum_code("x 10^9/L") == "10*9/L" and units.ucum_code("msec") == "ms"
    assert units.window_days(3, "mo") == 90 and units.iso_duration(8, "wk") == "P8W"
    with pytest.raises(ValueError):
        units.convert(1.0, "mg/dL", "umol/L")  # no analyte: no molar mass
    assert not math.isnan(units.convert(2, "a", "mo"))


def test_annotate_record_fills_items_and_summary():
    text = (DATA / "seed003_NCT06110650.txt").read_text(encoding="utf-8")
    rec = TrialRecord(id="NCT06110650", nct_id="NCT06110650",
                      provenance=Provenance(file="x", format="page-ctgov", sha256="0"))
    rec.eligibility.criteria_text = text
    summary = annotate_record(rec)
    assert len(rec.eligibility.inclusion) == 13 and len(rec.eligibility.exclusion) == 22
    assert rec.eligibility.criteria[0]["id"] == "inc-1"
    assert summary["ecog"] == [0, 1]


def test_cli_json_and_table(tmp_path):
    src = DATA / "seed002_NCT03890068.txt"
    out = subprocess.run([sys.executable, "-m", "trialkg.cli", "criteria", str(src), "--format", "json"],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0 and "No module named trialkg.cli.__main__" in out.stderr:
        out = subprocess.run(["trialkg", "criteria", str(src), "--format", "json"],
                             capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data[0]["id"] == "inc-1" and {"section", "text", "negated", "category", "constraints"} <= set(data[0])
    table = subprocess.run(["trialkg", "criteria", "-", "--format", "table"], input="ECOG 0-1\n",
                           capture_output=True, text=True, check=False)
    assert table.returncode == 0 and "ecog" in table.stdout


def test_cli_bad_input_one_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    out = subprocess.run(["trialkg", "criteria", str(bad)], capture_output=True, text=True, check=False)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and "bad.txt" in out.stderr


def test_a_section_header_for_a_population_opens_its_section() -> None:
    # LCT NCT03923218: the heading is no part of the item above it
    text = ("Inclusion Criteria for chronic periodontitis groups:\n  -  gingival index (GI) score> 1\n"
            "Inclusion criteria for control group:\n  -  Gingival index <1\n")
    items = split_criteria(text)
    assert [(i.section, i.text) for i in items] == [
        ("inclusion", "gingival index (GI) score> 1"), ("inclusion", "Gingival index <1")]
    # LCT NCT03924479: the items under it are exclusions
    text = ("Inclusion Criteria for HFpEF, includes:\n  -  Clinical diagnosis of HFpEF.\n"
            "Exclusion Criteria for all subjects, includes:\n  -  body mass index >35 kg/m2\n")
    assert [(i.section, i.text) for i in split_criteria(text)] == [
        ("inclusion", "Clinical diagnosis of HFpEF."), ("exclusion", "body mass index >35 kg/m2")]
    # LCT NCT03867760
    text = "Exclusion Criteria:\n• has a psychiatric condition\nExclusion Criteria for Optional EEG Measurement:\n  -  a history of brain cancer.\n"
    assert [i.section for i in split_criteria(text)] == ["exclusion", "exclusion"]
    assert split_criteria(text)[1].context is None


def _first_unit(chunk: str) -> tuple[str, int] | None:
    """The written-unit list tried one pattern at a time (what ``units._WRITTEN_ANY`` stands for)."""
    for rx, code in units._WRITTEN_RE:
        m = rx.match(chunk)
        if m and m.end() > 0:
            return code, m.end()
    return None


def test_one_alternation_reads_the_units_as_the_list_does():
    """The units as criteria write them, after every number of the vendored criteria
    lines and the usual spellings: the alternation gives the unit the list gives first."""
    data = Path(__file__).parent / "data" / "criteria"
    chunks = ["mg/dL", "g/L", "mmol/L", "%", "years", "yrs", "mmHg", "mm Hg", "ms", "s", "sec", "kg/m2",
              "th percentile", "degrees", "° F", "mL/min/1.73 m2", "ml/min", "grams", "g per 24 hours", "lbs",
              "inches", "feet", "mg", "m", "mm3", "cm", "ml", "l", "liters", "bpm", "months", "wks", "days", "h", "x"]
    for p in sorted(data.glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        chunks += [text[m.end() : m.end() + 40].lstrip() for m in re.finditer(r"\d", text)]
    for chunk in chunks:
        m = units._WRITTEN_ANY.match(chunk)
        got = (units._WRITTEN_CODES[m.lastgroup], m.end()) if m and m.end() > 0 else None
        assert got == _first_unit(chunk), chunk
        full = next((code for rx, code in units._WRITTEN_RE if rx.fullmatch(chunk.strip())), None)
        if not units._POWER.fullmatch(chunk.strip()) and chunk.strip() != "G/L":
            assert units.ucum_code(chunk) == full, chunk


def test_the_header_word_test_skips_no_header():
    """A line is tried as a section header only when it has a header word; the skipped
    lines are those the pattern does not match (vendored records and criteria lines,
    headers in capitals, with a dotted capital I or a long s that re folds onto ASCII)."""
    from trialkg.criteria import split

    data = Path(__file__).parent / "data"
    lines = ["İNCLUSION CRITERIA:", "EXCLUſION:", "Inclusion Criteria:", "ELIGIBILITY", "Key Exclusion Criteria",
             "Cohort B:", "- Age >= 18"]
    for p in sorted((data / "criteria").glob("*.txt")) + sorted((data / "ctgov_corpus").glob("*.xml"))[:6]:
        lines += p.read_text(encoding="utf-8").split("\n")
    for line in lines:
        a, b = split._HEADER.match(line), split._header_match(line)
        assert (a and (a.span(), a.groupdict())) == (b and (b.span(), b.groupdict())), line
