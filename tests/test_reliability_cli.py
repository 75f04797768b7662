"""CLI edges: exit codes as documented (0 ok, 1 problems found, 2 bad usage or input),
one line naming the file, nothing left behind by a command that could not start."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

HERE = Path(__file__).resolve().parent
GOOD = HERE / "data" / "ctgov" / "NCT06382129.json"
TRIALKG = shutil.which("trialkg") or "trialkg"


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TRIALKG, *args], capture_output=True, text=True, check=False, cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "store"
    assert run(path.parent, "build", "--store", str(path), str(GOOD)).returncode == 0
    return path


def test_build_of_a_missing_file_exits_2_and_leaves_no_store(tmp_path: Path) -> None:
    proc = run(tmp_path, "build", "--store", "s", "nope.xml")
    assert proc.returncode == 2
    assert proc.stderr.strip() == "trialkg: error: nope.xml: no such file or directory"
    assert not (tmp_path / "s").exists()


def test_verbose_keeps_the_exit_code(tmp_path: Path) -> None:
    """-v adds the traceback; the exit code and the closing line stay the same."""
    proc = run(tmp_path, "-v", "build", "--store", "s", "nope.xml")
    assert proc.returncode == 2
    assert "Traceback" in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "trialkg: error: nope.xml: no such file or directory"


def test_export_to_a_missing_directory_is_one_line(tmp_path: Path, store: Path) -> None:
    proc = run(tmp_path, "export", "--store", str(store), "-o", "/missing/dir/x.trig")
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("trialkg: error: /missing/dir/x.trig: cannot write the output file: "
                                   "No such file or directory")


def test_validate_on_an_empty_or_half_built_store_is_not_0(tmp_path: Path, store: Path) -> None:
    ox.Store(str(tmp_path / "empty"))  # a store directory with nothing in it
    proc = run(tmp_path, "validate", "--store", "empty")
    assert proc.returncode == 1 and "it holds no trials" in proc.stderr
    half = tmp_path / "half"  # trial graphs written, the build stopped before the ontology
    shutil.copytree(store, half)
    s = ox.Store(str(half))
    s.remove_graph(ox.NamedNode("https://w3id.org/trialkg/resource/graph/ontology"))
    del s
    proc = run(tmp_path, "validate", "--store", "half")
    assert proc.returncode == 1 and "no ontology graph" in proc.stderr
    assert run(tmp_path, "validate", "--store", str(store)).returncode == 0


@pytest.mark.parametrize(("content", "message"), [
    (b'{"id": "caf\xe9"}', "not UTF-8 text: byte 0xe9 at offset 11"),
    (b'{"age_years": ' + b"9" * 400 + b"}", "a number of 400 digits is not a patient value"),
    (b'{"conditions": ' + b"[" * 1100 + b"]" * 1100 + b"}", "nested deeper than 64 levels"),
    (b'{"conditions": ' + b"[" * 100 + b"]" * 100 + b"}", "nested deeper than 64 levels"),
], ids=["latin1", "400-digits", "nested-1100", "nested-100"])
def test_bad_patient_files_give_one_line_naming_the_file(tmp_path: Path, store: Path, content: bytes,
                                                         message: str) -> None:
    (tmp_path / "patient.json").write_bytes(content)
    proc = run(tmp_path, "match", "--store", str(store), "patient.json")
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("trialkg: error: patient.json: ") and message in line
