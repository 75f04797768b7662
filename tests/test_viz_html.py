"""The interactive HTML page opened in headless Chromium: it must draw every node offline.

Chromium reads the page from a file:// URL with background networking off; the page
reports how many nodes it drew in ``<body data-node-count>``, and the screenshot must
show the node colours. Skipped, with the reason, where no Chromium is installed (CI
installs Debian's ``chromium``).
"""

from __future__ import annotations

import gc
import re
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from PIL import Image

from trialkg import viz
from trialkg.cli import cli
from trialkg.store import TrialStore

MODEL_GRAPH = Path(__file__).parent / "data" / "viz" / "seed-trials-model.trig"


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        exe = shutil.which(name) or (
            f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None
        )
        if exe:
            return exe
    pytest.skip("no Chromium installed (apt-get install chromium); the HTML page was not opened")


def run_chromium(
    page: Path, tmp_path: Path, *mode: str, fragment: str = ""
) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{mode[0].lstrip('-').split('=')[0]}"
    cmd = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--disable-extensions",
        f"--user-data-dir={profile}",
        "--window-size=1200,900",
        *mode,
        page.as_uri() + fragment,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def drawn_node_count(page: Path, tmp_path: Path) -> int:
    proc = run_chromium(page, tmp_path, "--dump-dom")
    body = re.search(r"<body[^>]*>", proc.stdout)
    assert body, f"chromium printed no DOM: {proc.stderr[-500:]}"
    count = re.search(r'data-node-count="(\d+)"', body.group(0))
    assert count, f"the page's script did not run: {body.group(0)}"
    return int(count.group(1))


def screenshot_colours(page: Path, tmp_path: Path) -> set[tuple[int, int, int]]:
    shot = tmp_path / "shot.png"
    proc = run_chromium(page, tmp_path, f"--screenshot={shot}")
    assert shot.exists(), f"no screenshot: {proc.stderr[-500:]}"
    image = Image.open(shot).convert("RGB")
    return {c for _, c in image.getcolors(maxcolors=1 << 22)}


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


@pytest.fixture(scope="module")
def model_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("viz-html") / "store"
    store = TrialStore(path)
    store.ox.load(path=str(MODEL_GRAPH), format=ox.RdfFormat.TRIG)
    store.flush()
    del store
    gc.collect()
    return path


def write_page(store_path: Path, out: Path, *args: str) -> int:
    result = CliRunner().invoke(
        cli, ["viz", "--store", str(store_path), "-o", str(out), *args], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    graph = viz.project(TrialStore(store_path, read_only=True), **_project_args(args))
    return graph.number_of_nodes()


def _project_args(args: tuple[str, ...]) -> dict[str, object]:
    opts = dict(zip(args[::2], args[1::2], strict=True))
    out: dict[str, object] = {}
    if "--focus" in opts:
        out["focus"] = opts["--focus"]
        out["depth"] = int(opts.get("--depth", 2))
    if "--view" in opts:
        out["view"] = opts["--view"]
    return out


def test_chromium_draws_every_node_of_the_page(model_store: Path, tmp_path: Path) -> None:
    page = tmp_path / "graph.html"
    expected = write_page(model_store, page)
    assert drawn_node_count(page, tmp_path) == expected == 30
    colours = screenshot_colours(page, tmp_path)
    assert len(colours) > 20, "the screenshot is blank"
    for ntype in ("trial", "drug", "target", "target_family"):
        assert rgb(viz.COLOURS[ntype]) in colours, f"no {ntype} node visible"


def test_chromium_draws_a_focus_page(model_store: Path, tmp_path: Path) -> None:
    page = tmp_path / "focus.html"
    expected = write_page(model_store, page, "--focus", "NCT04072042", "--depth", "1")
    assert drawn_node_count(page, tmp_path) == expected
    assert rgb(viz.COLOURS["arm"]) in screenshot_colours(page, tmp_path)


def test_chromium_draws_a_reduced_page_and_it_says_so(tmp_path: Path) -> None:
    import networkx as nx

    g = nx.DiGraph(view="trials-drugs-targets", trials=2000)
    for i in range(2000):
        g.add_node(f"trial/{i}", type="trial", label=f"T{i}")
        g.add_node(f"drug/{i % 40}", type="drug", label=f"drug {i % 40}")
        g.add_edge(f"trial/{i}", f"drug/{i % 40}", type="has_drug")
    page = tmp_path / "big.html"
    drawn, note = viz.render(g, "html", page, max_nodes=300)
    assert drawn_node_count(page, tmp_path) == drawn.number_of_nodes() == 41  # 40 drugs, 1 phase group
    assert "2000 trials collapsed" in page.read_text()


def test_search_from_the_address_highlights_the_target(model_store: Path, tmp_path: Path) -> None:
    page = tmp_path / "graph.html"
    write_page(model_store, page)
    proc = run_chromium(page, tmp_path, "--dump-dom", fragment="#search=P35968")
    assert '<span id="matches">1 match</span>' in proc.stdout
    hit = re.search(r'<g class="node link hit" data-id="([^"]+)"', proc.stdout)
    assert hit and hit.group(1) == "http://purl.uniprot.org/uniprot/P35968"
