"""German working days: the national public holidays and counting working days.

Pure date rules (no I/O, no database): a porting's lead time (R16) and the simulated
carrier's ``other_date`` answer count working days with :func:`add_working_days`.
"""

from __future__ import annotations

from datetime import date, timedelta

__all__ = ["add_working_days", "easter_sunday", "is_working_day", "national_holidays"]


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def national_holidays(year: int) -> frozenset[date]:
    """Public holidays valid in every German state (regional ones do not stop a porting)."""
    easter = easter_sunday(year)
    return frozenset(
        {
            date(year, 1, 1),  # Neujahr
            easter - timedelta(days=2),  # Karfreitag
            easter + timedelta(days=1),  # Ostermontag
            date(year, 5, 1),  # Tag der Arbeit
            easter + timedelta(days=39),  # Christi Himmelfahrt
            easter + timedelta(days=50),  # Pfingstmontag
            date(year, 10, 3),  # Tag der Deutschen Einheit
            date(year, 12, 25),  # 1. Weihnachtstag
            date(year, 12, 26),  # 2. Weihnachtstag
        }
    )


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in national_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself does not count)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current
