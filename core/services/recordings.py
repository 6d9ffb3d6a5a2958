"""R24 session recordings: their Archiv entries, their bounds and their retention.

The SSH server writes the asciicast files (``ssh_server.recording``); the core lists each
finished recording in the Archiv of every customer the session had open (support sessions
open customers one after another; a command-mode call: the customer it acted on) and
deletes recordings older than ``LINEDESK_RECORD_DAYS`` (the scheduler's ``recordings`` job).

Bounds (:func:`limits`): a recording holds at most ``LINEDESK_RECORD_MAX_MB``, and all
recordings one account started on one UTC day at most ``LINEDESK_RECORD_ACCOUNT_DAY_MB``
together (:class:`DayBudget`: this process's recordings as they are written, plus what the
Archiv lists as finished that day in other processes, read when a recording starts).
Reaching a bound stops that recording with an Archiv entry; the session goes on.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select

from core.authz import Actor
from core.config import Settings
from core.models import AuditEvent
from core.uow import UnitOfWork

MIB = 1024 * 1024
CAUSE_TOO_LARGE = "too_large"
"""One recording reached ``LINEDESK_RECORD_MAX_MB``."""
CAUSE_ACCOUNT_DAY = "account_day_limit"
"""The account's recordings of the day reached ``LINEDESK_RECORD_ACCOUNT_DAY_MB``."""


def recordings_dir(data_dir: Path) -> Path:
    return data_dir / "recordings"


def _customers(customers: Iterable[int]) -> list[int | None]:
    ids: list[int | None] = [*sorted(set(customers))]
    return ids or [None]  # a support session that opened no customer: the operator's log


def record_finished(uow: UnitOfWork, actor: Actor, *, customers: Iterable[int], file: str,
                    day: str, size: int, seconds: int, complete: bool,
                    command: str | None = None) -> None:
    """The recording is listed with the audit entries of each customer it shows (a command's:
    of the customer it acted on, with its command line, secrets masked)."""
    extra = {} if command is None else {"command": command[:500]}
    for customer_id in _customers(customers):
        uow.audit(actor, "session.recorded", customer_id=customer_id, target=file,
                  recording=f"{day}/{file}", size=size, seconds=seconds, complete=complete,
                  **extra)


def record_stopped(uow: UnitOfWork, actor: Actor, *, customers: Iterable[int], file: str,
                   why: str, limit_mb: int | None = None) -> None:
    """A recording stopped early (full disk, slow disk, a size bound: ``why``, with the
    bound in ``limit_mb``); the session went on unrecorded."""
    extra = {} if limit_mb is None else {"limit_mb": limit_mb}
    for customer_id in _customers(customers):
        uow.audit(actor, "session.recording_stopped", customer_id=customer_id, target=file,
                  cause=why, **extra)


def limits(settings: Settings) -> tuple[int | None, int | None]:
    """Bytes per recording and per account and day (None: no limit)."""
    per_recording = int(settings.record_max_mb)
    per_day = int(settings.record_account_day_mb)
    return (per_recording * MIB if per_recording > 0 else None,
            per_day * MIB if per_day > 0 else None)


async def finished_on(uow: UnitOfWork, account_id: int, day: date) -> dict[str, int]:
    """Bytes of each recording ``account_id`` started on UTC ``day`` that has ended, from
    the Archiv (``recording`` ``YYYY/MM/DD/FILE`` → size; listed once per customer it
    showed, counted once)."""
    start = datetime.combine(day, time.min, tzinfo=UTC)
    prefix = f"{day:%Y/%m/%d}/"
    rows = await uow.session.execute(
        select(AuditEvent.details).where(AuditEvent.action == "session.recorded",
                                         AuditEvent.actor_id == account_id,
                                         AuditEvent.at >= start))
    found: dict[str, int] = {}
    for (details,) in rows:
        name = str((details or {}).get("recording") or "")
        if name.startswith(prefix):
            found[name] = max(found.get(name, 0), int((details or {}).get("size") or 0))
    return found


class DayBudget:
    """R24: bytes recorded per (account, UTC day) in one process, per recording, and the
    bytes of that account's finished recordings of the day elsewhere (other processes,
    earlier runs) as last read from the Archiv. Pure bookkeeping: the caller reads the
    Archiv (:func:`finished_on`) and asks :meth:`allows` before each write."""

    def __init__(self) -> None:
        self._own: dict[tuple[int, str], dict[str, int]] = {}
        self._elsewhere: dict[tuple[int, str], int] = {}

    def finished_elsewhere(self, key: tuple[int, str], finished: dict[str, int]) -> None:
        """What the Archiv lists as finished, minus this process's own recordings."""
        own = self._own.get(key, {})
        self._elsewhere[key] = sum(size for name, size in finished.items() if name not in own)

    def used(self, key: tuple[int, str]) -> int:
        return self._elsewhere.get(key, 0) + sum(self._own.get(key, {}).values())

    def allows(self, key: tuple[int, str], more: int, limit: int | None) -> bool:
        return limit is None or self.used(key) + more <= limit

    def add(self, key: tuple[int, str], recording: str, written: int) -> None:
        if key not in self._own:
            self._forget_before(key[1])
        own = self._own.setdefault(key, {})
        own[recording] = own.get(recording, 0) + written

    def _forget_before(self, day: str) -> None:
        """Days before yesterday no longer take recordings (a recording counts on the day it
        started; one begun yesterday may still be running): a node running for months keeps
        two days of bookkeeping, not one entry per account and day since it started."""
        oldest = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
        for book in (self._own, self._elsewhere):
            for stale in [k for k in book if k[1] < oldest]:
                del book[stale]


def _delete_before(root: Path, cutoff: date) -> int:
    """Blocking (a thread): delete the day directories ``YYYY/MM/DD`` before ``cutoff``;
    returns how many recordings went."""
    deleted = 0
    if not root.is_dir():
        return 0
    for year in sorted(p for p in root.iterdir() if p.is_dir() and p.name.isdigit()):
        for month in sorted(p for p in year.iterdir() if p.is_dir() and p.name.isdigit()):
            for day in sorted(p for p in month.iterdir() if p.is_dir() and p.name.isdigit()):
                try:
                    when = date(int(year.name), int(month.name), int(day.name))
                except ValueError:
                    continue
                if when < cutoff:
                    deleted += sum(1 for _ in day.glob("*.cast"))
                    shutil.rmtree(day, ignore_errors=True)
            if month.exists() and not any(month.iterdir()):
                month.rmdir()
        if year.exists() and not any(year.iterdir()):
            year.rmdir()
    return deleted


async def delete_expired(uow: UnitOfWork) -> int:
    """Scheduler job: recordings older than ``LINEDESK_RECORD_DAYS`` days are deleted."""
    days = max(1, int(uow.settings.record_days))
    cutoff = uow.clock.today() - timedelta(days=days)
    deleted = await asyncio.to_thread(_delete_before, recordings_dir(uow.settings.data_dir),
                                      cutoff)
    if deleted:
        uow.audit(None, "recordings.deleted", customer_id=None, target="recordings",
                  count=deleted, days=days)
    return deleted
