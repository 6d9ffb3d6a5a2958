"""The background jobs, registered by name: what :class:`core.scheduler.Scheduler` runs.

Each job is a plain function of a unit of work, idempotent, working off everything due
up to now (so downtime is caught up) and returning how many items it handled. The name is
the job's lease row in ``scheduler_leases``. A new job is added here, nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from core.scheduler import Job
from core.services import credentials, numbers, porting, recordings
from core.uow import UnitOfWork


async def due_deactivations(uow: UnitOfWork) -> int:
    """R12: numbers whose last active day has passed become inactive."""
    return await numbers.apply_due_deactivations(uow, today=uow.clock.today())


async def porting_steps(uow: UnitOfWork) -> int:
    """R16: the carrier's due steps of porting orders (confirmation, completion)."""
    return await porting.advance_due(uow)


async def scheduled_resets(uow: UnitOfWork) -> int:
    """R19: scheduled credential resets whose time has come (once each, also late)."""
    return await credentials.run_due_resets(uow)


async def recording_retention(uow: UnitOfWork) -> int:
    """R24: session recordings older than LINEDESK_RECORD_DAYS are deleted."""
    return await recordings.delete_expired(uow)


JOBS: Mapping[str, Job] = MappingProxyType({
    "deactivations": due_deactivations,
    "porting": porting_steps,
    "credential_resets": scheduled_resets,
    "recordings": recording_retention,
})
"""Every job, in the order a scheduler round runs them."""
