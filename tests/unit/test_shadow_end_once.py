"""R23: a watching across two processes whose two sides time out at the same moment (the
bus down for longer than PEER_TIMEOUT_SECONDS) gets one ``support.shadow_ended`` in the
Archiv, not two: the end is written once per shadow id in the DB (core.models.AuditOnce),
so it holds across processes and nodes. On both backends; hub clocks injected."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from sqlalchemy import select

from core.authz import Actor
from core.models import AuditEvent, Customer
from core.runtime import Core
from core.services import support
from ssh_server.shadow import LOST, PEER_TIMEOUT_SECONDS, RemoteMirror, RemoteWatch, ShadowHub
from tests.unit.test_shadow_liveness import OTHER, Clock, FakeSession


async def agent_for_beispiel(core: Core, actors: dict[str, Actor]) -> Actor:
    async with core.uow(readonly=True) as uow:
        cid = await uow.session.scalar(select(Customer.id).where(Customer.name == "Beispiel AG"))
    assert cid is not None
    return actors["support"].for_customer(cid, customer_name="Beispiel AG", reason="T-42")


async def ended(core: Core) -> list[AuditEvent]:
    async with core.uow(readonly=True) as uow:
        return list(await uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "support.shadow_ended")
            .order_by(AuditEvent.id)))


async def record_end(core: Core, agent: Actor, by: str, shadow: str) -> None:
    await core.run(support.record_shadow, agent, customer_id=agent.customer_id or 0,
                   event="ended", user="beispiel", session="beispiel-session", by=by,
                   shadow=shadow)


async def test_the_end_of_one_shadow_is_written_once(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    agent = await agent_for_beispiel(demo_core, actors)
    await record_end(demo_core, agent, LOST, "sid-a")
    await record_end(demo_core, agent, LOST, "sid-a")  # the other side, a moment later
    await record_end(demo_core, agent, "user", "sid-b")  # another watching
    await record_end(demo_core, agent, "support", "")  # in one process: no id, as before
    await record_end(demo_core, agent, "support", "")
    rows = await ended(demo_core)
    assert [(r.details.get("shadow"), r.details["ended_by"]) for r in rows] == [
        ("sid-a", LOST), ("sid-b", "user"), (None, "support"), (None, "support")]


async def test_two_writers_at_the_same_moment_write_one_entry(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    agent = await agent_for_beispiel(demo_core, actors)
    await asyncio.gather(*(record_end(demo_core, agent, LOST, "sid-c") for _ in range(4)))
    assert len(await ended(demo_core)) == 1


async def test_both_sides_time_out_together_one_archiv_entry(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """Support's process (a RemoteMirror) and the user's (a RemoteWatch) hear nothing of
    each other; each tick ends its side and writes the end with the same shadow id."""
    agent = await agent_for_beispiel(demo_core, actors)
    server = SimpleNamespace(core=demo_core, sessions=[])
    hubs = [ShadowHub(server), ShadowHub(server)]  # type: ignore[arg-type]
    clock = Clock()
    for hub in hubs:
        hub.clock = clock
        hub.keep_alive = lambda: None  # type: ignore[method-assign]  # the test ticks
    mirror = RemoteMirror(hubs[0], FakeSession("support"), agent, "sid-d",  # type: ignore[arg-type]
                          OTHER, "beispiel", "beispiel-session")
    watch = RemoteWatch(hubs[1], FakeSession("beispiel"), "sid-d", OTHER,  # type: ignore[arg-type]
                        "support", agent_actor=agent)
    mirror.start()
    watch.start()
    clock.now += PEER_TIMEOUT_SECONDS + 1  # the bus was down: both are silent
    for hub in hubs:
        hub.tick()
    assert mirror.ended and watch.ended
    await asyncio.gather(*(task for hub in hubs for task in list(hub._tasks)))
    [entry] = await ended(demo_core)
    assert (entry.details["ended_by"], entry.details["shadow"]) == (LOST, "sid-d")
    assert entry.target == "beispiel"
