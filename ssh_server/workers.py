"""``linedesk serve --workers N``: a supervisor and N worker processes sharing the SSH port.

The supervisor migrates the database, creates the host and secret keys and imports the
whole UI once, then forks the workers: each inherits the imported modules copy-on-write
(``gc.freeze`` first, so the collector does not touch and thereby copy those pages) and
runs its own event loop with a :class:`~ssh_server.server.PortalServer` listening on the
same address with SO_REUSEPORT; the kernel spreads new connections over them.

Why plain ``os.fork`` from a supervisor that runs *no* event loop: a fork is only safe when
no thread, event loop or database connection is inherited. The supervisor's preparation
runs in an ``asyncio.run`` that has finished (its connections closed, its threads joined)
before the first fork, and from then on the supervisor is a synchronous ``selectors``
loop (the event hub, waitpid, signal flags), so it can fork replacements at any time;
a child closes the hub's inherited descriptors and starts its loop from scratch.
``multiprocessing`` would add a pickling layer and, with "forkserver"/"spawn", import
everything again per worker, losing the copy-on-write sharing.

The supervisor also relays bus events between workers on SQLite (:mod:`ssh_server.hub`),
counts the connection and session limits for all workers (:mod:`ssh_server.limits`),
restarts crashed workers with back-off, forwards SIGTERM/SIGINT and waits for the
workers' graceful shutdown, recycles workers whose memory stayed grown while idle, and
replaces a worker that asks for it instead of pausing its many live sessions for a GC
reclaim (the old one drains: it serves its sessions to their end, then exits).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import fcntl
import gc
import logging
import os
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from core.config import Settings
from core.runtime import Core
from core.security import stop_hashing_threads
from ssh_server.hub import HubClient, LocalHub, private_socket_path
from ssh_server.logs import configure_logging
from ssh_server.metrics import ClusterSessions, Heartbeat, MetricsServer, node_name
from ssh_server.preflight import database_problem, startup_problem
from ssh_server.server import SHUTDOWN_NOTICE_SECONDS, PortalServer, load_host_key, preload_ui
from tui.warmup import warm_up

log = logging.getLogger(__name__)

STATUS_INTERVAL = 2.0
"""Seconds between a worker's status reports (open connections, idle time)."""
POLL_INTERVAL = 0.2
"""The supervisor's loop period: bounds how late it notices a signal or a dead worker."""
RESTART_BACKOFF_BASE = 0.5
RESTART_BACKOFF_MAX = 30.0
STABLE_SECONDS = 60.0
"""A worker that ran this long counts as healthy: its next crash restarts it at once."""
MAX_START_FAILURES = 5
"""Workers of one slot dying before they listen this often in a row: give up (exit 1)
instead of looping on a broken configuration."""
SHUTDOWN_GRACE = SHUTDOWN_NOTICE_SECONDS + 27.0
"""Workers get this long to tell their sessions and close them before being killed."""
RECYCLE_IDLE_SECONDS = 60.0
"""A worker must have had no connection for this long before it is recycled: replacing
it costs nothing then (the replacement is forked from the preloaded supervisor), and a
portal between two logins is not disturbed."""
REPLACEMENT_TIMEOUT = 60.0
"""A recycle is abandoned (the old worker keeps serving) if its replacement does not
listen within this time."""
ROTATE_RETRY = 2 * REPLACEMENT_TIMEOUT
"""A worker that asked to be replaced and is still not draining after this long reclaims
after all (once), then asks again."""
RECYCLE_GROWTH = 0.10
"""... and its RSS must exceed its RSS right after start by this fraction. Less growth is
the normal warm-up of a worker (first sessions' caches) and not worth a new process."""


def resolve_worker_count(configured: int) -> int:
    """``--workers`` as given; 0 means one per CPU. Without ``os.fork`` (Windows): 1."""
    count = configured if configured > 0 else (os.cpu_count() or 1)
    if count > 1 and not hasattr(os, "fork"):
        log.warning("worker processes need os.fork; serving from one process")
        return 1
    return count


def restart_delay(failures: int) -> float:
    """Back-off before restarting a slot whose worker died ``failures`` times in a row."""
    if failures <= 1:
        return 0.0 if failures <= 0 else RESTART_BACKOFF_BASE
    return float(min(RESTART_BACKOFF_MAX, RESTART_BACKOFF_BASE * 2 ** (failures - 1)))


def should_recycle(*, rss: int | None, baseline_rss: int | None, connections: int,
                   idle_seconds: float, idle_needed: float = RECYCLE_IDLE_SECONDS,
                   growth: float = RECYCLE_GROWTH) -> bool:
    """True when an idle worker kept more memory than it started with (CPython and glibc
    seldom return a high-water mark to the system; a fresh fork shares the imports again)."""
    if rss is None or baseline_rss is None or baseline_rss <= 0:
        return False
    if connections > 0 or idle_seconds < idle_needed:
        return False
    return rss > baseline_rss * (1 + growth)


def read_rss(pid: int) -> int | None:
    """Resident set size in bytes (Linux ``/proc``; None elsewhere or when gone)."""
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def port_conflict(host: str, port: int) -> str | None:
    """Is something already listening there? Workers bind with SO_REUSEPORT, which would
    silently share the port with another ``serve`` of the same user; a probe without it
    fails instead. Returns the error text or None."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except OSError as exc:
        return f"{host}: {exc}"
    for family, kind, proto, _name, address in infos:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is fine
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                return f"{cast(str, address[0])}:{cast(int, address[1])}: {exc.strerror}"
    return None


_FORWARDED = {signal.SIGTERM, signal.SIGINT}


# --- worker -------------------------------------------------------------------------


def _die_with_parent(parent: int) -> None:
    """Linux: SIGTERM this worker when the supervisor dies (even by SIGKILL), so no orphan
    keeps serving the port."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before prctl
        os.kill(os.getpid(), signal.SIGTERM)


async def _report(server: PortalServer, status: HubClient, index: int,
                  metrics: MetricsServer | None = None) -> None:
    loop = asyncio.get_running_loop()
    last_busy = loop.time()
    with contextlib.suppress(TimeoutError):
        await status.wait_connected(5)
    while True:
        now = loop.time()
        if server.connections or server.sessions:
            last_busy = now
        idle = now - max(last_busy, server.last_session_change)
        doc: dict[str, Any] = {
            "t": "status", "worker": index, "ready": True,
            "connections": len(server.connections), "sessions": len(server.sessions),
            "idle": round(idle, 1)}
        if metrics is not None:  # any worker answers /metrics for all (ssh_server.metrics)
            doc["metrics"] = metrics.snapshot()
        status.send(doc)
        await asyncio.sleep(STATUS_INTERVAL)


class Rotation:
    """A worker's :attr:`PortalServer.rotate <ssh_server.server.PortalServer.rotate>`: ask
    the supervisor for a replacement (it listens first, then this worker gets SIGUSR1
    and drains, see :func:`_retire_when_asked`)."""

    def __init__(self, status: HubClient, index: int, retire: asyncio.Event,
                 server: PortalServer) -> None:
        self.status = status
        self.index = index
        self.retire = retire
        self.server = server
        self.asked_at: float | None = None

    def __call__(self) -> bool:
        if self.retire.is_set():
            return True  # draining: no reclaim pause for the sessions it still serves
        now = asyncio.get_running_loop().time()
        if self.asked_at is not None:
            if now - self.asked_at < ROTATE_RETRY:
                return True
            log.warning(
                "no replacement after %.0f s; reclaiming in this worker", now - self.asked_at
            )
            self.asked_at = None
            return False
        if not self.status.send({"t": "rotate", "worker": self.index,
                                 "sessions": len(self.server.sessions)}):
            return False
        self.asked_at = now
        log.info("asking for a replacement: a GC reclaim would pause %d live sessions",
                 len(self.server.sessions))
        return True


async def _retire_when_asked(server: PortalServer, retire: asyncio.Event,
                             stop: asyncio.Event) -> None:
    """SIGUSR1 from the supervisor (its replacement listens already): stop accepting,
    serve the open sessions to their end (bounded by the idle timeout), then exit."""
    await retire.wait()
    server.stop_listening()
    log.info("retiring: no longer accepting connections")
    # connections leave the set in PortalConnection.connection_lost; nothing to wait on
    while server.connections or server.sessions:  # noqa: ASYNC110
        await asyncio.sleep(1.0)
    stop.set()


async def worker_main(settings: Settings, index: int, hub_path: Path) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    retire = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.add_signal_handler(signal.SIGUSR1, retire.set)
    restarting = asyncio.Event()
    """SIGUSR2: replaced (memory ceiling): the sessions are told to reconnect."""

    def replaced() -> None:
        restarting.set()
        stop.set()

    loop.add_signal_handler(signal.SIGUSR2, replaced)
    core = Core(settings)
    status = HubClient(hub_path, None, role="status")
    tasks: list[asyncio.Task[None]] = []
    try:
        # Events: PostgreSQL LISTEN/NOTIFY, else the supervisor's hub (ssh_server.hub).
        await core.start_bridge(local_hub=HubClient(hub_path, core.bus))
        # Every worker runs an outbox dispatcher: claims make that safe, and a worker's own
        # commits wake its dispatcher at once instead of waiting for another worker's poll.
        # Only worker 0 runs the scheduler: its leases would make more runners safe too,
        # but they would only compete for the same lease rows every interval; a crashed
        # worker 0 is restarted in its slot, and a recycled one is replaced in it.
        core.start_background(scheduler=index == 0)
        server = PortalServer(core, settings, reuse_port=True)
        server.worker_share = max(1, settings.workers)  # the per-source rate is split
        server.cluster = ClusterSessions(core, node=node_name(settings),
                                         limit=settings.max_sessions_per_user)
        # the supervisor counts the limits of all workers; connected before listening so
        # the first connections are counted there too
        server.limits.share_through(status)
        server.rotate = Rotation(status, index, retire, server)
        await status.start()
        with contextlib.suppress(TimeoutError):
            await status.wait_connected(5)
        await server.start()
        beats = Heartbeat(core, server, node=node_name(settings), worker=index)
        beats.start()  # its row in node_heartbeats (linedesk status)
        metrics = (MetricsServer(core, server, worker=str(index), shared=True, hub=status)
                   if settings.metrics_port else None)
        if metrics is not None:  # every worker on the port: one of them answers
            await metrics.start(settings.metrics_host, settings.metrics_port)
        tasks.append(asyncio.create_task(_report(server, status, index, metrics),
                                         name="worker-status"))
        tasks.append(asyncio.create_task(_retire_when_asked(server, retire, stop),
                                         name="worker-retire"))
        await stop.wait()
        log.info("worker %d shutting down", index)
        # no notice wait when it has no sessions (a retired worker)
        if metrics is not None:
            await metrics.close()
        await server.shutdown(restart=restarting.is_set())
        await beats.stop()
    finally:
        for task in tasks:
            task.cancel()
        await status.close()
        await core.close()


def _run_worker_child(settings: Settings, index: int, hub_path: Path, parent: int) -> int:
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _FORWARDED)
    _die_with_parent(parent)
    # The inherited objects stay frozen (gc.freeze before the fork): collections then never
    # write to their pages, which stay shared with the supervisor and the other workers.
    asyncio.run(worker_main(settings, index, hub_path))
    return 0


# --- supervisor ---------------------------------------------------------------------


@dataclass
class WorkerProc:
    index: int
    pid: int
    started: float
    ready: bool = False
    baseline_rss: int | None = None
    connections: int = 0
    idle: float = 0.0
    status_at: float = 0.0
    retiring: bool = False
    kill_at: float | None = None
    """Told to stop (replaced): killed if it has not exited by then."""
    ceiling_warned: bool = False


class Supervisor:
    def __init__(self, settings: Settings, count: int, hub_path: Path) -> None:
        self.settings = settings
        self.count = count
        self.hub = LocalHub(hub_path, on_status=self._on_status, on_rotate=self._on_rotate)
        self.workers: dict[int, WorkerProc] = {}
        self.failures = [0] * count
        self.start_failures = [0] * count
        self.restart_at: dict[int, float] = {}
        self.recycling: tuple[int, int] | None = None
        """(old pid, replacement pid) while a recycle waits for the replacement to listen."""
        self.recycle_stops = False
        """The old worker of :attr:`recycling` is stopped (SIGTERM: its sessions get the
        notice and are closed) instead of draining: it passed the memory ceiling."""
        self.heartbeat_timeout = settings.worker_heartbeat_timeout
        self.max_rss = settings.worker_max_rss_mb * 2**20
        self.rotate_wanted: dict[int, int] = {}
        """Workers that asked to be replaced (pid -> live sessions), served one at a time."""
        self.stop_signal: int | None = None
        self.fatal = False
        self.pid = os.getpid()
        self.draining = False
        """SIGUSR1: every worker drains (no new connections, sessions served to their
        end); the supervisor exits when the last one did (a node's rolling upgrade)."""
        self._drain_sent = False

    # signals only set a flag: the loop below notices within POLL_INTERVAL
    def _on_signal(self, signum: int, _frame: Any) -> None:
        self.stop_signal = signum

    def _on_drain(self, _signum: int, _frame: Any) -> None:
        self.draining = True

    def run(self) -> int:
        self.hub.open()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)
        signal.signal(signal.SIGUSR1, self._on_drain)
        try:
            gc.collect()
            gc.freeze()
            for index in range(self.count):
                self._spawn(index)
            while self.stop_signal is None and not self.fatal:
                if self.draining and not self._drain_sent:
                    self._drain_sent = True
                    log.info("SIGUSR1: draining %d worker(s)", len(self.workers))
                    for pid in list(self.workers):
                        self._retire(pid)
                if self.draining and not self.workers:
                    log.info("drained: every worker has exited")
                    break
                self.hub.poll(POLL_INTERVAL)
                self._reap()
                self._restart_due()
                self._watchdog()
                self._check_recycle()
            if self.stop_signal is not None:
                log.info("%s: stopping %d worker(s)", signal.Signals(self.stop_signal).name,
                         len(self.workers))
            self._stop_all()
        finally:
            self.hub.close()
        return 1 if self.fatal else 0

    def _spawn(self, index: int) -> int:
        sys.stdout.flush()
        sys.stderr.flush()
        # blocked across the fork: the child must not run the supervisor's handler
        signal.pthread_sigmask(signal.SIG_BLOCK, _FORWARDED)
        pid = os.fork()
        if pid != 0:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _FORWARDED)
        else:  # the worker; never returns into the supervisor's code
            code = 1
            try:
                self.hub.detach()
                code = _run_worker_child(self.settings, index, self.hub.path, self.pid)
            except BaseException:
                log.exception("worker %d failed", index)
            finally:
                logging.shutdown()
                with contextlib.suppress(Exception):
                    sys.stdout.flush()
                    sys.stderr.flush()
                os._exit(code)
        self.workers[pid] = WorkerProc(index=index, pid=pid, started=time.monotonic())
        log.info("worker %d started (pid %d)", index, pid)
        return pid

    def _on_status(self, pid: int, doc: dict[str, Any]) -> None:
        proc = self.workers.get(pid)
        if proc is None:
            return
        proc.connections = int(doc.get("connections") or 0)
        proc.idle = float(doc.get("idle") or 0.0)
        proc.status_at = time.monotonic()
        if doc.get("ready") and not proc.ready:
            proc.ready = True
            proc.baseline_rss = read_rss(pid)
            self.start_failures[proc.index] = 0
            log.info("worker %d (pid %d) ready, RSS %s", proc.index, pid, _mib(proc.baseline_rss))
            if self.recycling is not None and self.recycling[1] == pid:
                self._retire(self.recycling[0], stop=self.recycle_stops)
                self.recycling = None
                self.recycle_stops = False

    def _on_rotate(self, pid: int, doc: dict[str, Any]) -> None:
        proc = self.workers.get(pid)
        if proc is not None and not proc.retiring:
            self.rotate_wanted[pid] = int(doc.get("sessions") or 0)

    def _retire(self, pid: int, *, stop: bool = False) -> None:
        """SIGUSR1: drain (serve its sessions to their end); ``stop``: SIGUSR2 (its sessions
        get the restart notice, to reconnect, and are closed), killed if still there after
        :data:`SHUTDOWN_GRACE`."""
        proc = self.workers.get(pid)
        if proc is None:
            return
        proc.retiring = True
        if stop:
            proc.kill_at = time.monotonic() + SHUTDOWN_GRACE
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGUSR2 if stop else signal.SIGUSR1)

    def _watchdog(self) -> None:
        """Replace a worker that stopped answering (no heartbeat, i.e. status report, for
        ``LINEDESK_WORKER_HEARTBEAT_TIMEOUT`` s: its loop is stuck or the process stopped;
        killed, as it can no longer tell its sessions anything, and restarted in its slot)
        or that passed ``LINEDESK_WORKER_MAX_RSS_MB`` (a replacement listens first, then
        the old one tells its sessions and closes them)."""
        now = time.monotonic()
        for proc in list(self.workers.values()):
            if proc.kill_at is not None and now > proc.kill_at:
                log.warning("worker %d (pid %d) did not stop in time; killing it",
                            proc.index, proc.pid)
                proc.kill_at = None
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGKILL)
            if proc.retiring or not proc.ready:
                continue
            silent = now - proc.status_at
            if self.heartbeat_timeout > 0 and silent > self.heartbeat_timeout:
                log.error("worker %d (pid %d) sent no heartbeat for %.0f s (RSS %s); "
                          "killing it, its slot is restarted", proc.index, proc.pid, silent,
                          _mib(read_rss(proc.pid)))
                proc.status_at = now  # once: its exit is reaped in the next round
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGKILL)
                continue
            if self.max_rss <= 0 or self.recycling is not None or self.restart_at:
                continue
            rss = read_rss(proc.pid)
            if rss is None or rss <= self.max_rss:
                continue
            if proc.baseline_rss is not None and proc.baseline_rss > self.max_rss:
                if not proc.ceiling_warned:  # a replacement would be over it at once too
                    proc.ceiling_warned = True
                    log.error("worker %d (pid %d) started above the memory ceiling (%s > %s); "
                              "not replacing it", proc.index, proc.pid,
                              _mib(proc.baseline_rss), _mib(self.max_rss))
                continue
            log.warning("worker %d (pid %d) passed the memory ceiling: RSS %s > %s; "
                        "replacing it", proc.index, proc.pid, _mib(rss), _mib(self.max_rss))
            self.recycling = (proc.pid, self._spawn(proc.index))
            self.recycle_stops = True
            return

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.hub.release_pid(pid)  # whatever it held of the shared limits
            proc = self.workers.pop(pid, None)
            if proc is None:
                continue
            self._exited(proc, os.waitstatus_to_exitcode(status))

    def _exited(self, proc: WorkerProc, code: int) -> None:
        self.rotate_wanted.pop(proc.pid, None)
        how = f"signal {signal.Signals(-code).name}" if code < 0 else f"code {code}"
        if proc.retiring:
            log.info("worker %d (pid %d) retired (%s)", proc.index, proc.pid, how)
            return
        if self.recycling is not None and proc.pid in self.recycling:
            self.recycling = None  # the old one keeps serving; try again later
            self.recycle_stops = False
        ran = time.monotonic() - proc.started
        if any(p.index == proc.index and not p.retiring for p in self.workers.values()):
            log.warning("worker %d (pid %d) exited (%s); its slot is served by another",
                        proc.index, proc.pid, how)
            return
        if ran >= STABLE_SECONDS:
            self.failures[proc.index] = 0
        self.failures[proc.index] += 1
        if not proc.ready:
            self.start_failures[proc.index] += 1
            if self.start_failures[proc.index] >= MAX_START_FAILURES:
                log.error("worker %d failed %d times before listening; giving up",
                          proc.index, MAX_START_FAILURES)
                self.fatal = True
                return
        delay = restart_delay(self.failures[proc.index])
        log.warning("worker %d (pid %d) exited (%s) after %.0f s; restarting in %.1f s",
                    proc.index, proc.pid, how, ran, delay)
        self.restart_at[proc.index] = time.monotonic() + delay

    def _restart_due(self) -> None:
        now = time.monotonic()
        for index, at in list(self.restart_at.items()):
            if at <= now:
                del self.restart_at[index]
                self._spawn(index)

    def _check_recycle(self) -> None:
        if self.draining:
            return
        now = time.monotonic()
        if self.recycling is not None:
            replacement = self.workers.get(self.recycling[1])
            if replacement is not None and now - replacement.started > REPLACEMENT_TIMEOUT:
                log.warning("replacement worker pid %d did not start listening; keeping pid %d",
                            replacement.pid, self.recycling[0])
                replacement.retiring = True  # its exit is expected now, no restart
                with contextlib.suppress(ProcessLookupError):
                    os.kill(replacement.pid, signal.SIGKILL)
                self.recycling = None
                self.recycle_stops = False
            return
        if self.restart_at:
            return
        while self.rotate_wanted:
            pid, sessions = self.rotate_wanted.popitem()
            proc = self.workers.get(pid)
            if proc is None or proc.retiring or not proc.ready:
                continue
            log.info("replacing worker %d (pid %d) at its request; it drains its %d session(s)",
                     proc.index, pid, sessions)
            self.recycling = (pid, self._spawn(proc.index))
            return
        for proc in list(self.workers.values()):
            if proc.retiring or not proc.ready or now - proc.status_at > 3 * STATUS_INTERVAL:
                continue
            rss = read_rss(proc.pid)
            idle = proc.idle + (now - proc.status_at) if not proc.connections else 0.0
            if should_recycle(rss=rss, baseline_rss=proc.baseline_rss,
                              connections=proc.connections, idle_seconds=idle,
                              idle_needed=RECYCLE_IDLE_SECONDS, growth=RECYCLE_GROWTH):
                log.info("recycling idle worker %d (pid %d): RSS %s, %s after start",
                         proc.index, proc.pid, _mib(rss), _mib(proc.baseline_rss))
                self.recycling = (proc.pid, self._spawn(proc.index))
                return

    def _stop_all(self) -> None:
        self.restart_at.clear()
        for pid in list(self.workers):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + SHUTDOWN_GRACE
        while self.workers and time.monotonic() < deadline:
            self.hub.poll(POLL_INTERVAL)
            self._reap_quietly()
        for pid in list(self.workers):
            log.warning("worker pid %d did not stop in time; killing it", pid)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            self.workers.pop(pid, None)

    def _reap_quietly(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.workers.clear()
                return
            if pid == 0:
                return
            proc = self.workers.pop(pid, None)
            if proc is not None:
                log.info("worker %d (pid %d) stopped (code %d)", proc.index, pid,
                         os.waitstatus_to_exitcode(status))


def _mib(size: int | None) -> str:
    return "?" if size is None else f"{size / 2**20:.0f} MiB"


def lock_data_dir(data_dir: Path) -> IO[str] | None:
    """One ``serve`` per data directory (a supervisor's hub socket lives there; one process
    alone too: two would run two schedulers on one database file)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = open(data_dir / "serve.lock", "w")  # held until exit
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


async def _prepare(settings: Settings, demo: bool) -> None:
    from core import migrate

    core = Core(settings)  # also creates the secret key once, before any worker exists
    try:
        if await migrate.prepare(core, demo=demo):
            log.info("demo data loaded")
    finally:
        await core.close()


def run_supervised(settings: Settings, *, demo: bool) -> int:
    """``linedesk serve`` with ``settings.workers`` > 1; returns the exit code."""
    configure_logging(settings, process_id=True)
    if settings.port == 0:
        log.error("worker processes need a fixed port (--port), not 0")
        return 2
    lock = lock_data_dir(settings.data_dir)
    if lock is None:
        log.error("another linedesk serve is running with data directory %s", settings.data_dir)
        return 1
    try:
        if (problem := startup_problem(settings)) is not None:
            log.error("%s", problem)
            return 1
        try:
            asyncio.run(_prepare(settings, demo))
        except Exception as exc:
            if (problem := database_problem(exc)) is None:
                raise
            log.debug("start failed", exc_info=exc)
            log.error("%s", problem)
            return 1
        stop_hashing_threads()  # demo data hashed passwords: no threads may cross the fork
        load_host_key(settings.data_dir)
        preload_ui()
        asyncio.run(warm_up())  # once here: the forked workers share the warm caches
        if threading.active_count() > 1:  # a forked child would inherit a half-copied thread
            log.warning("threads still running before fork: %s", threading.enumerate())
        hub_path = private_socket_path(settings.data_dir)
        log.info("starting %d workers on %s:%d", settings.workers, settings.host, settings.port)
        try:
            return Supervisor(settings, settings.workers, hub_path).run()
        finally:
            if hub_path.parent != settings.data_dir.resolve() / "run":  # a temp dir
                with contextlib.suppress(OSError):
                    hub_path.parent.rmdir()
    finally:
        lock.close()
