"""`trialkg validate --shapes FILE`: the store checked against a user's own shapes, as a user
runs it (the real command in a subprocess, on a store built from the seeds).

The shapes files are in tests/data/shapes/: a site's enrollment policy (violations),
warnings and infos about sites and phases, a SPARQL-based constraint with its own
prefixes, a file that does not parse, a file with no shape, two that parse but are no
well-formed shapes, one with sh:closed, and one that uses a SHACL feature the compiled
engine refuses (sh:qualifiedMinCount inside sh:or). The seeds hold five trials: enrollments 48, 120,
29, 30 and 70; two without a site (NCT06110650, TKG-bcaa376068fe); one without a phase
(TKG-bcaa376068fe).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import SH

from trialkg.resources import ontology_file
from trialkg.shapes import check_well_formed

SHAPES = Path(__file__).parent / "data" / "shapes"
TRIALKG = shutil.which("trialkg") or "trialkg"
TRIAL = "https://w3id.org/trialkg/resource/trial/"
ENROLLMENT, SITES, SMALL_PHASE2 = (str(SHAPES / n) for n in ("enrollment.ttl", "sites.ttl", "small-phase2.ttl"))

Key = tuple[str, str, str | None, str | None, str | None]


def run(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TRIALKG, "validate", "--store", str(store), *args], capture_output=True, text=True,
                          check=False, timeout=600)


def findings(store: Path, *args: str) -> tuple[int, list[dict]]:
    proc = run(store, "--format", "json", *args)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)["results"]


def keys(results: list[dict]) -> set[Key]:
    return {(r["severity"], r["focus"].removeprefix(TRIAL), r["path"], r["component"], r["value"]) for r in results}


def test_user_shapes_replace_the_shipped_ones(seed_store: Path) -> None:
    code, results = findings(seed_store, "--shapes", ENROLLMENT)
    assert code == 1
    assert keys(results) == {
        ("Violation", "NCT04072042", "tkg:enrollment", "sh:MinInclusiveConstraintComponent", "30"),
        ("Violation", "NCT06110650", "tkg:enrollment", "sh:MinInclusiveConstraintComponent", "29"),
    }
    # Only the user's shape: trialkg's own (the derived-id warning on TKG-bcaa376068fe) is not run.
    assert {r["shape"] for r in results} == {"<https://example.org/site-policy#EnrollmentPolicy>"}
    assert {r["message"] for r in results} == {"the site lists trials that enrol at least 40 participants"}


def test_warnings_and_infos_exit_0_and_the_report_still_does_not_conform(seed_store: Path) -> None:
    """Exit 0 without violations; sh:conforms is SHACL's, false whenever there is a result."""
    proc = run(seed_store, "--shapes", SITES, "--format", "turtle")
    assert proc.returncode == 0, proc.stderr
    report = rdflib.Graph().parse(data=proc.stdout, format="turtle")
    root = next(report.subjects(rdflib.RDF.type, SH.ValidationReport))
    assert report.value(root, SH.conforms).toPython() is False
    got = {(str(report.value(r, SH.focusNode)).removeprefix(TRIAL), report.value(r, SH.resultSeverity))
           for r in report.objects(root, SH.result)}
    assert got == {("NCT06110650", SH.Warning), ("TKG-bcaa376068fe", SH.Warning), ("TKG-bcaa376068fe", SH.Info)}
    code, results = findings(seed_store, "--shapes", SITES)
    assert code == 0


def test_several_files_make_one_shapes_graph(seed_store: Path) -> None:
    code, results = findings(seed_store, "--shapes", ENROLLMENT, "--shapes", SITES, "--shapes", SMALL_PHASE2)
    assert code == 1
    by_severity = {s: sum(1 for r in results if r["severity"] == s) for s in ("Violation", "Warning", "Info")}
    assert by_severity == {"Violation": 2, "Warning": 4, "Info": 1}
    sparql = {(r["focus"].removeprefix(TRIAL), r["value"], r["message"]) for r in results
              if r["component"] == "sh:SPARQLConstraintComponent"}
    assert sparql == {
        ("NCT03890068", "48", "a phase 2 trial planning fewer than 50 participants (48)"),
        ("NCT04072042", "30", "a phase 2 trial planning fewer than 50 participants (30)"),
    }


def test_trial_option_narrows_the_user_shapes_too(seed_store: Path) -> None:
    code, results = findings(seed_store, "--shapes", ENROLLMENT, "--trial", "NCT04126811")
    assert (code, results) == (0, [])
    code, results = findings(seed_store, "--shapes", ENROLLMENT, "--trial", "NCT04072042")
    assert code == 1 and [r["value"] for r in results] == ["30"]


def test_pyshacl_engine_finds_the_same_with_the_user_shapes(seed_store: Path) -> None:
    files = ["--shapes", ENROLLMENT, "--shapes", SITES, "--shapes", SMALL_PHASE2]
    code, compiled = findings(seed_store, *files)
    code_py, reference = findings(seed_store, *files, "--engine", "pyshacl")
    assert code_py == code == 1
    assert keys(reference) == keys(compiled)


@pytest.mark.parametrize("fmt, suffix", [("json-ld", ".jsonld"), ("xml", ".rdf"), ("nt", ".nt")])
def test_shapes_in_any_rdf_syntax(seed_store: Path, tmp_path: Path, fmt: str, suffix: str) -> None:
    path = tmp_path / f"enrollment{suffix}"
    rdflib.Graph().parse(ENROLLMENT, format="turtle").serialize(path, format=fmt, encoding="utf-8")
    assert keys(findings(seed_store, "--shapes", str(path))[1]) == keys(findings(seed_store, "--shapes", ENROLLMENT)[1])


@pytest.mark.parametrize("name, reason", [
    ("bad-syntax.ttl", "cannot read the shapes (turtle): line 6: Bad syntax (']' expected)"),
    ("no-shapes.ttl", "no SHACL shapes in this file (no term of the sh: namespace)"),
])
def test_a_bad_shapes_file_is_one_line_and_exit_2(seed_store: Path, name: str, reason: str) -> None:
    proc = run(seed_store, "--shapes", ENROLLMENT, "--shapes", str(SHAPES / name))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip() == f"trialkg: error: {SHAPES / name}: {reason}"


@pytest.mark.parametrize("name, shape, where", [
    ("ill-formed-count.ttl", "<https://example.org/site-policy#PhasePolicy> property tkg:phase",
     "sh:minCount: not a well-formed shape: Value is not Literal with datatype xsd:integer (value: many)"),
    ("ill-formed-in.ttl", "<https://example.org/site-policy#StatusPolicy> property tkg:overallStatus",
     "sh:in: not a well-formed shape: Value does not conform to Shape shsh:ListShape"),
])
@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_an_ill_formed_shape_is_one_line_naming_it(seed_store: Path, name: str, shape: str, where: str,
                                                   engine: str) -> None:
    """A file that parses but breaks SHACL's rules for shapes (SHACL-SHACL), for either engine."""
    proc = run(seed_store, "--shapes", str(SHAPES / name), "--engine", engine)
    assert proc.returncode == 2
    assert proc.stdout == ""
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith(f"trialkg: error: {SHAPES / name} [record {shape}]: {where}")


def test_the_shipped_shapes_are_well_formed() -> None:
    """Passing ontology/shapes.ttl to --shapes skips the SHACL-SHACL check: this is it."""
    with ontology_file("shapes.ttl").open("rb") as fh:
        check_well_formed(rdflib.Graph().parse(fh, format="turtle"), "shapes.ttl")


def test_a_feature_the_compiled_engine_does_not_check_is_refused(seed_store: Path) -> None:
    """One line naming the user's file, the shape and the feature; nothing is validated."""
    qualified = str(SHAPES / "qualified.ttl")
    proc = run(seed_store, "--shapes", qualified)
    assert proc.returncode == 2
    assert proc.stdout == ""
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith(f"trialkg: error: {qualified} [record <https://example.org/site-policy#TrialWithArm> ")
    assert "sh:qualifiedMinCount" in line
    # pySHACL checks it: the same file runs there.
    code, results = findings(seed_store, "--shapes", qualified, "--engine", "pyshacl")
    assert code in (0, 1) and {r["component"] for r in results} <= {"sh:OrConstraintComponent"}


def test_closed_shapes_give_what_pyshacl_gives(seed_store: Path) -> None:
    """sh:closed with sh:ignoredProperties: every trial has more properties than the one listed."""
    closed = str(SHAPES / "closed.ttl")
    code, results = findings(seed_store, "--shapes", closed)
    assert code == 1 and {r["component"] for r in results} == {"sh:ClosedConstraintComponent"}
    pyshacl_code, reference = findings(seed_store, "--shapes", closed, "--engine", "pyshacl")
    key = lambda r: (r["focus"], r["path"], r["value"])  # noqa: E731
    assert pyshacl_code == code and {key(r) for r in results} == {key(r) for r in reference}


def test_a_missing_shapes_file_is_a_usage_error(seed_store: Path, tmp_path: Path) -> None:
    proc = run(seed_store, "--shapes", str(tmp_path / "nope.ttl"))
    assert proc.returncode == 2
    assert "nope.ttl" in proc.stderr and "does not exist" in proc.stderr
