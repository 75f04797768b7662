"""``trialkg enrich`` against a real local SPARQL server holding Wikidata/UniProt-shaped data."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from trialkg.cli import cli

FIXTURE = Path(__file__).parent / "data" / "knowledge" / "wikidata_uniprot_fixture.ttl"


def _load(server) -> None:
    req = urllib.request.Request(server.store_endpoint + "?default", data=FIXTURE.read_bytes(),
                                 headers={"Content-Type": "text/turtle"}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status in (200, 201, 204)


@pytest.mark.integration
def test_enrich_drug_and_target_cached_with_provenance(oxigraph_server, tmp_path: Path) -> None:
    _load(oxigraph_server)
    store = tmp_path / "store"
    runner = CliRunner()
    args = ["enrich", "--drug", "examplinib", "--drug", "anlotinib", "--store", str(store),
            "--endpoint", oxigraph_server.query_endpoint, "--format", "json"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    # anlotinib is curated already: not sent to the endpoint.
    assert [r["name"] for r in rows] == ["examplinib"]
    (row,) = rows
    assert row["values"]["drugbank"] == "DB99999" and row["values"]["chembl"] == "CHEMBL9999999"
    assert row["endpoint"] == oxigraph_server.query_endpoint and row["cached"] is False

    result = runner.invoke(cli, ["enrich", "--target", "PTK6", "--target", "KDR", "--store", str(store),
                                 "--endpoint", oxigraph_server.query_endpoint, "--format", "json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert row["values"]["uniprot"] == "Q13882"

    cache = json.loads((store / "enrich-cache.json").read_text())
    assert cache["drug"]["examplinib"]["endpoint"] == oxigraph_server.query_endpoint
    assert cache["target"]["ptk6"]["retrieved"]

    # A second run answers from the cache, even with the server gone.
    result = runner.invoke(cli, ["enrich", "--drug", "examplinib", "--store", str(store),
                                 "--endpoint", "http://127.0.0.1:9/none", "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)[0]["cached"] is True


def test_enrich_unreachable_endpoint_is_one_clear_error(tmp_path: Path) -> None:
    from trialkg.errors import RemoteError

    result = CliRunner().invoke(cli, ["enrich", "--drug", "examplinib", "--store", str(tmp_path / "s"),
                                      "--endpoint", "http://127.0.0.1:9/sparql"])
    assert result.exit_code != 0 and isinstance(result.exception, RemoteError)
