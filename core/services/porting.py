"""Porting orders: moving existing numbers from another provider to us (R16).

Lifecycle (each transition is a :class:`PortingEvent` on the order's timeline, an audit
event and a bus event):

``submitted`` → ``confirmed`` → ``completed``, or ``submitted`` → ``rejected`` (with reason).

Numbers are created at submission in state ``porting`` (they show on the dashboard with
that state and cannot be ordered or ported twice); on completion they become ``active``
without an activation charge (the customer already uses them), with the standard monthly
price; on rejection the ``porting`` rows are removed again.

The carrier side is a :class:`CarrierAdapter`. :class:`SimulatedCarrier` (the default)
confirms an order one day after submission and completes it on the wished date at
06:00 Berlin time; it rejects an order whose account holder does not match the customer's
name (case and spacing ignored), as a real losing carrier would. :func:`advance_due` is
called by the scheduler: it applies every due step, catches up several steps after
downtime, and thanks to the version column applies each step exactly once even when two
schedulers run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from sqlalchemy import delete, select

from core.authz import Actor, Permission, require
from core.clock import BERLIN
from core.errors import RuleViolation, ValidationError
from core.i18n import format_date, t
from core.models import (
    Customer,
    Number,
    NumberStatus,
    PortingEvent,
    PortingOrder,
    PortingStatus,
)
from core.reference import area_of
from core.security import normalize_phone
from core.services import areas, emergency
from core.uow import UnitOfWork

MIN_WORKING_DAYS = 15
MAX_NUMBERS_PER_ORDER = 100
MAX_TEXT = 200
CONFIRM_AFTER = timedelta(days=1)
COMPLETION_TIME = time(6, 0)
"""Local (Berlin) time on the wished date at which the simulated carrier switches over."""
BATCH = 200
"""Orders looked at per :func:`advance_due` call; the rest follow on the next run."""

OPEN_STATES = (PortingStatus.SUBMITTED, PortingStatus.CONFIRMED)
_E164 = re.compile(r"^\+49[1-9]\d{5,13}$")

NOTE_CONFIRMED = "ui.porting.note.confirmed"
NOTE_COMPLETED = "ui.porting.note.completed"
NOTE_SUBMITTED = "ui.porting.note.submitted"
REASON_HOLDER_MISMATCH = "ui.porting.reason.holder_mismatch"
"""Timeline notes and reasons of the simulated carrier are i18n keys; screens translate them
(a real carrier's free text is shown as is)."""


# --- German working days -------------------------------------------------------------


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def national_holidays(year: int) -> frozenset[date]:
    """Public holidays valid in every German state (regional ones do not stop a porting)."""
    easter = easter_sunday(year)
    return frozenset(
        {
            date(year, 1, 1),  # Neujahr
            easter - timedelta(days=2),  # Karfreitag
            easter + timedelta(days=1),  # Ostermontag
            date(year, 5, 1),  # Tag der Arbeit
            easter + timedelta(days=39),  # Christi Himmelfahrt
            easter + timedelta(days=50),  # Pfingstmontag
            date(year, 10, 3),  # Tag der Deutschen Einheit
            date(year, 12, 25),  # 1. Weihnachtstag
            date(year, 12, 26),  # 2. Weihnachtstag
        }
    )


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in national_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself does not count)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def earliest_wished_date(today: date) -> date:
    """A porting needs ``MIN_WORKING_DAYS`` (15) German working days of lead time."""
    return add_working_days(today, MIN_WORKING_DAYS)


# --- views ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PortingEventView:
    status: str
    note: str
    """An i18n key (simulated carrier) or free text; use :meth:`note_text`."""
    at: datetime

    def note_text(self, locale: str) -> str:
        """The note in ``locale`` (a carrier's free text is returned unchanged)."""
        return t(locale, self.note) if self.note else ""


@dataclass(frozen=True)
class PortingOrderView:
    id: int
    area: str
    numbers: tuple[str, ...]
    old_provider: str
    account_holder: str
    wished_date: date
    status: str
    reject_reason: str | None
    carrier_ref: str | None
    next_step_at: datetime | None
    created_at: datetime
    timeline: tuple[PortingEventView, ...]

    def reason_text(self, locale: str) -> str:
        """The rejection reason in ``locale`` (empty unless rejected)."""
        return t(locale, self.reject_reason) if self.reject_reason else ""


def _view(order: PortingOrder, events: list[PortingEvent]) -> PortingOrderView:
    return PortingOrderView(
        id=order.id,
        area=order.area_prefix,
        numbers=tuple(order.numbers),
        old_provider=order.old_provider,
        account_holder=order.account_holder,
        wished_date=order.wished_date,
        status=order.status.value,
        reject_reason=order.reject_reason,
        carrier_ref=order.carrier_ref,
        next_step_at=order.next_step_at,
        created_at=order.created_at,
        timeline=tuple(PortingEventView(e.status.value, e.note, e.at) for e in events),
    )


async def _events(uow: UnitOfWork, order_ids: list[int]) -> dict[int, list[PortingEvent]]:
    out: dict[int, list[PortingEvent]] = {i: [] for i in order_ids}
    if order_ids:
        for event in await uow.session.scalars(
            select(PortingEvent)
            .where(PortingEvent.order_id.in_(order_ids))
            .order_by(PortingEvent.at, PortingEvent.id)
        ):
            out[event.order_id].append(event)
    return out


# --- carrier adapter -----------------------------------------------------------------


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


@dataclass(frozen=True)
class CarrierStep:
    """The carrier's answer: the order's new state and when to ask again."""

    status: PortingStatus
    note: str = ""
    reject_reason: str | None = None
    next_step_at: datetime | None = None


class CarrierAdapter(Protocol):
    def submit(self, order: CarrierOrder) -> tuple[str, datetime]:
        """Hand the order over; returns the carrier's reference and when to poll first."""
        ...

    def poll(self, order: CarrierOrder, now: datetime) -> CarrierStep | None:
        """The next step of a due order, or None when the carrier has nothing new yet."""
        ...


def _norm_name(value: str) -> str:
    return " ".join(value.casefold().split())


def completion_time(wished: date) -> datetime:
    return datetime.combine(wished, COMPLETION_TIME, tzinfo=BERLIN).astimezone(UTC)


class SimulatedCarrier:
    """Confirms one day after submission, completes on the wished date; rejects a wrong holder."""

    def submit(self, order: CarrierOrder) -> tuple[str, datetime]:
        return f"SIM-{order.id:06d}", order.created_at + CONFIRM_AFTER

    def poll(self, order: CarrierOrder, now: datetime) -> CarrierStep | None:
        if order.status is PortingStatus.SUBMITTED:
            if now < order.created_at + CONFIRM_AFTER:
                return None
            if _norm_name(order.account_holder) != _norm_name(order.customer_name):
                return CarrierStep(PortingStatus.REJECTED, reject_reason=REASON_HOLDER_MISMATCH)
            return CarrierStep(
                PortingStatus.CONFIRMED,
                note=NOTE_CONFIRMED,
                next_step_at=completion_time(order.wished_date),
            )
        if order.status is PortingStatus.CONFIRMED:
            if now < completion_time(order.wished_date):
                return None
            return CarrierStep(PortingStatus.COMPLETED, note=NOTE_COMPLETED)
        return None


# --- services ------------------------------------------------------------------------


def _required_text(value: str, key: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise ValidationError(key)
    if len(text) > MAX_TEXT or areas.has_control_chars(text):
        raise ValidationError("error.porting.text_invalid", max=MAX_TEXT)
    return text


def _numbers(raw: list[str], prefix: str) -> list[str]:
    if not raw:
        raise ValidationError("error.porting.numbers_required")
    if len(raw) > MAX_NUMBERS_PER_ORDER:
        raise ValidationError("error.porting.too_many", max=MAX_NUMBERS_PER_ORDER)
    out: list[str] = []
    for value in raw:
        e164 = normalize_phone(str(value))
        if not _E164.match(e164):
            raise ValidationError("error.porting.invalid_number", value=str(value)[:40])
        if area_of(e164) != prefix:
            raise ValidationError("error.porting.wrong_area", value=e164, area=prefix)
        if e164 in out:
            raise ValidationError("error.porting.duplicate", value=e164)
        out.append(e164)
    return out


def _carrier_order(order: PortingOrder, customer_name: str) -> CarrierOrder:
    return CarrierOrder(
        id=order.id,
        customer_name=customer_name,
        account_holder=order.account_holder,
        old_provider=order.old_provider,
        numbers=tuple(order.numbers),
        wished_date=order.wished_date,
        status=order.status,
        created_at=order.created_at,
    )


async def create_order(
    uow: UnitOfWork,
    actor: Actor,
    *,
    area: str,
    numbers: list[str],
    old_provider: str,
    account_holder: str,
    wished_date: date,
    carrier: CarrierAdapter | None = None,
) -> PortingOrderView:
    """Submit a porting order for numbers of a verified area (R16)."""
    require(actor, Permission.PORTING_MANAGE, customer_id=actor.customer_id)
    customer_id = areas.customer_id_of(actor)
    local = await areas.local_area(uow, area)
    customer, _ = await areas.lock_verified(uow, customer_id, local)
    wanted = _numbers(list(numbers), local.prefix)
    provider = _required_text(old_provider, "error.porting.provider_required")
    holder = _required_text(account_holder, "error.porting.holder_required")
    if not isinstance(wished_date, date) or isinstance(wished_date, datetime):
        raise ValidationError("error.porting.invalid_date")
    earliest = earliest_wished_date(uow.clock.today())
    if wished_date < earliest:
        raise RuleViolation(
            "R16", "error.porting.date_too_early", days=MIN_WORKING_DAYS,
            date=format_date(earliest, actor.locale),
        )
    existing = next(
        iter(await uow.session.scalars(select(Number.e164).where(Number.e164.in_(wanted)))), None
    )
    if existing is not None:
        raise RuleViolation("R16", "error.porting.already_here", value=existing)

    now = uow.clock.now()
    order = PortingOrder(
        customer_id=customer_id, area_prefix=local.prefix, numbers=wanted, old_provider=provider,
        account_holder=holder, wished_date=wished_date, status=PortingStatus.SUBMITTED,
        created_at=now, created_by_id=actor.account_id,
    )
    uow.session.add(order)
    await uow.session.flush()
    order.carrier_ref, order.next_step_at = (carrier or SimulatedCarrier()).submit(
        _carrier_order(order, customer.name)
    )
    event = PortingEvent(
        order_id=order.id, status=PortingStatus.SUBMITTED, note=NOTE_SUBMITTED, at=now
    )
    uow.session.add(event)
    for e164 in wanted:
        uow.session.add(
            areas.new_voice_number(customer_id, e164, local.prefix, NumberStatus.PORTING, now)
        )
    await uow.session.flush()
    await emergency.fill_defaults(uow, customer_id=customer_id, numbers=wanted)  # R29
    uow.audit(actor, "porting.submitted", customer_id=customer_id, target=f"#{order.id}",
              area=local.prefix, numbers=wanted, old_provider=provider,
              wished_date=wished_date.isoformat())
    uow.emit("PortingOrderSubmitted", customer_id, order_id=order.id, numbers=wanted)
    return _view(order, [event])


async def list_orders(uow: UnitOfWork, actor: Actor) -> list[PortingOrderView]:
    """The customer's porting orders, newest first, each with its timeline."""
    require(actor, Permission.CUSTOMER_READ, customer_id=actor.customer_id)
    customer_id = areas.customer_id_of(actor)
    orders = list(
        await uow.session.scalars(
            select(PortingOrder)
            .where(PortingOrder.customer_id == customer_id)
            .order_by(PortingOrder.created_at.desc(), PortingOrder.id.desc())
        )
    )
    events = await _events(uow, [o.id for o in orders])
    return [_view(o, events[o.id]) for o in orders]


async def _apply(uow: UnitOfWork, order: PortingOrder, step: CarrierStep, now: datetime) -> None:
    """One transition: order state, timeline, numbers, audit and bus event."""
    order.status = step.status
    order.next_step_at = step.next_step_at
    note = step.note
    if step.status is PortingStatus.REJECTED:
        order.reject_reason = step.reject_reason or ""
        note = order.reject_reason
        await uow.session.execute(
            delete(Number).where(
                Number.customer_id == order.customer_id,
                Number.e164.in_(order.numbers),
                Number.status == NumberStatus.PORTING,
            )
        )
    elif step.status is PortingStatus.COMPLETED:
        arrived = {
            n.e164: n
            for n in await uow.session.scalars(
                select(Number).where(
                    Number.customer_id == order.customer_id, Number.e164.in_(order.numbers)
                )
            )
        }
        for e164 in order.numbers:
            number = arrived.get(e164)
            if number is None:
                uow.session.add(areas.new_voice_number(order.customer_id, e164, order.area_prefix,
                                                       NumberStatus.ACTIVE, now))
            elif number.status is NumberStatus.PORTING:
                number.status = NumberStatus.ACTIVE
        await uow.session.flush()
        await emergency.fill_defaults(uow, customer_id=order.customer_id,  # R29
                                      numbers=list(order.numbers))
    uow.session.add(PortingEvent(order_id=order.id, status=step.status, note=note, at=now))
    uow.audit(None, f"porting.{step.status.value}", customer_id=order.customer_id,
              target=f"#{order.id}", carrier_ref=order.carrier_ref, note=note)
    uow.emit(f"PortingOrder{step.status.value.capitalize()}", order.customer_id,
             order_id=order.id, numbers=list(order.numbers))


async def advance_due(uow: UnitOfWork, carrier: CarrierAdapter | None = None) -> int:
    """Apply every due carrier step; returns how many transitions were applied.

    Catches up after downtime (a long-overdue order may be confirmed and completed in one
    run). Each order update carries its version, so if another scheduler already moved it
    the update fails with :class:`core.errors.Conflict` and this run changes nothing.
    """
    adapter = carrier or SimulatedCarrier()
    now = uow.clock.now()
    orders = list(
        await uow.session.scalars(
            select(PortingOrder)
            .where(PortingOrder.status.in_(OPEN_STATES), PortingOrder.next_step_at <= now)
            .order_by(PortingOrder.next_step_at, PortingOrder.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
    )
    if not orders:
        return 0
    names: dict[int, str] = {
        cid: name
        for cid, name in await uow.session.execute(
            select(Customer.id, Customer.name).where(
                Customer.id.in_({o.customer_id for o in orders})
            )
        )
    }
    applied = 0
    for order in orders:
        for _ in range(len(PortingStatus)):
            if order.status not in OPEN_STATES:
                break
            step = adapter.poll(_carrier_order(order, names.get(order.customer_id, "")), now)
            if step is None:
                break
            await _apply(uow, order, step, now)
            await uow.session.flush()
            applied += 1
    return applied
