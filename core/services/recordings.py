"""R24 session recordings: their Archiv entries and their retention.

The SSH server writes the asciicast files (``ssh_server.recording``); the core lists each
finished recording in the Archiv of every customer the session had open (support sessions
open customers one after another; a command-mode call: the customer it acted on) and
deletes recordings older than ``LINEDESK_RECORD_DAYS`` (the scheduler's ``recordings`` job).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

from core.authz import Actor
from core.uow import UnitOfWork


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
                   why: str) -> None:
    """A recording stopped early (full disk, slow disk); the session went on unrecorded."""
    for customer_id in _customers(customers):
        uow.audit(actor, "session.recording_stopped", customer_id=customer_id, target=file,
                  cause=why)


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
