"""Limits across worker processes: two workers' clients (their own Limits and hub links)
against one supervisor hub, as ``serve --workers 2`` wires them."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import struct
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ssh_server.hub import HubClient, LocalHub, encode, private_socket_path
from ssh_server.limits import SESSION, UNAUTH, Limits
from tests.unit.test_local_bridge import eventually, running_hub

ACCOUNT = 7


@pytest.fixture
def sock_path(tmp_path: Path) -> Path:
    return private_socket_path(tmp_path / "data")


@contextlib.asynccontextmanager
async def worker_limits(path: Path, *, sessions: int = 1, unauth: int = 10,
                        connect: bool = True) -> AsyncIterator[tuple[Limits, HubClient]]:
    """One worker's side: its Limits counting through its own hub connection."""
    limits = Limits(max_unauth_per_source=unauth, max_sessions_per_user=sessions)
    link = HubClient(path, None, role="status")
    limits.share_through(link)
    await link.start()
    try:
        if connect:
            await link.wait_connected(5)
        yield limits, link
    finally:
        await link.close()


async def test_session_limit_holds_across_workers_and_frees_on_release(sock_path: Path) -> None:
    with running_hub(sock_path) as hub:
        async with worker_limits(sock_path) as (one, _), worker_limits(sock_path) as (two, _):
            held = await one.hold_session(ACCOUNT)
            assert held is not None
            assert await two.hold_session(ACCOUNT) is None  # the other worker: refused
            assert two.sessions[ACCOUNT] == 0  # its provisional local count was given back
            assert await two.hold_session(ACCOUNT + 1) is not None  # other accounts unaffected
            held.release()
            held.release()  # idempotent: a second release frees nothing of another's
            await eventually(lambda: hub.held(SESSION, str(ACCOUNT)) == 0)
            again = await two.hold_session(ACCOUNT)
            assert again is not None
            assert hub.held(SESSION, str(ACCOUNT)) == 1


async def test_unauthenticated_limit_per_source_across_workers(sock_path: Path) -> None:
    with running_hub(sock_path) as hub:
        async with (worker_limits(sock_path, unauth=2) as (one, _),
                    worker_limits(sock_path, unauth=2) as (two, _)):
            first = one.hold_connection("192.0.2.1")
            second = two.hold_connection("192.0.2.1")
            assert first is not None and second is not None
            assert await first.confirmed() and await second.confirmed()
            third = one.hold_connection("192.0.2.1")
            assert third is not None  # this worker alone has only one: admitted locally ...
            assert not await third.confirmed()  # ... but the supervisor counts two already
            assert third.refused and one.unauthenticated["192.0.2.1"] == 1
            third.release()  # the connection closes: nothing more to give back
            assert hub.held(UNAUTH, "192.0.2.1") == 2
            other = two.hold_connection("198.51.100.9")
            assert other is not None and await other.confirmed()
            first.release()  # authenticated
            await eventually(lambda: hub.held(UNAUTH, "192.0.2.1") == 1)
            fourth = two.hold_connection("192.0.2.1")
            assert fourth is not None and await fourth.confirmed()


async def test_dead_worker_releases_everything_it_held(sock_path: Path) -> None:
    with running_hub(sock_path) as hub:
        async with worker_limits(sock_path) as (two, _):
            async with worker_limits(sock_path) as (one, _):
                assert await one.hold_session(ACCOUNT) is not None
                assert one.hold_connection("192.0.2.1") is not None
                await eventually(lambda: hub.held(UNAUTH, "192.0.2.1") == 1)
                assert await two.hold_session(ACCOUNT) is None
            # its hub connection is gone (the process died): the supervisor frees its units
            await eventually(lambda: hub.held(SESSION, str(ACCOUNT)) == 0
                             and hub.held(UNAUTH, "192.0.2.1") == 0)
            assert await two.hold_session(ACCOUNT) is not None


def test_supervisor_releases_a_reaped_workers_units_by_pid(sock_path: Path) -> None:
    """The supervisor drops a reaped worker's connections at once (its end of file may
    come later), and with them what it held. (Driven from this thread, as the supervisor
    drives its hub.)"""
    fake_pid = os.getpid() + 100_000
    hub = LocalHub(sock_path)
    hub.open()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as raw:
            raw.connect(str(sock_path))
            raw.sendall(encode({"t": "hello", "pid": fake_pid, "role": "status"})
                        + encode({"t": "acquire", "id": 1, "kind": SESSION, "key": "7",
                                  "limit": 1}))
            for _ in range(100):
                hub.poll(0.05)
                if hub.held(SESSION, "7"):
                    break
            size = struct.unpack(">I", raw.recv(4))[0]
            assert b'"ok":true' in raw.recv(size)
            assert hub.held(SESSION, "7") == 1
            hub.release_pid(fake_pid + 1)  # someone else's pid: nothing happens
            assert hub.held(SESSION, "7") == 1
            hub.release_pid(fake_pid)
            assert hub.held(SESSION, "7") == 0 and hub.peer_count == 0
    finally:
        hub.close()


async def test_release_while_the_supervisor_is_asked_still_gives_the_unit_back(
    sock_path: Path,
) -> None:
    with running_hub(sock_path) as hub:
        async with worker_limits(sock_path) as (one, _):
            hold = one.hold_connection("192.0.2.1")
            assert hold is not None
            hold.release()  # before the answer arrived (a connection that closes at once)
            assert await hold.confirmed()
            assert one.unauthenticated["192.0.2.1"] == 0
            await eventually(lambda: hub.held(UNAUTH, "192.0.2.1") == 0)
            # and the hub really had counted it: a new hold is granted, nothing leaked
            again = one.hold_connection("192.0.2.1")
            assert again is not None and await again.confirmed()
            await eventually(lambda: hub.held(UNAUTH, "192.0.2.1") == 1)


async def test_hub_unreachable_falls_back_to_the_local_count_and_warns_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="ssh_server.limits")
    async with worker_limits(tmp_path / "nobody.sock", sessions=2, connect=False) as (one, _):
        first = await one.hold_session(ACCOUNT)
        second = await one.hold_session(ACCOUNT)
        assert first is not None and second is not None
        assert await one.hold_session(ACCOUNT) is None  # the local limit still holds
        assert one.shared is not None and one.shared.fallbacks == 2
        warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
        assert len(warnings) == 1


async def test_reconnected_worker_restores_what_it_holds(sock_path: Path) -> None:
    first_hub = contextlib.ExitStack()
    hub = first_hub.enter_context(running_hub(sock_path))
    async with worker_limits(sock_path) as (one, link):
        assert await one.hold_session(ACCOUNT) is not None
        assert one.hold_connection("192.0.2.1") is not None
        await eventually(lambda: hub.held(UNAUTH, "192.0.2.1") == 1)
        first_hub.close()  # the hub went away (its counts with it) ...
        await eventually(lambda: not link.connected.is_set())
        with running_hub(sock_path) as hub:  # ... and a new one listens
            await eventually(link.connected.is_set, timeout=30)
            await eventually(lambda: hub.held(SESSION, str(ACCOUNT)) == 1
                             and hub.held(UNAUTH, "192.0.2.1") == 1)
            async with worker_limits(sock_path) as (two, _):
                assert await two.hold_session(ACCOUNT) is None
