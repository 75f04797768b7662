"""Find drugs and drug classes named in free text (criteria, summaries, arm labels).

Criteria speak in classes more than in drugs ("previously treated with VEGFR TKIs",
"anti-PD-1/PD-L1 antibodies", "anthracyclines"), so besides exact drug names this
module understands a small grammar: an optional ``anti-``, one or more target terms
joined by ``/``, ``,``, ``or``, ``and``, then a head word (antibody, inhibitor, TKI,
drug, agent, therapy ...). The target terms and phrases come from ``classes.tsv``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate

from trialkg.knowledge.lexicon import Lexicon, SynonymEntry
from trialkg.knowledge.nuclides import Labelled, find_labelled, unnamed_therapy_nuclides
from trialkg.textgate import Gated, LiteralScan

# Synonym kinds too ambiguous to look for in running text (they stay usable as whole
# intervention names): "NIVO", "CDDP", "5-FC" ...
_TEXT_UNSAFE_KINDS = {"abbreviation"}
_MIN_TEXT_LEN = 4

_ANTIBODY_HEAD = r"(?:monoclonal[\s-]+)?(?:antibod(?:y|ies)|mabs?|immunotherap(?:y|ies))"
_INHIBITOR_HEAD = (
    r"(?:(?:small[\s-]*molecule|oral|receptor|targeted|directed|pathway|signaling|signalling)[\s-]+)*"
    r"(?:tyrosine[\s-]+kinase[\s-]+inhibitors?|kinase[\s-]+inhibitors?|tkis?|inhibitors?|"
    r"blockers?|blockade|antagonists?|agents?|drugs?|therap(?:y|ies)|treatments?|"
    r"targeted[\s-]+(?:drugs?|agents?|therap(?:y|ies)))"
)


@dataclass(frozen=True)
class Mention:
    """A span of text naming a drug (``drug``) or a drug class (``drug_class``)."""

    start: int
    end: int
    matched: str
    drug: str | None = None
    drug_class: str | None = None
    kind: str | None = None  # how it matched: generic, synonym, code, salt, phrase, target


def _flex(text: str) -> str:
    """A regex for a written form: case, spaces and hyphens free, letter/digit joins free."""
    parts = re.findall(r"[A-Za-z]+|\d+|[^\sA-Za-z\d-]", text)
    out = []
    for i, p in enumerate(parts):
        out.append(re.escape(p))
        if i < len(parts) - 1:
            out.append(r"[\s\-]?" if p.isalnum() and parts[i + 1].isalnum() else r"\s?")
    return "".join(out)


def _plural_flex(phrase: str) -> str:
    """Like ``_flex`` for a phrase, with the last word free to take a plural."""
    words = re.split(r"[\s\-]+", phrase.strip())
    last = words[-1]
    if last.lower().endswith("y"):
        tail = re.escape(last[:-1]) + "(?:y|ies)"
    elif last.isupper() or last[-1].isdigit():
        tail = re.escape(last) + "s?"
    else:
        tail = re.escape(last) + "(?:e?s)?"
    head = [_flex(w) for w in words[:-1]]
    return r"[\s\-]*".join(head + [tail])


_PART = re.compile(r"[A-Za-z]+|\d+|[^\sA-Za-z\d-]")
_RUN = re.compile(r"[^\s-]+")
_GAPS = re.compile(r"[\s-]+")  # what lies between the runs
# Where a drug name may begin; case-insensitive like the patterns, so that "İ" or "K"
# (Kelvin) count as letters next to a name exactly as they do inside one.
_START = re.compile(r"(?<![A-Za-z0-9])[^\s-]", re.IGNORECASE)
_ALNUM = re.compile(r"[A-Za-z0-9]", re.IGNORECASE)
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _is_alnum(ch: str) -> bool:
    return ch in _ASCII_ALNUM or (not ch.isascii() and _ALNUM.match(ch) is not None)


def _phrase_key(phrase: str) -> str:
    """What every match of ``_plural_flex(phrase)`` contains once folded."""
    k = _key("".join(re.split(r"[\s\-]+", phrase.strip())))
    return k[:-1] if phrase.strip().lower().endswith("y") else k


def _key(text: str) -> str:
    """The written form with case, spaces and hyphens taken out: what ``_flex`` keeps."""
    return "".join(_PART.findall(text)).lower()


def _folded(text: str) -> tuple[str, list[int], list[int]]:
    """``text`` without spaces and hyphens, lower-cased, with where each run of kept
    characters starts in the key and in ``text`` (to map key offsets back)."""
    if text.isascii():  # one character per character: the runs in one pass
        spans = [run.span() for run in _RUN.finditer(text)]
        lengths = accumulate((b - a for a, b in spans), initial=0)
        return _GAPS.sub("", text).lower(), list(lengths)[: len(spans)], [a for a, _b in spans]
    chunks: list[str] = []
    key_starts: list[int] = []
    text_starts: list[int] = []
    n = 0
    for run in _RUN.finditer(text):
        word = run.group(0)
        low = word.lower()
        start = run.start()
        if len(low) == len(word):
            chunks.append(low)
            key_starts.append(n)
            text_starts.append(start)
            n += len(low)
            continue
        for i, ch in enumerate(word):  # a character whose lower case is longer ("İ")
            c = ch.lower() if len(ch.lower()) == 1 else ch
            chunks.append(c)
            key_starts.append(n)
            text_starts.append(start + i)
            n += 1
    return "".join(chunks), key_starts, text_starts


class _Matchers:
    """Compiled patterns for one lexicon (built once, they are large)."""

    def __init__(self, lex: Lexicon) -> None:
        self._index_drugs(lex)
        self.regimen_re = _regimen_pattern(lex)
        self._index_phrases(lex)
        self._compile_targets(lex)

    def _index_drugs(self, lex: Lexicon) -> None:
        forms: dict[str, list[tuple[str, str]]] = {}
        keys: dict[str, str] = {}
        entries = list(lex.prose_synonyms())
        for entry in entries:
            if entry.kind in _TEXT_UNSAFE_KINDS or len(entry.text) < _MIN_TEXT_LEN:
                continue
            pat = _flex(entry.text)
            forms.setdefault(pat, []).append((entry.drug, entry.kind))
            keys[pat] = _key(entry.text)
        # brand names count only where written with a capital (``_capitalised``)
        self.capital_forms: set[str] = set()
        for entry in lex.prose_brands():
            pat = _flex(entry.text)
            if pat not in forms:
                self.capital_forms.add(pat)
                forms[pat] = [(entry.drug, entry.kind)]
                keys[pat] = _key(entry.text)
        self.drug_forms = forms
        self._index_spellings(entries)
        # Every form indexed by the first characters of its key (case-folded, without
        # spaces and hyphens): a text is scanned once, word start by word start, instead
        # of trying hundreds of alternatives at every character. ``rank`` keeps the
        # preference of the former single alternation (longest pattern first).
        order = sorted(forms, key=len, reverse=True)
        self.prefix_len = min(3, min((len(k) for k in keys.values() if k), default=1))
        # (key, rank, pattern): a pattern is compiled the first time its key is found in a
        # text (``_form_rx``); most of the thousands of forms never are in one build
        # A key of ``_LONG_PREFIX`` characters or more is indexed by that many: the tens of
        # thousands of forms would crowd a three-letter bucket ("cef", "pro") that every
        # word start with those letters walks.
        self.drug_index: dict[str, list[tuple[str, int, str]]] = {}
        self.long_index: dict[str, list[tuple[str, int, str]]] = {}
        for rank, pat in enumerate(order):
            k = keys[pat]
            if k and len(k) >= _LONG_PREFIX:
                self.long_index.setdefault(k[:_LONG_PREFIX], []).append((k, rank, pat))
            elif k:
                self.drug_index.setdefault(k[: self.prefix_len], []).append((k, rank, pat))

    def _index_spellings(self, entries: list[SynonymEntry]) -> None:
        """Each drug's own name of ``_SPELLING_MIN`` letters or more among ``entries`` (the
        prose forms), and every form of it with one letter left out, for ``_misspelled``; a
        form two drugs reach is dropped."""
        own = {e.drug for e in entries if e.text.lower() == e.drug and e.drug.isalpha() and len(e.drug) >= _SPELLING_MIN}
        reach: dict[str, set[str]] = {}
        for name in own:
            for form in {name} | {name[:i] + name[i + 1:] for i in range(len(name))}:
                reach.setdefault(form, set()).add(name)
        self.spelling_names = frozenset(own)
        self.spelling_forms = {form: next(iter(d)) for form, d in reach.items() if len(d) == 1}

    def _index_phrases(self, lex: Lexicon) -> None:
        """Class phrases ("VEGFR tyrosine kinase inhibitor"), longest first."""
        phrase_map: dict[str, set[str]] = {}
        phrase_keys: dict[str, str] = {}
        for key, c in lex.classes.items():
            for ph in c.phrases:
                phrase_map.setdefault(_plural_flex(ph), set()).add(key)
                phrase_keys[_plural_flex(ph)] = _phrase_key(ph)
        self.phrase_items = sorted(phrase_map.items(), key=lambda kv: len(kv[0]), reverse=True)
        # (pattern, classes, key): a phrase can only match a text whose folded form
        # contains its key; one scan of the folded text finds every key it contains
        self.phrase_res = [
            (re.compile(r"(?<![A-Za-z0-9])" + p + r"(?![A-Za-z0-9])", re.IGNORECASE), keys, phrase_keys[p])
            for p, keys in self.phrase_items
        ]
        self.phrase_keys = LiteralScan(k for _rx, _keys, k in self.phrase_res if k)
        self.phrase_at: dict[str, list[int]] = {}  # key -> the phrases (indexes) that need it
        for i, (_rx, _keys, k) in enumerate(self.phrase_res):
            self.phrase_at.setdefault(k, []).append(i)

    def _compile_targets(self, lex: Lexicon) -> None:
        """The target term grammar: "anti-PD-1/PD-L1 antibody", "VEGFR-2 inhibitors"."""
        self.antibody_terms: dict[str, set[str]] = {}
        self.inhibitor_terms: dict[str, set[str]] = {}
        for key, c in lex.classes.items():
            for t in c.antibody_terms:
                self.antibody_terms.setdefault(t.lower(), set()).add(key)
            for t in c.inhibitor_terms:
                self.inhibitor_terms.setdefault(t.lower(), set()).add(key)
        terms = sorted(set(self.antibody_terms) | set(self.inhibitor_terms), key=len, reverse=True)
        self.term_flex = {t: re.compile(_flex(t) + r"$", re.IGNORECASE) for t in terms}
        term_alt = "|".join(_flex(t) for t in terms)
        num = r"(?:[\s-]?[1-4](?:\s?[/,-]\s?[1-4])*)?"
        one = rf"(?:anti[\s-]*)?(?:{term_alt}){num}"
        sep = r"\s*(?:/|,|\bor\b|\band\b|&|\+)\s*(?:anti[\s-]*)?"
        self.term_one = re.compile(rf"(?:{term_alt}){num}", re.IGNORECASE)
        self.target_re = re.compile(
            rf"(?<![A-Za-z0-9])(?P<anti>anti[\s-]*)?(?P<terms>{one}(?:{sep}(?:{term_alt}){num})*)"
            rf"(?P<head>[\s-]+(?:{_ANTIBODY_HEAD}|{_INHIBITOR_HEAD})|(?<=.)(?=[\s,;.)]|$))(?![A-Za-z0-9])",
            re.IGNORECASE,
        )
        self.antibody_head = re.compile(_ANTIBODY_HEAD, re.IGNORECASE)
        # A target match begins with "anti" or a term: the word starts whose folded
        # text begins so are the only places worth trying the grammar.
        starts = {_key(t) for t in terms} | {"anti"}
        starts.discard("")
        self.target_prefix_len = min(3, min((len(k) for k in starts), default=1))
        self.target_starts: dict[str, list[str]] = {}
        for k in starts:
            self.target_starts.setdefault(k[: self.target_prefix_len], []).append(k)


def _word_starts(text: str, key_starts: list[int], text_starts: list[int]) -> Iterator[tuple[int, int]]:
    """Each word start ``t`` in ``text`` with its offset ``k`` in the folded key."""
    for t in [start.start() for start in _START.finditer(text)]:
        r = max(0, bisect_right(text_starts, t) - 1)  # the run holding t
        yield t, key_starts[r] + (t - text_starts[r])


@lru_cache(maxsize=256)
def _indexed(text: str) -> tuple[str, list[int], list[int], tuple[tuple[int, int], ...]]:
    """``_folded(text)`` with its word starts (``_word_starts``): the drug and the class
    finders read the same text one after the other, so it is folded once. Shared, never
    to be mutated."""
    key, key_starts, text_starts = _folded(text)
    return key, key_starts, text_starts, tuple(_word_starts(text, key_starts, text_starts))


_LONG_PREFIX = 6


@cache
def _form_rx(pat: str) -> re.Pattern[str]:
    """A drug form's pattern, compiled once."""
    return re.compile(pat, re.IGNORECASE)


@lru_cache(maxsize=4)
def _matchers(lex: Lexicon) -> _Matchers:
    return _Matchers(lex)


def find_drug_mentions(text: str, lexicon: Lexicon | None = None, spelling: bool = False) -> list[Mention]:
    """Every drug named in ``text`` (generic, synonym, brand, code or salt form), in order.

    Matches never overlap; where several forms match at one place the longer pattern
    wins ("anlotinib hydrochloride" over "anlotinib"). With ``spelling``, a drug name
    written one letter off counts too (kind ``spelling``: ``_misspelled``); criteria text
    asks for it, a name a user or a registry field gives goes through the normaliser's
    own reported fuzzy match instead.
    """
    if not text:
        return []
    lex = lexicon or Lexicon.default()
    m = _matchers(lex)
    if not (m.drug_index or m.long_index):
        return []
    key, key_starts, text_starts, words = _indexed(text)
    plen = m.prefix_len
    out: list[Mention] = []
    resume = 0  # matches do not overlap: the next one starts after the previous end
    for t, k in words:
        if t < resume:
            continue
        short = m.drug_index.get(key[k:k + plen], ())
        long = m.long_index.get(key[k:k + _LONG_PREFIX], ())
        if not (short or long):
            continue
        best: tuple[int, int, str] | None = None
        for fkey, rank, pat in (*long, *short):
            if (best is not None and rank >= best[0]) or not key.startswith(fkey, k):
                continue
            last = k + len(fkey) - 1
            r2 = bisect_right(key_starts, last) - 1
            end = text_starts[r2] + (last - key_starts[r2]) + 1
            if end < len(text) and _is_alnum(text[end]):
                continue
            if _form_rx(pat).fullmatch(text, t, end) and (pat not in m.capital_forms or _capitalised(text[t:end])):
                best = (rank, end, pat)
        if best is None:
            continue
        _rank, end, pat = best
        for drug, kind in m.drug_forms[pat]:
            out.append(Mention(t, end, text[t:end], drug=drug, kind=kind))
        resume = end
    if m.regimen_re is not None and m.regimen_re.search(text):
        out = _with_regimens(text, m, lex, out)
    labelled = find_labelled(text, lex)
    if labelled:
        out = _with_labelled(text, out, labelled)
    if spelling and m.spelling_forms:
        out = _misspelled(text, m, out)
    if "(" in text and out:
        out = _with_short_forms(text, out)
    return _therapies(text, out)


def _capitalised(written: str) -> bool:
    """A brand name as labels write it: "Tofranil", "EXPAREL" (not "exparel", "ExParel")."""
    return written[:1].isupper() and (written[1:].islower() or written.isupper())


# A drug or class name before a head that makes it name something else is no therapy:
# - a substance-use disorder: "previous history of opiate abuse" (NCT03862612), "heroin
#   dependence according to DSM-IV criteria" (LCT NCT03922659), "cocaine use disorder";
# - the body's own hormone as a receptor, a family or a measured level: "glucagon-like
#   peptide ( glp ) 1 agonist", "estrogen-like agents", "selective estrogen receptor
#   modulators", "er / pgr / her2 negative" (lines of several trials of the
#   Clinical-Trial-Parser test split), "estrogen and/or progesterone receptor positive",
#   "somatostatin receptor imaging", "parathyroid hormone level", "serum digoxin
#   concentration", "growth hormone deficiency", "vitamin D deficiency".
_NOT_A_THERAPY_HEAD = re.compile(
    r"[\s-]*(?:abuse|dependence|dependency|addiction|use\s+disorders?|misuse|overdose|withdrawal|intoxication"
    r"|receptors?|like|levels?|concentrations?|deficien\w*)\b", re.IGNORECASE)


def _therapies(text: str, found: list[Mention]) -> list[Mention]:
    """``found`` without the mentions a head after them turns into a disorder, a receptor,
    a family or a level (``_NOT_A_THERAPY_HEAD``)."""
    return [f for f in found if not _NOT_A_THERAPY_HEAD.match(text, f.end)] if found else found


# A named regimen in running text stands for its drugs ("modified FOLFIRINOX for
# neoadjuvant chemotherapy" LCT NCT03865875, "regimens with FOLFIRI, FOLFOX, Mitomycin C"
# LCT NCT03868228, "prior FOLFOX or CAPOX"), written in capitals as ``regimens.tsv`` has
# it, with the usual marks of a variant: "mFOLFOX6", "FOLFOX-4", "R-CHOP", "DA-EPOCH-R"
# ("R" adds rituximab). Names of fewer than four letters stay out: they are words or
# laboratory abbreviations as well ("ICE", "MAP", "PCV", "GDP", "BR").
_REGIMEN_MIN = 4


def _regimen_pattern(lex: Lexicon) -> re.Pattern[str] | None:
    names = sorted((n for n in lex.regimen_names if len(_key(n)) >= _REGIMEN_MIN), key=len, reverse=True)
    if not names:
        return None
    alt = "|".join(re.escape(n) for n in names)
    return re.compile(rf"(?<![A-Za-z0-9-])(?P<r>R-)?m?(?P<name>{alt})(?:-?\d{{1,2}})?(?P<r2>-R)?(?![A-Za-z0-9-])")


def _with_regimens(text: str, m: _Matchers, lex: Lexicon, found: list[Mention]) -> list[Mention]:
    """``found`` with a Mention (kind ``regimen``) for each drug of each named regimen
    no drug name already covers."""
    extra = []
    for rm in m.regimen_re.finditer(text):  # type: ignore[union-attr]
        if any(f.start < rm.end() and rm.start() < f.end for f in found):
            continue
        drugs = list(lex.regimen_names[rm.group("name")])
        if (rm.group("r") or rm.group("r2")) and "rituximab" not in drugs:
            drugs.append("rituximab")
        extra += [Mention(rm.start(), rm.end(), rm.group(0), drug=d, kind="regimen") for d in drugs]
    return sorted(found + extra, key=lambda x: x.start) if extra else found


def _with_labelled(text: str, found: list[Mention], labelled: list[Labelled]) -> list[Mention]:
    """The radiolabelled drugs of ``knowledge.nuclides`` in place of what their spans held
    (the bare ligand "PSMA-617", an element's own name)."""
    keep = [f for f in found if not any(f.start < end and start < f.end for start, end, _d, _n in labelled)]
    keep += [Mention(start, end, text[start:end], drug=drug, kind="nuclide") for start, end, drug, _n in labelled]
    return sorted(keep, key=lambda x: x.start)


# A drug name written one letter off: "fulvestant" (LCT NCT03927456), "temozolamide" (LCT
# NCT03925675), "topetecan" (NCT00466232), "fruquintinb" (NCT01645215), "nefazadone"
# (NCT02199223). Only names of nine letters or more, and only where one drug is one edit
# away (a letter left out, added or changed): at that length no English word of criteria
# text is one edit from a drug name (none in the vendored records and corpora).
_SPELLING_MIN = 9
_LONG_WORD = re.compile(rf"(?<![A-Za-z0-9-])[A-Za-z]{{{_SPELLING_MIN - 1},}}(?![A-Za-z0-9])")


def _misspelled(text: str, m: _Matchers, found: list[Mention]) -> list[Mention]:
    """``found`` with the misspelled drug names of ``text`` (kind ``spelling``) in order."""
    taken = [(x.start, x.end) for x in found]
    extra = []
    for w in _LONG_WORD.finditer(text):
        word = w.group(0).lower()
        if word in m.spelling_names or any(a < w.end() and w.start() < b for a, b in taken):
            continue
        drugs = {m.spelling_forms[word]} if word in m.spelling_forms else set()
        for i in range(len(word)):
            cut = word[:i] + word[i + 1:]
            if cut in m.spelling_names:
                drugs.add(cut)  # a letter too many
            elif cut in m.spelling_forms and len(cut) + 1 == len(m.spelling_forms[cut]):
                drugs.add(m.spelling_forms[cut])  # a letter changed
        if len(drugs) == 1:
            extra.append(Mention(w.start(), w.end(), w.group(0), drug=drugs.pop(), kind="spelling"))
    return sorted(found + extra, key=lambda x: x.start) if extra else found


def _term_classes(m: _Matchers, term_text: str, antibody: bool, explicit_anti: bool) -> set[str]:
    term = re.sub(r"^anti[\s-]*", "", term_text.strip(), flags=re.IGNORECASE)
    stripped = re.sub(r"(?:[\s-]?[1-4](?:\s?[/,-]\s?[1-4])*)$", "", term)
    keys: set[str] = set()
    for candidate in (term, stripped):
        for t, rx in m.term_flex.items():
            if not rx.match(candidate):
                continue
            ab = m.antibody_terms.get(t, set())
            inh = m.inhibitor_terms.get(t, set())
            if antibody:
                keys |= ab or inh
            else:
                keys |= inh or ab
        if keys:
            break
    return keys


def find_class_mentions(text: str, lexicon: Lexicon | None = None) -> list[Mention]:
    """Every drug class named in ``text``: "VEGFR TKIs", "anti-PD-1/PD-L1 antibodies" ...

    One span may name several classes (one Mention each); a span inside a longer
    class span is dropped ("tyrosine kinase inhibitors" inside "VEGFR tyrosine kinase
    inhibitors").
    """
    if not text:
        return []
    lex = lexicon or Lexicon.default()
    m = _matchers(lex)
    found: list[Mention] = []
    folded, _key_starts, _text_starts, words = _indexed(text)
    present = m.phrase_keys.scan(folded)
    for i in sorted(i for k in (*present, "") for i in m.phrase_at.get(k, ())):
        rx, keys, _pkey = m.phrase_res[i]
        for match in rx.finditer(text):
            for key in sorted(keys):
                found.append(Mention(match.start(), match.end(), match.group(0), drug_class=key,
                                     kind="phrase"))
    for match in _target_matches(m, text, folded, words):
        head = (match.group("head") or "").strip()
        anti = bool(match.group("anti"))
        if not head and not anti:
            continue  # a bare gene name ("KDR") is not a drug class
        antibody = bool(head and m.antibody_head.fullmatch(head.strip(" -")))
        if not head and anti:
            antibody = True  # "anti-PD-1" on its own means the antibody
        keys: set[str] = set()
        for tm in m.term_one.finditer(match.group("terms")):
            keys |= _term_classes(m, tm.group(0), antibody, anti)
        for key in sorted(keys):
            found.append(Mention(match.start(), match.end(), match.group(0).strip(), drug_class=key,
                                 kind="target"))
    if "(" in text:
        found += _abbreviated(text, lex)
    for n in unnamed_therapy_nuclides(text, lex):
        # "prior samarium-153", "Ac-225-PSMA": a therapeutic radionuclide no entry of the
        # dictionary carries with this carrier still names the class
        found.append(Mention(n.start, n.end, n.written, drug_class=n.drug_class, kind="nuclide"))
    found = _drop_nested(found)
    if "(" in text and found:
        found = _with_short_forms(text, found)
    return _therapies(text, found)


# A short form defined in brackets right after a drug or class name stands for it, there
# and wherever it recurs in the same text: "pegIFN (or IFN), and/or Ribavirin (RBV)"
# (LCT NCT03868163), "non-approved cannabidiol (CBD)" (LCT NCT03865732), "immune
# checkpoint inhibitors (ICPi)" (the summary of a KEYTRUDA record of the vendored search
# results), "proton pump inhibitors (PPIs) ... no PPI". The short form must be
# one of the name (Schwartz and Hearst, Pac Symp Biocomput 2003: its letters and digits
# in order in the name, the first one first), so "sofosbuvir (PRS)" (the regimen of
# three drugs, LCT NCT03868163) and "bupivacaine (0.25%)" define nothing.
_DEFINED = re.compile(r"\s*\(\s*(?P<abbr>[A-Za-z0-9][A-Za-z0-9-]{0,10}[A-Za-z0-9])\s*\)")


_NUMBER_LEAD = re.compile(r"(?<![A-Za-z0-9])\d+-$")


def _short_form_of(abbr: str, name: str) -> bool:
    """``abbr`` is a short form of ``name`` (Schwartz-Hearst): it has a capital, its letters
    and digits come in order in ``name``, the first one where a word of it begins."""
    if not any(ch.isupper() for ch in abbr) or not any(ch.isalpha() for ch in abbr):
        return False
    chars = [ch for ch in abbr.lower() if ch.isalnum()]
    low = name.lower()
    if not chars or not low or chars[0] != low[0]:
        return False
    pos = 1
    for ch in chars[1:]:
        pos = low.find(ch, pos) + 1
        if pos == 0:
            return False
    return True


def _with_short_forms(text: str, found: list[Mention]) -> list[Mention]:
    """``found`` with the short forms ``_DEFINED`` after a mention (kind ``abbreviation``)
    and each of their recurrences in ``text`` that no mention covers."""
    extra: dict[tuple[int, int, str | None, str | None], Mention] = {}
    taken = [(f.start, f.end) for f in found]
    for f in found:
        d = _DEFINED.match(text, f.end)
        lead = _NUMBER_LEAD.search(text, 0, f.start)  # "6-mercaptopurine": the name's "6-" counts
        name = (lead.group(0) if lead else "") + f.matched
        if d is None or not _short_form_of(d.group("abbr"), name) or _CLASS_HEAD.match(text, d.end()):
            continue  # "gonadotropin-releasing hormone (GnRH) agonists" (NCT02243605): a class's short form
        abbr = d.group("abbr")
        stem = abbr[:-1] if abbr.endswith("s") and abbr[:-1].isupper() else abbr  # "PPIs" -> "PPI"
        rx = re.compile(rf"(?<![A-Za-z0-9-]){re.escape(stem)}s?(?![A-Za-z0-9-])")
        for r in rx.finditer(text):
            if not any(a < r.end() and r.start() < b for a, b in taken):
                extra.setdefault((r.start(), r.end(), f.drug, f.drug_class),
                                 Mention(r.start(), r.end(), r.group(0), drug=f.drug, drug_class=f.drug_class,
                                         kind="abbreviation"))
    return sorted(found + list(extra.values()), key=lambda x: x.start) if extra else found


# A long name with its abbreviation in brackets before the class head: "vascular
# endothelial growth factor receptor (VEGFR) inhibitors", "epidermal growth factor
# receptor (EGFR) tyrosine kinase inhibitors", "poly ADP ribose polymerase (PARP)
# inhibitor", "cyclin-dependent kinase 4/6 (CDK4/6) inhibitors" (registry and
# Clinical-Trial-Parser phrasing), "luteinizing hormone-releasing hormone (LHRH) agonist"
# (NCT02465060): the abbreviation with the head is read as the class phrase, and the
# mention spans the bracket and the head.
_ABBREVIATED = re.compile(
    r"\(\s*(?P<abbr>[A-Za-z][A-Za-z0-9/-]{1,12})\s*\)\s+(?P<head>(?:[\w-]+\s+){0,3}?(?:inhibitors?|inhibition|agonists?|"
    r"antagonists?|antibod(?:y|ies)|TKIs?|blockers?|blockade|analog(?:ue)?s?|modulators?|degraders?|therap(?:y|ies)|"
    r"agents?|drugs?|medications?))\b", re.IGNORECASE)


# ... and "anti-" before the long name: "anti-Programmed cell death ligand 1 (PD-L1), ...
# or anti-Cytotoxic T lymphocyte-associated antigen 4 (CTLA-4) antibody" (NCT01642004),
# "anti-programmed death ligand-2 (PD-L2) antibody" (LCT NCT03867370) is anti-PD-L1.
_ANTI_ABBREVIATED = re.compile(
    r"\banti-\s?(?:[A-Za-z][\w-]*\s+){0,6}?[A-Za-z0-9][\w-]*\s*\(\s*(?P<abbr>[A-Za-z][A-Za-z0-9/-]{1,12})\s*\)",
    re.IGNORECASE)


def _abbreviated(text: str, lex: Lexicon) -> list[Mention]:
    """The class mentions of ``_ABBREVIATED`` and ``_ANTI_ABBREVIATED`` phrases."""
    out = []
    for rx, pre in ((_ABBREVIATED, ""), (_ANTI_ABBREVIATED, "anti-")):
        for m in rx.finditer(text):
            abbr = pre + m.group("abbr")
            phrase = f"{abbr} {m.group('head')}" if pre == "" else abbr
            for inner in find_class_mentions(phrase, lex):
                if inner.start == 0 and (pre or inner.end > len(abbr)):
                    out.append(Mention(m.start(), m.end(), m.group(0), drug_class=inner.drug_class, kind=inner.kind))
    return out


def _target_matches(m: _Matchers, text: str, folded: str,
                    words: tuple[tuple[int, int], ...]) -> Iterator[re.Match[str]]:
    """``m.target_re.finditer(text)``, tried only at word starts (``words``: ``_indexed``)
    that can begin a match."""
    plen = m.target_prefix_len
    resume = 0
    for t, k in words:
        if t < resume:
            continue
        heads = m.target_starts.get(folded[k:k + plen])
        if not heads or not any(folded.startswith(h, k) for h in heads):
            continue
        match = m.target_re.match(text, t)
        if match is not None and match.end() > t:
            yield match
            resume = match.end()


def _drop_nested(found: list[Mention]) -> list[Mention]:
    out: list[Mention] = []
    seen: set[tuple[int, int, str | None]] = set()
    for mention in sorted(found, key=lambda x: (x.start, -(x.end - x.start))):
        inside = any(
            o.start <= mention.start and mention.end <= o.end and (o.end - o.start) > (mention.end - mention.start)
            for o in found
        )
        key = (mention.start, mention.end, mention.drug_class)
        if inside or key in seen:
            continue
        seen.add(key)
        out.append(mention)
    return out


# The object of a prior-therapy cue, looked up in the whole compiled dictionary (the
# matcher above scans prose for the curated drugs only: scanning every one of the
# dictionary's names would find everyday words). The cue says a therapy is named:
# "At least 1 year since prior tamoxifen", "No previous treatment with IFN",
# "prior temozolomide is allowed", "previously treated with lomustine".
_CUED_NAME = Gated(
    r"\b(?:prior|previous(?:ly)?|received|receiving|treated with|treatment with|therapy with|exposure to|exposed to|"
    # current use: "Use of dexamethasone > 2 mg/day", "patients receiving warfarin",
    # "intake of prednisolone (or equivalent) >10 mg" (LCT NCT03920527)
    r"use of|using|taking|intake of|"
    # the members a class names as examples: "strong CYP3a4 inducers (e.g. rifampin,
    # phenytoin, carbamazepine, phenobarbital ...)" (NCT02199223), "anticoagulants such as
    # warfarin" (NCT02243605)
    r"e\.\s?g\.,?|such\s+as|including)\s+"
    r"(?:(?:treated|treatment|therapy)\s+with\s+)?(?:any\s+|the\s+|an?\s+)?"
    r"(?=(?P<name>[A-Za-z][A-Za-z0-9-]{2,}(?:\s+[A-Za-z][A-Za-z0-9-]{2,})?))",
    re.IGNORECASE,
)
# An example cue names a drug only as an item of its list: the name ends at a separator.
_EXAMPLE_CUE = re.compile(r"(?:e\.\s?g|such\s+as|including)\b", re.IGNORECASE)
_LIST_END = re.compile(r"\s*(?:[,;:)\]/.]|$|(?:and|or|etc|and/or)\b)", re.IGNORECASE)
# A list goes on after the first name: "prior rituximab or cytarabine", "prior
# tamoxifen, letrozole and anastrozole".
_LIST_NEXT = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or|and/or)\s+|/)\s*"
                        r"(?P<name>[A-Za-z][A-Za-z0-9-]{2,}(?:\s+[A-Za-z][A-Za-z0-9-]{2,})?)", re.IGNORECASE)


# Words a cue often governs that are no drug, whatever a vocabulary lists under them.
_NOT_NAMES = frozenset("""
treatment therapy therapies chemotherapy radiotherapy radiation surgery systemic local
anticancer investigational study trial agent agents drug drugs medication medications
exposure history lines line regimen regimens cycles cycle dose doses use participation
immunotherapy hormonal hormone endocrine biologic biological targeted adjuvant neoadjuvant
oxygen water iron vitamin calcium sodium potassium alcohol blood plasma
""".split())


def find_cued_drug_mentions(text: str, lexicon: Lexicon | None = None) -> list[Mention]:
    """Drugs named right after a prior-therapy cue, read in the full compiled dictionary.

    The longer reading wins ("interferon alfa" before "interferon"); a name that means
    several drugs, or a word of ``_NOT_NAMES``, is no mention.
    """
    if not text or not _CUED_NAME.search(text):
        return []
    lex = lexicon or Lexicon.default()
    out: list[Mention] = []
    resume = 0
    for m in _CUED_NAME.finditer(text):
        pos = m.start("name")
        if pos < resume:
            continue
        found = _cued_name(lex, text, pos, m.group("name"))
        if found is not None and _EXAMPLE_CUE.match(m.group(0)) and not _LIST_END.match(text, found.end):
            continue  # "such as galactose intolerance": an example that is no drug
        while found is not None:
            out.append(found)
            resume = found.end
            nxt = _LIST_NEXT.match(text, found.end)
            found = _cued_name(lex, text, nxt.start("name"), nxt.group("name")) if nxt else None
    return out


def _cued_name(lex: Lexicon, text: str, start: int, name: str) -> Mention | None:
    words = name.split()
    for n in range(len(words), 0, -1):
        phrase = " ".join(words[:n])
        if phrase.lower() in _NOT_NAMES or words[0].lower() in _NOT_NAMES:
            return None
        written = text[start:start + len(phrase)]
        if _CLASS_HEAD.match(text, start + len(phrase)):
            continue  # "prior tyrosine kinase inhibitor", "platinum doublet": a class phrase
        drugs = {e.drug for e in lex.lookup(phrase) if e.kind in _NAME_KINDS or _brand_like(written)}
        if len(drugs) == 1:
            return Mention(start, start + len(phrase), written, drug=drugs.pop(), kind="cued")
    return None


# Generic, code and salt names are taken as written; a brand or other synonym only
# when written like a name (a code with a digit, "Herceptin", "Exparel"), so that
# "prior hip surgery", "prior laser" or "prior TACE" name no drug.
_NAME_KINDS = frozenset({"generic", "code", "salt"})
# A head word after the name makes it a class phrase, not a drug.
_CLASS_HEAD = re.compile(
    r"[\s-]*(?:kinases?|inhibit\w*|antagonist\w*|agonist\w*|antibod\w*|based|containing|doublets?|"
    r"analog\w*|compounds?|derivatives?|salts?|class|family|receptors?)\b", re.IGNORECASE)


def _brand_like(written: str) -> bool:
    if any(ch.isdigit() for ch in written):
        return True
    return len(written) >= 6 and written[:1].isupper() and not written.isupper()
