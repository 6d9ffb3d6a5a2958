"""The carrier side of a porting order (R16, R31): :class:`CarrierAdapter` and the
default :class:`SimulatedCarrier` (see :mod:`core.services.porting` for what it answers).

The adapter sees a :class:`CarrierOrder` (never the ORM row) and answers with a
:class:`CarrierStep`; :mod:`core.services.porting_transitions` applies the step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from core.clock import BERLIN
from core.models import PortingOrder, PortingStatus
from core.workdays import add_working_days

CONFIRM_AFTER = timedelta(days=1)
COMPLETION_TIME = time(6, 0)
"""Local (Berlin) time on the confirmed date at which the simulated carrier switches over."""
OTHER_DATE_SHIFT = 3
"""Working days after the wished date that the ``other_date`` scenario confirms."""
NOTE_CONFIRMED = "ui.porting.note.confirmed"
NOTE_CONFIRMED_OTHER = "ui.porting.note.confirmed_other"
NOTE_COMPLETED = "ui.porting.note.completed"
REASON_HOLDER_MISMATCH = "ui.porting.reason.holder_mismatch"
"""Timeline notes and reasons of the simulated carrier are i18n keys; screens translate them
(a real carrier's free text is shown as is)."""

REJECT_CODES: tuple[str, ...] = (
    "holder_mismatch", "not_with_provider", "contract_term", "address_mismatch", "other",
)
"""R31 reason codes of a rejection (label ``ui.porting.reject_code.<code>``):

- ``holder_mismatch``: the account holder is not the one registered with the old provider;
- ``not_with_provider``: a number is not (or no longer) with the old provider;
- ``contract_term``: the contract with the old provider still runs (notice not given);
- ``address_mismatch``: the connection address does not match the old provider's records;
- ``other``: anything else; the carrier's text says what.
"""
SCENARIOS: tuple[str, ...] = (
    "auto", "confirm", "other_date", *(f"reject:{code}" for code in REJECT_CODES),
)
"""The simulated carrier's per-order test switch (``auto``: no switch, see module doc)."""


@dataclass(frozen=True)
class CarrierOrder:
    """What the carrier adapter sees of an order."""

    id: int
    customer_name: str
    account_holder: str
    old_provider: str
    numbers: tuple[str, ...]
    wished_date: date
    status: PortingStatus
    created_at: datetime
    confirmed_date: date | None = None
    scenario: str | None = None
    """The test switch (:data:`SCENARIOS`); only :class:`SimulatedCarrier` reads it."""


@dataclass(frozen=True)
class CarrierStep:
    """The carrier's answer: the order's new state and when to ask again."""

    status: PortingStatus
    note: str = ""
    reject_reason: str | None = None
    next_step_at: datetime | None = None
    confirmed_date: date | None = None
    """With ``confirmed``: the carrier's switch-over day (None: the wished date)."""
    reject_code: str | None = None
    """With ``rejected``: one of :data:`REJECT_CODES` (anything else is stored as ``other``)."""


class CarrierAdapter(Protocol):
    def submit(self, order: CarrierOrder) -> tuple[str, datetime]:
        """Hand the order over; returns the carrier's reference and when to poll first."""
        ...

    def poll(self, order: CarrierOrder, now: datetime) -> CarrierStep | None:
        """The next step of a due order, or None when the carrier has nothing new yet."""
        ...


def _norm_name(value: str) -> str:
    return " ".join(value.casefold().split())


def completion_time(day: date) -> datetime:
    """When the simulated carrier switches over on ``day`` (06:00 Berlin, as UTC)."""
    return datetime.combine(day, COMPLETION_TIME, tzinfo=BERLIN).astimezone(UTC)


def _reject(code: str) -> CarrierStep:
    return CarrierStep(PortingStatus.REJECTED, reject_code=code,
                       reject_reason=f"ui.porting.reason.{code}")


class SimulatedCarrier:
    """Answers one day after submission as the order's test switch says (default: confirm
    the wished date, reject a wrong holder), completes on the confirmed date."""

    def submit(self, order: CarrierOrder) -> tuple[str, datetime]:
        return f"SIM-{order.id:06d}", order.created_at + CONFIRM_AFTER

    def poll(self, order: CarrierOrder, now: datetime) -> CarrierStep | None:
        if order.status is PortingStatus.SUBMITTED:
            if now < order.created_at + CONFIRM_AFTER:
                return None
            scenario = order.scenario or "auto"
            if scenario.startswith("reject:"):
                return _reject(scenario.partition(":")[2])
            if scenario == "auto" and (
                _norm_name(order.account_holder) != _norm_name(order.customer_name)
            ):
                return _reject("holder_mismatch")
            day = order.wished_date
            if scenario == "other_date":
                day = add_working_days(order.wished_date, OTHER_DATE_SHIFT)
            return CarrierStep(
                PortingStatus.CONFIRMED,
                note=NOTE_CONFIRMED if day == order.wished_date else NOTE_CONFIRMED_OTHER,
                next_step_at=completion_time(day),
                confirmed_date=day,
            )
        if order.status is PortingStatus.CONFIRMED:
            if now < completion_time(order.confirmed_date or order.wished_date):
                return None
            return CarrierStep(PortingStatus.COMPLETED, note=NOTE_COMPLETED)
        return None



def carrier_order(
    order: PortingOrder, customer_name: str, *, test_switch: bool = False
) -> CarrierOrder:
    return CarrierOrder(
        id=order.id,
        customer_name=customer_name,
        account_holder=order.account_holder,
        old_provider=order.old_provider,
        numbers=tuple(order.numbers),
        wished_date=order.wished_date,
        status=order.status,
        created_at=order.created_at,
        confirmed_date=order.confirmed_date,
        # only a demo/test configuration lets the stored switch decide (SECURITY.md)
        scenario=order.scenario if test_switch else None,
    )
