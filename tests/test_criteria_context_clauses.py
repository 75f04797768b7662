"""Numbers and drugs named in a clause that is not about the patient's own history: an
age of relatives or of an event, an age word across a clause break, a drug named in a
barrier-contraception, absorption or still-to-come treatment clause. Texts quoted from
real records (tests/data/ctgov_corpus/) and the Facebook Clinical-Trial-Parser test split.
"""

from __future__ import annotations

import pytest

from trialkg.criteria import parse_text


def _types(text: str, section: str = "inclusion") -> list[dict]:
    return parse_text(text, section)


@pytest.mark.parametrize("text", [
    # NCT03599518 exc-13
    "Has any factors that increase the risk of QTc prolongation or risk of arrhythmic events, such as congenital "
    "long QT. syndrome, family history of long QT syndrome or unexplained sudden death under 40 years of age in "
    "first degree relatives",
    # NCT02465060
    "No factors that increase the risk of QTc prolongation or risk of arrhythmic events such as heart failure, "
    "congenital long QT syndrome, family history of long QT syndrome or unexplained sudden death under 40 years "
    "of age or any concomitant medication known to prolong the QT interval",
])
def test_an_age_of_relatives_or_an_event_is_no_age_limit(text: str) -> None:
    assert not [k for k in _types(text, "exclusion") if k["type"] == "age"]


def test_an_age_word_does_not_reach_across_a_clause_break() -> None:
    # NCT01130623: the Lansky score is no age of 50
    text = ("Performance score: Karnofsky greater than or equal to 50% for patients 16 years of age; "
            "Lansky greater than or equal to 50 for patients less than or equal to 16 years")
    ks = _types(text)
    assert not [k for k in ks if k["type"] == "age" and k["value"] == 50]
    assert {k.get("variable") for k in ks} >= {"karnofsky", "lansky"}


def test_patient_ages_are_still_read() -> None:
    for text, value in [("Age 18 years or older; ECOG 0-1", 18), ("Men and women, 18 years of age or older.", 18)]:
        assert [k["value"] for k in _types(text) if k["type"] == "age"] == [value]


@pytest.mark.parametrize("text, context", [
    # NCT02576665 inc-11; Facebook split "men must agree to use a latex condom ... while taking drug"
    ("Male patients willing to use condoms for 12 months after receiving Toca 511", "contraception"),
    ("Men must agree to use a latex condom during sexual contact while taking imatinib", "contraception"),
    # NCT00601510 inc-19; Facebook split "disease that may significantly alter the absorption of everolimus"
    ("No conditions that would interfere with the absorption of capecitabine or imatinib", "absorption"),
    ("Gastrointestinal disease that may significantly alter the absorption of everolimus", "absorption"),
    # NCT02679963 inc-13 and inc-7: the treatment still to come
    ("Adequate renal function for cisplatin administration", "dosing"),
    ("Adequate hematological function before start the platinium based chemotherapy", "dosing"),
    # the study treatment a window counts from (NCT00703638 inc-16; Facebook split)
    ("For patients on warfarin, the INR should be measured prior to initiation of sorafenib", "dosing"),
    ("Patients must wait for the central laboratory result before initiating treatment with ceritinib", "dosing"),
])
def test_a_drug_named_in_a_context_clause_is_no_prior_therapy(text: str, context: str) -> None:
    ks = _types(text)
    assert not [k for k in ks if k["type"] == "prior_therapy"], ks
    assert [k.get("context") for k in ks if k["type"] == "drug_mention"] == [context]


@pytest.mark.parametrize("text, prior, arm", [
    # an arm or cohort named by the drugs it will receive (Facebook split)
    ("for part h : ( abemaciclib + trastuzumab + pertuzumab ) : the participant must have received at least 1 "
     "chemotherapy regimen for metastatic disease", [], ["abemaciclib", "trastuzumab", "pertuzumab"]),
    ("patients in the nivolumab / brentuximab cohorts only ( d , e , f , y ) may have received prior ipilimumab",
     ["ipilimumab"], ["nivolumab", "brentuximab vedotin"]),
])
def test_the_drugs_that_name_an_arm_are_no_prior_therapy(text: str, prior: list[str], arm: list[str]) -> None:
    ks = _types(text)
    assert [d for k in ks if k["type"] == "prior_therapy" for d in k["drugs"]] == prior
    assert [k["drugs"] for k in ks if k["type"] == "drug_mention"] == [arm]


def test_prior_therapy_is_still_read() -> None:
    assert [k["type"] for k in _types("No prior treatment with imatinib")] == ["prior_therapy"]
    assert [k["type"] for k in _types("Prior sunitinib is not allowed", "exclusion")] == ["prior_therapy"]


# ---------------------------------------------------------------- negation that qualifies a part

NEGATION_CASES = [
    # (trial, text, patient the clause concerns -> outcome, patient it does not -> outcome)
    ("NCT01900743", "Metastatic disease not amenable to surgical resection",
     {"flags": {"advanced_disease": True, "resectable": False}}, "met", {"flags": {"advanced_disease": True, "resectable": True}},
     "unmet"),
    ("NCT01804374", "Locally advanced or metastatic high-grade osteosarcoma that is not surgically resectable",
     {"flags": {"advanced_disease": True, "resectable": False}}, "met", {"flags": {"advanced_disease": True, "resectable": True}},
     "unmet"),
    ("NCT06382129", "No severe cardiac dysfunction, left ventricular ejection fraction ≥50%",
     {"labs": {"lvef": {"value": 60, "unit": "%"}}}, "met", {"labs": {"lvef": {"value": 40, "unit": "%"}}}, "unmet"),
    # a negation after an auxiliary still turns the item around
    ("NCT02465060", "Patients must not have received prior sunitinib",
     {"prior_therapies": []}, "met", {"prior_therapies": [{"drug": "sunitinib"}]}, "unmet"),
]


@pytest.fixture(scope="module")
def negation_store(tmp_path_factory: pytest.TempPathFactory):
    from trialkg import iris
    from trialkg.criteria import parse_criteria_text
    from trialkg.knowledge.reference import reference_triples
    from trialkg.mapping import record_triples
    from trialkg.records import Eligibility, Provenance, TrialRecord
    from trialkg.store import TrialStore

    s = TrialStore(tmp_path_factory.mktemp("negation") / "store")
    s.replace_graph(iris.REFERENCE_GRAPH, reference_triples())
    for n, (_nct, text, *_rest) in enumerate(NEGATION_CASES):
        tid = f"NCT9200{n:04d}"
        rec = TrialRecord(id=tid, nct_id=tid, brief_title=f"Negation case {n}",
                          provenance=Provenance(file="synthetic", format="ctgov-json", sha256="0" * 64))
        crits = parse_criteria_text(f"Inclusion Criteria:\n- {text}\n")
        rec.eligibility = Eligibility(criteria=[{**c, "trial_id": tid} for c in crits])
        s.replace_graph(iris.trial_graph(tid), record_triples(rec))
    return s


@pytest.mark.parametrize("n", range(len(NEGATION_CASES)), ids=[c[0] for c in NEGATION_CASES])
def test_a_negation_qualifies_what_it_stands_before(negation_store, n: int) -> None:
    from trialkg.match import match_store, parse_patient

    _nct, text, concerned, want, other, want_other = NEGATION_CASES[n]
    for patient, expected in ((concerned, want), (other, want_other)):
        (result,) = match_store(negation_store, parse_patient({"age_years": 40, "sex": "FEMALE", **patient}),
                                f"NCT9200{n:04d}")
        (reason,) = [r for r in result.reasons if r.criterion.startswith("inc-")]
        assert reason.outcome == expected, (text, patient, reason)


@pytest.mark.parametrize("text, classes, therapies", [
    # modifiers that share one head: each is read with it (NCT00402415 exc-11, NCT00103168
    # inc-50, Facebook split)
    ("No treatment with cytotoxic or biologic agents within the 4 weeks", {"chemotherapy"}, {"biologic therapy"}),
    ("No other prior molecular targeted or biologic therapy", {"targeted-therapy"},
     {"targeted therapy", "biologic therapy"}),
    ("Prior immunosuppressive or immunomodulatory therapy", {"immunosuppressant"}, set()),
    ("Prior biologic or hormonal therapy within 2 weeks", {"endocrine-therapy"}, {"biologic therapy", "hormonal therapy"}),
])
def test_modifiers_that_share_a_head(text: str, classes: set[str], therapies: set[str]) -> None:
    (k,) = [k for k in _types(text, "exclusion") if k["type"] == "prior_therapy"]
    assert classes <= set(k["drug_classes"]) and therapies <= set(k["therapies"]), k


def test_a_shared_head_needs_two_modifiers() -> None:
    (k,) = [k for k in _types("Prior treatment with other or investigational agents", "exclusion")
            if k["type"] == "prior_therapy"]
    assert k["therapies"] == ["investigational agent"] and not k["drug_classes"]
