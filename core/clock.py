"""Injectable clock: services never call ``datetime.now()`` themselves."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


class Clock(Protocol):
    def now(self) -> datetime:
        """Current time, timezone-aware UTC."""
        ...

    def today(self) -> date:
        """Current business date in Europe/Berlin (the operator's calendar)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().astimezone(BERLIN).date()


class FixedClock:
    """A clock for tests and simulations; moves only when told to."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        self._now = at

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._now.astimezone(BERLIN).date()

    def set(self, at: datetime) -> None:
        self._now = at if at.tzinfo else at.replace(tzinfo=UTC)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


def as_utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes; everything stored is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
