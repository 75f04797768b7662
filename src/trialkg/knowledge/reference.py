"""The reference graph: drugs, classes, proteins, families and sourced drug-target edges.

Compiled from the curated tables in ``ontology/reference/`` and, for the drugs the
trials use, the compiled dictionary (``reference/compiled/``) into the vocabulary of
docs/model.md. Proteins are their UniProt IRIs and drugs link to ChEMBL, DrugBank,
NCIt, UNII, HGNC and NCBI Gene IRIs, so federated queries against the public endpoints
join. Every ``tkg:DrugTargetInteraction`` carries its ``dcterms:source`` IRIs; an edge
from the compiled dictionary cites its database release (``tkr:source/drugcentral-2021``,
a ``tkg:ReferenceSource`` with ``owl:versionInfo`` and licence).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, Triple

from trialkg import iris
from trialkg.knowledge.lexicon import DrugInfo, Lexicon, TargetInfo

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
BIOLINK = "https://w3id.org/biolink/vocab/"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
OWL = "http://www.w3.org/2002/07/owl#"

_KIND_CLASS = {
    "small-molecule": "SmallMoleculeDrug",
    "antibody": "Antibody",
    "adc": "Antibody",
    "protein": "ProteinDrug",
}


def source_iri(curie: str, lexicon: Lexicon | None = None) -> str:
    """The IRI for a source CURIE of drug_targets.tsv (pubmed:, doi:, label:, clinicaltrials:,
    chembl:) or the key of a compiled-dictionary source (``drugcentral-2021``: ``tkr:source/...``)."""
    lex = lexicon or Lexicon.default()
    if lex.compiled is not None and curie in lex.compiled.source_info:
        return f"{iris.TKR}source/{curie}"
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
    if prefix == "class":  # a target shared by the drug's class (Lexicon._with_class_targets)
        return iris.drug_class(local)
    if prefix == "label":
        # The label itself, as DailyMed lists it under the brand name.
        return "https://dailymed.nlm.nih.gov/dailymed/search.cfm?labeltype=all&query=" + quote(local)
    if curie.startswith(("http://", "https://")):
        return curie
    raise ValueError(f"unknown source prefix in {curie!r}")


class _Out:
    """Triples being collected (a set: a fact stated twice is one triple)."""

    def __init__(self) -> None:
        self.triples: set[Triple] = set()

    def add(self, s: str, p: str, o: str | Literal) -> None:
        obj = o if isinstance(o, Literal) else NamedNode(o)
        self.triples.add(Triple(NamedNode(s), NamedNode(p), obj))

    def lit(self, s: str, p: str, value: str | None) -> None:
        if value:
            self.add(s, p, Literal(value))
            if p in _NAMED_BY:
                self.add(s, NAME_KEY, Literal(value.lower()))


# The names a drug, class, protein or family is looked up by, each also written in lower
# case as a tkg:nameKey (docs/model.md "Lookup keys"): a stored query then finds
# "Apatinib Mesylate", "VEGFR-TKI", "kdr" or "Vegfr" by one exact match instead of a
# case-folding FILTER over every label, symbol or family key.
NAME_KEY = iris.TKG + "nameKey"
_NAMED_BY = frozenset({RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", iris.TKG + "classKey",
                       iris.TKG + "geneSymbol", iris.TKG + "familyKey"})


def target_iri(t: TargetInfo) -> str:
    """A protein is its UniProt IRI; a non-protein target (DNA, RNA ...) a tkr:target/ IRI."""
    if t.kind == "protein":
        return iris.protein(t.uniprot)
    return f"{iris.TKR}target/{iris.slug(t.symbol)}"


def reference_triples(lexicon: Lexicon | None = None, drugs: Iterable[str] = ()) -> list[Triple]:
    """Every triple of the reference graph (deterministic: same tables, same triples).

    The curated drugs are always there; ``drugs`` (generic names or drug IRIs, e.g. the
    drugs a store's trials use) adds those of the compiled dictionary, so the graph
    holds the drugs that are used rather than the tens of thousands that could be.
    """
    lex = lexicon or Lexicon.default()
    out = _Out()
    _families(out, lex)
    _classes(out, lex)
    emitted: set[str] = set()
    infos = [lex.drug(name) for name in sorted(lex.drugs)]
    for name in sorted(set(_drug_names(lex, drugs)) - set(lex.drugs)):
        infos.append(lex.drug(name))
    for info in infos:
        if info is not None and info.name not in emitted:
            emitted.add(info.name)
            _drug(out, lex, info)
    for prot in lex.proteins.values():
        _protein(out, lex, prot)
    _drug_pairs(out)
    return sorted(out.triples, key=str)


def drug_triples(drugs: Iterable[str], lexicon: Lexicon | None = None) -> list[Triple]:
    """The triples that ``reference_triples`` writes for ``drugs`` (generic names or drug
    IRIs) alone: each drug, its classes, its interactions and their proteins, without the
    rest of the graph (drug pairs need every drug, so they are left out)."""
    lex = lexicon or Lexicon.default()
    out = _Out()
    for name in sorted(set(_drug_names(lex, drugs))):
        info = lex.drug(name)
        if info is not None:
            _drug(out, lex, info)
    return sorted(out.triples, key=str)


def _drug_pairs(out: _Out) -> None:
    """A ``tkg:DrugPair`` for every two drugs of the graph that act on a common target:
    its two drugs in the order of their labels (``tkg:firstDrug``, ``tkg:secondDrug``,
    both ``tkg:pairDrug``) and each target they share (``tkg:sharedTarget``). What
    drugs-sharing-targets and drugs-overlapping-targets read: one row per pair and
    target instead of a join of every drug's targets with every other's, and no second
    row per pair with its drugs swapped (docs/model.md "Reference graph")."""
    targets, label = iris.TKG + "targets", RDFS + "label"
    by_target: dict[str, set[str]] = {}
    labels: dict[str, str] = {}
    for tr in out.triples:
        if tr.predicate.value == targets:
            by_target.setdefault(tr.object.value, set()).add(tr.subject.value)
        elif tr.predicate.value == label:
            labels[tr.subject.value] = tr.object.value
    pairs: dict[tuple[str, str], set[str]] = {}
    for target, drugs in by_target.items():
        ordered = sorted(drugs)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                pairs.setdefault((a, b), set()).add(target)
    for (a, b), shared in pairs.items():
        pair = iris.drug_pair(a, b)
        first, second = sorted((a, b), key=lambda d: (labels.get(d, ""), d))
        out.add(pair, RDF_TYPE, iris.TKG + "DrugPair")
        out.add(pair, iris.TKG + "firstDrug", first)
        out.add(pair, iris.TKG + "secondDrug", second)
        for target in shared:
            out.add(pair, iris.TKG + "sharedTarget", target)


def _drug_names(lex: Lexicon, drugs: Iterable[str]) -> Iterator[str]:
    prefix = iris.TKR + "drug/"
    for d in drugs:
        if d.startswith(prefix):
            slug_text = d[len(prefix):]
            info = lex.drug(slug_text.replace("-", " "))
            if info is not None and iris.drug(info.name) == d:
                yield info.name
                continue
            compiled = lex.compiled
            name = compiled.name_for_slug(slug_text) if compiled is not None else None
            if name is None:
                name = next((n for n in lex.drugs if iris.drug(n) == d), None)
            if name is not None:
                yield name
        elif lex.drug(d) is not None:
            yield lex.drug(d).name  # type: ignore[union-attr]


def _families(out: _Out, lex: Lexicon) -> None:
    tkg = iris.TKG
    for key, fam in sorted(lex.families.items()):
        f = iris.family(key)
        out.add(f, RDF_TYPE, tkg + "TargetFamily")
        out.lit(f, RDFS + "label", fam.label)
        out.lit(f, tkg + "familyKey", key)
        for alias in fam.aliases:
            out.lit(f, SKOS + "altLabel", alias)


def _protein(out: _Out, lex: Lexicon, prot: TargetInfo) -> None:
    """A target node: the curated protein facts where the curated tables have the protein."""
    tkg = iris.TKG
    p = target_iri(prot)
    if prot.kind != "protein":
        out.add(p, RDF_TYPE, tkg + "NonProteinTarget")
        out.lit(p, RDFS + "label", prot.symbol)
        out.lit(p, tkg + "chemblTargetId", prot.uniprot)
        return
    curated = lex.proteins.get(prot.symbol)
    if curated is not None and curated.uniprot == prot.uniprot:
        prot = curated
    out.add(p, RDF_TYPE, tkg + "Protein")
    out.add(p, RDF_TYPE, BIOLINK + "Protein")
    out.lit(p, RDFS + "label", prot.name or prot.symbol)
    out.lit(p, tkg + "geneSymbol", prot.symbol)
    out.lit(p, tkg + "uniprotId", prot.uniprot)
    if prot.hgnc_id:
        out.lit(p, tkg + "hgncId", f"HGNC:{prot.hgnc_id}")
        out.add(p, SKOS + "exactMatch", iris.identifiers("hgnc", prot.hgnc_id))
    if prot.ncbi_gene:
        out.lit(p, tkg + "ncbiGeneId", prot.ncbi_gene)
        out.add(p, SKOS + "exactMatch", iris.identifiers("ncbigene", prot.ncbi_gene))
    for alias in prot.aliases:
        out.lit(p, SKOS + "altLabel", alias)
    if prot.family:
        out.add(p, tkg + "inFamily", iris.family(prot.family))


def _classes(out: _Out, lex: Lexicon) -> None:
    tkg = iris.TKG
    for key, c in sorted(lex.classes.items()):
        k = iris.drug_class(key)
        out.add(k, RDF_TYPE, tkg + "DrugClass")
        out.add(k, RDF_TYPE, SKOS + "Concept")
        out.lit(k, RDFS + "label", c.label)
        out.lit(k, SKOS + "prefLabel", c.label)
        out.lit(k, tkg + "classKey", key)
        out.lit(k, SKOS + "definition", c.definition)
        for parent in c.parents:
            out.add(k, SKOS + "broader", iris.drug_class(parent))


_ID_PROPS = (  # (ids key, property, identifiers.org prefix or None)
    ("chembl", "chemblId", None), ("drugbank", "drugbankId", "drugbank"),
    ("ncit", "nciThesaurusId", "ncit"), ("unii", "unii", "unii"),
    ("pubchem", "pubchemCid", "pubchem.compound"), ("cas", "casNumber", "cas"),
)


def _drug(out: _Out, lex: Lexicon, d: DrugInfo) -> None:
    tkg = iris.TKG
    s = iris.drug(d.name)
    out.add(s, RDF_TYPE, tkg + "Drug")
    out.add(s, RDF_TYPE, BIOLINK + "Drug")
    sub = _KIND_CLASS.get(d.kind)
    if sub:
        out.add(s, RDF_TYPE, tkg + sub)
    if d.kind == "small-molecule":
        out.add(s, RDF_TYPE, BIOLINK + "SmallMolecule")
    out.lit(s, RDFS + "label", d.name)
    out.lit(s, SKOS + "prefLabel", d.name)
    curated = d.name in lex.drugs
    forms = [(t, "synonym") for t in d.synonyms] if curated else lex.names_of(d.name)
    for text, kind in forms:
        if text.lower() != d.name:
            out.lit(s, SKOS + "altLabel", text)
        if not curated and kind == "code":
            out.lit(s, tkg + "codeName", text)
        elif not curated and kind == "salt":
            out.lit(s, tkg + "saltForm", text)
    for code in d.code_names:
        out.lit(s, tkg + "codeName", code)
    for salt in d.salt_forms:
        out.lit(s, tkg + "saltForm", salt)
    for key, prop, prefix in _ID_PROPS:
        value = d.ids.get(key)
        if value:
            out.lit(s, tkg + prop, value)
            out.add(s, SKOS + "exactMatch", iris.chembl(value) if key == "chembl" else iris.identifiers(prefix, value))
    if not d.linked:
        out.add(s, tkg + "noIdentifier", Literal("true", datatype=NamedNode(XSD_BOOLEAN)))
    for c in d.classes:
        out.add(s, tkg + "inDrugClass", iris.drug_class(c))
    for t in d.targets:
        _interaction(out, lex, d, t)


def _interaction(out: _Out, lex: Lexicon, d: DrugInfo, t: TargetInfo) -> None:
    tkg = iris.TKG
    s, p = iris.drug(d.name), target_iri(t)
    out.add(s, tkg + "targets", p)
    compiled = [src for src in t.sources if lex.compiled is not None and src in lex.compiled.source_info]
    i = iris.interaction(d.name, t.uniprot)
    if compiled:  # one interaction per compiled source and basis: sources that disagree stay apart
        i += "/" + compiled[0] + ("" if t.basis == "mechanism" else "/" + t.basis)
        _source(out, lex, compiled[0])
    out.add(i, RDF_TYPE, tkg + "DrugTargetInteraction")
    out.add(i, tkg + "drug", s)
    out.add(i, tkg + "target", p)
    out.lit(i, tkg + "action", t.action)
    out.lit(i, tkg + "evidence", t.evidence)
    out.lit(i, tkg + "basis", t.basis)
    for src in t.sources:
        out.add(i, DCTERMS + "source", source_iri(src, lex))
    _protein(out, lex, t)


def _source(out: _Out, lex: Lexicon, key: str) -> None:
    info = lex.compiled.source_info[key]  # type: ignore[union-attr]
    s = source_iri(key, lex)
    out.add(s, RDF_TYPE, iris.TKG + "ReferenceSource")
    out.lit(s, RDFS + "label", info["name"])
    out.lit(s, OWL + "versionInfo", info["version"])
    out.lit(s, DCTERMS + "license", info["licence"])
    out.add(s, DCTERMS + "rights", info["licence_url"])
