"""The patient file: read, validated and turned into a ``Patient``.

docs/matching.md describes the file. Its shape (keys, types, ranges, the closed list of
flags) is checked by the JSON Schema ``patient.schema.json`` (``schema.py``); lab names
are then those of the one variable table (``criteria/variables.py``) or its aliases,
units UCUM or a multiple of ULN/LLN. Every error names the file and the field
(``labs.neutrophils.unit``).
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
from trialkg.match.schema import first_error, schema
from trialkg.sources.guards import MAX_DEPTH, MAX_INT_DIGITS, check_depth, not_utf8, to_utf8

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
# measurable_disease; amputee decides ECOG exceptions): the closed list of the schema's
# ``flags``, so a typo is reported instead of silently never matching.
KNOWN_FLAGS: frozenset[str] = frozenset(schema()["properties"]["flags"]["properties"])
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


@dataclass(frozen=True)
class PriorTherapy:
    """One prior treatment; ``drug`` and ``drug_class`` are the names as written."""

    drug: str | None = None
    drug_class: str | None = None
    weeks_since_last_dose: float | None = None
    duration_weeks: float | None = None
    daily_dose_mg: float | None = None  # the daily dose (current, or the last one given)

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
    allergies: list[str] | None = None  # hypersensitivities by what they are to; [] none
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
    """Validate a decoded patient document: its shape by the JSON Schema
    (``patient.schema.json``), then lab names and units by the variable table."""

    def fail(fld: str, message: str) -> PatientError:
        return PatientError(message, file=file, field=fld)

    error = first_error(data)
    if error is not None:
        raise fail(*error)
    p = Patient()
    p.id = _text(data.get("id"))
    p.age_years = _number(data, "age_years", fail)
    if data.get("sex") is not None:
        p.sex = data["sex"].strip().upper()
    p.ecog = _whole(data.get("ecog"))
    p.karnofsky = _whole(data.get("karnofsky"))
    p.life_expectancy_months = _number(data, "life_expectancy_months", fail)
    if data.get("conditions") is not None:
        p.conditions = [c.strip() for c in data["conditions"]]
    if data.get("allergies") is not None:
        p.allergies = [a.strip() for a in data["allergies"]]
    if data.get("prior_therapies") is not None:
        p.prior_therapies = _parse_therapies(data["prior_therapies"], fail)
    if data.get("labs") is not None:
        p.labs = _parse_labs(data["labs"], fail)
    if data.get("biomarkers") is not None:
        p.biomarkers = _parse_biomarkers(data["biomarkers"], fail)
    p.flags = {name: value for name, value in (data.get("flags") or {}).items() if value is not None}
    if p.sex == "MALE" and p.flags.get("pregnant") is True:
        raise fail("flags.pregnant", "a MALE patient cannot be pregnant")
    return p


def _parse_therapies(items: list[dict[str, Any]], fail: Any) -> list[PriorTherapy]:
    out = []
    for i, item in enumerate(items):
        where = f"prior_therapies[{i}]"
        drug, drug_class = _text(item.get("drug")), _text(item.get("drug_class"))
        if not drug and not drug_class:
            raise fail(where, "needs a 'drug' or a 'drug_class'")
        weeks = _number(item, "weeks_since_last_dose", fail, prefix=where)
        duration = _number(item, "duration_weeks", fail, prefix=where)
        dose = _number(item, "daily_dose_mg", fail, prefix=where)
        out.append(PriorTherapy(drug, drug_class, weeks, duration, dose))
    return out


def _parse_labs(labs: dict[str, dict[str, Any]], fail: Any) -> dict[str, Lab]:
    out: dict[str, Lab] = {}
    for raw_name, obj in labs.items():
        where = f"labs.{raw_name}"
        name = LAB_ALIASES.get(raw_name.strip().lower(), raw_name.strip().lower())
        if name not in KNOWN_LABS:
            raise fail(where, f"unknown lab or vital (known: {', '.join(sorted(KNOWN_LABS))})")
        value = _number(obj, "value", fail, prefix=where)
        assert value is not None  # the schema requires it
        relative, unit = _parse_lab_unit(obj.get("unit"))
        if relative is None and unit is not None and not known_unit(unit, name):
            raise fail(f"{where}.unit", f"unknown unit {json.dumps(obj.get('unit'))} for {name} (use UCUM, e.g. 10*9/L, g/dL, umol/L, or 'x ULN')")
        if value < 0:
            raise fail(f"{where}.value", f"cannot be negative, got {_num(value)}")
        if name in ("lvef", "oxygen_saturation") and relative is None and unit == "%" and value > 100:
            raise fail(f"{where}.value", f"a percentage cannot exceed 100, got {_num(value)}")
        uln = _number(obj, "uln", fail, prefix=where)
        lln = _number(obj, "lln", fail, prefix=where)
        if (uln == 0) or (lln == 0):
            raise fail(f"{where}.{'uln' if uln == 0 else 'lln'}", "must be greater than 0")
        if relative and (uln or lln):
            raise fail(where, "give 'uln'/'lln' only with an absolute value, not with a multiple")
        out[name] = Lab(value=value, unit=unit, relative_to=relative, uln=uln, lln=lln)
    return out


def _parse_biomarkers(items: list[dict[str, Any]], fail: Any) -> list[PatientBiomarker]:
    out = []
    for i, item in enumerate(items):
        where = f"biomarkers[{i}]"
        gene = _text(item.get("gene"))
        if not gene:
            raise fail(f"{where}.gene", "missing")
        _number(item, "value", fail, prefix=where)
        out.append(PatientBiomarker(gene=gene.strip().upper(), variant=_text(item.get("variant")),
                                    status=(_text(item.get("status")) or "positive").lower(),
                                    kind=_text(item.get("kind"))))
    return out


def _text(value: str | None) -> str | None:
    """A string the schema admitted, stripped; ``None`` for null or blank."""
    return value.strip() or None if value is not None else None


def _number(obj: Mapping[str, Any], key: str, fail: Any, prefix: str = "") -> float | None:
    """A number the schema admitted, as a float; NaN and infinities are refused."""
    value = obj.get(key)
    if value is None:
        return None
    if not math.isfinite(value):
        raise fail(f"{prefix}.{key}" if prefix else key, f"must be a number, got {json.dumps(value)}")
    return float(value)


def _whole(value: float | None) -> int | None:
    return None if value is None else int(value)


_RELATIVE_UNIT = re.compile(r"^\s*(?:x|×|\*)?\s*(ULN|LLN)\s*$", re.IGNORECASE)


def _parse_lab_unit(unit: str | None) -> tuple[str | None, str | None]:
    """('ULN', None) for 'x ULN'; (None, normalised UCUM) otherwise."""
    if unit is None or not unit.strip():
        return None, None
    m = _RELATIVE_UNIT.match(unit)
    if m:
        return m.group(1).upper(), None
    return None, normalise_unit(unit)
