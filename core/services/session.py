"""Who am I: the signed-in account as the core sees it (command ``whoami``, header)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from core.authz import Actor
from core.errors import NotFound
from core.models import Account, CustomerNumber
from core.uow import UnitOfWork


@dataclass(frozen=True)
class WhoAmI:
    username: str
    full_name: str
    role: str
    customer_id: int | None
    customer_name: str | None
    customer_numbers: tuple[str, ...]
    view_mode: str
    locale: str
    via_support: bool
    reason: str | None
    source_address: str | None
    key_fingerprint: str | None


async def whoami(uow: UnitOfWork, actor: Actor) -> WhoAmI:
    """Only the actor's own identity is read, so every signed-in account may ask; for
    support it also names the customer currently opened (if any)."""
    account = await uow.session.get(Account, actor.account_id)
    if account is None or not account.active:
        raise NotFound()
    numbers: tuple[str, ...] = ()
    if actor.customer_id is not None:
        rows = await uow.session.scalars(
            select(CustomerNumber.number)
            .where(CustomerNumber.customer_id == actor.customer_id)
            .order_by(CustomerNumber.number)
        )
        numbers = tuple(rows)
    return WhoAmI(
        username=account.username,
        full_name=account.full_name,
        role=account.role.value,
        customer_id=actor.customer_id,
        customer_name=actor.customer_name,
        customer_numbers=numbers,
        view_mode=actor.effective_view_mode.value,
        locale=actor.locale,
        via_support=actor.via_support,
        reason=actor.reason,
        source_address=actor.source_address,
        key_fingerprint=actor.key_fingerprint,
    )
