"""Number blocks (SPEC R30): SIP-Trunk contracts buy 10 or 100 consecutive numbers at once.

Rules, in one place:

* A block is ordered only by a customer with a SIP-Trunk contract (the block belongs to that
  contract; with several, the contract is named), only in an area verified by PIN letter
  (R16, :func:`core.services.areas.lock_verified`), and only of :data:`BLOCK_SIZES` (10 or
  100). The R16 operator note above 100 numbers in an area applies to blocks too; the 1..10
  limit of a single order does not.
* The numbers are consecutive and aligned: a block of 10 is ``…x0``–``…x9``, one of 100
  ``…x00``–``…x99`` (an extension digit range, as a PBX behind a trunk dials it), taken from
  the same pool as single orders (:data:`core.services.areas.NUMBER_BLOCK_START` upwards),
  the first range whose numbers are all free. They arrive ``inactive`` at the per-number
  prices of :mod:`core.tariffs`; :func:`block_quote` shows the prices before ordering.
* Activate, deactivate and undo of any member act on the whole block
  (:func:`change_block`): one transaction, all or nothing (every member must allow the
  action, else nothing changes and the refusal names the member), one audit entry naming
  the block, the standard event per number (live updates as for single numbers) and the
  result per number.
* A member never takes part in a swap (R13 on either side would leave a hole in the block
  or switch one member on alone): :func:`core.services.number_views.action_refusal` refuses
  it, so the dashboard shows why. Assigning a member to an employee, its forwarding and fax
  are per number (they do not change the block's state); the block row refuses them.
* Bulk actions (R27) treat a given member as its block (:mod:`core.services.bulk`).
* The scheduler's due deactivations (R12) take a block as a whole too
  (:func:`deactivate_due`): one audit entry per block, all members or none.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.authz import Actor, Permission, require
from core.enums import NumberAction, NumberKind, NumberStatus
from core.errors import Conflict, DomainError, NotFound, RuleViolation, ValidationError
from core.locations import stored
from core.models import (
    Charge,
    Contract,
    ContractType,
    CustomerNumber,
    LocalArea,
    Number,
    NumberBlock,
)
from core.services import areas, emergency
from core.services.number_reads import (
    _check_read,
    _emit_changed,
    _load,
    _load_for_manage,
    _refuse,
    _require_preview,
    _to_views,
    _view_query,
    block_members,
)
from core.services.number_views import (
    BLOCK_ACTIONS,
    BLOCK_MEMBER,
    BlockInfo,
    NumberView,
    action_refusal,
    block_range,
    end_of_following_month,
)
from core.tariffs import NUMBER_TARIFFS
from core.uow import UnitOfWork

log = logging.getLogger(__name__)

BLOCK_SIZES: tuple[int, ...] = (10, 100)
"""R30: the sizes a block is ordered in."""

_SUBSCRIBER_END = 10_000_000
"""Subscriber numbers of the pool have 7 digits."""

AUDIT_ACTIONS: dict[NumberAction, str] = {
    NumberAction.ACTIVATE: "number.block_activated",
    NumberAction.DEACTIVATE: "number.block_deactivation_marked",
    NumberAction.UNDO: "number.block_deactivation_undone",
}
"""The one audit entry of a block change, per action."""


@dataclass(frozen=True)
class BlockQuote:
    """What ordering a block would buy and cost (prices per number, R30 / R11)."""

    area: str
    area_name: str
    size: int
    first: str
    last: str
    national: str
    contract_ref: str
    activation_fee_cents: int
    monthly_price_cents: int
    numbers: tuple[str, ...] = ()
    """After ordering: the block's numbers (E.164, in order)."""

    @property
    def total_activation_cents(self) -> int:
        return self.size * self.activation_fee_cents

    @property
    def total_monthly_cents(self) -> int:
        return self.size * self.monthly_price_cents


@dataclass(frozen=True)
class BlockChange:
    """The result of activating, deactivating or undoing a block: every member's view."""

    action: NumberAction
    block: BlockInfo
    views: tuple[NumberView, ...]

    def view_of(self, e164: str) -> NumberView:
        return next(v for v in self.views if v.e164 == e164)


# ---------------------------------------------------------------- ordering


async def _sip_trunks(uow: UnitOfWork, customer_id: int) -> list[Contract]:
    return list(await uow.session.scalars(
        select(Contract)
        .join(CustomerNumber, CustomerNumber.id == Contract.customer_number_id)
        .where(CustomerNumber.customer_id == customer_id,
               Contract.type == ContractType.SIP_TRUNK)
        .order_by(Contract.contract_ref)
    ))


async def block_sizes(uow: UnitOfWork, actor: Actor) -> tuple[int, ...]:
    """The block sizes the customer may order: :data:`BLOCK_SIZES` with a SIP-Trunk
    contract, none without (the order dialog offers blocks only then)."""
    _require_preview(actor, actor.customer_id)
    trunks = await _sip_trunks(uow, areas.customer_id_of(actor))
    return BLOCK_SIZES if trunks else ()


async def _contract(uow: UnitOfWork, customer_id: int, contract: str | None) -> Contract:
    """The SIP-Trunk contract the block is for: the one named, else the only one."""
    trunks = await _sip_trunks(uow, customer_id)
    if contract is not None and contract.strip():
        wanted = contract.strip().upper()
        for c in trunks:
            if c.contract_ref.upper() == wanted:
                return c
        other = await uow.session.scalar(
            select(Contract)
            .join(CustomerNumber, CustomerNumber.id == Contract.customer_number_id)
            .where(CustomerNumber.customer_id == customer_id,
                   func.upper(Contract.contract_ref) == wanted)
        )
        if other is not None:
            raise RuleViolation("R30", "error.blocks.not_sip_trunk", contract=other.contract_ref)
        raise NotFound("error.blocks.unknown_contract", contract=contract.strip()[:32])
    if not trunks:
        raise RuleViolation("R30", "error.blocks.no_sip_trunk")
    if len(trunks) > 1:
        raise ValidationError("error.blocks.contract_required",
                              contracts=", ".join(c.contract_ref for c in trunks))
    return trunks[0]


def _size(size: object) -> int:
    if isinstance(size, bool) or not isinstance(size, int) or size not in BLOCK_SIZES:
        raise RuleViolation("R30", "error.blocks.size", value=str(size)[:12],
                            sizes=" / ".join(str(s) for s in BLOCK_SIZES))
    return size


async def _free_range(uow: UnitOfWork, local: LocalArea, size: int) -> list[str]:
    """The first aligned range of ``size`` numbers of the pool that are all free."""
    base = "+49" + local.prefix[1:]
    taken = set(
        await uow.session.scalars(select(Number.e164).where(Number.e164.like(f"{base}%")))
    )
    start = -(-areas.NUMBER_BLOCK_START // size) * size
    while start + size <= _SUBSCRIBER_END:
        numbers = [f"{base}{start + i}" for i in range(size)]
        if not any(e in taken for e in numbers):
            return numbers
        start += size
    raise RuleViolation("R30", "error.blocks.pool_exhausted", area=local.prefix, size=size)


async def _plan(
    uow: UnitOfWork, actor: Actor, area: str, size: object, contract: str | None, *, lock: bool
) -> tuple[int, LocalArea, Contract, list[str]]:
    customer_id = areas.customer_id_of(actor)
    local = await areas.local_area(uow, area)
    chosen_size = _size(size)
    trunk = await _contract(uow, customer_id, contract)
    if lock:
        _, verification = await areas.lock_verified(uow, customer_id, local)
    else:
        found = await areas._verification(uow, customer_id, local.prefix)
        if found is None:
            raise RuleViolation("R16", "error.areas.not_verified", area=local.prefix,
                                name=local.name)
        verification = found
    held = await uow.session.scalar(
        select(func.count()).select_from(Number).where(
            Number.customer_id == customer_id, Number.area_prefix == local.prefix
        )
    ) or 0
    if (held + chosen_size > areas.OPERATOR_NOTE_LIMIT
            and not (verification.operator_note or "").strip()):
        raise RuleViolation(
            "R16", "error.areas.operator_note_required", area=local.prefix, held=held,
            limit=areas.OPERATOR_NOTE_LIMIT,
        )
    return customer_id, local, trunk, await _free_range(uow, local, chosen_size)


def _quote(local: LocalArea, trunk: Contract, numbers: Sequence[str],
           ordered: bool = False) -> BlockQuote:
    tariff = NUMBER_TARIFFS[NumberKind.VOICE]
    return BlockQuote(
        area=local.prefix, area_name=local.name, size=len(numbers), first=numbers[0],
        last=numbers[-1], national=block_range(numbers[0], numbers[-1], local.prefix),
        contract_ref=trunk.contract_ref, activation_fee_cents=tariff.activation_cents,
        monthly_price_cents=tariff.monthly_cents, numbers=tuple(numbers) if ordered else (),
    )


async def block_quote(
    uow: UnitOfWork, actor: Actor, *, area: str, size: int, contract: str | None = None
) -> BlockQuote:
    """R30: the block :func:`order_block` would buy now and its prices, changing nothing
    (every rule of the order is checked, so a refusal shows before confirming)."""
    _require_preview(actor, actor.customer_id)
    _, local, trunk, numbers = await _plan(uow, actor, area, size, contract, lock=False)
    return _quote(local, trunk, numbers)


async def order_block(
    uow: UnitOfWork, actor: Actor, *, area: str, size: int, contract: str | None = None
) -> BlockQuote:
    """R30: buy a block of ``size`` consecutive numbers in a verified area for the
    customer's SIP-Trunk contract; they arrive ``inactive``."""
    require(actor, Permission.AREA_MANAGE, customer_id=actor.customer_id)
    customer_id, local, trunk, numbers = await _plan(uow, actor, area, size, contract,
                                                     lock=True)
    now = uow.clock.now()
    block = NumberBlock(customer_id=customer_id, contract_id=trunk.id, area_prefix=local.prefix,
                        first_e164=numbers[0], last_e164=numbers[-1], size=len(numbers),
                        created_at=now)
    uow.session.add(block)
    try:
        await uow.session.flush()
        for e164 in numbers:
            n = areas.new_voice_number(customer_id, e164, local.prefix, NumberStatus.INACTIVE,
                                       now)
            n.contract_id = trunk.id
            n.block_id = block.id
            uow.session.add(n)
        await uow.session.flush()
    except IntegrityError as exc:  # another node took one of these numbers first
        raise Conflict() from exc
    await emergency.fill_defaults(uow, customer_id=customer_id, numbers=numbers)  # R29
    quote = _quote(local, trunk, numbers, ordered=True)
    uow.audit(actor, "areas.block_ordered", customer_id=customer_id, target=quote.national,
              block_id=block.id, count=quote.size, first=quote.first, last=quote.last,
              contract=trunk.contract_ref, activation_fee_cents=quote.activation_fee_cents,
              monthly_price_cents=quote.monthly_price_cents)
    uow.emit("NumbersOrdered", customer_id, area=local.prefix, numbers=list(numbers),
             block_id=block.id)
    return quote


# ---------------------------------------------------------------- changing a block


def set_state(uow: UnitOfWork, actor: Actor, action: NumberAction, n: Number,
              last_day: date | None) -> None:
    """The state change of activate (with its charge), deactivate or undo on one number:
    the same for a single number, a block member and a bulk change."""
    if action is NumberAction.ACTIVATE:
        n.status = NumberStatus.ACTIVE
        n.deactivation_date = None
        uow.session.add(Charge(
            customer_id=n.customer_id, number_id=n.id, kind="activation",
            amount_cents=n.activation_fee_cents, description=f"Aktivierung {n.e164}",
            created_at=uow.clock.now(), created_by_id=actor.account_id,
        ))
    elif action is NumberAction.DEACTIVATE:
        n.status = NumberStatus.PENDING_DEACTIVATION
        n.deactivation_date = last_day
    elif action is NumberAction.UNDO:
        n.status = NumberStatus.ACTIVE
        n.deactivation_date = None


def emit_member(uow: UnitOfWork, action: NumberAction, n: Number) -> None:
    """The standard per-number event of the change (after the flush: new version)."""
    if action is NumberAction.ACTIVATE:
        _emit_changed(uow, "NumberActivated", n)
    elif action is NumberAction.DEACTIVATE:
        _emit_changed(uow, "NumberDeactivationMarked", n,
                      deactivation_date=n.deactivation_date.isoformat()
                      if n.deactivation_date else None)
    elif action is NumberAction.UNDO:
        _emit_changed(uow, "NumberDeactivationUndone", n)


def audit_block(uow: UnitOfWork, actor: Actor, action: NumberAction, block: NumberBlock,
                members: Sequence[Number], previous: date | None = None) -> None:
    """The one audit entry of a block change, naming the block and its numbers."""
    first = members[0]
    details: dict[str, object] = {
        "block_id": block.id, "count": len(members), "first": block.first_e164,
        "last": block.last_e164, "numbers": [m.e164 for m in members],
    }
    if action is NumberAction.ACTIVATE:
        details["activation_fee_cents"] = sum(m.activation_fee_cents for m in members)
        details["monthly_price_cents"] = sum(m.monthly_price_cents for m in members)
    elif action is NumberAction.DEACTIVATE:
        details["deactivation_date"] = (first.deactivation_date.isoformat()
                                        if first.deactivation_date else None)
    elif action is NumberAction.UNDO:
        details["deactivation_date"] = previous.isoformat() if previous else None
    uow.audit(actor, AUDIT_ACTIONS[action], customer_id=block.customer_id,
              target=block_range(block.first_e164, block.last_e164, block.area_prefix),
              **details)


def member_refusal(action: NumberAction, members: Iterable[Number]) -> DomainError | None:
    """Why the first member that refuses ``action`` does (all or nothing), or None."""
    for m in members:
        error = action_refusal(action, number=m.e164, status=m.status, kind=m.kind,
                               located=stored(m) is not None, block=BLOCK_MEMBER)
        if error is not None:
            return error
    return None


async def _views(uow: UnitOfWork, actor: Actor, ids: list[int]) -> tuple[NumberView, ...]:
    rows = (await uow.session.execute(
        _view_query().where(Number.id.in_(ids)).order_by(Number.e164)
    )).all()
    return tuple(await _to_views(uow, actor, rows))


async def change_block(
    uow: UnitOfWork, actor: Actor, *, action: NumberAction | str, number: str,
    expected_version: int | None = None,
) -> BlockChange:
    """R30: activate, deactivate or undo the block ``number`` belongs to (any of its
    numbers), with the result per number: what :func:`core.services.numbers.activate` and
    the others do for a block's number."""
    n = await _load_for_manage(uow, actor, number, expected_version)
    try:
        act = NumberAction(action)
    except ValueError:
        act = None
    if act is None or act not in BLOCK_ACTIONS:
        raise ValidationError("error.bulk.invalid_action", value=str(action)[:40])
    _refuse(act, n)
    if n.block_id is None:
        raise RuleViolation("R30", "error.blocks.not_a_block", number=n.e164)
    return await _apply_change(uow, actor, act, n)


async def _apply_change(uow: UnitOfWork, actor: Actor, action: NumberAction,
                       n: Number) -> BlockChange:
    """R30: ``action`` (activate, deactivate, undo) on every number of ``n``'s block. The
    caller has loaded ``n`` for managing (permission, tenant, version) and refused it by
    its own state; here every member is checked before anything is written."""
    if action not in BLOCK_ACTIONS or n.block_id is None:
        raise ValueError(f"not a block action: {action} on {n.e164}")
    block = await uow.session.get(NumberBlock, n.block_id)
    if block is None or block.customer_id != n.customer_id:
        raise NotFound("error.numbers.not_found", number=n.e164)
    members = await block_members(uow, block.id)
    error = member_refusal(action, members)
    if error is not None:
        raise error
    today = uow.clock.today()
    last_day = end_of_following_month(today) if action is NumberAction.DEACTIVATE else None
    previous = n.deactivation_date
    for m in members:
        set_state(uow, actor, action, m, last_day)
    await uow.session.flush()
    audit_block(uow, actor, action, block, members, previous)
    for m in members:
        emit_member(uow, action, m)
    views = await _views(uow, actor, [m.id for m in members])
    info = views[0].block
    assert info is not None
    return BlockChange(action, info, views)


async def deactivate_due(uow: UnitOfWork, block_id: int, due: Sequence[Number]) -> int:
    """R12 / R30, the scheduler's job: the block whose members' last active day has passed
    becomes inactive as a whole, with one audit entry naming the block and its member count
    (as :func:`change_block` writes one), and the standard ``NumberDeactivated`` event per
    number. All or nothing: if a member of the block is not among the ``due`` numbers (not
    marked, or due later), nothing of the block changes (logged; a later run takes it when
    all are due). Returns how many numbers became inactive."""
    block = await uow.session.get(NumberBlock, block_id)
    members = await block_members(uow, block_id)
    due_ids = {n.id for n in due}
    if block is None or not members or any(m.id not in due_ids for m in members):
        log.warning("block %s: not every member is due for deactivation, left as it is",
                    block_id)
        return 0
    last_day = max((m.deactivation_date for m in members if m.deactivation_date), default=None)
    for m in members:
        m.status = NumberStatus.INACTIVE
        m.deactivation_date = None
    await uow.session.flush()
    uow.audit(None, "number.block_deactivated", customer_id=block.customer_id,
              target=block_range(block.first_e164, block.last_e164, block.area_prefix),
              block_id=block.id, count=len(members), first=block.first_e164,
              last=block.last_e164, numbers=[m.e164 for m in members],
              last_active_day=last_day.isoformat() if last_day else None)
    for m in members:
        _emit_changed(uow, "NumberDeactivated", m)
    return len(members)


async def get_block(uow: UnitOfWork, actor: Actor, *, number: str) -> tuple[NumberView, ...]:
    """R30: every number of the block ``number`` belongs to (just it, if it is single)."""
    n = await _load(uow, actor, number)
    _check_read(actor, n)
    if n.block_id is None or not actor.is_admin_view:
        return await _views(uow, actor, [n.id])
    return await _views(uow, actor, [m.id for m in await block_members(uow, n.block_id)])


__all__ = [
    "AUDIT_ACTIONS",
    "BLOCK_SIZES",
    "BlockChange",
    "BlockQuote",
    "audit_block",
    "block_quote",
    "block_sizes",
    "change_block",
    "deactivate_due",
    "emit_member",
    "get_block",
    "member_refusal",
    "order_block",
    "set_state",
]
