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
    if v is None and crit is not None and about_other_malignancy(crit) and ctx.patient.flag("other_malignancy") is False:
        # the tumour of "No other malignancy within 5 years ..." (NCT00103168), "Other
        # malignancies diagnosed within the previous 5 years, except ..." (NCT02589821) is
        # another than the patient's: a patient file stating none has no such tumour
        return Statement(False, f"{why}; the patient has no other malignancy (flags.other_malignancy false)")
    if v is True and in_exclusion and all(_any_tumour(n) for n in named) and _tumour_trial(ctx):
        return Statement(None, f"'{', '.join(named)}' names no tumour type: in an exclusion of a trial for a "
                               "tumour it is the patient's own disease, named in passing")
    if crit is not None and not in_exclusion and crit.role != "exclusion" and v is not None:
        # (a type an inclusion item keeps out is no stratum: "No squamous cell histology",
        # "Accrual closed as of 5/27/2009 to patients with renal cell carcinoma", NCT00357318)
        ctx.histology_seen.setdefault(v, set()).add(crit.id)
    return Statement(tv_and([v, tv_not(exc_v)]), why + (f"; exceptions: {exc_why}" if exc_why else ""))


_OR = re.compile(r"\bor\b", re.IGNORECASE)


def about_other_malignancy(crit: Criterion) -> bool:
    """Whether the criterion's subject is a history of another malignancy (a subject
    ``other_malignancy`` state)."""
    return any(k.role == "subject" and k.type == "disease_state" and str(k.one("state") or "") == "other_malignancy"
               for k in crit.constraints)


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


# Pieces of an excepted-tumour list, and the words around a type that qualify it
# ("adequately treated basal cell carcinoma", "curatively treated non-melanotic skin cancer").
_PIECES = re.compile(r",|;|/|\bor\b|\band\b|\[|\]|\(|\)", re.IGNORECASE)
_QUALIFIERS = re.compile(r"\b(?:adequately|curatively|completely|successfully|radically|surgically|definitively|"
                         r"treated|resected|excised|removed|controlled|localized|superficial|any|history\s+of)\b",
                         re.IGNORECASE)
_TUMOUR_NOUN = re.compile(r"carcinom|cancer|tumou?r|malignan|sarcom|melanom|lymphom|leuka?em|neoplas|\w{3,}omas?\b",
                          re.IGNORECASE)
# An excepted malignancy the patient file cannot place by its type: a time since
# treatment, a remission, a risk ("or any cancer curatively treated > 3 years prior to
# study entry", NCT00473486; "unless disease-free for at least 5 years", NCT01347788;
# "those with a negligible risk of metastasis or death", NCT03424005).
_NOT_A_TYPE = re.compile(r"\d|\b(?:years?|months?|disease[- ]free|no\s+evidence|remission|recurren\w*|risk|"
                         r"stage|other\s+(?:solid\s+)?(?:malignan\w*|cancers?|tumou?rs?)|any\s+(?:other\s+)?cancer)\b",
                         re.IGNORECASE)


def other_tumour_excepted(k: Constraint, ctx: Context) -> Statement:
    """Is the patient's other malignancy one of the tumours an exception lets through?

    The first tumour of the patient's ``conditions`` is their own cancer, the others are
    other malignancies: every one of them excepted is yes ("... except basal cell
    carcinoma" for leiomyosarcoma and basal cell carcinoma of the skin); one outside the
    list is no, unknown when the list also lets through what the file cannot show (a
    time since treatment, a remission); no other tumour named is unknown (the type of
    the malignancy the flag states is not known)."""
    clause = " ".join(str(h) for h in k.all("histology"))
    if ctx.patient.conditions is None:
        return Statement(None, "conditions unknown")
    table = diseases.DiseaseTable.default()
    tumours = [c for c in ctx.patient.conditions if (r := table.resolve(c)).codes and not r.generic]
    others = tumours[1:]
    if not others:
        return Statement(None, "the other malignancy's type is not in the patient file")
    pieces = [q for p in _PIECES.split(clause) if (q := _QUALIFIERS.sub(" ", p).strip(" .-")) and len(q) > 2]
    values: list[TV] = []
    for o in others:
        if any(_named_by(p, o) for p in pieces):
            values.append(True)
            continue
        # a piece without a tumour noun, or one no tumour type of the table names, is a
        # fragment of a shared head ("basal cell or squamous cell skin cancer"; "squamous or
        # basal cell carcinoma of the skin", NCT03277924): only a match of it counts
        hits = [h for p in pieces if (h := diseases.has_histology([o], [p], p)[0]) is True
                or (h is not None or table.resolve(p).codes) and _TUMOUR_NOUN.search(p)]
        values.append(True if any(h is True for h in hits) else (None if any(h is None for h in hits) else False))
    value = tv_and(values)
    if value is False and _NOT_A_TYPE.search(clause):
        value = None
    return Statement(value, f"other malignancy {', '.join(others)} among the excepted ({clause}): {tv_word(value)}")


# Words of a tumour name that say which tumour it is, written alike: "basal cell skin
# cancer" (NCT02691871) is a "basal cell carcinoma of the skin", "carcinoma in situ of the
# cervix" (NCT00103168) a "cervical carcinoma in situ".
_GENERIC_WORDS = frozenset({"cancer", "cancers", "carcinoma", "carcinomas", "tumor", "tumors", "tumour", "tumours",
                            "neoplasm", "neoplasms", "malignancy", "malignancies", "of", "the", "in", "a", "an"})
_SAME_WORD = {"cervical": "cervix", "cutaneous": "skin", "in-situ": "situ", "tumours": "tumor"}


def _tumour_words(name: str) -> set[str]:
    words = re.findall(r"[a-z]+(?:-[a-z]+)?", name.lower())
    out = set()
    for w in words:
        for part in ([w] if w == "in-situ" else w.split("-")):
            part = _SAME_WORD.get(part, part)
            if part not in _GENERIC_WORDS:
                out.add(part)
    return out


def _named_by(piece: str, condition: str) -> bool:
    """Whether every word that says which tumour ``piece`` is is a word of ``condition``
    (and the piece says which, with two words or more)."""
    words = _tumour_words(piece)
    return len(words) >= 2 and words <= _tumour_words(condition)
