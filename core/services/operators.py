"""Operator tasks for the local admin CLI (``linedesk users|customers|areas ...``).

These run only from a shell on the server, never from an SSH session: whoever can run
them already owns the database. They still validate every input.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from core.errors import NotFound, ValidationError
from core.i18n import LOCALES
from core.models import Account, Customer, CustomerNumber, Role, SshKey
from core.security import (
    hash_secret,
    validate_email,
    validate_mobile,
    validate_password,
    validate_username,
)
from core.services import areas
from core.services.users import insert_account
from core.sshkeys import parse_public_key
from core.uow import UnitOfWork
from core.views import AccountView, CustomerView, KeyView

_CUSTOMER_NUMBER_RE = re.compile(r"^\d{7}$")


def customer_view(customer: Customer, numbers: list[str]) -> CustomerView:
    return CustomerView(
        customer.id, customer.name, customer.street, customer.postal_code, customer.city,
        tuple(sorted(numbers)),
    )


def _printable(**fields: str) -> None:
    """An operator's text is shown on every support and customer terminal (the customer
    search, headers, the Archiv): control characters (an escape sequence, a title-setting OSC
    ``ESC ] 0;... BEL``) are refused here, as in every form, instead of stored."""
    for field, value in fields.items():
        if areas.has_control_chars(value or ""):
            raise ValidationError("error.control_chars", field=field)


async def add_customer(
    uow: UnitOfWork,
    *,
    name: str,
    customer_numbers: list[str],
    street: str = "",
    postal_code: str = "",
    city: str = "",
) -> CustomerView:
    if not name.strip():
        raise ValidationError("error.customer_name_required")
    _printable(name=name, street=street, postal_code=postal_code, city=city)
    if not customer_numbers:
        raise ValidationError("error.invalid_customer_number", value="")
    for number in customer_numbers:
        if not _CUSTOMER_NUMBER_RE.match(number):
            raise ValidationError("error.invalid_customer_number", value=number[:20])
    customer = Customer(
        name=name.strip(), street=street, postal_code=postal_code, city=city,
        created_at=uow.clock.now(),
    )
    uow.session.add(customer)
    await uow.session.flush()
    for number in customer_numbers:
        taken = await uow.session.scalar(
            select(CustomerNumber.id).where(CustomerNumber.number == number)
        )
        if taken:
            raise ValidationError("error.customer_number_taken", value=number)
        uow.session.add(CustomerNumber(customer_id=customer.id, number=number))
    uow.audit(None, "customer.created", customer_id=customer.id, target=customer.name)
    return customer_view(customer, customer_numbers)


async def list_customers(uow: UnitOfWork) -> list[CustomerView]:
    customers = (await uow.session.scalars(select(Customer).order_by(Customer.name))).all()
    rows = (
        await uow.session.execute(select(CustomerNumber.customer_id, CustomerNumber.number))
    ).all()
    by_customer: dict[int, list[str]] = {}
    for customer_id, number in rows:
        by_customer.setdefault(customer_id, []).append(number)
    return [customer_view(c, by_customer.get(c.id, [])) for c in customers]


async def customer_id_for_number(uow: UnitOfWork, customer_number: str) -> int:
    customer_id = await uow.session.scalar(
        select(CustomerNumber.customer_id).where(CustomerNumber.number == customer_number)
    )
    if customer_id is None:
        raise NotFound("error.not_found_named", what="Kundennummer", name=customer_number[:20])
    return customer_id


async def add_account(
    uow: UnitOfWork,
    *,
    username: str,
    role: str,
    customer_number: str | None = None,
    password: str | None = None,
    full_name: str = "",
    email: str | None = None,
    mobile: str | None = None,
    locale: str = "de",
) -> AccountView:
    validate_username(username)
    _printable(full_name=full_name)
    try:
        role_value = Role(role)
    except ValueError as exc:
        raise ValidationError("error.invalid_role", value=role[:20]) from exc
    if locale not in LOCALES:
        raise ValidationError("error.invalid_locale", value=locale[:10])
    customer_id: int | None = None
    if role_value is Role.SUPPORT:
        if customer_number:
            raise ValidationError("error.support_has_no_customer")
    else:
        if not customer_number:
            raise ValidationError("error.customer_required")
        customer_id = await customer_id_for_number(uow, customer_number)
    account = Account(
        username=username,
        role=role_value,
        customer_id=customer_id,
        full_name=full_name,
        email=validate_email(email) if email else None,
        mobile=validate_mobile(mobile) if mobile else None,
        locale=locale,
        password_hash=await hash_secret(validate_password(password)) if password else None,
        active=True,
        created_at=uow.clock.now(),
    )
    await insert_account(uow, account)
    uow.audit(
        None, "account.created", customer_id=customer_id, target=username, role=role_value.value
    )
    return await account_view(uow, account)


async def account_view(uow: UnitOfWork, account: Account) -> AccountView:
    customer_name = None
    if account.customer_id is not None:
        customer_name = await uow.session.scalar(
            select(Customer.name).where(Customer.id == account.customer_id)
        )
    key_count = await uow.session.scalar(
        select(func.count()).select_from(SshKey).where(SshKey.account_id == account.id)
    )
    return AccountView(
        account.id, account.username, account.role.value, account.customer_id, customer_name,
        account.full_name, account.email, account.mobile, account.locale, account.active,
        account.password_hash is not None, key_count or 0, account.created_at,
        locked=account.locked_at is not None, lock_reason=account.lock_reason,
    )


async def _by_username(uow: UnitOfWork, username: str) -> Account:
    account = await uow.session.scalar(select(Account).where(Account.username == username))
    if account is None:
        raise NotFound("error.not_found_named", what="Benutzer", name=username[:40])
    return account


async def list_accounts(uow: UnitOfWork) -> list[AccountView]:
    accounts = (
        await uow.session.scalars(select(Account).order_by(Account.customer_id, Account.username))
    ).all()
    return [await account_view(uow, a) for a in accounts]


async def set_password(uow: UnitOfWork, *, username: str, password: str) -> None:
    account = await _by_username(uow, username)
    account.password_hash = await hash_secret(validate_password(password))
    uow.audit(None, "account.password_set", customer_id=account.customer_id, target=username)


async def add_key(uow: UnitOfWork, *, username: str, public_key: str) -> KeyView:
    account = await _by_username(uow, username)
    key = parse_public_key(public_key)
    existing = await uow.session.scalar(
        select(SshKey).where(SshKey.account_id == account.id, SshKey.fingerprint == key.fingerprint)
    )
    if existing is not None:
        raise ValidationError("error.key_exists", fingerprint=key.fingerprint)
    row = SshKey(
        account_id=account.id, public_key=key.openssh, fingerprint=key.fingerprint,
        comment=key.comment, created_at=uow.clock.now(),
    )
    uow.session.add(row)
    await uow.session.flush()
    uow.audit(None, "account.key_added", customer_id=account.customer_id, target=username,
              fingerprint=key.fingerprint)
    return KeyView(row.id, username, row.fingerprint, key.key_type, row.comment, row.created_at)


async def list_keys(uow: UnitOfWork, *, username: str) -> list[KeyView]:
    account = await _by_username(uow, username)
    rows = (await uow.session.scalars(select(SshKey).where(SshKey.account_id == account.id))).all()
    return [
        KeyView(r.id, username, r.fingerprint, r.public_key.split()[0], r.comment, r.created_at)
        for r in rows
    ]


async def remove_key(uow: UnitOfWork, *, username: str, fingerprint: str) -> None:
    account = await _by_username(uow, username)
    row = await uow.session.scalar(
        select(SshKey).where(SshKey.account_id == account.id, SshKey.fingerprint == fingerprint)
    )
    if row is None:
        raise NotFound("error.not_found_named", what="SSH-Schlüssel", name=fingerprint[:60])
    await uow.session.delete(row)
    uow.audit(None, "account.key_removed", customer_id=account.customer_id, target=username,
              fingerprint=fingerprint)


async def set_area_note(
    uow: UnitOfWork, *, customer_number: str, area: str, note: str
) -> str | None:
    """R16: the operator's approval for more than 100 numbers of a customer in a verified
    area, given from the server shell (an empty ``note`` withdraws it); returns the stored text."""
    customer_id = await customer_id_for_number(uow, (customer_number or "").strip())
    _, text = await areas.record_operator_note(
        uow, None, customer_id=customer_id, area=area, note=note
    )
    return text
