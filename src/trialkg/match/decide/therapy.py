"""Prior therapy (``PriorTherapyConstraint``): did the patient receive one of the named
drugs or classes, in the window, for long enough; washouts and exposure limits.

A patient's drug counts when it is one of ``tkg:priorDrug`` or in one of
``tkg:priorDrugClass`` through ``tkg:inDrugClass/skos:broader*`` in the reference graph
(``DrugKnowledge``), unless ``tkg:exceptDrug``/``exceptDrugClass`` names it.
"""

from __future__ import annotations

from dataclasses import dataclass

from trialkg import iris
from trialkg.durations import duration_days
from trialkg.knowledge.lexicon import Lexicon
from trialkg.match.decide.context import Context
from trialkg.match.graph import Constraint, Criterion
from trialkg.match.logic import TV, Statement, tv_and, tv_not, tv_or, tv_word
from trialkg.match.logic import num as _num
from trialkg.match.patient import PriorTherapy

# Therapy modalities (criteria lexicon) given as drugs, which a patient file would list.
DRUG_MODALITIES = frozenset({"chemotherapy", "immunotherapy", "targeted therapy", "hormonal therapy", "systemic therapy",
                             "biologic therapy", "neoadjuvant or adjuvant therapy", "investigational agent",
                             "hormone replacement therapy"})


_STEROID = iris.drug_class("corticosteroid")
# A therapy "being received" is one whose last dose was at most a week ago; four weeks or
# more is a past one; between, the file cannot say.
CURRENT_WEEKS, PAST_WEEKS = 1.0, 4.0


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
    agents: bool = False  # tkg:countsAgents: the count is of distinct drugs, not lines
    dose_min: float | None = None  # tkg:prednisoneDoseMin: a glucocorticoid counts above it
    dose_max: float | None = None  # tkg:prednisoneDoseMax: ... at or below it
    dose_strict: bool = False
    timing: str | None = None  # tkg:timing: "current" (being taken now) or "planned"

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
                   bool(k.one("qualified")),
                   wants_true and days is None and (max_days is not None or k.num("prednisoneDoseMax") is not None),
                   int(k.num("maxLines")) if k.num("maxLines") is not None else None,
                   int(k.num("minLines")) if k.num("minLines") is not None else None,
                   bool(k.one("countsAgents")), k.num("prednisoneDoseMin"), k.num("prednisoneDoseMax"),
                   bool(k.one("prednisoneDoseStrict")), k.one("timing"))

    def dose(self, therapy: PriorTherapy, names: list[str]) -> tuple[TV, str] | None:
        """Whether a glucocorticoid therapy is at a dose the constraint counts (its daily
        dose in prednisone equivalents against ``dose_min`` / ``dose_max``), with the
        note; None when the constraint bounds no dose."""
        if self.dose_min is None and self.dose_max is None:
            return None
        bound = (f"{'more than' if self.dose_strict else 'at least'} {_num(self.dose_min)}" if self.dose_min is not None
                 else f"{'less than' if self.dose_strict else 'at most'} {_num(self.dose_max)}")
        what = f"{bound} mg/day prednisone-equivalent"
        if therapy.daily_dose_mg is None:
            return None, f"daily dose not given ({what} counts)"
        lex = Lexicon.default()
        eq = next((e for n in names if (e := lex.prednisone_equivalent(n, therapy.daily_dose_mg))), None)
        if eq is None:
            return None, f"{_num(therapy.daily_dose_mg)} mg/day: no prednisone equivalence known for this drug ({what} counts)"
        low, high = eq
        if self.dose_min is not None:
            m = self.dose_min
            v: TV = (True if low > m else False if high <= m else None) if self.dose_strict \
                else (True if low >= m else False if high < m else None)
        else:
            m = self.dose_max  # type: ignore[assignment]
            v = (True if high < m else False if low >= m else None) if self.dose_strict \
                else (True if high <= m else False if low > m else None)
        shown = _num(round(low, 1)) if low == high else f"{_num(round(low, 1))}-{_num(round(high, 1))}"
        return v, f"{_num(therapy.daily_dose_mg)} mg/day = {shown} mg prednisone vs {what}: {tv_word(v)}"

    def judge(self, therapy: PriorTherapy, hit: TV, dose: tuple[TV, str] | None = None) -> tuple[TV, list[str]]:
        """(value, notes): for a washout or a limit, whether this therapy keeps to it;
        otherwise whether it is the exposure the constraint states. ``dose`` (``dose``)
        says whether a glucocorticoid is at a dose the constraint counts."""
        parts = [therapy.label]
        if dose is not None:
            parts.append(dose[1])
            if self.limit and self.dose_max is not None:
                # "on a stable dose of <= 10 mg daily prednisone": a higher dose breaks it
                return tv_or([tv_not(hit), dose[0]]), parts
            hit = tv_and([hit, dose[0]])
        value: TV = hit
        if self.days is not None:
            weeks = therapy.weeks_since_last_dose
            within: TV = None if weeks is None or not self.comparable else weeks * 7 <= self.days + 1e-9
            if not self.comparable:
                parts.append(f"window of {_num(round(self.days))} d counted from another event (tkg:anchor)")
            else:
                parts.append(f"last dose {_num(weeks)} wk ago vs window {_num(round(self.days))} d: {tv_word(within)}")
            if self.washout:
                recent = tv_and([hit, within])
                if self.qualified and recent is True:
                    recent = None  # "3 months from high-dose chemotherapy": which chemotherapy?
                    parts.append(_QUALIFIED_NOTE)
                return tv_not(recent), parts
            if self.inclusion_window and within is False:
                within = None
                parts.append("a window in an inclusion criterion may date progression, not the last dose")
            value = tv_and([value, within])
        elif self.timing == "current" and not self.qualified and not self.limit:
            # "Receiving anticoagulant therapy", "Those using corticosteroids": taken now
            weeks = therapy.weeks_since_last_dose
            now: TV = None if weeks is None else (True if weeks <= CURRENT_WEEKS else False if weeks >= PAST_WEEKS else None)
            parts.append(f"last dose {_num(weeks)} wk ago: {'taken now' if now else 'not now' if now is False else 'now?'}")
            value = tv_and([value, now])
        weeks_on = therapy.duration_weeks
        if self.max_days is not None:
            short: TV = None if weeks_on is None else weeks_on * 7 <= self.max_days + 1e-9
            parts.append(f"{_num(weeks_on)} wk vs at most {_num(round(self.max_days))} d: {tv_word(short)}")
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
                         f"{_num(round(self.min_days))} d: {tv_word(long_enough)}")
            value = tv_and([value, long_enough])
        if hit is None:
            parts.append("class of this drug unknown")
        if self.qualified and value is True:
            value = None
            parts.append(_QUALIFIED_NOTE)
        return value, parts



_QUALIFIED_NOTE = ("the text qualifies it (failure, intolerance, a reason for stopping, a kind of use or dose the "
                   "patient file does not show: tkg:qualified)")


def prior_therapy(k: Constraint, ctx: Context, wants_true: bool = True, crit: Criterion | None = None) -> Statement:
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
    names = [ctx.knowledge.label(x) for x in drugs + classes] or [str(t) for t in k.all("therapy")]
    what = " / ".join(names) or "prior therapy"
    if ctx.patient.prior_therapies is None:
        return Statement(None, f"prior therapies unknown ({what})")
    w = _Window.of(k, wants_true)
    if w.timing == "planned" and w.days is None:
        # "planned treatment with ...", "candidate for ...": a therapy still to come
        return Statement(None, f"{what}: a therapy still to come; the patient file lists those given")
    if not drugs and not classes:
        return _modality(k, ctx, w, what, wants_true)
    results, notes, agents = _judge_therapies(k, ctx, w, drugs, classes)
    if w.agents and w.min_lines is not None:
        return _at_least_agents(w, what, results, agents, "; ".join(notes) or "no matching prior therapy")
    return _verdict(w, what, results, notes, wants_true)


def _modality(k: Constraint, ctx: Context, w: _Window, what: str, wants_true: bool) -> Statement:
    """A therapy named by its modality only. The patient file lists drug therapies: with
    none listed, a drug modality (systemic, adjuvant, immuno-, hormonal therapy) was not
    given; surgery and radiotherapy are not in the list, so they stay unknown."""
    drug_modality = bool({str(t) for t in k.all("therapy")} & DRUG_MODALITIES)
    if drug_modality and not ctx.patient.prior_therapies:
        # a washout or a limit is kept (an exclusion states its violation: no)
        v: TV = wants_true if (w.washout or w.limit or w.max_lines is not None) else False
        return Statement(v, f"prior {what}: the patient had no prior drug therapy: {tv_word(v)}")
    return Statement(None, f"{what}: no drug or class in the graph")


def _judge_therapies(k: Constraint, ctx: Context, w: _Window, drugs: list[str],
                     classes: list[str]) -> tuple[list[TV], list[str], list[frozenset[str]]]:
    """Each of the patient's therapies that may be one the constraint names, judged, with
    the agents of each that the constraint names (``_agents``)."""
    except_drugs = {str(d) for d in k.all("exceptDrug")}
    except_classes = {str(c) for c in k.all("exceptDrugClass")}
    systemic = bool(k.one("systemicOnly"))
    results: list[TV] = []
    notes: list[str] = []
    agents: list[frozenset[str]] = []
    for therapy, t_drugs, t_classes in ctx.therapies:
        if (except_drugs & set(t_drugs) or except_classes & t_classes) and not set(t_drugs) & set(drugs):
            notes.append(f"{therapy.label} is excepted")
            continue
        hit = therapy_hits(ctx, therapy, t_drugs, t_classes, drugs, classes)
        if hit is False:
            continue
        names = [ctx.knowledge.lexicon_name(d) for d in t_drugs]
        if _STEROID in t_classes and names and systemic \
                and not any(Lexicon.default().systemic_glucocorticoid(n) for n in names):
            notes.append(f"{therapy.label}: a glucocorticoid used on or in one organ, not a systemic one")
            continue
        dose = w.dose(therapy, names) if _STEROID in t_classes else None
        if dose is not None and dose[0] is False and not (w.limit and w.dose_max is not None):
            notes.append(f"{therapy.label}: {dose[1]}")
            continue
        value, parts = w.judge(therapy, hit, dose)
        results.append(value)
        notes.append(", ".join(parts))
        agents.append(_agents(ctx, therapy, t_drugs, drugs, classes))
    return results, notes, agents


def _agents(ctx: Context, therapy: PriorTherapy, t_drugs: list[str], drugs: list[str],
            classes: list[str]) -> frozenset[str]:
    """The drugs of one prior therapy that a count of agents counts: those of a regimen
    ("doxorubicin and ifosfamide", "FOLFOX") the constraint names, else the entry's drugs
    (or its name when none resolves)."""
    wanted = set(classes)
    named = frozenset(d for d in t_drugs if d in drugs or ctx.knowledge.classes_of(d) & wanted)
    return named or frozenset(t_drugs) or frozenset({therapy.label.strip().lower()})


def _at_least_agents(w: _Window, what: str, results: list[TV], agents: list[frozenset[str]],
                     detail: str) -> Statement:
    """At least N prior agents (``tkg:countsAgents``: "two or more small molecular TKI
    drugs", NCT03167385; "resistant or intolerant to at least 2 prior TKIs", NCT02782403)
    count distinct drugs: two entries of imatinib are one agent, a regimen counts each of
    its named drugs. Fewer distinct drugs than N that may count is no; N sure ones yes."""
    sure: set[str] = set()
    maybe: set[str] = set()
    for value, names in zip(results, agents, strict=True):
        if value is True:
            sure |= names
        elif value is None:
            maybe |= names
    n_sure, n_all = len(sure), len(sure | maybe)
    v: TV = False if n_all < w.min_lines else True if n_sure >= w.min_lines else None
    return Statement(v, f"at least {w.min_lines} prior agent(s) of {what} ({n_sure} distinct drug(s) sure, "
                        f"{n_all} at most): {detail}: {tv_word(v)}")


def _verdict(w: _Window, what: str, results: list[TV], notes: list[str], wants_true: bool) -> Statement:
    detail = "; ".join(notes) if notes else "no matching prior therapy"
    if w.min_lines is not None:
        return _at_least(w, what, results, detail)
    if w.max_lines is not None and wants_true:
        n = sum(1 for r in results if r is not False)
        v = True if n == 0 or (n <= w.max_lines and all(r is True for r in results)) else None
        return Statement(v, f"at most {w.max_lines} prior line(s) of {what}: {detail}: {tv_word(v)}")
    if w.washout or w.limit:
        v = tv_and(results) if results else True
        if not wants_true:
            v = tv_not(v)  # an exclusion states the violation
        label = "washout from" if w.washout else "at most the stated exposure to"
        return Statement(v, f"{label} {what}: {detail}: {tv_word(v)}")
    v = tv_or(results) if results else False
    return Statement(v, f"prior {what}: {detail}: {tv_word(v)}")


def _at_least(w: _Window, what: str, results: list[TV], detail: str) -> Statement:
    """At least N prior lines. Each line holds at least one drug, so fewer matching
    entries than N in the patient's list is fewer lines: no. N or more may still be
    fewer lines (a line may combine drugs): open."""
    v: TV = False if len([r for r in results if r is not False]) < w.min_lines else None
    return Statement(v, f"at least {w.min_lines} prior line(s) of {what}: {detail}: {tv_word(v)}")


def therapy_hits(ctx: Context, therapy: PriorTherapy, t_drugs: list[str], t_classes: set[str],
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
        c = ctx.knowledge.resolve_class(therapy.drug_class)
        if c is None:
            return None
        for wanted in classes:
            if c in ctx.knowledge.class_ancestors(wanted):
                return None  # patient's class is broader than the excluded one
        for d in drugs:
            if c in ctx.knowledge.classes_of(d):
                return None
        return False
    return False
