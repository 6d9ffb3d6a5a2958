"""The pre-auth gate's decisions, with fake transports (the timings live in tests/e2e)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ssh_server import gate as gate_module
from ssh_server.gate import (
    GateProtocol,
    PreAuthGate,
    TokenBucket,
    bucket_key,
    parse_sources,
    source_in,
)


class FakeTransport(asyncio.Transport):
    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source
        self.written = bytearray()
        self.aborted = False
        self.closed = False
        self.protocol: Any = None

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return (self.source, 40000) if name == "peername" else default

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += data

    def abort(self) -> None:
        self.aborted = True

    def close(self) -> None:
        self.closed = True

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.protocol = protocol


class FakeConnection:
    """Stands in for asyncssh's connection: records what the gate hands it."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.made = False
        self.owner = FakeOwner()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.made = True

    def data_received(self, data: bytes) -> None:
        self.data += data

    def eof_received(self) -> None:
        pass

    def connection_lost(self, exc: Exception | None) -> None:
        pass

    def pause_writing(self) -> None:
        pass

    def resume_writing(self) -> None:
        pass

    def get_owner(self) -> Any:
        return self.owner


class FakeOwner:
    def __init__(self) -> None:
        self.version_seen = 0

    def client_version_received(self) -> None:
        self.version_seen += 1


def _gate(**kwargs: Any) -> tuple[PreAuthGate, list[FakeConnection]]:
    made: list[FakeConnection] = []

    def make() -> FakeConnection:
        made.append(FakeConnection())
        return made[-1]

    return PreAuthGate(make, **{"rate": 1.0, "burst": 2, **kwargs}), made


def _accept(gate: PreAuthGate, source: str = "192.0.2.1") -> tuple[GateProtocol, FakeTransport]:
    transport = FakeTransport(source)
    conn = gate.protocol()
    conn.connection_made(transport)
    return conn, transport


def test_token_bucket_refills_up_to_its_burst() -> None:
    bucket = TokenBucket(rate=2.0, burst=3.0, tokens=3.0, updated=0.0)
    assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.take(0.5)  # one token after 0.5 s at 2/s
    assert not bucket.take(0.5)
    assert bucket.full(100.0)


def test_trusted_sources_parse_addresses_networks_and_mapped_ipv6() -> None:
    nets = parse_sources(" 10.0.0.0/8, 192.0.2.7 ,2001:db8::/32,")
    assert source_in("10.1.2.3", nets) and source_in("192.0.2.7", nets)
    assert source_in("::ffff:10.9.9.9", nets) and source_in("2001:db8::1", nets)
    assert not source_in("192.0.2.8", nets) and not source_in("not an address", nets)


async def test_a_client_that_sent_its_version_goes_before_silent_ones() -> None:
    gate, made = _gate(rate=20.0, burst=1)  # the next token in 50 ms
    first, _ = _accept(gate)  # takes the only token at once
    silent, _ = _accept(gate)
    talker, _ = _accept(gate)
    talker.data_received(b"SSH-2.0-OpenSSH_9.9\r\n")
    assert first.conn is not None and silent.conn is None and talker.conn is None
    for _ in range(100):  # the next token goes to the one with a version string
        if talker.conn is not None or silent.conn is not None:
            break
        await asyncio.sleep(0.01)
    assert talker.conn is not None
    assert bytes(made[1].data) == b"SSH-2.0-OpenSSH_9.9\r\n"
    assert made[1].owner.version_seen == 1  # counted against its source from now on


async def test_silent_connection_is_dropped_at_the_version_deadline() -> None:
    gate, made = _gate(version_timeout=0.05)
    conn, transport = _accept(gate)
    assert conn.conn is not None and made[0].owner.version_seen == 0
    for _ in range(1000):
        if transport.aborted:
            break
        await asyncio.sleep(0.01)
    assert transport.aborted and gate.dropped_silent == 1


async def test_version_split_over_packets_after_the_hand_over() -> None:
    gate, made = _gate()
    conn, transport = _accept(gate)
    conn.data_received(b"SSH-2.0-")
    assert made[0].owner.version_seen == 0
    conn.data_received(b"client\r\n")
    assert made[0].owner.version_seen == 1
    assert transport.protocol is made[0]  # the gate stepped aside
    assert bytes(made[0].data) == b"SSH-2.0-client\r\n"


async def test_full_queue_evicts_the_oldest_silent_socket_not_a_talker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(gate_module, "MAX_QUEUED_PER_SOURCE", 2)
    gate, _made = _gate(rate=0.001, burst=1)
    _accept(gate)  # the token
    talker, talker_transport = _accept(gate)
    talker.data_received(b"SSH-2.0-x\r\n")
    silent, silent_transport = _accept(gate)
    second, _ = _accept(gate)
    assert silent_transport.aborted and not talker_transport.aborted
    silent.connection_lost(None)
    second.data_received(b"SSH-2.0-y\r\n")
    _newcomer, newcomer_transport = _accept(gate)  # a queue of talkers only: refused
    assert newcomer_transport.closed and bytes(newcomer_transport.written) == gate_module.REFUSED
    other, _ = _accept(gate, "198.51.100.1")  # another source is not affected
    assert other.conn is not None
    gate.close()


async def test_trusted_source_gets_ten_times_the_burst() -> None:
    gate, _made = _gate(rate=0.001, burst=2, trusted=parse_sources("203.0.113.0/24"))
    trusted = [_accept(gate, "203.0.113.5")[0] for _ in range(25)]
    others = [_accept(gate, "192.0.2.1")[0] for _ in range(5)]
    assert sum(c.conn is not None for c in trusted) == 20
    assert sum(c.conn is not None for c in others) == 2
    gate.close()


async def test_worker_share_splits_rate_and_burst() -> None:
    gate, _made = _gate(rate=10.0, burst=10, share=2)
    assert gate.rate == 5.0 and gate.burst == 5.0


async def test_a_talker_that_never_gets_a_token_is_closed_at_the_queue_deadline() -> None:
    # the queue deadline well after the version deadline: with 0.02/0.06 s a loop stalled for
    # 40 ms on a busy machine ran both timers before the test looked in between
    gate, _made = _gate(rate=0.0001, burst=1, version_timeout=0.02, queue_timeout=3.0)
    _accept(gate)
    waiting, transport = _accept(gate)
    waiting.data_received(b"SSH-2.0-x\r\n")
    await asyncio.sleep(0.1)
    assert not transport.aborted  # it spoke SSH: past the version deadline it may wait on
    for _ in range(1500):
        if transport.aborted:
            break
        await asyncio.sleep(0.01)
    assert transport.aborted and waiting.conn is None
    gate.close()


def test_ipv6_sources_share_the_bucket_of_their_64_prefix() -> None:
    assert bucket_key("2001:db8:1:2::5") == bucket_key("2001:db8:1:2:ffff::9")
    assert bucket_key("2001:db8:1:2::5") != bucket_key("2001:db8:1:3::5")
    assert bucket_key("::ffff:192.0.2.1") == bucket_key("192.0.2.1") == "192.0.2.1"


async def test_address_rotation_within_a_64_does_not_evade_the_rate() -> None:
    gate, _made = _gate(rate=0.001, burst=2)
    conns = [_accept(gate, f"2001:db8:1:2::{i:x}")[0] for i in range(1, 6)]
    assert sum(c.conn is not None for c in conns) == 2
    gate.close()


async def test_a_full_source_queue_does_not_evict_another_sources_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(gate_module, "MAX_QUEUED_PER_SOURCE", 1)
    gate, _made = _gate(rate=0.001, burst=1)
    _accept(gate, "198.51.100.1")
    _bystander, bystander_transport = _accept(gate, "198.51.100.1")  # silent, queued
    _accept(gate)  # 192.0.2.1: the token
    talker, _ = _accept(gate)
    talker.data_received(b"SSH-2.0-x\r\n")
    _newcomer, newcomer_transport = _accept(gate)
    assert newcomer_transport.closed and not bystander_transport.aborted
    gate.close()
