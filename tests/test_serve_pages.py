"""The pages of ``trialkg serve`` in headless Chromium (Debian's ``chromium``, ``--dump-dom``
after the scripts ran) over the seed store: search by a synonym and an alias, a trial's
criteria with their readings, the patient form against ``trialkg match``, the
neighbourhood view, the stored-query forms and their downloads."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import urllib.parse
from html import unescape
from pathlib import Path

import pytest
from serve_support import dump_dom, fetch, running_server

from trialkg import queries as q
from trialkg.serve.patientform import form_from_patient, patient_from_form
from trialkg.store import TrialStore

pytestmark = pytest.mark.integration
PATIENTS = Path(__file__).resolve().parent / "data" / "patients"
TKG = "https://w3id.org/trialkg/ontology#"


@pytest.fixture(scope="module")
def server(seed_store: Path):
    with running_server(seed_store) as s:
        yield s


@pytest.fixture(scope="module")
def store(seed_store: Path) -> TrialStore:
    return TrialStore(seed_store, read_only=True)


def _trials_of_drug(store: TrialStore, drug: str) -> set[str]:
    sparql = f"""SELECT ?id WHERE {{ ?t <{TKG}hasDrug> <https://w3id.org/trialkg/resource/drug/{drug}> ;
                 <{TKG}trialId> ?id }}"""
    return {r["id"].value for r in store.query(sparql)}


def _table_trials(dom: str, table_id: str) -> list[str]:
    m = re.search(rf'<table[^>]*id="{table_id}".*?</table>', dom, re.S)
    assert m, f"no table #{table_id} in the page"
    return re.findall(r'href="/trial/([^"]+)"', m.group(0))


def test_search_by_a_synonym_finds_the_drugs_trials(server, store: TrialStore) -> None:
    dom = dump_dom(server.url + "/search?q=rivoceranib")
    apatinib = _trials_of_drug(store, "apatinib")
    assert apatinib  # NCT04126811 and NCT04072042 test apatinib (rivoceranib is its INN synonym)
    assert set(_table_trials(dom, "trial-hits")) == apatinib
    assert 'href="/drug/apatinib"' in dom


def test_search_by_a_target_alias_finds_the_target(server) -> None:
    dom = dump_dom(server.url + "/search?q=VEGFR2")
    assert 'href="/target/KDR"' in dom
    status, _, body = fetch(server.url + "/search?q=flk-1&format=json")
    assert status == 200 and [m["key"] for m in json.loads(body)["matches"]["target"]] == ["KDR"]


def _readings(dom: str, ctype: str) -> list[str]:
    return [unescape(re.sub(r"<[^>]+>", "", m)) for m in
            re.findall(rf'<li class="reading" data-type="{ctype}">(.*?)</li>', dom, re.S)]


def test_trial_page_shows_ecog_and_anc_constraints(server) -> None:
    dom = dump_dom(server.url + "/trial/NCT04126811")
    ecog = _readings(dom, "performance_status")
    assert any("ecog ∈ {0, 1}" in r for r in ecog), ecog
    assert any("ecog ∈ {0, 1, 2}" in r and "amputee" in r for r in ecog), ecog
    numeric = _readings(dom, "numeric")
    assert any(r.split()[2:4] == ["neutrophils", "≥"] and "1500 /mm3" in r and "1.5 10*9/L" in r for r in numeric), numeric
    marks = [unescape(re.sub(r"<[^>]+>", "", m)) for m in re.findall(r"<mark[^>]*>(.*?)</mark>", dom, re.S)]
    assert any(m.startswith("Neutrophil count (ANC) ≥ 1,500/mm3") for m in marks), marks
    assert any(m.startswith("PS score: 0~1") for m in marks), marks
    # provenance and the embedded JSON-LD
    assert "af36c70d0125e6f2" in dom or re.search(r"<code>[0-9a-f]{64}</code>", dom)
    jsonld = re.search(r'<script type="application/ld\+json" id="jsonld">(.*?)</script>', dom, re.S)
    assert jsonld and json.loads(jsonld.group(1))["@context"]["Trial"] == "tkg:Trial"


def test_trial_page_says_why_a_criterion_is_undecidable(server) -> None:
    """"... which in the opinion of the investigator ..." (NCT03890068 exc-16) has the reason
    tkg:undecidableReason investigator_judgement, in the words trialkg match prints."""
    status, _, body = fetch(server.url + "/trial/NCT03890068")
    html = body.decode()
    item = re.search(r'<li class="criterion[^"]*" id="exc-16">.*?</li>\s*</ul>', html, re.S)
    assert status == 200 and item, html[:200]
    assert 'data-type="undecidable"' in item.group(0)
    assert "investigator_judgement" in item.group(0) and "the investigator&#39;s judgement decides it" in item.group(0)


def test_trial_page_neighbourhood_is_drawn_with_a_legend(server) -> None:
    dom = dump_dom(server.url + "/trial/NCT04126811", budget_ms=8000)
    assert 'data-ready="1"' in dom
    labels = re.findall(r'<g class="node" data-id="([^"]+)" data-type="([^"]+)"', dom)
    kinds = {t for _i, t in labels}
    assert {"trial", "arm", "drug", "target", "target_family"} <= kinds
    assert 'data-id="drug:apatinib"' in dom and 'data-id="target:KDR"' in dom
    assert '<div class="legend">' in dom


def _match_cli(store_path: Path, patient: Path) -> dict[str, str]:
    out = subprocess.run([sys.executable, "-c", "from trialkg.cli import main; main()", "match", str(patient),
                          "--store", str(store_path), "--format", "json"], capture_output=True, text=True, check=False)
    assert out.returncode in (0, 1), out.stderr
    return {r["trial"]: r["verdict"] for r in json.loads(out.stdout)}


@pytest.mark.parametrize("patient", ["neutrophils_low_per_uL.json", "anlotinib_6_weeks_ago.json", "ecog2_amputee.json"])
def test_patient_form_gives_the_verdicts_of_trialkg_match(server, seed_store: Path, patient: str) -> None:
    doc = json.loads((PATIENTS / patient).read_text())
    fields = {k: v for k, v in form_from_patient(doc).items() if v}
    assert patient_from_form(fields) | {"id": doc["id"]} == {k: v for k, v in doc.items() if k != "description"}
    # the GET form: what the browser sends when the fields are filled and "Match" is pressed
    dom = dump_dom(server.url + "/match?" + urllib.parse.urlencode(fields))
    rows = dict(re.findall(r'<tr class="verdict-\w+" data-trial="([^"]+)" data-verdict="(\w+)"', dom))
    assert rows == _match_cli(seed_store, PATIENTS / patient)


def test_patient_json_upload_gives_the_same_verdicts(server, seed_store: Path) -> None:
    text = (PATIENTS / "anlotinib_6_weeks_ago.json").read_text()
    boundary = "trialkgboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"patient_file\"; filename=\"p.json\"\r\n"
            f"Content-Type: application/json\r\n\r\n{text}\r\n--{boundary}--\r\n").encode()
    status, _, page = fetch(server.url + "/match?format=json", data=body,
                            content_type=f"multipart/form-data; boundary={boundary}")
    assert status == 200
    got = {r["trial"]: r["verdict"] for r in json.loads(page)}
    assert got == _match_cli(seed_store, PATIENTS / "anlotinib_6_weeks_ago.json")


def test_a_bad_patient_field_is_one_clear_line(server) -> None:
    status, _, page = fetch(server.url + "/match?ecog=7")
    assert status == 400 and b"ecog" in page
    status, _, page = fetch(server.url + "/match?labs=" + urllib.parse.quote("neutrophils lots"))
    assert status == 400 and b"labs line 1" in page


def test_stored_query_form_table_and_downloads(server, store: TrialStore) -> None:
    stored = q.get_stored_query("trials-by-target")
    local = q.run_local(stored, q.bind_params(stored, {"target": "VEGFR"}), store)
    dom = dump_dom(server.url + "/queries/trials-by-target?target=VEGFR&run=1")
    assert 'name="target"' in dom  # the form comes from the '# params:' header
    assert _table_trials(dom, "results") == [r["trial"] for r in local.text_records()]
    status, ctype, body = fetch(server.url + "/queries/trials-by-target?target=VEGFR&run=1&format=csv")
    assert status == 200 and ctype.startswith("text/csv")
    assert list(csv.DictReader(io.StringIO(body.decode()))) == [
        {k: v or "" for k, v in r.items()} for r in local.text_records()]
    status, _, body = fetch(server.url + "/queries/trials-by-target?target=VEGFR&run=1&format=json")
    assert json.loads(body) == local.records()
    listing = dump_dom(server.url + "/queries")
    assert all(f'href="/queries/{n}"' in listing for n in q.stored_query_names())


def test_entity_pages_and_not_found(server) -> None:
    for path, text in (("/drug/rivoceranib", "apatinib"), ("/target/vegfr2", None), ("/target/P35968", "KDR"),
                       ("/family/vegfr", "KDR"), ("/", "trials")):
        status, _, body = fetch(server.url + path)
        if text is None:
            assert status == 404
        else:
            assert status == 200 and text in body.decode(), path
    status, _, body = fetch(server.url + "/trial/NCT00000000")
    assert status == 404 and b"NCT00000000" in body
    status, _, body = fetch(server.url + "/graph/target/KDR")
    graph = json.loads(body)
    assert graph["focus"] == "target:KDR" and len(graph["nodes"]) <= 60 and graph["legend"]


def test_target_and_family_pages_list_the_trials_of_the_stored_query(server, store: TrialStore) -> None:
    """The server's directory gives the trials `trialkg query trials-by-target` gives."""
    stored = q.get_stored_query("trials-by-target")
    for kind, key in (("target", "KDR"), ("target", "KIT"), ("target", "FGFR1"), ("target", "PDCD1"),
                      ("family", "VEGFR"), ("family", "FGFR"), ("family", "PDGFR")):
        want = {r["trial"] for r in q.run_local(stored, q.bind_params(stored, {"target": key}), store).text_records()}
        status, _, body = fetch(f"{server.url}/{kind}/{key}?format=json")
        assert status == 200, key
        assert {t["id"] for t in json.loads(body)["trials"]} == want, key
