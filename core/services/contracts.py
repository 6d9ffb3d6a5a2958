"""Contract overview (R1): customer numbers, contracts per product, sites and branches.

Reads only; generating credentials for a contract lives in :mod:`core.services.credentials`.
Every query is restricted to the actor's customer, so tenant isolation does not depend on
what the screen shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import func, or_, select

from core.authz import Actor, Permission, require
from core.errors import NotFound, ValidationError
from core.models import CREDENTIAL_ELIGIBLE_TYPES, Contract, CustomerNumber, Product
from core.uow import UnitOfWork

PRODUCTS: tuple[str, ...] = tuple(p.value for p in Product)
"""Products in the order the portal offers them (R1)."""

ELIGIBLE_TYPES: tuple[str, ...] = (
    "companyflex_complete",
    "companyflex_msn_complete",
    "companyflex_access_plus",
    "cloud_pbx_main",
    "cloud_pbx_branch",
)
"""R2 types in the order of the help page; i18n labels are ``contracts.type.<value>``."""

assert set(ELIGIBLE_TYPES) == {t.value for t in CREDENTIAL_ELIGIBLE_TYPES}


@dataclass(frozen=True)
class CustomerNumberView:
    number: str
    contract_count: int


@dataclass(frozen=True)
class ContractView:
    """A contract as every front end shows it; enum values are plain strings."""

    id: int
    contract_ref: str
    customer_number: str
    product: str
    type: str
    has_line: bool
    """R2: new internet access credentials may be generated for this contract."""
    easy_login: bool
    line_online: bool
    site_name: str
    street: str
    postal_code: str
    city: str
    parent_id: int | None
    parent_ref: str | None
    sites: tuple[str, ...]
    """Contract refs of the sites/branches below this contract."""
    site_ids: tuple[int, ...]
    credentials_generated_at: datetime | None
    version: int

    @property
    def address(self) -> str:
        place = f"{self.postal_code} {self.city}".strip()
        return ", ".join(part for part in (self.street, place) if part)


def is_eligible(contract: Contract) -> bool:
    return contract.type in CREDENTIAL_ELIGIBLE_TYPES


def _view(
    contract: Contract,
    customer_number: str,
    children: list[tuple[int, str]],
    parent_ref: str | None,
) -> ContractView:
    return ContractView(
        id=contract.id,
        contract_ref=contract.contract_ref,
        customer_number=customer_number,
        product=contract.product.value,
        type=contract.type.value,
        has_line=is_eligible(contract),
        easy_login=contract.easy_login,
        line_online=contract.line_online,
        site_name=contract.site_name,
        street=contract.street,
        postal_code=contract.postal_code,
        city=contract.city,
        parent_id=contract.parent_id,
        parent_ref=parent_ref,
        sites=tuple(ref for _, ref in children),
        site_ids=tuple(cid for cid, _ in children),
        credentials_generated_at=contract.credentials_generated_at,
        version=contract.version,
    )


async def _views(uow: UnitOfWork, rows: list[tuple[Contract, str]]) -> list[ContractView]:
    """Attach sites and parent refs with two extra queries, however many contracts there are."""
    ids = [c.id for c, _ in rows]
    children: dict[int, list[tuple[int, str]]] = {}
    if ids:
        for cid, parent_id, ref in await uow.session.execute(
            select(Contract.id, Contract.parent_id, Contract.contract_ref)
            .where(Contract.parent_id.in_(ids))
            .order_by(Contract.contract_ref)
        ):
            children.setdefault(cast(int, parent_id), []).append((cid, ref))
    parent_ids = {c.parent_id for c, _ in rows if c.parent_id is not None}
    parents: dict[int, str] = {}
    if parent_ids:
        parents = dict(
            (pid, ref)
            for pid, ref in await uow.session.execute(
                select(Contract.id, Contract.contract_ref).where(Contract.id.in_(parent_ids))
            )
        )
    return [
        _view(c, number, children.get(c.id, []), parents.get(c.parent_id) if c.parent_id else None)
        for c, number in rows
    ]


async def list_customer_numbers(uow: UnitOfWork, actor: Actor) -> list[CustomerNumberView]:
    """The customer numbers (Kundennummern) of the actor's customer with their contract counts."""
    require(actor, Permission.CONTRACT_READ)
    rows = await uow.session.execute(
        select(CustomerNumber.number, func.count(Contract.id))
        .outerjoin(Contract, Contract.customer_number_id == CustomerNumber.id)
        .where(CustomerNumber.customer_id == actor.customer_id)
        .group_by(CustomerNumber.id, CustomerNumber.number)
        .order_by(CustomerNumber.number)
    )
    return [CustomerNumberView(number, int(count)) for number, count in rows]


async def list_contracts(
    uow: UnitOfWork,
    actor: Actor,
    *,
    customer_number: str | None = None,
    product: str | None = None,
    query: str | None = None,
) -> list[ContractView]:
    """Contracts of the actor's customer, optionally narrowed by customer number, product and
    a free-text query (contract ref, site, street, postal code, city)."""
    require(actor, Permission.CONTRACT_READ)
    stmt = (
        select(Contract, CustomerNumber.number)
        .join(CustomerNumber, Contract.customer_number_id == CustomerNumber.id)
        .where(CustomerNumber.customer_id == actor.customer_id)
        .order_by(Contract.contract_ref)
    )
    if customer_number:
        owned = await uow.session.scalar(
            select(CustomerNumber.id).where(
                CustomerNumber.number == customer_number,
                CustomerNumber.customer_id == actor.customer_id,
            )
        )
        if owned is None:
            raise NotFound("contracts.error.unknown_customer_number", number=customer_number)
        stmt = stmt.where(CustomerNumber.number == customer_number)
    if product:
        if product not in PRODUCTS:
            raise ValidationError("contracts.error.unknown_product", product=product[:40])
        stmt = stmt.where(Contract.product == Product(product))
    if query and query.strip():
        pattern = f"%{query.strip().lower()}%"
        stmt = stmt.where(
            or_(
                *(
                    func.lower(column).like(pattern)
                    for column in (
                        Contract.contract_ref, Contract.site_name, Contract.street,
                        Contract.postal_code, Contract.city,
                    )
                )
            )
        )
    rows = [(c, number) for c, number in (await uow.session.execute(stmt)).all()]
    return await _views(uow, rows)


async def load_contract(
    uow: UnitOfWork, actor: Actor, contract_id: int
) -> tuple[Contract, str, int]:
    """The contract, its customer number and customer id, after the tenant check."""
    row = (
        await uow.session.execute(
            select(Contract, CustomerNumber.number, CustomerNumber.customer_id)
            .join(CustomerNumber, Contract.customer_number_id == CustomerNumber.id)
            .where(Contract.id == contract_id)
        )
    ).one_or_none()
    if row is None or row[2] != actor.customer_id:
        # another tenant's contract is "not found" too: no existence oracle
        require(actor, Permission.CONTRACT_READ)
        raise NotFound("contracts.error.not_found", contract=str(contract_id))
    contract, number, customer_id = row
    require(actor, Permission.CONTRACT_READ, customer_id=customer_id)
    return contract, number, customer_id


async def get_contract(uow: UnitOfWork, actor: Actor, *, contract_id: int) -> ContractView:
    contract, number, _ = await load_contract(uow, actor, contract_id)
    return (await _views(uow, [(contract, number)]))[0]


async def find_contract_id(uow: UnitOfWork, actor: Actor, *, ref: str) -> int:
    """Resolve a contract ref (``V-1000001-0002``) or numeric id typed in command mode."""
    require(actor, Permission.CONTRACT_READ)
    stmt = (
        select(Contract.id)
        .join(CustomerNumber, Contract.customer_number_id == CustomerNumber.id)
        .where(CustomerNumber.customer_id == actor.customer_id)
    )
    if ref.isdigit():
        stmt = stmt.where(or_(Contract.id == int(ref), Contract.contract_ref == ref))
    else:
        stmt = stmt.where(Contract.contract_ref == ref)
    found = await uow.session.scalar(stmt)
    if found is None:
        raise NotFound("contracts.error.not_found", contract=ref[:40])
    return int(found)
