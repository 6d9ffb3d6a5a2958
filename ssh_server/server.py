"""``linedesk serve``: the asyncssh server, one process, one event loop, one App per session.

:class:`PortalServer` is also what the end-to-end tests start in-process (port 0).
"""

from __future__ import annotations

import asyncio
import contextvars
import ctypes
import ctypes.util
import gc
import logging
import os
import signal
from collections.abc import Callable
from pathlib import Path

import asyncssh
from asyncssh.kex import get_kex_algs

from core.config import Settings
from core.errors import DatabaseUnavailable
from core.events import DomainEvent, Subscription
from core.files import private_dir, write_private
from core.runtime import Core
from core.services import locks
from ssh_server.auth import PortalConnection
from ssh_server.certificates import CaKeys, PortalServerConnection
from ssh_server.gate import PreAuthGate, parse_sources
from ssh_server.limits import Limits
from ssh_server.logs import configure_logging, redact_commands
from ssh_server.metrics import (
    ClusterSessions,
    Heartbeat,
    MetricsServer,
    ServerStats,
    node_name,
)
from ssh_server.preflight import StartupFailed, database_problem, startup_problem
from ssh_server.session import PortalSession
from tui.sanitize import clean

log = logging.getLogger(__name__)

HOST_KEY_NAME = "ssh_host_ed25519_key"
PQ_KEX_WITH_LIBOQS = ["sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com"]
"""Offered after ML-KEM when asyncssh found a liboqs library (none is packaged for Debian 12 or on
PyPI as a binary, see SECURITY.md); ML-KEM needs none (PyCA cryptography has it)."""
KEX_ALGS = [
    "mlkem768x25519-sha256",
    *(alg for alg in PQ_KEX_WITH_LIBOQS if alg.encode() in get_kex_algs()),
    "curve25519-sha256", "curve25519-sha256@libssh.org",
]
ENCRYPTION_ALGS = [
    "chacha20-poly1305@openssh.com",
    "aes256-gcm@openssh.com",
    "aes128-gcm@openssh.com",
]
MAC_ALGS = ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com"]
SIGNATURE_ALGS = [
    "ssh-ed25519", "sk-ssh-ed25519@openssh.com", "rsa-sha2-512", "rsa-sha2-256",
    "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
]
SHUTDOWN_NOTICE_SECONDS = 3.0
GC_RECLAIM_INTERVAL = 60.0
"""Seconds between checks whether ended sessions' frozen garbage should be reclaimed."""
FREEZE_DELAY = 0.3
"""Objects of a starting session are frozen this soon: until then every automatic full
collection walks them (at 4 logins/s a 1 s delay gave 30–50 ms pauses)."""
RECLAIM_CHEAP_LIVE = 8
"""With at most this many live sessions a reclaim's pause is short (~10 ms per live session):
reclaim whenever anything ended. With more, reclaim only once as many sessions ended as are
live, so the memory held by ended sessions stays below what the live ones hold."""
QUIET_SECONDS = 2.0
"""A reclaim waits for this long without input in any session ..."""
RECLAIM_MAX_DELAY = 300.0
"""... but for at most this long."""


def load_host_key(data_dir: Path) -> asyncssh.SSHKey:
    """The server's ed25519 host key: created (0600) on first start, reused afterwards."""
    path = data_dir / HOST_KEY_NAME
    if path.exists():
        return asyncssh.read_private_key(str(path))
    private_dir(data_dir)
    key = asyncssh.generate_private_key("ssh-ed25519")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key.export_private_key())
    write_private(path.with_name(HOST_KEY_NAME + ".pub"), key.export_public_key())
    return key


def preload_ui() -> None:
    """Import every Textual widget and the portal screens now: the first App's lazy imports
    would otherwise block the shared loop for every session."""
    import textual.widgets as widgets

    for name in widgets.__all__:  # type: ignore[attr-defined]
        getattr(widgets, name)
    import tui.app  # noqa: F401
    from tui import css_cache, strip_memory

    css_cache.install()
    strip_memory.install()


def release_textual_caches() -> None:
    """Empty Textual's class-level ``lru_cache``s on instance methods: they keep up to 1024
    objects of ended sessions each (widgets' style caches with their rendered lines)."""
    from textual._styles_cache import StylesCache
    from textual.filter import ANSIToTruecolor

    StylesCache.get_inner_outer.cache_clear()
    ANSIToTruecolor.truecolor_style.cache_clear()


def _load_glibc() -> ctypes.CDLL | None:
    """The C library if it is glibc (``malloc_trim``/``mallopt`` exist); None elsewhere
    (musl, macOS)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        libc.malloc_trim.restype = ctypes.c_int
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.mallopt.restype = ctypes.c_int
    except (OSError, AttributeError):
        return None
    return libc


_glibc = _load_glibc()

M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8


def tune_malloc() -> bool:
    """Large blocks straight from the system and back (glibc only).

    Each password check allocates argon2's 19 MiB in a hashing thread. glibc raises its mmap
    threshold after the first such block is freed, so later ones came from the threads'
    arenas and stayed resident: 6 parallel checks kept 95 MB of RSS. A fixed threshold
    (which also stops the adjustment) returns them on free; two arenas bound the per-thread
    heaps of the database and hashing threads."""
    if _glibc is None:
        return False
    return bool(_glibc.mallopt(M_MMAP_THRESHOLD, 1 << 20)) and bool(_glibc.mallopt(M_ARENA_MAX, 2))


def release_freed_memory() -> bool:
    """Give the C heap's free pages back to the system: after many sessions have ended,
    glibc keeps the freed memory (RSS stays at its high-water mark) unless asked."""
    if _glibc is None:
        return False
    _glibc.malloc_trim(0)
    return True


LOCK_CHECK_INTERVAL = 1.0
"""Seconds between a server's checks whether an account with a live session here was locked
(R25: ended within 2 s on every node, also when the lock's event could not reach this
process: the operator's CLI on SQLite without workers, a bridge that was down)."""

RECLAIM_MAX_PAUSE_MS = 100.0
"""A worker with live sessions reclaims in place only if that pauses them at most this long."""


def reclaim_pause_ms(live: int, ended: int) -> float:
    """Rough pause of a reclaim, measured on the 2-core VM: ~10 ms per live session walked,
    ~5 ms per ended session's garbage freed (500 ended sessions: 2.3 s)."""
    return 10.0 * live + 5.0 * ended


class GcPolicy:
    """Garbage collection for many Apps in one loop.

    A full collection walks every live session's ~15k objects and pauses all of them.
    Shortly after a session has started (:data:`FREEZE_DELAY`), its long-lived objects are
    moved to the permanent generation (``gc.freeze``, O(1)), which automatic collections never
    walk. Ended sessions' objects stay there as garbage until a reclaim (unfreeze, collect,
    freeze again), which walks everything: :meth:`should_reclaim` says when that is worth
    its pause.
    """

    def __init__(self, *, reclaim_interval: float = GC_RECLAIM_INTERVAL) -> None:
        self.reclaim_interval = reclaim_interval
        self.ended_since_reclaim = 0
        self._freeze_handle: asyncio.TimerHandle | None = None
        self._last_reclaim = 0.0
        self.reclaims = 0

    def session_started(self) -> None:
        """Freeze soon after a session started (one freeze serves a burst of logins)."""
        if self._freeze_handle is None:
            loop = asyncio.get_running_loop()
            # a fresh context: the caller's would keep the starting App alive until then
            self._freeze_handle = loop.call_later(FREEZE_DELAY, self._freeze,
                                                  context=contextvars.Context())

    def _freeze(self) -> None:
        self._freeze_handle = None
        gc.freeze()

    def session_ended(self) -> None:
        self.ended_since_reclaim += 1

    def should_reclaim(self, live_sessions: int) -> bool:
        """Reclaim when it is cheap (few live sessions) or when the ended sessions' garbage
        has grown to the size of the live sessions' objects (amortised: each reclaim frees
        at least as much as it walks)."""
        ended = self.ended_since_reclaim
        if not ended:
            return False
        return live_sessions <= RECLAIM_CHEAP_LIVE or ended >= live_sessions

    def reclaim(self, *, force: bool = False) -> None:
        self._last_reclaim = asyncio.get_running_loop().time()
        if not self.ended_since_reclaim and not force:
            return
        self.ended_since_reclaim = 0
        self.reclaims += 1
        release_textual_caches()
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        release_freed_memory()

    def close(self) -> None:
        if self._freeze_handle is not None:
            self._freeze_handle.cancel()
            self._freeze_handle = None


class PortalServer:
    """The listening SSH server with its limits and open sessions."""

    def __init__(self, core: Core, settings: Settings | None = None, *,
                 gc_policy: GcPolicy | None = None, reuse_port: bool = False) -> None:
        self.core = core
        self.settings = settings or core.settings
        self.limits = Limits.from_settings(self.settings)
        self.connections: set[PortalConnection] = set()
        self.sessions: set[PortalSession] = set()
        self.gc = gc_policy or GcPolicy()
        self.port = 0
        self.reuse_port = reuse_port
        """Several worker processes listen on the same port (SO_REUSEPORT)."""
        self.last_input = 0.0
        """Loop time of the latest input in any session (reclaims wait for quiet)."""
        self.last_session_change = 0.0
        """Loop time a session last started or ended (a worker's idle time for recycling)."""
        self.rotate: Callable[[], bool] | None = None
        """Set by a worker: when a reclaim would pause live sessions longer than
        :data:`RECLAIM_MAX_PAUSE_MS`, ask for a replacement process instead and drain (stop
        accepting, serve the live sessions to their end, exit). True: asked (or draining
        already); False: not possible now, reclaim after all."""
        self.worker_share = 1
        """Set by a worker: how many processes share the port (the per-source connection
        rate is split between them)."""
        self.gate: PreAuthGate | None = None
        self.stats = ServerStats()
        self.cluster: ClusterSessions | None = None
        """Set by ``serve`` and each worker: the session limit counted across nodes."""
        """Logins and input latency of this process (``/metrics``, ssh_server.metrics)."""
        self._acceptor: asyncio.Server | None = None
        self._reclaim_task: asyncio.Task[None] | None = None
        self._lock_task: asyncio.Task[None] | None = None
        self._lock_events: Subscription | None = None
        self.user_ca_keys = CaKeys(self.settings.user_ca_keys)
        """R26: the CA keys of ``LINEDESK_USER_CA_KEYS`` (re-read when the file changed)."""

    async def start(self, host: str | None = None, port: int | None = None) -> int:
        """Listen (port 0: any free port); returns the port."""
        tune_malloc()
        redact_commands()
        preload_ui()
        from tui.warmup import warm_up

        await warm_up()
        host_key = load_host_key(self.settings.data_dir)
        options = await asyncssh.SSHServerConnectionOptions.construct(
            server_factory=lambda: PortalConnection(self),
            server_host_keys=[host_key],
            kex_algs=KEX_ALGS,
            encryption_algs=ENCRYPTION_ALGS,
            mac_algs=MAC_ALGS,
            signature_algs=SIGNATURE_ALGS,
            compression_algs=None,
            login_timeout=self.settings.login_timeout,
            keepalive_interval=self.settings.keepalive_interval,
            keepalive_count_max=3,
            agent_forwarding=False,
            x11_forwarding=False,
            allow_scp=False,
            sftp_factory=None,
            host_based_auth=False,
            gss_host=None,
            line_editor=False,
            encoding="utf-8",
            errors="replace",
            server_version="linedesk",
        )
        loop = asyncio.get_running_loop()
        self.gate = PreAuthGate(
            lambda: PortalServerConnection(loop, options),
            rate=self.settings.conn_rate_per_source, burst=self.settings.conn_burst_per_source,
            trusted=parse_sources(self.settings.trusted_sources), share=self.worker_share,
            version_timeout=self.settings.version_timeout,
            queue_timeout=self.settings.login_timeout,
            proxy_trusted=(parse_sources(self.settings.proxy_trusted)
                           if self.settings.proxy_protocol else None),
        )
        # the gate accepts the TCP connections and hands them to asyncssh (ssh_server.gate)
        self._acceptor = await loop.create_server(
            self.gate.protocol,
            host or self.settings.host,
            self.settings.port if port is None else port,
            backlog=100,
            reuse_port=self.reuse_port or None,
        )
        self.port = self._acceptor.sockets[0].getsockname()[1]
        gc.collect()
        gc.freeze()
        self._reclaim_task = asyncio.create_task(self._reclaim_loop(), name="linedesk-gc")
        self._lock_events = self.core.bus.subscribe(self._on_lock_event)
        self._lock_task = asyncio.create_task(self._watch_locks(), name="linedesk-locks")
        self.last_session_change = asyncio.get_running_loop().time()
        log.info("listening on %s:%d (pid %d)", host or self.settings.host, self.port, os.getpid())
        return self.port

    async def _reclaim_loop(self) -> None:
        """Reclaim ended sessions' frozen garbage at a quiet moment: the full collection
        pauses every session, so wait until nobody typed for :data:`QUIET_SECONDS`
        (but not longer than :data:`RECLAIM_MAX_DELAY`)."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.gc.reclaim_interval)
            action = self.reclaim_action()
            if action is None or (action == "rotate" and self.rotate is not None
                                  and self.rotate()):
                continue
            give_up = loop.time() + RECLAIM_MAX_DELAY
            for _ in range(int(RECLAIM_MAX_DELAY / (QUIET_SECONDS / 4)) + 1):
                if loop.time() - self.last_input >= QUIET_SECONDS or loop.time() >= give_up:
                    break
                await asyncio.sleep(QUIET_SECONDS / 4)
            self.gc.reclaim()

    # -- R25 account locks ---------------------------------------------------------------

    def _on_lock_event(self, event: DomainEvent) -> None:
        """``AccountLocked`` from this process or, over the bridge, any other worker/node."""
        if event.name != locks.LOCK_EVENT:
            return
        account_id = event.payload.get("account_id")
        if isinstance(account_id, int):
            self.end_sessions_of({account_id: str(event.payload.get("reason") or "")})

    def end_sessions_of(self, reasons: dict[int, str]) -> int:
        """End every session here of the accounts in ``reasons`` (id → lock reason)."""
        ended = 0
        for session in list(self.sessions):
            actor = session.connection.actor
            if actor is not None and actor.account_id in reasons and not session.closed.is_set():
                session.end_with_notice("locks.session_ended",
                                        reason=clean(reasons[actor.account_id] or "–"))
                ended += 1
        if ended:
            log.info("ended %d session(s) of locked account(s) %s", ended, sorted(reasons))
        return ended

    async def _watch_locks(self) -> None:
        while True:
            await asyncio.sleep(LOCK_CHECK_INTERVAL)
            ids = {s.connection.actor.account_id for s in self.sessions
                   if s.connection.actor is not None and not s.closed.is_set()}
            if not ids:
                continue
            try:
                async with self.core.uow(readonly=True) as uow:
                    locked = await locks.locked_among(uow, ids)
            except DatabaseUnavailable:  # PostgreSQL restarting: the next check tries again
                log.warning("lock check: database unreachable")
                continue
            except Exception:
                log.exception("lock check failed")
                continue
            if locked:
                self.end_sessions_of(locked)

    def reclaim_action(self) -> str | None:
        """``"reclaim"``, ``"rotate"`` (a worker with many live sessions: a fresh process
        costs them no pause) or None (nothing worth reclaiming)."""
        live = len(self.sessions)
        if not self.gc.should_reclaim(live):
            return None
        if self.rotate is not None and live and (
                reclaim_pause_ms(live, self.gc.ended_since_reclaim) > RECLAIM_MAX_PAUSE_MS):
            return "rotate"
        return "reclaim"

    def session_started(self) -> None:
        self.last_session_change = asyncio.get_running_loop().time()
        self.gc.session_started()

    def session_ended(self) -> None:
        self.last_session_change = asyncio.get_running_loop().time()
        self.gc.session_ended()

    def accepting(self) -> bool:
        """Listening for new connections (not draining nor stopped): ``/health``."""
        return self._acceptor is not None and self._acceptor.is_serving()

    def stop_listening(self) -> None:
        """Accept no more connections; the open ones carry on (a retiring worker)."""
        if self._acceptor is not None:
            self._acceptor.close()

    async def shutdown(self, notice_seconds: float = SHUTDOWN_NOTICE_SECONDS, *,
                       restart: bool = False) -> None:
        """Stop accepting, tell every session, close them, then the connections.
        ``restart``: the server comes back (the notice asks to reconnect), else it stops."""
        if self._acceptor is not None:
            self._acceptor.close()
        if self.gate is not None:
            self.gate.close()  # connections still waiting for their turn
        sessions = list(self.sessions)
        for session in sessions:
            session.notify_shutdown(restart=restart)
        if sessions and notice_seconds > 0:
            await asyncio.sleep(notice_seconds)
        for session in list(self.sessions):
            session.close("ssh.restart_closed" if restart else "ssh.shutdown_closed")
        tasks = [s.task for s in sessions if s.task is not None]
        if tasks:
            await asyncio.wait(tasks, timeout=10)
        for connection in list(self.connections):
            if connection.conn is not None:
                connection.conn.close()
        if self._acceptor is not None:
            await self._acceptor.wait_closed()
            self._acceptor = None
        if self._reclaim_task is not None:
            self._reclaim_task.cancel()
            self._reclaim_task = None
        if self._lock_task is not None:
            self._lock_task.cancel()
            self._lock_task = None
        if self._lock_events is not None:
            self._lock_events.close()
            self._lock_events = None
        self.gc.close()


async def _drain_when_asked(server: PortalServer, drain: asyncio.Event,
                            stop: asyncio.Event) -> None:
    """SIGUSR1: stop accepting (``/health`` answers 503), serve the open sessions to their
    end, then stop: a node leaves the balancer without dropping a session."""
    await drain.wait()
    server.stop_listening()
    log.info("draining: no longer accepting connections; %d session(s) open",
             len(server.sessions))
    # connections leave the set in PortalConnection.connection_lost; nothing to wait on
    while server.connections or server.sessions:  # noqa: ASYNC110
        await asyncio.sleep(1.0)
    log.info("drained: no session left")
    stop.set()


async def serve(settings: Settings, *, demo: bool, stop: asyncio.Event,
                drain: asyncio.Event | None = None) -> None:
    """Prepare the database, start the server and background jobs, run until ``stop``
    (or, after ``drain``, until the last session ended)."""
    from core import migrate

    core = Core(settings)
    try:
        try:
            if await migrate.prepare(core, demo=demo):
                log.info("demo data loaded")
        except Exception as exc:
            if (problem := database_problem(exc)) is None:
                raise
            raise StartupFailed(problem) from exc
        await core.start_bridge()  # PostgreSQL: live updates from the other nodes
        core.start_background()
        server = PortalServer(core, settings)
        server.cluster = ClusterSessions(core, node=node_name(settings),
                                         limit=settings.max_sessions_per_user)
        await server.start()
        metrics = MetricsServer(core, server) if settings.metrics_port else None
        if metrics is not None:
            await metrics.start(settings.metrics_host, settings.metrics_port)
        beats = Heartbeat(core, server, node=node_name(settings), worker=0)
        beats.start()
        draining = (asyncio.create_task(_drain_when_asked(server, drain, stop))
                    if drain is not None else None)
        await stop.wait()
        if draining is not None:
            draining.cancel()
        log.info("shutting down")
        if metrics is not None:
            await metrics.close()
        await server.shutdown()
        await beats.stop()
    finally:
        await core.close()


def run_forever(settings: Settings, *, demo: bool) -> None:
    """``linedesk serve``: run until SIGTERM/SIGINT, then shut down gracefully. With more
    than one worker, a supervisor runs them (:mod:`ssh_server.workers`)."""
    from ssh_server import workers

    count = workers.resolve_worker_count(settings.workers)
    if count > 1:
        raise SystemExit(workers.run_supervised(settings.with_(workers=count), demo=demo))
    configure_logging(settings)
    lock = workers.lock_data_dir(settings.data_dir)  # held until the process exits
    if lock is None:
        log.error("another linedesk serve is running with data directory %s", settings.data_dir)
        raise SystemExit(1)
    if (problem := startup_problem(settings)) is not None:
        log.error("%s", problem)
        raise SystemExit(1)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        drain = asyncio.Event()
        loop.add_signal_handler(signal.SIGUSR1, drain.set)  # leave the balancer, then stop
        await serve(settings, demo=demo, stop=stop, drain=drain)

    try:
        asyncio.run(main())
    except StartupFailed as failed:
        log.debug("start failed", exc_info=failed.__cause__)
        log.error("%s", failed)
        raise SystemExit(1) from None
    finally:
        lock.close()
