"""The variable table: one name, unit, plausible range and molar mass per measured variable.

``ontology/reference/variables.tsv`` (shipped in the wheel) has one row per variable
that a criterion can threshold and a patient file can report:

| column | meaning |
| --- | --- |
| ``name`` | the one stable name (criteria constraints, the graph, patient files) |
| ``family`` | haematology, liver, renal, coagulation, cardiac, vital, body, metabolic, ... |
| ``unit`` | canonical UCUM unit (empty: unitless, a ratio or a score) |
| ``other_units`` | units on another scale that are also in use and do not convert to ``unit`` (blasts in % or per µL; neutrophils as a % of leukocytes), ``|``-separated |
| ``low``, ``high`` | plausible range of a threshold in the canonical unit (empty: unchecked) |
| ``scale`` | the values of an ordinal scale, ``|``-separated (ECOG 0-5, NYHA 1-4) |
| ``molar_mass`` | g/mol, where mass and substance concentrations are both in use |
| ``aliases`` | other names patient files and older graphs use (``white_blood_cells``) |
| ``label`` | a human label |

The criteria parser (its variable words in ``lexicon.VARIABLES`` are keyed by these
names), unit conversion (``units``) and the patient-file reader (``trialkg.match``) all
read this table, so a variable has one name, one canonical unit and one molar mass.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache

from trialkg.resources import ontology_file

TABLE = "reference/variables.tsv"


@dataclass(frozen=True)
class Variable:
    name: str
    family: str
    unit: str | None
    other_units: tuple[str, ...]
    low: float | None
    high: float | None
    scale: tuple[float, ...]
    molar_mass: float | None
    aliases: tuple[str, ...]
    label: str

    def plausible(self, canonical_value: float) -> bool:
        """Whether a threshold, in the canonical unit, lies in the plausible range."""
        if self.low is not None and canonical_value < self.low:
            return False
        return self.high is None or canonical_value <= self.high


def _float(text: str) -> float | None:
    return float(text) if text.strip() else None


@lru_cache(maxsize=1)
def table() -> dict[str, Variable]:
    """Every variable by name (read once from the shipped table)."""
    text = ontology_file(TABLE).read_text(encoding="utf-8")
    out: dict[str, Variable] = {}
    for n, row in enumerate(csv.DictReader(io.StringIO(text), delimiter="\t"), start=2):
        name = row["name"].strip()
        if not name or name in out:
            raise ValueError(f"{TABLE} line {n}: empty or repeated variable name {name!r}")
        out[name] = Variable(
            name=name,
            family=row["family"].strip() or "other",
            unit=row["unit"].strip() or None,
            other_units=tuple(u.strip() for u in row["other_units"].split("|") if u.strip()),
            low=_float(row["low"]),
            high=_float(row["high"]),
            scale=tuple(float(x) for x in row["scale"].split("|") if x.strip()),
            molar_mass=_float(row["molar_mass"]),
            aliases=tuple(a.strip().lower() for a in row["aliases"].split("|") if a.strip()),
            label=row["label"].strip(),
        )
    return out


@lru_cache(maxsize=1)
def aliases() -> dict[str, str]:
    """Alias (lower case) -> variable name; every name is also its own alias."""
    out: dict[str, str] = {}
    for v in table().values():
        for a in v.aliases:
            out.setdefault(a, v.name)
    for v in table().values():
        out[v.name] = v.name
    return out


def resolve(name: str) -> str | None:
    """The table name for a name or alias (``white_blood_cells`` -> ``wbc``), or None."""
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    return aliases().get(key)


def get(name: str) -> Variable | None:
    return table().get(name)


def family_of(name: str) -> str:
    """The variable's family, ``other`` for a name the table does not have."""
    v = table().get(name)
    return v.family if v else "other"


def canonical_units() -> dict[str, str | None]:
    return {v.name: v.unit for v in table().values()}


def molar_masses() -> dict[str, float]:
    return {v.name: v.molar_mass for v in table().values() if v.molar_mass}
