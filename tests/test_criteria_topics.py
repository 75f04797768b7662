"""Criterion topics (criteria/topics.py, ontology/reference/criterion_topics.tsv) on real
registry text: every topic with items of at least two trials, the topic and the reason
(or the constraint) each gets, and, where the patient file decides, the matcher's
verdict for a patient the item concerns and one it does not.

Items are quoted from the LCT dev corpus (benchmarks/data/criteria/lct/) and the
vendored records (tests/data/ctgov_corpus/); the NCT id names the trial.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from trialkg import iris
from trialkg.criteria import parse_criteria_text
from trialkg.criteria.topics import REASONS, table
from trialkg.knowledge.reference import reference_triples
from trialkg.match import match_store, parse_patient
from trialkg.records import Eligibility, Provenance, TrialRecord
from trialkg.store import TrialStore


def parse_one(section: str, text: str) -> dict[str, Any]:
    head = "Inclusion Criteria:" if section == "inclusion" else "Exclusion Criteria:"
    (crit,) = parse_criteria_text(f"{head}\n  -  {text}\n")
    return crit


# (trial, section, item text, topic, undecidable reason or the constraint's state)
CASES = [
    ("NCT02465060", "inclusion", "Intervening therapy that constitutes a new, molecularly targeted therapy is not "
     "permitted; please note, immunotherapy is not considered molecularly targeted", "on_study_rule", "on_study"),
    ("NCT03865732", "exclusion", "Use of tetrahydrocannabinol (THC) or non-approved cannabidiol (CBD) is prohibited "
     "during the double-blind phase", "on_study_rule", "on_study"),
    ("NCT03929952", "exclusion", "Patient already included in another study", "other_study", "needs_record"),
    ("NCT03929497", "inclusion", "The patient completed Study 17972A.", "other_study", "needs_record"),
    ("NCT03926455", "exclusion", "Any other condition or abnormality that, in the opinion of the Investigator, may "
     "compromise the safety of the patients", "investigator_judgement", "investigator_judgement"),
    ("NCT03928951", "exclusion", "Any other reason which, according to investigator, might interfere with research "
     "objective evaluation", "investigator_judgement", "investigator_judgement"),
    # the participation a judgement weighs is no consent item
    ("NCT02691871", "exclusion", "Evidence of significant medical illness that in the investigator's judgment will "
     "substantially increase the risk associated with the subject's participation in and completion of the study",
     "investigator_judgement", "investigator_judgement"),
    ("FB-test", "exclusion", "laboratory abnormalities that in the opinion of the investigator may increase the "
     "risk associated with study participation", "investigator_judgement", "investigator_judgement"),
    ("NCT03925064", "exclusion", "multiple gestations", "pregnancy_obstetric", "needs_record"),
    ("NCT03921177", "inclusion", "Nulligravid", "pregnancy_obstetric", "needs_record"),
    ("NCT03927417", "exclusion", "Tubal ligation", "contraception_fertility", "needs_record"),
    ("NCT03920514", "inclusion", "Mild male infertility or unexplained infertility", "contraception_fertility", "needs_record"),
    ("NCT03922542", "exclusion", "Known sensitivity to treatment medications", "allergy", "hypersensitivity"),
    ("NCT03925467", "exclusion", "Subjects who are hypersensitive to needles.", "allergy", "hypersensitivity"),
    ("NCT03926208", "exclusion", "Patient refuses", "consent", "administrative"),
    ("NCT03928951", "exclusion", "Patients opposed to their data use", "consent", "administrative"),
    ("NCT03922620", "exclusion", "Patients currently incarcerated", "legal_status", "administrative"),
    ("NCT03925571", "exclusion", "Protected person, deprived of freedom or under justice safeguard,", "legal_status",
     "administrative"),
    ("NCT03928418", "exclusion", "Plans to move out of the catchment area within 6 months;", "logistics", "administrative"),
    ("NCT03925571", "exclusion", "Not contactable after care,", "logistics", "administrative"),
    ("NCT03929549", "exclusion", "Chronic opioid use", "medication", "needs_record"),
    ("NCT03862612", "exclusion", "previous history of opiate abuse,", "substance_use", "needs_record"),
    ("NCT03925571", "exclusion", "Regular consumer of soft drug (cannabis) or hard drug (opioid),", "substance_use",
     "needs_record"),
    ("NCT03928509", "inclusion", "Place of residence: Sherbrooke, Moncton or Saguenay-Lac-St-Jean.", "residence_setting",
     "administrative"),
    ("NCT03925402", "inclusion", "Patients admitted to any of the study sites", "residence_setting", "administrative"),
    ("NCT03866876", "inclusion", "from 1st of january 2000 to 31 december 2016", "record_period", "administrative"),
    ("NCT03927300", "inclusion", "Patient information in this retrospective study;", "record_period", "administrative"),
    ("NCT03863249", "inclusion", "Good general health", "healthy", "healthy_volunteer"),
    ("NCT03923465", "inclusion", "Systemically healthy", "healthy", "healthy_volunteer"),
    ("NCT03863405", "exclusion", "Patients with impaired liver functions.", "liver_function", "liver_disease"),
    ("NCT03928158", "exclusion", "Impaired liver function;", "liver_function", "liver_disease"),
    ("NCT03865693", "exclusion", "abnormal renal function", "renal_function", "renal_disease"),
    ("NCT03924479", "inclusion", "impaired renal function", "renal_function", "renal_disease"),
    ("NCT03927274", "inclusion", "Adequate organ function as indicated in protocol", "organ_function", "not_stated"),
    ("NCT03924882", "inclusion", "Patients must have adequate organ function.", "organ_function", "not_stated"),
    ("NCT03929263", "inclusion", "Right-handed", "demographic", "needs_record"),
    ("NCT03922581", "inclusion", "self-identity as African American", "demographic", "needs_record"),
    ("NCT03927118", "exclusion", "Glaucoma or glaucoma suspicion", "named_condition", "condition"),
    ("NCT03867240", "exclusion", "Obstructive sleep apnea", "named_condition", "condition"),
    ("NCT03926000", "inclusion", "Patients scheduled for elective knee arthroscopy.", "procedure", "needs_record"),
    ("NCT03925103", "exclusion", "Patients with previous pleurodesis or thoracotomy in the affected hemithorax.",
     "procedure", "needs_record"),
    ("NCT03867981", "exclusion", "Currently taking weight loss medications", "medication", "needs_record"),
    ("NCT03920449", "exclusion", "on antihypertensive medications", "medication", "needs_record"),
    ("NCT03921840", "exclusion", "Non-ambulatory or have severely impaired mobility,", "functional_ability", "needs_record"),
    ("NCT03922256", "inclusion", "Independent in activities of daily living;", "functional_ability", "needs_record"),
    ("NCT03866122", "exclusion", "Cough", "clinical_finding", "needs_record"),
    ("NCT03925467", "inclusion", "Crepitus on active motion;", "clinical_finding", "needs_record"),
]


@pytest.mark.parametrize(("nct", "section", "text", "topic", "outcome"), CASES, ids=[f"{c[0]}-{c[3]}" for c in CASES])
def test_topic_and_reason(nct: str, section: str, text: str, topic: str, outcome: str) -> None:
    crit = parse_one(section, text)
    assert crit["topic"] == topic, (nct, crit)
    if outcome in REASONS:
        assert crit["undecidable"] == outcome, (nct, crit)
        if outcome == "on_study":
            assert crit["entry"] is False
    else:
        assert "undecidable" not in crit
        assert [c["state"] for c in crit["constraints"] if c["type"] == "disease_state"] == [outcome], crit


def test_every_topic_has_cases_from_two_trials() -> None:
    trials: dict[str, set[str]] = {}
    for nct, _s, _t, topic, _o in CASES:
        trials.setdefault(topic, set()).add(nct)
    assert {t.name for t in table()} == set(trials)
    assert all(len(v) >= 2 for v in trials.values()), trials


def test_a_constraint_wins_over_a_label() -> None:
    """An item another rule reads keeps its constraints; the topic only labels it
    ("Pregnant or breastfeeding patients", NCT01900743; "Signed informed consent")."""
    crit = parse_one("exclusion", "Pregnant or breastfeeding patients.")
    assert "undecidable" not in crit and {c["type"] for c in crit["constraints"]} == {"reproductive"}
    assert crit["topic"] == "pregnancy_obstetric"


def test_named_condition_takes_its_words() -> None:
    """"Any known disorders in lipid metabolism" (NCT03866512) names the disorder with
    what it is of; "Non syndromic patients" (NCT03922438) names no condition."""
    crit = parse_one("exclusion", "Any known disorders in lipid metabolism")
    assert crit["constraints"][0]["condition"] == "disorders in lipid metabolism"
    assert crit["category"] == "comorbidity"
    assert parse_one("inclusion", "Non syndromic patients").get("topic") != "named_condition"


# ---------------------------------------------------------------- the matcher's verdicts


VERDICTS = [
    # (trial, section, text, patient it concerns, outcome, patient it does not concern, outcome)
    ("NCT03863249", "inclusion", "Good general health",
     {"flags": {"healthy_volunteer": True}}, "met", {"flags": {"healthy_volunteer": False}}, "unmet"),
    ("NCT03861078", "inclusion", "Healthy (determined by self-report)",
     {"flags": {"healthy_volunteer": True}}, "met", {"flags": {"healthy_volunteer": False}}, "unmet"),
    # a hypersensitivity is to something: the patient's allergies decide, a bare flag only
    # says "some allergy", which leaves a named allergen or the trial's own products open
    ("NCT03922542", "exclusion", "Known sensitivity to treatment medications",
     {"flags": {"hypersensitivity": True}}, "unknown", {"flags": {"hypersensitivity": False}}, "met"),
    ("NCT03925467", "exclusion", "Subjects who are hypersensitive to needles.",
     {"allergies": ["needles"]}, "unmet", {"allergies": ["penicillin"]}, "met"),
    ("NCT03925467", "exclusion", "Subjects who are hypersensitive to needles.",
     {"flags": {"hypersensitivity": True}}, "unknown", {"allergies": []}, "met"),
    ("NCT01900743", "exclusion", "Known hypersensitivity to any of the study drugs",
     {"allergies": ["penicillin"]}, "unknown", {"flags": {"hypersensitivity": False}}, "met"),
    # a drug allergy falls under the class a criterion names ("platinum compounds")
    ("NCT00703638", "exclusion", "History of allergic reactions attributed to platinum compounds",
     {"allergies": ["carboplatin"]}, "unmet", {"allergies": ["sulfa drugs"]}, "met"),
    ("NCT02465060", "exclusion", "History of severe allergic reactions",
     {"allergies": ["peanuts"]}, "unmet", {"allergies": []}, "met"),
    ("NCT03928158", "exclusion", "Impaired liver function;",
     {"flags": {"liver_disease": True}}, "unmet", {"flags": {"liver_disease": False}}, "met"),
    # an inclusion asking for the impairment wants it present
    ("NCT03924479", "inclusion", "impaired renal function",
     {"flags": {"renal_disease": True}}, "met", {"flags": {"renal_disease": False}}, "unmet"),
    ("NCT03865693", "exclusion", "abnormal renal function",
     {"flags": {"renal_disease": True}}, "unmet", {"flags": {"renal_disease": False}}, "met"),
    # an on-study rule is no entry criterion: it concerns no patient at entry
    ("NCT02465060", "inclusion", "Intervening therapy that constitutes a new, molecularly targeted therapy is not "
     "permitted; please note, immunotherapy is not considered molecularly targeted",
     {"prior_therapies": [{"drug": "imatinib", "weeks_since_last_dose": 10}]}, "n/a", {"prior_therapies": []}, "n/a"),
    # an administrative or judgement item never excludes: the patient file cannot say
    ("NCT03926208", "exclusion", "Patient refuses", {"flags": {"consent": True}}, "unknown", {}, "unknown"),
    ("NCT03926455", "exclusion", "Any other condition or abnormality that, in the opinion of the Investigator, may "
     "compromise the safety of the patients", {"flags": {"serious_illness": True}}, "unknown", {}, "unknown"),
]


def _record(n: int, section: str, text: str) -> TrialRecord:
    trial_id = f"NCT9100{n:04d}"
    rec = TrialRecord(id=trial_id, nct_id=trial_id, brief_title=f"Topic case {n}",
                      provenance=Provenance(file="synthetic", format="ctgov-json", sha256="0" * 64))
    rec.eligibility = Eligibility(criteria=[{**parse_one(section, text), "trial_id": trial_id}])
    return rec


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> TrialStore:
    from trialkg.mapping import record_triples

    s = TrialStore(Path(tmp_path_factory.mktemp("topics")) / "store")
    s.replace_graph(iris.REFERENCE_GRAPH, reference_triples())  # the drug classes an allergy falls under
    for n, (_nct, section, text, *_rest) in enumerate(VERDICTS):
        rec = _record(n, section, text)
        s.replace_graph(iris.trial_graph(rec.id), record_triples(rec))
    return s


@pytest.mark.parametrize("n", range(len(VERDICTS)), ids=[f"{v[0]}-{v[2][:30]}" for v in VERDICTS])
def test_verdicts(store: TrialStore, n: int) -> None:
    _nct, _section, _text, concerned, want, other, want_other = VERDICTS[n]
    for patient, expected in ((concerned, want), (other, want_other)):
        (result,) = match_store(store, parse_patient({"age_years": 40, "sex": "FEMALE", **patient}), f"NCT9100{n:04d}")
        (reason,) = [r for r in result.reasons if r.criterion.startswith(("inc-", "exc-"))]
        assert reason.outcome == expected, (VERDICTS[n][2], patient, reason)
