"""``/metrics`` (Prometheus text format) and ``/health`` (for the load balancer) on an opt-in
local HTTP port (``LINEDESK_METRICS_PORT``, bound to ``LINEDESK_METRICS_HOST``, 127.0.0.1).

A deliberately tiny HTTP/1.0 server: GET and HEAD of two paths, one request per connection,
request head at most :data:`MAX_REQUEST` bytes within :data:`REQUEST_TIMEOUT` seconds, at
most :data:`MAX_CLIENTS` at once; no bodies, no keep-alive, nothing user-controlled echoed.

What it shows (``linedesk_`` prefix): sessions and connections of this process, logins
ok/failed, the input-to-output latency of sessions (time from a session's first unanswered
input bytes to the next bytes written to its channel: the key latency a user feels, measured
at the SSH channel), the pre-auth gate's counters, the outbox backlog and each job's last
scheduler run (read from the database, shared by all nodes) and the GC pauses of this
process (``gc.callbacks``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import secrets
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.services import nodes

if TYPE_CHECKING:
    from core.config import Settings
    from core.runtime import Core
    from ssh_server.hub import HubClient
    from ssh_server.server import PortalServer

log = logging.getLogger(__name__)

MAX_REQUEST = 4096
REQUEST_TIMEOUT = 5.0
MAX_CLIENTS = 16
HUB_TIMEOUT = 1.0
"""Seconds to wait for the other workers' figures from the supervisor's hub."""
DB_TIMEOUT = 2.0
"""Seconds the database has to answer a health check (or a scrape's backlog query)."""

PRUNE_EVERY = 60
"""Heartbeats between two prunes of long-dead processes' rows (worker 0 only)."""
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
GC_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)


@dataclass
class Histogram:
    """A Prometheus histogram: cumulative buckets (``le``), sum and count."""

    buckets: Sequence[float]
    counts: list[int] = field(default_factory=list)
    total: float = 0.0
    count: int = 0

    def __post_init__(self) -> None:
        self.counts = [0] * len(self.buckets)

    def observe(self, value: float) -> None:
        self.total += value
        self.count += 1
        for i, bound in enumerate(self.buckets):
            if value <= bound:
                self.counts[i] += 1
                break

    def state(self) -> dict[str, Any]:
        return {"counts": list(self.counts), "sum": self.total, "count": self.count}

    @classmethod
    def from_state(cls, buckets: Sequence[float], state: Any) -> Histogram:
        hist = cls(buckets)
        if isinstance(state, dict):
            counts = state.get("counts")
            if isinstance(counts, list) and len(counts) == len(buckets):
                hist.counts = [int(n) for n in counts]
            hist.total = float(state.get("sum") or 0.0)
            hist.count = int(state.get("count") or 0)
        return hist

    def lines(self, name: str, labels: str = "") -> list[str]:
        out: list[str] = []
        running = 0
        sep = "," if labels else ""
        for bound, n in zip(self.buckets, self.counts, strict=True):
            running += n
            out.append(f'{name}_bucket{{{labels}{sep}le="{bound:g}"}} {running}')
        out.append(f'{name}_bucket{{{labels}{sep}le="+Inf"}} {self.count}')
        suffix = f"{{{labels}}}" if labels else ""
        out.append(f"{name}_sum{suffix} {self.total:.6f}")
        out.append(f"{name}_count{suffix} {self.count}")
        return out


@dataclass
class ServerStats:
    """Counters of one server process (set by the connections and sessions)."""

    logins_ok: int = 0
    logins_failed: int = 0
    input_latency: Histogram = field(default_factory=lambda: Histogram(LATENCY_BUCKETS))


class GcPauses:
    """Durations of this process's garbage collections, by generation."""

    def __init__(self) -> None:
        self.histograms = {gen: Histogram(GC_BUCKETS) for gen in (0, 1, 2)}
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started:
            pause = time.perf_counter() - self._started
            self._started = 0.0
            hist = self.histograms.get(int(info.get("generation", 2)))
            if hist is not None:
                hist.observe(pause)

    def install(self) -> None:
        if self not in gc.callbacks:
            gc.callbacks.append(self)

    def remove(self) -> None:
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self)


def _help(out: list[str], name: str, kind: str, text: str) -> None:
    out.append(f"# HELP {name} {text}")
    out.append(f"# TYPE {name} {kind}")


class MetricsServer:
    """The HTTP endpoint of one ``linedesk serve`` process."""

    def __init__(self, core: Core, server: PortalServer, *, worker: str = "0",
                 shared: bool = False, hub: HubClient | None = None) -> None:
        self.core = core
        self.server = server
        self.worker = worker
        self.shared = shared
        """A worker of ``serve --workers N``: every worker listens on the port (SO_REUSEPORT,
        a request reaches one of them) and closes it when it stops accepting logins, so a
        retiring worker never answers for its replacement."""
        self._follow: asyncio.Task[None] | None = None
        self.hub = hub
        """A worker's status link to the supervisor's hub: ``/metrics`` shows every worker."""
        self.gc_pauses = GcPauses()
        self.port = 0
        self._listener: asyncio.Server | None = None
        self._clients = 0

    async def start(self, host: str, port: int) -> int:
        self.gc_pauses.install()
        self._listener = await asyncio.start_server(
            self._serve, host, port, limit=MAX_REQUEST, reuse_address=True,
            reuse_port=self.shared or None)
        if self.shared:
            self._follow = asyncio.create_task(self._close_when_not_accepting())
        sock: socket.socket = self._listener.sockets[0]
        self.port = int(sock.getsockname()[1])
        log.info("metrics and health on http://%s:%d/", host, self.port)
        return self.port

    async def _close_when_not_accepting(self) -> None:
        while self.server.accepting():  # noqa: ASYNC110 (the acceptor has no close event)
            await asyncio.sleep(0.5)
        if self._listener is not None:
            self._listener.close()

    async def close(self) -> None:
        if self._follow is not None:
            self._follow.cancel()
        self.gc_pauses.remove()
        if self._listener is not None:
            self._listener.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._listener.wait_closed(), 2)

    # -- content -------------------------------------------------------------------------

    async def _database_answers(self) -> bool:
        try:
            async with asyncio.timeout(DB_TIMEOUT), self.core.uow(readonly=True) as uow:
                return await nodes.ping(uow)
        except Exception:  # any failure means: not healthy
            return False

    async def health(self) -> tuple[int, str]:
        """200 while this node accepts logins and its database answers; 503 otherwise
        (draining: the balancer sends new connections elsewhere)."""
        if not self.server.accepting():
            return 503, "draining\n"
        if not await self._database_answers():
            return 503, "database unavailable\n"
        return 200, "ok\n"

    def snapshot(self) -> dict[str, Any]:
        """This process's figures (sent to the supervisor's hub with each status report, so
        that any worker can answer ``/metrics`` for all of them)."""
        server, stats, gate = self.server, self.server.stats, self.server.gate
        return {
            "worker": self.worker, "pid": os.getpid(), "accepting": server.accepting(),
            "sessions": len(server.sessions), "connections": len(server.connections),
            "logins_ok": stats.logins_ok, "logins_failed": stats.logins_failed,
            "latency": stats.input_latency.state(),
            "gate": {} if gate is None else {
                "accepted": gate.accepted, "handed_over": gate.handed_over,
                "dropped_silent": gate.dropped_silent, "refused": gate.refused,
                "proxy_refused": gate.proxy_refused},
            "gc": {str(gen): hist.state() for gen, hist in self.gc_pauses.histograms.items()},
        }

    async def _snapshots(self) -> list[dict[str, Any]]:
        own = self.snapshot()
        snaps = [own]
        if self.hub is not None:  # the other workers' last reports, kept by the hub
            reply = await self.hub.request({"t": "workers"}, HUB_TIMEOUT)
            for doc in (reply or {}).get("workers") or []:
                snap = doc.get("metrics") if isinstance(doc, dict) else None
                if isinstance(snap, dict) and snap.get("pid") != own["pid"]:
                    snaps.append(snap)
        return sorted(snaps, key=lambda snap: (str(snap.get("worker")), int(snap.get("pid", 0))))

    async def render(self) -> str:
        out: list[str] = []
        snaps = await self._snapshots()
        labels = [f'worker="{_label(str(snap.get("worker")))}"' for snap in snaps]
        _help(out, "linedesk_up", "gauge", "1 while this node accepts logins")
        out.append(f"linedesk_up {1 if any(snap.get('accepting') for snap in snaps) else 0}")
        for name, key, kind, text in (
                ("linedesk_sessions", "sessions", "gauge", "Open sessions (shell or command)"),
                ("linedesk_connections", "connections", "gauge", "Open SSH connections")):
            _help(out, name, kind, text)
            out += [f"{name}{{{w}}} {int(snap.get(key) or 0)}" for w, snap in zip(
                labels, snaps, strict=True)]
        _help(out, "linedesk_logins_total", "counter", "Logins by result")
        for w, snap in zip(labels, snaps, strict=True):
            out.append(f'linedesk_logins_total{{{w},result="ok"}} {int(snap["logins_ok"])}')
            out.append(f'linedesk_logins_total{{{w},result="failed"}} '
                       f'{int(snap["logins_failed"])}')
        _help(out, "linedesk_input_latency_seconds", "histogram",
              "From a session's input to its next output on the SSH channel")
        for w, snap in zip(labels, snaps, strict=True):
            out += Histogram.from_state(LATENCY_BUCKETS, snap.get("latency")).lines(
                "linedesk_input_latency_seconds", w)
        _help(out, "linedesk_gate_connections_total", "counter",
              "TCP connections at the pre-auth gate by outcome")
        for w, snap in zip(labels, snaps, strict=True):
            for outcome, value in sorted((snap.get("gate") or {}).items()):
                out.append(f'linedesk_gate_connections_total{{{w},outcome="{_label(outcome)}"}} '
                           f"{int(value)}")
        _help(out, "linedesk_gc_pause_seconds", "histogram", "Garbage collection pauses")
        for w, snap in zip(labels, snaps, strict=True):
            for gen, state in sorted((snap.get("gc") or {}).items()):
                out += Histogram.from_state(GC_BUCKETS, state).lines(
                    "linedesk_gc_pause_seconds", f'{w},generation="{_label(gen)}"')
        try:
            async with asyncio.timeout(DB_TIMEOUT), self.core.uow(readonly=True) as uow:
                backlog = await nodes.outbox_backlog(uow)
                runs = await nodes.scheduler_runs(uow)
        except Exception:
            _help(out, "linedesk_database_up", "gauge", "1 when the database answered")
            out.append("linedesk_database_up 0")
            return "\n".join(out) + "\n"
        now = self.core.clock.now()
        _help(out, "linedesk_database_up", "gauge", "1 when the database answered")
        out.append("linedesk_database_up 1")
        _help(out, "linedesk_outbox_messages", "gauge", "Outbox messages by status")
        out.append(f'linedesk_outbox_messages{{status="pending"}} {backlog.pending}')
        out.append(f'linedesk_outbox_messages{{status="dead"}} {backlog.dead}')
        _help(out, "linedesk_outbox_oldest_pending_seconds", "gauge",
              "How long the oldest pending message has been due (0: none due)")
        oldest = 0.0
        if backlog.oldest_pending is not None:
            oldest = max(0.0, (now - _aware(backlog.oldest_pending, now)).total_seconds())
        out.append(f"linedesk_outbox_oldest_pending_seconds {oldest:.3f}")
        _help(out, "linedesk_scheduler_lag_seconds", "gauge",
              "Seconds since each job's last scheduler run (its lag: compare with the "
              "scheduler interval)")
        interval = self.core.settings.scheduler_interval
        _help(out, "linedesk_scheduler_interval_seconds", "gauge", "Configured interval")
        out.append(f"linedesk_scheduler_interval_seconds {interval:g}")
        for job, last in sorted(runs.items()):
            if last is not None:
                lag = max(0.0, (now - _aware(last, now)).total_seconds())
                out.append(f'linedesk_scheduler_lag_seconds{{job="{_label(job)}"}} {lag:.3f}')
        return "\n".join(out) + "\n"

    # -- HTTP ----------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._clients >= MAX_CLIENTS:
            writer.close()
            return
        self._clients += 1
        try:
            try:
                async with asyncio.timeout(REQUEST_TIMEOUT):
                    head = await reader.readuntil(b"\r\n\r\n")
            except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                    ConnectionError):
                return
            status, body, ctype, head_only = await self._answer(head)
            payload = body.encode()
            writer.write(
                f"HTTP/1.0 {status} {_REASONS.get(status, 'Error')}\r\n"
                f"Content-Type: {ctype}\r\nContent-Length: {len(payload)}\r\n"
                "Cache-Control: no-store\r\nConnection: close\r\n\r\n".encode())
            if not head_only:
                writer.write(payload)
            with contextlib.suppress(ConnectionError):
                await writer.drain()
        finally:
            self._clients -= 1
            writer.close()

    async def _answer(self, head: bytes) -> tuple[int, str, str, bool]:
        line = head.split(b"\r\n", 1)[0]
        parts = line.split(b" ")
        text = "text/plain; charset=utf-8"
        if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
            return 400, "bad request\n", text, False
        method, target = parts[0], parts[1].split(b"?", 1)[0]
        if method not in (b"GET", b"HEAD"):
            return 405, "method not allowed\n", text, False
        head_only = method == b"HEAD"
        if target == b"/metrics":
            return 200, await self.render(), "text/plain; version=0.0.4; charset=utf-8", head_only
        if target == b"/health":
            status, body = await self.health()
            return status, body, text, head_only
        return 404, "not found\n", text, head_only


_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
            503: "Service Unavailable"}


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _aware(moment: Any, now: Any) -> Any:
    """SQLite returns naive UTC datetimes."""
    if moment.tzinfo is None and now.tzinfo is not None:
        return moment.replace(tzinfo=now.tzinfo)
    return moment


def node_name(settings: Settings) -> str:
    """``LINEDESK_NODE_NAME``, else ``host:port`` of this machine's SSH port."""
    return settings.node_name.strip() or f"{socket.gethostname()}:{settings.port}"


class Heartbeat:
    """This process's row in ``node_heartbeats`` (``linedesk status``), every
    :data:`~core.services.nodes.HEARTBEAT_INTERVAL` seconds; removed on a clean stop."""

    def __init__(self, core: Core, server: PortalServer, *, node: str, worker: int) -> None:
        self.core = core
        self.server = server
        self.node = node
        self.worker = worker
        self.pid = os.getpid()
        self.started_at = core.clock.now()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="linedesk-heartbeat")

    async def beat_once(self) -> None:
        async with self.core.uow() as uow:
            await nodes.beat(uow, node=self.node, worker=self.worker, pid=self.pid,
                             started_at=self.started_at, sessions=len(self.server.sessions),
                             connections=len(self.server.connections),
                             accepting=self.server.accepting())

    async def _run(self) -> None:
        beats = 0
        while True:
            try:
                await self.beat_once()
                if beats % PRUNE_EVERY == 0 and self.worker == 0:
                    async with self.core.uow() as uow:
                        await nodes.prune(uow)
            except Exception as exc:  # the database is down: try again next time
                log.warning("heartbeat not recorded: %s", type(exc).__name__)
            beats += 1
            await asyncio.sleep(nodes.HEARTBEAT_INTERVAL)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        try:
            async with asyncio.timeout(DB_TIMEOUT), self.core.uow() as uow:
                await nodes.leave(uow, node=self.node, pid=self.pid)
        except Exception as exc:
            log.warning("heartbeat row not removed: %s", type(exc).__name__)


class ClusterSessions:
    """The per-account session limit across nodes (``live_sessions`` rows, counted where
    their process's heartbeat is fresh). Set on the server by ``serve`` and each worker."""

    def __init__(self, core: Core, *, node: str, limit: int) -> None:
        self.core = core
        self.node = node
        self.pid = os.getpid()
        self.limit = limit
        self._pending: set[asyncio.Task[None]] = set()

    async def claim(self, account_id: int) -> str | None:
        """A key to :meth:`release`, or ``None``: the account has ``limit`` sessions open
        on all nodes together. A database that does not answer refuses nothing (the
        process's own count still holds)."""
        key = secrets.token_hex(16)
        try:
            async with self.core.uow() as uow:
                ok = await nodes.claim_session(uow, key=key, account_id=account_id,
                                               node=self.node, pid=self.pid, limit=self.limit)
        except Exception as exc:
            log.warning("session not counted across nodes: %s", type(exc).__name__)
            return ""
        return key if ok else None

    def release(self, key: str) -> None:
        if not key:
            return
        task = asyncio.get_running_loop().create_task(self._release(key))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _release(self, key: str) -> None:
        try:
            async with self.core.uow() as uow:
                await nodes.release_session(uow, key=key)
        except Exception as exc:  # the row stops counting with this process's heartbeat
            log.warning("session row not removed: %s", type(exc).__name__)
