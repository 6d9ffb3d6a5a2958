"""A worker with many live sessions drains into a fresh process instead of pausing them all
for a GC reclaim; a single process (and a worker with few sessions) reclaims."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from core.config import Settings
from ssh_server import workers
from ssh_server.server import RECLAIM_CHEAP_LIVE, GcPolicy, PortalServer
from ssh_server.workers import Rotation, Supervisor, WorkerProc
from tests.unit.test_local_bridge import eventually


class RecordingGc(GcPolicy):
    def __init__(self) -> None:
        super().__init__(reclaim_interval=0.01)
        self.reclaimed = 0

    def reclaim(self, *, force: bool = False) -> None:
        self.reclaimed += 1
        self.ended_since_reclaim = 0


def portal(tmp_path: Path, live: int, ended: int) -> PortalServer:
    """A server that is not listening, with ``live`` sessions (stand-ins) and ``ended``
    ended ones since the last reclaim."""
    gc_policy = RecordingGc()
    server = PortalServer(None, Settings(data_dir=tmp_path), gc_policy=gc_policy)  # type: ignore[arg-type]
    server.sessions = {object() for _ in range(live)}  # type: ignore[misc]
    gc_policy.ended_since_reclaim = ended
    return server


@pytest.mark.parametrize(
    ("live", "ended", "with_hook", "expected"),
    [
        (0, 0, True, None),                                     # nothing ended
        (RECLAIM_CHEAP_LIVE + 1, 1, True, None),                # not worth it yet
        (RECLAIM_CHEAP_LIVE, 1, True, "reclaim"),               # cheap: reclaim in place
        (RECLAIM_CHEAP_LIVE + 1, RECLAIM_CHEAP_LIVE + 1, True, "rotate"),
        (2, 500, True, "rotate"),                               # few live, much garbage: 2.5 s
        (0, 500, True, "reclaim"),                              # nobody to pause
        (200, 200, True, "rotate"),
        (200, 200, False, "reclaim"),                           # single process: no hook
    ],
)
def test_reclaim_or_rotate(tmp_path: Path, live: int, ended: int, with_hook: bool,
                           expected: str | None) -> None:
    server = portal(tmp_path, live, ended)
    if with_hook:
        server.rotate = lambda: True
    assert server.reclaim_action() == expected


async def _run_loop(server: PortalServer, until: Any) -> None:
    task = asyncio.create_task(server._reclaim_loop())
    try:
        await eventually(until)
    finally:
        task.cancel()


async def test_reclaim_loop_rotates_instead_of_pausing_many_sessions(tmp_path: Path) -> None:
    server = portal(tmp_path, 50, 50)
    asked: list[int] = []

    def rotate() -> bool:
        asked.append(1)
        return True

    server.rotate = rotate
    await _run_loop(server, lambda: len(asked) >= 3)
    assert isinstance(server.gc, RecordingGc) and server.gc.reclaimed == 0


async def test_reclaim_loop_reclaims_when_rotation_is_not_possible(tmp_path: Path) -> None:
    server = portal(tmp_path, 50, 50)
    asked: list[int] = []

    def rotate() -> bool:
        asked.append(1)
        return False  # e.g. the hub is unreachable

    server.rotate = rotate
    assert isinstance(server.gc, RecordingGc)
    gc_policy = server.gc
    await _run_loop(server, lambda: gc_policy.reclaimed == 1)
    assert asked == [1]


async def test_single_process_reclaims(tmp_path: Path) -> None:
    server = portal(tmp_path, 50, 50)
    assert isinstance(server.gc, RecordingGc)
    gc_policy = server.gc
    await _run_loop(server, lambda: gc_policy.reclaimed == 1)


class FakeLink:
    def __init__(self, up: bool = True) -> None:
        self.up = up
        self.sent: list[dict[str, Any]] = []

    def send(self, doc: dict[str, Any]) -> bool:
        if self.up:
            self.sent.append(doc)
        return self.up


async def test_worker_asks_once_then_reclaims_if_never_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    link = FakeLink()
    retire = asyncio.Event()
    server = portal(tmp_path, 20, 20)
    rotation = Rotation(link, 1, retire, server)  # type: ignore[arg-type]
    assert rotation() and rotation()
    assert link.sent == [{"t": "rotate", "worker": 1, "sessions": 20}]
    assert rotation.asked_at is not None
    rotation.asked_at -= workers.ROTATE_RETRY + 1  # the supervisor never replaced it
    assert not rotation()  # reclaim once ...
    assert rotation() and len(link.sent) == 2  # ... then ask again
    retire.set()  # draining: never a reclaim pause any more
    rotation.asked_at -= workers.ROTATE_RETRY + 1
    assert rotation()
    assert not Rotation(FakeLink(up=False), 1, asyncio.Event(), server)()  # type: ignore[arg-type]


def test_supervisor_replaces_a_worker_that_asks_and_retires_it_when_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    sup = Supervisor(Settings(data_dir=tmp_path / "data"), 2, tmp_path / "hub.sock")
    killed: list[tuple[int, int]] = []
    spawned: list[int] = []
    monkeypatch.setattr(workers.os, "kill", lambda pid, sig: killed.append((pid, sig)))

    def fake_spawn(index: int) -> int:
        pid = 50 + len(spawned)
        spawned.append(index)
        sup.workers[pid] = WorkerProc(index=index, pid=pid, started=time.monotonic())
        return pid

    monkeypatch.setattr(sup, "_spawn", fake_spawn)
    now = time.monotonic()
    sup.workers[40] = WorkerProc(index=1, pid=40, started=now, ready=True, status_at=now)
    sup.workers[41] = WorkerProc(index=0, pid=41, started=now, ready=True, status_at=now)
    sup._on_rotate(40, {"t": "rotate", "sessions": 30})
    sup._on_rotate(99, {"t": "rotate"})  # unknown pid: ignored
    sup._check_recycle()
    assert spawned == [1] and sup.recycling == (40, 50)
    assert killed == []  # the old one serves until the replacement listens
    sup._on_status(50, {"t": "status", "ready": True, "connections": 0, "idle": 0})
    assert killed == [(40, workers.signal.SIGUSR1)] and sup.workers[40].retiring
    sup._on_rotate(40, {"t": "rotate"})  # draining already: not replaced twice
    sup._check_recycle()
    assert spawned == [1]

