"""Connection and session limits of the SSH server (per process).

The account lockout (5 failures in 15 minutes) lives in the core because it must hold
across processes and restarts; these limits protect one server process: failed attempts
per connection, unauthenticated connections per source address, sessions per account.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from core.config import Settings

MAX_FAILED_ATTEMPTS = 3
"""Failed password / keyboard-interactive attempts before the connection is dropped."""
MAX_REJECTED_KEYS = 10
"""Offered public keys that do not match before the connection is dropped."""


@dataclass
class Limits:
    """Counters shared by all connections of one server; single event loop, no locks."""

    max_unauth_per_source: int = 10
    max_sessions_per_user: int = 10
    unauthenticated: Counter[str] = field(default_factory=Counter)
    sessions: Counter[int] = field(default_factory=Counter)

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_unauth_per_source=settings.max_unauth_per_source,
            max_sessions_per_user=settings.max_sessions_per_user,
        )

    def admit_connection(self, source: str) -> bool:
        """Count a new unauthenticated connection; False when the source has too many."""
        if self.unauthenticated[source] >= self.max_unauth_per_source:
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
