"""Dump what the build makes of a fixed input, canonically, to compare two checkouts byte for byte.

Per record, in input order: its trial graph and entity facts as sorted N-Triples lines,
its warnings and its parsed criteria (JSON with sorted keys), from
``trialkg.pipeline.process_record``; with ``--store``, then every quad of a store built
by ``trialkg.pipeline.build`` from the same input (sorted N-Quads, blank nodes unlabelled: the reference graph,
the ontology, the loader path). The input is the vendored corpus
(tests/data/ctgov_corpus), the seeds and ``--generated`` trials of
``benchmarks/generate.py`` (seed 7, cached in benchmarks/out/).

    PYTHONPATH=../other/src python benchmarks/identical_output.py -o /tmp/a.txt --store
    PYTHONPATH=src python benchmarks/identical_output.py -o /tmp/b.txt --store
    cmp /tmp/a.txt /tmp/b.txt

The ``trialkg`` imported is the one on PYTHONPATH, so the same script dumps either
checkout. It prints the dump's SHA-256 and never judges.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import pyoxigraph as ox  # noqa: E402

from trialkg import pipeline  # noqa: E402
from trialkg.errors import TrialKGError  # noqa: E402
from trialkg.sources import iter_records  # noqa: E402


def inputs(generated: int) -> list[str]:
    paths = [str(ROOT / "tests" / "data" / "ctgov_corpus"), str(ROOT / "seeds")]
    if generated:
        import generate

        out = HERE / "out" / f"identical-{generated}.zip"
        if not out.exists():
            out.parent.mkdir(parents=True, exist_ok=True)
            generate.write_zip(out, generated, seed=7)
        paths.append(str(out))
    return paths


def record_lines(paths: list[str]) -> list[bytes]:
    lines: list[bytes] = []
    for rec in iter_records(paths):
        if isinstance(rec, TrialKGError):
            lines.append(f"## rejected {rec}\n".encode())
            continue
        try:
            mapped = pipeline.process_record(rec)
        except Exception as exc:  # noqa: BLE001 - a failure is part of the output
            lines.append(f"## failed {rec.id}: {type(exc).__name__}: {exc}\n".encode())
            continue
        lines.append(f"## trial {mapped.trial_id} {mapped.file} {mapped.last_update}\n".encode())
        lines.extend(sorted(mapped.ntriples.splitlines(keepends=True)))
        lines.append(b"## entities\n")
        lines.extend(sorted(mapped.entities))
        lines.append(b"## warnings\n")
        lines.extend(f"{w}\n".encode() for w in mapped.warnings)
        lines.append(b"## criteria\n")
        lines.append(json.dumps(rec.eligibility.criteria, sort_keys=True, ensure_ascii=False).encode() + b"\n")
    return lines


_BLANK = re.compile(rb"_:[0-9A-Za-z]+")


def store_lines(paths: list[str]) -> list[bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        summary = pipeline.build(paths, Path(tmp) / "store", jobs=1, quiet=True)
        head = json.dumps({k: v for k, v in summary.to_dict().items() if k != "store"}, sort_keys=True)
        store = ox.Store.read_only(str(Path(tmp) / "store"))
        quads = store.dump(format=ox.RdfFormat.N_QUADS)
    # blank node labels (the ontology's) differ from load to load: one label for all
    lines = (_BLANK.sub(b"_:b", line) for line in quads.splitlines(keepends=True))
    return [b"## store\n", head.encode() + b"\n", *sorted(lines)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--out", required=True, type=Path)
    ap.add_argument("--generated", type=int, default=300, help="generated trials in the input (0: none)")
    ap.add_argument("--store", action="store_true", help="also every quad of a store built from the input")
    args = ap.parse_args()
    paths = inputs(args.generated)
    lines = record_lines(paths)
    if args.store:
        lines += store_lines(paths)
    data = b"".join(lines)
    args.out.write_bytes(data)
    print(f"{args.out}: {len(lines)} lines, sha256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main()
