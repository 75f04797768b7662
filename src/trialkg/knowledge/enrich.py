"""Fill drug or target facts missing from the curated tables from a public SPARQL endpoint.

Optional and online: the curated tables stay the source of truth; answers are cached
in a JSON file under the store directory with the endpoint, query and time they came
from, so a rerun is offline and every fact says where it came from. Two vocabularies
are understood: Wikidata (drugs by English label: ChEMBL P592, DrugBank P715, UNII
P652, PubChem P662) and UniProt (proteins by gene name: accession, recommended name).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trialkg.errors import RemoteError, UsageError

WIKIDATA = "https://query.wikidata.org/sparql"
UNIPROT = "https://sparql.uniprot.org/sparql"
CACHE_NAME = "enrich-cache.json"

# Values go in through VALUES with a literal escaped by _literal, never pasted raw.
WIKIDATA_DRUG = """PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?item ?chembl ?drugbank ?unii ?pubchem WHERE {
  VALUES ?label { %s }
  ?item rdfs:label ?label .
  OPTIONAL { ?item wdt:P592 ?chembl }
  OPTIONAL { ?item wdt:P715 ?drugbank }
  OPTIONAL { ?item wdt:P652 ?unii }
  OPTIONAL { ?item wdt:P662 ?pubchem }
}"""

UNIPROT_TARGET = """PREFIX up: <http://purl.uniprot.org/core/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX taxon: <http://purl.uniprot.org/taxonomy/>
SELECT ?protein ?name WHERE {
  VALUES ?symbol { %s }
  ?protein a up:Protein ; up:organism taxon:9606 ; up:reviewed true ;
           up:encodedBy ?gene .
  ?gene skos:prefLabel ?symbol .
  OPTIONAL { ?protein up:recommendedName/up:fullName ?name }
}"""


@dataclass
class Fact:
    kind: str  # drug | target
    key: str
    values: dict[str, Any]
    endpoint: str
    retrieved: str


def _literal(text: str, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"' + (f"@{lang}" if lang else "")


def _run(endpoint: str, query: str, timeout: int = 30) -> list[dict[str, str]]:
    """One SELECT through ``trialkg.http`` (deadline, size cap, retries, scrubbing)."""
    from trialkg.http import HttpClient, check_url, safe_url

    check_url(endpoint)
    client = HttpClient(timeout=timeout, agent="trialkg-enrich (https://w3id.org/trialkg)")
    try:
        r = client.request("POST", endpoint, data={"query": query},
                           headers={"Accept": "application/sparql-results+json"})
    finally:
        client.close()
    if r.status >= 400:
        raise RemoteError(f"SPARQL endpoint failed: HTTP {r.status} {r.reason}: {r.detail(300)}",
                          file=safe_url(endpoint))
    try:
        result = json.loads(r.body)
    except ValueError:
        raise RemoteError("SPARQL endpoint failed: the answer is not SPARQL JSON results",
                          file=safe_url(endpoint)) from None
    rows = result.get("results", {}).get("bindings", []) if isinstance(result, dict) else []
    return [{k: v.get("value", "") for k, v in row.items()} for row in rows if isinstance(row, dict)]


class EnrichCache:
    """The JSON cache under the store directory: ``{kind: {key: fact}}``."""

    def __init__(self, store_dir: Path) -> None:
        self.path = Path(store_dir) / CACHE_NAME
        self.data: dict[str, dict[str, Any]] = {"drug": {}, "target": {}}
        if self.path.exists():
            try:
                self.data.update(json.loads(self.path.read_text(encoding="utf-8")))
            except json.JSONDecodeError as exc:
                raise UsageError(f"enrich cache is not JSON: {exc}", file=str(self.path)) from exc

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        return self.data.get(kind, {}).get(key.lower())

    def put(self, fact: Fact) -> None:
        self.data.setdefault(fact.kind, {})[fact.key.lower()] = {
            "values": fact.values, "endpoint": fact.endpoint, "retrieved": fact.retrieved}

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.data, indent=2, sort_keys=True), encoding="utf-8")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def enrich_drug(name: str, endpoint: str, cache: EnrichCache, *, refresh: bool = False) -> dict[str, Any]:
    """Identifiers of a drug by English label (Wikidata vocabulary), cached."""
    hit = cache.get("drug", name)
    if hit and not refresh:
        return dict(hit, cached=True)
    labels = " ".join(_literal(v, "en") for v in sorted({name, name.lower(), name.capitalize()}))
    rows = _run(endpoint, WIKIDATA_DRUG % labels)
    values: dict[str, Any] = {}
    for row in rows:
        for k in ("item", "chembl", "drugbank", "unii", "pubchem"):
            if row.get(k) and k not in values:
                values[k] = row[k]
    if "drugbank" in values and not values["drugbank"].startswith("DB"):
        values["drugbank"] = "DB" + values["drugbank"]
    fact = Fact("drug", name, values, endpoint, _now())
    cache.put(fact)
    return dict(cache.get("drug", name) or {}, cached=False)


def enrich_target(symbol: str, endpoint: str, cache: EnrichCache, *, refresh: bool = False) -> dict[str, Any]:
    """UniProt accession and name of a human protein by gene symbol (UniProt vocabulary), cached."""
    hit = cache.get("target", symbol)
    if hit and not refresh:
        return dict(hit, cached=True)
    rows = _run(endpoint, UNIPROT_TARGET % _literal(symbol.upper()))
    values: dict[str, Any] = {}
    for row in rows:
        if row.get("protein") and "uniprot" not in values:
            values["uniprot"] = row["protein"].rsplit("/", 1)[-1]
            values["protein"] = row["protein"]
            if row.get("name"):
                values["name"] = row["name"]
    fact = Fact("target", symbol, values, endpoint, _now())
    cache.put(fact)
    return dict(cache.get("target", symbol) or {}, cached=False)


def missing_from_reference(names: list[str], kind: str) -> list[str]:
    """The names the curated tables do not know (only those are worth a remote query)."""
    from trialkg.knowledge.lexicon import Lexicon

    lex = Lexicon.default()
    if kind == "drug":
        return [n for n in names if lex.drug(n) is None]
    return [n for n in names if lex.target(n) is None]
