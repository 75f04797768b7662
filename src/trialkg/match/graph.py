"""What the graph says about a trial's eligibility, read with SPARQL into plain objects.

Three queries read every trial at once (or one, with ``?id`` pre-bound): the trials'
registry limits, their criteria's properties, and their constraints' properties. They
run through the one graph reader (``trialkg.store.read``: the prefix table's prologue,
values by ``trialkg.terms.term_value``), so the matcher sees what ``trialkg show`` and
the stored queries see.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from trialkg.store.read import properties, select

_CLASS_TO_TYPE = {
    "AgeConstraint": "age", "SexConstraint": "sex", "PerformanceStatusConstraint": "performance_status",
    "NumericConstraint": "numeric", "PriorTherapyConstraint": "prior_therapy",
    "HistologyConstraint": "histology", "BiomarkerConstraint": "biomarker",
    "DiseaseStateConstraint": "disease_state", "LifeExpectancyConstraint": "life_expectancy",
    "ReproductiveConstraint": "reproductive", "ConsentConstraint": "consent", "DrugMentionConstraint": "drug_mention",
    "UnparsedConstraint": "unparsed",
}


@dataclass
class Constraint:
    """One constraint's triples: property local name -> values (IRIs as strings)."""

    iri: str
    props: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def type(self) -> str:
        t = self.one("constraintType")
        if t:
            return str(t)
        for cls in self.props.get("type", []):
            local = str(cls).rsplit("#", 1)[-1]
            if local in _CLASS_TO_TYPE:
                return _CLASS_TO_TYPE[local]
        return "unparsed"

    def one(self, name: str) -> Any:
        values = self.all(name)
        return values[0] if values else None

    def all(self, name: str) -> list[Any]:
        """Values of a property by its local name (``status`` and ``sex`` name the
        constraint's ``biomarkerStatus`` and ``sexValue``)."""
        return list(self.props.get(_PROPERTY_ALIASES.get(name, name), []))

    def num(self, name: str) -> float | None:
        v = self.one(name)
        try:
            return float(v) if v is not None else None
        except (TypeError, ValueError):
            return None

    @property
    def role(self) -> str:
        """subject, condition, exception, permission or context (tkg:constraintRole)."""
        return str(self.one("constraintRole") or "subject")

    @property
    def alternative(self) -> int | None:
        g = self.one("alternativeGroup")
        return int(g) if g is not None else None


# Constraint JSON keys whose property has another local name.
_PROPERTY_ALIASES = {"status": "biomarkerStatus", "sex": "sexValue", "kind": "biomarkerKind",
                     "condition": "conditionName"}


@dataclass
class Criterion:
    """One criterion's facts: its role and logic (criteria/logic.py) and its constraints."""

    iri: str
    id: str
    section: str  # inclusion | exclusion
    text: str
    negated: bool = False
    position: int = 0
    constraints: list[Constraint] = field(default_factory=list)
    role: str = ""  # requirement | exclusion | permission | information (tkg:criterionRole)
    negation_scope: str | None = None
    strictness: str = "required"
    applies_if: str | None = None
    condition_facts: list[str] = field(default_factory=list)
    condition_negated: bool = False
    exception: str | None = None
    open_alternative: bool = False
    alternative_set: str | None = None
    scope: str | None = None
    scope_kind: str | None = None
    entry: bool = True
    lead_in: str | None = None
    topic: str | None = None  # tkg:criterionTopic (criteria/topics.py)
    undecidable: str | None = None  # tkg:undecidableReason: why no patient-file fact decides it

    def __post_init__(self) -> None:
        if not self.role:  # a graph without tkg:criterionRole: the section decides
            self.role = "requirement" if self.section == "inclusion" else "exclusion"


@dataclass
class TrialFacts:
    """What the graph says about one trial's eligibility."""

    id: str
    iri: str
    title: str | None = None
    min_age_years: float | None = None
    max_age_years: float | None = None
    sex: str | None = None
    criteria: list[Criterion] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)  # tkg:hasCondition labels
    age_limits_source: str | None = None  # tkg:ageLimitsSource: "criteria" when not the registry's




_Q_TRIALS = """
SELECT ?trial ?id ?title ?minAge ?maxAge ?sex WHERE {
  ?trial a tkg:Trial ; tkg:trialId ?id .
  OPTIONAL { ?trial dcterms:title ?title }
  OPTIONAL { ?trial rdfs:label ?title }
  OPTIONAL { ?trial tkg:minimumAgeYears ?minAge }
  OPTIONAL { ?trial tkg:maximumAgeYears ?maxAge }
  OPTIONAL { ?trial tkg:sex ?sex }
}"""

_Q_CRITERIA = """
SELECT ?id ?trial ?c ?p ?o WHERE {
  ?trial a tkg:Trial ; tkg:trialId ?id ; tkg:hasCriterion ?c .
  ?c ?p ?o .
  FILTER(?p != tkg:hasConstraint)
}"""

_Q_CONSTRAINTS = """
SELECT ?id ?c ?k ?p ?o WHERE {
  ?trial a tkg:Trial ; tkg:trialId ?id ; tkg:hasCriterion ?c .
  ?c tkg:hasConstraint ?k .
  ?k ?p ?o .
}"""


def read_trials(store: Any, trial_id: str | None = None) -> list[TrialFacts]:
    """Each trial's structured limits, criteria and constraints, read with SPARQL."""
    # one trial: ?id is pre-bound (a substitution, never pasted into the query text)
    bindings = {"id": _literal(trial_id)} if trial_id else None
    trials = _read_trial_rows(store, bindings)
    if not trials:
        return []
    crit_by_iri = _read_criteria(store, bindings, {t.iri: t for t in trials.values()})
    _read_constraints(store, bindings, crit_by_iri)
    for trial in trials.values():
        trial.criteria.sort(key=lambda c: (c.section != "inclusion", c.position, _natural(c.id)))
        for crit in trial.criteria:
            crit.constraints.sort(key=lambda k: _natural(k.iri))
    return sorted(trials.values(), key=lambda t: t.id)


def _read_trial_rows(store: Any, bindings: dict[str, Any] | None) -> dict[str, TrialFacts]:
    trials: dict[str, TrialFacts] = {}
    for row in select(store, _Q_TRIALS, bindings):
        tid = str(row["id"])
        if tid in trials:
            continue
        trials[tid] = TrialFacts(
            id=tid,
            iri=row["trial"],
            title=row["title"],
            min_age_years=_as_float(row["minAge"]),
            max_age_years=_as_float(row["maxAge"]),
            sex=(str(row["sex"]).upper() if row["sex"] is not None else None),
        )
    return trials


def _read_criteria(store: Any, bindings: dict[str, Any] | None,
                   by_iri: dict[str, TrialFacts]) -> dict[str, Criterion]:
    """The criteria of the trials, each added to its trial; criterion IRI -> Criterion."""
    owner: dict[str, str] = {}
    props = properties(_owned(select(store, _Q_CRITERIA, bindings), "c", "trial", owner), "c",
                       key=_local, unique=True)
    crit_by_iri: dict[str, Criterion] = {}
    for c_iri, cp in props.items():
        trial = by_iri.get(owner[c_iri])
        if trial is None:
            continue
        crit = _criterion(c_iri, cp)
        crit_by_iri[c_iri] = crit
        trial.criteria.append(crit)
    return crit_by_iri


def _read_constraints(store: Any, bindings: dict[str, Any] | None, crit_by_iri: dict[str, Criterion]) -> None:
    """The constraints of the criteria, each added to its criterion."""
    owner: dict[str, str] = {}
    rows = (row for row in select(store, _Q_CONSTRAINTS, bindings) if row["c"] in crit_by_iri)
    for k_iri, props in properties(_owned(rows, "k", "c", owner), "k", key=_local, unique=True).items():
        crit_by_iri[owner[k_iri]].constraints.append(Constraint(k_iri, props))


def _owned(rows: Iterable[dict[str, Any]], node: str, parent: str, owner: dict[str, str]) -> Iterator[dict[str, Any]]:
    """The rows as they come, noting in ``owner`` the first ``parent`` of each ``node``."""
    for row in rows:
        owner.setdefault(row[node], row[parent])
        yield row


def _local(iri: str) -> str:
    """A property's local name: ``tkg:criterionRole`` -> ``criterionRole``."""
    return re.split(r"[#/]", iri)[-1]

def read_conditions(store: Any, trials: Iterable[TrialFacts]) -> None:
    """Fill each trial's ``conditions`` (``tkg:hasCondition`` labels) and ``age_limits_source``."""
    by_id = {t.id: t for t in trials}
    if not by_id:
        return
    q = """
SELECT ?id ?label ?source WHERE {
  ?trial a tkg:Trial ; tkg:trialId ?id .
  { ?trial tkg:hasCondition ?c . ?c rdfs:label ?label } UNION { ?trial tkg:ageLimitsSource ?source }
}"""
    bindings = {"id": _literal(next(iter(by_id)))} if len(by_id) == 1 else None
    for row in select(store, q, bindings):
        trial = by_id.get(str(row["id"]))
        if trial is not None and row["source"] is not None:
            trial.age_limits_source = str(row["source"])
            continue
        label = str(row["label"]).strip() if row["label"] is not None else ""
        if trial is not None and label and label not in trial.conditions:
            trial.conditions.append(label)
    for t in by_id.values():
        t.conditions.sort()


def _criterion(c_iri: str, cp: dict[str, list[Any]]) -> Criterion:
    """A Criterion from its properties (local name -> values)."""
    def one(name: str) -> Any:
        values = cp.get(name) or [None]
        return values[0]

    section = str(one("section") or "").lower()
    if section not in ("inclusion", "exclusion"):
        section = "exclusion" if "/exc-" in c_iri else "inclusion"
    role = str(one("criterionRole") or "").rsplit("#", 1)[-1].lower()
    entry = one("entryCriterion")
    lead = one("leadIn")
    return Criterion(
        iri=c_iri, id=str(one("criterionId") or c_iri.rsplit("/", 1)[-1]), section=section,
        text=str(one("text") or ""), negated=bool(one("negated")), position=_as_int(one("position")),
        role=role if role in ("requirement", "exclusion", "permission", "information") else "",
        negation_scope=one("negationScope"), strictness=str(one("strictness") or "required"),
        applies_if=one("appliesIf"), condition_facts=[str(f) for f in cp.get("conditionFact", [])],
        condition_negated=bool(one("conditionNegated")), exception=one("exceptionText"),
        open_alternative=bool(one("openAlternative")), alternative_set=one("alternativeSet"),
        scope=one("scope"), scope_kind=one("scopeKind"), entry=entry is not False,
        lead_in=str(lead).rsplit("/", 1)[-1] if lead else None,
        topic=one("criterionTopic"), undecidable=one("undecidableReason"),
    )


def _literal(value: str) -> Any:
    return ox.Literal(value)


def _natural(text: str) -> list[Any]:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]


def _as_float(v: Any) -> float | None:
    try:
        return float(v) if v is not None else None
    except (TypeError, ValueError):
        return None


def _as_int(v: Any) -> int:
    try:
        return int(v) if v is not None else 0
    except (TypeError, ValueError):
        return 0
