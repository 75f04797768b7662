"""Fuzzing the readers: no input crashes them; every failure is a TrialKGError."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialkg.errors import TrialKGError
from trialkg.records import TrialRecord
from trialkg.sources import ctgov_json, ctgov_xml, pages, read_bytes
from trialkg.sources.dates import parse_age, parse_date

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SEED_LINES = [ln for p in sorted(SEEDS.glob("*.txt")) for ln in p.read_text(encoding="utf-8").splitlines()]
# Lines that steer layout detection and section parsing, so mutations reach deep code.
MARKERS = ["NCT ID: NCT04072042", "NCT ID: NCT123", "Basic Information", "Eligibility Criteria",
           "Study Groups", "Interventions", "Group Type EXPERIMENTAL", "Intervention Type DRUG",
           "Inclusion Criteria", "Exclusion Criteria", "Sponsors", "Sponsor Role lead", "Locations",
           "ClinicalTrials.gov Identifier: NCT04126811 |", "Recruitment Status :", "- Tabular View",
           "Arm | Intervention/treatment |", "---|---|", "Experimental: X", "Drug: Y", "|",
           "Status and phase", "Data sourced from clinicaltrials.gov", "Inclusion criteria",
           "Exclusion criteria", "Site Status RECRUITING", "Role: CONTACT", "18 Years", "ALL", "No",
           "2019-02-30", "Estimated Enrollment : | many participants |", "Condition or disease | Phase |"]

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(results: object) -> None:
    for r in results:  # type: ignore[attr-defined]
        assert isinstance(r, (TrialRecord, TrialKGError)), type(r)


page_text = st.lists(st.one_of(st.sampled_from(SEED_LINES), st.sampled_from(MARKERS), st.text(max_size=60)),
                     max_size=80).map("\n".join)


@FUZZ
@given(page_text)
def test_pages_never_crash(text: str) -> None:
    _check(pages.read_bytes(text.encode("utf-8"), file="fuzz.txt"))


@FUZZ
@given(st.binary(max_size=400))
def test_any_bytes_never_crash(data: bytes) -> None:
    _check(read_bytes(data, file="fuzz.bin"))


@FUZZ
@given(st.integers(0, 4), st.randoms(use_true_random=False))
def test_seed_pages_with_lines_dropped_never_crash(which: int, rnd: object) -> None:
    lines = sorted(SEEDS.glob("*.txt"))[which].read_text(encoding="utf-8").splitlines()
    kept = [ln for ln in lines if rnd.random() > 0.2]  # type: ignore[attr-defined]
    _check(pages.read_bytes("\n".join(kept).encode("utf-8"), file="fuzz.txt"))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20)
MODULES = ["identificationModule", "statusModule", "sponsorCollaboratorsModule", "descriptionModule",
           "conditionsModule", "designModule", "armsInterventionsModule", "outcomesModule",
           "eligibilityModule", "contactsLocationsModule", "referencesModule"]


@FUZZ
@given(st.dictionaries(st.sampled_from(MODULES), json_values, max_size=6), json_values)
def test_v2_json_with_wrong_shapes_never_crashes(modules: dict, derived: object) -> None:
    study = {"protocolSection": {**modules, "identificationModule": {"nctId": "NCT01234567"}},
             "derivedSection": derived}
    for key, value in modules.items():
        if key != "identificationModule":
            study["protocolSection"][key] = value
    _check(ctgov_json.read_bytes(json.dumps(study).encode(), file="fuzz.json"))


XML_TAGS = ["brief_title", "overall_status", "phase", "enrollment", "start_date", "condition",
            "arm_group", "intervention", "eligibility", "location", "sponsors", "minimum_age"]


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(XML_TAGS), st.text(alphabet=st.characters(
    blacklist_categories=("Cs", "Cc")), max_size=30)), max_size=10))
def test_classic_xml_never_crashes(parts: list[tuple[str, str]]) -> None:
    from xml.sax.saxutils import escape

    body = "".join(f"<{t}>{escape(v)}</{t}>" for t, v in parts)
    xml = f"<clinical_study><id_info><nct_id>NCT01234567</nct_id></id_info>{body}</clinical_study>"
    _check(ctgov_xml.read_bytes(xml.encode("utf-8"), file="fuzz.xml"))


@FUZZ
@given(st.text(max_size=30))
def test_dates_and_ages_never_crash(text: str) -> None:
    parse_date(text)
    parse_age(text)
