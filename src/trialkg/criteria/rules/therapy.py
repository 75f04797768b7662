"""Prior therapy and drug mentions.

A therapy is prior when the item says so ("prior", "previously treated with", "failed",
"naive"), gives a window ("within 4 weeks", a washout "at least 4 weeks since") or sits
under a header that says so. Drugs and classes come from the knowledge stage
(``knowledge/mentions.py``); a drug named in a contraception, interaction,
hypersensitivity, dosing, toxicity or indication clause is context (``drug_mention``),
never a required prior therapy. Drugs after "except", "other than" are kept apart
(``except_drugs``, ``except_drug_classes``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from trialkg.criteria import lexicon, logic, units
from trialkg.criteria.rules import windows
from trialkg.criteria.rules.comparisons import NUM, number
from trialkg.criteria.rules.disease import treatment_intolerance
from trialkg.criteria.rules.dose import dose_reference, glucocorticoid_dose, systemic_only
from trialkg.criteria.rules.reading import Reading
from trialkg.criteria.rules.text import inside, opened
from trialkg.criteria.rules.windows import WASHOUT as _WASHOUT
from trialkg.criteria.rules.windows import WINDOW as _WINDOW
from trialkg.knowledge.lexicon import Lexicon
from trialkg.knowledge.mentions import (
    find_class_mentions,
    find_cued_drug_mentions,
    find_drug_mentions,
)
from trialkg.textgate import Gated, GateSet

_PRIOR_WORD = re.compile(r"prior|previous|received|failed|failure|refractory|pretreated|naive", re.I)
_PLANNED = re.compile(r"planned|planning|scheduled|candidate for|indication for|undergo(?:ing)?\b|will receive", re.I)
_CURRENT = re.compile(r"concurrent|concomitant|ongoing|\bcurrently\b|\bcurrent\s+(?:use|treatment|therapy|participation)\b", re.I)
# Who is on a drug: "patients on", "women who are on" (see ``_PRESENT``, ``_PRIOR_CUE``).
_PERSON_ON = (r"patients?|subjects?|individuals?|those|participants?|persons?|people|anyone|adults?|children|"
              r"wom[ae]n|(?<!wo)m[ae]n|females?|males?|girls?|boys?")
# The present tense with no word of the past and no window: the therapy is one being
# taken now. "Receiving anticoagulant treatment" (LCT NCT03921970), "Those using
# corticosteroids" (LCT NCT03866135), "Patients on antiretroviral therapy" (NCT02513394),
# "Coagulation dysfunction ... or receiving anticoagulant therapy" (NCT01645215,
# NCT02314819).
_PRESENT = re.compile(r"\b(?:receiving|taking|using(?!\s+(?:the\s+)?(?:RECIST|criteria|guidelines))|intake|takes?|currently|"
                      r"current\s+(?:use|treatment|therapy|medications?|participation)|"
                      # "must not require the use of full dose coumarin-derivative
                      # anticoagulants" (NCT02465060), "requires concomitant treatment"
                      r"requir(?:e|es|ing)\s+(?:the\s+)?(?:\w+\s+)?(?:use|treatment|administration)\s+(?:of|with)|"
                      r"(?:" + _PERSON_ON + r")\s+(?:(?:who|that)\s+(?:are|is)\s+)?on|"
                      r"on\s+(?:an?\s+)?(?:(?:stable|steady|constant|decreasing)\s+)?doses?)\b", re.I)
_PAST = re.compile(r"\b(?:prior|previous(?:ly)?|history|received|had|treated|pretreated|pre-treated|failed|failure|"
                   r"refractory|exposure|exposed|naive|naïve|underwent|undergone|completed|discontinued|stopped|"
                   r"last\s+dose|since|before|ago|prescribed)\b", re.I)
_MAX_OP = re.compile(r"less|fewer|shorter|<|≤|up to")
_PRIOR_CUE = Gated(
    r"\b(?:prior|previous(?:ly)?|received|receiving|receive|treated|treatment with|therapy with|exposure|exposed|"
    r"history of|had|has had|have had|used|use of|using|taking|administration|administered|failed|failure|refractory|"
    r"progress\w* (?:on|after)|pretreated|pre-treated|naive|naïve|accepted|participated|participation|planned|planning|"
    r"scheduled|candidate for|indication for|undergo|undergoing|underwent|undergone|concurrent|concomitant|ongoing|"
    r"completed|contraindication|resistan\w*|intoleran\w*|intake|(?<!never\s)(?<!not\s)(?:takes?|took))\b"
    # the use named by its noun: "Therapeutic anticoagulation with vitamin K antagonists such
    # as phenprocoumon, warfarin, or with heparins or heparinoids" (NCT00473486), "full dose
    # anticoagulation ( vitamin k antagonists , dabigatran , heparin" (Clinical-Trial-Parser
    # test split)
    r"|\banticoagulation\s+(?:with|\()"
    # "patients on immunosuppressive drugs" (LCT NCT03920527), "any individuals on oral,
    # injected ... corticosteroids" (LCT NCT03867344), "Patients on antiretroviral therapy"
    # (NCT02513394, NCT02164240), "post-menopausal women who are on hormone replacement
    # therapy", "females on hormone replacement therapy ( hrt )", "patients who are on
    # coumadin" (Clinical-Trial-Parser test split); not "for patients on warfarin, the INR
    # ...", a condition
    r"|(?<!for\s)\b(?:" + _PERSON_ON + r")\s+(?:(?:who|that)\s+(?:are|is)\s+)?(?:currently\s+)?on\b"
    # a dose being taken: "on a stable or decreasing dose of ≤10 mg daily prednisone"
    # (NCT01642004), "must have been on stable dose of steroids" (NCT02465060)
    r"|\bon\s+(?:an?\s+)?(?:(?:stable|steady|constant|decreasing|tapering|low|physiologic\w*|replacement|or)\s+){0,4}doses?\b",
    re.IGNORECASE,
)
_EXPOSURE = Gated(
    rf"\bfor\s+(?P<op>more than|at least|over|longer than|greater than|>=?|≥|less than|fewer than|shorter than|<=?|≤|up to)?\s*(?P<v>{NUM})\s*(?P<u>days?|weeks?|months?|years?|cycles?)\b",
    re.IGNORECASE,
)


def _knowledge() -> tuple[Any, Any]:
    """The drug and drug-class finders of the knowledge stage."""
    return find_drug_mentions, find_class_mentions


_THERAPY_RES = [(name, Gated(rf"(?<![\w-])(?:{p})(?![\w])", re.IGNORECASE)) for name, p in lexicon.THERAPIES]
_THERAPY_GATES = GateSet([g for _, g in _THERAPY_RES])


@lru_cache(maxsize=8192)
def drug_mentions(text: str) -> tuple[tuple[list[tuple[str, int, int]], list[tuple[str, int, int]]], bool]:
    """(drugs, classes) named in ``text`` as (name, start, end); cached, as registries
    repeat the same boilerplate items across thousands of trials."""
    find_drugs, find_classes = _knowledge()
    if find_drugs is None:
        return ([], []), False
    try:
        drugs = [(str(m.drug), m.start, m.end) for m in find_drugs(text, spelling=True) if m.drug]
        classes = [(str(m.drug_class), m.start, m.end) for m in find_classes(text) if m.drug_class]
        classes = (_narrowed(text, classes, find_classes) + _slash_classes(text, find_classes) + _cyp3a_classes(text)
                   + [(str(m.drug_class), a, b) for phrase, a, b in shared_heads(text)
                      for m in find_classes(phrase) if m.drug_class and m.start == 0])
        classes = _restricted(text, classes, find_classes)
        # A drug the curated scan does not know, named as the object of a prior-therapy cue.
        taken = [(a, b) for _n, a, b in drugs + classes]
        drugs += [(str(m.drug), m.start, m.end) for m in find_cued_drug_mentions(text)
                  if m.drug and not any(a < m.end and m.start < b for a, b in taken)]
        drugs.sort(key=lambda d: d[1])
    except Exception:  # noqa: BLE001 - a knowledge bug must not lose the criterion
        return ([], []), False
    return (drugs, classes), True


# Modifiers that share one head: "cytotoxic or biologic agents" (NCT00402415), "targeted
# or biologic therapy", "immunosuppressive or immunomodulatory therapy", "anticancer or
# experimental therapy" (Clinical-Trial-Parser test split): the first modifier with the
# head ("cytotoxic agents", "targeted therapy") is read as a phrase of its own.
_SHARED_HEAD = re.compile(
    r"\b(?P<a>[A-Za-z][\w-]{3,30})\s*(?:,\s*(?:or|and)?|\bor|\band/or|\band)\s+(?:other\s+)?(?P<b>[A-Za-z][\w-]{3,30})\s+"
    r"(?P<head>agents?|drugs?|therap(?:y|ies)|treatments?|medications?)\b", re.IGNORECASE)
_NO_MODIFIER = frozenset({"with", "prior", "previous", "other", "any", "receiving", "received", "from", "than", "more",
                          "less", "patients", "subjects", "within", "including", "such", "both", "either"})


def shared_heads(text: str) -> list[tuple[str, int, int]]:
    """(the first modifier with the shared head, its start, its end) of each ``_SHARED_HEAD``."""
    out = []
    for m in _SHARED_HEAD.finditer(text):
        if m.group("a").lower() in _NO_MODIFIER or m.group("b").lower() in _NO_MODIFIER:
            continue
        out.append((f"{m.group('a')} {m.group('head')}", m.start("a"), m.end("a")))
    return out


# Class phrases with a slash list of targets: "anti-PD-1/PD-L1/PD-L2 antibody",
# "VEGF/VEGFR inhibition", "anti-VEGF/VEGFR targeted drugs" (NCT02588170): each target
# with the head, looked up in the class table.
_SLASH_CLASS = re.compile(
    r"(?P<pre>\banti-?)?(?P<first>[A-Z][A-Za-z0-9-]{1,10})(?P<rest>(?:/[A-Z][A-Za-z0-9-]{0,10})+)\s+"
    r"(?P<head>antibod(?:y|ies)|inhibit(?:or|ors|ion)|TKIs?|agents?|therap(?:y|ies)|drugs?|blockade)\b")
# "EGFR inhibitor, including both TKIs and monoclonal antibodies": the generic classes
# the apposition lists are of that target (EGFR TKIs, EGFR antibodies), not every TKI.
_INCLUDING = re.compile(r"\s*,?\s*\(?\s*(?:including|includes|such as|i\.e\.,?)\s+(?:both\s+)?", re.IGNORECASE)
_GENERIC_CLASSES = frozenset({"tyrosine-kinase-inhibitor", "monoclonal-antibody", "kinase-inhibitor"})
_HEAD_WORDS = re.compile(r"\s*(?:inhibitors?|antagonists?|blockers?|targeted|directed|agents?|therap(?:y|ies))\b.*$", re.IGNORECASE)


def _slash_classes(text: str, find_classes: Any) -> list[tuple[str, int, int]]:
    """The classes of a slash list of targets (``_SLASH_CLASS``)."""
    out: list[tuple[str, int, int]] = []
    if "/" not in text:
        return out  # a slash list needs its slash
    for m in _SLASH_CLASS.finditer(text):
        head = "inhibitor" if m.group("head").lower() == "inhibition" else m.group("head")
        for name in [m.group("first")] + m.group("rest").strip("/").split("/"):
            phrase = f"{m.group('pre') or ''}{name} {head}"
            for c in find_classes(phrase):
                if c.drug_class and (str(c.drug_class), m.start(), m.end()) not in out:
                    out.append((str(c.drug_class), m.start(), m.end()))
    return out


# CYP3A modulators by strength, written with coordinations no class phrase spells out:
# "strong inducers or inhibitors of CYP3A4" (NCT00402415), "inhibitors or strong inducers
# of isoenzyme CYP3A4" (NCT01418001), "strong and moderate CYP3A inhibitors", "CYP3A4
# inducers or inhibitors", "moderate to strong cyp3a4 inhibitors" (Clinical-Trial-Parser test
# split). A strength before the first role holds for both; one before
# the second is its own. No strength: the class of either strength.
_STRENGTH = r"strong|potent|moderate|weak"
_CYP = r"(?:\(\s*)?(?:CYP\s?3A4?(?:/5)?|cytochrome\s+P\s?450\s+(?:3A4?|\(CYP\)\s*3A4?))(?:\s*\))?"
_ROLE = r"inhibitors?|inducers?"
_AND = r"\s*(?:and/or|or|and|to|/|,)\s*"  # "moderate to strong CYP3A4 inhibitors"
_CYP3A = Gated(
    rf"(?:(?P<s1>{_STRENGTH})(?:{_AND}(?P<s2>{_STRENGTH}))?\s+)?"
    rf"(?:{_CYP}\s+(?P<r1>{_ROLE})(?:{_AND}(?:(?P<s3>{_STRENGTH})\s+)?(?P<r2>{_ROLE}))?"
    rf"|(?P<r3>{_ROLE})(?:{_AND}(?:(?P<s4>{_STRENGTH})\s+)?(?P<r4>{_ROLE}))?\s+of\s+(?:the\s+)?(?:(?:iso)?enzymes?\s+)?{_CYP})",
    re.IGNORECASE,
)


def _cyp3a_classes(text: str) -> list[tuple[str, int, int]]:
    """The CYP3A inhibitor and inducer classes of ``_CYP3A``, with their span."""
    if "3a" not in text.lower():
        return []
    out: list[tuple[str, int, int]] = []
    for m in _CYP3A.finditer(text):
        first = [x.lower() for x in (m.group("s1"), m.group("s2")) if x]
        pairs = [(m.group("r1") or m.group("r3"), first),
                 (m.group("r2") or m.group("r4"), [x.lower() for x in (m.group("s3") or m.group("s4"),) if x] or first)]
        for role, strengths in pairs:
            if not role:
                continue
            kind = "inducer" if role.lower().startswith("induc") else "inhibitor"
            for strength in strengths or [""]:
                prefix = {"strong": "strong-", "potent": "strong-", "moderate": "moderate-"}.get(strength, "")
                key = f"{prefix}cyp3a-{kind}"
                if (key, m.start(), m.end()) not in out:
                    out.append((key, m.start(), m.end()))
    return out


def _narrowed(text: str, classes: list[tuple[str, int, int]], find_classes: Any) -> list[tuple[str, int, int]]:
    """Generic classes listed after a targeted one (``_INCLUDING``) narrowed to its target."""
    out = list(classes)
    for key, a, b in classes:
        if key in _GENERIC_CLASSES:
            continue
        inc = _INCLUDING.match(text, b)
        if not inc:
            continue
        target = _HEAD_WORDS.sub("", text[a:b]).strip()
        listed = [c for c in classes if c[0] in _GENERIC_CLASSES and inc.end() <= c[1] < inc.end() + 80]
        if not target or not listed:
            continue
        for c in listed:
            out.remove(c) if c in out else None
            for found in find_classes(f"{target} {text[c[1]:c[2]]}"):
                if found.drug_class:
                    out.append((str(found.drug_class), c[1], c[2]))
    return out


# A generic class noun restricted to a target by a relative clause after it or a
# modifier before it is the class of that target: "tyrosine kinase inhibitor that
# targets VEGF receptors" (NCT00678977) is a VEGFR TKI, "vascular endothelial growth
# inhibitor class targeted drug" (NCT02449343) an anti-angiogenic drug, "a kinase
# inhibitor targeting EGFR", "monoclonal antibody directed against PD-1". The target is
# named as the lexicon names target families and proteins (symbol, alias, full name,
# with or without "factor" and a plural).
_RESTRICTABLE = frozenset({"tyrosine-kinase-inhibitor", "kinase-inhibitor", "monoclonal-antibody", "targeted-therapy"})
_TARGET_AFTER = re.compile(
    r"\s*,?\s*(?:(?:that|which)\s+(?:specifically\s+|selectively\s+|primarily\s+|also\s+)?(?:targets?|inhibits?|blocks?|acts?\s+(?:on|against))"
    r"|targeting|inhibiting|directed\s+(?:against|at|to(?:wards)?)|against|aimed\s+at|of\s+the)\s+(?P<t>[^.;,()]{2,60})",
    re.IGNORECASE)
# the modifier words before the noun, back to a word that opens the noun phrase
_NP_STOP = re.compile(r"[.;,:()]|\b(?:the|a|an|with|of|to|and|or|any|prior|previous|received|accepted|other|by|for|"
                      r"including|such|as)\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9][\w-]*")


def _name_key(words: list[str]) -> str:
    """A target name folded for look-up: lower case, "factor" dropped, plural dropped."""
    kept = [w.lower().replace("-", " ") for w in words if w.lower() != "factor"]
    key = " ".join(" ".join(kept).split())
    return key[:-1] if key.endswith("s") and len(key) > 4 else key


@lru_cache(maxsize=1)
def _target_names() -> dict[str, str]:
    """Folded target name -> the symbol or family key the class table knows."""
    lex = Lexicon.default()
    out: dict[str, str] = {}
    # symbols first ("EGFR" the protein, not the ERBB family that lists it), then names
    named = [(key, key) for key in lex.families] + [(sym, sym) for sym in lex.proteins]
    named += [(n, key) for key, fam in lex.families.items() for n in (fam.label, *fam.aliases)]
    named += [(n, sym) for sym, prot in lex.proteins.items() for n in (prot.name or "", *prot.aliases)]
    for name, key in named:
        if len(name) >= 3:
            out.setdefault(_name_key(name.split()), key)
    return out


def _target_in(phrase: str) -> str | None:
    """The longest target name among the words of ``phrase``."""
    words = _WORD.findall(phrase)[:8]
    names = _target_names()
    for n in range(len(words), 0, -1):
        for i in range(len(words) - n + 1):
            hit = names.get(_name_key(words[i : i + n]))
            if hit:
                return hit
    return None


def _restricted(text: str, classes: list[tuple[str, int, int]], find_classes: Any) -> list[tuple[str, int, int]]:
    """Generic classes restricted to their target (``_RESTRICTABLE``)."""
    out = list(classes)
    for key, a, b in classes:
        if key not in _RESTRICTABLE:
            continue
        after = _TARGET_AFTER.match(text, b)
        before = text[max(0, a - 60) : a]
        stops = list(_NP_STOP.finditer(before))
        target = _target_in(after.group("t")) if after else None
        if target is None:
            # the noun's own modifiers count ("epidermal growth factor receptor tyrosine
            # kinase inhibitor": the class span starts at "receptor")
            target = _target_in((before[stops[-1].end() :] if stops else before) + text[a:b])
        if target is None:
            continue
        found = [str(c.drug_class) for c in find_classes(f"{target} {text[a:b]}") if c.drug_class]
        found = [f for f in found if f != key]
        if found:
            out.remove((key, a, b))
            out += [(f, a, after.end() if after else b) for f in found]
    return out


_ELIGIBLE_FOR = Gated(
    r"\b(?:eligib(?:le|ility)|suitab(?:le|ility)|fit|candidates?)\s+(?:for|to)\s+(?:(?:receive|be treated)\s+(?:with\s+)?)?"
    r"(?:(?:treatment|therapy)\s+(?:with\s+)?)?",
    re.IGNORECASE,
)


# Clauses in which a drug is named as context, not as a therapy the patient had: the
# contraception clause ("use contraception ... for 2 weeks after the last dose of
# sorafenib", NCT00703638; "... for 6 months after the last dose of pazopanib",
# NCT01418001), dosing and administration ("interrupt aspirin ... at each pemetrexed
# administration", NCT00703638; "prior to the first dose of study drug"),
# hypersensitivity ("hypersensitivity to bosutinib or axitinib", NCT02782403; "severe and
# unexpected reactions to fluoropyrimidine therapy", NCT03424005) and indication
# ("is indicated for treatment with anthracyclines", NCT00722293; "tumor type that is
# FDA approved for treatment with Carboplatin", NCT01542047; "Eligible for capecitabine
# monotherapy", NCT03424005). Kind -> (cue, whether the whole clause is context; None: the
# phrase after the cue only, to the next comma, bracket, "and" or clause end).
_ABLE = r"(?:un)?willing(?:ness)?|(?:un)?able|(?:in)?abilit(?:y|ies)|capable|agree[sd]?|consent(?:s|ed)?"
_MENTION_CONTEXTS: list[tuple[str, Gated, bool | None]] = [
    ("contraception", Gated(r"contracept\w*|birth control|childbearing|child-bearing|pregnan\w*|breast-?feed\w*|"
                            r"sexually active|abstinen\w*|donat\w* (?:sperm|eggs|ova)|fetus|foetus|fetal|teratogen\w*|"
                            # barrier methods: "willing to use condoms for 12 months after
                            # receiving Toca 511" (NCT02576665); "men must agree to use a
                            # latex condom ... while taking drug" (Facebook test split)
                            r"condom\w*|spermicid\w*|intra-?uterine\s+devices?|barrier\s+methods?", re.I), True),
    # "... excluded because there may be unknown or dangerous drug interactions with
    # sunitinib" (NCT00402415), "potential interactions with the study drug".
    # "medications that may affect the metabolism of pembrolizumab and/or axitinib"
    # (NCT02636725), "with the potential to affect the activity or pharmacokinetics of
    # sunitinib or erlotinib" (NCT00581789).
    ("interaction", Gated(r"\binteractions?\b|\binteract\b|\baffect(?:s|ing)?\s+the\s+(?:\w+\s+){0,2}?"
                          r"(?:metabolism|pharmacokinetics|activity|exposure|levels?|clearance)\s+of\b", re.I), True),
    ("hypersensitivity", Gated(r"\b(?:hypersensitiv\w*|allerg\w*|anaphyla\w*)\b|\b(?:intoleran\w*|contraindicat\w*)\s+(?:to|with|for)\b"
                               r"|\b(?:severe|serious|unexpected|adverse|infusion)\s+(?:\w+\s+)?reactions?\b", re.I), False),
    # (not "since the last dose of X": that dates a washout from X)
    ("dosing", Gated(r"\b(?:at|before|during|prior to|with)\s+(?:each|every|the|any)?\s*(?:first|initial|next)?\s*"
                     r"(?:dose|dosing|administration|infusion|intake)s?\s+(?:of|with)\b|\b(?:interrupt\w*|premedicat\w*|"
                     r"withh[oe]ld\w*)\b|\b(?:each|every)\s+(?:\w+\s+)?administration\b"
                     # the ability or will to take a drug: a treatment still to come, never
                     # one had. "Must be able to take folic acid and vitamin B12"
                     # (NCT00703638), "must be willing to take effective antiretroviral
                     # therapy" (Clinical-Trial-Parser test split), "Able to take oral
                     # medications" (NCT00573404), "able to receive concurrent prophylactic
                     # anticoagulation therapy" (Clinical-Trial-Parser test split); "able
                     # to swallow ..." is the absorption clause below
                     # ... "Inability or unwillingness to take folic acid, vitamin B12
                     # supplementation or corticosteroids" (NCT00473486)
                     r"|\b(?:" + _ABLE + r")\s+(?:(?:and|or|and/or|/)\s*(?:" + _ABLE + r")\s+)?to\s+"
                     r"(?:take|receive|tolerate|interrupt|stop|be\s+(?:treated|given)\s+with)\b"
                     r"|\b(?:study|trial|protocol)\s+(?:drugs?|treatments?|medications?|therap(?:y|ies)|agents?)\b"
                     # the treatment still to come: "for cisplatin administration"
                     # (NCT02679963), "planned treatment with"
                     r"|\bfor\s+(?:\w+[\s-]+){1,3}?administration\b"
                     r"|\b(?:planned|scheduled|intended)\s+(?:to\s+receive\s+|(?:treatment|therapy)\s+with\s+)?", re.I), False),
    # The treatment still to come, as what a window is counted from; only the phrase
    # that names it, not the list of prior therapies after it: "before start the
    # platinium based chemotherapy" (NCT02679963), "prior to initiation of treatment with
    # Toca 511" (NCT02576665), "measured prior to initiation of sorafenib" (NCT00703638),
    # "within 4 weeks prior to the initiation of the investigational treatment, including
    # ... chemotherapy, ... targeted therapy" (NCT02588170: the list is the subject)
    # ... "within 6 weeks before taking the treatment with experimental drug" (NCT02388919,
    # NCT02449343)
    # ... "within 14 days of the first dose of ixazomib", "within 7 days of first receipt of
    # ds-3032b" (Clinical-Trial-Parser test split)
    ("dosing", Gated(r"\b(?:before|prior\s+to)\s+(?:the\s+)?(?:start(?:ing|s)?|initiat(?:ion|ing)|taking|receiving)\b"
                     r"|\bof\s+(?:the\s+)?(?:first|initial)\s+(?:dose|receipt|administration|infusion)\s+of\b", re.I),
     None),
    # ... and the arm or cohort named by the drugs it will receive: "for part h :
    # ( abemaciclib + trastuzumab + pertuzumab ) : the participant must have received at
    # least 1 chemotherapy regimen", "patients in the nivolumab / brentuximab cohorts only
    # ... may have received prior ipilimumab" (Clinical-Trial-Parser test split)
    ("dosing", Gated(r"\bfor\s+(?:part|arm|cohort|group|stage)\s+[a-z0-9]{1,3}\s*:?\s*\("
                     r"|\b(?:in|for|to)\s+the\s+(?=[^,;.()]{2,60}?\s(?:cohorts?|arms?)\b)", re.I), None),
    # The treatment a toxicity is attributed to: "Recovered from all acute toxic effects
    # of prior chemotherapy" (NCT00573404), "toxic reactions caused by previous
    # anti-tumor treatment ... are relieved" (NCT04126811), "recovered from any toxicity
    # attributed to the agent" (NCT00678977), with a remark between harm and cause ("History
    # of severe adverse events, in the investigator's opinion, related to ramucirumab",
    # NCT03042611).
    # Healing from a procedure is recovery too, and its window dates the healing: "complete
    # wound healing from major surgery must have occurred 1 month before" (NCT02243605),
    # "complete wound healing from prior surgery must be confirmed at least ..." (Clinical-
    # Trial-Parser test split).
    ("toxicity", Gated(r"\b(?:recover\w*\s+from|resolution\s+of|resolved|heal\w*\s+(?:from|after))\b|\b(?:toxic\w*|adverse\s+(?:events?|effects?)|side\s+effects?|"
                       r"reactions?|complications?)\s*(?:(?:\w+\s+){0,2}?|,(?:\s*[\w']+){1,5},\s*)"
                       r"(?:caused\s+by|due\s+to|related\s+to|attributed\s+to|from|of)\b"
                       # the drug before its harm: "History of ifosfamide-related Grade >=3
                       # nephrotoxicity" (NCT04154189), "chemotherapy-induced neutropenia"
                       # (LCT NCT03869593), "steroid-induced" diabetes (LCT NCT03861546)
                       # ("warfarin-related agents" are agents like warfarin, no harm)
                       r"|\b[\w/]+(?:\s?-\s?|\s)(?:related|induced|associated)\b"
                       # (nor is a named molecule: "cytotoxic T lymphocyte-associated
                       # antigen 4", NCT01642004, LCT NCT03867370)
                       r"(?!\s+(?:procedures?|activities|activity|agents?|drugs?|compounds?|medications?|analog(?:ue)?s?|"
                       r"antigens?|proteins?|receptors?|kinases?|genes?|molecules?|factors?))", re.I), False),
    # Treatment of a condition the criterion is about: the condition decides, the drugs
    # are how it was treated. "active autoimmune disease that has required systemic
    # treatment in the past 2 years (i.e. with use of disease modifying agents,
    # corticosteroids or immunosuppressive drugs)" (NCT02636725), "Ongoing or active
    # infection requiring parenteral antibiotics" (NCT00602576), "Serious cardiac
    # arrhythmia requiring medication" (NCT00602576).
    # "active cancer which would require concomitant cancer chemotherapy" (LCT NCT03860350)
    ("condition_treatment", Gated(r"\b(?:that\s+(?:has|have)\s+)?(?:required|requiring|requires|require|needing|needed)\s+"
                                  r"(?:\w+\s+){0,2}?(?:treatment|therapy|medications?|antibiotics|steroids|corticosteroids|chemotherapy|"
                                  r"immunosuppressi\w+|insulin|(?:hormone\s+)?replacement)\b"
                                  # how a named condition is kept in check: "deep vein thromboses
                                  # (DVT) that are not stable on anticoagulation regimen"
                                  # (NCT02636725), "Deep phlebitis not treated with LMWH"
                                  # (NCT02535351), "hypertension controlled with medication"
                                  r"|\b(?:not\s+)?(?:stable|controlled|well[- ]controlled|managed)\s+(?:on|with|by)\b"
                                  r"|\bnot\s+treated\s+(?:with|by)\b", re.I), False),
    # A condition that would alter how a drug is absorbed: "conditions that would interfere
    # with the absorption of capecitabine or imatinib" (NCT00601510); "gastrointestinal
    # disease that may significantly alter the absorption of everolimus" (Facebook split).
    ("absorption", Gated(r"\b(?:absorption|absorb\w*|bioavailability|swallow\w*)\s+(?:of\s+)?\b|\bmalabsorption\b", re.I), False),
    ("indication", Gated(r"\b(?:indicated|eligible|suitable|candidates?|fit|approved|indication)\s+(?:for|to)\b", re.I), False),
]
# A lab or vital held without a treatment that would prop it up: the treatment is how the
# value is to be reached, never a therapy the item asks about. "Hemoglobin ≥8 g/dL without
# transfusion or erythropoietin (EPO) dependency (within 7 days of assessment)"
# (NCT02636725), "PT and INR ≤ 1.5 in the absence of anticoagulant therapy" (NCT03277924),
# "absolute neutrophil count ≥ @NUMBER / mm3 without growth factor use ≤ @NUMBER days prior
# to treatment", "recovery to the baseline count ( in the absence of transfusion ) hgb >
# 9.0g / dl" (Clinical-Trial-Parser test split). Read only in an item with a threshold
# (``_context_spans``: ``measured``), to the clause end.
_SUPPORT = ("support", Gated(r"(?<!\bor\s)\bwithout\b|\bindependent\s+of\b|\b(?:not|without)\s+(?:requiring|needing|"
                             r"dependent\s+on|dependence\s+on)\b|\bno\s+need\s+for\b|\bin\s+the\s+absence\s+of\b|"
                             r"\b(?:transfusion|growth[- ]factor)[- ]independen\w*", re.I), False)
_CLAUSE_STOP = re.compile(r"[;]|\.(?:\s|$)")
_ARM_HEAD = re.compile(r"\s(?:cohorts?|arms?)\b", re.IGNORECASE)
_PHRASE_STOP = re.compile(r"[;,(\[]|\.(?:\s|$)|\s(?:and|or|within|for)\s", re.IGNORECASE)
# The exposure is qualified (failure, intolerance, reason for stopping): a drug match
# alone cannot say the criterion holds. (Current use is no qualification: ``timing``
# ``current`` says it, and the matcher dates it by the last dose.) "previously treated with TKIs ... but off
# treatment due to manageable complications" (NCT04072042), "refractory to ...".
_QUALIFIED = Gated(
    # a cumulative dose the patient file does not give: "Prior treatment with cisplatin
    # reaching a cumulative dose> 300 mg/m2" (NCT01165385), "The cumulative dose of RAI
    # (radioactive iodine) ≥ 600mCi" (NCT03167385)
    r"\bcumulative\b|\btotal\s+(?:cumulative\s+)?dose\b|"
    # an intensity no drug list shows: "Prior treatment with high-dose chemotherapy requiring
    # stem cell rescue" (NCT00581789), "3 months from high-dose chemotherapy and stem cell
    # ..." (NCT04154189), "myeloablative chemotherapy"; a high-dose drug is the drug
    # ("Interferon α2a, high-dose interleukin-2", NCT03928964)
    r"\bhigh[- ]dose\s+(?:chemo\w*|therapy|treatment)\b|\bmyeloablative\b|"
    # a dose the patient file does not tell: "full dose coumarin-derivative anticoagulants"
    # (NCT02465060), "No concurrent full-dose anticoagulants" (NCT00357318), "concomitant
    # treatment, in therapeutic doses, with anticoagulants" (NCT02243605)
    r"\bfull[- ]dose\b|\btherapeutic\s+(?:doses?|dosing|levels?|anticoagula\w*)\b|"
    r"\b(?:but|fail\w*|progress\w*|refractory|resistan\w*|intoleran\w*|intolerable|benefit\w*|respon\w*|"
    r"efficacy|due to|because of|toxicity|toxic|regimens?|lines?)\b|"
    r"\bfor (?:[\w-]+ ){0,3}(?:cancer|carcinoma|tumou?rs?|sarcomas?|disease|malignanc\w*)\b",
    re.IGNORECASE,
)


# A count of prior lines or regimens: "Less than or equal to one prior line of
# chemotherapy" (NCT00722293), "no more than two types of systemic anti-tumor therapy"
# (NCT02588170), "Past history of less than one kind of tyrosine kinase inhibitor"
# (NCT03167385), "at least 3 ... TKIs" (NCT02782403), "1 to 2 prior systemic treatments".
# A count of agents ("two or more small molecular TKI (Tyrosine Kinase Inhibitor)
# drugs", NCT03167385; "resistant or intolerant to at least 2 prior TKIs", NCT02782403)
# counts distinct drugs (``counts_agents``), which a patient's list of drugs decides.
_COUNT_HEAD = (r"(?P<lines>lines?|regimens?|courses?|types?|kinds?)|(?P<agents>agents?|drugs?|TKIs?|inhibitors?|"
               r"medicines?|medications?|antibod(?:y|ies))")
_COUNT_N = r"(?P<n>\d{1,2}|one|two|three|four|five)"
# The words between the count and what it counts; a time unit there makes the number a
# duration ("at least 2 weeks prior to study drug administration": no count of drugs).
_COUNT_FILL = r"(?!(?:hours?|days?|weeks?|months?|years?|wks?|mos?)\b)[\w/()-]+\s+"
_LINES = Gated(
    r"(?:(?P<max>less\s+than\s+or\s+equal\s+to|no\s+more\s+than|not\s+more\s+than|at\s+most|up\s+to|a\s+maximum\s+of|maximum\s+of|≤|<=|=<)"
    r"|(?P<lt>less\s+than|fewer\s+than|<)|(?P<min>at\s+least|a\s+minimum\s+of|minimum\s+of|≥|>=)|(?P<gt>more\s+than|greater\s+than|>))\s*"
    + _COUNT_N + r"(?P<ormore>)\s+(?:" + _COUNT_FILL + r"){0,5}?(?:" + _COUNT_HEAD + r")\b"
    # "two or more small molecular TKI drugs", "3 or more prior regimens"
    r"|" + _COUNT_N.replace("<n>", "<n2>") + r"\s+or\s+(?P<more2>more|greater)\s+(?:" + _COUNT_FILL + r"){0,5}?(?:"
    + _COUNT_HEAD.replace("<lines>", "<lines2>").replace("<agents>", "<agents2>") + r")\b",
    re.IGNORECASE,
)
_COUNT_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


def _therapy_lines(text: str, d: dict[str, Any]) -> None:
    """``max_lines`` / ``min_lines`` from a count of prior lines, regimens, kinds or agents."""
    m = _LINES.search(text)
    if not m:
        return
    raw = (m.group("n") or m.group("n2")).lower()
    n = _COUNT_WORDS.get(raw) if raw in _COUNT_WORDS else int(raw)
    if m.group("max"):
        d["max_lines"] = n
    elif m.group("lt"):
        d["max_lines"] = n - 1
    elif m.group("min") or m.group("more2"):
        d["min_lines"] = n
    else:
        d["min_lines"] = n + 1
    if m.group("agents") or m.group("agents2"):
        d["counts_agents"] = True


# A condition named by no more than the word: "Subjects with a condition requiring
# systemic treatment with either corticosteroids or other immunosuppressive medications
# within 14 days" (NCT01642004, NCT03277924), "any condition requiring concurrent systemic
# immunosuppressive therapy" (Clinical-Trial-Parser test split).
_ANY_CONDITION = re.compile(r"\b(?:a|an|any|other|some)\s+(?:(?:other|medical|underlying|concurrent|chronic)\s+)?"
                            r"(?:conditions?|illness(?:es)?|disorders?)\s+(?:that\s+(?:has|have)\s+)?$", re.IGNORECASE)


# ... or a person, not a condition, needs it: "Patients who required concomitant treatment
# with medications that are known to be inhibitors or strong inducers of isoenzyme CYP3A4"
# (NCT01418001), "Patients requiring chronic high dose immunosuppressants" (Clinical-Trial-Parser
# test split).
_PERSON_BEFORE = re.compile(r"\b(?:patients?|subjects?|participants?|those|individuals?|persons?)\s+(?:who\s+)?(?:\w+\s+)?$",
                            re.IGNORECASE)


def _context_spans(text: str, measured: bool = False) -> list[tuple[str, int, int]]:
    """(kind, start, end) of the clauses naming drugs as context (see _MENTION_CONTEXTS;
    ``_SUPPORT`` too when the item has a lab or vital threshold, ``measured``)."""
    out = []
    for kind, rx, whole in _MENTION_CONTEXTS + ([_SUPPORT] if measured else []):
        for m in rx.finditer(text):
            if kind == "hypersensitivity" and treatment_intolerance(text, m):
                continue  # "resistant or intolerant to imatinib": how a prior treatment ended
            if kind == "condition_treatment" and (_ANY_CONDITION.search(text, max(0, m.start() - 40), m.start())
                                                  or _PERSON_BEFORE.search(text, max(0, m.start() - 30), m.start())):
                continue  # no condition is named: the treatment is what the item is about
            if whole:
                a = max([0] + [x.end() for x in _CLAUSE_STOP.finditer(text, 0, m.start())])
            else:
                a = m.start()
            if _STUDY_DRUG.match(m.group(0)):
                # "study treatment (sorafenib)": the study's own drug, named right there
                p = _PAREN_AFTER.match(text, m.end())
                out.append((kind, a, p.end() if p else m.end()))
                continue
            stop = (_PHRASE_STOP if whole is None else _CLAUSE_STOP).search(text, m.end())
            end = stop.start() if stop else len(text)
            if whole is None and m.group(0).endswith("("):
                close = text.find(")", m.end())  # the drugs of an arm, in its brackets
                end = close + 1 if close >= 0 else len(text)
            elif whole is None and (arm := _ARM_HEAD.search(text, m.end(), end)):
                end = arm.end()  # "in the nivolumab / brentuximab cohorts"
            aside = windows.WINDOW_ASIDE.search(text, m.end(), end)
            if aside:
                # a bracket that gives other agents their window ends the clause: "within 2
                # weeks prior to initiation of treatment with Toca 511 (6 weeks for
                # nitrosoureas)" (NCT02576665), "(6 weeks for mitomycin or nitrosoureas)"
                # (NCT00402415)
                end = aside.start()
            if text.count("(", a, end) > text.count(")", a, end):
                # "... required systemic treatment in the past 2 years (i.e. with use of ...
                # corticosteroids ...)": the parenthesis belongs to the clause
                close = text.find(")", end)
                end = close + 1 if close >= 0 else len(text)
            out.append((kind, a, end))
    return out


_STUDY_DRUG = re.compile(r"(?:study|trial|protocol)\s", re.IGNORECASE)
_PAREN_AFTER = re.compile(r"\s*\([^()]{1,80}\)")


def read(r: Reading) -> list[dict[str, Any]]:
    """Prior therapy (drugs, classes, therapies, window, exposure, lines) and drugs named as context."""
    return prior_therapy(r.text, r.section, r.context, measured=bool(r.numeric))


# Two prior-therapy clauses joined by "or" with a verb of their own, each with its own
# window and qualification: "Patients with previous chemotherapy failure or who have
# received anti-angiogenic targeted drugs within the past 3 months, such as Anlotinib,
# ..." (NCT04126811: the 3 months date the anti-angiogenic drugs, 'failure' qualifies the
# chemotherapy), "Patients with past apatinib treatment or have received two or more
# small molecular TKI drugs" (NCT03167385).
_CLAUSE_OR = Gated(r"[\s,]+or\s+(?:who\s+|patients?\s+who\s+|those\s+who\s+)?(?:have|has|had)\s+(?:been\s+)?"
                        r"(?:received|taken|undergone|treated|used|been\s+treated)\b", re.IGNORECASE)


def prior_therapy(text: str, section: str, context: str | None = None, measured: bool = False) -> list[dict[str, Any]]:
    """A ``prior_therapy`` constraint when the item names a therapy as its subject, and one
    ``drug_mention`` constraint per kind of clause naming drugs as context (``measured``:
    the item has a lab or vital threshold, see ``_SUPPORT``)."""
    m = _CLAUSE_OR.search(text)
    out = None
    if m is not None:
        first = _prior_therapy(text[: m.start()], section, context, measured)
        second = _prior_therapy(text[m.start() :], section, context, measured)
        therapies = [c for c in first + second if c["type"] == "prior_therapy"]
        if len([c for c in first if c["type"] == "prior_therapy"]) and len(therapies) >= 2:
            out = first + second
    if out is None:
        out = _prior_therapy(text, section, context, measured)
    if any(c["type"] == "prior_therapy" and (c.get("except_drugs") or c.get("except_drug_classes")) for c in out):
        return out  # the subject's reading holds the excepted agents
    return out + excepted_treatments(text)


# A permitted use named with a route, a dose or a purpose is the permission of that use
# only: "Low dose anticoagulation is permitted" (NCT00473486), "(topical vaginal estrogen
# therapy is allowable)" (NCT02513394), "Inhaled or topical steroids ... are permitted"
# (NCT03277924). The patient file names the drug, not the use: ``qualified``.
_USE_QUALIFIER = Gated(rf"\b(?:{lexicon.LOCAL_ROUTES}|vaginal|physiologic(?:al)?|low[- ]dose|replacement|prophylactic|"
                       r"premedication|intermittent|short[- ]term|occasional)\b", re.IGNORECASE)


_LOCAL_USE = re.compile(rf"\b(?:{lexicon.LOCAL_ROUTES})\b", re.IGNORECASE)


def permitted_use(text: str, section: str, of_state: bool = False) -> list[dict[str, Any]]:
    """The therapies a permission's text admits, each a ``prior_therapy`` (``qualified``
    when the text names only some uses: ``_USE_QUALIFIER``). The permission's words are
    the cue of use: "Low dose anticoagulation is permitted" (NCT00473486), "(beta blockers
    or digoxin are permitted)" (NCT01900743), "(topical vaginal estrogen therapy is
    allowable)" (NCT02513394). A therapy permitted in an item about a state (``of_state``:
    "Cardiac arrhythmias requiring anti-arrhythmic therapy (beta blockers or digoxin are
    permitted)", NCT01900743) says how the state may be treated, not that it is absent:
    ``qualified`` too."""
    out = [c for c in _prior_therapy(text, section, "use of") if c["type"] == "prior_therapy"]
    if _LOCAL_USE.search(text):
        # a local use of an anticancer therapy is none of the systemic ones: "In certain
        # cases, local anticancer therapy is allowed" (NCT00619541)
        out = [{**c, "therapies": [t for t in c["therapies"] if t != "systemic therapy"]} for c in out]
        out = [c for c in out if c["drugs"] or c["drug_classes"] or c["therapies"]]
    if of_state or _USE_QUALIFIER.search(text):
        out = [{**c, "qualified": True} for c in out]
    return out


# What the exception is of: the treatment a condition or a patient requires, right before it.
_REQUIRED_TREATMENT = re.compile(r"\b(?:requir\w*|need\w*)\s+(?:[\w-]+\s+){0,2}?(?:treatment|therapy|medications?)\s*[,(]?\s*$",
                                 re.IGNORECASE)


# Treatments excepted from those a condition requires: the condition treated with them
# only is let through. "Cardiac ventricular arrhythmias requiring anti-arrhythmic therapy
# other than beta-blockers or digoxin" (NCT01736878), "patients who require anti-arrhythmic
# therapy (excluding beta blockers or digoxin)" (NCT02164240), "arrhytmia requiring
# treatment (except for beta blockers or digossin)" (NCT02535351). Each is a permission, of
# the ``qualified`` kind: a patient on the drug may take another treatment for it too.
def excepted_treatments(text: str) -> list[dict[str, Any]]:
    """The drugs and classes excepted from a required treatment (``_REQUIRED_TREATMENT``),
    as one ``prior_therapy`` of role ``permission``, ``qualified`` (or nothing)."""
    if not logic.EXCEPT_CUE.search(text):
        return []
    (found_drugs, found_classes), _ok = drug_mentions(text)
    if not (found_drugs or found_classes):
        return []
    excepted = [(a, b) for a, b in logic.except_spans(text) if _REQUIRED_TREATMENT.search(text, max(0, a - 80), a)]
    d: dict[str, Any] = {"type": "prior_therapy", "drugs": [], "drug_classes": [], "therapies": [], "window": None,
                         "window_days": None, "min_exposure": None, "qualified": True, "role": "permission"}
    lo, hi = len(text), 0
    for key, found in (("drugs", found_drugs), ("drug_classes", found_classes)):
        for name, a, b in found:
            if inside(excepted, a, b) and name not in d[key]:
                d[key].append(name)
                lo, hi = min(lo, a), max(hi, b)
    if not (d["drugs"] or d["drug_classes"]):
        return []
    d["span"] = text[lo:hi]
    return [d]


def _prior_therapy(text: str, section: str, context: str | None = None, measured: bool = False) -> list[dict[str, Any]]:
    """``prior_therapy`` on one clause."""
    # A therapy is "prior" when the item says so, gives a window ("Major surgery within
    # 4 weeks") or sits under a header that says so ("Prior therapy:" / "Biologic therapy").
    # Being eligible for a therapy ("Eligibility for treatment with TKI") says nothing
    # about having had it: that phrase is no cue, and alone it rules the reading out.
    (found_drugs, found_classes), _ok = drug_mentions(text)
    if not (found_drugs or found_classes or _names_a_therapy(text)):
        return []  # nothing to name: no prior therapy, no drug named as context
    cue_text = _ELIGIBLE_FOR.sub(lambda m: " " * len(m.group(0)), text)
    contexts = _context_spans(text, measured)
    mention = _mention_constraints(text, contexts, found_drugs, found_classes)
    ctx_ranges = [(a, b) for _k, a, b in contexts]
    if cue_text != text and not (_PRIOR_CUE.search(cue_text) or _WINDOW.search(cue_text)):
        return mention
    recent = windows.RECENT.search(text)  # "≤8 weeks after last dose of platinum": a last dose, and its window
    washout = None if recent else _WASHOUT.search(text)
    window_only = not (_PRIOR_CUE.search(cue_text) or (context and _PRIOR_CUE.search(context)) or washout or recent)
    window_cue = _WINDOW.search(text) if window_only else None
    if window_only and not window_cue:
        return mention
    excepted = logic.except_spans(text)
    d: dict[str, Any] = {"type": "prior_therapy", "drugs": [], "drug_classes": [], "therapies": [],
                         "window": None, "window_days": None, "min_exposure": None}
    first, last = _therapy_names(text, d, found_drugs, found_classes, ctx_ranges, excepted)
    dose_reference(text, d)
    if not (d["drugs"] or d["drug_classes"] or d["therapies"]):
        return mention
    if window_cue is not None and (first is None or first >= window_cue.start() or first > 60):
        return mention  # the window dates something else: "bleeding event within 4 weeks of study drug"
    if section == "inclusion" and not (_WINDOW.search(text) or washout) and _supportive_only(d) \
            and not _PRIOR_WORD.search(f"{context or ''} {text}") \
            and not (d["drug_classes"] and (_PAST.search(text) or _CURRENT.search(text) or _PRESENT.search(text))):
        # an inclusion item naming a modality, or a supportive drug class with no word of
        # its use, asks for no therapy: "Stopping the anticoagulation for biopsy should be
        # per site standard operating procedure" (NCT02465060)
        return mention
    if _PLANNED.search(text):
        d["timing"] = "planned"
    elif _CURRENT.search(text) or (_PRESENT.search(text) and not _PAST.search(text)
                                   and not (_WINDOW.search(text) or washout)):
        d["timing"] = "current"
    span = [first, last]
    _therapy_window(text, d, washout, span)
    _therapy_exposure(text, d, span)
    _therapy_lines(text, d)
    glucocorticoid_dose(text, d, excepted, span)
    systemic_only(text, d, excepted)
    if _QUALIFIED.search(text) and d["window_days"] is None and d["min_exposure"] is None and not d.get("max_exposure") \
            and "max_lines" not in d:
        d["qualified"] = True
    d["span"] = text[span[0] or 0 : span[1] or len(text)].strip()
    split = _per_agent_windows(text, d, found_drugs, found_classes, ctx_ranges)
    if split:
        return split + mention
    return [d] + _uncounted(text, d, found_drugs, found_classes, ctx_ranges) + mention


_NAME_KEYS = ("drugs", "drug_classes", "therapies", "except_drugs", "except_drug_classes")


def _per_agent_windows(text: str, d: dict[str, Any], found_drugs: list[tuple[str, int, int]],
                       found_classes: list[tuple[str, int, int]],
                       ctx_ranges: list[tuple[int, int]]) -> list[dict[str, Any]] | None:
    """One ``prior_therapy`` constraint per window when the item gives its therapies
    different windows (``windows``: "cytotoxic chemotherapy ... within 3 weeks, or
    nitrosoureas/mitomycin C within 6 weeks", NCT02243605); None when it gives one."""
    if d["window"] is None or "min_lines" in d or "max_lines" in d:
        return None
    wins = windows.item_windows(text)
    primary = next((w.washout for w in wins if w.washout is not None), False)
    if len({(w.days, w.is_washout(primary)) for w in wins}) < 2:
        return None
    placed: list[tuple[str, str, int, int]] = []
    for key, found in (("drugs", found_drugs), ("drug_classes", found_classes)):
        for name, a, b in found:
            for k in (key, f"except_{key}"):
                if name in d.get(k, []) and not inside(ctx_ranges, a, b):
                    placed.append((k, name, a, b))
    for name, rx in opened(_THERAPY_RES, _THERAPY_GATES, text):
        if name in d["therapies"]:
            placed.extend(("therapies", name, m.start(), m.end()) for m in rx.finditer(text)
                          if not inside(ctx_ranges, m.start(), m.end()))
    placed.sort(key=lambda x: (x[2], x[3]))
    owners = windows.claim(text, wins, [(a, b) for _k, _n, a, b in placed])
    groups: dict[int, list[tuple[str, str, int, int]]] = {}
    for item, owner in zip(placed, owners, strict=True):
        groups.setdefault(owner, []).append(item)
    out: list[dict[str, Any]] = []
    for i in sorted(groups):
        names = _without_heads(groups[i])
        if not any(k in ("drugs", "drug_classes", "therapies") for k, _n, _a, _b in names):
            continue
        w = wins[i]
        own = {"window": w.iso, "window_days": w.days, "window_kind": "washout" if w.is_washout(primary) else "within"}
        g = {k: own.get(k, v) for k, v in d.items() if k not in ("anchor", "span")}
        for key in _NAME_KEYS:
            listed = list(dict.fromkeys(n for k, n, _a, _b in names if k == key))
            if listed or key in ("drugs", "drug_classes", "therapies"):
                g[key] = listed
            else:
                g.pop(key, None)
        a = windows.shared_anchor(text, wins, i)
        if a:
            g["anchor"] = a
        lo = min([w.start] + [x[2] for x in names])
        hi = max([w.end] + [x[3] for x in names])
        g["span"] = text[lo:hi].strip()
        g["_names"] = {(k, n) for k, n, _a, _b in names if not k.startswith("except_")}
        out.append(g)
    if len(out) < 2:
        return None
    # one therapy given two windows is told apart by what the item says of it and the
    # patient file does not ("4 weeks for definitive radiotherapy, 2 weeks for palliative
    # radiotherapy"; "3 weeks in case of prior chemotherapy ... 3 months from high-dose
    # chemotherapy", NCT04154189): the shortest window holds for every use, a longer one
    # only for some, so it alone does not decide
    for g in list(out):
        shared = {n for h in out if h is not g and h["window_days"] < g["window_days"] for n in g["_names"] & h["_names"]}
        if not shared:
            continue
        if shared == g["_names"]:
            g["qualified"] = True
            continue
        # the other names of the group keep their window: "radiotherapy (except palliative
        # ...), or major surgery must have been completed >= 4 weeks prior ...; palliative
        # radiation therapy ... at least 2 weeks prior" (NCT02465060): surgery decides
        part = {**g, "qualified": True}
        for key in ("drugs", "drug_classes", "therapies"):
            part[key] = [n for n in g[key] if (key, n) in shared]
            g[key] = [n for n in g[key] if (key, n) not in shared]
        out.insert(out.index(g) + 1, part)
    for g in out:
        g.pop("_names", None)
    return out


def _without_heads(names: list[tuple[str, str, int, int]]) -> list[tuple[str, str, int, int]]:
    """Drop a therapy or class word that heads the agent named right before it: the
    "chemotherapy" of "nitrosoureas/mitomycin chemotherapy" (NCT02691871) or of
    "platinum-based chemotherapy" names no other therapy."""
    ends = [b for k, _n, _a, b in names if k in ("drugs", "drug_classes")]
    return [(k, n, a, b) for k, n, a, b in names
            if not (n == "chemotherapy" and any(0 <= a - e <= 2 for e in ends))]


_OR_GAP = re.compile(r"\bor\b", re.IGNORECASE)


def _uncounted(text: str, d: dict[str, Any], found_drugs: list[tuple[str, int, int]],
               found_classes: list[tuple[str, int, int]], ctx_ranges: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """Names before an "or" that precedes a count are a prior therapy of their own,
    without the count: "past apatinib treatment or have received two or more small
    molecular TKI drugs" (NCT03167385) excludes any prior apatinib, and two TKIs."""
    m = _LINES.search(text) if ("min_lines" in d or "max_lines" in d) else None
    if m is None:
        return []
    out: dict[str, Any] = {"type": "prior_therapy", "drugs": [], "drug_classes": [], "therapies": [],
                           "window": d.get("window"), "window_days": d.get("window_days"), "min_exposure": None}
    first, last = len(text), -1
    for key, found in (("drugs", found_drugs), ("drug_classes", found_classes)):
        for name, a, b in found:
            if b <= m.start() and not inside(ctx_ranges, a, b) and name in d.get(key, []):
                out[key].append(name)
                first, last = min(first, a), max(last, b)
    if last < 0 or not _OR_GAP.search(text, last, m.start()):
        return []
    for key in ("drugs", "drug_classes"):
        d[key] = [n for n in d[key] if n not in out[key]]
    if not (d["drugs"] or d["drug_classes"]):
        d["drugs"], d["drug_classes"] = out["drugs"], out["drug_classes"]
        return []
    out["span"] = text[first:last]
    return [out]


def _supportive_only(d: dict[str, Any]) -> bool:
    """Whether the constraint names no drug and no anticancer class (a modality, or
    classes such as anticoagulants and corticosteroids)."""
    if d["drugs"]:
        return False
    lex = Lexicon.default()
    return all("antineoplastic" not in lex.class_ancestors(c) for c in d["drug_classes"])


def _names_a_therapy(text: str) -> bool:
    """Whether a therapy of ``lexicon.THERAPIES`` is named anywhere in ``text``."""
    return any(rx.search(text) for _name, rx in opened(_THERAPY_RES, _THERAPY_GATES, text))


# An exception that names a route, formulation or dose of the drug admits that use only;
# the drug given otherwise still counts: "excluding nasal and inhaled corticosteroids or
# physiological doses of systemic steroid hormones" (NCT04126811), "other than replacement
# doses of testosterone", "except low-dose oral coumadin up to 2 mg" (Clinical-Trial-Parser
# test split). A dose the exception writes out becomes the bound (``dose.py``).
_PARTIAL_EXCEPTION = re.compile(
    rf"\b(?:{lexicon.LOCAL_ROUTES}|physiologic(?:al)?|low[- ]dose|replacement|premedication|oral)\b[^;.]*$", re.IGNORECASE)


# ... or after it: "except corticosteroids with a daily dosage equivalent to prednisone
# ≤20mg for adrenal insufficiency" (NCT01804374), "corticosteroids at doses ≤ 10 mg".
_DOSED_AFTER = re.compile(r"\s*(?:\w+\s+){0,2}?(?:at|with|in)\s+(?:an?\s+)?(?:\w+\s+)?(?:doses?|dosages?|dosing)\b", re.I)


def _therapy_names(text: str, d: dict[str, Any], found_drugs: list[tuple[str, int, int]],
                   found_classes: list[tuple[str, int, int]], ctx_ranges: list[tuple[int, int]],
                   excepted: list[tuple[int, int]]) -> tuple[int | None, int | None]:
    """Fill drugs, classes, therapies (and the excepted ones) named as the subject; the
    first and last position of what was named."""
    first: int | None = None
    last: int | None = None
    for key, found in (("drugs", found_drugs), ("drug_classes", found_classes)):
        for name, a, b in found:
            if inside(ctx_ranges, a, b) or (name == "endocrine-therapy" and _other_hormone(text, a, b)) \
                    or (name == "corticosteroid" and _steroid_replacement(text, a, b)):
                continue
            target = f"except_{key}" if inside(excepted, a, b) else key
            if target != key and (_PARTIAL_EXCEPTION.search(text, max(0, a - 40), a)
                                  or _DOSED_AFTER.match(text, b)):
                continue  # "excluding nasal and inhaled corticosteroids": only that use is excepted
            if name not in d.setdefault(target, []):
                d[target].append(name)
                first = a if first is None else min(first, a)
                last = b if last is None else max(last, b)
    for name, rx in opened(_THERAPY_RES, _THERAPY_GATES, text):
        # A therapy named only in an exception is no subject: "no other concurrent
        # investigational anticancer therapy (except vaccines)" (NCT00602576), "other
        # anticancer drug(s) ... (other than EGFR TKI)" (NCT03599518), "except basal cell
        # carcinoma or cervical carcinoma in situ after radical resection" (NCT02589821);
        # an exception of one use keeps it ("excluding nasal and inhaled corticosteroids",
        # NCT04126811).
        m = next((x for x in rx.finditer(text) if not inside(excepted, x.start(), x.end())
                  or _PARTIAL_EXCEPTION.search(text, max(0, x.start() - 40), x.start())
                  or _DOSED_AFTER.match(text, x.end())), None)
        if m and not inside(ctx_ranges, m.start(), m.end()) \
                and not (name == "hormonal therapy" and _other_hormone(text, m.start(), m.end())):
            d["therapies"].append(name)
            first = m.start() if first is None else min(first, m.start())
            last = m.end() if last is None else max(last, m.end())
    for phrase, a, b in shared_heads(text):
        if inside(ctx_ranges, a, b) or inside(excepted, a, b):
            continue
        for name, rx in _THERAPY_RES:
            if name not in d["therapies"] and rx.match(phrase):
                d["therapies"].append(name)
                first = a if first is None else min(first, a)
                last = b if last is None else max(last, b)
    return first, last


# A hormone that is no cancer therapy: "Patients receiving growth hormone therapy or
# taking insulin" (NCT00763412), "hypothyroidism only requiring hormone replacement"
# (NCT02636725), "thyroid hormone", "hormone replacement therapy"; exogenous hormones are
# the replacement kind: "Patients receiving concurrent exogenous hormone therapy (topical
# vaginal estrogen therapy is allowable)" (NCT02513394, a trial of adjuvant endocrine
# therapy), "cessation of exogenous hormonal ... therapy" (NCT02679963), "the end of all
# exogenous hormonal treatments" (Clinical-Trial-Parser test split).
_OTHER_HORMONE_BEFORE = re.compile(r"\b(?:growth|thyroid|parathyroid|antidiuretic|gonadotropin[\w-]*|luteinizing|exogenous)\s+$",
                                   re.I)
_OTHER_HORMONE_AFTER = re.compile(r"\s*(?:\w+\s+)?replacement\b", re.I)


# A glucocorticoid given to replace the body's own is no therapy the criterion counts:
# "physiologic corticosteroid replacement therapy for adrenal or pituitary insufficiency"
# (NCT02636725), "Stable dose of replacement steroid for adrenal insufficiency"
# (NCT02465060), "adrenal replacement steroid doses" (Clinical-Trial-Parser test split).
_REPLACEMENT_BEFORE = re.compile(r"\b(?:replacement|physiologic(?:al)?)\s+(?:\w+\s+)?$", re.I)


def _steroid_replacement(text: str, a: int, b: int) -> bool:
    """Whether the corticosteroid named at ``text[a:b]`` is a replacement (``_REPLACEMENT_BEFORE``)."""
    return bool(_REPLACEMENT_BEFORE.search(text, max(0, a - 30), a) or _OTHER_HORMONE_AFTER.match(text, b))


def _other_hormone(text: str, a: int, b: int) -> bool:
    """Whether the hormone class named at ``text[a:b]`` is a growth, thyroid ... hormone
    or a replacement ("hormone replacement therapy")."""
    return bool(_OTHER_HORMONE_BEFORE.search(text, max(0, a - 20), a) or _OTHER_HORMONE_AFTER.match(text, b)
                or "replacement" in text[a:b].lower())


def _therapy_window(text: str, d: dict[str, Any], washout: re.Match[str] | None, span: list[int | None]) -> None:
    """The window, its kind (``within``: a dose inside it counts; ``washout``: the last
    dose must be at least that long ago) and what it is counted from (``anchor``)."""
    w = washout or windows.RECENT.search(text) or _WINDOW.search(text)
    read = windows.read_window(w) if w else None
    if w is None or read is None:
        return
    d["window"], d["window_days"] = read
    d["window_kind"] = "washout" if washout else "within"
    a = windows.anchor(text, w.start(), w.end())
    if a:
        d["anchor"] = a
    span[0] = w.start() if span[0] is None else min(span[0], w.start())
    span[1] = w.end() if span[1] is None else max(span[1], w.end())


def _therapy_exposure(text: str, d: dict[str, Any], span: list[int | None]) -> None:
    """``min_exposure`` / ``max_exposure``: "for at least 3 months", "for less than 8 weeks"."""
    e = _EXPOSURE.search(text)
    if not e or e.group("u").lower().startswith("cycle"):
        return
    v = number(e.group("v"))
    u = units.ucum_code(e.group("u"))
    op = (e.group("op") or "").lower()
    if v is None or not u:
        return
    key = "max_exposure" if _MAX_OP.search(op) else "min_exposure"
    d[key] = units.iso_duration(v, u)
    if key == "min_exposure" and re.search(r"more than|longer than|over|exceed|>(?!=)", op):
        d["exposure_strict"] = True
    span[0] = e.start() if span[0] is None else min(span[0], e.start())
    span[1] = e.end() if span[1] is None else max(span[1], e.end())


def _mention_constraints(text: str, contexts: list[tuple[str, int, int]], found_drugs: list[tuple[str, int, int]],
                         found_classes: list[tuple[str, int, int]]) -> list[dict[str, Any]]:
    """Drugs named as context: one ``drug_mention`` constraint per kind of context."""
    out: dict[str, dict[str, Any]] = {}
    seen: set[tuple[str, int]] = set()
    for kind, a, b in contexts:
        for key, found in (("drugs", found_drugs), ("drug_classes", found_classes)):
            for name, x, y in found:
                if a <= x and y <= b and (name, x) not in seen:
                    seen.add((name, x))
                    c = out.setdefault(kind, {"type": "drug_mention", "context": kind, "drugs": [], "drug_classes": [],
                                              "role": "context", "span": text[a:b].strip()})
                    if name not in c[key]:
                        c[key].append(name)
    return list(out.values())
