"""Numbers: the frozen views the number services return, and the pure helpers for
number formats, forwarding targets and the deactivation date (R12)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.errors import ValidationError
from core.models import (
    NumberKind,
    NumberStatus,
)
from core.security import normalize_phone

_E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")
_SIP_RE = re.compile(
    r"^sips?:[A-Za-z0-9._~+!$&'*=%-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d{1,5})?$"
)
FORWARDING_KEY = "forwarding_target"
FAX_CREDENTIALS_KEY = "fax_credentials"
"""Settings key: ``{username: {"login": ..., "password_hash": ...}}`` (R15)."""

_IN_USE = (NumberStatus.ACTIVE, NumberStatus.PENDING_DEACTIVATION)


def end_of_following_month(day: date) -> date:
    """R12: the last active day of a number marked for deactivation on ``day``."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class NumberView:
    id: int
    e164: str
    national: str
    area_prefix: str
    area_name: str
    kind: str
    status: str
    deactivation_date: date | None
    assigned_to: str | None
    assigned_name: str | None
    fax_owner: str | None
    monthly_price_cents: int
    activation_fee_cents: int
    forwarding_target: str | None
    version: int
    fax_recipients: tuple[str, ...] = ()

    @property
    def pending(self) -> bool:
        return self.status == NumberStatus.PENDING_DEACTIVATION.value

    @property
    def personal_fax(self) -> bool:
        return self.kind == NumberKind.FAX.value and self.fax_owner is not None

    def as_json(self) -> dict[str, Any]:
        """The command-mode shape (SPEC §5 ``numbers list --json``)."""
        return {
            "number": self.e164,
            "national": self.national,
            "area": self.area_prefix,
            "kind": self.kind,
            "status": self.status,
            "deactivation_date": self.deactivation_date.isoformat() if self.deactivation_date else None,
            "assigned_to": self.assigned_to,
            "fax_owner": self.fax_owner,
            "monthly_price_cents": self.monthly_price_cents,
            "activation_fee_cents": self.activation_fee_cents,
            "forwarding_target": self.forwarding_target,
        }


@dataclass(frozen=True)
class NumberPage:
    """One page of the dashboard: its rows, where it starts and how many numbers match."""

    total: int
    offset: int
    views: tuple[NumberView, ...]


@dataclass(frozen=True)
class Quote:
    """What activating costs (R11), shown before the user confirms."""

    number: str
    national: str
    activation_fee_cents: int
    monthly_price_cents: int
    version: int


@dataclass(frozen=True)
class DeactivationQuote:
    """When a deactivation marked today takes effect (R12)."""

    number: str
    national: str
    deactivation_date: date
    version: int


@dataclass(frozen=True)
class AccountChoice:
    username: str
    full_name: str
    has_email: bool


@dataclass(frozen=True)
class FaxRecipientChoice:
    """Whom the fax credentials may go to (R15): locked to the owner for a personal fax."""

    number: str
    national: str
    personal: bool
    owner: str | None
    candidates: tuple[AccountChoice, ...]
    preselected: tuple[str, ...]
    already_sent_to: tuple[str, ...]

    @property
    def locked(self) -> bool:
        return self.personal


@dataclass(frozen=True)
class SwapResult:
    old: NumberView
    new: NumberView


@dataclass(frozen=True)
class FaxSendResult:
    number: str
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class CallRecordView:
    id: int
    number: str
    username: str | None
    started_at: Any
    duration_seconds: int
    remote_number: str
    cost_cents: int


def normalize_number(value: str) -> str:
    """``030 123456100`` / ``+49 30 123456100`` / ``0049...`` → ``+4930123456100``."""
    compact = normalize_phone(value or "")
    if not _E164_RE.match(compact):
        raise ValidationError("error.numbers.invalid_number", value=(value or "")[:40])
    return compact


def national_form(e164: str, area_prefix: str) -> str:
    """``+4930123456100`` with area ``030`` → ``030 123456100``."""
    if e164.startswith("+49"):
        digits = "0" + e164[3:]
        if digits.startswith(area_prefix):
            return f"{area_prefix} {digits[len(area_prefix):]}"
        return digits
    return e164


def validate_forwarding_target(value: str) -> str:
    """A SIP URI (``sip:user@host``) or a phone number (normalised to E.164)."""
    candidate = (value or "").strip()
    if candidate.lower().startswith(("sip:", "sips:")):
        if _SIP_RE.match(candidate):
            return candidate
        raise ValidationError("error.numbers.invalid_forwarding", value=candidate[:80])
    phone = normalize_phone(candidate)
    if _E164_RE.match(phone):
        return phone
    raise ValidationError("error.numbers.invalid_forwarding", value=candidate[:80])
