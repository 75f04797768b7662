"""One patient against the trials of a store: each trial's registry limits, conditions
and criteria decided, then the criteria that are judged together (alternative sets,
parts, histology strata), then the verdict."""

from __future__ import annotations

import math
from typing import Any

from trialkg.errors import UsageError
from trialkg.knowledge import diseases
from trialkg.match.criterion import judge
from trialkg.match.decide.context import Context
from trialkg.match.drugs import DrugKnowledge
from trialkg.match.graph import Criterion, TrialFacts, read_conditions, read_trials
from trialkg.match.logic import Outcome
from trialkg.match.logic import num as _num
from trialkg.match.patient import Patient
from trialkg.match.rank import sort_results
from trialkg.match.results import MatchResult, Reason, verdict_of


class Matcher:
    """Decides one patient against trials read from a store."""

    def __init__(self, patient: Patient, knowledge: DrugKnowledge) -> None:
        self.patient = patient
        self.knowledge = knowledge
        self.ctx = Context.of(patient, knowledge)

    def match(self, trial: TrialFacts) -> MatchResult:
        fit = (diseases.condition_fit(self.patient.conditions, trial.conditions, markers=self.ctx.markers)
               if trial.conditions else None)
        reasons = [self._age_limits(trial), self._sex_limit(trial), _condition_reason(trial, fit)]
        reasons = [r for r in reasons if r is not None]
        self.ctx.for_trial(trial)
        judged = [(crit, judge(crit, self.ctx)) for crit in trial.criteria]
        _alternative_sets(judged)
        _parts(judged)
        reasons += _histology_strata([r for _c, r in judged], self.ctx.histology_seen)
        if fit is not None and fit.value is False and (strata := _specific_strata(judged, self.ctx.histology_seen)):
            reasons = [_conditions_widened(r, strata) for r in reasons]
            fit = diseases.Fit(None, diseases.FIT_RELATED, fit.why)
        if not trial.criteria:  # a source without the criteria text cannot make anyone eligible
            reasons.append(Reason("criteria", "Eligibility criteria", "unknown", "inclusion",
                                  "the graph holds no criteria for this trial (tkg:hasCriterion)"))
        return MatchResult(trial.id, trial.title, verdict_of(reasons), reasons,
                           _fit_tier(fit.tier if fit else diseases.FIT_UNKNOWN, judged))

    def criterion(self, crit: Criterion) -> Reason:
        """One criterion's outcome for the patient (``criterion.judge``)."""
        return judge(crit, self.ctx)

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


def match_store(store: Any, patient: Patient, trial_id: str | None = None) -> list[MatchResult]:
    """Every trial in the store (or one), decided for ``patient``, most promising first."""
    trials = read_trials(store, trial_id)
    if trial_id and not trials:
        raise UsageError(f"no trial {trial_id!r} in the store", field="--trial")
    read_conditions(store, trials)
    matcher = Matcher(patient, DrugKnowledge(store))
    return sort_results(matcher.match(t) for t in trials)


def _condition_reason(trial: TrialFacts, fit: diseases.Fit | None) -> Reason | None:
    """The trial's conditions (``tkg:hasCondition``) against the patient's diagnoses."""
    if fit is None:
        return None
    text = "Conditions: " + "; ".join(trial.conditions)
    outcome: Outcome = "met" if fit.value is True else "unmet" if fit.value is False else "unknown"
    return Reason("conditions", text, outcome, "inclusion", fit.why)


def _fit_tier(tier: int, judged: list[tuple[Criterion, Reason]]) -> int:
    """The condition fit, with what the inclusion requirements naming a tumour type say:
    one the patient meets makes the trial fit whatever its registry conditions say
    ("diagnosis of histologically confirmed advanced bone and soft tissue sarcoma" for an
    osteosarcoma, NCT04072042, a record without conditions; "leiomyosarcoma," in
    NCT02636725's list of histologies); when none is met and one places the patient's type
    outside ("extremity only, >=8 cm, high grade STS" for an AML, NCT01418001), a trial
    whose registry conditions say no more is for another disease."""
    outcomes = {r.outcome for crit, r in judged if _names_a_type(crit)}
    if "met" in outcomes and tier != diseases.FIT_OUTSIDE:
        return diseases.FIT_SPECIFIC
    if "unmet" in outcomes and tier in (diseases.FIT_GENERIC, diseases.FIT_UNKNOWN, diseases.FIT_OTHER):
        return diseases.FIT_OUTSIDE
    return tier


def _names_a_type(crit: Criterion) -> bool:
    """Whether an inclusion requirement names a tumour type of the disease table."""
    if crit.section != "inclusion" or crit.role != "requirement":
        return False
    table = diseases.DiseaseTable.default()
    for k in crit.constraints:
        if k.role != "subject":
            continue
        names = k.all("histology") if k.type == "histology" else (
            [k.one("condition")] if k.type == "disease_state" and k.one("state") == "condition" else [])
        for name in filter(None, names):
            r_name = table.resolve(str(name))
            if r_name and not r_name.generic and not r_name.codes <= diseases.BROAD:
                return True
    return False


def _specific_strata(judged: list[tuple[Criterion, Reason]], seen: dict[bool, set[str]]) -> list[str]:
    """The inclusion criteria placing the patient's type within a type of the disease
    table more specific than a tissue or a histology group: strata the registry's
    conditions leave out ("Primary tumors of bone including Ewing's sarcoma, osteosarcoma
    ... may only be enrolled if ...", NCT02636725, whose conditions are "Soft Tissue
    Sarcomas"; "Philadelphia chromosome-positive ALL" in a trial listed for lymphoma)."""
    table = diseases.DiseaseTable.default()
    within = seen.get(True, set())
    out = []
    for crit, _r in judged:
        if crit.id not in within:
            continue
        names = [str(n) for k in crit.constraints if k.type == "histology" and k.role in ("subject", "condition")
                 for n in k.all("histology")]
        codes = [c for n in names for c in table.resolve(n).codes]
        if codes and all(c in table.nodes and table.nodes[c].source == "oncotree"
                         and table.nodes[c].tissue != c for c in codes):
            out.append(crit.id)
    return out


def _conditions_widened(r: Reason, strata: list[str]) -> Reason:
    if r.criterion != "conditions" or r.outcome != "unmet":
        return r
    return Reason(r.criterion, r.text, "unknown", r.section,
                  f"{r.why}; an inclusion criterion ({', '.join(strata)}) names the patient's type")


def _histology_strata(reasons: list[Reason], seen: dict[bool, set[str]]) -> list[Reason]:
    """Inclusion criteria naming different types are strata: matching one is enough.

    "Part 1: ... relapsed or refractory solid tumors" and "Part 2b: ... soft tissue
    sarcoma, desmoplastic small round cell tumor" (NCT01130623); "Histological
    documentation of soft tissue sarcoma" and "ONLY HER2-RH- breast cancer" in one
    procedure (NCT01165385). A type outside one stratum counts against the patient
    only when no other inclusion criterion places the patient's type within its own.
    """
    within, outside = seen.get(True, set()), seen.get(False, set())
    if not within or not outside:
        return reasons
    out = []
    for r in reasons:
        if r.criterion in outside and r.outcome == "unmet" and r.section == "inclusion":
            r = Reason(r.criterion, r.text, "unknown", r.section,
                       f"{r.why}; another inclusion criterion ({', '.join(sorted(within))}) names the patient's type",
                       r.undecidable)
        out.append(r)
    return out


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
