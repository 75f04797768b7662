"""The prefixes trialkg writes and reads, in one table.

Used for the prefix lines of exported Turtle and TriG, the ``PREFIX`` prologue of the
SPARQL the code runs, and the compact names (``tkg:Trial``) in reports. CURIE
prefixes of external identifiers follow Bioregistry (docs/model.md).
"""

from __future__ import annotations

from trialkg import iris

PREFIXES: dict[str, str] = {
    "tkg": iris.TKG,
    "tkr": iris.TKR,
    "tks": "https://w3id.org/trialkg/shapes#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "http://schema.org/",
    "biolink": "https://w3id.org/biolink/vocab/",
    "uniprot": iris.UNIPROT,
    "chembl": iris.CHEMBL,
    "ctgov": iris.CTGOV,
}

# The SPARQL prologue declaring every prefix above.
SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def compact(iri: str) -> str:
    """``tkg:Trial`` for a known namespace, else ``<iri>`` (text without a scheme as is)."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>" if "://" in iri else iri
