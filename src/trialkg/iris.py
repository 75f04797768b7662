"""Deterministic IRIs for everything trialkg writes (see docs/model.md).

Building the same input twice must give isomorphic graphs, so no instance a user
queries is a blank node: arms, criteria and constraints get IRIs from the trial id
and their position, shared things (drugs, organisations) from their normalised name.
"""

from __future__ import annotations

import re
import unicodedata

TKG = "https://w3id.org/trialkg/ontology#"
TKR = "https://w3id.org/trialkg/resource/"
UNIPROT = "http://purl.uniprot.org/uniprot/"
CHEMBL = "http://rdf.ebi.ac.uk/resource/chembl/molecule/"
IDORG = "https://identifiers.org/"
CTGOV = "https://clinicaltrials.gov/study/"

REFERENCE_GRAPH = TKR + "graph/reference"
ONTOLOGY_GRAPH = TKR + "graph/ontology"
# Facts about shared things (organisations, conditions) that many trials point to:
# stated once here, not in every trial graph, so union-graph joins do not multiply.
ENTITIES_GRAPH = TKR + "graph/entities"
# Store-wide counts the build writes when it ends (trialkg.store.statistics).
STATISTICS_GRAPH = TKR + "graph/statistics"
SPECIAL_GRAPHS = frozenset({REFERENCE_GRAPH, ONTOLOGY_GRAPH, ENTITIES_GRAPH, STATISTICS_GRAPH})

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """Lower case ASCII, non-alphanumerics folded to '-': 'Anlotinib HCl' -> 'anlotinib-hcl'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    s = _NON_ALNUM.sub("-", folded.lower()).strip("-")
    return s or "x"


def trial(trial_id: str) -> str:
    return f"{TKR}trial/{trial_id}"


def trial_graph(trial_id: str) -> str:
    return f"{TKR}graph/{trial_id}"


def trial_part(trial_id: str, kind: str, key: str | int) -> str:
    """An arm, intervention, site ... of a trial: ``tkr:trial/<ID>/<kind>/<key>``."""
    return f"{TKR}trial/{trial_id}/{kind}/{key}"


def drug_pair(drug_a: str, drug_b: str) -> str:
    """Two drugs (their IRIs, in order) that share a target: ``tkr:drugpair/<a>/<b>``."""
    local = [d.rsplit("/", 1)[-1] for d in (drug_a, drug_b)]
    return f"{TKR}drugpair/{local[0]}/{local[1]}"


def organisation(name: str) -> str:
    return f"{TKR}org/{slug(name)}"


def condition(name: str) -> str:
    return f"{TKR}condition/{slug(name)}"


def drug(generic_name: str) -> str:
    return f"{TKR}drug/{slug(generic_name)}"


def drug_class(key: str) -> str:
    return f"{TKR}drugclass/{slug(key)}"


def family(key: str) -> str:
    return f"{TKR}family/{key.upper()}"


def protein(uniprot_acc: str) -> str:
    return UNIPROT + uniprot_acc


def chembl(chembl_id: str) -> str:
    return CHEMBL + chembl_id


def identifiers(prefix: str, local_id: str) -> str:
    """An identifiers.org IRI with a Bioregistry prefix: ``identifiers('hgnc', '6307')``."""
    return f"{IDORG}{prefix}:{local_id}"


def registry_page(nct_id: str) -> str:
    return CTGOV + nct_id


def interaction(drug_name: str, uniprot_acc: str) -> str:
    return f"{TKR}interaction/{slug(drug_name)}/{uniprot_acc}"
