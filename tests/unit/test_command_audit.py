"""The Archiv entries of command mode: one per account, key, source and day (not per call)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from core.authz import Actor
from core.clock import FixedClock
from core.models import AuditEvent
from core.runtime import Core
from core.services import auth


async def test_command_access_is_one_archiv_entry_per_day_key_and_source(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    async def entries() -> list[AuditEvent]:
        async with demo_core.uow(readonly=True) as uow:
            rows = await uow.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "session.command")
            )
            return list(rows)

    admin = replace(actors["admin"], source_address="10.0.0.7", key_fingerprint="SHA256:abc")
    assert await demo_core.run(auth.record_command_access, admin)
    assert not await demo_core.run(auth.record_command_access, admin)
    assert await demo_core.read(auth.command_access_recorded, admin)
    other_host = replace(admin, source_address="10.0.0.8")
    assert await demo_core.run(auth.record_command_access, other_host)
    clock.advance(timedelta(days=1))
    assert await demo_core.run(auth.record_command_access, admin)
    rows = await entries()
    assert [(r.source_address, r.key_fingerprint) for r in rows] == [
        ("10.0.0.7", "SHA256:abc"), ("10.0.0.8", "SHA256:abc"), ("10.0.0.7", "SHA256:abc"),
    ]
    assert all(r.customer_id == admin.customer_id for r in rows)
