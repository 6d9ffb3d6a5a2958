"""The supervisor's decisions, with injected numbers: recycling, restart back-off, worker
count, port probing; and that a GC reclaim returns freed C heap to the system."""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import time

import pytest

from ssh_server import server as server_module
from ssh_server import workers
from ssh_server.server import GcPolicy
from ssh_server.workers import (
    RECYCLE_GROWTH,
    RECYCLE_IDLE_SECONDS,
    Supervisor,
    WorkerProc,
    resolve_worker_count,
    restart_delay,
    should_recycle,
)

MIB = 2**20


@pytest.mark.parametrize(
    ("rss", "baseline", "connections", "idle", "expected"),
    [
        (150 * MIB, 120 * MIB, 0, RECYCLE_IDLE_SECONDS + 1, True),   # grew 25 %, idle long
        (150 * MIB, 120 * MIB, 1, RECYCLE_IDLE_SECONDS + 1, False),  # someone connected
        (150 * MIB, 120 * MIB, 0, RECYCLE_IDLE_SECONDS - 1, False),  # not idle long enough
        (131 * MIB, 120 * MIB, 0, RECYCLE_IDLE_SECONDS + 1, False),  # grew < 10 %
        (133 * MIB, 120 * MIB, 0, RECYCLE_IDLE_SECONDS + 1, True),   # grew > 10 %
        (None, 120 * MIB, 0, RECYCLE_IDLE_SECONDS + 1, False),       # no /proc
        (150 * MIB, None, 0, RECYCLE_IDLE_SECONDS + 1, False),       # never measured
    ],
)
def test_should_recycle(rss: int | None, baseline: int | None, connections: int, idle: float,
                        expected: bool) -> None:
    assert should_recycle(rss=rss, baseline_rss=baseline, connections=connections,
                          idle_seconds=idle) is expected


def test_recycle_threshold_is_the_documented_ten_percent() -> None:
    assert RECYCLE_GROWTH == pytest.approx(0.10)
    assert should_recycle(rss=111, baseline_rss=100, connections=0, idle_seconds=5,
                          idle_needed=5)
    assert not should_recycle(rss=110, baseline_rss=100, connections=0, idle_seconds=5,
                              idle_needed=5)


def test_restart_delay_backs_off_and_is_capped() -> None:
    delays = [restart_delay(n) for n in range(1, 12)]
    assert restart_delay(0) == 0.0
    assert delays[0] == workers.RESTART_BACKOFF_BASE
    assert all(b >= a for a, b in itertools.pairwise(delays))
    assert delays[1] > delays[0]
    assert delays[-1] == workers.RESTART_BACKOFF_MAX


def test_worker_count_zero_means_one_per_cpu() -> None:
    assert resolve_worker_count(3) == 3
    assert resolve_worker_count(0) == (os.cpu_count() or 1)


def test_port_probe_sees_a_listener() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.listen()
        assert workers.port_conflict("127.0.0.1", port) is not None
    assert workers.port_conflict("127.0.0.1", port) is None


def test_read_rss_of_this_process() -> None:
    rss = workers.read_rss(os.getpid())
    if rss is None:
        pytest.skip("no /proc")
    assert rss > 10 * MIB


def _supervisor(tmp_path: object) -> Supervisor:
    from pathlib import Path

    from core.config import Settings

    base = Path(str(tmp_path))
    return Supervisor(Settings(data_dir=base / "data"), 2, base / "hub.sock")


def test_crashed_worker_is_restarted_with_growing_delay_and_startup_failures_give_up(
    tmp_path: object,
) -> None:
    sup = _supervisor(tmp_path)
    now = time.monotonic()
    sup._exited(WorkerProc(index=1, pid=10, started=now - 5, ready=True), -9)
    first = sup.restart_at[1] - time.monotonic()
    sup.restart_at.clear()
    sup._exited(WorkerProc(index=1, pid=11, started=now - 5, ready=True), 1)
    assert sup.restart_at[1] - time.monotonic() > first
    # a worker that ran long enough counts as healthy: back to the shortest delay
    sup.restart_at.clear()
    sup._exited(WorkerProc(index=1, pid=12, started=now - workers.STABLE_SECONDS - 1,
                           ready=True), 1)
    assert sup.restart_at[1] - time.monotonic() <= workers.RESTART_BACKOFF_BASE
    # never listening (e.g. a bad setting): give up instead of looping forever
    for attempt in range(workers.MAX_START_FAILURES):
        assert not sup.fatal
        sup._exited(WorkerProc(index=0, pid=100 + attempt, started=now), 1)
    assert sup.fatal


def test_retired_or_replaced_workers_are_not_restarted(tmp_path: object) -> None:
    sup = _supervisor(tmp_path)
    now = time.monotonic()
    sup._exited(WorkerProc(index=0, pid=20, started=now, ready=True, retiring=True), 0)
    sup.workers[22] = WorkerProc(index=1, pid=22, started=now, ready=True)
    sup._exited(WorkerProc(index=1, pid=21, started=now, ready=True), -9)
    assert sup.restart_at == {}


def test_replacement_ready_retires_the_recycled_worker(tmp_path: object,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    sup = _supervisor(tmp_path)
    killed: list[tuple[int, int]] = []
    monkeypatch.setattr(workers.os, "kill", lambda pid, sig: killed.append((pid, sig)))
    now = time.monotonic()
    sup.workers[30] = WorkerProc(index=0, pid=30, started=now, ready=True)
    sup.workers[31] = WorkerProc(index=0, pid=31, started=now)
    sup.recycling = (30, 31)
    sup._on_status(31, {"t": "status", "ready": True, "connections": 0, "idle": 0})
    assert killed == [(30, workers.signal.SIGUSR1)]
    assert sup.workers[30].retiring and sup.recycling is None


async def test_reclaim_returns_freed_heap(monkeypatch: pytest.MonkeyPatch) -> None:
    trims: list[int] = []

    class FakeGlibc:
        def malloc_trim(self, pad: int) -> int:
            trims.append(pad)
            return 1

    monkeypatch.setattr(server_module, "_glibc", FakeGlibc())
    policy = GcPolicy()
    policy.reclaim()
    assert trims == []  # nothing ended: no collection, no trim
    policy.session_ended()
    policy.reclaim()
    assert trims == [0]
    policy.close()
    await asyncio.sleep(0)


def test_malloc_trim_is_found_on_glibc() -> None:
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("not glibc")
    assert server_module.release_freed_memory() is True


def test_a_replacement_that_never_listens_is_abandoned(tmp_path: object,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    sup = _supervisor(tmp_path)
    killed: list[tuple[int, int]] = []
    monkeypatch.setattr(workers.os, "kill", lambda pid, sig: killed.append((pid, sig)))
    now = time.monotonic()
    sup.workers[40] = WorkerProc(index=0, pid=40, started=now - 1000, ready=True)
    sup.workers[41] = WorkerProc(index=0, pid=41, started=now - 1)
    sup.recycling = (40, 41)
    sup._check_recycle()
    assert killed == [] and sup.recycling == (40, 41)
    sup.workers[41].started = now - workers.REPLACEMENT_TIMEOUT - 1
    sup._check_recycle()
    assert killed == [(41, workers.signal.SIGKILL)] and sup.recycling is None
    sup._exited(sup.workers.pop(41), -9)
    assert sup.restart_at == {} and not sup.workers[40].retiring
