"""Cleaning award-record values: dates in any order a spreadsheet left them, money, flags.

Shared by the record loaders. A value that cannot be read raises ``RowRejected``
naming the field, so the loader quarantines that row and goes on.

>>> dates = DateReader("mdy")
>>> dates.read("12/22/17", "award_base_action_date"), dates.read("2022-09-30 00:00:00", "x")
('2017-12-22', '2022-09-30')
>>> DateReader("dmy").read("25/07/13 00:00", "x"), DateReader("dmy").read("25/07/2013", "x")
('2013-07-25', '2013-07-25')
>>> read_amount("-54,495.10", "total_obligated_amount")
Decimal('-54495.10')
>>> guess_date_order(["5/10/23", "12/22/17"]), guess_date_order(["25/07/2013"])
('mdy', 'dmy')
>>> guess_date_order(["1/2/2013"]) is None
True
"""

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from kg.records import RowError, RowRejected

MISSING = frozenset({"", "NAN", "nan", "NaN", "NULL", "null", "None"})
TRUE = frozenset({"t", "true", "T", "TRUE", "True", "Y", "y", "1", "YES", "yes"})
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SLASH = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?!\d)")


def clean(value: str | None) -> str:
    """Stripped text, with pandas' "NAN" and friends read as missing."""
    if value is None:
        return ""
    text = value.strip()
    return "" if text in MISSING else text


def read_amount(text: str, field: str) -> Decimal:
    """A dollar amount ("$1,234.50", "-54495"); RowRejected if it is not a number."""
    try:
        amount = Decimal(text.replace(",", "").replace("$", ""))
    except InvalidOperation:
        raise RowRejected(RowError(field, "not a number", text)) from None
    if not amount.is_finite():
        raise RowRejected(RowError(field, "not a number", text))
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
            raise RowRejected(RowError(field, "not a date", text))
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            order = "day/month" if self.order == "dmy" else "month/day"
            raise RowRejected(RowError(field, f"not a date in this file's {order} order",
                                       text)) from None


def is_true(value: str) -> bool:
    """A boolean flag as USAspending writes them (t/f, true/false, Y/N)."""
    return value.strip() in TRUE
