"""The supervisor's hub of ``linedesk serve --workers N``: wire format, server, client.

The supervisor hosts a :class:`LocalHub` on a Unix-domain socket (directory 0700, socket
0600); every worker connects :class:`HubClient` s to it. Over one, on SQLite, the worker
forwards the events its own units of work publish and publishes what the hub relays from
the other workers (R17: every open session updates live, whichever worker serves it; the
core's side of that is :class:`core.local_bridge.EventForwarder`). Over another it reports
its status (open connections: the supervisor's heartbeat), asks to be replaced
(``rotate``), and takes and gives back units of the limits shared by all workers
(sessions per account, unauthenticated connections per source, :mod:`ssh_server.limits`):
the hub is their single counter, and a worker's units are released when its connection
ends (the worker died).

Wire format: a 4-byte big-endian length, then one UTF-8 JSON object (``{"t": "hello" |
"event" | "status" | "rotate" | "acquire" | "release" | "restore" | "reply", ...}``), at
most :data:`MAX_MESSAGE` bytes. PostgreSQL deployments use :mod:`core.pg_bridge` for
events instead (it also spans hosts); the limits still go through the hub.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import selectors
import socket
import struct
import tempfile
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.events import DomainEvent, EventBus
from core.local_bridge import EventForwarder

log = logging.getLogger(__name__)

MAX_MESSAGE = 64 * 1024
"""Largest frame body: events carry ids and short texts; anything bigger is a bug or an
attack on the hub, and a peer sending one is disconnected."""
MAX_BACKLOG = 1024 * 1024
"""Unsent bytes allowed per connection: a peer that stops reading is dropped (hub) or its
events are dropped (bridge) rather than letting memory grow or blocking anyone."""
RECONNECT_MAX_DELAY = 2.0
_HEADER = struct.Struct(">I")


def encode(doc: dict[str, Any]) -> bytes:
    body = json.dumps(doc, default=str, separators=(",", ":")).encode()
    return _HEADER.pack(len(body)) + body


def encode_event(event: DomainEvent) -> bytes | None:
    """The event's frame; without its payload when that is too large (listeners re-read
    the database anyway), None when even that does not fit."""
    doc = EventForwarder.outgoing(event)
    frame = encode(doc)
    if len(frame) - _HEADER.size > MAX_MESSAGE:
        frame = encode({**doc, "payload": {}})
    if len(frame) - _HEADER.size > MAX_MESSAGE:
        return None
    return frame


class FrameError(ValueError):
    """A frame over :data:`MAX_MESSAGE` or not a JSON object."""


def split_frames(buffer: bytearray) -> list[dict[str, Any]]:
    """Take the complete frames off the front of ``buffer``."""
    docs: list[dict[str, Any]] = []
    while len(buffer) >= _HEADER.size:
        (size,) = _HEADER.unpack_from(buffer)
        if size > MAX_MESSAGE:
            raise FrameError(f"frame of {size} bytes")
        if len(buffer) < _HEADER.size + size:
            break
        body = bytes(buffer[_HEADER.size:_HEADER.size + size])
        del buffer[:_HEADER.size + size]
        docs.append(_decode(body))
    return docs


def _decode(body: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise FrameError("not JSON") from exc
    if not isinstance(doc, dict):
        raise FrameError("not an object")
    return doc


def private_socket_path(data_dir: Path, name: str = "hub.sock") -> Path:
    """``<data_dir>/run/<name>`` in a 0700 directory; a fresh private temp directory when
    that path is too long for a Unix socket (about 100 bytes)."""
    run_dir = data_dir.resolve() / "run"
    if len(str(run_dir / name).encode()) > 100:
        run_dir = Path(tempfile.mkdtemp(prefix="linedesk-"))  # created 0700
    run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(run_dir, 0o700)
    return run_dir / name


class _Peer:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.pid: int | None = None
        self.events = False
        """Wants relayed events (a worker's event bridge, not its status connection)."""
        self.inbuf = bytearray()
        self.outbuf = bytearray()
        self.holds: Counter[tuple[str, str]] = Counter()
        """Units of shared limits this peer holds: (kind, key) -> count."""


class LocalHub:
    """The relay in the supervisor: synchronous (``selectors``), driven by :meth:`poll`, so
    the supervisor runs no event loop and can fork workers at any time.

    An event from one peer goes to every other peer that asked for events, never back to
    its sender; status reports go to ``on_status(pid, doc)``, requests to be replaced to
    ``on_rotate(pid, doc)``. The shared limits are counted here (:meth:`held`): ``acquire`` is
    answered at once, and everything a peer held is released when it disconnects.
    """

    def __init__(self, path: Path, *,
                 on_status: Callable[[int, dict[str, Any]], None] | None = None,
                 on_rotate: Callable[[int, dict[str, Any]], None] | None = None) -> None:
        self.path = path
        self.on_status = on_status
        self.on_rotate = on_rotate
        self._selector = selectors.DefaultSelector()
        self._listener: socket.socket | None = None
        self._peers: dict[socket.socket, _Peer] = {}
        self._totals: Counter[tuple[str, str]] = Counter()
        self.relayed = 0
        self.statuses: dict[int, dict[str, Any]] = {}
        """Each connected worker's latest status report; a ``workers`` request gets them all
        (one worker answers ``/metrics`` for every worker of the node)."""

    def open(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # a stale socket of a previous run
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o177)
        try:
            listener.bind(str(self.path))
        finally:
            os.umask(old_umask)
        os.chmod(self.path, 0o600)
        listener.listen(64)
        listener.setblocking(False)
        self._listener = listener
        self._selector.register(listener, selectors.EVENT_READ)

    @property
    def peer_count(self) -> int:
        return len(self._peers)

    @property
    def event_peer_count(self) -> int:
        """Peers that said hello and receive events (what tests wait for)."""
        return sum(1 for peer in self._peers.values() if peer.events)

    def held(self, kind: str, key: str) -> int:
        """Units of a shared limit held by all peers together."""
        return self._totals[(kind, key)]

    def release_pid(self, pid: int) -> None:
        """A worker died: drop its connections now (and with them all it held) instead of
        waiting for the hub to read their end of file."""
        for peer in list(self._peers.values()):
            if peer.pid == pid:
                self._drop(peer)

    def poll(self, timeout: float) -> None:
        """Handle whatever is ready, waiting at most ``timeout`` seconds."""
        for key, mask in self._selector.select(timeout):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            if sock is self._listener:
                self._accept()
                continue
            peer = self._peers.get(sock)
            if peer is None:
                continue
            if mask & selectors.EVENT_WRITE:
                self._flush(peer)
            if mask & selectors.EVENT_READ and sock in self._peers:
                self._read(peer)

    def serve_until(self, stop: threading.Event, interval: float = 0.05) -> None:
        """Poll until ``stop`` is set (tests run the hub like this in a thread)."""
        while not stop.is_set():
            self.poll(interval)

    def _accept(self) -> None:
        assert self._listener is not None
        try:
            sock, _addr = self._listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        sock.setblocking(False)
        self._peers[sock] = _Peer(sock)
        self._selector.register(sock, selectors.EVENT_READ)

    def _read(self, peer: _Peer) -> None:
        try:
            data = peer.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._drop(peer)
            return
        peer.inbuf += data
        try:
            docs = split_frames(peer.inbuf)
        except FrameError as exc:
            log.warning("hub: dropping worker %s: %s", peer.pid, exc)
            self._drop(peer)
            return
        for doc in docs:
            self._handle(peer, doc)

    def _handle(self, peer: _Peer, doc: dict[str, Any]) -> None:
        kind = doc.get("t")
        if kind == "hello":
            pid = doc.get("pid")
            peer.pid = pid if isinstance(pid, int) else None
            peer.events = bool(doc.get("events"))
        elif kind == "event":
            frame = encode(doc)
            for other in list(self._peers.values()):
                if other is not peer and other.events:
                    self._send(other, frame)
            self.relayed += 1
        elif kind == "acquire":
            self._acquire(peer, doc)
        elif kind == "release":
            self._release(peer, (str(doc.get("kind")), str(doc.get("key"))))
        elif kind == "restore":
            self._restore(peer, doc)
        elif kind == "workers":
            self._send(peer, encode({"t": "reply", "id": doc.get("id"),
                                     "workers": list(self.statuses.values())}))
        elif kind == "status" and peer.pid is not None:
            self.statuses[peer.pid] = {**doc, "pid": peer.pid}
            if self.on_status is None:
                return
            try:
                self.on_status(peer.pid, doc)
            except Exception:
                log.exception("hub: status handler failed")
        elif kind == "rotate" and self.on_rotate is not None and peer.pid is not None:
            try:
                self.on_rotate(peer.pid, doc)
            except Exception:
                log.exception("hub: rotate handler failed")

    def _acquire(self, peer: _Peer, doc: dict[str, Any]) -> None:
        unit = (str(doc.get("kind")), str(doc.get("key")))
        limit = doc.get("limit")
        ok = isinstance(limit, int) and self._totals[unit] < limit
        if ok:
            self._totals[unit] += 1
            peer.holds[unit] += 1
        self._send(peer, encode({"t": "reply", "id": doc.get("id"), "ok": ok}))

    def _release(self, peer: _Peer, unit: tuple[str, str], count: int = 1) -> None:
        # only what this peer holds: a confused or stale release cannot free another's unit
        count = min(count, peer.holds[unit])
        if count <= 0:
            return
        peer.holds[unit] -= count
        if peer.holds[unit] <= 0:
            del peer.holds[unit]
        self._totals[unit] -= count
        if self._totals[unit] <= 0:
            del self._totals[unit]

    def _restore(self, peer: _Peer, doc: dict[str, Any]) -> None:
        """A reconnected worker reports what it holds (counted without a limit check: those
        sessions exist already)."""
        if doc.get("reset"):
            for unit, count in list(peer.holds.items()):
                self._release(peer, unit, count)
        holds = doc.get("holds")
        for item in holds if isinstance(holds, list) else []:
            if (isinstance(item, list) and len(item) == 3 and isinstance(item[2], int)
                    and item[2] > 0):
                unit = (str(item[0]), str(item[1]))
                peer.holds[unit] += item[2]
                self._totals[unit] += item[2]

    def _send(self, peer: _Peer, frame: bytes) -> None:
        if len(peer.outbuf) + len(frame) > MAX_BACKLOG:
            log.warning("hub: worker %s does not read its events; disconnecting it", peer.pid)
            self._drop(peer)
            return
        had_backlog = bool(peer.outbuf)
        peer.outbuf += frame
        if not had_backlog:
            self._flush(peer)

    def _flush(self, peer: _Peer) -> None:
        try:
            sent = peer.sock.send(peer.outbuf)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self._drop(peer)
            return
        del peer.outbuf[:sent]
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if peer.outbuf else 0)
        self._selector.modify(peer.sock, events)

    def _drop(self, peer: _Peer) -> None:
        if self._peers.pop(peer.sock, None) is None:
            return
        if peer.pid is not None and not any(p.pid == peer.pid for p in self._peers.values()):
            self.statuses.pop(peer.pid, None)
        for unit, count in list(peer.holds.items()):
            self._release(peer, unit, count)
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(peer.sock)
        peer.sock.close()

    def detach(self) -> None:
        """In a forked child: close the inherited descriptors, leave the socket file."""
        for sock in [*self._peers, self._listener]:
            if sock is not None:
                sock.close()
        self._peers.clear()
        self._listener = None
        self._selector.close()

    def close(self) -> None:
        for peer in list(self._peers.values()):
            self._drop(peer)
        if self._listener is not None:
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(self._listener)
            self._listener.close()
            self._listener = None
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        self._selector.close()


class HubClient:
    """A worker's connection to the hub: forwards the bus's local events (``bus`` given)
    and/or carries status reports (:meth:`send`) and requests (:meth:`request`).
    Reconnects when the hub goes away; never blocks the loop (events are dropped, with a
    warning, while the hub is unreachable or not reading). With a bus it is the core's
    event relay (``Core.start_bridge(local_hub=...)``)."""

    def __init__(self, path: Path, bus: EventBus | None, *, role: str = "events") -> None:
        self.path = path
        self.events = EventForwarder(bus) if bus is not None else None
        self.role = role
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        self.dropped = 0
        self.on_connect: list[Callable[[], None]] = []
        """Called after each (re)connection's hello, before anything else is sent on it
        (the limits client restores what the worker holds)."""
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._next_id = 0

    @property
    def received(self) -> int:
        """Events from other workers published on this worker's bus."""
        return self.events.received if self.events is not None else 0

    async def start(self) -> None:
        if self.events is not None:
            self.events.attach(self.forward)
        self._task = asyncio.create_task(self._run(), name=f"local-bridge-{self.role}")

    async def wait_connected(self, timeout: float = 10.0) -> None:
        await asyncio.wait_for(self.connected.wait(), timeout)

    def forward(self, event: DomainEvent) -> None:
        frame = encode_event(event)
        if frame is None:
            log.warning("event %s too large for the worker hub; not forwarded", event.name)
            return
        self._write(frame)

    def send(self, doc: dict[str, Any]) -> bool:
        """Send a message (status report) now; False when not connected or backlogged."""
        frame = encode(doc)
        if len(frame) - _HEADER.size > MAX_MESSAGE:
            raise FrameError(f"message of {len(frame)} bytes")
        return self._write(frame)

    async def request(self, doc: dict[str, Any], timeout: float) -> dict[str, Any] | None:
        """Send ``doc`` with a fresh ``id`` and wait for the hub's reply with that id; None
        when not connected, backlogged, disconnected meanwhile or not answered in time."""
        self._next_id += 1
        request_id = self._next_id
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        try:
            if not self.send({**doc, "id": request_id}):
                return None
            try:
                return await asyncio.wait_for(asyncio.shield(future), timeout)
            except (TimeoutError, ConnectionError):
                return None
        finally:
            self._pending.pop(request_id, None)

    def _fail_pending(self) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionError("worker hub connection lost"))
        self._pending.clear()

    def _write(self, frame: bytes) -> bool:
        writer = self._writer
        if writer is None or writer.is_closing():
            self.dropped += 1
            return False
        if writer.transport.get_write_buffer_size() > MAX_BACKLOG:
            self.dropped += 1
            if self.dropped % 100 == 1:
                log.warning("worker hub not reading; %d message(s) dropped", self.dropped)
            return False
        writer.write(frame)
        return True

    async def _run(self) -> None:
        delay = 0.05
        while True:
            try:
                reader, writer = await asyncio.open_unix_connection(str(self.path))
            except OSError:
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_DELAY)
                continue
            delay = 0.05
            writer.write(encode({"t": "hello", "pid": os.getpid(), "role": self.role,
                                 "events": self.events is not None}))
            self._writer = writer
            for callback in self.on_connect:
                try:
                    callback()
                except Exception:
                    log.exception("worker hub: connect callback failed")
            self.connected.set()
            try:
                await self._read(reader)
            except (OSError, asyncio.IncompleteReadError, FrameError) as exc:
                log.debug("worker hub connection lost: %r", exc)
            finally:
                self.connected.clear()
                self._writer = None
                self._fail_pending()
                writer.close()
            log.info("worker hub connection lost; reconnecting")
            await asyncio.sleep(delay)

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while True:
            (size,) = _HEADER.unpack(await reader.readexactly(_HEADER.size))
            if size > MAX_MESSAGE:
                raise FrameError(f"frame of {size} bytes")
            doc = _decode(await reader.readexactly(size))
            if doc.get("t") == "reply":
                request_id = doc.get("id")
                future = self._pending.get(request_id) if isinstance(request_id, int) else None
                if future is not None and not future.done():
                    future.set_result(doc)
                continue
            if doc.get("t") == "event" and self.events is not None:
                self.events.incoming(doc)

    async def close(self) -> None:
        self._fail_pending()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self.connected.clear()
