"""Summary facts: each stored query that reads them gives the same rows as its full form.

The full forms (``tests/data/queries/full/``) ask the same question of the detailed
triples: they walk every drug, criterion and constraint, look names and genes up by a
case-folding FILTER over every label or biomarker instead of a ``tkg:nameKey`` or
``tkg:geneKey``, filter every recruiting site by place instead of starting from the
place, or group where the stored query streams one row per constraint. Both run on a
store of generated trials and on the seeds, with several parameter values each; rows
are compared as multisets of RDF terms. The generated store holds 2,000 trials: 500
built from benchmarks/generate.py (seeded) and three copies of each trial graph under
new NCT ids, bulk-loaded as N-Quads (every line of a trial graph names its trial, and
no other graph does), so the queries read the full size while the criteria are parsed
once per distinct trial.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from trialkg import iris
from trialkg import queries as q
from trialkg.mapping import map_record, summary_triples
from trialkg.pipeline import build
from trialkg.store import TrialStore
from trialkg.store.statistics import statistics_triples

ROOT = Path(__file__).resolve().parents[1]
FULL = Path(__file__).resolve().parent / "data" / "queries" / "full"
GENERATED_TRIALS = 2000
DISTINCT_TRIALS = 500

CASES = [
    ("trials-by-family-phase", {}),
    ("trials-by-family-phase", {"family": "VEGFR"}),
    ("trials-by-family-phase", {"family": "fgfr"}),
    ("trials-by-family-phase", {"family": "KIT"}),
    ("criteria-coverage", {}),
    ("criteria-coverage", {"trial": "NCT90000007"}),
    ("trials-for-patient", {"age": "45", "ecog": "1"}),
    ("trials-for-patient", {"age": "45", "ecog": "2"}),
    ("trials-for-patient", {"age": "16", "ecog": "0"}),
    ("trials-for-patient", {"age": "72.5", "ecog": "3"}),
    ("trials-for-patient", {"age": "45", "ecog": "1", "prior_drug": "anlotinib"}),
    ("trials-for-patient", {"age": "60", "ecog": "2", "prior_drug": "Apatinib Mesylate"}),
    ("trials-for-patient", {"age": "50", "ecog": "1", "prior_drug": "pembrolizumab"}),
    ("trials-admitting-ecog", {"ecog": "2"}),
    ("trials-admitting-ecog", {"ecog": "0"}),
    ("drugs-overlapping-targets", {"drug": "anlotinib"}),
    ("drugs-overlapping-targets", {"drug": "Apatinib Mesylate"}),
    ("drugs-sharing-targets", {}),
    ("trials-by-drug-class", {"class": "vegfr-tki"}),
    ("trials-by-drug-class", {"class": "tki"}),
    ("biomarkers-by-gene", {"gene": "EGFR"}),
    ("biomarkers-by-gene", {"gene": "kit"}),
    ("biomarkers-by-gene", {}),
    ("recruiting-sites", {"country": "China", "city": "Shanghai"}),
    ("recruiting-sites", {"country": "china"}),
    ("recruiting-sites", {}),
    ("sponsor-drug-target", {"sponsor": "Chia Tai"}),
    ("sponsor-drug-target", {}),
    ("trials-by-target", {"target": "VEGFR"}),
    ("trials-by-target", {"target": "kdr"}),
    ("trials-by-target", {"target": "FGFR"}),
]


@pytest.fixture(scope="module")
def generated_store(tmp_path_factory: pytest.TempPathFactory) -> TrialStore:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    tmp = tmp_path_factory.mktemp("summary")
    source = generate.write_zip(tmp / "trials.zip", DISTINCT_TRIALS, seed=7)
    summary = build([source], store_path=tmp / "store", jobs=2, quiet=True, bulk=True)
    assert summary.trials == DISTINCT_TRIALS and not summary.rejected
    store = TrialStore(tmp / "store")
    _load_copies(store, GENERATED_TRIALS // DISTINCT_TRIALS - 1)
    del store
    store = TrialStore(tmp / "store", read_only=True)
    assert len(store.trial_ids()) == GENERATED_TRIALS
    return store


def _load_copies(store: TrialStore, copies: int) -> None:
    """Each trial graph again under the NCT ids that follow the built ones (NCT90000000 ..
    NCT90000499 give NCT90000500 .., the next 500, and so on)."""
    ids = sorted(store.trial_ids())
    graphs = {t: store.graph_ntriples(iris.trial_graph(t)).decode("utf-8") for t in ids}
    assert not any("_:" in g for g in graphs.values()), "a blank node would be shared by the copies"
    assert int(ids[-1][3:]) - int(ids[0][3:]) == len(ids) - 1, "the built ids are consecutive"
    for copy in range(1, copies + 1):
        quads = []
        for t in ids:
            new = f"NCT{int(t[3:]) + copy * len(ids):08d}"
            name = f" <{iris.trial_graph(new)}> .\n"
            quads += [line.removesuffix(" .") + name for line in graphs[t].replace(t, new).splitlines() if line]
        store.load_nquads("".join(quads).encode("utf-8"), bulk=True)
    # The copies bypass the build: count the store again, as a build does when it ends.
    store.replace_graph(iris.STATISTICS_GRAPH, statistics_triples(store))
    store.flush()


def rows(store: TrialStore, query: q.StoredQuery, params: dict[str, str]) -> Counter:
    table = q.run_local(query, q.bind_params(query, params), store)
    return Counter(tuple(str(v) for v in row) for row in table.rows)


def full_form(name: str) -> q.StoredQuery:
    path = FULL / f"{name}.rq"
    return q.parse_query(path.read_text(encoding="utf-8"), name=name, source=str(path))


@pytest.mark.parametrize(("name", "params"), CASES, ids=[f"{n}-{'-'.join(p.values()) or 'all'}" for n, p in CASES])
def test_rewritten_query_matches_full_form(generated_store: TrialStore, name: str, params: dict[str, str]) -> None:
    fast = rows(generated_store, q.get_stored_query(name), params)
    full = rows(generated_store, full_form(name), params)
    assert fast == full
    if name != "criteria-coverage" or not params:
        assert fast, "the case should have rows on the generated trials"


@pytest.mark.parametrize(("name", "params"), CASES[:1] + CASES[4:5] + CASES[6:8] + CASES[10:11] + CASES[13:14]
                         + CASES[15:16] + [("biomarkers-by-gene", {"gene": "kdr"})] + CASES[22:])
def test_rewritten_query_matches_full_form_on_seeds(seed_store: Path, name: str, params: dict[str, str]) -> None:
    store = TrialStore(seed_store, read_only=True)
    assert rows(store, q.get_stored_query(name), params) == rows(store, full_form(name), params)


def test_tested_drug_classes_are_the_walk_from_the_trials_drugs(generated_store: TrialStore) -> None:
    """tkg:testsDrugClass (no stored query reads it: it is for users' own queries) holds
    exactly the classes, and broader classes, of the trial's drugs."""
    prefix = "PREFIX tkg: <https://w3id.org/trialkg/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "

    def pairs(where: str) -> set[tuple[str, str]]:
        found = generated_store.query(prefix + "SELECT DISTINCT ?t ?cls WHERE { " + where + " }")
        return {(s["t"].value, s["cls"].value) for s in found}

    stated = pairs("?t tkg:testsDrugClass ?cls")
    walked = pairs("?t a tkg:Trial ; tkg:hasDrug/tkg:inDrugClass/skos:broader* ?cls")
    assert stated == walked
    assert stated


def test_summary_facts_are_replaced_with_the_trial(tmp_path: Path, seeds_dir: Path) -> None:
    """Re-building a trial replaces its summary facts (they live in its graph)."""
    store_path = tmp_path / "store"
    build([seeds_dir], store_path=store_path, jobs=1, quiet=True)
    build([seeds_dir], store_path=store_path, jobs=1, quiet=True)
    store = TrialStore(store_path, read_only=True)
    counts = store.query("""SELECT ?t (COUNT(?n) AS ?n_counts) WHERE {
        GRAPH ?g { ?t <https://w3id.org/trialkg/ontology#criteriaCount> ?n } } GROUP BY ?t""")
    assert {int(s["n_counts"].value) for s in counts} == {1}


def test_ecog_scores_follow_the_limits(seeds_dir: Path) -> None:
    """A trial without ECOG limits admits 0-5; 'ECOG 0-1 (0-2 for amputees)' admits 0-2."""
    from trialkg.pipeline import STAGES
    from trialkg.sources import iter_records

    admitted = {}
    for record in iter_records([seeds_dir]):
        for _name, fn in STAGES:
            fn(record)
        mapped = map_record(record)
        trial = next(t.subject for t in mapped.trial if t.predicate.value.endswith("#trialId"))
        facts = summary_triples(trial, [t for t in mapped.trial if not t.predicate.value.endswith("#admitsEcog")])
        admitted[record.id] = sorted(int(t.object.value) for t in facts if t.predicate.value.endswith("#admitsEcog"))
    assert all(scores == sorted(scores) and set(scores) <= set(range(6)) for scores in admitted.values())
    assert any(len(scores) < 6 for scores in admitted.values())  # the seeds state ECOG limits


def test_compiled_drugs_reach_their_families_and_classes() -> None:
    """A compiled drug (outside the curated table) gives a trial the same target families
    and drug classes as the reference graph that holds it: tivozanib and famitinib are
    VEGFR inhibitors, trabectedin and mitomycin chemotherapy."""
    from trialkg.knowledge.reference import reference_triples
    from trialkg.mapping import _ReferenceClosure, reference_closure

    drugs = [iris.drug(d) for d in ("tivozanib", "famitinib", "trabectedin", "mitomycin")]
    full = _ReferenceClosure(reference_triples(drugs=drugs))
    lazy = reference_closure()
    for d in drugs:
        assert lazy.drug_families(d) == full.drug_families(d), d
        assert lazy.drug_classes(d) == full.drug_classes(d), d
    assert iris.family("VEGFR") in lazy.drug_families(drugs[0])
    assert iris.drug_class("chemotherapy") in lazy.drug_classes(drugs[3])
