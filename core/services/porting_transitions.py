"""The transitions of a porting order (R16, R31): applying a carrier step (or the
customer's cancellation) to the order, its numbers, its timeline, audit, bus and the admins'
mails, and :func:`advance_due`, the scheduler's run over every due order.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from core.authz import Actor
from core.i18n import format_date, t
from core.models import (
    Account,
    Customer,
    Number,
    NumberStatus,
    OutboxKind,
    PortingEvent,
    PortingOrder,
    PortingStatus,
    Role,
)
from core.services import areas, emergency
from core.services.porting_carrier import (
    REJECT_CODES,
    CarrierAdapter,
    CarrierStep,
    SimulatedCarrier,
    carrier_order,
)
from core.services.porting_views import KIND_STATUS, STATUS_LABELS, reference_of
from core.uow import UnitOfWork

BATCH = 200
"""Orders looked at per :func:`advance_due` call; the rest follow on the next run."""

OPEN_STATES = (PortingStatus.SUBMITTED, PortingStatus.CONFIRMED)


async def mail_admins(uow: UnitOfWork, order: PortingOrder) -> None:
    """R31: an e-mail to each active admin of the customer with an address, in the admin's
    language, about the order's new state (one idempotency key per order, state, admin)."""
    admins = (await uow.session.scalars(
        select(Account).where(Account.customer_id == order.customer_id,
                              Account.role == Role.ADMIN, Account.active.is_(True),
                              Account.email.is_not(None))
        .order_by(Account.id)
    )).all()
    ref = reference_of(order)
    state = order.status.value
    for admin in admins:
        if not admin.email:
            continue
        loc = admin.locale
        status = t(loc, STATUS_LABELS[state])
        lines = [t(loc, f"porting.mail.body.{state}", ref=ref,
                   numbers=", ".join(order.numbers), provider=order.old_provider,
                   wished=format_date(order.wished_date, loc),
                   date=format_date(order.confirmed_date or order.wished_date, loc))]
        if state == PortingStatus.CONFIRMED.value and order.confirmed_date != order.wished_date:
            lines.append(t(loc, "porting.mail.other_date",
                           wished=format_date(order.wished_date, loc),
                           date=format_date(order.confirmed_date, loc)))
        if state == PortingStatus.REJECTED.value:
            lines.append(t(loc, "porting.mail.reason",
                           code=t(loc, f"ui.porting.reject_code.{order.reject_code or 'other'}"),
                           text=t(loc, order.reject_reason or "")))
        body = t(loc, "porting.mail.frame", name=admin.full_name or admin.username,
                 text="\n\n".join(lines))
        uow.send(OutboxKind.EMAIL, to=admin.email,
                 subject=t(loc, "porting.mail.subject", ref=ref, status=status),
                 body=body, customer_id=order.customer_id,
                 key=f"porting-{order.id}-{state}-{admin.id}")


async def apply_step(
    uow: UnitOfWork, order: PortingOrder, step: CarrierStep, now: datetime,
    *, actor: Actor | None = None,
) -> None:
    """One transition: order state, timeline, numbers, audit, bus event and mails."""
    order.status = step.status
    order.next_step_at = step.next_step_at
    note = step.note
    details: dict[str, object] = {}
    if step.status is PortingStatus.CONFIRMED:
        order.confirmed_date = step.confirmed_date or order.wished_date
        details["confirmed_date"] = order.confirmed_date.isoformat()
    if step.status in (PortingStatus.REJECTED, PortingStatus.CANCELLED):
        if step.status is PortingStatus.REJECTED:
            order.reject_code = step.reject_code if step.reject_code in REJECT_CODES else "other"
            order.reject_reason = step.reject_reason or f"ui.porting.reason.{order.reject_code}"
            note = order.reject_reason
            details["reject_code"] = order.reject_code
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
    uow.session.add(PortingEvent(
        order_id=order.id, status=step.status, note=note, at=now, kind=KIND_STATUS,
        author=actor.username if actor else None,
        author_role=actor.role.value if actor else None,
    ))
    uow.audit(actor, f"porting.{step.status.value}", customer_id=order.customer_id,
              target=reference_of(order), carrier_ref=order.carrier_ref, note=note,
              numbers=list(order.numbers), **details)
    uow.emit(f"PortingOrder{step.status.value.capitalize()}", order.customer_id,
             order_id=order.id, numbers=list(order.numbers))
    await mail_admins(uow, order)


async def advance_due(uow: UnitOfWork, carrier: CarrierAdapter | None = None) -> int:
    """Apply every due carrier step; returns how many transitions were applied.

    Catches up after downtime (a long-overdue order may be confirmed and completed in one
    run). Each order update carries its version, so if another scheduler (or a customer's
    cancellation) already moved it the update fails with :class:`core.errors.Conflict` and
    this run changes nothing (its mails roll back with it).
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
            step = adapter.poll(carrier_order(
                order, names.get(order.customer_id, ""),
                test_switch=uow.settings.carrier_test_switch), now)
            if step is None:
                break
            await apply_step(uow, order, step, now)
            await uow.session.flush()
            applied += 1
    return applied
