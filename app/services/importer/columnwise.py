"""Column-wise fast paths: the cells of one column of a slice checked in a few passes of C code (a
regular expression mapped over the cells, slices by `itemgetter`, dict lookups) instead of one
Python call per cell.

Each returns, for every cell it accepts, exactly what the per-cell path gives (`cleaning`'s fast
paths and the rules behind them), and the positions it declines: the caller sends those through the
per-cell path, which decides and words any problem. tests/services/test_import_columnwise.py
checks both with generated inputs, cell by cell and on whole generated sheets.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from itertools import compress, repeat
from operator import eq, ge, is_, itemgetter, mod, not_
from typing import Any

from app.rules import dates, expiry, idcard
from app.services.importer.cleaning import _CHECK_CHARS, _FEMALE, _MALE, _birth_of


def where(flags: Iterable[object]) -> list[int]:
    """The positions of the true values of `flags`."""
    marks = list(flags)
    return list(compress(range(len(marks)), marks))


def texts_of(raws: Sequence[Any]) -> Sequence[Any]:
    """`raws` when every cell is exactly a str, else a copy with "" for each other cell (a cell that
    is not text is declined by every pattern below, and "" is declined too)."""
    if set(map(type, raws)) == {str}:
        return raws
    return [raw if type(raw) is str else "" for raw in raws]


# --- mainland ID numbers (cleaning.fast_mainland_id, column-wise) -----------------------------------

#: A clean 18-character number (ASCII digits, an upper-case X last) with a province code.
_CLEAN_ID = re.compile("(?:" + "|".join(sorted(idcard.PROVINCE_CODES)) + ")[0-9]{15}[0-9X]")
#: The check character by the 17 digits read as a base-13 number, mod 11 (cleaning.fast_mainland_id:
#: the weighted sum mod 11 is twice that number, mod 11).
_CHECK_BY_BASE13 = "".join(_CHECK_CHARS[2 * k % 11] for k in range(11))
_GENDER_BY_DIGIT = {digit: _MALE if digit in "13579" else _FEMALE for digit in "0123456789"}
_HEAD, _BIRTH, _SEX, _LAST = itemgetter(slice(0, 17)), itemgetter(slice(6, 14)), itemgetter(16), itemgetter(17)
_UNSEEN: Any = object()
#: Stands in for a declined cell so that the passes after the pattern's need no test.
_STAND_IN = "11010119900101001" + idcard.check_character("11010119900101001")


class MainlandIds:
    """`fast_mainland_id` over a column: (numbers, genders, birth dates, declined positions); at a
    declined position the three values mean nothing. Keeps the file's birth dates (a file has a
    few thousand distinct ones): a clean number's characters 7–14 → its date, None when that is no
    day, before 1900 or after today."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.births: dict[str, date | None] = {}

    def __call__(self, raws: Sequence[Any]) -> tuple[list[Any], list[Any], list[Any], list[int]]:
        texts = texts_of(raws)
        declined = where(map(not_, map(_CLEAN_ID.fullmatch, texts)))
        if declined:
            texts = list(texts)
            for i in declined:
                texts[i] = _STAND_IN
        keys = list(map(_BIRTH, texts))
        births, today = self.births, self.today
        born = list(map(births.get, keys, repeat(_UNSEEN)))
        for i in where(map(is_, born, repeat(_UNSEEN))):
            birth = births.get(keys[i], _UNSEEN)
            if birth is _UNSEEN:
                birth = _birth_of(keys[i])
                birth = births[keys[i]] = None if birth is None or birth > today else birth
            born[i] = birth
        checks = map(eq, map(_CHECK_BY_BASE13.__getitem__, map(mod, map(int, map(_HEAD, texts), repeat(13)),
                                                                 repeat(11))), map(_LAST, texts))
        wrong = where(map(not_, checks))
        undated = where(map(is_, born, repeat(None)))
        if wrong or undated:
            declined = sorted({*declined, *wrong, *undated})
        genders = list(map(_GENDER_BY_DIGIT.__getitem__, map(_SEX, texts)))
        return list(raws), genders, born, declined


# --- mobile phones (cleaning.fast_phone, column-wise) ------------------------------------------------

_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def declined_phones(raws: Sequence[Any]) -> list[int]:
    """Positions of the cells that are not already a clean 11-digit mobile number (`fast_phone`
    returns the others unchanged)."""
    return where(map(not_, map(_MOBILE.fullmatch, texts_of(raws))))


# --- ID expiry of mainland cards (cleaning.expiry_fine, by band of age) ------------------------------

#: The band of a row that the bands cannot clear (no birth date, or not a mainland card).
NO_BAND = -1
#: The need of an expiry no band clears (then the rule judges it).
_NEVER = 4


def expiry_bands(today: date) -> tuple[Callable[[date | None], int], Callable[[Any], int]]:
    """(band, need) such that `expiry_fine(today)(value, birth)` is `band(birth) >= need(value)` for
    every cleaned expiry (a date, 长期) and birth date: `band` sorts a holder by what the fine test
    asks of the age (0 under 16, 1 under 26, 2 under 46, 3 older; NO_BAND without a birth date), and
    `need` is the lowest band whose longest validity covers the value (3 for 长期; 4, none, for a
    date within the warning period or beyond every limit)."""
    soon = today + timedelta(days=expiry.EXPIRY_WARNING_DAYS)
    born16, born26, born46 = (expiry.add_years(today, -n) for n in (16, 26, expiry.LONG_TERM_MIN_AGE))
    limit5, limit10, limit20 = (expiry.add_years(today, n) for n in (5, 10, expiry.MAX_VALIDITY_YEARS))

    def band(birth: date | None) -> int:
        if birth is None:
            return NO_BAND
        return 0 if birth > born16 else 1 if birth > born26 else 2 if birth > born46 else 3

    def need(value: Any) -> int:
        if type(value) is date:
            if value <= soon:
                return _NEVER
            return 0 if value <= limit5 else 1 if value <= limit10 else 2 if value <= limit20 else _NEVER
        return 3 if value == dates.LONG_TERM else _NEVER
    return band, need


class Expiries:
    """Cleaned expiries (date, 长期 or None) of a slice judged by the band of their holders' age:
    (stored texts, positions the bands cannot clear). A cleared value certainly gives no problem; a
    None is no value (nothing to check). Keeps each distinct birth date's band and each distinct
    value's need and text."""

    def __init__(self, today: date) -> None:
        self.band, self.need = expiry_bands(today)
        self.bands: dict[Any, int] = {None: NO_BAND}
        self.needs: dict[Any, tuple[int, Any]] = {None: (NO_BAND, None)}

    def bands_of(self, births: list[Any]) -> list[int]:
        bands, band = self.bands, self.band
        for birth in set(births).difference(bands):
            bands[birth] = band(birth)
        return list(map(bands.__getitem__, births))

    def __call__(self, values: list[Any], bands: list[int]) -> tuple[list[Any], list[int]]:
        needs, need = self.needs, self.need
        for value in set(values).difference(needs):
            needs[value] = (need(value), value if type(value) is str else value.isoformat())
        known = list(map(needs.__getitem__, values))
        cleared = map(ge, bands, map(_FIRST, known))
        return list(map(_SECOND, known)), where(map(not_, cleared))


_FIRST, _SECOND = itemgetter(0), itemgetter(1)
