"""Find drugs and drug classes named in free text (criteria, summaries, arm labels).

Criteria speak in classes more than in drugs ("previously treated with VEGFR TKIs",
"anti-PD-1/PD-L1 antibodies", "anthracyclines"), so besides exact drug names this
module understands a small grammar: an optional ``anti-``, one or more target terms
joined by ``/``, ``,``, ``or``, ``and``, then a head word (antibody, inhibitor, TKI,
drug, agent, therapy ...). The target terms and phrases come from ``classes.tsv``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from trialkg.knowledge.lexicon import Lexicon

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


class _Matchers:
    """Compiled patterns for one lexicon (built once, they are large)."""

    def __init__(self, lex: Lexicon) -> None:
        forms: dict[str, list[tuple[str, str]]] = {}
        for entry in lex.all_synonyms():
            if entry.kind in _TEXT_UNSAFE_KINDS or len(entry.text) < _MIN_TEXT_LEN:
                continue
            forms.setdefault(_flex(entry.text), []).append((entry.drug, entry.kind))
        pats = sorted(forms, key=len, reverse=True)
        self.drug_forms = forms
        self.drug_re = re.compile(
            r"(?<![A-Za-z0-9])(?:" + "|".join(f"(?P<d{i}>{p})" for i, p in enumerate(pats)) + r")(?![A-Za-z0-9])",
            re.IGNORECASE,
        ) if pats else None
        self.drug_groups = {f"d{i}": p for i, p in enumerate(pats)}

        # class phrases
        phrase_map: dict[str, set[str]] = {}
        for key, c in lex.classes.items():
            for ph in c.phrases:
                phrase_map.setdefault(_plural_flex(ph), set()).add(key)
        self.phrase_items = sorted(phrase_map.items(), key=lambda kv: len(kv[0]), reverse=True)
        self.phrase_res = [
            (re.compile(r"(?<![A-Za-z0-9])" + p + r"(?![A-Za-z0-9])", re.IGNORECASE), keys)
            for p, keys in self.phrase_items
        ]

        # target term grammar
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


@lru_cache(maxsize=4)
def _matchers(lex: Lexicon) -> _Matchers:
    return _Matchers(lex)


def find_drug_mentions(text: str, lexicon: Lexicon | None = None) -> list[Mention]:
    """Every drug named in ``text`` (generic, synonym, brand, code or salt form), in order."""
    if not text:
        return []
    lex = lexicon or Lexicon.default()
    m = _matchers(lex)
    if m.drug_re is None:
        return []
    out: list[Mention] = []
    for match in m.drug_re.finditer(text):
        group = match.lastgroup
        if group is None:
            continue
        for drug, kind in m.drug_forms[m.drug_groups[group]]:
            out.append(Mention(match.start(), match.end(), match.group(0), drug=drug, kind=kind))
    return out


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
    for rx, keys in m.phrase_res:
        for match in rx.finditer(text):
            for key in sorted(keys):
                found.append(Mention(match.start(), match.end(), match.group(0), drug_class=key,
                                     kind="phrase"))
    for match in m.target_re.finditer(text):
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
    return _drop_nested(found)


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
