"""The worker hub: two event buses (two workers) connected through one hub socket."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import stat
import struct
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.events import DomainEvent, EventBus
from ssh_server import hub as local_bridge
from ssh_server.hub import (
    MAX_MESSAGE,
    FrameError,
    HubClient,
    LocalHub,
    encode,
    encode_event,
    private_socket_path,
    split_frames,
)


@contextlib.contextmanager
def running_hub(path: Path, statuses: list[tuple[int, dict[str, Any]]] | None = None
                ) -> Iterator[LocalHub]:
    hub = LocalHub(path, on_status=(lambda pid, doc: statuses.append((pid, doc)))
                   if statuses is not None else None)
    hub.open()
    stop = threading.Event()
    thread = threading.Thread(target=hub.serve_until, args=(stop, 0.01), daemon=True)
    thread.start()
    try:
        yield hub
    finally:
        stop.set()
        thread.join(5)
        hub.close()


async def eventually(predicate: Any, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.01)


def collect(bus: EventBus) -> list[DomainEvent]:
    seen: list[DomainEvent] = []
    bus.subscribe(seen.append)
    return seen


@pytest.fixture
def sock_path(tmp_path: Path) -> Path:
    return private_socket_path(tmp_path / "data")


async def test_event_reaches_the_other_worker_only_once_and_not_the_sender(sock_path: Path) -> None:
    one, two, three = EventBus(), EventBus(), EventBus()
    seen_one, seen_two, seen_three = collect(one), collect(two), collect(three)
    with running_hub(sock_path) as hub:
        bridges = [HubClient(sock_path, bus) for bus in (one, two, three)]
        for bridge in bridges:
            await bridge.start()
            await bridge.wait_connected()
        await eventually(lambda: hub.event_peer_count == 3)
        one.publish(DomainEvent("NumberDeactivationMarked", 7, {"number": "030 123456101"}))
        await eventually(lambda: len(seen_two) == 1 and len(seen_three) == 1)
        two.publish(DomainEvent("AuditRecorded", None, {"action": "login"}))
        await eventually(lambda: len(seen_one) == 2 and len(seen_three) == 2)
        await asyncio.sleep(0.2)  # room for an echo or a relay loop to show up
        for bridge in bridges:
            await bridge.close()
    # each bus: its own events once (local), the others' once (bridged), nothing twice
    assert [e.name for e in seen_one] == ["NumberDeactivationMarked", "AuditRecorded"]
    assert [e.name for e in seen_two] == ["NumberDeactivationMarked", "AuditRecorded"]
    assert seen_two[0] == DomainEvent("NumberDeactivationMarked", 7, {"number": "030 123456101"})
    assert [e.name for e in seen_three] == ["NumberDeactivationMarked", "AuditRecorded"]
    assert hub.relayed == 2


async def test_status_connection_gets_no_events_and_reports_status(sock_path: Path) -> None:
    statuses: list[tuple[int, dict[str, Any]]] = []
    worker = EventBus()
    with running_hub(sock_path, statuses) as hub:
        events = HubClient(sock_path, worker)
        status = HubClient(sock_path, None, role="status")
        other = HubClient(sock_path, EventBus())
        for bridge in (events, status, other):
            await bridge.start()
            await bridge.wait_connected()
        await eventually(lambda: hub.event_peer_count == 2 and hub.peer_count == 3)
        other.events.bus.publish(DomainEvent("NumberActivated", 1))  # type: ignore[union-attr]
        assert status.send({"t": "status", "connections": 3, "idle": 0.0})
        await eventually(lambda: statuses and events.received == 1)
        for bridge in (events, status, other):
            await bridge.close()
    assert status.received == 0
    pid, doc = statuses[0]
    assert doc["connections"] == 3 and isinstance(pid, int)


async def test_oversized_event_goes_without_payload_and_hub_drops_oversized_frames(
    sock_path: Path,
) -> None:
    big = DomainEvent("CustomerUpdated", 1, {"note": "x" * (MAX_MESSAGE + 10)})
    frame = encode_event(big)
    assert frame is not None and b"x" * 100 not in frame
    assert encode_event(DomainEvent("y" * (MAX_MESSAGE + 1), None)) is None
    with pytest.raises(FrameError):
        split_frames(bytearray(struct.pack(">I", MAX_MESSAGE + 1) + b"{}"))
    with pytest.raises(FrameError):
        HubClient(sock_path, None).send({"t": "status", "blob": "z" * MAX_MESSAGE})

    receiver = EventBus()
    seen = collect(receiver)
    with running_hub(sock_path) as hub:
        bridge = HubClient(sock_path, receiver)
        await bridge.start()
        await bridge.wait_connected()
        await eventually(lambda: hub.event_peer_count == 1)
        # a misbehaving peer announces a frame over the cap: the hub hangs up on it
        rogue = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        rogue.connect(str(sock_path))
        await eventually(lambda: hub.peer_count == 2)
        rogue.sendall(struct.pack(">I", MAX_MESSAGE + 1))
        await eventually(lambda: hub.peer_count == 1)
        rogue.close()
        sender = HubClient(sock_path, EventBus())
        await sender.start()
        await sender.wait_connected()
        await eventually(lambda: hub.event_peer_count == 2)
        sender.events.bus.publish(big)  # type: ignore[union-attr]
        await eventually(lambda: len(seen) == 1)
        await sender.close()
        await bridge.close()
    assert seen[0].name == "CustomerUpdated" and seen[0].payload == {}


async def test_bridge_reconnects_after_the_hub_restarts(sock_path: Path) -> None:
    one, two = EventBus(), EventBus()
    seen_two = collect(two)
    bridges = [HubClient(sock_path, bus) for bus in (one, two)]
    with running_hub(sock_path) as hub:
        for bridge in bridges:
            await bridge.start()
            await bridge.wait_connected()
        await eventually(lambda: hub.event_peer_count == 2)
    # hub gone: publishing must neither block nor raise; the event is dropped
    await eventually(lambda: not any(b.connected.is_set() for b in bridges))
    one.publish(DomainEvent("Lost", None))
    assert bridges[0].dropped == 1
    with running_hub(sock_path) as hub:
        await eventually(lambda: hub.event_peer_count == 2
                         and all(b.connected.is_set() for b in bridges))
        one.publish(DomainEvent("AfterRestart", None))
        await eventually(lambda: [e.name for e in seen_two] == ["AfterRestart"])
        for bridge in bridges:
            await bridge.close()


def test_socket_is_private(tmp_path: Path) -> None:
    path = private_socket_path(tmp_path / "data")
    hub = LocalHub(path)
    hub.open()
    try:
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_ISSOCK(path.stat().st_mode)
    finally:
        hub.close()
    assert not path.exists()


def test_long_data_dir_gets_a_short_private_socket_path(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 120)
    path = private_socket_path(deep)
    assert len(str(path)) < 108 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    path.parent.rmdir()


def test_split_frames_keeps_partial_frames() -> None:
    frames = encode({"t": "event", "name": "A"}) + encode({"t": "event", "name": "B"})
    buffer = bytearray(frames[:-3])
    assert [d["name"] for d in split_frames(buffer)] == ["A"]
    buffer += frames[-3:]
    assert [d["name"] for d in split_frames(buffer)] == ["B"] and not buffer
    assert local_bridge.MAX_BACKLOG > MAX_MESSAGE
