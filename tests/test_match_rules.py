"""The matcher's rules on a small store written in the model's vocabulary.

Trials are TrialRecords with criteria in the criterion JSON shape (docs/criteria.md), mapped by the real
``trialkg.mapping``; the reference graph is a handful of drug and class triples in the
shape docs/model.md fixes. Each test is one patient and the verdict a reader of the
criteria would give.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from trialkg import iris
from trialkg.errors import PatientError
from trialkg.match import MatchResult, match_store, parse_patient
from trialkg.records import Eligibility, Provenance, TrialRecord
from trialkg.store import TrialStore

TKG = iris.TKG
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS = "http://www.w3.org/2004/02/skos/core#"


def _criterion(section: str, text: str, *constraints: dict, negated: bool = False) -> dict:
    return {"section": section, "text": text, "negated": negated, "constraints": list(constraints)}


CRITERIA = [
    _criterion(
        "inclusion",
        "ECOG performance status 0 or 1 (0-2 for amputees)",
        {"type": "performance_status", "variable": "ecog", "allowed_values": [0, 1], "span": "ECOG performance status 0 or 1"},
        {"type": "performance_status", "variable": "ecog", "allowed_values": [0, 1, 2], "applies_if": "amputee", "span": "0-2 for amputees"},
    ),
    _criterion(
        "inclusion",
        "Neutrophils >= 1.5 x 10^9/L",
        {"type": "numeric", "variable": "neutrophils", "comparator": ">=", "value": 1.5, "unit": "10*9/L"},
    ),
    _criterion(
        "inclusion",
        "Total bilirubin <= 1.5 x ULN; AST <= 2.5 x ULN, with liver metastases AST <= 5 x ULN",
        {"type": "numeric", "variable": "bilirubin", "comparator": "<=", "value": 1.5, "relative_to": "ULN"},
        {"type": "numeric", "variable": "ast", "comparator": "<=", "value": 2.5, "relative_to": "ULN"},
        {"type": "numeric", "variable": "ast", "comparator": "<=", "value": 5, "relative_to": "ULN", "applies_if": "liver metastases"},
    ),
    _criterion(
        "inclusion",
        "Serum creatinine <= 1.5 x ULN or creatinine clearance >= 60 mL/min",
        {"type": "numeric", "variable": "creatinine", "comparator": "<=", "value": 1.5, "relative_to": "ULN", "span": "Serum creatinine <= 1.5 x ULN"},
        {"type": "numeric", "variable": "creatinine_clearance", "comparator": ">=", "value": 60, "unit": "mL/min", "span": "creatinine clearance >= 60 mL/min"},
    ),
    _criterion("inclusion", "At least one measurable lesion per RECIST 1.1",
               {"type": "disease_state", "state": "measurable_disease", "required": True}),
    _criterion("exclusion", "Previously treated with VEGFR TKIs for more than 8 weeks",
               {"type": "prior_therapy", "drug_classes": ["vegfr-tki"], "min_exposure": "P8W", "exposure_strict": True,
                "span": "VEGFR TKIs for more than 8 weeks"}),
    _criterion("exclusion", "Anti-angiogenic drugs within the past 3 months",
               {"type": "prior_therapy", "drug_classes": ["anti-angiogenic"], "window": "P3M", "window_days": 90}),
    _criterion("exclusion", "Prior anti-PD-1 antibodies",
               {"type": "prior_therapy", "drug_classes": ["anti-pd-1-antibody"]}),
    # the criteria parser restates the section in ``required`` (false in exclusions)
    _criterion("exclusion", "Active CNS metastases", {"type": "disease_state", "state": "cns_metastases", "required": False}),
    _criterion("inclusion", "No history of interstitial lung disease",
               {"type": "disease_state", "state": "interstitial_lung_disease", "required": True}, negated=True),
    _criterion("exclusion", "QTc men > 450 ms, women > 470 ms",
               {"type": "numeric", "variable": "qtc", "comparator": ">", "value": 450, "unit": "ms", "applies_if": "men"},
               {"type": "numeric", "variable": "qtc", "comparator": ">", "value": 470, "unit": "ms", "applies_if": "women"}),
]

# drug -> (labels, classes); class -> parents. The shape of the reference graph.
DRUGS = {
    "anlotinib": (["anlotinib hydrochloride", "al3818", "catequentinib"], ["vegfr-tki", "multi-kinase-inhibitor"]),
    "apatinib": (["apatinib mesylate", "rivoceranib", "ytn"], ["vegfr-tki"]),
    "toripalimab": (["js001", "tuoyi"], ["anti-pd-1-antibody"]),
    "doxorubicin": (["adriamycin"], ["anthracycline"]),
}
CLASSES = {
    "vegfr-tki": ("VEGFR tyrosine kinase inhibitor", ["tyrosine-kinase-inhibitor", "anti-angiogenic"]),
    "multi-kinase-inhibitor": ("multi-kinase inhibitor", ["kinase-inhibitor"]),
    "tyrosine-kinase-inhibitor": ("tyrosine kinase inhibitor", ["kinase-inhibitor"]),
    "kinase-inhibitor": ("protein kinase inhibitor", []),
    "anti-angiogenic": ("anti-angiogenic agent", []),
    "anti-pd-1-antibody": ("anti-PD-1 antibody", ["immune-checkpoint-inhibitor"]),
    "immune-checkpoint-inhibitor": ("immune checkpoint inhibitor", []),
    "anthracycline": ("anthracycline", []),
}


def _reference() -> list[ox.Triple]:
    nn, lit = ox.NamedNode, ox.Literal
    out = []
    for name, (alts, classes) in DRUGS.items():
        d = nn(iris.drug(name))
        out += [ox.Triple(d, nn(TKG + "type"), nn(TKG + "Drug")), ox.Triple(d, RDFS_LABEL, lit(name))]
        out += [ox.Triple(d, nn(SKOS + "altLabel"), lit(a)) for a in alts]
        out += [ox.Triple(d, nn(TKG + "inDrugClass"), nn(iris.drug_class(c))) for c in classes]
    for key, (label, parents) in CLASSES.items():
        c = nn(iris.drug_class(key))
        out += [ox.Triple(c, RDFS_LABEL, lit(label)), ox.Triple(c, nn(TKG + "classKey"), lit(key))]
        out += [ox.Triple(c, nn(SKOS + "broader"), nn(iris.drug_class(p))) for p in parents]
    return out


def _record(trial_id: str, criteria: list[dict], min_age: float | None, max_age: float | None, sex: str = "ALL") -> TrialRecord:
    rec = TrialRecord(
        id=trial_id, nct_id=trial_id,
        provenance=Provenance(file="synthetic", format="ctgov-json", sha256="0" * 64),
        brief_title=f"Synthetic trial {trial_id}",
    )
    rec.eligibility = Eligibility(min_age_years=min_age, max_age_years=max_age, sex=sex, criteria=criteria)
    return rec


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> TrialStore:
    from trialkg.mapping import record_triples

    s = TrialStore(tmp_path_factory.mktemp("match") / "store")
    s.replace_graph(iris.REFERENCE_GRAPH, _reference())
    for rec in (
        _record("NCT90000001", CRITERIA, 18, 70),
        _record("NCT90000002", [_criterion("inclusion", "Women only", {"type": "sex", "sex": "FEMALE", "span": "Women"})], 18, None, "FEMALE"),
    ):
        s.replace_graph(iris.trial_graph(rec.id), record_triples(rec))
    return s


def run(store: TrialStore, patient: dict, trial: str = "NCT90000001") -> MatchResult:
    (result,) = match_store(store, parse_patient(patient), trial)
    return result


def outcome(result: MatchResult, text_start: str) -> str:
    hits = [r for r in result.reasons if r.text.startswith(text_start)]
    assert hits, f"no criterion starting {text_start!r} in {[r.text for r in result.reasons]}"
    return hits[0].outcome


FIT = {
    "age_years": 50, "sex": "MALE", "ecog": 1,
    "prior_therapies": [],
    "labs": {
        "neutrophils": {"value": 2.0, "unit": "10*9/L"},
        "bilirubin": {"value": 1.0, "unit": "x ULN"},
        "ast": {"value": 1.0, "unit": "x ULN"},
        "creatinine": {"value": 1.0, "unit": "x ULN"},
        "qtc": {"value": 430, "unit": "ms"},
    },
    "flags": {"measurable_disease": True, "cns_metastases": False, "interstitial_lung_disease": False},
}


def patient(**changes: object) -> dict:
    p = {k: (dict(v) if isinstance(v, dict) else v) for k, v in FIT.items()}
    for key, value in changes.items():
        if "." in key:
            outer, inner = key.split(".", 1)
            p[outer][inner] = value
        else:
            p[key] = value
    return p


def test_fit_patient_is_eligible(store: TrialStore) -> None:
    r = run(store, FIT)
    assert r.verdict == "eligible", [(x.text, x.outcome, x.why) for x in r.reasons]


def test_age_boundaries_are_inclusive(store: TrialStore) -> None:
    assert run(store, patient(age_years=70)).verdict == "eligible"
    assert run(store, patient(age_years=70.9)).verdict == "eligible"
    r = run(store, patient(age_years=71))
    assert r.verdict == "excluded" and outcome(r, "Age 18 to 70") == "unmet"
    assert run(store, patient(age_years=17)).verdict == "excluded"


def test_ecog_amputee_exception(store: TrialStore) -> None:
    ecog = "ECOG performance status"
    r = run(store, patient(ecog=2))
    assert r.verdict == "possible" and outcome(r, ecog) == "unknown"  # amputee not stated
    r = run(store, patient(ecog=2, flags={**FIT["flags"], "amputee": True}))
    assert r.verdict == "eligible" and outcome(r, ecog) == "met"
    r = run(store, patient(ecog=2, flags={**FIT["flags"], "amputee": False}))
    assert r.verdict == "excluded" and outcome(r, ecog) == "unmet"
    r = run(store, patient(ecog=3, flags={**FIT["flags"], "amputee": True}))
    assert r.verdict == "excluded"


def test_karnofsky_stands_in_for_ecog(store: TrialStore) -> None:
    p = patient(karnofsky=80)
    del p["ecog"]
    assert run(store, p).verdict == "eligible"


def test_neutrophils_in_another_unit(store: TrialStore) -> None:
    assert run(store, patient(**{"labs.neutrophils": {"value": 2100, "unit": "/uL"}})).verdict == "eligible"
    r = run(store, patient(**{"labs.neutrophils": {"value": 1200, "unit": "cells/uL"}}))
    assert r.verdict == "excluded" and outcome(r, "Neutrophils") == "unmet"
    assert "1.2 10*9/L" in next(x.why for x in r.reasons if x.text.startswith("Neutrophils"))


def test_uln_multiples_absolute_with_uln_and_liver_exception(store: TrialStore) -> None:
    crit = "Total bilirubin"
    r = run(store, patient(**{"labs.bilirubin": {"value": 2.0, "unit": "mg/dL", "uln": 1.2}}))
    assert outcome(r, crit) == "unmet"  # 1.67 x ULN
    r = run(store, patient(**{"labs.bilirubin": {"value": 1.5, "unit": "mg/dL", "uln": 1.2}}))
    assert outcome(r, crit) == "met"  # 1.25 x ULN
    r = run(store, patient(**{"labs.bilirubin": {"value": 1.5, "unit": "mg/dL"}}))
    assert outcome(r, crit) == "unknown"  # no ULN to compare with
    ast4 = {"value": 4, "unit": "x ULN"}
    assert outcome(run(store, patient(**{"labs.ast": ast4})), crit) == "unknown"
    assert outcome(run(store, patient(**{"labs.ast": ast4, "flags.liver_metastases": True})), crit) == "met"
    assert outcome(run(store, patient(**{"labs.ast": ast4, "flags.liver_metastases": False})), crit) == "unmet"


def test_or_alternatives_in_one_criterion(store: TrialStore) -> None:
    crit = "Serum creatinine"
    high_cr = {"value": 2.0, "unit": "x ULN"}
    assert outcome(run(store, patient(**{"labs.creatinine": high_cr})), crit) == "unknown"
    good_crcl = {"value": 75, "unit": "mL/min"}
    r = run(store, patient(**{"labs.creatinine": high_cr, "labs.creatinine_clearance": good_crcl}))
    assert outcome(r, crit) == "met"


@pytest.mark.parametrize(
    ("therapy", "verdict", "deciding"),
    [
        ({"drug": "anlotinib", "weeks_since_last_dose": 6, "duration_weeks": 4}, "excluded", "Anti-angiogenic drugs within"),
        ({"drug": "anlotinib", "weeks_since_last_dose": 20, "duration_weeks": 4}, "eligible", None),
        ({"drug": "Anlotinib Hydrochloride", "weeks_since_last_dose": 20, "duration_weeks": 10}, "excluded", "Previously treated with VEGFR TKIs"),
        ({"drug": "rivoceranib", "weeks_since_last_dose": 30, "duration_weeks": 8}, "eligible", None),  # not *more than* 8 weeks
        ({"drug": "Apatinib Mesylate", "weeks_since_last_dose": 30, "duration_weeks": 9}, "excluded", "Previously treated with VEGFR TKIs"),
        ({"drug": "toripalimab", "weeks_since_last_dose": 52, "duration_weeks": 20}, "excluded", "Prior anti-PD-1"),
        ({"drug": "doxorubicin", "weeks_since_last_dose": 8, "duration_weeks": 18}, "eligible", None),
        ({"drug": "anlotinib"}, "possible", None),  # window and exposure unknown
        ({"drug": "some-investigational-agent"}, "possible", None),  # class unknown
        ({"drug_class": "anti-PD-1 antibody"}, "excluded", "Prior anti-PD-1"),
    ],
)
def test_prior_therapies(store: TrialStore, therapy: dict, verdict: str, deciding: str | None) -> None:
    r = run(store, patient(prior_therapies=[therapy]))
    assert r.verdict == verdict, [(x.text, x.outcome, x.why) for x in r.reasons]
    if deciding:
        assert [x.text for x in r.unmet if x.text.startswith(deciding)]


def test_qtc_threshold_depends_on_sex(store: TrialStore) -> None:
    qtc460 = {"value": 460, "unit": "ms"}
    assert run(store, patient(**{"labs.qtc": qtc460})).verdict == "excluded"
    assert run(store, patient(sex="FEMALE", **{"labs.qtc": qtc460})).verdict == "eligible"
    p = patient(**{"labs.qtc": qtc460})
    del p["sex"]
    assert run(store, p).verdict == "possible"


def test_flags_decide_disease_state(store: TrialStore) -> None:
    r = run(store, patient(flags={"measurable_disease": True, "brain_metastases": True, "interstitial_lung_disease": False}))
    assert r.verdict == "excluded" and outcome(r, "Active CNS metastases") == "unmet"
    r = run(store, patient(flags={"measurable_disease": False, "cns_metastases": False, "interstitial_lung_disease": False}))
    assert r.verdict == "excluded" and outcome(r, "At least one measurable") == "unmet"


def test_negated_inclusion_and_required_false(store: TrialStore) -> None:
    r = run(store, patient(**{"flags.interstitial_lung_disease": True}))
    assert r.verdict == "excluded" and outcome(r, "No history of interstitial") == "unmet"
    r = run(store, patient(**{"flags.interstitial_lung_disease": False}))
    assert r.verdict == "eligible" and outcome(r, "No history of interstitial") == "met"
    assert outcome(r, "Active CNS metastases") == "met"


def test_empty_patient_is_possible_everywhere(store: TrialStore) -> None:
    results = match_store(store, parse_patient({}))
    assert {r.trial: r.verdict for r in results} == {"NCT90000001": "possible", "NCT90000002": "possible"}
    assert all(x.outcome == "unknown" for r in results for x in r.reasons)


def test_sex_limits_and_sorting(store: TrialStore) -> None:
    results = match_store(store, parse_patient(FIT))
    assert [(r.trial, r.verdict) for r in results] == [("NCT90000001", "eligible"), ("NCT90000002", "excluded")]
    assert results[1].unmet[0].criterion == "sex-limit"


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"age_years": -3}, "age_years"),
        ({"ecog": 7}, "ecog"),
        ({"ecog": 1.5}, "ecog"),
        ({"ecog": "1"}, "ecog"),
        ({"karnofsky": 75}, "karnofsky"),
        ({"sex": "X"}, "sex"),
        ({"weight_kg": 70}, "weight_kg"),
        ({"labs": {"neutrophils": {"value": 2, "unit": "bananas/L"}}}, "labs.neutrophils.unit"),
        ({"labs": {"neutrophils": {"value": "high", "unit": "10*9/L"}}}, "labs.neutrophils.value"),
        ({"labs": {"neutrofils": {"value": 2, "unit": "10*9/L"}}}, "labs.neutrofils"),
        ({"prior_therapies": [{"drug": "anlotinib", "weeks_ago": 3}]}, "prior_therapies[0].weeks_ago"),
        ({"prior_therapies": [{"weeks_since_last_dose": 3}]}, "prior_therapies[0]"),
        ({"prior_therapies": "anlotinib"}, "prior_therapies"),
        ({"flags": {"pregnant": "no"}}, "flags.pregnant"),
        ({"flags": {"cns_mets": True}}, "flags.cns_mets"),
        ({"biomarkers": [{"variant": "V600E"}]}, "biomarkers[0].gene"),
        ([1, 2], "(top level)"),
    ],
)
def test_bad_patient_files(document: object, field: str) -> None:
    with pytest.raises(PatientError) as info:
        parse_patient(document, file="p.json")
    assert info.value.field == field
    assert str(info.value).startswith("p.json: ")


def test_the_patient_schema_is_a_valid_json_schema_shipped_with_the_package() -> None:
    from jsonschema import Draft202012Validator

    from trialkg.match import KNOWN_FLAGS
    from trialkg.match.schema import schema

    Draft202012Validator.check_schema(schema())
    assert set(schema()["properties"]) == {
        "id", "description", "age_years", "sex", "ecog", "karnofsky", "life_expectancy_months",
        "conditions", "allergies", "prior_therapies", "labs", "biomarkers", "flags"}
    assert {"amputee", "cns_metastases", "pregnant", "consent"} <= KNOWN_FLAGS


def test_unit_spellings_are_accepted() -> None:
    p = parse_patient({"labs": {"anc": {"value": 1.5, "unit": "10^9/L"}, "hb": {"value": 9, "unit": "g/dL"},
                                "tbil": {"value": 1.1, "unit": "×ULN"}}})
    assert set(p.labs) == {"neutrophils", "hemoglobin", "bilirubin"}
    assert p.labs["bilirubin"].relative_to == "ULN"


def test_patient_file_errors_point_at_the_file(tmp_path: Path) -> None:
    from trialkg.match import load_patient

    bad = tmp_path / "broken.json"
    bad.write_text('{"age_years": 40,', encoding="utf-8")
    with pytest.raises(PatientError, match="not valid JSON"):
        load_patient(bad)


WASHOUT = [_criterion("inclusion", "At least 4 weeks since the last dose of any tyrosine kinase inhibitor",
                      {"type": "prior_therapy", "drug_classes": ["tyrosine-kinase-inhibitor"], "window": "P4W", "window_days": 28,
                       "window_kind": "washout"})]
QUALIFIED = [_criterion("exclusion", "Previously treated with VEGFR TKIs but off treatment due to progression",
                        {"type": "prior_therapy", "drug_classes": ["vegfr-tki"], "qualified": True}),
             _criterion("exclusion", "Symptoms of brain metastases cannot be controlled",
                         {"type": "disease_state", "state": "cns_metastases", "required": False}, negated=True),
             _criterion("inclusion", "Patients who have not received chemotherapy; or who relapsed 6 months after it",
                         {"type": "prior_therapy", "drug_classes": ["anthracycline"]}, negated=True)]


@pytest.fixture(scope="module")
def store2(tmp_path_factory: pytest.TempPathFactory) -> TrialStore:
    from trialkg.mapping import record_triples

    s = TrialStore(tmp_path_factory.mktemp("match2") / "store")
    s.replace_graph(iris.REFERENCE_GRAPH, _reference())
    for rec in (_record("NCT90000003", WASHOUT, None, None), _record("NCT90000004", QUALIFIED, None, None)):
        s.replace_graph(iris.trial_graph(rec.id), record_triples(rec))
    return s


@pytest.mark.parametrize(("weeks", "verdict"), [(2, "excluded"), (6, "eligible"), (None, "possible")])
def test_inclusion_washout(store2: TrialStore, weeks: float | None, verdict: str) -> None:
    therapy = {"drug": "apatinib", "weeks_since_last_dose": weeks} if weeks is not None else {"drug": "apatinib"}
    assert run(store2, {"prior_therapies": [therapy]}, "NCT90000003").verdict == verdict
    assert run(store2, {"prior_therapies": []}, "NCT90000003").verdict == "eligible"


def test_qualified_and_alternative_texts_do_not_exclude(store2: TrialStore) -> None:
    had = {"prior_therapies": [{"drug": "anlotinib"}, {"drug": "doxorubicin"}],
           "flags": {"cns_metastases": False}}
    r = run(store2, had, "NCT90000004")
    assert r.verdict == "possible", [(x.text, x.outcome, x.why) for x in r.reasons]
    assert outcome(r, "Previously treated with VEGFR TKIs but") == "unknown"
    assert outcome(r, "Symptoms of brain metastases") == "met"  # the negation qualifies a detail
    assert outcome(r, "Patients who have not received") == "unknown"
    r = run(store2, {"prior_therapies": [], "flags": {"cns_metastases": True}}, "NCT90000004")
    assert r.verdict == "excluded" and outcome(r, "Symptoms of brain metastases") == "unmet"
    assert outcome(r, "Previously treated with VEGFR TKIs but") == "met"


def test_exclusion_alternatives_still_exclude(store: TrialStore) -> None:
    """'chemotherapy failure or who have received anti-angiogenic drugs within 3 months'."""
    from trialkg.mapping import record_triples

    crit = _criterion("exclusion", "Patients with previous chemotherapy failure or who have received anti-angiogenic drugs within the past 3 months",
                      {"type": "prior_therapy", "drug_classes": ["anthracycline", "anti-angiogenic"], "window": "P3M", "window_days": 90})
    rec = _record("NCT90000005", [crit], None, None)
    store.replace_graph(iris.trial_graph(rec.id), record_triples(rec))
    try:
        near = {"prior_therapies": [{"drug": "anlotinib", "weeks_since_last_dose": 6}]}
        far = {"prior_therapies": [{"drug": "anlotinib", "weeks_since_last_dose": 20}]}
        assert run(store, near, "NCT90000005").verdict == "excluded"
        assert run(store, far, "NCT90000005").verdict == "eligible"
    finally:
        store.remove_graph(iris.trial_graph(rec.id))


MORE = [
    _criterion("inclusion", "Total bilirubin <= 1.5 x ULN OR direct bilirubin <= ULN for subjects with total bilirubin > 1.5 x ULN",
               {"type": "numeric", "variable": "bilirubin", "comparator": "<=", "value": 1.5, "relative_to": "ULN", "span": "Total bilirubin <= 1.5 x ULN"},
               {"type": "numeric", "variable": "direct_bilirubin", "comparator": "<=", "value": 1, "relative_to": "ULN", "span": "direct bilirubin <= ULN"},
               {"type": "numeric", "variable": "bilirubin", "comparator": ">", "value": 1.5, "relative_to": "ULN", "span": "total bilirubin > 1.5 x ULN"}),
    _criterion("exclusion", "Pregnant or breast-feeding patients (men and women)",
               {"type": "sex", "sex": "ALL", "span": "men and women"},
               {"type": "reproductive", "state": "pregnancy", "span": "Pregnant"}),
    _criterion("inclusion", "Prior sorafenib is allowed", {"type": "prior_therapy", "drugs": ["sorafenib"]}),
    _criterion("inclusion", "HIV negative", {"type": "disease_state", "state": "hiv_infection", "required": True, "comorbidity": True}),
    _criterion("exclusion", "More than two prior chemotherapy regimens", {"type": "prior_therapy", "drug_classes": ["anthracycline"], "min_lines": 3}),
]


def test_conditions_neutral_sex_permissive_comorbidity_regimens(tmp_path: Path) -> None:
    from trialkg.mapping import record_triples

    s = TrialStore(tmp_path / "store")
    s.replace_graph(iris.REFERENCE_GRAPH, _reference())
    rec = _record("NCT90000006", MORE, None, None)
    s.replace_graph(iris.trial_graph(rec.id), record_triples(rec))
    p = {"sex": "MALE", "labs": {"bilirubin": {"value": 0.8, "unit": "x ULN"}}, "prior_therapies": [{"drug": "doxorubicin"}],
         "flags": {"hiv_infection": False}}
    r = run(s, p, "NCT90000006")
    assert outcome(r, "Total bilirubin") == "met"
    assert outcome(r, "Pregnant or breast-feeding") == "met"  # sex ALL decides nothing; a man is not pregnant
    assert outcome(r, "Prior sorafenib is allowed") == "n/a"  # permits, never requires
    assert outcome(r, "HIV negative") == "met"
    # each regimen holds a drug: one anthracycline is fewer than three regimens
    assert outcome(r, "More than two prior") == "met"
    r = run(s, {**p, "flags": {"hiv_infection": True}}, "NCT90000006")
    assert outcome(r, "HIV negative") == "unmet" and r.verdict == "excluded"


def test_histology_lists_and_exceptions(tmp_path: Path) -> None:
    from trialkg.mapping import record_triples

    s = TrialStore(tmp_path / "store")
    crit = _criterion("inclusion", "Pathologically confirmed advanced synovial sarcoma, leiomyosarcoma, liposarcoma, etc. (except GIST)",
                      {"type": "histology", "histology": "advanced synovial sarcoma, leiomyosarcoma, liposarcoma, etc",
                       "excluded_histology": ["gastrointestinal stromal tumors", "Ewing's sarcoma"]})
    rec = _record("NCT90000007", [crit], None, None)
    s.replace_graph(iris.trial_graph(rec.id), record_triples(rec))
    assert run(s, {"conditions": ["uterine leiomyosarcoma"]}, "NCT90000007").verdict == "eligible"
    assert run(s, {"conditions": ["gastrointestinal stromal tumor"]}, "NCT90000007").verdict == "excluded"
    assert run(s, {"conditions": ["angiosarcoma"]}, "NCT90000007").verdict == "possible"  # the list is open


def test_trial_without_criteria_is_at_best_possible(tmp_path: Path) -> None:
    from trialkg.mapping import record_triples

    s = TrialStore(tmp_path / "store")
    rec = _record("NCT90000008", [], 18, None)
    s.replace_graph(iris.trial_graph(rec.id), record_triples(rec))
    r = run(s, {"age_years": 40}, "NCT90000008")
    assert r.verdict == "possible" and [x.criterion for x in r.unknown] == ["criteria"]
