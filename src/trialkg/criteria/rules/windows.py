"""Therapy windows: how long before study entry a therapy counts, or must have stopped.

Three kinds of phrase give a window:

- ``WINDOW``, a dose inside it counts: "within 4 weeks", "4 weeks prior to registration",
  "in the 6 months before", "=< 3 weeks" (NCT02691871);
- ``WASHOUT``, the last dose must be at least that long ago: "At least 4 weeks since prior
  chemotherapy" (NCT00602576), "washout of 3 weeks" (NCT04154189);
- an attached window, a duration followed by the therapies it is for: "(6 weeks for
  nitrosoureas)" (NCT02576665), "6 weeks if treatment included nitrosoureas", "3 weeks in
  case of prior chemotherapy" (NCT04154189).

``ANCHOR`` says what a window is counted from, when the text names it.

Per-agent windows: an item that gives its therapies different windows ("cytotoxic
chemotherapy ... within 3 weeks, or nitrosoureas/mitomycin C within 6 weeks",
NCT02243605; "chemotherapy, molecular targeted therapy =< 3 weeks, or
nitrosoureas/mitomycin chemotherapy =< 6 weeks", NCT02691871; "No chemotherapy ... within
the past 4 weeks (6 weeks for nitrosoureas or mitomycin C)", NCT00601510) is read as one
window per group of names (``claim``): an attached window takes the names after it, up to
the next window or the end of its clause or parenthesis; any other window takes the names
before it, back to the previous window's claim; a name left over goes to the nearest
window before it in its sentence, else the nearest one. Neither kind of claim crosses a
sentence or a semicolon, and a window inside brackets claims only what they hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trialkg.criteria import units
from trialkg.criteria.rules.comparisons import NUM, number
from trialkg.textgate import Gated

# A number that counts a treatment day or cycle is no duration: "Washout before Cycle 1
# Day 1 of 3 weeks" (NCT04154189), "on Day 1 of Cycle 2"; nor is a period of the study
# counted forward from its start: "for the first 6 weeks of study treatment"
# (NCT02782403), "within the first 4 weeks of randomization".
_NOT_A_DAY = r"(?<!cycle\s)(?<!day\s)(?<!cycle)(?<!first\s)(?<!initial\s)"
_UNIT = r"days?|weeks?|months?|years?"

WINDOW = Gated(
    rf"\b(?:within|in|during|over)\s+(?:the\s+)?(?:last|past|previous|preceding|prior)?\s*(?P<v>{NUM})\s*(?P<u>{_UNIT})\b"
    # ("18 years of age" is an age: "Patients > 18 years of age Patients planning to start
    # treatment with cabozantinib", LCT NCT03867045)
    rf"|\b{_NOT_A_DAY}(?P<v2>{NUM})\s*(?P<u2>{_UNIT})\s+(?:prior to|before|of(?!\s+age\b)|preceding|from)\b"
    rf"|\b(?:in|within) the (?P<v3>{NUM})\s*(?P<u3>{_UNIT})\s+(?:prior|before|preceding)",
    re.IGNORECASE,
)
# A bound written as a comparison, read where an item gives several windows: "radiotherapy
# ..., chemotherapy, molecular targeted therapy =< 3 weeks, or nitrosoureas/mitomycin
# chemotherapy =< 6 weeks prior to registration" (NCT02691871), "Major surgery <= 28 days
# prior to" (NCT02636725). (Alone it may date something else in the item: "haemoptysis
# =< 2 months ... prior to registration. ... receiving anticoagulant therapy", NCT02691871.)
# A duration of use is no window ("for < 3 months").
_COMPARED = Gated(rf"(?<!for\s)(?<!for)(?:=<|<=|≤|<)\s*(?P<v>{NUM})\s*(?P<u>{_UNIT})\b", re.IGNORECASE)
# "N months of X" is how long X was given, unless X is what the window counts from: "after
# completing no more than 6 months of adjuvant endocrine therapy" (NCT02513394), "within
# 4 weeks of registration"
_OF = re.compile(r"\s+of$", re.IGNORECASE)
_FOR_BEFORE = re.compile(r"\bfor\s+$", re.IGNORECASE)
# A bound on the time since the last dose, from above: the last dose counts inside it.
# "Ability to be randomized ≤8 weeks after last dose of platinum" (LCT NCT03863860),
# "relapsing within 6 months after the last administration of platinum-based
# chemotherapy" (LCT NCT03924882). (Without the bound, "after the last dose of X" is a
# washout: ``WASHOUT``.)
RECENT = Gated(
    rf"(?:≤|<=|=<|<|\bwithin|\bno\s+(?:more|later)\s+than|\bup\s+to|\bat\s+most)\s*(?P<v>{NUM})\s*(?P<u>{_UNIT})"
    r"\s+(?:after|from|of|since|following)\s+(?:the\s+)?(?:(?:last|final)\s+(?:dose|administration|cycle|course|treatment|"
    r"infusion)|completion|end)\b",
    re.IGNORECASE,
)
# A washout: the last dose at least N before now or an entry event. "At least 4 weeks
# since prior chemotherapy" (NCT00602576), "At least 1 year since prior tamoxifen"
# (NCT00023673), "at least 40 days should have elapsed since last dose" (NCT00678977),
# "completed >4 weeks before trial entry" (NCT02711007), "washout of 3 weeks"
# (NCT04154189). It excludes only a patient treated more recently.
WASHOUT = Gated(
    rf"(?:\bat\s+least|\bminimum\s+of|\bmore\s+than|\bgreater\s+than|\bover|>=?|≥)\s*(?P<v>{NUM})\s*(?P<u>{_UNIT}|hours?)"
    rf"\s+(?:(?:must|should|shall|will)\s+)?(?:have\s+|has\s+)?(?:elapsed|passed|lapsed)?\s*(?:since|from|after|following|before|prior\s+to)\b"
    rf"|\b(?P<v2>{NUM})\s*(?P<u2>{_UNIT})\s+or\s+(?:more|longer)\s+(?:since|from|after|before|prior\s+to)\b"
    rf"|\bwash-?out\s+(?:period\s+)?(?:\w+\s+){{0,6}}?(?:of\s+)?(?:at\s+least\s+)?{_NOT_A_DAY}(?P<v3>{NUM})\s*(?P<u3>{_UNIT})"
    # "Duration from the last therapy is more than 4 weeks" (NCT01645215), "interval
    # since the last dose of chemotherapy at least 3 weeks".
    # "must occur after stopping prior systemic anti-cancer therapy" (NCT02465060),
    # "must be after last dose of chemotherapy" (NCT02513394): the last dose is past.
    rf"|\b(?:after|following)\s+(?:stopping|discontinu\w+|completion\s+of|completing|the\s+end\s+of|(?:the\s+)?last\s+dose\s+of)\s+(?P<v5>)(?P<u5>)"
    rf"|\b(?:duration|interval|time)\s+(?:from|since|after)\s+(?:the\s+)?(?:last|previous|prior|end)\b[^;.]{{0,60}}?"
    rf"(?:more\s+than|greater\s+than|longer\s+than|at\s+least|over|>=?|≥)\s*(?P<v4>{NUM})\s*(?P<u4>{_UNIT})",
    re.IGNORECASE,
)
# What a window is counted from, when the text names it: entry events (as good as "now"
# for a patient being screened) or an event of the patient's history. "within 5 years
# prior to diagnosis" (NCT00023673), "since registration" (NCT00602576), "prior to
# randomization", "before the first dose of study drug".
ANCHOR = Gated(
    r"\b(?:since|from|after|before|prior\s+to|preceding|of)\s+(?:the\s+)?(?:date\s+of\s+)?(?:(?P<entry>registration|randomi[sz]ation|"
    r"enrol+ment|study\s+(?:entry|start|enrol+ment|treatment|drug|day)|trial\s+entry|entry|screening|inclusion|consent|"
    r"(?:the\s+)?(?:first|initial)\s+(?:dose|administration|treatment)|start\s+of\s+(?:study\s+)?(?:treatment|therapy)|"
    r"(?:cycle\s+1\s+)?day\s+1|initiation\s+of\s+(?:study\s+)?treatment|treatment\s+start|baseline|beginning)"
    r"|(?P<event>(?:initial\s+|original\s+|primary\s+)?diagnosis|surgery|resection|relapse|recurrence|progression|transplant\w*|"
    r"mastectomy|radiotherapy|radiation))\b",
    re.IGNORECASE,
)
_ANCHOR_NEAR = 40  # characters between a window and what it is counted from
# A duration that names the therapies after it: "(6 weeks for nitrosoureas)"
# (NCT02576665, NCT00402415), "6 weeks if treatment included nitrosoureas", "3 weeks in
# case of prior chemotherapy", "3 months from high-dose chemotherapy" (NCT04154189).
ATTACHED = Gated(rf"(?<![\d.,])(?<!for\s){_NOT_A_DAY}(?P<v>{NUM})\s*(?P<u>{_UNIT})"
                 r"(?=\s+(?:for|if|in\s+case\s+of|when|from|after|following|since)\s)", re.IGNORECASE)
# A bracket that opens with such a duration: "(6 weeks for nitrosoureas)" (NCT02576665),
# "(at least 6 weeks for prior bevacizumab)" (NCT00703638).
WINDOW_ASIDE = Gated(rf"\(\s*(?:at\s+least\s+|>=?\s*|≥\s*)?{_NOT_A_DAY}(?P<v>{NUM})\s*(?P<u>{_UNIT})"
                     r"\s+(?:for|if|in\s+case\s+of|when)\s", re.IGNORECASE)
_CONNECTOR = re.compile(r"\s*(?:for|if|in\s+case\s+of|when|from|after|following|since)\b", re.IGNORECASE)
_SINCE = re.compile(r"\s*(?:from|after|following|since)\b", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[;)]|\.(?:\s|$)")
_SENTENCE_END = re.compile(r";|\.(?:\s|$)")


@dataclass(frozen=True)
class Window:
    """One window phrase of an item: ``text[start:end]``, its length as an ISO duration
    and in days, whether it is a washout (``None``: as the item's other windows say), and
    whether the names it is for come after it (``attached``)."""

    start: int
    end: int
    iso: str
    days: int
    washout: bool | None
    attached: bool

    def is_washout(self, primary: bool) -> bool:
        """Whether it is a washout; an attached duration is what ``primary``, the kind of
        the item's other windows, is."""
        return primary if self.washout is None else self.washout


def read_window(m: re.Match[str]) -> tuple[str, int] | None:
    """(ISO duration, days) of a ``WINDOW``, ``WASHOUT`` or ``ATTACHED`` match; "after
    stopping prior X" is any time since the last dose (``P0D``)."""
    groups = m.groupdict()
    if groups.get("v5") is not None:
        return units.iso_duration(0.0, "d"), 0
    v = number(next((groups[g] for g in ("v", "v2", "v3", "v4") if groups.get(g)), None) or "")
    u = units.ucum_code(next((groups[g] for g in ("u", "u2", "u3", "u4") if groups.get(g)), None) or "")
    if v is None or not u:
        return None
    return units.iso_duration(v, u), units.window_days(v, u)


def anchor(text: str, w_start: int, w_end: int) -> str | None:
    """What the window at ``text[w_start:w_end]`` is counted from: ``study_entry``, an event
    of the patient's history ("diagnosis", "surgery" ...), or None when the text names none."""
    a = ANCHOR.search(text, w_start)
    if a is None or a.start() - w_end >= _ANCHOR_NEAR:
        return None
    return "study_entry" if a.group("entry") else re.sub(r"\W+", "_", a.group("event").lower())


def shared_anchor(text: str, windows: list[Window], i: int) -> str | None:
    """What window ``i`` is counted from: its own anchor, else that of a later window of
    its sentence ("within 3 weeks, or nitrosoureas/mitomycin C within 6 weeks before the
    first dose of study treatment", NCT02243605: both count from the first dose)."""
    w = windows[i]
    for v in windows[i:]:
        if v is not w and _SENTENCE_END.search(text, w.end, v.start):
            break
        a = anchor(text, v.start, v.end)
        if a:
            return a
    return None


def item_windows(text: str) -> list[Window]:
    """Every window phrase with a length, in text order; where phrases overlap, the first
    (a washout before a window, a window before an attached duration) is kept."""
    found: list[Window] = []
    for rx, washout in ((WASHOUT, True), (WINDOW, False), (_COMPARED, False), (ATTACHED, None)):
        for m in rx.finditer(text):
            read = read_window(m)
            if read is None or m.group(0) == "" or any(w.start < m.end() and m.start() < w.end for w in found):
                continue
            if m.groupdict().get("v5") is not None:
                continue  # "after completing X": no length to tell agents apart
            if rx is WINDOW and _OF.search(m.group(0)) and ANCHOR.match(text, m.end() - 2) is None:
                continue  # "6 months of adjuvant endocrine therapy": a duration of use
            if rx is WINDOW and _FOR_BEFORE.search(text, max(0, m.start() - 5), m.start()):
                # a duration of use or of a pause: "on stable dose of steroids, or be off
                # steroids, for one week prior to registration" (NCT02465060)
                continue
            after = ANCHOR.match(text, m.end()) is None and ANCHOR.match(text, _skip_space(text, m.end())) is None
            ends_with_connector = washout is True and re.search(r"(?:since|from|after|following)$", m.group(0), re.I)
            attached = after and (bool(ends_with_connector) or _CONNECTOR.match(text, m.end()) is not None)
            kind = washout
            if after and washout is False and m.group(0).lower().endswith("from"):
                # "3 months from high-dose chemotherapy" (NCT04154189): the therapies follow
                attached, kind = True, True
            elif washout is None and _SINCE.match(text, m.end()):
                kind = True  # "6 weeks after surgery": at least that long since
            found.append(Window(m.start(), m.end(), read[0], read[1], kind, attached))
    return sorted(found, key=lambda w: w.start)


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _bracket(text: str, at: int) -> tuple[int, int] | None:
    """The (start, end) of the innermost round bracket holding ``at``, or None."""
    depth = 0
    for i in range(at - 1, -1, -1):
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            if depth == 0:
                close = text.find(")", at)
                return i, (close + 1 if close >= 0 else len(text))
            depth -= 1
    return None


def claim(text: str, windows: list[Window], names: list[tuple[int, int]]) -> list[int]:
    """The index in ``windows`` of the window each name (``(start, end)``) is for (see the
    module). A window inside brackets claims only names inside them: "... including
    Cytotoxic Therapy, ... and Immunotherapy (or who use Mitomycin C within 6 weeks before
    taking the treatment ...)" (NCT02388919)."""
    owner: list[int | None] = [None] * len(names)
    boundary = 0
    for i, w in enumerate(windows):
        inner = _bracket(text, w.start)
        if inner is not None:
            for k, (a, b) in enumerate(names):
                if owner[k] is None and inner[0] < a and b < inner[1]:
                    owner[k] = i
            continue
        if w.attached:
            stop = _CLAUSE_END.search(text, w.end)
            end = min(stop.start() if stop else len(text),
                      windows[i + 1].start if i + 1 < len(windows) else len(text))
            for k, (a, b) in enumerate(names):
                if owner[k] is None and w.end <= a and b <= end:
                    owner[k] = i
            boundary = max(boundary, end)
        else:
            # back to the previous claim, within the window's sentence or clause: "...
            # including Cytotoxic Therapy, ... and Immunotherapy (...); The patients who
            # have already taken Extended Field Radiotherapy (EF-RT) within 4 weeks"
            # (NCT02388919)
            start = max([boundary] + [m.end() for m in _SENTENCE_END.finditer(text, boundary, w.start)])
            for k, (a, b) in enumerate(names):
                if owner[k] is None and start <= a and b <= w.start:
                    owner[k] = i
            boundary = max(boundary, w.end)
    out: list[int] = []
    for k, (a, _b) in enumerate(names):
        if owner[k] is not None:
            out.append(owner[k])  # type: ignore[arg-type]
            continue
        before = [i for i, w in enumerate(windows) if w.end <= a and not _SENTENCE_END.search(text, w.end, a)
                  and _bracket(text, w.start) is None]
        if before:
            out.append(before[-1])
            continue
        free = [i for i, w in enumerate(windows) if _bracket(text, w.start) is None] or list(range(len(windows)))
        out.append(min(free, key=lambda i: abs(windows[i].start - a)))
    return out
