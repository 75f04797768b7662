"""Well-formed literals of the XSD datatypes, for ``sh:datatype``.

SHACL: a value conforms to ``sh:datatype D`` when it is a literal of datatype D whose
lexical form is in D's lexical space ("c"^^xsd:byte and "300"^^xsd:byte do not). The
table below gives every built-in XSD datatype (XSD 1.1 part 2, section 3) its lexical
pattern, and the bounded integer types their range; the date and time types are
also checked for real calendar values ("2020-02-30"^^xsd:date is ill-formed).

Two ways to use it: ``well_formed`` (Python, on a literal as the data wrote it) and
``sparql_condition`` (a SPARQL expression for the compiled queries over the store).

The store (pyoxigraph) rewrites some literals when it loads them: a valid
"5"^^xsd:int is kept as "5"^^xsd:integer, "4.0"^^xsd:decimal as "4". Datatypes whose
valid literals change datatype on load (``STORE_REWRITTEN``, found by loading one
sample of each) cannot be checked with ``sh:datatype`` on the store.
"""

from __future__ import annotations

import datetime
import functools
import re

import pyoxigraph as ox
import rdflib
from rdflib import RDF, RDFS, XSD, Literal, URIRef

_INT = r"[+-]?[0-9]+"
_TZ = r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_YEAR = r"-?([1-9][0-9]{3,}|0[0-9]{3})"
_TIME = r"(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|(24:00:00(\.0+)?))"
_DURATION = (r"-?P((([0-9]+Y([0-9]+M)?([0-9]+D)?|([0-9]+M)([0-9]+D)?|([0-9]+D))"
             r"(T(([0-9]+H)([0-9]+M)?([0-9]+(\.[0-9]+)?S)?|([0-9]+M)([0-9]+(\.[0-9]+)?S)?"
             r"|([0-9]+(\.[0-9]+)?S)))?)|(T(([0-9]+H)([0-9]+M)?([0-9]+(\.[0-9]+)?S)?"
             r"|([0-9]+M)([0-9]+(\.[0-9]+)?S)?|([0-9]+(\.[0-9]+)?S))))")
_NAME_START = r"A-Za-z_:\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F"
_NAME_CHAR = _NAME_START + r"\-.0-9\u00B7\u0300-\u036F\u203F-\u2040"
_NCNAME = f"[{_NAME_START.replace(':', '')}][{_NAME_CHAR.replace(':', '')}]*"
_NAME = f"[{_NAME_START}][{_NAME_CHAR}]*"
_NMTOKEN = f"[{_NAME_CHAR}]+"

# Lexical patterns (anchored when used). Strings: anything without the characters
# XML excludes; normalizedString has no line breaks or tabs; token no edge or double spaces.
PATTERNS: dict[URIRef, str] = {
    XSD.string: r"[^\x00-\x08\x0B\x0C\x0E-\x1F]*",
    XSD.normalizedString: r"[^\x00-\x1F]*",
    XSD.token: r"([^\s\x00-\x1F]+( [^\s\x00-\x1F]+)*)?",
    XSD.language: r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*",
    XSD.NMTOKEN: _NMTOKEN,
    XSD.NMTOKENS: f"{_NMTOKEN}( {_NMTOKEN})*",
    XSD.Name: _NAME,
    XSD.NCName: _NCNAME,
    XSD.ID: _NCNAME,
    XSD.IDREF: _NCNAME,
    XSD.IDREFS: f"{_NCNAME}( {_NCNAME})*",
    XSD.ENTITY: _NCNAME,
    XSD.ENTITIES: f"{_NCNAME}( {_NCNAME})*",
    XSD.QName: f"({_NCNAME}:)?{_NCNAME}",
    XSD.NOTATION: f"({_NCNAME}:)?{_NCNAME}",
    XSD.anyURI: r"[^\s<>\"{}|\\^`]*",
    XSD.boolean: r"true|false|1|0",
    XSD.decimal: r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)",
    XSD.float: r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN",
    XSD.double: r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN",
    XSD.duration: _DURATION,
    XSD.yearMonthDuration: r"-?P([0-9]+Y([0-9]+M)?|[0-9]+M)",
    XSD.dayTimeDuration: (r"-?P(([0-9]+D)(T(([0-9]+H)([0-9]+M)?([0-9]+(\.[0-9]+)?S)?|([0-9]+M)([0-9]+(\.[0-9]+)?S)?"
                          r"|([0-9]+(\.[0-9]+)?S)))?|T(([0-9]+H)([0-9]+M)?([0-9]+(\.[0-9]+)?S)?"
                          r"|([0-9]+M)([0-9]+(\.[0-9]+)?S)?|([0-9]+(\.[0-9]+)?S)))"),
    XSD.dateTime: f"{_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T{_TIME}{_TZ}",
    XSD.dateTimeStamp: f"{_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T{_TIME}(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))",
    XSD.time: f"{_TIME}{_TZ}",
    XSD.date: f"{_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]){_TZ}",
    XSD.gYearMonth: f"{_YEAR}-(0[1-9]|1[0-2]){_TZ}",
    XSD.gYear: f"{_YEAR}{_TZ}",
    XSD.gMonthDay: f"--(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]){_TZ}",
    XSD.gDay: f"---(0[1-9]|[12][0-9]|3[01]){_TZ}",
    XSD.gMonth: f"--(0[1-9]|1[0-2]){_TZ}",
    XSD.hexBinary: r"([0-9a-fA-F]{2})*",
    XSD.base64Binary: (r"((([A-Za-z0-9+/] ?){4})*(([A-Za-z0-9+/] ?){3}[A-Za-z0-9+/]|([A-Za-z0-9+/] ?){2}"
                       r"[AEIMQUYcgkosw048] ?=|[A-Za-z0-9+/] ?[AQgw] ?= ?=))?"),
    XSD.integer: _INT,
}
# The integer types: the pattern of xsd:integer and a range (None: unbounded).
INTEGER_RANGES: dict[URIRef, tuple[int | None, int | None]] = {
    XSD.integer: (None, None),
    XSD.nonPositiveInteger: (None, 0),
    XSD.negativeInteger: (None, -1),
    XSD.nonNegativeInteger: (0, None),
    XSD.positiveInteger: (1, None),
    XSD.long: (-2**63, 2**63 - 1),
    XSD.int: (-2**31, 2**31 - 1),
    XSD.short: (-2**15, 2**15 - 1),
    XSD.byte: (-128, 127),
    XSD.unsignedLong: (0, 2**64 - 1),
    XSD.unsignedInt: (0, 2**32 - 1),
    XSD.unsignedShort: (0, 2**16 - 1),
    XSD.unsignedByte: (0, 255),
}
for _dt in INTEGER_RANGES:
    PATTERNS.setdefault(_dt, _INT)
# Types whose lexical pattern admits impossible calendar values (February 30th).
_CALENDAR = {XSD.date: "%Y-%m-%d", XSD.dateTime: "%Y-%m-%d", XSD.dateTimeStamp: "%Y-%m-%d"}
# Sample valid lexical forms, to find which datatypes the store rewrites on load.
_SAMPLES = {XSD.boolean: "true", XSD.decimal: "1.5", XSD.float: "1.5", XSD.double: "1.5",
            XSD.duration: "P1D", XSD.yearMonthDuration: "P1Y", XSD.dayTimeDuration: "P1D",
            XSD.dateTime: "2020-01-01T00:00:00", XSD.dateTimeStamp: "2020-01-01T00:00:00Z",
            XSD.time: "10:00:00", XSD.date: "2020-01-01", XSD.gYearMonth: "2020-01", XSD.gYear: "2020",
            XSD.gMonthDay: "--01-01", XSD.gDay: "---01", XSD.gMonth: "--01", XSD.hexBinary: "0F",
            XSD.base64Binary: "AA==", XSD.anyURI: "http://example.org/", XSD.language: "en",
            XSD.QName: "a", XSD.NOTATION: "a"}


def is_xsd(datatype: URIRef) -> bool:
    return datatype in PATTERNS


def well_formed(lexical: str, datatype: URIRef) -> bool:
    """True when ``lexical`` is in the lexical (and value) space of the XSD ``datatype``."""
    pattern = PATTERNS.get(datatype)
    if pattern is None:
        return True  # not an XSD datatype: any lexical form (SHACL checks the datatype IRI only)
    if not re.fullmatch(pattern, lexical):
        return False
    if datatype in INTEGER_RANGES:
        low, high = INTEGER_RANGES[datatype]
        n = int(lexical)
        return (low is None or n >= low) and (high is None or n <= high)
    if datatype in _CALENDAR:
        date = re.match(r"-?(\d+)-(\d\d)-(\d\d)", lexical)
        assert date is not None
        year, month, day = (int(g) for g in date.groups())
        try:
            datetime.date(max(1, min(year, 9999)), month, day)
        except ValueError:
            return False
    return True


def conforms_to_datatype(term: rdflib.term.Node, datatype: URIRef) -> bool:
    """SHACL sh:datatype on one value node as the data wrote it."""
    if not isinstance(term, Literal):
        return False
    if datatype == RDFS.Literal:
        return True
    if datatype == RDF.langString:
        return bool(term.language)
    actual = term.datatype or (RDF.langString if term.language else XSD.string)
    return actual == datatype and well_formed(str(term), datatype)


@functools.lru_cache(maxsize=1)
def store_rewritten() -> frozenset[URIRef]:
    """The datatypes whose valid literals the store keeps under another datatype."""
    samples = []
    for dt in PATTERNS:
        low_high = INTEGER_RANGES.get(dt)
        negative = low_high is not None and low_high[1] is not None and low_high[1] <= 0
        samples.append((dt, _SAMPLES.get(dt, ("-5" if negative else "5") if low_high else "a")))
    store = ox.Store()
    store.extend(ox.Quad(ox.NamedNode(f"urn:x-sample:{i}"), ox.NamedNode("urn:x-sample:p"),
                         ox.Literal(lexical, datatype=ox.NamedNode(str(dt))))
                 for i, (dt, lexical) in enumerate(samples))
    out = set()
    for quad in store:
        dt = samples[int(quad.subject.value.rsplit(":", 1)[1])][0]
        if quad.object.datatype.value != str(dt):
            out.add(dt)
    return frozenset(out)


def sparql_condition(datatype: URIRef, v: str) -> str:
    """A SPARQL expression, true when the stored value ``v`` is a well-formed ``datatype`` literal."""
    if datatype == RDFS.Literal:
        return f"isLiteral({v})"
    if datatype == RDF.langString:
        return f"(isLiteral({v}) && lang({v}) != \"\")"
    ok = f"(isLiteral({v}) && datatype({v}) = <{datatype}>"
    if datatype in _CASTABLE:
        # The store's XPath casts check the value space too (February 30th does not cast).
        ok += f" && isLiteral(COALESCE(<{datatype}>(STR({v})), <urn:x-trialkg:ill-typed>))"
    elif datatype == XSD.string:
        ok += f" && !regex(STR({v}), {_STRING_EXCLUDED})"  # cheaper than the anchored full pattern
    elif datatype in PATTERNS:
        ok += f" && regex(STR({v}), {Literal('^(' + PATTERNS[datatype] + ')$').n3()})"
    if datatype in INTEGER_RANGES:
        low, high = INTEGER_RANGES[datatype]
        if low is not None:
            ok += f" && COALESCE(<{XSD.integer}>(STR({v})) >= {low}, false)"
        if high is not None:
            ok += f" && COALESCE(<{XSD.integer}>(STR({v})) <= {high}, false)"
    return ok + ")"


# The characters no xsd:string may hold (XML 1.0 Char excludes them).
_STRING_EXCLUDED = r'"[\u0000-\u0008\u000B\u000C\u000E-\u001F]"'
# Datatypes whose lexical forms the store can cast from the string (XPath constructor functions).
_CASTABLE = {XSD.integer, XSD.decimal, XSD.boolean, XSD.double, XSD.float, XSD.date,
             XSD.dateTime, XSD.time, XSD.duration, XSD.dayTimeDuration,
             XSD.yearMonthDuration, XSD.gYear, XSD.gYearMonth, XSD.gMonthDay,
             XSD.gDay, XSD.gMonth}
