"""Many sessions in one process; sessions end without leaving anything alive."""

from __future__ import annotations

import asyncio
import gc
import os
import resource
import weakref
from pathlib import Path

import asyncssh
import pytest

from core.services import operators
from tests.e2e.harness import RunningServer, interactive_session, running_server

pytestmark = pytest.mark.e2e


def _children() -> list[str]:
    path = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    return path.read_text().split() if path.exists() else []


def _rss_kib() -> int:
    for line in Path(f"/proc/{os.getpid()}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def _until(predicate, timeout: float = 20) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def _key_for(srv: RunningServer, username: str) -> asyncssh.SSHKey:
    key = asyncssh.generate_private_key("ssh-ed25519")
    async with srv.core.uow() as uow:
        await operators.add_key(uow, username=username, public_key=key.export_public_key().decode())
    return key


async def test_twenty_sessions_at_once_in_one_process(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    async with running_server(tmp_path, templates=db_templates, max_unauth_per_source=25) as srv:
        await _twenty_sessions(srv)


async def _twenty_sessions(demo_server: RunningServer) -> None:
    # (the test process may already have children of its own, e.g. the PostgreSQL server
    # the core tests on this xdist worker started: only new ones would be sessions')
    before = set(_children())
    key = await _key_for(demo_server, "mia")
    users = (
        [("mia", None, [key])] * 9
        + [("tom", "tom-demo", None)] * 1
        + [("admin", "admin-demo", None)] * 10
    )
    started = asyncio.Event()
    release = asyncio.Event()
    screens: list[str] = []

    async def one(user: str, password: str | None, keys: list[asyncssh.SSHKey] | None) -> None:
        async with interactive_session(demo_server.port, user, password, client_keys=keys,
                                       cols=100, rows=30) as term:  # fmt: skip
            screens.append(await term.wait_for("Muster GmbH", timeout=60))
            if len(screens) == len(users):
                started.set()
            await release.wait()
            await term.press("2")
            await term.wait_for("Numbers" if user == "tom" else "Rufnummern", timeout=60)

    tasks = [asyncio.create_task(one(*u)) for u in users]
    await asyncio.wait_for(started.wait(), 90)
    assert len(demo_server.server.sessions) == 20
    assert set(_children()) - before == set()
    release.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 90)
    await _until(lambda: not demo_server.server.sessions)


@pytest.mark.timeout(600)
async def test_connect_disconnect_cycles_leave_no_app_alive(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    cycles = int(os.environ.get("LINEDESK_LEAK_CYCLES", "200"))
    async with running_server(tmp_path, templates=db_templates, max_sessions_per_user=50) as srv:
        key = await _key_for(srv, "mia")
        apps: weakref.WeakSet[object] = weakref.WeakSet()
        rss: list[int] = []

        async def cycle() -> None:
            async with interactive_session(
                srv.port, "mia", client_keys=[key], cols=80, rows=24
            ) as term:
                await term.wait_for("Muster GmbH", timeout=60)
                for session in list(srv.server.sessions):
                    if session.app is not None:
                        apps.add(session.app)

        done = 0
        while done < cycles:
            batch = min(4, cycles - done)
            await asyncio.gather(*(cycle() for _ in range(batch)))
            done += batch
            if done in (cycles // 4, cycles):
                await _until(lambda: not srv.server.sessions)
                srv.server.gc.reclaim(force=True)
                rss.append(_rss_kib())
        await _until(lambda: not srv.server.sessions)
        srv.server.gc.reclaim(force=True)
        if len(apps) and os.environ.get("LINEDESK_LEAK_DEBUG"):
            _explain(next(iter(apps)))
        assert len(apps) == 0, f"{len(apps)} Apps still alive"
        # after warm-up, memory stays flat: far less than one App (~2-3 MB) per 10 cycles
        print(f"RSS after {cycles // 4} cycles {rss[0]} KiB, after {cycles}: {rss[-1]} KiB")
        # flat: well below one App (~2-3 MB) per 10 cycles
        assert rss[-1] - rss[0] < 15 * 1024, rss


def _explain(obj: object, depth: int = 0, seen: set[int] | None = None) -> None:
    """Print who keeps ``obj`` alive (debug aid for the leak test)."""
    import types

    seen = seen if seen is not None else set()
    if depth > 6 or id(obj) in seen:
        return
    seen.add(id(obj))
    for ref in gc.get_referrers(obj):
        if isinstance(ref, types.FrameType) or ref is seen:
            continue
        print("  " * depth, type(ref).__name__, repr(ref)[:150])
        if not isinstance(ref, type):
            _explain(ref, depth + 1, seen)
