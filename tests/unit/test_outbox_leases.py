"""Outbox leases: a renewal never puts a claim back on a row whose result was recorded
(found by the three-node test: a renewal racing the record left sent rows "claimed")."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from core.clock import FixedClock
from core.models import OutboxKind, OutboxMessage, OutboxStatus
from core.outbox import LEASE_SECONDS, RESULT_BATCH, Dispatcher, Message
from core.runtime import Core


async def test_renewal_leaves_recorded_rows_alone(core: Core, clock: FixedClock) -> None:
    async with core.uow() as uow:
        for i in range(3):
            uow.send(OutboxKind.SMS, to="+491701234567", subject="", body=f"sms {i}",
                     key=f"lease-{i}")
    dispatcher = Dispatcher(core.db, core.secret_box, core.clock, {}, node_id="a",
                            renew_seconds=0.01)
    ids = await dispatcher._claim(10)
    async with core.uow(readonly=True) as uow:
        rows = list(await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    sent, failed, _held = rows
    await dispatcher._record([(sent, None), (failed, "RuntimeError: gateway down")])
    # the renewal still lists all three (as when it started its UPDATE before the record)
    held_until = rows[2].claimed_until
    assert held_until is not None
    clock.advance(timedelta(seconds=1))  # a renewal now moves the lease: it can be seen

    async def rows_now() -> dict[str, OutboxMessage]:
        async with core.uow(readonly=True) as uow:
            return {r.idempotency_key: r for r in await uow.session.scalars(
                select(OutboxMessage))}

    renewal = asyncio.create_task(dispatcher._renew(set(ids)))
    try:
        # until a renewal ran (a fixed sleep(0.1) may hold none on a busy machine, and the
        # test then passed without one)
        for _ in range(1500):
            after = await rows_now()
            until = after["lease-2"].claimed_until
            if until is not None and until > held_until:
                break
            await asyncio.sleep(0.01)
    finally:
        renewal.cancel()
    after = await rows_now()
    assert after["lease-0"].status is OutboxStatus.SENT and after["lease-0"].claimed_until is None
    assert after["lease-1"].status is OutboxStatus.PENDING
    assert after["lease-1"].claimed_until is None  # free for its retry
    assert after["lease-2"].claimed_until == held_until + timedelta(seconds=1)  # renewed


async def test_a_busy_dispatcher_takes_over_a_dead_ones_rows_between_its_batches(
    core: Core, clock: FixedClock
) -> None:
    """Rows whose lease ran out are adopted after the current batch of results, not only
    when this round's own (possibly slow) rows are all delivered."""
    async with core.uow() as uow:
        for i in range(RESULT_BATCH + 5):
            uow.send(OutboxKind.SMS, to="+491701234567", subject="", body=f"sms {i}",
                     key=f"own-{i:03d}")
    dead = Dispatcher(core.db, core.secret_box, core.clock, {}, node_id="dead")
    assert len(await dead._claim(5)) == 5  # then killed: its 5 rows stay claimed
    sent: list[str] = []

    class Slow:
        async def send(self, message: Message) -> None:
            sent.append(message.key)
            if len(sent) == 1:
                clock.advance(timedelta(seconds=LEASE_SECONDS + 1))  # the dead lease ran out

    live = Dispatcher(core.db, core.secret_box, core.clock, {OutboxKind.SMS: Slow()},
                      node_id="live")
    assert await live.dispatch_once(limit=RESULT_BATCH + 5) == RESULT_BATCH + 5
    # one round: its own batch of results, then (the lease ran out meanwhile) the dead one's
    assert sent[RESULT_BATCH:RESULT_BATCH + 5] == [f"own-{i:03d}" for i in range(5)]
    async with core.uow(readonly=True) as uow:
        statuses = set(await uow.session.scalars(select(OutboxMessage.status)))
    assert statuses == {OutboxStatus.SENT}
