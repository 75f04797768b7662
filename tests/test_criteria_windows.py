"""Per-agent windows: an item that gives its therapies different windows is read as one
``prior_therapy`` constraint per window (``criteria/rules/windows.py``).

Every case quotes a vendored ClinicalTrials.gov record (tests/data/ctgov_corpus/); the
matcher cases check the outcome for a patient the longer window concerns and one it does
not.
"""

from __future__ import annotations

from typing import Any

import match_support
import pytest
from match_support import criterion

from trialkg.criteria import parse_criteria_text
from trialkg.store import TrialStore

RECORDS = ["NCT02243605", "NCT02691871", "NCT04154189", "NCT00402415"]
BASE: dict[str, Any] = {"age_years": 50, "sex": "FEMALE", "ecog": 1, "conditions": ["leiomyosarcoma"]}


def therapies(section: str, text: str) -> list[dict[str, Any]]:
    head = "Inclusion Criteria:\n- " if section == "inclusion" else "Exclusion Criteria:\n- "
    (crit,) = parse_criteria_text(head + text)
    return [k for k in crit["constraints"] if k["type"] == "prior_therapy"]


def groups(section: str, text: str) -> list[tuple[str, set[str], bool]]:
    """(window, names, qualified) of each prior-therapy constraint."""
    return [(k["window"], set(k["drugs"]) | set(k["drug_classes"]) | set(k["therapies"]), bool(k.get("qualified")))
            for k in therapies(section, text)]


def test_a_later_window_takes_the_agents_before_it() -> None:
    # NCT02243605 exc-1
    got = groups("exclusion", "The subject has received cytotoxic chemotherapy (including investigational cytotoxic "
                 "chemotherapy) or biologic agents (e.g., cytokines or antibodies) within 3 weeks, or "
                 "nitrosoureas/mitomycin C within 6 weeks before the first dose of study treatment")
    assert [(w, q) for w, _n, q in got] == [("P3W", False), ("P6W", False)]
    assert {"chemotherapy", "biologic therapy"} <= got[0][1] and "nitrosourea" not in got[0][1]
    assert got[1][1] == {"nitrosourea", "mitomycin"}


def test_windows_written_as_comparisons() -> None:
    # NCT02691871 exc-4: the "chemotherapy" of "nitrosoureas/mitomycin chemotherapy" heads
    # the agents before it and names no other therapy
    got = groups("exclusion", "Major injuries and/or surgery =< 4 weeks prior to registration with incomplete "
                 "wound healing. Patients who have received radiotherapy (except local palliative radiotherapy), "
                 "chemotherapy, molecular targeted therapy =< 3 weeks, or nitrosoureas/mitomycin chemotherapy "
                 "=< 6 weeks prior to registration;")
    assert [(w, n) for w, n, _q in got][0] == ("P4W", {"surgery"})
    assert got[1][0] == "P3W" and {"radiotherapy", "chemotherapy", "targeted therapy"} <= got[1][1]
    assert got[2] == ("P6W", {"nitrosourea", "mitomycin"}, False)


@pytest.mark.parametrize("text", [
    # NCT00601510 inc-29, NCT02576665 exc-3
    "No chemotherapy or investigational agents within the past 4 weeks (6 weeks for nitrosoureas or mitomycin C) "
    "unless the disease is rapidly progressing",
    "Patient received chemotherapy within 2 weeks prior to initiation of treatment with Toca 511 (6 weeks for "
    "nitrosoureas).",
])
def test_a_bracket_gives_its_agents_their_own_window(text: str) -> None:
    got = groups("exclusion", text)
    assert len(got) == 2 and got[0][0] in ("P4W", "P2W") and "chemotherapy" in got[0][1]
    assert got[1][0] == "P6W" and "nitrosourea" in got[1][1] and "chemotherapy" not in got[1][1]


def test_the_study_treatment_a_window_counts_from_is_no_prior_therapy() -> None:
    (crit,) = parse_criteria_text("Exclusion Criteria:\n- Patient received chemotherapy within 2 weeks prior to "
                                  "initiation of treatment with Toca 511 (6 weeks for nitrosoureas).")
    mentions = [k for k in crit["constraints"] if k["type"] == "drug_mention"]
    assert [(k["context"], k["drugs"]) for k in mentions] == [("dosing", ["vocimagene amiretrorepvec"])]
    assert all("vocimagene amiretrorepvec" not in k["drugs"] for k in therapies("exclusion", crit["text"]))


def test_attached_washouts_and_a_longer_window_for_some_uses() -> None:
    # NCT04154189 inc-10: "Cycle 1 Day 1" is no window; the 4 weeks for definitive
    # radiotherapy hold only for some radiotherapy, the 2 weeks for palliative for all
    got = therapies("inclusion", "Washout before Cycle 1 Day 1 of 3 weeks in case of prior chemotherapy, 6 weeks if "
                    "treatment included nitrosoureas; 4 weeks for definitive radiotherapy, 2 weeks for palliative "
                    "radiotherapy; and 3 months from high-dose chemotherapy and stem cell rescue.")
    assert [(k["window"], k["window_kind"], bool(k.get("qualified"))) for k in got] == [
        ("P3W", "washout", False), ("P6W", "washout", False), ("P4W", "washout", True),
        ("P2W", "washout", False), ("P3M", "washout", True)]
    assert got[1]["drug_classes"] == ["nitrosourea"] and got[2]["therapies"] == ["radiotherapy"]


def test_a_shared_name_is_split_from_the_names_that_keep_their_window() -> None:
    # NCT02465060 inc-49: surgery keeps the 4 weeks; radiotherapy has 2 weeks when palliative
    got = groups("inclusion", "Any prior therapy, radiotherapy (except palliative radiation therapy of 30 gray [Gy] "
                 "or less), or major surgery must have been completed >= 4 weeks prior to start of treatment; all "
                 "adverse events due to prior therapy have resolved to a grade 1 or better; palliative radiation "
                 "therapy must have been completed at least 2 weeks prior to start of treatment")
    assert got == [("P4W", {"surgery"}, False), ("P4W", {"radiotherapy"}, True), ("P2W", {"radiotherapy"}, False)]


@pytest.mark.parametrize(("section", "text", "window"), [
    # one window: one constraint (NCT02465060 inc-54: "for one week prior to" is how long
    # the dose was stable; NCT02782403 inc-10: "the first 6 weeks of study treatment" is a
    # period of the study)
    ("inclusion", "Patients must have discontinued steroids >= 1 week prior to registration; patients with "
                  "glioblastoma must have been on stable dose of steroids, or be off steroids, for one week prior "
                  "to registration", "P1W"),
    ("inclusion", "Patients should have discontinued therapy with imatinib, dasatinib or other anti-leukemia therapy "
                  "(except hydroxyurea) >= 48 hours prior to start of study therapy; hydroxyurea may be received "
                  "up to the time of enrollment and for the first 6 weeks of study treatment if necessary", "PT48H"),
    ("exclusion", "Chemotherapy within 4 weeks prior to registration", "P4W"),
])
def test_one_window_stays_one_constraint(section: str, text: str, window: str) -> None:
    subjects = [k for k in therapies(section, text) if k.get("role") != "permission"]
    assert [k["window"] for k in subjects] == [window]


def test_a_permission_in_the_passive_admits_its_drug() -> None:
    # NCT02782403 inc-10: "hydroxyurea may be received up to the time of enrollment"
    got = therapies("inclusion", "Patients should have discontinued therapy with imatinib (except hydroxyurea) "
                    ">= 48 hours prior to start of study therapy; hydroxyurea may be received up to the time of "
                    "enrollment")
    assert [k["drugs"] for k in got if k.get("role") == "permission"] == [["hydroxycarbamide"]]
    assert all("hydroxycarbamide" not in k["drugs"] for k in got if k.get("role") != "permission")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> TrialStore:
    return match_support.corpus_store(tmp_path_factory, "windows", RECORDS, ".xml")


@pytest.fixture(scope="module")
def trials(store: TrialStore) -> dict[str, Any]:
    return match_support.trials_by_id(store)


CASES = [
    # a nitrosourea 4 weeks ago is inside its 6 weeks; a taxane 4 weeks ago is past its 3
    ("NCT02243605", "The subject has received cytotoxic chemotherapy", "exclusion",
     {"prior_therapies": [{"drug": "carmustine", "weeks_since_last_dose": 4}]}, "unmet",
     {"prior_therapies": [{"drug": "paclitaxel", "weeks_since_last_dose": 4}]}, "met"),
    # lomustine 5 weeks ago is inside "nitrosoureas ... =< 6 weeks"; gemcitabine is past
    # its 3 weeks (the surgery the patient file does not list leaves the item open)
    ("NCT02691871", "Major injuries and/or surgery", "exclusion",
     {"prior_therapies": [{"drug": "lomustine", "weeks_since_last_dose": 5}]}, "unmet",
     {"prior_therapies": [{"drug": "gemcitabine", "weeks_since_last_dose": 5}]}, "unknown"),
    # a washout: the nitrosourea needs 6 weeks, other chemotherapy 3 (and 3 months after
    # high-dose chemotherapy, which the patient file cannot show)
    ("NCT04154189", "Washout before Cycle 1 Day 1", "requirement",
     {"prior_therapies": [{"drug": "carmustine", "weeks_since_last_dose": 4}]}, "unmet",
     {"prior_therapies": [{"drug": "cisplatin", "weeks_since_last_dose": 4}]}, "unknown"),
    # an exclusion item that also words requirements: its "No treatment with ... within
    # the 4 weeks (6 weeks for mitomycin ...)" asks for the washouts; a patient never
    # treated is not kept out by them
    ("NCT00402415", "No treatment with cytotoxic or biologic agents", "requirement",
     {"prior_therapies": [{"drug": "mitomycin", "weeks_since_last_dose": 5}], "flags": {"unresolved_toxicity": False}},
     "unmet",
     {"prior_therapies": [], "flags": {"unresolved_toxicity": False}}, "unknown"),
]


@pytest.mark.parametrize(("nct", "fragment", "role", "concerned", "concerned_outcome", "other", "other_outcome"), CASES,
                         ids=[c[0] for c in CASES])
def test_each_agent_is_matched_against_its_own_window(store: TrialStore, trials: dict[str, Any], nct: str,
                                                      fragment: str, role: str, concerned: dict,
                                                      concerned_outcome: str, other: dict, other_outcome: str) -> None:
    crit = criterion(trials, nct, fragment)
    assert crit.role == role
    assert match_support.outcome(store, nct, crit, {**BASE, **concerned}) == concerned_outcome
    assert match_support.outcome(store, nct, crit, {**BASE, **other}) == other_outcome


@pytest.mark.parametrize(("text", "window", "kind"), [
    # a bound on the time since the last dose, from above, is a window the dose is in
    ("Ability to be randomized ≤8 weeks after last dose of platinum", "P8W", "within"),  # LCT NCT03863860
    ("Platinum resistant ovarian cancer (defined as relapsing within 6 months after the last administration of "
     "platinum-based chemotherapy)", "P6M", "within"),  # LCT NCT03924882
    # without the bound, a washout
    ("Patients must be after last dose of chemotherapy", "P0D", "washout"),
])
def test_time_since_the_last_dose(text: str, window: str, kind: str) -> None:
    (k,) = therapies("inclusion", text)
    assert (k["window"], k["window_kind"]) == (window, kind)


def test_an_age_is_no_window() -> None:
    # LCT NCT03867045: "18 years of age"
    (k,) = therapies("inclusion", "Patients > 18 years of age Patients planning to start treatment with "
                     "cabozantinib therapy for renal cancer.")
    assert k["window"] is None
