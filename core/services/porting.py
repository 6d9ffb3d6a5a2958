"""Porting orders: moving existing numbers from another provider to us (R16, R31).

Lifecycle (each transition is a :class:`PortingEvent` on the order's timeline, an audit
event, a bus event and an e-mail to the customer's admins in their language):

``submitted`` → ``confirmed`` (for the carrier's date, which may differ from the wished
one) → ``completed`` on the carrier's date; or ``submitted`` → ``rejected`` (a reason code
of :data:`REJECT_CODES` and the carrier's text); or ``submitted`` → ``cancelled`` by the
customer (:func:`cancel_order`; refused once the carrier confirmed). Customer admins and
support acting for the customer add comments (:func:`add_comment`); they are timeline
entries of kind ``comment`` with author and time.

Numbers are created at submission in state ``porting`` (they show on the dashboard with
that state and cannot be ordered or ported twice); on completion they become ``active``
without an activation charge (the customer already uses them), with the standard monthly
price; on rejection or cancellation the ``porting`` rows are removed again.

The carrier side is a :class:`CarrierAdapter`. :class:`SimulatedCarrier` (the default)
answers one day after submission and completes on the confirmed date at 06:00 Berlin
time. What it answers is the order's test switch :attr:`PortingOrder.scenario`
(:data:`SCENARIOS`; a real carrier adapter ignores it): ``auto`` (no switch) confirms the
wished date unless the account holder does not match the customer's name (case and
spacing ignored: rejected ``holder_mismatch``, as a real losing carrier would);
``confirm`` confirms the wished date; ``other_date`` confirms a date
:data:`OTHER_DATE_SHIFT` working days later; ``reject:<code>`` rejects with that code.
:func:`advance_due` is called by the scheduler: it applies every due step, catches up
several steps after downtime, and thanks to the version column applies each step exactly
once even when two schedulers run (the mails are written in the same transaction, with
one idempotency key per order, state and recipient).

Layout: this module holds the limits, the input rules and the customer's commands; the
working-day rules are :mod:`core.workdays`, the read models
:mod:`core.services.porting_views`, the carrier side :mod:`core.services.porting_carrier`
and the transitions (with :func:`advance_due`) :mod:`core.services.porting_transitions`.
Every public name stays importable from here (:data:`__all__`).
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import func, select

from core.authz import Actor, Permission, require
from core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    RuleViolation,
    ValidationError,
)
from core.i18n import format_date
from core.models import (
    Number,
    NumberStatus,
    PortingEvent,
    PortingOrder,
    PortingStatus,
)
from core.reference import area_of
from core.security import normalize_phone
from core.services import areas, emergency
from core.services.porting_carrier import (
    COMPLETION_TIME,
    CONFIRM_AFTER,
    NOTE_COMPLETED,
    NOTE_CONFIRMED,
    NOTE_CONFIRMED_OTHER,
    OTHER_DATE_SHIFT,
    REASON_HOLDER_MISMATCH,
    REJECT_CODES,
    SCENARIOS,
    CarrierAdapter,
    CarrierOrder,
    CarrierStep,
    SimulatedCarrier,
    carrier_order,
    completion_time,
)
from core.services.porting_transitions import (
    BATCH,
    OPEN_STATES,
    advance_due,
    apply_step,
    mail_admins,
)
from core.services.porting_views import (
    ACTION_CANCEL,
    ACTION_COMMENT,
    ACTIONS,
    KIND_COMMENT,
    KIND_STATUS,
    STATUS_LABELS,
    PortingEventView,
    PortingOrderView,
    action_refusal,
    load_events,
    reference_filter,
    reference_of,
    view_of,
)
from core.uow import UnitOfWork
from core.workdays import add_working_days, easter_sunday, is_working_day, national_holidays

__all__ = [
    "ACTIONS", "ACTION_CANCEL", "ACTION_COMMENT", "BATCH", "COMPLETION_TIME", "CONFIRM_AFTER",
    "KIND_COMMENT", "KIND_STATUS", "MAX_COMMENT", "MAX_COMMENTS_PER_ORDER",
    "MAX_NUMBERS_PER_ORDER", "MAX_OPEN_ORDERS", "MAX_TEXT", "MIN_WORKING_DAYS",
    "NOTE_CANCELLED", "NOTE_COMPLETED", "NOTE_CONFIRMED", "NOTE_CONFIRMED_OTHER",
    "NOTE_SUBMITTED", "OPEN_STATES", "OTHER_DATE_SHIFT", "REASON_HOLDER_MISMATCH",
    "REJECT_CODES", "SCENARIOS", "STATUS_LABELS", "CarrierAdapter", "CarrierOrder",
    "CarrierStep", "PortingEventView", "PortingOrderView", "PortingStatus", "SimulatedCarrier",
    "action_refusal", "add_comment", "add_working_days", "advance_due", "cancel_order",
    "completion_time", "create_order", "earliest_wished_date", "easter_sunday", "get_order",
    "is_working_day", "list_orders", "national_holidays", "parse_wished_date",
    "reference_of",
]

MIN_WORKING_DAYS = 15
MAX_NUMBERS_PER_ORDER = 100
MAX_TEXT = 200
MAX_COMMENT = 500
"""R31: characters of one comment (after collapsing white space)."""
MAX_COMMENTS_PER_ORDER = 200
"""Comments one order's timeline holds at most (SECURITY.md "Abuse bounds")."""
MAX_OPEN_ORDERS = 50
"""Submitted or confirmed orders one customer may have at once (each holds up to
:data:`MAX_NUMBERS_PER_ORDER` numbers in state ``porting``)."""
_E164 = re.compile(r"^\+49[1-9]\d{5,13}$")

NOTE_SUBMITTED = "ui.porting.note.submitted"
NOTE_CANCELLED = "ui.porting.note.cancelled"


def earliest_wished_date(today: date) -> date:
    """A porting needs ``MIN_WORKING_DAYS`` (15) German working days of lead time."""
    return add_working_days(today, MIN_WORKING_DAYS)


# --- services ------------------------------------------------------------------------


def _required_text(value: str, key: str, limit: int = MAX_TEXT) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise ValidationError(key)
    if len(text) > limit or areas.has_control_chars(text):
        raise ValidationError("error.porting.text_invalid", max=limit)
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


_RELATIVE = re.compile(r"^\+(\d{1,3})(wd|at)$")


def parse_wished_date(value: str, today: date) -> date:
    """A wished date as typed: ISO ``YYYY-MM-DD``, ``TT.MM.JJJJ`` / ``DD/MM/YYYY``,
    ``earliest`` (``frühestens``: the first day allowed, :func:`earliest_wished_date`) or
    ``+Nwd`` (``+NAT``): N German working days after ``today``. The relative forms let a
    script (and the README's example) say "as early as allowed" on any day."""
    text = (value or "").strip().casefold()
    if text in ("earliest", "frühestens", "fruehestens"):
        return earliest_wished_date(today)
    if m := _RELATIVE.match(text):
        return add_working_days(today, int(m[1]))
    try:
        if m := re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError("error.porting.invalid_date") from exc



def _scenario(value: str | None, enabled: bool) -> str | None:
    """The test switch as given; refused unless the configuration is a demo or test one
    (``Settings.carrier_test_switch``): otherwise a customer could make its own order
    ``confirmed`` past the holder check (or fake a rejection) in production."""
    if value is None or value.strip() in ("", "auto"):
        return None
    text = value.strip()
    if not enabled:
        raise PermissionDenied("error.porting.scenario_off")
    if text not in SCENARIOS:
        raise ValidationError("error.porting.unknown_scenario", value=text[:40],
                              allowed=", ".join(SCENARIOS))
    return text


async def create_order(
    uow: UnitOfWork,
    actor: Actor,
    *,
    area: str,
    numbers: list[str],
    old_provider: str,
    account_holder: str,
    wished_date: date | str,
    scenario: str | None = None,
    carrier: CarrierAdapter | None = None,
) -> PortingOrderView:
    """Submit a porting order for numbers of a verified area (R16). ``wished_date`` may be
    text (:func:`parse_wished_date`, read against this transaction's today); ``scenario``
    is the simulated carrier's test switch (:data:`SCENARIOS`)."""
    require(actor, Permission.PORTING_MANAGE, customer_id=actor.customer_id)
    customer_id = areas.customer_id_of(actor)
    local = await areas.local_area(uow, area)
    customer, _ = await areas.lock_verified(uow, customer_id, local)
    wanted = _numbers(list(numbers), local.prefix)
    provider = _required_text(old_provider, "error.porting.provider_required")
    holder = _required_text(account_holder, "error.porting.holder_required")
    switch = _scenario(scenario, uow.settings.carrier_test_switch)
    open_orders = await uow.session.scalar(
        select(func.count()).select_from(PortingOrder).where(
            PortingOrder.customer_id == customer_id, PortingOrder.status.in_(OPEN_STATES)))
    if (open_orders or 0) >= MAX_OPEN_ORDERS:
        raise RuleViolation("R16", "error.porting.too_many_open", max=MAX_OPEN_ORDERS)
    if isinstance(wished_date, str):
        wished_date = parse_wished_date(wished_date, uow.clock.today())
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
        created_at=now, created_by_id=actor.account_id, scenario=switch,
    )
    uow.session.add(order)
    await uow.session.flush()
    order.carrier_ref, order.next_step_at = (carrier or SimulatedCarrier()).submit(
        carrier_order(order, customer.name, test_switch=uow.settings.carrier_test_switch)
    )
    event = PortingEvent(
        order_id=order.id, status=PortingStatus.SUBMITTED, note=NOTE_SUBMITTED, at=now,
        kind=KIND_STATUS, author=actor.username, author_role=actor.role.value,
    )
    uow.session.add(event)
    for e164 in wanted:
        uow.session.add(
            areas.new_voice_number(customer_id, e164, local.prefix, NumberStatus.PORTING, now)
        )
    await uow.session.flush()
    await emergency.fill_defaults(uow, customer_id=customer_id, numbers=wanted)  # R29
    uow.audit(actor, "porting.submitted", customer_id=customer_id, target=reference_of(order),
              area=local.prefix, numbers=wanted, old_provider=provider,
              wished_date=wished_date.isoformat(), scenario=switch)
    uow.emit("PortingOrderSubmitted", customer_id, order_id=order.id, numbers=wanted)
    await mail_admins(uow, order)
    return view_of(order, [event], actor.locale)


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
    events = await load_events(uow, [o.id for o in orders])
    return [view_of(o, events[o.id], actor.locale) for o in orders]


async def _own_order(uow: UnitOfWork, actor: Actor, order_id: int | str) -> PortingOrder:
    """The actor's customer's order ``order_id``: its id or the reference the user sees
    (:func:`reference_of`: ``SIM-000001``, ``#1``); another tenant's is not found."""
    customer_id = areas.customer_id_of(actor)
    by_id, by_ref = reference_filter(order_id)
    which = (PortingOrder.id == by_id if by_id is not None
             else func.upper(PortingOrder.carrier_ref) == by_ref)
    order = await uow.session.scalar(
        select(PortingOrder).where(which, PortingOrder.customer_id == customer_id)
    )
    if order is None:
        shown = str(order_id).strip()[:64]
        raise NotFound("error.porting.not_found", id=shown)
    return order


async def get_order(uow: UnitOfWork, actor: Actor, *, order_id: int | str) -> PortingOrderView:
    """One order of the actor's customer with its timeline (``porting show``)."""
    require(actor, Permission.CUSTOMER_READ, customer_id=actor.customer_id)
    order = await _own_order(uow, actor, order_id)
    return view_of(order, (await load_events(uow, [order.id]))[order.id], actor.locale)


async def cancel_order(
    uow: UnitOfWork, actor: Actor, *, order_id: int | str, expected_version: int | None = None
) -> PortingOrderView:
    """R31: the customer withdraws a submitted order; its ``porting`` numbers are removed.
    Refused once the carrier confirmed (or the order is closed). The version check makes a
    cancellation racing the scheduler's confirmation lose with :class:`Conflict` (and the
    scheduler's step lose against a committed cancellation), never both apply."""
    require(actor, Permission.PORTING_MANAGE, customer_id=actor.customer_id)
    order = await _own_order(uow, actor, order_id)
    if expected_version is not None and order.version != expected_version:
        raise Conflict()
    error = action_refusal(ACTION_CANCEL, order, actor.locale)
    if error is not None:
        raise error
    now = uow.clock.now()
    await apply_step(uow, order, CarrierStep(PortingStatus.CANCELLED, note=NOTE_CANCELLED), now,
                 actor=actor)
    await uow.session.flush()
    return view_of(order, (await load_events(uow, [order.id]))[order.id], actor.locale)


async def add_comment(
    uow: UnitOfWork, actor: Actor, *, order_id: int | str, text: str
) -> PortingOrderView:
    """R31: a comment by a customer admin or support (acting for the customer, with a
    reason) on the order's timeline, with author and time. At most :data:`MAX_COMMENT`
    characters, no control characters (white space collapsed)."""
    require(actor, Permission.PORTING_MANAGE, customer_id=actor.customer_id)
    order = await _own_order(uow, actor, order_id)
    comment = _required_text(text, "error.porting.comment_required", MAX_COMMENT)
    comments = await uow.session.scalar(
        select(func.count()).select_from(PortingEvent).where(
            PortingEvent.order_id == order.id, PortingEvent.kind == KIND_COMMENT))
    if (comments or 0) >= MAX_COMMENTS_PER_ORDER:
        raise RuleViolation("R31", "error.porting.too_many_comments",
                            max=MAX_COMMENTS_PER_ORDER)
    uow.session.add(PortingEvent(
        order_id=order.id, status=order.status, note=comment, at=uow.clock.now(),
        kind=KIND_COMMENT, author=actor.username, author_role=actor.role.value,
    ))
    await uow.session.flush()
    uow.audit(actor, "porting.commented", customer_id=order.customer_id,
              target=reference_of(order),
              comment=comment)
    uow.emit("PortingOrderCommented", order.customer_id, order_id=order.id)
    return view_of(order, (await load_events(uow, [order.id]))[order.id], actor.locale)
