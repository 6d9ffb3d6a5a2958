"""The domain model (SQLAlchemy 2, typed). Relationships are ``lazy="raise"``:
every service says explicitly what it loads, so no query hides in attribute access.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from core.enums import NumberKind, NumberStatus  # defined without the ORM, re-exported here


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC, always returns timezone-aware UTC (SQLite would hand back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


def _enum(cls: type[enum.Enum]) -> SAEnum:
    return SAEnum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


class Role(enum.StrEnum):
    ADMIN = "admin"
    EMPLOYEE = "employee"
    SUPPORT = "support"


class Product(enum.StrEnum):
    COMPANYFLEX = "companyflex"
    CLOUD_PBX = "cloud_pbx"
    SIP_TRUNK = "sip_trunk"
    IP_VOICE_DATA = "ip_voice_data"


class ContractType(enum.StrEnum):
    """Contract types. The five of R2 carry a line (Anschluss); the others do not."""

    COMPANYFLEX = "companyflex"  # framework contract, sites hang below it
    COMPANYFLEX_COMPLETE = "companyflex_complete"  # site contract CompanyFlex Complete
    COMPANYFLEX_MSN_COMPLETE = "companyflex_msn_complete"  # site contract MSN Complete
    COMPANYFLEX_ACCESS_PLUS = "companyflex_access_plus"
    COMPANYFLEX_VOICE = "companyflex_voice"  # site contract without line (voice only)
    CLOUD_PBX_MAIN = "cloud_pbx_main"  # Hauptstandortvertrag
    CLOUD_PBX_BRANCH = "cloud_pbx_branch"  # Filialvertrag
    SIP_TRUNK = "sip_trunk"
    IP_VOICE_DATA = "ip_voice_data"


CREDENTIAL_ELIGIBLE_TYPES: frozenset[ContractType] = frozenset(
    {
        ContractType.COMPANYFLEX_COMPLETE,
        ContractType.COMPANYFLEX_MSN_COMPLETE,
        ContractType.COMPANYFLEX_ACCESS_PLUS,
        ContractType.CLOUD_PBX_MAIN,
        ContractType.CLOUD_PBX_BRANCH,
    }
)
"""R2: the contracts with a line for which new internet access credentials may be generated."""


class CredentialStatus(enum.StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"


class PinLetterStatus(enum.StrEnum):
    OUTSTANDING = "outstanding"
    VERIFIED = "verified"
    INVALIDATED = "invalidated"
    EXPIRED = "expired"


class PortingStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    """R31: withdrawn by the customer while still submitted."""


class OutboxKind(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"
    LETTER = "letter"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime]
    stepup_required: Mapped[bool] = mapped_column(Boolean, default=True)
    """R20: dangerous actions need a one-time code by SMS (on for new customers)."""
    approval_required: Mapped[bool] = mapped_column(Boolean, default=False)
    """R21: dangerous actions become a request a second admin approves (off by default)."""

    customer_numbers: Mapped[list[CustomerNumber]] = relationship(
        back_populates="customer", lazy="raise", order_by="CustomerNumber.number"
    )


class CustomerNumber(Base):
    """A Kundennummer; a customer has one or more (R1)."""

    __tablename__ = "customer_numbers"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)

    customer: Mapped[Customer] = relationship(back_populates="customer_numbers", lazy="raise")


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    mobile: Mapped[str | None] = mapped_column(String(20))
    locale: Mapped[str] = mapped_column(String(5), default="de")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    """argon2id; NULL means password login is impossible (keys only)."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)
    locked_at: Mapped[datetime | None]
    """R25: locked by the operator or the customer's admin (no login, sessions ended)."""
    lock_reason: Mapped[str | None] = mapped_column(String(500))
    locked_by: Mapped[str | None] = mapped_column(String(64))

    __mapper_args__ = {"version_id_col": version}

    keys: Mapped[list[SshKey]] = relationship(back_populates="account", lazy="raise")


class SshKey(Base):
    __tablename__ = "ssh_keys"
    __table_args__ = (UniqueConstraint("account_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    public_key: Mapped[str] = mapped_column(Text)
    """OpenSSH one-line format: ``ssh-ed25519 AAAA... comment``."""
    fingerprint: Mapped[str] = mapped_column(String(100))
    """``SHA256:...`` as OpenSSH prints it."""
    comment: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]

    account: Mapped[Account] = relationship(back_populates="keys", lazy="raise")


class LoginFailure(Base):
    """Failed logins, kept in the database so that lockout holds across server nodes."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_account_at", "account_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    source: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime]


class Contract(Base):
    __tablename__ = "contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_number_id: Mapped[int] = mapped_column(ForeignKey("customer_numbers.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    """Sites (Standorte) and branches (Filialen) point to their framework / main-site contract."""
    product: Mapped[Product] = mapped_column(_enum(Product))
    type: Mapped[ContractType] = mapped_column(_enum(ContractType))
    contract_ref: Mapped[str] = mapped_column(String(32), unique=True)
    """Human contract number shown in the portal (e.g. ``V-1000001-0001``)."""
    site_name: Mapped[str] = mapped_column(String(200), default="")
    street: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    has_line: Mapped[bool] = mapped_column(Boolean, default=False)
    easy_login: Mapped[bool] = mapped_column(Boolean, default=False)
    line_online: Mapped[bool] = mapped_column(Boolean, default=False)
    line_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    """Technical line identifier the access server knows (only for contracts with a line)."""
    credentials_generated_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class LineCredential(Base):
    """Internet access credentials of a line: only the hash of the password is kept (R5)."""

    __tablename__ = "line_credentials"
    __table_args__ = (
        # Never two valid credential sets for one line, even with concurrent generation.
        Index(
            "uq_line_credentials_one_active",
            "contract_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    status: Mapped[CredentialStatus] = mapped_column(_enum(CredentialStatus))
    generated_at: Mapped[datetime]
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    revoked_at: Mapped[datetime | None]


class LocalArea(Base):
    """A local network area (Ortsnetz), named by its prefix, e.g. ``030`` Berlin."""

    __tablename__ = "local_areas"

    prefix: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class AreaVerification(Base):
    """The customer's address in an area, verified by PIN letter (R16)."""

    __tablename__ = "area_verifications"
    __table_args__ = (UniqueConstraint("customer_id", "area_prefix"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    area_prefix: Mapped[str] = mapped_column(ForeignKey("local_areas.prefix"))
    address: Mapped[str] = mapped_column(String(300))
    verified_at: Mapped[datetime]
    operator_note: Mapped[str | None] = mapped_column(Text)
    """Operator approval needed for more than 100 numbers in the area."""


class PinLetter(Base):
    __tablename__ = "pin_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    area_prefix: Mapped[str] = mapped_column(ForeignKey("local_areas.prefix"))
    address: Mapped[str] = mapped_column(String(300))
    pin_hash: Mapped[str] = mapped_column(String(200))
    status: Mapped[PinLetterStatus] = mapped_column(_enum(PinLetterStatus))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class NumberBlock(Base):
    """R30: a block of 10 or 100 consecutive numbers of a SIP-Trunk contract, bought together
    and switched on and off together; its numbers point to it (``Number.block_id``)."""

    __tablename__ = "number_blocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    area_prefix: Mapped[str] = mapped_column(ForeignKey("local_areas.prefix"))
    first_e164: Mapped[str] = mapped_column(String(20), unique=True)
    last_e164: Mapped[str] = mapped_column(String(20), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]


class Number(Base):
    __tablename__ = "numbers"
    __table_args__ = (
        # the dashboard's pages: filtered by customer, ordered by number (status, area), so a
        # page is read from the index in order instead of sorting all of a customer's numbers
        Index("ix_numbers_customer_e164", "customer_id", "e164"),
        Index("ix_numbers_customer_status_e164", "customer_id", "status", "e164"),
        Index("ix_numbers_customer_area_e164", "customer_id", "area_prefix", "e164"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    e164: Mapped[str] = mapped_column(String(20), unique=True)
    """E.164 with plus sign, e.g. ``+4930123456``."""
    area_prefix: Mapped[str] = mapped_column(ForeignKey("local_areas.prefix"))
    kind: Mapped[NumberKind] = mapped_column(_enum(NumberKind))
    fax_owner_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    """Set for a personal fax number (R15); NULL for a shared fax or a voice number."""
    status: Mapped[NumberStatus] = mapped_column(_enum(NumberStatus))
    deactivation_date: Mapped[date | None] = mapped_column(Date)
    """Last day the number is active when pending deactivation (R12)."""
    assigned_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Forwarding target and other per-number configuration; wiped on swap (R13)."""
    activation_fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    monthly_price_cents: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)
    # R29 emergency location (Notrufstandort) of a voice number: all four or none
    # (core/locations.py); an active voice number has one
    emergency_street: Mapped[str | None] = mapped_column(String(100))
    emergency_house_number: Mapped[str | None] = mapped_column(String(10))
    emergency_postcode: Mapped[str | None] = mapped_column(String(5))
    emergency_city: Mapped[str | None] = mapped_column(String(80))
    block_id: Mapped[int | None] = mapped_column(ForeignKey("number_blocks.id"), index=True)
    """R30: the block the number belongs to (NULL: a single number)."""

    __mapper_args__ = {"version_id_col": version}


class PortingOrder(Base):
    __tablename__ = "porting_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    area_prefix: Mapped[str] = mapped_column(ForeignKey("local_areas.prefix"))
    numbers: Mapped[list[str]] = mapped_column(JSON)
    old_provider: Mapped[str] = mapped_column(String(200))
    account_holder: Mapped[str] = mapped_column(String(200))
    wished_date: Mapped[date] = mapped_column(Date)
    status: Mapped[PortingStatus] = mapped_column(_enum(PortingStatus))
    reject_reason: Mapped[str | None] = mapped_column(Text)
    """The carrier's text (an i18n key from the simulated carrier, else free text)."""
    reject_code: Mapped[str | None] = mapped_column(String(32))
    """R31: one of ``core.services.porting.REJECT_CODES``."""
    confirmed_date: Mapped[date | None] = mapped_column(Date)
    """R31: the switch-over day the carrier confirmed (may differ from the wished one)."""
    scenario: Mapped[str | None] = mapped_column(String(32))
    """R31 test switch read by the simulated carrier only (``porting.SCENARIOS``)."""
    carrier_ref: Mapped[str | None] = mapped_column(String(64))
    next_step_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class PortingEvent(Base):
    """One step of a porting order's timeline, or (R31) a comment on it."""

    __tablename__ = "porting_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("porting_orders.id"), index=True)
    status: Mapped[PortingStatus] = mapped_column(_enum(PortingStatus))
    """The state entered (a comment: the order's state when it was written)."""
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16), default="status", server_default="status")
    """``status`` (a transition) or ``comment`` (R31: written by a person, ``note`` is it)."""
    author: Mapped[str | None] = mapped_column(String(64))
    """Username of whoever caused it (None: the carrier / scheduler)."""
    author_role: Mapped[str | None] = mapped_column(String(16))


class Charge(Base):
    __tablename__ = "charges"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    number_id: Mapped[int | None] = mapped_column(ForeignKey("numbers.id"))
    kind: Mapped[str] = mapped_column(String(32))
    """``activation`` (one-time) or ``monthly``."""
    amount_cents: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))


class CallRecord(Base):
    """Einzelverbindungsnachweis: a call made on a number by the employee using it."""

    __tablename__ = "call_records"
    __table_args__ = (Index("ix_call_records_number_account", "number_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number_id: Mapped[int] = mapped_column(ForeignKey("numbers.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    started_at: Mapped[datetime]
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    """None: the call is going on right now (a start, no end yet; R18). Call lists (EVN)
    show finished calls only."""
    remote_number: Mapped[str] = mapped_column(String(20))
    """Stored shortened (last digits masked) as the operator's records are."""
    cost_cents: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class OutboxMessage(Base):
    """E-mail, SMS or letter waiting for delivery; written in the causing transaction."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OutboxKind] = mapped_column(_enum(OutboxKind))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    recipient_hint: Mapped[str] = mapped_column(String(100))
    """Masked recipient for listings; the real one lives in the encrypted payload."""
    subject_hint: Mapped[str] = mapped_column(String(200), default="")
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    """AES-GCM encrypted JSON (recipient, subject, body, attachment); wiped after delivery."""
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class AuditEvent(Base):
    """R17: who (role, on behalf of which customer) did what, when, from where."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_customer_at", "customer_id", "at"),
        # R24: an account's recordings of a day (the per-account recording bound)
        Index("ix_audit_actor_at", "actor_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    actor_username: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(16))
    via_support: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source_address: Mapped[str | None] = mapped_column(String(64))
    key_fingerprint: Mapped[str | None] = mapped_column(String(100))


class AuditOnce(Base):
    """An Archiv entry that must be written once however many writers try (in the DB, so it
    holds across processes and nodes): the key's insert is the claim, a second one is refused
    by the primary key. R23: both sides of a cross-process shadow may end it at once."""

    __tablename__ = "audit_once"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime]


class SchedulerLease(Base):
    """One row per job: a scheduler run holds the lease so two schedulers never run a job twice."""

    __tablename__ = "scheduler_leases"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64))
    until: Mapped[datetime | None]
    last_run_at: Mapped[datetime | None]


class StepUpCode(Base):
    """R20: a one-time code sent by SMS, bound to one account, action and object.

    Only an HMAC-SHA256 of the code (keyed with the secret key) is stored."""

    __tablename__ = "step_up_codes"
    __table_args__ = (Index("ix_step_up_codes_account_created", "account_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    action: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(200))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    """pending, used, voided (5 wrong entries) or superseded (a newer code was sent)."""


class ApprovalRequest(Base):
    """R21: a guarded action filed for a second admin's approval, with its full parameters."""

    __tablename__ = "approval_requests"
    __table_args__ = (Index("ix_approval_requests_customer_status", "customer_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    action: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(200))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    requested_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    """pending, approved, rejected, failed (rules refused it on approval) or expired."""
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    comment: Mapped[str | None] = mapped_column(String(500))
    """The reject comment, or why the approval failed."""
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    """New credentials: the account whose contact the requester consented to (R4, as R19)."""
    consent_email: Mapped[str | None] = mapped_column(String(254))
    consent_mobile: Mapped[str | None] = mapped_column(String(20))
    """What was consented to when filing: on approval delivery goes there or not at all."""


class ScheduledReset(Base):
    """R19: new internet credentials generated by the scheduler at ``at``."""

    __tablename__ = "scheduled_resets"
    __table_args__ = (Index("ix_scheduled_resets_status_at", "status", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    requested_by: Mapped[str] = mapped_column(String(64))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    at: Mapped[datetime]
    consent_email: Mapped[str] = mapped_column(String(254))
    consent_mobile: Mapped[str] = mapped_column(String(20))
    """The contact the consent was given for; delivery goes there or not at all."""
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    """scheduled, done or cancelled."""
    done_at: Mapped[datetime | None]
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    cancel_reason: Mapped[str | None] = mapped_column(String(32))


class NodeHeartbeat(Base):
    """One row per serving process (a node's worker), refreshed every few seconds:
    ``linedesk status`` lists the nodes; a row whose beat is old belongs to a dead process."""

    __tablename__ = "node_heartbeats"

    node: Mapped[str] = mapped_column(String(100), primary_key=True)
    pid: Mapped[int] = mapped_column(Integer, primary_key=True)
    """A worker and its replacement (same index) run side by side for a while."""
    worker: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    beat_at: Mapped[datetime]
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    connections: Mapped[int] = mapped_column(Integer, default=0)
    accepting: Mapped[bool] = mapped_column(Boolean, default=True)


class LiveSession(Base):
    """An open session (shell or command) of an account on one serving process: the
    per-account session limit counts these across nodes (those of processes whose heartbeat
    is fresh: a killed node's rows stop counting by themselves)."""

    __tablename__ = "live_sessions"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    node: Mapped[str] = mapped_column(String(100))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
