"""viz and analyze on the five seeds built by the real pipeline (the ``seed_store`` fixture)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import networkx as nx
from click.testing import CliRunner
from PIL import Image

from trialkg import viz
from trialkg.cli import cli
from trialkg.store import TrialStore

KDR = "http://purl.uniprot.org/uniprot/P35968"
VEGFR_DRUGS = {"apatinib", "anlotinib", "surufatinib"}


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def drug_targets_in_family(graph: nx.DiGraph, family: str) -> set[tuple[str, str]]:
    """(drug, gene symbol) of drug -> target edges whose target belongs to ``family``."""
    out = set()
    for u, v, data in graph.edges(data=True):
        if data.get("relation", data.get("type")) != "targets":
            continue
        if any(graph.nodes[f].get("label") == family for f in graph.successors(v)):
            out.add((graph.nodes[u]["label"], graph.nodes[v]["label"]))
    return out


def test_seed_exports_load_back_with_types_and_vegfr_edges(
    seed_store: Path, tmp_path: Path
) -> None:
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        out = tmp_path / f"seeds.{fmt}"
        result = run("viz", "--store", str(seed_store), "--format", fmt, "-o", str(out))
        assert result.exit_code == 0, result.output
        g = reader(out)
        types = Counter(t for _, t in g.nodes(data="type"))
        assert types["trial"] == 5
        assert {"drug", "target", "target_family", "drug_class"} <= set(types)
        vegfr = drug_targets_in_family(g, "VEGFR")
        assert {d for d, _ in vegfr} == VEGFR_DRUGS
        assert {(d, "KDR") for d in VEGFR_DRUGS} <= vegfr
        assert g.nodes[KDR]["uniprot"] == "P35968"
        assert g.nodes["https://w3id.org/trialkg/resource/trial/NCT04072042"]["url"].endswith(
            "NCT04072042"
        )


def test_analyze_ranks_kdr_first_by_seed_trials(seed_store: Path) -> None:
    result = run("analyze", "--store", str(seed_store), "--format", "json")
    rows = json.loads(result.stdout)
    assert rows[0]["target"] == "KDR" and rows[0]["uniprot"] == "P35968"
    # Every seed trial gives a drug that hits KDR (apatinib, anlotinib or surufatinib).
    assert rows[0]["trials"] == 5
    assert all(r["trials"] < rows[0]["trials"] for r in rows[1:])


def test_seed_neighbourhood_of_one_trial(seed_store: Path, tmp_path: Path) -> None:
    store = TrialStore(seed_store, read_only=True)
    g = viz.project(store, focus="NCT04072042", depth=2)
    types = Counter(t for _, t in g.nodes(data="type"))
    assert types["arm"] >= 1 and types["biomarker"] >= 1
    labels = {d["label"] for _, d in g.nodes(data=True)}
    assert {"apatinib", "KDR", "VEGFR"} <= labels
    out = tmp_path / "NCT04072042.png"
    assert (
        run("viz", "--store", str(seed_store), "--focus", "NCT04072042", "-o", str(out)).exit_code
        == 0
    )
    assert len(Image.open(out).convert("RGB").getcolors(maxcolors=1 << 22)) > 20


def test_seed_sponsor_and_criteria_views(seed_store: Path) -> None:
    store = TrialStore(seed_store, read_only=True)
    sponsors = viz.project(store, "sponsors")
    assert Counter(t for _, t in sponsors.nodes(data="type"))["sponsor"] >= 3
    reach = {
        sponsors.nodes[f]["label"]
        for s, t in sponsors.edges()
        if sponsors.nodes[s]["type"] == "sponsor"
        for d in sponsors.successors(t)
        for f in sponsors.successors(d)
    }
    assert "VEGFR" in reach
    criteria = viz.project(store, "criteria")
    shared = [
        v for v, t in criteria.nodes(data="type") if t == "criterion" and criteria.in_degree(v) >= 3
    ]
    assert shared, "no eligibility feature shared by three seed trials"
