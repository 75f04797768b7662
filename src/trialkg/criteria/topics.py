"""Criterion topics: what an item is about, and why no patient-file fact decides it.

Most items that hold no number still say something a clinician reads at once:
"Patient refuses", "Glaucoma", "Scheduled for elective knee arthroscopy", "Any other
condition that, in the opinion of the investigator, ...". The table
``ontology/reference/criterion_topics.tsv`` (shipped in the wheel) types them: one row
per topic, with its cue phrases (a regex), and real examples from at least two trials.
A row gives either

- a **constraint** the matcher reads from the patient file, when the topic is
  decidable: ``condition`` (a named condition: a ``disease_state`` with the condition's
  words), ``hypersensitivity`` (a named allergy: the comorbidity the ``hypersensitivity``
  flag answers, with the allergen's words as ``condition``), or the patient-file flag that
  answers it (``healthy_volunteer``; ``liver_disease`` for "impaired liver function",
  ``renal_disease`` for "abnormal renal function"); or
- a **reason** no patient-file fact decides it (criterion key ``undecidable``):
  ``administrative`` (consent, willingness, logistics, insurance, residence, legal
  status, the recruiting site, the period a record study covers: facts about the
  person's situation, not their health), ``investigator_judgement`` (the decision is a
  clinician's opinion), ``needs_record`` (a clinical fact the patient file has no field
  for: a procedure, a symptom or finding, a medication class outside the drug table,
  obstetric details, other-study participation, substance use), ``not_stated`` (the
  limits are defined elsewhere: "Adequate organ function as indicated in protocol") or
  ``on_study`` (a rule
  for the time after enrolment, "intervening therapy ... is not permitted": it is no
  entry criterion, so ``entry`` is false).

Every criterion a row fits gets its ``topic``; ``undecidable`` (or the row's
constraint) is added only where no other rule gave the item a constraint, so a typed
constraint always wins over a label. Rows of tier ``specific`` are tried in table
order; among rows of tier ``clinical`` (procedure, medication, named condition,
function, finding) the cue written first in the item names the topic ("Surgery for
sciatica at the same level" is a procedure, "Chronic anal fissure lasting more than
6 weeks" a condition).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from trialkg.criteria.rules.binding import find_variables
from trialkg.criteria.rules.disease import allergen_after, treatment_intolerance
from trialkg.knowledge.lexicon import Lexicon
from trialkg.resources import ontology_file
from trialkg.textgate import Gated, GateSet

TABLE = "reference/criterion_topics.tsv"
REASONS = ("administrative", "investigator_judgement", "needs_record", "not_stated", "on_study")
# A row's constraint: a named condition, or the patient-file flag that answers the topic.
CONSTRAINTS = ("condition", "hypersensitivity", "healthy_volunteer", "liver_disease", "renal_disease")
TIERS = ("specific", "clinical")


@dataclass(frozen=True)
class Topic:
    name: str
    tier: str
    reason: str | None
    constraint: str | None
    cue: Gated
    examples: str


@lru_cache(maxsize=1)
def table() -> tuple[Topic, ...]:
    """The topics in table order (read once; a bad row is an error naming its line)."""
    text = ontology_file(TABLE).read_text(encoding="utf-8")
    out: list[Topic] = []
    for n, row in enumerate(csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
        name, tier = row["topic"].strip(), row["tier"].strip()
        reason, constraint = row["reason"].strip() or None, row["constraint"].strip() or None
        if not name or tier not in TIERS or (reason is None) == (constraint is None) \
                or (reason and reason not in REASONS) or (constraint and constraint not in CONSTRAINTS):
            raise ValueError(f"{TABLE} line {n}: topic {name!r} needs a tier {TIERS} and exactly one of "
                             f"reason {REASONS} or constraint {CONSTRAINTS}")
        if len(set(re.findall(r"NCT\d{8}", row["examples"]))) < 2:
            raise ValueError(f"{TABLE} line {n}: topic {name!r} cites fewer than two trials")
        out.append(Topic(name, tier, reason, constraint, Gated(row["cue"], re.IGNORECASE), row["examples"].strip()))
    return tuple(out)


@lru_cache(maxsize=1)
def _cue_gates() -> GateSet:
    """The literal gates of every row's cue, opened together (table order)."""
    return GateSet([t.cue for t in table()])


def topic_of(text: str) -> tuple[Topic, re.Match[str]] | None:
    """The topic an item's text is about, with the cue that named it, or None."""
    best: tuple[Topic, re.Match[str]] | None = None
    rows = table()
    for i in _cue_gates().open(text):
        t = rows[i]
        m = t.cue.rx.search(text)
        if m is None:
            continue
        if t.tier == "specific":
            return t, m
        if best is None or m.start() < best[1].start():
            best = (t, m)
    return best


def _decided(crit: dict[str, Any]) -> bool:
    """Whether another rule already gave the criterion a constraint or a role that
    says why none applies."""
    if crit.get("role") in ("information", "permission"):
        return True
    return any(c.get("type") != "unparsed" or c.get("reason") for c in crit.get("constraints") or [])


def _participation_only(crit: dict[str, Any]) -> bool:
    """Whether the criterion's only constraint is the participation word-bag's
    (``rules.person.read_participation``, read when no other rule read the item)."""
    cons = [c for c in crit.get("constraints") or [] if c.get("type") != "unparsed"]
    return bool(cons) and all(c.get("type") == "consent" and c.get("aspect") == "participation" for c in cons)


# The words a condition's name is cut at (the convention of the parser's condition
# mentions): "Patients with kidney, liver and intestinal diseases" names "intestinal diseases".
_PHRASE_CUT = re.compile(r"[,;:()]|(?<![\w-])(?:with|of|for|or|and|has|have|had|by|in|to|the|a|an|any|no|without|known|"
                         r"patients?|subjects?|history|presence|suspected|documented|diagnosed|suffering|from|"
                         r"who|are|is|as|severe|other|current|chronic|active|acute|previous|prior)(?![\w-])", re.IGNORECASE)
# The words after a generic head that name what it is of: "disorders in lipid metabolism".
# A generic head alone names nothing: "syndromes that associate craniofacial anomalies ..."
# (NCT03863275) keeps its qualifying clause.
_BARE_HEAD = re.compile(r"^(?:diseases?|disorders?|syndromes?|conditions?)$", re.IGNORECASE)
_CLAUSE_REST = re.compile(r"[^,;.()]{1,80}")
_OF_AFTER = re.compile(r"\s+(?:of|in|affecting|involving)\s+(?:the\s+)?(?:[\w-]+\s*){1,3}?(?=$|[,;.()]|\s+(?:and|or|with|that|which)\b)",
                       re.IGNORECASE)


# An acronym in brackets inside a name: "temporomandibular joint (TMJ) Disorders"
# (NCT03929549) is one name.
_ACRONYM = re.compile(r"\s*\([A-Z][A-Za-z0-9-]{1,7}\)")
# An adjective cue names its noun: "diabetic macular edema" (NCT03863535), "psychotic
# symptoms" (NCT03929562).
_ADJECTIVE = re.compile(r"(?:ic|ed)$", re.IGNORECASE)
_NOUNS_AFTER = re.compile(r"(?:\s+(?!(?:or|and|with|in|of|for|to|the|a|an|that|which|who|at|by|as|within|but)\b)[A-Za-z]{3,}){1,2}")


def _phrase(text: str, m: re.Match[str]) -> str:
    """The noun phrase ending at a cue: up to four words before it within its clause."""
    left = _ACRONYM.sub("", text[max(0, m.start() - 60) : m.start()])
    left = _PHRASE_CUT.split(left)[-1]
    words = left.split()[-4:]
    after = _OF_AFTER.match(text, m.end())
    if after is None and _ADJECTIVE.search(m.group(0)):
        after = _NOUNS_AFTER.match(text, m.end())
    if after is None and not words and _BARE_HEAD.match(m.group(0)):
        after = _CLAUSE_REST.match(text, m.end())
    return " ".join(words + [m.group(0) + (after.group(0).rstrip() if after else "")]).strip()


def _constraint(topic: Topic, text: str, m: re.Match[str], crit: dict[str, Any]) -> dict[str, Any]:
    """The row's constraint for an item. ``required`` says which list the item is in (as
    the parser's disease states do); ``comorbidity`` marks what the criterion keeps out
    (its role is an exclusion), so an inclusion asking for the condition ("impaired
    renal function", NCT03924479) is not read as asking for its absence."""
    section = str(crit.get("section") or "inclusion")
    out: dict[str, Any] = {"type": "disease_state", "state": topic.constraint, "required": section == "inclusion"}
    if crit.get("role") == "exclusion":
        out["comorbidity"] = True
    if topic.constraint == "condition":
        span = _phrase(text, m)
        out.update(condition=span, span=span)
    elif topic.constraint == "hypersensitivity":
        what = allergen_after(text, m.end())
        rest = re.split(r"[;.]|\bor\b(?=\s+(?:any|other|a)\b)", text[m.end():], maxsplit=1)[0].strip(" ,:()")
        out.update(condition=what, span=text[m.start() : m.end() + len(rest) + 1].strip())
    else:
        out["span"] = m.group(0).strip()
    return out


# A number beside a variable of the variable table ("Weight exceeding the weight limit of
# the PET imaging table (500 pounds)", NCT03924102): a threshold the parser missed, which
# the patient file can answer; no reason says otherwise.
_DIGIT = re.compile(r"\d")


# A medication item that names a drug of the compiled dictionary ("patients on coumadin /
# steroids / nsaids / tylenol", "current treatment with medicines containing digoxin or
# warfarin", Facebook test split) names something the patient's therapies can answer.
_WORD = re.compile(r"[A-Za-z][A-Za-z-]{3,}")
_NAME_KINDS = frozenset({"generic", "synonym", "brand", "salt"})


def _names_a_drug(text: str) -> bool:
    lex = Lexicon.default()
    return any(e.kind in _NAME_KINDS for w in _WORD.findall(text) for e in lex.lookup(w))


# A variable of the variable table against its reference range ("inorganic phosphorus
# outside of normal limits", Facebook test split): the patient's lab with its limits
# answers it.
_REFERENCE = re.compile(r"\b(?:normal\s+(?:limits?|ranges?|values?)|reference\s+ranges?|ULN|LLN|upper\s+limit|lower\s+limit)\b",
                        re.IGNORECASE)


def _missed_threshold(text: str) -> bool:
    # lower-cased text ("alt (sgpt) > 2 x upper limit of normal", Facebook test split)
    # hides case-sensitive abbreviations: they are looked for in capitals too
    return bool(_DIGIT.search(text) or _REFERENCE.search(text)) and bool(find_variables(text) or find_variables(text.upper()))


@lru_cache(maxsize=32768)
def _reading(text: str) -> tuple[Topic, int, int] | None:
    found = topic_of(text)
    return (found[0], found[1].start(), found[1].end()) if found else None


def annotate(crit: dict[str, Any]) -> None:
    """Set the criterion's ``topic`` and, where no other rule decided it, the topic's
    constraint or ``undecidable`` reason (an on-study rule is no entry criterion)."""
    text = str(crit.get("text") or "")
    found = _reading(text)
    if found is None:
        return
    topic, start, _end = found
    crit["topic"] = topic.name
    if topic.reason == "on_study":
        crit["undecidable"] = "on_study"
        crit["entry"] = False
        return
    if topic.reason == "investigator_judgement" and _participation_only(crit):
        # the participation a judgement weighs is no consent: "significant medical illness
        # that in the investigator's judgment will substantially increase the risk
        # associated with the subject's participation" (NCT02691871), "laboratory
        # abnormalities that in the opinion of the investigator may increase the risk
        # associated with study participation" (Clinical-Trial-Parser test split)
        crit["constraints"] = [c for c in crit["constraints"] if c.get("aspect") != "participation"] or [
            {"type": "unparsed", "span": text}]
    if _decided(crit):
        return
    if topic.reason:
        if topic.reason != "needs_record" or not (_missed_threshold(text) or topic.name == "medication" and _names_a_drug(text)):
            crit["undecidable"] = topic.reason
        return
    m = topic.cue.search(text, start)
    if m is not None and topic.constraint == "hypersensitivity" and treatment_intolerance(text, m):
        return  # "resistant or intolerant to imatinib": how a treatment ended, no allergy
    if m is not None:
        con = _constraint(topic, text, m, crit)
        crit["constraints"] = [con]
        crit["category"] = "comorbidity" if con.get("comorbidity") else "disease_state"


def annotate_topics(criteria: list[dict[str, Any]]) -> None:
    """``annotate`` every criterion of a trial."""
    for crit in criteria:
        annotate(crit)
