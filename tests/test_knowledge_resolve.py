"""Targets, drugs and classes as users name them in stored-query parameters."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from trialkg.errors import UsageError
from trialkg.knowledge.resolve import resolve_parameter, resolver
from trialkg.queries import bind_params, get_stored_query


@pytest.mark.parametrize("name", ["VEGFR2", "vegfr-2", "VEGFR 2", "FLK1", "flk-1", "KDR", "kdr", "P35968", "p35968"])
def test_target_aliases_and_accessions(name: str) -> None:
    assert resolve_parameter("target", name) == "KDR"


@pytest.mark.parametrize(("name", "family"), [("vegfr", "VEGFR"), ("VEGFRs", "VEGFR"), ("FGFR", "FGFR"),
                                              ("c-Kit", "KIT"), ("VEGF receptors", "VEGFR")])
def test_family_keys_in_any_case(name: str, family: str) -> None:
    assert resolve_parameter("target", name) == family
    assert resolve_parameter("family", name) == family


def test_targets_known_only_to_the_compiled_dictionary() -> None:
    assert resolve_parameter("target", "TOP2A") == "TOP2A"
    assert resolve_parameter("target", "P11388") == "TOP2A"  # UniProt accession of TOP2A
    assert resolve_parameter("target", "map2k1") == "MAP2K1"


def test_unknown_target_is_an_error_with_close_matches() -> None:
    with pytest.raises(UsageError) as err:
        resolve_parameter("target", "VEGFX")
    assert "unknown target 'VEGFX'" in err.value.message and "VEGFR" in err.value.message
    with pytest.raises(UsageError, match="unknown UniProt accession"):
        resolve_parameter("target", "P99999")
    with pytest.raises(UsageError, match="not a target family"):
        resolve_parameter("family", "KDR")


@pytest.mark.parametrize(("name", "drug"), [("Tasigna", "nilotinib"), ("imatinib mesylate", "imatinib"),
                                            ("MK-3475", "pembrolizumab"), ("Keytruda", "pembrolizumab"),
                                            ("rivoceranib", "apatinib"), ("CARBOPLATIN", "carboplatin")])
def test_drugs_by_inn_brand_code_and_salt(name: str, drug: str) -> None:
    assert resolve_parameter("drug", name) == drug
    assert resolve_parameter("prior_drug", name) == drug


def test_unknown_drug_and_class_are_errors() -> None:
    with pytest.raises(UsageError, match="did you mean: .*lorlatinib"):
        resolve_parameter("drug", "Lorlatinab-x")
    with pytest.raises(UsageError, match="unknown drug class"):
        resolve_parameter("class", "flux capacitors")


@pytest.mark.parametrize(("name", "key"), [("vegfr-tki", "vegfr-tki"), ("VEGFR TKIs", "vegfr-tki"),
                                           ("anthracyclines", "anthracycline")])
def test_classes_by_key_label_or_phrase(name: str, key: str) -> None:
    assert resolve_parameter("class", name) == key


def test_other_parameters_pass_through_and_binding_resolves() -> None:
    assert resolve_parameter("country", "China") == "China"
    q = get_stored_query("trials-by-target")
    (term,) = bind_params(q, {"target": "FLK-1"}).values()
    assert term.value == "kdr"  # resolved to the HGNC symbol, then folded to its tkg:nameKey
    with pytest.raises(UsageError):
        bind_params(q, {"target": "no such target"})
    assert resolver().target("vegfr2").kind == "protein"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from trialkg.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=120)


def test_cli_aliases_give_the_same_rows_and_unknown_exits_2(seed_store: Path) -> None:
    def rows(target: str) -> list[dict[str, str]]:
        result = _cli("query", "trials-by-target", "-p", "target", target, "--format", "csv", "--store", str(seed_store))
        assert result.returncode == 0, result.stderr
        return list(csv.DictReader(io.StringIO(result.stdout)))

    kdr = rows("KDR")
    assert kdr and all(r["target"] == "KDR" for r in kdr)
    assert rows("VEGFR2") == kdr == rows("P35968") == rows("flk1")
    assert {r["target"] for r in rows("vegfr")} >= {"KDR", "FLT1", "FLT4"}
    bad = _cli("query", "trials-by-target", "-p", "target", "VEGFX", "--store", str(seed_store))
    assert bad.returncode == 2 and "did you mean" in bad.stderr and bad.stdout == ""
