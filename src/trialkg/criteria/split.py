"""Split an eligibility-criteria block into items, as registries actually write them.

Handles the ClinicalTrials.gov layouts (``Inclusion Criteria:`` headers, ``*``/``-``
bullets, ``1.`` numbers, ``1)`` sub-items, hard-wrapped XML text blocks, escaped
markdown such as ``\\>`` and ``\\^``) and the page layouts in ``seeds/`` (headers
without colon, one item per line without any marker). A line that introduces a list
("... meets the following criteria within 7 days:") stays an item and becomes the
``context`` of the items under it. Text before any header counts as inclusion.

Everything here is linear in the input size: line-based scanning and anchored regexes
without nested quantifiers, so a megabyte of text splits in bounded time.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from trialkg.records import CriterionItem
from trialkg.textgate import FOLD_TRAPS

# Markdown escapes written by the API v2 converter: "\>" "\^" "\<" "\*" "\[" ...
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>^~|=])")

# The part of a trial a (sub-)section is for, as registries name it: "Exclusion Criteria
# for Stage 1", "Inclusion criteria stage 2" (NCT03424005), "Cohort B:", "Part A",
# "Registration eligibility", "Randomization eligibility" (NCT02513394 style), "Step 2".
# Stages and steps are numbered (a roman "Stage IV" is a cancer stage, not a part).
SCOPE = (
    r"(?:(?:stage|step|period|segment|phase)s?[ \t]+\d{1,2}[a-z]?(?:[ \t]*(?:and|&|/|,|or)[ \t]*\d{1,2}[a-z]?)*"
    r"|(?:part|cohort|arm|group|module|substudy|sub-study)s?[ \t]+(?:[A-Z]\d?|\d{1,2}[a-z]?)(?:[ \t]*(?:and|&|/|,|or)[ \t]*(?:[A-Z]\d?|\d{1,2}))*(?![\w])"
    r"|pre-?registration|re-?registration|registration|randomi[sz]ation|enrol+ment|crossover|cross-over|re-?treatment|"
    r"continuation|extension|dose[ -]escalation|dose[ -]expansion|expansion(?:[ \t]+cohorts?)?)"
)
# Section headers. Group "kind" is inclusion or exclusion; "rest" is text after the colon;
# "pre"/"post"/"paren" carry a scope named before, after or in brackets.
_HEADER = re.compile(
    r"^[ \t]*(?:[-*•#]+[ \t]*)?(?:\*\*)?(?:(?P<pre>" + SCOPE + r")[ \t]*[:\-–]?[ \t]*)?"
    r"(?:key|main|major|general|specific|additional)?[ \t]*"
    r"(?P<kind>non[- ]?inclusion|inclusion|exclusion|eligibility|ineligibility|non[- ]?eligibility)"
    r"(?:[ \t]+(?:criteria|criterion|conditions?|requirements?))?"
    r"(?:[ \t]*[-–,]?[ \t]*(?:for|in|of|at)?[ \t]*(?P<post>" + SCOPE + r"))?"
    # the population a section is for, on a line of its own: "Inclusion criteria for control
    # group:" (LCT NCT03923218), "Exclusion Criteria for all subjects, includes:" (LCT
    # NCT03924479), "Exclusion Criteria for Optional EEG Measurement:" (LCT NCT03867760)
    r"(?:[ \t]+(?:for|in)[ \t]+(?P<group>[A-Za-z][^:\n()]{1,50}?)(?:,?[ \t]*(?:includes?|including))?(?=[ \t]*:[ \t]*$))?"
    r"(?:[ \t]*\((?P<paren>[^)\n]{0,40})\))?[ \t]*(?:\*\*)?[ \t]*"
    r"(?::[ \t]*(?P<rest>.*)|[ \t]*)$",
    re.IGNORECASE,
)
# Every header names its kind, so a line without "inclusion", "exclusion" or
# "eligibility" (in any case) is no header: one substring test instead of the pattern.
# A character that re folds onto ASCII otherwise than str.lower (textgate.FOLD_TRAPS)
# leaves the test to the pattern.
_HEADER_WORDS = ("inclusion", "exclusion", "eligibility")


def _header_match(line: str) -> re.Match[str] | None:
    """``_HEADER.match(line)``, skipped where no header word is."""
    low = line.lower()
    for word in _HEADER_WORDS:
        if word in low:
            return _HEADER.match(line)
    return _HEADER.match(line) if not line.isascii() and not FOLD_TRAPS.isdisjoint(line) else None


_SCOPE_IN = re.compile(SCOPE, re.IGNORECASE)
# A sub-section naming a part without "inclusion"/"exclusion": "Cohort B:", "For
# randomization:", "Part A (dose escalation):", "Stage 2 (patients already enrolled)".
_SCOPE_LINE = re.compile(
    r"^[ \t]*(?:[-*•#]+[ \t]*)?(?:\*\*)?(?:for[ \t]+(?:the[ \t]+)?)?(?P<scope>" + SCOPE + r")"
    r"(?:[ \t]+(?:only|patients|participants|subjects|phase|portion))?[ \t]*(?:\([^)\n]{0,60}\))?"
    # "Part 1 (Phase I Dose Escalation) and 2a (Suspension Formulation Component):" (NCT01130623)
    r"(?:[ \t]*(?:and|&|,|/)[ \t]*(?:[A-Z]\d?|\d{1,2}[a-z]?)[ \t]*(?:\([^)\n]{0,60}\))?)*[ \t]*(?:\*\*)?[ \t]*"
    r"(?::[ \t]*(?P<rest>.*))?$",
    re.IGNORECASE,
)
# Old NCI-style sub-headings ("DISEASE CHARACTERISTICS:"): a context, not an item.
_SUBHEAD = re.compile(r"^[ \t]*(?P<head>[A-Z][A-Z /&,\-]{3,60}):[ \t]*$")

# List markers. Each alternative has its own "style" so nesting can be recognised.
_MARKER = re.compile(
    r"^(?P<indent>[ \t]*)(?P<marker>"
    r"(?P<bullet>[-*•·▪●○◦–‐‑+>])"
    r"|(?P<num>\d{1,3})(?P<numsep>[.)])(?!\d)"
    r"|\((?P<pnum>\d{1,3})\)"
    r"|(?P<alpha>[a-zA-Z])(?P<alphasep>[.)])(?=[ \t])"
    r"|\((?P<palpha>[a-z])\)"
    r"|(?P<roman>(?:i{1,3}|iv|v|vi{1,3}|ix|x))(?P<romansep>[.)])(?=[ \t])"
    r")[ \t]*(?P<text>.*)$"
)

_END_PUNCT = (".", ";", "!", "?")


@dataclass
class _Open:
    """An item being assembled: its lines and where it sits in the list hierarchy."""

    section: str
    style: str | None
    indent: int
    lines: list[str] = field(default_factory=list)
    context: str | None = None
    depth: int = 0
    scope: str | None = None


def unescape(text: str) -> str:
    """Undo markdown escapes and HTML entities left by registry exports."""
    if "&" in text:
        text = html.unescape(text)
    if "\\" in text:
        text = _MD_ESCAPE.sub(r"\1", text)
    return text.replace("\u00a0", " ").replace("\r\n", "\n").replace("\r", "\n")


def _style(m: re.Match[str]) -> str:
    if m.group("bullet"):
        return "bullet" + m.group("bullet")
    if m.group("num"):
        return "num" + m.group("numsep")
    if m.group("pnum"):
        return "pnum"
    if m.group("alpha"):
        return "alpha" + m.group("alphasep")
    if m.group("palpha"):
        return "palpha"
    return "roman" + (m.group("romansep") or "")


def _header_kind(word: str) -> str | None:
    word = word.lower()
    if word == "inclusion":
        return "inclusion"
    # "Non-inclusion criteria:" (NCT02679963), "Non-eligibility criteria"
    if word in ("exclusion", "ineligibility") or word.startswith("non"):
        return "exclusion"
    return None  # "Eligibility criteria:" keeps the current section


def _indent_width(s: str) -> int:
    return len(s.expandtabs(4))


def _clean(text: str) -> str:
    text = re.sub(r"[ \t]+", " ", text).strip()
    return text.strip(" \t")


def split_criteria(text: str | None) -> list[CriterionItem]:
    """Items in reading order, numbered 1.. per section (sub-items count too)."""
    if not text:
        return []
    return _Splitter(unescape(text).split("\n")).run()


class _Splitter:
    """One pass over the lines of a criteria block. Each line is, in this order of
    precedence, a blank, a section header, a scope line ("Cohort B:"), an NCI
    sub-heading ("DISEASE CHARACTERISTICS:"), a short heading over a list, a marked
    list item, or an unmarked line (a continuation or an item of its own)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.items: list[CriterionItem] = []
        self.counters = {"inclusion": 0, "exclusion": 0}
        self.section = "inclusion"
        self.current: _Open | None = None
        # Stack of (style, indent, text) of open list levels, for contexts of sub-items.
        self.levels: list[tuple[str, int, str]] = []
        self.subhead: str | None = None
        self.prev_blank = True
        # A section without any list marker is written one item per line (aggregator pages).
        self.has_markers = _sections_with_markers(lines)
        self.sec_index = 0
        self.scope: str | None = None
        self.section_scope: str | None = None  # the scope a header names, back after a bulleted part
        self.scope_indent: int | None = None
        self.heads = _subheadings(lines)
        self.outer: str | None = None  # the NCI heading ("PRIOR CONCURRENT THERAPY") over a sub-heading

    def run(self) -> list[CriterionItem]:
        steps = (self._header, self._scope_line, self._nci_subhead, self._heading, self._marked)
        for n, raw in enumerate(self.lines):
            line = raw.rstrip()
            if not line.strip():
                self.flush()
                self.prev_blank = True
                continue
            if not any(step(n, line) for step in steps):
                self._unmarked(line)
            self.prev_blank = False
        self.flush()
        return self.items

    def flush(self) -> None:
        current = self.current
        if current is None:
            return
        body = _clean(" ".join(current.lines))
        if body and re.search(r"\w", body):
            self.counters[current.section] += 1
            self.items.append(
                CriterionItem(
                    section=current.section,  # type: ignore[arg-type]
                    text=body,
                    context=current.context,
                    position=self.counters[current.section],
                    scope=current.scope,
                )
            )
            if current.style is not None:
                # This item is now the latest at its level (the context of its sub-items).
                del self.levels[current.depth :]
                self.levels.append((current.style, current.indent, body))
        self.current = None

    def _new_part(self) -> None:
        """A header or heading closes the open item and the open list levels."""
        self.flush()
        self.levels.clear()

    def _header(self, n: int, line: str) -> bool:
        h = _header_match(line)
        if not (h and len(line) < 120):
            return False
        self._new_part()
        kind = _header_kind(h.group("kind"))
        if kind:
            self.section = kind
            self.sec_index += 1
        named = _header_scope(h)
        if kind or named:
            self.scope = self.section_scope = named
            self.scope_indent = None
        self.subhead = None
        rest = (h.group("rest") or "").strip()
        if rest:
            self.current = _Open(self.section, None, 0, [rest], scope=self.scope)
        return True

    def _scope_line(self, n: int, line: str) -> bool:
        sc = _SCOPE_LINE.match(line)
        if not (sc and len(line) < 100 and (sc.group("rest") is None or not sc.group("rest").strip())):
            return False
        self._new_part()
        self.subhead = None
        self.scope = _scope_label(sc.group("scope"))
        # a bulleted "- Part 2b (...):" holds the items nested under it only (NCT01130623)
        self.scope_indent = _indent_width(line) - len(line.lstrip()) if _MARKER.match(line) else None
        return True

    def _nci_subhead(self, n: int, line: str) -> bool:
        sh = _SUBHEAD.match(line)
        if not (sh and not _MARKER.match(line)):
            return False
        self._new_part()
        self.subhead = self.outer = _clean(sh.group("head")).rstrip(":")
        return True

    def _heading(self, n: int, line: str) -> bool:
        """"Biologic therapy" / "Chemotherapy" over their bullets (NCT00103168,
        NCT00023673): a sub-heading, the context of the items under it."""
        if not (n in self.heads and (self.current is None or self.prev_blank)):
            return False
        self._new_part()
        name = _clean(line).rstrip(":")
        self.subhead = f"{self.outer}: {name}" if self.outer else name
        return True

    def _marked(self, n: int, line: str) -> bool:
        m = _MARKER.match(line)
        if not (m and m.group("text").strip() and not _looks_like_number_start(m)):
            return False
        self.flush()
        style = _style(m)
        indent = _indent_width(m.group("indent"))
        if self.scope_indent is not None and indent <= self.scope_indent:
            self.scope, self.scope_indent = self.section_scope, None
        depth = _level_of(self.levels, style, indent)
        del self.levels[depth:]
        context = self.levels[-1][2] if self.levels else self.subhead
        self.current = _Open(self.section, style, indent, [m.group("text")], context, depth, self.scope)
        return True

    def _unmarked(self, line: str) -> None:
        """An unmarked line: continuation or a new paragraph item."""
        stripped = line.strip()
        current = self.current
        if current is not None and _continues(current, line, self.prev_blank, self.has_markers, self.sec_index):
            current.lines.append(stripped)
            return
        self.flush()
        marked = self.has_markers.get(self.sec_index, False)
        context = None
        if self.levels and marked:
            # An unmarked paragraph under a list item that introduced it.
            last = self.levels[-1][2]
            context = last if last.endswith(":") else self.subhead
        elif self.subhead:
            context = self.subhead
        if not marked:
            self.levels.clear()
        self.current = _Open(self.section, None, _indent_width(line) - len(line.lstrip()), [stripped], context,
                             scope=self.scope)


_HEADING_WORDS = re.compile(r"^[A-Za-z][A-Za-z/&,\- ]{2,50}:?$")


def _subheadings(lines: list[str]) -> set[int]:
    """Indexes of short unmarked lines (no digits, no sentence end) directly followed,
    after blank lines, by a marked list item: sub-headings of NCI-style lists."""
    out: set[int] = set()
    for i, raw in enumerate(lines):
        text = raw.strip()
        if not text or _MARKER.match(raw) or _header_match(raw) or not _HEADING_WORDS.match(text):
            continue
        if text.rstrip(":").lower().startswith(("no ", "not ", "must ", "patients", "prior ")):
            continue
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j < len(lines) and j > i + 1 or (j < len(lines) and _indent_width(lines[j]) > _indent_width(raw)):
            m = _MARKER.match(lines[j])
            if m and m.group("text").strip() and not _looks_like_number_start(m):
                out.add(i)
    return out


def _scope_label(text: str) -> str:
    """"stage 1" -> "Stage 1", "COHORT B" -> "Cohort B": one spelling per part."""
    words = re.sub(r"[ \t]+", " ", text.strip()).split(" ")
    return " ".join([words[0].capitalize()] + [w.upper() if len(w) <= 2 else w.lower() for w in words[1:]])


def _header_scope(h: re.Match[str]) -> str | None:
    for name in ("pre", "post"):
        if h.group(name):
            return _scope_label(h.group(name))
    paren = h.group("paren")
    if paren:
        m = _SCOPE_IN.search(paren)
        if m:
            return _scope_label(m.group(0))
    return None


def _level_of(levels: list[tuple[str, int, str]], style: str, indent: int) -> int:
    """The list depth of a new marker: an open level of the same style, else one deeper."""
    for i in range(len(levels) - 1, -1, -1):
        lstyle, lindent, _ = levels[i]
        if lstyle == style and abs(lindent - indent) <= 1:
            return i
        if lindent > indent + 1:
            continue  # a deeper level that this marker closes
    # A new style: nested under the last open level, unless it is less indented than all.
    depth = len(levels)
    while depth > 0 and levels[depth - 1][1] > indent + 1:
        depth -= 1
    return depth


def _looks_like_number_start(m: re.Match[str]) -> bool:
    """'5.5 mg' or '1) ...' at a line start: numbers that are values, not markers."""
    text = m.group("text")
    if m.group("num") and m.group("numsep") == "." and text[:1].isdigit():
        return True
    if m.group("bullet") == ">" and (text[:1].isdigit() or text[:1] == "=" or text[:2] == "/="):
        return True  # "> 18 years", ">=50% at baseline" are comparisons, not quote markers
    return False


# A line that starts with a comparison has no subject of its own: it is the rest of the
# line above, hard-wrapped before the operator. "left ventricular ejection fraction
# (LVEF)" / ">=50% at baseline" (NCT04154189), "[CTCAE] version [v]4 grade" / ">= 2)"
# (NCT02465060), "Total bilirubin:" / "≤ 1.5 x ULN".
_OPERATOR_START = re.compile(
    r"^(?:[<>≤≥=]|=<|=>|(?:at least|at most|less than|greater than|more than|no more than|no less than|up to)\s)"
    r"\s*[=/]?\s*\d",
    re.IGNORECASE,
)


def _continues(item: _Open, line: str, prev_blank: bool, has_markers: dict[int, bool], sec: int) -> bool:
    stripped = line.strip()
    indent = _indent_width(line) - len(line.lstrip())
    last = item.lines[-1] if item.lines else ""
    if not prev_blank and _OPERATOR_START.match(stripped):
        return True
    if prev_blank:
        # After a blank line only a deeper-indented line continues a marked item.
        return item.style is not None and indent > item.indent + 1 and not last.endswith(":")
    if item.style is not None:
        # Hard-wrapped list item: indented under its text, or a sentence not yet ended.
        if indent > item.indent:
            return True
        return not last.endswith(_END_PUNCT + (":",)) or stripped[:1].islower()
    # Unmarked items: join only what is clearly a wrapped sentence.
    if stripped[:1].islower() or stripped[:1] in "([":
        return True
    if not has_markers.get(sec, False):
        return False
    return not last.endswith(_END_PUNCT + (":",))


def _sections_with_markers(lines: list[str]) -> dict[int, bool]:
    """For each section (by order of headers; 0 = before any header), whether it uses markers."""
    out: dict[int, bool] = {}
    sec = 0
    for raw in lines:
        h = _header_match(raw)
        if h and len(raw) < 120 and raw.strip():
            if _header_kind(h.group("kind")):
                sec += 1
            continue
        m = _MARKER.match(raw)
        if m and m.group("text").strip() and not _looks_like_number_start(m):
            out[sec] = True
    return out
