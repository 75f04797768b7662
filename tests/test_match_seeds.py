"""``trialkg match`` on the five seed trials, one patient file per scenario.

Each patient (tests/data/patients/) gets the exact verdict for every seed trial, and
for a decided trial the criterion that decides it, found by its text as a reader of
the registry page would point at it:

A NCT04072042 apatinib, biomarker-driven (ages 8-65; VEGFR TKIs > 8 weeks excluded)
B NCT04126811 apatinib + chemotherapy (ECOG 0-1, 2 for amputees; anti-angiogenic
  drugs within 3 months excluded)
C NCT03890068 anlotinib maintenance (18-70; prior anlotinib excluded)
D NCT06110650 surufatinib (ECOG 0-1, 0-2 for amputees; neutrophils >= 1.5 x 10^9/L)
E the aggregator page without NCT id: anlotinib + toripalimab (18-70; prior anlotinib
  or anti-PD-1/PD-L1 antibodies excluded)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from trialkg.match import MatchResult, load_patient, match_store
from trialkg.store import TrialStore

PATIENTS = Path(__file__).resolve().parent / "data" / "patients"
A, B, C, D = "NCT04072042", "NCT04126811", "NCT03890068", "NCT06110650"
E = "TKG"  # the derived id, looked up in the store

P, X = "possible", "excluded"

# patient file -> {trial: (verdict, text fragment of a criterion that must be unmet)}
# BIOVAS (A) admits TKI-naive patients: its "previously treated with tyrosine kinase
# inhibitors (TKIs) ... for less than 8 weeks but off treatment ..." bounds an exposure.
EXPECTED: dict[str, dict[str, tuple[str, str | None]]] = {
    "fit_45_male": {A: (P, None), B: (P, None), C: (P, None), D: (P, None), E: (P, None)},
    "age_70": {A: (X, "Age 8 to 65"), B: (P, None), C: (P, None), D: (P, None), E: (P, None)},
    "age_71": {A: (X, "Age 8 to 65"), B: (P, None), C: (X, "Age 18 to 70"), D: (P, None), E: (X, "aged 18-70 years")},
    "ecog2_amputee": {A: (P, None), B: (P, None), C: (P, None), D: (P, None), E: (P, None)},
    "ecog2_not_amputee": {A: (P, None), B: (X, "PS score: 0~1"), C: (P, None),
                          D: (X, "ECOG physical status 0 or 1"), E: (P, None)},
    "neutrophils_low_per_uL": {A: (P, None), B: (X, "Neutrophil count (ANC)"),
                               C: (X, "Neutrophils (ANC)"), D: (X, "Neutrophil absolute value"), E: (P, None)},
    "neutrophils_ok_per_uL": {A: (P, None), B: (P, None), C: (P, None), D: (P, None), E: (P, None)},
    "anlotinib_6_weeks_ago": {A: (P, None), B: (X, "anti-angiogenic targeted drugs within the past 3 months"),
                              C: (X, "Prior treatment with anlotinib"), D: (P, None), E: (X, "anlotinib or anti-PD-1")},
    "anlotinib_20_weeks_ago": {A: (P, None), B: (P, None), C: (X, "Prior treatment with anlotinib"), D: (P, None),
                               E: (X, "anlotinib or anti-PD-1")},
    "anlotinib_10_weeks_exposure": {A: (X, "VEGFR TKIs for more than 8 weeks"), B: (P, None),
                                    C: (X, "Prior treatment with anlotinib"), D: (P, None), E: (X, "anlotinib or anti-PD-1")},
    "toripalimab": {A: (P, None), B: (P, None), C: (P, None), D: (P, None),
                    E: (X, "anti-PD-1/PD-L1 antibodies")},
    "rivoceranib_2_weeks_ago": {A: (P, None), B: (X, "anti-angiogenic targeted drugs within the past 3 months"),
                                C: (P, None), D: (P, None), E: (P, None)},
    "cns_metastases": {A: (P, None), B: (X, "central nervous system tumors"),
                       C: (X, "brain metastases"), D: (X, "central nervous system (CNS) metastases"),
                       E: (X, "central nervous system (CNS) metastases")},
    "no_data": {A: (P, None), B: (P, None), C: (P, None), D: (P, None), E: (P, None)},
}


@pytest.fixture(scope="module")
def store(seed_store: Path) -> TrialStore:
    return TrialStore(seed_store, read_only=True)


@pytest.fixture(scope="module")
def derived_id(store: TrialStore) -> str:
    (tid,) = [t for t in store.trial_ids() if t.startswith("TKG-")]
    return tid


def results_for(store: TrialStore, name: str) -> dict[str, MatchResult]:
    return {r.trial: r for r in match_store(store, load_patient(PATIENTS / f"{name}.json"))}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_verdicts_and_deciding_criteria(store: TrialStore, derived_id: str, name: str) -> None:
    results = results_for(store, name)
    expected = {derived_id if t == E else t: v for t, v in EXPECTED[name].items()}
    got = {t: r.verdict for t, r in results.items()}
    assert got == {t: v for t, (v, _) in expected.items()}, {
        t: [(x.criterion, x.text[:60], x.why[:160]) for x in r.unmet] for t, r in results.items()
    }
    for trial, (_verdict, fragment) in expected.items():
        if fragment:
            unmet = [x.text for x in results[trial].unmet] + [x.text for x in results[trial].unmet if x.criterion == "age-limits"]
            assert any(fragment in t for t in unmet), (trial, fragment, unmet)


def test_no_data_leaves_every_criterion_unknown(store: TrialStore) -> None:
    for r in results_for(store, "no_data").values():
        # information items and criteria of a later step decide nothing either way
        assert {x.outcome for x in r.reasons} <= {"unknown", "n/a"}, [(x.text, x.outcome) for x in r.reasons]


def test_amputee_exception_is_what_admits_ecog_2(store: TrialStore) -> None:
    for trial, fragment in ((B, "PS score: 0~1"), (D, "ECOG physical status 0 or 1")):
        amputee = results_for(store, "ecog2_amputee")[trial]
        (reason,) = [x for x in amputee.reasons if fragment in x.text]
        assert reason.outcome in ("met", "unknown") and "amputee: yes" in reason.why
        assert "ECOG 2 allowed {0, 1, 2}: yes" in reason.why


def test_unit_conversion_is_explained(store: TrialStore) -> None:
    r = results_for(store, "neutrophils_low_per_uL")[D]
    (reason,) = [x for x in r.reasons if "Neutrophil absolute value" in x.text]
    assert reason.outcome == "unmet"
    assert "neutrophils 1200 /uL = 1.2 10*9/L >= 1.5 10*9/L: no" in reason.why


def test_prior_therapy_names_are_normalised(store: TrialStore) -> None:
    """'Anlotinib Hydrochloride' is anlotinib; rivoceranib is apatinib (both anti-angiogenic)."""
    r = results_for(store, "anlotinib_6_weeks_ago")[C]
    assert any("Anlotinib Hydrochloride" in x.why for x in r.unmet)
    r = results_for(store, "rivoceranib_2_weeks_ago")[B]
    assert any("rivoceranib" in x.why and "window 90 d" in x.why for x in r.unmet)


def test_sorted_most_promising_first(store: TrialStore) -> None:
    results = match_store(store, load_patient(PATIENTS / "anlotinib_6_weeks_ago.json"))
    ranks = [r.sort_key() for r in results]
    assert ranks == sorted(ranks)
    assert [r.verdict for r in results][:2] == ["possible", "possible"]


def test_age_limits_from_the_aggregator_criteria(store: TrialStore, derived_id: str) -> None:
    # Seed 004 has no registry age fields; "Male or female patients aged 18-70 years"
    # gives the trial its limits, marked as taken from the criteria.
    from trialkg.match import parse_patient

    r = match_store(store, parse_patient({"age_years": 16}), derived_id)[0]
    limits = next(x for x in r.reasons if x.criterion == "age-limits")
    assert limits.outcome == "unmet" and "from the inclusion criteria" in limits.text
    r = match_store(store, parse_patient({"age_years": 45}), derived_id)[0]
    assert next(x for x in r.reasons if x.criterion == "age-limits").outcome == "met"


# -- the command line ----------------------------------------------------------------

def trialkg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from trialkg.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=120)


def test_cli_json_lists_every_trial(seed_store: Path, derived_id: str) -> None:
    proc = trialkg("match", str(PATIENTS / "toripalimab.json"), "--store", str(seed_store), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert {d["trial"] for d in doc} == {A, B, C, D, derived_id}
    assert all(set(d) >= {"trial", "title", "verdict", "reasons"} for d in doc)
    assert all(set(x) >= {"criterion", "text", "outcome"} for d in doc for x in d["reasons"])
    e = next(d for d in doc if d["trial"] == derived_id)
    assert e["verdict"] == "excluded"
    assert any(x["outcome"] == "unmet" and "anti-PD-1" in x["text"] for x in e["reasons"])


def test_cli_one_trial_as_a_table(seed_store: Path) -> None:
    proc = trialkg("match", str(PATIENTS / "anlotinib_10_weeks_exposure.json"), "--store", str(seed_store),
                   "--trial", A, "--format", "table")
    assert proc.returncode == 1, proc.stderr  # the only trial asked about excludes the patient
    assert proc.stdout.startswith(f"{A}: excluded")
    assert "VEGFR TKIs for more than 8 weeks" in proc.stdout


def test_cli_exit_1_when_nothing_fits(seed_store: Path) -> None:
    proc = trialkg("match", str(PATIENTS / "cns_metastases_after_anlotinib.json"), "--store", str(seed_store), "--format", "tsv")
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0].split("\t")[:2] == ["trial", "verdict"]
    assert "0 eligible, 0 possible, 5 excluded" in proc.stderr


def test_cli_unknown_trial_is_a_usage_error(seed_store: Path) -> None:
    proc = trialkg("match", str(PATIENTS / "no_data.json"), "--store", str(seed_store), "--trial", "NCT00000000")
    assert proc.returncode == 2 and "NCT00000000" in proc.stderr


@pytest.mark.parametrize(
    ("name", "field"),
    [("bad_age_negative", "age_years"), ("bad_ecog_7", "ecog"), ("bad_unknown_key", "weight"),
     ("bad_unit", "labs.neutrophils.unit"), ("bad_type", "age_years"), ("bad_json", "not valid JSON")],
)
def test_cli_bad_patient_files_exit_2(seed_store: Path, name: str, field: str) -> None:
    proc = trialkg("match", str(PATIENTS / f"{name}.json"), "--store", str(seed_store))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("trialkg: error: ") and "Traceback" not in proc.stderr
    assert f"{name}.json" in lines[0] and field in lines[0]
    assert proc.stdout == ""
