"""Bulk actions on many numbers at once (SPEC R27): activate, deactivate, undo or assign.

:func:`preview` says, before anything changes, how many numbers the action would change,
what that costs (one-time and monthly) and which numbers it would refuse and why;
:func:`apply` changes every number the rules allow, in one transaction, and returns a
result per number. A refused number never undoes the others: each number is decided
before anything is written, by the very predicate the single writes raise
(:func:`core.services.number_views.action_refusal`), so no refusal can interrupt the
batch half-way.

Each changed number is audited and its event emitted exactly as the single write in
:mod:`core.services.numbers` does (same audit action, same event name and payload), so
the Archiv and live updates cannot tell a bulk change from a single one.

Speed: all numbers are read in a few ``IN (...)`` queries (chunks of 500), decided in
memory and written in one flush; 1,000 numbers are well under a second (``bench/bulk.py``).

Decisions the spec leaves open:

* A number given twice counts once; a malformed number, another customer's number and an
  unknown one are refused per number with the single write's text ("not found" for both
  of the latter: no existence oracle).
* Assign takes one target user for all numbers; an unknown target refuses the whole call
  (like the single assign); a number already assigned to that user is refused (R14) and
  traffic data is never deleted in bulk (that needs the step-up of R20).
* ``expected_versions`` (from a preview) refuse a number that changed in between.
* R30: activate, deactivate and undo of a number of a block act on the whole block: its
  other numbers join the batch (right after the one given, once however many of them are
  given), and the block is decided as one: if any of its numbers is refused, all of them
  are (each says which number refused what), so a block is never half switched. A changed
  block gets the single write's one block audit entry; the events stay per number. Assign
  is per number (a block's numbers may go to different employees).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from core.authz import Actor, Permission, require
from core.enums import NumberAction, NumberKind
from core.errors import Conflict, DomainError, NotFound, RuleViolation, ValidationError
from core.i18n import t
from core.locations import stored
from core.models import Account, Number, NumberBlock, Role
from core.services import number_blocks
from core.services.number_reads import _emit_changed, _filtered, _require_preview
from core.services.number_views import (
    BLOCK_ACTIONS,
    BLOCK_MEMBER,
    action_refusal,
    block_range,
    end_of_following_month,
    national_form,
    normalize_number,
)
from core.uow import UnitOfWork

BULK_ACTIONS: tuple[NumberAction, ...] = (
    NumberAction.ACTIVATE,
    NumberAction.DEACTIVATE,
    NumberAction.UNDO,
    NumberAction.ASSIGN,
)
"""The actions R27 applies to many numbers."""

MAX_NUMBERS = 10_000
"""Numbers per call; more is refused as malformed input (the dashboard marks at most a
customer's numbers, a script can split its list)."""

_CHUNK = 500
"""Numbers per ``IN (...)`` query (well below SQLite's variable limit)."""

_FLUSH = 100
"""Numbers changed per flush in :func:`apply`, with a pause for the event loop between."""


@dataclass(frozen=True)
class BulkItem:
    """One number of a bulk preview or result: done (or would be), or refused and why."""

    number: str
    """E.164, or the text as given when it is not a number."""
    national: str
    ok: bool
    """Preview: would be done; result: was done."""
    reason: str | None = None
    """Why refused, in the actor's language (the single write's text)."""
    error_key: str | None = None
    """The refusal's i18n key and rule, for code and ``--json``."""
    rule: str | None = None
    status: str | None = None
    """Status before (preview) or after (result); None for an unknown number."""
    deactivation_date: date | None = None
    assigned_to: str | None = None
    one_time_cents: int = 0
    monthly_cents: int = 0
    version: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "national": self.national,
            "done": self.ok,
            "reason": self.reason,
            "error": self.error_key,
            "rule": self.rule,
            "status": self.status,
            "deactivation_date": (self.deactivation_date.isoformat()
                                  if self.deactivation_date else None),
            "assigned_to": self.assigned_to,
            "one_time_cents": self.one_time_cents,
            "monthly_cents": self.monthly_cents,
        }


@dataclass(frozen=True)
class BulkOutcome:
    """A preview (nothing changed yet) or a result (``applied``) of one bulk action."""

    action: NumberAction
    items: tuple[BulkItem, ...]
    applied: bool = False
    target: str | None = None
    """Assign: the user the numbers go to."""
    deactivation_date: date | None = None
    """Deactivate: the last active day of every number marked now."""
    versions: Mapping[str, int] = field(default_factory=dict)
    """Preview: the version of each number it decided on, for :func:`apply`."""

    @property
    def done(self) -> tuple[BulkItem, ...]:
        return tuple(i for i in self.items if i.ok)

    @property
    def refused(self) -> tuple[BulkItem, ...]:
        return tuple(i for i in self.items if not i.ok)

    @property
    def count(self) -> int:
        """Numbers the action changes (or would change)."""
        return len(self.done)

    @property
    def one_time_cents(self) -> int:
        return sum(i.one_time_cents for i in self.done)

    @property
    def monthly_cents(self) -> int:
        return sum(i.monthly_cents for i in self.done)

    def as_json(self) -> dict[str, Any]:
        return {
            "action": self.action.value,
            "applied": self.applied,
            "count": self.count,
            "refused": len(self.refused),
            "one_time_cents": self.one_time_cents,
            "monthly_cents": self.monthly_cents,
            "target": self.target,
            "deactivation_date": (self.deactivation_date.isoformat()
                                  if self.deactivation_date else None),
            "numbers": [i.as_json() for i in self.items],
        }


def _action(action: NumberAction | str) -> NumberAction:
    try:
        value = NumberAction(action)
    except ValueError as exc:
        raise ValidationError("error.bulk.invalid_action", value=str(action)[:40]) from exc
    if value not in BULK_ACTIONS:
        raise ValidationError("error.bulk.invalid_action", value=value.value)
    return value


def _wanted(numbers: Iterable[str]) -> list[tuple[str, str | None, DomainError | None]]:
    """Each distinct number once, in the order given: (as given, E.164 or None, error)."""
    out: list[tuple[str, str | None, DomainError | None]] = []
    seen: set[str] = set()
    for raw in numbers:
        text = (raw or "").strip()
        try:
            e164: str | None = normalize_number(text)
            error: DomainError | None = None
        except ValidationError as exc:
            e164, error = None, exc
        key = e164 or text
        if key in seen:
            continue
        seen.add(key)
        out.append((text[:40], e164, error))
    if not out:
        raise ValidationError("error.bulk.no_numbers")
    if len(out) > MAX_NUMBERS:
        raise ValidationError("error.bulk.too_many", count=len(out), limit=MAX_NUMBERS)
    return out


async def _load(
    uow: UnitOfWork, customer_id: int | None, e164s: Sequence[str]
) -> dict[str, tuple[Number, str | None]]:
    """The customer's numbers among ``e164s`` with their assignee's username, in chunks
    of :data:`_CHUNK` (another customer's number is simply not found)."""
    found: dict[str, tuple[Number, str | None]] = {}
    ordered = sorted(set(e164s))
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start:start + _CHUNK]
        rows = await uow.session.execute(
            select(Number, Account.username)
            .outerjoin(Account, Account.id == Number.assigned_account_id)
            .where(Number.customer_id == customer_id, Number.e164.in_(chunk))
        )
        for n, username in rows:
            found[n.e164] = (n, username)
    return found


async def _target(
    uow: UnitOfWork, customer_id: int | None, action: NumberAction, username: str | None
) -> Account | None:
    """The assign target as the single assign accepts it (else 'unknown employee'); the
    other actions take no user (a name given to them is a mistake, not ignored)."""
    if action is not NumberAction.ASSIGN:
        if username is not None:
            raise ValidationError("error.bulk.user_only_for_assign")
        return None
    name = (username or "").strip().lower()
    account = await uow.session.scalar(select(Account).where(Account.username == name))
    if (account is None or account.customer_id != customer_id or not account.active
            or account.role not in (Role.EMPLOYEE, Role.ADMIN)):
        raise NotFound("error.numbers.unknown_employee", username=(username or "")[:64])
    return account


class BlockRefusal(RuleViolation):
    """R30: a number of a block not changed because another number of it (or it) was
    refused: the block changes as a whole or not at all."""

    def __init__(self, number: str, block: str, cause: DomainError) -> None:
        super().__init__("R30", "error.bulk.block_refused", number=number, block=block)
        self.cause = cause

    def render(self, locale: str) -> str:
        return t(locale, self.key, **self.params, reason=self.cause.render(locale))


Blocks = dict[int, tuple[NumberBlock, list[tuple[Number, str | None]]]]


async def _blocks(uow: UnitOfWork, customer_id: int | None, action: NumberAction,
                  loaded: Mapping[str, tuple[Number, str | None]]) -> Blocks:
    """R30: the blocks of the loaded numbers with all their numbers (for the actions that
    act on a whole block), in two queries."""
    if action not in BLOCK_ACTIONS:
        return {}
    ids = sorted({n.block_id for n, _ in loaded.values() if n.block_id is not None})
    if not ids:
        return {}
    blocks = {b.id: b for b in await uow.session.scalars(
        select(NumberBlock).where(NumberBlock.id.in_(ids), NumberBlock.customer_id == customer_id)
    )}
    members: dict[int, list[tuple[Number, str | None]]] = {i: [] for i in blocks}
    rows = await uow.session.execute(
        select(Number, Account.username)
        .outerjoin(Account, Account.id == Number.assigned_account_id)
        .where(Number.block_id.in_(list(blocks)), Number.customer_id == customer_id)
        .order_by(Number.e164)
    )
    for n, username in rows:
        if n.block_id is not None:
            members[n.block_id].append((n, username))
    return {i: (blocks[i], members[i]) for i in blocks}


def _refusal(action: NumberAction, n: Number, target: Account | None) -> DomainError | None:
    """Why ``action`` is refused on ``n``: the single write's predicate, then (assign) R14."""
    error = action_refusal(action, number=n.e164, status=n.status, kind=n.kind,
                           located=stored(n) is not None,  # R29: activation needs a location
                           block=BLOCK_MEMBER if n.block_id is not None else "")
    if error is None and target is not None and n.assigned_account_id == target.id:
        error = RuleViolation("R14", "error.numbers.already_assigned", number=n.e164,
                              username=target.username)
    return error


def _prices(action: NumberAction, n: Number) -> tuple[int, int]:
    """(one-time, monthly) of the action on ``n``: activating charges the fee; the monthly
    price is what starts (activate), keeps running (undo, assign) or ends (deactivate)."""
    one_time = n.activation_fee_cents if action is NumberAction.ACTIVATE else 0
    return one_time, n.monthly_price_cents


def _refused(actor: Actor, raw: str, e164: str | None, error: DomainError,
             n: Number | None = None, assigned: str | None = None) -> BulkItem:
    number = e164 or raw
    return BulkItem(
        number=number,
        national=national_form(n.e164, n.area_prefix) if n is not None else number,
        ok=False, reason=error.render(actor.locale), error_key=error.key, rule=error.rule,
        status=n.status.value if n is not None else None,
        deactivation_date=n.deactivation_date if n is not None else None,
        assigned_to=assigned, version=n.version if n is not None else None,
    )


async def _decide(
    uow: UnitOfWork,
    actor: Actor,
    action: NumberAction,
    numbers: Iterable[str],
    target: Account | None,
    expected_versions: Mapping[str, int] | None,
) -> tuple[list[tuple[BulkItem, Number | None]], Blocks]:
    """Every number's decision on the state read now, in the order given (a block's
    numbers where the first of them was given), and the blocks among them."""
    wanted = _wanted(numbers)
    loaded = await _load(uow, actor.customer_id, [e for _, e, _ in wanted if e])
    blocks = await _blocks(uow, actor.customer_id, action, loaded)
    done_blocks: set[int] = set()
    decided: list[tuple[BulkItem, Number | None]] = []
    for index, (raw, e164, error) in enumerate(wanted):
        if index and not index % _FLUSH:
            await asyncio.sleep(0)  # other sessions' turn (rendering refusals costs CPU)
        if error is not None or e164 is None:
            decided.append((_refused(actor, raw, e164, error or NotFound()), None))
            continue
        row = loaded.get(e164)
        if row is None:
            decided.append((_refused(actor, raw, e164,
                                     NotFound("error.numbers.not_found", number=e164)), None))
            continue
        n, assigned = row
        if n.block_id is not None and n.block_id in blocks:
            if n.block_id not in done_blocks:
                done_blocks.add(n.block_id)
                decided += _decide_block(actor, action, *blocks[n.block_id], expected_versions)
            continue
        refusal = _check(action, n, target, expected_versions)
        if refusal is not None:
            decided.append((_refused(actor, raw, e164, refusal, n, assigned), None))
            continue
        decided.append((_item(action, n, assigned), n))
    return decided, {i: blocks[i] for i in done_blocks}


def _check(action: NumberAction, n: Number, target: Account | None,
           expected_versions: Mapping[str, int] | None) -> DomainError | None:
    refusal = _refusal(action, n, target)
    if refusal is None and expected_versions is not None:
        expected = expected_versions.get(n.e164)
        if expected is not None and expected != n.version:
            refusal = Conflict()
    return refusal


def _item(action: NumberAction, n: Number, assigned: str | None) -> BulkItem:
    one_time, monthly = _prices(action, n)
    return BulkItem(
        number=n.e164, national=national_form(n.e164, n.area_prefix), ok=True,
        status=n.status.value, deactivation_date=n.deactivation_date, assigned_to=assigned,
        one_time_cents=one_time, monthly_cents=monthly, version=n.version,
    )


def _decide_block(actor: Actor, action: NumberAction, block: NumberBlock,
                  members: list[tuple[Number, str | None]],
                  expected_versions: Mapping[str, int] | None,
                  ) -> list[tuple[BulkItem, Number | None]]:
    """R30: a block's numbers decided as one: all done, or all refused."""
    refusals = [(n, assigned, _check(action, n, None, expected_versions))
                for n, assigned in members]
    cause = next((r for _, _, r in refusals if r is not None), None)
    if cause is None:
        return [(_item(action, n, assigned), n) for n, assigned in members]
    label = block_range(block.first_e164, block.last_e164, block.area_prefix)
    return [(_refused(actor, n.e164, n.e164, BlockRefusal(n.e164, label, own or cause),
                      n, assigned), None)
            for n, assigned, own in refusals]


async def matching(uow: UnitOfWork, actor: Actor, *, query: str | None = None) -> tuple[str, ...]:
    """R27 ``*``: every number (E.164) the dashboard's filter matches, across its pages,
    ordered by number; one query of one column, at most :data:`MAX_NUMBERS`."""
    _require_preview(actor, actor.customer_id)
    stmt = _filtered(select(Number.e164), actor, query, None)
    rows = await uow.session.scalars(stmt.order_by(Number.e164).limit(MAX_NUMBERS))
    return tuple(rows)


async def preview(
    uow: UnitOfWork,
    actor: Actor,
    *,
    action: NumberAction | str,
    numbers: Iterable[str],
    username: str | None = None,
) -> BulkOutcome:
    """R27: what :func:`apply` would do now, changing nothing. Open to whoever may make the
    change (support before giving the reason, as the single quotes are)."""
    _require_preview(actor, actor.customer_id)
    act = _action(action)
    target = await _target(uow, actor.customer_id, act, username)
    decided, _ = await _decide(uow, actor, act, numbers, target, None)
    return BulkOutcome(
        action=act, items=tuple(item for item, _ in decided),
        target=target.username if target is not None else None,
        deactivation_date=(end_of_following_month(uow.clock.today())
                           if act is NumberAction.DEACTIVATE else None),
        versions={item.number: item.version for item, _ in decided
                  if item.version is not None},
    )


async def apply(
    uow: UnitOfWork,
    actor: Actor,
    *,
    action: NumberAction | str,
    numbers: Iterable[str],
    username: str | None = None,
    expected_versions: Mapping[str, int] | None = None,
) -> BulkOutcome:
    """R27: change every number the rules allow, refuse the others (each with its reason).
    Permission and tenant first (support needs a reason); one transaction."""
    require(actor, Permission.NUMBER_MANAGE, customer_id=actor.customer_id)
    act = _action(action)
    target = await _target(uow, actor.customer_id, act, username)
    decided, blocks = await _decide(uow, actor, act, numbers, target, expected_versions)
    todo = [(item, n) for item, n in decided if n is not None]
    today = uow.clock.today()
    last_day = end_of_following_month(today) if act is NumberAction.DEACTIVATE else None
    results: dict[str, BulkItem] = {}
    previous_dates: dict[int, date | None] = {}
    for start in range(0, len(todo), _FLUSH):
        # in parts, each flushed: the session's event loop (shared by every SSH session of
        # this process) is never held for the whole batch's ORM work at once
        part = todo[start:start + _FLUSH]
        before = {n.id: (item.assigned_to, n.deactivation_date) for item, n in part}
        for _, n in part:
            previous_dates.setdefault(n.id, n.deactivation_date)
            _change(uow, actor, act, n, target, last_day)
        await uow.session.flush()
        for item, n in part:
            if n.block_id in blocks:  # R30: one audit entry per block, below
                number_blocks.emit_member(uow, act, n)
            else:
                _record(uow, actor, act, n, target, *before[n.id])
            results[n.e164] = BulkItem(
                number=n.e164, national=item.national, ok=True, status=n.status.value,
                deactivation_date=n.deactivation_date,
                assigned_to=target.username if target is not None else item.assigned_to,
                one_time_cents=item.one_time_cents, monthly_cents=item.monthly_cents,
                version=n.version,
            )
        await uow.session.flush()  # this part's audit rows
    for block, members in blocks.values():
        changed = [n for n, _ in members]
        number_blocks.audit_block(uow, actor, act, block, changed,
                                  previous_dates.get(changed[0].id))
    items = tuple(results.get(item.number, item) if item.ok else item for item, _ in decided)
    return BulkOutcome(action=act, items=items, applied=True,
                       target=target.username if target is not None else None,
                       deactivation_date=last_day)


def _change(uow: UnitOfWork, actor: Actor, action: NumberAction, n: Number,
            target: Account | None, last_day: date | None) -> None:
    """The state change of the single write (:mod:`core.services.numbers`)."""
    if action in BLOCK_ACTIONS:
        number_blocks.set_state(uow, actor, action, n, last_day)
    elif action is NumberAction.ASSIGN and target is not None:
        n.assigned_account_id = target.id
        if n.kind is NumberKind.FAX and n.fax_owner_id is not None:
            n.fax_owner_id = target.id


def _record(uow: UnitOfWork, actor: Actor, action: NumberAction, n: Number,
            target: Account | None, previous: str | None, previous_date: date | None) -> None:
    """The audit entry and event of the single write, after the flush (new version)."""
    if action is NumberAction.ACTIVATE:
        uow.audit(actor, "number.activated", customer_id=n.customer_id, target=n.e164,
                  activation_fee_cents=n.activation_fee_cents,
                  monthly_price_cents=n.monthly_price_cents)
        _emit_changed(uow, "NumberActivated", n)
    elif action is NumberAction.DEACTIVATE:
        when = n.deactivation_date.isoformat() if n.deactivation_date else None
        uow.audit(actor, "number.deactivation_marked", customer_id=n.customer_id,
                  target=n.e164, deactivation_date=when)
        _emit_changed(uow, "NumberDeactivationMarked", n, deactivation_date=when)
    elif action is NumberAction.UNDO:
        uow.audit(actor, "number.deactivation_undone", customer_id=n.customer_id,
                  target=n.e164,
                  deactivation_date=previous_date.isoformat() if previous_date else None)
        _emit_changed(uow, "NumberDeactivationUndone", n)
    elif action is NumberAction.ASSIGN and target is not None:
        uow.audit(actor, "number.assigned", customer_id=n.customer_id, target=n.e164,
                  previous=previous, assigned=target.username, traffic_data_deleted=0)
        _emit_changed(uow, "NumberAssigned", n, assigned_to=target.username,
                      previous=previous)


__all__ = [
    "BULK_ACTIONS",
    "MAX_NUMBERS",
    "BulkItem",
    "BulkOutcome",
    "apply",
    "matching",
    "preview",
]
