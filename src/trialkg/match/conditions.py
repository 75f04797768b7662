"""A condition a criterion names against the patient's conditions and flags.

A criterion naming a condition (``tkg:conditionName`` of a ``disease_state`` with the
state ``condition``: "History of collagen vascular disease", NCT00375310; "History of
Guillain-Barre syndrome", NCT02210780; "Symptomatic peripheral vascular disease",
NCT00722293 and NCT01542047; "leiomyosarcoma", "angiosarcoma", NCT02636725) is
compared with the patient file through one normalisation, never a list per line:

- words folded as the disease table folds them (case, plurals, British spellings:
  ``diseases.tokens``); words that only say when or how surely the condition was found
  ("history of", "prior", "known", "documented", "evidence of") are left out, words
  that narrow it ("uncontrolled", "active", "symptomatic", "severe", "chronic") are kept
  apart: the patient's condition must say them too, or the outcome is unknown;
- the patient-file flags by their names ("prior myocardial infarction" is the flag
  ``myocardial_infarction``, "brain metastases" ``brain_metastases``) and by the
  comorbidity phrases of the criteria lexicon, which also read the patient's own
  condition names ("HIV", "human immunodeficiency virus infection" are ``hiv_infection``);
- a tumour type of the disease table (OncoTree with its synonyms: "leiomyosarcoma",
  "chordoma") is a histology: ``tumour_type`` says so and the histology decision reads
  it against the patient's diagnoses.

The answer is true when a flag or a condition of the patient names it, false when a
flag says no, and unknown otherwise: a condition the file does not mention is missing
data, not absent.
"""

from __future__ import annotations

import re
from functools import lru_cache

from trialkg.criteria import lexicon
from trialkg.knowledge import diseases
from trialkg.match.logic import TV
from trialkg.match.patient import FLAG_IMPLIES, KNOWN_FLAGS, Patient

# Words that say when or how surely a condition was found, or join the phrase: not part
# of what is named ("History of HIV", "Any history of congenital long QT syndrome",
# NCT02243605; "Patients with evidence of liver dysfunction", NCT00763412).
_FRAME = frozenset(
    "history of prior previous known documented evidence diagnosis diagnosed with any a an the patient "
    "subject has have had presence existing current currently concomitant concurrent or and in past "
    "to due from that is are who within month year week day last recent recently confirmed".split())
# Words that narrow a condition: a patient with the condition need not have that kind of it
# ("uncontrolled diabetes", "active hepatitis B", "Symptomatic peripheral neuropathy",
# NCT02679963; "clinically severe respiratory function impairment", NCT06382129).
_NARROWING = frozenset(
    "active uncontrolled symptomatic severe significant clinically serious unstable untreated chronic acute "
    "poorly progressive decompensated refractory major moderate grade ctcae".split())
# Words that name no particular condition on their own ("Other disease or illness",
# NCT03277924; "Serious concomitant systemic disorder", NCT00473486).
_GENERIC = frozenset(
    "disease disorder condition illness problem abnormality comorbidity other systemic medical whose "
    "control controlled situ underlying organ".split())
# Heads that name a procedure, a device, a habit or an outlook, not a diagnosis a
# conditions list answers ("A hysterectomy", "A bilateral oophorectomy", NCT01542047;
# "Intrauterine device", NCT01542047; "Smoker", NCT03459976; "Poor prognosis", NCT02535351;
# "Any contraindication to undergo magnetic resonance imaging", NCT00375310).
_NOT_A_DIAGNOSIS = re.compile(
    r"(?:ectomy|otomy|ostomy|plasty|implants?|devices?|pacemakers?|smok\w*|smoker|alcohol\w*|pregnan\w*|"
    r"hospitali[sz]\w*|contraindications?|prognosis|stage|surgery|resection|t[0-4])$")
_SPELLED_NUMBER = re.compile(r"^\d+$")


def _words(text: str) -> list[str]:
    return [w for w in diseases.tokens(text) if not _SPELLED_NUMBER.match(w)]


def core(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(what the name names, the words that narrow it), as folded tokens."""
    words = [w for w in _words(text) if w not in _FRAME]
    return frozenset(w for w in words if w not in _NARROWING), frozenset(w for w in words if w in _NARROWING)


@lru_cache(maxsize=1)
def _flag_words() -> dict[str, frozenset[str]]:
    """The condition flags of the patient file by the words of their names: the
    comorbidities of the criteria lexicon, the flags that imply another, metastasis sites."""
    keys = {k for k, _rx in lexicon.COMORBIDITIES} | set(FLAG_IMPLIES) | set(FLAG_IMPLIES.values())
    keys |= {f for f in KNOWN_FLAGS if f.endswith("metastases")}
    keys -= {"hypersensitivity", "unresolved_toxicity", "serious_illness", "other_malignancy"}
    return {f: frozenset(_words(f.replace("_", " "))) for f in keys & KNOWN_FLAGS}


@lru_cache(maxsize=1)
def _phrases() -> list[tuple[str, re.Pattern[str]]]:
    names = _flag_words()
    return [(key, re.compile(rx, re.IGNORECASE)) for key, rx in lexicon.COMORBIDITIES if key in names]


@lru_cache(maxsize=4096)
def flags_named(text: str, whole: bool = True) -> frozenset[str]:
    """The condition flags a name stands for: flags whose name's words it holds (the
    longest such names), else a comorbidity phrase of the criteria lexicon; with
    ``whole`` the phrase must cover every word the name names ("HIV" in "History of
    HIV"), so that "uncontrolled tumor-related pain" is no flag."""
    what, narrow = core(text)
    words = what | narrow
    by_name = [f for f, fw in _flag_words().items() if fw and fw <= words]
    if by_name:
        longest = max(len(_flag_words()[f]) for f in by_name)
        return frozenset(f for f in by_name if len(_flag_words()[f]) == longest)
    found = set()
    for key, rx in _phrases():
        m = rx.search(text)
        if m and (not whole or what <= frozenset(_words(m.group(0)))):
            found.add(key)
    return frozenset(found)


def _broader(flags: frozenset[str]) -> frozenset[str]:
    return flags | {FLAG_IMPLIES[f] for f in flags if f in FLAG_IMPLIES}


def named_condition(name: str, patient: Patient) -> tuple[TV, str]:
    """Does the patient have the condition ``name``? (value, the fact it rests on)."""
    what, narrow = core(name)
    if not what - _GENERIC:
        return None, f"'{name}' names no particular condition"
    if any(_NOT_A_DIAGNOSIS.search(w) for w in what):
        return None, f"'{name}': a procedure, device, habit or outlook, not a diagnosis the patient file lists"
    flags = flags_named(name)
    narrowed = narrow - frozenset().union(*(_flag_words()[f] for f in flags)) if flags else narrow
    said = [(f, patient.flag(f)) for f in sorted(flags)]
    if any(v is True for _f, v in said):
        f = next(f for f, v in said if v is True)
        return _narrowed(name, f"flag {f}: yes", narrowed, frozenset())
    hit, related = _in_conditions(what, flags, patient)
    if hit:
        return _narrowed(name, f"patient condition '{hit}'", narrowed, core(hit)[1])
    if said and all(v is False for _f, v in said):
        return False, f"'{name}': flag {', '.join(f for f, _v in said)}: no"
    if patient.conditions is None:
        return None, f"'{name}': the patient file gives no conditions"
    if related:
        return None, f"'{name}': the patient's '{related}' may be it (a broader or related condition)"
    return None, (f"'{name}' is not among the patient's conditions ({'; '.join(patient.conditions) or 'none'}); "
                  "the file does not say it is absent")


def _narrowed(name: str, fact: str, narrow: frozenset[str], patient_words: frozenset[str]) -> tuple[TV, str]:
    missing = narrow - patient_words
    if missing:
        return None, f"'{name}': {fact}; whether it is {' '.join(sorted(missing))} the patient file does not say"
    return True, f"'{name}': {fact}"


def _in_conditions(what: frozenset[str], flags: frozenset[str], patient: Patient) -> tuple[str | None, str | None]:
    """(the patient condition that is the named one, one that may be it)."""
    related = None
    for pc in patient.conditions or []:
        pflags = flags_named(pc, whole=False)
        if what <= frozenset(_words(pc)) or flags & _broader(pflags):
            return pc, None
        if (flags and _broader(flags) & _broader(pflags)) or (core(pc)[0] and core(pc)[0] < what):
            related = related or pc
    return None, related


def tumour_type(name: str) -> bool:
    """Whether a name is a tumour type of the disease table ("leiomyosarcoma", "chordoma",
    "angiosarcoma", NCT02636725): the histology decision reads it, with its strata and
    closed lists (decide/disease.py)."""
    r = diseases.DiseaseTable.default().resolve(name)
    return bool(r) and not r.generic
