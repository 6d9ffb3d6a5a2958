"""Frozen views returned by services (shared ones; areas keep their own next to them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AccountView:
    id: int
    username: str
    role: str
    customer_id: int | None
    customer_name: str | None
    full_name: str
    email: str | None
    mobile: str | None
    locale: str
    active: bool
    has_password: bool
    key_count: int
    created_at: datetime
    locked: bool = False
    """R25: locked (``linedesk users lock``, or by the customer's admin); why: ``lock_reason``."""
    lock_reason: str | None = None


@dataclass(frozen=True)
class CustomerView:
    id: int
    name: str
    street: str
    postal_code: str
    city: str
    customer_numbers: tuple[str, ...]


@dataclass(frozen=True)
class KeyView:
    id: int
    username: str
    fingerprint: str
    key_type: str
    comment: str
    created_at: datetime
