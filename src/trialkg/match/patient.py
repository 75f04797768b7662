"""The patient file: read, validated and turned into a ``Patient``.

docs/matching.md describes the file. Lab names are those of the one variable table
(``criteria/variables.py``) or its aliases, units UCUM or a multiple of ULN/LLN;
flags are a closed list so that a typo is reported instead of silently never
matching. Every error names the file and the field (``labs.neutrophils.unit``).
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trialkg.criteria import variables
from trialkg.criteria.units import known_unit, normalise_unit
from trialkg.errors import PatientError, TrialKGError
from trialkg.match.logic import TV
from trialkg.match.logic import num as _num
from trialkg.sources.guards import MAX_DEPTH, MAX_INT_DIGITS, check_depth, not_utf8, to_utf8

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


_RELATIVE_UNIT = re.compile(r"^\s*(?:x|×|\*)?\s*(ULN|LLN)\s*$", re.IGNORECASE)


def _parse_lab_unit(unit: str | None) -> tuple[str | None, str | None]:
    """('ULN', None) for 'x ULN'; (None, normalised UCUM) otherwise."""
    if unit is None or not unit.strip():
        return None, None
    m = _RELATIVE_UNIT.match(unit)
    if m:
        return m.group(1).upper(), None
    return None, normalise_unit(unit)
