"""Cleaning award-record values: dates in any order a spreadsheet left them, money, flags.

Shared by the record loaders. A value that cannot be read raises ``RowRejected``
naming the field, so the loader quarantines that row and goes on.

>>> dates = DateReader("mdy")
>>> dates.read("12/22/17", "award_base_action_date"), dates.read("2022-09-30 00:00:00", "x")
('2017-12-22', '2022-09-30')
>>> DateReader("dmy").read("25/07/13 00:00", "x"), DateReader("dmy").read("25/07/2013", "x")
('2013-07-25', '2013-07-25')
>>> read_amount("-54,495.10", "total_obligated_amount"), read_amount("($1,200.00)", "x")
(Decimal('-54495.10'), Decimal('-1200.00'))
>>> [dates.read(d, "x") for d in ("15-Jan-19", "Jan 15, 2019", "43480", "20190115")]
['2019-01-15', '2019-01-15', '2019-01-15', '2019-01-15']
>>> guess_date_order(["5/10/23", "12/22/17"]), guess_date_order(["25/07/2013"])
('mdy', 'dmy')
>>> guess_date_order(["1/2/2013"]) is None
True
"""

import re
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from kg.records import RowError, RowRejected

MISSING = frozenset({"", "NAN", "nan", "NaN", "NULL", "null", "None"})
TRUE = frozenset({"t", "true", "T", "TRUE", "True", "Y", "y", "1", "YES", "yes"})
MAX_AMOUNT_DIGITS = 15  # 10^15 USD: more than any award
MIN_AMOUNT_EXPONENT = -12
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SLASH = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?!\d)")
# what a spreadsheet makes of a date: 15-Jan-19, 15 January 2019, Jan 15, 2019, the serial
# day number of a cell formatted "General" (43480), and 20190115
_DAY_MONTH = re.compile(r"(\d{1,2})[-\s]([A-Za-z]{3,9})\.?[-\s,]+(\d{4}|\d{2})(?!\d)")
_MONTH_DAY = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})(?!\d)")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"(\d{5})(?:\.\d+)?$")
_MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    start=1)}
_EXCEL_EPOCH = date(1899, 12, 30)
_CODE = re.compile(r"""['"]code['"]\s*:\s*['"]?([^'",}]*)""")


def clean(value: str | None) -> str:
    """Stripped text, with pandas' "NAN" and friends read as missing."""
    if value is None:
        return ""
    text = value.strip()
    return "" if text in MISSING else text


def read_amount(text: str, field: str) -> Decimal:
    """A dollar amount ("$1,234.50", "-54495", a spreadsheet's "($1,200.00)" for a
    negative); RowRejected if it is not a number or not a plausible amount of money.

    "1e999999999" is a finite Decimal of a dozen bytes whose xsd:decimal text is
    a billion digits (and two such amounts overflow when summed); 10^15 USD or
    more, or finer than 10^-12, is not a record of money.
    """
    number = text.replace(",", "").replace("$", "").strip()
    if number.startswith("(") and number.endswith(")"):
        number = "-" + number[1:-1]
    try:
        amount = Decimal(number)
    except InvalidOperation:
        raise RowRejected(RowError(field, "not a number", text)) from None
    if not amount.is_finite():
        raise RowRejected(RowError(field, "not a number", text))
    exponent = amount.as_tuple().exponent  # finite, so an int
    if amount.adjusted() >= MAX_AMOUNT_DIGITS or \
            (isinstance(exponent, int) and exponent < MIN_AMOUNT_EXPONENT):
        raise RowRejected(RowError(field, "not a plausible dollar amount", text[:40]))
    return amount


def guess_date_order(values: Iterable[str]) -> str | None:
    """"dmy" or "mdy" if some slashed date can only be read one way, else None."""
    day_first = month_first = False
    for value in values:
        match = _SLASH.match(value.strip())
        if match:
            first, second = int(match.group(1)), int(match.group(2))
            day_first |= first > 12
            month_first |= second > 12
    if day_first == month_first:
        return None
    return "dmy" if day_first else "mdy"


class DateReader:
    """Reads ISO, m/d/yy(yy) or d/m/yy(yy) dates (with or without a time) into ISO dates.

    The order of slashed dates is a property of the file, decided once from a
    sample of its rows (``guess_date_order``); two-digit years are 1970-2069.
    """

    def __init__(self, order: str) -> None:
        self.order = order
        self._cache: dict[str, str] = {}

    def read(self, text: str, field: str) -> str:
        """The ISO date written in ``text``; RowRejected naming ``field`` if there is none."""
        found = self._cache.get(text)
        if found is None:
            found = self._parse(text, field)
            if len(self._cache) < 100_000:
                self._cache[text] = found
        return found

    def _parse(self, text: str, field: str) -> str:
        if match := _ISO.match(text):
            year, month, day = (int(g) for g in match.groups())
        elif match := _SLASH.match(text):
            first, second, year = (int(g) for g in match.groups())
            month, day = (second, first) if self.order == "dmy" else (first, second)
            if len(match.group(3)) == 2:
                year += 2000 if year < 70 else 1900
        else:
            year, month, day = _spreadsheet_date(text, field)
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            order = "day/month" if self.order == "dmy" else "month/day"
            raise RowRejected(RowError(field, f"not a date in this file's {order} order",
                                       text)) from None


def _spreadsheet_date(text: str, field: str) -> tuple[int, int, int]:
    """(year, month, day) of a date a spreadsheet re-wrote; RowRejected if it is none."""
    if (match := _DAY_MONTH.match(text)) and match.group(2)[:3].lower() in _MONTHS:
        day, month, year = int(match.group(1)), _MONTHS[match.group(2)[:3].lower()], \
            int(match.group(3))
    elif (match := _MONTH_DAY.match(text)) and match.group(1)[:3].lower() in _MONTHS:
        month, day, year = _MONTHS[match.group(1)[:3].lower()], int(match.group(2)), \
            int(match.group(3))
    elif match := _COMPACT.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif (match := _SERIAL.match(text)) and 20000 <= int(match.group(1)) <= 80000:
        serial = _EXCEL_EPOCH + timedelta(days=int(match.group(1)))  # 1954 to 2119
        return serial.year, serial.month, serial.day
    else:
        raise RowRejected(RowError(field, "not a date", text))
    if year < 100:
        year += 2000 if year < 70 else 1900
    return year, month, day


def code_of(text: str) -> str:
    """The code of a PSC or NAICS value saved from the API's {"code", "description"}
    object: a spreadsheet or pandas writes the object itself into the cell.

    >>> code_of("{'code': '541512', 'description': 'COMPUTER SYSTEMS DESIGN'}"), code_of("D317")
    ('541512', 'D317')
    """
    if not text.startswith("{"):
        return text
    match = _CODE.search(text)
    return match.group(1).strip() if match else ""


def is_true(value: str) -> bool:
    """A boolean flag as USAspending writes them (t/f, true/false, Y/N)."""
    return value.strip() in TRUE
