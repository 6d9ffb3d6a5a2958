"""R20 step-up code: a fresh one-time code by SMS before the most dangerous actions.

A customer policy (``Customer.stepup_required``, on for new customers) makes credential
generation (now or scheduled), swap and assignment with traffic-data deletion ask for a
six-digit code sent to the *acting* user's own stored mobile. A code is bound to one
account, one action and one object, valid 10 minutes, used once, void after 5 wrong
entries. At most 5 codes per account per 15 minutes.

The code is stored only as an HMAC-SHA256 keyed with the secret key (``SecretBox.mac``),
not as argon2: six digits are 10^6 candidates, which an offline search walks through even
behind argon2 (10^6 × 35 ms is a few CPU-hours), while without the key, which lives outside
the database, the stored value is worthless; and an HMAC costs no event-loop or hashing-pool
time. The plain code exists only in the encrypted outbox payload of its SMS; audit rows say
"requested / used / voided", never the code.

Guarded services call :func:`verify` right after their permission and rule checks and
before changing anything::

    if not await stepup.verify(uow, actor, customer_id=..., action=..., object_id=..., code=code):
        return stepup.refused()

Without a code it raises :class:`StepUpRequired` (the front end then calls :func:`request`
and asks for the code); a wrong code is *recorded* (attempt counter, voiding), so it cannot
be raised inside the transaction: ``verify`` queues the refusal with
``uow.fail_after_commit`` and returns False, and the service returns at once.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from core.authz import Actor, Permission, require
from core.errors import NotFound, RuleViolation, ValidationError
from core.i18n import t
from core.models import Account, Customer, OutboxKind, StepUpCode
from core.security import mask_phone, random_digits
from core.uow import UnitOfWork

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
RATE_WINDOW = timedelta(minutes=15)
RATE_LIMIT = 5
"""Code requests per account within :data:`RATE_WINDOW`."""

GENERATE = "credentials.generate"
SWAP = "numbers.swap"
ASSIGN_DELETE = "numbers.assign_delete_traffic"
POLICY_OFF = "stepup.policy_off"

ACTIONS: dict[str, Permission] = {
    GENERATE: Permission.CREDENTIALS_GENERATE,
    SWAP: Permission.NUMBER_MANAGE,
    ASSIGN_DELETE: Permission.NUMBER_MANAGE,
    POLICY_OFF: Permission.USER_MANAGE,
}
"""The guarded actions and the permission a code request for them needs."""


class StepUpRequired(RuleViolation):
    """The action needs a step-up code; none was given. ``action`` and ``object_id`` say
    what to request a code for (:func:`request`)."""

    def __init__(self, masked_mobile: str, *, action: str, object_id: str) -> None:
        super().__init__("R20", "stepup.error.required", mobile=masked_mobile)
        self.masked_mobile = masked_mobile
        self.action = action
        self.object_id = object_id


@dataclass(frozen=True)
class CodeSent:
    action: str
    object_id: str
    masked_mobile: str
    expires_at: datetime


@dataclass(frozen=True)
class Policy:
    customer_id: int
    required: bool


def refused() -> Any:
    """What a guarded service returns after :func:`verify` said no: never seen by a caller,
    because the unit of work raises the queued refusal once it has committed."""
    return None


def _digest(uow: UnitOfWork, account_id: int, action: str, object_id: str, code: str) -> str:
    return uow.secret_box.mac(f"{account_id}|{action}|{object_id}|{code}".encode())


async def _policy_on(uow: UnitOfWork, customer_id: int | None) -> bool:
    if customer_id is None:
        return False
    required = await uow.session.scalar(
        select(Customer.stepup_required).where(Customer.id == customer_id))
    return bool(required)


async def _own_mobile(uow: UnitOfWork, actor: Actor) -> str:
    account = await uow.session.get(Account, actor.account_id)
    if account is None or not account.mobile:
        raise RuleViolation("R20", "stepup.error.no_mobile", user=actor.username)
    return account.mobile


async def get_policy(uow: UnitOfWork, actor: Actor) -> Policy:
    """The customer's step-up policy (shown in user management)."""
    require(actor, Permission.USER_READ, customer_id=actor.customer_id)
    assert actor.customer_id is not None
    return Policy(actor.customer_id, await _policy_on(uow, actor.customer_id))


async def set_policy(
    uow: UnitOfWork, actor: Actor, *, required: bool, code: str | None = None
) -> Policy:
    """Admin only: turn the policy on (no code needed) or off (needs a code itself)."""
    require(actor, Permission.USER_MANAGE, customer_id=actor.customer_id)
    customer = await uow.session.get(Customer, actor.customer_id)
    if customer is None:
        raise NotFound()
    if customer.stepup_required == required:
        return Policy(customer.id, required)
    if not required and not await verify(uow, actor, customer_id=customer.id, action=POLICY_OFF,
                                         object_id=str(customer.id), code=code):
        return refused()
    customer.stepup_required = required
    await uow.session.flush()
    uow.audit(actor, "stepup.policy_on" if required else "stepup.policy_off",
              customer_id=customer.id, target=customer.name)
    uow.emit("StepUpPolicyChanged", customer.id, required=required)
    return Policy(customer.id, required)


async def request(uow: UnitOfWork, actor: Actor, *, action: str, object_id: str) -> CodeSent:
    """Send a new code for ``action`` on ``object_id`` to the actor's own mobile; an older
    unused code for the same action and object stops working."""
    permission = ACTIONS.get(action)
    if permission is None:
        raise NotFound()
    require(actor, permission, customer_id=actor.customer_id)
    mobile = await _own_mobile(uow, actor)
    now = uow.clock.now()
    recent = await uow.session.scalar(
        select(func.count()).select_from(StepUpCode).where(
            StepUpCode.account_id == actor.account_id,
            StepUpCode.created_at > now - RATE_WINDOW,
        )
    )
    if (recent or 0) >= RATE_LIMIT:
        raise RuleViolation("R20", "stepup.error.rate_limited", count=RATE_LIMIT,
                            minutes=int(RATE_WINDOW.total_seconds() // 60))
    object_id = object_id[:200]
    await uow.session.execute(
        update(StepUpCode)
        .where(StepUpCode.account_id == actor.account_id, StepUpCode.action == action,
               StepUpCode.object_id == object_id, StepUpCode.status == "pending")
        .values(status="superseded")
    )
    code = random_digits(CODE_DIGITS)
    row = StepUpCode(
        account_id=actor.account_id, customer_id=actor.customer_id, action=action,
        object_id=object_id, code_hash=_digest(uow, actor.account_id, action, object_id, code),
        created_at=now, expires_at=now + CODE_TTL, attempts=0, status="pending",
    )
    uow.session.add(row)
    await uow.session.flush()
    masked = mask_phone(mobile)
    locale = actor.locale
    uow.send(
        OutboxKind.SMS, to=mobile, subject="",
        body=t(locale, "stepup.sms", code=code, what=t(locale, f"stepup.action.{action}"),
               minutes=int(CODE_TTL.total_seconds() // 60)),
        customer_id=actor.customer_id, key=f"stepup-{row.id}",
        meta={"stepup_action": action},
    )
    del code
    uow.audit(actor, "stepup.code_requested", customer_id=actor.customer_id, target=object_id,
              for_action=action, mobile=masked)
    return CodeSent(action, object_id, masked, row.expires_at)


def normalize_code(code: str) -> str:
    """The six digits of a typed code (blanks inside dropped), or a usage error.

    Something that is no code (five digits, a letter, a pasted word) is a slip, not a
    guess: it must not use up one of the :data:`MAX_ATTEMPTS` tries of the real code."""
    given = "".join(code.split())
    if len(given) != CODE_DIGITS or not given.isascii() or not given.isdigit():
        raise ValidationError("stepup.error.format", digits=CODE_DIGITS)
    return given


async def verify(
    uow: UnitOfWork,
    actor: Actor,
    *,
    customer_id: int | None,
    action: str,
    object_id: str,
    code: str | None,
) -> bool:
    """The guard: True when the policy is off or ``code`` is right (it is then used up).

    No code: :class:`StepUpRequired`. No usable code for exactly this account, action and
    object (never requested, used, voided, superseded, expired): a refusal. Something that
is no six-digit code: a usage error (:func:`normalize_code`), no attempt used. A wrong code
    counts an attempt (the 5th voids the code) and returns False with the refusal queued
    to be raised after commit; the caller must return without changing anything."""
    permission = ACTIONS.get(action)
    if permission is None:
        raise NotFound()
    require(actor, permission, customer_id=customer_id)
    if not await _policy_on(uow, customer_id):
        return True
    object_id = object_id[:200]
    if code is None or not code.strip():
        mobile = await _own_mobile(uow, actor)
        raise StepUpRequired(mask_phone(mobile), action=action, object_id=object_id)
    given = normalize_code(code)
    row = await uow.session.scalar(
        select(StepUpCode)
        .where(StepUpCode.account_id == actor.account_id, StepUpCode.action == action,
               StepUpCode.object_id == object_id)
        .order_by(StepUpCode.id.desc())
        .limit(1)
    )
    if row is None or row.status != "pending":
        key = {"used": "stepup.error.used", "voided": "stepup.error.voided"}.get(
            row.status if row else "", "stepup.error.no_code")
        raise RuleViolation("R20", key)
    now = uow.clock.now()
    if now >= row.expires_at:
        raise RuleViolation("R20", "stepup.error.expired")
    if hmac.compare_digest(row.code_hash, _digest(uow, actor.account_id, action, object_id, given)):
        used = await uow.session.execute(
            update(StepUpCode).where(StepUpCode.id == row.id, StepUpCode.status == "pending")
            .values(status="used")
        )
        if used.rowcount != 1:  # type: ignore[attr-defined]
            raise RuleViolation("R20", "stepup.error.used")
        uow.audit(actor, "stepup.code_used", customer_id=customer_id, target=object_id,
                  for_action=action)
        return True
    row.attempts += 1
    left = MAX_ATTEMPTS - row.attempts
    if left <= 0:
        row.status = "voided"
        uow.audit(actor, "stepup.code_voided", customer_id=customer_id, target=object_id,
                  for_action=action)
        uow.fail_after_commit(RuleViolation("R20", "stepup.error.voided"))
    else:
        uow.fail_after_commit(RuleViolation("R20", "stepup.error.wrong", left=left))
    await uow.session.flush()
    return False
