"""The pre-authentication gate: what a TCP connection must pass before asyncssh sees it.

Two attacks cost a server without any account: idle sockets (they send nothing and, while
counted against their address, lock out everyone behind the same NAT or jump host) and
connection floods (DHEat, CVE-2002-20001: each connection makes the server compute a key
exchange). The gate accepts the TCP connections itself and hands each over to an asyncssh
connection only when its source has a token (a token bucket per source address, larger for
``LINEDESK_TRUSTED_SOURCES``). A connection over the rate waits in its source's queue and
gets no server version string until then; clients that already sent their own version
string (every real SSH client does so at once) go first, so idle sockets never delay a real
login from the same address. Every connection must send its version string within
:data:`VERSION_TIMEOUT` seconds of being accepted or it is closed; before that it counts
against nothing but the (bounded) queue, where the oldest silent socket makes room for a
new connection.

Behind a TCP load balancer (``LINEDESK_PROXY_PROTOCOL=1``) a connection from one of the
``LINEDESK_PROXY_TRUSTED`` balancers must start with a PROXY header
(:mod:`ssh_server.proxy_protocol`) within :data:`~ssh_server.proxy_protocol.HEADER_TIMEOUT`;
the client address it names is the connection's source from then on (token bucket,
unauthenticated-connection limit, audit log). A connection that starts like a PROXY header
anywhere else (untrusted peer, or the option off) is closed: the header would be forged.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from ssh_server import proxy_protocol
from ssh_server.proxy_protocol import ProxyError, ProxyHeader

log = logging.getLogger(__name__)

VERSION_TIMEOUT = 5.0
"""Seconds after accepting within which a client must have sent its SSH version string."""
MAX_EARLY_BYTES = 4096
"""Bytes a client may send before it is handed over (its version line and first packet)."""
MAX_QUEUED_PER_SOURCE = 64
"""Connections of one source waiting for a token; beyond that the oldest silent one goes."""
MAX_QUEUED = 1024
"""Connections of all sources waiting in this process."""
TRUSTED_FACTOR = 10
"""Trusted sources (jump hosts, NAT gateways) get this many times each per-source limit."""
REFUSED = b"Not allowed at this time\r\n"
"""Sent to a connection refused before the SSH handshake (what OpenSSH says then)."""

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_sources(text: str) -> list[Network]:
    """``LINEDESK_TRUSTED_SOURCES``: comma-separated addresses or CIDR networks."""
    networks: list[Network] = []
    for part in text.split(","):
        part = part.strip()
        if part:
            networks.append(ipaddress.ip_network(part, strict=False))
    return networks


def source_in(source: str, networks: Iterable[Network]) -> bool:
    try:
        address = ipaddress.ip_address(source.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


def bucket_key(source: str) -> str:
    """Whose bucket a connection draws from: its IPv4 address, or its IPv6 /64 (one
    subscriber's prefix: rotating addresses within it would otherwise evade the rate)."""
    try:
        address = ipaddress.ip_address(source.split("%", 1)[0])
    except ValueError:
        return source
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


@dataclass
class TokenBucket:
    """``rate`` tokens a second up to ``burst``; a new connection takes one."""

    rate: float
    burst: float
    tokens: float
    updated: float

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def wait(self) -> float:
        """Seconds until the next token (after a failed :meth:`take`)."""
        return max(0.0, (1.0 - self.tokens) / self.rate) if self.rate > 0 else VERSION_TIMEOUT

    def full(self, now: float) -> bool:
        return self.tokens + (now - self.updated) * self.rate >= self.burst


class Connection(Protocol):
    """What the gate needs of an :class:`asyncssh.SSHServerConnection`."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None: ...

    def data_received(self, data: bytes) -> None: ...

    def eof_received(self) -> None: ...

    def connection_lost(self, exc: Exception | None) -> None: ...

    def pause_writing(self) -> None: ...

    def resume_writing(self) -> None: ...

    def get_owner(self) -> Any: ...


@dataclass
class _Source:
    bucket: TokenBucket
    queue: deque[GateProtocol] = field(default_factory=deque)
    timer: asyncio.TimerHandle | None = None


class PreAuthGate:
    """Per-source rate limit and version-string deadline for one listening process."""

    def __init__(self, make_connection: Callable[[], Connection], *, rate: float, burst: int,
                 trusted: Iterable[Network] = (), version_timeout: float = VERSION_TIMEOUT,
                 queue_timeout: float = 30.0, share: int = 1,
                 proxy_trusted: Iterable[Network] | None = None) -> None:
        self.make_connection = make_connection
        self.proxy_trusted = None if proxy_trusted is None else list(proxy_trusted)
        """``None``: PROXY protocol off; else the balancers whose headers are read."""
        share = max(1, share)
        self.rate = rate / share
        """With N workers on one port each counts 1/N of the rate (the kernel spreads a
        source's connections over them)."""
        self.burst = max(1.0, burst / share)
        self.trusted = list(trusted)
        self.version_timeout = version_timeout
        self.queue_timeout = max(queue_timeout, version_timeout)
        """A connection still waiting for a token this long after it arrived is closed (the
        login timeout: asyncssh's own starts only with the hand-over)."""
        self.sources: dict[str, _Source] = {}
        self.queued = 0
        self.accepted = 0
        self.handed_over = 0
        self.dropped_silent = 0
        """Closed for sending no version string in time, or to make room in a queue."""
        self.refused = 0
        self.proxy_refused = 0
        """Closed for a PROXY header: forged (untrusted peer, option off), malformed, late."""

    def protocol(self) -> GateProtocol:
        """The ``protocol_factory`` of the listening socket."""
        return GateProtocol(self)

    def expects_proxy_header(self, peer: str) -> bool:
        return bool(self.proxy_trusted) and source_in(peer, self.proxy_trusted or ())

    def is_trusted(self, source: str) -> bool:
        return bool(self.trusted) and source_in(source, self.trusted)

    def _source(self, key: str, source: str, now: float) -> _Source:
        state = self.sources.get(key)
        if state is None:
            factor = TRUSTED_FACTOR if self.is_trusted(source) else 1
            burst = self.burst * factor
            state = _Source(TokenBucket(self.rate * factor, burst, burst, now))
            self.sources[key] = state
        return state

    def arrived(self, conn: GateProtocol) -> None:
        self.accepted += 1
        now = asyncio.get_running_loop().time()
        if len(self.sources) > MAX_QUEUED:
            self._purge(now)
        key = bucket_key(conn.source)
        state = self._source(key, conn.source, now)
        if not state.queue and state.bucket.take(now):
            conn.hand_over()
            return
        limit = MAX_QUEUED_PER_SOURCE * (TRUSTED_FACTOR if self.is_trusted(conn.source) else 1)
        if len(state.queue) >= limit or self.queued >= MAX_QUEUED:
            # room is made in the queue that is full: this source's, else any
            victim = (self._oldest_silent(state.queue) if len(state.queue) >= limit
                      else self._oldest_silent_anywhere())
            if victim is None:
                self.refused += 1
                conn.refuse()
                return
            victim.drop()
        state.queue.append(conn)
        self.queued += 1
        self._schedule(key, state)

    @staticmethod
    def _oldest_silent(queue: Iterable[GateProtocol]) -> GateProtocol | None:
        return next((c for c in queue if not c.has_version), None)

    def _oldest_silent_anywhere(self) -> GateProtocol | None:
        for state in self.sources.values():
            victim = self._oldest_silent(state.queue)
            if victim is not None:
                return victim
        return None

    def _schedule(self, source: str, state: _Source) -> None:
        if state.timer is None and state.queue:
            loop = asyncio.get_running_loop()
            state.timer = loop.call_later(state.bucket.wait(), self._drain, source)

    def _drain(self, source: str) -> None:
        state = self.sources.get(source)
        if state is None:
            return
        state.timer = None
        now = asyncio.get_running_loop().time()
        while state.queue and state.bucket.take(now):
            # a client that sent its version string first: it is someone really logging in
            conn = next((c for c in state.queue if c.has_version), state.queue[0])
            self.left_queue(conn)
            conn.hand_over()
        self._schedule(source, state)
        self._forget_if_idle(source, state, now)

    def left_queue(self, conn: GateProtocol) -> None:
        state = self.sources.get(bucket_key(conn.source))
        if state is not None and conn in state.queue:
            state.queue.remove(conn)
            self.queued -= 1

    def gone(self, conn: GateProtocol) -> None:
        self.left_queue(conn)
        key = bucket_key(conn.source)
        state = self.sources.get(key)
        if state is not None:
            self._forget_if_idle(key, state, asyncio.get_running_loop().time())

    def close(self) -> None:
        """Shutting down: close every connection still waiting for a token."""
        for state in list(self.sources.values()):
            for conn in list(state.queue):
                conn.drop()
            if state.timer is not None:
                state.timer.cancel()
                state.timer = None
        self.sources.clear()

    def _purge(self, now: float) -> None:
        for source, state in list(self.sources.items()):
            self._forget_if_idle(source, state, now)

    def _forget_if_idle(self, source: str, state: _Source, now: float) -> None:
        """A full bucket with nobody waiting is the same as no entry: keeps the table small."""
        if not state.queue and state.timer is None and state.bucket.full(now):
            self.sources.pop(source, None)


class GateProtocol(asyncio.Protocol):
    """One accepted TCP connection: waits for a token, then is an asyncssh connection.

    Until the client's version line has arrived the gate stays in between (it forwards the
    bytes) so that the deadline applies also after the hand-over; then it steps aside
    (``transport.set_protocol``) and tells the portal connection (``client_version_received``),
    which only from then on counts against the source's unauthenticated connections."""

    def __init__(self, gate: PreAuthGate) -> None:
        self.gate = gate
        self.transport: asyncio.Transport | None = None
        self.source = ""
        """The client's address: the peer's, or the one its balancer's PROXY header names."""
        self.peer = ""
        self.proxied: ProxyHeader | None = None
        self._header: bytearray | None = None
        """Bytes of a PROXY header still being received (only from a trusted balancer)."""
        self._first = bytearray()
        """The first bytes of a connection without a header, until they cannot be one."""
        self._checked = False
        self._refused = False
        self.early = bytearray()
        self.has_version = False
        self.conn: Connection | None = None
        self.closed = False
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        peer = transport.get_extra_info("peername") or ("", 0)
        self.peer = self.source = str(peer[0])
        if self.gate.expects_proxy_header(self.peer):
            self._header = bytearray()
            self._checked = True
            self._deadline = asyncio.get_running_loop().call_later(
                proxy_protocol.HEADER_TIMEOUT, self._refuse_header, "no PROXY header in time")
            return
        self._arrive()

    def _arrive(self) -> None:
        self._deadline = asyncio.get_running_loop().call_later(
            self.gate.version_timeout, self._too_slow)
        self.gate.arrived(self)

    def _header_received(self, data: bytes) -> None:
        assert self._header is not None
        self._header += data
        try:
            header = proxy_protocol.parse(bytes(self._header))
        except ProxyError as exc:
            self._refuse_header(str(exc))
            return
        if header is None:
            if len(self._header) > proxy_protocol.MAX_HEADER:
                self._refuse_header("PROXY header too long")
            return
        rest = bytes(self._header[header.length:])
        self._header = None
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self.proxied = header
        if header.source is not None:
            self.source = header.source
        self._arrive()
        if rest and not self.closed:
            self.data_received(rest)

    def _refuse_header(self, why: str) -> None:
        """A PROXY header that is forged, malformed or late: close without a word."""
        if self.closed or self.transport is None or self._refused:
            return
        self._refused = True
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self.gate.proxy_refused += 1
        log.info("refused connection from %s: %s", self.peer, why)
        self.gate.left_queue(self)
        self.transport.abort()

    def _unexpected_header(self, data: bytes) -> bytes | None:
        """The bytes to go on with, or ``None`` (wait, or refused): a connection that starts
        like a PROXY header where none is expected is closed."""
        self._first += data
        verdict = proxy_protocol.looks_like_header(bytes(self._first))
        if verdict is None:
            return None
        if verdict:
            self._refuse_header("PROXY header from a peer that is not a trusted balancer")
            return None
        self._checked = True
        data, self._first = bytes(self._first), bytearray()
        return data

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._header is not None:
            self._header_received(data)
            return
        if not self._checked:
            checked = self._unexpected_header(data)
            if checked is None:
                return
            data = checked
        if self.conn is not None:
            self.conn.data_received(data)
            if not self.has_version and self._version_in(data):
                self._version_complete()
            return
        self.early += data
        if len(self.early) > MAX_EARLY_BYTES:
            self.drop()
            return
        if not self.has_version and self._version_in(b""):
            self.has_version = True  # goes first in its source's queue

    def _version_in(self, data: bytes) -> bool:
        """Has a line starting with ``SSH-`` arrived (RFC 4253 allows other lines first)?"""
        if data:
            self.early += data
            if len(self.early) > MAX_EARLY_BYTES:
                del self.early[:-MAX_EARLY_BYTES]
        for line in bytes(self.early).split(b"\n")[:-1]:
            if line.startswith(b"SSH-"):
                return True
        return False

    def hand_over(self) -> None:
        if self.closed or self.transport is None:
            return
        self.gate.handed_over += 1
        conn = self.gate.make_connection()
        self.conn = conn
        transport: asyncio.BaseTransport = self.transport
        if self.proxied is not None and self.proxied.source is not None:
            # duck-typed: asyncssh only calls the transport's methods
            transport = cast(asyncio.BaseTransport, ProxiedTransport(self.transport, self.proxied))
        conn.connection_made(transport)
        if self.early and not self.closed:
            conn.data_received(bytes(self.early))  # kept: the version line may be partial
        if self.has_version:
            self._version_complete()

    def _version_complete(self) -> None:
        self.has_version = True
        self.early = bytearray()
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        if self.closed or self.conn is None or self.transport is None:
            return
        self.transport.set_protocol(self.conn)  # type: ignore[arg-type]
        owner = self.conn.get_owner()
        notify = getattr(owner, "client_version_received", None)
        if notify is not None:
            notify()

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.has_version:
            self.drop()
        elif self.conn is None:  # spoke SSH but is still waiting for its turn
            self._deadline = asyncio.get_running_loop().call_later(
                self.gate.queue_timeout - self.gate.version_timeout, self._waited_too_long)

    def _waited_too_long(self) -> None:
        self._deadline = None
        if self.conn is None:
            self.drop()

    def drop(self) -> None:
        """Close silently (a socket that never spoke SSH)."""
        if self.closed or self.transport is None:
            return
        self.gate.dropped_silent += 1
        self.gate.left_queue(self)
        self.transport.abort()

    def refuse(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.write(REFUSED)
            self.transport.close()

    def eof_received(self) -> bool | None:
        if self.conn is not None:
            self.conn.eof_received()
        return None

    def pause_writing(self) -> None:
        if self.conn is not None:
            self.conn.pause_writing()

    def resume_writing(self) -> None:
        if self.conn is not None:
            self.conn.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self.gate.gone(self)
        if self.conn is not None:
            self.conn.connection_lost(exc)


class ProxiedTransport:
    """The TCP transport as asyncssh sees it behind a balancer: ``peername`` (and
    ``sockname``) are the addresses of the PROXY header, everything else is the socket's."""

    def __init__(self, transport: asyncio.Transport, header: ProxyHeader) -> None:
        self._transport = transport
        self._header = header

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        if name == "peername":
            return (self._header.source, self._header.source_port)
        if name == "sockname" and self._header.destination is not None:
            return (self._header.destination, self._header.destination_port)
        return self._transport.get_extra_info(name, default)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
