"""Reading numbers (SPEC R10–R15): the tenant- and role-filtered views, pages, quotes and
choices the screens and commands show, and the loading and permission helpers the
lifecycle writes in :mod:`core.services.numbers` share. Callers use ``numbers.X``."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any, Literal, cast

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from core.authz import Actor, Permission, require
from core.enums import IN_USE, STATUS_LABELS, STATUS_SHORT_LABELS, NumberAction
from core.errors import Conflict, NotFound, PermissionDenied, RuleViolation, ValidationError
from core.i18n import t
from core.locations import stored
from core.models import (
    Account,
    CallRecord,
    LocalArea,
    Number,
    NumberBlock,
    NumberKind,
    NumberStatus,
    PortingOrder,
    PortingStatus,
    Role,
)
from core.services.number_views import (
    BLOCK_MEMBER,
    BLOCK_ROW,
    FAX_CREDENTIALS_KEY,
    FORWARDING_KEY,
    AccountChoice,
    ActionCheck,
    BlockInfo,
    CallRecordView,
    DeactivationQuote,
    FaxRecipientChoice,
    NumberPage,
    NumberView,
    PortingDate,
    Quote,
    action_checks,
    action_refusal,
    block_range,
    end_of_following_month,
    national_form,
    normalize_number,
)
from core.uow import UnitOfWork

_Assigned = aliased(Account, name="assigned")
_FaxOwner = aliased(Account, name="fax_owner")


def _view_query() -> Select[*tuple[Any, ...]]:
    return (
        select(Number, LocalArea.name, _Assigned.username, _Assigned.full_name, _FaxOwner.username,
               NumberBlock)
        .join(LocalArea, LocalArea.prefix == Number.area_prefix)
        .outerjoin(_Assigned, _Assigned.id == Number.assigned_account_id)
        .outerjoin(_FaxOwner, _FaxOwner.id == Number.fax_owner_id)
        .outerjoin(NumberBlock, NumberBlock.id == Number.block_id)
    )


MemberState = tuple[str, NumberStatus, NumberKind, bool]
"""R30: what a block row's actions depend on, per member: E.164, status, kind, located."""


def block_info(actor: Actor, n: Number, block: NumberBlock,
               members: Sequence[MemberState] = ()) -> BlockInfo:
    """R30: the block of ``n`` in ``n``'s state (every member is in it). Its actions are
    the whole block's (``members``, in order; :func:`block_states`): an action is refused
    if any member refuses it, with the first refusing member's reason, as the write
    (:func:`core.services.number_blocks.member_refusal`) checks every member. Without
    ``members``, ``n``'s state stands for the block."""
    states = list(members) or [(block.first_e164, n.status, n.kind, stored(n) is not None)]
    per_member = [(e164, action_checks(actor, number=e164, status=status, kind=kind,
                                       located=located, block=BLOCK_ROW))
                  for e164, status, kind, located in states]
    checks: list[ActionCheck] = []
    refused_by: list[str] = []
    for i, check in enumerate(per_member[0][1]):
        first = next(((e164, c[i]) for e164, c in per_member if not c[i].allowed), None)
        checks.append(first[1] if first else check)
        refused_by.append(first[0] if first else block.first_e164)
    return BlockInfo(
        id=block.id, size=block.size, first=block.first_e164, last=block.last_e164,
        national=block_range(block.first_e164, block.last_e164, block.area_prefix),
        status=n.status.value, deactivation_date=n.deactivation_date,
        monthly_price_cents=block.size * n.monthly_price_cents,
        activation_fee_cents=block.size * n.activation_fee_cents,
        actions=tuple(checks), refused_by=tuple(refused_by),
    )


async def block_states(uow: UnitOfWork, block_ids: Iterable[int]
                       ) -> dict[int, list[MemberState]]:
    """R30: every member's :data:`MemberState` of these blocks, in order (one query)."""
    ids = sorted(set(block_ids))
    if not ids:
        return {}
    rows = await uow.session.execute(
        select(Number.block_id, Number.e164, Number.status, Number.kind,
               Number.emergency_street, Number.emergency_house_number,
               Number.emergency_postcode, Number.emergency_city)
        .where(Number.block_id.in_(ids)).order_by(Number.block_id, Number.e164)
    )
    found: dict[int, list[MemberState]] = {}
    for row in rows:
        found.setdefault(row.block_id, []).append(
            (row.e164, row.status, row.kind, stored(row) is not None))
    return found


OPEN_PORTING = (PortingStatus.SUBMITTED, PortingStatus.CONFIRMED)
"""Porting orders whose numbers are still on their way in (status ``porting``)."""


async def porting_dates(uow: UnitOfWork, numbers: Iterable[tuple[int, str]]
                        ) -> dict[str, PortingDate]:
    """R22/R31: the switch-over day of each of these (customer id, E.164) numbers that is
    in an open porting order of its customer: the confirmed date, else the wished one
    (one query, and none when no number is asked for)."""
    pairs = set(numbers)
    if not pairs:
        return {}
    orders = await uow.session.scalars(
        select(PortingOrder).where(PortingOrder.customer_id.in_({c for c, _ in pairs}),
                                   PortingOrder.status.in_(OPEN_PORTING))
        .order_by(PortingOrder.id)
    )
    found: dict[str, PortingDate] = {}
    for order in orders:
        confirmed = order.confirmed_date if order.status is PortingStatus.CONFIRMED else None
        when = PortingDate(order.id, confirmed or order.wished_date, confirmed is not None)
        for e164 in order.numbers:
            if (order.customer_id, e164) in pairs:
                found.setdefault(e164, when)
    return found


async def _to_views(uow: UnitOfWork, actor: Actor, rows: Sequence[Any]) -> list[NumberView]:
    """The views of :func:`_view_query` rows, a block's with the whole block's actions and
    a number being ported in with its porting date."""
    states = await block_states(uow, (row[5].id for row in rows if row[5] is not None))
    porting = await porting_dates(uow, (
        (row[0].customer_id, row[0].e164) for row in rows
        if row[0].status is NumberStatus.PORTING))
    views = []
    for n, area_name, assigned, assigned_name, fax_owner, block in rows:
        members = states.get(block.id, ()) if block is not None else ()
        views.append(_to_view(actor, n, area_name, assigned, assigned_name, fax_owner, block,
                              members, porting.get(n.e164)))
    return views


def _to_view(actor: Actor, n: Number, area_name: str, assigned: str | None,
             assigned_name: str | None, fax_owner: str | None,
             block: NumberBlock | None = None,
             members: Sequence[MemberState] = (),
             porting: PortingDate | None = None) -> NumberView:
    settings = n.settings or {}
    creds = settings.get(FAX_CREDENTIALS_KEY) or {}
    location = stored(n)
    return NumberView(
        id=n.id, e164=n.e164, national=national_form(n.e164, n.area_prefix),
        area_prefix=n.area_prefix, area_name=area_name, kind=n.kind.value, status=n.status.value,
        deactivation_date=n.deactivation_date, assigned_to=assigned, assigned_name=assigned_name,
        fax_owner=fax_owner, monthly_price_cents=n.monthly_price_cents,
        activation_fee_cents=n.activation_fee_cents,
        forwarding_target=settings.get(FORWARDING_KEY), version=n.version,
        fax_recipients=tuple(sorted(creds)),
        actions=action_checks(actor, number=n.e164, status=n.status, kind=n.kind,
                              located=location is not None,
                              block=BLOCK_MEMBER if block is not None else ""),
        emergency_location=location,
        block=block_info(actor, n, block, members) if block is not None else None,
        porting=porting,
    )


async def _view(uow: UnitOfWork, actor: Actor, number_id: int) -> NumberView:
    row = (await uow.session.execute(_view_query().where(Number.id == number_id))).one()
    return (await _to_views(uow, actor, [row]))[0]


def _check_read(actor: Actor, n: Number) -> None:
    require(
        actor, Permission.NUMBER_READ, customer_id=n.customer_id, owner_id=n.assigned_account_id
    )
    if not actor.is_admin_view and n.assigned_account_id != actor.account_id:
        # an unassigned number has no owner; require() alone would let it through
        raise PermissionDenied("error.employee_own_only")


async def _load(uow: UnitOfWork, actor: Actor, number: str) -> Number:
    """The number as the actor may see it; another tenant's number is 'not found'."""
    e164 = normalize_number(number)
    n = await uow.session.scalar(select(Number).where(Number.e164 == e164))
    if n is None or n.customer_id != actor.customer_id:
        # Tenant isolation: do not reveal that another customer owns the number.
        require(actor, Permission.NUMBER_READ)
        raise NotFound("error.numbers.not_found", number=e164)
    return n


async def _load_for_manage(
    uow: UnitOfWork, actor: Actor, number: str, expected_version: int | None
) -> Number:
    n = await _load(uow, actor, number)
    require(actor, Permission.NUMBER_MANAGE, customer_id=n.customer_id)
    if expected_version is not None and n.version != expected_version:
        raise Conflict()
    return n


def _refuse(action: NumberAction, n: Number) -> None:
    """Raise the rule that refuses ``action`` in the number's state (the same predicate
    the dashboard's actions show)."""
    error = action_refusal(action, number=n.e164, status=n.status, kind=n.kind,
                           located=stored(n) is not None,
                           block=BLOCK_MEMBER if n.block_id is not None else "")
    if error is not None:
        raise error


def _emit_changed(uow: UnitOfWork, event: str, n: Number, **extra: Any) -> None:
    """Queue the bus event of a change to one number, after the flush (so ``versions``
    carries the new version): the same payload for a single write and a bulk one."""
    uow.emit(event, n.customer_id, number=n.e164, number_id=n.id,
             versions={n.e164: n.version}, **extra)


def _require_preview(actor: Actor, customer_id: int | None) -> None:
    """What a change would do (price, date, choices) is shown to whoever may make it,
    before it is made: support sees it before giving the reason the change itself needs."""
    require(actor, Permission.NUMBER_READ, customer_id=customer_id)
    if not actor.is_admin_view:
        raise PermissionDenied("error.admin_only")


@functools.cache  # the catalogs do not change while the process runs
def status_words() -> dict[str, NumberStatus]:
    """The one mapping of the words that name a number status, lower case, in both
    languages: the stored value (``pending_deactivation``), the short label (vorgemerkt,
    pending) and the label (Deaktivierung vorgemerkt, in Portierung). Command mode's
    ``numbers list --status`` takes exactly these (:func:`status_named`); the dashboard
    filter takes a word of them by its start (:func:`_status_words`)."""
    words: dict[str, NumberStatus] = {}
    for status in NumberStatus:
        words[status.value] = status
        for loc in ("de", "en"):
            for key in (STATUS_SHORT_LABELS[status], STATUS_LABELS[status]):
                words[" ".join(t(loc, key).lower().split())] = status
    return words


def status_named(word: str) -> NumberStatus:
    """The status ``word`` names (:func:`status_words`; letter case and spacing ignored);
    else a ValidationError listing every accepted word."""
    found = status_words().get(" ".join(word.lower().split()))
    if found is None:
        raise ValidationError("error.numbers.invalid_status", value=word[:40],
                              allowed=", ".join(status_words()))
    return found


def _status_words(needle: str) -> list[NumberStatus]:
    """Statuses a filter word names, in German or English ("vorgemerkt", "inaktiv",
    "pending"): a word of :func:`status_words` that starts with the needle (3+ letters),
    or the stored value itself."""
    found = [s for s in NumberStatus if s.value == needle]
    if len(needle) >= 3:
        for words, status in status_words().items():
            if any(w.startswith(needle) for w in re.split(r"\W+", words)):
                found.append(status)
    return list(dict.fromkeys(found))


def _number_condition(needle: str) -> Any:
    """A number typed in the filter: ``+4930…``/``0049…`` (E.164) and ``030 1…``
    (national) match from the start of the number, bare digits anywhere in it."""
    digits = re.sub(r"\D", "", needle)
    compact = re.sub(r"[\s/()-]", "", needle)
    if compact.startswith("+"):
        return Number.e164.startswith("+" + digits, autoescape=True)
    if compact.startswith("00"):
        return Number.e164.startswith("+" + digits[2:], autoescape=True)
    if compact.startswith("0"):
        return Number.e164.startswith("+49" + digits[1:], autoescape=True)
    return Number.e164.contains(digits, autoescape=True)


# ---------------------------------------------------------------- reads


SORT_ORDERS: dict[str, tuple[Any, ...]] = {
    "number": (Number.e164,),
    "status": (Number.status, Number.e164),
    "assigned": (_Assigned.username.is_(None), _Assigned.full_name, Number.e164),
    "date": (Number.deactivation_date.is_(None), Number.deactivation_date, Number.e164),
    "area": (Number.area_prefix, Number.e164),
    "price": (Number.monthly_price_cents.desc(), Number.e164),
}
"""Orders for :func:`list_numbers` (the dashboard cycles through them with ``s``)."""

_Head = aliased(Number, name="block_head")
_group = func.coalesce(NumberBlock.first_e164, Number.e164)
_in_block = NumberBlock.id.is_not(None)
_head_date = case((_in_block, _Head.deactivation_date), else_=Number.deactivation_date)

BLOCK_SORT_ORDERS: dict[str, tuple[Any, ...]] = {
    "number": (_group, Number.e164),
    "status": (func.coalesce(_Head.status, Number.status), _group, Number.e164),
    "assigned": (or_(_in_block, _Assigned.username.is_(None)),
                 case((_in_block, None), else_=_Assigned.full_name), _group, Number.e164),
    "date": (_head_date.is_(None), _head_date, _group, Number.e164),
    "area": (Number.area_prefix, _group, Number.e164),
    "price": ((func.coalesce(_Head.monthly_price_cents, Number.monthly_price_cents)
               * func.coalesce(NumberBlock.size, 1)).desc(), _group, Number.e164),
}
"""R30, the admin view: :data:`SORT_ORDERS` with a block kept together, its numbers in
order under its row. A block sorts by what its row shows: its first number (number), the
block's state and date (its first number's), its area, the block's monthly price (size ×
per number) and, having no employee of its own, with the unassigned numbers (employee)."""


def _filtered(
    stmt: Select[Any], actor: Actor, query: str | None, status: str | None,
    *, statuses: Iterable[NumberStatus] = (), kind: NumberKind | None = None,
) -> Select[Any]:
    stmt = stmt.where(Number.customer_id == actor.customer_id)
    if not actor.is_admin_view:
        stmt = stmt.where(Number.assigned_account_id == actor.account_id)
    if status:
        stmt = stmt.where(Number.status == status_named(status))
    wanted = list(statuses)
    if wanted:
        stmt = stmt.where(Number.status.in_(wanted))
    if kind is not None:
        stmt = stmt.where(Number.kind == kind)
    if query and query.strip():
        needle = query.strip().lower()
        digits = re.sub(r"\D", "", needle)
        # employees and areas as sets (each small table searched once), so the scan over
        # the customer's numbers joins nothing and only the page found is joined for its view
        employees = select(Account.id).where(or_(
            func.lower(Account.username).contains(needle, autoescape=True),
            func.lower(Account.full_name).contains(needle, autoescape=True),
        ))
        areas = select(LocalArea.prefix).where(
            func.lower(LocalArea.name).contains(needle, autoescape=True)
        )
        conditions = [
            Number.assigned_account_id.in_(employees),
            Number.area_prefix.in_(areas),
            Number.kind == needle,
        ]
        named = _status_words(needle)
        if named:
            conditions.append(Number.status.in_(named))
        if digits:
            # "030 1234" and "+49301234" both find +4930123456100, "+4930" no 089 number
            conditions.append(_number_condition(needle))
        stmt = stmt.where(or_(*conditions))
    return stmt


def _collapsed(
    stmt: Select[Any], actor: Actor, query: str | None, status: str | None,
    expanded: Iterable[int] | None,
) -> Select[Any]:
    """:func:`_filtered`, and with ``expanded`` (R30) each block as its first number only,
    unless the block's id is in ``expanded``: a block with a number matching the filter
    shows as its first number (the block's row), an expanded one with its matching numbers.
    Only in the admin view (a user sees their own numbers, one by one)."""
    if expanded is None or not actor.is_admin_view:
        return _filtered(stmt, actor, query, status)
    opened = sorted(set(expanded))
    single_or_open = or_(Number.block_id.is_(None), Number.block_id.in_(opened))
    if not (query and query.strip()) and not status:
        heads = select(NumberBlock.first_e164).where(NumberBlock.customer_id == actor.customer_id)
        return _filtered(stmt, actor, None, None).where(
            or_(single_or_open, Number.e164.in_(heads))
        )
    ids = cast("Select[Any]", select(Number.id, Number.block_id))
    matching = _filtered(ids, actor, query, status).subquery()
    heads = select(NumberBlock.first_e164).where(
        NumberBlock.id.in_(select(matching.c.block_id).where(matching.c.block_id.is_not(None)))
    )
    return stmt.where(Number.customer_id == actor.customer_id).where(or_(
        and_(Number.id.in_(select(matching.c.id)), single_or_open),
        Number.e164.in_(heads),
    ))


async def list_numbers(
    uow: UnitOfWork,
    actor: Actor,
    *,
    query: str | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int | None = None,
    order: str = "number",
    expanded: Iterable[int] | None = None,
) -> list[NumberView]:
    """The customer's numbers (admin view) or the actor's own (user view); ``query``
    matches digits of the number, employee, area name, status or kind. ``expanded``
    (R30): blocks collapse to their first number except those named (see
    :func:`_collapsed`); None lists every number."""
    require(actor, Permission.NUMBER_READ, customer_id=actor.customer_id)
    if order not in SORT_ORDERS:
        raise ValidationError("error.numbers.invalid_order", value=order[:40])
    stmt = _collapsed(_view_query(), actor, query, status, expanded)
    if actor.is_admin_view:  # R30: a block's numbers stay under its row in every order
        stmt = stmt.outerjoin(_Head, _Head.e164 == NumberBlock.first_e164).order_by(
            *BLOCK_SORT_ORDERS[order])
    else:
        stmt = stmt.order_by(*SORT_ORDERS[order])
    stmt = stmt.offset(max(offset, 0))
    if limit is not None:
        stmt = stmt.limit(max(limit, 0))
    rows = (await uow.session.execute(stmt)).all()
    return await _to_views(uow, actor, rows)


async def count_numbers(
    uow: UnitOfWork, actor: Actor, *, query: str | None = None, status: str | None = None,
    expanded: Iterable[int] | None = None,
) -> int:
    """How many numbers :func:`list_numbers` would return without paging."""
    require(actor, Permission.NUMBER_READ, customer_id=actor.customer_id)
    base = select(func.count(Number.id)).select_from(Number)
    return int(await uow.session.scalar(_collapsed(base, actor, query, status, expanded)) or 0)


async def number_page(
    uow: UnitOfWork,
    actor: Actor,
    *,
    query: str | None = None,
    offset: int = 0,
    limit: int = 100,
    order: str = "number",
    expanded: Iterable[int] | None = None,
) -> NumberPage:
    """The count and one page of :func:`list_numbers` in one read (the dashboard's two
    queries); an ``offset`` past the end moves to the last page (the filter shrank).
    ``expanded``: R30 blocks collapsed but these (see :func:`list_numbers`)."""
    limit = max(limit, 1)
    opened = None if expanded is None else tuple(expanded)
    if offset <= 0:
        views = await list_numbers(uow, actor, query=query, limit=limit, order=order,
                                   expanded=opened)
        # a first page that is not full is all there is: a narrow filter scans once, not twice
        total = len(views) if len(views) < limit else await count_numbers(
            uow, actor, query=query, expanded=opened)
        return NumberPage(total=total, offset=0, views=tuple(views))
    total = await count_numbers(uow, actor, query=query, expanded=opened)
    offset = min(offset, (total - 1) // limit * limit if total else 0)
    views = await list_numbers(uow, actor, query=query, offset=offset, limit=limit, order=order,
                               expanded=opened)
    return NumberPage(total=total, offset=offset, views=tuple(views))


SWAP_SIDES: dict[str, frozenset[NumberStatus]] = {
    "old": IN_USE,
    "new": frozenset({NumberStatus.INACTIVE}),
}
"""R13: which numbers may be given up (``old``) and which take their place (``new``)."""


async def swap_options(
    uow: UnitOfWork,
    actor: Actor,
    *,
    side: Literal["old", "new"],
    kind: str | None = None,
    query: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> NumberPage:
    """R13: one page of the numbers that can be on ``side`` of a swap (``new``: of the
    same ``kind`` as the old one), filtered like the dashboard; for the swap dialog."""
    _require_preview(actor, actor.customer_id)
    if side not in SWAP_SIDES:
        raise ValidationError("error.numbers.invalid_status", value=str(side)[:40],
                              allowed=", ".join(SWAP_SIDES))
    wanted = NumberKind(kind) if kind else None
    limit = max(limit, 1)
    stmt = _filtered(_view_query(), actor, query, None, statuses=SWAP_SIDES[side], kind=wanted)
    rows = (await uow.session.execute(
        stmt.order_by(Number.e164).offset(max(offset, 0)).limit(limit))).all()
    count = _filtered(select(func.count(Number.id)).select_from(Number), actor, query, None,
                      statuses=SWAP_SIDES[side], kind=wanted)
    total = int(await uow.session.scalar(count) or 0)
    return NumberPage(total=total, offset=max(offset, 0),
                      views=tuple(await _to_views(uow, actor, rows)))


async def get_number(uow: UnitOfWork, actor: Actor, *, number: str) -> NumberView:
    n = await _load(uow, actor, number)
    _check_read(actor, n)
    return await _view(uow, actor, n.id)


async def get_numbers(uow: UnitOfWork, actor: Actor, *, numbers: list[str]) -> list[NumberView]:
    """The given numbers as far as the actor may see them, in one query (live updates:
    a number the actor may not see, or that does not exist, is simply left out)."""
    require(actor, Permission.NUMBER_READ, customer_id=actor.customer_id)
    wanted = {normalize_number(n) for n in numbers}
    if not wanted:
        return []
    stmt = _filtered(_view_query(), actor, None, None).where(Number.e164.in_(wanted))
    rows = (await uow.session.execute(stmt.order_by(Number.e164))).all()
    return await _to_views(uow, actor, rows)


async def activation_quote(uow: UnitOfWork, actor: Actor, *, number: str) -> Quote:
    """R11: the price is shown before activating."""
    n = await _load(uow, actor, number)
    _require_preview(actor, n.customer_id)
    _refuse(NumberAction.ACTIVATE, n)
    block = await _block_of(uow, actor, n)
    if block is not None:  # R30: the whole block is activated
        for member in await block_members(uow, block.id):
            _refuse(NumberAction.ACTIVATE, member)
    return Quote(n.e164, national_form(n.e164, n.area_prefix), n.activation_fee_cents,
                 n.monthly_price_cents, n.version, block)


async def deactivation_quote(uow: UnitOfWork, actor: Actor, *, number: str) -> DeactivationQuote:
    """R12: the date shown before marking for deactivation."""
    n = await _load(uow, actor, number)
    _require_preview(actor, n.customer_id)
    _refuse(NumberAction.DEACTIVATE, n)
    block = await _block_of(uow, actor, n)
    if block is not None:
        for member in await block_members(uow, block.id):
            _refuse(NumberAction.DEACTIVATE, member)
    return DeactivationQuote(n.e164, national_form(n.e164, n.area_prefix),
                             end_of_following_month(uow.clock.today()), n.version, block)


async def block_members(uow: UnitOfWork, block_id: int) -> list[Number]:
    """R30: the numbers of a block, in order (first..last)."""
    return list(await uow.session.scalars(
        select(Number).where(Number.block_id == block_id).order_by(Number.e164)
    ))


async def _block_of(uow: UnitOfWork, actor: Actor, n: Number) -> BlockInfo | None:
    if n.block_id is None:
        return None
    block = await uow.session.get(NumberBlock, n.block_id)
    if block is None:
        return None
    return block_info(actor, n, block, (await block_states(uow, [block.id])).get(block.id, ()))


async def list_assignees(uow: UnitOfWork, actor: Actor) -> list[AccountChoice]:
    """Accounts of the customer that can use a number (employees and admins)."""
    _require_preview(actor, actor.customer_id)
    return await _assignees(uow, actor.customer_id)


async def _assignees(uow: UnitOfWork, customer_id: int | None) -> list[AccountChoice]:
    rows = await uow.session.scalars(
        select(Account)
        .where(Account.customer_id == customer_id, Account.active.is_(True),
               Account.role.in_([Role.EMPLOYEE, Role.ADMIN]))
        .order_by(Account.username)
    )
    return [AccountChoice(a.username, a.full_name, bool(a.email)) for a in rows]


async def fax_recipients(uow: UnitOfWork, actor: Actor, *, number: str) -> FaxRecipientChoice:
    """R15: who may receive the fax driver credentials of this number."""
    n = await _load(uow, actor, number)
    _require_preview(actor, n.customer_id)
    if n.kind is not NumberKind.FAX:
        raise RuleViolation("R15", "error.numbers.not_fax", number=n.e164)
    view = await _view(uow, actor, n.id)
    candidates = tuple(await _assignees(uow, n.customer_id))
    if view.fax_owner is not None:
        owner = tuple(c for c in candidates if c.username == view.fax_owner)
        return FaxRecipientChoice(n.e164, view.national, True, view.fax_owner, owner,
                                  (view.fax_owner,), view.fax_recipients)
    return FaxRecipientChoice(n.e164, view.national, False, None, candidates, (),
                              view.fax_recipients)


async def list_call_records(
    uow: UnitOfWork, actor: Actor, *, number: str | None = None
) -> list[CallRecordView]:
    """Call records (EVN); employees see only their own, deleted ones are gone for everyone."""
    require(actor, Permission.CALLS_READ, customer_id=actor.customer_id)
    stmt = (
        select(CallRecord, Number.e164, Account.username)
        .join(Number, Number.id == CallRecord.number_id)
        .outerjoin(Account, Account.id == CallRecord.account_id)
        .where(Number.customer_id == actor.customer_id, CallRecord.deleted.is_(False),
               CallRecord.duration_seconds.is_not(None))  # finished calls only (R18)
        .order_by(CallRecord.started_at.desc())
    )
    if not actor.is_admin_view:
        stmt = stmt.where(CallRecord.account_id == actor.account_id)
    if number is not None:
        stmt = stmt.where(Number.e164 == normalize_number(number))
    rows = (await uow.session.execute(stmt)).all()
    return [
        CallRecordView(r.id, e164, username, r.started_at, r.duration_seconds or 0, r.remote_number,
                       r.cost_cents)
        for r, e164, username in rows
    ]
