"""Support staff: find any customer and open its portal.

Opening is the moment a support agent gains sight of a customer's data, so every open
is an audit event in *that customer's* log (its "Archiv"), with the agent's source
address and key fingerprint. The returned actor is read-only until it carries a reason
(ticket id); :func:`core.authz.require` enforces that on every write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.authz import Actor, Permission, require
from core.db import is_unique_violation
from core.errors import NotFound, ValidationError
from core.models import AuditOnce, Customer, CustomerNumber, Number
from core.security import normalize_phone
from core.uow import UnitOfWork

SEARCH_LIMIT = 50
"""More hits than this are useless on one screen; the agent refines the query instead."""

MIN_QUERY_LENGTH = 2
MAX_REASON_LENGTH = 200

_PHONE_RE = re.compile(r"^\+?[\d\s()/.-]{4,}$")
_CUSTOMER_NUMBER_RE = re.compile(r"^\d{1,7}$")


@dataclass(frozen=True)
class CustomerHit:
    """One search result; ``matched`` says why it was found (name, customer number, phone)."""

    id: int
    name: str
    city: str
    customer_numbers: tuple[str, ...]
    matched: str
    matched_value: str


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


async def search_customers(uow: UnitOfWork, actor: Actor, *, query: str) -> list[CustomerHit]:
    """Customers by name (substring), customer number (prefix) or phone number
    (E.164 or national form, prefix of the number)."""
    require(actor, Permission.CUSTOMER_SEARCH)
    text = (query or "").strip()
    if len(text) < MIN_QUERY_LENGTH:
        raise ValidationError("support.error.query_too_short", min=MIN_QUERY_LENGTH)
    text = text[:100]

    found: dict[int, tuple[str, str]] = {}

    by_name = await uow.session.scalars(
        select(Customer.id)
        .where(func.lower(Customer.name).like(_like_pattern(text), escape="\\"))
        .limit(SEARCH_LIMIT)
    )
    for customer_id in by_name:
        found.setdefault(customer_id, ("name", text))

    if _CUSTOMER_NUMBER_RE.match(text):
        rows = await uow.session.execute(
            select(CustomerNumber.customer_id, CustomerNumber.number)
            .where(CustomerNumber.number.startswith(text, autoescape=True))
            .limit(SEARCH_LIMIT)
        )
        for customer_id, number in rows:
            found.setdefault(customer_id, ("customer_number", number))

    if _PHONE_RE.match(text):
        e164 = normalize_phone(text)
        digits = e164.lstrip("+")
        if digits.isdigit() and len(digits) >= 4:
            rows = await uow.session.execute(
                select(Number.customer_id, Number.e164)
                .where(Number.e164.startswith(e164, autoescape=True))
                .order_by(Number.e164)
                .limit(SEARCH_LIMIT)
            )
            for customer_id, number in rows:
                found.setdefault(customer_id, ("phone", number))

    if not found:
        return []
    ids = list(found)[:SEARCH_LIMIT]
    customers = (
        await uow.session.scalars(
            select(Customer).where(Customer.id.in_(ids)).order_by(Customer.name)
        )
    ).all()
    numbers = await _customer_numbers(uow, ids)
    return [
        CustomerHit(
            id=c.id, name=c.name, city=c.city, customer_numbers=numbers.get(c.id, ()),
            matched=found[c.id][0], matched_value=found[c.id][1],
        )
        for c in customers
    ]


async def _customer_numbers(uow: UnitOfWork, ids: list[int]) -> dict[int, tuple[str, ...]]:
    rows = await uow.session.execute(
        select(CustomerNumber.customer_id, CustomerNumber.number)
        .where(CustomerNumber.customer_id.in_(ids))
        .order_by(CustomerNumber.number)
    )
    out: dict[int, list[str]] = {}
    for customer_id, number in rows:
        out.setdefault(customer_id, []).append(number)
    return {k: tuple(v) for k, v in out.items()}


def clean_reason(reason: str | None) -> str | None:
    """A ticket id or short note; one line, bounded, empty means none."""
    text = " ".join((reason or "").split())
    if len(text) > MAX_REASON_LENGTH:
        raise ValidationError("support.error.reason_too_long", max=MAX_REASON_LENGTH)
    return text or None


async def open_customer(
    uow: UnitOfWork,
    actor: Actor,
    *,
    customer_id: int | None = None,
    customer_number: str | None = None,
    reason: str | None = None,
) -> Actor:
    """Act for a customer: returns the support actor bound to it (read-only without reason)
    and records ``support.customer_opened`` in that customer's audit log."""
    require(actor, Permission.CUSTOMER_SEARCH)
    reason_text = clean_reason(reason)
    if customer_id is None and not customer_number:
        raise ValidationError("support.error.customer_required")
    if customer_id is None:
        customer_id = await uow.session.scalar(
            select(CustomerNumber.customer_id).where(CustomerNumber.number == customer_number)
        )
        if customer_id is None:
            raise NotFound("support.error.customer_not_found", value=(customer_number or "")[:20])
    customer = await uow.session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("support.error.customer_not_found", value=str(customer_id))
    opened = actor.for_customer(customer.id, customer_name=customer.name, reason=reason_text)
    uow.audit(
        opened, "support.customer_opened", customer_id=customer.id, target=customer.name,
        customer_number=customer_number or "",
    )
    uow.emit("SupportCustomerOpened", customer.id, agent=actor.username)
    return opened


SHADOW_EVENTS = ("requested", "started", "declined", "timeout", "ended")
"""R23: what a shadowing of a user's session can come to; each is an Archiv entry."""


def check_shadow(actor: Actor, customer_id: int | None) -> None:
    """Support may watch (with the user's consent) sessions of the customer it has open,
    of no other customer; nobody else may."""
    require(actor, Permission.CUSTOMER_SEARCH)
    if not actor.via_support or actor.customer_id is None or actor.customer_id != customer_id:
        raise NotFound("support.shadow.error.no_session")


async def _first_end(uow: UnitOfWork, shadow: str) -> bool:
    """Claim the one end entry of shadow ``shadow``: True for the first writer in any process
    or node; False once it is claimed (a concurrent claim waits for the first transaction and
    then finds the key taken). In a savepoint, so a refused claim leaves the rest intact."""
    try:
        async with uow.session.begin_nested():
            uow.session.add(AuditOnce(key=f"shadow_ended:{shadow}"[:64], at=uow.clock.now()))
            await uow.session.flush()
    except IntegrityError as exc:
        if is_unique_violation(exc):
            return False
        raise
    return True


async def record_shadow(
    uow: UnitOfWork, actor: Actor, *, customer_id: int, event: str, user: str, session: str,
    by: str = "", shadow: str = "",
) -> None:
    """R23: a shadowing's request, start, refusal, timeout or end in the customer's Archiv
    (``actor`` is the support agent; ``user`` the watched account; ``by`` who ended it).

    ``shadow``: the id of a watching across processes, whose two sides may both write its
    end (both time out at the same moment): the end is written once per id (:class:`AuditOnce`
    in the DB), the later writer's is dropped."""
    check_shadow(actor, customer_id)
    if event not in SHADOW_EVENTS:
        raise ValidationError("support.shadow.error.no_session")
    if event == "ended" and shadow and not await _first_end(uow, shadow):
        return
    extra = {"shadow": shadow[:40]} if shadow else {}
    uow.audit(actor, f"support.shadow_{event}", customer_id=customer_id, target=user[:100],
              watched_session=session[:32], ended_by=by[:20], **extra)
