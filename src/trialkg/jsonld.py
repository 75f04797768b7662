"""JSON-LD as users expect it: compacted with trialkg's ``@context``.

The context (``ontology/context.jsonld``, shipped in the wheel) gives every class and
property of the ontology a short term (``Trial``, ``hasArm``, ``phase``), says which
properties point at resources (``"@type": "@id"``) and which carry typed values, and
declares the prefixes (``tkg:``, ``tkr:``, ``uniprot:`` ...). ``build_context`` writes it
from ``ontology/trialkg.ttl``::

    python -m trialkg.tools.gen_context > ontology/context.jsonld

``compact_nodes`` turns triples into node objects under that context without a JSON-LD
processor (rdflib's compaction took 75 ms for one trial; this takes a few): a value
keeps its exact lexical form, so expanding the output gives back the same triples
(tests/test_serve_jsonld.py checks this with rdflib). A property the context does not
know yet (a newer ontology) is written as a compact IRI (``tkg:newProperty``), which
is still correct JSON-LD.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import pyoxigraph as ox

from trialkg.resources import ontology_file

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"

PREFIXES: dict[str, str] = {
    "tkg": "https://w3id.org/trialkg/ontology#",
    "tkr": "https://w3id.org/trialkg/resource/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "http://schema.org/",
    "biolink": "https://w3id.org/biolink/vocab/",
    "uniprot": "http://purl.uniprot.org/uniprot/",
    "chembl": "http://rdf.ebi.ac.uk/resource/chembl/molecule/",
    "ctgov": "https://clinicaltrials.gov/study/",
}

# Properties from other vocabularies that trial graphs use: term -> (IRI, points at resources)
EXTERNAL_TERMS: dict[str, tuple[str, bool]] = {
    "label": (RDFS + "label", False),
    "comment": (RDFS + "comment", False),
    "seeAlso": (RDFS + "seeAlso", True),
    "title": ("http://purl.org/dc/terms/title", False),
    "source": ("http://purl.org/dc/terms/source", True),
    "prefLabel": ("http://www.w3.org/2004/02/skos/core#prefLabel", False),
    "altLabel": ("http://www.w3.org/2004/02/skos/core#altLabel", False),
    "definition": ("http://www.w3.org/2004/02/skos/core#definition", False),
    "broader": ("http://www.w3.org/2004/02/skos/core#broader", True),
    "exactMatch": ("http://www.w3.org/2004/02/skos/core#exactMatch", True),
    "closeMatch": ("http://www.w3.org/2004/02/skos/core#closeMatch", True),
    "wasDerivedFrom": ("http://www.w3.org/ns/prov#wasDerivedFrom", True),
}


def build_context(ontology_ttl: bytes | None = None) -> dict[str, Any]:
    """The ``@context`` for the ontology: prefixes, then one term per class and property."""
    data = ontology_ttl if ontology_ttl is not None else ontology_file("trialkg.ttl").read_bytes()
    triples = list(ox.parse(data, ox.RdfFormat.TURTLE))
    kinds: dict[str, set[str]] = {}
    ranges: dict[str, str] = {}
    for t in triples:
        s, p, o = t.subject, t.predicate.value, t.object
        if not isinstance(s, ox.NamedNode) or not s.value.startswith(PREFIXES["tkg"]):
            continue
        if p == RDF_TYPE and isinstance(o, ox.NamedNode):
            kinds.setdefault(s.value, set()).add(o.value)
        elif p == RDFS + "range" and isinstance(o, ox.NamedNode):
            ranges[s.value] = o.value
    context: dict[str, Any] = dict(PREFIXES)
    for iri in sorted(kinds):
        name = iri[len(PREFIXES["tkg"]):]
        k = kinds[iri]
        if OWL + "Class" in k:
            context[name] = "tkg:" + name
        elif OWL + "ObjectProperty" in k:
            context[name] = {"@id": "tkg:" + name, "@type": "@id"}
        elif k & {OWL + "DatatypeProperty", OWL + "AnnotationProperty", "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property"}:
            rng = ranges.get(iri)
            if rng and rng.startswith(XSD) and rng != XSD_STRING:
                context[name] = {"@id": "tkg:" + name, "@type": "xsd:" + rng[len(XSD):]}
            else:
                context[name] = {"@id": "tkg:" + name}
    for term, (iri, is_ref) in EXTERNAL_TERMS.items():
        if term not in context:
            context[term] = {"@id": _compact_iri(iri, PREFIXES)} | ({"@type": "@id"} if is_ref else {})
    return context


@lru_cache(maxsize=1)
def shipped_context() -> dict[str, Any]:
    """The ``@context`` shipped as ``ontology/context.jsonld``."""
    return json.loads(ontology_file("context.jsonld").read_text(encoding="utf-8"))["@context"]


def _compact_iri(iri: str, prefixes: Mapping[str, str]) -> str:
    best = ""
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and len(ns) > len(best) and len(iri) > len(ns):
            best = ns
            name = prefix
    return f"{name}:{iri[len(best):]}" if best else iri


class Compactor:
    """Writes node objects for a context built by ``build_context``."""

    def __init__(self, context: Mapping[str, Any]) -> None:
        self.prefixes = {k: v for k, v in context.items() if isinstance(v, str) and v.endswith(("/", "#"))}
        self._longest_first = sorted(self.prefixes.items(), key=lambda kv: -len(kv[1]))
        self._iris: dict[str, str] = {}
        self.terms: dict[str, tuple[str, str | None]] = {}  # IRI -> (term, coerced type)
        self.classes: dict[str, str] = {}
        for term, value in context.items():
            if term in self.prefixes:
                continue
            if isinstance(value, str):
                self.classes[self.expand(value)] = term
            else:
                self.terms[self.expand(value["@id"])] = (term, value.get("@type"))

    def expand(self, value: str) -> str:
        prefix, sep, rest = value.partition(":")
        return self.prefixes[prefix] + rest if sep and prefix in self.prefixes else value

    def iri(self, iri: str) -> str:
        out = self._iris.get(iri)
        if out is None:
            out = self._iris[iri] = next(
                (f"{name}:{iri[len(ns):]}" for name, ns in self._longest_first if iri.startswith(ns) and len(iri) > len(ns)),
                iri)
        return out

    def node_id(self, term: Any) -> str:
        return "_:" + term.value if isinstance(term, ox.BlankNode) else self.iri(term.value)

    def value(self, obj: Any, coerced: str | None) -> Any:
        if isinstance(obj, (ox.NamedNode, ox.BlankNode)):
            ref = self.node_id(obj)
            return ref if coerced == "@id" else {"@id": ref}
        if obj.language:
            return {"@value": obj.value, "@language": obj.language}
        dt = obj.datatype.value
        if coerced and coerced != "@id" and self.expand(coerced) == dt:
            return obj.value
        if dt == XSD_STRING:
            return obj.value if coerced is None else {"@value": obj.value}
        return {"@value": obj.value, "@type": self.iri(dt)}

    def nodes(self, triples: Iterable[Any]) -> list[dict[str, Any]]:
        """Node objects, one per subject, in subject order; properties sorted by term."""
        by_subject: dict[str, dict[str, Any]] = {}
        for t in triples:
            sid = self.node_id(t.subject)
            node = by_subject.setdefault(sid, {"@id": sid})
            if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
                node.setdefault("@type", []).append(self.classes.get(t.object.value) or self.iri(t.object.value))
                continue
            term, coerced = self.terms.get(t.predicate.value, (self.iri(t.predicate.value), None))
            node.setdefault(term, []).append(self.value(t.object, coerced))
        out = []
        for sid in sorted(by_subject):
            node = by_subject[sid]
            out.append({k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in
                        sorted(node.items(), key=lambda kv: (kv[0] != "@id", kv[0] != "@type", kv[0]))})
        return out


def document(graphs: Mapping[str | None, Iterable[Any]], *, context_url: str | None = None) -> dict[str, Any]:
    """A JSON-LD document: one ``@graph`` per named graph (``None`` is the default graph)."""
    context = shipped_context()
    c = Compactor(context)
    items: list[dict[str, Any]] = []
    for name, triples in graphs.items():
        nodes = c.nodes(triples)
        if name is None:
            items.extend(nodes)
        else:
            items.append({"@id": c.iri(name), "@graph": nodes})
    return {"@context": context_url or context, "@graph": items}
