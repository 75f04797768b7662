"""Registry dates and ages, parsed without inventing precision.

"June 1, 2019" is the day 2019-06-01, "June 2019" stays the month 2019-06 and "2019"
the year. An impossible date (2019-02-30) or unreadable text becomes a warning on the
record and no value: a bad date never stops a record from being read.
"""

from __future__ import annotations

import calendar
import re

from trialkg.records import PartialDate, TrialRecord

_MONTHS: dict[str, int] = {}
for _i in range(1, 13):
    _MONTHS[calendar.month_name[_i].lower()] = _i
    _MONTHS[calendar.month_abbr[_i].lower()] = _i
_MONTHS["sept"] = 9

_ISO = re.compile(r"^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?$", re.ASCII)
_MDY = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$", re.ASCII)
_DMY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})$", re.ASCII)
_MY = re.compile(r"^([A-Za-z]+)\.?,?\s+(\d{4})$", re.ASCII)


class DateProblem(ValueError):
    """Text that looks like a date but is not one (unreadable or impossible)."""


def parse_date_text(text: str) -> tuple[str, str]:
    """``(iso, precision)`` for a registry date; raises DateProblem when it is not one."""
    s = " ".join(text.strip().split())
    year: int
    month: int | None = None
    day: int | None = None
    if m := _ISO.match(s):
        year = int(m.group(1))
        month = int(m.group(2)) if m.group(2) else None
        day = int(m.group(3)) if m.group(3) else None
    elif m := _MDY.match(s):
        month = _month(m.group(1), text)
        day, year = int(m.group(2)), int(m.group(3))
    elif m := _DMY.match(s):
        day, month, year = int(m.group(1)), _month(m.group(2), text), int(m.group(3))
    elif m := _MY.match(s):
        month, year = _month(m.group(1), text), int(m.group(2))
    else:
        raise DateProblem(f"not a date: {text!r}")
    if not 1000 <= year <= 9999:
        raise DateProblem(f"year out of range in {text!r}")
    if month is None:
        return f"{year:04d}", "year"
    if not 1 <= month <= 12:
        raise DateProblem(f"impossible month in {text!r}")
    if day is None:
        return f"{year:04d}-{month:02d}", "month"
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise DateProblem(f"impossible date {text!r}")
    return f"{year:04d}-{month:02d}-{day:02d}", "day"


def _month(name: str, text: str) -> int:
    try:
        return _MONTHS[name.lower()]
    except KeyError:
        raise DateProblem(f"unknown month {name!r} in {text!r}") from None


def parse_date(
    text: str | None,
    *,
    date_type: str | None = None,
    record: TrialRecord | None = None,
    field: str = "date",
) -> PartialDate | None:
    """A ``PartialDate`` keeping the precision written; a bad date warns and gives None."""
    if text is None or not str(text).strip():
        return None
    try:
        value, precision = parse_date_text(str(text))
    except DateProblem as exc:
        if record is not None:
            record.warn(field, str(exc), code="bad-date")
        return None
    return PartialDate(value=value, precision=precision, type=date_type)  # type: ignore[arg-type]


_AGE = re.compile(
    r"^\s*(\d{1,6}(?:\.\d{1,6})?)\s*(years?|yrs?|months?|weeks?|days?|hours?|minutes?)?\s*(?:old)?\s*$",
    re.IGNORECASE | re.ASCII,
)
_UNIT_YEARS = {"year": 1.0, "yr": 1.0, "month": 1 / 12, "week": 7 / 365.25, "day": 1 / 365.25,
               "hour": 1 / 8766, "minute": 1 / 525960}


def parse_age(
    text: str | None, *, record: TrialRecord | None = None, field: str = "age"
) -> float | None:
    """Years as a number: "18 Years" -> 18.0, "6 Months" -> 0.5; "N/A" -> None."""
    if text is None:
        return None
    s = str(text).strip()
    if not s or s.upper() in ("N/A", "NA", "NONE", "NO LIMIT"):
        return None
    m = _AGE.match(s)
    if not m:
        if record is not None:
            record.warn(field, f"cannot read age {s!r}", code="bad-age")
        return None
    unit = (m.group(2) or "years").lower().rstrip("s")
    years = float(m.group(1)) * _UNIT_YEARS[unit]
    return round(years, 4) if years != int(years) else float(int(years))
