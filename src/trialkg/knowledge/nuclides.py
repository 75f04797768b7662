"""Radiolabelled drugs, however the radionuclide is written.

Records and criteria write one radiopharmaceutical many ways: "Radium-223", "radium Ra
223 dichloride", "RADIUM-223 CHLORIDE"; "177Lu-PSMA-617", "Lu-177 PSMA-617", "PSMA-617
Lu-177", "lutetium (177Lu) vipivotide tetraxetan"; "I-131 MIBG", "131I-MIBG", "Iodine I
131 Metaiodobenzylguanidine", "MIBG I-131"; "[18F]FDG", "18F-FDG", "FDG F-18". A name
carries one nuclide (``nuclides.tsv``: element, symbol, mass number and use) in one of
three notations, and a carrier (the ligand, the molecule or nothing):

- symbol and mass: ``Lu-177``, ``Lu 177``, ``Lu177``, ``Tc-99m``;
- mass and symbol: ``177Lu``, ``[177Lu]``, ``(18F)``, ``99mTc``;
- element and mass, the symbol optional: ``radium-223``, ``lutetium Lu 177``,
  ``technetium Tc 99m``, ``lutetium (177Lu)``.

A symbol is read only as the table writes it or in capitals ("In-111", "IN-111", never
"in 111 patients"), and only with a mass number the table lists for it ("CD4", "vitamin
B6" and "PD-1" are no nuclides). ``label_key`` folds a name to (nuclide, carrier words,
sorted): every written form of the dictionary with a nuclide is indexed under its key,
so "Lu-177 PSMA-617" and "PSMA-617 LU-177" meet, and a key that the forms of several
entries of one substance share (DrugCentral's "iobenguane (131I)" and UNII's "iobenguane
I-131") goes to the best-identified one: curated first, then the entry with the most
identifiers. A carrier that is itself a drug ("PSMA-617" = vipivotide tetraxetan) is
tried under each of its names with the nuclide, so "Lu-177 PSMA-617" is the
radioconjugate (lutetium Lu-177 vipivotide tetraxetan), never the bare ligand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from trialkg.knowledge.lexicon import COMPILED_ID_KEYS, Lexicon, Nuclide

# Words of a radiopharmaceutical's name that say nothing of which one it is: the chloride
# salt of the cation ("radium Ra 223 dichloride" = "RADIUM-223"), the dosage form, and
# the words that only say a molecule is labelled.
# The ionic form ("strontium cation Sr-89") and the device words of the implanted forms ("Yttrium-90 glass microspheres", "I-125 seeds")
# say which product, not which radiopharmaceutical.
_IGNORED = frozenset("chloride dichloride injection solution labeled labelled radiolabeled radiolabelled "
                     "radioactive cation ion and microsphere microspheres glass resin seed seeds".split())
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class NuclideMatch:
    nuclide: Nuclide
    start: int
    end: int
    written: str

    @property
    def certain(self) -> bool:
        """Whether the notation names a nuclide even in running text: with the element
        ("radium-223"), a two-letter symbol ("Lu-177") or joined to its mass ("I-131",
        "131I"); "I 131" or "P 32" alone may be a list mark or a page."""
        return (self.written[:1].isalpha() and len(self.nuclide.symbol) == 2) or " " not in self.written.strip("[]() ") \
            or self.written.lower().startswith(self.nuclide.element)


class Grammar:
    """The three notations of ``nuclides.tsv``'s nuclides, compiled once per lexicon.
    ``strict`` (text a person wrote) reads a symbol only as written or in capitals; the
    dictionary's forms are read in any case ("strontium chloride sr-89")."""

    def __init__(self, nuclides: tuple[Nuclide, ...], strict: bool = True) -> None:
        self.by_key = {(n.symbol.lower(), n.mass.lower()): n for n in nuclides}
        self.by_element = {(n.element, n.mass.lower()): n for n in nuclides}
        symbols = sorted({n.symbol for n in nuclides}, key=len, reverse=True)
        # as written or in capitals, never in lower case: "In-111", "IN-111", not "in 111"
        sym = "|".join(f"{re.escape(s)}|{re.escape(s.upper())}" if s != s.upper() else re.escape(s)
                       for s in symbols)
        if not strict:
            sym = f"(?i:{sym})"
        masses = sorted({n.mass for n in nuclides}, key=len, reverse=True)
        mass = "(?:" + "|".join(re.escape(m) for m in masses) + ")"
        elements = "|".join(sorted({re.escape(n.element) for n in nuclides}, key=len, reverse=True))
        gap = r"[\s-]*"
        self.pattern = re.compile(
            # element and mass, the symbol (or a bracketed mass-symbol) optional
            rf"(?<![A-Za-z0-9])(?P<element>(?i:{elements}))(?:{gap}(?P<esym>{sym}))?{gap}"
            rf"(?:(?P<emass>{mass})|[\[(]\s*(?P<bmass>{mass})\s*(?P<bsym>{sym})\s*[\])])(?![A-Za-z0-9])"
            # mass and symbol: "177Lu", "[177Lu]", "(18F)", "99mTc"
            rf"|(?<![A-Za-z0-9])[\[(]?\s*(?P<mass>{mass})[\s-]?(?P<sym>{sym})\s*[\])]?(?![a-z])"
            # symbol and mass: "Lu-177", "Lu 177", "Lu177", "Tc-99m"
            rf"|(?<![A-Za-z0-9])(?P<sym2>{sym})[\s-]?(?P<mass2>{mass})(?![A-Za-z0-9])"
        )

        # Every notation holds a mass number between non-digits: a text without one (most
        # criteria items, most drug names) skips the full pattern. One text is often read
        # twice in a row (its drug and its class mentions), hence the small memo.
        self._mass = re.compile(rf"(?<![0-9]){mass}(?![0-9])")
        self._memo = lru_cache(maxsize=256)(self._scan)

    def find(self, text: str) -> list[NuclideMatch]:
        if self._mass.search(text) is None:
            return []
        return list(self._memo(text))

    def _scan(self, text: str) -> tuple[NuclideMatch, ...]:
        out = []
        for m in self.pattern.finditer(text):
            nuclide = self._nuclide(m)
            if nuclide is not None:
                out.append(NuclideMatch(nuclide, m.start(), m.end(), m.group(0)))
        return tuple(out)

    def _nuclide(self, m: re.Match[str]) -> Nuclide | None:
        if m.group("element"):
            element = m.group("element").lower()
            mass = (m.group("emass") or m.group("bmass")).lower()
            found = self.by_element.get((element, mass))
            written = m.group("esym") or m.group("bsym")
            if found is not None and written and written.lower() != found.symbol.lower():
                return None  # "gallium Lu 177": no one nuclide
            return found
        if m.group("sym"):
            return self.by_key.get((m.group("sym").lower(), m.group("mass").lower()))
        return self.by_key.get((m.group("sym2").lower(), m.group("mass2").lower()))


def unbracket(text: str, lex: Lexicon) -> str:
    """``text`` with the brackets of a bracketed nuclide dropped ("[177Lu]PSMA-617" ->
    "177Lu PSMA-617", "lutetium (177Lu) vipivotide tetraxetan"): they belong to the
    notation, not to an aside."""
    if "[" not in text and "(" not in text:
        return text
    for m in reversed(grammar(lex).find(text)):
        inner = m.written.replace("[", " ").replace("]", " ").replace("(", " ").replace(")", " ")
        if inner != m.written:
            text = text[: m.start] + " " + " ".join(inner.split()) + " " + text[m.end:]
    return " ".join(text.split())


@lru_cache(maxsize=8)
def grammar(lex: Lexicon, strict: bool = True) -> Grammar:
    return Grammar(lex.nuclides, strict)


Key = tuple[str, tuple[str, ...]]


def label_key(text: str, lex: Lexicon | Grammar, strict: bool = True) -> tuple[Key, NuclideMatch] | None:
    """(nuclide, sorted carrier words) of a name with one nuclide, read with the lexicon's
    grammar (or the one given); None without one or with several."""
    found = (lex if isinstance(lex, Grammar) else grammar(lex, strict)).find(text)
    if len(found) != 1:
        return None
    match = found[0]
    n = match.nuclide
    rest = (text[: match.start] + " " + text[match.end:]).lower()
    # the element's name or symbol again says nothing new: "radium Ra 223", and the
    # nomenclature guideline's notation of a radiometal complex, "[177Lu]Lu-PSMA-617",
    # "[68Ga]Ga-DOTA-TATE" (Coenen et al., Nucl Med Biol 2017;55:v-xi)
    same = (n.element, n.symbol.lower())
    words = tuple(sorted({w for w in _WORD.findall(rest) if w not in _IGNORED and w not in same}))
    return (n.key, words), match


class LabelIndex:
    """Every written form of the lexicon that carries a nuclide, by its ``label_key``."""

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        found: dict[Key, set[str]] = {}
        curated: dict[Key, set[str]] = {}
        for entry in lex.all_synonyms():
            got = label_key(entry.text, lex, strict=False)
            if got is not None and (got[0][1] or got[1].nuclide.use != "label"):
                curated.setdefault(got[0], set()).add(entry.drug)
        compiled = lex.compiled
        if compiled is not None:
            digit = re.compile(r"\d")
            for drug, _kind, text in compiled.all_forms():
                if digit.search(text):
                    got = label_key(text, lex, strict=False)
                    if got is not None and (got[0][1] or got[1].nuclide.use != "label"):
                        found.setdefault(got[0], set()).add(drug)
        self.keys: dict[Key, str] = {}
        for key in found.keys() | curated.keys():
            best = _best(lex, curated.get(key) or found[key])
            if best is not None:
                self.keys[key] = best

    def drug(self, text: str) -> tuple[str, NuclideMatch] | None:
        """The radiolabelled drug a name means, with the nuclide as read in it."""
        got = label_key(text, self.lex)
        if got is None:
            return None
        (nuclide, words), match = got
        if not words and match.nuclide.use == "label":
            return None  # "14C" alone labels nothing named
        hit = self.keys.get((nuclide, words))
        carrier = " ".join(_WORD.findall((text[: match.start] + " " + text[match.end:]).lower()))
        if hit is None and len(words) > 1:
            # a carrier written in parts: "DOTA-TATE" is "DOTATATE", "MIBG" the same
            # whatever the hyphens
            joined = "".join(w for w in carrier.split() if w not in _IGNORED and w != match.nuclide.symbol.lower()
                             and w != match.nuclide.element)
            hit = self.keys.get((nuclide, (joined,)))
        if hit is None and words:
            hit = self._via_carrier(nuclide, carrier)
        if hit is None and words and match.nuclide.use == "label":
            # a research label names the molecule it labels: "[14C]olaparib" is olaparib
            entries = self.lex.lookup(carrier)
            if len({e.drug for e in entries}) == 1:
                hit = entries[0].drug
        return (hit, match) if hit is not None else None

    def _via_carrier(self, nuclide: str, carrier: str) -> str | None:
        """The carrier read as a drug ("PSMA-617" = vipivotide tetraxetan), then each of
        that drug's names with the nuclide."""
        entries = self.lex.lookup(carrier)
        if len({e.drug for e in entries}) != 1:
            return None
        drug = entries[0].drug
        for text in [drug] + [t for t, _k in self.lex.names_of(drug)]:
            words = tuple(sorted({w for w in _WORD.findall(text.lower()) if w not in _IGNORED}))
            hit = self.keys.get((nuclide, words))
            if hit is not None:
                return hit
        return None


def _best(lex: Lexicon, drugs: set[str]) -> str | None:
    """One of several entries a key reaches: a curated drug, else the compiled entry with
    the most identifiers (and sources); None when two tie."""
    curated = sorted(d for d in drugs if d in lex.drugs)
    if curated:
        return curated[0] if len(curated) == 1 else None
    if len(drugs) == 1:
        return next(iter(drugs))
    compiled = lex.compiled
    if compiled is None:
        return None
    scored = []
    for d in drugs:
        row = compiled.drug_row(d) or {}
        ids = sum(1 for k in COMPILED_ID_KEYS if row.get(k))
        scored.append(((ids, len(row.get("sources", "").split("|"))), d))
    scored.sort(reverse=True)
    return scored[0][1] if scored[0][0] != scored[1][0] else None


@lru_cache(maxsize=4)
def label_index(lex: Lexicon) -> LabelIndex:
    return LabelIndex(lex)


# A carrier word next to a nuclide in running text: "177Lu-PSMA-617", "PSMA-617 Lu-177".
_NEXT = re.compile(r"[\s-]*([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)")
_BEFORE = re.compile(r"([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)[\s-]*$")


Labelled = tuple[int, int, str, NuclideMatch]  # start, end, drug, nuclide
# The class of the drugs that carry a nuclide used for therapy (class_rules.tsv, basis
# ``nuclide``).
THERAPY_CLASS = "radiopharmaceutical"


@dataclass(frozen=True)
class UnnamedNuclide:
    start: int
    end: int
    written: str
    drug_class: str


def unnamed_therapy_nuclides(text: str, lex: Lexicon) -> list[UnnamedNuclide]:
    """Therapeutic nuclides written plainly ("samarium-153", "Ac-225") where no drug of
    the dictionary is named with them: each names the therapy class."""
    if THERAPY_CLASS not in lex.classes or not any(ch.isdigit() for ch in text):
        return []
    found = grammar(lex).find(text)
    if not found:
        return []
    named = {id(n) for *_span, n in find_labelled(text, lex, found)}
    return [UnnamedNuclide(n.start, n.end, n.written, THERAPY_CLASS) for n in found
            if n.certain and n.nuclide.use == "therapy" and id(n) not in named]


def find_labelled(text: str, lex: Lexicon, found: list[NuclideMatch] | None = None) -> list[Labelled]:
    """Radiolabelled drugs named in running text: (start, end, drug, nuclide), in order.
    The nuclide with the word after it ("177Lu-PSMA-617", "Lu-177 dotatate"), with the
    word before it ("PSMA-617 Lu-177", "MIBG I-131"), or alone ("radium-223", "Y-90"),
    whichever names a drug first. Only texts with a nuclide pay for the index."""
    if found is None:
        if not any(ch.isdigit() for ch in text):
            return []
        found = grammar(lex).find(text)
    if not found:
        return []
    index = label_index(lex)
    out: list[Labelled] = []
    for m in found:
        spans = []
        after = _NEXT.match(text, m.end)
        before = _BEFORE.search(text, 0, m.start)
        if after and after.group(1):
            spans.append((m.start, after.end()))
        if before and before.group(1):
            spans.append((before.start(), m.end))
        if m.certain:
            spans.append((m.start, m.end))
        for start, end in spans:
            hit = index.drug(text[start:end])
            if hit is not None:
                out.append((start, end, hit[0], m))
                break
    return out
