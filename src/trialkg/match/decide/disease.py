"""Disease and histology (``HistologyConstraint``, ``DiseaseStateConstraint``): the
patient's diagnoses against the types a criterion names, through the disease table
(``knowledge/diseases.py``), and disease states and comorbidities as patient flags."""

from __future__ import annotations

import re

from trialkg import iris
from trialkg.knowledge import diseases
from trialkg.match import conditions
from trialkg.match.decide import allergy
from trialkg.match.decide.context import Context
from trialkg.match.graph import Constraint, Criterion
from trialkg.match.logic import TV, Statement, tv_and, tv_not, tv_word
from trialkg.match.patient import KNOWN_FLAGS

# Disease states trials ask for, and the ones they keep out (criteria/lexicon.py keys).
GOOD_STATES = frozenset({"measurable_disease", "evaluable_disease", "advanced_disease", "metastatic",
                         "locally_advanced", "recurrent", "refractory"})
BAD_STATES = frozenset({"cns_metastases", "brain_metastases", "leptomeningeal_disease"})


def histology(k: Constraint, ctx: Context, wants_true: bool = True, crit: Criterion | None = None) -> Statement:
    """Does the patient's tumour belong to the types the criterion names?

    Inclusion ("soft tissue sarcoma (except GIST)"): one of ``tkg:histology`` and none
    of ``tkg:excludedHistology``. Exclusion ("Primary bone sarcoma"): the named type,
    which the parser writes as ``tkg:excludedHistology``. Types are read through the
    disease table (knowledge/diseases.py): a closed list excludes a type it does not
    name, an open one ("..., etc.") only a type outside the family its items share.
    """
    included = [str(h) for h in k.all("histology")]
    excluded = [str(h) for h in k.all("excludedHistology")]
    if ctx.patient.conditions is None:
        return Statement(None, "conditions unknown")
    conds = ctx.patient.conditions
    text = crit.text if crit else ""
    in_exclusion = crit is not None and crit.section == "exclusion"
    named, exceptions = (included, excluded) if included or not in_exclusion else (excluded, [])
    conflicts = [why for n in named if (why := marker_conflict(n, ctx.markers))]
    if named and len(conflicts) == len(named):
        return Statement(False, "; ".join(conflicts))
    named = [n for n in named if not marker_conflict(n, ctx.markers)]
    kw = {"trial_conditions": ctx.trial.conditions if ctx.trial else (), "in_exclusion": in_exclusion,
          "closed_ok": diseases.closed_list(text)}
    exc_v, exc_why = (diseases.has_histology(conds, exceptions, text, exceptions=True, **kw)
                      if exceptions else (False, ""))
    if exc_v is True:
        return Statement(False, f"an excepted type: {exc_why}")
    if not named:  # only exceptions ("excluding adipocytic tumor")
        return Statement(tv_not(exc_v), f"not an excepted type: {tv_word(tv_not(exc_v))} ({exc_why})")
    v, why = diseases.has_histology(conds, named, text, **kw)
    if v is True and in_exclusion and all(_any_tumour(n) for n in named) and _tumour_trial(ctx):
        return Statement(None, f"'{', '.join(named)}' names no tumour type: in an exclusion of a trial for a "
                               "tumour it is the patient's own disease, named in passing")
    if crit is not None and not in_exclusion and crit.role != "exclusion" and v is not None:
        # (a type an inclusion item keeps out is no stratum: "No squamous cell histology",
        # "Accrual closed as of 5/27/2009 to patients with renal cell carcinoma", NCT00357318)
        ctx.histology_seen.setdefault(v, set()).add(crit.id)
    return Statement(tv_and([v, tv_not(exc_v)]), why + (f"; exceptions: {exc_why}" if exc_why else ""))


_OR = re.compile(r"\bor\b", re.IGNORECASE)


def marker_conflict(name: str, markers: dict[str, bool]) -> str | None:
    """The patient's marker status that contradicts one a type's name states, if any.

    A criterion names a type with its status as the trial's conditions do ("HER2 positive
    breast cancer", NCT01165385 exc-2; "EGFR wild-type non-small cell lung cancer",
    NCT06382129 inc-4; "TNBC", NCT03424005 inc-2): a patient with the opposite status has
    another disease than the one named, whatever the type. A status is the gene's, given
    without a variant (``Context.markers``), as for the trial's conditions."""
    stated = diseases.condition_markers(name)
    if len({positive for _genes, positive in stated}) > 1 or (len(stated) > 1 and _OR.search(name)):
        return None  # "ER+ and/or PR+, HER2-" (NCT02513394 inc-5): the biomarker constraints decide
    for genes, positive in stated:
        known = [markers[g] for g in genes if g in markers]
        if len(genes) == 1 and known and known[0] != positive:
            return (f"'{name}' needs {genes[0]} {'positive' if positive else 'negative'}; the patient's is "
                    f"{'positive' if known[0] else 'negative'}")
    return None


def _any_tumour(name: str) -> bool:
    """A name that stands for any tumour ("cancer", "tumor", "malignancy"), no type of it.

    In an exclusion such a name is the disease the trial is for, named by the therapy or
    procedure the criterion is about: "Any systemic anticancer treatment" (NCT00619541),
    "any cancer therapy" (NCT00678977, NCT00722293), "tumor embolization" (NCT01542047).
    Another, second or previous malignancy is read as such by the disease table."""
    return diseases.DiseaseTable.default().resolve(name).generic


def _tumour_trial(ctx: Context) -> bool:
    """Whether the trial's conditions name a tumour (a dermatitis trial's "cancer" is one)."""
    table = diseases.DiseaseTable.default()
    return ctx.trial is not None and any(table.resolve(c).codes for c in ctx.trial.conditions)


def histology_condition(k: Constraint, ctx: Context) -> TV:
    """A histology condition names the types the criterion is for: a patient with none
    of them is not concerned ("if the tumour is a liposarcoma", a cohort's type)."""
    named = [str(h) for h in k.all("histology")]
    if ctx.patient.conditions is None:
        return None
    v, _why = diseases.has_histology(ctx.patient.conditions, named, " ".join(named))
    return v


def disease_state(k: Constraint, ctx: Context, wants_true: bool = True, crit: Criterion | None = None) -> Statement:
    state = str(k.one("state") or k.one("variable") or "").lower()
    state = iris.slug(state).replace("-", "_") if state else ""
    if state == "measurable":
        state = "measurable_disease"
    if state == "hypersensitivity":
        return allergy.hypersensitivity(k, ctx)
    if state in ("brain_metastases",):
        value = ctx.patient.flag("brain_metastases")
        if value is None and ctx.patient.flag("cns_metastases") is False:
            value = False
    elif state in KNOWN_FLAGS:
        value = ctx.patient.flag(state)
        if value is None and state.endswith("_metastases") and (
                ctx.patient.flag("metastatic") is False or ctx.patient.flag("advanced_disease") is False):
            value = False  # no metastases at all: none at this site
    elif state == "condition" and k.one("condition"):  # a named condition (match/conditions.py)
        name = str(k.one("condition"))
        if conditions.tumour_type(name):  # a tumour type: the histology decision, with its strata
            return histology(Constraint(k.iri, {"histology": [name]}), ctx, wants_true, crit)
        return Statement(*conditions.named_condition(name, ctx.patient))
    else:
        return Statement(None, f"{state or 'disease state'}: not in the patient file vocabulary")
    return Statement(value, f"{state}: {tv_word(value)}")


def _state(k: Constraint) -> str:
    return iris.slug(str(k.one("state") or "")).replace("-", "_")


def is_bad_state(k: Constraint) -> bool:
    """A comorbidity or CNS disease: what a plain requirement asks to be absent."""
    if k.type != "disease_state":
        return False
    return bool(k.one("comorbidity")) or _state(k) in BAD_STATES


def is_good_state(k: Constraint) -> bool:
    """A state trials require (measurable, metastatic disease)."""
    return k.type == "disease_state" and not k.one("comorbidity") and _state(k) in GOOD_STATES
