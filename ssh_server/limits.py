"""Connection and session limits of the SSH server.

The account lockout (5 failures in 15 minutes) lives in the core because it must hold
across processes and restarts. Failed attempts are counted per connection. Unauthenticated
connections per source address and sessions per account are counted in this process and,
under ``serve --workers N``, by the supervisor for all workers together
(:class:`SharedLimits`, over the worker's hub connection): otherwise N workers would
allow N times each limit. While the hub is unreachable, the count of this process decides.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.config import Settings
from ssh_server.gate import TRUSTED_FACTOR, Network, parse_sources, source_in

log = logging.getLogger(__name__)

MAX_FAILED_ATTEMPTS = 3
"""Failed password / keyboard-interactive attempts before the connection is dropped."""
MAX_REJECTED_KEYS = 10
"""Offered public keys that do not match before the connection is dropped."""
SHARED_TIMEOUT = 1.0
"""Seconds to wait for the supervisor's answer (normally well under a millisecond: it
answers from memory) before this process's own count decides."""
RESTORE_CHUNK = 500
"""Held units per restore message (a few dozen bytes each: far below the hub's 64 KiB)."""
UNAUTH = "unauth"
SESSION = "session"


@dataclass
class Limits:
    """Counters shared by all connections of one server; single event loop, no locks."""

    max_unauth_per_source: int = 10
    max_sessions_per_user: int = 10
    unauthenticated: Counter[str] = field(default_factory=Counter)
    sessions: Counter[int] = field(default_factory=Counter)
    shared: SharedLimits | None = None
    """Set by a worker: the supervisor counts across all workers."""
    trusted: list[Network] = field(default_factory=list)
    """``LINEDESK_TRUSTED_SOURCES`` (jump hosts, NAT gateways): :data:`TRUSTED_FACTOR`
    times the unauthenticated connections."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_unauth_per_source=settings.max_unauth_per_source,
            max_sessions_per_user=settings.max_sessions_per_user,
            trusted=parse_sources(settings.trusted_sources),
        )

    def unauth_limit(self, source: str) -> int:
        """Unauthenticated connections allowed at once from ``source``."""
        if self.trusted and source_in(source, self.trusted):
            return self.max_unauth_per_source * TRUSTED_FACTOR
        return self.max_unauth_per_source

    def admit_connection(self, source: str) -> bool:
        """Count a new unauthenticated connection; False when the source has too many."""
        if self.unauthenticated[source] >= self.unauth_limit(source):
            return False
        self.unauthenticated[source] += 1
        return True

    def connection_authenticated_or_gone(self, source: str) -> None:
        self.unauthenticated[source] -= 1
        if self.unauthenticated[source] <= 0:
            del self.unauthenticated[source]

    def open_session(self, account_id: int) -> bool:
        """Count an interactive or command session; False at the per-account maximum."""
        if self.sessions[account_id] >= self.max_sessions_per_user:
            return False
        self.sessions[account_id] += 1
        return True

    def close_session(self, account_id: int) -> None:
        self.sessions[account_id] -= 1
        if self.sessions[account_id] <= 0:
            del self.sessions[account_id]

    def hold_connection(self, source: str) -> Hold | None:
        """An unauthenticated connection from ``source``: None when this process already has
        too many; with workers, :meth:`Hold.confirmed` then asks the supervisor."""
        if not self.admit_connection(source):
            return None
        hold = Hold(self, UNAUTH, source)
        if self.shared is not None:
            hold.ask(self.shared, self.unauth_limit(source))
        return hold

    async def hold_session(self, account_id: int) -> Hold | None:
        """A session of ``account_id``; None at the maximum (in this process or, with
        workers, in all of them)."""
        if not self.open_session(account_id):
            return None
        hold = Hold(self, SESSION, account_id)
        if self.shared is not None:
            hold.ask(self.shared, self.max_sessions_per_user)
            if not await hold.confirmed():
                return None
        return hold

    def share_through(self, link: HubLink) -> SharedLimits:
        """Count across workers through ``link`` (the worker's hub connection)."""
        self.shared = SharedLimits(link, self)
        return self.shared


class HubLink(Protocol):
    """What :class:`SharedLimits` needs of :class:`ssh_server.hub.HubClient`."""

    connected: asyncio.Event
    on_connect: list[Callable[[], None]]

    def send(self, doc: dict[str, Any]) -> bool: ...

    async def request(self, doc: dict[str, Any], timeout: float) -> dict[str, Any] | None: ...


class Hold:
    """One counted unit (an unauthenticated connection or a session): counted in this
    process at once, by the supervisor once it answered. :meth:`release` exactly once."""

    def __init__(self, limits: Limits, kind: str, key: str | int) -> None:
        self.limits = limits
        self.kind = kind
        self.key = key
        self.refused = False
        """The supervisor said no (the local count is already given back)."""
        self.released = False
        self._local = True
        self._shared: SharedLimits | None = None
        self._answer: asyncio.Task[bool] | None = None

    def ask(self, shared: SharedLimits, limit: int) -> None:
        self._shared = shared
        self._answer = asyncio.get_running_loop().create_task(
            self._ask(shared, limit), name="linedesk-limit")

    async def _ask(self, shared: SharedLimits, limit: int) -> bool:
        ok = await shared.acquire(self.kind, str(self.key), limit)
        if ok is False:
            self.refused = True
            self._release_local()
            return False
        if self.released:  # released while asking: give the unit back now
            shared.release(self.kind, str(self.key))
        return True

    async def confirmed(self) -> bool:
        """False when the supervisor refused (counted across workers the limit is reached)."""
        if self._answer is None:
            return not self.refused
        return await asyncio.shield(self._answer)

    def release(self) -> None:
        if self.released:
            return
        self.released = True
        self._release_local()
        answered = self._answer is None or self._answer.done()
        if self._shared is not None and answered and not self.refused:
            # fire and forget; while disconnected, the restore after reconnecting (what
            # this process still counts) replaces it
            self._shared.release(self.kind, str(self.key))

    def _release_local(self) -> None:
        if not self._local:
            return
        self._local = False
        if self.kind == UNAUTH:
            self.limits.connection_authenticated_or_gone(str(self.key))
        else:
            assert isinstance(self.key, int)
            self.limits.close_session(self.key)


class SharedLimits:
    """A worker's client of the supervisor's counters (:class:`ssh_server.hub.LocalHub`).

    The supervisor mirrors what this process counts: ``acquire`` asks (it counts only
    within the limit), ``release`` gives back, and after every (re)connection the worker
    restores everything it still holds (the hub released it when the connection ended).
    """

    def __init__(self, link: HubLink, limits: Limits, *, timeout: float = SHARED_TIMEOUT) -> None:
        self.link = link
        self.limits = limits
        self.timeout = timeout
        self.fallbacks = 0
        self._warned = False
        link.on_connect.append(self._restore)

    async def acquire(self, kind: str, key: str, limit: int) -> bool | None:
        """True/False: the supervisor's verdict; None: unreachable (the local count decides)."""
        reply = None
        if self.link.connected.is_set():
            reply = await self.link.request(
                {"t": "acquire", "kind": kind, "key": key, "limit": limit}, self.timeout)
        if reply is None:
            self.fallbacks += 1
            if not self._warned:
                self._warned = True
                log.warning("worker hub unreachable: limits counted in this worker only "
                            "until it answers again")
            return None
        if self._warned:
            self._warned = False
            log.info("worker hub answers again: limits counted across workers")
        return bool(reply.get("ok"))

    def release(self, kind: str, key: str) -> None:
        self.link.send({"t": "release", "kind": kind, "key": key})

    def _restore(self) -> None:
        holds = [[UNAUTH, source, count] for source, count in self.limits.unauthenticated.items()]
        holds += [[SESSION, str(account), count] for account, count in self.limits.sessions.items()]
        for start in range(0, max(len(holds), 1), RESTORE_CHUNK):
            self.link.send({"t": "restore", "reset": start == 0,
                            "holds": holds[start:start + RESTORE_CHUNK]})


@dataclass
class AttemptCounter:
    """Failed attempts of one connection."""

    failures: int = 0
    rejected_keys: int = 0

    def fail(self) -> bool:
        """Record a failed password/kbdint attempt; True when the connection must close."""
        self.failures += 1
        return self.failures >= MAX_FAILED_ATTEMPTS

    def reject_key(self) -> bool:
        self.rejected_keys += 1
        return self.rejected_keys >= MAX_REJECTED_KEYS
