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


def test_bulk_build_needs_a_fresh_store_and_matches_a_transactional_build(workdir: Path, tmp_path: Path) -> None:
    refused = run("build", "seeds/", "--bulk", cwd=workdir)
    assert refused.returncode == 2
    assert "--bulk needs an empty store" in refused.stderr

    from rdflib.compare import isomorphic

    from trialkg.store import BULK_MARKER, TrialStore

    bulk_store = tmp_path / "bulk"
    built = run("build", "seeds/", "--bulk", "--replace", "--store", str(bulk_store), cwd=workdir)
    assert built.returncode == 0, built.stderr
    assert not (bulk_store / BULK_MARKER).exists()
    a = TrialStore(workdir / ".trialkg-store", read_only=True).to_rdflib()
    b = TrialStore(bulk_store, read_only=True).to_rdflib()
    names = {str(g.identifier) for g in a.graphs()}
    assert names == {str(g.identifier) for g in b.graphs()}
    for name in names:
        assert isomorphic(a.graph(name), b.graph(name)), name


def test_a_store_left_by_an_interrupted_bulk_build_says_so(workdir: Path, tmp_path: Path) -> None:
    from trialkg.store import BULK_MARKER

    store = tmp_path / "torn"
    assert run("build", "seeds/", "--store", str(store), cwd=workdir).returncode == 0
    (store / BULK_MARKER).write_text("left by a crash\n")
    listed = run("list", "--store", str(store), cwd=workdir)
    assert "interrupted 'build --bulk' left this store incomplete" in listed.stderr
    assert run("build", "seeds/", "--replace", "--store", str(store), cwd=workdir).returncode == 0
    assert not (store / BULK_MARKER).exists()


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
