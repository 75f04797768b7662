"""Performance status (``PerformanceStatusConstraint``): ECOG and Karnofsky, each read
through the other when the patient file gives only one (``ECOG_TO_KARNOFSKY``); a
verdict only when every candidate value agrees."""

from __future__ import annotations

from trialkg.match.decide.context import Context, cmp_text
from trialkg.match.graph import Constraint, Criterion
from trialkg.match.logic import TV, Statement, compare, tv_word
from trialkg.match.patient import ECOG_TO_KARNOFSKY, Patient


def performance(k: Constraint, ctx: Context, wants_true: bool = True, crit: Criterion | None = None) -> Statement:
    scale = str(k.one("variable") or "ecog").lower()
    found = _candidates(ctx.patient, scale)
    if found is None:
        return Statement(None, "Karnofsky and ECOG unknown" if scale in ("karnofsky", "lansky") else "ECOG unknown")
    candidates, shown = found
    allowed = {int(v) for v in k.all("allowedValue") if v is not None}
    if allowed:
        results = {c in allowed for c in candidates}
        rule = f"allowed {{{', '.join(map(str, sorted(allowed)))}}}"
    elif k.one("comparator"):
        results = {compare(c, k.one("comparator"), k.num("value"), k.num("value2")) for c in candidates}
        rule = cmp_text(k)
    else:
        return Statement(None, f"{scale}: no allowed values in the graph")
    v: TV = results.pop() if len(results) == 1 else None
    return Statement(v, f"{shown} {rule}: {tv_word(v)}")


def _candidates(p: Patient, scale: str) -> tuple[set[int], str] | None:
    """The patient's possible values on ``scale`` and how to show them."""
    if scale == "lansky":
        # the Lansky play-performance scale is the children's Karnofsky, on the same
        # 0-100 steps: a patient file gives it as its Karnofsky score
        found = _candidates(p, "karnofsky")
        return None if found is None else (found[0], f"{found[1]} (as Lansky)")
    if scale == "karnofsky":
        if p.karnofsky is not None:
            return {p.karnofsky}, f"Karnofsky {p.karnofsky}"
        if p.ecog is not None:
            ks = set(ECOG_TO_KARNOFSKY[p.ecog])
            return ks, f"ECOG {p.ecog} (Karnofsky {'/'.join(map(str, sorted(ks)))})"
        return None
    if p.ecog is not None:
        return {p.ecog}, f"ECOG {p.ecog}"
    if p.karnofsky is not None:
        es = {e for e, ks in ECOG_TO_KARNOFSKY.items() if p.karnofsky in ks}
        return es, f"Karnofsky {p.karnofsky} (ECOG {'/'.join(map(str, sorted(es)))})"
    return None
