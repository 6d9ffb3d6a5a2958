"""Login for SSH sessions and the local TUI: passwords (argon2id), public keys, lockout.

Identity is bound only by :func:`authenticate_password` / :func:`login_key`; the SSH layer calls
``login_key`` only after the client proved possession of the key by a valid signature.
"""

from __future__ import annotations

import asyncio
import time as wallclock
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from core.authz import Actor, ViewMode
from core.clock import BERLIN
from core.errors import AuthFailed
from core.models import Account, AuditEvent, Customer, LoginFailure, Role, SshKey
from core.security import hash_secret, needs_rehash, verify_secret
from core.uow import UnitOfWork, UnitsOfWork


@dataclass(frozen=True)
class LoginResult:
    """Failures are returned, not raised, so that the failure record commits with the uow."""

    actor: Actor | None
    locked: bool = False

    def unwrap(self) -> Actor:
        if self.actor is None:
            raise AuthFailed("error.auth_locked" if self.locked else "error.auth_failed")
        return self.actor


LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
FAILED_LOGIN_SECONDS = 0.15
"""A failed password check is answered after this long at the earliest (argon2 alone takes
~35 ms here), so unknown users and wrong passwords take the same time."""


async def _account(uow: UnitOfWork, username: str) -> Account | None:
    return await uow.session.scalar(
        select(Account).where(Account.username == username, Account.active.is_(True))
    )


async def _customer_name(uow: UnitOfWork, customer_id: int | None) -> str | None:
    if customer_id is None:
        return None
    return await uow.session.scalar(select(Customer.name).where(Customer.id == customer_id))


async def is_locked(uow: UnitOfWork, account_id: int) -> bool:
    """Locked while 5 failures lie within the last 15 minutes (per account, not per source,
    so an office behind one NAT address is not locked out by one user's typos)."""
    since = uow.clock.now() - LOCKOUT_WINDOW
    count = await uow.session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.account_id == account_id, LoginFailure.at >= since)
    )
    return (count or 0) >= LOCKOUT_FAILURES


async def _actor(
    uow: UnitOfWork, account: Account, *, source: str | None, fingerprint: str | None,
    audit: bool = True,
) -> Actor:
    customer_name = await _customer_name(uow, account.customer_id)
    actor = Actor(
        account_id=account.id,
        username=account.username,
        role=account.role,
        customer_id=account.customer_id,
        view_mode=ViewMode.ADMIN if account.role is Role.ADMIN else ViewMode.USER,
        source_address=source,
        key_fingerprint=fingerprint,
        locale=account.locale,
        customer_name=customer_name,
    )
    if audit:
        await record_login(uow, actor)
    return actor


async def record_login(uow: UnitOfWork, actor: Actor) -> None:
    """The sign-in entry of the Archiv (an interactive session, the local TUI)."""
    uow.audit(
        actor, "session.login", customer_id=actor.customer_id, target=actor.username,
        method="publickey" if actor.key_fingerprint else "password",
    )


async def command_access_recorded(uow: UnitOfWork, actor: Actor) -> bool:
    """Has today's command-mode entry of this account, key and source been written?"""
    since = datetime.combine(uow.clock.today(), time(), BERLIN).astimezone(UTC)
    seen = await uow.session.scalar(
        select(AuditEvent.id).where(
            _same(AuditEvent.customer_id, actor.customer_id),
            AuditEvent.at >= since,
            AuditEvent.action == "session.command",
            AuditEvent.actor_id == actor.account_id,
            _same(AuditEvent.source_address, actor.source_address),
            _same(AuditEvent.key_fingerprint, actor.key_fingerprint),
        ).limit(1)
    )
    return seen is not None


async def record_command_access(uow: UnitOfWork, actor: Actor) -> bool:
    """Command mode (``ssh HOST COMMAND``: scripts, cron): one Archiv entry per account, key,
    source address and day instead of a sign-in per call (a job polling every minute would
    bury everything else); what the commands change is audited by the commands. Failed
    logins are counted (lockout) and logged as before."""
    if await command_access_recorded(uow, actor):
        return False
    uow.audit(
        actor, "session.command", customer_id=actor.customer_id, target=actor.username,
        method="publickey" if actor.key_fingerprint else "password",
    )
    return True


def _same(column: Any, value: object) -> Any:
    return column.is_(None) if value is None else column == value


async def authenticate_password(
    core: UnitsOfWork, *, username: str, password: str, source: str | None = None,
    audit_login: bool = True, session_id: str | None = None,
) -> LoginResult:
    """Check a password. A failure counts towards the lockout; the caller says only "failed".
    ``audit_login=False``: the caller records the sign-in itself (the SSH server, once it
    knows whether the session is interactive or a command).

    The slow hash check runs between a short read and a short write, so it never holds
    SQLite's single writer and logins run in parallel. Every failure (unknown user, wrong
    password, locked account) is answered no sooner than :data:`FAILED_LOGIN_SECONDS` after
    the check began: the same argon2 work runs for unknown users (a dummy hash), but the
    database work after it differs by a few milliseconds, which a timing attacker could
    measure to find out which accounts exist."""
    started = wallclock.monotonic()
    async with core.uow(readonly=True) as uow:
        account = await _account(uow, username)
        stored = account.password_hash if account else None
    ok = await verify_secret(stored, password)
    upgraded = await _upgraded_hash(stored, password, ok)
    async with core.uow() as uow:
        result = await _complete_password_login(
            uow, username, ok=ok, upgraded=upgraded, source=source, checked_hash=stored,
            audit_login=audit_login, session_id=session_id,
        )
    if result.actor is None:
        await asyncio.sleep(max(0.0, started + FAILED_LOGIN_SECONDS - wallclock.monotonic()))
    return result


async def _upgraded_hash(stored: str | None, password: str, ok: bool) -> str | None:
    """A new hash when the stored one was made with older parameters (and the password fits)."""
    if ok and stored and needs_rehash(stored):
        return await hash_secret(password)
    return None


async def _complete_password_login(
    uow: UnitOfWork,
    username: str,
    *,
    ok: bool,
    upgraded: str | None,
    source: str | None,
    checked_hash: str | None = None,
    audit_login: bool = True,
    session_id: str | None = None,
) -> LoginResult:
    account = await _account(uow, username)
    if account is None or await is_locked(uow, account.id):
        record_login_failure(uow, account, username, source=source, session_id=session_id,
                             method="password")
        return LoginResult(None, locked=account is not None)
    if checked_hash is not None and account.password_hash != checked_hash:
        ok = False  # the password changed while we were checking the old one
    if not ok:
        uow.session.add(
            LoginFailure(account_id=account.id, source=source or "", at=uow.clock.now())
        )
        record_login_failure(uow, account, username, source=source, session_id=session_id,
                             method="password")
        return LoginResult(None, locked=await _locked_after_flush(uow, account.id))
    await uow.session.execute(delete(LoginFailure).where(LoginFailure.account_id == account.id))
    if upgraded is not None:
        # a plain conditional UPDATE, so concurrent logins of one account never conflict
        await uow.session.execute(
            update(Account)
            .where(Account.id == account.id, Account.password_hash == account.password_hash)
            .values(password_hash=upgraded)
            .execution_options(synchronize_session=False)
        )
    return LoginResult(
        await _actor(uow, account, source=source, fingerprint=None, audit=audit_login)
    )


async def _locked_after_flush(uow: UnitOfWork, account_id: int) -> bool:
    await uow.session.flush()
    return await is_locked(uow, account_id)


async def authorized_keys(uow: UnitOfWork, *, username: str) -> list[str]:
    """The public keys an account may log in with (empty for unknown, inactive or locked)."""
    account = await _account(uow, username)
    if account is None or await is_locked(uow, account.id):
        return []
    rows = await uow.session.scalars(
        select(SshKey.public_key).where(SshKey.account_id == account.id)
    )
    return list(rows)


async def login_key(
    uow: UnitOfWork, *, username: str, fingerprint: str, source: str | None = None,
    audit_login: bool = True,
) -> LoginResult:
    """Bind the identity after a verified signature with the key of ``fingerprint``."""
    account = await _account(uow, username)
    if account is None:
        return LoginResult(None)
    if await is_locked(uow, account.id):
        return LoginResult(None, locked=True)
    key = await uow.session.scalar(
        select(SshKey).where(SshKey.account_id == account.id, SshKey.fingerprint == fingerprint)
    )
    if key is None:
        return LoginResult(None)
    return LoginResult(
        await _actor(uow, account, source=source, fingerprint=fingerprint, audit=audit_login)
    )


async def record_failure(
    uow: UnitOfWork, *, username: str, source: str | None = None, session_id: str | None = None,
) -> None:
    """Count a failed attempt of another method (keyboard-interactive) towards the lockout."""
    account = await _account(uow, username)
    if account is not None:
        uow.session.add(
            LoginFailure(account_id=account.id, source=source or "", at=uow.clock.now())
        )
    record_login_failure(uow, account, username, source=source, session_id=session_id,
                         method="keyboard-interactive")


def record_login_failure(
    uow: UnitOfWork, account: Account | None, username: str, *, source: str | None,
    session_id: str | None, method: str,
) -> None:
    """Audit a refused sign-in (in the account's customer's log; unknown names in the
    operator's): the name as typed, never the password."""
    row = uow.audit(
        None,
        "session.login_failed",
        customer_id=account.customer_id if account else None,
        target=username[:64],
        method=method,
        session=session_id,
    )
    row.source_address = (source or "")[:64] or None
