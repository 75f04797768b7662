"""Map one ``TrialRecord`` to the triples of its named graph (docs/model.md).

Everything a user queries gets a deterministic IRI from ``trialkg.iris`` (trial id plus
position, or a slug of a shared name), so building the same input twice gives
isomorphic graphs and re-building a trial replaces exactly its graph. Literals carry
their datatype (dates keep their precision).

Facts about shared nodes (organisations, conditions: their type, label, agency class,
MeSH match) are the same whoever names them, so they are kept apart
(``Mapping.entities``) and the pipeline writes each one once into the entities graph
(``iris.ENTITIES_GRAPH``); the trial graph holds the links to them. Were they restated
in every trial graph, a union-graph join through a sponsor's label would return one
row per trial graph naming that sponsor (docs/decisions/0003).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

import pyoxigraph as ox

from trialkg import __version__, iris
from trialkg.criteria.logic import fill_missing
from trialkg.durations import is_duration, xsd_duration
from trialkg.namespace import TKG as _TKG
from trialkg.records import PartialDate, TrialRecord


class _Vocabulary:
    """``TKG.term`` as a plain IRI string, checked against the generated namespace (an
    unknown term raises) once, then a plain attribute: the rdflib lookup on every
    triple cost more than writing the triple."""

    def __getattr__(self, name: str) -> str:
        iri = str(getattr(_TKG, name))
        setattr(self, name, iri)
        return iri


TKG = _Vocabulary()
_NODES: dict[Any, ox.NamedNode] = {}  # vocabulary IRIs (a bounded set) as pyoxigraph nodes
_FORMS: dict[int, str] = {}  # "<iri> " of each node of _NODES (kept there for good), by the node's id


def _vocabulary_node(iri: Any) -> ox.NamedNode:
    node = _NODES[iri] = iri if isinstance(iri, ox.NamedNode) else ox.NamedNode(iri)
    _FORMS[id(node)] = f"{node} "
    return node


XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DCT_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
SKOS_ALT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
SKOS_EXACT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#exactMatch")
PROV_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
SCHEMA_LAT = ox.NamedNode("http://schema.org/latitude")
SCHEMA_LON = ox.NamedNode("http://schema.org/longitude")

XSD_STRING = ox.NamedNode(XSD + "string")
XSD_BOOLEAN = ox.NamedNode(XSD + "boolean")
XSD_INTEGER = ox.NamedNode(XSD + "integer")
XSD_DECIMAL = ox.NamedNode(XSD + "decimal")
XSD_DURATION = ox.NamedNode(XSD + "duration")
DATE_TYPES = {
    "day": ox.NamedNode(XSD + "date"),
    "month": ox.NamedNode(XSD + "gYearMonth"),
    "year": ox.NamedNode(XSD + "gYear"),
}

_DRUG_LIKE_TYPES = {"DRUG", "BIOLOGICAL", "COMBINATION_PRODUCT", "GENETIC"}

# Constraint ``type`` (docs/criteria.md) -> ontology class (docs/model.md "Eligibility criteria").
CONSTRAINT_CLASSES: dict[str, ox.NamedNode] = {
    "age": ox.NamedNode(TKG.AgeConstraint),
    "sex": ox.NamedNode(TKG.SexConstraint),
    "performance_status": ox.NamedNode(TKG.PerformanceStatusConstraint),
    "numeric": ox.NamedNode(TKG.NumericConstraint),
    "prior_therapy": ox.NamedNode(TKG.PriorTherapyConstraint),
    "histology": ox.NamedNode(TKG.HistologyConstraint),
    "biomarker": ox.NamedNode(TKG.BiomarkerConstraint),
    "disease_state": ox.NamedNode(TKG.DiseaseStateConstraint),
    "life_expectancy": ox.NamedNode(TKG.LifeExpectancyConstraint),
    "reproductive": ox.NamedNode(TKG.ReproductiveConstraint),
    "consent": ox.NamedNode(TKG.ConsentConstraint),
    "drug_mention": ox.NamedNode(TKG.DrugMentionConstraint),
    "unparsed": ox.NamedNode(TKG.UnparsedConstraint),
}

# Constraint keys with a property of their own: key -> (property, kind, is a list).
# Kinds: str, dec (xsd:decimal), int, bool, dur (xsd:duration), drug, dclass (IRIs).
# Every key the criteria stage writes has its property; a key not listed, or a value
# whose shape does not fit (a list where a scalar is expected), is left out with a
# warning on the record naming the criterion and the key (never a JSON string that a
# later stage would have to parse).
CONSTRAINT_KEYS: dict[str, tuple[Any, str, bool]] = {
    "variable": (TKG.variable, "str", False),
    "comparator": (TKG.comparator, "str", False),
    "value": (TKG.value, "dec", False),
    "value2": (TKG.value2, "dec", False),
    "unit": (TKG.unit, "str", False),
    "relative_to": (TKG.relativeTo, "str", False),
    "canonical_value": (TKG.canonicalValue, "dec", False),
    "canonical_unit": (TKG.canonicalUnit, "str", False),
    "allowed_values": (TKG.allowedValue, "int", True),
    "drugs": (TKG.priorDrug, "drug", True),
    "drug_classes": (TKG.priorDrugClass, "dclass", True),
    "window": (TKG.window, "dur", False),
    "window_days": (TKG.windowDays, "int", False),
    "min_exposure": (TKG.minExposure, "dur", False),
    "applies_if": (TKG.appliesIf, "str", False),
    "span": (TKG.span, "str", False),
    "histology": (TKG.histology, "str", False),
    "excluded_histology": (TKG.excludedHistology, "str", True),
    "gene": (TKG.geneSymbol, "str", False),
    "variant": (TKG.variant, "str", False),
    "assay": (TKG.assay, "str", False),
    "threshold": (TKG.threshold, "str", False),
    "state": (TKG.state, "str", False),
    "required": (TKG.required, "bool", False),
    "role": (TKG.constraintRole, "str", False),
    "applies_if_facts": (TKG.conditionFact, "str", True),
    "alternative_group": (TKG.alternativeGroup, "int", False),
    "except_drugs": (TKG.exceptDrug, "drug", True),
    "except_drug_classes": (TKG.exceptDrugClass, "dclass", True),
    "window_kind": (TKG.windowKind, "str", False),
    "anchor": (TKG.anchor, "str", False),
    "max_exposure": (TKG.maxExposure, "dur", False),
    "exposure_strict": (TKG.exposureStrict, "bool", False),
    "qualified": (TKG.qualified, "bool", False),
    "max_lines": (TKG.maxLines, "int", False),
    "min_lines": (TKG.minLines, "int", False),
    "counts_agents": (TKG.countsAgents, "bool", False),
    "prednisone_dose_min": (TKG.prednisoneDoseMin, "dec", False),
    "prednisone_dose_max": (TKG.prednisoneDoseMax, "dec", False),
    "prednisone_dose_strict": (TKG.prednisoneDoseStrict, "bool", False),
    "systemic_only": (TKG.systemicOnly, "bool", False),
    "therapies": (TKG.therapy, "str", True),
    "timing": (TKG.timing, "str", False),
    "context": (TKG.mentionContext, "str", False),
    "sex": (TKG.sexValue, "str", False),
    "status": (TKG.biomarkerStatus, "str", False),
    "kind": (TKG.biomarkerKind, "str", False),
    "aspect": (TKG.aspect, "str", False),
    "comorbidity": (TKG.comorbidity, "bool", False),
    "condition": (TKG.conditionName, "str", False),
    "standard": (TKG.standard, "str", False),
    "canonical_value2": (TKG.canonicalValue2, "dec", False),
    "reason": (TKG.unparsedReason, "str", False),
    "note": (TKG.parseNote, "str", False),
}

# Criterion logic keys (criteria/logic.py) with a property of their own, as above.
CRITERION_KEYS: dict[str, tuple[Any, str, bool]] = {
    "negation_scope": (TKG.negationScope, "str", False),
    "strictness": (TKG.strictness, "str", False),
    "applies_if": (TKG.appliesIf, "str", False),
    "applies_if_facts": (TKG.conditionFact, "str", True),
    "applies_if_negated": (TKG.conditionNegated, "bool", False),
    "exception": (TKG.exceptionText, "str", False),
    "open_alternative": (TKG.openAlternative, "bool", False),
    "alternative_set": (TKG.alternativeSet, "str", False),
    "scope": (TKG.scope, "str", False),
    "scope_kind": (TKG.scopeKind, "str", False),
    "entry": (TKG.entryCriterion, "bool", False),
    "topic": (TKG.criterionTopic, "str", False),
    "undecidable": (TKG.undecidableReason, "str", False),
}
# Values not written because they are what an absent key means (docs/model.md "Defaults"):
# a criterion is required unless "preferably ..."; a constraint is the criterion's subject
# unless it is its condition, exception, permission or context. Readers fill them back
# (views.py for ``show``, the matcher, the stored queries' FILTER NOT EXISTS).
CRITERION_DEFAULTS = {"strictness": "required"}
CONSTRAINT_DEFAULTS = {"role": "subject"}
# Constraint class -> its ``type`` (the inverse of CONSTRAINT_CLASSES, IRIs as strings).
CONSTRAINT_TYPES: dict[str, str] = {cls.value: ctype for ctype, cls in CONSTRAINT_CLASSES.items()}
ROLE_IRIS = {
    "requirement": TKG.Requirement, "exclusion": TKG.Exclusion,
    "permission": TKG.Permission, "information": TKG.Information,
}
# Criterion keys written by _eligibility itself (not through CRITERION_KEYS).
_CRITERION_OWN = frozenset({"id", "section", "text", "negated", "category", "constraints", "position", "context",
                            "trial_id", "role", "lead_in"})


def nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def string(value: Any) -> ox.Literal:
    return ox.Literal(str(value))


def boolean(value: bool) -> ox.Literal:
    return ox.Literal("true" if value else "false", datatype=XSD_BOOLEAN)


def integer(value: Any) -> ox.Literal:
    return ox.Literal(str(int(value)), datatype=XSD_INTEGER)


def decimal(value: Any) -> ox.Literal:
    """An xsd:decimal in canonical-ish lexical form (no exponent: 1e-05 -> 0.00001)."""
    d = Decimal(str(value))
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".") or "0"
        if "." not in text:
            text += ".0"
    else:
        text += ".0"
    return ox.Literal(text, datatype=XSD_DECIMAL)


def date(value: PartialDate) -> ox.Literal:
    """xsd:date, xsd:gYearMonth or xsd:gYear, by the precision the source gave."""
    return ox.Literal(value.value, datatype=DATE_TYPES.get(value.precision, XSD_STRING))


class _Triples:
    """Collects triples, skipping absent values so the mapping reads as a table. The
    triples the summary facts read (``_SUMMARY_READS``) are indexed as they come, so the
    summary never walks the whole graph again."""

    def __init__(self) -> None:
        # (subject, predicate, object) terms: a tuple costs a fraction of an ``ox.Triple``
        self.items: list[tuple[Any, ox.NamedNode, Any]] = []
        self.index: dict[tuple[str, str], dict[Any, None]] = {}

    def add(self, s: ox.NamedNode, p: Any, o: ox.NamedNode | ox.Literal | None) -> None:
        if o is not None:
            node = _NODES.get(p) or _vocabulary_node(p)
            self.items.append((s, node, o))
            read = _SUMMARY_READS.get(p)
            if read is not None:
                self.index.setdefault((s.value, read), {})[o] = None

    def text(self, s: ox.NamedNode, p: Any, value: Any) -> None:
        if value is not None and str(value).strip() != "":
            self.add(s, p, string(value))

    def texts(self, s: ox.NamedNode, p: Any, values: Iterable[Any]) -> None:
        for v in dict.fromkeys(v for v in values if v):
            self.text(s, p, v)

    def typed(self, s: ox.NamedNode, cls: Any) -> None:
        self.add(s, RDF_TYPE, _NODES.get(cls) or _vocabulary_node(cls))

    def triples(self) -> list[ox.Triple]:
        return [ox.Triple(s, p, o) for s, p, o in self.items]

    def ntriples(self) -> bytes:
        """The triples as N-Triples, in order: each term's own N-Triples form (what
        ``ox.serialize`` writes), without building an ``ox.Triple`` per statement. A
        vocabulary node's form is kept with it (``_FORMS``); a subject's is looked up
        only when it changes (three triples in four follow one of the same subject)."""
        forms = _FORMS
        seen: dict[int, str] = {}  # the form of any other node, by the node (alive in items)
        lines = []
        last, st = None, ""
        for s, p, o in self.items:
            if s is not last:
                last = s
                st = seen.get(id(s))
                if st is None:
                    st = seen[id(s)] = f"{s} "
            pt = forms.get(id(p))
            if pt is None:
                pt = seen.get(id(p))
                if pt is None:
                    pt = seen[id(p)] = f"{p} "
            lines.append(f"{st}{pt}{o} .\n")
        return "".join(lines).encode()


class Mapping(NamedTuple):
    """One record's triples: its trial graph, and facts about the shared nodes it names."""

    trial: list[ox.Triple]
    entities: list[ox.Triple]


def record_triples(record: TrialRecord) -> list[ox.Triple]:
    """Everything the record says as one self-contained graph: its trial graph plus the
    facts about the shared nodes it names (for tests, per-record views and validation)."""
    m = map_record(record)
    return m.trial + m.entities


def _trial_fields(t: _Triples, trial: ox.NamedNode, record: TrialRecord) -> None:
    """The trial's identifiers, titles and status."""
    tid = record.id
    t.typed(trial, TKG.Trial)
    t.text(trial, TKG.trialId, tid)
    t.text(trial, TKG.nctId, record.nct_id)
    t.add(trial, TKG.derivedId, boolean(record.nct_id is None))
    if record.nct_id:
        page = nn(iris.registry_page(record.nct_id))
        t.add(trial, TKG.registryPage, page)  # a sub-property of rdfs:seeAlso (ontology)
    # rdfs:label is the display name (the id when the source has no title);
    # dcterms:title only what the source calls the title.
    t.text(trial, RDFS_LABEL, record.title or tid)
    t.text(trial, DCT_TITLE, record.title)
    t.text(trial, TKG.officialTitle, record.official_title)
    t.text(trial, TKG.acronym, record.acronym)
    t.text(trial, TKG.orgStudyId, record.org_study_id)
    t.texts(trial, TKG.secondaryId, (s.id for s in record.secondary_ids))
    t.text(trial, TKG.overallStatus, record.status)
    t.text(trial, TKG.whyStopped, record.why_stopped)
    t.texts(trial, TKG.phase, record.phases)
    t.text(trial, TKG.studyType, record.study_type)


def _dates_and_design(t: _Triples, trial: ox.NamedNode, record: TrialRecord) -> None:
    """Enrolment, dates, design, descriptions, keywords and references."""
    if record.enrollment is not None:
        t.add(trial, TKG.enrollment, integer(record.enrollment))
    t.text(trial, TKG.enrollmentType, record.enrollment_type)
    for prop, name in (
        (TKG.startDate, "start_date"),
        (TKG.primaryCompletionDate, "primary_completion_date"),
        (TKG.completionDate, "completion_date"),
        (TKG.firstPosted, "first_posted"),
        (TKG.lastUpdate, "last_update"),
    ):
        value: PartialDate | None = getattr(record, name)
        if value is not None and value.value:
            t.add(trial, prop, date(value))
            if value.type:
                t.text(trial, TKG.dateType, f"{str(prop).rsplit('#', 1)[1]}:{value.type}")
    d = record.design
    t.text(trial, TKG.allocation, d.allocation)
    t.text(trial, TKG.interventionModel, d.intervention_model)
    t.text(trial, TKG.masking, d.masking)
    t.text(trial, TKG.primaryPurpose, d.primary_purpose)
    t.text(trial, TKG.observationalModel, d.observational_model)
    t.text(trial, TKG.timePerspective, d.time_perspective)
    t.text(trial, TKG.briefSummary, record.brief_summary)
    t.text(trial, TKG.detailedDescription, record.detailed_description)
    t.texts(trial, TKG.keyword, record.keywords)
    for ref in record.references:
        if ref.pmid:
            t.add(trial, TKG.reference, nn(iris.identifiers("pubmed", ref.pmid.strip())))


def map_record(record: TrialRecord) -> Mapping:
    """The triples of the trial's named graph ``tkr:graph/<ID>``, and its entity facts."""
    t, shared = _map(record)
    return Mapping(t.triples(), shared.triples())


def map_record_ntriples(record: TrialRecord) -> tuple[bytes, bytes]:
    """``map_record`` as N-Triples (trial graph, entity facts), the bytes
    ``ox.serialize`` writes of its triples: what the build stores."""
    t, shared = _map(record)
    return t.ntriples(), shared.ntriples()


def _map(record: TrialRecord) -> tuple[_Triples, _Triples]:
    t = _Triples()
    shared = _Triples()
    trial = nn(iris.trial(record.id))
    _trial_fields(t, trial, record)
    _dates_and_design(t, trial, record)
    _conditions(t, shared, trial, record)
    _organisations(t, shared, trial, record)
    _sites(t, trial, record)
    arms = _arms(t, trial, record)
    _interventions(t, trial, record, arms)
    _outcomes(t, trial, record)
    _biomarkers(t, trial, record, arms)
    _eligibility(t, trial, record)
    _provenance(t, trial, record)
    t.items.extend((tr.subject, tr.predicate, tr.object) for tr in summary_triples(trial, (), index=t.index))
    return t, shared


def _conditions(t: _Triples, shared: _Triples, trial: ox.NamedNode, record: TrialRecord) -> None:
    mesh = {iris.slug(m.get("term", "")): m.get("id") for m in record.condition_mesh if m.get("id")}
    for name in dict.fromkeys(c.strip() for c in record.conditions if c and c.strip()):
        cond = nn(iris.condition(name))
        t.add(trial, TKG.hasCondition, cond)
        shared.typed(cond, TKG.Condition)
        shared.text(cond, RDFS_LABEL, name)
        mesh_id = mesh.get(iris.slug(name))
        if mesh_id:
            shared.add(cond, SKOS_EXACT, nn(iris.identifiers("mesh", mesh_id)))


def _org(shared: _Triples, name: str) -> ox.NamedNode:
    org = nn(iris.organisation(name))
    shared.typed(org, TKG.Organization)
    shared.text(org, RDFS_LABEL, name.strip())
    return org


def _organisations(t: _Triples, shared: _Triples, trial: ox.NamedNode, record: TrialRecord) -> None:
    lead: ox.NamedNode | None = None
    for s in record.sponsors:
        if not s.name or not s.name.strip():
            continue
        org = _org(shared, s.name)
        shared.text(org, TKG.agencyClass, s.sponsor_class)
        if s.role == "lead":
            lead = lead or org
            t.add(trial, TKG.leadSponsor, org)
        else:
            t.add(trial, TKG.collaborator, org)
    rp = record.responsible_party
    if rp is not None:
        t.text(trial, TKG.responsiblePartyType, rp.type)
        t.text(trial, TKG.responsibleInvestigator, rp.investigator_name)
        if rp.investigator_affiliation:
            t.add(trial, TKG.responsibleParty, _org(shared, rp.investigator_affiliation))
        elif rp.type == "SPONSOR" and lead is not None:
            t.add(trial, TKG.responsibleParty, lead)
    for n, o in enumerate(record.officials, 1):
        off = nn(iris.trial_part(record.id, "official", n))
        t.add(trial, TKG.hasOfficial, off)
        t.typed(off, TKG.Official)
        t.text(off, RDFS_LABEL, o.name)
        t.text(off, TKG.role, o.role)
        if o.affiliation:
            t.add(off, TKG.affiliation, _org(shared, o.affiliation))


def _sites(t: _Triples, trial: ox.NamedNode, record: TrialRecord) -> None:
    for n, s in enumerate(record.sites, 1):
        site = nn(iris.trial_part(record.id, "site", n))
        t.add(trial, TKG.hasSite, site)
        t.typed(site, TKG.Site)
        t.add(site, TKG.position, integer(n))
        t.text(site, TKG.facility, s.facility)
        t.text(site, TKG.city, s.city)
        t.text(site, TKG.state, s.state)
        t.text(site, TKG.zip, s.zip)
        t.text(site, TKG.country, s.country)
        t.text(site, TKG.recruitmentStatus, s.status)
        if s.geo is not None:
            t.add(site, SCHEMA_LAT, decimal(s.geo.lat))
            t.add(site, SCHEMA_LON, decimal(s.geo.lon))
        # no rdfs:label: it would restate facility, city and country (docs/model.md)


def _key(name: str) -> str:
    """Intervention names compare without their type prefix and case ("Drug: X" ~ "x")."""
    name = name.strip()
    if ":" in name:
        head, tail = name.split(":", 1)
        if head.strip().replace(" ", "").replace("/", "").isalpha() and len(head) <= 30:
            name = tail
    return " ".join(name.lower().split())


def _arms(t: _Triples, trial: ox.NamedNode, record: TrialRecord) -> dict[str, ox.NamedNode]:
    arms: dict[str, ox.NamedNode] = {}
    for n, a in enumerate(record.arms, 1):
        arm = nn(iris.trial_part(record.id, "arm", n))
        arms.setdefault(" ".join(a.label.lower().split()), arm)
        t.add(trial, TKG.hasArm, arm)
        t.typed(arm, TKG.Arm)
        t.text(arm, RDFS_LABEL, a.label)
        t.text(arm, TKG.armType, a.type)
        t.text(arm, TKG.description, a.description)
        t.add(arm, TKG.position, integer(n))
    return arms


def _interventions(t: _Triples, trial: ox.NamedNode, record: TrialRecord, arms: dict[str, ox.NamedNode]) -> None:
    by_name: dict[str, ox.NamedNode] = {}
    trial_drugs: dict[str, None] = {}
    for n, iv in enumerate(record.interventions, 1):
        node = nn(iris.trial_part(record.id, "intervention", n))
        by_name.setdefault(_key(iv.name), node)
        for other in iv.other_names:
            by_name.setdefault(_key(other), node)
        t.add(trial, TKG.hasIntervention, node)
        t.typed(node, TKG.Intervention)
        t.text(node, RDFS_LABEL, iv.name)
        t.text(node, TKG.interventionType, iv.type)
        t.text(node, TKG.description, iv.description)
        t.texts(node, SKOS_ALT, iv.other_names)
        t.add(node, TKG.position, integer(n))
        for drug in iv.drugs:
            t.add(node, TKG.hasDrug, nn(iris.drug(drug)))
            trial_drugs.setdefault(drug, None)
        methods = [m.get("method") for m in iv.normalisation if isinstance(m, dict)]
        t.texts(node, TKG.normalisationMethod, (m for m in methods if m and m not in ("unresolved", "placebo", "non-drug")))
        t.texts(node, TKG.matchedSynonym, (m.get("matched") or m.get("synonym") for m in iv.normalisation if isinstance(m, dict)))
        # A placebo or control of a drug-type intervention is classified, not unresolved.
        unresolved = any(m == "unresolved" for m in methods) or (
            not iv.drugs and (iv.type or "").upper() in _DRUG_LIKE_TYPES
            and not any(m in ("placebo", "non-drug") for m in methods))
        if unresolved:
            t.add(node, TKG.unresolved, boolean(True))
        if iv.inferred:
            t.add(node, TKG.inferred, boolean(True))
            t.text(node, TKG.inferredFrom, iv.inferred_from)
        for label in iv.arm_labels:
            arm = arms.get(" ".join(label.lower().split()))
            if arm is not None:
                t.add(arm, TKG.usesIntervention, node)
    for n, arm_rec in enumerate(record.arms, 1):
        arm = nn(iris.trial_part(record.id, "arm", n))
        for name in arm_rec.intervention_names:
            node = by_name.get(_key(name))
            if node is not None:
                t.add(arm, TKG.usesIntervention, node)
    for d in record.drugs:
        name = d.get("name") if isinstance(d, dict) else d
        if name:
            trial_drugs.setdefault(name, None)
    for drug in trial_drugs:
        t.add(trial, TKG.hasDrug, nn(iris.drug(drug)))
    _dedupe(t)


def _dedupe(t: _Triples) -> None:
    """An arm may name an intervention twice (list and labels): keep one triple."""
    t.items = list(dict.fromkeys(t.items))


def _outcomes(t: _Triples, trial: ox.NamedNode, record: TrialRecord) -> None:
    for n, o in enumerate(record.outcomes, 1):
        node = nn(iris.trial_part(record.id, "outcome", n))
        t.add(trial, TKG.hasOutcome, node)
        t.typed(node, TKG.Outcome)
        t.text(node, RDFS_LABEL, o.measure)
        t.text(node, TKG.outcomeKind, o.kind)
        t.text(node, TKG.timeFrame, o.time_frame)
        t.text(node, TKG.description, o.description)
        t.add(node, TKG.position, integer(n))


def _biomarkers(t: _Triples, trial: ox.NamedNode, record: TrialRecord, arms: dict[str, ox.NamedNode]) -> None:
    for n, b in enumerate(record.biomarkers, 1):
        node = nn(iris.trial_part(record.id, "biomarker", n))
        t.add(trial, TKG.hasBiomarker, node)
        t.typed(node, TKG.Biomarker)
        label = b.get("label") or b.get("text") or b.get("gene") or f"biomarker {n}"
        t.text(node, RDFS_LABEL, label)
        t.text(node, TKG.primaryGene, b.get("gene"))
        genes = ([b["gene"]] if b.get("gene") else []) + list(b.get("genes") or [])
        t.texts(node, TKG.geneSymbol, genes)
        t.texts(node, TKG.geneKey, (g.lower() for g in genes))  # lookup key (docs/model.md)
        t.texts(node, TKG.biomarkerKind, b.get("kinds") or [])
        t.text(node, TKG.region, b.get("region"))
        if b.get("uniprot"):
            t.add(node, TKG.gene, nn(iris.protein(b["uniprot"])))
        t.text(node, TKG.primaryKind, b.get("kind"))
        t.text(node, TKG.variant, b.get("variant"))
        t.text(node, TKG.assay, b.get("assay"))
        t.text(node, TKG.threshold, b.get("threshold"))
        t.text(node, TKG.text, b.get("text"))
        t.text(node, TKG.foundIn, b.get("found_in") or b.get("source"))
        arm_label = b.get("arm")
        if arm_label:
            arm = arms.get(" ".join(str(arm_label).lower().split()))
            if arm is not None:
                t.add(arm, TKG.definedByBiomarker, node)


_SECTION_KEY = {"inclusion": "inc", "exclusion": "exc"}
_CRITERION_ID = re.compile(r"^(inc|exc)-\d+$")


def _eligibility(t: _Triples, trial: ox.NamedNode, record: TrialRecord) -> None:
    e = record.eligibility
    if e.min_age_years is not None:
        t.add(trial, TKG.minimumAgeYears, decimal(e.min_age_years))
    if e.max_age_years is not None:
        t.add(trial, TKG.maximumAgeYears, decimal(e.max_age_years))
    t.text(trial, TKG.minimumAgeText, e.min_age_text)
    t.text(trial, TKG.maximumAgeText, e.max_age_text)
    t.text(trial, TKG.ageLimitsSource, e.age_limits_source)
    t.text(trial, TKG.sex, e.sex)
    if e.healthy_volunteers is not None:
        t.add(trial, TKG.healthyVolunteers, boolean(e.healthy_volunteers))
    t.text(trial, TKG.eligibilityText, e.criteria_text)
    criteria = e.criteria or [
        {"section": item.section, "text": item.text, "context": item.context, "constraints": []}
        for item in (*e.inclusion, *e.exclusion)
    ]
    counters = {"inc": 0, "exc": 0}
    for c in criteria:
        c = fill_missing(c)
        sec = _SECTION_KEY.get(str(c.get("section", "")).lower(), "inc")
        counters[sec] += 1
        cid = str(c.get("id") or "")
        if not _CRITERION_ID.match(cid) or not cid.startswith(sec):
            cid = f"{sec}-{counters[sec]}"
        node = nn(iris.trial_part(record.id, "criterion", cid))
        t.add(trial, TKG.hasCriterion, node)
        t.typed(node, TKG.Criterion)  # its id is the IRI's last segment (inc-3), not restated
        t.text(node, TKG.section, "exclusion" if sec == "exc" else "inclusion")
        t.text(node, TKG.text, c.get("text"))
        if c.get("negated"):  # absent means false
            t.add(node, TKG.negated, boolean(True))
        t.text(node, TKG.category, c.get("category"))
        t.text(node, TKG.context, c.get("context"))
        t.add(node, TKG.position, integer(c.get("position") or counters[sec]))
        role = c.get("role") or ("requirement" if sec == "inc" else "exclusion")
        t.add(node, TKG.criterionRole, nn(ROLE_IRIS.get(role, ROLE_IRIS["requirement"])))
        lead = c.get("lead_in")
        if isinstance(lead, str) and _CRITERION_ID.match(lead):
            t.add(node, TKG.leadIn, nn(iris.trial_part(record.id, "criterion", lead)))
        left = _map_keys(t, node, CRITERION_KEYS, {k: v for k, v in c.items() if k not in _CRITERION_OWN
                                                   and CRITERION_DEFAULTS.get(k) != v})
        for k, con in enumerate(c.get("constraints") or [], 1):
            left += _constraint(t, node, f"{iris.trial_part(record.id, 'criterion', cid)}/constraint/{k}", con)
        for key in left:
            record.warn("eligibility.criteria", f"criterion {cid}: key {key!r} has no property in the graph; left out",
                        code="criteria-key-unmapped")


def _constraint(t: _Triples, criterion: ox.NamedNode, iri: str, con: dict[str, Any]) -> list[str]:
    """A constraint's triples; the keys that have no property (for a warning).

    Its one ``rdf:type`` is the class of its ``type`` (the ontology says the class is a
    ``tkg:Constraint`` and which ``type`` string it stands for, ``tkg:constraintType``);
    a type with no class is typed unparsed and named in the warnings (key ``type``)."""
    node = nn(iri)
    t.add(criterion, TKG.hasConstraint, node)
    ctype = str(con.get("type") or "unparsed")
    cls = CONSTRAINT_CLASSES.get(ctype)
    t.add(node, RDF_TYPE, cls or CONSTRAINT_CLASSES["unparsed"])
    values = {k: v for k, v in con.items() if k != "type" and CONSTRAINT_DEFAULTS.get(k) != v}
    return ([] if cls is not None else ["type"]) + _map_keys(t, node, CONSTRAINT_KEYS, values)


def _map_keys(t: _Triples, node: ox.NamedNode, table: dict[str, tuple[Any, str, bool]], values: dict[str, Any]) -> list[str]:
    """Write each key through its property; the keys that have none or do not fit."""
    left = []
    for key, value in values.items():
        if value is None or value == [] or value == "":
            continue
        spec = table.get(key)
        if spec is None or not _map_value(t, node, spec, value):
            left.append(key)
    return left


def _map_value(t: _Triples, node: ox.NamedNode, spec: tuple[Any, str], value: Any) -> bool:
    """Write one key; False when the value does not fit its property."""
    prop, kind, is_list = spec
    if isinstance(value, list) != is_list:
        return False
    values = value if is_list else [value]
    out: list[ox.Literal | ox.NamedNode] = []
    try:
        for v in values:
            if isinstance(v, (dict, list)):
                return False
            if kind == "str":
                out.append(string(v))
            elif kind == "dec":
                if isinstance(v, bool):
                    return False
                out.append(decimal(v))
            elif kind == "int":
                if isinstance(v, bool) or float(v) != int(float(v)):
                    return False
                out.append(integer(int(float(v))))
            elif kind == "bool":
                if not isinstance(v, bool):
                    return False
                out.append(boolean(v))
            elif kind == "dur":
                lexical = xsd_duration(v) if is_duration(v) else None
                if lexical is None:
                    return False
                out.append(ox.Literal(lexical, datatype=XSD_DURATION))
            elif kind == "drug":
                out.append(nn(iris.drug(str(v))))
            elif kind == "dclass":
                out.append(nn(iris.drug_class(str(v))))
    except (ValueError, TypeError, InvalidOperation):
        return False
    for o in out:
        t.add(node, prop, o)
    return True


def _provenance(t: _Triples, trial: ox.NamedNode, record: TrialRecord) -> None:
    p = record.provenance
    src = nn(iris.trial(record.id) + "/source")
    t.add(trial, PROV_DERIVED, src)
    t.typed(src, TKG.SourceRecord)  # a subclass of prov:Entity (ontology)
    t.text(src, TKG.sourceFile, p.file)
    t.text(src, TKG.sourceFormat, p.format)
    t.text(src, TKG.sha256, p.sha256)
    t.text(src, TKG.layout, p.layout)
    if p.index is not None:
        t.add(src, TKG.recordIndex, integer(p.index))
    t.text(src, TKG.zipMember, p.member)
    t.text(src, TKG.retrieved, p.retrieved)
    t.text(src, TKG.toolVersion, __version__)
    t.texts(src, TKG.warning, (f"{w.field}: {w.message} ({w.code})" for w in record.warnings))


# -- summary facts ---------------------------------------------------------------------
#
# Facts about the whole trial that registry-wide questions ask ("trials per target family
# and phase", "how well were the criteria parsed", "trials that admit ECOG 2") and that
# otherwise take a walk over every arm, drug, criterion or constraint of every trial.
# They are derived from the trial's own triples (so they say exactly what the detailed
# triples say, whoever maps those) plus the reference graph for drug classes and target
# families, written into the trial's graph and replaced with it (docs/model.md "Summary
# facts"). tests/test_summary_facts.py checks each stored query that reads them against
# its full form.

ECOG_SCORES = range(6)
_RDF_TYPE = RDF_TYPE.value
_SKOS_BROADER = "http://www.w3.org/2004/02/skos/core#broader"
# The predicates the summary facts read (as the mapping passes them: a vocabulary string,
# or a node), with their IRI.
_SUMMARY_READS: dict[Any, str] = {
    **{p: p for p in (TKG.hasDrug, TKG.phase, TKG.leadSponsor, TKG.collaborator, TKG.hasSite, TKG.country, TKG.overallStatus, TKG.recruitmentStatus,
                      TKG.hasCriterion, TKG.section, TKG.negated, TKG.hasConstraint, TKG.allowedValue,
                      TKG.appliesIf, TKG.variable, TKG.priorDrug, TKG.priorDrugClass, TKG.window,
                      TKG.windowDays, TKG.minExposure)},
    RDF_TYPE: _RDF_TYPE, _RDF_TYPE: _RDF_TYPE,
}


class _ReferenceClosure:
    """Drug IRI -> the target families and drug classes it reaches in the reference graph:
    ``tkg:targets|^tkg:drug/tkg:target`` then ``tkg:inFamily/skos:broader*``, and
    ``tkg:inDrugClass/skos:broader*`` (the paths the stored queries follow)."""

    def __init__(self, triples: Iterable[ox.Triple],
                 more: Callable[[str], Iterable[ox.Triple]] | None = None) -> None:
        self._objects: dict[tuple[str, str], list[str]] = {}
        self._targets: dict[str, set[str]] = {}
        self._drugs: set[str] = set()
        self._more = more
        self._add(triples)
        self.families: dict[str, tuple[str, ...]] = {}
        self.classes: dict[str, tuple[str, ...]] = {}

    def _add(self, triples: Iterable[ox.Triple]) -> None:
        objects = self._objects
        added: set[tuple[str, str]] = set()
        for tr in triples:
            if isinstance(tr.object, ox.NamedNode):
                key = (tr.subject.value, tr.predicate.value)
                if tr.object.value not in objects.get(key, ()):
                    objects.setdefault(key, []).append(tr.object.value)
                    added.add(key)
        for s, p in added:
            if p == _RDF_TYPE and TKG.Drug in objects[(s, p)]:
                self._drugs.add(s)
            elif p == TKG.targets:
                self._targets.setdefault(s, set()).update(objects[(s, p)])
            elif p == TKG.drug:  # s is a drug-target interaction
                for d in objects[(s, p)]:
                    self._targets.setdefault(d, set()).update(objects.get((s, TKG.target), ()))

    def _know(self, drug: str) -> None:
        """A drug outside the graph given (a compiled drug a trial uses) is read from
        ``more`` the first time it is asked for."""
        if drug not in self._drugs and self._more is not None:
            self._drugs.add(drug)
            self._add(self._more(drug))

    def _broader_closure(self, starts: Iterable[str]) -> set[str]:
        seen: set[str] = set()
        todo = list(starts)
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(self._objects.get((node, _SKOS_BROADER), ()))
        return seen

    def drug_families(self, drug: str) -> tuple[str, ...]:
        if drug not in self.families:
            self._know(drug)
            direct = (f for p in self._targets.get(drug, ()) for f in self._objects.get((p, TKG.inFamily), ()))
            self.families[drug] = tuple(sorted(self._broader_closure(direct)))
        return self.families[drug]

    def drug_classes(self, drug: str) -> tuple[str, ...]:
        if drug not in self.classes:
            self._know(drug)
            self.classes[drug] = tuple(sorted(self._broader_closure(self._objects.get((drug, TKG.inDrugClass), ()))))
        return self.classes[drug]


_closure: _ReferenceClosure | None = None


def reference_closure() -> _ReferenceClosure:
    """The closure over the reference graph the build writes (computed once per process)."""
    global _closure
    if _closure is None:
        from trialkg.knowledge.reference import drug_triples, reference_triples

        _closure = _ReferenceClosure(reference_triples(), lambda drug: drug_triples([drug]))
    return _closure


class _Graph:
    """The triples of a trial that the summary reads, by subject and predicate (IRIs as strings)."""

    def __init__(self, triples: Iterable[ox.Triple], index: dict[tuple[str, str], dict[Any, None]] | None = None) -> None:
        if index is None:
            index = {}
            for tr in triples:
                p = tr.predicate.value
                if p in _SUMMARY_READS:
                    index.setdefault((tr.subject.value, p), {})[tr.object] = None
        self.index = index

    def objects(self, s: str, p: str) -> list[Any]:
        return list(self.index.get((s, p), ()))

    def values(self, s: str, p: str) -> list[str]:
        return [o.value for o in self.objects(s, p)]


def summary_triples(trial: ox.NamedNode, triples: Iterable[ox.Triple],
                    closure: _ReferenceClosure | None = None,
                    index: dict[tuple[str, str], dict[Any, None]] | None = None) -> list[ox.Triple]:
    """The summary facts of one trial, from its graph's ``triples`` (docs/model.md), or
    from ``index``, the reads that ``_Triples`` collected while mapping them."""
    g = _Graph(triples, index)
    ref = closure or reference_closure()
    t = _Triples()
    tid = trial.value
    drugs = g.values(tid, TKG.hasDrug)
    families = sorted({f for d in drugs for f in ref.drug_families(d)})
    for fam in families:
        t.add(trial, TKG.testsTargetFamily, nn(fam))
    phases = sorted(set(g.values(tid, TKG.phase))) or ["unknown"]
    t.texts(trial, TKG.familyPhaseKey, (f"{fam} {phase}" for fam in families for phase in phases))
    sponsors = sorted(set(g.values(tid, TKG.leadSponsor) + g.values(tid, TKG.collaborator)))
    t.texts(trial, TKG.sponsorDrugKey, (f"{org} {d}" for org in sponsors for d in sorted(set(drugs))))
    for cls in sorted({c for d in drugs for c in ref.drug_classes(d)}):
        t.add(trial, TKG.testsDrugClass, nn(cls))
    sites = g.values(tid, TKG.hasSite)
    t.add(trial, TKG.siteCount, integer(len(sites)))
    t.texts(trial, TKG.siteCountry, sorted({c for s in sites for c in g.values(s, TKG.country)}))
    recruiting = "RECRUITING" in g.values(tid, TKG.overallStatus) or any(
        "RECRUITING" in g.values(s, TKG.recruitmentStatus) for s in sites)
    t.add(trial, TKG.recruiting, boolean(recruiting))
    _criteria_summary(t, trial, g)
    _prior_therapy_summary(t, trial, g)
    return t.triples()


def _criteria_summary(t: _Triples, trial: ox.NamedNode, g: _Graph) -> None:
    """Criteria counts (all, by section, with a structured constraint) and the ECOG scores
    the trial admits: those every unconditional ECOG limit of a non-negated inclusion
    criterion allows, or that a conditional performance-status limit allows ("ECOG 0-1
    (0-2 for amputees)", NCT04172805; "PS 0-2, or 3 if due to the tumour"). Each ECOG
    constraint of a non-negated inclusion criterion is named by ``tkg:ecogLimit`` with its
    lowest and highest allowed score, so trials-admitting-ecog reads a trial's limits
    without walking its criteria."""
    criteria = g.values(trial.value, TKG.hasCriterion)
    sections = {"inclusion": 0, "exclusion": 0}
    parsed = 0
    limits: list[set[int]] = []  # allowed scores of each unconditional ECOG inclusion limit
    relaxed: set[int] = set()
    ecog_limits: list[tuple[str, int, int]] = []  # ECOG constraints of the inclusion criteria, with their range
    for c in criteria:
        section = next(iter(g.values(c, TKG.section)), None)
        if section in sections:
            sections[section] += 1
        negated = "true" in g.values(c, TKG.negated)
        structured = False
        for k in g.values(c, TKG.hasConstraint):
            types = set(g.values(k, _RDF_TYPE))
            if types - {TKG.UnparsedConstraint}:
                structured = True
            if TKG.PerformanceStatusConstraint not in types:
                continue
            allowed = {int(v) for v in g.values(k, TKG.allowedValue)}
            conditional = bool(g.objects(k, TKG.appliesIf))
            if conditional:
                relaxed |= allowed
            if section == "inclusion" and not negated and "ecog" in g.values(k, TKG.variable):
                if not conditional:
                    limits.append(allowed)
                if allowed:
                    ecog_limits.append((k, min(allowed), max(allowed)))
        parsed += structured
    t.add(trial, TKG.criteriaCount, integer(len(criteria)))
    t.add(trial, TKG.inclusionCount, integer(sections["inclusion"]))
    t.add(trial, TKG.exclusionCount, integer(sections["exclusion"]))
    t.add(trial, TKG.parsedCriteriaCount, integer(parsed))
    for score in ECOG_SCORES:
        if all(score in allowed for allowed in limits) or score in relaxed:
            t.add(trial, TKG.admitsEcog, integer(score))
    for k, lowest, highest in ecog_limits:
        node = nn(k)
        t.add(trial, TKG.ecogLimit, node)
        t.add(node, TKG.lowestAllowedValue, integer(lowest))
        t.add(node, TKG.highestAllowedValue, integer(highest))


# A prior-therapy constraint that names a drug or class excludes a patient treated with
# it whatever the dates when it has none of these (a window, "within 4 weeks",
# NCT04172805; a minimum exposure, "at least 3 months of a TKI"; a condition).
_OPEN_PRIOR = (TKG.window, TKG.windowDays, TKG.minExposure, TKG.appliesIf)


def _prior_therapy_summary(t: _Triples, trial: ox.NamedNode, g: _Graph) -> None:
    """The drugs and classes an unconditional prior-therapy exclusion names: a constraint
    of a non-negated exclusion criterion ("No prior anti-PD-1 antibody" in the exclusion
    list) or of a negated inclusion criterion ("No prior TKI" among the inclusions) with
    none of ``_OPEN_PRIOR`` (what ``trials-for-patient`` reads)."""
    drugs: set[str] = set()
    classes: set[str] = set()
    for c in g.values(trial.value, TKG.hasCriterion):
        section = g.values(c, TKG.section)
        negated = "true" in g.values(c, TKG.negated)
        if not (("exclusion" in section and not negated) or ("inclusion" in section and negated)):
            continue
        for k in g.values(c, TKG.hasConstraint):
            if any(g.objects(k, p) for p in _OPEN_PRIOR):
                continue
            drugs.update(g.values(k, TKG.priorDrug))
            classes.update(g.values(k, TKG.priorDrugClass))
    for d in sorted(drugs):
        t.add(trial, TKG.excludesPriorDrug, nn(d))
    for cls in sorted(classes):
        t.add(trial, TKG.excludesPriorDrugClass, nn(cls))
