"""Measure the drug and drug-class mentions trialkg finds in criteria text against the
``Drug`` entities of the LCT corpus (human annotation the finder was not written from).

Corpora (vendored in ``benchmarks/data/criteria/lct/``, see SOURCES.md there): the LCT 60
sample and the LCT dev 300, split by the SHA-1 of the NCT id into a tuning part and a
held-out part (``criteria_eval.held_out``). Read the tuning part and the LCT 60 for misses;
the held-out part is only for its figures.

Each line of a document is read on its own (as the criteria parser reads items) by the
knowledge layer's finders (``trialkg.knowledge.mentions``): ``find_drug_mentions`` (with
spelling), ``find_class_mentions`` and ``find_cued_drug_mentions``. The ``parser`` figures
read the same lines through ``trialkg.criteria.rules.therapy.drug_mentions``, which adds
the criteria side's own class readings.

- recall: the share of LCT ``Drug`` spans that a mention overlaps. ``named`` leaves out
  the spans that name no drug or class at all ("drug", "medications", "study drug",
  "investigational agent": every word generic, ``_GENERIC``).
- precision: the share of mentions that overlap an LCT ``Drug`` span. LCT also annotates
  some drugs under other types (a "chemotherapy" as a ``Procedure``, a "contrast agent"
  as an ``Observation``), so the extras are counted by the type LCT gave their span
  (``none``: not annotated at all).
- identified: the share of drug mentions whose drug has a ChEMBL, DrugBank or UNII id;
  classes: the share of mentions that are drug-class mentions.

Run: ``python benchmarks/drug_mentions.py [--details lct60|tune|held_out] [--json]``
(``--details`` lists each missed span and each extra mention with the text of its line).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from criteria_eval import DEV300, LCT60, held_out  # noqa: E402

from trialkg.knowledge.lexicon import Lexicon  # noqa: E402
from trialkg.knowledge.mentions import (  # noqa: E402
    find_class_mentions,
    find_cued_drug_mentions,
    find_drug_mentions,
)

# Words of a Drug span that name no drug or class: a span of these only is "generic".
_GENERIC = frozenset("""
drug drugs medication medications medicine medicines agent agents therapy therapies treatment treatments
study investigational experimental trial any other new prior concomitant concurrent current regular
product products substance substances compound compounds regimen regimens dose doses the a an of or and
research unlicensed non-approved approved prescription prescribed standard care
""".split())
_TYPE = re.compile(r"^T\d+\t(?P<type>[A-Za-z-]+) (?P<spans>[\d ;]+)\t(?P<text>.*)$")


@dataclass
class Span:
    start: int
    end: int
    text: str
    kind: str = ""

    def overlaps(self, a: int, b: int) -> bool:
        return self.start < b and a < self.end


@dataclass
class Part:
    gold: int = 0
    gold_named: int = 0
    found: int = 0
    found_named: int = 0
    mentions: int = 0
    correct: int = 0
    drug_mentions: int = 0
    identified: int = 0
    class_mentions: int = 0
    extra_types: Counter = field(default_factory=Counter)
    misses: list = field(default_factory=list)
    extras: list = field(default_factory=list)

    def report(self) -> dict:
        def ratio(a: int, b: int) -> float:
            return round(a / b, 3) if b else 0.0

        return {
            "gold_spans": self.gold, "found": self.found, "recall": ratio(self.found, self.gold),
            "gold_named": self.gold_named, "found_named": self.found_named,
            "recall_named": ratio(self.found_named, self.gold_named),
            "mentions": self.mentions, "correct": self.correct, "precision": ratio(self.correct, self.mentions),
            "extras_by_lct_type": dict(self.extra_types.most_common()),
            "drug_mentions": self.drug_mentions, "identified": ratio(self.identified, self.drug_mentions),
            "class_share": ratio(self.class_mentions, self.mentions),
        }


def read_ann(path: Path) -> tuple[list[Span], list[Span]]:
    """(the Drug spans, every other entity span with its type) of one brat file."""
    drugs, others = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _TYPE.match(line)
        if not m:
            continue
        for frag in m.group("spans").split(";"):
            a, b = (int(x) for x in frag.split())
            span = Span(a, b, m.group("text"), m.group("type"))
            (drugs if span.kind == "Drug" else others).append(span)
    return drugs, others


def is_generic(text: str) -> bool:
    words = re.findall(r"[a-z]+", text.lower())
    return not words or all(w in _GENERIC for w in words)


def knowledge_mentions(line: str, lex: Lexicon) -> list[tuple[int, int, str, str | None, str | None]]:
    """(start, end, text, drug, class) of the knowledge layer's mentions in ``line``."""
    out = [(m.start, m.end, m.matched, m.drug, None) for m in find_drug_mentions(line, lex, spelling=True) if m.drug]
    out += [(m.start, m.end, m.matched, None, m.drug_class) for m in find_class_mentions(line, lex) if m.drug_class]
    taken = [(a, b) for a, b, *_ in out]
    out += [(m.start, m.end, m.matched, m.drug, None) for m in find_cued_drug_mentions(line, lex)
            if m.drug and not any(a < m.end and m.start < b for a, b in taken)]
    return _one_per_span(out)


def parser_mentions(line: str, lex: Lexicon) -> list[tuple[int, int, str, str | None, str | None]]:
    """The same through the criteria parser's ``drug_mentions``."""
    from trialkg.criteria.rules.therapy import drug_mentions

    (drugs, classes), _ok = drug_mentions(line)
    out = [(a, b, line[a:b], d, None) for d, a, b in drugs]
    out += [(a, b, line[a:b], None, c) for c, a, b in classes]
    return _one_per_span(out)


def _one_per_span(found: list) -> list:
    """One mention per span (a span naming two classes counts once)."""
    seen: dict[tuple[int, int], tuple] = {}
    for f in sorted(found, key=lambda x: (x[0], x[1])):
        seen.setdefault((f[0], f[1]), f)
    return list(seen.values())


def evaluate(directory: Path, part: str, finder, lex: Lexicon) -> Part:
    score = Part()
    ids: dict[str, bool] = {}
    for ann in sorted(directory.glob("*.ann")):
        doc = ann.stem
        if part != "all" and held_out(doc) != (part == "held_out"):
            continue
        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        gold, others = read_ann(ann)
        hits: set[int] = set()
        pos = 0
        for line in text.split("\n"):
            start, pos = pos, pos + len(line) + 1
            if not line.strip():
                continue
            for a, b, written, drug, cls in finder(line, lex):
                a, b = a + start, b + start
                score.mentions += 1
                if cls:
                    score.class_mentions += 1
                else:
                    score.drug_mentions += 1
                    if drug not in ids:
                        info = lex.drug(drug)
                        ids[drug] = bool(info is not None and info.linked)
                    score.identified += ids[drug]
                over = [i for i, g in enumerate(gold) if g.overlaps(a, b)]
                if over:
                    score.correct += 1
                    hits.update(over)
                    continue
                types = sorted({o.kind for o in others if o.overlaps(a, b) and not o.kind.endswith("-Name")})
                kind = types[0] if types else "none"
                score.extra_types[kind] += 1
                score.extras.append((doc, kind, written, drug or cls, line.strip()))
        for i, g in enumerate(gold):
            named = not is_generic(g.text)
            score.gold += 1
            score.gold_named += named
            if i in hits:
                score.found += 1
                score.found_named += named
            else:
                line = text[text.rfind("\n", 0, g.start) + 1: (text.find("\n", g.end) + 1 or len(text) + 1) - 1]
                score.misses.append((doc, "named" if named else "generic", g.text, line.strip()))
    return score


PARTS = {"lct60": (LCT60, "all"), "tune": (DEV300, "tune"), "held_out": (DEV300, "held_out")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--details", choices=sorted(PARTS))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    lex = Lexicon.default()
    results: dict[str, dict] = {}
    parts: dict[str, Part] = {}
    for name, (directory, part) in PARTS.items():
        parts[name] = evaluate(directory, part, knowledge_mentions, lex)
        results[name] = parts[name].report()
        results[name]["parser"] = evaluate(directory, part, parser_mentions, lex).report()
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for name, r in results.items():
            p = r["parser"]
            print(f"{name:9s} recall {r['found']}/{r['gold_spans']} = {r['recall']:.3f} "
                  f"(named {r['found_named']}/{r['gold_named']} = {r['recall_named']:.3f})  "
                  f"precision {r['correct']}/{r['mentions']} = {r['precision']:.3f}  "
                  f"identified {r['identified']:.3f} of {r['drug_mentions']} drug mentions  "
                  f"classes {r['class_share']:.3f}")
            print(f"{'':9s} parser: recall {p['recall']:.3f} (named {p['recall_named']:.3f})  "
                  f"precision {p['precision']:.3f}")
            print(f"{'':9s} extras by LCT type: {r['extras_by_lct_type']}")
    if args.details:
        part = parts[args.details]
        print(f"\nmisses ({len(part.misses)}):")
        for doc, named, written, line in part.misses:
            print(f"  {doc} [{named}] {written!r}  | {line[:200]}")
        print(f"\nextras ({len(part.extras)}):")
        for doc, kind, written, what, line in part.extras:
            print(f"  {doc} [{kind}] {written!r} -> {what}  | {line[:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
