"""`trialkg build` as a user runs it: the README's first command, then validate, show,
list, stats and export against the store it made; rejected records exit 1."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["trialkg", *args],
                          cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with the seeds, built with the README's first command."""
    d = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "seeds", d / "seeds")
    env = {k: v for k, v in os.environ.items() if k != "TRIALKG_STORE"}
    result = run("build", "seeds/", "--format", "table", cwd=d, env=env)
    assert result.returncode == 0, result.stderr
    assert "trials     5" in result.stdout
    assert "rejected   0" in result.stdout
    return d


def test_readme_build_uses_the_default_store(workdir: Path) -> None:
    assert (workdir / ".trialkg-store").is_dir()


def test_validate_after_build_exits_0_with_the_derived_id_warning(workdir: Path) -> None:
    result = run("validate", "--format", "table", cwd=workdir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "conforms" in result.stdout
    assert "Warning" in result.stdout and "tkg:derivedId" in result.stdout


def test_show_json_and_list(workdir: Path) -> None:
    result = run("show", "NCT04126811", "--format", "json", cwd=workdir)
    assert result.returncode == 0, result.stderr
    view = json.loads(result.stdout)
    assert view["id"] == "NCT04126811" and view["source"]["format"] == "page-classic"
    result = run("list", "--format", "csv", cwd=workdir)
    assert result.stdout.splitlines()[0] == "id,nct_id,title,source"
    assert len(result.stdout.splitlines()) == 6


def test_show_unknown_trial_is_one_error_line(workdir: Path) -> None:
    result = run("show", "NCT99999999", cwd=workdir)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "NCT99999999" in result.stderr


def test_stats_and_export(workdir: Path) -> None:
    stats = json.loads(run("stats", "--format", "json", cwd=workdir).stdout)
    assert stats["trials"] == 5
    out = workdir / "graph.nq"
    result = run("export", "--format", "nquads", "-o", str(out), cwd=workdir)
    assert result.returncode == 0 and out.stat().st_size > 0
    graphs = {line.rsplit(" ", 2)[-2] for line in out.read_text().splitlines() if line}
    assert "<https://w3id.org/trialkg/resource/graph/NCT03890068>" in graphs


def test_rejected_records_exit_1_and_the_rest_are_built(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(DATA / "bad" / "malformed_nct_NCT06382129.json", src)
    shutil.copy(ROOT / "seeds" / "002_3690193fa094b525.txt", src)
    result = run("build", str(src), "--store", str(tmp_path / "store"), "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    summary = json.loads(result.stdout)
    assert summary["trials"] == 1 and summary["trial_ids"] == ["NCT03890068"]
    assert len(summary["rejected"]) == 1
    rejected = summary["rejected"][0]
    assert rejected["file"].endswith("malformed_nct_NCT06382129.json") and rejected["field"]
    lines = [x for x in result.stderr.splitlines() if x.startswith("trialkg: rejected:")]
    assert len(lines) == 1 and "malformed_nct_NCT06382129.json" in lines[0]
    assert "Traceback" not in result.stderr


def test_replace_starts_a_fresh_store(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    run("build", str(ROOT / "seeds" / "002_3690193fa094b525.txt"), "--store", store, cwd=tmp_path)
    run("build", str(ROOT / "seeds" / "001_46980fdc712412a7.txt"), "--store", store, cwd=tmp_path)
    ids = [r["id"] for r in json.loads(run("list", "--store", store, "--format", "json", cwd=tmp_path).stdout)]
    assert ids == ["NCT03890068", "NCT04126811"]
    run("build", str(ROOT / "seeds" / "001_46980fdc712412a7.txt"), "--store", store, "--replace", cwd=tmp_path)
    ids = [r["id"] for r in json.loads(run("list", "--store", store, "--format", "json", cwd=tmp_path).stdout)]
    assert ids == ["NCT04126811"]


def test_bulk_build_matches_a_transactional_build(workdir: Path, tmp_path: Path) -> None:
    """The default build (bulk loader, into a fresh store and then adding to it) writes
    the same graphs as a build where every batch is one transaction."""
    from rdflib.compare import isomorphic

    from trialkg.store import BULK_MARKER, TrialStore

    seeds = sorted((workdir / "seeds").iterdir())
    stores = {}
    for mode in ("--bulk", "--transactional"):
        store = tmp_path / mode.strip("-")
        for part in (seeds[:2], seeds[2:]):  # a fresh store, then new trials added to it
            built = run("build", *map(str, part), mode, "--store", str(store), cwd=workdir)
            assert built.returncode == 0, built.stderr
            assert not (store / BULK_MARKER).exists()
        stores[mode] = TrialStore(store, read_only=True).to_rdflib()
    a, b = stores["--bulk"], stores["--transactional"]
    names = {str(g.identifier) for g in a.graphs()}
    assert names == {str(g.identifier) for g in b.graphs()}
    for name in names:
        assert isomorphic(a.graph(name), b.graph(name)), name


def _dead_process() -> dict[str, object]:
    """The pid of a process that has ended, and its kernel start time (read while it is a
    zombie, on Linux): a marker naming it stays the mark of a dead build even when the
    pid is taken again by another process."""
    import subprocess
    import sys
    import time

    from trialkg.store import _started

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    while _started(child.pid) is not None and not _zombie(child.pid):
        time.sleep(0.005)
    started = _started(child.pid)
    child.wait()
    return {"pid": child.pid, "started": started}


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] == "Z"
    except OSError:
        return False


def test_an_interrupted_fresh_build_is_found_and_redone(workdir: Path, tmp_path: Path) -> None:
    import json

    from trialkg.store import BULK_MARKER

    store = tmp_path / "torn"
    assert run("build", "seeds/", "--store", str(store), cwd=workdir).returncode == 0
    clean = run("list", "--store", str(store), "--format", "tsv", cwd=workdir).stdout
    # what a build into a fresh store leaves when it is killed: the marker of a dead process
    (store / BULK_MARKER).write_text(json.dumps({**_dead_process(), "fresh": True, "graphs": []}))
    listed = run("list", "--store", str(store), cwd=workdir)
    assert "an interrupted build left this store incomplete" in listed.stderr
    rebuilt = run("build", "seeds/", "--store", str(store), "--format", "json", cwd=workdir)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert any("rebuilt from empty" in w for w in json.loads(rebuilt.stdout)["warnings"])
    assert not (store / BULK_MARKER).exists()
    assert run("list", "--store", str(store), "--format", "tsv", cwd=workdir).stdout == clean


def test_an_interrupted_batch_of_new_trials_is_removed_and_written_again(workdir: Path, tmp_path: Path) -> None:
    """Adding trials to a store, a crash costs only the batch being loaded: the next build
    removes its graphs (whatever part of them was written) and builds them again."""
    import json

    import pyoxigraph as ox
    from rdflib.compare import isomorphic

    from trialkg import iris
    from trialkg.store import BULK_MARKER, TrialStore

    seeds = sorted((workdir / "seeds").iterdir())
    clean, store = workdir / ".trialkg-store", tmp_path / "store"  # the README's build of seeds/
    assert run("build", str(seeds[0]), "--store", str(store), cwd=workdir).returncode == 0
    assert run("build", *map(str, seeds[1:]), "--store", str(store), cwd=workdir).returncode == 0
    torn = TrialStore(store)
    victim = torn.trial_graph_names()[-1]
    quads = list(torn.quads(victim))
    torn.ox.remove(quads[0])  # half-written: part of the graph is missing
    torn.begin_bulk(fresh=False, graphs=[victim])
    marker = json.loads((store / BULK_MARKER).read_text())
    (store / BULK_MARKER).write_text(json.dumps({**marker, **_dead_process()}))
    del torn
    again = run("build", "seeds/", "--store", str(store), "--format", "json", cwd=workdir)
    assert again.returncode == 0, again.stderr
    assert any("half-loaded: removed" in w for w in json.loads(again.stdout)["warnings"])
    a, b = TrialStore(store, read_only=True).to_rdflib(), TrialStore(clean, read_only=True).to_rdflib()
    assert isomorphic(a.graph(victim), b.graph(victim))
    assert victim.startswith(iris.TKR) and isinstance(quads[0], ox.Quad)


def test_zip_members_parsed_by_workers_report_a_bad_member_and_build_the_rest(tmp_path: Path) -> None:
    """With workers, zip members are parsed in the workers: a bad member is still one
    rejected line naming the zip and member, and every other study is built."""
    import sys
    import zipfile

    zip_path = tmp_path / "download.zip"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--trials", "80", "--seed", "7",
                    "-o", str(zip_path)], check=True, capture_output=True)
    with zipfile.ZipFile(zip_path, "a") as zf:
        zf.writestr("NCT99999999.json", '{"protocolSection": {"identificationModule": ')
    result = run("build", str(zip_path), "--store", str(tmp_path / "store"), "-j", "2", cwd=tmp_path)
    assert result.returncode == 1
    rejected = [line for line in result.stderr.splitlines() if line.startswith("trialkg: rejected:")]
    assert len(rejected) == 1 and "download.zip!NCT99999999.json" in rejected[0] and "not valid JSON" in rejected[0]
    assert json.loads(result.stdout)["trials"] == 80  # piped: the summary as JSON
