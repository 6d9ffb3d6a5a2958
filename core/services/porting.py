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
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from sqlalchemy import delete, func, select

from core.authz import Actor, Permission, require
from core.clock import BERLIN
from core.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    RuleViolation,
    ValidationError,
)
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
from core.reference import area_of
from core.security import normalize_phone
from core.services import areas, emergency
from core.uow import UnitOfWork

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
CONFIRM_AFTER = timedelta(days=1)
COMPLETION_TIME = time(6, 0)
"""Local (Berlin) time on the confirmed date at which the simulated carrier switches over."""
OTHER_DATE_SHIFT = 3
"""Working days after the wished date that the ``other_date`` scenario confirms."""
BATCH = 200
"""Orders looked at per :func:`advance_due` call; the rest follow on the next run."""

OPEN_STATES = (PortingStatus.SUBMITTED, PortingStatus.CONFIRMED)
_E164 = re.compile(r"^\+49[1-9]\d{5,13}$")

NOTE_CONFIRMED = "ui.porting.note.confirmed"
NOTE_CONFIRMED_OTHER = "ui.porting.note.confirmed_other"
NOTE_COMPLETED = "ui.porting.note.completed"
NOTE_SUBMITTED = "ui.porting.note.submitted"
NOTE_CANCELLED = "ui.porting.note.cancelled"
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

ACTION_CANCEL = "cancel"
ACTION_COMMENT = "comment"
ACTIONS: tuple[str, ...] = (ACTION_CANCEL, ACTION_COMMENT)
"""What can be done with an order (:attr:`PortingOrderView.actions`)."""
STATUS_LABELS: dict[str, str] = {s.value: f"ui.porting.status.{s.value}" for s in PortingStatus}
"""Status as a table cell (screens and command mode name statuses through this)."""
KIND_STATUS = "status"
KIND_COMMENT = "comment"


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
    """An i18n key (simulated carrier), the carrier's free text, or a comment's text; use
    :meth:`note_text`."""
    at: datetime
    kind: str = KIND_STATUS
    """:data:`KIND_STATUS` (a transition) or :data:`KIND_COMMENT` (R31)."""
    author: str | None = None
    """Who wrote the comment or cancelled (username); None for the carrier's steps."""
    author_role: str | None = None
    confirmed_date: date | None = None
    """The order's confirmed date and wished date, filled into confirmation notes."""
    wished_date: date | None = None

    @property
    def is_comment(self) -> bool:
        return self.kind == KIND_COMMENT

    def note_text(self, locale: str) -> str:
        """The note in ``locale`` (a carrier's free text and a comment are returned as is;
        both are user data: escape before showing)."""
        if not self.note or self.is_comment:
            return self.note
        return t(locale, self.note, date=format_date(self.confirmed_date, locale),
                 wished=format_date(self.wished_date, locale))


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
    confirmed_date: date | None = None
    """The carrier's date (R31), once confirmed; it may differ from :attr:`wished_date`."""
    reject_code: str | None = None
    """One of :data:`REJECT_CODES` when rejected."""
    scenario: str = "auto"
    version: int = 1
    refusals: tuple[tuple[str, str | None], ...] = ()
    """Per action of :data:`ACTIONS`: None when the actor the view was read for may do it
    now, else why not (in the actor's language). The predicate the writes raise."""

    @property
    def date_differs(self) -> bool:
        """The carrier confirmed another day than the wished one."""
        return self.confirmed_date is not None and self.confirmed_date != self.wished_date

    @property
    def switch_date(self) -> date:
        """The day the numbers move: the confirmed date, else the wished one."""
        return self.confirmed_date or self.wished_date

    def allows(self, action: str) -> bool:
        return any(a == action and why is None for a, why in self.refusals)

    def refusal(self, action: str) -> str | None:
        for a, why in self.refusals:
            if a == action:
                return why
        return t("de", "error.permission_denied")

    def status_label(self, locale: str) -> str:
        return t(locale, STATUS_LABELS.get(self.status, self.status))

    def reject_code_text(self, locale: str) -> str:
        return t(locale, f"ui.porting.reject_code.{self.reject_code}") if self.reject_code else ""

    def reason_text(self, locale: str) -> str:
        """The rejection reason in ``locale`` (empty unless rejected)."""
        return t(locale, self.reject_reason) if self.reject_reason else ""

    def as_json(self, locale: str) -> dict[str, object]:
        """The command-mode shape (``porting list|show --json``)."""
        return {
            "id": self.id, "carrier_ref": self.carrier_ref, "area": self.area,
            "numbers": list(self.numbers), "old_provider": self.old_provider,
            "account_holder": self.account_holder, "wished_date": self.wished_date.isoformat(),
            "confirmed_date": self.confirmed_date.isoformat() if self.confirmed_date else None,
            "date_differs": self.date_differs, "status": self.status,
            "status_text": self.status_label(locale), "reject_code": self.reject_code,
            "reject_code_text": self.reject_code_text(locale),
            "reject_reason": self.reject_reason, "reason_text": self.reason_text(locale),
            "scenario": self.scenario,
            "next_step_at": self.next_step_at.isoformat() if self.next_step_at else None,
            "created_at": self.created_at.isoformat(), "version": self.version,
            "can_cancel": self.allows(ACTION_CANCEL),
            "cancel_refusal": self.refusal(ACTION_CANCEL),
            "can_comment": self.allows(ACTION_COMMENT),
            "timeline": [
                {"kind": e.kind, "status": e.status, "note": e.note,
                 "note_text": e.note_text(locale), "at": e.at.isoformat(), "author": e.author,
                 "author_role": e.author_role}
                for e in self.timeline
            ],
        }


def action_refusal(
    action: str, order: PortingOrder | PortingOrderView, locale: str
) -> DomainError | None:
    """Why ``order``'s state refuses ``action`` (None: allowed). Shown by the views and
    raised by the writes, so the screens offer exactly what the core does."""
    status = PortingStatus(order.status)
    if action == ACTION_CANCEL and status is not PortingStatus.SUBMITTED:
        if status is PortingStatus.CONFIRMED:
            day = order.confirmed_date or order.wished_date
            return RuleViolation("R31", "error.porting.cancel_confirmed",
                                 date=format_date(day, locale))
        return RuleViolation("R31", "error.porting.cancel_closed",
                             status=t(locale, STATUS_LABELS[status.value]))
    return None


def _view(order: PortingOrder, events: list[PortingEvent], locale: str = "de") -> PortingOrderView:
    refusals = []
    for action in ACTIONS:
        error = action_refusal(action, order, locale)
        refusals.append((action, error.render(locale) if error is not None else None))
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
        timeline=tuple(
            PortingEventView(e.status.value, e.note, e.at, e.kind or KIND_STATUS, e.author,
                             e.author_role, order.confirmed_date, order.wished_date)
            for e in events
        ),
        confirmed_date=order.confirmed_date,
        reject_code=order.reject_code,
        scenario=order.scenario or "auto",
        version=order.version,
        refusals=tuple(refusals),
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


def _carrier_order(
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
        _carrier_order(order, customer.name, test_switch=uow.settings.carrier_test_switch)
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
    uow.audit(actor, "porting.submitted", customer_id=customer_id, target=f"#{order.id}",
              area=local.prefix, numbers=wanted, old_provider=provider,
              wished_date=wished_date.isoformat(), scenario=switch)
    uow.emit("PortingOrderSubmitted", customer_id, order_id=order.id, numbers=wanted)
    await _mail_admins(uow, order)
    return _view(order, [event], actor.locale)


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
    return [_view(o, events[o.id], actor.locale) for o in orders]


async def _own_order(uow: UnitOfWork, actor: Actor, order_id: int) -> PortingOrder:
    """The actor's customer's order ``order_id``; another tenant's is not found."""
    customer_id = areas.customer_id_of(actor)
    order = await uow.session.scalar(
        select(PortingOrder).where(PortingOrder.id == order_id,
                                   PortingOrder.customer_id == customer_id)
    )
    if order is None:
        raise NotFound("error.porting.not_found", id=order_id)
    return order


async def get_order(uow: UnitOfWork, actor: Actor, *, order_id: int) -> PortingOrderView:
    """One order of the actor's customer with its timeline (``porting show``)."""
    require(actor, Permission.CUSTOMER_READ, customer_id=actor.customer_id)
    order = await _own_order(uow, actor, order_id)
    return _view(order, (await _events(uow, [order.id]))[order.id], actor.locale)


async def cancel_order(
    uow: UnitOfWork, actor: Actor, *, order_id: int, expected_version: int | None = None
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
    await _apply(uow, order, CarrierStep(PortingStatus.CANCELLED, note=NOTE_CANCELLED), now,
                 actor=actor)
    await uow.session.flush()
    return _view(order, (await _events(uow, [order.id]))[order.id], actor.locale)


async def add_comment(
    uow: UnitOfWork, actor: Actor, *, order_id: int, text: str
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
    uow.audit(actor, "porting.commented", customer_id=order.customer_id, target=f"#{order.id}",
              comment=comment)
    uow.emit("PortingOrderCommented", order.customer_id, order_id=order.id)
    return _view(order, (await _events(uow, [order.id]))[order.id], actor.locale)


async def _mail_admins(uow: UnitOfWork, order: PortingOrder) -> None:
    """R31: an e-mail to each active admin of the customer with an address, in the admin's
    language, about the order's new state (one idempotency key per order, state, admin)."""
    admins = (await uow.session.scalars(
        select(Account).where(Account.customer_id == order.customer_id,
                              Account.role == Role.ADMIN, Account.active.is_(True),
                              Account.email.is_not(None))
        .order_by(Account.id)
    )).all()
    ref = order.carrier_ref or f"#{order.id}"
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


async def _apply(
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
              target=f"#{order.id}", carrier_ref=order.carrier_ref, note=note,
              numbers=list(order.numbers), **details)
    uow.emit(f"PortingOrder{step.status.value.capitalize()}", order.customer_id,
             order_id=order.id, numbers=list(order.numbers))
    await _mail_admins(uow, order)


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
            step = adapter.poll(_carrier_order(
                order, names.get(order.customer_id, ""),
                test_switch=uow.settings.carrier_test_switch), now)
            if step is None:
                break
            await _apply(uow, order, step, now)
            await uow.session.flush()
            applied += 1
    return applied
