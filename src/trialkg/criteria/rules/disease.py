"""Histology, disease states, comorbidities and named conditions.

"Histologically confirmed adenocarcinoma except mucinous", "measurable disease per
RECIST 1.1", "brain metastases", "active hepatitis B", "HIV"; a cancer or a condition no
finer rule names is kept with its words ("diagnosis of breast cancer", "asthma"). The
state words are ``lexicon.DISEASE_STATES`` and ``lexicon.COMORBIDITIES``; one phrase
gives one state, the most specific.
"""

from __future__ import annotations

import re
from typing import Any

from trialkg.criteria import lexicon
from trialkg.criteria.rules.binding import condition_spans
from trialkg.criteria.rules.reading import Reading
from trialkg.criteria.rules.text import opened
from trialkg.knowledge import diseases
from trialkg.textgate import Gated, GateSet

_HISTO_REST = re.compile(r"\s*(?:diagnosis of|diagnosed|with|as|of)?\s*(?P<h>[^;(.:]{3,200})")
_LIST_SPLIT = re.compile(r",|;|\band\b|\bor\b|/")
_ETC = re.compile(r"^(?:etc|such as)\b\.?", re.I)
_METS_WORD = re.compile(r"metasta|mets\b", re.I)
_RECIST_11 = re.compile(r"RECIST\s*(?:version\s*|v\.?\s*)?1\.1", re.I)
_PHRASE_CUT = re.compile(r"[,;:()]|\b(?:with|of|for|or|and|has|have|had|by|in|to|the|a|an|any|no)\b", re.I)
_HISTO = Gated(
    r"\b(?:histolog\w*|cytolog\w*|patholog\w*)\s*(?:and/or|or|and)?\s*(?:histolog\w*|cytolog\w*|patholog\w*)?\s*"
    r"(?:confirmed|proven|documented|diagnosed|verified|evidence)\b|\bdiagnosed by (?:histology|pathology|biopsy)\b|\bhistolog\w* (?:type|subtype)s?\b",
    re.IGNORECASE,
)
_EXCEPT = Gated(r"\b(?:except(?: for)?|excluding|other than|with the exception of|not including)\b\s*(?P<list>[^;.]{3,400})", re.IGNORECASE)
# Patterns start at a word start: "toxicity" inside "nephrotoxicity" is not a toxicity.
DISEASE_RES = [(k, Gated(rf"(?<!\w)(?:{p})", re.IGNORECASE)) for k, p in lexicon.DISEASE_STATES]
COMORB_RES = [(k, Gated(rf"(?<!\w)(?:{p})", re.IGNORECASE if not k.startswith("hiv") else 0))
               for k, p in lexicon.COMORBIDITIES]
_DISEASE_GATES = GateSet([g for _, g in DISEASE_RES])
_COMORB_GATES = GateSet([g for _, g in COMORB_RES])

def read_histology(r: Reading) -> list[dict[str, Any]]:
    """A histology or cytology confirmation and the types it names or excludes."""
    r.histology = histology(r.text)
    return r.histology


def read_states(r: Reading) -> list[dict[str, Any]]:
    """Disease states, outside the conditions of the item's thresholds."""
    r.state_spans = condition_spans(r.text, r.numeric)
    return disease_states(r.text, r.section, r.state_spans)


def read_comorbidities(r: Reading) -> list[dict[str, Any]]:
    """Comorbidities: in exclusions, and in inclusions without a threshold (a lab item's
    "with Gilbert's syndrome" is its condition)."""
    if r.numeric and r.section != "exclusion":
        return []
    return comorbidities(r.text, r.section, r.state_spans)


def read_diagnosis(r: Reading) -> list[dict[str, Any]]:
    """A cancer named without a histology rule's cue."""
    return [] if r.histology else diagnosis(r.text, r.section)


def read_condition(r: Reading) -> list[dict[str, Any]]:
    """A named condition, for an item no other rule read."""
    return [] if r.found else condition_mention(r.text, r.section)


def histology(text: str) -> list[dict[str, Any]]:
    """"Histologically confirmed X [except Y, Z]": the included and excluded types."""
    m = _HISTO.search(text)
    if not m:
        return []
    rest = text[m.end() :]
    inc = _HISTO_REST.match(rest)
    included = inc.group("h").strip(" ,") if inc else None
    excluded: list[str] = []
    ex = _EXCEPT.search(text)
    if ex:
        for part in _LIST_SPLIT.split(ex.group("list")):
            p = part.strip(" ().,")
            p = _ETC.sub("", p).strip()
            if 2 < len(p) < 80:
                excluded.append(p)
    return [{"type": "histology", "histology": included, "excluded_histology": excluded,
             "span": text[m.start() : (ex.end() if ex else m.end() + (inc.end() if inc else 0))].strip()}]


_CNS_QUALIFIER = re.compile(
    r"(?:\b(?:known|untreated|treated|symptomatic|asymptomatic|active|stable|unstable|progressive|progressing|"
    r"uncontrolled|controlled|previously|actively|and|or|and/or|new|newly)[\s,]+)+$",
    re.IGNORECASE,
)
# An organ word that names where a tumour grows ("gastrointestinal stromal tumour",
# "thyroid cancer"), not a comorbidity of that organ.
_TUMOUR_SITE_AFTER = re.compile(
    r"[\s-]*(?:[a-z]+[\s-]+){0,2}(?:carcinomas?|cancers?|tumou?rs?|neoplasms?|sarcomas?|lymphomas?|adenocarcinomas?|"
    r"malignan\w*|GIST)\b",
    re.IGNORECASE,
)


_BARE_METASTASES = Gated(r"\bmetastas[ie]s\b", re.IGNORECASE)


def _free_matches(rx: re.Pattern[str], text: str, taken: list[tuple[int, int]]) -> list[re.Match[str]]:
    """The matches of ``rx`` that overlap no span already read as another state.

    A phrase gives one constraint, the most specific: "brain metastases" is a CNS
    metastasis, not also advanced disease; "human immunodeficiency virus" is HIV, not
    also an immunodeficiency. The same word in another phrase of the item still counts.
    """
    return [m for m in rx.finditer(text)
            if m.end() > m.start() and not any(a < m.end() and m.start() < b for a, b in taken)]


_PRIMARY_BEFORE = re.compile(r"\bprimary\s+(?:[A-Za-z-]+\s+)?$", re.IGNORECASE)


# A negation right before a state phrase negates that state only: "Metastatic disease not
# amenable to surgical resection" (NCT01900743), "Metastatic NSCLC, not amenable to
# curative surgery" (NCT03599518), "osteosarcoma that is not surgically resectable"
# (NCT01804374), "non-resectable".
_LOCAL_NEGATION = re.compile(r"\b(?:not|non-?|no\s+longer|never)\s*(?:\w+ly\s+)?$", re.IGNORECASE)


# A state named as what a local treatment was given to is the treatment's site, not a
# state asked of the patient: "Palliative radiotherapy for a bone metastasis lesion
# within 2 weeks" (NCT02589821, NCT02588170), "Radiation therapy for bone metastasis
# within 2 weeks" (NCT02243605), "surgery for brain metastases".
_TREATED_SITE = re.compile(
    r"\b(?:radiotherapy|radiation(?:\s+therapy)?|irradiation|radiosurgery|RT|SBRT|surgery|resection)\s+"
    r"(?:for|to|of|on)\s+(?:an?\s+|the\s+|any\s+)?(?:[\w-]+\s+){0,2}$", re.IGNORECASE)


# "Refractory" or "resistant" said of a treatment is how the condition answered it, no
# stage of a cancer: "GVHD ... that is refractory or intolerant to corticosteroids"
# (NCT03147742), "steroid-refractory acute GVHD", "may be enrolled ONLY if refractory to
# anthracycline-based chemotherapy" (NCT02636725), "imatinib-resistant CML".
_RESPONSE_AFTER = re.compile(r"\s*(?:or\s+(?:intolerant|resistant|refractory)\s+)?(?:to|after)\b", re.IGNORECASE)
_RESPONSE_BEFORE = re.compile(r"(?:\w-|\b(?:steroids?|corticosteroids?)\s+)$", re.IGNORECASE)


# A lesion outside the measured ones, or measurable and non-measurable alike, asks for no
# measurable disease: "except palliative radiation therapy to a non-target lesions"
# (NCT00581789), "One or more measurable or nonmeasurable evaluable lesions per RECIST 1.1"
# (NCT03042611).
_ANY_LESION = re.compile(r"\b(?:measurable\s+(?:or|and/or)\s+)?non-?\s?(?:target|measurable)\s+(?:\w+\s+)?lesions?\b",
                         re.IGNORECASE)


# Untreated and treated alike ask for no treatment-naive disease: "previously untreated or
# systemically treated poor prognosis NSCLC patients" (NCT00543335), "after treated or
# untreated relapse" (Facebook test split).
_EITHER_TREATED = re.compile(r"\buntreated\s+or\s+(?:[\w-]+\s+){0,2}?treated\b|\btreated\s+or\s+untreated\b"
                             r"|\b(?:treatment[- ])?na[iï]ve\s+or\s+(?:[\w-]+\s+){0,2}?treated\b", re.IGNORECASE)


def therapy_response(text: str, m: re.Match[str]) -> bool:
    """Whether a "refractory" match qualifies a treatment ("refractory to X", "X-refractory")."""
    if not m.group(0).lower().startswith(("refractory", "resistant")):
        return False
    return bool(_RESPONSE_AFTER.match(text, m.end()) or _RESPONSE_BEFORE.search(text, max(0, m.start() - 20), m.start()))


def disease_states(text: str, section: str, taken: list[tuple[int, int]] | None = None) -> list[dict[str, Any]]:
    """Disease states, most specific first (``DISEASE_STATES`` order), one per phrase.

    ``taken`` holds spans already read (condition phrases of thresholds, "with liver
    metastases"); every phrase read here is added to it.
    """
    taken = taken if taken is not None else []
    out = []
    for key, rx in opened(DISEASE_RES, _DISEASE_GATES, text):
        found = _free_matches(rx, text, taken)
        if key == "cns_metastases":
            # "primary central nervous system tumors" grow there; they are no metastases
            primary = [f for f in found if _PRIMARY_BEFORE.search(text, max(0, f.start() - 30), f.start())
                       and not _METS_WORD.search(f.group(0))]
            taken.extend((f.start(), f.end()) for f in primary)
            found = [f for f in found if f not in primary]
        found = [f for f in found if not _TREATED_SITE.search(text, max(0, f.start() - 60), f.start())]
        if key == "advanced_disease":
            found = [f for f in found if not therapy_response(text, f)]
        if key == "newly_diagnosed" and _EITHER_TREATED.search(text):
            continue  # treated and untreated alike: no treatment state asked
        if key == "measurable_disease":
            others = [o.span() for o in _ANY_LESION.finditer(text)]
            found = [f for f in found if not any(a < f.end() and f.start() < b for a, b in others)
                     and not (others and f.group(0).upper() == "RECIST")]
        if not found:
            continue
        m = found[0]
        d = {"type": "disease_state", "state": key, "required": section == "inclusion", "span": m.group(0)}
        if section == "inclusion" and _LOCAL_NEGATION.search(text, max(0, m.start() - 30), m.start()):
            d["required"] = False  # "not amenable to surgical resection": wanted absent
        if key == "measurable_disease" and "RECIST" in text:
            d["standard"] = "RECIST 1.1" if _RECIST_11.search(text) else "RECIST"
        out.append(d)
        for f in found:
            start = f.start()
            if key == "cns_metastases":
                q = _CNS_QUALIFIER.search(text, 0, f.start())
                start = q.start() if q else start
            taken.append((start, f.end()))
        if key == "cns_metastases":
            # in an item about CNS metastases a bare "metastases" ("no evidence of new or
            # enlarged metastases") speaks of the same lesions
            taken.extend((b.start(), b.end()) for b in _BARE_METASTASES.finditer(text))
    return out


def comorbidities(text: str, section: str, taken: list[tuple[int, int]] | None = None) -> list[dict[str, Any]]:
    """Comorbidities, one per phrase (see ``_free_matches``), skipping organ words that
    name a tumour site ("gastrointestinal stromal tumour")."""
    taken = taken if taken is not None else []
    out = []
    for key, rx in opened(COMORB_RES, _COMORB_GATES, text):
        found = [m for m in _free_matches(rx, text, taken)
                 if (key == "other_malignancy" or not _TUMOUR_SITE_AFTER.match(text, m.end()))
                 and not (key == "hypersensitivity" and treatment_intolerance(text, m))]
        if found:
            k = {"type": "disease_state", "state": key, "required": section == "inclusion",
                 "comorbidity": True, "span": found[0].group(0)}
            if key == "hypersensitivity" and (what := allergen_after(text, found[0].end())):
                k["condition"] = what
            out.append(k)
            taken.extend((m.start(), m.end()) for m in found)
    return out


# Intolerance named with failure or resistance is how a prior treatment ended, no
# allergy: "Must have failed or become intolerant to prior standard therapy"
# (NCT00703638), "demonstrated resistance, intolerance or treatment discontinuation"
# (NCT02782403), "resistant or intolerant to imatinib".
_FAILURE_BEFORE = re.compile(r"\b(?:fail\w*|resist\w*|refractory|progress\w*|become|became)\b[^;.]{0,40}$", re.IGNORECASE)


def treatment_intolerance(text: str, m: re.Match[str]) -> bool:
    return m.group(0).lower().startswith("intoleran") and bool(_FAILURE_BEFORE.search(text, max(0, m.start() - 60), m.start()))


# What a hypersensitivity is to: the object after "to / of / against / attributed to", up
# to the clause's end ("Known hypersensitivity to any of the study drugs", NCT01900743;
# "hypersensitivity to bosutinib or axitinib", NCT02782403; "History of allergic reactions
# attributed to compounds of similar chemical composition", NCT00703638; "Known sensitivity
# to treatment medications", NCT03922542, where the cue itself ends with "to"). A second
# clause joined by "or any / or other / or a" is another fact, not a second allergen.
_ALLERGEN = re.compile(r"\s*(?:\(\w+\)\s*)?(?:(?:reactions?|responses?)\s+)?"
                       r"(?:(?:attributed|attributable|due|related)\s+)?(?P<lead>(?:to|of|against|with|for)\s+)?"
                       r"(?P<what>[^;.:]+?)\s*(?=[;.:]|\bor\s+(?:any|other|a)\b|$)", re.IGNORECASE)
_ENDS_WITH_LEAD = re.compile(r"\b(?:to|for|of)\s*$", re.IGNORECASE)


def allergen_after(text: str, end: int) -> str | None:
    """The allergen a hypersensitivity cue ending at ``end`` names, or None."""
    m = _ALLERGEN.match(text, end)
    if not m or not (m.group("lead") or _ENDS_WITH_LEAD.search(text, 0, end)):
        return None
    what = m.group("what").strip(" ,()")
    return what[:120] or None


_CANCER = Gated(rf"(?<![\w-])(?:{lexicon.CANCER_TERMS})(?![\w-])", re.IGNORECASE)
_CONDITION_WORD = Gated(lexicon.CONDITION_WORDS, re.IGNORECASE)


def _phrase_around(text: str, m: re.Match[str]) -> str:
    """The noun phrase ending at a match: up to four words before it, within the clause."""
    left = text[max(0, m.start() - 60) : m.start()]
    left = _PHRASE_CUT.split(left)[-1]
    words = left.split()[-4:]
    return " ".join(words + [m.group(0)]).strip()


# A lesion named as what is measured is the measurability state, no tumour type:
# "at least one measurable lesion according to RECIST v1.1" (NCT04126811), "there are
# measurable target lesions occurring in soft tissue" (NCT02636725), "At least one target
# lesion that has not been irradiated".
_MEASURED_LESION = re.compile(r"\b(?:measurable|target|evaluable|assessable|index|non-target)\s+"
                              r"(?:lesions?|nodules?|masses)$", re.IGNORECASE)


# An abbreviation is a diagnosis only in capitals: "all grades acute or chronic GVHD"
# (NCT03147742) and "Recovered from all acute toxicities" name no leukaemia; "ALL in first
# remission", "Philadelphia chromosome-positive ALL" (NCT01207388) do.
_ABBREVIATION = re.compile(r"[A-Za-z]{2,5}")


# A cancer word that names a treatment is no diagnosis (lexicon.TREATMENT_HEADS): "other
# anticancer drug(s) from a previous cancer treatment regimen" (NCT03599518), "Systemic
# cancer chemotherapy within 2 weeks" (NCT01207388), "history of cancer treatment
# within @NUMBER years" (Clinical-Trial-Parser test split). In an inclusion a tumour type
# before the treatment still states the diagnosis: "presenting for breast cancer
# treatment", "after the conclusion of active breast cancer therapy" (Clinical-Trial-Parser
# test split).
_TREATMENT_AFTER = re.compile(rf"[\s-]+(?:{lexicon.TREATMENT_HEADS})\b", re.IGNORECASE)


def _names_treatment(text: str, m: re.Match[str], section: str) -> bool:
    if not _TREATMENT_AFTER.match(text, m.end()):
        return False
    if section != "inclusion":
        return True
    return not (diseases.resolve(_phrase_around(text, m)).codes - {"TISSUE"})


def _diagnosis_word(text: str, m: re.Match[str], section: str = "exclusion") -> bool:
    word = m.group(0)
    if _names_treatment(text, m, section):
        return False
    if _ABBREVIATION.fullmatch(word) and word.lower() in _ABBREVIATIONS and not word.isupper():
        return False
    return not _MEASURED_LESION.search(_phrase_around(text, m))


_ABBREVIATIONS = frozenset({"all", "aml", "cll", "cml", "mds", "gist", "sclc", "nsclc", "dcis", "hnscc"})


# A type named by its histology word: "Squamous cell histology." (NCT00581789, an
# exclusion), "No squamous cell histology" (NCT00357318).
_TYPE_HISTOLOGY = Gated(r"\b(?P<type>(?:[\w-]+\s+){1,3}?)histolog(?:y|ies)\b", re.IGNORECASE)


def _typed_histology(text: str) -> str | None:
    for m in _TYPE_HISTOLOGY.finditer(text):
        phrase = m.group(0).strip()
        words = phrase.split()
        codes = diseases.resolve(phrase).codes
        while len(words) > 2 and diseases.resolve(" ".join(words[1:])).codes == codes:
            words = words[1:]  # the words before the type ("No", "with")
        if codes and len(words) > 1:
            return " ".join(words)
    return None


def diagnosis(text: str, section: str) -> list[dict[str, Any]]:
    """A cancer diagnosis required (inclusion) or excluded (exclusion): histology."""
    phrase = next((_phrase_around(text, m) for m in _CANCER.finditer(text) if _diagnosis_word(text, m, section)), None)
    phrase = phrase or _typed_histology(text)
    if phrase is None:
        return []
    if section == "inclusion":
        return [{"type": "histology", "histology": phrase, "excluded_histology": [], "span": phrase}]
    return [{"type": "histology", "histology": None, "excluded_histology": [phrase], "span": phrase}]


def condition_mention(text: str, section: str) -> list[dict[str, Any]]:
    """A named condition no finer rule knows: kept as a disease state with its words."""
    m = _CONDITION_WORD.search(text)
    if not m:
        return []
    phrase = _phrase_around(text, m)
    return [{"type": "disease_state", "state": "condition", "condition": phrase,
             "required": section == "inclusion", "comorbidity": True, "span": phrase}]
