"""Diseases, histologies and receptor status on the real registry records (tests/data/ctgov_corpus).

The disease table is OncoTree 2025-10-03 with histology groups (ontology/reference/
diseases.tsv); each case names the trial and quotes the text it rests on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from trialkg.knowledge.diseases import DiseaseTable, condition_fit, has_histology
from trialkg.match import MatchResult, load_patient, match_store, parse_patient
from trialkg.store import TrialStore

PATIENTS = Path(__file__).resolve().parent / "data" / "patients"
CORPUS = Path(__file__).resolve().parent / "data" / "ctgov_corpus"
# trials whose registry conditions are sarcomas only
SARCOMA_ONLY = ("NCT02449343", "NCT03890068", "NCT01900743", "NCT02636725", "NCT03277924", "NCT04154189",
                "NCT02711007")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> TrialStore:
    from trialkg.pipeline import build

    path = tmp_path_factory.mktemp("corpus") / "store"
    build([str(CORPUS)], store_path=path, replace=True, jobs=1, quiet=True)
    return TrialStore(path, read_only=True)


def _by_trial(results: list[MatchResult]) -> dict[str, MatchResult]:
    return {r.trial: r for r in results}


def _outcome(r: MatchResult, criterion: str) -> str:
    return next(x.outcome for x in r.reasons if x.criterion == criterion)


# -- the table ---------------------------------------------------------------------

@pytest.mark.parametrize("patient, target, expected", [
    ("uterine leiomyosarcoma", "Soft Tissue Sarcoma", "within"),  # NCT02449343; ULMS is filed under UTERUS
    ("uterine leiomyosarcoma", "Sarcoma", "within"),  # NCT01900743
    ("leiomyosarcoma", "Uterine Leiomyosarcoma", "unknown"),  # broader than the target
    ("breast cancer", "Sarcoma", "outside"),
    ("breast cancer", "Soft Tissue Sarcomas", "outside"),  # NCT02636725
    ("lung adenocarcinoma", "Squamous Cell Non-small Cell Lung Cancer", "outside"),  # NCT01642004
    ("adenocarcinoma of the lung", "Lung Cancer", "within"),  # NCT00023673
    ("lung adenocarcinoma", "Non-Small Cell Lung Cancer", "within"),  # NCT02679963
    ("acute myeloid leukemia", "Chronic Phase Phase Chronic Myelogenous Leukemia (CML)", "outside"),  # NCT02782403
    ("osteosarcoma", "Primary bone sarcoma", "within"),  # NCT01900743 exc-3
    ("osteosarcoma", "Soft Tissue Sarcoma", "outside"),
    ("small cell lung cancer", "Lung Cancer", "within"),  # NCT00023673
    ("pancreatic adenocarcinoma", "Carcinoma, Non-Small-Cell Lung", "outside"),  # NCT00473486 (MeSH order)
    ("gastrointestinal stromal tumor", "Advanced Solid Tumors", "within"),  # NCT02622932
    ("acute myeloid leukemia", "Advanced Solid Tumors", "outside"),
    ("uterine leiomyosarcoma", "Atopic Dermatitis", "unknown"),  # NCT02210780: not a tumour name
    # MeSH headings as registries store conditions, inverted
    ("acute myeloid leukemia", "Leukemia, Myeloid, Acute", "within"),
    ("breast cancer", "Carcinoma, Hepatocellular", "outside"),
    ("breast cancer", "Lung Neoplasms", "outside"),
    # OncoTree names with a qualifier after a comma or slash read by their head
    ("breast cancer", "Breast Neoplasms", "within"),  # MeSH term; "Breast Neoplasm, NOS" is Breast
    ("glioblastoma", "Recurrent Glioma", "within"),  # NCT02465060; "Glioblastoma, IDH-Wildtype"
    ("chronic lymphocytic leukemia", "Chronic Leukemias", "within"),  # NCT01339988
    ("uterine carcinosarcoma", "Soft Tissue Sarcoma", "outside"),  # a carcinoma, not a sarcoma
])
def test_relations(patient: str, target: str, expected: str) -> None:
    t = DiseaseTable.default()
    assert t.relation(t.resolve(patient), t.resolve(target)) == expected


def test_table_carries_ncit_and_cross_links() -> None:
    t = DiseaseTable.default()
    assert t.nodes["ULMS"].ncit == ("C6340",) and "LMS" in t.nodes["ULMS"].parents
    assert "SOFT_TISSUE" in t.ancestors("ULMS") and "UTERUS" in t.ancestors("ULMS")
    assert t.resolve("Breast Angiosarcoma").codes == {"BA"} and "SOFT_TISSUE" in t.ancestors("BA")


def test_lists_and_passing_mentions() -> None:
    # NCT04072042: "advanced bone and soft tissue sarcoma excluding adipocytic tumor": bone OR soft tissue
    assert has_histology(["osteosarcoma"], ["advanced bone and soft tissue sarcoma excluding adipocytic tumor"],
                         "diagnosis of histologically confirmed advanced bone and soft tissue sarcoma")[0] is True
    # NCT03890068: an open list ("..., etc.") excludes only what is outside the family it names
    items = ["advanced synovial sarcoma, leiomyosarcoma, liposarcoma, angiosarcoma, etc"]
    text = "Subjects with pathologically confirmed advanced synovial sarcoma, leiomyosarcoma, liposarcoma, angiosarcoma, etc."
    assert has_histology(["angiosarcoma"], items, text)[0] is True
    assert has_histology(["fibrosarcoma"], items, text)[0] is None
    assert has_histology(["breast cancer"], items, text)[0] is False
    # NCT02636725 lists its types one per item ("alveolar soft part sarcoma,"): an item alone closes nothing
    assert has_histology(["uterine leiomyosarcoma"], ["alveolar soft part sarcoma"], "alveolar soft part sarcoma,",
                         closed_ok=False)[0] is None
    assert has_histology(["breast cancer"], ["alveolar soft part sarcoma"], "alveolar soft part sarcoma,",
                         closed_ok=False)[0] is False
    # NCT01060514 inc-2: the list the parser kept is "breast cancer"; the text goes on
    assert has_histology(["lung adenocarcinoma"], ["breast cancer"],
                         "Patients must have diagnosis of breast cancer or non small cell lung cancer")[0] is None
    # NCT01900743 exc-1 "More than 3 lines of systemic treatment for metastatic sarcoma": the trial's disease
    assert has_histology(["leiomyosarcoma"], ["metastatic sarcoma"], "More than 3 lines of systemic treatment for "
                         "metastatic sarcoma", ["Sarcoma"], in_exclusion=True)[0] is None
    # NCT03459976 exc-3 "Breast cancer or other malignancies.": another cancer the patient has
    assert has_histology(["breast cancer"], ["Breast cancer"], "Breast cancer or other malignancies.")[0] is True
    # NCT02465060 "NOTE: Prostate cancer patients may continue their LHRH agonist": named in passing
    assert has_histology(["uterine leiomyosarcoma"], ["Prostate cancer"], "NOTE: Prostate cancer patients may "
                         "continue their luteinizing hormone-releasing hormone (LHRH) agonist")[0] is None


def test_condition_names_a_marker_status() -> None:
    # NCT03133988 "HER2-positive Breast Cancer; HER2-positive Carcinoma; Neoplasm Metastasis"
    conds = ["HER2-positive Breast Cancer", "HER2-positive Carcinoma", "Neoplasm Metastasis"]
    assert condition_fit(["breast cancer"], conds, markers={"ERBB2": False}).value is False
    assert condition_fit(["breast cancer"], conds, markers={"ERBB2": True}).value is True
    # NCT03424005 "Triple Negative Breast Cancer": an ER-positive patient is outside
    assert condition_fit(["breast cancer"], ["Triple Negative Breast Cancer"], markers={"ESR1": True}).value is False
    assert condition_fit(["breast cancer"], ["Triple Negative Breast Cancer"]).value is None
    # NCT02199223 "KRAS and NRAS Wild-type Colorectal Cancer"
    assert condition_fit(["colorectal adenocarcinoma"], ["KRAS and NRAS Wild-type Colorectal Cancer"],
                         markers={"KRAS": True}).value is False


def test_list_exceptions() -> None:
    # NCT04072042 "advanced bone and soft tissue sarcoma excluding adipocytic tumor"
    text = "diagnosis of histologically confirmed advanced bone and soft tissue sarcoma excluding adipocytic tumor;"
    assert has_histology(["liposarcoma"], ["adipocytic tumor"], text, exceptions=True)[0] is True
    assert has_histology(["osteosarcoma"], ["adipocytic tumor"], text, exceptions=True)[0] is False


def test_condition_fit_tiers() -> None:
    assert condition_fit(["uterine leiomyosarcoma"], ["Soft Tissue Sarcoma"]).name == "fits"
    assert condition_fit(["uterine leiomyosarcoma"], ["Advanced Solid Tumors"]).name == "any tumour"
    assert condition_fit(["uterine leiomyosarcoma"], ["Metastasis", "Osteosarcoma"]).value is False  # NCT02711007
    assert condition_fit(["uterine leiomyosarcoma"], ["Graft-versus-host Disease (GVHD)"]).value is None  # NCT03147742
    assert condition_fit(["atopic dermatitis"], ["Atopic Dermatitis"]).name == "fits"  # NCT02210780, word-wise
    assert condition_fit(None, ["Sarcoma"]).value is None


# -- ranking and verdicts on the real records ------------------------------------------

def test_leiomyosarcoma_patient_gets_sarcoma_trials_first(store: TrialStore) -> None:
    results = match_store(store, load_patient(PATIENTS / "lms_uterine.json"))
    t = DiseaseTable.default()
    top = [r for r in results if r.verdict != "excluded"][:4]
    assert top and all(r.fit == 0 for r in top), [(r.trial, r.fit) for r in top]
    sarcoma = t.resolve("sarcoma")
    for r in top:  # each names a sarcoma among its conditions
        conds = next(x.text for x in r.reasons if x.criterion == "conditions")
        assert any(t.relation(t.resolve(c), sarcoma) == "within" for c in conds.removeprefix("Conditions: ").split("; "))
    order = [r.trial for r in results]
    # ocular melanoma, the cognitive assessment, atopic dermatitis come after every sarcoma trial that is possible
    sarcoma_possible = [r.trial for r in results if r.trial in SARCOMA_ONLY and r.verdict == "possible"]
    for other in ("NCT06970236", "NCT06171568", "NCT02210780"):
        assert all(order.index(s) < order.index(other) for s in sarcoma_possible)
    assert _by_trial(results)["NCT06970236"].verdict == "excluded"  # ocular melanoma: outside its condition


def test_breast_cancer_patient_is_no_candidate_for_sarcoma_trials(store: TrialStore) -> None:
    by = _by_trial(match_store(store, load_patient(PATIENTS / "breast_hr_pos_her2_neg.json")))
    for trial in SARCOMA_ONLY:
        assert by[trial].verdict == "excluded" and _outcome(by[trial], "conditions") == "unmet", trial
        why = next(x.why for x in by[trial].reasons if x.criterion == "conditions")
        assert "Invasive" not in why and "CARCINOMA" in why and "tkg:hasCondition" in why


def test_adenocarcinoma_outside_squamous_only_trial(store: TrialStore) -> None:
    # NCT01642004 inc-3: "Subjects with histologically or cytologically-documented squamous cell NSCLC ..."
    r = match_store(store, load_patient(PATIENTS / "lung_adenocarcinoma_egfr.json"), "NCT01642004")[0]
    assert r.verdict == "excluded" and _outcome(r, "conditions") == "unmet"
    assert _outcome(r, "inc-3") == "unmet"
    squamous = parse_patient({"conditions": ["lung squamous cell carcinoma"]})
    r = match_store(store, squamous, "NCT01642004")[0]
    assert _outcome(r, "conditions") == "met" and _outcome(r, "inc-3") != "unmet"


def test_aml_is_not_cml(store: TrialStore) -> None:
    # NCT02782403 inc-1: "Diagnosis of Philadelphia chromosome positive (Ph+) ... CML in CP (cohort 1), ..."
    r = match_store(store, load_patient(PATIENTS / "aml.json"), "NCT02782403")[0]
    assert r.verdict == "excluded" and _outcome(r, "conditions") == "unmet" and _outcome(r, "inc-1") == "unmet"
    cml = parse_patient({"conditions": ["chronic myeloid leukemia"]})
    r = match_store(store, cml, "NCT02782403")[0]
    assert _outcome(r, "conditions") == "met" and _outcome(r, "inc-1") != "unmet"


def test_osteosarcoma_is_a_primary_bone_sarcoma(store: TrialStore) -> None:
    # NCT01900743 exc-3: "Primary bone sarcoma"
    r = match_store(store, load_patient(PATIENTS / "osteosarcoma_16.json"), "NCT01900743")[0]
    assert _outcome(r, "exc-3") == "unmet" and r.verdict == "excluded"
    r = match_store(store, load_patient(PATIENTS / "lms_uterine.json"), "NCT01900743")[0]
    assert _outcome(r, "exc-3") == "met"
    assert _outcome(r, "exc-1") != "unmet"  # "... systemic treatment for metastatic sarcoma": the trial's disease


def test_histology_strata(store: TrialStore) -> None:
    # NCT01130623 inc-2 "Part 1 ...: relapsed or refractory solid tumors including CNS tumors" and
    # inc-4 "Part 2b ...: soft tissue sarcoma, desmoplastic small round cell tumor or extraosseus
    # Ewing sarcoma": an osteosarcoma is outside Part 2b but within Part 1
    # (the "Part 1 ...:" and "Part 2b ...:" lines are the scopes of inc-1 and inc-2, tkg:scope)
    r = match_store(store, load_patient(PATIENTS / "osteosarcoma_16.json"), "NCT01130623")[0]
    assert _outcome(r, "inc-2") == "unknown"
    why = next(x.why for x in r.reasons if x.criterion == "inc-2")
    assert "another inclusion criterion" in why or "for another part than Part 1" in why
    aml = match_store(store, load_patient(PATIENTS / "aml.json"), "NCT01130623")[0]
    assert _outcome(aml, "inc-2") == "unmet"  # within no part


def test_every_unmet_names_its_facts(store: TrialStore) -> None:
    for name in ("lms_uterine", "breast_hr_pos_her2_neg", "lung_adenocarcinoma_egfr", "aml", "osteosarcoma_16"):
        for r in match_store(store, load_patient(PATIENTS / f"{name}.json")):
            for x in r.unmet:
                assert x.why.strip() and x.text.strip(), (name, r.trial, x.criterion)


# -- receptor and biomarker status ---------------------------------------------------------

BREAST = {"age_years": 52, "sex": "FEMALE", "conditions": ["breast cancer"]}


@pytest.mark.parametrize("markers, expected", [
    ([("ER", "positive"), ("PR", "positive"), ("HER2", "negative")], "met"),
    ([("ESR1", "positive"), ("PGR", "negative"), ("ERBB2", "negative")], "met"),  # ER+ and/or PR+: one is enough
    ([("HR", "positive"), ("HER2", "negative")], "met"),
    ([("ER", "positive"), ("HER2", "positive")], "unmet"),
    ([("HR", "negative"), ("HER2", "negative")], "unmet"),
    ([("HER2", "negative")], "unknown"),
])
def test_receptor_status_pallas(store: TrialStore, markers: list[tuple[str, str]], expected: str) -> None:
    # NCT02513394 inc-5: "Patients must have histologically confirmed ER+ and/or PR+, HER2-, early invasive breast cancer."
    p = parse_patient({**BREAST, "biomarkers": [{"gene": g, "status": s} for g, s in markers]})
    r = match_store(store, p, "NCT02513394")[0]
    assert _outcome(r, "inc-5") == expected


def test_triple_negative_trial(store: TrialStore) -> None:
    # NCT03424005 inc-2 (after the "Inclusion Criteria Stage 1" header): "... histologically
    # documented TNBC (absence of HER2, ER, and PR expression)"
    hr_pos = parse_patient({**BREAST, "biomarkers": [{"gene": "ER", "status": "positive"}]})
    assert _outcome(match_store(store, hr_pos, "NCT03424005")[0], "inc-2") == "unmet"
    tn = parse_patient({**BREAST, "biomarkers": [{"gene": g, "status": "negative"} for g in ("ER", "PR", "HER2")]})
    assert _outcome(match_store(store, tn, "NCT03424005")[0], "inc-2") != "unmet"


def test_egfr_exon_19_deletion(store: TrialStore) -> None:
    # NCT03599518 inc-4: "... the tumor harbors an EGFR mutation known to be associated with EGFR TKI
    # sensitivity (including G719X, exon 19 deletion, L858R, L861Q)"
    r = match_store(store, load_patient(PATIENTS / "lung_adenocarcinoma_egfr.json"), "NCT03599518")[0]
    assert _outcome(r, "inc-4") != "unmet"
    why = next(x.why for x in r.reasons if x.criterion == "inc-4")
    assert "EGFR exon 19 deletion positive" in why
    # inc-4 ends in "OR": inc-5 ("clinical benefit from an EGFR TKI") is its alternative
    # (tkg:alternativeSet), so an EGFR-negative patient is not decided by inc-4 alone.
    wild = parse_patient({"conditions": ["lung adenocarcinoma"], "biomarkers": [{"gene": "EGFR", "status": "negative"}]})
    r = match_store(store, wild, "NCT03599518")[0]
    assert _outcome(r, "inc-4") == "unknown"
    assert "EGFR negative" in next(x.why for x in r.reasons if x.criterion == "inc-4")


# -- patients written from the corpus trials' criteria (benchmarks/match_audit.py) -------

@pytest.mark.parametrize(("patient", "first"), [
    # a TKI-naive leiomyosarcoma: the soft tissue sarcoma trials (anlotinib ALTER0203,
    # sunitinib + nivolumab, anlotinib for STS, pazopanib neoadjuvant, the sarcoma trial
    # NCT01900743 whose "Metastatic disease not amenable to surgical resection" she meets,
    # Toca 6, open to sarcoma, whose condom clause names no prior therapy, and NCT00703638,
    # for advanced non-haematologic malignancies "including ... sarcoma", whose "except for
    # patients diagnosed with mesothelioma" is an exception, not a call for mesothelioma,
    # and NCT02636725, whose histology lists under "The following histologies may be
    # enrolled ..." name leiomyosarcoma among the types it admits, and apatinib with
    # chemotherapy for STS NCT04126811, whose "previous chemotherapy failure" a drug list
    # cannot show) before any other
    ("lms_tki_naive", {"NCT02449343", "NCT03277924", "NCT03890068", "NCT01418001", "NCT01900743",
                       "NCT02576665", "NCT00703638", "NCT02636725", "NCT04126811"}),
    # clear cell RCC after sunitinib: the metastatic RCC trial first
    ("rcc_after_sunitinib", {"NCT02535351"}),
    # chronic-phase CML after imatinib: the axitinib + bosutinib CML trial first
    ("cml_after_imatinib", {"NCT02782403"}),
])
def test_what_is_known_to_fit_ranks_first(store: TrialStore, patient: str, first: set[str]) -> None:
    results = match_store(store, load_patient(PATIENTS / f"{patient}.json"))
    top = results[:len(first)]
    assert {r.trial for r in top} == first, [(r.trial, r.verdict, r.fit) for r in results[:6]]
    assert all(r.verdict != "excluded" and r.fit == 0 for r in top)


def test_hr_positive_patient_after_adjuvant_therapy_is_a_candidate_for_pallas(store: TrialStore) -> None:
    # NCT02513394 (PALLAS): "Patients who received neo/adjuvant therapy must be after last
    # dose ..." and "Prior therapy with any CDK inhibitor" (she had none): not excluded,
    # and among the first two of her ranking
    results = match_store(store, load_patient(PATIENTS / "breast_hr_pos_after_adjuvant.json"))
    assert _by_trial(results)["NCT02513394"].verdict == "possible"
    assert "NCT02513394" in [r.trial for r in results[:2]]


def test_any_cancer_named_in_an_exclusion_of_a_tumour_trial_decides_nothing(store: TrialStore) -> None:
    # NCT00619541 exc-13 "Any systemic anticancer treatment or any agent administered with
    # antineoplastic intent ...": 'cancer' is the patient's own disease, named in passing;
    # a breast cancer patient without prior therapy is not excluded by it, one after
    # doxorubicin is.
    naive = match_store(store, load_patient(PATIENTS / "breast_hr_pos_her2_neg.json"), "NCT00619541")[0]
    assert _outcome(naive, "exc-13") != "unmet"
    treated = match_store(store, load_patient(PATIENTS / "breast_hr_pos_after_adjuvant.json"), "NCT00619541")[0]
    assert _outcome(treated, "exc-13") == "unmet"
    # NCT00678977 exc-19 "... has undergone in the 14 days immediately prior to first dose of
    # study drug, any cancer therapy": the same class
    r = match_store(store, load_patient(PATIENTS / "breast_hr_pos_her2_neg.json"), "NCT00678977")[0]
    assert _outcome(r, "exc-19") != "unmet"


AUDIT_PATIENTS = ("lms_uterine", "lms_tki_naive", "breast_hr_pos_her2_neg", "breast_hr_pos_after_adjuvant",
                  "lung_adenocarcinoma_egfr", "rcc_after_sunitinib", "cml_after_imatinib", "aml", "osteosarcoma_16")


def test_permissions_information_and_later_steps_never_exclude(store: TrialStore) -> None:
    """A permission is met for a patient it names and n/a otherwise; information and a
    criterion of a later step (on study, stage 2: tkg:entryCriterion false) are n/a."""
    from trialkg.match import read_trials

    facts = {(t.id, c.id): c for t in read_trials(store) for c in t.criteria}
    seen = set()
    for name in AUDIT_PATIENTS:
        for r in match_store(store, load_patient(PATIENTS / f"{name}.json")):
            for x in r.reasons:
                crit = facts.get((r.trial, x.criterion))
                if crit is None:
                    continue
                if not crit.entry or crit.role == "information":
                    assert x.outcome == "n/a", (r.trial, x.criterion, x.outcome, x.why)
                    seen.add("entry" if not crit.entry else "information")
                elif crit.role == "permission":
                    assert x.outcome in ("met", "n/a"), (r.trial, x.criterion, x.outcome, x.why)
                    seen.add("permission")
    assert seen == {"entry", "information", "permission"}


def test_a_type_named_with_its_marker_status_is_that_disease_only(store: TrialStore) -> None:
    # NCT01165385 exc-2 "HER2 positive breast cancer": a HER2-negative breast cancer is
    # another disease (met), a HER2-positive one is excluded
    neg = match_store(store, load_patient(PATIENTS / "breast_hr_pos_her2_neg.json"), "NCT01165385")[0]
    assert _outcome(neg, "exc-2") == "met"
    pos = parse_patient({**BREAST, "biomarkers": [{"gene": "HER2", "status": "positive"}]})
    assert _outcome(match_store(store, pos, "NCT01165385")[0], "exc-2") == "unmet"
    # NCT06382129 inc-4 "... locally advanced or metastatic EGFR wild-type non-small cell
    # lung cancer": a patient whose EGFR is positive is outside it
    egfr = parse_patient({"age_years": 60, "conditions": ["lung adenocarcinoma"],
                          "biomarkers": [{"gene": "EGFR", "status": "positive"}]})
    r = match_store(store, egfr, "NCT06382129")[0]
    assert _outcome(r, "inc-4") == "unmet"
    assert "needs EGFR negative" in next(x.why for x in r.reasons if x.criterion == "inc-4")


def test_an_undecidable_criterion_says_why_in_every_output(store: TrialStore) -> None:
    """``tkg:undecidableReason`` in the reason's words, its key in the JSON and the table:
    "Intervening therapy that constitutes a new, molecularly targeted therapy is not
    permitted" (NCT02465060, on study: n/a); "Adequate organ function" (NCT00678977) and
    "Adequate organ system function as defined by the protocol" (NCT00722293): not_stated."""
    from trialkg.match.output import summary_rows

    patient = load_patient(PATIENTS / "lms_uterine.json")
    (r,) = match_store(store, patient, "NCT02465060")
    on_study = next(x for x in r.reasons if x.text.startswith("Intervening therapy that constitutes"))
    assert on_study.outcome == "n/a" and on_study.undecidable == "on_study"
    assert "a rule for the time after enrolment, not an entry criterion" in on_study.why
    assert on_study.to_dict()["undecidable"] == "on_study"
    for nct, fragment in (("NCT00678977", "Adequate organ function"), ("NCT00722293", "as defined by the protocol")):
        (r,) = match_store(store, patient, nct)
        x = next(x for x in r.reasons if fragment in x.text)
        assert x.outcome == "unknown" and x.undecidable == "not_stated", (nct, x.why)
        assert "defined elsewhere" in x.why
        if r.verdict == "possible":
            assert any(d.endswith("[not_stated]") for d in summary_rows([r])[0]["deciding"])
    decided = next(x for x in r.reasons if x.outcome == "met")
    assert "undecidable" not in decided.to_dict()


# -- named conditions (tkg:conditionName) -------------------------------------------

def _named(store: TrialStore, nct: str, fragment: str, patient: dict) -> tuple[str, str]:
    (r,) = match_store(store, parse_patient(patient), nct)
    x = next(x for x in r.reasons if fragment in x.text)
    return x.outcome, x.why


@pytest.mark.parametrize("nct, fragment, conditions, flags, expected", [
    # the condition named in the patient's conditions, words folded: excluded
    ("NCT02210780", "History of Guillain-Barre syndrome", ["Guillain-Barre Syndrome"], {}, "unmet"),
    ("NCT00375310", "History of collagen vascular disease", ["collagen vascular diseases"], {}, "unmet"),
    # not among the conditions, and no flag says it is absent: missing data, not met
    ("NCT02210780", "History of Guillain-Barre syndrome", ["atopic dermatitis"], {}, "unknown"),
    ("NCT00375310", "History of collagen vascular disease", None, {}, "unknown"),
    # a narrowing word the patient's condition does not say: unknown
    ("NCT00722293", "Symptomatic peripheral vascular disease", ["peripheral vascular disease"], {}, "unknown"),
    ("NCT01542047", "Symptomatic peripheral vascular disease", ["symptomatic peripheral vascular disease"], {},
     "unmet"),
    # a flag by its name: "Any history of congenital long QT syndrome" has none; "pancreatitis" neither
    ("NCT03599518", "history of pancreatitis", ["chronic pancreatitis"], {}, "unmet"),
])
def test_a_named_condition_is_read_against_the_patients_conditions(
        store: TrialStore, nct: str, fragment: str, conditions: list[str] | None, flags: dict, expected: str) -> None:
    outcome, why = _named(store, nct, fragment, {"age_years": 50, "sex": "FEMALE", "conditions": conditions,
                                                  "flags": flags})
    assert outcome == expected, why
    assert "'" in why  # the fact named: the condition and what the file says of it


def test_named_conditions_by_flag_names_and_tumour_types() -> None:
    from trialkg.match.conditions import named_condition, tumour_type

    patient = parse_patient({"conditions": ["type 2 diabetes mellitus", "HIV infection"],
                             "flags": {"myocardial_infarction": False, "cns_metastases": False}})
    assert named_condition("History of HIV", patient)[0] is True
    assert named_condition("uncontrolled diabetes", patient)[0] is None  # diabetes, control not stated
    assert named_condition("prior myocardial infarction", patient)[0] is False  # the flag says no
    assert named_condition("brain metastases", patient)[0] is False  # no CNS metastases: none in the brain
    assert named_condition("active hepatitis B", patient)[0] is None
    assert named_condition("disease", patient)[0] is None  # names nothing in particular
    assert named_condition("A hysterectomy", patient)[0] is None  # a procedure (NCT01542047)
    # tumour types go to the histology decision (NCT02636725's list of histologies)
    assert tumour_type("leiomyosarcoma") and tumour_type("chordoma") and tumour_type("phaeochromocytoma")
    assert not tumour_type("Guillain-Barre syndrome") and not tumour_type("disease")


def test_a_list_of_histologies_as_named_conditions_is_strata(store: TrialStore) -> None:
    """NCT02636725 lists its histologies one an item ("leiomyosarcoma,", "angiosarcoma,",
    "chordoma.", "solitary fibrous tumor/hemangiopericytoma."): the item naming the
    patient's type is met and the others do not exclude a leiomyosarcoma; a breast cancer
    is outside every one."""
    (lms,) = match_store(store, load_patient(PATIENTS / "lms_uterine.json"), "NCT02636725")
    assert next(x for x in lms.reasons if x.text.startswith("leiomyosarcoma,")).outcome == "met"
    for fragment in ("angiosarcoma,", "chordoma.", "solitary fibrous tumor"):
        assert next(x for x in lms.reasons if x.text.startswith(fragment)).outcome == "unknown"
    (breast,) = match_store(store, load_patient(PATIENTS / "breast_hr_pos_her2_neg.json"), "NCT02636725")
    assert next(x for x in breast.reasons if x.text.startswith("leiomyosarcoma,")).outcome == "unmet"
    assert breast.verdict == "excluded"


# -- drug classes the reference build derives (tests/test_knowledge_drug_classes.py) -----

@pytest.mark.parametrize("nct, fragment, drug, expected", [
    # "Prior therapy with any CDK inhibitor." (PALLAS): abemaciclib is a CDK4/6 inhibitor by its
    # CDK4 and CDK6 mechanism; letrozole, an aromatase inhibitor, is none
    ("NCT02513394", "Prior therapy with any CDK inhibitor", "abemaciclib", "unmet"),
    ("NCT02513394", "Prior therapy with any CDK inhibitor", "letrozole", "met"),
    # "Patients should have previously received at least anthracyclines" (-rubicin)
    ("NCT03277924", "previously received at least anthracyclines", "daunorubicin", "met"),
    ("NCT03277924", "previously received at least anthracyclines", "cisplatin", "unmet"),
    # "one prior platinum-containing chemotherapy" (-platin)
    ("NCT02691871", "one prior platinum-containing chemotherapy", "nedaplatin", "met"),
    # "Previous anti-programmed death-1 (PD-1) ... antibody": cemiplimab by its PDCD1 mechanism
    ("NCT03277924", "Previous anti-programmed death-1", "cemiplimab", "unmet"),
    ("NCT03277924", "Previous anti-programmed death-1", "methotrexate", "met"),
])
def test_a_drug_no_trial_uses_is_judged_by_its_derived_class(
        store: TrialStore, nct: str, fragment: str, drug: str, expected: str) -> None:
    outcome, why = _named(store, nct, fragment, {"age_years": 50, "sex": "FEMALE", "conditions": ["breast cancer"],
                                                  "prior_therapies": [{"drug": drug, "weeks_since_last_dose": 30}]})
    assert outcome == expected, why
    assert why.startswith("prior ")  # the class the criterion names, then the patient's drug or none


def test_a_trial_for_another_condition_ranks_after_every_tumour_trial(store: TrialStore) -> None:
    """The patient's conditions rank: a trial for a condition none of them names ("Atopic
    Dermatitis", NCT02210780; "Graft-versus-host Disease (GVHD)", NCT03147742) is "another
    condition", after the trials for any tumour; a trial without registry conditions whose
    inclusion criterion names the patient's type ("diagnosis of histologically confirmed
    advanced bone and soft tissue sarcoma", NCT04072042) fits."""
    assert condition_fit(["uterine leiomyosarcoma"], ["Atopic Dermatitis"]).name == "another condition"
    assert condition_fit(None, ["Atopic Dermatitis"]).name == "unknown"  # no conditions: not known
    for name in ("aml", "osteosarcoma_16"):
        results = [r for r in match_store(store, load_patient(PATIENTS / f"{name}.json")) if r.verdict != "excluded"]
        fits = [r.to_dict()["condition_fit"] for r in results]
        assert "another condition" in fits
        first_other = fits.index("another condition")
        assert all(f in ("another condition", "unknown") for f in fits[first_other:]), fits
    (biovas,) = match_store(store, load_patient(PATIENTS / "osteosarcoma_16.json"), "NCT04072042")
    assert biovas.to_dict()["condition_fit"] == "fits" and biovas.verdict == "possible"


def test_excluded_trials_rank_by_condition_fit_first(store: TrialStore) -> None:
    """Among excluded trials those for the patient's type come first: for an osteosarcoma,
    the osteosarcoma trials one criterion rules out (NCT02711007, "Apatinib for Advanced
    Osteosarcoma After Failure of Standard ...") before trials for other diseases; a trial
    without registry conditions whose inclusion requirement places an AML outside
    ("extremity only, >=8 cm, high grade STS", NCT01418001) is outside."""
    results = match_store(store, load_patient(PATIENTS / "osteosarcoma_16.json"))
    excluded = [r for r in results if r.verdict == "excluded"]
    assert [r.fit for r in excluded] == sorted(r.fit for r in excluded)
    assert excluded[0].fit == 0
    (aml_sts,) = match_store(store, load_patient(PATIENTS / "aml.json"), "NCT01418001")
    assert aml_sts.to_dict()["condition_fit"] == "outside"


def test_a_condition_of_absence_is_the_flag_negated(store: TrialStore) -> None:
    # "... are permitted in the absence of liver metastases": the permission's condition
    # holds for a patient without them
    from trialkg.match.decide.context import Context
    from trialkg.match.drugs import DrugKnowledge

    knowledge = DrugKnowledge(store)
    with_mets = Context(parse_patient({"flags": {"liver_metastases": True}}), knowledge)
    without = Context(parse_patient({"flags": {"liver_metastases": False}}), knowledge)
    assert with_mets.applies("no liver metastases") is False
    assert without.applies("no liver metastases") is True
    assert Context(parse_patient({}), knowledge).applies("in the absence of liver metastases") is None
