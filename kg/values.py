"""Value types: clean a raw value and choose its RDF datatype in one place.

>>> iso_date("December 2017")
'2017-12'
>>> iso_date("Jan. 17, 2019")
'2019-01-17'
>>> iso_date("fiscal year 2020")
'2020'
>>> parse_money("$1.5M")
Decimal('1500000')
>>> parse_money("a $350,000 contract")
Decimal('350000')
"""

import re
from decimal import Decimal, InvalidOperation

from pyoxigraph import Literal
from rdflib.namespace import XSD

from kg.terms import node

MONTHS = {
    name: index
    for index, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_ISO = re.compile(r"\b(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?\b")
_MONTH_DAY_YEAR = re.compile(
    rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.IGNORECASE
)
_MONTH_YEAR = re.compile(rf"\b({_MONTH_RE})\.?,?\s+(?:of\s+)?(\d{{4}})\b", re.IGNORECASE)
_FISCAL = re.compile(r"\b(?:fiscal(?:\s+year)?|FY)\s*'?(\d{4}|\d{2})\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")

_MONEY = re.compile(
    r"\$\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*"
    r"(million|billion|thousand|mn|bn|[mbk])?\b",
    re.IGNORECASE,
)
_SCALE = {
    "thousand": 1_000, "k": 1_000,
    "million": 1_000_000, "mn": 1_000_000, "m": 1_000_000,
    "billion": 1_000_000_000, "bn": 1_000_000_000, "b": 1_000_000_000,
}

_DATATYPES = {
    10: node(XSD.date),
    7: node(XSD.gYearMonth),
    4: node(XSD.gYear),
}


def iso_date(text: str) -> str | None:
    """The most precise ISO date (YYYY-MM-DD, YYYY-MM or YYYY) written in ``text``."""
    if match := _MONTH_DAY_YEAR.search(text):
        month = MONTHS[match.group(1).lower()]
        return f"{match.group(3)}-{month:02d}-{int(match.group(2)):02d}"
    if match := _MONTH_YEAR.search(text):
        return f"{match.group(2)}-{MONTHS[match.group(1).lower()]:02d}"
    if match := _FISCAL.search(text):
        year = match.group(1)
        return year if len(year) == 4 else f"20{year}"
    if match := _ISO.search(text):
        return "-".join(part for part in match.groups() if part)
    if match := _YEAR.search(text):
        return match.group(1)
    return None


def date_literal(value: str) -> Literal | None:
    """An xsd:date, xsd:gYearMonth or xsd:gYear literal for an ISO (partial) date."""
    cleaned = value.strip()
    if not _ISO.fullmatch(cleaned):
        return None
    return Literal(cleaned, datatype=_DATATYPES[len(cleaned)])


def parse_money(text: str) -> Decimal | None:
    """The first dollar amount written in ``text``, scaled ("$1.5M" is 1,500,000)."""
    match = _MONEY.search(text)
    if not match:
        return None
    whole, fraction, scale = match.groups()
    try:
        amount = Decimal(whole.replace(",", "") + ("." + fraction if fraction else ""))
    except InvalidOperation:
        return None
    if scale:
        amount *= _SCALE[scale.lower()]
    return amount.quantize(Decimal(1)) if amount == amount.to_integral() else amount
