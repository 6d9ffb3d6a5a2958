"""Local network areas (Ortsnetze): PIN-letter verification and ordering numbers (R16).

Rules, in one place:

* A PIN letter is requested for an address in an area. At most one letter per area is
  outstanding; a new one can be requested at the earliest ``RESEND_INTERVAL`` (3 days)
  after the previous one, and then replaces (invalidates) a still outstanding letter.
* The PIN is valid ``PIN_VALIDITY`` (14 days); ``MAX_PIN_ATTEMPTS`` (5) wrong entries
  invalidate it. Only its argon2 hash is stored; the plain PIN exists only in the letter,
  which goes through the (encrypted) outbox into ``letters/``.
* Numbers can be ordered only in verified areas, 1..``MAX_ORDER`` (10) per order. A
  customer holding more than ``OPERATOR_NOTE_LIMIT`` (100) numbers in an area needs an
  operator note on the area's verification first. Bought numbers arrive ``inactive`` with
  the standard voice prices of :mod:`core.tariffs` (activation is charged when activated).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.authz import Actor, Permission, require
from core.errors import Conflict, NotFound, PermissionDenied, RuleViolation, ValidationError
from core.i18n import format_date, t
from core.models import (
    AreaVerification,
    Customer,
    LocalArea,
    Number,
    NumberKind,
    NumberStatus,
    OutboxKind,
    PinLetter,
    PinLetterStatus,
    Role,
)
from core.postcodes import POSTCODE_RANGES, format_ranges, in_area, postcode_of
from core.security import hash_secret, random_digits, verify_secret
from core.services import emergency
from core.tariffs import NUMBER_TARIFFS
from core.uow import UnitOfWork

PIN_LENGTH = 6
PIN_VALIDITY = timedelta(days=14)
RESEND_INTERVAL = timedelta(days=3)
MAX_PIN_ATTEMPTS = 5
MAX_ORDER = 10
OPERATOR_NOTE_LIMIT = 100
MAX_ADDRESS_LENGTH = 300
ACTIVATION_FEE_CENTS = NUMBER_TARIFFS[NumberKind.VOICE].activation_cents
"""One-time price charged when a bought number is activated (the standard voice price)."""
MONTHLY_PRICE_CENTS = NUMBER_TARIFFS[NumberKind.VOICE].monthly_cents
"""Monthly price of an active bought number."""
NUMBER_BLOCK_START = 7_000_000
"""The operator's free pool per area: 7-digit subscriber numbers from 700 0000 upwards."""


@dataclass(frozen=True)
class PinLetterView:
    id: int
    area: str
    area_name: str
    address: str
    status: str
    """``outstanding``, ``verified``, ``invalidated`` or ``expired`` (expiry applied on read)."""
    attempts: int
    attempts_left: int
    created_at: datetime
    expires_at: datetime
    next_request_at: datetime
    """Earliest time a new letter may be requested for this area."""


@dataclass(frozen=True)
class AreaView:
    prefix: str
    name: str
    verified: bool
    verified_at: datetime | None
    address: str | None
    """The verified address, or the address of the latest letter."""
    operator_note: bool
    """True when the operator approved more than 100 numbers in the area."""
    number_count: int
    letter: PinLetterView | None
    """The latest PIN letter of the area (any status), None when none was ever requested."""


def _effective_status(letter: PinLetter, now: datetime) -> PinLetterStatus:
    if letter.status is PinLetterStatus.OUTSTANDING and now >= letter.expires_at:
        return PinLetterStatus.EXPIRED
    return letter.status


def _letter_view(letter: PinLetter, area_name: str, now: datetime) -> PinLetterView:
    return PinLetterView(
        id=letter.id,
        area=letter.area_prefix,
        area_name=area_name,
        address=letter.address,
        status=_effective_status(letter, now).value,
        attempts=letter.attempts,
        attempts_left=max(0, MAX_PIN_ATTEMPTS - letter.attempts),
        created_at=letter.created_at,
        expires_at=letter.expires_at,
        next_request_at=letter.created_at + RESEND_INTERVAL,
    )


async def local_area(uow: UnitOfWork, prefix: str) -> LocalArea:
    """The local area with dialling prefix ``prefix`` (refused if there is none)."""
    area = await uow.session.get(LocalArea, (prefix or "").strip())
    if area is None:
        raise NotFound("error.areas.unknown", area=(prefix or "")[:10])
    return area


async def _verification(uow: UnitOfWork, customer_id: int, prefix: str) -> AreaVerification | None:
    return await uow.session.scalar(
        select(AreaVerification).where(
            AreaVerification.customer_id == customer_id, AreaVerification.area_prefix == prefix
        )
    )


async def _latest_letter(uow: UnitOfWork, customer_id: int, prefix: str) -> PinLetter | None:
    return await uow.session.scalar(
        select(PinLetter)
        .where(PinLetter.customer_id == customer_id, PinLetter.area_prefix == prefix)
        .order_by(PinLetter.created_at.desc(), PinLetter.id.desc())
        .limit(1)
    )


async def _lock_customer(uow: UnitOfWork, customer_id: int) -> Customer:
    """Serialize area changes of one customer (row lock on PostgreSQL; SQLite writes are serial)."""
    customer = await uow.session.scalar(
        select(Customer).where(Customer.id == customer_id).with_for_update()
    )
    if customer is None:
        raise NotFound()
    return customer


def customer_id_of(actor: Actor) -> int:
    """The customer the actor works for (support: the opened one)."""
    if actor.customer_id is None:
        raise NotFound()
    return actor.customer_id


async def lock_verified(
    uow: UnitOfWork, customer_id: int, local: LocalArea
) -> tuple[Customer, AreaVerification]:
    """Serialize the customer's area changes, then insist ``local`` is verified for it (R16):
    buying and porting numbers both need this."""
    customer = await _lock_customer(uow, customer_id)
    verification = await _verification(uow, customer_id, local.prefix)
    if verification is None:
        raise RuleViolation("R16", "error.areas.not_verified", area=local.prefix, name=local.name)
    return customer, verification


def _expire_if_due(uow: UnitOfWork, letter: PinLetter) -> bool:
    """Persist the expiry of an outstanding letter past its validity (a system change)."""
    if letter.status is not PinLetterStatus.OUTSTANDING or uow.clock.now() < letter.expires_at:
        return False
    letter.status = PinLetterStatus.EXPIRED
    uow.audit(None, "areas.pin_expired", customer_id=letter.customer_id, target=letter.area_prefix,
              letter_id=letter.id)
    uow.emit("PinLetterExpired", letter.customer_id, area=letter.area_prefix)
    return True


async def list_areas(uow: UnitOfWork, actor: Actor) -> list[AreaView]:
    """Every local area with the customer's verification state and latest PIN letter."""
    require(actor, Permission.CUSTOMER_READ, customer_id=actor.customer_id)
    customer_id = customer_id_of(actor)
    now = uow.clock.now()
    areas = list(await uow.session.scalars(select(LocalArea).order_by(LocalArea.prefix)))
    verifications = {
        v.area_prefix: v
        for v in await uow.session.scalars(
            select(AreaVerification).where(AreaVerification.customer_id == customer_id)
        )
    }
    latest: dict[str, PinLetter] = {}
    for sent in await uow.session.scalars(
        select(PinLetter)
        .where(PinLetter.customer_id == customer_id)
        .order_by(PinLetter.created_at, PinLetter.id)
    ):
        latest[sent.area_prefix] = sent
    counts: dict[str, int] = {
        prefix: count
        for prefix, count in await uow.session.execute(
            select(Number.area_prefix, func.count())
            .where(Number.customer_id == customer_id)
            .group_by(Number.area_prefix)
        )
    }
    views = []
    for area in areas:
        verification = verifications.get(area.prefix)
        letter = latest.get(area.prefix)
        views.append(
            AreaView(
                prefix=area.prefix,
                name=area.name,
                verified=verification is not None,
                verified_at=verification.verified_at if verification else None,
                address=verification.address
                if verification
                else (letter.address if letter else None),
                operator_note=bool(verification and verification.operator_note),
                number_count=counts.get(area.prefix, 0),
                letter=_letter_view(letter, area.name, now) if letter else None,
            )
        )
    return views


async def get_area(uow: UnitOfWork, actor: Actor, *, area: str) -> AreaView:
    """One area of :func:`list_areas`."""
    require(actor, Permission.CUSTOMER_READ, customer_id=actor.customer_id)
    prefix = (await local_area(uow, area)).prefix
    return next(v for v in await list_areas(uow, actor) if v.prefix == prefix)


def _clean_address(address: str) -> str:
    value = " ".join((address or "").split())
    if not value:
        raise ValidationError("error.areas.address_required")
    if len(value) > MAX_ADDRESS_LENGTH or has_control_chars(value):
        raise ValidationError("error.areas.address_invalid", max=MAX_ADDRESS_LENGTH)
    return value


def _check_postcode(local: LocalArea, address: str) -> None:
    """SPEC §8: the letter goes only to an address whose postcode lies in the area."""
    postcode = postcode_of(address)
    ranges = POSTCODE_RANGES.get(local.prefix, ())
    if postcode is None:
        example = f"{ranges[0][0]:05d}" if ranges else "12345"
        raise ValidationError("error.areas.postcode_required", area=local.prefix, name=local.name,
                              example=example)
    if not in_area(local.prefix, postcode):
        raise RuleViolation("R16", "error.areas.postcode_outside", area=local.prefix,
                            name=local.name, postcode=postcode, ranges=format_ranges(local.prefix))


def has_control_chars(value: str) -> bool:
    """C0/C1 control characters: never stored in texts shown on terminals."""
    return any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in value)


async def request_pin(uow: UnitOfWork, actor: Actor, *, area: str, address: str) -> PinLetterView:
    """Send a PIN letter for ``address`` in ``area`` (R16); the PIN travels only in the letter."""
    require(actor, Permission.AREA_MANAGE, customer_id=actor.customer_id)
    customer_id = customer_id_of(actor)
    local = await local_area(uow, area)
    address = _clean_address(address)
    customer = await _lock_customer(uow, customer_id)
    if await _verification(uow, customer_id, local.prefix) is not None:
        raise RuleViolation("R16", "error.areas.already_verified", area=local.prefix)
    _check_postcode(local, address)

    now = uow.clock.now()
    previous = await _latest_letter(uow, customer_id, local.prefix)
    replaced_id: int | None = None
    if previous is not None:
        _expire_if_due(uow, previous)
        earliest = previous.created_at + RESEND_INTERVAL
        if now < earliest:
            key = (
                "error.areas.letter_outstanding"
                if previous.status is PinLetterStatus.OUTSTANDING
                else "error.areas.resend_too_early"
            )
            raise RuleViolation(
                "R16", key, area=local.prefix, date=format_date(earliest, actor.locale)
            )
        if previous.status is PinLetterStatus.OUTSTANDING:
            previous.status = PinLetterStatus.INVALIDATED  # replaced: never two outstanding
            replaced_id = previous.id

    pin = random_digits(PIN_LENGTH)
    letter = PinLetter(
        customer_id=customer_id,
        area_prefix=local.prefix,
        address=address,
        pin_hash=await hash_secret(pin),
        status=PinLetterStatus.OUTSTANDING,
        attempts=0,
        created_at=now,
        expires_at=now + PIN_VALIDITY,
        requested_by_id=actor.account_id,
    )
    uow.session.add(letter)
    await uow.session.flush()
    loc = actor.locale
    uow.send(
        OutboxKind.LETTER,
        to=f"{customer.name}\n{address}",
        subject=t(loc, "letter.areas.pin_subject", area=local.prefix, name=local.name),
        body=t(
            loc,
            "letter.areas.pin_body",
            area=local.prefix,
            name=local.name,
            address=address,
            pin=pin,
            date=format_date(letter.expires_at, loc),
            attempts=MAX_PIN_ATTEMPTS,
        ),
        customer_id=customer_id,
        key=f"pin-letter-{letter.id}",
    )
    uow.audit(
        actor,
        "areas.pin_requested",
        customer_id=customer_id,
        target=local.prefix,
        address=address,
        letter_id=letter.id,
        expires_at=letter.expires_at.isoformat(),
        replaced_letter_id=replaced_id,
    )
    uow.emit("PinLetterRequested", customer_id, area=local.prefix)
    return _letter_view(letter, local.name, now)


async def verify_pin(uow: UnitOfWork, actor: Actor, *, area: str, pin: str) -> AreaView:
    """Check the PIN of the outstanding letter; the right one verifies the area (R16).

    A wrong PIN is counted (and committed) before the refusal is raised, so that the
    five-attempt limit holds across sessions and command mode.
    """
    require(actor, Permission.AREA_MANAGE, customer_id=actor.customer_id)
    customer_id = customer_id_of(actor)
    local = await local_area(uow, area)
    await _lock_customer(uow, customer_id)
    if await _verification(uow, customer_id, local.prefix) is not None:
        raise RuleViolation("R16", "error.areas.already_verified", area=local.prefix)
    letter = await _latest_letter(uow, customer_id, local.prefix)
    if letter is None:
        raise RuleViolation("R16", "error.areas.no_letter", area=local.prefix)
    if _expire_if_due(uow, letter):
        uow.fail_after_commit(RuleViolation("R16", "error.areas.pin_expired", area=local.prefix))
        return await get_area(uow, actor, area=local.prefix)
    if letter.status is not PinLetterStatus.OUTSTANDING:
        key = {
            PinLetterStatus.EXPIRED: "error.areas.pin_expired",
            PinLetterStatus.INVALIDATED: "error.areas.pin_invalidated",
        }.get(letter.status, "error.areas.no_letter")
        raise RuleViolation("R16", key, area=local.prefix)

    candidate = "".join((pin or "").split())
    if len(candidate) != PIN_LENGTH or not candidate.isdigit():
        # a slip (Enter too early, a letter typed), not a guess: no attempt is used up
        raise ValidationError("error.areas.pin_format", length=PIN_LENGTH)
    if await verify_secret(letter.pin_hash, candidate):
        now = uow.clock.now()
        letter.status = PinLetterStatus.VERIFIED
        uow.session.add(
            AreaVerification(
                customer_id=customer_id,
                area_prefix=local.prefix,
                address=letter.address,
                verified_at=now,
            )
        )
        uow.audit(actor, "areas.verified", customer_id=customer_id, target=local.prefix,
                  address=letter.address, letter_id=letter.id)
        uow.emit("AreaVerified", customer_id, area=local.prefix)
        await uow.session.flush()
        return await get_area(uow, actor, area=local.prefix)

    letter.attempts += 1
    left = MAX_PIN_ATTEMPTS - letter.attempts
    if left <= 0:
        letter.status = PinLetterStatus.INVALIDATED
        uow.audit(actor, "areas.pin_invalidated", customer_id=customer_id, target=local.prefix,
                  letter_id=letter.id, attempts=letter.attempts)
        uow.emit("PinLetterInvalidated", customer_id, area=local.prefix)
        error = RuleViolation("R16", "error.areas.pin_invalidated", area=local.prefix)
    else:
        uow.audit(actor, "areas.pin_wrong", customer_id=customer_id, target=local.prefix,
                  letter_id=letter.id, attempts=letter.attempts)
        uow.emit("PinAttemptFailed", customer_id, area=local.prefix)
        error = RuleViolation("R16", "error.areas.pin_wrong", left=left)
    uow.fail_after_commit(error)
    await uow.session.flush()
    return await get_area(uow, actor, area=local.prefix)


def _national_prefix(prefix: str) -> str:
    return "+49" + prefix[1:]


def new_voice_number(
    customer_id: int, e164: str, prefix: str, status: NumberStatus, now: datetime
) -> Number:
    """A voice number new to the customer (bought or ported in): unassigned, without
    settings, at the standard prices."""
    return Number(
        customer_id=customer_id, contract_id=None, e164=e164, area_prefix=prefix,
        kind=NumberKind.VOICE, fax_owner_id=None, status=status, deactivation_date=None,
        assigned_account_id=None, settings={}, activation_fee_cents=ACTIVATION_FEE_CENTS,
        monthly_price_cents=MONTHLY_PRICE_CENTS, created_at=now,
    )


async def order_numbers(uow: UnitOfWork, actor: Actor, *, area: str, count: int) -> list[str]:
    """Buy ``count`` new numbers in a verified area; they arrive ``inactive`` (R16)."""
    require(actor, Permission.AREA_MANAGE, customer_id=actor.customer_id)
    customer_id = customer_id_of(actor)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_ORDER:
        # malformed input, not a domain refusal: command mode exits 2 (README exit codes)
        raise ValidationError("error.areas.order_count", max=MAX_ORDER)
    local = await local_area(uow, area)
    _, verification = await lock_verified(uow, customer_id, local)
    held = await uow.session.scalar(
        select(func.count()).select_from(Number).where(
            Number.customer_id == customer_id, Number.area_prefix == local.prefix
        )
    ) or 0
    if held + count > OPERATOR_NOTE_LIMIT and not (verification.operator_note or "").strip():
        raise RuleViolation(
            "R16", "error.areas.operator_note_required", area=local.prefix, held=held,
            limit=OPERATOR_NOTE_LIMIT,
        )

    base = _national_prefix(local.prefix)
    taken = set(
        await uow.session.scalars(select(Number.e164).where(Number.e164.like(f"{base}%")))
    )
    now = uow.clock.now()
    chosen: list[str] = []
    candidate = NUMBER_BLOCK_START
    while len(chosen) < count:
        e164 = f"{base}{candidate}"
        if e164 not in taken:
            chosen.append(e164)
        candidate += 1
    for e164 in chosen:
        uow.session.add(
            new_voice_number(customer_id, e164, local.prefix, NumberStatus.INACTIVE, now)
        )
    try:
        await uow.session.flush()
    except IntegrityError as exc:  # another node took one of these numbers first
        raise Conflict() from exc
    await emergency.fill_defaults(uow, customer_id=customer_id, numbers=chosen)  # R29
    uow.audit(actor, "areas.numbers_ordered", customer_id=customer_id, target=local.prefix,
              numbers=chosen, count=count)
    uow.emit("NumbersOrdered", customer_id, area=local.prefix, numbers=chosen)
    return chosen


async def set_operator_note(
    uow: UnitOfWork, actor: Actor, *, area: str, note: str | None
) -> AreaView:
    """Operator approval for more than ``OPERATOR_NOTE_LIMIT`` numbers in a verified area.

    Only operator staff (support acting for the customer, with a reason) may set or clear
    it; customers cannot approve themselves.
    """
    if actor.role is not Role.SUPPORT:
        raise PermissionDenied()
    require(actor, Permission.AREA_MANAGE, customer_id=actor.customer_id)
    prefix, _ = await record_operator_note(uow, actor, customer_id=customer_id_of(actor), area=area,
                                           note=note)
    return await get_area(uow, actor, area=prefix)


async def record_operator_note(
    uow: UnitOfWork, actor: Actor | None, *, customer_id: int, area: str, note: str | None
) -> tuple[str, str | None]:
    """Set (or with an empty ``note`` clear) the approval of a verified area; returns the
    area's prefix and the stored note.

    The caller has checked who may do this: a support session, or ``actor`` None for the
    operator's shell on the server.
    """
    if actor is not None:  # a support session: checked here too, not only by the caller
        if actor.role is not Role.SUPPORT:
            raise PermissionDenied()
        require(actor, Permission.AREA_MANAGE, customer_id=customer_id)
    local = await local_area(uow, area)
    verification = await _verification(uow, customer_id, local.prefix)
    if verification is None:
        raise RuleViolation("R16", "error.areas.not_verified", area=local.prefix, name=local.name)
    text = " ".join((note or "").split()) or None
    if text is not None and (len(text) > MAX_ADDRESS_LENGTH or has_control_chars(text)):
        raise ValidationError("error.areas.note_invalid", max=MAX_ADDRESS_LENGTH)
    verification.operator_note = text
    uow.audit(actor, "areas.operator_note_set", customer_id=customer_id, target=local.prefix,
              note=text)
    uow.emit("AreaOperatorNoteSet", customer_id, area=local.prefix)
    await uow.session.flush()
    return local.prefix, text
