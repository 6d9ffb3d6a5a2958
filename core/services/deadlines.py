"""Fristen (SPEC R22): one list, by date, of everything that will happen by itself.

What is listed (each read through the service that owns it, so the same permission and
tenant rules apply as on its own screen):

* pending deactivations (R12): the last active day; undo possible where the dashboard
  allows it (admin view; support is asked for a reason by the write);
* outstanding PIN letters (R16): valid until, attempts left; they cannot be withdrawn;
* open porting orders (R16, R31): the wished date (submitted) or the date the carrier
  confirmed (saying so when it is not the wished one); a submitted order can be cancelled
  (:func:`core.services.porting.cancel_order`), a confirmed one says why not;
* scheduled credential resets (R19): the time they run; cancellable until then;
* open approval requests (R21): until they expire; decided under ``approvals``.

Employees (and admins in the user view) see only the deactivations of their own numbers;
admins the whole customer's; support the opened customer's. Days left count calendar
days in Europe/Berlin from the clock's today.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from core.authz import Actor, Permission, require
from core.clock import BERLIN
from core.enums import NumberAction
from core.errors import NotFound, RuleViolation, ValidationError
from core.i18n import format_date, format_datetime, t
from core.models import NumberStatus, PinLetterStatus, PortingStatus
from core.services import approvals, areas, credentials, numbers, porting
from core.uow import UnitOfWork

KINDS: tuple[str, ...] = ("deactivation", "pin_letter", "porting", "reset", "approval")
"""Entry kinds, in the order entries of the same day are listed."""
UNDO = "undo"
CANCEL = "cancel"
KIND_PORTING = "porting"
OPEN_PORTING = (PortingStatus.SUBMITTED.value, PortingStatus.CONFIRMED.value)


@dataclass(frozen=True)
class Deadline:
    """One thing that will happen by itself, for the actor it was read for."""

    key: str
    """Unique among the entries: ``<kind>:<ref>``."""
    kind: str
    """One of :data:`KINDS`."""
    date: date
    """The calendar day (Europe/Berlin) it happens or runs out."""
    at: datetime | None
    """The exact time, where there is one (reset, PIN validity, confirmed porting)."""
    days_left: int
    """Calendar days from today to :attr:`date` (0: today; negative: overdue)."""
    object: str
    """What it is about, in the actor's language (holds user data: escape before showing)."""
    detail: str
    """The kind's particulars (attempts left, porting state, recipient), in the language."""
    action: str | None
    """:data:`UNDO` or :data:`CANCEL` when the actor may do it now, else None."""
    refusal: str | None
    """Why there is no action (in the actor's language), None when there is one."""
    ref: str
    """The object: a number (E.164), a PIN letter, porting order or reset id."""
    version: int | None = None
    """The object's version when the action needs one (optimistic concurrency)."""

    @property
    def can_undo(self) -> bool:
        return self.action is not None

    def as_json(self) -> dict[str, Any]:
        """The command-mode shape (``deadlines list --json``)."""
        return {
            "kind": self.kind,
            "date": self.date.isoformat(),
            "at": self.at.isoformat() if self.at else None,
            "days_left": self.days_left,
            "object": self.object,
            "detail": self.detail,
            "can_undo": self.can_undo,
            "action": self.action,
            "reason": self.refusal,
            "ref": self.ref,
        }


def days_between(today: date, day: date) -> int:
    return (day - today).days


def days_text(days_left: int, locale: str) -> str:
    """The days left as both front ends show them: *heute* (0), *fällig* (past), else the
    number (the command's list said "0" and "-1" where Fristen says *heute* and *fällig*)."""
    if days_left < 0:
        return t(locale, "ui.deadlines.overdue")
    if days_left == 0:
        return t(locale, "ui.deadlines.today")
    return str(days_left)


def next_change(now: datetime, entries: Iterable[Deadline]) -> datetime:
    """When the list changes without an event: the next midnight in Berlin (days left) or
    the next entry's exact time (a PIN letter's validity ends), whichever comes first."""
    local = now.astimezone(BERLIN)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=BERLIN)
    return min([midnight, *(e.at for e in entries if e.at is not None and e.at > now)])


def _day(at: datetime) -> date:
    return at.astimezone(BERLIN).date()


async def _deactivations(uow: UnitOfWork, actor: Actor, today: date) -> list[Deadline]:
    views = await numbers.list_numbers(
        uow, actor, status=NumberStatus.PENDING_DEACTIVATION.value)
    out = []
    for v in views:
        if v.deactivation_date is None:
            continue
        why = v.refusal(NumberAction.UNDO)
        out.append(Deadline(
            key=f"deactivation:{v.e164}", kind="deactivation", date=v.deactivation_date,
            at=None, days_left=days_between(today, v.deactivation_date),
            object=t(actor.locale, "deadlines.object.deactivation", number=v.national,
                     area=v.area_name),
            detail=t(actor.locale, "deadlines.detail.deactivation",
                     date=format_date(v.deactivation_date, actor.locale)),
            action=UNDO if why is None else None, refusal=why, ref=v.e164, version=v.version,
        ))
    return out


async def _pin_letters(uow: UnitOfWork, actor: Actor, today: date) -> list[Deadline]:
    out = []
    for area in await areas.list_areas(uow, actor):
        letter = area.letter
        if letter is None or letter.status != PinLetterStatus.OUTSTANDING.value:
            continue
        day = _day(letter.expires_at)
        out.append(Deadline(
            key=f"pin_letter:{letter.id}", kind="pin_letter", date=day, at=letter.expires_at,
            days_left=days_between(today, day),
            object=t(actor.locale, "deadlines.object.pin_letter", area=area.prefix,
                     name=area.name, address=letter.address),
            detail=t(actor.locale, "deadlines.detail.pin_letter",
                     until=format_datetime(letter.expires_at, actor.locale),
                     attempts=letter.attempts_left),
            action=None, refusal=t(actor.locale, "deadlines.refusal.pin_letter"),
            ref=str(letter.id),
        ))
    return out


async def _porting(uow: UnitOfWork, actor: Actor, today: date) -> list[Deadline]:
    out = []
    for order in await porting.list_orders(uow, actor):
        if order.status not in OPEN_PORTING:
            continue
        confirmed = order.status == PortingStatus.CONFIRMED.value
        at = order.next_step_at if confirmed else None
        day = order.switch_date
        shown = ", ".join(numbers.national_form(n, order.area) for n in order.numbers[:3])
        if len(order.numbers) > 3:
            shown += " …"
        out.append(Deadline(
            key=f"porting:{order.id}", kind="porting", date=day, at=at,
            days_left=days_between(today, day),
            object=t(actor.locale, "deadlines.object.porting",
                     ref=porting.reference_of(order), count=len(order.numbers),
                     numbers=shown, provider=order.old_provider),
            detail=t(actor.locale, "deadlines.detail.porting_confirmed_other"
                     if order.date_differs else "deadlines.detail.porting_confirmed" if confirmed
                     else "deadlines.detail.porting_submitted",
                     date=format_date(day, actor.locale),
                     wished=format_date(order.wished_date, actor.locale)),
            action=CANCEL if order.allows(porting.ACTION_CANCEL) else None,
            refusal=order.refusal(porting.ACTION_CANCEL), ref=str(order.id),
            version=order.version,
        ))
    return out


async def _resets(uow: UnitOfWork, actor: Actor, today: date) -> list[Deadline]:
    out = []
    for reset in await credentials.list_scheduled(uow, actor):
        day = _day(reset.at)
        out.append(Deadline(
            key=f"reset:{reset.id}", kind="reset", date=day, at=reset.at,
            days_left=days_between(today, day),
            object=t(actor.locale, "deadlines.object.reset", contract=reset.contract_ref),
            detail=t(actor.locale, "deadlines.detail.reset",
                     at=format_datetime(reset.at, actor.locale), recipient=reset.recipient,
                     email=reset.email_masked, mobile=reset.mobile_masked),
            action=CANCEL, refusal=None,  # listed in the admin view only
            ref=str(reset.id),
        ))
    return out


async def _approvals(uow: UnitOfWork, actor: Actor, today: date) -> list[Deadline]:
    out = []
    for request in await approvals.list_requests(uow, actor):
        day = _day(request.expires_at)
        out.append(Deadline(
            key=f"approval:{request.id}", kind="approval", date=day, at=request.expires_at,
            days_left=days_between(today, day),
            object=t(actor.locale, "deadlines.object.approval", id=request.id,
                     what=request.what),
            detail=t(actor.locale, "deadlines.detail.approval", user=request.requested_by,
                     until=format_datetime(request.expires_at, actor.locale)),
            action=None, refusal=t(actor.locale, "deadlines.refusal.approval"),
            ref=str(request.id),
        ))
    return out


Source = Callable[[UnitOfWork, Actor, date], Awaitable[list[Deadline]]]

SOURCES: tuple[tuple[Source, bool], ...] = (
    (_deactivations, False),
    (_pin_letters, True),
    (_porting, True),
    (_resets, True),
    (_approvals, True),
)
"""Each source and whether it is the customer's (admin view only) rather than the actor's."""


async def list_deadlines(
    uow: UnitOfWork, actor: Actor, *, kinds: tuple[str, ...] | None = None
) -> list[Deadline]:
    """Every deadline the actor may see, by date (then time, kind, object); ``kinds``
    restricts the list to those kinds."""
    require(actor, Permission.NUMBER_READ, customer_id=actor.customer_id)
    if actor.customer_id is None:
        raise NotFound()
    if kinds is not None and any(k not in KINDS for k in kinds):
        raise ValidationError("deadlines.error.unknown_kind",
                              value=next(k for k in kinds if k not in KINDS)[:40])
    today = uow.clock.today()
    entries: list[Deadline] = []
    for source, customers_only in SOURCES:
        if customers_only and not actor.is_admin_view:
            continue
        found = await source(uow, actor, today)
        entries.extend(e for e in found if kinds is None or e.kind in kinds)
    order = {kind: index for index, kind in enumerate(KINDS)}
    far = datetime.max.replace(tzinfo=BERLIN)
    entries.sort(key=lambda e: (e.date, e.at or far, order[e.kind], e.object, e.key))
    return entries


RESOLVE_PERMISSIONS: tuple[Permission, ...] = (
    Permission.NUMBER_MANAGE, Permission.CREDENTIALS_GENERATE, Permission.PORTING_MANAGE)
"""What :func:`resolve` needs for its undo or cancel, one of them per kind of entry."""


def may_resolve(actor: Actor) -> bool:
    """Whether the actor's role can ever undo or cancel an entry (employees cannot: the
    screen neither offers ``u`` nor promises it in its hint)."""
    return any(actor.role_may(permission) for permission in RESOLVE_PERMISSIONS)


async def resolve(
    uow: UnitOfWork, actor: Actor, *, key: str, version: int | None = None
) -> str:
    """Undo or cancel the entry ``key`` (as listed): a pending deactivation is undone
    (:func:`numbers.undo_deactivation`), a scheduled reset cancelled
    (:func:`credentials.cancel_scheduled`), a submitted porting order cancelled
    (:func:`porting.cancel_order`, R31; a confirmed one refused with its reason). Everything
    else is refused with the reason the list shows. Returns the action done (:data:`UNDO`
    or :data:`CANCEL`)."""
    kind, _, ref = key.partition(":")
    if kind == "deactivation":
        await numbers.undo_deactivation(uow, actor, number=ref, expected_version=version)
        return UNDO
    if kind == "reset" and ref.isdigit():
        await credentials.cancel_scheduled(uow, actor, reset_id=int(ref))
        return CANCEL
    if kind == KIND_PORTING and ref.isdigit():
        await porting.cancel_order(uow, actor, order_id=int(ref), expected_version=version)
        return CANCEL
    require(actor, Permission.NUMBER_READ, customer_id=actor.customer_id)
    if kind == "pin_letter":
        raise RuleViolation("R22", "deadlines.refusal.pin_letter")
    if kind == "approval":
        raise RuleViolation("R22", "deadlines.refusal.approval")
    raise NotFound("deadlines.error.not_found")
