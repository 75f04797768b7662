"""Every SPARQL query the projection runs: one SELECT per relation of docs/model.md, and
the per-predicate scans of shared nodes' attributes. Rows come through the one graph
reader (``trialkg.store.read.select``, prefixes from the one table) as plain dicts of
strings, IRIs and literals alike as written, since they become labels."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from trialkg import iris
from trialkg.prefixes import PREFIXES
from trialkg.store.read import select


def linked(subject: str, obj: str, path: str, attributes: dict[str, str]) -> str:
    """A row per (``?subject``, ``?obj``) linked by ``path``, with one value (SAMPLE) of each
    attribute of ``?obj`` that is there: ``attributes`` maps column -> predicate."""
    samples = " ".join(f"(SAMPLE(?{name}0) AS ?{name})" for name in attributes)
    optional = "".join(f"  OPTIONAL {{ ?{obj} {p} ?{name}0 }}\n" for name, p in attributes.items())
    return (f"SELECT ?{subject} ?{obj} {samples} WHERE {{\n  ?{subject} {path} ?{obj} .\n"
            f"{optional}}} GROUP BY ?{subject} ?{obj}\n")


# The objects of one relation, with their attributes (docs/model.md).
Q_FAMILIES = linked("p", "f", "tkg:inFamily", {"key": "tkg:familyKey", "label": "rdfs:label"})
Q_DRUG_CLASSES = linked("d", "c", "tkg:inDrugClass", {"key": "tkg:classKey", "label": "rdfs:label"})
Q_BIOMARKERS = linked("t", "b", "tkg:hasBiomarker", {
    "label": "rdfs:label", "kind": "tkg:biomarkerKind", "variant": "tkg:variant", "gene": "tkg:gene",
    "symbol": "tkg:geneSymbol"})
Q_ARMS = linked("t", "a", "tkg:hasArm", {"label": "rdfs:label", "arm_type": "tkg:armType"})
Q_SITES = linked("t", "s", "tkg:hasSite", {"facility": "tkg:facility", "city": "tkg:city",
                                           "country": "tkg:country"})

Q_TRIALS = """
SELECT ?t (SAMPLE(?id0) AS ?id) (SAMPLE(?nct0) AS ?nct) (SAMPLE(?label0) AS ?label)
       (SAMPLE(?status0) AS ?status) (GROUP_CONCAT(DISTINCT ?phase0; separator="; ") AS ?phases)
WHERE {
  ?t tkg:trialId ?id0 .
  OPTIONAL { ?t tkg:nctId ?nct0 }
  OPTIONAL { ?t rdfs:label ?label0 }
  OPTIONAL { ?t tkg:overallStatus ?status0 }
  OPTIONAL { ?t tkg:phase ?phase0 }
} GROUP BY ?t
"""

Q_TRIAL_DRUGS = """
SELECT DISTINCT ?t ?d WHERE { ?t tkg:trialId ?id ; tkg:hasDrug ?d . }
"""


Q_DRUG_TARGETS = """
SELECT ?d ?p (SAMPLE(?a) AS ?action) WHERE {
  { ?d tkg:targets ?p } UNION { ?i0 tkg:drug ?d ; tkg:target ?p }
  OPTIONAL { ?i tkg:drug ?d ; tkg:target ?p ; tkg:action ?a }
} GROUP BY ?d ?p
"""


Q_CLASS_BROADER = """
SELECT DISTINCT ?c ?b (SAMPLE(?label0) AS ?label) WHERE {
  ?d tkg:inDrugClass/skos:broader* ?c . ?c skos:broader ?b .
  OPTIONAL { ?b rdfs:label ?label0 }
} GROUP BY ?c ?b
"""


Q_ARM_DRUGS = """
SELECT DISTINCT ?a ?d WHERE { ?t tkg:hasArm ?a . ?a tkg:usesIntervention/tkg:hasDrug ?d . }
"""

Q_ARM_BIOMARKERS = """
SELECT DISTINCT ?a ?b WHERE { ?t tkg:hasArm ?a . ?a tkg:definedByBiomarker ?b . }
"""


Q_CONSTRAINTS = """
SELECT ?t ?c ?k ?section ?ctype ?variable ?drug ?dclass ?state ?symbol ?comparator ?value ?unit
       ?window ?text WHERE {
  ?t tkg:hasCriterion ?c . ?c tkg:hasConstraint ?k . ?k a/tkg:constraintType ?ctype .
  OPTIONAL { ?c tkg:section ?section }
  OPTIONAL { ?c tkg:text ?text }
  OPTIONAL { ?k tkg:variable ?variable }
  OPTIONAL { ?k tkg:priorDrug ?drug }
  OPTIONAL { ?k tkg:priorDrugClass ?dclass }
  OPTIONAL { ?k tkg:state ?state }
  OPTIONAL { ?k tkg:geneSymbol ?symbol }
  OPTIONAL { ?k tkg:comparator ?comparator }
  OPTIONAL { ?k tkg:value ?value }
  OPTIONAL { ?k tkg:unit ?unit }
  OPTIONAL { ?k tkg:window ?window }
}
"""

RDFS_LABEL = PREFIXES["rdfs"] + "label"
SKOS = PREFIXES["skos"]

# Shared nodes' attributes, one DISTINCT scan per predicate (``attrs``): the IRI prefix of
# the nodes, and column -> predicate.
DRUG_ATTRS = (iris.TKR + "drug/", {"pref": SKOS + "prefLabel", "label": RDFS_LABEL,
                                   "chembl": iris.TKG + "chemblId", "drugbank": iris.TKG + "drugbankId"})
PROTEIN_ATTRS = (iris.UNIPROT, {"symbol": iris.TKG + "geneSymbol", "uniprot": iris.TKG + "uniprotId",
                                "label": RDFS_LABEL})
CONDITION_ATTRS = (iris.TKR + "condition/", {"label": RDFS_LABEL, "mesh": SKOS + "exactMatch"})
ORG_ATTRS = (iris.TKR + "org/", {"label": RDFS_LABEL, "agency_class": iris.TKG + "agencyClass"})
# Links read as (subject, object) pairs (``pairs``).
HAS_CONDITION = iris.TKG + "hasCondition"
SPONSOR_ROLES = {iris.TKG + "leadSponsor": "lead", iris.TKG + "collaborator": "collaborator"}



def rows(store: Any, sparql: str) -> Iterator[dict[str, str | None]]:
    """SELECT rows as plain dicts of strings (IRIs and literals alike, as written)."""
    return select(store, sparql, text=True)


def attrs(store: Any, prefix: str, predicates: dict[str, str]) -> dict[str, dict[str, str]]:
    """Attributes of the nodes whose IRI starts with ``prefix``, one DISTINCT scan each.

    Shared nodes (organisations, conditions, drugs) are restated in every trial graph
    that mentions them, so over the union graph a join of their label with their other
    attributes multiplies rows by the number of trials squared (15M rows for 1k trials);
    one predicate at a time keeps each scan linear.
    """
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for name, predicate in predicates.items():
        sparql = (
            f"SELECT DISTINCT ?s ?v WHERE {{ ?s <{predicate}> ?v "
            f'FILTER(STRSTARTS(STR(?s), "{prefix}")) }}'
        )
        for r in rows(store, sparql):
            out[r["s"]].setdefault(name, r["v"])
    return out


def pairs(store: Any, predicate: str) -> list[tuple[str, str]]:
    """Distinct (subject, object) IRI pairs of one predicate."""
    sparql = f"SELECT DISTINCT ?s ?o WHERE {{ ?s <{predicate}> ?o FILTER(isIRI(?o)) }}"
    return [(r["s"], r["o"]) for r in rows(store, sparql)]
