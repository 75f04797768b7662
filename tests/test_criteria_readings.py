"""Readings that turned a criterion around, each fixed as a class of phrasing: a
life-expectancy upper bound among inclusion criteria, a negated population that names
who a threshold is for, an on-study rule read as an entry criterion, interferon named
as "IFN". Real records from tests/data/ctgov_corpus/ and items of the LCT corpus
(benchmarks/data/criteria/lct/), built into a store with the real pipeline; the
matcher's outcome is checked for a patient the clause concerns and one it does not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import match_support
import pytest
from match_support import criterion

from trialkg.criteria import parse_criteria_text
from trialkg.match import Criterion, read_trials
from trialkg.store import TrialStore

CORPUS = Path(__file__).parent / "data" / "ctgov_corpus"
LCT = Path(__file__).parents[1] / "benchmarks" / "data" / "criteria" / "lct"
RECORDS = ["NCT01900743", "NCT02589821", "NCT02465060"]
# LCT documents vendored as criteria text, built here as minimal registry records.
LCT_DOCS = {"NCT03928964": "ner_nic_dev300/batch16__NCT03928964.txt",
            "NCT03921658": "ner_nic_sample/batch13__NCT03921658.txt"}
BASE: dict[str, Any] = {"age_years": 55, "sex": "FEMALE", "ecog": 1, "conditions": ["leiomyosarcoma"]}


def _record_json(nct: str, text: str, folder: Path) -> Path:
    study = {"protocolSection": {
        "identificationModule": {"nctId": nct, "briefTitle": f"{nct} (criteria from the LCT corpus)"},
        "eligibilityModule": {"eligibilityCriteria": text}}}
    path = folder / f"{nct}.json"
    path.write_text(json.dumps(study), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> TrialStore:
    from trialkg.pipeline import build

    folder = tmp_path_factory.mktemp("readings")
    paths = [str(next(CORPUS.rglob(f"{n}.xml"))) for n in RECORDS]
    paths += [str(_record_json(n, (LCT / p).read_text(encoding="utf-8"), folder)) for n, p in LCT_DOCS.items()]
    build(paths, store_path=folder / "store", replace=True, jobs=1, quiet=True)
    return TrialStore(folder / "store", read_only=True)


@pytest.fixture(scope="module")
def trials(store: TrialStore) -> dict[str, Any]:
    return {t.id: t for t in read_trials(store)}


def outcome(store: TrialStore, nct: str, crit: Criterion, patient: dict[str, Any]) -> str:
    return match_support.outcome(store, nct, crit, {**BASE, **patient})


def parse_one(section: str, text: str) -> dict[str, Any]:
    head = "Inclusion Criteria:" if section == "inclusion" else "Exclusion Criteria:"
    (crit,) = parse_criteria_text(f"{head}\n  -  {text}\n")
    return crit


# ---------------------------------------------------------------- life expectancy


def test_life_expectancy_upper_bound_at_entry_never_decides(store: TrialStore, trials: dict[str, Any]) -> None:
    """"Life expectancy <= 3 months" among the inclusion criteria of NCT01900743 (a
    regorafenib sarcoma trial) would admit only the dying: kept, never deciding."""
    crit = criterion(trials, "NCT01900743", "Life expectancy ≤ 3 months")
    assert [k.type for k in crit.constraints] == ["unparsed"]
    assert crit.constraints[0].one("unparsedReason") == "direction"
    for months in (2, 12):
        assert outcome(store, "NCT01900743", crit, {"life_expectancy_months": months}) == "unknown"


def test_life_expectancy_upper_bound_in_an_exclusion_list_excludes(store: TrialStore, trials: dict[str, Any]) -> None:
    """"Life expectancy < 3 months or in hospice care or nursing home" (LCT NCT03921658)
    and "Life expectancy less than 1 year" (LCT NCT03862131) are exclusions."""
    crit = criterion(trials, "NCT03921658", "Life expectancy < 3 months")
    assert crit.role == "exclusion" and "life_expectancy" in [k.type for k in crit.constraints]
    assert outcome(store, "NCT03921658", crit, {"life_expectancy_months": 2}) == "unmet"
    other = parse_one("exclusion", "Life expectancy less than 1 year")
    assert other["role"] == "exclusion" and other["constraints"][0]["type"] == "life_expectancy"


def test_palliative_upper_bound_means_what_it_says() -> None:
    crits = parse_criteria_text("Inclusion Criteria:\n  -  Terminal illness with a life expectancy of less than 6 months\n"
                                "Exclusion Criteria:\n  -  Inability to consent\n")
    assert [c["type"] for c in crits[0]["constraints"] if c["type"] == "life_expectancy"] == ["life_expectancy"]


def test_a_line_without_headers_keeps_its_bound() -> None:
    """A pasted line has no list: "life expectancy < 3 months" is read as written."""
    (crit,) = parse_criteria_text("life expectancy < 3 months")
    assert crit["constraints"][0]["type"] == "life_expectancy"


# ---------------------------------------------------------------- negated populations


def test_negated_population_is_a_condition_not_a_negation(store: TrialStore, trials: dict[str, Any]) -> None:
    """NCT02589821: "Patients who do not have liver metastasis, with ALT and AST <= 2.5
    times the ULN; and who do have liver metastatic, with ALT and AST <= 5 times ULN."
    A requirement: 2.5 x ULN in general, 5 x ULN with liver metastases."""
    crit = criterion(trials, "NCT02589821", "Patients who do not have liver metastasis")
    assert crit.role == "requirement" and crit.negation_scope == "detail"
    limits = sorted((k.num("value"), k.one("appliesIf")) for k in crit.constraints if k.type == "numeric")
    assert limits == [(2.5, None), (2.5, None), (5.0, "liver metastases"), (5.0, "liver metastases")]
    assert {k.type for k in crit.constraints} == {"numeric"}
    ast3 = {"labs": {"ast": {"value": 3, "unit": "x ULN"}, "alt": {"value": 1, "unit": "x ULN"}}}
    assert outcome(store, "NCT02589821", crit, {**ast3, "flags": {"liver_metastases": True}}) == "met"
    assert outcome(store, "NCT02589821", crit, {**ast3, "flags": {"liver_metastases": False}}) == "unmet"


def test_lead_in_without_a_condition_fact_is_its_absence() -> None:
    """"For subjects without liver metastases: ALT and AST <= 3 x ULN" (Facebook
    Clinical-Trial-Parser test split; the same class as NCT02589821): the condition is
    the absence of liver metastases."""
    crit = parse_one("inclusion", "For subjects without liver metastases: alanine aminotransferase (ALT) and "
                                  "aspartate aminotransferase (AST) ≤ 3 x ULN")
    assert crit["role"] == "requirement"
    assert crit["applies_if_facts"] == ["liver_metastases"] and crit["applies_if_negated"] is True


def test_a_whole_negated_item_stays_negated() -> None:
    """"Patients without Keratoconus." (LCT NCT03923101) in an exclusion list asks for
    keratoconus; a list after "without" is no population clause."""
    assert parse_one("exclusion", "Patients without Keratoconus.")["role"] == "requirement"
    crit = parse_one("inclusion", "Patients without brain metastases, leptomeningeal disease or spinal cord compression")
    assert crit["role"] == "exclusion" and crit["negation_scope"] == "criterion"


# ---------------------------------------------------------------- on-study rules


def test_on_study_rules_are_no_entry_criteria(store: TrialStore, trials: dict[str, Any]) -> None:
    """NCT02465060 (NCI-MATCH): "Intervening therapy that constitutes a new, molecularly
    targeted therapy is not permitted" concerns treatment between steps, after
    enrolment; it excludes no one at entry and is no prior-therapy exclusion."""
    crit = criterion(trials, "NCT02465060", "Intervening therapy that constitutes a new")
    assert crit.entry is False
    for therapies in ([{"drug": "imatinib", "weeks_since_last_dose": 10}], []):
        assert outcome(store, "NCT02465060", crit, {"prior_therapies": therapies}) == "n/a"
    note = criterion(trials, "NCT02465060", "no intervening systemic non-protocol treatment is permitted")
    assert note.entry is False


def test_on_study_rules_leave_the_prior_therapy_summary() -> None:
    from trialkg.criteria import eligibility_summary

    crits = parse_criteria_text("Inclusion Criteria:\n  -  Intervening therapy that constitutes a new, molecularly "
                                "targeted therapy is not permitted\n")
    assert eligibility_summary(crits)["prior_therapy_exclusions"] == []


# ---------------------------------------------------------------- interferon


@pytest.mark.parametrize("text", [
    "No previous treatment with IFN",
    "Prior treatment with alpha-interferon",
    "Treatment-naïve or - pegIFN (or IFN), and/or Ribavirin (RBV) and/or sofosbuvir (PRS) experienced",  # LCT NCT03868163
    "Patient previously treated with only one cytokine (Interferon α2a, high-dose interleukin-2)",  # LCT NCT03928964
    "Prior interferon beta therapy",
])
def test_interferon_class(text: str) -> None:
    crit = parse_one("exclusion", text)
    classes = {k for c in crit["constraints"] if c["type"] == "prior_therapy" for k in c["drug_classes"]}
    assert "interferon" in classes, crit


def test_interferon_verdicts(store: TrialStore, trials: dict[str, Any]) -> None:
    """NCT03928964 excludes "Patient previously treated with only one cytokine (Interferon
    α2a, high-dose interleukin-2)": prior peginterferon alfa-2b is an interferon."""
    crit = criterion(trials, "NCT03928964", "previously treated with only one cytokine")
    had = {"prior_therapies": [{"drug": "peginterferon alfa-2b", "weeks_since_last_dose": 30}]}
    assert outcome(store, "NCT03928964", crit, had) == "unmet"
    assert outcome(store, "NCT03928964", crit, {"prior_therapies": [{"drug": "sunitinib"}]}) == "met"
