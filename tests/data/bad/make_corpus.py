"""Regenerate the generated members of the bad-input corpus from the real records.

Each file is cut from a real record in ``tests/data/ctgov/`` and broken in one way;
the name says what it was cut from. Run from the repository root:

    python tests/data/bad/make_corpus.py

The big inputs (a 1 MB eligibility text, 5,000 sites) are not committed: the tests
generate them from the same real records.
"""

from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CTGOV = HERE.parent / "ctgov"


def _study() -> dict:
    return json.loads((CTGOV / "NCT06382129.json").read_text(encoding="utf-8"))


def _page() -> dict:
    return json.loads((CTGOV / "search_keytruda_limit3_20260811.json").read_text(encoding="utf-8"))


def main() -> None:
    page = _page()
    # JSON of the wrong shape: the second study of the page is a bare list of strings.
    wrong = copy.deepcopy(page)
    wrong["studies"][1] = ["NCT03590054", "not a study object"]
    (HERE / "wrong_shape_search_page_keytruda.json").write_text(json.dumps(wrong, indent=1), encoding="utf-8")

    # JSON lines, one study per line; the middle line is cut short (a torn download).
    lines = [json.dumps(s, separators=(",", ":")) for s in page["studies"]]
    lines[1] = lines[1][: len(lines[1]) // 2]
    (HERE / "broken_line_keytruda.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    # A zip whose second member is corrupted inside its compressed data (CRC fails).
    good = json.dumps(page["studies"][0]).encode()
    other = json.dumps(page["studies"][2]).encode()
    path = HERE / "broken_member_keytruda.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("NCT05431270.json", good)
        zf.writestr("NCT04795661.json", other)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("NCT04795661.json")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 40, start + 60):  # flip bytes in the middle of the deflate stream
        raw[i] ^= 0xFF
    path.write_bytes(bytes(raw))

    # A zip bomb: 1 GiB of spaces inside a JSON member, bzip2-packed to a few hundred
    # bytes, next to one real study.
    bomb = HERE / "zip_bomb_NCT06382129.zip"
    study = json.dumps(_study()).encode()
    with zipfile.ZipFile(bomb, "w") as zf:
        zf.writestr("NCT06382129.json", study, compress_type=zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo("bomb.json")
        info.compress_type = zipfile.ZIP_BZIP2
        with zf.open(info, "w", force_zip64=True) as fh:
            fh.write(b"{")
            chunk = b" " * (1 << 20)
            for _ in range(1024):
                fh.write(chunk)
            fh.write(b"}")

    # Not UTF-8: the study re-encoded as Latin-1 (its title gets an accented letter).
    s = _study()
    s["protocolSection"]["identificationModule"]["briefTitle"] += " (étude)"
    (HERE / "latin1_NCT06382129.json").write_bytes(json.dumps(s, ensure_ascii=False, indent=1).encode("latin-1", errors="replace"))

    # Enumeration values no table knows (e.g. from a later API version): kept, warned.
    s = _study()
    s["protocolSection"]["statusModule"]["overallStatus"] = "PAUSED_FOR_REVIEW"
    s["protocolSection"]["designModule"]["phases"] = ["PHASE3", "PHASE5"]
    (HERE / "unknown_enums_NCT06382129.json").write_text(json.dumps(s, indent=1), encoding="utf-8")

    # An impossible date and partial (month, year) dates.
    s = _study()
    st = s["protocolSection"]["statusModule"]
    st["startDateStruct"] = {"date": "2019-02-30", "type": "ACTUAL"}
    st["primaryCompletionDateStruct"] = {"date": "2025", "type": "ESTIMATED"}
    st["completionDateStruct"] = {"date": "2026-12", "type": "ESTIMATED"}
    (HERE / "bad_dates_NCT06382129.json").write_text(json.dumps(s, indent=1), encoding="utf-8")

    # A negative enrollment count.
    s = _study()
    s["protocolSection"]["designModule"]["enrollmentInfo"] = {"count": -698, "type": "ESTIMATED"}
    (HERE / "negative_enrollment_NCT06382129.json").write_text(json.dumps(s, indent=1), encoding="utf-8")

    # The same NCT id as tests/data/ctgov/NCT06382129.json, with another title.
    s = _study()
    s["protocolSection"]["identificationModule"]["briefTitle"] = "Duplicate of NCT06382129 with a revised title"
    (HERE / "duplicate_NCT06382129.json").write_text(json.dumps(s, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
