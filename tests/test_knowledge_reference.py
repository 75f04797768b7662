"""The curated reference data: families reached, sources on every edge, the RDF graph."""

from __future__ import annotations

import pyoxigraph
import rdflib
from rdflib.compare import isomorphic

from trialkg import iris
from trialkg.knowledge.lexicon import Lexicon
from trialkg.knowledge.reference import reference_triples

ISSUE_DRUGS = (
    "apatinib anlotinib surufatinib pazopanib regorafenib sunitinib sorafenib lenvatinib "
    "cabozantinib axitinib imatinib crizotinib bevacizumab pirarubicin doxorubicin epirubicin "
    "ifosfamide toripalimab camrelizumab nivolumab pembrolizumab"
).split()


def families(drug: str) -> set[str]:
    return {t.family for t in Lexicon.default().drug(drug).targets}


def symbols(drug: str) -> set[str]:
    return {t.symbol for t in Lexicon.default().drug(drug).targets}


def test_issue_drugs_are_all_there() -> None:
    lex = Lexicon.default()
    for name in ISSUE_DRUGS + ["recombinant human endostatin"]:
        info = lex.drug(name)
        assert info is not None and info.name == name and info.classes


def test_anlotinib_surufatinib_apatinib_reach_their_families() -> None:
    assert families("anlotinib") >= {"VEGFR", "FGFR", "PDGFR", "KIT"}
    assert symbols("anlotinib") >= {"FLT1", "KDR", "FLT4", "FGFR1", "FGFR2", "FGFR3", "FGFR4",
                                     "PDGFRA", "PDGFRB", "KIT", "RET"}
    assert symbols("surufatinib") == {"FLT1", "KDR", "FLT4", "FGFR1", "CSF1R"}
    assert families("surufatinib") == {"VEGFR", "FGFR", "CSF1R"}
    assert symbols("apatinib") == {"KDR", "RET", "KIT", "SRC"}
    assert "PDGFR" not in families("apatinib") and "FGFR" not in families("apatinib")


def test_every_edge_has_action_and_source() -> None:
    lex = Lexicon.default()
    assert lex.interactions
    for drug, t in lex.interactions:
        assert t.action and t.sources, (drug, t.symbol)
        assert all(s.split(":")[0] in {"pubmed", "doi", "label", "clinicaltrials", "chembl"} for s in t.sources)


def test_identifiers_are_well_formed() -> None:
    lex = Lexicon.default()
    for d in lex.drugs.values():
        if "chembl" in d.ids:
            assert d.ids["chembl"].startswith("CHEMBL") and d.ids["chembl"][6:].isdigit()
        if "drugbank" in d.ids:
            assert d.ids["drugbank"].startswith("DB") and len(d.ids["drugbank"]) == 7
    for p in lex.proteins.values():
        assert len(p.uniprot) == 6 and p.ncbi_gene.isdigit() and p.hgnc_id.isdigit()
    assert lex.target("KDR").uniprot == "P35968" and lex.target("VEGFR2").symbol == "KDR"
    assert set(lex.family("VEGFR").members) == {"FLT1", "KDR", "FLT4"}


def test_class_hierarchy() -> None:
    lex = Lexicon.default()
    assert lex.class_ancestors("vegfr-tki") >= {"vegfr-tki", "anti-angiogenic", "tyrosine-kinase-inhibitor"}
    assert "anthracycline" in lex.drug_classes("pirarubicin")
    assert {"anlotinib", "apatinib", "bevacizumab"} <= lex.drugs_in_class("anti-angiogenic")
    assert lex.drugs_in_class("anti-pd-1-antibody") >= {"toripalimab", "camrelizumab", "nivolumab", "pembrolizumab"}


def _graph() -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(data="\n".join(str(t) + " ." for t in reference_triples()), format="nt")
    return g


def test_reference_graph_is_deterministic_and_queryable() -> None:
    assert isomorphic(_graph(), _graph())
    store = pyoxigraph.Store()
    for t in reference_triples():
        store.add(pyoxigraph.Quad(t.subject, t.predicate, t.object, pyoxigraph.NamedNode(iris.REFERENCE_GRAPH)))
    rows = store.query(
        """PREFIX tkg: <https://w3id.org/trialkg/ontology#>
        SELECT DISTINCT ?sym WHERE { GRAPH ?g {
          ?i a tkg:DrugTargetInteraction ; tkg:drug ?d ; tkg:target ?p .
          ?p tkg:inFamily/tkg:familyKey "FGFR" ; tkg:geneSymbol ?sym .
          ?d tkg:chemblId "CHEMBL4303201" } }""")
    assert {r["sym"].value for r in rows} == {"FGFR1", "FGFR2", "FGFR3", "FGFR4"}
    sources = store.query(
        """PREFIX tkg: <https://w3id.org/trialkg/ontology#>
        ASK { GRAPH ?g { ?i a tkg:DrugTargetInteraction . FILTER NOT EXISTS {
          ?i <http://purl.org/dc/terms/source> ?s } } }""")
    assert not bool(sources)
    assert (rdflib.URIRef(iris.drug_class("vegfr-tki")),
            rdflib.URIRef("http://www.w3.org/2004/02/skos/core#broader"),
            rdflib.URIRef(iris.drug_class("anti-angiogenic"))) in _graph()
