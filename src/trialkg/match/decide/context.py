"""What every decision reads: the patient, the drug knowledge, the trial being decided.

``Context`` resolves the patient's prior therapies to drug IRIs and classes once, keeps
the patient's marker status per HGNC symbol, and answers the yes/no facts that
conditions name (``tkg:conditionFact``, ``tkg:appliesIf``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from trialkg import iris
from trialkg.knowledge import biomarkers
from trialkg.match.drugs import DrugKnowledge
from trialkg.match.graph import Constraint, TrialFacts
from trialkg.match.logic import TV, compare, tv_not
from trialkg.match.logic import num as _num
from trialkg.match.patient import KNOWN_FLAGS, Patient, PriorTherapy


@dataclass
class Context:
    patient: Patient
    knowledge: DrugKnowledge
    # each prior therapy with its drug IRIs and its classes with their ancestors
    therapies: list[tuple[PriorTherapy, list[str], set[str]]] = field(default_factory=list)
    markers: dict[str, bool] = field(default_factory=dict)  # HGNC symbol -> positive
    trial: TrialFacts | None = None
    histology_seen: dict[bool, set[str]] = field(default_factory=dict)  # in/outside -> criterion ids

    @classmethod
    def of(cls, patient: Patient, knowledge: DrugKnowledge) -> Context:
        ctx = cls(patient, knowledge)
        for t in patient.prior_therapies or []:
            drugs = knowledge.resolve_drug(t.drug) if t.drug else []
            classes: set[str] = set()
            for d in drugs:
                classes |= knowledge.classes_of(d)
            if t.drug_class:
                c = knowledge.resolve_class(t.drug_class)
                if c:
                    classes |= knowledge.class_ancestors(c)
            ctx.therapies.append((t, drugs, classes))
        # the patient's marker status per HGNC symbol, for conditions that name one ("HER2-positive ...")
        for b in patient.biomarkers or []:
            genes = biomarkers.gene_symbols(b.gene)
            if not b.variant and (len(genes) == 1 or b.status == "negative"):
                ctx.markers.update({g: b.status == "positive" for g in genes})
        return ctx

    def for_trial(self, trial: TrialFacts) -> None:
        self.trial = trial
        self.histology_seen = {}

    def fact(self, fact: str) -> TV:
        """A condition fact (``tkg:conditionFact``): a patient flag or ``sex:FEMALE``."""
        if fact.startswith("sex:"):
            return None if self.patient.sex is None else self.patient.sex == fact[4:]
        age = _AGE_FACT.match(fact)
        if age:  # "age>=16": a scale or limit for some ages (criteria/rules/performance.py)
            years = self.patient.age_years
            return None if years is None else compare(years, age.group(1), float(age.group(2)))
        if fact == "childbearing_potential" and self.patient.sex == "MALE" and self.patient.flag(fact) is None:
            return False
        return self.patient.flag(fact) if fact in KNOWN_FLAGS else None

    def applies(self, condition: str) -> TV:
        """Does the patient meet an ``applies_if`` condition ('amputee', 'liver metastases', 'men')?"""
        c = condition.strip().lower()
        absent = _ABSENCE.match(c)
        if absent:  # "no active autoimmune disease", "without liver metastases"
            return tv_not(self.applies(c[absent.end():]))
        words = set(re.findall(r"[a-z]+", c))
        sex = self.patient.sex
        if words & {"male", "men", "man", "males"}:
            return None if sex is None else sex == "MALE"
        if words & {"female", "women", "woman", "females"}:
            return None if sex is None else sex == "FEMALE"
        for cue, flag in _CONDITION_FLAGS:
            if words & cue:
                return self.patient.flag(flag)
        flag = iris.slug(c).replace("-", "_")
        return self.patient.flag(flag) if flag in KNOWN_FLAGS else None


_ABSENCE = re.compile(r"^(?:no|without|absence\s+of|in\s+the\s+absence\s+of)\s+")
_AGE_FACT = re.compile(r"^age(>=|<=|>|<|=)(\d+(?:\.\d+)?)$")

# Words of an ``applies_if`` text and the patient flag they ask about, tried in order.
_CONDITION_FLAGS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"amputee", "amputees", "amputation", "amputated"}), "amputee"),
    (frozenset({"liver", "hepatic"}), "liver_metastases"),
    (frozenset({"bone"}), "bone_metastases"),
    (frozenset({"brain", "cns"}), "cns_metastases"),
)


def cmp_text(k: Constraint) -> str:
    """A constraint's comparison in words: ``>= 1.5 10*9/L``, ``<= 2.5 x ULN``."""
    comp = k.one("comparator") or "?"
    value, value2 = k.num("value"), k.num("value2")
    rel = k.one("relativeTo")
    unit = f" x {rel}" if rel else (f" {k.one('unit')}" if k.one("unit") else "")
    if comp == "between":
        return f"between {_num(value)} and {_num(value2)}{unit}"
    return f"{comp} {_num(value)}{unit}"


def dimensionless(unit: Any) -> bool:
    return unit is None or str(unit).strip() in ("", "1", "{ratio}", "{INR}", "{score}")
