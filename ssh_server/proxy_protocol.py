"""PROXY protocol v1 (text) and v2 (binary) headers, parsed strictly (HAProxy's spec).

A TCP load balancer in front of several nodes (``send-proxy-v2`` in HAProxy) writes one
header before the client's bytes, naming the client's real address. Only
``LINEDESK_PROXY_PROTOCOL=1`` and a peer in ``LINEDESK_PROXY_TRUSTED`` make the gate read
one (:mod:`ssh_server.gate`); anything else that starts like a header is refused, since a
header is exactly what a client would forge to hide its address from the per-source limits
and the audit log.

:func:`parse` takes the bytes received so far: ``None`` while a header may still be
incomplete, a :class:`ProxyHeader` with the bytes it used, or :class:`ProxyError`.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

V1_PREFIX = b"PROXY "
V1_MAX = 107
"""The longest v1 line, CRLF included (the spec's own bound)."""
V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"
V2_HEADER = 16
V2_MAX_PAYLOAD = 216 + 256
"""Addresses (216 bytes at most: AF_UNIX) and a few TLVs; more is refused."""
MAX_HEADER = V2_HEADER + V2_MAX_PAYLOAD
"""No header is longer: a connection that sent this much without one is refused."""
HEADER_TIMEOUT = 3.0
"""Seconds a trusted balancer has to send its header after connecting (it sends at once)."""

_V2_TCP4 = 0x11
_V2_TCP6 = 0x21
_V2_UNSPEC = 0x00


class ProxyError(ValueError):
    """Not a well-formed PROXY header (or one this server does not accept)."""


@dataclass(frozen=True)
class ProxyHeader:
    """What the balancer said: the client's address, or ``None`` (``LOCAL`` / ``UNKNOWN``:
    the balancer's own connection, e.g. a health check; the peer address stays)."""

    source: str | None
    source_port: int
    destination: str | None
    destination_port: int
    length: int
    """Bytes of the header; what follows them is the client's."""
    version: int


def looks_like_header(data: bytes) -> bool | None:
    """Does ``data`` (a connection's first bytes) start like a PROXY header? ``None``: too
    few bytes to tell (a proper prefix of a signature)."""
    for signature in (V1_PREFIX, V2_SIGNATURE):
        n = min(len(data), len(signature))
        if data[:n] == signature[:n]:
            return True if n == len(signature) else None
    return False


def parse(data: bytes) -> ProxyHeader | None:
    """The header at the start of ``data``; ``None``: incomplete, wait for more bytes."""
    if not data:
        return None
    if data[:1] == V1_PREFIX[:1]:
        return _parse_v1(data)
    if data[:1] == V2_SIGNATURE[:1]:
        return _parse_v2(data)
    raise ProxyError("no PROXY header")


def _port(raw: bytes) -> int:
    if not raw.isdigit() or len(raw) > 5 or (len(raw) > 1 and raw[:1] == b"0"):
        raise ProxyError("bad port")
    port = int(raw)
    if port > 65535:
        raise ProxyError("bad port")
    return port


def _parse_v1(data: bytes) -> ProxyHeader | None:
    n = min(len(data), len(V1_PREFIX))
    if data[:n] != V1_PREFIX[:n]:
        raise ProxyError("no PROXY header")
    end = data.find(b"\r\n", 0, V1_MAX)
    if end < 0:
        if len(data) >= V1_MAX or b"\n" in data[:V1_MAX]:
            raise ProxyError("v1 line too long or not ended by CRLF")
        return None
    line = data[:end]
    length = end + 2
    try:
        text = line.decode("ascii")
    except UnicodeDecodeError:
        raise ProxyError("v1 line not ASCII") from None
    parts = text.split(" ")
    if len(parts) >= 2 and parts[1] == "UNKNOWN":
        return ProxyHeader(None, 0, None, 0, length, 1)
    if len(parts) != 6 or parts[0] != "PROXY" or parts[1] not in ("TCP4", "TCP6"):
        raise ProxyError("bad v1 line")
    kind = ipaddress.IPv4Address if parts[1] == "TCP4" else ipaddress.IPv6Address
    try:
        source = kind(parts[2])
        destination = kind(parts[3])
    except ValueError:
        raise ProxyError("bad v1 address") from None
    return ProxyHeader(str(source), _port(parts[4].encode()), str(destination),
                       _port(parts[5].encode()), length, 1)


def _parse_v2(data: bytes) -> ProxyHeader | None:
    n = min(len(data), len(V2_SIGNATURE))
    if data[:n] != V2_SIGNATURE[:n]:
        raise ProxyError("no PROXY header")
    if len(data) < V2_HEADER:
        return None
    version_command, family, payload = struct.unpack("!BBH", data[12:16])
    if version_command >> 4 != 2:
        raise ProxyError("bad v2 version")
    command = version_command & 0x0F
    if command not in (0, 1):
        raise ProxyError("bad v2 command")
    if payload > V2_MAX_PAYLOAD:
        raise ProxyError("v2 header too long")
    length = V2_HEADER + payload
    if len(data) < length:
        return None
    body = data[V2_HEADER:length]
    if command == 0:  # LOCAL: the balancer's own connection (health check)
        return ProxyHeader(None, 0, None, 0, length, 2)
    if family == _V2_TCP4:
        if payload < 12:
            raise ProxyError("v2 TCP4 too short")
        src4, dst4 = ipaddress.IPv4Address(body[0:4]), ipaddress.IPv4Address(body[4:8])
        sport, dport = struct.unpack("!HH", body[8:12])
        return ProxyHeader(str(src4), sport, str(dst4), dport, length, 2)
    if family == _V2_TCP6:
        if payload < 36:
            raise ProxyError("v2 TCP6 too short")
        src6, dst6 = ipaddress.IPv6Address(body[0:16]), ipaddress.IPv6Address(body[16:32])
        sport, dport = struct.unpack("!HH", body[32:36])
        return ProxyHeader(str(src6), sport, str(dst6), dport, length, 2)
    if family == _V2_UNSPEC:
        return ProxyHeader(None, 0, None, 0, length, 2)
    raise ProxyError("v2 family not TCP")  # UDP or AF_UNIX: not an SSH client


def v2_header(source: str, source_port: int, destination: str, destination_port: int,
              *, local: bool = False) -> bytes:
    """A v2 header (what HAProxy's ``send-proxy-v2`` writes; for tests and the bench)."""
    if local:
        return V2_SIGNATURE + struct.pack("!BBH", 0x20, _V2_UNSPEC, 0)
    src, dst = ipaddress.ip_address(source), ipaddress.ip_address(destination)
    family = _V2_TCP4 if src.version == 4 else _V2_TCP6
    body = src.packed + dst.packed + struct.pack("!HH", source_port, destination_port)
    return V2_SIGNATURE + struct.pack("!BBH", 0x21, family, len(body)) + body
