"""The reference graph: drugs, classes, proteins, families and sourced drug-target edges.

Compiled from the curated tables in ``ontology/reference/`` into the vocabulary of
docs/model.md. Proteins are their UniProt IRIs and drugs link to ChEMBL, DrugBank,
NCIt, HGNC and NCBI Gene IRIs, so federated queries against the public endpoints join.
Every ``tkg:DrugTargetInteraction`` carries its ``dcterms:source`` IRIs.
"""

from __future__ import annotations

from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, Triple

from trialkg import iris
from trialkg.knowledge.lexicon import Lexicon

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
BIOLINK = "https://w3id.org/biolink/vocab/"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

_KIND_CLASS = {
    "small-molecule": "SmallMoleculeDrug",
    "antibody": "Antibody",
    "adc": "Antibody",
    "protein": "ProteinDrug",
}


def source_iri(curie: str) -> str:
    """The IRI for a source CURIE of drug_targets.tsv (pubmed:, doi:, label:, clinicaltrials:, chembl:)."""
    prefix, _, local = curie.partition(":")
    prefix = prefix.lower()
    if prefix == "pubmed":
        return iris.identifiers("pubmed", local)
    if prefix == "doi":
        return "https://doi.org/" + local
    if prefix == "clinicaltrials":
        return iris.registry_page(local)
    if prefix == "chembl":
        return iris.chembl(local)
    if prefix == "label":
        # The label itself, as DailyMed lists it under the brand name.
        return "https://dailymed.nlm.nih.gov/dailymed/search.cfm?labeltype=all&query=" + quote(local)
    if curie.startswith(("http://", "https://")):
        return curie
    raise ValueError(f"unknown source prefix in {curie!r}")


def reference_triples(lexicon: Lexicon | None = None) -> list[Triple]:
    """Every triple of the reference graph (deterministic: same tables, same triples)."""
    lex = lexicon or Lexicon.default()
    tkg = iris.TKG
    out: list[Triple] = []

    def add(s: str, p: str, o: str | Literal) -> None:
        obj = o if isinstance(o, Literal) else NamedNode(o)
        out.append(Triple(NamedNode(s), NamedNode(p), obj))

    def lit(s: str, p: str, value: str | None) -> None:
        if value:
            add(s, p, Literal(value))

    for key, fam in sorted(lex.families.items()):
        f = iris.family(key)
        add(f, RDF_TYPE, tkg + "TargetFamily")
        lit(f, RDFS + "label", fam.label)
        lit(f, tkg + "familyKey", key)
        for alias in fam.aliases:
            lit(f, SKOS + "altLabel", alias)

    for sym, prot in sorted(lex.proteins.items()):
        p = iris.protein(prot.uniprot)
        add(p, RDF_TYPE, tkg + "Protein")
        add(p, RDF_TYPE, BIOLINK + "Protein")
        lit(p, RDFS + "label", prot.name or sym)
        lit(p, tkg + "geneSymbol", sym)
        lit(p, tkg + "uniprotId", prot.uniprot)
        if prot.hgnc_id:
            lit(p, tkg + "hgncId", f"HGNC:{prot.hgnc_id}")
            add(p, SKOS + "exactMatch", iris.identifiers("hgnc", prot.hgnc_id))
        if prot.ncbi_gene:
            lit(p, tkg + "ncbiGeneId", prot.ncbi_gene)
            add(p, SKOS + "exactMatch", iris.identifiers("ncbigene", prot.ncbi_gene))
        for alias in prot.aliases:
            lit(p, SKOS + "altLabel", alias)
        if prot.family:
            add(p, tkg + "inFamily", iris.family(prot.family))

    for key, c in sorted(lex.classes.items()):
        k = iris.drug_class(key)
        add(k, RDF_TYPE, tkg + "DrugClass")
        add(k, RDF_TYPE, SKOS + "Concept")
        lit(k, RDFS + "label", c.label)
        lit(k, SKOS + "prefLabel", c.label)
        lit(k, tkg + "classKey", key)
        lit(k, SKOS + "definition", c.definition)
        for parent in c.parents:
            add(k, SKOS + "broader", iris.drug_class(parent))

    for name, d in sorted(lex.drugs.items()):
        s = iris.drug(name)
        add(s, RDF_TYPE, tkg + "Drug")
        add(s, RDF_TYPE, BIOLINK + "Drug")
        sub = _KIND_CLASS.get(d.kind)
        if sub:
            add(s, RDF_TYPE, tkg + sub)
        if d.kind == "small-molecule":
            add(s, RDF_TYPE, BIOLINK + "SmallMolecule")
        lit(s, RDFS + "label", name)
        lit(s, SKOS + "prefLabel", name)
        for syn in d.synonyms:
            lit(s, SKOS + "altLabel", syn)
        for code in d.code_names:
            lit(s, tkg + "codeName", code)
        for salt in d.salt_forms:
            lit(s, tkg + "saltForm", salt)
        ids = d.ids
        if ids.get("chembl"):
            lit(s, tkg + "chemblId", ids["chembl"])
            add(s, SKOS + "exactMatch", iris.chembl(ids["chembl"]))
        if ids.get("drugbank"):
            lit(s, tkg + "drugbankId", ids["drugbank"])
            add(s, SKOS + "exactMatch", iris.identifiers("drugbank", ids["drugbank"]))
        if ids.get("ncit"):
            lit(s, tkg + "nciThesaurusId", ids["ncit"])
            add(s, SKOS + "exactMatch", iris.identifiers("ncit", ids["ncit"]))
        if ids.get("unii"):
            lit(s, tkg + "unii", ids["unii"])
            add(s, SKOS + "exactMatch", iris.identifiers("unii", ids["unii"]))
        if ids.get("pubchem"):
            lit(s, tkg + "pubchemCid", ids["pubchem"])
            add(s, SKOS + "exactMatch", iris.identifiers("pubchem.compound", ids["pubchem"]))
        for c in d.classes:
            add(s, tkg + "inDrugClass", iris.drug_class(c))
        for t in d.targets:
            p = iris.protein(t.uniprot)
            add(s, tkg + "targets", p)
            i = iris.interaction(name, t.uniprot)
            add(i, RDF_TYPE, tkg + "DrugTargetInteraction")
            add(i, tkg + "drug", s)
            add(i, tkg + "target", p)
            lit(i, tkg + "action", t.action)
            lit(i, tkg + "evidence", t.evidence)
            for src in t.sources:
                add(i, DCTERMS + "source", source_iri(src))
    # A set first: a drug listed twice against one protein must not duplicate triples.
    return sorted(set(out), key=str)
