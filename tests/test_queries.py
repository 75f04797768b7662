"""Every stored query on the five seeds built into a store, with the rows a user expects."""

from __future__ import annotations

from pathlib import Path

import pytest

from trialkg import queries as q
from trialkg.errors import UsageError
from trialkg.store import TrialStore

ANLOTINIB_PAGE = "NCT03890068"  # seed 002
APATINIB_BIOMARKER = "NCT04072042"  # seed 000
APATINIB_CHEMO = "NCT04126811"  # seed 001
SURUFATINIB = "NCT06110650"  # seed 003
NCT_SEEDS = {ANLOTINIB_PAGE, APATINIB_BIOMARKER, APATINIB_CHEMO, SURUFATINIB}


@pytest.fixture(scope="module")
def store(seed_store: Path) -> TrialStore:
    return TrialStore(seed_store, read_only=True)


@pytest.fixture(scope="module")
def aggregator(store: TrialStore) -> str:
    """The aggregator page's trial (seed 004) has a derived id, found, not hard-coded."""
    derived = [t for t in store.trial_ids() if t not in NCT_SEEDS]
    assert len(derived) == 1 and derived[0].startswith("TKG-")
    return derived[0]


def run(store: TrialStore, name: str, **params: str) -> list[dict]:
    query = q.get_stored_query(name)
    return q.run_local(query, q.bind_params(query, params, store=store), store).records()


def trials(rows: list[dict]) -> set[str]:
    return {r["trial"] for r in rows}


def test_trials_by_target(store: TrialStore, aggregator: str) -> None:
    assert trials(run(store, "trials-by-target", target="VEGFR")) == NCT_SEEDS | {aggregator}
    assert trials(run(store, "trials-by-target", target="vegfr")) == NCT_SEEDS | {aggregator}
    assert trials(run(store, "trials-by-target", target="FGFR")) == {ANLOTINIB_PAGE, SURUFATINIB, aggregator}
    assert trials(run(store, "trials-by-target", target="KDR")) == NCT_SEEDS | {aggregator}
    rows = run(store, "trials-by-target", target="PDCD1")
    assert {(r["trial"], r["drug"], r["target"]) for r in rows} == {(aggregator, "toripalimab", "PDCD1")}
    rows = run(store, "trials-by-target", target="KDR")
    assert {"trial": APATINIB_CHEMO, "title": "Apatinib Combined With Chemotherapy in the Treatment of Soft Tissue Sarcoma",
            "drug": "apatinib", "target": "KDR"} in rows


def test_drugs_sharing_targets(store: TrialStore) -> None:
    rows = run(store, "drugs-sharing-targets")
    pairs = {(r["drug1"], r["drug2"]): set(r["shared_targets"].split(", ")) for r in rows}
    assert {"KDR", "FGFR1"} <= pairs[("anlotinib", "surufatinib")]
    assert "KDR" in pairs[("anlotinib", "apatinib")]
    assert all(d1 < d2 for d1, d2 in pairs)
    counts = [len(r["shared_targets"].split(", ")) for r in rows]
    assert counts == sorted(counts, reverse=True)


def test_biomarker_arms(store: TrialStore) -> None:
    rows = run(store, "biomarker-arms")
    assert trials(rows) == {APATINIB_BIOMARKER}
    assert any("rs2071559" in r["biomarker"] for r in rows)


def test_trials_by_sponsor(store: TrialStore) -> None:
    rows = run(store, "trials-by-sponsor")
    assert {"sponsor": "Sun Yat-sen University", "role": "lead", "trial": ANLOTINIB_PAGE} in rows
    assert {"sponsor": "Chia Tai Tianqing Pharmaceutical Group Co., Ltd.", "role": "collaborator", "trial": ANLOTINIB_PAGE} in rows
    assert {"sponsor": "Fudan University", "role": "lead", "trial": SURUFATINIB} in rows
    assert run(store, "trials-by-sponsor", sponsor="fudan") == [{"sponsor": "Fudan University", "role": "lead", "trial": SURUFATINIB}]


def test_sites_by_country(store: TrialStore) -> None:
    rows = run(store, "sites-by-country", country="China")
    assert trials(rows) == {APATINIB_BIOMARKER, APATINIB_CHEMO, ANLOTINIB_PAGE}
    assert {"country": "China", "site": "Sun Yat-sen University Cancer Center", "trial": ANLOTINIB_PAGE} in rows
    assert run(store, "sites-by-country", country="china") == rows
    assert run(store, "sites-by-country", country="France") == []


def test_prior_therapy_exclusions(store: TrialStore, aggregator: str) -> None:
    rows = run(store, "prior-therapy-exclusions")
    found = {(r["trial"], r["drug_or_class"]) for r in rows}
    assert {(ANLOTINIB_PAGE, "anlotinib"), (SURUFATINIB, "surufatinib"), (aggregator, "anlotinib"),
            (APATINIB_BIOMARKER, "vegfr-tki")} <= found
    windows = {(r["trial"], r["drug_or_class"]): r["window"] for r in rows}
    assert windows[(ANLOTINIB_PAGE, "anlotinib")] is None
    assert windows[(APATINIB_CHEMO, "anlotinib")] == "P3M"  # "within the past 3 months, such as Anlotinib"
    # A patient treated with anlotinib: the drug itself, and the VEGFR-TKI class it belongs to.
    caught = run(store, "prior-therapy-exclusions", drug="Anlotinib Hydrochloride")
    assert {(ANLOTINIB_PAGE, "anlotinib"), (aggregator, "anlotinib"), (APATINIB_BIOMARKER, "vegfr-tki")} <= {
        (r["trial"], r["drug_or_class"]) for r in caught}
    assert SURUFATINIB not in trials(caught)


def test_lab_thresholds(store: TrialStore) -> None:
    rows = run(store, "lab-thresholds", analyte="neutrophils")
    assert {"trial": ANLOTINIB_PAGE, "analyte": "neutrophils", "comparator": ">=", "value": 1.5,
            "unit": "10*9/L", "relative_to": None} in rows
    assert {(r["trial"], r["value"], r["unit"]) for r in rows} >= {(SURUFATINIB, 1.5, "10*9/L"), (APATINIB_CHEMO, 1500, "/mm3")}
    alt = run(store, "lab-thresholds", analyte="ALT")
    assert {(r["trial"], r["comparator"], r["value"], r["relative_to"]) for r in alt} >= {
        (ANLOTINIB_PAGE, "<=", 2.5, "ULN"), (ANLOTINIB_PAGE, "<=", 5, "ULN")}
    assert len(run(store, "lab-thresholds")) > len(rows)


def test_trials_for_patient(store: TrialStore, aggregator: str) -> None:
    everyone = NCT_SEEDS | {aggregator}
    assert trials(run(store, "trials-for-patient", age="45", ecog="1")) == everyone
    assert run(store, "trials-for-patient", age="45", ecog="3") == []
    # Seed 000 admits from 8 years; seed 003 has no upper age limit.
    assert APATINIB_BIOMARKER in trials(run(store, "trials-for-patient", age="10", ecog="0"))
    assert ANLOTINIB_PAGE not in trials(run(store, "trials-for-patient", age="10", ecog="0"))
    assert trials(run(store, "trials-for-patient", age="80", ecog="0")) & NCT_SEEDS == {SURUFATINIB}
    # The aggregator page has no registry age fields; "aged 18-70 years" in its criteria
    # gives it limits marked tkg:ageLimitsSource "criteria": a 16-year-old is outside.
    assert aggregator not in trials(run(store, "trials-for-patient", age="16", ecog="1"))
    assert aggregator in trials(run(store, "trials-for-patient", age="70", ecog="1"))
    # Anlotinib before: excluded outright by the anlotinib trials; the 3-month window
    # of seed 001 needs dates, so that trial stays possible.
    after_anlotinib = trials(run(store, "trials-for-patient", age="45", ecog="1", prior_drug="anlotinib"))
    assert ANLOTINIB_PAGE not in after_anlotinib and aggregator not in after_anlotinib
    assert {APATINIB_CHEMO, SURUFATINIB} <= after_anlotinib
    with pytest.raises(UsageError, match="unknown drug"):  # never an unknown name in silence
        run(store, "trials-for-patient", age="45", ecog="1", prior_drug="no-such-drug")


def test_trials_by_family_phase(store: TrialStore) -> None:
    rows = {(r["family"], r["phase"]): r["trials"] for r in run(store, "trials-by-family-phase", family="vegfr")}
    assert rows[("VEGFR", "PHASE2")] == 3  # seeds 000, 001, 002
    assert sum(rows.values()) == 5


def test_biomarkers_by_gene(store: TrialStore) -> None:
    rows = run(store, "biomarkers-by-gene", gene="kdr")
    assert trials(rows) == {APATINIB_BIOMARKER}
    assert any(r["variant"] and "rs2071559" in r["variant"] for r in rows)


def test_trials_excluding_drug_class(store: TrialStore) -> None:
    rows = run(store, "trials-excluding-drug-class", **{"class": "VEGFR-TKI"})
    assert APATINIB_BIOMARKER in trials(rows)
    assert {r["relation"] for r in rows if r["trial"] == APATINIB_BIOMARKER} == {"same"}


def test_lab_threshold_comparison(store: TrialStore) -> None:
    rows = run(store, "lab-threshold-comparison", analyte="neutrophils")
    assert trials(rows) == {ANLOTINIB_PAGE, SURUFATINIB, APATINIB_CHEMO}
    assert {r["canonical_value"] for r in rows} == {1.5}  # 1500/mm3 is 1.5 x 10^9/L
    assert {r["section"] for r in rows} == {"inclusion"}


def test_trials_admitting_ecog(store: TrialStore) -> None:
    rows = run(store, "trials-admitting-ecog", ecog="2")
    assert {APATINIB_BIOMARKER, ANLOTINIB_PAGE} <= trials(rows)
    relaxed = {r["trial"] for r in rows if r["applies_if"]}
    assert SURUFATINIB in relaxed  # "PS0-2 points for amputees"
    assert run(store, "trials-admitting-ecog", ecog="4") == []


def test_recruiting_sites(store: TrialStore) -> None:
    rows = run(store, "recruiting-sites", country="CHINA", city="guangzhou")
    assert rows == [{"country": "China", "city": "Guangzhou", "site": "Sun Yat-sen University Cancer Center", "trial": ANLOTINIB_PAGE}]
    assert trials(run(store, "recruiting-sites")) == {APATINIB_BIOMARKER, APATINIB_CHEMO, ANLOTINIB_PAGE}


def test_drugs_overlapping_targets(store: TrialStore) -> None:
    rows = {r["drug"]: r for r in run(store, "drugs-overlapping-targets", drug="Surufatinib")}
    assert "anlotinib" in rows and "surufatinib" not in rows
    assert {"KDR", "FGFR1"} <= set(rows["anlotinib"]["shared_targets"].split(", "))
    assert rows["anlotinib"]["trials"] == 2


def test_sponsor_drug_target(store: TrialStore) -> None:
    rows = run(store, "sponsor-drug-target", sponsor="chia tai")
    assert {(r["drug"], r["target"], r["family"]) for r in rows} >= {("anlotinib", "KDR", "VEGFR"), ("anlotinib", "FGFR1", "FGFR")}
    assert {r["trials"] for r in rows} == {1}


def test_criteria_coverage(store: TrialStore, aggregator: str) -> None:
    rows = {r["trial"]: r for r in run(store, "criteria-coverage")}
    assert set(rows) == NCT_SEEDS | {aggregator}
    for r in rows.values():
        assert r["criteria"] == r["parsed"] + r["unparsed"] > 0
        assert 0 <= r["coverage"] <= 1


def test_trials_by_drug_class(store: TrialStore, aggregator: str) -> None:
    rows = run(store, "trials-by-drug-class", **{"class": "vegfr-tki"})
    assert trials(rows) == NCT_SEEDS | {aggregator}
    assert {r["drug"] for r in rows} == {"anlotinib", "apatinib", "surufatinib"}


def test_every_stored_query_has_a_seed_test() -> None:
    tested = {name.replace("_", "-")[5:] for name in globals() if name.startswith("test_")}
    assert set(q.stored_query_names()) <= tested


def test_trials_by_target_symbol_not_all_upper_case(tmp_path: Path) -> None:
    """HGNC symbols such as C9orf72 are mixed case: any spelling of one finds its trials."""
    tkg, tkr = "https://w3id.org/trialkg/ontology#", "https://w3id.org/trialkg/resource/"
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    protein = "http://purl.uniprot.org/uniprot/Q96LT7"
    drug, trial = tkr + "drug/tofersen-like", tkr + "trial/NCT09999999"
    reference = [(protein, rdf_type, tkg + "Protein"), (protein, tkg + "geneSymbol", '"C9orf72"'),
                 (protein, tkg + "nameKey", '"c9orf72"'),  # as the reference graph writes it
                 (drug, rdf_type, tkg + "Drug"), (drug, label, '"tofersen-like"'), (drug, tkg + "targets", protein)]
    trial_facts = [(trial, tkg + "trialId", '"NCT09999999"'), (trial, label, '"A trial"'), (trial, tkg + "hasDrug", drug)]

    def triples(rows):
        import pyoxigraph as ox

        def term(v):
            return ox.Literal(v[1:-1]) if v.startswith('"') else ox.NamedNode(v)
        return [ox.Triple(ox.NamedNode(s), ox.NamedNode(p), term(o)) for s, p, o in rows]

    store = TrialStore(tmp_path / "store")
    store.add_graphs([(tkr + "graph/reference", triples(reference)), (tkr + "graph/NCT09999999", triples(trial_facts))])
    for spelling in ("C9orf72", "c9orf72", "C9ORF72"):
        rows = run(store, "trials-by-target", target=spelling)
        assert [(r["trial"], r["drug"], r["target"]) for r in rows] == [("NCT09999999", "tofersen-like", "C9orf72")], spelling
    with pytest.raises(UsageError, match="did you mean"):  # a name neither the tables nor the store know
        run(store, "trials-by-target", target="C9orf7")
