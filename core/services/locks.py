"""R25 account locks: the operator (``linedesk users lock``) or the customer's administrator
(its own employees) locks an account; its live sessions and commands end on every worker and
node (the ``AccountLocked`` event, and each server's check of its sessions' accounts), new
sign-ins are refused once the credentials were verified (so a lock is no oracle), ``unlock``
restores. Every lock and unlock is in the customer's Archiv with who and why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from core.authz import Actor, Permission, require
from core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from core.events import DomainEvent, EventBus
from core.i18n import t
from core.models import Account, Role
from core.uow import UnitOfWork, UnitsOfWork

MAX_REASON = 500
LOCK_EVENT = "AccountLocked"
UNLOCK_EVENT = "AccountUnlocked"
LOGIN_REFUSED = "locks.login_refused"
SESSION_ENDED = "locks.session_ended"
LIVE_CHECK_SECONDS = 1.0
"""How often :func:`wait_until_locked` asks the database (a lock made by another process whose
event cannot reach this one: the operator's CLI next to ``linedesk tui``)."""


@dataclass(frozen=True)
class LockView:
    username: str
    account_id: int
    customer_id: int | None
    locked: bool
    reason: str | None
    locked_at: datetime | None
    locked_by: str | None


def _view(account: Account) -> LockView:
    return LockView(
        username=account.username, account_id=account.id, customer_id=account.customer_id,
        locked=account.locked_at is not None, reason=account.lock_reason,
        locked_at=account.locked_at, locked_by=account.locked_by,
    )


def _clean_reason(reason: str | None) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise ValidationError("locks.error.reason_required")
    if len(text) > MAX_REASON:
        raise ValidationError("locks.error.reason_too_long")
    return text


async def _by_name(uow: UnitOfWork, username: str) -> Account | None:
    return await uow.session.scalar(
        select(Account).where(Account.username == (username or "").strip().lower()[:64])
    )


async def _own_employee(uow: UnitOfWork, actor: Actor, username: str) -> Account:
    """An employee account of the actor's customer; the admin itself and support never."""
    if actor.role is Role.SUPPORT:
        raise PermissionDenied("locks.error.support")
    require(actor, Permission.USER_MANAGE, customer_id=actor.customer_id)
    account = await _by_name(uow, username)
    if account is None or account.customer_id != actor.customer_id:
        raise NotFound("users.error.not_employee", user=(username or "")[:64])
    if (refusal := lock_refusal(actor, account_id=account.id, role=account.role,
                                username=account.username)) is not None:
        raise refusal
    return account


def may_ever_lock(actor: Actor) -> bool:
    """Whether the actor's role can ever lock an account in the portal (R25: a customer's
    administrator, its own employees); support never does, so it is offered no lock action
    (pressed anyway, :func:`lock_refusal` says why)."""
    return actor.role is Role.ADMIN


def lock_refusal(actor: Actor, *, account_id: int, role: Role | str,
                 username: str) -> PermissionDenied | None:
    """Why ``actor`` may not lock or unlock this account of its own customer, or None: the
    user management asks before it opens the reason dialog (an admin typed a reason for its
    own account, or another admin's, and was refused only then)."""
    if actor.role is Role.SUPPORT:
        return PermissionDenied("locks.error.support")
    if account_id == actor.account_id:
        return PermissionDenied("locks.error.self")
    if Role(role) is not Role.EMPLOYEE:
        return PermissionDenied("users.error.not_employee", user=username)
    return None


def _lock(uow: UnitOfWork, actor: Actor | None, account: Account, reason: str, *,
          by: str, operator: str | None = None) -> LockView:
    if account.locked_at is not None:
        raise Conflict("locks.error.already_locked", user=account.username)
    account.locked_at = uow.clock.now()
    account.lock_reason = reason
    account.locked_by = by[:64]
    extra = {"operator": operator} if operator else {}
    uow.audit(actor, "account.locked", customer_id=account.customer_id, target=account.username,
              lock_reason=reason, **extra)
    uow.emit(LOCK_EVENT, account.customer_id, account_id=account.id, username=account.username,
             reason=reason)
    uow.emit("AccountChanged", account.customer_id, username=account.username)
    return _view(account)


def _unlock(uow: UnitOfWork, actor: Actor | None, account: Account, *,
            operator: str | None = None) -> LockView:
    if account.locked_at is None:
        raise Conflict("locks.error.not_locked", user=account.username)
    account.locked_at = None
    account.lock_reason = None
    account.locked_by = None
    extra = {"operator": operator} if operator else {}
    uow.audit(actor, "account.unlocked", customer_id=account.customer_id, target=account.username,
              **extra)
    uow.emit(UNLOCK_EVENT, account.customer_id, account_id=account.id, username=account.username)
    uow.emit("AccountChanged", account.customer_id, username=account.username)
    return _view(account)


async def lock_employee(uow: UnitOfWork, actor: Actor, *, username: str, reason: str) -> LockView:
    """The customer's administrator locks one of its employees."""
    account = await _own_employee(uow, actor, username)
    text = _clean_reason(reason)
    view = _lock(uow, actor, account, text, by=actor.username)
    await uow.session.flush()
    return view


async def unlock_employee(uow: UnitOfWork, actor: Actor, *, username: str) -> LockView:
    account = await _own_employee(uow, actor, username)
    view = _unlock(uow, actor, account)
    await uow.session.flush()
    return view


async def employee_locks(uow: UnitOfWork, actor: Actor) -> dict[str, LockView]:
    """Username → lock of the customer's locked accounts (the user management table)."""
    require(actor, Permission.USER_READ)
    rows = await uow.session.scalars(
        select(Account).where(Account.customer_id == actor.customer_id,
                              Account.locked_at.is_not(None))
    )
    return {a.username: _view(a) for a in rows}


# -- the operator (admin CLI on the server, no portal actor) ---------------------------


async def operator_lock(uow: UnitOfWork, *, username: str, reason: str,
                        operator: str) -> LockView:
    """``linedesk users lock USER --reason ...``: any account, audited in its customer's log."""
    account = await _by_name(uow, username)
    if account is None:
        raise NotFound("locks.error.unknown_user", user=(username or "")[:64])
    view = _lock(uow, None, account, _clean_reason(reason), by="operator", operator=operator[:64])
    await uow.session.flush()
    return view


async def operator_unlock(uow: UnitOfWork, *, username: str, operator: str) -> LockView:
    account = await _by_name(uow, username)
    if account is None:
        raise NotFound("locks.error.unknown_user", user=(username or "")[:64])
    view = _unlock(uow, None, account, operator=operator[:64])
    await uow.session.flush()
    return view


# -- the SSH server's checks (no actor: they run for the server itself) -----------------


async def lock_of(uow: UnitOfWork, account_id: int) -> LockView | None:
    """The account's lock, None when it is not locked (checked after the credentials)."""
    account = await uow.session.get(Account, account_id)
    if account is None or account.locked_at is None:
        return None
    return _view(account)


async def locked_among(uow: UnitOfWork, account_ids: Iterable[int]) -> dict[int, str]:
    """Account id → lock reason of those of ``account_ids`` that are locked (one query)."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    rows = await uow.session.execute(
        select(Account.id, Account.lock_reason)
        .where(Account.id.in_(ids), Account.locked_at.is_not(None))
    )
    return {account_id: reason or "" for account_id, reason in rows}


def record_locked_login(uow: UnitOfWork, actor: Actor, *, method: str) -> None:
    """A sign-in with valid credentials of a locked account, refused."""
    uow.audit(actor, "session.login_locked", customer_id=actor.customer_id,
              target=actor.username, method=method)


# -- the one sign-in gate of every entry point (SSH, ``linedesk tui``, any later one) -----


@dataclass(frozen=True)
class LockRefusal:
    """Why a sign-in with verified credentials gets no session, or why a live one ends."""

    key: str
    """:data:`LOGIN_REFUSED` (a new sign-in) or :data:`SESSION_ENDED` (a live session)."""
    reason: str
    """The lock's reason as the locker typed it: user data, escaped where it is shown."""

    def message(self, locale: str, escape: Callable[[object], str]) -> str:
        """The notice in ``locale``; ``escape`` is the terminal's sanitiser
        (``tui.sanitize.clean``): the reason is text another user typed."""
        return t(locale, self.key, reason=escape(self.reason or "–"))


async def refuse_locked_login(core: UnitsOfWork, actor: Actor, *, method: str,
                              ) -> LockRefusal | None:
    """R25 for every entry point: call it only after the credentials were verified (so a lock
    tells nothing to someone who does not know them) and before the sign-in is recorded or a
    session starts. A locked account: the refused sign-in is in its customer's Archiv
    (``session.login_locked``) and the refusal to show is returned; otherwise None."""
    async with core.uow(readonly=True) as uow:
        lock = await lock_of(uow, actor.account_id)
    if lock is None:
        return None
    async with core.uow() as uow:
        record_locked_login(uow, actor, method=method)
    return LockRefusal(LOGIN_REFUSED, lock.reason or "")


async def wait_until_locked(core: UnitsOfWork, bus: EventBus, account_id: int, *,
                            interval: float = LIVE_CHECK_SECONDS) -> LockRefusal:
    """Returns when ``account_id`` gets locked (the session then ends with the notice):
    at once on the ``AccountLocked`` event, else by the database check every ``interval``
    seconds (``bus``: the core's event bus, also fed by the other workers and nodes).
    (The SSH server watches all its sessions at once, ``ssh_server.server``.)"""
    found: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def on_event(event: DomainEvent) -> None:
        if (event.name == LOCK_EVENT and event.payload.get("account_id") == account_id
                and not found.done()):
            found.set_result(str(event.payload.get("reason") or ""))

    subscription = bus.subscribe(on_event)
    try:
        while not found.done():
            try:
                async with core.uow(readonly=True) as uow:
                    locked = await locked_among(uow, [account_id])
            except Exception:  # the database is away for a moment: the next round asks again
                locked = {}
            if account_id in locked and not found.done():
                found.set_result(locked[account_id])
                break
            try:
                await asyncio.wait_for(asyncio.shield(found), interval)
            except TimeoutError:
                continue
        return LockRefusal(SESSION_ENDED, found.result())
    finally:
        subscription.close()
