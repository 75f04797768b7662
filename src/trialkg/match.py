"""Patient-to-trial matching: which trials could this patient enter, and why not the others.

The matcher reads each trial's criteria and typed constraints from the store with
SPARQL (the same triples ``trialkg show`` and the stored queries see) and decides in
Python with three-valued logic, so every verdict can be traced back to triples:

* a constraint is a *statement* about the patient (``ecog in {0, 1}``, ``had anlotinib
  within 90 days``) that is true, false or unknown given the patient file;
* an inclusion criterion is ``met`` when its statements hold, ``unmet`` when the data
  contradicts them; an exclusion criterion is ``unmet`` (it counts against the
  patient) when its condition holds and ``met`` when the data rules it out;
* only an ``unmet`` criterion excludes; ``unknown`` leaves the trial ``possible``.

See docs/matching.md for the patient file and the rules in full.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from trialkg import iris
from trialkg.criteria import units as crit_units
from trialkg.criteria import variables
from trialkg.criteria.units import known_unit, normalise_unit
from trialkg.criteria.units import lab_convert as convert
from trialkg.durations import duration_days
from trialkg.errors import PatientError, TrialKGError, UsageError
from trialkg.knowledge import biomarkers, diseases
from trialkg.knowledge.normalise import normalise_intervention_name
from trialkg.prefixes import SPARQL_PREFIXES
from trialkg.sources.guards import MAX_DEPTH, MAX_INT_DIGITS, check_depth, not_utf8, to_utf8
from trialkg.terms import term_value

Outcome = Literal["met", "unmet", "unknown", "n/a"]
Verdict = Literal["eligible", "possible", "excluded"]
TV = bool | None  # three-valued truth: True, False, None (unknown)

TKG = iris.TKG
PREFIXES = SPARQL_PREFIXES

# =============================================================================
# The patient file
# =============================================================================

# Scales: ECOG 0-5, Karnofsky 0-100 in steps of 10. Approximate equivalence used
# only when a trial states one scale and the patient file gives the other
# (Oken et al. 1982; the conversion table most protocols reprint).
ECOG_TO_KARNOFSKY: dict[int, frozenset[int]] = {
    0: frozenset({90, 100}),
    1: frozenset({70, 80}),
    2: frozenset({50, 60}),
    3: frozenset({30, 40}),
    4: frozenset({10, 20}),
    5: frozenset({0}),
}

# Lab and vital variables a patient file may give: the names of the one variable table
# (ontology/reference/variables.tsv, the names the criteria parser writes), and the
# aliases the table lists for them (older names such as ``white_blood_cells``, ``gfr``,
# ``fasting_glucose``, and the short names people type: ``anc``, ``hb``, ``crcl``).
LAB_ALIASES: dict[str, str] = dict(variables.aliases())
KNOWN_LABS: frozenset[str] = frozenset(v.name for v in variables.table().values()
                                       if v.family not in ("age", "life_expectancy"))

# Yes/no facts about the patient (docs/matching.md: cns_metastases, pregnant,
# measurable_disease; amputee decides ECOG exceptions). A closed list so a typo is
# reported instead of silently never matching.
KNOWN_FLAGS: frozenset[str] = frozenset(
    {
        "amputee", "cns_metastases", "brain_metastases", "leptomeningeal_disease",
        "liver_metastases", "bone_metastases", "lung_metastases", "measurable_disease",
        "evaluable_disease", "pregnant", "breastfeeding", "childbearing_potential",
        "contraception", "consent", "healthy_volunteer", "hiv", "hepatitis_b",
        "hepatitis_c", "active_infection", "autoimmune_disease", "uncontrolled_hypertension",
        "other_malignancy", "pulmonary_lesion", "resectable", "metastatic",
        "locally_advanced", "recurrent", "refractory", "bleeding", "thrombosis",
        "heart_failure", "myocardial_infarction", "arrhythmia", "interstitial_lung_disease",
        "organ_transplant", "prior_radiotherapy", "prior_surgery", "prior_chemotherapy",
        "able_to_swallow", "unresolved_toxicity",
        # the criteria parser's disease-state and comorbidity keys (criteria/lexicon.py)
        "advanced_disease", "hiv_infection", "cardiovascular_disease", "hypertension",
        "thromboembolism", "lung_disease", "diabetes", "psychiatric_disorder",
        "gastrointestinal_disorder", "wound_or_fracture", "hypersensitivity",
        "thyroid_dysfunction", "effusion", "renal_disease", "liver_disease",
        "electrolyte_abnormality", "serious_illness",
    }
)
# A flag that implies another: brain metastases are CNS metastases.
FLAG_IMPLIES: dict[str, str] = {
    "brain_metastases": "cns_metastases",
    "leptomeningeal_disease": "cns_metastases",
    "hiv": "hiv_infection",
    "interstitial_lung_disease": "lung_disease",
    "uncontrolled_hypertension": "hypertension",
    "heart_failure": "cardiovascular_disease",
    "myocardial_infarction": "cardiovascular_disease",
    "arrhythmia": "cardiovascular_disease",
}

PATIENT_KEYS = frozenset(
    {
        "id", "description", "age_years", "sex", "ecog", "karnofsky",
        "life_expectancy_months", "conditions", "prior_therapies", "labs",
        "biomarkers", "flags",
    }
)
THERAPY_KEYS = frozenset({"drug", "drug_class", "weeks_since_last_dose", "duration_weeks"})
LAB_KEYS = frozenset({"value", "unit", "uln", "lln"})
BIOMARKER_KEYS = frozenset({"gene", "variant", "status", "kind", "assay", "value"})
BIOMARKER_STATUS = ("positive", "negative")


@dataclass(frozen=True)
class PriorTherapy:
    """One prior treatment; ``drug`` and ``drug_class`` are the names as written."""

    drug: str | None = None
    drug_class: str | None = None
    weeks_since_last_dose: float | None = None
    duration_weeks: float | None = None

    @property
    def label(self) -> str:
        return self.drug or self.drug_class or "?"


@dataclass(frozen=True)
class Lab:
    """A lab value: absolute in a UCUM ``unit``, or a multiple of ULN/LLN (``relative_to``)."""

    value: float
    unit: str | None
    relative_to: str | None = None  # "ULN" or "LLN" when the value is a multiple
    uln: float | None = None  # the upper limit of normal, in ``unit``
    lln: float | None = None

    def multiple_of(self, reference: str) -> float | None:
        """This value as a multiple of ULN or LLN, when the file says enough."""
        if self.relative_to == reference:
            return self.value
        if self.relative_to is None:
            limit = self.uln if reference == "ULN" else self.lln
            if limit:
                return self.value / limit
        return None

    def describe(self) -> str:
        if self.relative_to:
            return f"{_num(self.value)} x {self.relative_to}"
        return f"{_num(self.value)} {self.unit or ''}".strip()


@dataclass(frozen=True)
class PatientBiomarker:
    gene: str
    variant: str | None = None
    status: str = "positive"
    kind: str | None = None


@dataclass
class Patient:
    """A validated patient file. ``None`` means "not given": the matcher cannot decide on it."""

    id: str | None = None
    age_years: float | None = None
    sex: str | None = None  # FEMALE or MALE
    ecog: int | None = None
    karnofsky: int | None = None
    life_expectancy_months: float | None = None
    conditions: list[str] | None = None
    prior_therapies: list[PriorTherapy] | None = None
    labs: dict[str, Lab] = field(default_factory=dict)
    biomarkers: list[PatientBiomarker] | None = None
    flags: dict[str, bool] = field(default_factory=dict)

    def flag(self, name: str) -> TV:
        """A yes/no fact, including what other flags imply (brain metastases are CNS ones)."""
        value = self.flags.get(name)
        if value is not None:
            return value
        narrower = [k for k, v in FLAG_IMPLIES.items() if v == name]
        if any(self.flags.get(k) is True for k in narrower):
            return True
        broader = FLAG_IMPLIES.get(name)
        if broader and self.flags.get(broader) is False:
            return False  # no CNS metastases: no brain metastases either
        return None


def load_patient(path: str | Path) -> Patient:
    """Read and validate a patient JSON file (``-`` reads stdin)."""
    name = str(path)
    try:
        raw = sys.stdin.buffer.read() if name == "-" else Path(path).read_bytes()
        data = json.loads(to_utf8(raw, file=name), parse_int=_patient_int)
    except OSError as exc:
        raise PatientError(f"cannot read the patient file: {exc.strerror or exc}", file=name) from exc
    except UnicodeDecodeError as exc:
        raise PatientError(not_utf8(exc), file=name) from None
    except json.JSONDecodeError as exc:
        raise PatientError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", file=name) from exc
    except RecursionError:
        raise PatientError(f"nested deeper than {MAX_DEPTH} levels: refused", file=name) from None
    except TrialKGError as exc:
        raise PatientError(exc.message, file=name, field=exc.field) from None
    try:
        check_depth(data)
    except TrialKGError as exc:
        raise PatientError(exc.message, file=name, field=exc.field) from None
    return parse_patient(data, file=name)


def _patient_int(text: str) -> int:
    """JSON integers of a patient file: a value of more than 18 digits is no measurement."""
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise PatientError(f"a number of {len(text.lstrip('-'))} digits is not a patient value")
    return int(text)


def parse_patient(data: Any, *, file: str | None = None) -> Patient:
    """Validate a decoded patient document: unknown keys, wrong types, impossible values."""

    def fail(fld: str, message: str) -> PatientError:
        return PatientError(message, file=file, field=fld)

    if not isinstance(data, dict):
        raise fail("(top level)", f"must be a JSON object, got {_json_type(data)}")
    unknown = sorted(set(data) - PATIENT_KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown key (known keys: {', '.join(sorted(PATIENT_KEYS))})")

    p = Patient()
    p.id = _opt_str(data, "id", fail)
    _opt_str(data, "description", fail)
    p.age_years = _opt_number(data, "age_years", fail, low=0, high=130)
    if data.get("sex") is not None:
        sex = data["sex"]
        if not isinstance(sex, str) or sex.strip().upper() not in ("FEMALE", "MALE"):
            raise fail("sex", f"must be FEMALE or MALE, got {json.dumps(sex)}")
        p.sex = sex.strip().upper()
    p.ecog = _opt_int(data, "ecog", fail, low=0, high=5)
    p.karnofsky = _opt_int(data, "karnofsky", fail, low=0, high=100)
    if p.karnofsky is not None and p.karnofsky % 10:
        raise fail("karnofsky", f"must be a multiple of 10 (0-100), got {p.karnofsky}")
    p.life_expectancy_months = _opt_number(data, "life_expectancy_months", fail, low=0, high=1200)

    if data.get("conditions") is not None:
        conds = data["conditions"]
        if not isinstance(conds, list) or not all(isinstance(c, str) and c.strip() for c in conds):
            raise fail("conditions", "must be a list of non-empty strings")
        p.conditions = [c.strip() for c in conds]

    if data.get("prior_therapies") is not None:
        p.prior_therapies = _parse_therapies(data["prior_therapies"], fail)
    if data.get("labs") is not None:
        p.labs = _parse_labs(data["labs"], fail)
    if data.get("biomarkers") is not None:
        p.biomarkers = _parse_biomarkers(data["biomarkers"], fail)
    if data.get("flags") is not None:
        flags = data["flags"]
        if not isinstance(flags, dict):
            raise fail("flags", f"must be an object of name: true/false, got {_json_type(flags)}")
        for name, value in flags.items():
            if name not in KNOWN_FLAGS:
                raise fail(f"flags.{name}", f"unknown flag (known flags: {', '.join(sorted(KNOWN_FLAGS))})")
            if value is None:
                continue
            if not isinstance(value, bool):
                raise fail(f"flags.{name}", f"must be true or false, got {json.dumps(value)}")
            p.flags[name] = value
    if p.sex == "MALE" and p.flags.get("pregnant") is True:
        raise fail("flags.pregnant", "a MALE patient cannot be pregnant")
    return p


def _parse_therapies(items: Any, fail: Any) -> list[PriorTherapy]:
    if not isinstance(items, list):
        raise fail("prior_therapies", f"must be a list of objects, got {_json_type(items)}")
    out = []
    for i, item in enumerate(items):
        where = f"prior_therapies[{i}]"
        if not isinstance(item, dict):
            raise fail(where, f"must be an object, got {_json_type(item)}")
        unknown = sorted(set(item) - THERAPY_KEYS)
        if unknown:
            raise fail(f"{where}.{unknown[0]}", f"unknown key (known keys: {', '.join(sorted(THERAPY_KEYS))})")
        drug = _opt_str(item, "drug", fail, prefix=where)
        drug_class = _opt_str(item, "drug_class", fail, prefix=where)
        if not drug and not drug_class:
            raise fail(where, "needs a 'drug' or a 'drug_class'")
        weeks = _opt_number(item, "weeks_since_last_dose", fail, low=0, high=5200, prefix=where)
        duration = _opt_number(item, "duration_weeks", fail, low=0, high=5200, prefix=where)
        out.append(PriorTherapy(drug, drug_class, weeks, duration))
    return out


def _parse_labs(labs: Any, fail: Any) -> dict[str, Lab]:
    if not isinstance(labs, dict):
        raise fail("labs", f"must be an object of name: {{value, unit}}, got {_json_type(labs)}")
    out: dict[str, Lab] = {}
    for raw_name, obj in labs.items():
        where = f"labs.{raw_name}"
        name = LAB_ALIASES.get(raw_name.strip().lower(), raw_name.strip().lower())
        if name not in KNOWN_LABS:
            raise fail(where, f"unknown lab or vital (known: {', '.join(sorted(KNOWN_LABS))})")
        if not isinstance(obj, dict):
            raise fail(where, f"must be an object with 'value' and 'unit', got {_json_type(obj)}")
        unknown = sorted(set(obj) - LAB_KEYS)
        if unknown:
            raise fail(f"{where}.{unknown[0]}", f"unknown key (known keys: {', '.join(sorted(LAB_KEYS))})")
        if "value" not in obj:
            raise fail(f"{where}.value", "missing")
        value = _opt_number(obj, "value", fail, low=None, high=None, prefix=where)
        assert value is not None
        unit_raw = obj.get("unit")
        if unit_raw is not None and not isinstance(unit_raw, str):
            raise fail(f"{where}.unit", f"must be a string, got {_json_type(unit_raw)}")
        relative, unit = _parse_lab_unit(unit_raw)
        if relative is None and unit is not None and not known_unit(unit, name):
            raise fail(f"{where}.unit", f"unknown unit {json.dumps(unit_raw)} for {name} (use UCUM, e.g. 10*9/L, g/dL, umol/L, or 'x ULN')")
        if value < 0:
            raise fail(f"{where}.value", f"cannot be negative, got {_num(value)}")
        if name in ("lvef", "oxygen_saturation") and relative is None and unit == "%" and value > 100:
            raise fail(f"{where}.value", f"a percentage cannot exceed 100, got {_num(value)}")
        uln = _opt_number(obj, "uln", fail, low=0, high=None, prefix=where)
        lln = _opt_number(obj, "lln", fail, low=0, high=None, prefix=where)
        if (uln == 0) or (lln == 0):
            raise fail(f"{where}.{'uln' if uln == 0 else 'lln'}", "must be greater than 0")
        if relative and (uln or lln):
            raise fail(where, "give 'uln'/'lln' only with an absolute value, not with a multiple")
        out[name] = Lab(value=value, unit=unit, relative_to=relative, uln=uln, lln=lln)
    return out


def _parse_biomarkers(items: Any, fail: Any) -> list[PatientBiomarker]:
    if not isinstance(items, list):
        raise fail("biomarkers", f"must be a list of objects, got {_json_type(items)}")
    out = []
    for i, item in enumerate(items):
        where = f"biomarkers[{i}]"
        if not isinstance(item, dict):
            raise fail(where, f"must be an object, got {_json_type(item)}")
        unknown = sorted(set(item) - BIOMARKER_KEYS)
        if unknown:
            raise fail(f"{where}.{unknown[0]}", f"unknown key (known keys: {', '.join(sorted(BIOMARKER_KEYS))})")
        gene = _opt_str(item, "gene", fail, prefix=where)
        if not gene:
            raise fail(f"{where}.gene", "missing")
        status = (_opt_str(item, "status", fail, prefix=where) or "positive").lower()
        if status not in BIOMARKER_STATUS:
            raise fail(f"{where}.status", f"must be positive or negative, got {json.dumps(item['status'])}")
        _opt_str(item, "assay", fail, prefix=where)
        if item.get("value") is not None:
            _opt_number(item, "value", fail, low=None, high=None, prefix=where)
        out.append(
            PatientBiomarker(
                gene=gene.strip().upper(),
                variant=_opt_str(item, "variant", fail, prefix=where),
                status=status,
                kind=_opt_str(item, "kind", fail, prefix=where),
            )
        )
    return out


def _opt_str(obj: Mapping[str, Any], key: str, fail: Any, prefix: str = "") -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise fail(f"{prefix}.{key}" if prefix else key, f"must be a string, got {_json_type(value)}")
    return value.strip() or None


def _opt_number(
    obj: Mapping[str, Any], key: str, fail: Any, *, low: float | None, high: float | None, prefix: str = ""
) -> float | None:
    value = obj.get(key)
    where = f"{prefix}.{key}" if prefix else key
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise fail(where, f"must be a number, got {json.dumps(value)}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise fail(where, f"impossible value {_num(value)} (allowed {_num(low)} to {_num(high)})")
    return float(value)


def _opt_int(obj: Mapping[str, Any], key: str, fail: Any, *, low: int, high: int) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (isinstance(value, float) and not value.is_integer()):
        raise fail(key, f"must be a whole number from {low} to {high}, got {json.dumps(value)}")
    if not low <= value <= high:
        raise fail(key, f"impossible value {_num(value)} (allowed {low} to {high})")
    return int(value)


def _json_type(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__
    )


def _num(value: float | int | None) -> str:
    if value is None:
        return "any"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# =============================================================================
# Units
# =============================================================================

_RELATIVE_UNIT = re.compile(r"^\s*(?:x|×|\*)?\s*(ULN|LLN)\s*$", re.IGNORECASE)


def _parse_lab_unit(unit: str | None) -> tuple[str | None, str | None]:
    """('ULN', None) for 'x ULN'; (None, normalised UCUM) otherwise."""
    if unit is None or not unit.strip():
        return None, None
    m = _RELATIVE_UNIT.match(unit)
    if m:
        return m.group(1).upper(), None
    return None, normalise_unit(unit)


# =============================================================================
# What the graph says: trials, criteria, constraints, drugs and classes
# =============================================================================

_CLASS_TO_TYPE = {
    "AgeConstraint": "age", "SexConstraint": "sex", "PerformanceStatusConstraint": "performance_status",
    "NumericConstraint": "numeric", "PriorTherapyConstraint": "prior_therapy",
    "HistologyConstraint": "histology", "BiomarkerConstraint": "biomarker",
    "DiseaseStateConstraint": "disease_state", "LifeExpectancyConstraint": "life_expectancy",
    "ReproductiveConstraint": "reproductive", "ConsentConstraint": "consent",
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


# Therapy modalities (criteria lexicon) given as drugs, which a patient file would list.
DRUG_MODALITIES = frozenset({"chemotherapy", "immunotherapy", "targeted therapy", "hormonal therapy", "systemic therapy",
                             "biologic therapy", "neoadjuvant or adjuvant therapy", "investigational agent"})

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


def read_trials(store: Any, trial_id: str | None = None) -> list[TrialFacts]:
    """Each trial's structured limits, criteria and constraints, read with SPARQL."""
    # one trial: ?id is pre-bound (a substitution, never pasted into the query text)
    bindings = {"id": _literal(trial_id)} if trial_id else None
    trials: dict[str, TrialFacts] = {}
    q_trials = PREFIXES + """
SELECT ?trial ?id ?title ?minAge ?maxAge ?sex WHERE {
  ?trial a tkg:Trial ; tkg:trialId ?id .
  OPTIONAL { ?trial dcterms:title ?title }
  OPTIONAL { ?trial rdfs:label ?title }
  OPTIONAL { ?trial tkg:minimumAgeYears ?minAge }
  OPTIONAL { ?trial tkg:maximumAgeYears ?maxAge }
  OPTIONAL { ?trial tkg:sex ?sex }
}"""
    for row in store.query(q_trials, bindings):
        tid = str(term_value(row["id"]))
        if tid in trials:
            continue
        trials[tid] = TrialFacts(
            id=tid,
            iri=row["trial"].value,
            title=term_value(row["title"]),
            min_age_years=_as_float(term_value(row["minAge"])),
            max_age_years=_as_float(term_value(row["maxAge"])),
            sex=(str(term_value(row["sex"])).upper() if row["sex"] is not None else None),
        )
    if not trials:
        return []
    by_iri = {t.iri: t for t in trials.values()}

    q_criteria = PREFIXES + """
SELECT ?id ?trial ?c ?p ?o WHERE {
  ?trial a tkg:Trial ; tkg:trialId ?id ; tkg:hasCriterion ?c .
  ?c ?p ?o .
  FILTER(?p != tkg:hasConstraint)
}"""
    props: dict[str, dict[str, list[Any]]] = {}
    owner: dict[str, str] = {}
    for row in store.query(q_criteria, bindings):
        c_iri = row["c"].value
        owner.setdefault(c_iri, row["trial"].value)
        local = re.split(r"[#/]", row["p"].value)[-1]
        values = props.setdefault(c_iri, {}).setdefault(local, [])
        value = term_value(row["o"])
        if value not in values:
            values.append(value)
    crit_by_iri: dict[str, Criterion] = {}
    for c_iri, cp in props.items():
        trial = by_iri.get(owner[c_iri])
        if trial is None:
            continue
        crit = _criterion(c_iri, cp)
        crit_by_iri[c_iri] = crit
        trial.criteria.append(crit)

    q_constraints = PREFIXES + """
SELECT ?id ?c ?k ?p ?o WHERE {
  ?trial a tkg:Trial ; tkg:trialId ?id ; tkg:hasCriterion ?c .
  ?c tkg:hasConstraint ?k .
  ?k ?p ?o .
}"""
    cons_by_iri: dict[str, Constraint] = {}
    for row in store.query(q_constraints, bindings):
        crit = crit_by_iri.get(row["c"].value)
        if crit is None:
            continue
        k_iri = row["k"].value
        con = cons_by_iri.get(k_iri)
        if con is None:
            con = cons_by_iri[k_iri] = Constraint(k_iri)
            crit.constraints.append(con)
        local = re.split(r"[#/]", row["p"].value)[-1]
        value = term_value(row["o"])
        values = con.props.setdefault(local, [])
        if value not in values:
            values.append(value)
    for trial in trials.values():
        trial.criteria.sort(key=lambda c: (c.section != "inclusion", c.position, _natural(c.id)))
        for crit in trial.criteria:
            crit.constraints.sort(key=lambda k: _natural(k.iri))
    return sorted(trials.values(), key=lambda t: t.id)


def read_conditions(store: Any, trials: Iterable[TrialFacts]) -> None:
    """Fill each trial's ``conditions`` (``tkg:hasCondition`` labels) and ``age_limits_source``."""
    by_id = {t.id: t for t in trials}
    if not by_id:
        return
    q = PREFIXES + """
SELECT ?id ?label ?source WHERE {
  ?trial a tkg:Trial ; tkg:trialId ?id .
  { ?trial tkg:hasCondition ?c . ?c rdfs:label ?label } UNION { ?trial tkg:ageLimitsSource ?source }
}"""
    bindings = {"id": _literal(next(iter(by_id)))} if len(by_id) == 1 else None
    for row in store.query(q, bindings):
        trial = by_id.get(str(term_value(row["id"])))
        if trial is not None and row["source"] is not None:
            trial.age_limits_source = str(term_value(row["source"]))
            continue
        label = str(term_value(row["label"])).strip() if row["label"] is not None else ""
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
    )


def _literal(value: str) -> Any:
    import pyoxigraph as ox

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


class DrugKnowledge:
    """Drugs and drug classes from the reference graph, to resolve a patient's prior therapies.

    A patient's drug name goes through the same normaliser as interventions (salts,
    code names, synonyms), then to its ``tkr:drug/...`` IRI; class membership is
    ``tkg:inDrugClass/skos:broader*`` in the graph, so the reason for a catch is a path
    of triples.
    """

    def __init__(self, store: Any) -> None:
        self._direct: dict[str, set[str]] = {}  # drug IRI -> tkg:inDrugClass
        self._broader: dict[str, set[str]] = {}  # class IRI -> skos:broader
        self._labels: dict[str, str] = {}
        self._drug_names: dict[str, str] = {}  # lower-case name -> drug IRI
        self._class_names: dict[str, str] = {}  # lower-case name/key -> class IRI
        drug_ns, class_ns = iris.TKR + "drug/", iris.TKR + "drugclass/"
        for row in store.query(PREFIXES + "SELECT ?d ?c WHERE { ?d tkg:inDrugClass ?c }"):
            self._direct.setdefault(row["d"].value, set()).add(row["c"].value)
        for row in store.query(PREFIXES + "SELECT ?c ?p WHERE { ?c skos:broader ?p }"):
            if row["c"].value.startswith(class_ns):
                self._broader.setdefault(row["c"].value, set()).add(row["p"].value)
        q = PREFIXES + f"""
SELECT ?x ?name ?kind WHERE {{
  {{ ?x rdfs:label ?name BIND("label" AS ?kind) }} UNION {{ ?x skos:prefLabel ?name BIND("label" AS ?kind) }}
  UNION {{ ?x skos:altLabel ?name BIND("alt" AS ?kind) }} UNION {{ ?x tkg:codeName ?name BIND("alt" AS ?kind) }}
  UNION {{ ?x tkg:saltForm ?name BIND("alt" AS ?kind) }} UNION {{ ?x tkg:classKey ?name BIND("key" AS ?kind) }}
  FILTER(STRSTARTS(STR(?x), "{drug_ns}") || STRSTARTS(STR(?x), "{class_ns}"))
}}"""
        for row in store.query(q):
            x, name = row["x"].value, row["name"].value.strip()
            table = self._drug_names if x.startswith(drug_ns) else self._class_names
            table.setdefault(name.lower(), x)
            if row["kind"].value == "label":
                self._labels.setdefault(x, name)

    def label(self, iri: str) -> str:
        return self._labels.get(iri) or iri.rstrip("/").rsplit("/", 1)[-1]

    def resolve_drug(self, name: str) -> list[str]:
        """Drug IRIs a written name stands for ('Apatinib Mesylate', 'rivoceranib' -> apatinib)."""
        resolution = normalise_intervention_name(name)
        found = [iris.drug(d) for d in (getattr(resolution, "drugs", None) or [])]
        if not found:
            hit = self._drug_names.get(name.strip().lower())
            if hit:
                found = [hit]
        return found

    def resolve_class(self, name: str) -> str | None:
        key = name.strip().lower()
        return self._class_names.get(key) or self._class_names.get(iris.slug(name))

    def classes_of(self, drug_iri: str) -> set[str]:
        """The drug's classes and all their ancestors (``tkg:inDrugClass/skos:broader*``)."""
        out: set[str] = set()
        for c in self._direct.get(drug_iri, set()):
            out |= self.class_ancestors(c)
        return out

    def class_ancestors(self, class_iri: str) -> set[str]:
        seen = {class_iri}
        todo = [class_iri]
        while todo:
            for parent in self._broader.get(todo.pop(), set()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen


# =============================================================================
# Deciding
# =============================================================================


@dataclass
class Reason:
    criterion: str
    text: str
    outcome: Outcome
    section: str
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {"criterion": self.criterion, "text": self.text, "outcome": self.outcome,
                "section": self.section, "why": self.why}


@dataclass
class MatchResult:
    trial: str
    title: str | None
    verdict: Verdict
    reasons: list[Reason]
    fit: int = diseases.FIT_UNKNOWN  # how the patient's diagnoses stand to the trial's conditions

    @property
    def unmet(self) -> list[Reason]:
        return [r for r in self.reasons if r.outcome == "unmet"]

    @property
    def unknown(self) -> list[Reason]:
        return [r for r in self.reasons if r.outcome == "unknown"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "trial": self.trial,
            "title": self.title,
            "verdict": self.verdict,
            "unmet": len(self.unmet),
            "unknown": len(self.unknown),
            "met": len(self.met),
            "condition_fit": diseases.FIT_NAMES[self.fit],
            "reasons": [r.to_dict() for r in self.reasons],
        }

    @property
    def met(self) -> list[Reason]:
        return [r for r in self.reasons if r.outcome == "met"]

    def sort_key(self) -> tuple[Any, ...]:
        """What is known to fit first: verdict, then the trial's conditions (the patient's
        type named, a related type, any tumour, not known), then the share of criteria met.

        A trial without criteria in the graph has nothing known to fit and comes last of
        its group; excluded trials are ordered by how many criteria count against.
        """
        rank = {"eligible": 0, "possible": 1, "excluded": 2}[self.verdict]
        met, unknown = len(self.met), len(self.unknown)
        no_criteria = any(r.criterion == "criteria" for r in self.reasons)
        share = 0.0 if no_criteria or not met + unknown else met / (met + unknown)
        if rank == 2:
            return (rank, len(self.unmet), self.fit, -share, self.trial)
        return (rank, self.fit, -round(share, 6), -met, self.trial)


def tv_and(values: Iterable[TV]) -> TV:
    values = list(values)
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def tv_or(values: Iterable[TV]) -> TV:
    values = list(values)
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def tv_not(value: TV) -> TV:
    return None if value is None else not value


def compare(x: float, comparator: str | None, value: float | None, value2: float | None = None) -> TV:
    """``x <comparator> value`` with a little slack for unit-conversion rounding."""
    if value is None:
        return None
    eps = 1e-9 * max(1.0, abs(value))
    op = (comparator or "").strip()
    op = {"≥": ">=", "≤": "<=", "=>": ">=", "=<": "<=", "==": "="}.get(op, op)
    if op == ">=":
        return x >= value - eps
    if op == "<=":
        return x <= value + eps
    if op == ">":
        return x > value + eps
    if op == "<":
        return x < value - eps
    if op == "=":
        return abs(x - value) <= eps
    if op == "between" and value2 is not None:
        lo, hi = sorted((value, value2))
        return lo - eps <= x <= hi + eps
    return None


@dataclass
class Statement:
    """A constraint evaluated for one patient: does what it states hold?"""

    value: TV
    why: str
    condition: str | None = None  # applies_if text
    condition_value: TV = None  # does the patient meet applies_if
    group: str = ""  # constraints of one group override each other by condition
    neutral: bool = False  # says nothing for or against (sex: ALL)
    alternative: int | None = None  # tkg:alternativeGroup: 'or' within the group


@dataclass
class _Window:
    """How a prior-therapy constraint's window and exposure bounds judge one therapy."""

    days: float | None
    washout: bool
    comparable: bool  # counted from entry (or unanchored): weeks since last dose apply
    inclusion_window: bool
    min_days: float | None
    max_days: float | None
    strict_min: bool
    qualified: bool
    limit: bool  # a maximum exposure in a requirement: a bound, not a call for the drug
    max_lines: int | None = None  # tkg:maxLines: a bound on prior lines
    min_lines: int | None = None  # tkg:minLines

    @classmethod
    def of(cls, k: Constraint, wants_true: bool) -> _Window:
        days = k.num("windowDays")
        if days is None:
            days = duration_days(k.one("window"))
        anchor = k.one("anchor")
        washout = days is not None and k.one("windowKind") == "washout"
        min_days, max_days = duration_days(k.one("minExposure")), duration_days(k.one("maxExposure"))
        return cls(days, washout, anchor in (None, "study_entry"), wants_true and days is not None and not washout,
                   min_days, max_days, bool(k.one("exposureStrict")),
                   bool(k.one("qualified")) and days is None and min_days is None and max_days is None,
                   wants_true and max_days is not None and days is None,
                   int(k.num("maxLines")) if k.num("maxLines") is not None else None,
                   int(k.num("minLines")) if k.num("minLines") is not None else None)

    def judge(self, therapy: PriorTherapy, hit: TV) -> tuple[TV, list[str]]:
        """(value, notes): for a washout or a limit, whether this therapy keeps to it;
        otherwise whether it is the exposure the constraint states."""
        parts = [therapy.label]
        value: TV = hit
        if self.days is not None:
            weeks = therapy.weeks_since_last_dose
            within: TV = None if weeks is None or not self.comparable else weeks * 7 <= self.days + 1e-9
            if not self.comparable:
                parts.append(f"window of {_num(round(self.days))} d counted from another event (tkg:anchor)")
            else:
                parts.append(f"last dose {_num(weeks)} wk ago vs window {_num(round(self.days))} d: {_tv_word(within)}")
            if self.washout:
                return tv_not(tv_and([hit, within])), parts
            if self.inclusion_window and within is False:
                within = None
                parts.append("a window in an inclusion criterion may date progression, not the last dose")
            value = tv_and([value, within])
        weeks_on = therapy.duration_weeks
        if self.max_days is not None:
            short: TV = None if weeks_on is None else weeks_on * 7 <= self.max_days + 1e-9
            parts.append(f"{_num(weeks_on)} wk vs at most {_num(round(self.max_days))} d: {_tv_word(short)}")
            if self.limit:
                return tv_or([tv_not(hit), short]), parts
            value = tv_and([value, short])
        if self.min_days is not None:
            if weeks_on is None:
                long_enough: TV = None
            else:
                d = weeks_on * 7
                long_enough = d > self.min_days + 1e-9 if self.strict_min else d >= self.min_days - 1e-9
            parts.append(f"{_num(weeks_on)} wk vs {'more than ' if self.strict_min else 'at least '}"
                         f"{_num(round(self.min_days))} d: {_tv_word(long_enough)}")
            value = tv_and([value, long_enough])
        if hit is None:
            parts.append("class of this drug unknown")
        if self.qualified and value is True:
            value = None
            parts.append("the text qualifies it (failure, intolerance, reason for stopping: tkg:qualified)")
        return value, parts


class Matcher:
    """Decides one patient against trials read from a store."""

    def __init__(self, patient: Patient, knowledge: DrugKnowledge) -> None:
        self.patient = patient
        self.knowledge = knowledge
        self._therapy_drugs: list[tuple[PriorTherapy, list[str], set[str]]] = []
        for t in patient.prior_therapies or []:
            drugs = knowledge.resolve_drug(t.drug) if t.drug else []
            classes: set[str] = set()
            for d in drugs:
                classes |= knowledge.classes_of(d)
            if t.drug_class:
                c = knowledge.resolve_class(t.drug_class)
                if c:
                    classes |= knowledge.class_ancestors(c)
            self._therapy_drugs.append((t, drugs, classes))
        # the patient's marker status per HGNC symbol, for conditions that name one ("HER2-positive ...")
        self._markers: dict[str, bool] = {}
        for b in patient.biomarkers or []:
            genes = biomarkers.gene_symbols(b.gene)
            if not b.variant and (len(genes) == 1 or b.status == "negative"):
                self._markers.update({g: b.status == "positive" for g in genes})

    # -- trials ----------------------------------------------------------------
    def match(self, trial: TrialFacts) -> MatchResult:
        fit = (diseases.condition_fit(self.patient.conditions, trial.conditions, markers=self._markers)
               if trial.conditions else None)
        reasons = [self._age_limits(trial), self._sex_limit(trial), self._condition_reason(trial, fit)]
        reasons = [r for r in reasons if r is not None]
        self._trial = trial
        self._histology_seen: dict[bool, set[str]] = {}
        judged = [(crit, self.criterion(crit)) for crit in trial.criteria]
        _alternative_sets(judged)
        _parts(judged)
        reasons += self._histology_strata([r for _c, r in judged])
        if not trial.criteria:  # a source without the criteria text cannot make anyone eligible
            reasons.append(Reason("criteria", "Eligibility criteria", "unknown", "inclusion",
                                  "the graph holds no criteria for this trial (tkg:hasCriterion)"))
        if any(r.outcome == "unmet" for r in reasons):
            verdict: Verdict = "excluded"
        elif any(r.outcome == "unknown" for r in reasons):
            verdict = "possible"
        else:
            verdict = "eligible"
        return MatchResult(trial.id, trial.title, verdict, reasons, fit.tier if fit else diseases.FIT_UNKNOWN)

    def _histology_strata(self, reasons: list[Reason]) -> list[Reason]:
        """Inclusion criteria naming different types are strata: matching one is enough.

        "Part 1: ... relapsed or refractory solid tumors" and "Part 2b: ... soft tissue
        sarcoma, desmoplastic small round cell tumor" (NCT01130623); "Histological
        documentation of soft tissue sarcoma" and "ONLY HER2-RH- breast cancer" in one
        procedure (NCT01165385). A type outside one stratum counts against the patient
        only when no other inclusion criterion places the patient's type within its own.
        """
        within, outside = self._histology_seen.get(True, set()), self._histology_seen.get(False, set())
        if not within or not outside:
            return reasons
        out = []
        for r in reasons:
            if r.criterion in outside and r.outcome == "unmet" and r.section == "inclusion":
                r = Reason(r.criterion, r.text, "unknown", r.section,
                           f"{r.why}; another inclusion criterion ({', '.join(sorted(within))}) names the patient's type")
            out.append(r)
        return out

    def _condition_reason(self, trial: TrialFacts, fit: diseases.Fit | None) -> Reason | None:
        """The trial's conditions (``tkg:hasCondition``) against the patient's diagnoses."""
        if fit is None:
            return None
        text = "Conditions: " + "; ".join(trial.conditions)
        outcome: Outcome = "met" if fit.value is True else "unmet" if fit.value is False else "unknown"
        return Reason("conditions", text, outcome, "inclusion", fit.why)

    def _age_limits(self, trial: TrialFacts) -> Reason | None:
        lo, hi = trial.min_age_years, trial.max_age_years
        if lo is None and hi is None:
            return None
        where = "from the inclusion criteria, tkg:ageLimitsSource" if trial.age_limits_source == "criteria" else "registry limits"
        text = f"Age {_num(lo) if lo is not None else 'any'} to {_num(hi) if hi is not None else 'any'} years ({where})"
        age = self.patient.age_years
        if age is None:
            return Reason("age-limits", text, "unknown", "inclusion", "the patient file gives no age")
        years = math.floor(age)
        ok = (lo is None or years >= lo) and (hi is None or years <= hi)
        return Reason("age-limits", text, "met" if ok else "unmet", "inclusion",
                      f"age {_num(age)} {'within' if ok else 'outside'} {_num(lo)}-{_num(hi)} (tkg:minimumAgeYears/tkg:maximumAgeYears)")

    def _sex_limit(self, trial: TrialFacts) -> Reason | None:
        if trial.sex in (None, "", "ALL"):
            return None
        text = f"Sex: {trial.sex} (registry limits)"
        if self.patient.sex is None:
            return Reason("sex-limit", text, "unknown", "inclusion", "the patient file gives no sex")
        ok = self.patient.sex == trial.sex
        return Reason("sex-limit", text, "met" if ok else "unmet", "inclusion",
                      f"patient {self.patient.sex}, trial {trial.sex} (tkg:sex)")

    # -- criteria --------------------------------------------------------------
    def criterion(self, crit: Criterion) -> Reason:
        """A criterion's outcome: met / unmet (counts against the patient) / unknown / n/a.

        Decided from the criterion's facts only: its role (what it wants of its subject
        constraints), its condition (``tkg:appliesIf``, ``tkg:conditionFact`` and the
        constraints with the role ``condition``), its exception, its alternatives and
        strictness, and its scope (a later step is no entry criterion).
        """
        def reason(outcome: Outcome, why: str) -> Reason:
            return Reason(crit.id, crit.text, outcome, crit.section, why)

        if crit.role == "information":
            return reason("n/a", "information, no criterion (tkg:criterionRole tkg:Information)")
        if not crit.entry:
            return reason("n/a", f"{crit.scope}: a later step, not an entry criterion (tkg:entryCriterion false)")
        subject = [k for k in crit.constraints if k.role == "subject" and k.type not in ("unparsed", "drug_mention")]
        if not subject:
            return reason("unknown", "no rule understood this criterion")
        condition = self._condition(crit)
        if condition is False:
            return reason("n/a", f"applies if {crit.applies_if}: no")
        wants_true = crit.role != "exclusion"
        statements = self._statements(crit, subject, wants_true)
        value = self._combine(statements, wants_true)
        why = "; ".join(s.why for s in statements)
        if crit.negation_scope == "criterion":
            why = f"negated: {why}"
        if crit.role == "permission":  # admits what it names, never excludes
            return reason("met" if value is True else "n/a", f"permission: {why}")
        outcome: Outcome = "unknown" if value is None else ("met" if value == wants_true else "unmet")
        if condition is None and crit.applies_if:
            why += f" [applies if {crit.applies_if}: unknown]"
            outcome = "unknown" if outcome == "unmet" else outcome
        elif crit.applies_if:
            why += f" [applies if {crit.applies_if}: yes]"
        if outcome == "unmet":
            outcome, why = self._unmet_softened(crit, why)
        return reason(outcome, why)

    def _unmet_softened(self, crit: Criterion, why: str) -> tuple[Outcome, str]:
        """An unmet outcome the criterion's own facts keep from deciding."""
        exception = [k for k in crit.constraints if k.role == "exception" and k.type != "unparsed"]
        if crit.exception:
            ev = tv_and(self.constraint(k).value for k in exception) if exception else None
            if ev is True:
                return "n/a", f"{why}; the exception holds: {crit.exception}"
            if ev is None:
                return "unknown", f"{why}; the exception ({crit.exception}) may hold"
        permits = [k for k in crit.constraints if k.role == "permission" and k.type not in ("unparsed", "drug_mention")]
        if permits and not self._named_drug_hit(crit):
            stated = [self.constraint(k, True) for k in permits]
            pv = tv_and(st.value if st.condition is None or st.condition_value is True else
                        (None if st.value is not False else False) for st in stated)
            if pv is True:
                return "n/a", f"{why}; a later sentence permits it and holds"
            if pv is None:
                return "unknown", f"{why}; a later sentence permits some patients (constraint role permission)"
        if crit.open_alternative and crit.section == "inclusion":
            return "unknown", f"{why}; the text offers an alternative that no constraint captures (tkg:openAlternative)"
        if crit.strictness == "preferred":
            return "unknown", f"{why}; a preference, not a requirement (tkg:strictness)"
        return "unmet", why

    def _named_drug_hit(self, crit: Criterion) -> bool:
        """Whether a drug the criterion names as its subject is one the patient had: a later
        sentence permitting "other" drugs of its class does not lift that ("Prior use of
        pazopanib ... Prior therapy with other angiogenesis inhibitors is permitted",
        NCT00722293; "Prior therapy with axitinib. Patients are permitted to have received
        prior TKI therapy", NCT02636725)."""
        named = {str(d) for k in crit.constraints if k.role == "subject" for d in k.all("priorDrug")}
        return any(named & set(t_drugs) for _t, t_drugs, _c in self._therapy_drugs)

    def _condition(self, crit: Criterion) -> TV:
        """Does the criterion's condition hold for the patient? True without a condition."""
        if not crit.applies_if:
            return True
        values: list[TV] = []
        for fact in crit.condition_facts:
            values.append(self._fact(fact))
        if any(v is True for v in values):
            value: TV = True
        elif values and all(v is False for v in values):
            value = False
        else:
            cons = [k for k in crit.constraints if k.role == "condition" and k.type not in ("unparsed", "drug_mention")]
            value = tv_and(self._condition_value(k) for k in cons) if cons else None
            if values and value is not True:
                value = None
        return tv_not(value) if crit.condition_negated else value

    def _condition_value(self, k: Constraint) -> TV:
        """A condition constraint for this patient. A histology condition names the types
        the criterion is for: a patient with none of them is not concerned."""
        if k.type == "histology" and k.all("histology") and self.patient.conditions is not None:
            named = [str(h) for h in k.all("histology")]
            v, _why = diseases.has_histology(self.patient.conditions, named, " ".join(named))
            return v
        return self.constraint(k).value

    def _fact(self, fact: str) -> TV:
        if fact.startswith("sex:"):
            return None if self.patient.sex is None else self.patient.sex == fact[4:]
        if fact == "childbearing_potential" and self.patient.sex == "MALE" and self.patient.flag(fact) is None:
            return False
        return self.patient.flag(fact) if fact in KNOWN_FLAGS else None

    def _statements(self, crit: Criterion, subject: list[Constraint], wants_true: bool) -> list[Statement]:
        plain_requirement = crit.role in ("requirement", "permission") and crit.negation_scope != "criterion"
        plain_exclusion = crit.role == "exclusion" and crit.negation_scope != "criterion"
        statements = []
        for k in subject:
            # A bad state (comorbidity, CNS metastases) in a plain requirement is a call
            # for its absence ("HIV negative", "adequate renal function").
            absent = (plain_requirement and k.one("required") is False) or (wants_true and _is_bad_state(k))
            st = self.constraint(k, wants_true, absent_wanted=absent, crit=crit)
            if plain_exclusion and _is_good_state(k) and len(subject) > 1:
                continue  # "known metastatic brain tumours": 'metastatic' is incidental
            if plain_exclusion and _is_good_state(k) and st.value is True:
                st = Statement(None, f"{st.why} (a state trials require, named in an exclusion)")
            if st.neutral:
                st = Statement(wants_true, st.why, group=st.group)
            st.alternative = k.alternative
            statements.append(st)
        return statements

    def _combine(self, statements: list[Statement], wants_true: bool) -> TV:
        """Requirements must all hold, an exclusion's statements exclude if any holds;
        constraints of one ``tkg:alternativeGroup`` are joined by 'or'.

        Constraints that differ only by ``applies_if`` (ECOG 0-1, 0-2 for amputees;
        AST <= 2.5 x ULN, <= 5 x ULN with liver metastases) override each other: the
        conditional one decides for patients meeting the condition.
        """
        if not statements:
            return None
        if wants_true and any(s.alternative is not None for s in statements):
            alts: dict[Any, list[TV]] = {}
            for i, s in enumerate(statements):
                alts.setdefault(s.alternative if s.alternative is not None else f"own-{i}", []).append(s.value)
            return tv_and(tv_or(values) for values in alts.values())
        groups: dict[str, list[Statement]] = {}
        for s in statements:
            groups.setdefault(s.group, []).append(s)
        values = [self._group_value(g, wants_true) for g in groups.values()]
        return tv_and(values) if wants_true else tv_or(values)

    @staticmethod
    def _group_value(stmts: list[Statement], wants_true: bool) -> TV:
        plain = [s for s in stmts if s.condition is None]
        cond = [s for s in stmts if s.condition is not None]
        if not cond:
            return tv_and(s.value for s in plain) if wants_true else tv_or(s.value for s in plain)
        if not plain:
            # only conditional: "if condition then statement"
            if wants_true:
                return tv_and(tv_or([tv_not(s.condition_value), s.value]) for s in cond)
            return tv_or(tv_and([s.condition_value, s.value]) for s in cond)
        base = tv_and(s.value for s in plain) if wants_true else tv_or(s.value for s in plain)
        applying = [s for s in cond if s.condition_value is True]
        if applying:
            return tv_and(s.value for s in applying) if wants_true else tv_or(s.value for s in applying)
        if all(s.condition_value is False for s in cond):
            return base
        # condition unknown: decided only when both readings agree
        undecided = [s for s in cond if s.condition_value is None]
        alt = tv_and(s.value for s in undecided) if wants_true else tv_or(s.value for s in undecided)
        return base if base == alt else None

    # -- constraints -----------------------------------------------------------
    def constraint(
        self, k: Constraint, wants_true: bool = True, absent_wanted: bool = False, crit: Criterion | None = None
    ) -> Statement:
        kind = k.type
        handler = {
            "age": self._age, "sex": self._sex, "performance_status": self._performance,
            "numeric": self._numeric, "prior_therapy": self._prior_therapy,
            "histology": self._histology, "biomarker": self._biomarker,
            "disease_state": self._disease_state, "life_expectancy": self._life_expectancy,
            "reproductive": self._reproductive, "consent": self._consent,
        }.get(kind)
        if handler is None:
            st = Statement(None, f"{kind}: not decidable from a patient file")
        elif kind == "reproductive":
            st = self._reproductive(k, wants_true)
        elif kind == "prior_therapy":
            st = self._prior_therapy(k, wants_true)
        elif kind == "histology":
            st = self._histology(k, crit)
        elif kind == "consent":  # willingness is the good side in either section
            value = self.patient.flag("consent")
            st = Statement(value if wants_true else tv_not(value), f"informed consent: {_tv_word(value)}")
        else:
            st = handler(k)
        if absent_wanted:
            st = Statement(tv_not(st.value), f"absent: {st.why}")
        cond = k.one("appliesIf")
        if cond:
            st.condition = str(cond)
            facts = [str(f) for f in k.all("conditionFact")]
            st.condition_value = tv_or(self._fact(f) for f in facts) if facts else self.applies(str(cond))
            st.why = f"{st.why} [applies if {cond}: {_tv_word(st.condition_value)}]"
        st.group = f"{kind}:{k.one('variable') or ''}"
        return st

    def applies(self, condition: str) -> TV:
        """Does the patient meet an ``applies_if`` condition ('amputee', 'liver metastases', 'men')?"""
        c = condition.strip().lower()
        words = set(re.findall(r"[a-z]+", c))
        if words & {"male", "men", "man", "males"}:
            return None if self.patient.sex is None else self.patient.sex == "MALE"
        if words & {"female", "women", "woman", "females"}:
            return None if self.patient.sex is None else self.patient.sex == "FEMALE"
        if words & {"amputee", "amputees", "amputation", "amputated"}:
            return self.patient.flag("amputee")
        if "liver" in words or "hepatic" in words:
            return self.patient.flag("liver_metastases")
        if "bone" in words:
            return self.patient.flag("bone_metastases")
        if words & {"brain", "cns"}:
            return self.patient.flag("cns_metastases")
        flag = iris.slug(c).replace("-", "_")
        return self.patient.flag(flag) if flag in KNOWN_FLAGS else None

    def _age(self, k: Constraint) -> Statement:
        age = self.patient.age_years
        if age is None:
            return Statement(None, "age unknown")
        unit = normalise_unit(str(k.one("unit") or "a"))
        per_year = crit_units.calendar_ratio("a", unit) or 1.0
        x = math.floor(age * per_year)
        v = compare(x, k.one("comparator"), k.num("value"), k.num("value2"))
        return Statement(v, f"age {_num(age)} {_cmp_text(k)}: {_tv_word(v)}")

    def _sex(self, k: Constraint) -> Statement:
        wanted = {str(v).upper() for v in k.all("value") + k.all("sex") if v is not None}
        if not wanted:
            span = str(k.one("span") or "").lower()
            if re.search(r"\b(women|female|females|woman)\b", span):
                wanted.add("FEMALE")
            if re.search(r"\b(men|male|males|man)\b", span):
                wanted.add("MALE")
        wanted = {"FEMALE" if w.startswith("F") else "MALE" if w.startswith("M") else w for w in wanted}
        if "ALL" in wanted:
            return Statement(True, "sex: any", neutral=True)
        if not wanted:
            return Statement(None, "sex: not stated")
        if self.patient.sex is None:
            return Statement(None, "sex unknown")
        v = self.patient.sex in wanted
        return Statement(v, f"sex {self.patient.sex} in {{{', '.join(sorted(wanted))}}}: {_tv_word(v)}")

    def _performance(self, k: Constraint) -> Statement:
        scale = str(k.one("variable") or "ecog").lower()
        allowed = {int(v) for v in k.all("allowedValue") if v is not None}
        if scale == "karnofsky":
            if self.patient.karnofsky is not None:
                candidates = {self.patient.karnofsky}
            elif self.patient.ecog is not None:
                candidates = set(ECOG_TO_KARNOFSKY[self.patient.ecog])
            else:
                return Statement(None, "Karnofsky and ECOG unknown")
            shown = f"Karnofsky {self.patient.karnofsky}" if self.patient.karnofsky is not None else f"ECOG {self.patient.ecog} (Karnofsky {'/'.join(map(str, sorted(candidates)))})"
        else:
            if self.patient.ecog is not None:
                candidates = {self.patient.ecog}
            elif self.patient.karnofsky is not None:
                candidates = {e for e, ks in ECOG_TO_KARNOFSKY.items() if self.patient.karnofsky in ks}
            else:
                return Statement(None, "ECOG unknown")
            shown = f"ECOG {self.patient.ecog}" if self.patient.ecog is not None else f"Karnofsky {self.patient.karnofsky} (ECOG {'/'.join(map(str, sorted(candidates)))})"
        if allowed:
            results = {c in allowed for c in candidates}
            rule = f"allowed {{{', '.join(map(str, sorted(allowed)))}}}"
        elif k.one("comparator"):
            results = {compare(c, k.one("comparator"), k.num("value"), k.num("value2")) for c in candidates}
            rule = _cmp_text(k)
        else:
            return Statement(None, f"{scale}: no allowed values in the graph")
        v: TV = results.pop() if len(results) == 1 else None
        return Statement(v, f"{shown} {rule}: {_tv_word(v)}")

    def _numeric(self, k: Constraint) -> Statement:
        var = str(k.one("variable") or "")
        var = LAB_ALIASES.get(var, var)
        if var == "ecog_score":
            var = "ecog"
        lab = self.patient.labs.get(var)
        if lab is None:
            return Statement(None, f"{var or 'value'} unknown")
        comparator, value, value2 = k.one("comparator"), k.num("value"), k.num("value2")
        relative = k.one("relativeTo")
        if relative:
            ref = str(relative).upper()
            x = lab.multiple_of(ref)
            if x is None:
                return Statement(None, f"{var} {lab.describe()}: no {ref} given to compare with {_cmp_text(k)}")
            v = compare(x, comparator, value, value2)
            return Statement(v, f"{var} {_num(round(x, 3))} x {ref} {_cmp_text(k)}: {_tv_word(v)}")
        if lab.relative_to:
            return Statement(None, f"{var} given as {lab.describe()}, the criterion needs an absolute value ({_cmp_text(k)})")
        unit = None if _dimensionless(k.one("unit")) else k.one("unit")
        lab_unit = None if _dimensionless(lab.unit) else lab.unit
        x = convert(lab.value, lab_unit, str(unit), var) if unit else (lab.value if lab_unit is None else None)
        if x is None and k.one("canonicalUnit") is not None and k.num("canonicalValue") is not None:
            cu = str(k.one("canonicalUnit"))
            x2 = convert(lab.value, lab.unit, cu, var)
            if x2 is not None:
                # the canonical value carries the threshold; value2 scales with it
                scale = (k.num("canonicalValue") or 0) / value if value else 1.0
                v = compare(x2, comparator, k.num("canonicalValue"), value2 * scale if value2 is not None else None)
                return Statement(v, f"{var} {lab.describe()} = {_num(round(x2, 4))} {cu} {comparator} {_num(k.num('canonicalValue'))} {cu}: {_tv_word(v)}")
        if x is None:
            return Statement(None, f"{var} {lab.describe()}: cannot convert to {unit or 'the criterion unit'}")
        v = compare(x, comparator, value, value2)
        conv = f" = {_num(round(x, 4))} {unit}" if unit and lab.unit and normalise_unit(lab.unit) != normalise_unit(str(unit)) else ""
        return Statement(v, f"{var} {lab.describe()}{conv} {_cmp_text(k)}: {_tv_word(v)}")

    def _prior_therapy(self, k: Constraint, wants_true: bool = True) -> Statement:
        """Did the patient receive one of these drugs or classes (in the window, long enough)?

        ``tkg:windowKind`` says how a window counts: ``within`` (a dose inside it is what
        the constraint states) or ``washout`` (the last dose must be at least that long
        ago: only a patient treated more recently fails it). A window counted from an
        event of the patient's history (``tkg:anchor`` diagnosis, surgery) cannot be
        compared with the weeks since the last dose. A maximum exposure in a requirement
        is a limit ("treated with TKIs for less than 8 weeks"): a patient never treated
        is within it. A ``tkg:qualified`` exposure ("failure of", "but off treatment due
        to") is not shown by a drug match alone. Inclusion windows that are not washouts
        usually date a progression, so a match outside them stays unknown.
        """
        drugs = [str(d) for d in k.all("priorDrug")]
        classes = [str(c) for c in k.all("priorDrugClass")]
        names = [self.knowledge.label(x) for x in drugs + classes] or [str(t) for t in k.all("therapy")]
        what = " / ".join(names) or "prior therapy"
        if self.patient.prior_therapies is None:
            return Statement(None, f"prior therapies unknown ({what})")
        w = _Window.of(k, wants_true)
        if not drugs and not classes:
            # The patient file lists drug therapies: with none listed, a drug modality
            # (systemic, adjuvant, immuno-, hormonal therapy) was not given; surgery and
            # radiotherapy are not in the list, so they stay unknown.
            drug_modality = bool({str(t) for t in k.all("therapy")} & DRUG_MODALITIES)
            if drug_modality and not self.patient.prior_therapies:
                # a washout or a limit is kept (an exclusion states its violation: no)
                v: TV = wants_true if (w.washout or w.limit or w.max_lines is not None) else False
                return Statement(v, f"prior {what}: the patient had no prior drug therapy: {_tv_word(v)}")
            return Statement(None, f"{what}: no drug or class in the graph")
        except_drugs = {str(d) for d in k.all("exceptDrug")}
        except_classes = {str(c) for c in k.all("exceptDrugClass")}
        results: list[TV] = []
        notes: list[str] = []
        for therapy, t_drugs, t_classes in self._therapy_drugs:
            if (except_drugs & set(t_drugs) or except_classes & t_classes) and not set(t_drugs) & set(drugs):
                notes.append(f"{therapy.label} is excepted")
                continue
            hit = self._therapy_hits(therapy, t_drugs, t_classes, drugs, classes)
            if hit is False:
                continue
            value, parts = w.judge(therapy, hit)
            results.append(value)
            notes.append(", ".join(parts))
        detail = "; ".join(notes) if notes else "no matching prior therapy"
        if w.min_lines is not None:
            # lines are not counted in a patient file: a matching therapy leaves it open
            v = None if any(r is not False for r in results) else False
            return Statement(v, f"at least {w.min_lines} prior line(s) of {what}: {detail}: {_tv_word(v)}")
        if w.max_lines is not None and wants_true:
            n = sum(1 for r in results if r is not False)
            v = True if n == 0 or (n <= w.max_lines and all(r is True for r in results)) else None
            return Statement(v, f"at most {w.max_lines} prior line(s) of {what}: {detail}: {_tv_word(v)}")
        if w.washout or w.limit:
            v = tv_and(results) if results else True
            if not wants_true:
                v = tv_not(v)  # an exclusion states the violation
            label = "washout from" if w.washout else "at most the stated exposure to"
            return Statement(v, f"{label} {what}: {detail}: {_tv_word(v)}")
        v = tv_or(results) if results else False
        return Statement(v, f"prior {what}: {detail}: {_tv_word(v)}")

    def _therapy_hits(self, therapy: PriorTherapy, t_drugs: list[str], t_classes: set[str],
                      drugs: list[str], classes: list[str]) -> TV:
        """Is this prior therapy one of the constraint's drugs or in one of its classes?"""
        if set(t_drugs) & set(drugs):
            return True
        if t_classes & set(classes):
            return True
        if classes and t_drugs and not t_classes and not therapy.drug_class:
            return None  # the graph names no class for this drug: cannot rule it out
        if not t_drugs and therapy.drug and not therapy.drug_class:
            # a name nothing resolves: it is not a named drug, its class is unknown
            return None if classes else False
        if therapy.drug_class and not therapy.drug:
            # only a class known: a narrower constraint class or a named drug might be it
            c = self.knowledge.resolve_class(therapy.drug_class)
            if c is None:
                return None
            for wanted in classes:
                if c in self.knowledge.class_ancestors(wanted):
                    return None  # patient's class is broader than the excluded one
            for d in drugs:
                if c in self.knowledge.classes_of(d):
                    return None
            return False
        return False

    def _histology(self, k: Constraint, crit: Criterion | None = None) -> Statement:
        """Does the patient's tumour belong to the types the criterion names?

        Inclusion ("soft tissue sarcoma (except GIST)"): one of ``tkg:histology`` and none
        of ``tkg:excludedHistology``. Exclusion ("Primary bone sarcoma"): the named type,
        which the parser writes as ``tkg:excludedHistology``. Types are read through the
        disease table (knowledge/diseases.py): a closed list excludes a type it does not
        name, an open one ("..., etc.") only a type outside the family its items share.
        """
        included = [str(h) for h in k.all("histology")]
        excluded = [str(h) for h in k.all("excludedHistology")]
        if self.patient.conditions is None:
            return Statement(None, "conditions unknown")
        conds = self.patient.conditions
        text = crit.text if crit else ""
        trial = getattr(self, "_trial", None)
        in_exclusion = crit is not None and crit.section == "exclusion"
        named, exceptions = (included, excluded) if included or not in_exclusion else (excluded, [])
        kw = {"trial_conditions": trial.conditions if trial else (), "in_exclusion": in_exclusion,
              "closed_ok": diseases.closed_list(text)}
        exc_v, exc_why = (diseases.has_histology(conds, exceptions, text, exceptions=True, **kw)
                          if exceptions else (False, ""))
        if exc_v is True:
            return Statement(False, f"an excepted type: {exc_why}")
        if not named:  # only exceptions ("excluding adipocytic tumor")
            return Statement(tv_not(exc_v), f"not an excepted type: {_tv_word(tv_not(exc_v))} ({exc_why})")
        v, why = diseases.has_histology(conds, named, text, **kw)
        if crit is not None and not in_exclusion and v is not None:
            self._histology_seen.setdefault(v, set()).add(crit.id)
        return Statement(tv_and([v, tv_not(exc_v)]), why + (f"; exceptions: {exc_why}" if exc_why else ""))

    def _biomarker(self, k: Constraint) -> Statement:
        """Is the criterion's marker positive in the patient (its variant, when it names one)?

        Genes are compared as HGNC symbols (``biomarkers.gene_symbols``): "ER" is ESR1,
        "HER2" ERBB2, "HR" stands for ESR1 or PGR. A marker naming several genes is
        positive when one is positive and negative when all are negative; a patient's
        "HR negative" makes ESR1 and PGR negative, "HR positive" says only that one is.
        """
        written = [str(g) for g in k.all("geneSymbol")]
        variants = [str(v) for v in k.all("variant")]
        label = " ".join(written + variants) or "biomarker"
        if not written:
            return Statement(None, f"{label}: no gene in the graph")
        if self.patient.biomarkers is None:
            return Statement(None, f"{label}: patient biomarkers unknown")
        wanted = {sym for g in written for sym in biomarkers.gene_symbols(g)}
        per_gene: dict[str, list[TV]] = {}
        facts: list[str] = []
        group_positive = False
        for b in self.patient.biomarkers:
            genes = set(biomarkers.gene_symbols(b.gene))
            if not genes & wanted:
                continue
            value = self._variant_status(b, variants)
            facts.append(f"{b.gene}{' ' + b.variant if b.variant else ''} {b.status} ({'/'.join(sorted(genes))})")
            if len(genes) > 1 and value is True:
                group_positive = group_positive or genes <= wanted  # "HR positive": one of them, not which
                continue
            for g in genes & wanted:
                per_gene.setdefault(g, []).append(value)
        status = {g: tv_or(vs) for g, vs in per_gene.items()}
        v: TV
        if group_positive or any(x is True for x in status.values()):
            v = True
        elif all(status.get(g) is False for g in wanted):
            v = False
        else:
            v = None
        seen = "; ".join(facts) or "no such marker in the patient file"
        if str(k.one("status") or "").lower() == "negative":
            return Statement(tv_not(v), f"{label} negative ({'/'.join(sorted(wanted))}): {_tv_word(tv_not(v))} [{seen}]")
        return Statement(v, f"{label} ({'/'.join(sorted(wanted))}): {_tv_word(v)} [{seen}]")

    @staticmethod
    def _variant_status(b: PatientBiomarker, variants: list[str]) -> TV:
        """Does this patient marker say the criterion's variant (or, with none named, the gene) is positive?"""
        if not variants:
            return b.status == "positive"
        if b.variant is None:
            return None
        if not any(_same_variant(b.variant, v) for v in variants):
            return None  # another variant of the gene says nothing about this one
        return b.status == "positive"

    def _disease_state(self, k: Constraint) -> Statement:
        state = str(k.one("state") or k.one("variable") or "").lower()
        state = iris.slug(state).replace("-", "_") if state else ""
        if state == "measurable":
            state = "measurable_disease"
        if state in ("brain_metastases",):
            value = self.patient.flag("brain_metastases")
            if value is None and self.patient.flag("cns_metastases") is False:
                value = False
        elif state in KNOWN_FLAGS:
            value = self.patient.flag(state)
        else:
            return Statement(None, f"{state or 'disease state'}: not in the patient file vocabulary")
        return Statement(value, f"{state}: {_tv_word(value)}")

    def _life_expectancy(self, k: Constraint) -> Statement:
        months = self.patient.life_expectancy_months
        if months is None:
            return Statement(None, "life expectancy unknown")
        unit = normalise_unit(str(k.one("unit") or "mo"))
        factor = crit_units.calendar_ratio(unit, "mo")
        if factor is None:
            return Statement(None, f"life expectancy unit {unit} unknown")
        value, value2 = k.num("value"), k.num("value2")
        v = compare(months, k.one("comparator"), value * factor if value is not None else None,
                    value2 * factor if value2 is not None else None)
        return Statement(v, f"life expectancy {_num(months)} months {_cmp_text(k)}: {_tv_word(v)}")

    def _reproductive(self, k: Constraint, wants_true: bool = True) -> Statement:
        """Pregnancy and breastfeeding always count against, contraception for the patient.

        The parser names the topic ("pregnancy") whichever section it is in, so an
        inclusion ("negative pregnancy test") states its good side and an exclusion
        ("pregnant women") its bad side.
        """
        state = str(k.one("state") or k.one("variable") or "").lower()
        text = state or str(k.one("span") or "").lower()
        for flag, stems, good in (("pregnant", ("pregnan",), False),
                                  ("breastfeeding", ("breastfeed", "breast-feed", "breast feed", "lactat", "nursing"), False),
                                  ("contraception", ("contracept",), True)):
            if any(stem in text for stem in stems):
                value = self.patient.flag(flag)
                if value is None and self.patient.sex == "MALE" and flag != "contraception":
                    value = False
                stated = value if good == wants_true else tv_not(value)
                return Statement(stated, f"{flag}: {_tv_word(value)}")
        return Statement(None, f"{state or 'reproductive'}: not decidable from the patient file")

    def _consent(self, k: Constraint) -> Statement:
        v = self.patient.flag("consent")
        return Statement(v, f"informed consent: {_tv_word(v)}")


# Disease states trials ask for, and the ones they keep out (criteria/lexicon.py keys).
GOOD_STATES = frozenset({"measurable_disease", "evaluable_disease", "advanced_disease", "metastatic",
                         "locally_advanced", "recurrent", "refractory"})
BAD_STATES = frozenset({"cns_metastases", "brain_metastases", "leptomeningeal_disease"})


def _state(k: Constraint) -> str:
    return iris.slug(str(k.one("state") or "")).replace("-", "_")


def _is_bad_state(k: Constraint) -> bool:
    if k.type != "disease_state":
        return False
    return bool(k.one("comorbidity")) or _state(k) in BAD_STATES


def _is_good_state(k: Constraint) -> bool:
    return k.type == "disease_state" and not k.one("comorbidity") and _state(k) in GOOD_STATES


def _alternative_sets(judged: list[tuple[Criterion, Reason]]) -> None:
    """Requirements of one ``tkg:alternativeSet`` ("...; or", "one of the following:"):
    one met member is enough, and an unmet member counts only when none may hold."""
    sets: dict[str, list[Reason]] = {}
    for crit, r in judged:
        if crit.alternative_set and crit.role == "requirement" and r.outcome != "n/a":
            sets.setdefault(crit.alternative_set, []).append(r)
    for members in sets.values():
        if len(members) < 2:
            continue
        outcomes = {r.outcome for r in members}
        for r in members:
            if r.outcome != "unmet":
                continue
            if "met" in outcomes:
                r.outcome, r.why = "n/a", f"{r.why}; an alternative criterion is met (tkg:alternativeSet)"
            elif "unknown" in outcomes:
                r.outcome, r.why = "unknown", f"{r.why}; an alternative criterion may hold (tkg:alternativeSet)"


def _parts(judged: list[tuple[Criterion, Reason]]) -> None:
    """Criteria of one part, cohort or arm (``tkg:scopeKind`` part) count only for the
    patients entering that part: while another part leaves the patient a way in, an
    unmet criterion of this part does not exclude (it becomes unknown)."""
    parts: dict[str, list[Reason]] = {}
    for crit, r in judged:
        if crit.scope and crit.scope_kind == "part":
            parts.setdefault(crit.scope, []).append(r)
    if len(parts) < 2:
        return
    open_parts = [p for p, rs in parts.items() if not any(r.outcome == "unmet" for r in rs)]
    if not open_parts:
        return
    for rs in parts.values():
        for r in rs:
            if r.outcome == "unmet":
                r.outcome = "unknown"
                r.why = f"{r.why}; for another part than {', '.join(open_parts)}, which the patient may enter (tkg:scope)"


def _dimensionless(unit: Any) -> bool:
    return unit is None or str(unit).strip() in ("", "1", "{ratio}", "{INR}", "{score}")


def _same_variant(a: str, b: str) -> bool:
    rs_a, rs_b = re.findall(r"rs\d+", a.lower()), re.findall(r"rs\d+", b.lower())
    if rs_a and rs_b:
        return bool(set(rs_a) & set(rs_b))
    norm = lambda s: re.sub(r"[\s_\\]+", "", s.lower()).replace("&gt;", ">")  # noqa: E731
    return norm(a) == norm(b) or norm(a) in norm(b) or norm(b) in norm(a)


def _cmp_text(k: Constraint) -> str:
    comp = k.one("comparator") or "?"
    value, value2 = k.num("value"), k.num("value2")
    rel = k.one("relativeTo")
    unit = f" x {rel}" if rel else (f" {k.one('unit')}" if k.one("unit") else "")
    if comp == "between":
        return f"between {_num(value)} and {_num(value2)}{unit}"
    return f"{comp} {_num(value)}{unit}"


def _tv_word(v: TV) -> str:
    return {True: "yes", False: "no", None: "unknown"}[v]


# =============================================================================
# Entry points
# =============================================================================


def match_store(store: Any, patient: Patient, trial_id: str | None = None) -> list[MatchResult]:
    """Every trial in the store (or one), decided for ``patient``, most promising first."""
    trials = read_trials(store, trial_id)
    if trial_id and not trials:
        raise UsageError(f"no trial {trial_id!r} in the store", field="--trial")
    read_conditions(store, trials)
    matcher = Matcher(patient, DrugKnowledge(store))
    return sort_results(matcher.match(t) for t in trials)


def sort_results(results: Iterable[MatchResult]) -> list[MatchResult]:
    """Eligible, possible, excluded; within each, what is known to fit first (``MatchResult.sort_key``)."""
    return sorted(results, key=lambda r: r.sort_key())


def decidable_share(results: Iterable[MatchResult]) -> tuple[int, int]:
    """(decided criteria, all criteria) over results: how much the graph let the matcher decide."""
    decided = total = 0
    for r in results:
        for reason in r.reasons:
            total += 1
            decided += reason.outcome != "unknown"
    return decided, total
