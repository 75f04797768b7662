"""ISO 8601 durations (``P3M``, ``P8W``, ``P1DT12H``): one pattern, read once.

The criteria stage writes windows and exposures as ISO 8601 durations; the mapping
rewrites them into xsd:duration's lexical space (no weeks, a fraction only in
seconds) and the matcher counts them in days. Both read the components here. The
components are kept as written (``PT36H`` stays 36 hours), which is why this is a
pattern and not ``isodate``: isodate folds a duration into a ``timedelta``, so
``PT36H`` would come back as ``P1DT12H`` (docs/decisions/0015-iso-durations-pattern.md).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

# The calendar rule of the criteria stage (criteria/units.py): a month is 30 days, a year 365.
DAYS_PER_MONTH = 30
DAYS_PER_YEAR = 365

_NUM = r"\d+(?:\.\d+)?"
_DURATION = re.compile(
    rf"^(?P<sign>-)?P(?=\d|T\d)(?:(?P<Y>{_NUM})Y)?(?:(?P<M>{_NUM})M)?(?:(?P<W>{_NUM})W)?(?:(?P<D>{_NUM})D)?"
    rf"(?:T(?=\d)(?:(?P<H>{_NUM})H)?(?:(?P<TM>{_NUM})M)?(?:(?P<S>{_NUM})S)?)?$"
)


def components(text: Any) -> tuple[bool, dict[str, Decimal]] | None:
    """``(negative, {"Y", "M", "W", "D", "H", "TM", "S"} -> amount)`` or None if not a duration."""
    if not isinstance(text, str):
        return None
    m = _DURATION.match(text.strip())
    if m is None:
        return None
    parts = {k: Decimal(v) if v else Decimal(0) for k, v in m.groupdict().items() if k != "sign"}
    return bool(m.group("sign")), parts


def is_duration(value: Any) -> bool:
    return components(value) is not None


def duration_days(text: str | None) -> float | None:
    """Days in a (non-negative) duration by the calendar rule: 'P3M' -> 90, 'P8W' -> 56."""
    parsed = components(text)
    if parsed is None or parsed[0]:
        return None
    p = parsed[1]
    days = (p["Y"] * DAYS_PER_YEAR + p["M"] * DAYS_PER_MONTH + p["W"] * 7 + p["D"]
            + p["H"] / 24 + p["TM"] / 1440 + p["S"] / 86400)
    return float(days)


def xsd_duration(iso: str) -> str | None:
    """An ISO 8601 duration in xsd:duration's lexical space, or None when it has none.

    xsd:duration has no weeks and allows a fraction only in seconds, so 'P4W' becomes
    'P28D' and 'P1.5D' becomes 'P1DT12H'; 'P1.5Y' has no exact equivalent (None).
    """
    parsed = components(iso)
    if parsed is None:
        return None
    negative, p = parsed
    years, months = p["Y"], p["M"]
    if years % 1 or months % 1:
        return None
    days = p["D"] + 7 * p["W"]
    hours = p["H"] + 24 * (days % 1)
    minutes = p["TM"] + 60 * (hours % 1)
    seconds = p["S"] + 60 * (minutes % 1)
    out = "".join(f"{int(n)}{u}" for n, u in ((years, "Y"), (months, "M"), (int(days), "D")) if n)
    clock = "".join(f"{int(n)}{u}" for n, u in ((int(hours), "H"), (int(minutes), "M")) if n)
    if seconds:
        clock += f"{format(seconds.normalize(), 'f')}S"
    if clock:
        out += "T" + clock
    return f"{'-' if negative else ''}P{out or '0D'}"
