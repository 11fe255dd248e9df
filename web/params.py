"""Query parameters parsed strictly, in one place, for every public endpoint.

`str.isdigit()` accepts "²" and "٣", which `int()` then refuses or reads as a
number nobody typed; an unbounded `int()` reaches the database as an overflow.
Here a whole number is ASCII digits only, checked for length before it is
converted, and bounded: the answer to bad input is always InvalidParameter,
which each endpoint turns into its own 400.
"""

from __future__ import annotations

import re

MAX_ID = 2**31 - 1  # Wagtail and Django ids are 32-bit integers unless declared otherwise
MAX_BIG_ID = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]+")


class InvalidParameter(ValueError):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


def is_ascii_whole_number(raw: str) -> bool:
    """True for "0", "42", "007"; false for "²", "٣", "-1", " 1", "1.0", ""."""
    return len(raw) <= 40 and _ASCII_DIGITS.fullmatch(raw) is not None


def parse_whole_number(parameter: str, raw: str, *, minimum: int = 0, maximum: int = MAX_ID) -> int:
    """A whole number from minimum to maximum written in ASCII digits, or InvalidParameter."""
    if is_ascii_whole_number(raw):
        value = int(raw)
        if minimum <= value <= maximum:
            return value
    raise InvalidParameter(
        parameter, f"{parameter} must be a whole number from {minimum} to {maximum}"
    )
