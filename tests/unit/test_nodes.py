"""Node heartbeats and the per-account session count across nodes (core/services/nodes.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from core.clock import FixedClock
from core.models import Account, LiveSession, NodeHeartbeat
from core.runtime import Core
from core.services import nodes


async def _account(core: Core, username: str) -> int:
    async with core.uow(readonly=True) as uow:
        account_id = await uow.session.scalar(
            select(Account.id).where(Account.username == username))
    assert account_id is not None
    return int(account_id)


async def _beat(core: Core, node: str, pid: int) -> None:
    async with core.uow() as uow:
        await nodes.beat(uow, node=node, worker=0, pid=pid, started_at=core.clock.now(),
                         sessions=0, connections=0, accepting=True)


async def _claim(core: Core, account_id: int, node: str, pid: int, key: str) -> bool:
    async with core.uow() as uow:
        return await nodes.claim_session(uow, key=key, account_id=account_id, node=node,
                                         pid=pid, limit=2)


async def test_sessions_count_across_nodes_until_a_node_stops_answering(
        demo_core: Core, clock: FixedClock) -> None:
    mia = await _account(demo_core, "mia")
    await _beat(demo_core, "node-a", 10)
    await _beat(demo_core, "node-b", 20)
    assert await _claim(demo_core, mia, "node-a", 10, "k1")
    assert await _claim(demo_core, mia, "node-b", 20, "k2")
    assert not await _claim(demo_core, mia, "node-b", 20, "k3")  # 2 on two nodes: the limit
    # node A is killed: its heartbeat gets old and its session stops counting
    clock.advance(timedelta(seconds=nodes.STALE_AFTER + 1))
    await _beat(demo_core, "node-b", 20)
    assert await _claim(demo_core, mia, "node-b", 20, "k3")
    async with demo_core.uow() as uow:
        states = await nodes.cluster(uow)
    assert [(s.node, s.stale) for s in states] == [("node-a", True), ("node-b", False)]
    # a clean stop removes the process's row and its sessions
    async with demo_core.uow() as uow:
        await nodes.release_session(uow, key="k3")
        await nodes.leave(uow, node="node-b", pid=20)
    async with demo_core.uow(readonly=True) as uow:
        keys = set(await uow.session.scalars(select(LiveSession.key)))
    assert keys == {"k1"}
    # an hour later the killed node's rows are forgotten
    clock.advance(timedelta(seconds=nodes.FORGET_AFTER))
    async with demo_core.uow() as uow:
        assert await nodes.prune(uow) == 1
    async with demo_core.uow(readonly=True) as uow:
        assert await uow.session.scalar(select(func.count()).select_from(NodeHeartbeat)) == 0
        assert await uow.session.scalar(select(func.count()).select_from(LiveSession)) == 0
