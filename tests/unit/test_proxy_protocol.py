"""PROXY protocol v1/v2: the strict parser, and what the pre-auth gate does with a header
(read from a trusted balancer, refused from anyone else or with the option off)."""

from __future__ import annotations

import asyncio
import struct
from typing import Any

import pytest

from ssh_server.gate import GateProtocol, PreAuthGate, parse_sources
from ssh_server.proxy_protocol import (
    MAX_HEADER,
    V2_SIGNATURE,
    ProxyError,
    ProxyHeader,
    looks_like_header,
    parse,
    v2_header,
)
from tests.unit.test_gate import FakeConnection, FakeTransport

SSH = b"SSH-2.0-OpenSSH_9.9\r\n"


# -- parser ----------------------------------------------------------------------------


def test_v1_tcp4_and_tcp6() -> None:
    line = b"PROXY TCP4 203.0.113.7 192.0.2.1 51234 22\r\n"
    header = parse(line + SSH)
    assert header == ProxyHeader("203.0.113.7", 51234, "192.0.2.1", 22, len(line), 1)
    header = parse(b"PROXY TCP6 2001:db8::7 2001:db8::1 4000 2222\r\n")
    assert header is not None and header.source == "2001:db8::7" and header.source_port == 4000


def test_v1_unknown_keeps_the_peer_address() -> None:
    header = parse(b"PROXY UNKNOWN\r\n")
    assert header is not None and header.source is None and header.length == 15


@pytest.mark.parametrize("line", [
    b"PROXY TCP4 203.0.113.7 192.0.2.1 51234\r\n",           # a field missing
    b"PROXY TCP4 203.0.113.7  192.0.2.1 51234 22\r\n",       # two spaces
    b"PROXY TCP4 2001:db8::7 192.0.2.1 51234 22\r\n",        # IPv6 under TCP4
    b"PROXY TCP6 203.0.113.7 2001:db8::1 51234 22\r\n",      # IPv4 under TCP6
    b"PROXY TCP4 203.0.113.777 192.0.2.1 51234 22\r\n",      # not an address
    b"PROXY TCP4 203.0.113.07 192.0.2.1 51234 22\r\n",       # leading zero
    b"PROXY TCP4 203.0.113.7 192.0.2.1 65536 22\r\n",        # port too large
    b"PROXY TCP4 203.0.113.7 192.0.2.1 051234 22\r\n",       # port with leading zero
    b"PROXY TCP4 203.0.113.7 192.0.2.1 -1 22\r\n",           # negative port
    b"PROXY UDP4 203.0.113.7 192.0.2.1 51234 22\r\n",        # not TCP
    b"PROXY TCP4 203.0.113.7 192.0.2.1 51234 22\n",          # LF without CR
    b"PROXY TCP4 203.0.113.7 192.0.2.1 51234 \xff22\r\n",    # not ASCII
    b"PROXX TCP4 203.0.113.7 192.0.2.1 51234 22\r\n",        # not the prefix
    b"SSH-2.0-OpenSSH_9.9\r\n",                               # no header at all
])
def test_v1_invalid_lines_are_refused(line: bytes) -> None:
    with pytest.raises(ProxyError):
        parse(line)


def test_v1_truncated_waits_and_oversized_is_refused() -> None:
    line = b"PROXY TCP4 203.0.113.7 192.0.2.1 51234 22\r\n"
    for cut in range(1, len(line) - 1):
        assert parse(line[:cut]) is None  # incomplete: wait for more
    with pytest.raises(ProxyError):
        parse(b"PROXY TCP4 " + b"1" * 200)  # no CRLF within 107 bytes


def test_v2_tcp4_tcp6_local_and_tlvs() -> None:
    raw = v2_header("198.51.100.9", 40001, "192.0.2.1", 22)
    header = parse(raw + SSH)
    assert header == ProxyHeader("198.51.100.9", 40001, "192.0.2.1", 22, len(raw), 2)
    raw6 = v2_header("2001:db8::9", 40002, "2001:db8::1", 22)
    header = parse(raw6)
    assert header is not None and header.source == "2001:db8::9" and header.length == 52
    local = v2_header("", 0, "", 0, local=True)
    header = parse(local)
    assert header is not None and header.source is None and header.length == 16
    # TLVs after the addresses (HAProxy may send some) are skipped
    body = bytes([198, 51, 100, 9, 192, 0, 2, 1]) + struct.pack("!HH", 1, 22) + b"\x04\x00\x01x"
    with_tlv = V2_SIGNATURE + struct.pack("!BBH", 0x21, 0x11, len(body)) + body
    header = parse(with_tlv)
    assert header is not None and header.source == "198.51.100.9" and header.length == 32


def test_v2_truncated_waits() -> None:
    raw = v2_header("198.51.100.9", 40001, "192.0.2.1", 22)
    for cut in range(1, len(raw)):
        assert parse(raw[:cut]) is None


def _v2(version_command: int, family: int, body: bytes, length: int | None = None) -> bytes:
    size = len(body) if length is None else length
    return V2_SIGNATURE + struct.pack("!BBH", version_command, family, size) + body


@pytest.mark.parametrize("raw", [
    _v2(0x11, 0x11, bytes(12)),                   # version 1 in a v2 header
    _v2(0x22, 0x11, bytes(12)),                   # command 2
    _v2(0x21, 0x11, bytes(8)),                    # TCP4 addresses too short
    _v2(0x21, 0x21, bytes(20)),                   # TCP6 addresses too short
    _v2(0x21, 0x12, bytes(12)),                   # UDP4
    _v2(0x21, 0x31, bytes(216)),                  # AF_UNIX
    _v2(0x21, 0x11, b"", length=MAX_HEADER),      # oversized length field
    b"\r\n\r\n\x00\r\nQUIX\n" + bytes(4),          # wrong signature
])
def test_v2_invalid_headers_are_refused(raw: bytes) -> None:
    with pytest.raises(ProxyError):
        parse(raw)


def test_looks_like_header() -> None:
    assert looks_like_header(b"PROXY TCP4 1") is True
    assert looks_like_header(V2_SIGNATURE + b"!") is True
    assert looks_like_header(b"PRO") is None and looks_like_header(b"\r\n\r") is None
    assert looks_like_header(SSH) is False and looks_like_header(b"\r\nSSH") is False


# -- the gate --------------------------------------------------------------------------


class RecordingConnection(FakeConnection):
    def __init__(self) -> None:
        super().__init__()
        self.transport: Any = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.transport = transport


def _gate(proxy: str | None) -> tuple[PreAuthGate, list[RecordingConnection]]:
    made: list[RecordingConnection] = []

    def make() -> RecordingConnection:
        made.append(RecordingConnection())
        return made[-1]

    trusted = None if proxy is None else parse_sources(proxy)
    return PreAuthGate(make, rate=10.0, burst=10, proxy_trusted=trusted), made


def _accept(gate: PreAuthGate, peer: str) -> tuple[GateProtocol, FakeTransport]:
    transport = FakeTransport(peer)
    conn = gate.protocol()
    conn.connection_made(transport)
    return conn, transport


async def test_trusted_balancer_header_names_the_source() -> None:
    gate, made = _gate("10.0.0.0/8")
    conn, transport = _accept(gate, "10.1.1.1")
    assert conn.conn is None  # waits for the header before anything else
    raw = v2_header("198.51.100.9", 40001, "192.0.2.1", 22)
    conn.data_received(raw[:5])
    conn.data_received(raw[5:] + SSH)
    assert conn.source == "198.51.100.9" and not transport.aborted
    assert bytes(made[0].data) == SSH  # the header never reaches asyncssh
    assert made[0].transport.get_extra_info("peername") == ("198.51.100.9", 40001)
    assert "198.51.100.9" in gate.sources or not gate.sources  # its own bucket


async def test_trusted_balancer_v1_then_ssh_in_one_packet() -> None:
    gate, made = _gate("10.0.0.5")
    conn, _transport = _accept(gate, "10.0.0.5")
    conn.data_received(b"PROXY TCP4 203.0.113.7 192.0.2.1 51234 22\r\n" + SSH)
    assert conn.source == "203.0.113.7" and bytes(made[0].data) == SSH


async def test_local_header_keeps_the_balancer_address() -> None:
    gate, made = _gate("10.0.0.5")
    conn, transport = _accept(gate, "10.0.0.5")
    conn.data_received(v2_header("", 0, "", 0, local=True) + SSH)
    assert conn.source == "10.0.0.5" and made[0].transport is transport


@pytest.mark.parametrize("data", [
    SSH,                                                    # no header from the balancer
    b"PROXY TCP4 203.0.113.7 192.0.2.1 51234\r\n",          # malformed
    b"PROXY TCP4 " + b"9" * (MAX_HEADER + 10),              # oversized
])
async def test_trusted_balancer_without_a_valid_header_is_closed(data: bytes) -> None:
    gate, made = _gate("10.0.0.5")
    conn, transport = _accept(gate, "10.0.0.5")
    conn.data_received(data)
    assert transport.aborted and made == [] and gate.proxy_refused == 1


async def test_header_from_untrusted_peer_is_refused() -> None:
    gate, made = _gate("10.0.0.5")
    conn, transport = _accept(gate, "192.0.2.66")  # not the balancer
    for byte in v2_header("198.51.100.9", 1, "192.0.2.1", 22)[:13]:
        conn.data_received(bytes([byte]))  # even one byte at a time
    assert transport.aborted and gate.proxy_refused == 1
    assert made[0].data == b""  # nothing of it reached asyncssh


async def test_untrusted_peer_without_header_is_served_directly() -> None:
    gate, made = _gate("10.0.0.5")
    conn, transport = _accept(gate, "192.0.2.66")
    conn.data_received(SSH)
    assert not transport.aborted and conn.source == "192.0.2.66" and bytes(made[0].data) == SSH


@pytest.mark.parametrize("data", [
    b"PROXY TCP4 198.51.100.9 192.0.2.1 1 22\r\n" + SSH,
    v2_header("198.51.100.9", 1, "192.0.2.1", 22) + SSH,
])
async def test_without_the_option_a_header_is_garbage(data: bytes) -> None:
    gate, made = _gate(None)
    conn, transport = _accept(gate, "10.0.0.5")
    conn.data_received(data)
    assert transport.aborted and conn.source == "10.0.0.5" and made[0].data == b""


async def test_balancer_that_sends_nothing_is_closed_after_the_header_timeout(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from ssh_server import proxy_protocol

    monkeypatch.setattr(proxy_protocol, "HEADER_TIMEOUT", 0.01)
    gate, made = _gate("10.0.0.5")
    _conn, transport = _accept(gate, "10.0.0.5")
    for _ in range(100):
        if transport.aborted:
            break
        await asyncio.sleep(0.01)
    assert transport.aborted and made == [] and gate.proxy_refused == 1
