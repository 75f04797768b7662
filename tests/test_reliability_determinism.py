"""Determinism: the same inputs in another order, or with another number of jobs, give
isomorphic graphs (compared graph by graph on the N-Quads that ``trialkg export``
writes: rdflib.compare.isomorphic, or the same set of triples for a graph without
blank nodes)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TRIALKG = shutil.which("trialkg") or "trialkg"


def _inputs(tmp: Path) -> list[str]:
    """Every input kind: the five seed pages, API v2 JSON (a study, a search page) and a
    generated bulk-style zip big enough for several batches and workers."""
    zip_path = tmp / "generated-40.zip"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--trials", "40",
                    "-o", str(zip_path)], check=True, capture_output=True)
    seeds = sorted(str(p) for p in (ROOT / "seeds").glob("*.txt"))
    ctgov = [str(HERE / "data" / "ctgov" / n) for n in ("NCT06171568.json", "NCT06382129.json",
                                                         "search_keytruda_limit3_20260811.json")]
    return [*seeds, *ctgov, str(zip_path)]


def _build_and_export(store: Path, sources: list[str], jobs: int) -> rdflib.Dataset:
    proc = subprocess.run([TRIALKG, "build", "--store", str(store), "-j", str(jobs), *sources],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    out = store.parent / (store.name + ".nq")
    proc = subprocess.run([TRIALKG, "export", "--store", str(store), "--format", "nquads", "-o", str(out)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    ds = rdflib.Dataset()
    ds.parse(out, format="nquads")
    return ds


def _graphs(ds: rdflib.Dataset) -> dict[str, rdflib.Graph]:
    return {str(g.identifier): g for g in ds.graphs() if len(g)}


def _same_graph(a: rdflib.Graph, b: rdflib.Graph) -> bool:
    """Isomorphic; without blank nodes that is the same set of triples (no canonical
    labelling needed, e.g. for the reference and ontology graphs)."""
    if not any(isinstance(term, rdflib.BNode) for g in (a, b) for triple in g for term in triple):
        return set(a) == set(b)
    return isomorphic(a, b)


def assert_same_dataset(a: rdflib.Dataset, b: rdflib.Dataset) -> None:
    ga, gb = _graphs(a), _graphs(b)
    assert set(ga) == set(gb)
    differing = [name for name in ga if not _same_graph(ga[name], gb[name])]
    assert differing == []


@pytest.mark.slow
def test_order_and_jobs_do_not_change_the_graph(tmp_path: Path) -> None:
    sources = _inputs(tmp_path)
    reference = _build_and_export(tmp_path / "forward-j1", sources, jobs=1)
    assert len(_graphs(reference)) == 5 + 2 + 3 + 40 + 4  # trials + entities, reference, ontology, statistics graphs
    assert_same_dataset(reference, _build_and_export(tmp_path / "reversed-j2", sources[::-1], jobs=2))
    shuffled = sources[1::2] + sources[0::2]
    assert_same_dataset(reference, _build_and_export(tmp_path / "shuffled-j1", shuffled, jobs=1))
