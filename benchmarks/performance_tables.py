"""The tables of docs/performance.md, from the figures ``bench_engine.py`` saved.

    python benchmarks/performance_tables.py                      # every size measured
    python benchmarks/performance_tables.py --sizes 1000 10000 100000 --extrapolate 550000

Reads ``benchmarks/out/engine-<size>.json`` (build, export, ``oxigraph load`` and the
stored queries of one ``bench_engine.py --sizes SIZE`` run), and, when present,
``queries-engine-store-<size>.json`` and ``oxserver-engine-store-<size>.json`` (the
queries again on the same store with ``--store``, ``--oxigraph-server``, ``--virtuoso``),
the later file winning. Prints one table per size: figure, target, the engine's
figure, the ratio, the verdict; then the extrapolation to ``--extrapolate`` trials
from the two largest sizes measured. CPU seconds are the figures judged (the machine
is shared; wall seconds are printed beside them).

A stored query's answer "grows with the store" when its rows grew at least 5x from the
smallest size measured to the largest: such an answer is judged by its first page
(it streams: ``--limit``/``--offset`` page it, ``--count`` counts it), and its whole
answer is given as CPU per row.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from bench_engine import TARGET_FIRST_S, TARGET_RSS, TARGET_WHOLE_S, ms, verdict

OUT = Path(__file__).resolve().parent / "out"
TARGET_RATIO, TARGET_BUILD_S = 0.9, 600.0
GROWS = 5.0


def load(size: int, out: Path = OUT) -> dict[str, Any] | None:
    """One size's figures: the bench run, with later query runs on its store over them."""
    path = out / f"engine-{size}.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    for name, key in ((f"queries-engine-store-{size}.json", "queries"), (f"oxserver-engine-store-{size}.json", None)):
        extra = out / name
        if extra.exists() and extra.stat().st_mtime >= path.stat().st_mtime:
            more = json.loads(extra.read_text())
            if key:
                data["queries"] = more.get("queries") or data.get("queries")
                data["virtuoso"] = more.get("virtuoso") or data.get("virtuoso")
            else:
                data["oxigraph_server"] = more
    return data


def _largest(build: dict[str, Any]) -> str:
    return f", {build['peak_one'] / 2**20:,.0f} MB (largest)" if build.get("peak_one") else ""


def build_table(size: int, b: dict[str, Any]) -> list[str]:
    build, oxload, export, dump = b["build"], b["oxigraph_load"], b["export"], b.get("dump")
    quads, trials = build["quads"], build["trials"]
    rate, engine_rate = quads / build["wall"], quads / oxload["wall"]
    budget = TARGET_BUILD_S * size / 100_000
    rows = [
        f"| build, plain `trialkg build` (wall) | {build['wall']:,.0f} s, {trials / build['wall']:,.0f} trials/s | "
        f"<= {budget:,.0f} s (100k in 10 min) | `oxigraph load` {oxload['wall']:,.0f} s | "
        f"{rate / engine_rate:.2f} (quads/s) | {verdict(rate / engine_rate >= TARGET_RATIO)} (>= 0.9), "
        f"{verdict(build['wall'] <= budget)} (time) |",
        f"| build CPU (process tree) | {build['cpu']:,.0f} s, {1000 * build['cpu'] / trials:.1f} ms/trial | | "
        f"{oxload['cpu']:,.0f} s, {1000 * oxload['cpu'] / trials:.1f} ms/trial | {build['cpu'] / oxload['cpu']:.2f} | |",
        f"| build peak RSS | {build['peak_tree'] / 2**20:,.0f} MB (tree){_largest(build)} | "
        f"<= 2,048 MB | {oxload['peak_one'] / 2**20:,.0f} MB | | {verdict(build['peak_tree'] <= TARGET_RSS)} |",
    ]
    if dump:
        rows.append(f"| export N-Quads (CPU / wall) | {export['cpu']:,.1f} s / {export['wall']:,.1f} s | raw dump's speed | "
                    f"raw dump {dump['cpu']:,.1f} s / {dump['wall']:,.1f} s | {export['cpu'] / dump['cpu']:.2f} (CPU) | "
                    f"{verdict(export['cpu'] <= 1.1 * dump['cpu'])} (within 10 %) |")
    else:
        rows.append(f"| export N-Quads (CPU / wall) | {export['cpu']:,.1f} s / {export['wall']:,.1f} s | raw dump's speed | "
                    f"raw dump not run at this size | | |")
    head = [f"### {size:,} trials: build, export ({quads:,} quads, {b['nquads_bytes'] / 1e9:,.2f} GB of N-Quads)", "",
            "| figure | trialkg | target | engine | ratio | verdict |", "| --- | --- | --- | --- | --- | --- |"]
    return head + rows


def grows(name: str, sizes: dict[int, dict[str, Any]]) -> bool:
    counts = [(s, d["queries"].get(name)) for s, d in sorted(sizes.items()) if d.get("queries")]
    counts = [(s, r["rows"]) for s, r in counts if r and r.get("rows") is not None]
    if len(counts) < 2:
        return False
    (s0, r0), (s1, r1) = counts[0], counts[-1]
    return r1 >= GROWS * max(r0, 1) and s1 > s0


def query_verdict(r: dict[str, Any], growing: bool, timeout: str) -> str:
    whole = r.get("whole_cpu")
    first_ok, whole_ok = r["first_cpu"] <= TARGET_FIRST_S, whole is not None and whole <= TARGET_WHOLE_S
    if first_ok and whole_ok:
        return "met"
    if first_ok and growing:
        per_row = f"{1e6 * whole / max(r['rows'], 1):,.0f} us/row" if whole is not None else f"over {timeout} whole"
        return f"first page met; the whole answer grows with the store ({per_row})"
    return "first page met; whole **missed**" if first_ok else "**missed**"


def _remote(v: Any) -> str:
    if v is None:
        return "-"
    return v if isinstance(v, str) else f"{ms(v['first'])} / {ms(v['whole'])}"


def query_table(size: int, data: dict[str, Any], sizes: dict[int, dict[str, Any]], timeout: str = "60 s") -> list[str]:
    served = (data.get("oxigraph_server") or {}).get("queries") or {}
    virtuoso = (data.get("virtuoso") or {}).get("queries") or {}
    cols = (["Oxigraph server first / whole (wall)"] if served else []) + (["Virtuoso first / whole (wall)"] if virtuoso else [])
    lines = [f"### {size:,} trials: stored queries", "",
             "| stored query | rows | first 100 CPU | whole CPU | raw pyoxigraph first / whole CPU | "
             "first / whole wall | verdict (100 ms / 1 s) |" + "".join(f" {c} |" for c in cols),
             "|" + " --- |" * (7 + len(cols))]
    for name, r in data["queries"].items():
        extra = "".join(f" {_remote(src.get(name))} |" for src in (served, virtuoso) if src)
        if r is None:
            lines.append(f"| {name} | | timed out | | | | **missed** |{extra}")
            continue
        rows = "" if r.get("rows") is None else f"{r['rows']:,}"
        whole = ms(r.get("whole_cpu")) if r.get("whole_cpu") is not None else f"> {timeout} (wall)"
        lines.append(f"| {name} | {rows} | {ms(r['first_cpu'])} | {whole} | "
                     f"{ms(r['first_raw_cpu'])} / {ms(r.get('whole_raw_cpu'))} | {ms(r['first'])} / {ms(r.get('whole'))} | "
                     f"{query_verdict(r, grows(name, sizes), timeout)} |{extra}")
    return lines


def _scale(small: float, large: float, ratio: float, steps: float) -> float:
    """``large`` grown as it grew from ``small`` over a ``ratio`` step, for ``steps`` more."""
    if small <= 0 or large <= 0:
        return large
    exponent = math.log(large / small) / math.log(ratio)
    return large * (steps ** max(exponent, 0.0))


def extrapolation(target: int, sizes: dict[int, dict[str, Any]]) -> list[str]:
    (s0, d0), (s1, d1) = sorted(sizes.items())[-2:]
    ratio, steps = s1 / s0, target / s1
    b0, b1 = d0["build"]["build"], d1["build"]["build"]
    lines = [f"### {target:,} trials: extrapolated from the measured {s0:,} and {s1:,}", "",
             "| figure | estimate | how |", "| --- | --- | --- |"]
    per_trial = b1["cpu"] / b1["trials"]
    lines.append(f"| build CPU | ~{per_trial * target / 3600:,.1f} h ({1000 * per_trial:.1f} ms/trial) | "
                 f"linear in trials from {s1:,} ({1000 * b0['cpu'] / b0['trials']:.1f} ms/trial at {s0:,}) |")
    lines.append(f"| build wall | ~{b1['wall'] * steps / 3600:,.1f} h | linear from {s1:,} on this machine |")
    oxl = d1["build"]["oxigraph_load"]
    lines.append(f"| `oxigraph load` of the same quads | ~{oxl['wall'] * steps / 3600:,.1f} h wall | linear from {s1:,} |")
    lines.append(f"| quads | ~{b1['quads'] * steps / 1e6:,.0f} M | linear |")
    lines.append(f"| N-Quads | ~{d1['build']['nquads_bytes'] * steps / 1e9:,.0f} GB | linear |")
    for name, r1 in d1.get("queries", {}).items():
        r0 = d0.get("queries", {}).get(name)
        if not r0 or not r1:
            continue
        first = _scale(r0["first_cpu"], r1["first_cpu"], ratio, steps)
        whole = "-"
        if r0.get("whole_cpu") is not None and r1.get("whole_cpu") is not None:
            whole = "~" + ms(_scale(r0["whole_cpu"], r1["whole_cpu"], ratio, steps))
        lines.append(f"| {name}: first 100 / whole CPU | ~{ms(first)} / {whole} | "
                     f"grown as from {s0:,} to {s1:,} ({ms(r0['first_cpu'])} -> {ms(r1['first_cpu'])} first) |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--extrapolate", type=int, default=550_000)
    ap.add_argument("--out", type=Path, default=OUT, help="where bench_engine.py saved its figures")
    args = ap.parse_args()
    sizes = {s: d for s in args.sizes if (d := load(s, args.out))}
    for size, data in sorted(sizes.items()):
        print("\n".join(build_table(size, data["build"])), end="\n\n")
        if data.get("queries"):
            print("\n".join(query_table(size, data, sizes)), end="\n\n")
    if len(sizes) >= 2:
        print("\n".join(extrapolation(args.extrapolate, sizes)))


if __name__ == "__main__":
    main()
