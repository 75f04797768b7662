"""namespace.py is generated from the ontology: regenerating it gives the same file."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from trialkg.namespace import TKG
from trialkg.tools.gen_namespace import generate

ROOT = Path(__file__).resolve().parents[1]


def test_namespace_is_generated_from_the_ontology() -> None:
    committed = (ROOT / "src" / "trialkg" / "namespace.py").read_text(encoding="utf-8")
    assert generate(ROOT / "ontology" / "trialkg.ttl") == committed, (
        "namespace.py is stale: python -m trialkg.tools.gen_namespace > src/trialkg/namespace.py"
    )


def test_unknown_terms_raise() -> None:
    assert str(TKG.Trial) == "https://w3id.org/trialkg/ontology#Trial"
    with pytest.raises(AttributeError):
        _ = TKG.hasTarget  # not a term: drug-target edges are tkg:targets


def test_every_term_has_a_label_and_a_definition() -> None:
    g = rdflib.Graph().parse(ROOT / "ontology" / "trialkg.ttl")
    terms = [s for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
             for s in g.subjects(RDF.type, kind) if str(s).startswith(str(TKG._NS))]
    assert len(terms) > 150
    missing = [t for t in terms if g.value(t, RDFS.label) is None or g.value(t, SKOS.definition) is None]
    assert missing == []


def test_ontology_maps_to_the_standards() -> None:
    g = rdflib.Graph().parse(ROOT / "ontology" / "trialkg.ttl")
    schema = rdflib.Namespace("http://schema.org/")
    biolink = rdflib.Namespace("https://w3id.org/biolink/vocab/")
    assert (TKG.Trial, RDFS.subClassOf, schema.MedicalTrial) in g
    assert (TKG.leadSponsor, RDFS.subPropertyOf, schema.sponsor) in g
    assert (TKG.Trial, SKOS.exactMatch, biolink.ClinicalTrial) in g
    assert (TKG.SmallMoleculeDrug, RDFS.subClassOf, biolink.SmallMolecule) in g
    assert (TKG.Protein, RDFS.subClassOf, biolink.Protein) in g
    # biolink:has_target is disease-to-gene: never used for drug-target edges.
    assert not list(g.triples((None, None, biolink.has_target)))
    for cls in ("AgeConstraint", "NumericConstraint", "PriorTherapyConstraint", "UnparsedConstraint"):
        assert (TKG[cls], RDFS.subClassOf, TKG.Constraint) in g
