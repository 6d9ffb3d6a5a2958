"""R18 impact preview: what a dangerous action takes down or deletes, shown before it runs.

* :func:`contract_impact` — for new internet credentials (the wizard's warning step):
  whether the line is online and since when, and the calls going on right now on the
  contract's numbers (call records with a start and no end yet: ``duration_seconds`` NULL).
  "Since when" comes from the audit log (the line's last ``line.online``; offline: the last
  generation); a line online since it was set up has no such row: since the contract's start.
* :func:`number_impact` — for swap and deactivation: the number's settings that will be lost
  (forwarding target, assignment, personal-fax owner, fax credentials sent, other settings).

Reads only; permission and tenant first (another tenant's object is "not found").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from core.authz import Actor, Permission, require
from core.i18n import format_datetime, t
from core.models import Account, AuditEvent, CallRecord, Number
from core.services.contracts import load_contract
from core.services.number_reads import _load, _require_preview
from core.services.number_views import FAX_CREDENTIALS_KEY, FORWARDING_KEY, national_form
from core.uow import UnitOfWork

MAX_CALLS = 50
"""Ongoing calls listed at most (the count is exact)."""


@dataclass(frozen=True)
class ActiveCall:
    number: str
    """National form of the contract's number the call runs on."""
    started_at: datetime
    remote_number: str
    """As stored: shortened by the operator."""
    user: str | None


@dataclass(frozen=True)
class LineImpact:
    contract_ref: str
    has_line: bool
    online: bool
    since: datetime | None
    calls: tuple[ActiveCall, ...]
    call_count: int


@dataclass(frozen=True)
class LostSetting:
    key: str
    """``forwarding``, ``assignment``, ``fax_owner``, ``fax_credentials`` or ``setting``."""
    value: str


@dataclass(frozen=True)
class NumberImpact:
    e164: str
    national: str
    lost: tuple[LostSetting, ...]


async def contract_impact(uow: UnitOfWork, actor: Actor, *, contract_id: int) -> LineImpact:
    """R18: what drops at once when new credentials are generated for the contract."""
    contract, _, customer_id = await load_contract(uow, actor, contract_id)
    require(actor, Permission.CONTRACT_READ, customer_id=customer_id)
    since: datetime | None = None
    if contract.has_line:
        action = "line.online" if contract.line_online else "credentials.generated"
        since = await uow.session.scalar(
            select(AuditEvent.at)
            .where(AuditEvent.customer_id == customer_id, AuditEvent.action == action,
                   AuditEvent.target == contract.contract_ref)
            .order_by(AuditEvent.at.desc()).limit(1))
        if since is None:
            since = (contract.created_at if contract.line_online
                     else contract.credentials_generated_at)
    now = uow.clock.now()
    rows = (await uow.session.execute(
        select(CallRecord.started_at, CallRecord.remote_number, Number.e164, Number.area_prefix,
               Account.username)
        .join(Number, Number.id == CallRecord.number_id)
        .outerjoin(Account, Account.id == CallRecord.account_id)
        .where(Number.contract_id == contract.id, Number.customer_id == customer_id,
               CallRecord.duration_seconds.is_(None), CallRecord.deleted.is_(False),
               CallRecord.started_at <= now)
        .order_by(CallRecord.started_at, CallRecord.id)
    )).all()
    calls = tuple(
        ActiveCall(national_form(e164, prefix), started, remote, user)
        for started, remote, e164, prefix, user in rows[:MAX_CALLS]
    )
    return LineImpact(contract.contract_ref, contract.has_line, contract.line_online, since,
                      calls, len(rows))


async def number_impact(uow: UnitOfWork, actor: Actor, *, number: str) -> NumberImpact:
    """R18: the settings of ``number`` that a swap or deactivation deletes."""
    n = await _load(uow, actor, number)
    _require_preview(actor, n.customer_id)
    settings = dict(n.settings or {})
    lost: list[LostSetting] = []
    forwarding = settings.pop(FORWARDING_KEY, None)
    if forwarding:
        lost.append(LostSetting("forwarding", str(forwarding)))
    for key, account_id in (("assignment", n.assigned_account_id),
                            ("fax_owner", n.fax_owner_id)):
        if account_id is not None:
            account = await uow.session.get(Account, account_id)
            if account is not None:
                name = (f"{account.full_name} ({account.username})" if account.full_name
                        else account.username)
                lost.append(LostSetting(key, name))
    creds = settings.pop(FAX_CREDENTIALS_KEY, None)
    if creds:
        lost.append(LostSetting("fax_credentials", ", ".join(sorted(str(u) for u in creds))))
    for key in sorted(settings):
        if settings[key] not in (None, "", {}, []):
            lost.append(LostSetting("setting", str(key)))
    return NumberImpact(n.e164, national_form(n.e164, n.area_prefix), tuple(lost))


def render_line(view: LineImpact, locale: str) -> str:
    """The wizard's warning-step lines: online state since when, then the ongoing calls."""
    def when(at: datetime | None) -> str:
        return format_datetime(at, locale) if at else t(locale, "impact.unknown_since")

    if not view.has_line:
        lines = [t(locale, "impact.line.none")]
    else:
        key = "impact.line.online" if view.online else "impact.line.offline"
        lines = [t(locale, key, since=when(view.since))]
    if view.call_count:
        lines.append(t(locale, "impact.calls.title", count=view.call_count))
        lines += [t(locale, "impact.calls.line", number=c.number, user=c.user or "–",
                    since=when(c.started_at), remote=c.remote_number) for c in view.calls]
        if view.call_count > len(view.calls):
            lines.append(t(locale, "impact.calls.more", count=view.call_count - len(view.calls)))
    else:
        lines.append(t(locale, "impact.calls.none"))
    return "\n".join(lines)


def render_lost(view: NumberImpact, locale: str, *, inline: bool = False) -> str:
    """The swap and deactivation dialogs' list of the settings that will be lost; ``inline``:
    one sentence (the swap dialog's warning box, which must fit 80x24 with its buttons)."""
    if inline:
        if not view.lost:
            return ""
        items = "; ".join(t(locale, f"impact.lost.{s.key}", value=s.value).lstrip("• ")
                          for s in view.lost)
        return t(locale, "impact.lost.inline", number=view.national, items=items)
    if not view.lost:
        return t(locale, "impact.lost.none", number=view.national)
    return "\n".join([t(locale, "impact.lost.title", number=view.national)] + [
        t(locale, f"impact.lost.{s.key}", value=s.value) for s in view.lost])
