"""What each trial's triples are for: quads per trial by node kind and predicate, and
who reads each predicate (stored queries, SHACL shapes, the code's views and matcher).

    python benchmarks/quad_usage.py STORE [--top 60]

A predicate nobody reads and whose value another triple restates is a candidate to drop
(docs/model.md "What the triples are for"). "readers" counts the files under queries/,
ontology/shapes.ttl and src/trialkg/ that name the predicate's local name after a
``tkg:``/``rdfs:``/... prefix or in a namespace attribute (``TKG.name``).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
READERS = {
    "queries": sorted((ROOT / "queries").glob("*.rq")),
    "shapes": [ROOT / "ontology" / "shapes.ttl"],
    "code": [p for p in sorted((ROOT / "src" / "trialkg").rglob("*.py"))
             if p.name not in ("mapping.py", "namespace.py")],
}


def node_kind(subject: str) -> str:
    """trial, site, arm, criterion, constraint ... from the IRI layout (docs/model.md)."""
    if "/constraint/" in subject:
        return "constraint"
    rest = subject.split("/trial/", 1)[1].split("/") if "/trial/" in subject else []
    return rest[1] if len(rest) > 1 else "trial"


def readers(local: str) -> dict[str, int]:
    pattern = re.compile(rf"(?:\b(?:tkg|rdfs|rdf|dcterms|skos|prov|schema):|TKG\.){re.escape(local)}\b")
    if local == "type":
        pattern = re.compile(r"\ba\s+[?<a-z]|rdf:type|RDF_TYPE|sh:targetClass")
    return {kind: sum(1 for p in paths if pattern.search(p.read_text(encoding="utf-8", errors="replace")))
            for kind, paths in READERS.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("--top", type=int, default=60)
    args = ap.parse_args()
    store = ox.Store.read_only(str(args.store))
    counts: Counter = Counter()
    kinds: Counter = Counter()
    trials = set()
    for quad in store.quads_for_pattern(None, None, None, None):
        graph = quad.graph_name
        if not isinstance(graph, ox.NamedNode) or "/graph/" not in graph.value or graph.value.endswith(
                ("/reference", "/ontology", "/entities")):
            continue
        trials.add(graph.value)
        kind = node_kind(quad.subject.value)
        kinds[kind] += 1
        counts[(kind, quad.predicate.value)] += 1
    n = max(1, len(trials))
    total = sum(kinds.values())
    print(f"{len(trials):,} trial graphs, {total / n:,.1f} quads per trial")
    print("by node kind: " + ", ".join(f"{k} {v / n:,.1f}" for k, v in kinds.most_common()))
    print(f"{'per trial':>9}  {'share':>5}  {'node':<12} {'predicate':<40} queries shapes code")
    for (kind, pred), c in counts.most_common(args.top):
        local = re.split(r"[#/]", pred)[-1]
        r = readers(local)
        print(f"{c / n:9.1f}  {100 * c / total:4.1f}%  {kind:<12} {local:<40} {r['queries']:>7} {r['shapes']:>6} {r['code']:>4}")


if __name__ == "__main__":
    main()
