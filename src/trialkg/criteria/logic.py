"""Criterion logic: what a criterion does, to whom, and with which alternatives.

A criterion's constraints say *what* it is about; this module says how they count,
from a small grammar of cue phrases (each table names the class of phrasing it covers
with examples from real records):

- **role**: ``requirement`` (its subject must hold), ``exclusion`` (its subject must
  not hold), ``permission`` (it admits patients it names, never excludes anyone),
  ``information`` (a note, a definition or a list's lead-in: no criterion itself);
- **negation scope**: ``criterion`` when a negation governs the whole item ("No prior
  TKI" in an inclusion list is an exclusion of prior TKIs), ``detail`` when it only
  qualifies a part ("brain metastases that are not controlled");
- **condition** (``applies_if``): the part of the text naming who the criterion is for
  ("Patients who received neo/adjuvant therapy must ...", "... for patients with
  creatinine levels above institutional normal"), parsed into constraints of its own
  and, where a patient-file fact names it, that fact;
- **exception**: "unless ...", whose constraints lift the criterion when they hold;
- **strictness**: ``preferred`` for "preferably", "ideally", "if possible";
- **alternatives**: ``or`` between constraints of one item (an ``alternative_group``
  per constraint) and between items ("...; or" / "one of the following:");
- **lead-in**: the item a list hangs from ("Adequate organ function defined as:").

Everything here reads the text once, at parse time; the graph stores the result and
the matcher decides from it without reading the text again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from trialkg.textgate import Gated

REQUIREMENT = "requirement"
EXCLUSION = "exclusion"
PERMISSION = "permission"
INFORMATION = "information"
ROLES = (REQUIREMENT, EXCLUSION, PERMISSION, INFORMATION)

# Permission: the item admits what it names. "Prior therapy with other angiogenesis
# inhibitors is permitted" (NCT00722293), "Patients are permitted to have received prior
# TKI" (NCT02636725), "History of radiation pneumonitis in the radiation field (fibrosis)
# is permitted" (NCT03424005), "Chemotherapy administered during radiation is allowable"
# (NCT00466232), "patients may have received prior ..." / "may be enrolled".
_PERMISSION = Gated(
    r"\b(?:is|are|will be|be|being)\s+(?:also\s+)?(?:permitted|allowed|allowable|acceptable|eligible)\b"
    r"|\b(?:permitted|allowed)\s+to\s+(?:have|be|receive|enrol)"
    r"|\bmay\s+(?:also\s+)?(?:have\s+(?:had|received|been)|receive[d]?|be\s+(?:enrolled|included|eligible|treated|allowed|permitted)|participate|enrol)\b"
    r"|\bcan\s+(?:be\s+(?:enrolled|included)|have\s+received|participate)\b"
    # a therapy kept on: "subjects with prostate cancer currently receiving LHRH or GnRH
    # agonists may be maintained on these agents" (NCT02243605), "Prostate cancer patients
    # may continue their luteinizing hormone-releasing hormone (LHRH) agonist" (NCT02465060),
    # "who may remain on treatment with LHRH agonists" (Clinical-Trial-Parser test split)
    r"|\bmay\s+(?:continue|remain\s+on|be\s+maintained\s+on)\b(?!\s+for\b)"
    # a drug given while the item holds, in the passive: "hydroxyurea may be received up
    # to the time of enrollment" (NCT02782403), "steroid inhalers and topical steroids may
    # be used" (Clinical-Trial-Parser test split), "G-CSF and other hematopoietic growth
    # factors may be used in the management of acute toxicity"
    r"|\bmay\s+(?:still\s+|also\s+)?be\s+(?:received|given|used|continued|taken|administered)\b"
    # "Young patient age between 12 - 15 could be included in only 6 centers" (NCT02243605)
    r"|\bcould\s+(?:also\s+)?be\s+(?:enrolled|included|eligible|accepted)\b"
    r"|\b(?:does|do|will)\s+not\s+(?:exclude|make\s+(?:a\s+)?(?:patient|subject)s?\s+ineligible)\b"
    r"|\bis\s+not\s+(?:an?\s+)?(?:exclusion|contraindication)\b|\bare\s+not\s+excluded\b"
    # NCI style, the cue after its subject: "Prior radiotherapy allowed", "Prior
    # temozolomide or sorafenib tosylate allowed" (NCT00602576), "Prior radiotherapy is
    # permissible, provided ..." (NCT00678977).
    r"|\b(?:allowed|permitted|permissible|allowable)\b(?=\s*(?:[.;,(]|$|provided|if\b|as\s+long|for\b|after\b|but\b|unless\b|with\b|except\b))"
    r"|\bis\s+permissible\b|\b(?:are|is)\s+eligible\s+as\s+long\s+as\b",
    re.IGNORECASE,
)
# A permission cue under a negation is a prohibition: "Concurrent anticancer therapy is
# not permitted", "No other investigational agents are allowed", "not eligible".
_NOT_BEFORE = re.compile(r"\b(?:not|no|never|nor)\s+(?:\w+\s+){0,1}$|n't\s+$", re.IGNORECASE)
# The cue closes its clause: "Patients with Stage I or IV breast cancer are not eligible."
# (NCT02513394); "... but are ineligible to receive other TKIs" (NCT02782403) is a detail.
_PROHIBITION = Gated(
    r"(?:\b(?:is|are|will\s+be|be)\s+not\s+(?:permitted|allowed|acceptable|eligible)\b|\bnot\s+(?:permitted|allowed)\b"
    r"|\b(?:is|are)\s+(?:prohibited|forbidden|excluded|not\s+eligible|ineligible)\b)"
    r"(?=\s*(?:[.;,(]|$|unless\b|except\b|if\b|during\b|within\b|while\b|at\s+any\b|in\s+this\b))",
    re.IGNORECASE,
)
# Accrual closed to a population keeps it out: "Accrual closed as of 5/27/2009 to
# patients with renal cell carcinoma" (NCT00357318); "(Closed to accrual as of
# 11/27/07.)" of a phase (NCT00023673).
_CLOSED = Gated(r"\b(?:accrual|enrol(?:l)?ment|registration|recruitment)\s+(?:is\s+|has\s+been\s+|was\s+)?closed\b"
                r"|\bclosed\s+to\s+(?:new\s+)?(?:accrual|enrol(?:l)?ment|recruitment)\b", re.IGNORECASE)
# "may only be enrolled if" / "are eligible only if": the subject named first is the
# condition, what follows "if" is required of it. "Primary tumors of bone ... may only be
# enrolled if there are measurable targets ..." (NCT02636725); "Patients with ... are
# eligible only if ...".
_ONLY_IF = Gated(
    r"^(?P<cond>[^.;]{3,300}?)\s+(?:(?:(?:may|can|will|shall)\s+only\s+be|(?:is|are)\s+only)\s+"
    r"(?:enrolled|included|eligible|allowed|permitted|considered|accepted)\s+(?:if|when|provided(?:\s+that)?)"
    r"|(?:(?:may|can|will|shall)\s+be|is|are)\s+(?:enrolled|included|eligible|allowed|permitted|considered|accepted)\s+only\s+(?:if|when))\s+(?P<body>.+)$",
    re.IGNORECASE | re.DOTALL,
)
# A requirement worded in an exclusion list: "Note: For prior bevacizumab therapy at
# least 40 days should have elapsed since last dose" (NCT00678977), "At least 4 weeks
# must have elapsed since ..." (NCT00678977 inc-13, NCT02465060).
_REQUIREMENT_WORDING = Gated(
    r"\b(?:must|should|shall|need\s+to|needs\s+to)\s+(?:have\s+)?(?:elapsed|passed|been\s+(?:completed|discontinued|stopped))\b"
    r"|\bwash-?out\s+(?:period\s+)?of\b",
    re.IGNORECASE,
)
# Eligibility left to a reviewer decides nothing itself; the drugs it names are context:
# "Eligibility of patients receiving any medications ... known to induce or inhibit CYP3A4
# ... of sunitinib or erlotinib will be determined following review of their case by the
# Principal Investigator" (NCT00581789); "Any other histology ... will be reviewed by the
# principal investigator and pathologist for final determination of eligibility" (NCT02636725).
_REVIEWED = Gated(
    r"^\W*eligibility\b[^.;]{0,250}?\b(?:will|shall|is\s+to)\s+be\s+(?:determined|decided|assessed|reviewed)\b"
    r"|\b(?:will|shall)\s+be\s+reviewed\s+by\s+the\s+(?:principal\s+)?investigator\b[^.;]{0,80}\beligibility\b",
    re.IGNORECASE)
_BRACKETED = re.compile(r"\([^()]*\)")
# Notes, definitions and remarks: information (a note qualifies the items around it),
# unless it words a washout: "NOTE: Steroids must be completed alongside last dose of
# chemotherapy" (NCT02465060) is information, "Note: For prior bevacizumab therapy at
# least 40 days should have elapsed" (NCT00678977) a requirement. "Additional drug-specific exclusion criteria might apply" (NCT03424005) and
# "females of childbearing potential are defined as ..." (NCT02243605) are information.
_NOTE = Gated(r"^\W*(?:notes?|n\.?b\.?|remarks?|comments?|explanation|definitions?)\s*[:.\-]", re.IGNORECASE)
_DEFINITION = Gated(r"^[^.;:]{0,100}?\b(?:is|are)\s+defined\s+as\b|^\W*(?:definition|defined\s+as)\b", re.IGNORECASE)
_MAY_APPLY = Gated(r"\b(?:criteria|restrictions|requirements)\s+(?:might|may|will|could)\s+apply\b", re.IGNORECASE)
_MODAL = Gated(r"\b(?:must|should|shall|required?|need(?:s|ed)?\s+to|at\s+least|no\s+more\s+than|within)\b", re.IGNORECASE)

# Strictness: a preference never excludes. "preferably", "ideally", "if possible",
# "is recommended", "strongly encouraged", "where feasible".
_PREFERRED = Gated(
    r"\b(?:preferabl[ey]|preferred|ideally|if\s+possible|where\s+possible|whenever\s+possible|if\s+feasible|where\s+feasible|"
    r"(?:is|are)\s+(?:recommended|encouraged|desirable)|strongly\s+(?:recommended|encouraged))\b",
    re.IGNORECASE,
)

# "no greater than 2.0 mg/dL", "not more than 3 prior regimens", "not exceeding": a
# comparator, not a negation (NCT00023673, NCT02588170).
_COMPARATIVE = r"(?!\s+(?:greater|more|less|higher|lower|fewer|longer|shorter|later|earlier|older|younger)\s+than\b|\s+exceed)"
# Negation that governs the whole item: at its start, or (inclusion lists) early in it.
# "Subjects without liver metastases" (Facebook test split), "Patients without Keratoconus"
# (LCT NCT03923101), "who do not have ..." (NCT02589821) open with their negation too.
_LEADING_NEGATION = re.compile(
    r"^\W*(?:(?:for|in)\s+)?(?:(?:patients?|subjects?|participants?|those)\s+)?(?:(?:who|that|with)\s+)?"
    r"(?:no|not|none|never|without|absence\s+of|lack\s+of|free\s+of|negative\s+for|(?:has|have|had)\s+(?:not|never)"
    r"|(?:do|does|did)\s+not\s+have)\b"
    + _COMPARATIVE,
    re.IGNORECASE,
)
# A negated population that opens an item and is followed by what is asked of it: the
# negation names who the rest is for, it does not turn the item around. "Patients who do
# not have liver metastasis, with alanine aminotransferase (ALT) ... <= 2.5 times the
# ULN; and who do have liver metastatic, with ALT and AST <= 5 times ULN" (NCT02589821);
# "For subjects without liver metastases: ALT and AST <= 3 x ULN" (Facebook test split).
_NEGATED_POPULATION = re.compile(
    r"^\W*(?:(?:for|in)\s+)?(?:patients?|subjects?|participants?|those|individuals)\s+"
    r"(?:who\s+(?:do|does|did)\s+not\s+have|without|with\s+no|not\s+having)\s+[^,:;]{3,80}?"
    r"\s*(?::\s*\S|,\s*(?:with|having|must|should|needs?\s+to|are\s+required|and\s+(?:with|must))\b).{3,}",
    re.IGNORECASE | re.DOTALL,
)
# (Not a result called "negative": "Females of childbearing potential must have a negative
# serum or urine pregnancy test ... Patients must not be pregnant" (NCT03277924), "must have a
# negative serum pregnancy test ... are not required to undergo a pregnancy test"
# (NCT02199223) ask for the result; "negative for" is read at the start, where it negates.)
_EARLY_NEGATION = re.compile(rf"\b(?:no|not|never|without|free of|absence of)\b{_COMPARATIVE}|n't\b", re.IGNORECASE)
_ANY_NEGATION = Gated(
    r"\b(?:no|not|none|never|without|absence of|free of|lack of|negative for|naive|naïve)\b|n't\b", re.IGNORECASE
)

# Conditions, as registries word them. Each names who the criterion is for.
_WHO = (r"(?:(?:all|any)\s+)?(?:patients?|subjects?|participants?|those|individuals|persons|people|"
        r"women|men|females?|males?|children|adults|adolescents|minors|pediatric\s+patients|paediatric\s+patients)")
# "For women of childbearing potential: agreement to ..." (NCT03424005), "In patients
# with liver metastases, AST ..." , "For subjects receiving ...,".
_LEAD_FOR = Gated(
    rf"^\W*(?:for|in)\s+{_WHO}\s+(?P<cond>(?:with|who|whose|that|receiving|treated|on|having|of|previously|aged?)\b[^:;]{{2,200}}?)\s*[,:]\s*(?P<body>.{{3,}})$",
    re.IGNORECASE | re.DOTALL,
)
# "For men: agreement to ..." (NCT03424005), "For patients < 18 years: ...".
_LEAD_FOR_SHORT = Gated(rf"^\W*(?:for|in)\s+(?P<cond>{_WHO}[^:;,]{{0,80}}?)\s*:\s*(?P<body>.{{3,}})$", re.IGNORECASE | re.DOTALL)
# "If liver metastases are present, AST <= 5 x ULN", "When ..., ...".
_LEAD_IF = Gated(
    r"^\W*(?:if|when|where|in\s+case\s+of|in\s+the\s+case\s+of)\s+(?P<cond>[^,;:]{3,200}?)\s*[,:]\s*(?:then\s+)?(?P<body>.{3,})$",
    re.IGNORECASE | re.DOTALL,
)
# "Patients who received neo/adjuvant therapy must be after last dose ..." (NCT02513394),
# "Patients previously treated with imatinib mesylate must have documented progression"
# (NCT00573404), "Women of childbearing potential must have a negative serum pregnancy
# test" (NCT00375310).
# A colon between two words names a ratio, no clause break: "Patients with urine
# protein:creatinine ratio > 0.5 must have proteinuria < 1,000 mg" (NCT00357318);
# "proteinuria ... measured by urine protein:creatinine ratio" (NCT02164240).
_WHO_MUST = Gated(
    rf"^\W*{_WHO}\s+(?P<cond>(?:who|with|whose|that|receiving|treated|previously|on|of|having)\b(?:[^;:]|(?<=\w):(?=\w)){{2,200}}?)\s+"
    r"(?P<modal>must|should|need\s+to|needs\s+to|are\s+required\s+to|is\s+required\s+to|will\s+be\s+required\s+to|have\s+to|has\s+to|shall)\b"
    r"(?P<body>.{3,})$",
    re.IGNORECASE | re.DOTALL,
)
# "Creatinine clearance >= 45 mL/min ... for patients with creatinine levels above
# institutional normal" (NCT02465060); "... in patients with known Gilbert syndrome".
_TRAIL_FOR = Gated(
    rf"^(?P<body>.{{3,}}?)[\s,(]+(?:only\s+)?(?:for|in)\s+{_WHO}\s+(?P<cond>(?:with|who|whose|receiving|on|having|previously|treated)\b[^;()]{{3,200}}?)\)?\s*[.;]?\s*$",
    re.IGNORECASE | re.DOTALL,
)
# A criterion that holds at some sites only is scoped to them, a condition no patient
# file states: "could be included in only 6 centers (Bordeaux, Lyon, ...)"
# (NCT02243605), "(only applicable to patients participating in the optional symptom
# burden assessment portion)" (NCT02782403), "at selected sites", "in participating
# centres only".
_SITE_ONLY = Gated(
    r"\b(?:only\s+(?:in|at)|(?:in|at)\s+only)\s+(?:\w+\s+){0,3}?(?:cent(?:er|re)s?|sites?|institutions?|hospitals?|countries)\b[^.;]*"
    r"|\b(?:in|at)\s+(?:selected|some|certain|specific)\s+(?:cent(?:er|re)s?|sites?|institutions?|countries)\b[^.;]*"
    r"|\b(?:in|at)\s+(?:participating\s+)?(?:cent(?:er|re)s?|sites?|institutions?)\s+only\b"
    r"|\bonly\s+(?:applicable|applies|relevant)\s+(?:to|for)\s+(?:patients?|subjects?|participants?)\s+"
    r"(?:participating|enrolled|taking\s+part|treated)\s+(?:in|at)\b[^.;)]*",
    re.IGNORECASE,
)
# Exceptions that lift the whole criterion: "Brain metastases unless treated and stable",
# "Prior malignancy unless disease-free for 5 years".
_UNLESS = Gated(r"^(?P<body>.{3,}?)[\s,;(]+\bunless\b\s+(?P<exc>.{3,})$", re.IGNORECASE | re.DOTALL)
# Exception phrasings inside an item; their span (to the clause end) is what is excepted.
EXCEPT_CUE = Gated(
    r"\b(?:except(?:\s+for)?|excluding|other\s+than|with\s+the\s+exception\s+of|apart\s+from|aside\s+from|besides|not\s+including)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[;]|\.(?:\s|$)")
_CLAUSE_END = re.compile(r"[;)]|\.(?:\s|$)|\b(?:and|or)\s+(?:who|patients?|any|prior|previous|history)\b", re.IGNORECASE)

# An alternative no constraint captures: "...; or who ...", "or patients with ...".
_OPEN_ALTERNATIVE = Gated(r";\s*or\b|\bor\s+(?:who|those|patients?|subjects?|participants?|if)\b", re.IGNORECASE)
# 'or' / condition cues between two constraints of an item.
# The 'or' must lead into the next constraint ("ECOG 0-1 or KPS >= 70"; "Lansky play
# score >= 50 % or Karnofsky", NCT04154189), not sit inside the previous one's phrase
# ("Metastatic or inoperable locally advanced, histologically documented TNBC", NCT03424005).
_OR_BEFORE_NEXT = re.compile(r"\b(?:or|and/or)\b[^,;.()]{0,30}$", re.IGNORECASE)
_AND = re.compile(r"\band\b(?!/)|;")
_CONDITION_LEAD = re.compile(
    r"\b(?:for|in)\s+(?:subjects?|patients?|participants?|those|people)\s+(?:with|whose|who)\b|\bif\b|\bwhen\b|\bunless\b",
    re.IGNORECASE,
)
# A lead-in announces its items: "... defined as:", "... the following criteria",
# "as follows", "listed below".
_LEAD_IN_END = re.compile(r"(?::|\bfollowing(?:\s+\w+){0,2}|\bas\s+follows|\bbelow)\W*$", re.IGNORECASE)
# Place-holders NCI-style lists keep under a sub-heading: "Not specified", "See Disease
# Characteristics" (NCT00103168, NCT00023673).
_PLACEHOLDER = re.compile(r"^\W*(?:not\s+specified|not\s+applicable|none|n/?a|see\s+(?:\w+\s+){0,2}(?:characteristics|above|below|criteria))\W*$",
                          re.IGNORECASE)
# Items joined as alternatives: an item ending in "or", the next opening with "or", and
# a lead-in asking for one of its items ("at least one of the following:").
_ENDS_OR = re.compile(r"\b(?:or|and/or)\s*[:;,.]?\s*$", re.IGNORECASE)
_STARTS_OR = re.compile(r"^\W*(?:or|and/or)\b", re.IGNORECASE)
# "one of the following", "1 of the following criteria" (NCT03147742), "one or more of the
# following agents" (NCT03042611): the items are alternatives
_ONE_OF = re.compile(r"\b(?:one|1|any|either|at\s+least\s+(?:one|1))(?:\s+or\s+more)?\s+of\s+the\s+following\b",
                     re.IGNORECASE)

# Patient-file facts that conditions name (the keys of the patient file's ``flags``,
# plus ``sex``). "amputee" (NCT04072042 ECOG), "liver metastases" (NCT02589821,
# NCT02513394), "women of childbearing potential" (NCT00375310, NCT00473486).
CONDITION_FACTS: list[tuple[str, Gated]] = [
    ("childbearing_potential", Gated(r"child[- ]?bearing|of reproductive potential|fertile women|wocbp", re.I)),
    ("sex:MALE", Gated(r"\b(?:men|males?|man)\b", re.I)),
    ("sex:FEMALE", Gated(r"\b(?:women|females?|woman)\b", re.I)),
    ("amputee", Gated(r"amput\w*", re.I)),
    ("liver_metastases", Gated(r"(?:liver|hepatic)\s+(?:metastas[ie]s|metastatic|mets|involvement)|metastatic\s+(?:liver|hepatic)|involvement\s+of\s+the\s+liver", re.I)),
    ("bone_metastases", Gated(r"bone\s+(?:metastas[ie]s|mets|involvement)", re.I)),
    ("cns_metastases", Gated(r"(?:brain|cns|central nervous system)\s+(?:metastas[ie]s|mets)", re.I)),
    ("gilbert_syndrome", Gated(r"gilbert", re.I)),
]


@dataclass
class Clauses:
    """An item cut into its subject (``body``), its condition and its exception."""

    body: str
    condition: str | None = None
    exception: str | None = None
    cue: str | None = None  # which condition phrasing found it


def clauses(text: str) -> Clauses:
    """The condition and exception clauses of an item, by the first cue that fits."""
    m = _ONLY_IF.search(text)
    if m:
        return Clauses(m.group("body").strip(), m.group("cond").strip(), cue="only-if")
    for cue, rx in (("for", _LEAD_FOR), ("for", _LEAD_FOR_SHORT), ("if", _LEAD_IF), ("who-must", _WHO_MUST)):
        m = rx.search(text)
        if m:
            body = m.group("body").strip()
            if cue == "who-must":
                body = f"{m.group('modal')} {body}"
            return _with_exception(Clauses(body, m.group("cond").strip(), cue=cue))
    m = _SITE_ONLY.search(text)
    if m:
        return _with_exception(Clauses(text, m.group(0).strip(" ,)"), cue="site"))
    return _with_exception(Clauses(text))


def trailing_condition(text: str) -> Clauses | None:
    """"X ... for patients with Y": Y conditions the whole item (used only when no
    constraint of the item carries a condition of its own, such as "ULN <= 5 for
    patients with liver metastases" after a general limit)."""
    m = _TRAIL_FOR.search(text)
    if not m or _EXCEPT_END.search(m.group("body")):
        return None  # "... with histologic verification except in patients with ..." (NCT01130623)
    return Clauses(m.group("body").strip(" ,("), m.group("cond").strip(), cue="trailing-for")


_EXCEPT_END = re.compile(r"\b(?:except|excepting|unless|other\s+than|excluding|apart\s+from|but\s+not)\s*$", re.IGNORECASE)


# An excepted population lifts the whole criterion for the patients it names: "Must
# have failed or become intolerant to prior standard therapy ... except for patients
# diagnosed with mesothelioma." (NCT00703638), "... with histologic verification except
# in patients with intrinsic brain stem tumors, optic pathway gliomas ..." (NCT01130623),
# "Bilirubin < or = 2 mg/dl, except for patients affected by Gilbert's syndrome" (NCT02535351).
# What follows the clause's sentence stays with the body.
_EXCEPT_POPULATION = Gated(
    rf"^(?P<body>.{{3,}}?)[\s,;(]+(?:except|excepting|with\s+the\s+exception\s+of)\s+(?:for\s+|in\s+)?"
    rf"(?P<exc>{_WHO}\s+(?:with|who|whose|diagnosed|having|that|in|on|receiving|affected|suffering)\b[^.;]*)(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)


def _with_exception(c: Clauses) -> Clauses:
    m = _UNLESS.search(c.body)
    if m:
        c.body, c.exception = m.group("body").strip(" ,;("), m.group("exc").strip(" )")
        return c
    m = _EXCEPT_POPULATION.search(c.body)
    if m:
        c.body = f"{m.group('body').strip(' ,;(')}{m.group('rest')}"
        c.exception = m.group("exc").strip(" )")
    return c


def except_spans(text: str, to_sentence_end: bool = False) -> list[tuple[int, int]]:
    """Character ranges of "except ...", "other than ..." clauses (to the clause end, or
    to the sentence end)."""
    out = []
    for m in EXCEPT_CUE.finditer(text):
        end = (_SENTENCE_END if to_sentence_end else _CLAUSE_END).search(text, m.end() + 1)
        out.append((m.start(), end.start() if end else len(text)))
    return out


def negation_scope(text: str, section: str) -> str | None:
    """``criterion`` when a negation turns the whole item around, ``detail`` when it only
    qualifies a part, None without negation.

    In an inclusion list a negation states what must be absent ("No prior anti-PD-1").
    In an exclusion list negation words mostly qualify a detail ("brain metastases that
    cannot be controlled"), so there it counts only at the start ("Patients who have
    not received ...").
    """
    if not _ANY_NEGATION.search(text):
        return None
    if section == "exclusion" and _BARE_NO.search(text):
        # "No prior exposure to vinorelbine or other VEGF inhibitors" in an exclusion list
        # (NCT01060514): the list's own style of naming what it excludes
        return "detail"
    if _NEGATED_POPULATION.search(text) or _negated_then_healthy_threshold(text):
        return "detail"
    if _LEADING_NEGATION.search(text):
        return "criterion"
    m = _EARLY_NEGATION.search(text[:60])
    if section == "inclusion" and m and _governs(text, m):
        return "criterion"
    return "detail"


_WITH_BEFORE = re.compile(r"\bwith\s+$", re.IGNORECASE)
# A negation that opens the second member of "or" / "and" negates that member only.
_COORDINATED = re.compile(r"\S\s+(?:or|and|and/or)\s+$", re.IGNORECASE)
# "No" before an exposure in an exclusion list is the list's style too: "No treatment with
# cytotoxic or biologic agents within the 4 weeks ..." (NCT00402415), "No prior exposure to
# vinorelbine" (NCT01060514): the treated are excluded, not the untreated.
_BARE_NO = re.compile(r"^\W*no\s+(?:prior|previous|history|known|other|concurrent|active|evidence|"
                      r"(?:(?:systemic|anti-?cancer|anti-?tumou?r|cytotoxic|hormonal|investigational|"
                      r"major|radiation)\s+)?(?:treatments?|therap(?:y|ies)|chemotherapy|radiotherapy|"
                      r"immunotherapy|surgery|exposure|use|receipt|administration)\b)", re.IGNORECASE)
# a negation inside a relative clause qualifies its noun: "a solid cancer which is not
# responsive to standard therapy" (NCT00528619)
_RELATIVE = re.compile(r"\b(?:which|that)\s+(?:is|are|was|were|has|have|had)?\s*$", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
# "not" after a noun qualifies the noun ("Metastatic disease not amenable to surgical
# resection", NCT01900743; "patient not suitable for PIPAC", "advanced cancer not
# candidate for treatment with modality", LCT); after an auxiliary or modal it negates
# the item ("Patients must not have received", "Subject is not pregnant").
_AUXILIARY = re.compile(r"\b(?:must|should|shall|may|might|can|could|will|would|is|are|was|were|be|been|has|have|had|"
                        r"do|does|did)\s*$", re.IGNORECASE)
# A negated finding followed by the threshold that defines it: the negation is the
# finding's, the threshold is asked for ("No severe cardiac dysfunction, left ventricular
# ejection fraction ≥50%", NCT06382129; "No significant cardiac disease: LVEF >= 50%").
_NEGATED_THEN_THRESHOLD = re.compile(
    r"^\W*no\s+[^,;:(\d]{3,60}[,;:(]\s*[A-Za-z][\w\s()/-]{1,50}?"
    r"(?:≥|>=|≤|<=|>|<|=|\bat\s+least\b|\bgreater\s+than\b|\bless\s+than\b|\bof\s+at\s+least\b)\s*\d", re.IGNORECASE)
_CLAUSE_MARK = re.compile(r"[,;(]")
# The threshold may restate the negated finding instead of the healthy value it rules
# out: "No hypertension that cannot be controlled by medications (BP > 150/100 mm Hg,
# despite medical therapy)" (NCT00573404) is the finding, high; "No severe cardiac
# dysfunction, left ventricular ejection fraction ≥50%" (NCT06382129) and "no
# significant weight changes (<10 lbs" (LCT) name the healthy value asked for. A finding
# of excess stated with a lower bound ("hypertension" / ">"), or of deficit with an upper
# one ("anemia" / "<"), is the finding itself: the negation then governs the item.
_EXCESS = re.compile(r"hypertens\w*|tachycard\w*|elevat\w*|high\b|increas\w*|hyper\w+|fever|obes\w*|overweight", re.I)
_DEFICIT = re.compile(r"hypotens\w*|bradycard\w*|an(?:a)?emi\w*|neutropen\w*|thrombocytopen\w*|low\b|decreas\w*|reduced|hypo\w+|"
                      r"insufficien\w*|underweight", re.I)
_UPWARD = re.compile(r">|≥|greater|more|at\s+least|above|exceed", re.I)


def _negated_then_healthy_threshold(text: str) -> bool:
    m = _NEGATED_THEN_THRESHOLD.search(text)
    if not m:
        return False
    finding = text[: m.end()]
    op = re.search(r"(?:≥|>=|≤|<=|>|<|=|\bat\s+least\b|\bgreater\s+than\b|\bless\s+than\b)\s*\d$", m.group(0), re.I)
    upward = bool(op and _UPWARD.search(op.group(0)))
    return not ((upward and _EXCESS.search(finding)) or (not upward and op and _DEFICIT.search(finding)))


def _governs(text: str, m: re.Match[str]) -> bool:
    """An early negation governs an inclusion item unless it follows a stated value
    ("Hemoglobin >= 8 g/dL without transfusion", NCT02636725) or is a "without" after
    the subject ("measurable disease without prior irradiation")."""
    before = text[: m.start()]
    if _DIGIT.search(before) or _CLAUSE_MARK.search(before) or _RELATIVE.search(before):
        return False  # "Metastatic NSCLC, not amenable to curative surgery" (NCT03599518)
    if m.group(0).lower() == "not" and before.strip() and not _AUXILIARY.search(before):
        return False  # "Metastatic disease not amenable to surgical resection" (NCT01900743)
    if _COORDINATED.search(before):
        return False  # "Standard regimen failed or no standard regimen available" (NCT01645215, NCT02314819)
    # "without" or "with no" after the subject qualifies it: "measurable disease without prior
    # irradiation"; "Patients pregnant in single living fetus with no apparent congenital
    # anomalies" (LCT NCT03928340), "Healthy children with no systemic diseases" (LCT NCT03865680)
    word = m.group(0).lower()
    return not (before.strip() and (word == "without" or (word == "no" and _WITH_BEFORE.search(before))))


def _permission_at(text: str) -> int | None:
    """Where an unnegated permission cue starts, or None. A cue after "as" points to other
    text: "... remain off steroids thereafter, except as permitted (see below)"
    (NCT02465060), "as allowed by the protocol"."""
    for m in _PERMISSION.finditer(text):
        before = text[max(0, m.start() - 20) : m.start()]
        if _NOT_BEFORE.search(before) or _AS_BEFORE.search(before) or _ELIGIBLE_FOR.match(text, m.start()):
            continue
        return m.start()
    return None


_AS_BEFORE = re.compile(r"\bas\s+$", re.IGNORECASE)
# Eligibility for something else is a state, not a permission: "must be eligible for
# surgical resection" (LCT NCT03862066), "Those who are judged to be eligible for clinical
# trials based on laboratory and ECG results" (LCT NCT03920579), "Subject is eligible for
# enrollment in an ongoing clinical trial using ATB200/AT2221" (LCT NCT03865836, an
# exclusion), and "to be eligible" is a purpose: "however, to be eligible, it was mandatory
# to be able to stand still" (LCT NCT03926078).
_ELIGIBLE_FOR = re.compile(
    r"(?:(?<=\bto\s)be\s+eligible\b|(?:is|are|will\s+be|be|being)\s+(?:also\s+)?eligible\s+(?:for|to\s+(?:receive|undergo)))",
    re.IGNORECASE)


_SENTENCE = re.compile(r"(?<=[.;])\s+(?=[A-Z(])")


def first_sentence_end(text: str) -> int:
    m = _SENTENCE.search(text)
    return m.start() if m else len(text)


def role(text: str, section: str, scope: str | None) -> str:
    """The criterion's role from its section, a governing negation and the role cues."""
    base = REQUIREMENT if section == "inclusion" else EXCLUSION
    if _PLACEHOLDER.search(text):
        return INFORMATION
    if _NOTE.search(text) and not _REQUIREMENT_WORDING.search(text):
        return INFORMATION
    if _DEFINITION.search(text) and not _MODAL.search(text) or _MAY_APPLY.search(text):
        return INFORMATION
    if text.rstrip().endswith(":") and len(text) < 160:
        return INFORMATION  # a lead-in: its items carry the criteria
    if _REVIEWED.search(text):
        return INFORMATION
    if _PROHIBITION.search(text[: first_sentence_end(text)]) or _CLOSED.search(text):
        return EXCLUSION
    span = permission_span(text)
    if span is not None and span[0] == 0 and not text.startswith(("(", "[")):
        return PERMISSION  # a permission that opens the item
    # what a later permission admits on its own terms ("... may be included in the study if
    # ... A minimum of 2 weeks must have elapsed ...", NCT03599518) words no requirement
    own = text[: span[0]] + text[span[1]:] if span else text
    if base == EXCLUSION and _REQUIREMENT_WORDING.search(_BRACKETED.sub(" ", own)):
        # (not a bracketed note of an exception: "... within 4 weeks prior to study entry,
        # except palliative radiation therapy ... (must have been completed 2 weeks prior to
        # study enrollment)", NCT00581789)
        return REQUIREMENT
    if scope == "criterion":
        return EXCLUSION if base == REQUIREMENT else REQUIREMENT
    return base


# A sentence end the registry lost: "... on screening chest computed tomography (CT) scan
# History of radiation pneumonitis in the radiation field (fibrosis) is permitted."
# (NCT03424005): a lower-case word, then a capitalised one opening a new sentence.
_LOST_BREAK = re.compile(r"(?<=[a-z)])\s+(?=(?:History|Prior|Patients?|Subjects?|Participants?|Treatment|Use|Previous)\b)")
# A sentence break written as a mark: a spaced dash before a capital ("... to control
# associated symptoms - Subjects with clinically inactive brain metastases may be included",
# NCT03599518) or a note ("... within the past 6 months Note: Subjects with recent DVT who
# have been treated ... are eligible", NCT01542047).
_MARKED_BREAK = re.compile(r"\s+[-–—]\s+(?=[A-Z][a-z])|\s+(?=(?:Note|NOTE|N\.B\.)\s*:)")


# Where a permission reaches. A permission in brackets is an aside of the item, not its
# role: "Hemoglobin ≥ 9 g/dL (blood transfusion is allowed to achieve or maintain this
# target)", "(patients with treated and clinically stable brain metastasis are
# acceptable)", "(radiation therapy is permitted)" (the Clinical-Trial-Parser test split),
# "Total bilirubin ≤ 1.5 x ULN (unless documented Gilbert's syndrome, for which bilirubin
# ≤ 3 x ULN is permitted)" (NCT02465060). A clause after a semicolon starts where a
# sentence would, whatever its case: "Prior therapy with axitinib; prior therapy with
# bosutinib is allowed" (NCT02782403), "... anticoagulants such as warfarin; low molecular
# weight heparin is permitted" (NCT02465060).
_CLAUSE_AFTER_SEMICOLON = re.compile(r";\s+")


def _open_bracket(text: str, at: int) -> int | None:
    """The "(" or "[" still open at ``at``, or None."""
    stack: list[int] = []
    for i, ch in enumerate(text[:at]):
        if ch in "([":
            stack.append(i)
        elif ch in ")]" and stack:
            stack.pop()
    return stack[-1] if stack else None


def _closing(text: str, opened: int) -> int:
    """The end of the bracket group opened at ``opened`` (past its closing bracket, or the
    end of the text when it never closes)."""
    depth = 0
    for i in range(opened, len(text)):
        if text[i] in "([":
            depth += 1
        elif text[i] in ")]":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


def permission_span(text: str) -> tuple[int, int] | None:
    """(start, end) of the text an unnegated permission cue admits, or None: its sentence
    or semicolon clause, to the end of the text or of the bracket group holding the cue
    (the whole group when the cue's clause opens it)."""
    at = _permission_at(text)
    if at is None:
        return None
    opened = _open_bracket(text, at)
    lo, hi = (0, len(text)) if opened is None else (opened + 1, _closing(text, opened))
    start = lo
    for rx in (_SENTENCE, _LOST_BREAK, _MARKED_BREAK, _CLAUSE_AFTER_SEMICOLON):
        for m in rx.finditer(text, lo, at):
            if m.end() <= at and _open_bracket(text, m.start()) == opened:
                start = max(start, m.end())
    if opened is None:
        return start, hi
    if start == lo:
        return opened, hi  # the aside itself: "(bone lesions are allowed)"
    return start, hi - 1 if text[hi - 1] in ")]" else hi


def permission_from(text: str) -> tuple[int, int] | None:
    """The span a permission after the item's first words admits (``permission_span``):
    a later sentence or clause ("... Chemotherapy administered during radiation is
    allowable", NCT00466232; "... ECOG PS 2 patients are eligible if ...", NCT01804374)
    or an aside in brackets; constraints read there permit, not require."""
    span = permission_span(text)
    return span if span and span[0] > 0 else None


def strictness(text: str) -> str:
    return "preferred" if _PREFERRED.search(text) else "required"


def open_alternative(text: str) -> bool:
    """The text offers an alternative ("...; or who ...") that constraints may not capture."""
    return bool(_OPEN_ALTERNATIVE.search(text))


def condition_facts(text: str) -> list[str]:
    """Patient-file facts a condition names ("women of childbearing potential" ->
    childbearing_potential; "men" -> sex:MALE)."""
    facts: list[str] = []
    for fact, rx in CONDITION_FACTS:
        if rx.search(text) and fact not in facts:
            if fact.startswith("sex:") and "childbearing_potential" in facts:
                continue  # "women of childbearing potential" is the narrower fact
            facts.append(fact)
    return facts


# Alternatives name the same kind of fact: two measures ("ECOG 0-1 or KPS >= 70",
# "creatinine <= 1.5 x ULN or creatinine clearance >= 60"), two states, two therapies. An
# "or" between an age and a disease ("<= 21 years of age with measureable or evaluable
# relapsed or refractory solid tumors", NCT01130623) joins words inside one of them.
_MEASURES = frozenset({"numeric", "performance_status", "age", "life_expectancy"})


def _family(c: dict[str, Any]) -> str:
    return "measure" if c.get("type") in _MEASURES else str(c.get("type"))


# A named condition the item defines by thresholds right after its name: "poor-controlled
# arterial hypertension (systolic pressure ≥ 140 mmHg and/or diastolic pressure ≥ 90 mm
# Hg)" (NCT02691871), "Poorly controlled hypertension, defined as systolic blood pressure
# (SBP) of ≥140 mmHg ..." (NCT01418001), "Uncontrolled hypertension (SBP > ..."
# (NCT01900743), "Uncontrolled diabetes (fasting glucose > ..." (NCT01804374),
# "Hypertension (≥140 mmHg systolic and/or ≥90 mmHg diastolic)" (LCT NCT03866512). The
# thresholds are what the item means by the name: they decide, and the name is context
# (a patient with hypertension kept below them is no "uncontrolled hypertension").
_DEFINED_BY = re.compile(r"\s*,?\s*(?:(?P<paren>\()\s*(?:defined\s+as\s+|i\.\s?e\.,?\s*)?|(?:defined\s+as|i\.\s?e\.,?|that\s+is,?)\s+)",
                         re.IGNORECASE)
_DEFINITION_END = re.compile(r";|\.(?:\s|$)")


def defined_states(text: str, constraints: list[dict[str, Any]]) -> None:
    """Give role ``context`` to a ``disease_state`` the item defines by the numeric
    thresholds written right after its name (``_DEFINED_BY``)."""
    numeric = [c for c in constraints if c["type"] == "numeric" and c.get("role", "subject") == "subject" and c.get("span")]
    if not numeric:
        return
    for c in constraints:
        if c["type"] != "disease_state" or c.get("role", "subject") != "subject" or not c.get("span"):
            continue
        at = text.find(str(c["span"]))
        m = _DEFINED_BY.match(text, at + len(str(c["span"]))) if at >= 0 else None
        if m is None:
            continue
        if m.group("paren"):
            end = _closing(text, m.start("paren"))
        else:
            stop = _DEFINITION_END.search(text, m.end())
            end = stop.start() if stop else len(text)
        if any(0 <= text.find(str(n["span"]), m.end()) < end for n in numeric):
            c["role"] = "context"


# An exclusion item that also words a requirement ("No treatment with cytotoxic or
# biologic agents within the 4 weeks prior to beginning treatment ... At least 4 weeks
# must have elapsed from any prior surgery ... Patients must have fully recovered ...",
# NCT00402415) is read as a requirement; its sentence written in the list's "No" style
# asks for the exposure's absence in the window, which a requirement states as a washout
# of that length. ("No prior exposure to vinorelbine" in a plain exclusion item stays an
# exclusion: NCT01060514.)
def no_style_washouts(text: str, section: str, role_: str, constraints: list[dict[str, Any]]) -> None:
    """Turn the ``within`` windows of a requirement's "No ..." sentences into washouts."""
    if section != "exclusion" or role_ != REQUIREMENT:
        return
    starts = [0] + [m.end() for m in _SENTENCE.finditer(text)]
    bounds = list(zip(starts, starts[1:] + [len(text)], strict=True))
    for c in constraints:
        if c["type"] != "prior_therapy" or c.get("role", "subject") != "subject" or c.get("window_kind") != "within":
            continue
        at = text.find(str(c.get("span") or ""))
        sentence = next((text[a:b] for a, b in bounds if a <= at < b), None) if at >= 0 else None
        if sentence is not None and _BARE_NO.search(sentence):
            c["window_kind"] = "washout"


def alternative_groups(text: str, constraints: list[dict[str, Any]]) -> None:
    """Number the AND-groups of an item's constraints: constraints joined by "or" share
    a group ("ECOG 0-1 or Karnofsky >= 70": one group). Sets ``alternative_group`` only
    when the item has an 'or' between two of its constraints.

    "Total bilirubin <= 1.5 x ULN or direct bilirubin <= ULN for subjects with total
    bilirubin > 1.5 x ULN": the last constraint conditions the second; it becomes a
    ``condition`` of the item (what the others are asked of).
    """
    subjects = [c for c in constraints if c.get("role", "subject") == "subject" and c.get("span")]
    if len(subjects) < 2:
        return
    low = text.lower()
    placed: list[tuple[int, int, dict[str, Any]]] = []
    for c in subjects:
        sp = str(c["span"]).lower()
        i = low.find(sp, placed[-1][0] if placed else 0)
        if i < 0:
            i = low.find(sp)
        if i < 0:
            return
        placed.append((i, i + len(sp), c))
    placed.sort(key=lambda p: p[0])  # in reading order ("Lansky >= 50 or Karnofsky >= 50", NCT04154189)
    subjects = [c for _a, _b, c in placed]
    positions = [(a, b) for a, b, _c in placed]
    links: list[bool] = []
    for n, ((_a0, a1), (b0, _b1)) in enumerate(zip(positions, positions[1:], strict=False), start=1):
        between = low[a1:b0] if b0 >= a1 else ""
        if _CONDITION_LEAD.search(between) and subjects[n].get("applies_if") is None:
            subjects[n]["role"] = "condition"
        # constraints with conditions of their own are no alternatives: each decides for
        # whom its condition holds ("Lansky ... or Karnofsky ... Use Karnofsky for
        # participants >=16 years of age and Lansky for ... <16", NCT04154189)
        links.append(bool(_OR_BEFORE_NEXT.search(between)) and not _AND.search(between)
                     and _family(subjects[n - 1]) == _family(subjects[n])
                     and not (subjects[n - 1].get("applies_if") and subjects[n].get("applies_if")))
    if not any(links):
        return
    group = 1
    subjects[0]["alternative_group"] = group
    for c, link in zip(subjects[1:], links, strict=False):
        if not link:
            group += 1
        c["alternative_group"] = group


_ALLOWS = re.compile(r"[^.;:]{0,30}?\b(?:permitted|allowed|allowable|acceptable|permissible)\b", re.IGNORECASE)


def _inherit_polarity(lead: dict[str, Any], crit: dict[str, Any]) -> None:
    """Items under a lead-in that announces its list take the lead-in's polarity.

    Under a negated lead-in of an inclusion list they are what must be absent: "No
    distant metastases*, including any of the following:" / "Liver metastases"
    (NCT00103168), "No concurrent serious illness including, but not limited to, any of
    the following:" / "Ongoing or active infection requiring parenteral antibiotics"
    (NCT00602576), "Patients must not have any uncontrolled intercurrent illness
    including, but not limited to:" / "Known cardiac metastases" (NCT02465060). Under a
    permitting lead-in they are permitted: "NOTE: The following steroids are permitted
    (...):" / "Chronic inhaled steroid use" (NCT02465060). An item negated itself, a
    permission or a note keeps its own role."""
    text = str(lead.get("text") or "")
    if crit.get("role") != REQUIREMENT or crit.get("negation_scope") == "criterion" or not _LEAD_IN_END.search(text):
        return
    at = _permission_at(text)
    if at is not None and _ALLOWS.match(text, at):
        # (not "The following histologies may be enrolled ...:", NCT02636725: a list of the
        # types the trial admits, which the matcher reads as strata)
        crit["role"] = PERMISSION
    elif lead.get("section") == "inclusion" and lead.get("negation_scope") == "criterion" and not _healthy_limit(crit):
        crit["role"] = EXCLUSION


# Variables whose high values are the harm trials keep out: an upper limit on them is
# what a patient must keep, never a finding to be absent.
_HIGH_IS_HARM = frozenset({"blood_pressure_systolic", "blood_pressure_diastolic", "qtc", "bilirubin", "ast", "alt",
                           "creatinine", "inr", "urine_protein"})


def _healthy_limit(crit: dict[str, Any]) -> bool:
    """An item that states a limit to keep under a negated lead-in keeps its own role:
    "None of the following within the past 12 months:" / "Blood pressure < 140/90 mm Hg"
    (NCT00357318) asks for a controlled pressure, while an excess under such a lead-in
    ("Cardiac arrhythmia (... CTCAE ... grade >= 2)" under "must not have any uncontrolled
    intercurrent illness including", NCT02465060; "QTc interval to > 450 msec", NCT00357318)
    stays what must be absent."""
    subject = [c for c in crit.get("constraints") or [] if c.get("role", "subject") == "subject"]
    return bool(subject) and all(c.get("type") == "numeric" and c.get("variable") in _HIGH_IS_HARM
                                 and c.get("comparator") in ("<", "<=") for c in subject)


def link_items(criteria: list[dict[str, Any]]) -> None:
    """Lead-ins and alternatives between items, on a trial's parsed criteria (in order).

    An item whose text is the ``context`` of the items after it is their ``lead_in``;
    items under a lead-in asking for "one of the following" form an alternative set, as
    do items joined by a trailing or leading "or".
    """
    by_text: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for crit in criteria:
        ctx = crit.get("context")
        lead = by_text.get((crit.get("section", ""), ctx)) if ctx else None
        if lead:
            crit["lead_in"] = lead[0]["id"]
            # A lead-in is information: its items carry the criteria ("Chemotherapy:" /
            # "At least 5 years since prior chemotherapy", NCT00023673; "Biologic therapy"
            # over its items, NCT00103168).
            if _LEAD_IN_END.search(lead[0].get("text", "")):
                lead[0]["role"] = INFORMATION
            _inherit_polarity(lead[0], crit)
            if crit.get("role") == REQUIREMENT and _ONE_OF.search(ctx or ""):
                crit["alternative_set"] = lead[0]["id"]
        by_text[(crit.get("section", ""), crit.get("text", ""))] = [crit]
    for prev, crit in zip(criteria, criteria[1:], strict=False):
        if prev.get("section") != crit.get("section") or prev.get("scope") != crit.get("scope"):
            continue
        if _ENDS_OR.search(prev.get("text", "")) or _STARTS_OR.search(crit.get("text", "")):
            group = prev.get("alternative_set") or prev["id"]
            prev["alternative_set"] = group
            crit["alternative_set"] = group


# Scopes (criteria/split.py names them): a later step is checked after entry ("Stage 2"
# of NCT03424005 is for patients already treated in Stage 1; "Randomization
# eligibility" after registration; crossover, re-treatment, continuation); a part,
# cohort or arm is one of several ways in ("Cohort B", "Part A"); the rest is entry.
_LATER_SCOPE = re.compile(
    r"^(?:(?:stage|step|period|segment|phase)s?\s+(?:[2-9]|\d{2})\b|re-?registration|randomi[sz]ation|crossover|cross-over|"
    r"re-?treatment|continuation|extension)", re.IGNORECASE)
_ALTERNATIVE_SCOPE = re.compile(
    r"^(?:part|cohort|arm|group|module|substudy|sub-study|dose[ -]escalation|dose[ -]expansion|expansion)", re.IGNORECASE)


def scope_kind(label: str) -> str:
    """``later`` (a step after entry), ``part`` (one of several ways in) or ``entry``."""
    if _LATER_SCOPE.search(label):
        return "later"
    if _ALTERNATIVE_SCOPE.search(label):
        return "part"
    return "entry"


def mark_scopes(criteria: list[dict[str, Any]]) -> None:
    """Set ``scope_kind`` and ``entry`` on scoped criteria. A later step is no entry
    criterion when the trial has entry criteria of its own (otherwise it is all there
    is, and a new patient is judged by it)."""
    kinds = {c["scope"]: scope_kind(c["scope"]) for c in criteria if c.get("scope")}
    has_entry = any(not c.get("scope") or kinds[c["scope"]] != "later" for c in criteria)
    for c in criteria:
        label = c.get("scope")
        if not label:
            continue
        c["scope_kind"] = kinds[label]
        c["entry"] = not (kinds[label] == "later" and has_entry)


def fill_missing(crit: dict[str, Any]) -> dict[str, Any]:
    """A criterion's logic keys read from its text where a criterion JSON lacks them
    (JSON written before these keys existed, or by hand): the same cues as the parser."""
    if crit.get("role"):
        return crit
    text = str(crit.get("text") or "")
    section = str(crit.get("section") or "inclusion").lower()
    scope = negation_scope(text, section) if crit.get("negated", True) else None
    out = {**crit, "role": role(text, section, scope), "negation_scope": scope, "strictness": strictness(text)}
    if open_alternative(text):
        out["open_alternative"] = True
    cons = [dict(c) for c in crit.get("constraints") or []]
    if not any("alternative_group" in c or "role" in c for c in cons):
        alternative_groups(text, cons)
        out["constraints"] = cons
    return out


# ---------------------------------------------------------------- population pairs

# "without", "do not have", "no" just before a condition-fact phrase: its absence.
_ABSENT_BEFORE = re.compile(r"\b(?:without|no|not\s+have|not\s+having|free\s+of|absence\s+of|non-?)\s*(?:known\s+|evidence\s+of\s+)?$",
                            re.IGNORECASE)
_FACT_NAMES = {"liver_metastases": "liver metastases", "bone_metastases": "bone metastases",
               "cns_metastases": "CNS metastases", "amputee": "amputee", "gilbert_syndrome": "gilbert syndrome"}


def _fact_mentions(text: str) -> list[tuple[int, int, str, bool]]:
    """(start, end, fact, present) for each condition-fact phrase of ``text`` that names a
    disease fact (not sex or childbearing potential), in reading order."""
    out = []
    for fact, rx in CONDITION_FACTS:
        if fact not in _FACT_NAMES:
            continue
        for m in rx.finditer(text):
            absent = bool(_ABSENT_BEFORE.search(text[max(0, m.start() - 30) : m.start()]))
            out.append((m.start(), m.end(), fact, not absent))
    return sorted(out)


def population_pairs(crit: dict[str, Any]) -> None:
    """Thresholds split by a condition and its absence take the population of the clause
    they sit in: "Patients who do not have liver metastasis, with ALT and AST <= 2.5 times
    the ULN; and who do have liver metastatic, with ALT and AST <= 5 times ULN"
    (NCT02589821) is the general limit (no condition) and the limit for liver metastases
    (``applies_if``), the pair the matcher reads as an override, like "AST <= 2.5 x ULN
    (<= 5 x ULN with liver metastases)" (NCT00473486). A state read from inside the
    condition's words ("metastatic" of "liver metastatic") is no constraint of its own.
    A sentence opened by an age population ("Participants >18 years of age should have
    BP <= 150/90", NCT04154189) conditions its constraints on that age
    (``rules.performance.age_populations``)."""
    from trialkg.criteria.rules.performance import age_populations

    text = str(crit.get("text") or "")
    crit["constraints"] = age_populations(text, list(crit.get("constraints") or []))
    mentions = _fact_mentions(text)
    facts = {f for _a, _b, f, _p in mentions}
    if len(facts) != 1 or {p for *_x, p in mentions} != {True, False}:
        return
    (fact,) = facts
    low = text.lower()
    kept = []
    for c in crit.get("constraints") or []:
        at = low.find(str(c.get("span") or "").lower()) if c.get("span") else -1
        if c.get("type") == "disease_state" and any(a <= at < b for a, b, _f, _p in mentions):
            continue
        before = [p for a, _b, _f, p in mentions if a <= at] if at >= 0 else []
        if c.get("type") == "numeric" and before and c.get("role", "subject") == "subject":
            if before[-1]:
                c["applies_if"], c["applies_if_facts"] = _FACT_NAMES[fact], [fact]
            else:
                c["applies_if"] = None
                c.pop("applies_if_facts", None)
        kept.append(c)
    crit["constraints"] = kept


# ---------------------------------------------------------------- doubtful directions

# Palliative and end-of-life trials ask for a short life expectancy on purpose.
_END_OF_LIFE = re.compile(r"palliat\w*|hospice|terminal(?:ly)?|end[- ]of[- ]life|dying|comfort\s+care", re.IGNORECASE)


def doubtful_direction(crit: dict[str, Any]) -> None:
    """A life-expectancy upper bound required at entry ("Life expectancy <= 3 months"
    among the inclusion criteria of a treatment trial, NCT01900743) reads as written as
    admitting only patients expected to die within the bound: the opposite of the
    minimum ("life expectancy >= 3 months", NCT04072042) such criteria state. It is
    kept as an ``unparsed`` constraint with ``reason: "direction"`` and never decides.
    The same bound in an exclusion list ("Life expectancy < 3 months or in hospice care",
    LCT NCT03921658; "Life expectancy less than 1 year", LCT NCT03862131) keeps out the
    patients it names, and a palliative item ("terminal illness with a life expectancy
    < 6 months") means what it says; both stay as they are. Called only for a trial
    whose text has an exclusion list (without one, "inclusion" is only the default)."""
    if crit.get("role") != REQUIREMENT or crit.get("section") != "inclusion" or _END_OF_LIFE.search(str(crit.get("text") or "")):
        return
    for i, c in enumerate(crit.get("constraints") or []):
        if c.get("type") == "life_expectancy" and c.get("role", "subject") == "subject" and c.get("comparator") in ("<", "<="):
            crit["constraints"][i] = {
                "type": "unparsed", "span": c.get("span"), "reason": "direction", "variable": c.get("variable"),
                "comparator": c.get("comparator"), "value": c.get("value"), "unit": c.get("unit"),
                "note": "an upper bound on life expectancy among the inclusion criteria (the usual requirement is "
                        "a minimum): kept, never used to decide"}



# ---------------------------------------------------------------- excepted tumours

# A history of another cancer with the tumours it lets through: "No other malignancy
# within the past 5 years except adequately treated basal cell or squamous cell skin
# cancer or carcinoma in situ of the cervix" (NCT00103168, NCT00281996), "Other
# malignancies diagnosed within the previous 5 years, except basal cell carcinoma or
# cervical carcinoma in situ after radical resection" (NCT02589821), "History of a
# different malignancy unless disease-free for at least 5 years, or basal or squamous
# cell carcinoma of the skin" (NCT01347788), "a different malignancy, other than cervical
# cancer in situ, basal cell or squamous cell carcinoma of the skin, are ineligible"
# (NCT02164240), "Previous malignancy (except for cervical carcinoma in situ, adequately
# treated basal cell carcinoma ...)" (NCT00619541). The clause after the cue, to its
# sentence or bracket end, is what is excepted: tumour types, and often a time or a
# remission ("or any cancer curatively treated > 3 years prior", NCT00473486).
_TUMOUR_EXCEPT = re.compile(
    r"\b(?:except(?:\s+for)?|excepting|other\s+than|with\s+the\s+exception\s+of|apart\s+from|aside\s+from|"
    r"excluding|unless|but\s+not)\b(?:\s+(?:for\b|in\b(?![\s-]+situ)))?\s*:?\s*",
    re.IGNORECASE,
)
# "malignancy other than breast cancer" right after the noun names the trial's own
# disease, what makes the malignancy "other" (NCT03424005): no exception.
_OTHER_THAN_OWN = re.compile(r"\s*other\s+than\b", re.IGNORECASE)


def tumour_exception_at(text: str, constraints: list[dict[str, Any]]) -> tuple[str, int, int] | None:
    """The excepted clause of an item about another malignancy (a subject
    ``other_malignancy`` state), with the start of its cue and the end of the clause in
    ``text`` (what the subject is read without), or None."""
    hist = [c for c in constraints if c.get("role", "subject") == "subject" and c.get("type") == "disease_state"
            and c.get("state") == "other_malignancy" and c.get("span")]
    if not hist:
        return None
    low = text.lower()
    at = low.find(str(hist[0]["span"]).lower())
    if at < 0:
        return None
    after = at + len(str(hist[0]["span"]))
    for m in _TUMOUR_EXCEPT.finditer(text, after):
        if _OTHER_THAN_OWN.match(text, m.start()) and not text[after:m.start()].strip():
            continue
        opened = _open_bracket(text, m.start())
        end = _closing(text, opened) if opened is not None else len(text)
        end -= 1 if opened is not None and text[end - 1] in ")]" else 0
        stop = _FULL_STOP.search(text, m.end(), end)
        clause_end = stop.start() if stop else end
        clause = text[m.end(): clause_end].strip(" ,;:()[]")
        if len(clause) >= 3:
            return clause, m.start(), clause_end
    return None


# The excepted tumours run to the sentence end: their list is often cut by semicolons
# ("except for the following: adequately treated basal cell or squamous cell skin cancer;
# in situ cervical cancer; ...", NCT02465060).
_FULL_STOP = re.compile(r"\.(?:\s|$)")
