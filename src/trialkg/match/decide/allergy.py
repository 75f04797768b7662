"""Hypersensitivity (a ``DiseaseStateConstraint`` with state ``hypersensitivity``): what
the criterion's allergen is (``tkg:conditionName``, read by the parser from "to / of /
against ..."), against what the patient is hypersensitive to (the patient file's
``allergies`` list, or only the ``hypersensitivity`` flag).

A patient allergic to penicillin is not "hypersensitive to needles" (NCT03925467) nor to
"iodinated contrast media": a flag that says only "some hypersensitivity" decides a
criterion that names no allergen ("History of severe allergic reactions") and leaves one
that names an allergen unknown. An allergen is matched by its words or, for drugs, by the
drug or a class it belongs to ("allergy to platinum compounds" and carboplatin).
"""

from __future__ import annotations

import re

from trialkg.match.decide.context import Context
from trialkg.match.graph import Constraint
from trialkg.match.logic import Statement, tv_word

# The trial's own products ("any of the study drugs", NCT01900743; "treatment medications",
# NCT03922542; "investigational product or its excipients"; "any component of the
# formulation"): the patient file does not say what the trial gives, so they stay unknown
# for a patient with allergies.
_STUDY_PRODUCT = re.compile(
    r"\b(?:stud(?:y|ied)|investigational|trial|treatment|protocol)\s+(?:drugs?|medications?|medicines?|"
    r"products?|agents?|treatments?|therap(?:y|ies)|compounds?)\b|\bexcipients?\b|\bcomponents?\b|"
    r"\bformulation\b|\bany\s+of\s+the\s+(?:drugs|agents|products)\b", re.IGNORECASE)
_LEAD = re.compile(r"^(?:to|of|against|with|for)\s+", re.IGNORECASE)
_WORDS = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_FILLER = frozenset({"any", "the", "a", "an", "of", "or", "and", "to", "other", "known", "drug", "drugs",
                     "agent", "agents", "its", "their", "compound", "compounds", "similar", "related"})


def hypersensitivity(k: Constraint, ctx: Context) -> Statement:
    """Is the patient hypersensitive to what the criterion names?"""
    allergen = _LEAD.sub("", str(k.one("condition") or "").strip())
    allergies, flag = ctx.patient.allergies, ctx.patient.flag("hypersensitivity")
    if allergies == [] or flag is False:
        return Statement(False, "hypersensitivity: none known")
    if not allergen:  # "history of severe allergic reactions": any hypersensitivity counts
        value = True if allergies else flag
        return Statement(value, f"hypersensitivity: {tv_word(value)}")
    if allergies is None:
        return Statement(None, f"hypersensitivity to {allergen}: the patient file does not say to what "
                               "(allergies)")
    hit = next((a for a in allergies if _names_same(a, allergen, ctx)), None)
    if hit:
        return Statement(True, f"hypersensitivity to {hit} (criterion: {allergen})")
    if _STUDY_PRODUCT.search(allergen):
        return Statement(None, f"hypersensitivity to {allergen}: the trial's products are not compared with "
                               f"the patient's allergies ({', '.join(allergies)})")
    return Statement(False, f"hypersensitivity to {allergen}: not among the patient's allergies "
                            f"({', '.join(allergies)})")


def _names_same(allergy: str, allergen: str, ctx: Context) -> bool:
    """The patient's allergy is (or belongs to) what the criterion names."""
    mine = set(_WORDS.findall(allergy.lower())) - _FILLER
    theirs = set(_WORDS.findall(allergen.lower())) - _FILLER
    if mine and mine <= theirs:
        return True
    drugs = ctx.knowledge.resolve_drug(allergy)
    if not drugs:
        return False
    named = set(ctx.knowledge.resolve_drug(allergen))
    if named & set(drugs):
        return True
    classes = set().union(*(ctx.knowledge.classes_of(d) for d in drugs))
    for phrase in {allergen, *(w for w in re.split(r",|\bor\b|\band\b|/", allergen) if w.strip())}:
        phrase = phrase.strip()
        c = ctx.knowledge.resolve_class(phrase) or ctx.knowledge.resolve_class(re.sub(r"s$", "", phrase))
        if c and c in classes:
            return True
        named |= set(ctx.knowledge.resolve_drug(phrase))
    return bool(named & set(drugs))
