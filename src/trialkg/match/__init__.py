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

The package, in the order its modules import each other:

========================  =====================================================
``logic``                 three-valued logic, ``compare``, ``Statement``
``patient``               the patient file: JSON Schema, then names and units
``graph``, ``drugs``      the trial's criteria and the reference drugs, from the store
``decide/``               one decision per constraint type (``decide/registry.py``)
``criterion``             a criterion's role, condition, exception, alternatives
``results``, ``rank``     verdicts with reasons; what is known to fit first
``matcher``, ``output``   one patient against a store; rows for the CLI
========================  =====================================================

See docs/matching.md for the patient file and the rules in full.
"""

from trialkg.durations import duration_days
from trialkg.match.drugs import DrugKnowledge
from trialkg.match.graph import Constraint, Criterion, TrialFacts, read_conditions, read_trials
from trialkg.match.logic import TV, Outcome, Statement, Verdict, compare, tv_and, tv_not, tv_or
from trialkg.match.matcher import Matcher, match_store
from trialkg.match.patient import (
    ECOG_TO_KARNOFSKY,
    KNOWN_FLAGS,
    KNOWN_LABS,
    LAB_ALIASES,
    Lab,
    Patient,
    PatientBiomarker,
    PriorTherapy,
    load_patient,
    parse_patient,
)
from trialkg.match.rank import decidable_share, sort_results
from trialkg.match.results import MatchResult, Reason

__all__ = [
    "ECOG_TO_KARNOFSKY", "KNOWN_FLAGS", "KNOWN_LABS", "LAB_ALIASES", "TV", "Constraint", "Criterion",
    "DrugKnowledge", "Lab", "MatchResult", "Matcher", "Outcome", "Patient", "PatientBiomarker",
    "PriorTherapy", "Reason", "Statement", "TrialFacts", "Verdict", "compare", "decidable_share",
    "duration_days", "load_patient", "match_store", "parse_patient", "read_conditions", "read_trials",
    "sort_results", "tv_and", "tv_not", "tv_or",
]
