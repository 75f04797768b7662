"""Each SHACL shape, violated by a minimal graph: `trialkg validate` exits 1 (0 for a
warning) and its report names the focus node and the path."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from trialkg import iris
from trialkg.cli import cli
from trialkg.pipeline import ontology_triples
from trialkg.store import TrialStore

PREFIXES = """
@prefix tkg: <https://w3id.org/trialkg/ontology#> .
@prefix tkr: <https://w3id.org/trialkg/resource/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <http://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""
T = "tkr:trial/NCT00000001"

# A small trial graph that conforms: every class of the trial graphs, once.
VALID_TRIAL = PREFIXES + f"""
{T} a tkg:Trial ; tkg:trialId "NCT00000001" ; tkg:nctId "NCT00000001" ; tkg:derivedId false ;
    rdfs:label "A trial" ; dcterms:title "A trial" ; tkg:overallStatus "RECRUITING" ; tkg:phase "PHASE2" ;
    tkg:studyType "INTERVENTIONAL" ; tkg:enrollment 40 ; tkg:startDate "2020-01"^^xsd:gYearMonth ;
    tkg:sex "ALL" ; tkg:minimumAgeYears 18.0 ;
    tkg:leadSponsor tkr:org/acme ; tkg:hasArm {T}/arm/1 ; tkg:hasIntervention {T}/intervention/1 ;
    tkg:hasSite {T}/site/1 ; tkg:hasCondition tkr:condition/sarcoma ; tkg:hasOutcome {T}/outcome/1 ;
    tkg:hasOfficial {T}/official/1 ; tkg:hasBiomarker {T}/biomarker/1 ; tkg:hasCriterion {T}/criterion/inc-1 ;
    tkg:hasDrug tkr:drug/anlotinib ; prov:wasDerivedFrom {T}/source .
{T}/source a tkg:SourceRecord ; tkg:sourceFile "x.json" ; tkg:sourceFormat "ctgov-json" ;
    tkg:sha256 "{'a' * 64}" ; tkg:toolVersion "0.1.0" .
tkr:org/acme a tkg:Organization ; rdfs:label "Acme" ; tkg:agencyClass "INDUSTRY" .
{T}/arm/1 a tkg:Arm ; rdfs:label "Arm A" ; tkg:armType "EXPERIMENTAL" ; tkg:position 1 ;
    tkg:usesIntervention {T}/intervention/1 ; tkg:definedByBiomarker {T}/biomarker/1 .
{T}/intervention/1 a tkg:Intervention ; rdfs:label "Anlotinib" ; tkg:interventionType "DRUG" ;
    tkg:position 1 ; tkg:hasDrug tkr:drug/anlotinib .
{T}/site/1 a tkg:Site ; tkg:facility "Hospital" ; tkg:country "China" ; tkg:recruitmentStatus "RECRUITING" ;
    schema:latitude 31.2 ; schema:longitude 121.5 .
tkr:condition/sarcoma a tkg:Condition ; rdfs:label "Sarcoma" .
{T}/outcome/1 a tkg:Outcome ; rdfs:label "PFS" ; tkg:outcomeKind "primary" .
{T}/official/1 a tkg:Official ; rdfs:label "Dr X" ; tkg:role "PRINCIPAL_INVESTIGATOR" ; tkg:affiliation tkr:org/acme .
{T}/biomarker/1 a tkg:Biomarker ; rdfs:label "KDR variant" ; tkg:primaryKind "variant" ; tkg:biomarkerKind "variant" .
{T}/criterion/inc-1 a tkg:Criterion ; tkg:section "inclusion" ; tkg:text "ECOG 0-1" ;
    tkg:position 1 ; tkg:criterionRole tkg:Requirement ;
    tkg:hasConstraint {T}/criterion/inc-1/constraint/1 .
{T}/criterion/inc-1/constraint/1 a tkg:PerformanceStatusConstraint ; tkg:variable "ecog" ; tkg:allowedValue 0, 1 .
"""

# The reference graph: a drug, its class, a protein, its family, an interaction.
VALID_REFERENCE = PREFIXES + """
tkr:drug/anlotinib a tkg:Drug, tkg:SmallMoleculeDrug ; rdfs:label "anlotinib" ; tkg:chemblId "CHEMBL3545414" ;
    tkg:inDrugClass tkr:drugclass/vegfr-tki ; tkg:targets <http://purl.uniprot.org/uniprot/P35968> .
tkr:drugclass/vegfr-tki a tkg:DrugClass ; rdfs:label "VEGFR TKI" ; tkg:classKey "vegfr-tki" .
<http://purl.uniprot.org/uniprot/P35968> a tkg:Protein ; tkg:geneSymbol "KDR" ; tkg:uniprotId "P35968" ;
    tkg:inFamily tkr:family/VEGFR .
tkr:family/VEGFR a tkg:TargetFamily ; rdfs:label "VEGFR" ; tkg:familyKey "VEGFR" .
tkr:interaction/anlotinib/P35968 a tkg:DrugTargetInteraction ; tkg:drug tkr:drug/anlotinib ;
    tkg:target <http://purl.uniprot.org/uniprot/P35968> ; tkg:action "inhibitor" ;
    dcterms:source <https://identifiers.org/pubmed:29587541> .
"""

R = "https://w3id.org/trialkg/resource/"
TI = R + "trial/NCT00000001"

# (case, graph: trial|reference, triples to remove as (subject, predicate) IRIs, turtle to add,
#  expected severity, focus node IRI, path as the report prints it)
CASES = [
    ("trial-nct-pattern", "trial", [(TI, iris.TKG + "nctId")], f'<{TI}> tkg:nctId "NCT123" .',
     "Violation", TI, "tkg:nctId"),
    ("trial-trialid-missing", "trial", [(TI, iris.TKG + "trialId")], "", "Violation", TI, "tkg:trialId"),
    ("trial-label-missing", "trial", [(TI, "http://www.w3.org/2000/01/rdf-schema#label")], "",
     "Violation", TI, "rdfs:label"),
    ("trial-status-enum", "trial", [(TI, iris.TKG + "overallStatus")], f'<{TI}> tkg:overallStatus "Recruiting" .',
     "Violation", TI, "tkg:overallStatus"),
    ("trial-phase-enum", "trial", [], f'<{TI}> tkg:phase "Phase 2" .', "Violation", TI, "tkg:phase"),
    ("trial-study-type-enum", "trial", [(TI, iris.TKG + "studyType")], f'<{TI}> tkg:studyType "trial" .',
     "Violation", TI, "tkg:studyType"),
    ("trial-enrollment-datatype", "trial", [(TI, iris.TKG + "enrollment")], f'<{TI}> tkg:enrollment "forty" .',
     "Violation", TI, "tkg:enrollment"),
    ("trial-date-datatype", "trial", [(TI, iris.TKG + "startDate")], f'<{TI}> tkg:startDate "January 2020" .',
     "Violation", TI, "tkg:startDate"),
    ("trial-sex-enum", "trial", [(TI, iris.TKG + "sex")], f'<{TI}> tkg:sex "Both" .', "Violation", TI, "tkg:sex"),
    ("trial-two-lead-sponsors", "trial", [], f'<{TI}> tkg:leadSponsor tkr:org/other . tkr:org/other a tkg:Organization ; rdfs:label "O" .',
     "Violation", TI, "tkg:leadSponsor"),
    ("trial-no-provenance", "trial", [(TI, "http://www.w3.org/ns/prov#wasDerivedFrom")], "",
     "Violation", TI, "prov:wasDerivedFrom"),
    ("trial-no-nct-not-derived", "trial", [(TI, iris.TKG + "nctId")], "", "Violation", TI, None),
    ("trial-derived-id-warns", "trial", [(TI, iris.TKG + "nctId"), (TI, iris.TKG + "derivedId")],
     f"<{TI}> tkg:derivedId true .", "Warning", TI, "tkg:derivedId"),
    ("trial-title-missing-warns", "trial", [(TI, "http://purl.org/dc/terms/title")], "", "Warning", TI, "dcterms:title"),
    ("source-format-enum", "trial", [(TI + "/source", iris.TKG + "sourceFormat")],
     f'<{TI}/source> tkg:sourceFormat "csv" .', "Violation", TI + "/source", "tkg:sourceFormat"),
    ("source-sha256-pattern", "trial", [(TI + "/source", iris.TKG + "sha256")],
     f'<{TI}/source> tkg:sha256 "abc" .', "Violation", TI + "/source", "tkg:sha256"),
    ("arm-type-enum", "trial", [(TI + "/arm/1", iris.TKG + "armType")], f'<{TI}/arm/1> tkg:armType "Experimental" .',
     "Violation", TI + "/arm/1", "tkg:armType"),
    ("arm-label-missing", "trial", [(TI + "/arm/1", "http://www.w3.org/2000/01/rdf-schema#label")], "",
     "Violation", TI + "/arm/1", "rdfs:label"),
    ("arm-without-trial", "trial", [(TI, iris.TKG + "hasArm")], "", "Violation", TI + "/arm/1", "^tkg:hasArm"),
    ("intervention-type-enum", "trial", [(TI + "/intervention/1", iris.TKG + "interventionType")],
     f'<{TI}/intervention/1> tkg:interventionType "Drug" .', "Violation", TI + "/intervention/1", "tkg:interventionType"),
    ("intervention-not-in-arm-warns", "trial", [(TI + "/arm/1", iris.TKG + "usesIntervention")], "",
     "Warning", TI + "/intervention/1", "tkg:usesIntervention"),
    ("intervention-inferred-needs-field", "trial", [], f"<{TI}/intervention/1> tkg:inferred true .",
     "Violation", TI + "/intervention/1", "tkg:inferredFrom"),
    ("organization-agency-class-enum", "trial", [(R + "org/acme", iris.TKG + "agencyClass")],
     '<https://w3id.org/trialkg/resource/org/acme> tkg:agencyClass "Industry" .', "Violation", R + "org/acme", "tkg:agencyClass"),
    ("official-role-enum", "trial", [(TI + "/official/1", iris.TKG + "role")], f'<{TI}/official/1> tkg:role "chair" .',
     "Violation", TI + "/official/1", "tkg:role"),
    ("site-status-enum", "trial", [(TI + "/site/1", iris.TKG + "recruitmentStatus")],
     f'<{TI}/site/1> tkg:recruitmentStatus "open" .', "Violation", TI + "/site/1", "tkg:recruitmentStatus"),
    ("site-latitude-range", "trial", [(TI + "/site/1", "http://schema.org/latitude")],
     f"<{TI}/site/1> schema:latitude 131.2 .", "Violation", TI + "/site/1", "schema:latitude"),
    ("condition-label-missing", "trial", [(R + "condition/sarcoma", "http://www.w3.org/2000/01/rdf-schema#label")], "",
     "Violation", R + "condition/sarcoma", "rdfs:label"),
    ("outcome-kind-enum", "trial", [(TI + "/outcome/1", iris.TKG + "outcomeKind")],
     f'<{TI}/outcome/1> tkg:outcomeKind "main" .', "Violation", TI + "/outcome/1", "tkg:outcomeKind"),
    ("biomarker-kind-enum", "trial", [], f'<{TI}/biomarker/1> tkg:biomarkerKind "snp" .',
     "Violation", TI + "/biomarker/1", "tkg:biomarkerKind"),
    ("criterion-section-enum", "trial", [(TI + "/criterion/inc-1", iris.TKG + "section")],
     f'<{TI}/criterion/inc-1> tkg:section "include" .', "Violation", TI + "/criterion/inc-1", "tkg:section"),
    ("criterion-text-missing", "trial", [(TI + "/criterion/inc-1", iris.TKG + "text")], "",
     "Violation", TI + "/criterion/inc-1", "tkg:text"),
    # A constraint has one class (its type): a second one is a violation.
    ("constraint-one-type", "trial", [], f'<{TI}/criterion/inc-1/constraint/1> a tkg:AgeConstraint .',
     "Violation", TI + "/criterion/inc-1/constraint/1", "rdf:type"),
    ("constraint-role-enum", "trial", [], f'<{TI}/criterion/inc-1/constraint/1> tkg:constraintRole "main" .',
     "Violation", TI + "/criterion/inc-1/constraint/1", "tkg:constraintRole"),
    ("constraint-window-datatype", "trial", [], f'<{TI}/criterion/inc-1/constraint/1> tkg:window "3 months" .',
     "Violation", TI + "/criterion/inc-1/constraint/1", "tkg:window"),
    ("performance-status-needs-scores", "trial", [(TI + "/criterion/inc-1/constraint/1", iris.TKG + "allowedValue")], "",
     "Violation", TI + "/criterion/inc-1/constraint/1", "tkg:allowedValue"),
    ("numeric-needs-value", "trial", [],
     f'<{TI}/criterion/inc-1> tkg:hasConstraint <{TI}/criterion/inc-1/constraint/2> . '
     f'<{TI}/criterion/inc-1/constraint/2> a tkg:NumericConstraint ; '
     'tkg:variable "neutrophils" ; tkg:comparator ">=" .',
     "Violation", TI + "/criterion/inc-1/constraint/2", "tkg:value"),
    ("between-needs-value2", "trial", [],
     f'<{TI}/criterion/inc-1> tkg:hasConstraint <{TI}/criterion/inc-1/constraint/2> . '
     f'<{TI}/criterion/inc-1/constraint/2> a tkg:AgeConstraint ; '
     'tkg:comparator "between" ; tkg:value 18.0 .',
     "Violation", TI + "/criterion/inc-1/constraint/2", "tkg:value2"),
    ("drug-chembl-pattern", "reference", [(R + "drug/anlotinib", iris.TKG + "chemblId")],
     '<https://w3id.org/trialkg/resource/drug/anlotinib> tkg:chemblId "3545414" .',
     "Violation", R + "drug/anlotinib", "tkg:chemblId"),
    ("drugclass-key-missing", "reference", [(R + "drugclass/vegfr-tki", iris.TKG + "classKey")], "",
     "Violation", R + "drugclass/vegfr-tki", "tkg:classKey"),
    ("protein-symbol-missing", "reference", [(iris.UNIPROT + "P35968", iris.TKG + "geneSymbol")], "",
     "Violation", iris.UNIPROT + "P35968", "tkg:geneSymbol"),
    ("family-key-missing", "reference", [(R + "family/VEGFR", iris.TKG + "familyKey")], "",
     "Violation", R + "family/VEGFR", "tkg:familyKey"),
    ("interaction-needs-source", "reference", [(R + "interaction/anlotinib/P35968", "http://purl.org/dc/terms/source")], "",
     "Violation", R + "interaction/anlotinib/P35968", "dcterms:source"),
]


def _triples(turtle: str) -> list[ox.Triple]:
    # Resource IRIs hold '/', which prefixed names cannot: write them out in full.
    turtle = re.sub(r"\btkr:([A-Za-z0-9_/.-]*[A-Za-z0-9_])", lambda m: f"<{R}{m.group(1)}>", turtle)
    return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(turtle.encode(), ox.RdfFormat.TURTLE)]


def _store(path: Path, remove: list[tuple[str, str]], add: str, where: str) -> Path:
    trial, ref = _triples(VALID_TRIAL), _triples(VALID_REFERENCE)
    drop = {(ox.NamedNode(s), ox.NamedNode(p)) for s, p in remove}
    extra = _triples(PREFIXES + add) if add else []
    if where == "trial":
        trial = [t for t in trial if (t.subject, t.predicate) not in drop] + extra
    else:
        ref = [t for t in ref if (t.subject, t.predicate) not in drop] + extra
    store = TrialStore(path)
    store.replace_graph(iris.trial_graph("NCT00000001"), trial)
    store.replace_graph(iris.REFERENCE_GRAPH, ref)
    # A finished build also holds the ontology graph; validate refuses a store without it.
    store.replace_graph(iris.ONTOLOGY_GRAPH, ontology_triples())
    store.flush()
    del store
    return path


def _validate(path: Path, fmt: str = "json") -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", "--store", str(path), "--format", fmt])
    return result.exit_code, result.output


def test_the_valid_graphs_conform(tmp_path: Path) -> None:
    code, out = _validate(_store(tmp_path / "s", [], "", "trial"))
    report = json.loads(out)
    assert report["results"] == [] and code == 0


@pytest.mark.parametrize("case,where,remove,add,severity,focus,path", CASES, ids=[c[0] for c in CASES])
def test_shape_violation_is_reported(tmp_path: Path, case: str, where: str, remove: list, add: str,
                                     severity: str, focus: str, path: str | None) -> None:
    code, out = _validate(_store(tmp_path / "s", remove, add, where))
    report = json.loads(out)
    hits = [r for r in report["results"] if r["focus"] == focus and (path is None or r["path"] == path)]
    assert hits, f"{case}: no result for {focus} {path}: {report['results']}"
    assert {h["severity"] for h in hits} == {severity}
    assert code == (1 if severity == "Violation" else 0)
    expected_trial = "NCT00000001" if where == "trial" else "reference"
    assert all(h["trial"] == expected_trial for h in hits)


def test_human_and_turtle_reports(tmp_path: Path) -> None:
    path = _store(tmp_path / "s", [(TI, iris.TKG + "overallStatus")], f'<{TI}> tkg:overallStatus "Recruiting" .', "trial")
    code, out = _validate(path, "human")
    assert code == 1
    line = next(x for x in out.splitlines() if "tkg:overallStatus" in x)
    assert "Violation" in line and "NCT00000001" in line and "tkr:trial/NCT00000001" in line
    code, out = _validate(path, "turtle")
    assert code == 1 and "sh:ValidationReport" in out and "sh:conforms false" in out
